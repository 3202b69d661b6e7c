"""The build recipe: load raw documents, process them into tables, save a dataset version."""

import functools
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from pipeline import (
    batches,
    cache,
    catalog,
    dedupe,
    errata,
    extract,
    interrupts,
    normalize,
    observe,
    parallel,
    publish,
    report,
    sources,
    validate,
)
from pipeline.decode import Doc
from pipeline.errors import InputError
from pipeline.report import BuildReport
from schemas import PUBLISHED_TABLES
from schemas.observations import Observation

Progress = Callable[[str], None]
Arguments = ParamSpec("Arguments")
Returned = TypeVar("Returned")
STAGES = ["read", "observe", "dedupe", "write"]
# The observation columns read after the observations are encoded: by dedupe, the summary and
# the check that every row is one place in one table.
KEPT_COLUMNS = list(
    dict.fromkeys([*dedupe.OBSERVATION_COLUMNS, *report.OBSERVATION_COLUMNS, *dedupe.SOURCE_ORDER])
)


def on_the_in_memory_engine(
    build: Callable[Arguments, Returned],
) -> Callable[Arguments, Returned]:
    """Run a build with polars' in-memory engine (its worker processes inherit it)."""

    # polars 2 runs lazy queries on its streaming engine unless told otherwise. A build's frames
    # fit in memory, where the in-memory engine was ~25% faster in normalize and dedupe and
    # peaked ~0.1 GB lower on the 1M-row bench.
    @functools.wraps(build)
    def wrapped(*args: Arguments.args, **kwargs: Arguments.kwargs) -> Returned:
        with pl.Config(engine_affinity="in-memory"):
            return build(*args, **kwargs)

    return wrapped


def interrupted_between_steps(
    build: Callable[Arguments, Returned],
) -> Callable[Arguments, Returned]:
    """Run a build that Ctrl-C stops at its next checkpoint, never inside a polars call (where
    polars would panic); once it writes its version, it finishes that."""

    @functools.wraps(build)
    def wrapped(*args: Arguments.args, **kwargs: Arguments.kwargs) -> Returned:
        with interrupts.deferred():
            return build(*args, **kwargs)

    return wrapped


def one_build_at_a_time(
    build: Callable[Concatenate[Path, Path, Arguments], Returned],
) -> Callable[Concatenate[Path, Path, Arguments], Returned]:
    """Run a build (raw_dir, out_dir, ...) holding the lock of its output directory."""

    # From the first read of the observation cache to the last write of the version: a second
    # build into the directory is refused at once, before it could prune this one's entries.
    @functools.wraps(build)
    def wrapped(
        raw_dir: Path, out_dir: Path, *args: Arguments.args, **kwargs: Arguments.kwargs
    ) -> Returned:
        with publish.build_lock(out_dir):
            return build(raw_dir, out_dir, *args, **kwargs)

    return wrapped


@interrupted_between_steps
@on_the_in_memory_engine
@one_build_at_a_time
def build_dataset(
    raw_dir: Path, out_dir: Path, version: str | None = None, progress: Progress | None = None
) -> BuildReport:
    """Build the declared dataset version from raw_dir into out_dir."""
    timer = StageTimer(progress)
    # Load inputs.
    timer.start("read")
    manifest = sources.read_manifest(raw_dir)
    docs = sources.read_docs(raw_dir, manifest)
    release = publish.DatasetVersion(
        name=manifest.name if manifest else "modelmetrics",
        version=version or (manifest.version if manifest else sources.UNDECLARED_VERSION),
        tables={},
        inputs=input_records(docs, manifest),
    )
    # Process data.
    timer.start("observe")
    observed = observe_documents(release, docs, cache.observation_dir(out_dir))
    timer.start("dedupe")
    # Each table is encoded (in two threads) as soon as it is final, while the next one is made.
    encoding = publish.TableEncoding(release)
    encoding.start("quarantine", observed.quarantine)
    encoding.start("sources", sources.sources_table(docs, manifest, observed.tables))
    results, conflicts = dedupe.merge_results(observed.kept)
    encoding.start("results", results)
    encoding.start("conflicts", conflicts)
    encoding.start("models", dedupe.summarize_models(observed.kept, results))
    # Save outputs.
    timer.start("write")
    # The tables are checked and summarized while the last of them are encoded.
    check_tables(encoding.frames)
    frames = {**encoding.frames, "observations": observed.kept}
    counts, warnings = summarize(docs, observed, frames)
    published = {**encoding.finish(), "observations": observed.encoded.result()}
    dataset = replace(release, tables={name: published[name] for name in PUBLISHED_TABLES})
    refuse_changed_inputs(raw_dir, out_dir, docs, manifest, dataset)
    outcome = publish.write_version(out_dir, dataset, encoding.frames)
    catalog.write_catalog(out_dir)
    return BuildReport(
        dataset.version, outcome.path, outcome.written, counts, warnings, timer.finish()
    )


@dataclass(frozen=True)
class Observed:
    """A build's tables and observations: the columns read later, quarantine, and the
    observations' Parquet file, still being encoded in a thread; and the tables not read, by
    source."""

    tables: pl.DataFrame
    kept: pl.DataFrame
    quarantine: pl.DataFrame
    encoded: Future[publish.EncodedTable]
    tables_not_read: list[tuple[str, extract.TableNotRead]]


def observe_documents(
    release: publish.DatasetVersion, docs: list[Doc], cache_dir: Path
) -> Observed:
    """Every document's tables and checked observations, on every core, through the cache.

    The observations are encoded a batch at a time in a thread while the documents are still
    being observed, and go on encoding while the build dedupes. The full observation rows of
    the build are never in memory together: of each batch only the columns read later are kept.
    """
    corrections = errata.load_errata()
    schema = validate.empty_frame(Observation)
    encoding = publish.EncodingInThread(publish.table_encoder(release, "observations", schema))
    tables, kept, quarantined, matched, unread = [], [], [], set(), []
    in_source_order = sorted(docs, key=lambda doc: doc.path)
    entries = parallel.observe_documents(in_source_order, cache_dir, corrections)
    for batch in entry_batches(entries, {doc.path: doc for doc in docs}):
        observations = pa.concat_tables([entry.observations for entry in batch])
        encoding.add(observations.drop_columns(["failed_checks"]))
        # Copied out of the entries (combine_chunks): polars would share their buffers, and an
        # entry's columns are slices of one buffer, so every entry would stay in memory whole.
        read_later = pl.DataFrame(observations.select(KEPT_COLUMNS).combine_chunks())
        kept.append(dedupe.with_written_decimals(read_later))
        failing = pc.indices_nonzero(pc.is_valid(observations.column("failed_checks")))
        quarantined.append(observations.take(failing))
        tables.append(cache.tables_frame(batch))
        matched |= {position for entry in batch for position in entry.matched_errata}
        unread += [(entry.source, table) for entry in batch for table in entry.tables_not_read]
    encoded = encoding.finish()
    observed = pl.concat(kept)
    validate.ensure_unique(observed, dedupe.SOURCE_ORDER, "observations")
    errata.refuse_stale(corrections, matched, set(observed.get_column("source").unique()))
    quarantine = observe.quarantine_rows(pl.DataFrame(pa.concat_tables(quarantined)))
    return Observed(pl.concat(tables), observed, quarantine, encoded, unread)


def entry_batches(
    entries: Iterator[cache.Entry], docs: dict[str, Doc]
) -> Iterator[list[cache.Entry]]:
    """Consecutive entries in batches of at least BATCH_ROWS rows (the last one fewer); a
    document without a table is refused."""
    batch: list[cache.Entry] = []
    rows = 0
    for entry in entries:
        if entry.tables.num_rows == 0:
            raise no_table_error(docs[entry.source], entry.tables_not_read)
        batch.append(entry)
        rows += len(entry.observations)
        if rows >= batches.BATCH_ROWS:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch


class StageTimer:
    """Seconds spent in each stage of a build; tells the progress callback when one starts."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self.current: tuple[str, float] | None = None

    def start(self, stage: str) -> None:
        """End the running stage (if any) and start the named one; a checkpoint for Ctrl-C."""
        interrupts.checkpoint()
        self.finish()
        self.current = (stage, time.perf_counter())
        if self.progress is not None:
            self.progress(stage)

    def finish(self) -> dict[str, float]:
        """End the running stage; the seconds of every stage so far."""
        if self.current is not None:
            stage, started = self.current
            self.seconds[stage] = time.perf_counter() - started
            self.current = None
        return self.seconds


def refuse_changed_inputs(
    raw_dir: Path,
    out_dir: Path,
    docs: list[Doc],
    manifest: sources.Manifest | None,
    dataset: publish.DatasetVersion,
) -> None:
    """Refuse raw documents that differ from the manifest, showing what they would change."""
    if manifest is None:
        return
    changed = sources.changed_documents(docs, manifest)
    undeclared = sources.undeclared_documents(raw_dir, manifest)
    if not changed and not undeclared:
        return
    lines = [
        f"{raw_dir / name}: changed since the manifest recorded it (sha256 {recorded[:12]}... -> "
        f"{actual[:12]}...)"
        for name, recorded, actual in changed
    ] + [f"{raw_dir / name}: not declared in {manifest.path}" for name in undeclared]
    effect, suggestion = publish.describe_change(out_dir, dataset)
    raise InputError(
        str(manifest.path),
        "refusing raw documents that do not match the manifest:\n  "
        + "\n  ".join(lines)
        + f"\n{effect}\nTo accept them: modelmetrics accept --raw {raw_dir} --version {suggestion}",
    )


def checked(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """A published table validated against its schema (a bug fails the build)."""
    return validate.ensure_schema(frame, PUBLISHED_TABLES[table], table)


def check_tables(frames: dict[str, pl.DataFrame]) -> None:
    """Validate each published table against its schema (a bug fails the build)."""
    # A check changes no table (no schema coerces a type or adds a column), so a table can be
    # encoded before it is checked: on the 1M-row bench the results' encoding starts 0.2 s
    # sooner. The checks run in the build's thread, beside the encoders: pandera makes hundreds
    # of small calls that each wait for the GIL, and in a thread beside merge_results the checks
    # took 0.55 s instead of 0.19 s and merge_results 1.0 s instead of 0.5 s.
    for table, frame in frames.items():
        checked(table, frame)


def no_table_error(doc: Doc, unread: list[extract.TableNotRead]) -> InputError:
    """The error for a document without a table, naming the tables it has that are not read
    and why."""
    if not unread:
        return InputError(doc.path, "has no Markdown table: nothing to extract from it")
    tables = "; ".join(f"{kind} at line {line}: {problem}" for line, kind, problem in unread)
    return InputError(
        doc.path,
        f"has no Markdown table, only tables that are not read ({tables}): "
        "nothing to extract from it",
    )


def input_records(docs: list[Doc], manifest: sources.Manifest | None) -> list[dict[str, str]]:
    """Every input with its sha256 and origin, as listed in manifest.json."""
    origins = manifest.origins() if manifest else {}
    return [
        {"source": doc.path, "sha256": doc.sha256, **origins.get(doc.path, {})}
        for doc in sorted(docs, key=lambda doc: doc.path)
    ]


def summarize(
    docs: list[Doc], observed: Observed, frames: dict[str, pl.DataFrame]
) -> tuple[dict[str, int], pl.DataFrame]:
    """The numbers and warnings a person wants after a build, from the tables as frames."""
    found = normalize.table_findings(observed.tables)
    counts = {
        **report.count_outputs(docs, frames, observed.tables.height),
        "unknown columns": found.unknown.height,
    }
    return counts, report.collect_warnings(docs, found, observed.tables_not_read, frames)
