"""The observation cache: each document's tables and checked observations, reused by later builds
(I/O).

An entry is one Arrow IPC file, `<out_dir>/.cache/observe/<sha256>-<key>.arrow`: the document's
observations as they are encoded into Parquet plus the checks each failed, with its tables (an
Arrow IPC stream, base64), the errata its rows matched and the tables it has that are not read
(JSON) in the schema metadata. The sha256 is the document's; the key hashes its path (errata
name documents by path), the extractor version, and the code, data and library versions the
observations depend on (`pipeline_fingerprint`), so no change to any of them can reuse a stale
entry. The cache is an optimisation only: an entry that cannot be read as exactly those columns
is a miss, and is rewritten.
"""

import base64
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import polars as pl
import pyarrow as pa

import pipeline
import schemas
from pipeline import extract, publish, validate
from pipeline.errata import Correction
from pipeline.observe import ObservedRows
from schemas.observations import Observation

CACHE_DIR = publish.CACHE_ROOT / "observe"
TABLES_KEY = b"modelmetrics.tables"
ERRATA_KEY = b"modelmetrics.matched_errata"
UNREAD_KEY = b"modelmetrics.tables_not_read"
# The columns of an entry's tables: the extractor's, less the source (set on reading).
TABLE_SCHEMA = pl.Schema(
    {name: dtype for name, dtype in extract.TABLE_SCHEMA.items() if name != "source"}
)
# The libraries whose behaviour an observation depends on.
LIBRARIES = ["polars", "pandera", "pyarrow", "markdown-it-py", "mdit-py-plugins", "ftfy"]
# Everything that can go wrong reading a file someone else wrote, truncated or edited.
UNREADABLE = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    pa.ArrowException,
    pl.exceptions.PolarsError,
)


def observation_dir(out_dir: Path) -> Path:
    """Where the observation cache of an output directory lives."""
    return out_dir / CACHE_DIR


@cache
def pipeline_fingerprint() -> str:
    """A hash of the code and data of `pipeline` and `schemas`, the Python and library versions."""
    versions = [f"python=={sys.version_info[:2]}"]
    versions += [f"{library}=={metadata.version(library)}" for library in LIBRARIES]
    packages = [Path(package.__path__[0]) for package in (pipeline, schemas)]
    return files_fingerprint(packages, versions)


def files_fingerprint(packages: list[Path], versions: list[str]) -> str:
    """A hash of the versions and of every .py and .toml file under the packages' directories."""
    digest = hashlib.sha256("\n".join(versions).encode())
    for root in packages:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
                digest.update(f"\n{path.relative_to(root.parent).as_posix()}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def entry_path(cache_dir: Path, sha256: str, source: str) -> Path:
    """The file of one document's cached observations, for the running code."""
    key = f"{source}\n{extract.EXTRACTOR_VERSION}\n{pipeline_fingerprint()}"
    return cache_dir / f"{sha256}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.arrow"


@dataclass(frozen=True)
class Entry:
    """One document's cached observations, as read: Arrow with failed_checks, its tables, the
    errata its rows matched and the tables it has that are not read."""

    source: str
    observations: pa.Table
    tables: pa.Table
    matched_errata: list[int]
    tables_not_read: list[extract.TableNotRead]


def remove_other_entries(cache_dir: Path, kept: set[Path]) -> None:
    """Delete the entries in cache_dir other than kept: of documents or code no longer built."""
    for path in cache_dir.glob("*.arrow"):
        if path not in kept:
            path.unlink(missing_ok=True)


def has_entry(cache_dir: Path, sha256: str, source: str) -> bool:
    """Whether a document's entry is stored with exactly the entry columns; neither its rows nor
    its tables are read (read_entry does, and a document whose entry fails there is observed)."""
    try:
        with pa.OSFile(str(entry_path(cache_dir, sha256, source))) as stream:
            return _is_entry_schema(pa.ipc.open_file(stream).schema)
    except UNREADABLE:  # FileNotFoundError (no entry yet) is an OSError too
        return False


def read_entry(cache_dir: Path, sha256: str, source: str) -> Entry | None:
    """A document's cache entry; None when missing, unreadable or of other columns.

    The rows are read into memory, not mapped: a mapped file would stay resident for as long
    as any column shares its buffers, and would not survive being rewritten in place.
    """
    try:
        with pa.OSFile(str(entry_path(cache_dir, sha256, source))) as stream:
            arrow = pa.ipc.open_file(stream).read_all()
        parts = _entry_parts(arrow.schema)
    except UNREADABLE:
        return None
    if parts is None:
        return None
    tables, matched, unread = parts
    return Entry(source, arrow.replace_schema_metadata(None), tables, matched, unread)


def _entry_parts(
    schema: pa.Schema,
) -> tuple[pa.Table, list[int], list[extract.TableNotRead]] | None:
    """An entry's tables, matched errata and tables not read from its schema's metadata; None
    unless the schema is the entry schema and they read as exactly those."""
    if not _is_entry_schema(schema):
        return None
    metadata = schema.metadata
    tables = _tables(metadata[TABLES_KEY])
    matched = json.loads(metadata[ERRATA_KEY])
    if not isinstance(matched, list) or not all(type(position) is int for position in matched):
        return None
    unread = _tables_not_read(json.loads(metadata[UNREAD_KEY]))
    return (tables, matched, unread) if tables is not None and unread is not None else None


def _tables_not_read(stored: object) -> list[extract.TableNotRead] | None:
    """The tables not read of an entry, stored as [line, kind, problem] lists; None unless they
    are exactly those."""
    shape = (int, str, str)
    if not isinstance(stored, list) or not all(
        isinstance(item, list)
        and len(item) == len(shape)
        and all(type(value) is kind for value, kind in zip(item, shape, strict=True))
        for item in stored
    ):
        return None
    return [extract.TableNotRead(*item) for item in stored]


def _is_entry_schema(schema: pa.Schema) -> bool:
    """Whether a file's schema has the entry columns and the metadata of its tables, errata and
    tables not read."""
    metadata = schema.metadata or {}
    keys = {TABLES_KEY, ERRATA_KEY, UNREAD_KEY}
    return schema.remove_metadata() == entry_schema() and keys <= set(metadata)


def _tables(encoded: bytes) -> pa.Table | None:
    """An entry's tables (without source) from their IPC stream; None unless of exactly the
    extractor's table columns."""
    with pa.ipc.open_stream(base64.b64decode(encoded, validate=True)) as reader:
        tables = reader.read_all()
    return tables if tables.schema == tables_schema() else None


def tables_frame(entries: list[Entry]) -> pl.DataFrame:
    """The tables frame (the extractor's) of consecutive entries, converted in one go."""
    sources = pl.Series("source", [entry.source for entry in entries], pl.String)
    counts = pl.Series([entry.tables.num_rows for entry in entries], dtype=pl.UInt32)
    tables = pl.DataFrame(pa.concat_tables([entry.tables for entry in entries])).with_columns(
        source=sources.gather(
            pl.int_range(len(entries), dtype=pl.UInt32, eager=True).repeat_by(counts).explode()
        )
    )
    return tables.select(extract.TABLE_SCHEMA.names())


def write_entries(
    cache_dir: Path,
    documents: list[tuple[str, str]],
    tables: pl.DataFrame,
    observed: ObservedRows,
    corrections: list[Correction],
    unread: dict[str, list[extract.TableNotRead]],
) -> None:
    """Store the observations of consecutive documents, (source, sha256) each, one entry apiece,
    with the tables each has that are not read (unread, by source)."""
    # One conversion to Arrow for all the documents, then a slice each: converting each
    # document's rows on their own took ~4 ms a document.
    arrow = publish.arrow_table(observed.observations)
    parts = {
        source: _stream_bytes(publish.arrow_table(part.drop("source")))
        for (source,), part in tables.partition_by("source", as_dict=True).items()
    }
    no_tables = _stream_bytes(publish.arrow_table(pl.DataFrame(schema=TABLE_SCHEMA)))
    offset = 0
    for (source, sha256), count in zip(documents, _row_counts(arrow, documents), strict=True):
        matched = [
            position
            for position in sorted(observed.matched_errata)
            if corrections[position].source == source
        ]
        metadata = {
            TABLES_KEY: base64.b64encode(parts.get(source, no_tables)),
            ERRATA_KEY: json.dumps(matched).encode(),
            UNREAD_KEY: json.dumps(unread.get(source, [])).encode(),
        }
        _write_entry(entry_path(cache_dir, sha256, source), arrow.slice(offset, count), metadata)
        offset += count


def _row_counts(observations: pa.Table, documents: list[tuple[str, str]]) -> list[int]:
    """Rows of each document, which must come one after the other in documents' order."""
    runs = pl.DataFrame(observations.select(["source"])).get_column("source").rle()
    run_list = runs.struct.unnest().rows()
    counts = []
    for source, _ in documents:
        counts.append(run_list.pop(0)[0] if run_list and run_list[0][1] == source else 0)
    if run_list:
        raise ValueError(f"rows of {run_list[0][1]} are not where the documents' order puts them")
    return counts


def _stream_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def _write_entry(path: Path, observations: pa.Table, metadata: dict[bytes, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with (
            os.fdopen(handle, "wb") as sink,
            pa.ipc.new_file(sink, observations.schema.with_metadata(metadata)) as writer,
        ):
            writer.write_table(observations)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@cache
def tables_schema() -> pa.Schema:
    """The Arrow schema of an entry's tables: the extractor's tables frame without source."""
    return publish.arrow_table(pl.DataFrame(schema=TABLE_SCHEMA)).schema


@cache
def entry_schema() -> pa.Schema:
    """The Arrow schema of an entry: the observations' as encoded, then failed_checks."""
    failed_checks = pl.lit(None, pl.List(pl.String)).alias("failed_checks")
    return publish.arrow_table(validate.empty_frame(Observation).with_columns(failed_checks)).schema
