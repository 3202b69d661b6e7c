"""The results table: one measured result per model, pretraining dataset and eval resolution."""

import pandera.polars as pa
import polars as pl

from schemas import fields


class Result(pa.DataFrameModel):
    """One result: a model, pretrained on one dataset, evaluated on ImageNet-1k val at one size."""

    result_id: str = pa.Field(
        unique=True,
        str_length=16,
        description="Stable id: hash of the key (model, dataset, sizes)",
        metadata={"unit": "", "example": "8a14c1fe4cea4cb2"},
    )
    model: str = fields.model()
    architecture: str = fields.architecture()
    pretrained_tag: str = fields.pretrained_tag()
    family: str = fields.family()
    top1: pl.Float64 = pa.Field(
        nullable=True,
        gt=0,
        le=100,
        description="Top-1 accuracy, %",
        metadata={"unit": "%", "example": "84.648"},
    )
    top5: pl.Float64 = pa.Field(
        nullable=True,
        gt=0,
        le=100,
        description="Top-5 accuracy, %",
        metadata={"unit": "%", "example": "97.122"},
    )
    params_m: pl.Float64 = pa.Field(
        nullable=True,
        gt=0,
        description="Parameters, millions",
        metadata={"unit": "millions of parameters", "example": "304.17"},
    )
    params_lower_bound: bool = fields.params_lower_bound()
    img_size: pl.Int32 = pa.Field(
        nullable=True,
        ge=32,
        le=2048,
        description="Eval image resolution, pixels per side",
        metadata={"unit": "pixels per side", "example": "224"},
    )
    eval_seq_len: pl.Int32 = pa.Field(
        nullable=True,
        gt=0,
        description="Eval sequence length, tokens (NaFlexViT)",
        metadata={"unit": "tokens", "example": "576"},
    )
    pretrain_dataset: str = pa.Field(
        nullable=True,
        description="Canonical pretraining dataset",
        metadata={"unit": "", "example": "imagenet-22k"},
    )
    pretrain_dataset_label: str = pa.Field(
        nullable=True,
        description="Pretraining dataset as first written (IN-21K, in12k, ...)",
        metadata={"unit": "", "example": "IN-21K"},
    )
    training_method: str = fields.training_method()
    eval_dataset: str = pa.Field(
        isin=["imagenet-1k"],
        description="Evaluation dataset",
        metadata={"unit": "", "example": "imagenet-1k"},
    )
    n_observations: pl.Int32 = pa.Field(
        ge=1,
        description="Places this result was published",
        metadata={"unit": "count", "example": "2"},
    )
    sources: pl.List(pl.String) = pa.Field(
        description="Documents that publish it, sorted",
        metadata={"unit": "", "example": '["timm-2025-models.md", "timm-metrics-overview.md"]'},
    )
    first_source: str = pa.Field(
        description="Document of its first observation",
        metadata={"unit": "", "example": "timm-2025-models.md"},
    )
    first_line: pl.Int32 = pa.Field(
        ge=1,
        description="Line of its first observation",
        metadata={"unit": "line number", "example": "16"},
    )
    has_conflict: bool = pa.Field(
        description="Its observations disagree on a value (conflicts)",
        metadata={"unit": "", "example": "false"},
    )

    class Config:
        strict = True
        unique = ["model", "pretrain_dataset", "img_size", "eval_seq_len"]

    @pa.dataframe_check(name="top5_at_least_top1")
    def top5_at_least_top1(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(fields.top5_not_below_top1())
