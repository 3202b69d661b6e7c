"""The results table: one measured result per model, pretraining dataset and eval resolution."""

import pandera.polars as pa
import polars as pl


class Result(pa.DataFrameModel):
    """One result: a model, pretrained on one dataset, evaluated on ImageNet-1k val at one size."""

    result_id: str = pa.Field(
        unique=True, str_length=16, description="Stable id: hash of the key (model, dataset, sizes)"
    )
    model: str = pa.Field(description="Model name as published, markup removed")
    architecture: str = pa.Field(description="timm architecture (before the dot), else the name")
    pretrained_tag: str = pa.Field(nullable=True, description="timm pretrained tag; null if none")
    family: str = pa.Field(nullable=True, description="Model family as published ('name' column)")
    top1: pl.Float64 = pa.Field(nullable=True, gt=0, le=100, description="Top-1 accuracy, %")
    top5: pl.Float64 = pa.Field(nullable=True, gt=0, le=100, description="Top-5 accuracy, %")
    params_m: pl.Float64 = pa.Field(nullable=True, gt=0, description="Parameters, millions")
    params_lower_bound: bool = pa.Field(description="params_m is a lower bound ('150+')")
    img_size: pl.Int32 = pa.Field(
        nullable=True, ge=32, le=2048, description="Eval image resolution, pixels per side"
    )
    eval_seq_len: pl.Int32 = pa.Field(
        nullable=True, gt=0, description="Eval sequence length, tokens (NaFlexViT)"
    )
    pretrain_dataset: str = pa.Field(nullable=True, description="Canonical pretraining dataset")
    pretrain_dataset_label: str = pa.Field(
        nullable=True, description="Pretraining dataset as first written (IN-21K, in12k, ...)"
    )
    training_method: str = pa.Field(nullable=True, description="Training method as published")
    eval_dataset: str = pa.Field(isin=["imagenet-1k"], description="Evaluation dataset")
    n_observations: pl.Int32 = pa.Field(ge=1, description="Places this result was published")
    sources: pl.List(pl.String) = pa.Field(description="Documents that publish it, sorted")
    first_source: str = pa.Field(description="Document of its first observation")
    first_line: pl.Int32 = pa.Field(ge=1, description="Line of its first observation")
    has_conflict: bool = pa.Field(description="Its observations disagree on a value (conflicts)")

    class Config:
        strict = True
        unique = ["model", "pretrain_dataset", "img_size", "eval_seq_len"]

    @pa.dataframe_check(name="top5_at_least_top1")
    def top5_at_least_top1(cls, data: pa.PolarsData) -> pl.LazyFrame:
        top1, top5 = pl.col("top1"), pl.col("top5")
        return data.lazyframe.select(top1.is_null() | top5.is_null() | (top5 >= top1))
