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
    "cells_readable": "a cell could not be read as a value (parse_errors): a typo in the source?",
    "top1_in_range": "top-1 outside (1, 100]: a fraction instead of a percent, or an error rate?",
    "top5_in_range": "top-5 outside (1, 100]: a fraction instead of a percent, or an error rate?",
    "top5_at_least_top1": "top-5 below top-1: columns swapped in the source table?",
    "params_positive": "parameter count not above 0: a FLOPs or throughput column read as params?",
    "img_size_in_range": "image size outside 32..2048 px: a patch size, batch size or typo?",
    "eval_seq_len_positive": "eval sequence length not above 0: a typo in the source?",
}


def _named(column: str) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")


# An accuracy is a percent: 1% or less is below any published ImageNet result (chance is 0.1%)
# and is how a fraction reads ("0.852" for 85.2%), so the ranges of top-1 and top-5 are (1, 100].
def _within(column: str, low: float, high: float, low_inclusive: bool) -> pl.Expr:
    value = pl.col(column)
    above = value >= low if low_inclusive else value > low
    return value.is_null() | (above & (value <= high))


class ValidObservation(pa.DataFrameModel):
    """An observation from a results table whose values are plausible ImageNet-1k results."""

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

    @pa.dataframe_check(name="cells_readable")
    def cells_readable(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("parse_errors").list.len() == 0)

    @pa.dataframe_check(name="top1_in_range")
    def top1_in_range(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_within("top1", 1, 100, low_inclusive=False))

    @pa.dataframe_check(name="top5_in_range")
    def top5_in_range(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_within("top5", 1, 100, low_inclusive=False))

    @pa.dataframe_check(name="top5_at_least_top1")
    def top5_at_least_top1(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(fields.top5_not_below_top1())

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
