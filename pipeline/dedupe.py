"""Dedupe: one result per key, every place it was published kept, disagreements made explicit."""

import hashlib

import polars as pl

from schemas.conflicts import Conflict
from schemas.models import Model
from schemas.observations import Observation
from schemas.results import Result

RESULT_KEY = ["model", "pretrain_dataset", "img_size", "eval_seq_len"]
# Fields a result takes from its observations; observations that disagree make a conflict.
VALUE_FIELDS = ["top1", "top5", "params_m", "params_lower_bound", "family", "training_method"]
CHOICE_RULE = "most published value; a tie goes to the first in source order (path, table, row)"
SOURCE_ORDER = ["source", "table_index", "row_index"]


def result_id(
    model: str, pretrain_dataset: str | None, img_size: int | None, seq: int | None
) -> str:
    """Stable id of a result key: the same key gives the same id in every build."""
    parts = [model, pretrain_dataset or "", str(img_size or ""), str(seq or "")]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


def assign_status(observations: pl.DataFrame, quarantine: pl.DataFrame) -> pl.DataFrame:
    """Observations with status and result_id: what became of every extracted row."""
    quarantined = quarantine.select("observation_id").unique().with_columns(flagged=pl.lit(True))
    has_metric = pl.col("top1").is_not_null() | pl.col("top5").is_not_null()
    status = (
        pl.when(~pl.col("is_results_table"))
        .then(pl.lit("not_results_table"))
        .when(pl.col("flagged").is_not_null())
        .then(pl.lit("quarantined"))
        .when(~has_metric)
        .then(pl.lit("no_result"))
        .otherwise(pl.lit("result"))
    )
    flagged = observations.join(quarantined, on="observation_id", how="left", maintain_order="left")
    with_status = flagged.with_columns(status=status).drop("flagged").sort(SOURCE_ORDER)
    return with_status.with_columns(result_id=_result_ids(with_status)).select(
        list(Observation.to_schema().columns)
    )


def _result_ids(observations: pl.DataFrame) -> pl.Series:
    keys = observations.select(RESULT_KEY).rows()
    statuses = observations.get_column("status").to_list()
    ids = [
        result_id(*key) if status == "result" else None
        for key, status in zip(keys, statuses, strict=True)
    ]
    return pl.Series("result_id", ids, dtype=pl.String)


def merge_results(observations: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Results (one per key) and conflicts, from observations that carry status and result_id."""
    measured = observations.filter(pl.col("status") == "result").with_row_index("order")
    choices = [_choose_value(measured, field) for field in VALUE_FIELDS]
    results = _result_base(measured)
    for chosen, _ in choices:
        results = results.join(chosen, on="result_id", how="left")
    conflicts = pl.concat([others for _, others in choices]).sort("result_id", "field")
    conflicted = conflicts.get_column("result_id").unique().implode()
    results = results.with_columns(has_conflict=pl.col("result_id").is_in(conflicted))
    conflicts = conflicts.join(results.select("result_id", "model"), on="result_id")
    return (
        results.select(list(Result.to_schema().columns)).sort("model", *RESULT_KEY[1:]),
        conflicts.select(list(Conflict.to_schema().columns)),
    )


def _result_base(measured: pl.DataFrame) -> pl.DataFrame:
    first = pl.col("order").arg_min()
    return measured.group_by("result_id").agg(
        *(pl.col(name).get(first) for name in RESULT_KEY),
        *(pl.col(name).get(first) for name in ["architecture", "pretrained_tag"]),
        pl.col("pretrain_dataset_label").drop_nulls().first(),
        eval_dataset=pl.lit("imagenet-1k"),
        n_observations=pl.len().cast(pl.Int32),
        sources=pl.col("source").unique().sort(),
        first_source=pl.col("source").get(first),
        first_line=pl.col("line").get(first),
    )


def _choose_value(
    measured: pl.DataFrame, field: str, key: str = "result_id"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    votes = (
        measured.filter(pl.col(field).is_not_null())
        .group_by(key, field)
        .agg(
            votes=pl.len(),
            order=pl.col("order").min(),
            observations=pl.col("observation_id").sort_by("order"),
        )
        .sort([key, "votes", "order"], descending=[False, True, False])
    )
    chosen = votes.unique(key, keep="first", maintain_order=True)
    others = votes.join(chosen, on=key, suffix="_chosen").filter(
        pl.col(field) != pl.col(f"{field}_chosen")
    )
    return chosen.select(key, field), _conflict_rows(others, field, key)


def _conflict_rows(others: pl.DataFrame, field: str, key: str) -> pl.DataFrame:
    return others.select(
        pl.col(key).alias("result_id"),
        field=pl.lit(field),
        chosen_value=pl.col(f"{field}_chosen").cast(pl.String),
        chosen_observations=pl.col("observations_chosen"),
        other_value=pl.col(field).cast(pl.String),
        other_observations=pl.col("observations"),
        rule=pl.lit(CHOICE_RULE),
    )


def summarize_models(observations: pl.DataFrame, results: pl.DataFrame) -> pl.DataFrame:
    """One row per model named in a results table, with or without a measured result."""
    named = observations.filter(pl.col("status").is_in(["result", "no_result"]))
    ordered = named.with_row_index("order")
    first = pl.col("order").arg_min()
    base = ordered.group_by("model").agg(
        pl.col("architecture").get(first),
        pl.col("pretrained_tag").get(first),
        pl.col("family").drop_nulls().mode().sort().first(),
        pretrain_datasets=pl.col("pretrain_dataset").drop_nulls().unique().sort(),
        n_observations=pl.len().cast(pl.Int32),
    )
    params_m, _ = _choose_value(ordered, "params_m", key="model")
    bounds = (
        ordered.join(params_m, on=["model", "params_m"])
        .group_by("model")
        .agg(params_lower_bound=pl.col("params_lower_bound").all())
    )
    per_result = results.group_by("model").agg(
        n_results=pl.len().cast(pl.Int32), best_top1=pl.col("top1").max()
    )
    return (
        base.join(params_m, on="model", how="left")
        .join(bounds, on="model", how="left")
        .join(per_result, on="model", how="left")
        .with_columns(
            pl.col("n_results").fill_null(0),
            pl.col("params_lower_bound").fill_null(False),
        )
        .select(list(Model.to_schema().columns))
        .sort("model")
    )
