"""The quarantine table: rows of results tables that failed a check, with the reason."""

import pandera.polars as pa
import polars as pl

from schemas.observations import RAW_CELL


class QuarantinedRow(pa.DataFrameModel):
    """An observation kept out of results, with the check it failed and the likely cause."""

    observation_id: str = pa.Field(
        description="'<source>#<table_index>.<row_index>'",
        metadata={"unit": "", "example": "timm-2025-models.md#0.3"},
    )
    source: str = pa.Field(
        description="Path of the document, relative to the raw directory",
        metadata={"unit": "", "example": "timm-2025-models.md"},
    )
    table_index: pl.Int32 = pa.Field(
        ge=0,
        description="0-based index of the table in its document",
        metadata={"unit": "", "example": "0"},
    )
    row_index: pl.Int32 = pa.Field(
        ge=0,
        description="0-based index of the row in its table body",
        metadata={"unit": "", "example": "3"},
    )
    line: pl.Int32 = pa.Field(
        ge=1,
        description="1-based line of the row in the document",
        metadata={"unit": "line number", "example": "14"},
    )
    model_raw: str = pa.Field(
        nullable=True,
        description="Model cell as extracted",
        metadata={"unit": "", "example": "vit_large_patch16_rope_224.naver_in1k"},
    )
    check: str = pa.Field(
        description="Name of the failed check (top5_at_least_top1, ...)",
        metadata={"unit": "", "example": "top5_at_least_top1"},
    )
    reason: str = pa.Field(
        description="The domain fact it breaks and its likely cause",
        metadata={"unit": "", "example": "top-5 below top-1: columns swapped in the source table?"},
    )
    raw_cells: pl.List(RAW_CELL) = pa.Field(
        description="Every cell of the row as extracted",
        metadata={"unit": "", "example": '[{"header": "Top-1", "text": "84.648"}]'},
    )

    class Config:
        strict = True
        unique = ["observation_id", "check"]
