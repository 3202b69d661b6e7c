"""The conflicts table: one result key published with different values."""

import pandera.polars as pa
import polars as pl


class Conflict(pa.DataFrameModel):
    """A field on which the observations of one result disagree, and which value was kept."""

    result_id: str = pa.Field(description="The result whose observations disagree")
    model: str = pa.Field(description="Model name of the result")
    field: str = pa.Field(description="The disagreeing column (top1, params_m, ...)")
    chosen_value: str = pa.Field(description="Value kept in results, as text")
    chosen_observations: pl.List(pl.String) = pa.Field(
        description="Observations (source#table.row) publishing the kept value"
    )
    other_value: str = pa.Field(description="A value not kept, as text")
    other_observations: pl.List(pl.String) = pa.Field(
        description="Observations publishing the other value"
    )
    rule: str = pa.Field(description="Why the kept value was kept")

    class Config:
        strict = True
        unique = ["result_id", "field", "other_value"]
