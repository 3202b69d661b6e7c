"""The build recipe: load raw documents, process them into tables, save a dataset version."""

import functools
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ParamSpec, TypeVar

import polars as pl

from pipeline import (
    batches,
    cache,
    catalog,
    dedupe,
    errata,
    normalize,
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
STAGES = ["read", "extract", "observations", "dedupe", "write"]
# The observation columns read after the observations are encoded: by dedupe, the summary and
# the check that every row is one place in one table.
KEPT_COLUMNS = list(
    dict.fromkeys([*dedupe.OBSERVATION_COLUMNS, *report.OBSERVATION_COLUMNS, *dedupe.SOURCE_ORDER])
)


def on_the_in_memory_engine(
    build: Callable[Arguments, Returned],
) -> Callable[Arguments, Returned]:
    """Run a build with polars' in-memory engine (its extraction workers inherit it)."""

    # polars 2 runs lazy queries on its streaming engine unless told otherwise. A build's frames
    # fit in memory, where the in-memory engine was ~25% faster in normalize and dedupe and
    # peaked ~0.1 GB lower on the 1M-row bench.
    @functools.wraps(build)
    def wrapped(*args: Arguments.args, **kwargs: Arguments.kwargs) -> Returned:
        with pl.Config(engine_affinity="in-memory"):
            return build(*args, **kwargs)

    return wrapped


@on_the_in_memory_engine
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
    timer.start("extract")
    tables, rows = extract_documents(docs, cache.extraction_dir(out_dir))
    timer.start("observations")
    observed = observe_rows(release, tables, rows)
    del rows  # every row is an observation now: free the extracted cells
    timer.start("dedupe")
    # Each table is encoded (in two threads) as soon as it is final, while the next one is made.
    encoding = publish.TableEncoding(release)
    encoding.start("quarantine", observed.quarantine)
    encoding.start("sources", sources.sources_table(docs, manifest, tables))
    results, conflicts = dedupe.merge_results(observed.kept)
    encoding.start("results", results)
    encoding.start("conflicts", conflicts)
    encoding.start("models", dedupe.summarize_models(observed.kept, results))
    # Save outputs.
    timer.start("write")
    # The tables are checked and summarized while the last of them are encoded.
    check_tables(encoding.frames)
    counts, warnings = summarize(docs, tables, {**encoding.frames, "observations": observed.kept})
    published = {**encoding.finish(), "observations": observed.encoded}
    dataset = replace(release, tables={name: published[name] for name in PUBLISHED_TABLES})
    refuse_changed_inputs(raw_dir, out_dir, docs, manifest, dataset)
    outcome = publish.write_version(out_dir, dataset, encoding.frames)
    catalog.write_catalog(out_dir)
    return BuildReport(
        dataset.version, outcome.path, outcome.written, counts, warnings, timer.finish()
    )


@dataclass(frozen=True)
class Observed:
    """A build's observations: encoded as their Parquet file, the columns read later, quarantine."""

    encoded: publish.EncodedTable
    kept: pl.DataFrame
    quarantine: pl.DataFrame


def observe_rows(
    release: publish.DatasetVersion, tables: pl.DataFrame, rows: pl.DataFrame
) -> Observed:
    """Normalize, correct, check and encode the extracted rows, a batch at a time.

    Three steps overlap: one batch is normalized (in a thread) while the one before is checked
    and the one before that encoded (in another thread; polars and Arrow work outside the GIL).
    The full observation rows of the build are never in memory together: of each batch only the
    columns read later are kept.
    """
    located_tables = normalize.table_context(tables)
    corrections = errata.load_errata()

    def corrected(batch: pl.DataFrame) -> tuple[pl.DataFrame, set[int]]:
        return errata.correct_rows(normalize.normalize_batch(located_tables, batch), corrections)

    kept, quarantined, matched = [], [], set()
    encoder = publish.table_encoder(release, "observations", validate.empty_frame(Observation))
    with ThreadPoolExecutor(max_workers=1) as encoding:
        waiting: deque[Future[None]] = deque()
        in_order = batches.row_batches(dedupe.in_source_order(rows))
        for observations, matched_here in batches.computed_ahead(in_order, corrected):
            observations, quarantine = checked_batch(observations)
            waiting.append(encoding.submit(encoder.add, observations))
            if len(waiting) > 1:  # at most two batches wait for the encoder
                waiting.popleft().result()
            kept.append(observations.select(KEPT_COLUMNS))
            quarantined.append(quarantine)
            matched |= matched_here
        encoded = encoding.submit(encoder.finish).result()
    observed = pl.concat(kept)
    validate.ensure_unique(observed, dedupe.SOURCE_ORDER, "observations")
    errata.refuse_stale(corrections, matched, set(observed.get_column("source").unique()))
    return Observed(encoded, observed, pl.concat(quarantined).sort(validate.QUARANTINE_ORDER))


def checked_batch(observations: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Corrected observations with status and result ids, checked, and their quarantine rows."""
    quarantine = validate.quarantine_failures(observations)
    return checked("observations", dedupe.assign_status(observations, quarantine)), quarantine


class StageTimer:
    """Seconds spent in each stage of a build; tells the progress callback when one starts."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self.current: tuple[str, float] | None = None

    def start(self, stage: str) -> None:
        """End the running stage (if any) and start the named one."""
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


def extract_documents(
    docs: list[Doc], cache_dir: Path | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every table and body row of every document, as the extractor's two frames."""
    extraction = parallel.extract_documents(docs, cache_dir)
    found = set(extraction.tables.get_column("source").unique().to_list())
    for doc in docs:
        if doc.path not in found:
            raise InputError(doc.path, "has no Markdown table: nothing to extract from it")
    return extraction.tables, extraction.rows


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


def input_records(docs: list[Doc], manifest: sources.Manifest | None) -> list[dict[str, str]]:
    """Every input with its sha256 and origin, as listed in manifest.json."""
    origins = manifest.origins() if manifest else {}
    return [
        {"source": doc.path, "sha256": doc.sha256, **origins.get(doc.path, {})}
        for doc in sorted(docs, key=lambda doc: doc.path)
    ]


def summarize(
    docs: list[Doc], tables: pl.DataFrame, frames: dict[str, pl.DataFrame]
) -> tuple[dict[str, int], pl.DataFrame]:
    """The numbers and warnings a person wants after a build, from the tables as frames."""
    unknown = normalize.unknown_columns(tables)
    counts = {
        **report.count_outputs(docs, frames, tables.height),
        "unknown columns": unknown.height,
    }
    return counts, report.collect_warnings(docs, unknown, frames)
