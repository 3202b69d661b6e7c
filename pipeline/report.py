"""What a build tells a person: counts, and a warning naming the file and line behind each doubt."""

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.decode import Doc


@dataclass(frozen=True)
class BuildWarning:
    """Something a person should look at, at a file and (when known) a line."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.message}"


@dataclass
class BuildReport:
    """What a build read, made and wrote: the summary printed at its end."""

    version: str
    path: Path
    written: bool
    counts: dict[str, int]
    warnings: list[BuildWarning] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)


def count_outputs(docs: list[Doc], tables: dict[str, pl.DataFrame], found: int) -> dict[str, int]:
    """The counts of the summary table, in the order they are shown."""
    observations = tables["observations"]
    return {
        "documents": len(docs),
        "tables": found,
        "rows": observations.height,
        "results": tables["results"].height,
        "models": tables["models"].height,
        "conflicts": tables["conflicts"].height,
        "quarantined": observations.filter(pl.col("status") == "quarantined").height,
    }


def collect_warnings(
    docs: list[Doc], unknown: pl.DataFrame, tables: dict[str, pl.DataFrame]
) -> list[BuildWarning]:
    """Every warning of a build, in source order: decoding, unknown columns, ragged rows, ..."""
    found = (
        decoding_warnings(docs)
        + unknown_column_warnings(unknown)
        + ragged_row_warnings(tables["observations"])
        + quarantine_warnings(tables["quarantine"])
        + conflict_warnings(tables["conflicts"], tables["observations"])
    )
    return sorted(found, key=lambda w: (w.source, w.line or 0, w.message))


def decoding_warnings(docs: list[Doc]) -> list[BuildWarning]:
    """A warning per repair made while decoding a document (cp1252 fallback, mojibake)."""
    return [BuildWarning(doc.path, None, note) for doc in docs for note in doc.notes]


def unknown_column_warnings(unknown: pl.DataFrame) -> list[BuildWarning]:
    """A warning per table column that maps to no canonical column (kept in raw_cells)."""
    return [
        BuildWarning(
            row["source"],
            row["line"],
            f"column {row['header']!r} maps to no known column; kept in observations.raw_cells",
        )
        for row in unknown.iter_rows(named=True)
    ]


def ragged_row_warnings(observations: pl.DataFrame) -> list[BuildWarning]:
    """A warning per body row whose cell count differed from its header (padded or truncated)."""
    ragged = observations.filter(pl.col("ragged")).select("source", "line")
    return [
        BuildWarning(source, line, "row has more or fewer cells than its header; padded/cut")
        for source, line in ragged.iter_rows()
    ]


def quarantine_warnings(quarantine: pl.DataFrame) -> list[BuildWarning]:
    """A warning per quarantined row and failed check, with the likely cause."""
    return [
        BuildWarning(row["source"], row["line"], f"quarantined ({row['check']}): {row['reason']}")
        for row in quarantine.iter_rows(named=True)
    ]


def conflict_warnings(conflicts: pl.DataFrame, observations: pl.DataFrame) -> list[BuildWarning]:
    """A warning at each place publishing a value that was not kept."""
    places = dict(observations.select("observation_id", "source").iter_rows())
    lines = dict(observations.select("observation_id", "line").iter_rows())
    return [
        BuildWarning(
            places[other],
            lines[other],
            f"{row['model']} {row['field']} {row['other_value']} conflicts with "
            f"{row['chosen_value']} at {', '.join(row['chosen_observations'])} (kept "
            f"{row['chosen_value']}: {row['rule']})",
        )
        for row in conflicts.iter_rows(named=True)
        for other in row["other_observations"]
    ]
