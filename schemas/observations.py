"""Observations: every extracted body row, normalized, and what became of it."""

import pandera.polars as pa
import polars as pl

from schemas import fields

RAW_CELL = pl.Struct({"header": pl.String, "text": pl.String})


class NormalizedObservation(pa.DataFrameModel):
    """One extracted body row with its cells mapped to canonical columns and unit-cleaned."""

    observation_id: str = fields.observation_id(unique=True)
    source: str = fields.source()
    table_index: pl.Int32 = fields.table_index()
    row_index: pl.Int32 = fields.row_index()
    line: pl.Int32 = fields.line()
    table_line: pl.Int32 = pa.Field(
        ge=1,
        description="1-based line of the table's header row",
        metadata={"unit": "line number", "example": "9"},
    )
    heading_path: pl.List(pl.String) = pa.Field(
        description=(
            "Enclosing headings, outermost first, then the table's caption if it has one (a "
            "label just above it: a bold line or a short line ending in a colon)"
        ),
        metadata={
            "unit": "",
            "example": '["2025 Model Metrics", "July 2025: Naver ROPE-ViT Models"]',
        },
    )
    raw_cells: pl.List(RAW_CELL) = fields.raw_cells()
    unknown_columns: pl.List(pl.String) = pa.Field(
        description="Headers of this table that map to no canonical column (kept in raw_cells)",
        metadata={"unit": "", "example": '["GMACs"]'},
    )
    is_results_table: bool = pa.Field(
        description=(
            "The row can give a result: its table has a model column and a top-1 or top-5 "
            "column, and neither the table's headings nor the row's cell in a column of "
            "evaluation sets, protocols or precisions name another evaluation than ImageNet-1k "
            "val (the build log names it)"
        ),
        metadata={"unit": "", "example": "true"},
    )
    ragged: bool = pa.Field(
        description="The row had more or fewer cells than its header",
        metadata={"unit": "", "example": "false"},
    )
    links: pl.List(pl.String) = pa.Field(
        nullable=True,
        description="Link URLs in the row's cells",
        metadata={"unit": "", "example": '["https://github.com/naver-ai/rope-vit"]'},
    )
    footnotes: pl.List(pl.String) = pa.Field(
        nullable=True,
        description="Footnote marks taken off values, as 'column:mark' (top1:*)",
        metadata={"unit": "", "example": '["top1:*"]'},
    )
    model_raw: str = fields.model_raw()
    family_raw: str = pa.Field(
        nullable=True,
        description="Family ('name') cell as extracted",
        metadata={"unit": "", "example": "MetaFormer"},
    )
    top1_raw: str = pa.Field(
        nullable=True,
        description="Top-1 cell as extracted",
        metadata={"unit": "", "example": "84.648"},
    )
    top5_raw: str = pa.Field(
        nullable=True,
        description="Top-5 cell as extracted",
        metadata={"unit": "", "example": "97.122"},
    )
    params_raw: str = pa.Field(
        nullable=True,
        description="Parameter-count cell as extracted",
        metadata={"unit": "", "example": "150+"},
    )
    img_size_raw: str = pa.Field(
        nullable=True,
        description="Image-size cell as extracted",
        metadata={"unit": "", "example": "224x224"},
    )
    eval_seq_len_raw: str = pa.Field(
        nullable=True,
        description="Eval sequence length cell",
        metadata={"unit": "", "example": "576"},
    )
    pretrain_dataset_raw: str = pa.Field(
        nullable=True,
        description="Training-dataset cell",
        metadata={"unit": "", "example": "IN-21K"},
    )
    training_method_raw: str = pa.Field(
        nullable=True,
        description="Training-method cell",
        metadata={"unit": "", "example": "FCMAE + finetuning"},
    )
    model: str = fields.model(nullable=True)
    architecture: str = fields.architecture(nullable=True)
    pretrained_tag: str = fields.pretrained_tag()
    family: str = fields.family()
    top1: pl.Float64 = pa.Field(
        nullable=True,
        description=(
            "Top-1 accuracy, %, as the row gives it: ImageNet-1k val in a row that can give a "
            "result; an error rate is read as 100 minus it, with 'top1:error' in footnotes"
        ),
        metadata={"unit": "%", "example": "84.648"},
    )
    top5: pl.Float64 = pa.Field(
        nullable=True,
        description=(
            "Top-5 accuracy, %, as the row gives it: ImageNet-1k val in a row that can give a "
            "result; an error rate is read as 100 minus it, with 'top5:error' in footnotes"
        ),
        metadata={"unit": "%", "example": "97.122"},
    )
    params_m: pl.Float64 = pa.Field(
        nullable=True,
        description="Parameters, millions",
        metadata={"unit": "millions of parameters", "example": "304.17"},
    )
    params_lower_bound: bool = fields.params_lower_bound()
    img_size: pl.Int32 = pa.Field(
        nullable=True,
        description="Eval image resolution, pixels/side",
        metadata={"unit": "pixels per side", "example": "224"},
    )
    eval_seq_len: pl.Int32 = pa.Field(
        nullable=True,
        description="Eval sequence length, tokens",
        metadata={"unit": "tokens", "example": "576"},
    )
    pretrain_dataset: str = pa.Field(
        nullable=True,
        description="Canonical pretraining dataset: imagenet-1k, imagenet-22k, ...",
        metadata={"unit": "", "example": "imagenet-22k"},
    )
    pretrain_dataset_label: str = pa.Field(
        nullable=True,
        description="Pretraining dataset as written where it was found (IN-21K)",
        metadata={"unit": "", "example": "IN-21K"},
    )
    pretrain_dataset_basis: str = pa.Field(
        nullable=True,
        description=(
            "Where the pretraining dataset came from: its cell, the model name's tag (timm's "
            "in22k_ft_in1k, mmpretrain's in21k-pre), the row's links (a checkpoint file such as "
            "vrwkv_l_22kto1k_384.pth) or the heading: cell, tag, link or heading"
        ),
        metadata={"unit": "", "example": "heading"},
    )
    training_method: str = fields.training_method()
    parse_errors: pl.List(pl.String) = pa.Field(
        description="Cells that could not be read, as \"column: 'cell' problem\"; empty when "
        "all read",
        metadata={"unit": "", "example": "[\"top1: '83.9|85.1' holds 2 numbers, not one\"]"},
    )

    class Config:
        strict = True
        unique = ["source", "table_index", "row_index"]


OBSERVATION_STATUSES = ["result", "no_result", "quarantined", "not_results_table"]


class Observation(NormalizedObservation):
    """A published observation: a normalized row and what became of it."""

    corrections: pl.List(pl.String) = pa.Field(
        description=(
            "Known errors of the source corrected in this row (pipeline/data/errata.toml), as "
            "'field: as written -> corrected (reason)'; the raw cells keep what was published"
        ),
        metadata={
            "unit": "",
            "example": "training_method: '222^2' -> '224^2' (typo: ...)",
        },
    )
    result_id: str = pa.Field(
        nullable=True,
        description="The result this row became or confirms; null when none",
        metadata={"unit": "", "example": "8a14c1fe4cea4cb2"},
    )
    status: str = pa.Field(
        isin=OBSERVATION_STATUSES,
        description=(
            "result (became or confirms a result), no_result (no top-1/top-5 published), "
            "quarantined (failed a check), not_results_table (is_results_table false: no "
            "model or metric column, or another evaluation than ImageNet-1k val)"
        ),
        metadata={"unit": "", "example": "result"},
    )
