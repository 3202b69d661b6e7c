"""Extracted rows -> normalized observations: canonical columns, typed values, context (pure)."""

import polars as pl

from pipeline import context, headers, units
from pipeline.errors import SchemaViolation
from schemas.observations import RAW_CELL, NormalizedObservation

TABLE_KEY = ["source", "table_index"]
# Where each canonical column's cell text is kept as extracted.
RAW_COLUMN = {
    "model": "model_raw",
    "family": "family_raw",
    "top1": "top1_raw",
    "top5": "top5_raw",
    "params_m": "params_raw",
    "img_size": "img_size_raw",
    "eval_seq_len": "eval_seq_len_raw",
    "pretrain_dataset": "pretrain_dataset_raw",
    "training_method": "training_method_raw",
}
# How each numeric column's cells are read.
READERS = {
    "top1": units.ACCURACY_READER,
    "top5": units.ACCURACY_READER,
    "params_m": units.PARAMS_READER,
    "img_size": units.IMAGE_SIZE_READER,
    "eval_seq_len": units.SEQUENCE_LENGTH_READER,
}
TEXT_COLUMNS = ("model", "family", "training_method")


def unknown_columns(tables: pl.DataFrame) -> pl.DataFrame:
    """One row per (source, table_index, line, header) whose header maps to no canonical column."""
    return headers.unknown_headers(tables)


def normalize_rows(tables: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Every extracted body row as a NormalizedObservation: canonical columns, values, context."""
    width = rows.select(pl.col("cells").list.len().max().fill_null(0)).item()
    located = rows.join(table_context(tables), on=TABLE_KEY, how="left", maintain_order="left")
    # Each step materializes what the next reads, so a cell is cleaned once for its value,
    # its footnote mark and its parse error (polars shares little across when/then branches).
    valued = (
        located.lazy()
        .with_columns(raw_texts())
        .with_columns(*cleaned_texts(), observation_id())
        .with_columns(*value_texts())
        .with_columns(*values(), *footnote_parts(width))
        .with_columns(*cell_errors())
        .with_columns(
            architecture=context.architecture(pl.col("model")),
            pretrained_tag=context.pretrained_tag(pl.col("model")),
        )
        .collect()
        .with_columns(raw_cells(located))
    )
    observations = context.with_pretrain_datasets(valued).rename(
        {"pretrain_dataset_error": "_error_pretrain_dataset"}
    )
    footnotes = present_values(observations, "_footnote_")
    return observations.with_columns(
        parse_errors=present_values(observations, "_error_"),
        footnotes=pl.when(footnotes.list.len() > 0).then(footnotes),
    ).select(output_columns())


def table_context(tables: pl.DataFrame) -> pl.DataFrame:
    """Per table: its line, headings, header, canonical column positions and heading dataset."""
    return (
        tables.select(*TABLE_KEY, "heading_path", "header", table_line="line")
        .join(headers.table_columns(tables), on=TABLE_KEY, how="left", maintain_order="left")
        .join(context.heading_datasets(tables), on=TABLE_KEY, how="left", maintain_order="left")
    )


def raw_texts() -> list[pl.Expr]:
    """The cell text of each canonical column as extracted (model_raw, ...), null if no column."""
    return [
        pl.col("cells").list.get(pl.col(f"pos_{column}"), null_on_oob=True).alias(raw)
        for column, raw in RAW_COLUMN.items()
    ]


def cleaned_texts() -> list[pl.Expr]:
    """Per numeric column its cell text with spaces and markup normalized (_clean_top1)."""
    return [
        units.cleaned_text(pl.col(RAW_COLUMN[column])).alias(f"_clean_{column}")
        for column in READERS
    ]


def value_texts() -> list[pl.Expr]:
    """Per numeric column its value text (_text_top1) and footnote mark (_mark_top1)."""
    cleaned = [(column, pl.col(f"_clean_{column}")) for column in READERS]
    texts = [units.unmarked_value(text).alias(f"_text_{column}") for column, text in cleaned]
    marks = [units.mark_of(text).alias(f"_mark_{column}") for column, text in cleaned]
    return [*texts, *marks]


def values() -> list[pl.Expr]:
    """Typed values of the numeric columns and trimmed text of the text columns."""
    numbers = [
        reader.value(pl.col(f"_text_{column}")).alias(column) for column, reader in READERS.items()
    ]
    texts = [trimmed(pl.col(RAW_COLUMN[column])).alias(column) for column in TEXT_COLUMNS]
    lower_bound = units.params_bound(pl.col("_text_params_m")).alias("params_lower_bound")
    return [*numbers, *texts, lower_bound]


def trimmed(cell: pl.Expr) -> pl.Expr:
    """Cell text without surrounding spaces, null when empty."""
    text = cell.str.strip_chars()
    return pl.when(text != "").then(text)


def footnote_parts(width: int) -> list[pl.Expr]:
    """Per numeric column its mark as 'top1:*' and per cell its note as 'top1:1' (_footnote_*)."""
    marks = [
        pl.concat_str(pl.lit(f"{column}:"), pl.col(f"_mark_{column}")).alias(f"_footnote_{column}")
        for column in READERS
    ]
    return [*marks, *(_cell_note(position) for position in range(width))]


def _cell_note(position: int) -> pl.Expr:
    note = pl.col("cell_notes").list.get(position, null_on_oob=True)
    name = pl.col("column_names").list.get(position, null_on_oob=True)
    found = pl.when(note != "").then(pl.concat_str(name, pl.lit(":"), note))
    return found.alias(f"_footnote_{position}")


def present_values(frame: pl.DataFrame, prefix: str) -> pl.Series:
    """Per row, the non-null values of the columns named prefix*, in column order; [] if none."""
    # Unpivot, drop nulls and gather back by row: pl.concat_list over a million rows of
    # mostly-null strings takes a second, this a tenth of that.
    columns = [name for name in frame.columns if name.startswith(prefix)]
    rows = pl.DataFrame({"row": pl.int_range(frame.height, dtype=pl.UInt32, eager=True)})
    present = (
        frame.select(columns)
        .with_row_index("row")
        .unpivot(index="row", value_name="found")
        .drop_nulls("found")
        .sort("row", maintain_order=True)
        .group_by("row", maintain_order=True)
        .agg(pl.col("found").cast(pl.String))
    )
    gathered = rows.join(present, on="row", how="left", maintain_order="left")
    return gathered.get_column("found").fill_null(pl.lit([], pl.List(pl.String)))


def raw_cells(rows: pl.DataFrame) -> pl.Series:
    """Every cell of each row as {header, text}, in order, whatever its column means."""
    mismatched = rows.filter(pl.col("header").list.len() != pl.col("cells").list.len())
    if mismatched.height:
        where = mismatched.row(0, named=True)
        raise SchemaViolation(
            f"{where['source']} table {where['table_index']} row {where['row_index']} has "
            f"{len(where['cells'])} cells for {len(where['header'])} headers: the extractor "
            "must pad or truncate rows to the header (ExtractedRow contract)"
        )
    # Exploding both lists and gathering them back by row is ~100x faster than building the
    # list from per-position structs; a row without cells explodes to one null and gathers to [].
    return (
        rows.select("header", "cells")
        .with_row_index("row")
        .explode(["header", "cells"])
        .group_by("row", maintain_order=True)
        .agg(
            pl.struct(header="header", text="cells")
            .filter(pl.col("cells").is_not_null())
            .alias("raw_cells")
        )
        .get_column("raw_cells")
        .cast(pl.List(RAW_CELL))
    )


def observation_id() -> pl.Expr:
    """'<source>#<table_index>.<row_index>'."""
    parts = [pl.col("source"), pl.lit("#"), pl.col("table_index"), pl.lit("."), pl.col("row_index")]
    return pl.concat_str(parts).alias("observation_id")


def cell_errors() -> list[pl.Expr]:
    """Per numeric column, its cell's parse error or null (_error_top1, ...)."""
    return [
        units.parse_error(
            column,
            pl.col(RAW_COLUMN[column]),
            reader.problem(pl.col(f"_text_{column}"), pl.col(column)),
        ).alias(f"_error_{column}")
        for column, reader in READERS.items()
    ]


def output_columns() -> list[pl.Expr]:
    """The NormalizedObservation columns, in schema order, with their declared dtypes."""
    schema = NormalizedObservation.to_schema()
    return [pl.col(name).cast(column.dtype.type) for name, column in schema.columns.items()]
