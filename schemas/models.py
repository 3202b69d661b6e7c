"""The models table: one row per model name, across every section and document."""

import pandera.polars as pa
import polars as pl


class Model(pa.DataFrameModel):
    """A model as named in the sources, with or without a measured result."""

    model: str = pa.Field(unique=True, description="Model name as published, markup removed")
    architecture: str = pa.Field(description="timm architecture (before the dot), else the name")
    pretrained_tag: str = pa.Field(nullable=True, description="timm pretrained tag; null if none")
    family: str = pa.Field(nullable=True, description="Model family as published ('name' column)")
    params_m: pl.Float64 = pa.Field(
        nullable=True, gt=0, description="Parameters, millions (the most published value)"
    )
    params_lower_bound: bool = pa.Field(description="params_m is a lower bound ('150+')")
    pretrain_datasets: pl.List(pl.String) = pa.Field(
        description="Pretraining datasets it has observations for, sorted"
    )
    n_results: pl.Int32 = pa.Field(ge=0, description="Results (rows of results) for the model")
    n_observations: pl.Int32 = pa.Field(ge=1, description="Rows published for it, incl. no value")
    best_top1: pl.Float64 = pa.Field(nullable=True, description="Highest top-1 of its results, %")

    class Config:
        strict = True
