"""Extracted rows -> checked observations: normalized, corrected, with status and result id (pure).

A row's observation depends on its cells, its table and the errata only, never on another
document, so documents are observed a few at a time, on every core, and each one's observations
can be cached.
"""

from dataclasses import dataclass

import polars as pl

from pipeline import batches, dedupe, errata, normalize, validate
from schemas.observations import Observation


@dataclass(frozen=True)
class ObservedRows:
    """Some documents' checked observations with their failed checks, in source order, and
    which errata matched their rows."""

    observations: pl.DataFrame
    matched_errata: set[int]


def observe_rows(
    tables: pl.DataFrame, rows: pl.DataFrame, corrections: list[errata.Correction]
) -> ObservedRows:
    """Every extracted row as a checked Observation with its failed checks: normalized
    (normalize_rows), then corrected and checked a batch of whole tables at a time (at least
    BATCH_ROWS rows)."""
    normalized = normalize.normalize_rows(tables, dedupe.in_source_order(rows))
    observed, matched = [], set()
    for batch in batches.table_batches(normalized):
        corrected, matched_here = errata.correct_rows(batch, corrections)
        observed.append(checked_observations(corrected))
        matched |= matched_here
    return ObservedRows(pl.concat(observed), matched)


def checked_observations(observations: pl.DataFrame) -> pl.DataFrame:
    """Corrected observations with status and result ids, checked against their schema, and
    the names of the checks each quarantined row failed (failed_checks, null for the others)."""
    quarantine = validate.quarantine_failures(observations)
    with_status = dedupe.assign_status(observations, quarantine)
    checked = validate.ensure_schema(with_status, Observation, "observations")
    failed = quarantine.group_by("observation_id", maintain_order=True).agg(
        failed_checks=pl.col("check")
    )
    return checked.join(failed, on="observation_id", how="left", maintain_order="left")


def quarantine_rows(observations: pl.DataFrame) -> pl.DataFrame:
    """The quarantine table of observations that carry their failed checks: a row per check."""
    failing = observations.filter(pl.col("failed_checks").is_not_null())
    return validate.quarantine_table(
        failing.explode("failed_checks").rename({"failed_checks": "check"})
    )
