"""Writing a dataset version: deterministic Parquet, manifest.json, atomic rename, latest (I/O)."""

import fcntl
import hashlib
import io
import json
import os
import shutil
import signal
import struct
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import changelog, dictionary, diff
from pipeline.errors import VersionError
from pipeline.sources import is_version
from schemas import SCHEMA_VERSION, TABLE_KEYS

LATEST = "latest"
CHANGELOG = "CHANGELOG.md"
MANIFEST = "manifest.json"
DATAPACKAGE = "datapackage.json"
LOCK = ".lock"
# The caches of an output directory (the observation cache's too): never part of a version.
CACHE_ROOT = Path(".cache")
CHANGELOG_CACHE = CACHE_ROOT / "changelog"
# The output directories whose lock a thread of this process holds (build_lock), by thread.
_HELD_LOCKS: set[tuple[Path, int]] = set()
# Pinned writer settings: together with the lockfile they make the same tables the same bytes.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
}
# Rows per row group: readers (DuckDB) read row groups in parallel; a table this size or
# smaller (the seed build's) is one.
ROW_GROUP_ROWS = 250_000


# Fault injection for the crash-safety tests: the build stops hard (SIGKILL) or pauses at the
# named step. Read only here, at the step, never at import.
CRASH_AT_ENV = "MODELMETRICS_CRASH_AT"
PAUSE_AT_ENV = "MODELMETRICS_PAUSE_AT"


def checkpoint(step: str) -> None:
    """A named step of writing a version, where the crash-safety tests can kill or pause a build."""
    if os.environ.get(PAUSE_AT_ENV) == step:
        time.sleep(float(os.environ.get("MODELMETRICS_PAUSE_SECONDS", "3")))
    if os.environ.get(CRASH_AT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class EncodedTable:
    """A table already encoded as its Parquet file: the bytes, their two hashes, the rows."""

    data: bytes
    content_hash: str  # of the data pages (see parquet_bytes)
    rows: int
    sha256: str  # of the whole file, as manifest.json lists it


@dataclass(frozen=True)
class DatasetVersion:
    """Everything one version publishes: its tables and the inputs they were built from.

    A table is a frame, or already encoded (a build encodes its largest table as soon as it is
    final, to free its rows before the others are made).
    """

    name: str
    version: str
    tables: dict[str, pl.DataFrame | EncodedTable]
    inputs: list[dict[str, Any]]

    def frames(self) -> dict[str, pl.DataFrame]:
        """Every table as a frame, an encoded one read back from its bytes (for diffs)."""
        return {
            name: table
            if isinstance(table, pl.DataFrame)
            else pl.read_parquet(io.BytesIO(table.data))
            for name, table in self.tables.items()
        }

    def loaded_frames(self) -> dict[str, pl.DataFrame]:
        """The tables still held as frames."""
        return {
            name: table for name, table in self.tables.items() if isinstance(table, pl.DataFrame)
        }


@dataclass(frozen=True)
class WriteOutcome:
    """Where a version went and whether this build wrote it or found it already there."""

    path: Path
    written: bool


def version_dir_name(version: str) -> str:
    """The directory name of a version: v0.1.0."""
    return f"v{version}"


def arrow_table(frame: pl.DataFrame) -> pa.Table:
    """The frame as Arrow with plain (non-view) string types, readable by every Parquet reader."""
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())


def parquet_bytes(frame: pl.DataFrame, metadata: dict[str, str]) -> tuple[bytes, str]:
    """The frame as Parquet bytes with key-value metadata, and its content hash.

    The content hash is the sha256 of the file's data pages: everything before the footer. It
    depends on the values and the pinned writer settings only, so a file's metadata can carry it.
    """
    encoder = ParquetEncoder(frame, metadata)
    encoder.add(frame)
    encoded = encoder.finish()
    return encoded.data, encoded.content_hash


class ParquetEncoder:
    """A table's Parquet bytes, from rows added in order, written a row group at a time.

    Rows come as polars frames or as Arrow tables of the same schema. Row groups are
    ROW_GROUP_ROWS rows wherever the added rows split, and each is written as one contiguous
    Arrow chunk: the writer cuts pages where its input chunks end, so without that the bytes
    would depend on how the rows were split. Converting a row group to Arrow at a time, not the
    whole table, saves ~0.5 GB at a million rows.
    """

    def __init__(self, schema: pl.DataFrame, metadata: dict[str, str]) -> None:
        self.empty = arrow_table(schema.head(0))
        self.metadata = metadata
        self.sink = io.BytesIO()
        self.writer = pq.ParquetWriter(self.sink, self.empty.schema, **PARQUET_OPTIONS)
        self.pending: deque[pl.DataFrame | pa.Table] = deque()
        self.buffered = 0
        self.rows = 0
        self.row_groups = 0

    def add(self, rows: pl.DataFrame | pa.Table) -> None:
        """Buffer the rows; write every row group they complete."""
        self.pending.append(rows)
        self.buffered += len(rows)
        while self.buffered >= ROW_GROUP_ROWS:
            self._write_row_group(ROW_GROUP_ROWS)

    def finish(self) -> EncodedTable:
        """Write the last (partial) row group and the footer; the file's bytes and hashes."""
        if self.buffered or not self.row_groups:
            self._write_row_group(self.buffered)
        pages_length = self.sink.tell()
        pages = hashlib.sha256(self.sink.getbuffer()[:pages_length])
        self.writer.add_key_value_metadata(
            {**self.metadata, "modelmetrics.content_hash": pages.hexdigest()}
        )
        self.writer.close()
        data = self.sink.getvalue()
        # The file's sha256 goes on from the data pages' hash over the footer only: hashing the
        # 60 MB observations file again cost ~0.05 s on the 1M-row bench, in the write stage.
        whole = pages.copy()
        whole.update(memoryview(data)[pages_length:])
        return EncodedTable(data, pages.hexdigest(), self.rows, whole.hexdigest())

    def _write_row_group(self, rows: int) -> None:
        pieces, taken = [self.empty], 0
        while taken < rows:
            piece = self.pending.popleft()
            if len(piece) > rows - taken:
                self.pending.appendleft(piece.slice(rows - taken))
                piece = piece.slice(0, rows - taken)
            pieces.append(piece if isinstance(piece, pa.Table) else arrow_table(piece))
            taken += len(piece)
        self.buffered -= rows
        self.writer.write_table(pa.concat_tables(pieces).combine_chunks())
        pa.default_memory_pool().release_unused()
        self.rows += rows
        self.row_groups += 1


def data_pages_hash(data: bytes) -> str:
    """sha256 of a Parquet file's bytes before its footer: the content hash it was written with."""
    footer_length = struct.unpack("<I", data[-8:-4])[0]
    return hashlib.sha256(data[: len(data) - 8 - footer_length]).hexdigest()


def file_metadata(dataset: DatasetVersion, table: str) -> dict[str, str]:
    """Key-value metadata every Parquet file carries, so a lone file still says what it is."""
    inputs = {item["source"]: item["sha256"] for item in dataset.inputs}
    return {
        "modelmetrics.dataset": dataset.name,
        "modelmetrics.version": dataset.version,
        "modelmetrics.schema_version": SCHEMA_VERSION,
        "modelmetrics.table": table,
        "modelmetrics.inputs_sha256": json.dumps(inputs, sort_keys=True),
    }


def encode_table(dataset: DatasetVersion, table: str, frame: pl.DataFrame) -> EncodedTable:
    """One table of the version as its Parquet file, with the metadata every file carries."""
    encoder = table_encoder(dataset, table, frame)
    encoder.add(frame)
    return encoder.finish()


class TableEncoding:
    """Tables of a version encoded in a pool of two threads, each from the moment it is started;
    the frames they are encoded from stay at hand (for checks, summaries and diffs).

    Arrow encodes outside the GIL: a build starts each table as soon as it is final, and it is
    encoded beside the making of the next one and beside the other tables.
    """

    def __init__(self, dataset: DatasetVersion) -> None:
        self.dataset = dataset
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.frames: dict[str, pl.DataFrame] = {}
        self.started: dict[str, Future[EncodedTable]] = {}

    def start(self, table: str, frame: pl.DataFrame) -> None:
        """Encode the table in a thread of the pool."""
        self.frames[table] = frame
        self.started[table] = self.pool.submit(encode_table, self.dataset, table, frame)

    def finish(self) -> dict[str, EncodedTable]:
        """Every started table, encoded, in the order started; the first failure is raised."""
        try:
            return {table: encoding.result() for table, encoding in self.started.items()}
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)


class EncodingInThread:
    """A table's rows encoded in a thread of their own as they come (Arrow encodes outside the
    GIL), while the caller makes the next rows; finish gives the file as a future."""

    # Rows added but not yet encoded, at most: each batch waiting holds its rows in memory.
    WAITING = 1

    def __init__(self, encoder: ParquetEncoder) -> None:
        self.encoder = encoder
        self.thread = ThreadPoolExecutor(max_workers=1)
        self.added: deque[Future[None]] = deque()

    def add(self, rows: pl.DataFrame | pa.Table) -> None:
        """Queue rows for the encoder; wait while WAITING batches are already queued."""
        self.added.append(self.thread.submit(self.encoder.add, rows))
        while len(self.added) > self.WAITING:
            self.added.popleft().result()

    def finish(self) -> Future[EncodedTable]:
        """The encoded table, once every row added is; the first failure is raised by result()."""
        finished = self.thread.submit(self._finish)
        self.thread.shutdown(wait=False)
        return finished

    def _finish(self) -> EncodedTable:
        while self.added:
            self.added.popleft().result()
        return self.encoder.finish()


def table_encoder(dataset: DatasetVersion, table: str, schema: pl.DataFrame) -> ParquetEncoder:
    """An encoder of one table of the version, to add its rows to a batch at a time."""
    return ParquetEncoder(schema, file_metadata(dataset, table))


def render_files(dataset: DatasetVersion) -> dict[str, bytes]:
    """Every file of the version directory, name -> bytes; manifest.json last."""
    files: dict[str, bytes] = {}
    entries: dict[str, dict[str, Any]] = {}
    encoded = encoded_tables(dataset)
    for table in dataset.tables:
        files[f"{table}.parquet"] = encoded[table].data
        entries[table] = _file_entry(f"{table}.parquet", encoded[table])
    package = dictionary.datapackage(dataset.name, dataset.version, entries)
    files[DATAPACKAGE] = (json.dumps(package, indent=2) + "\n").encode()
    files[MANIFEST] = manifest_json(dataset, entries).encode()
    return files


def encoded_tables(dataset: DatasetVersion) -> dict[str, EncodedTable]:
    """Every table of the version encoded: those still frames are encoded now, two at a time."""
    frames = dataset.loaded_frames()
    encoding = TableEncoding(dataset)
    # The largest starts first, so the others are encoded beside it instead of after it.
    for table in sorted(frames, key=lambda name: -frames[name].estimated_size()):
        encoding.start(table, frames[table])
    encoded = encoding.finish()
    return {
        table: value if isinstance(value, EncodedTable) else encoded[table]
        for table, value in dataset.tables.items()
    }


def _file_entry(name: str, encoded: EncodedTable) -> dict[str, Any]:
    return {
        "file": name,
        "rows": encoded.rows,
        "bytes": len(encoded.data),
        "sha256": encoded.sha256,
        "content_hash": encoded.content_hash,
    }


def manifest_json(dataset: DatasetVersion, entries: dict[str, dict[str, Any]]) -> str:
    """manifest.json: the version, every output file and every input, no wall-clock time."""
    overall = hashlib.sha256("".join(e["content_hash"] for e in entries.values()).encode())
    document = {
        "dataset": dataset.name,
        "version": dataset.version,
        "schema_version": SCHEMA_VERSION,
        "content_hash": overall.hexdigest(),
        "tables": entries,
        "inputs": dataset.inputs,
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output directory's lock; a second build fails at once with a clear message.

    A build holds it from its first read of the observation cache to its last write; taken again
    in the same thread (by write_version), it is already held.
    """
    key = (out_dir.resolve(), threading.get_ident())
    if key in _HELD_LOCKS:
        yield
        return
    if out_dir.exists() and not out_dir.is_dir():
        raise VersionError(f"{out_dir} is not a directory: give --out a directory to build into")
    created = [directory for directory in (out_dir, *out_dir.parents) if not directory.exists()]
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise VersionError(
                f"another build is writing to {out_dir} (its lock {out_dir / LOCK} is held); "
                "wait for it to finish, then build again"
            ) from None
        _HELD_LOCKS.add(key)
        try:
            checkpoint("locked")
            yield
        except BaseException:
            _remove_if_unused(out_dir, created)
            raise
        finally:
            _HELD_LOCKS.discard(key)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_if_unused(out_dir: Path, created: list[Path]) -> None:
    """After a failed build: remove the directories it created when they hold nothing but the
    lock and caches (no version was written). Called with the lock still held, so a build
    started meanwhile was refused, and one starting later makes a new lock."""
    try:
        if not created or {path.name for path in out_dir.iterdir()} - {LOCK, CACHE_ROOT.name}:
            return
        shutil.rmtree(out_dir / CACHE_ROOT, ignore_errors=True)
        (out_dir / LOCK).unlink()
        for directory in created:
            directory.rmdir()
    except OSError:
        pass  # not empty after all, or gone: leave the rest as it is


def write_version(
    out_dir: Path, dataset: DatasetVersion, frames: dict[str, pl.DataFrame] | None = None
) -> WriteOutcome:
    """Write the version atomically, or find it already there; refuse to change a written one.

    frames are tables the caller still holds as frames (by default those of the dataset): the
    changelog diffs them without reading their files back.
    """
    if not is_version(dataset.version):
        # The version names a directory: "0.1.0/x" would write inside a released version.
        raise VersionError(f"version {dataset.version!r} is not X.Y.Z (semver)")
    target = out_dir / version_dir_name(dataset.version)
    files = render_files(dataset)
    in_memory = {dataset.version: dataset.loaded_frames() if frames is None else frames}
    with build_lock(out_dir):
        remove_abandoned_builds(out_dir)
        if target.exists():
            _refuse_if_different(target, dataset, files)
            point_latest(out_dir)
            # A build killed after its rename left the changelog without this version.
            write_changelog(out_dir, in_memory)
            return WriteOutcome(target, written=False)
        _write_atomically(out_dir, target, files)
        point_latest(out_dir)
        write_changelog(out_dir, in_memory)
    return WriteOutcome(target, written=True)


def describe_change(out_dir: Path, dataset: DatasetVersion) -> tuple[str, str]:
    """What the dataset would change against the newest written version, and the version to use."""
    if not released_versions(out_dir):
        return ("no version is written yet, so no row changes.", dataset.version)
    newest = newest_version(out_dir, dataset.version)
    diffs = diff.diff_versions(read_tables(out_dir / version_dir_name(newest)), dataset.frames())
    changed = [d for d in diffs if not d.is_empty()]
    if not changed:
        return (f"the tables would not change against v{newest}.", newest)
    text = diff.format_diff_text(changed)
    return (f"against v{newest} it would change:\n{text}", diff.suggest_version(newest, diffs))


def _refuse_if_different(target: Path, dataset: DatasetVersion, files: dict[str, bytes]) -> None:
    existing = read_manifest_of(target)
    proposed = json.loads(files[MANIFEST])
    if existing.get("content_hash") == proposed["content_hash"]:
        return
    diffs = diff.diff_versions(read_tables(target), dataset.frames())
    suggestion = diff.suggest_version(newest_version(target.parent, dataset.version), diffs)
    raise VersionError(
        f"version {dataset.version} already exists in {target} with other content; "
        "a released version never changes.\n"
        f"{diff.format_diff_text([d for d in diffs if not d.is_empty()])}\n"
        f"Declare version {suggestion} in the sources manifest and build again."
    )


def _write_atomically(out_dir: Path, target: Path, files: dict[str, bytes]) -> None:
    staging = out_dir / f".{target.name}.tmp-{os.getpid()}"
    staging.mkdir()
    for name, data in files.items():
        _write_synced(staging / name, data)
        checkpoint(f"wrote {name}")
    _fsync_dir(staging)
    checkpoint("before rename")
    os.rename(staging, target)
    _fsync_dir(out_dir)
    checkpoint("after rename")


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_abandoned_builds(out_dir: Path) -> None:
    """Delete staging directories left by builds that were killed before their rename."""
    for staging in out_dir.glob(".*.tmp-*"):
        if staging.is_dir() and not staging.is_symlink():
            shutil.rmtree(staging, ignore_errors=True)
        else:
            staging.unlink(missing_ok=True)


def released_versions(out_dir: Path) -> list[str]:
    """Versions present in out_dir, lowest first (semver order)."""
    found = []
    for path in out_dir.glob("v*"):
        parts = path.name[1:].split(".")
        if (
            path.is_dir()
            and not path.is_symlink()
            and len(parts) == 3
            and all(p.isdigit() for p in parts)
        ):
            found.append(path.name[1:])
    return sorted(found, key=lambda version: tuple(int(p) for p in version.split(".")))


def newest_version(out_dir: Path, fallback: str) -> str:
    """The highest version written in out_dir, or fallback when there is none."""
    versions = released_versions(out_dir)
    return versions[-1] if versions else fallback


def point_latest(out_dir: Path) -> None:
    """Point outputs/latest at the highest version, replacing the link atomically."""
    versions = released_versions(out_dir)
    if not versions:
        return
    link = out_dir / LATEST
    wanted = version_dir_name(versions[-1])
    if link.is_symlink() and os.readlink(link) == wanted:
        return
    staging = out_dir / f".{LATEST}.tmp-{os.getpid()}"
    staging.unlink(missing_ok=True)
    os.symlink(wanted, staging)
    checkpoint("before latest")
    os.replace(staging, link)


def read_manifest_of(version_dir: Path) -> dict[str, Any]:
    """A version's manifest.json; refused unless it lists its tables, each with its file."""
    path = version_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise VersionError(f"{path} cannot be read: {error}") from None
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    if not isinstance(tables, dict) or not all(
        isinstance(entry, dict) and isinstance(entry.get("file"), str) for entry in tables.values()
    ):
        raise VersionError(f"{path} is not a version manifest: it lists no tables and their files")
    return manifest


def read_tables(version_dir: Path) -> dict[str, pl.DataFrame]:
    """Every table of a written version, by name, in manifest order."""
    manifest = read_manifest_of(version_dir)
    return {
        name: pl.read_parquet(version_dir / entry["file"])
        for name, entry in manifest["tables"].items()
    }


def verify_version(version_dir: Path, raw_dir: Path | None = None) -> list[str]:
    """Recompute every recorded size, hash, row count and input sha256; list each mismatch."""
    manifest = read_manifest_of(version_dir)
    problems: list[str] = []
    for table, entry in manifest["tables"].items():
        try:
            problems += _verify_file(version_dir / entry["file"], table, entry, manifest)
        except KeyError as missing:
            problems.append(f"{version_dir / MANIFEST}: table {table} lacks {missing}")
    if raw_dir is not None:
        problems += _verify_inputs(raw_dir, manifest["inputs"])
    return problems


def _verify_file(path: Path, table: str, entry: dict[str, Any], manifest: dict) -> list[str]:
    if not path.is_file():
        return [f"{path}: missing"]
    data = path.read_bytes()
    problems = []
    if len(data) != entry["bytes"]:
        problems.append(f"{path}: {len(data)} bytes, manifest says {entry['bytes']}")
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        problems.append(f"{path}: sha256 differs from the manifest")
    try:
        footer = pq.read_metadata(path)
        rows, metadata = footer.num_rows, footer.metadata or {}
        recomputed = data_pages_hash(data)
    except (OSError, pa.ArrowException, struct.error) as error:
        return [*problems, f"{path}: not readable as Parquet ({error})"]
    if rows != entry["rows"]:
        problems.append(f"{path}: {rows} rows, manifest says {entry['rows']}")
    if recomputed != entry["content_hash"]:
        problems.append(f"{path}: content hash differs from the manifest")
    expected = {"version": manifest["version"], "table": table, "content_hash": recomputed}
    for key, value in expected.items():
        found = metadata.get(f"modelmetrics.{key}".encode(), b"").decode()
        if found != value:
            problems.append(f"{path}: metadata {key} is {found!r}, expected {value!r}")
    return problems


def _verify_inputs(raw_dir: Path, inputs: list[dict[str, Any]]) -> list[str]:
    problems = []
    for item in inputs:
        path = raw_dir / item["source"]
        if not path.is_file():
            problems.append(f"{path}: input missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != item["sha256"]:
            problems.append(f"{path}: input sha256 differs from the manifest")
    return problems


def write_changelog(out_dir: Path, in_memory: dict[str, dict[str, pl.DataFrame]]) -> None:
    """Regenerate outputs/CHANGELOG.md from the diff of each version with the one before.

    An entry an earlier build rendered comes from the changelog cache; a new one reads only the
    tables, and in them only the columns, that the two versions store differently.
    """
    versions = released_versions(out_dir)
    manifests = {v: read_manifest_of(out_dir / version_dir_name(v)) for v in versions}
    entries = [
        _changelog_entry(out_dir, manifests, previous, version, in_memory.get(version, {}))
        for previous, version in zip([None, *versions[:-1]], versions, strict=True)
    ]
    staging = out_dir / f".{CHANGELOG}.tmp-{os.getpid()}"
    _write_synced(staging, changelog.changelog_markdown(entries).encode())
    os.replace(staging, out_dir / CHANGELOG)


def _changelog_entry(
    out_dir: Path,
    manifests: dict[str, dict[str, Any]],
    previous: str | None,
    version: str,
    frames: dict[str, pl.DataFrame],
) -> str:
    """One version's entry: from the cache when a build already rendered it, else from the diff."""
    tables = manifests[version]["tables"]
    rows = {name: entry["rows"] for name, entry in tables.items()}
    if previous is None:
        return changelog.changelog_entry(version, None, [], rows)
    key = _changelog_cache_key(manifests, previous, version)
    path = out_dir / CHANGELOG_CACHE / f"v{previous}-v{version}.json"
    cached = _read_cached_entry(path, key) if key else None
    if cached is not None:
        return cached
    old = _stored_tables(out_dir / version_dir_name(previous), manifests[previous], {})
    new = _stored_tables(out_dir / version_dir_name(version), manifests[version], frames)
    entry = changelog.changelog_entry(version, previous, _diff_stored_versions(old, new), rows)
    if key:
        _write_cached_entry(path, key, entry)
    return entry


def _changelog_cache_key(
    manifests: dict[str, dict[str, Any]], previous: str, version: str
) -> dict[str, Any] | None:
    """The cache key of an entry; None when a manifest has no content hash to key it by."""
    previous_hash = manifests[previous].get("content_hash")
    content_hash = manifests[version].get("content_hash")
    if not isinstance(previous_hash, str) or not isinstance(content_hash, str):
        return None
    return changelog.entry_key(previous, previous_hash, version, content_hash)


def _read_cached_entry(path: Path, key: dict[str, Any]) -> str | None:
    """The cached entry for this key; None when missing, unreadable or for other content."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # FileNotFoundError (no entry yet) is an OSError too
        return None
    return changelog.entry_from_document(text, key)


def _write_cached_entry(path: Path, key: dict[str, Any], entry: str) -> None:
    """Store an entry atomically: a reader sees the whole document or none.

    The cache is an optimisation only: an entry that cannot be stored (its path taken by a
    directory, say) is left out, and the next build computes it again.
    """
    temporary: Path | None = None
    try:
        with suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            temporary = Path(name)
            with os.fdopen(handle, "w", encoding="utf-8") as sink:
                sink.write(changelog.entry_document(key, entry))
            os.replace(temporary, path)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


class RowSpan(NamedTuple):
    """Consecutive rows of a table: a row group of its Parquet file."""

    start: int
    rows: int


@dataclass(frozen=True)
class StoredTable:
    """One table of a written version: its file, content hash and, if still loaded, its frame."""

    path: Path
    content_hash: str | None
    frame: pl.DataFrame | None = None

    def schema(self) -> pl.Schema:
        """Column names and types, without reading the rows."""
        if self.frame is not None:
            return self.frame.schema
        return pl.Schema(pl.read_parquet_schema(self.path))

    def read(self, columns: list[str], spans: list[RowSpan] | None = None) -> pl.DataFrame:
        """The table with only these of its columns, in its own column order; only the rows of
        the spans when given."""
        stored = pl.scan_parquet(self.path) if self.frame is None else self.frame.lazy()
        table = stored.select(c for c in self.schema() if c in columns)
        if spans is None:
            return table.collect()
        pieces = [table.slice(span.start, span.rows) for span in spans] or [table.limit(0)]
        return pl.concat(pieces).collect()


def _stored_tables(
    version_dir: Path, manifest: dict[str, Any], frames: dict[str, pl.DataFrame]
) -> dict[str, StoredTable]:
    """Every table a manifest lists, by name, in manifest order."""
    return {
        name: StoredTable(version_dir / entry["file"], entry.get("content_hash"), frames.get(name))
        for name, entry in manifest["tables"].items()
    }


def _diff_stored_versions(
    old: dict[str, StoredTable], new: dict[str, StoredTable]
) -> list[diff.TableDiff]:
    """diff.diff_versions of two written versions, reading only what can have changed."""
    names = list(new) + [name for name in old if name not in new]
    return [_diff_stored_table(name, old.get(name), new.get(name)) for name in names]


def _diff_stored_table(
    name: str, old: StoredTable | None, new: StoredTable | None
) -> diff.TableDiff:
    """One table's diff, reading only the columns that the two files store differently."""
    if old is None or new is None:
        return diff.diff_table(name, _columns_only(old), _columns_only(new))
    old_schema, new_schema = old.schema(), new.schema()
    if old.content_hash and old.content_hash == new.content_hash and old_schema == new_schema:
        # The same data pages under the same columns: the same rows, nothing to compare.
        return diff.TableDiff(name)
    alike = chunks_stored_alike(old.path, new.path)
    unchanged = alike_in_every_row_group(alike)
    needed = diff.columns_to_read(name, old_schema, new_schema, unchanged)
    spans = _spans_to_compare(name, old.path, new.path, alike)
    return diff.diff_table(name, old.read(needed, spans), new.read(needed, spans))


def _spans_to_compare(
    name: str, old_path: Path, new_path: Path, alike: dict[str, list[bool]]
) -> list[RowSpan] | None:
    """The row groups a diff must read (None: all); a group stored alike in every column holds
    the same rows in both files, which no diff lists."""
    # One edited number changes one of the four row groups of the 1M-row observations: reading
    # and comparing only that one cut the bench rebuild's changelog from 1.0 s to ~0.3 s. Leaving
    # rows out is sound only when their key is unique, as every published table's is.
    old_spans, new_spans = row_spans(old_path), row_spans(new_path)
    if name not in TABLE_KEYS or old_spans != new_spans or not alike:
        return None
    return [
        span
        for group, span in enumerate(new_spans)
        if not all(groups[group] for groups in alike.values())
    ]


def row_spans(path: Path) -> list[RowSpan]:
    """The rows of each row group of a Parquet file."""
    metadata = pq.read_metadata(path)
    spans, start = [], 0
    for group in range(metadata.num_row_groups):
        rows = metadata.row_group(group).num_rows
        spans.append(RowSpan(start, rows))
        start += rows
    return spans


def _columns_only(table: StoredTable | None) -> pl.DataFrame | None:
    """The table with its columns and no rows: all a diff needs of an added or removed table."""
    return None if table is None else pl.DataFrame(schema=table.schema())


class ColumnChunk(NamedTuple):
    """Where one leaf column of one row group lies in a Parquet file, and how it is stored."""

    leaf: str  # the leaf's Parquet schema as printed: path, levels, physical and logical type
    rows: int
    compression: str
    size: int
    start: int

    def layout(self) -> tuple[str, int, str, int]:
        """All but where the chunk starts: what two files must share to store the same values."""
        return (self.leaf, self.rows, self.compression, self.size)


def alike_in_every_row_group(alike: dict[str, list[bool]]) -> set[str]:
    """The columns of chunks_stored_alike stored alike in every row group."""
    return {column for column, groups in alike.items() if all(groups)}


def chunks_stored_alike(old_path: Path, new_path: Path) -> dict[str, list[bool]]:
    """Per top-level column of the new file, per row group, whether the old file stores that
    column chunk with the same schema and the same bytes (none when the row groups differ).

    Equal bytes under an equal schema decode to equal values, so such a chunk needs no reading:
    one edited number leaves 37 of the 40 observations columns byte for byte the same.
    """
    old_chunks, new_chunks = column_chunks(old_path), column_chunks(new_path)
    with open(old_path, "rb") as old_file, open(new_path, "rb") as new_file:
        return {
            name: _alike_by_row_group(old_file, new_file, old_chunks.get(name, []), chunks)
            for name, chunks in new_chunks.items()
        }


def _alike_by_row_group(
    old_file: BinaryIO, new_file: BinaryIO, old: list[ColumnChunk], new: list[ColumnChunk]
) -> list[bool]:
    """Per row group, whether two files store one column's chunk with the same layout and bytes."""
    if len(old) != len(new):
        return [False] * len(new)
    return [
        old_chunk.layout() == new_chunk.layout()
        and _chunk_bytes(old_file, old_chunk) == _chunk_bytes(new_file, new_chunk)
        for old_chunk, new_chunk in zip(old, new, strict=True)
    ]


def column_chunks(path: Path) -> dict[str, list[ColumnChunk]]:
    """Per top-level column, its leaf column chunks in every row group of a Parquet file."""
    metadata = pq.read_metadata(path)
    found: dict[str, list[ColumnChunk]] = {}
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(metadata.num_columns):
            leaf, chunk = metadata.schema.column(index), row_group.column(index)
            # The dictionary page, when there is one, comes first and is counted in the size.
            start = chunk.data_page_offset
            if chunk.has_dictionary_page:
                start = min(start, chunk.dictionary_page_offset)
            size = chunk.total_compressed_size
            # A top-level name with a dot in it ("a.b") only files its leaves under "a", which
            # makes "a" look changed more often, never less.
            found.setdefault(leaf.path.split(".")[0], []).append(
                ColumnChunk(str(leaf), row_group.num_rows, chunk.compression, size, start)
            )
    return found


def _chunk_bytes(handle: BinaryIO, chunk: ColumnChunk) -> bytes:
    handle.seek(chunk.start)
    return handle.read(chunk.size)
