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
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from pipeline import extract

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


@dataclass(frozen=True)
class Entry:
    """One document's cached extraction, as read: its rows as Arrow, its tables as records."""

    source: str
    rows: pa.Table
    tables: list[dict[str, Any]]


def read_entry(cache_dir: Path, sha256: str, source: str) -> Entry | None:
    """A document's cache entry, for `source`; None when missing, unreadable or of other columns."""
    try:
        with pa.memory_map(str(entry_path(cache_dir, sha256))) as stream:
            arrow = pa.ipc.open_file(stream).read_all()
        tables = json.loads(arrow.schema.metadata[TABLES_KEY])
        rows = arrow.replace_schema_metadata(None)
    except UNREADABLE:  # FileNotFoundError (no entry yet) is an OSError too
        return None
    if rows.schema != _arrow_rows_schema() or not _are_table_records(tables):
        return None
    return Entry(source, rows, tables)


def entries_frames(entries: list[Entry]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The tables and rows frames of consecutive entries, converted to polars in one go."""
    # Converting each entry on its own costs ~1 ms a document; all at once, a tenth of that.
    owners = [entry for entry in entries if entry.rows.num_rows]
    sources = pl.Series("source", [entry.source for entry in owners], pl.String)
    counts = pl.Series([entry.rows.num_rows for entry in owners], dtype=pl.UInt32)
    rows = pl.DataFrame(pa.concat_tables([entry.rows for entry in entries])).with_columns(
        sources.gather(
            pl.int_range(len(owners), dtype=pl.UInt32, eager=True).repeat_by(counts).explode()
        )
    )
    records = [{"source": entry.source, **record} for entry in entries for record in entry.tables]
    tables = pl.DataFrame(records, schema=extract.TABLE_SCHEMA)
    return tables, rows.select(extract.ROW_SCHEMA.names())


def read_extraction(
    cache_dir: Path, sha256: str, source: str
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """A document's cached tables and rows frames, for `source`; None when missing or unreadable."""
    entry = read_entry(cache_dir, sha256, source)
    return entries_frames([entry]) if entry is not None else None


def write_extractions(
    cache_dir: Path, documents: list[tuple[str, str]], tables: pl.DataFrame, rows: pl.DataFrame
) -> None:
    """Store the frames of consecutive documents, (source, sha256) each, one entry apiece."""
    # One conversion to Arrow for all the documents, then a slice each: converting each
    # document's rows on their own took ~4 ms a document.
    arrow = rows.drop("source").to_arrow()
    records: dict[str, list[dict[str, Any]]] = {}
    for record in tables.select("source", *TABLE_COLUMNS).to_dicts():
        records.setdefault(record.pop("source"), []).append(record)
    offset = 0
    for (source, sha256), count in zip(documents, _row_counts(rows, documents), strict=True):
        _write_entry(cache_dir, sha256, arrow.slice(offset, count), records.get(source, []))
        offset += count


def _row_counts(rows: pl.DataFrame, documents: list[tuple[str, str]]) -> list[int]:
    """Rows of each document, which must come one after the other in documents' order."""
    runs = rows.get_column("source").rle().struct.unnest().rows()
    counts = []
    for source, _ in documents:
        counts.append(runs.pop(0)[0] if runs and runs[0][1] == source else 0)
    if runs:
        raise ValueError(f"rows of {runs[0][1]} are not where the documents' order puts them")
    return counts


def _write_entry(
    cache_dir: Path, sha256: str, rows: pa.Table, tables: list[dict[str, Any]]
) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    metadata = {TABLES_KEY: json.dumps(tables).encode()}
    handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".", suffix=".tmp")
    try:
        with (
            os.fdopen(handle, "wb") as sink,
            pa.ipc.new_file(sink, rows.schema.with_metadata(metadata)) as writer,
        ):
            writer.write_table(rows)
        os.replace(temporary, entry_path(cache_dir, sha256))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _are_table_records(records: object) -> bool:
    """Whether JSON holds table records with exactly the cached table columns and types."""
    return isinstance(records, list) and all(_is_table_record(record) for record in records)


def _is_table_record(record: object) -> bool:
    if not isinstance(record, dict) or list(record) != TABLE_COLUMNS:
        return False
    numbers = [record[name] for name in ("table_index", "line", "n_rows")]
    texts = [*record["heading_path"], *record["header"]] if _are_lists(record) else [0]
    return (
        all(type(number) is int for number in numbers)
        and all(isinstance(text, str) for text in texts)
        and all(align is None or isinstance(align, str) for align in record["align"])
    )


def _are_lists(record: dict[str, Any]) -> bool:
    return all(isinstance(record[name], list) for name in ("heading_path", "header", "align"))


@cache
def _arrow_rows_schema() -> pa.Schema:
    """The Arrow schema write_extractions gives an entry's rows."""
    empty = pl.DataFrame(schema=extract.ROW_SCHEMA).drop("source")
    return empty.to_arrow().schema
