"""Errata: corrections of known errors in the raw documents, each one flagged on its rows (pure)."""

import tomllib
from dataclasses import dataclass
from importlib import resources

import polars as pl

from pipeline.errors import ModelmetricsError

CORRECTABLE_FIELDS = ("model", "family", "training_method", "pretrain_dataset_label")


@dataclass(frozen=True)
class Correction:
    """One known error: which rows, which field, the right value and the evidence for it."""

    source: str
    field: str
    replacement: str
    reason: str
    equals: str | None = None
    contains: str | None = None
    model_prefix: str | None = None


def load_errata(text: str | None = None) -> list[Correction]:
    """The corrections in pipeline/data/errata.toml (or in the given TOML text), checked."""
    if text is None:
        text = resources.files("pipeline").joinpath("data/errata.toml").read_text("utf-8")
    return [_correction(entry) for entry in tomllib.loads(text).get("correction", [])]


def _correction(entry: dict[str, str]) -> Correction:
    try:
        correction = Correction(**entry)
    except TypeError as error:
        raise ModelmetricsError(f"errata.toml: entry {entry} is malformed ({error})") from None
    if correction.field not in CORRECTABLE_FIELDS:
        raise ModelmetricsError(f"errata.toml: field {correction.field!r} cannot be corrected")
    if (correction.equals is None) == (correction.contains is None):
        raise ModelmetricsError(f"errata.toml: {entry} needs exactly one of equals or contains")
    return correction


def apply_errata(observations: pl.DataFrame, errata: list[Correction]) -> pl.DataFrame:
    """Observations with each matching correction applied and listed in `corrections`."""
    corrected, matched = correct_rows(observations, errata)
    refuse_stale(errata, matched, set(observations.get_column("source").unique().to_list()))
    return corrected


def correct_rows(
    observations: pl.DataFrame, errata: list[Correction]
) -> tuple[pl.DataFrame, set[int]]:
    """Some observations corrected, and the positions in errata of the corrections that matched.

    Rows can be corrected a batch at a time; whether a correction is stale (matches no row of
    its document) is known after the last batch: refuse_stale.
    """
    corrected = observations.with_columns(corrections=pl.lit([], dtype=pl.List(pl.String)))
    matches = [_matches(correction) for correction in errata]
    found = (
        observations.select(match.any().alias(str(i)) for i, match in enumerate(matches)).row(0)
        if errata
        else ()
    )
    for correction, match in zip(errata, matches, strict=True):
        corrected = corrected.with_columns(
            *_corrected_columns(correction, match),
            pl.when(match)
            .then(pl.col("corrections").list.concat(pl.lit([_note(correction)])))
            .otherwise(pl.col("corrections")),
        )
    return corrected, {position for position, hit in enumerate(found) if hit}


def refuse_stale(errata: list[Correction], matched: set[int], sources: set[str]) -> None:
    """Fail on a correction of a present document that matched none of its rows."""
    for position, correction in enumerate(errata):
        if correction.source in sources and position not in matched:
            raise ModelmetricsError(
                f"errata.toml: the correction of {correction.field} in {correction.source} "
                f"({correction.equals or correction.contains!r}) matches no row: stale erratum?"
            )


def _corrected_columns(correction: Correction, matches: pl.Expr) -> list[pl.Expr]:
    field = pl.col(correction.field)
    value = pl.when(matches).then(_corrected_value(correction)).otherwise(field)
    columns = [value.alias(correction.field)]
    if correction.field == "model":
        # A paper name is its own architecture: the corrected name is the corrected architecture.
        renamed = matches & (pl.col("architecture") == field)
        architecture = pl.when(renamed).then(_corrected_value(correction))
        columns.append(architecture.otherwise(pl.col("architecture")).alias("architecture"))
    return columns


def _matches(correction: Correction) -> pl.Expr:
    value = pl.col(correction.field)
    matches = pl.col("source") == correction.source
    if correction.equals is not None:
        matches &= value == correction.equals
    else:
        matches &= value.str.contains(correction.contains or "", literal=True)
    if correction.model_prefix is not None:
        matches &= pl.col("model").str.starts_with(correction.model_prefix)
    return matches.fill_null(False)


def _corrected_value(correction: Correction) -> pl.Expr:
    if correction.equals is not None:
        return pl.lit(correction.replacement)
    target = correction.contains or ""
    return pl.col(correction.field).str.replace_all(target, correction.replacement, literal=True)


def _note(correction: Correction) -> str:
    was = correction.equals if correction.equals is not None else correction.contains
    return f"{correction.field}: {was!r} -> {correction.replacement!r} ({correction.reason})"
