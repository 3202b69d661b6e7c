"""Columns several tables share, declared once: where a row came from, which model it names."""

from typing import Any

import pandera.polars as pa
import polars as pl

RAW_CELL_EXAMPLE = '[{"header": "Top-1", "text": "84.648"}]'


def top5_not_below_top1() -> pl.Expr:
    """True where top-5 is at least top-1, or either is missing: the rule results and rows share."""
    top1, top5 = pl.col("top1"), pl.col("top5")
    return top1.is_null() | top5.is_null() | (top5 >= top1)


def source(description: str = "Path of the document, relative to the raw directory") -> Any:
    """The document a row came from."""
    return pa.Field(
        description=description, metadata={"unit": "", "example": "timm-2025-models.md"}
    )


def table_index() -> Any:
    """The table's position in its document."""
    return pa.Field(
        ge=0,
        description="0-based index of the table in its document",
        metadata={"unit": "", "example": "0"},
    )


def row_index() -> Any:
    """The row's position in its table body."""
    return pa.Field(
        ge=0,
        description="0-based index of the row in its table body",
        metadata={"unit": "", "example": "3"},
    )


def line(description: str = "1-based line of this row in the document") -> Any:
    """A 1-based line number in the document."""
    return pa.Field(
        ge=1, description=description, metadata={"unit": "line number", "example": "14"}
    )


def observation_id(**checks: Any) -> Any:
    """The id of an extracted row: document, table and row."""
    return pa.Field(
        **checks,
        description="'<source>#<table_index>.<row_index>', stable while the document is",
        metadata={"unit": "", "example": "timm-2025-models.md#0.3"},
    )


def raw_cells() -> Any:
    """Every cell of a row as extracted."""
    return pa.Field(
        description="Every cell of the row as extracted: header text and cell text",
        metadata={"unit": "", "example": RAW_CELL_EXAMPLE},
    )


def model_raw() -> Any:
    """The model cell as extracted."""
    return pa.Field(
        nullable=True,
        description="Model cell as extracted",
        metadata={"unit": "", "example": "vit_large_patch16_rope_224.naver_in1k"},
    )


def model(nullable: bool = False) -> Any:
    """The model name."""
    return pa.Field(
        nullable=nullable,
        description="Model name as published, markup removed",
        metadata={"unit": "", "example": "vit_large_patch16_rope_224.naver_in1k"},
    )


def architecture(nullable: bool = False) -> Any:
    """The timm architecture, or the whole paper name."""
    return pa.Field(
        nullable=nullable,
        description="timm architecture (name before the dot); the whole name otherwise",
        metadata={"unit": "", "example": "vit_large_patch16_rope_224"},
    )


def pretrained_tag() -> Any:
    """The timm pretrained tag."""
    return pa.Field(
        nullable=True,
        description="timm pretrained tag (after the dot); null for paper names",
        metadata={"unit": "", "example": "naver_in1k"},
    )


def family() -> Any:
    """The model family as the source names it."""
    return pa.Field(
        nullable=True,
        description="Model family as published ('name' column)",
        metadata={"unit": "", "example": "MetaFormer"},
    )


def params_lower_bound() -> Any:
    """Whether the parameter count is a lower bound."""
    return pa.Field(
        description="True when the page gave a lower bound ('150+'), not the exact count",
        metadata={"unit": "", "example": "false"},
    )


def training_method() -> Any:
    """The training method as published."""
    return pa.Field(
        nullable=True,
        description="Training method as published (known errors corrected, see corrections)",
        metadata={"unit": "", "example": "FCMAE + finetuning"},
    )
