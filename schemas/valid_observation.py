"""Domain checks an observation must pass to become a result; failing rows are quarantined."""

import pandera.polars as pa
import polars as pl
from pandera.api.polars.model_config import BaseConfig
from pandera.api.polars.types import PolarsData

from schemas import fields

# Why each check fails in practice, as shown to a person in the quarantine table.
LIKELY_CAUSES = {
    "model_named": "no model name: the model cell is empty, only markup or its header again (a "
    "download link?)",
    "model_not_a_run": "the model name is a run or its hardware ('TPU v3-32', 'v100_x8', "
    "'8p-NPU'), not a model: a table of training runs whose Name column was read as models?",
    "cells_readable": "a cell could not be read as a value (parse_errors): a typo in the source, "
    "or several results in one cell?",
    "top1_in_range": "top-1 outside (1, 100]: a fraction instead of a percent, or an error rate?",
    "top5_in_range": "top-5 outside (1, 100]: a fraction instead of a percent, or an error rate?",
    "top1_plausible": "top-1 of 30% or less, below any published ImageNet-1k model (AlexNet "
    "reached 56.5%): an error rate under an accuracy header?",
    "top5_at_least_top1": "top-5 below top-1: columns swapped in the source table?",
    "table_of_accuracies": "top-5 is below top-1 in most rows of its table: error rates under "
    "accuracy headers, or accuracies under error headers?",
    "params_positive": "parameter count not above 0: a FLOPs or throughput column read as params?",
    "img_size_in_range": "image size outside 32..2048 px: a patch size, batch size or typo?",
    "eval_seq_len_positive": "eval sequence length not above 0: a typo in the source?",
}


# A name that starts as a training run's label does, with its devices: Flax's "TPU v3-32" and
# "v100_x8_mixed_precision", Ascend's "8p-NPU" (8 processors) and "1p-竞品V". Models named for
# hardware go on: "GPUNet-1", "EfficientNet-EdgeTPU-S".
RUN_LABEL = (
    r"(?i)^\s*(?:[0-9]+\s*p\s*[-_]|(?:cloud\s+)?[tgn]pus?(?:[\s_-]|$)|[vpah]100(?:[^0-9a-z]|x|$))"
)
# The lowest top-1 a published ImageNet-1k model has is far above this: timm's test models
# reach 40.8%, MobileNet 0.25 at 128 px 41.3%. A top-1 of 30 or less is an error rate.
MIN_TOP1 = 30.0
# How a parse error of the params column starts (units.parse_error): "params_m: '1|2' is ...".
PARAMS_ERROR = "params_m: '"


def unreadable_cells() -> pl.Expr:
    """The parse errors that hold a row's result back: all but the params column's. A params
    cell that cannot be read leaves params_m null beside a result read right: the count describes
    the model, not the result (RepVGG's "14.09 (train) | 12.79 (deploy)")."""
    return pl.col("parse_errors").list.eval(
        pl.element().filter(~pl.element().str.starts_with(PARAMS_ERROR))
    )


def _named(column: str) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")


# An accuracy is a percent: 1% or less is below any published ImageNet result (chance is 0.1%)
# and is how a fraction reads ("0.852" for 85.2%), so the ranges of top-1 and top-5 are (1, 100].
def _within(column: str, low: float, high: float, low_inclusive: bool) -> pl.Expr:
    value = pl.col(column)
    above = value >= low if low_inclusive else value > low
    return value.is_null() | (above & (value <= high))


def _table_of_errors() -> pl.Expr:
    """Whether a row's table gives error rates: its top-5 is below its top-1 in most rows
    (ShuffleNet's "Top-1 | Top-5" of 22.9 | 6.7; Keras' under a note saying "top-1 error"), so
    its rows without a top-5 ("23.4 | /") are no accuracies either. One swapped row is no such
    table: it takes two."""
    both = pl.col("top1").is_not_null() & pl.col("top5").is_not_null()
    below = (~fields.top5_not_below_top1()).sum().over("source", "table_index")
    return (below >= 2) & (below * 2 > both.sum().over("source", "table_index"))


class ValidObservation(pa.DataFrameModel):
    """An observation from a results table whose values are plausible ImageNet-1k results."""

    source: str
    table_index: pl.Int32
    model: str = pa.Field(nullable=True)
    top1: pl.Float64 = pa.Field(nullable=True)
    top5: pl.Float64 = pa.Field(nullable=True)
    params_m: pl.Float64 = pa.Field(nullable=True)
    img_size: pl.Int32 = pa.Field(nullable=True)
    eval_seq_len: pl.Int32 = pa.Field(nullable=True)
    parse_errors: pl.List(pl.String)

    class Config(BaseConfig):
        strict = "filter"

    @pa.dataframe_check(name="model_named")
    def model_named(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_named("model"))

    @pa.dataframe_check(name="model_not_a_run")
    def model_not_a_run(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.col("model").str.contains(RUN_LABEL).fill_null(False))

    @pa.dataframe_check(name="cells_readable")
    def cells_readable(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(unreadable_cells().list.len() == 0)

    @pa.dataframe_check(name="top1_in_range")
    def top1_in_range(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_within("top1", 1, 100, low_inclusive=False))

    @pa.dataframe_check(name="top1_plausible")
    def top1_plausible(cls, data: PolarsData) -> pl.LazyFrame:
        # ChainerCV's "Top 1" of 23.53 under a sentence that never says error. A fraction
        # fails top1_in_range, a table of error rates table_of_accuracies: not this as well.
        top1 = pl.col("top1")
        return data.lazyframe.select(
            top1.is_null() | (top1 <= 1) | (top1 > MIN_TOP1) | _table_of_errors()
        )

    @pa.dataframe_check(name="top5_in_range")
    def top5_in_range(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_within("top5", 1, 100, low_inclusive=False))

    @pa.dataframe_check(name="top5_at_least_top1")
    def top5_at_least_top1(cls, data: PolarsData) -> pl.LazyFrame:
        # In a table of error rates, table_of_accuracies says why: not a swap.
        return data.lazyframe.select(fields.top5_not_below_top1() | _table_of_errors())

    @pa.dataframe_check(name="table_of_accuracies")
    def table_of_accuracies(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("top1").is_null() | ~_table_of_errors())

    @pa.dataframe_check(name="params_positive")
    def params_positive(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("params_m").is_null() | (pl.col("params_m") > 0))

    @pa.dataframe_check(name="img_size_in_range")
    def img_size_in_range(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_within("img_size", 32, 2048, low_inclusive=True))

    @pa.dataframe_check(name="eval_seq_len_positive")
    def eval_seq_len_positive(cls, data: PolarsData) -> pl.LazyFrame:
        length = pl.col("eval_seq_len")
        return data.lazyframe.select(length.is_null() | (length > 0))
