"""What a build tells a person: counts, and a warning naming the file and line behind each doubt."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline import evaluations, extract
from pipeline.decode import Doc
from pipeline.normalize import TABLE_KEY, TableFindings

WARNING_SCHEMA = {"source": pl.String, "line": pl.Int32, "message": pl.String}


@dataclass
class BuildReport:
    """What a build read, made and wrote: the summary printed at its end."""

    version: str
    path: Path
    written: bool
    counts: dict[str, int]
    warnings: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=WARNING_SCHEMA))
    stage_seconds: dict[str, float] = field(default_factory=dict)


# Every observation column the counts and warnings read.
OBSERVATION_COLUMNS = ["observation_id", "source", "table_index", "line", "status", "ragged"]


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
    docs: list[Doc],
    found: TableFindings,
    unread: list[tuple[str, extract.TableNotRead]],
    tables: dict[str, pl.DataFrame],
) -> pl.DataFrame:
    """Every warning of a build (source, line, message), in source order; found holds the
    unknown columns and the tables giving no results for want of a known column or for
    reporting another evaluation, unread the tables not read with their sources."""
    # Built as frames, not strings one by one: a large corpus has tens of thousands of them.
    warnings = [
        decoding_warnings(docs),
        unread_table_warnings(unread),
        unknown_column_warnings(found.unknown),
        other_evaluation_warnings(keeping_rows_out(found.elsewhere, tables["observations"])),
        unnamed_model_warnings(found.unnamed),
        unread_accuracy_warnings(found.unread_accuracies),
        ragged_row_warnings(tables["observations"]),
        quarantine_warnings(tables["quarantine"]),
        conflict_warnings(tables["conflicts"], tables["observations"]),
    ]
    # A warning is said once: four columns headed 'ResNet-18' in one table are one line.
    ordered = pl.concat(warnings).sort("source", "line", "message", nulls_last=False)
    return ordered.unique(maintain_order=True)


def warning_lines(warnings: pl.DataFrame) -> list[str]:
    """Each warning as 'file:line: message' (no line for a whole-file warning)."""
    located = pl.format("{}:{}", "source", "line")
    where = pl.when(pl.col("line").is_null()).then(pl.col("source")).otherwise(located)
    text = pl.format("{}: {}", where, "message")
    return warnings.select(text).to_series().to_list()


def _frame(rows: pl.DataFrame, message: pl.Expr) -> pl.DataFrame:
    return rows.select(pl.col("source"), pl.col("line").cast(pl.Int32), message.alias("message"))


def decoding_warnings(docs: list[Doc]) -> pl.DataFrame:
    """A warning per repair made while decoding a document (cp1252 fallback, mojibake)."""
    notes = [(doc.path, None, note) for doc in docs for note in doc.notes]
    return pl.DataFrame(notes, schema=WARNING_SCHEMA, orient="row")


def unread_table_warnings(unread: Iterable[tuple[str, extract.TableNotRead]]) -> pl.DataFrame:
    """A warning per table not read, (source, table) each, saying why."""
    found = [
        (source, line, f"{kind}, not read: {problem}; its rows are not in the dataset")
        for source, (line, kind, problem) in unread
    ]
    return pl.DataFrame(found, schema=WARNING_SCHEMA, orient="row")


def unknown_column_warnings(unknown: pl.DataFrame) -> pl.DataFrame:
    """A warning per table column that maps to no canonical column, or to one another column of
    its table already reads (kept in raw_cells either way)."""
    unmapped = pl.format(
        "column '{}' maps to no known column; kept in observations.raw_cells", "header"
    )
    repeated = pl.format(
        "column '{}' means {} as another column of its table does, which is read; this one is "
        "kept in observations.raw_cells",
        "header",
        "repeats",
    )
    return _frame(unknown, pl.when(pl.col("repeats").is_null()).then(unmapped).otherwise(repeated))


def unnamed_model_warnings(unnamed: pl.DataFrame) -> pl.DataFrame:
    """A warning per table of top-1 or top-5 values without a column of model names
    (normalize.tables_without_model_names)."""
    message = pl.format(
        "table has top-1 or top-5 values but no column of model names (its first column is "
        "'{}'): its rows are kept as observations, not results",
        "first_header",
    )
    return _frame(unnamed, message)


def unread_accuracy_warnings(unread: pl.DataFrame) -> pl.DataFrame:
    """A warning per table whose columns that read like accuracies are none of them a known
    top-1 or top-5 header (normalize.tables_with_unread_accuracies)."""
    quoted = pl.col("accuracy_headers").list.eval(pl.format("'{}'", pl.element())).list.join(", ")
    message = pl.format(
        "table has columns that read like accuracies ({}) but none is a known top-1 or top-5 "
        "header: its rows are kept as observations, not results",
        quoted,
    )
    return _frame(unread, message)


def keeping_rows_out(elsewhere: pl.DataFrame, observations: pl.DataFrame) -> pl.DataFrame:
    """The tables reporting another evaluation under their headings, and those whose column of
    evaluation sets, protocols or precisions keeps a row out of results: a column naming
    ImageNet-1k val on every row is no news, nor is an empty row between its rows (LocalMamba's
    `||||||||`)."""
    something = pl.any_horizontal(pl.col("model", "top1", "top5").is_not_null())
    kept_out = (
        observations.filter((pl.col("status") == "not_results_table") & something)
        .select(TABLE_KEY)
        .unique()
        .with_columns(kept_out=pl.lit(True))
    )
    return (
        elsewhere.join(kept_out, on=TABLE_KEY, how="left", maintain_order="left")
        .filter(pl.col("heading_evaluation").is_not_null() | pl.col("kept_out").fill_null(False))
        .drop("kept_out")
    )


def other_evaluation_warnings(elsewhere: pl.DataFrame) -> pl.DataFrame:
    """A warning per results-shaped table that reports another evaluation than ImageNet-1k val,
    under its heading or, row by row, in a column of evaluation sets, protocols or precisions."""
    whole_table = pl.format(
        "table reports {}, not ImageNet-1k val: its rows are kept as observations, not results",
        "other_evaluation",
    )
    # A quantized model is evaluated on ImageNet-1k val too: what differs is the model, whether
    # or not its name says so (TFLite's "Mobilenet_V1_1.0_224_quant").
    quantized = pl.format(
        "table reports quantized models ({}): their ImageNet-1k val accuracies are of quantized "
        "weights, and results are of full-precision models only; its rows are kept as "
        "observations, not results",
        "other_evaluation",
    )
    row_by_row = pl.format(
        "table has {} of evaluation sets: its rows naming another set than ImageNet-1k are kept "
        "as observations, not results",
        "other_evaluation",
    )
    by_protocol = pl.format(
        "table has {} of evaluation protocols: its rows naming a linear probe or another "
        "evaluation than ImageNet-1k val are kept as observations, not results",
        "other_evaluation",
    )
    by_precision = pl.format(
        "table has {} of precisions or compressions: its rows naming a quantized or compressed "
        "model (not FP32, not 'None') are kept as observations, not results",
        "other_evaluation",
    )
    in_heading = pl.col("heading_evaluation").is_not_null()
    in_sets = pl.col("pos_evaluation_set").is_not_null()
    in_protocols = pl.col("pos_protocol").is_not_null()
    heading_quantized = evaluations.evaluation_group(pl.col("heading_evaluation")) == (
        evaluations.QUANTIZED_GROUP
    )
    message = (
        pl.when(in_heading & heading_quantized)
        .then(quantized)
        .when(in_heading)
        .then(whole_table)
        .when(in_sets)
        .then(row_by_row)
        .when(in_protocols)
        .then(by_protocol)
    )
    return _frame(elsewhere, message.otherwise(by_precision))


def ragged_row_warnings(observations: pl.DataFrame) -> pl.DataFrame:
    """A warning per body row whose cell count differed from its header (padded or truncated)."""
    message = pl.lit("row has more or fewer cells than its header; padded/cut")
    return _frame(observations.filter(pl.col("ragged")), message)


def quarantine_warnings(quarantine: pl.DataFrame) -> pl.DataFrame:
    """A warning per quarantined row and failed check, with the likely cause."""
    return _frame(quarantine, pl.format("quarantined ({}): {}", "check", "reason"))


def conflict_warnings(conflicts: pl.DataFrame, observations: pl.DataFrame) -> pl.DataFrame:
    """A warning at each place publishing a value that was not kept, naming the first place of
    the kept value by file and line, and why it was kept: more places, or a tie broken by
    source order."""
    places = observations.select("observation_id", "source", "line")
    chosen_places = places.select(
        pl.col("observation_id").alias("_first_chosen"),
        pl.format("{}:{}", "source", "line").alias("_chosen_place"),
    )
    others = (
        conflicts.with_columns(
            _first_chosen=pl.col("chosen_observations").list.first(),
            _against=pl.col("other_observations").list.len(),
        )
        .explode("other_observations")
        .join(places.rename({"observation_id": "other_observations"}), on="other_observations")
        .join(chosen_places, on="_first_chosen", how="left")
    )
    kept, against = pl.col("chosen_observations").list.len(), pl.col("_against")
    why = (
        pl.when(kept > against)
        .then(pl.format("published in {} places against {}", kept, against))
        .otherwise(pl.format("a tie of {} place(s) each, broken by source order", kept))
    )
    more = pl.when(kept > 1).then(pl.format(" and {} more", kept - 1)).otherwise(pl.lit(""))
    message = pl.format(
        "{} {} {} conflicts with {} at {}{} (kept {}: {})",
        "model",
        "field",
        "other_value",
        "chosen_value",
        "_chosen_place",
        more,
        "chosen_value",
        why,
    )
    return _frame(others, message)
