"""Dedupe: one result per key, every place it was published kept, disagreements made explicit."""

import hashlib
from typing import TypeVar

import polars as pl

from pipeline import batches
from schemas.conflicts import Conflict
from schemas.models import Model
from schemas.observations import Observation
from schemas.results import Result

# The shortcuts for keys with one row work eagerly or inside a lazy query.
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
RESULT_KEY = ["model", "pretrain_dataset", "img_size", "eval_seq_len"]
# Fields a result takes from its observations; observations that disagree make a conflict.
VALUE_FIELDS = ["top1", "top5", "params_m", "params_lower_bound", "family", "training_method"]
CHOICE_RULE = "most published value; a tie goes to the first in source order (path, table, row)"
# The decimals counted for a float polars prints in exponent form ("1e-7"): more than any
# source writes, so it agrees only with an equal number.
MAX_DECIMALS = 15
SOURCE_ORDER = ["source", "table_index", "row_index"]
# The raw text each number field is read from, and the column of the decimals it is written to
# where the text writes more than the float prints ("68.10"): with_written_decimals.
WRITTEN_COLUMNS = {"top1": "top1_raw", "top5": "top5_raw", "params_m": "params_raw"}
DECIMALS_COLUMNS = {field: f"{field}_decimals" for field in WRITTEN_COLUMNS}
# A decimal number ending in a zero, somewhere in a text: the only way a text writes more
# decimals than its float prints.
TRAILING_ZERO = r"[0-9]\.[0-9]*0(?:[^0-9]|$)"
# A number as a page writes it: digits, then maybe a point and decimals.
WRITTEN_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
MERGED_COLUMNS = [
    "result_id",
    *RESULT_KEY,
    *VALUE_FIELDS,
    "architecture",
    "pretrained_tag",
    "pretrain_dataset_label",
    "source",
    "line",
    "observation_id",
    # The numbers as written: "68.10" is written to two decimals, as "68.07" is.
    *DECIMALS_COLUMNS.values(),
]
SUMMARIZED_COLUMNS = [
    "model",
    "architecture",
    "pretrained_tag",
    "family",
    "pretrain_dataset",
    "params_m",
    "params_lower_bound",
    "observation_id",
]
# Every observation column merge_results and summarize_models read (the raw texts of numbers,
# which with_written_decimals turns into their decimals).
OBSERVATION_COLUMNS = list(
    dict.fromkeys(
        [
            *(name for name in MERGED_COLUMNS if name not in DECIMALS_COLUMNS.values()),
            *WRITTEN_COLUMNS.values(),
            *SUMMARIZED_COLUMNS,
            "status",
        ]
    )
)


def result_id(
    model: str, pretrain_dataset: str | None, img_size: int | None, seq: int | None
) -> str:
    """Stable id of a result key: the same key gives the same id in every build."""
    parts = [model, pretrain_dataset or "", str(img_size or ""), str(seq or "")]
    return _hash_key("\x1f".join(parts))


def assign_status(
    observations: pl.DataFrame, quarantine: pl.DataFrame, batch_rows: int = batches.BATCH_ROWS
) -> pl.DataFrame:
    """Observations with status and result_id: what became of every extracted row."""
    quarantined = quarantine.get_column("observation_id").unique().implode()
    has_metric = pl.col("top1").is_not_null() | pl.col("top5").is_not_null()
    status = (
        pl.when(~pl.col("is_results_table"))
        .then(pl.lit("not_results_table"))
        .when(pl.col("observation_id").is_in(quarantined))
        .then(pl.lit("quarantined"))
        .when(~has_metric)
        .then(pl.lit("no_result"))
        .otherwise(pl.lit("result"))
    )
    columns = list(Observation.to_schema().columns)

    def with_status_and_id(batch: pl.DataFrame) -> pl.DataFrame:
        with_status = batch.with_columns(status=status)
        return with_status.with_columns(result_id=_result_ids(with_status)).select(columns)

    return in_source_order(batches.map_batches(observations, with_status_and_id, batch_rows))


def in_source_order(observations: pl.DataFrame) -> pl.DataFrame:
    """The observations sorted by source, table and row; as they are when already in that order."""
    # Extraction gives rows in document order, which is source order unless the manifest lists
    # files out of path order; sorting the whole wide frame anyway would copy every column.
    # Checking each row against the one before is linear; sorting only to compare is not.
    if observations.select(_after_previous_row().all()).item():
        return observations
    return observations.sort(SOURCE_ORDER, maintain_order=True)


def _after_previous_row() -> pl.Expr:
    """True where a row comes after the row before it in source order (the first row too)."""
    source, table, row = (pl.col(name) for name in SOURCE_ORDER)
    same_source = source == source.shift(1)
    later_in_table = (table == table.shift(1)) & (row > row.shift(1))
    later = (source > source.shift(1)) | (same_source & ((table > table.shift(1)) | later_in_table))
    return later.fill_null(True)


def _result_ids(observations: pl.DataFrame) -> pl.Series:
    """result_id of each row with status 'result', null for the others; each key hashed once."""
    joined = pl.concat_str(
        pl.col("model"),
        pl.col("pretrain_dataset").fill_null(""),
        *(_id_text(pl.col(name)) for name in RESULT_KEY[2:]),
        separator="\x1f",
    )
    keyed = observations.select(
        _key=pl.when(pl.col("status") == "result").then(joined)
    ).with_row_index("_row")
    texts = keyed.get_column("_key").drop_nulls().unique(maintain_order=True)
    ids = pl.DataFrame(
        {"_key": texts, "result_id": [_hash_key(text) for text in texts]},
        schema={"_key": pl.String, "result_id": pl.String},
    )
    return keyed.join(ids, on="_key", how="left", maintain_order="left").get_column("result_id")


def _id_text(size: pl.Expr) -> pl.Expr:
    # result_id writes str(value or ""): a null or a 0 is "".
    return pl.when(size.is_null() | (size == 0)).then(pl.lit("")).otherwise(size.cast(pl.String))


def _hash_key(joined: str) -> str:
    return hashlib.blake2b(joined.encode(), digest_size=8).hexdigest()


def merge_results(observations: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Results (one per key) and conflicts, from observations that carry status and result_id."""
    # Only the columns results and conflicts are made of: filtering the lists of raw cells and
    # headings of a million rows as well costs a second.
    if not set(DECIMALS_COLUMNS.values()) <= set(observations.columns):
        observations = with_written_decimals(observations)
    measured = (
        observations.lazy()
        .select(*MERGED_COLUMNS, "status")
        .filter(pl.col("status") == "result")
        .with_row_index("order")
    )
    # Most results are published once: they take every value from their one observation.
    # Only the others are voted on (each vote is a few group-bys and joins over its rows).
    published_again = pl.col("result_id").is_duplicated()
    once, again = pl.collect_all(
        [
            results_published_once(measured.filter(~published_again)),
            measured.filter(published_again),
        ]
    )
    voted, conflicts = merge_voted_results(again)
    return pl.concat([once, voted]).sort("model", *RESULT_KEY[1:]), conflicts


def results_published_once(measured: Frame) -> Frame:
    """The result of each measured row whose key no other row has: its own values, no conflict."""
    return measured.with_columns(
        eval_dataset=pl.lit("imagenet-1k"),
        n_observations=pl.lit(1, pl.Int32),
        sources=pl.concat_list("source"),
        first_source=pl.col("source"),
        first_line=pl.col("line"),
        has_conflict=pl.lit(False),
    ).select(list(Result.to_schema().columns))


def merge_voted_results(measured: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Results and conflicts of measured rows (with an `order` column), each value voted on."""
    top1 = _choose_value(measured, "top1")
    # top-5 comes only from places that agree with the kept top-1: a top-5 taken from a page
    # that published another top-1 could fall below the kept one. Every other top-5 of the
    # result is a conflict all the same.
    top5_chosen, _ = _choose_value(_agreeing_with_top1(measured, top1[0]), "top5")
    top5 = top5_chosen, _conflicts_with(measured, top5_chosen, "top5")
    others = [_choose_value(measured, field) for field in VALUE_FIELDS[2:]]
    choices = [top1, top5, *others]
    results = _result_base(measured)
    for chosen, _ in choices:
        results = results.join(chosen, on="result_id", how="left")
    # Within a field of a result, the other values by votes, then source order: a total order,
    # so the table is the same bytes in every build (the join keeps it).
    conflicts = pl.concat([others for _, others in choices]).sort(
        "result_id", "field", "_votes", "_order", descending=[False, False, True, False]
    )
    conflicted = conflicts.get_column("result_id").unique().implode()
    results = results.with_columns(has_conflict=pl.col("result_id").is_in(conflicted))
    conflicts = conflicts.join(
        results.select("result_id", "model"), on="result_id", maintain_order="left"
    )
    return (
        results.select(list(Result.to_schema().columns)),
        conflicts.select(list(Conflict.to_schema().columns)),
    )


def _agreeing_with_top1(measured: pl.DataFrame, top1: pl.DataFrame) -> pl.DataFrame:
    """Rows whose top-5 can stand beside the kept top-1: same top-1, or none and a top-5 above."""
    kept = measured.join(top1.rename({"top1": "kept_top1"}), on="result_id", how="left")
    same = same_once_rounded(pl.col("top1"), pl.col("kept_top1"))
    above = pl.col("kept_top1").is_null() | (pl.col("top5") >= pl.col("kept_top1"))
    return kept.filter(same | (pl.col("top1").is_null() & above)).drop("kept_top1")


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
    """Per key the chosen value of field, and the conflict rows of keys with several values."""
    # Most keys have one value: those skip the vote (a group_by with lists, a sort and a join
    # over every key, ~0.5 s a field on a million rows).
    distinct, contested = _contested(measured, field, key)
    agreed = distinct.join(contested, on=key, how="anti")
    chosen, conflicts = _vote(measured.join(contested, on=key, how="semi"), field, key)
    return pl.concat([agreed, chosen]), conflicts


def _contested(measured: pl.DataFrame, field: str, key: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The distinct (key, value) pairs of field, and the keys with more than one value."""
    distinct = measured.filter(pl.col(field).is_not_null()).select(key, field).unique()
    return distinct, distinct.filter(pl.col(key).is_duplicated()).select(key).unique()


def _vote(measured: pl.DataFrame, field: str, key: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The most published value per key (ties: first in source order); the others as conflicts."""
    votes = _votes(measured, field, key)
    chosen = votes.unique(key, keep="first", maintain_order=True)
    return chosen.select(key, field), _conflicts_beside(votes, chosen, field, key)


def _votes(measured: pl.DataFrame, field: str, key: str) -> pl.DataFrame:
    """Per key and value of field: its votes, first place in source order, observations and,
    for a number read from a raw text, the most decimals it is written to (decimals)."""
    voting = measured.filter(pl.col(field).is_not_null())
    written = []
    if DECIMALS_COLUMNS.get(field) in voting.columns:
        printed = _decimals(pl.col(field)).cast(pl.Int8)
        decimals = pl.max_horizontal(printed, DECIMALS_COLUMNS[field])
        written = [decimals.max().alias("decimals")]
    return (
        voting.group_by(key, field)
        .agg(
            *written,
            votes=pl.len(),
            order=pl.col("order").min(),
            observations=pl.col("observation_id").sort_by("order"),
        )
        .sort([key, "votes", "order"], descending=[False, True, False])
    )


def with_written_decimals(observations: pl.DataFrame) -> pl.DataFrame:
    """The observations with, for each number read from a raw text (WRITTEN_COLUMNS), the
    decimals it is written to where the text writes more than the float prints (a trailing
    zero: "68.10" is 2), null elsewhere, in place of the raw texts: an Int8 a row instead of a
    string keeps dedupe's input small. Only the texts with a trailing zero are looked at."""
    decimals = []
    for field, raw in WRITTEN_COLUMNS.items():
        zeroed = observations.select(
            pl.arg_where(pl.col(raw).str.contains(TRAILING_ZERO).fill_null(False))
        ).to_series()
        column = pl.repeat(None, observations.height, dtype=pl.Int8, eager=True)
        column = column.alias(DECIMALS_COLUMNS[field])
        if zeroed.len():
            found = written_decimals(
                observations.get_column(raw).gather(zeroed),
                observations.get_column(field).gather(zeroed),
            )
            column = column.scatter(zeroed, found.cast(pl.Int8))
        decimals.append(column)
    return observations.drop(WRITTEN_COLUMNS.values(), strict=False).with_columns(decimals)


def written_decimals(raw: pl.Series, value: pl.Series) -> pl.Series:
    """The decimals each value is written to in its raw text: those of the number in the text
    that is the value, its error rate (100 minus it) or its fraction (two decimals fewer), so a
    trailing zero counts ("68.10": 2); never fewer than the value as printed has (_decimals)."""
    number = pl.col("token").cast(pl.Float64)
    point = pl.col("token").str.find(".", literal=True)
    decimals = (pl.col("token").str.len_chars() - point - 1).fill_null(0).cast(pl.Int64)
    value_itself = _is_close(number, pl.col("value")) | _is_close(number, 100 - pl.col("value"))
    found = (
        pl.DataFrame({"raw": raw, "value": value})
        .with_row_index("row")
        .select("row", "value", token=pl.col("raw").str.extract_all(WRITTEN_NUMBER))
        .explode("token")
        .drop_nulls("token")
        .select(
            "row",
            decimals=pl.when(value_itself)
            .then(decimals)
            .when(_is_close(number, pl.col("value") / 100))
            .then(decimals - 2),
        )
        .group_by("row")
        .agg(pl.col("decimals").max())
    )
    return (
        pl.DataFrame({"value": value})
        .with_row_index("row")
        .join(found, on="row", how="left", maintain_order="left")
        .select(pl.max_horizontal(_decimals(pl.col("value")).cast(pl.Int64), "decimals"))
        .to_series()
    )


def _is_close(number: pl.Expr, value: pl.Expr) -> pl.Expr:
    """Whether two floats are one number, but for the float's last bits."""
    return (number - value).abs() <= 1e-9 * value.abs().clip(lower_bound=1)


def _conflicts_with(measured: pl.DataFrame, chosen: pl.DataFrame, field: str) -> pl.DataFrame:
    """The conflict rows of every value of field other than the chosen one, per result."""
    _, contested = _contested(measured, field, "result_id")
    votes = _votes(measured.join(contested, on="result_id", how="semi"), field, "result_id")
    chosen_votes = votes.join(chosen, on=["result_id", field], how="semi")
    return _conflicts_beside(votes, chosen_votes, field, "result_id")


def _conflicts_beside(
    votes: pl.DataFrame, chosen: pl.DataFrame, field: str, key: str
) -> pl.DataFrame:
    """The conflict rows of the voted values of field other than the chosen one of their key; a
    number the chosen one rounds to, or that rounds to it, is no other value (22.9 and 22.91048)."""
    value, chosen_value = pl.col(field), pl.col(f"{field}_chosen")
    differs = value != chosen_value
    if "decimals" in votes.columns:
        written = pl.col("decimals"), pl.col("decimals_chosen")
        differs = ~same_once_rounded(value, chosen_value, *written)
    elif votes.schema[field].is_float():
        differs = ~same_once_rounded(value, chosen_value)
    others = votes.join(chosen, on=key, suffix="_chosen").filter(differs)
    return _conflict_rows(others, field, key)


def same_once_rounded(
    value: pl.Expr,
    other: pl.Expr,
    value_decimals: pl.Expr | None = None,
    other_decimals: pl.Expr | None = None,
) -> pl.Expr:
    """Whether two published numbers are one, written to different decimals: each within half a
    unit of the last decimal of the shorter (74.9 and 74.93; not 74.9 and 74.96, nor 86.0 and
    86.6: a whole number reads as one decimal, "86" may be "86.0"; nor 68.10 and 68.07, given
    the decimals each is written to); without those, as each prints."""
    decimals = pl.min_horizontal(
        _decimals(value) if value_decimals is None else value_decimals,
        _decimals(other) if other_decimals is None else other_decimals,
    )
    half_unit = pl.lit(0.5) * pl.lit(10.0).pow(-decimals.cast(pl.Float64))
    return (value - other).abs() <= half_unit * (1 + 1e-9)


def _decimals(number: pl.Expr) -> pl.Expr:
    """Decimals of a float as polars prints it, its shortest form ("22.9" 1, "80.0" 1); one in
    exponent form ("1e-7") counts as MAX_DECIMALS."""
    text = number.cast(pl.String)
    after_point = text.str.len_chars() - text.str.find(".", literal=True) - 1
    return pl.when(text.str.contains("e", literal=True)).then(MAX_DECIMALS).otherwise(after_point)


def _conflict_rows(others: pl.DataFrame, field: str, key: str) -> pl.DataFrame:
    return others.select(
        pl.col(key).alias("result_id"),
        field=pl.lit(field),
        chosen_value=pl.col(f"{field}_chosen").cast(pl.String),
        chosen_observations=pl.col("observations_chosen"),
        other_value=pl.col(field).cast(pl.String),
        other_observations=pl.col("observations"),
        rule=pl.lit(CHOICE_RULE),
        _votes=pl.col("votes"),
        _order=pl.col("order"),
    )


def summarize_models(observations: pl.DataFrame, results: pl.DataFrame) -> pl.DataFrame:
    """One row per model named in a results table, with or without a measured result."""
    named = (
        observations.lazy()
        .select(*SUMMARIZED_COLUMNS, "status")
        # A blank row (no_result) names no model.
        .filter(pl.col("status").is_in(["result", "no_result"]) & pl.col("model").is_not_null())
    )
    # As with results: a model named once is summarized by its one row, no vote.
    named_again = pl.col("model").is_duplicated()
    once, again = pl.collect_all(
        [models_named_once(named.filter(~named_again)), named.filter(named_again)]
    )
    summaries = pl.concat([once, models_named_more_than_once(again)])
    per_result = results.group_by("model").agg(
        n_results=pl.len().cast(pl.Int32), best_top1=pl.col("top1").max()
    )
    return (
        summaries.join(per_result, on="model", how="left")
        .with_columns(pl.col("n_results").fill_null(0))
        .select(list(Model.to_schema().columns))
        .sort("model")
    )


def models_named_once(named: Frame) -> Frame:
    """The summary of each model named by one row only: that row's values."""
    dataset = pl.col("pretrain_dataset")
    return named.select(
        "model",
        "architecture",
        "pretrained_tag",
        "family",
        "params_m",
        params_lower_bound=pl.col("params_m").is_not_null() & pl.col("params_lower_bound"),
        pretrain_datasets=pl.when(dataset.is_not_null())
        .then(pl.concat_list(dataset))
        .otherwise(pl.lit([], pl.List(pl.String))),
        n_observations=pl.lit(1, pl.Int32),
    )


def models_named_more_than_once(named: pl.DataFrame) -> pl.DataFrame:
    """The summary of models named by several rows: params and family voted, datasets listed."""
    ordered = named.with_row_index("order")
    first = pl.col("order").arg_min()
    base = ordered.group_by("model").agg(
        pl.col("architecture").get(first),
        pl.col("pretrained_tag").get(first),
        n_observations=pl.len().cast(pl.Int32),
    )
    params_m, _ = _choose_value(ordered, "params_m", key="model")
    bounds = (
        ordered.join(params_m, on=["model", "params_m"])
        .group_by("model")
        .agg(params_lower_bound=pl.col("params_lower_bound").all())
    )
    return (
        base.join(params_m, on="model", how="left")
        .join(_most_common_family(ordered), on="model", how="left")
        .join(_pretrain_datasets(ordered), on="model", how="left")
        .join(bounds, on="model", how="left")
        .with_columns(
            pl.col("params_lower_bound").fill_null(False),
            pl.col("pretrain_datasets").fill_null(pl.lit([], pl.List(pl.String))),
        )
        .select(
            "model",
            "architecture",
            "pretrained_tag",
            "family",
            "params_m",
            "params_lower_bound",
            "pretrain_datasets",
            "n_observations",
        )
    )


def _most_common_family(observations: pl.DataFrame) -> pl.DataFrame:
    """Per model its most frequent family; a tie goes to the first in alphabetical order."""
    # The per-group mode() this replaces took 1 s on a million rows; counting pairs takes 0.1 s.
    return (
        observations.filter(pl.col("family").is_not_null())
        .group_by("model", "family")
        .agg(_count=pl.len())
        .sort(["model", "_count", "family"], descending=[False, True, False])
        .unique("model", keep="first", maintain_order=True)
        .drop("_count")
    )


def _pretrain_datasets(observations: pl.DataFrame) -> pl.DataFrame:
    """Per model the pretraining datasets of its rows, distinct and sorted."""
    return (
        observations.filter(pl.col("pretrain_dataset").is_not_null())
        .select("model", "pretrain_dataset")
        .unique()
        .sort("model", "pretrain_dataset")
        .group_by("model", maintain_order=True)
        .agg(pretrain_datasets="pretrain_dataset")
    )
