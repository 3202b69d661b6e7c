"""The models table: one row per model name, across every section and document."""

import pandera.polars as pa
import polars as pl

from schemas import fields


class Model(pa.DataFrameModel):
    """A model as named in the sources, with or without a measured result."""

    model: str = fields.model()
    architecture: str = fields.architecture()
    pretrained_tag: str = fields.pretrained_tag()
    family: str = fields.family()
    params_m: pl.Float64 = pa.Field(
        nullable=True,
        gt=0,
        description="Parameters, millions (the most published value)",
        metadata={"unit": "millions of parameters", "example": "304.17"},
    )
    params_lower_bound: bool = fields.params_lower_bound()
    pretrain_datasets: pl.List(pl.String) = pa.Field(
        description="Pretraining datasets it has observations for, sorted",
        metadata={"unit": "", "example": '["imagenet-1k"]'},
    )
    n_results: pl.Int32 = pa.Field(
        ge=0,
        description="Results (rows of results) for the model",
        metadata={"unit": "count", "example": "1"},
    )
    n_observations: pl.Int32 = pa.Field(
        ge=1,
        description="Rows published for it, incl. no value",
        metadata={"unit": "count", "example": "1"},
    )
    best_top1: pl.Float64 = pa.Field(
        nullable=True,
        description="Highest top-1 of its results, %",
        metadata={"unit": "%", "example": "84.648"},
    )

    class Config:
        strict = True
