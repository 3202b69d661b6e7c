"""Pandera models: one per table boundary of the pipeline. Column descriptions live here."""

import pandera.polars as pa

from schemas.conflicts import Conflict
from schemas.models import Model
from schemas.observations import Observation
from schemas.quarantine import QuarantinedRow
from schemas.results import Result
from schemas.sources import Source

# Bump on any change to a published table's columns: major when a reader breaks (a column
# removed, renamed or retyped), minor when columns are added.
SCHEMA_VERSION = "1.0.0"

# The published tables, in the order they are written and listed.
PUBLISHED_TABLES: dict[str, type[pa.DataFrameModel]] = {
    "results": Result,
    "models": Model,
    "observations": Observation,
    "sources": Source,
    "conflicts": Conflict,
    "quarantine": QuarantinedRow,
}

# The columns that identify a row of each published table, for diffs between versions.
TABLE_KEYS: dict[str, list[str]] = {
    "results": ["result_id"],
    "models": ["model"],
    "observations": ["observation_id"],
    "sources": ["source"],
    "conflicts": ["result_id", "field", "other_value"],
    "quarantine": ["observation_id", "check"],
}
