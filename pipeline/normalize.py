"""Extracted rows -> normalized observations: canonical columns, typed values, context (pure)."""

import polars as pl

from pipeline import batches, context, headers, units
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


def normalize_rows(
    tables: pl.DataFrame, rows: pl.DataFrame, batch_rows: int = batches.BATCH_ROWS
) -> pl.DataFrame:
    """Every extracted body row as a NormalizedObservation: canonical columns, values, context."""
    # A row's observation depends on its cells and its table only, so rows are normalized a
    # batch at a time: the intermediate columns of a million rows at once peak at ~1.8 GB.
    located_tables = table_context(tables)
    return batches.map_batches(
        rows, lambda batch: normalize_batch(located_tables, batch), batch_rows
    )


def normalize_batch(located_tables: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """normalize_rows for some rows, given the context of their tables (table_context)."""
    raw = column_texts(rows, located_tables)
    read = pl.concat([rows, raw, cell_values(raw)], how="horizontal")
    known = context.cell_datasets(distinct_value_texts(raw.get_column("pretrain_dataset_raw")))
    width = rows.select(pl.col("cells").list.len().max().fill_null(0)).item()
    observations = (
        context.pretrain_dataset_columns(with_context(read, located_tables, width), known)
        .rename({"pretrain_dataset_error": "_error_pretrain_dataset"})
        .drop("cells", "cell_notes", "column_names")
        .collect()
    )
    headed = rows.select(*TABLE_KEY, "row_index", "cells").join(
        located_tables.select(*TABLE_KEY, "header"), on=TABLE_KEY, how="left", maintain_order="left"
    )
    footnotes = present_values(observations, "_footnote_")
    return observations.with_columns(
        raw_cells=raw_cells(headed),
        parse_errors=present_values(observations, "_error_"),
        footnotes=pl.when(footnotes.list.len() > 0).then(footnotes),
    ).select(output_columns())


def with_context(read: pl.DataFrame, located_tables: pl.DataFrame, width: int) -> pl.LazyFrame:
    """Read rows with their table's context, text values, cell notes, id and timm name parts."""
    table_columns = located_tables.drop("header", *(f"pos_{column}" for column in RAW_COLUMN))
    return (
        read.lazy()
        .join(table_columns.lazy(), on=TABLE_KEY, how="left", maintain_order="left")
        .with_columns(
            *(trimmed(pl.col(RAW_COLUMN[column])).alias(column) for column in TEXT_COLUMNS),
            *(_cell_note(position) for position in range(width)),
            observation_id(),
            pl.col("params_lower_bound").fill_null(False),
        )
        .with_columns(
            architecture=context.architecture(pl.col("model")),
            pretrained_tag=context.pretrained_tag(pl.col("model")),
        )
    )


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


def column_texts(rows: pl.DataFrame, located_tables: pl.DataFrame) -> pl.DataFrame:
    """Per row the cell text of each canonical column (model_raw, ...), null if no column."""
    positions = located_tables.select(*TABLE_KEY, *(f"pos_{column}" for column in RAW_COLUMN))
    return (
        rows.lazy()
        .select(*TABLE_KEY, "cells")
        .join(positions.lazy(), on=TABLE_KEY, how="left", maintain_order="left")
        .select(raw_texts())
        .collect()
    )


def cell_values(texts: pl.DataFrame) -> pl.DataFrame:
    """Per row the value, footnote and parse error of each numeric column's cell text."""
    # Cell texts repeat ("224", "-", "85.2"): each distinct text is read once and joined back,
    # so no cleaned or unmarked text column of a million rows is made. Joining one column at a
    # time, not the wide frame, keeps the joins from copying the rows' lists five times.
    readings = [
        texts.lazy()
        .select(RAW_COLUMN[column])
        .join(
            cell_readings(column, reader, texts.get_column(RAW_COLUMN[column])).lazy(),
            on=RAW_COLUMN[column],
            how="left",
            maintain_order="left",
        )
        .drop(RAW_COLUMN[column])
        for column, reader in READERS.items()
    ]
    return pl.concat(pl.collect_all(readings), how="horizontal")


def cell_readings(column: str, reader: units.Reader, cells: pl.Series) -> pl.DataFrame:
    """Per distinct cell text of a numeric column: its value, footnote ('top1:*') and error."""
    raw = RAW_COLUMN[column]
    text, value = pl.col("_text"), pl.col(column)
    bound = ["params_lower_bound"] if reader is units.PARAMS_READER else []
    return (
        cells.drop_nulls()
        .unique()
        .to_frame(raw)
        .lazy()
        .with_columns(_clean=units.cleaned_text(pl.col(raw)))
        .with_columns(
            _text=units.unmarked_value(pl.col("_clean")), _mark=units.mark_of(pl.col("_clean"))
        )
        .with_columns(reader.value(text).alias(column))
        .with_columns(
            units.parse_error(column, pl.col(raw), reader.problem(text, value)).alias(
                f"_error_{column}"
            ),
            pl.concat_str(pl.lit(f"{column}:"), pl.col("_mark")).alias(f"_footnote_{column}"),
            units.params_bound(text).alias("params_lower_bound"),
        )
        .select(raw, column, f"_footnote_{column}", f"_error_{column}", *bound)
        .collect()
    )


def distinct_value_texts(cells: pl.Series) -> pl.Series:
    """The distinct value texts of some cells ("IN-21K*" -> "IN-21K"), null for no value."""
    return cells.unique().to_frame("cell").select(units.value_text(pl.col("cell"))).to_series()


def trimmed(cell: pl.Expr) -> pl.Expr:
    """Cell text without surrounding spaces, null when empty."""
    text = cell.str.strip_chars()
    return pl.when(text != "").then(text)


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


def output_columns() -> list[pl.Expr]:
    """The NormalizedObservation columns, in schema order, with their declared dtypes."""
    schema = NormalizedObservation.to_schema()
    return [pl.col(name).cast(column.dtype.type) for name, column in schema.columns.items()]
