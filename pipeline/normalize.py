"""Extracted rows -> normalized observations: canonical columns, typed values, context (pure)."""

import re
from typing import Any, NamedTuple

import polars as pl

from pipeline import batches, context, evaluations, headers, units
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
ACCURACY_COLUMNS = ["top1", "top5"]
# A params header giving its unit as millions: "Params (M)", "#Params [M]", "Params (millions)".
MILLIONS_HEADER = r"(?i)[(\[]\s*(?:m|mil|millions?)\s*[)\]]|\bmillions?\b"
# A model cell of nothing but the words of links to weights or logs: UniFormerV2's "[ckpt](...)",
# "[Download](...)", Swin's "[github](...)/[baidu](...)".
WEIGHTS_LINK = (
    r"(?i)^(?:(?:download|ckpt|checkpoints?|weights?|model|links?|url|github|baidu|google|drive"
    r"|gdrive|onedrive|huggingface|hf|hub|here|pth|logs?|config"
    # Where weights are hosted (SLaK's "[Surf Drive](...)", "Baidu Disk", "Tsinghua Cloud").
    r"|surf|disk|cloud|tsinghua|dropbox|baiduyun|baidupan|pan|yun|box|hugging|face|modelscope"
    r"|🤗)(?:[\s/|,;&+·-]+|$))+$"
)
# The key of a result within one table, the numbers that make two rows two results, and the
# columns holding the cells that may tell them apart (with_columns_apart).
TABLE_RESULT_KEY = [
    "source",
    "table_index",
    "model",
    "pretrain_dataset",
    "img_size",
    "eval_seq_len",
]
MEASURED = ["top1", "top5", "params_m"]
APART_CELLS = ["unknown_columns", "raw_cells"]
# A cell longer than this is a note or a sentence, no name of a variant; a cell with a letter is
# a name as it is, a number is written after its header.
MAX_APART_TEXT = 40
LETTER = re.compile(r"[^\W\d_]")
POSITION_COLUMNS = [f"pos_{column}" for column in headers.CANONICAL_COLUMNS]
# An accuracy header giving the error rate: "Top-1 error", "top-5 err.", "Top-1 error rate".
ERROR_HEADER = r"(?i)(?:^|[^a-z])err(?:or)?(?:[^a-z]|$)"
# An accuracy header saying it gives accuracies: "Top-1 Acc.", "Top-1 Accuracy".
ACCURACY_HEADER = r"(?i)acc"
# A cell of a column of both accuracies: top-1, then "|" or "/", then top-5 ("76.5 | 93.4").
ACCURACY_PAIR = r"^\s*(.+?)\s*[|/]\s*(.+?)\s*$"
# A header that reads like an accuracy or an error rate, known or not: "Accuracy", "Validation
# error (%)", "Top-1 (ReaL)", "acc@1 (v2)", "Prec@1", a bare "@1" (not "Latency@1", not "Memory
# Access"), the test set alone beside other sets, "ImageNet" or "Clean" (relabel's "ImageNet |
# ImageNetV2 | ReaL", a robustness table's "Clean | IN-C (mCE)"), or an evaluation protocol alone,
# as self-supervised tables head their accuracies ("k-NN | Linear | Fine-tuning", iBOT's "Lin. |
# Fin.", "Attentive").
ACCURACY_LIKE = (
    r"(?i)\bacc(?:urac|[0-9@]|\b)|top[\s_-]*[15](?:[^0-9]|$)|\berr|prec@|^\s*@\s*[15](?:[^0-9]|$)"
    r"|^\s*(?:imagenet(?:[\s_-]*1k)?|in[\s_-]*1k|clean)\s*(?:\(%\))?\s*$"
    r"|^\s*(?:k[\s_-]*nn|lin\.?|linear|fin\.?|fine[\s_-]*tun(?:e|ed|ing)|attentive)\s*(?:\(%\))?\s*$"
)


def unknown_columns(tables: pl.DataFrame, cells: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per (source, table_index, line, header) whose header maps to no canonical column
    and names no column of evaluation sets, protocols or precisions; cells are the tables'
    headers.header_columns, if read. A column headed by nothing (an index, a layout table of
    images) has no header to look up, and is none."""
    unknown = headers.unknown_headers(tables, cells)
    named = pl.col("header").str.strip_chars() != ""
    return unknown.filter(named & ~evaluations.is_row_evaluation_column(pl.col("header")))


def table_columns(tables: pl.DataFrame, cells: pl.DataFrame | None = None) -> pl.DataFrame:
    """headers.table_columns, a column of evaluation sets, protocols or precisions not among a
    table's unknown columns (it decides which rows are results); cells are the tables'
    headers.header_columns, if read."""
    row_columns = evaluations.is_row_evaluation_column(pl.element())
    return headers.table_columns(tables, cells).with_columns(
        pl.col("unknown_columns").list.eval(pl.element().filter(~row_columns))
    )


def normalize_rows(
    tables: pl.DataFrame, rows: pl.DataFrame, batch_rows: int = batches.BATCH_ROWS
) -> pl.DataFrame:
    """Every extracted body row as a NormalizedObservation: canonical columns, values, context."""
    # A row's observation depends on its cells and its table only, so rows are normalized a
    # batch at a time: the intermediate columns of a million rows at once peak at ~1.8 GB.
    located_tables = table_context(tables)
    normalized = batches.map_batches(
        rows, lambda batch: normalize_batch(located_tables, batch), batch_rows
    )
    return with_columns_apart(accuracies_from_errors(percent_from_fractions(normalized)))


def with_columns_apart(observations: pl.DataFrame) -> pl.DataFrame:
    """Observations whose rows of one results table would be one result with other numbers,
    told apart by a column that is not read, named with their cell of it: Cadene's
    "NASNet-A-Large" of the "Version" "Tensorflow" and "Our porting" (two checkpoints), TF
    Model Garden's "ResNet-50" of 90 and 200 "Epochs", SimMIM's of 100 and 800 "pre-train
    epochs". A cell with a letter is written as it is, "NASNet-A-Large (Tensorflow)"; a number
    after its header, "ResNet-50 (Epochs 200)". Rows no column tells apart stay one result, in
    conflict."""
    in_results = pl.col("is_results_table") & pl.col("model").is_not_null()
    same_result = pl.struct(*TABLE_RESULT_KEY, "is_results_table").is_duplicated()
    # Only the candidates' rows and columns are copied out: most rows have a key of their own.
    rows = observations.select(pl.arg_where(in_results & same_result)).to_series()
    if rows.is_empty():
        return observations
    candidates = observations.select(*TABLE_RESULT_KEY, *MEASURED, *APART_CELLS)[rows]
    renamed = _names_apart(candidates.with_columns(_row=rows))
    if not renamed:
        return observations
    models = observations.get_column("model").clone()
    models.scatter(list(renamed), list(renamed.values()))
    return observations.with_columns(models)


def _names_apart(candidates: pl.DataFrame) -> dict[int, str]:
    """The new model name of each row (by _row) of the candidates (rows of one table with one
    result key) that its group's numbers and an unread column tell apart."""
    groups: dict[tuple[object, ...], list[dict[str, Any]]] = {}
    for row in candidates.iter_rows(named=True):
        groups.setdefault(tuple(row[name] for name in TABLE_RESULT_KEY), []).append(row)
    renamed = {}
    for rows in groups.values():
        if len({tuple(row[name] for name in MEASURED) for row in rows}) < 2:
            continue
        apart = _first_column_apart(rows)
        if apart is None:
            continue
        header, texts = apart
        for row, text in zip(rows, texts, strict=True):
            if text:
                qualifier = text if LETTER.search(text) else f"{header} {text}"
                renamed[row["_row"]] = f"{row['model']} ({qualifier})"
    return renamed


def _first_column_apart(rows: list[dict[str, Any]]) -> tuple[str, list[str]] | None:
    """The first column not read whose short texts differ between the rows: its header and each
    row's text; None if there is none."""
    unread = set(rows[0]["unknown_columns"] or [])
    cells = [row["raw_cells"] or [] for row in rows]
    for position, cell in enumerate(cells[0]):
        if cell["header"] not in unread:
            continue
        texts = [
            (row_cells[position]["text"] or "").strip() if position < len(row_cells) else ""
            for row_cells in cells
        ]
        if len(set(texts)) > 1 and all(len(text) <= MAX_APART_TEXT for text in texts):
            return cell["header"].strip(), texts
    return None


def accuracies_from_errors(observations: pl.DataFrame) -> pl.DataFrame:
    """Observations whose header gives an accuracy as an error rate ("Top-1 error" 23.2, noted
    "top1:error" in the footnotes) with that accuracy (76.8); the raw cells keep what was
    written. Fractions are percents by then ("0.232" is 23.2).

    An error of 1% or less stays as written, for the range checks to quarantine: no model errs
    that little on ImageNet, and it is how a fraction among percents reads ("0.232")."""
    from_error = {
        column: pl.col("footnotes").list.contains(f"{column}:error").fill_null(False)
        & (pl.col(column) > 1)
        for column in ACCURACY_COLUMNS
    }
    if not observations.select(pl.any_horizontal(from_error.values()).any()).item():
        return observations
    return observations.with_columns(
        pl.when(from_error[column])
        .then((100 - pl.col(column)).round(9))
        .otherwise(column)
        .alias(column)
        for column in ACCURACY_COLUMNS
    )


def percent_from_fractions(observations: pl.DataFrame) -> pl.DataFrame:
    """Observations whose table gives every accuracy as a fraction ("0.774", Keras' and
    PaddleClas' model pages) with those accuracies in percent (77.4), noted in the footnotes
    ("top1:fraction"); the raw cells keep what was written.

    A whole table decides, never one cell: no top-1 or top-5 accuracy is 1% or less, so a table
    of nothing but (0, 1] values writes fractions, while one such value among percents is an
    error the range checks quarantine.
    """
    fraction = {column: (pl.col(column) > 0) & (pl.col(column) <= 1) for column in ACCURACY_COLUMNS}
    if not observations.select(pl.any_horizontal(fraction.values()).any()).item():
        return observations
    only_fractions = pl.all_horizontal(
        fraction[column] | pl.col(column).is_null() for column in ACCURACY_COLUMNS
    )
    in_fraction_table = (
        (only_fractions.all() & pl.any_horizontal(fraction.values()).any()).over(TABLE_KEY)
    ).fill_null(False)
    notes = pl.concat_list(
        pl.when(pl.col(column).is_not_null()).then(pl.lit(f"{column}:fraction"))
        for column in ACCURACY_COLUMNS
    ).list.drop_nulls()
    return observations.with_columns(
        *(
            pl.when(in_fraction_table).then((pl.col(column) * 100).round(9)).otherwise(column)
            for column in ACCURACY_COLUMNS
        ),
        footnotes=pl.when(in_fraction_table)
        .then(pl.concat_list(pl.col("footnotes").fill_null([]), notes))
        .otherwise("footnotes"),
    )


def normalize_batch(located_tables: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """normalize_rows for some rows, given the context of their tables (table_context)."""
    tabled = with_tables(rows, located_tables)
    raw = tabled.select(raw_texts(paired=tabled.get_column("pos_top1_top5").is_not_null().any()))
    linked = context.link_datasets(rows.get_column("links"))
    read = pl.concat([tabled, raw, cell_values(raw), linked], how="horizontal")
    known = context.cell_datasets(distinct_pretrain_texts(raw.get_column("pretrain_dataset_raw")))
    width = rows.select(pl.col("cells").list.len().max().fill_null(0)).item()
    observations = (
        context.pretrain_dataset_columns(with_context(read, width), known)
        .rename({"pretrain_dataset_error": "_error_pretrain_dataset"})
        .drop("cells", "cell_notes", "column_names", "header", *POSITION_COLUMNS)
        .collect()
    )
    footnotes = present_values(observations, "_footnote_")
    return observations.with_columns(
        raw_cells=raw_cells(tabled),
        parse_errors=present_values(observations, "_error_"),
        footnotes=pl.when(footnotes.list.len() > 0).then(footnotes),
    ).select(output_columns())


def with_tables(rows: pl.DataFrame, located_tables: pl.DataFrame) -> pl.DataFrame:
    """Rows with their table's columns (table_context): header, column positions, context."""
    # One join serves the cell texts, the context and raw_cells: a join for each of them cost
    # ~4% more normalize CPU on the bench.
    return rows.join(located_tables, on=TABLE_KEY, how="left", maintain_order="left")


def with_context(read: pl.DataFrame, width: int) -> pl.LazyFrame:
    """Read rows (with their tables) with text values, cell notes, id and timm name parts."""
    return (
        read.lazy()
        .with_columns(
            *(trimmed(pl.col(RAW_COLUMN[column])).alias(column) for column in TEXT_COLUMNS),
            *(_cell_note(position) for position in range(width)),
            *(_error_note(column) for column in ACCURACY_COLUMNS),
        )
        .with_columns(
            observation_id(),
            pl.col("params_lower_bound").fill_null(False),
            # A row naming another evaluation set, protocol or precision gives no result.
            is_results_table=pl.col("is_results_table")
            & ~evaluations.evaluated_elsewhere(
                pl.col("cells"),
                pl.col("pos_evaluation_set"),
                pl.col("pos_protocol"),
                pl.col("pos_precision"),
            ),
            _model=_model_cell(),
            family=pl.when(_names_the_model()).then(None).otherwise(pl.col("family")),
            params_m=_params_millions(),
        )
        .with_columns(
            # A footnote mark after a model name ("`convnext-v2-atto`\*") is no part of it.
            model=units.unmarked_name(pl.col("_model")),
            img_size=_image_size(pl.col("_model")),
            # A row whose model name says it is a linear probe or quantized gives no result
            # either; nor does a step of an ablation ("+ Mixup").
            is_results_table=pl.col("is_results_table")
            & ~evaluations.named_elsewhere(pl.col("_model"))
            & ~pl.col("_model").str.contains(units.ABLATION_STEP).fill_null(False),
        )
        .with_columns(
            _footnote_model=pl.concat_str(
                pl.lit("model:"), units.name_mark(pl.col("_model"), pl.col("model"))
            ),
            _model_note=_model_cell_note(),
            architecture=context.architecture(pl.col("model")),
            pretrained_tag=context.pretrained_tag(pl.col("model")),
        )
        .pipe(with_marks_apart)
        .drop("_model")
    )


def with_marks_apart(observations: pl.LazyFrame) -> pl.LazyFrame:
    """The observations (with the model cell, _model, its marks' footnote, _footnote_model, and
    the mark its cell carries apart, _model_note) with each model name keeping its marks where
    its table marks the name otherwise in another row: the mark tells two models apart there
    (Evo-ViT's "Evo-ViT-B*" at 384 px beside "Evo-ViT-B", FixRes' "FixResNet-50 (*)" of another
    recipe, DeiT's distilled "DeiT-B⚗", Vim's "Vim-tiny<sup>+</sup>" fine-tuned further), and
    they are no one result. An upscaling ("↑384", the image size), a venue or a link to the
    weights ("(ckpt)") after the name tells no model apart and comes off it all the same."""
    # The marked name of a row whose name has marks (_footnote_model) or whose cell carries one
    # apart, null for the others.
    has_marks = pl.col("_footnote_model").is_not_null() | pl.col("_model_note").is_not_null()
    note = pl.col("_model_note")
    # A mark is written after the name as it is ("+"), a note of letters or digits in
    # parentheses ("ResNet-50<sup>1</sup>" -> "ResNet-50 (1)").
    in_parentheses = pl.concat_str(pl.lit(" ("), note, pl.lit(")"))
    written_note = pl.when(note.str.contains(units.NO_NAME)).then(note).otherwise(in_parentheses)
    written = pl.concat_str(pl.col("_model"), written_note.fill_null(""))
    marked = pl.when(has_marks).then(written).str.replace_all(units.NO_MODEL_APART, "")
    # The window is a step of its own: over an expression holding a window, polars evaluates
    # that window group by group (10 s on 1M rows instead of 0.2 s).
    name_in_table = ["source", "table_index", "model"]
    distinct = pl.col("_marked").n_unique().over(name_in_table)
    apart = pl.col("model").is_not_null() & pl.col("_marked").is_not_null() & (distinct > 1)
    return (
        observations.with_columns(_marked=marked.str.replace_all(r"\s+", " ").str.strip_chars())
        .with_columns(model=pl.when(apart).then(pl.col("_marked")).otherwise(pl.col("model")))
        .drop("_marked", "_model_note")
    )


def _model_cell_note() -> pl.Expr:
    """The mark a row's model cell carries apart (its superscript, "Vim-tiny<sup>+</sup>"), null
    if none."""
    position = pl.when(_links_to_weights()).then(pl.col("pos_family")).otherwise("pos_model")
    note = pl.col("cell_notes").list.get(position, null_on_oob=True).cast(pl.String)
    return pl.when(note != "").then(note)


def _model_cell() -> pl.Expr:
    """The cell naming a row's model: its model cell, or its "name" cell (if any) where the
    model cell only links to weights ("[model](https://...)", ConvNeXt's; "[ckpt](...)")."""
    return pl.when(_links_to_weights()).then(pl.col("family")).otherwise(pl.col("model"))


def _params_millions() -> pl.Expr:
    """A row's parameters in millions: its cell's, or the whole number it writes when its
    column's header says millions ("Params (M)": 21743 is ViT-22B's 21,743M, no raw count)
    and the number is below a million millions."""
    in_millions = pl.col("params_in_millions") & (pl.col("_params_count") < 1e6)
    return pl.when(in_millions).then("_params_count").otherwise("params_m")


def _image_size(name: pl.Expr) -> pl.Expr:
    """A row's image size: its cell's, or in a table without an image-size column the size its
    model's name ends with ("-600px", "@336", "↑384"), else the one its heading names, if any."""
    without_column = pl.coalesce(context.name_image_size(name), "heading_img_size")
    return pl.when(pl.col("pos_img_size").is_null()).then(without_column).otherwise("img_size")


def table_context(tables: pl.DataFrame) -> pl.DataFrame:
    """Per table: its line, headings (its caption last), header, canonical column positions,
    and the dataset and image size its headings name; a table reporting another evaluation than
    ImageNet-1k val is no results table."""
    labelled = with_caption_last(tables)
    columns = table_columns(tables)
    elsewhere = _other_evaluations(labelled, columns).drop("line")
    return (
        labelled.select(*TABLE_KEY, "heading_path", "header", table_line="line")
        .join(columns, on=TABLE_KEY, how="left", maintain_order="left")
        .join(context.heading_context(labelled), on=TABLE_KEY, how="left", maintain_order="left")
        .join(elsewhere, on=TABLE_KEY, how="left", maintain_order="left")
        # A table under a heading naming another evaluation is no results table; in one with
        # a column of evaluation sets, the rows naming another set are not (with_context).
        .with_columns(
            pl.col("is_results_table") & pl.col("heading_evaluation").is_null(),
            params_in_millions=_header_says("params_m", MILLIONS_HEADER),
            **{f"{column}_error": _gives_errors(column) for column in ACCURACY_COLUMNS},
        )
        .drop("heading_evaluation")
    )


def _gives_errors(column: str) -> pl.Expr:
    """Whether a table's accuracy column gives error rates: its header says error ("Top-1
    error"), or its headings name error rates ("1-crop validation error") and its header does
    not say accuracy. Such a table gives no result (other_evaluations), but its rows' values
    are still accuracies, 100 minus the error."""
    group = evaluations.evaluation_group(pl.col("heading_evaluation"))
    in_errors = (group == evaluations.ERROR_RATE_GROUP).fill_null(False)
    plain = ~_header_says(column, ACCURACY_HEADER)
    return _header_says(column, ERROR_HEADER) | (in_errors & plain)


def _header_says(column: str, pattern: str) -> pl.Expr:
    """Whether the header of a table's canonical column matches pattern; False for none."""
    header = pl.col("header").list.get(pl.col(f"pos_{column}"), null_on_oob=True)
    return header.str.contains(pattern).fill_null(False)


def with_caption_last(tables: pl.DataFrame) -> pl.DataFrame:
    """The tables with each one's caption (a label just above it) read as its innermost heading,
    as the page shows it: what it says of the dataset, size or evaluation comes first."""
    captioned = pl.col("heading_path").list.concat(pl.concat_list("caption"))
    return tables.with_columns(
        heading_path=pl.when(pl.col("caption").is_not_null())
        .then(captioned)
        .otherwise(pl.col("heading_path"))
    )


class TableFindings(NamedTuple):
    """What the build warns of in the tables' headers: the unknown columns, and the tables
    giving no results, by why."""

    unknown: pl.DataFrame
    elsewhere: pl.DataFrame
    unnamed: pl.DataFrame
    unread_accuracies: pl.DataFrame


def table_findings(tables: pl.DataFrame) -> TableFindings:
    """The tables' unknown columns (unknown_columns), and the tables giving no results: those of
    another evaluation (other_evaluation_tables), those without model names
    (tables_without_model_names) and those whose accuracies are under headers no synonym
    knows (tables_with_unread_accuracies); their header cells read once."""
    cells = headers.header_columns(tables)
    columns = table_columns(tables, cells)
    return TableFindings(
        unknown_columns(tables, cells),
        other_evaluation_tables(tables, columns),
        tables_without_model_names(tables, columns),
        tables_with_unread_accuracies(tables, columns),
    )


def tables_with_unread_accuracies(
    tables: pl.DataFrame, columns: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The tables with headers that read like accuracies, none of them read as top-1 or top-5
    ("Accuracy", "Validation error (%)", MCUNet's "Top-1 (fp32/int8)" beside "net_id"), whose
    rows give no result: source, line and those headers (accuracy_headers); columns are their
    headers.table_columns, if read."""
    columns = table_columns(tables) if columns is None else columns
    no_accuracy = pl.col("pos_top1").is_null() & pl.col("pos_top5").is_null()
    accuracy_like = pl.element().filter(pl.element().str.contains(ACCURACY_LIKE))
    unread = (
        columns.filter(no_accuracy)
        .select(*TABLE_KEY, accuracy_headers=pl.col("unknown_columns").list.eval(accuracy_like))
        .filter(pl.col("accuracy_headers").list.len() > 0)
    )
    return _at_their_lines(tables, unread)


def tables_without_model_names(
    tables: pl.DataFrame, columns: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The tables with a top-1 or top-5 column and no column of model names, whose rows give no
    result: source, line and first_header; columns are their headers.table_columns, if read."""
    columns = table_columns(tables) if columns is None else columns
    accuracies = pl.col("pos_top1").is_not_null() | pl.col("pos_top5").is_not_null()
    unnamed = columns.filter(pl.col("pos_model").is_null() & accuracies).select(TABLE_KEY)
    return _at_their_lines(tables, unnamed, first_header=pl.col("header").list.first())


def _at_their_lines(tables: pl.DataFrame, chosen: pl.DataFrame, **columns: pl.Expr) -> pl.DataFrame:
    """The chosen tables (their TABLE_KEY and what was found of them) in document order, with
    their source and line and the columns of theirs named."""
    return (
        tables.select(*TABLE_KEY, "line", **columns)
        .join(chosen, on=TABLE_KEY, maintain_order="left")
        .drop("table_index")
    )


def other_evaluation_tables(
    tables: pl.DataFrame, columns: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The tables shaped as results (a model and a top-1 or top-5 column) that report another
    evaluation than ImageNet-1k val: source, table_index, line, other_evaluation; columns are
    their headers.table_columns, if read."""
    columns = table_columns(tables) if columns is None else columns
    shaped = columns.filter("is_results_table").select(TABLE_KEY)
    return (
        _other_evaluations(with_caption_last(tables), columns)
        .join(shaped, on=TABLE_KEY, maintain_order="left")
        .filter(pl.col("other_evaluation").is_not_null())
    )


def _other_evaluations(labelled: pl.DataFrame, columns: pl.DataFrame) -> pl.DataFrame:
    """evaluations.other_evaluations of the tables (captions last), given their table_columns;
    but a heading names no other evaluation of a table that tells it apart row by row: error
    rates ("Single-crop validation error") over accuracy headers that say error ("Top-1
    error"), whose values are read as errors, into accuracies; a quantization ("FP32 and INT8
    accuracy") over a column of precisions, which says which rows are quantized."""
    positions = [f"pos_{column}" for column in ACCURACY_COLUMNS]
    errors_read = labelled.select(*TABLE_KEY, "header").join(
        columns.select(*TABLE_KEY, *positions), on=TABLE_KEY, how="left", maintain_order="left"
    )
    errors_read = errors_read.select(*TABLE_KEY, errors_read=_accuracy_headers_say_error())
    group = evaluations.evaluation_group(pl.col("heading_evaluation"))
    by_rows = (group == evaluations.ERROR_RATE_GROUP) & pl.col("errors_read")
    by_rows |= (group == evaluations.QUANTIZED_GROUP) & pl.col("pos_precision").is_not_null()
    return (
        evaluations.other_evaluations(labelled)
        .join(errors_read, on=TABLE_KEY, how="left", maintain_order="left")
        .with_columns(
            heading_evaluation=pl.when(~by_rows.fill_null(False)).then("heading_evaluation")
        )
        .with_columns(other_evaluation=pl.coalesce("heading_evaluation", "column_evaluation"))
        .drop("errors_read", "column_evaluation")
    )


def _accuracy_headers_say_error() -> pl.Expr:
    """Whether a table has an accuracy column and the header of each says error."""
    present = [pl.col(f"pos_{column}").is_not_null() for column in ACCURACY_COLUMNS]
    says_error = [
        ~is_present | _header_says(column, ERROR_HEADER)
        for column, is_present in zip(ACCURACY_COLUMNS, present, strict=True)
    ]
    return pl.any_horizontal(present) & pl.all_horizontal(says_error)


def raw_texts(paired: bool = True) -> list[pl.Expr]:
    """The cell text of each canonical column as extracted (model_raw, ...), null if no column;
    of a column of both accuracies, the part before the "|" for top-1 and after it for top-5
    (a cell of one number is top-1). paired False says no table has such a column."""
    texts = {
        column: pl.col("cells").list.get(pl.col(f"pos_{column}"), null_on_oob=True)
        for column in RAW_COLUMN
    }
    for part, column in enumerate(ACCURACY_COLUMNS if paired else [], start=1):
        of_pair = pl.col(f"pos_{column}") == pl.col("pos_top1_top5")
        split = texts[column].str.extract(ACCURACY_PAIR, part)
        whole = texts[column] if column == "top1" else pl.lit(None, pl.String)
        texts[column] = pl.when(of_pair).then(pl.coalesce(split, whole)).otherwise(texts[column])
    return [text.alias(RAW_COLUMN[column]) for column, text in texts.items()]


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
    params = [pl.col("params_lower_bound"), units.raw_count(text).alias("_params_count")]
    extra = params if reader is units.PARAMS_READER else []
    return (
        value_readings(cells.drop_nulls().unique().to_frame(raw).lazy(), column, reader)
        .with_columns(
            units.parse_error(column, pl.col(raw), reader.problem(text, value)).alias(
                f"_error_{column}"
            ),
            pl.concat_str(pl.lit(f"{column}:"), pl.col("_mark")).alias(f"_footnote_{column}"),
        )
        .select(raw, column, f"_footnote_{column}", f"_error_{column}", *extra)
        .collect()
    )


def value_readings(texts: pl.LazyFrame, column: str, reader: units.Reader) -> pl.LazyFrame:
    """Per cell text: value text (_text), footnote mark (_mark), value and params_lower_bound."""
    # A plain decimal ("85.234") is its own value text and value, with no mark: 98% of the
    # distinct params texts and 55% of the top-1 texts of the bench skip the cleaning.
    raw = RAW_COLUMN[column]
    if not reader.reads_plain_decimals:
        return _read_in_full(texts, column, reader)
    plain = pl.col(raw).str.contains(units.PLAIN_DECIMAL)
    as_written = texts.filter(plain).select(
        raw,
        _text=pl.col(raw),
        _mark=pl.lit(None, pl.String),
        params_lower_bound=pl.lit(False),
        **{column: units.plain_decimal_value(pl.col(raw))},
    )
    return pl.concat([as_written, _read_in_full(texts.filter(~plain), column, reader)])


def _read_in_full(texts: pl.LazyFrame, column: str, reader: units.Reader) -> pl.LazyFrame:
    raw, text = RAW_COLUMN[column], pl.col("_text")
    return (
        texts.with_columns(_clean=units.cleaned_text(pl.col(raw)))
        .with_columns(
            _text=units.unmarked_value(pl.col("_clean")), _mark=units.mark_of(pl.col("_clean"))
        )
        .select(
            raw,
            "_text",
            "_mark",
            units.params_bound(text).alias("params_lower_bound"),
            reader.value(text).alias(column),
        )
    )


def distinct_pretrain_texts(cells: pl.Series) -> pl.Series:
    """The distinct texts of pretraining-dataset cells ("IN-21K*" -> "IN-21K"), null for none."""
    texts = cells.unique().to_frame("cell").select(context.pretrain_cell_text(pl.col("cell")))
    return texts.to_series()


def _names_the_model() -> pl.Expr:
    """Whether a row's family ("name") cell is its model name: the table has no model column,
    or the model cell only links to weights."""
    return (pl.col("pos_model") == pl.col("pos_family")).fill_null(False) | _links_to_weights()


def _links_to_weights() -> pl.Expr:
    """Whether a row's model cell names no model, only where its weights are: it repeats its
    header ("[model](url)") or says nothing but words like "ckpt", "Download", "github/baidu"."""
    return _repeats_its_header("model") | pl.col("model").str.contains(WEIGHTS_LINK).fill_null(
        False
    )


def _repeats_its_header(column: str) -> pl.Expr:
    """Whether a canonical column's cell says nothing but its column's header ("model")."""
    header = pl.col("header").list.get(pl.col(f"pos_{column}"), null_on_oob=True)
    return (headers.header_key(pl.col(column)) == headers.header_key(header)).fill_null(False)


def trimmed(cell: pl.Expr) -> pl.Expr:
    """Cell text without surrounding spaces, null when empty."""
    text = cell.str.strip_chars()
    return pl.when(text != "").then(text)


def _error_note(column: str) -> pl.Expr:
    """ "top1:error" for a top-1 read from a column of error rates (accuracies_from_errors)."""
    read_from_error = pl.col(f"{column}_error") & pl.col(column).is_not_null()
    return (
        pl.when(read_from_error).then(pl.lit(f"{column}:error")).alias(f"_footnote_{column}_error")
    )


def _cell_note(position: int) -> pl.Expr:
    note = pl.col("cell_notes").list.get(position, null_on_oob=True)
    name = pl.col("column_names").list.get(position, null_on_oob=True)
    found = pl.when(note != "").then(pl.concat_str(name, pl.lit(":"), note))
    return found.alias(f"_footnote_{position}")


def present_values(frame: pl.DataFrame, prefix: str) -> pl.Series:
    """Per row, the non-null values of the columns named prefix*, in column order; [] if none."""
    # Unpivot, drop nulls and gather back by row: pl.concat_list over a million rows of
    # mostly-null strings takes a second, this a tenth of that. Most rows have no value at all
    # (1 in 5 bench rows has a footnote), so only the others are unpivoted.
    columns = [name for name in frame.columns if name.startswith(prefix)]
    rows = pl.DataFrame({"row": pl.int_range(frame.height, dtype=pl.UInt32, eager=True)})
    present = (
        frame.select(columns)
        .with_row_index("row")
        .filter(pl.any_horizontal(pl.col(columns).is_not_null()))
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
