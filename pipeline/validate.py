"""Validate: domain checks on results-table rows (failures -> quarantine) and output contracts."""

import pandera.errors
import pandera.polars as pa
import polars as pl

from pipeline.errors import SchemaViolation
from schemas.quarantine import QuarantinedRow
from schemas.valid_observation import LIKELY_CAUSES, ValidObservation, unreadable_cells

QUARANTINE_COLUMNS = list(QuarantinedRow.to_schema().columns)
CHECKED_COLUMNS = list(ValidObservation.to_schema().columns)
# Quarantine rows in source order, then by check.
QUARANTINE_ORDER = ["source", "table_index", "row_index", "check"]


# A cell of a separator row: empty, or a delimiter cell (":---:").
SEPARATOR_CELL = r"^(?::?[-–—]+:?)?$"


def quarantine_failures(observations: pl.DataFrame) -> pl.DataFrame:
    """Rows of results tables that fail a domain check, one row per failed check, with the cause."""
    # Only the checked columns of the candidates, and each one's row in observations: copying
    # every column of a million candidate rows would cost ~0.5 GB for the few that fail.
    candidates = (
        observations.select(*CHECKED_COLUMNS, "is_results_table")
        .with_row_index("observation_row")
        .filter(
            pl.col("is_results_table")
            & ~pl.col("observation_row").is_in(_blank_rows(observations).implode())
        )
    )
    try:
        ValidObservation.validate(candidates, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        failures = _row_failures(errors.failure_cases)
        rows = candidates.get_column("observation_row").gather(failures.get_column("position"))
        return _quarantine_rows(observations, rows, failures.get_column("check"))
    return empty_quarantine()


def _blank_rows(observations: pl.DataFrame) -> pl.Series:
    """The rows of results tables whose every cell is empty or a delimiter cell (a separator
    row, "| |", or the delimiter row drawn again between models, "|---|:---:|"): they fail no
    check, and are rows with no result. Only rows without a model can be."""
    unnamed = (
        observations.select("is_results_table", "model", "raw_cells")
        .with_row_index("observation_row")
        .filter(pl.col("is_results_table") & pl.col("model").is_null())
    )
    texts = pl.col("raw_cells").list.eval(pl.element().struct.field("text").str.strip_chars())
    written = ~pl.element().str.contains(SEPARATOR_CELL)
    blank = ~texts.list.eval(written).list.any().fill_null(False)
    return unnamed.filter(blank).get_column("observation_row")


def _row_failures(failure_cases: pl.DataFrame) -> pl.DataFrame:
    structural = failure_cases.filter(pl.col("index").is_null())
    if structural.height:
        raise SchemaViolation(f"observations do not fit the checks' columns:\n{structural}")
    return failure_cases.select(
        pl.col("index").cast(pl.UInt32).alias("position"), pl.col("check")
    ).unique(maintain_order=True)


def _quarantine_rows(
    observations: pl.DataFrame, rows: pl.Series, checks: pl.Series
) -> pl.DataFrame:
    """The quarantine rows: each failing observation row with its check and the likely cause."""
    kept = [name for name in [*QUARANTINE_COLUMNS, "parse_errors"] if name in observations.columns]
    return quarantine_table(
        observations.select(pl.col(kept).gather(rows)).with_columns(check=checks)
    )


def quarantine_table(failed: pl.DataFrame) -> pl.DataFrame:
    """The quarantine table of observation rows (with their parse_errors) with the check each
    failed, and its cause: for an unreadable cell, the cells that could not be read."""
    causes = pl.col("check").replace_strict(LIKELY_CAUSES, return_dtype=pl.String)
    unread = pl.format("({})", unreadable_cells().list.join("; "))
    reasons = (
        pl.when(pl.col("check") == "cells_readable")
        .then(causes.str.replace("(parse_errors)", unread, literal=True))
        .otherwise(causes)
    )
    return failed.with_columns(reason=reasons).select(QUARANTINE_COLUMNS).sort(QUARANTINE_ORDER)


def empty_quarantine() -> pl.DataFrame:
    """The quarantine table with no rows and its full schema."""
    return empty_frame(QuarantinedRow)


def empty_frame(model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """A frame with no rows and exactly the columns and dtypes of a schema."""
    columns = model.to_schema().columns
    return pl.DataFrame(schema={name: column.dtype.type for name, column in columns.items()})


def ensure_schema(frame: pl.DataFrame, model: type[pa.DataFrameModel], table: str) -> pl.DataFrame:
    """The frame if it fits its schema; else fail: an output never breaks its own contract."""
    null_typed = [name for name, dtype in frame.schema.items() if dtype == pl.Null]
    if null_typed:
        raise SchemaViolation(f"table {table}: columns with no type (all null): {null_typed}")
    try:
        return model.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        summary = errors.failure_cases.select("column", "check", "failure_case").head(10)
        raise SchemaViolation(
            f"table {table} breaks its schema {model.__name__}:\n{summary}"
        ) from None


def ensure_unique(frame: pl.DataFrame, columns: list[str], table: str) -> None:
    """Fail when rows of the table repeat the columns that identify a row (a bug, not input)."""
    repeated = frame.select(columns).filter(pl.struct(columns).is_duplicated())
    if repeated.height:
        raise SchemaViolation(
            f"table {table}: {repeated.height} rows repeat {columns}, e.g. {repeated.row(0)}"
        )
