"""The models table: one row per model name, across every section and document."""

import pandera.polars as pa
import polars as pl


class Model(pa.DataFrameModel):
    """A model as named in the sources, with or without a measured result."""

    model: str = pa.Field(
        unique=True,
        description="Model name as published, markup removed",
        metadata={"unit": "", "example": "vit_large_patch16_rope_224.naver_in1k"},
    )
    architecture: str = pa.Field(
        description="timm architecture (before the dot), else the name",
        metadata={"unit": "", "example": "vit_large_patch16_rope_224"},
    )
    pretrained_tag: str = pa.Field(
        nullable=True,
        description="timm pretrained tag; null if none",
        metadata={"unit": "", "example": "naver_in1k"},
    )
    family: str = pa.Field(
        nullable=True,
        description="Model family as published ('name' column)",
        metadata={"unit": "", "example": "MetaFormer"},
    )
    params_m: pl.Float64 = pa.Field(
        nullable=True,
        gt=0,
        description="Parameters, millions (the most published value)",
        metadata={"unit": "millions of parameters", "example": "304.17"},
    )
    params_lower_bound: bool = pa.Field(
        description="params_m is a lower bound ('150+')", metadata={"unit": "", "example": "false"}
    )
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
