"""Observations: every extracted body row, normalized, and what became of it."""

import pandera.polars as pa
import polars as pl

RAW_CELL = pl.Struct({"header": pl.String, "text": pl.String})


class NormalizedObservation(pa.DataFrameModel):
    """One extracted body row with its cells mapped to canonical columns and unit-cleaned."""

    observation_id: str = pa.Field(
        unique=True, description="'<source>#<table_index>.<row_index>', stable while the doc is"
    )
    source: str = pa.Field(description="Path of the document, relative to the raw directory")
    table_index: pl.Int32 = pa.Field(ge=0, description="0-based index of the table in its document")
    row_index: pl.Int32 = pa.Field(ge=0, description="0-based index of the row in its table body")
    line: pl.Int32 = pa.Field(ge=1, description="1-based line of this row in the document")
    table_line: pl.Int32 = pa.Field(ge=1, description="1-based line of the table's header row")
    heading_path: pl.List(pl.String) = pa.Field(description="Enclosing headings, outermost first")
    raw_cells: pl.List(RAW_CELL) = pa.Field(
        description="Every cell of the row as extracted: header text and cell text"
    )
    unknown_columns: pl.List(pl.String) = pa.Field(
        description="Headers of this table that map to no canonical column (kept in raw_cells)"
    )
    is_results_table: bool = pa.Field(
        description="The table has a model column and a top-1 or top-5 column"
    )
    ragged: bool = pa.Field(description="The row had more or fewer cells than its header")
    links: pl.List(pl.String) = pa.Field(nullable=True, description="Link URLs in the row's cells")
    footnotes: pl.List(pl.String) = pa.Field(
        nullable=True, description="Footnote marks taken off values, as 'column:mark' (top1:*)"
    )
    model_raw: str = pa.Field(nullable=True, description="Model cell as extracted")
    family_raw: str = pa.Field(nullable=True, description="Family ('name') cell as extracted")
    top1_raw: str = pa.Field(nullable=True, description="Top-1 cell as extracted")
    top5_raw: str = pa.Field(nullable=True, description="Top-5 cell as extracted")
    params_raw: str = pa.Field(nullable=True, description="Parameter-count cell as extracted")
    img_size_raw: str = pa.Field(nullable=True, description="Image-size cell as extracted")
    eval_seq_len_raw: str = pa.Field(nullable=True, description="Eval sequence length cell")
    pretrain_dataset_raw: str = pa.Field(nullable=True, description="Training-dataset cell")
    training_method_raw: str = pa.Field(nullable=True, description="Training-method cell")
    model: str = pa.Field(nullable=True, description="Model name as published, markup removed")
    architecture: str = pa.Field(
        nullable=True, description="timm architecture (name before the dot); whole name otherwise"
    )
    pretrained_tag: str = pa.Field(
        nullable=True, description="timm pretrained tag (after the dot); null for paper names"
    )
    family: str = pa.Field(nullable=True, description="Model family as published ('name' column)")
    top1: pl.Float64 = pa.Field(nullable=True, description="ImageNet-1k val top-1 accuracy, %")
    top5: pl.Float64 = pa.Field(nullable=True, description="ImageNet-1k val top-5 accuracy, %")
    params_m: pl.Float64 = pa.Field(nullable=True, description="Parameters, millions")
    params_lower_bound: bool = pa.Field(
        description="True when the page gave a lower bound ('150+'), not the exact count"
    )
    img_size: pl.Int32 = pa.Field(nullable=True, description="Eval image resolution, pixels/side")
    eval_seq_len: pl.Int32 = pa.Field(nullable=True, description="Eval sequence length, tokens")
    pretrain_dataset: str = pa.Field(
        nullable=True, description="Canonical pretraining dataset: imagenet-1k, imagenet-22k, ..."
    )
    pretrain_dataset_label: str = pa.Field(
        nullable=True, description="Pretraining dataset as written where it was found (IN-21K)"
    )
    pretrain_dataset_basis: str = pa.Field(
        nullable=True, description="Where the pretraining dataset came from: cell, tag or heading"
    )
    training_method: str = pa.Field(nullable=True, description="Training method as published")
    parse_errors: pl.List(pl.String) = pa.Field(
        description="Cells that could not be read, as 'column: reason'; empty when all read"
    )

    class Config:
        strict = True
        unique = ["source", "table_index", "row_index"]


OBSERVATION_STATUSES = ["result", "no_result", "quarantined", "not_results_table"]


class Observation(NormalizedObservation):
    """A published observation: a normalized row and what became of it."""

    result_id: str = pa.Field(
        nullable=True, description="The result this row became or confirms; null when none"
    )
    status: str = pa.Field(
        isin=OBSERVATION_STATUSES,
        description=(
            "result (became or confirms a result), no_result (no top-1/top-5 published), "
            "quarantined (failed a check), not_results_table (table without model and metrics)"
        ),
    )
