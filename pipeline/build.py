"""The build recipe: load raw documents, process them into tables, save a dataset version."""

import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline import dedupe, extract, normalize, publish, sources, validate
from pipeline.decode import Doc
from pipeline.errors import InputError
from schemas import PUBLISHED_TABLES


@dataclass
class BuildReport:
    """What a build read, made and wrote: the summary printed at its end."""

    version: str
    path: Path
    written: bool
    counts: dict[str, int]
    unknown_columns: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def build_dataset(raw_dir: Path, out_dir: Path, version: str | None = None) -> BuildReport:
    """Build the declared dataset version from raw_dir into out_dir."""
    started = time.perf_counter()
    # Load inputs.
    manifest = sources.read_manifest(raw_dir)
    docs = sources.read_docs(raw_dir, manifest)
    # Process data.
    tables, rows = extract_documents(docs)
    observations = normalize.normalize_rows(tables, rows)
    quarantine = validate.quarantine_failures(observations)
    observations = dedupe.assign_status(observations, quarantine)
    results, conflicts = dedupe.merge_results(observations)
    models = dedupe.summarize_models(observations, results)
    source_rows = sources.sources_table(docs, manifest, tables)
    # Save outputs.
    dataset = publish.DatasetVersion(
        name=manifest.name if manifest else "modelmetrics",
        version=version or (manifest.version if manifest else sources.UNDECLARED_VERSION),
        tables=checked_tables(results, models, observations, source_rows, conflicts, quarantine),
        inputs=input_records(docs, manifest),
    )
    refuse_changed_inputs(raw_dir, out_dir, docs, manifest, dataset)
    outcome = publish.write_version(out_dir, dataset)
    report = summarize(dataset, outcome, tables, normalize.unknown_columns(tables), docs)
    report.seconds = time.perf_counter() - started
    return report


def extract_documents(docs: list[Doc]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every table and body row of every document, as the extractor's two frames."""
    found = [table for doc in docs for table in extract.extract_tables(doc.text, doc.path)]
    for doc in docs:
        if not any(table.source == doc.path for table in found):
            raise InputError(doc.path, "has no Markdown table: nothing to extract from it")
    return extract.tables_to_frames(found)


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


def checked_tables(*frames: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The published tables by name, each validated against its schema (a bug fails the build)."""
    named = dict(zip(PUBLISHED_TABLES, frames, strict=True))
    return {
        name: validate.ensure_schema(frame, PUBLISHED_TABLES[name], name)
        for name, frame in named.items()
    }


def input_records(docs: list[Doc], manifest: sources.Manifest | None) -> list[dict[str, str]]:
    """Every input with its sha256 and origin, as listed in manifest.json."""
    origins = {entry.file: entry.origin for entry in manifest.entries} if manifest else {}
    return [
        {"source": doc.path, "sha256": doc.sha256, **origins.get(doc.path, {})}
        for doc in sorted(docs, key=lambda doc: doc.path)
    ]


def summarize(
    dataset: publish.DatasetVersion,
    outcome: publish.WriteOutcome,
    tables: pl.DataFrame,
    unknown: pl.DataFrame,
    docs: list[Doc],
) -> BuildReport:
    """The numbers a person wants after a build."""
    observations = dataset.tables["observations"]
    counts = {
        "documents": len(docs),
        "tables": tables.height,
        "rows": observations.height,
        "results": dataset.tables["results"].height,
        "models": dataset.tables["models"].height,
        "conflicts": dataset.tables["conflicts"].height,
        "quarantined": observations.filter(pl.col("status") == "quarantined").height,
        "unknown columns": unknown.height,
    }
    warnings = [f"{doc.path}: {note}" for doc in docs for note in doc.notes]
    return BuildReport(dataset.version, outcome.path, outcome.written, counts, unknown, warnings)
