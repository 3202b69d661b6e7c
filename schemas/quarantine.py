"""The quarantine table: rows of results tables that failed a check, with the reason."""

import pandera.polars as pa
import polars as pl

from schemas import fields
from schemas.observations import RAW_CELL


class QuarantinedRow(pa.DataFrameModel):
    """An observation kept out of results, with the check it failed and the likely cause."""

    observation_id: str = fields.observation_id()
    source: str = fields.source()
    table_index: pl.Int32 = fields.table_index()
    row_index: pl.Int32 = fields.row_index()
    line: pl.Int32 = fields.line()
    model_raw: str = fields.model_raw()
    check: str = pa.Field(
        description="Name of the failed check (top5_at_least_top1, ...)",
        metadata={"unit": "", "example": "top5_at_least_top1"},
    )
    reason: str = pa.Field(
        description="The domain fact it breaks and its likely cause; for an unreadable cell, "
        "the cells not read (as in parse_errors)",
        metadata={"unit": "", "example": "top-5 below top-1: columns swapped in the source table?"},
    )
    raw_cells: pl.List(RAW_CELL) = fields.raw_cells()

    class Config:
        strict = True
        unique = ["observation_id", "check"]
