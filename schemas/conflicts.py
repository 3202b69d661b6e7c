"""The conflicts table: one result key published with different values."""

import pandera.polars as pa
import polars as pl


class Conflict(pa.DataFrameModel):
    """A field on which the observations of one result disagree, and which value was kept."""

    result_id: str = pa.Field(
        description="The result whose observations disagree",
        metadata={"unit": "", "example": "8a14c1fe4cea4cb2"},
    )
    model: str = pa.Field(
        description="Model name of the result", metadata={"unit": "", "example": "caformer_b36_384"}
    )
    field: str = pa.Field(
        description="The disagreeing column (top1, params_m, ...)",
        metadata={"unit": "", "example": "params_m"},
    )
    chosen_value: str = pa.Field(
        description="Value kept in results, as text", metadata={"unit": "", "example": "99.0"}
    )
    chosen_observations: pl.List(pl.String) = pa.Field(
        description="Observations (source#table.row) publishing the kept value",
        metadata={"unit": "", "example": '["obsidian-backbones-comparison.md#0.0"]'},
    )
    other_value: str = pa.Field(
        description="A value not kept, as text", metadata={"unit": "", "example": "98.8"}
    )
    other_observations: pl.List(pl.String) = pa.Field(
        description="Observations publishing the other value",
        metadata={"unit": "", "example": '["timm-metrics-overview.md#2.1"]'},
    )
    rule: str = pa.Field(
        description="Why the kept value was kept",
        metadata={
            "unit": "",
            "example": (
                "most published value; a tie goes to the first in source order (path, table, row)"
            ),
        },
    )

    class Config:
        strict = True
        unique = ["result_id", "field", "other_value"]
