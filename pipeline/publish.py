"""Writing a dataset version: deterministic Parquet, manifest.json, atomic rename, latest (I/O)."""

import fcntl
import hashlib
import io
import json
import os
import shutil
import signal
import struct
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import changelog, dictionary, diff
from pipeline.errors import VersionError
from schemas import SCHEMA_VERSION

LATEST = "latest"
CHANGELOG = "CHANGELOG.md"
MANIFEST = "manifest.json"
DATAPACKAGE = "datapackage.json"
LOCK = ".lock"
# Pinned writer settings: together with the lockfile they make the same tables the same bytes.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
}
ROW_GROUP_ROWS = 1 << 20


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
class DatasetVersion:
    """Everything one version publishes: its tables and the inputs they were built from."""

    name: str
    version: str
    tables: dict[str, pl.DataFrame]
    inputs: list[dict[str, Any]]


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
    sink = io.BytesIO()
    table = arrow_table(frame)
    writer = pq.ParquetWriter(sink, table.schema, **PARQUET_OPTIONS)
    writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
    table_hash = hashlib.sha256(sink.getbuffer()[: sink.tell()]).hexdigest()
    writer.add_key_value_metadata({**metadata, "modelmetrics.content_hash": table_hash})
    writer.close()
    return sink.getvalue(), table_hash


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


def render_files(dataset: DatasetVersion) -> dict[str, bytes]:
    """Every file of the version directory, name -> bytes; manifest.json last."""
    files: dict[str, bytes] = {}
    entries: dict[str, dict[str, Any]] = {}
    # Parquet encoding runs outside the GIL: two tables at a time use both cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        rendered = pool.map(
            lambda item: parquet_bytes(item[1], file_metadata(dataset, item[0])),
            dataset.tables.items(),
        )
        for (table, frame), (data, table_hash) in zip(
            dataset.tables.items(), rendered, strict=True
        ):
            files[f"{table}.parquet"] = data
            entries[table] = _file_entry(f"{table}.parquet", data, frame.height, table_hash)
    package = dictionary.datapackage(dataset.name, dataset.version, entries)
    files[DATAPACKAGE] = (json.dumps(package, indent=2) + "\n").encode()
    files[MANIFEST] = manifest_json(dataset, entries).encode()
    return files


def _file_entry(name: str, data: bytes, rows: int, table_hash: str) -> dict[str, Any]:
    digest = hashlib.sha256(data).hexdigest()
    return {
        "file": name,
        "rows": rows,
        "bytes": len(data),
        "sha256": digest,
        "content_hash": table_hash,
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
    """Hold the output directory's lock; a second build fails at once with a clear message."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise VersionError(
                f"another build is writing to {out_dir} (its lock {out_dir / LOCK} is held); "
                "wait for it to finish, then build again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_version(out_dir: Path, dataset: DatasetVersion) -> WriteOutcome:
    """Write the version atomically, or find it already there; refuse to change a written one."""
    target = out_dir / version_dir_name(dataset.version)
    files = render_files(dataset)
    with build_lock(out_dir):
        checkpoint("locked")
        remove_abandoned_builds(out_dir)
        if target.exists():
            _refuse_if_different(target, dataset, files)
            point_latest(out_dir)
            return WriteOutcome(target, written=False)
        _write_atomically(out_dir, target, files)
        point_latest(out_dir)
        write_changelog(out_dir, {dataset.version: dataset.tables})
    return WriteOutcome(target, written=True)


def describe_change(out_dir: Path, dataset: DatasetVersion) -> tuple[str, str]:
    """What the dataset would change against the newest written version, and the version to use."""
    if not released_versions(out_dir):
        return ("no version is written yet, so no row changes.", dataset.version)
    newest = newest_version(out_dir, dataset.version)
    diffs = diff.diff_versions(read_tables(out_dir / version_dir_name(newest)), dataset.tables)
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
    diffs = diff.diff_versions(read_tables(target), dataset.tables)
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
    try:
        return json.loads((version_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise VersionError(f"{version_dir / MANIFEST} cannot be read: {error}") from None


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
        problems += _verify_file(version_dir / entry["file"], table, entry, manifest)
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
    """Regenerate outputs/CHANGELOG.md from the diff of each version with the one before."""
    entries: list[str] = []
    previous: str | None = None
    previous_tables: dict[str, pl.DataFrame] = {}
    for version in released_versions(out_dir):
        # The version just written is still in memory: reading it back costs a second at 1M rows.
        tables = in_memory.get(version) or read_tables(out_dir / version_dir_name(version))
        diffs = diff.diff_versions(previous_tables, tables) if previous else []
        rows = {name: frame.height for name, frame in tables.items()}
        entries.append(changelog.changelog_entry(version, previous, diffs, rows))
        previous, previous_tables = version, tables
    staging = out_dir / f".{CHANGELOG}.tmp-{os.getpid()}"
    _write_synced(staging, changelog.changelog_markdown(entries).encode())
    os.replace(staging, out_dir / CHANGELOG)
