"""Look-ups in a version: a model's results and where each was published, the inputs (I/O)."""

import difflib
from pathlib import Path

import polars as pl

from pipeline.errors import ModelmetricsError

# Parameter-count classes for filtering, as a person says them: 10M is "10-50M", 100M "50-100M".
SIZE_CLASSES = ["<10M", "10-50M", "50-100M", ">100M"]
RESULT_COLUMNS = [
    "model",
    "pretrain_dataset",
    "img_size",
    "eval_seq_len",
    "top1",
    "top5",
    "params_m",
    "params_lower_bound",
]
SOURCE_COLUMNS = ["source", "title", "repository", "path", "commit", "date", "n_tables", "n_rows"]


def size_class(params_m: pl.Expr) -> pl.Expr:
    """The size class of a parameter count in millions (<10M, ..., >100M); null when unknown."""
    return (
        pl.when(params_m < 10)
        .then(pl.lit("<10M"))
        .when(params_m < 50)
        .then(pl.lit("10-50M"))
        .when(params_m <= 100)
        .then(pl.lit("50-100M"))
        .when(params_m > 100)
        .then(pl.lit(">100M"))
    )


def filter_results(
    results: pl.DataFrame, pretrain_dataset: str | None = None, size: str | None = None
) -> pl.DataFrame:
    """Results pretrained on one dataset and/or in one size class; None keeps every value."""
    if size is not None and size not in SIZE_CLASSES:
        raise ModelmetricsError(f"unknown size class {size!r}: use one of {list(SIZE_CLASSES)}")
    chosen = results
    if pretrain_dataset is not None:
        chosen = chosen.filter(pl.col("pretrain_dataset") == pretrain_dataset)
    if size is not None:
        chosen = chosen.filter(size_class(pl.col("params_m")) == size)
    return chosen


def matching_models(names: list[str], pattern: str) -> list[str]:
    """The names equal to pattern, else those containing it (ignoring case), sorted."""
    if pattern in names:
        return [pattern]
    wanted = pattern.casefold()
    return sorted({name for name in names if wanted in name.casefold()})


def no_match_message(names: list[str], pattern: str) -> str:
    """Why a model pattern found nothing, with the closest names as suggestions."""
    close = difflib.get_close_matches(pattern, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"no result for a model named or containing {pattern!r}{hint}"


def model_provenance(
    results: pl.DataFrame, observations: pl.DataFrame, pattern: str
) -> pl.DataFrame:
    """Every result of the models matching pattern, one row per place that published it."""
    names = results.get_column("model").unique().to_list()
    chosen = matching_models(names, pattern)
    if not chosen:
        raise ModelmetricsError(no_match_message(names, pattern))
    places = observations.filter(pl.col("result_id").is_not_null()).select(
        "result_id",
        pl.col("top1").alias("published_top1"),
        "source",
        "line",
        pl.col("heading_path").list.join(" > ").alias("heading"),
    )
    return (
        results.filter(pl.col("model").is_in(chosen))
        .join(places, on="result_id", how="left")
        .select(*RESULT_COLUMNS, "published_top1", "source", "line", "heading", "result_id")
        .sort(["model", "top1", "source", "line"], descending=[False, True, False, False])
    )


def show_model(version_dir: Path, pattern: str) -> pl.DataFrame:
    """Every result for a model (exact name or substring) and where each number was published."""
    results = pl.read_parquet(version_dir / "results.parquet")
    observations = pl.read_parquet(
        version_dir / "observations.parquet",
        columns=["result_id", "top1", "source", "line", "heading_path"],
    )
    return model_provenance(results, observations, pattern)


def list_sources(version_dir: Path) -> pl.DataFrame:
    """The version's input documents with their origin and what was found in each."""
    return pl.read_parquet(version_dir / "sources.parquet").select(SOURCE_COLUMNS).sort("source")


def _number(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:g}{unit}"


def result_line(result: dict) -> str:
    """One result as a line: its numbers, resolution and pretraining data."""
    params = _number(result["params_m"], "M") + ("+" if result["params_lower_bound"] else "")
    size = f"{result['img_size']} px" if result["img_size"] is not None else "size not stated"
    if result["eval_seq_len"] is not None:
        size = f"{result['eval_seq_len']} tokens"
    dataset = result["pretrain_dataset"] or "pretraining not stated"
    return (
        f"  top-1 {_number(result['top1'])}  top-5 {_number(result['top5'])}  "
        f"params {params}  {size}  {dataset}"
    )


def place_line(place: dict) -> str:
    """Where a result was published, and the value published there when it differs (a conflict)."""
    line = f"    {place['source']}:{place['line']}  {place['heading']}"
    if place["published_top1"] is not None and place["published_top1"] != place["top1"]:
        line += f"  (published top-1 {place['published_top1']:g})"
    return line


def format_model_text(shown: pl.DataFrame) -> str:
    """show_model's answer for a person: each model, its results, under each where it was read."""
    lines: list[str] = []
    for (model,), results in shown.group_by("model", maintain_order=True):
        lines.append(str(model))
        for _, places in results.group_by("result_id", maintain_order=True):
            lines.append(result_line(places.row(0, named=True)))
            lines += [place_line(place) for place in places.iter_rows(named=True)]
    return "\n".join(lines)


def format_sources_text(sources: pl.DataFrame) -> str:
    """list_sources' answer for a person: one line per document with its origin."""
    lines = []
    for document in sources.iter_rows(named=True):
        origin = document["repository"] or "origin not recorded"
        if document["commit"]:
            origin += f"@{document['commit']}"
        if document["path"]:
            origin += f":{document['path']}"
        when = f" ({document['date']})" if document["date"] else ""
        found = f"{document['n_tables']} tables, {document['n_rows']} rows"
        lines.append(f"{document['source']}\n  {origin}{when}; {found}")
    return "\n".join(lines)
