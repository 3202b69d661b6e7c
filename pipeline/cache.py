"""The extraction cache: each document's extracted frames, keyed by content and extractor (I/O).

An entry is one Arrow IPC file, `<out_dir>/.cache/extract/<sha256>-<EXTRACTOR_VERSION>.arrow`:
the document's rows frame, with its tables frame as JSON in the schema metadata. The cache is an
optimisation only: an entry that cannot be read as exactly those frames is a miss, and is
rewritten. Entries hold no source path (the path is set on reading), so a renamed document is a
hit.
"""

import json
import os
import tempfile
from functools import cache
from pathlib import Path

import polars as pl
import pyarrow as pa

from pipeline import extract
from schemas.extracted import ExtractedRow, ExtractedTable

CACHE_DIR = Path(".cache") / "extract"
TABLES_KEY = b"modelmetrics.tables"
TABLE_COLUMNS = ["table_index", "line", "heading_path", "header", "align", "n_rows"]
# Everything that can go wrong reading a file someone else wrote, truncated or edited.
UNREADABLE = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    pa.ArrowException,
    pl.exceptions.PolarsError,
)


def extraction_dir(out_dir: Path) -> Path:
    """Where the extraction cache of an output directory lives."""
    return out_dir / CACHE_DIR


def entry_path(cache_dir: Path, sha256: str) -> Path:
    """The file of one document's cached extraction, for the running extractor's version."""
    return cache_dir / f"{sha256}-{extract.EXTRACTOR_VERSION}.arrow"


def read_extraction(
    cache_dir: Path, sha256: str, source: str
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """A document's cached tables and rows frames, for `source`; None when missing or unreadable."""
    try:
        with pa.memory_map(str(entry_path(cache_dir, sha256))) as stream:
            arrow = pa.ipc.open_file(stream).read_all()
        tables = _tables_from_json(arrow.schema.metadata[TABLES_KEY], source)
        rows = pl.DataFrame(arrow.replace_schema_metadata(None))
    except UNREADABLE:  # FileNotFoundError (no entry yet) is an OSError too
        return None
    rows = rows.with_columns(pl.lit(source, pl.String).alias(ExtractedRow.source))
    if not _fits(tables, ExtractedTable) or not _fits(rows, ExtractedRow):
        return None
    return tables, rows.select(_columns(ExtractedRow))


def write_extraction(
    cache_dir: Path, sha256: str, tables: pl.DataFrame, rows: pl.DataFrame
) -> None:
    """Store a document's frames, atomically: a reader sees the whole entry or none."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    arrow = rows.drop(ExtractedRow.source).to_arrow()
    metadata = {TABLES_KEY: json.dumps(tables.select(TABLE_COLUMNS).to_dicts()).encode()}
    handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".", suffix=".tmp")
    try:
        with (
            os.fdopen(handle, "wb") as sink,
            pa.ipc.new_file(sink, arrow.schema.with_metadata(metadata)) as writer,
        ):
            writer.write_table(arrow)
        os.replace(temporary, entry_path(cache_dir, sha256))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _tables_from_json(text: bytes, source: str) -> pl.DataFrame:
    records = json.loads(text)
    schema = _schema(ExtractedTable)
    return pl.DataFrame(
        [{ExtractedTable.source: source, **record} for record in records], schema=schema
    )


@cache
def _schema(model: type) -> dict[str, pl.DataType]:
    columns = model.to_schema().columns  # type: ignore[attr-defined]
    return {name: column.dtype.type for name, column in columns.items()}


def _columns(model: type) -> list[str]:
    return list(_schema(model))


def _fits(frame: pl.DataFrame, model: type) -> bool:
    """Whether the frame has exactly the model's columns and dtypes (in any order)."""
    return dict(frame.schema) == _schema(model)
