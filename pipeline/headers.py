"""Header synonyms -> canonical columns: which cell of a row holds top-1, params, ... (pure)."""

import tomllib
from functools import cache
from importlib import resources

import polars as pl

from pipeline.errors import ModelmetricsError
from pipeline.units import SOURCE_QUALIFIERS

# The canonical columns an observation reads from a table, in the order they are reported.
CANONICAL_COLUMNS = (
    "model",
    "family",
    "top1",
    "top5",
    # Both accuracies in one cell ("76.5 | 93.4"): read as top1 and top5 (pos_top1, pos_top5).
    "top1_top5",
    "params_m",
    "img_size",
    "eval_seq_len",
    "pretrain_dataset",
    "training_method",
)
TABLE_KEY = ["source", "table_index"]


# A qualifier saying where a column's numbers come from, matched as if absent: "ImageNet top-1
# acc. (paper)" is "ImageNet top-1 acc.". A qualifier naming a test set ("Top-1 (ReaL)") stays.
SOURCE_QUALIFIER = rf"(?i)\((?:{SOURCE_QUALIFIERS}|repro|timm)\)"


def header_key(header: pl.Expr) -> pl.Expr:
    """The header as matched: lowercase letters and digits ("acc@1 (INet-1k)" -> acc1inet1k),
    without a qualifier of where its numbers come from ("(paper)")."""
    unqualified = header.str.replace_all(SOURCE_QUALIFIER, "")
    return unqualified.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]", "")


def header_key_text(header: str) -> str:
    """header_key for one header text."""
    return str(
        pl.Series([header], dtype=pl.String).to_frame("h").select(header_key(pl.col("h"))).item()
    )


def parse_header_synonyms(toml_text: str) -> dict[str, str]:
    """Synonym key -> canonical column from header_synonyms.toml text; refuses ambiguous entries."""
    columns = tomllib.loads(toml_text).get("columns", {})
    synonyms: dict[str, str] = {}
    for column, headers in columns.items():
        if column not in CANONICAL_COLUMNS:
            raise ModelmetricsError(
                f"header_synonyms.toml lists synonyms for {column!r}, which is no canonical "
                f"column (one of {', '.join(CANONICAL_COLUMNS)}): a typo in the key?"
            )
        for header in headers:
            key = header_key_text(header)
            if synonyms.get(key, column) != column:
                raise ModelmetricsError(
                    f"header_synonyms.toml lists {header!r} under both {synonyms[key]!r} and "
                    f"{column!r}: a header must mean one column, remove it from one of them"
                )
            synonyms[key] = column
    return synonyms


@cache
def header_synonyms() -> dict[str, str]:
    """The project's header synonyms (pipeline/data/header_synonyms.toml), read once."""
    toml_text = resources.files("pipeline").joinpath("data/header_synonyms.toml").read_text("utf-8")
    return parse_header_synonyms(toml_text)


# A header naming ImageNet-1k's test set alone ("IN-1K", "ImageNet", "ImageNet-1k (%)"), and one
# naming another ImageNet test set ("IN-A", "IN-V2", "IN-C↓", "Sketch", "ObjectNet", "IN-ReaL").
TEST_SET_ALONE = r"(?i)^\s*(?:imagenet(?:[\s_-]*1k)?|in[\s_-]*1k)\s*(?:\(%\))?\s*$"
OTHER_TEST_SET = (
    r"(?i)^\s*(?:(?:imagenet|in)[\s_-]*(?:a|r|c|p|v2|sketch|ske|adv|ren|real)|objectnet|sketch)"
    r"(?:[^\p{L}\p{N}]|$)"
)
# A header of another task or of zero-shot transfer: beside it, the test sets' accuracies are a
# CLIP-like model's zero-shot ones (Perception Encoder's "IN-1k | IN-v2 | ... | COCO-T2I").
OTHER_TASK = r"(?i)\b(?:t2i|i2t|coco|kinetics|vtt|flickr|retrieval|zero[\s_-]*shot|0[\s_-]*shot)"


def header_columns(tables: pl.DataFrame) -> pl.DataFrame:
    """One row per header cell: table, line, position, header text, canonical column or null."""
    synonyms = pl.DataFrame(
        {"key": list(header_synonyms()), "column": list(header_synonyms().values())},
        schema={"key": pl.String, "column": pl.String},
    )
    cells = (
        tables.select(*TABLE_KEY, "line", "header")
        .with_columns(position=pl.int_ranges(pl.col("header").list.len(), dtype=pl.Int32))
        .explode(["header", "position"])
        .filter(pl.col("position").is_not_null())
        .with_columns(key=header_key(pl.col("header")))
        .join(synonyms, on="key", how="left", maintain_order="left")
        .with_columns(column=pl.coalesce("column", _blank_first_header_of_models()))
        .with_columns(column=pl.coalesce("column", _test_set_beside_others()))
    )
    # Two header cells of one table meaning one column: one that says it is the evaluation's
    # ("Test Resolution" beside a training "Resolution") wins, else the first; the other is
    # kept as an unknown column, so its cells stay in raw_cells and are never read as values;
    # its `repeats` says which column it would have meant.
    generic = pl.col("header").str.contains(r"(?i)\b(?:eval\w*|test)\b").not_()
    rank = pl.struct(generic.alias("generic"), pl.col("position"))
    first = rank.rank("ordinal").over([*TABLE_KEY, "column"]) == 1
    return cells.with_columns(
        column=pl.when(first).then(pl.col("column")),
        repeats=pl.when(~first).then(pl.col("column")),
    ).drop("key")


def _blank_first_header_of_models() -> pl.Expr:
    """The column "model" for a blank first header cell of a table of accuracies with no model
    or name column: its cells name the rows (OneFlow's model zoo, "|   | top1 | top5 |")."""
    blank_first = (pl.col("position") == 0) & (pl.col("header").str.strip_chars() == "")
    accuracies = pl.col("column").is_in(["top1", "top5", "top1_top5"]).any().over(TABLE_KEY)
    named = pl.col("column").is_in(["model", "family"]).any().over(TABLE_KEY)
    return pl.when(blank_first & accuracies & ~named).then(pl.lit("model"))


def _test_set_beside_others() -> pl.Expr:
    """The column "top1" for a header naming ImageNet-1k's test set alone beside one naming
    another ImageNet test set, in a table with no top-1 or top-5 header: TransNeXt's, FAN's and
    EVA-02's "IN-1K | IN-A | IN-R | IN-V2" give each test set's top-1. Alone, beside other
    datasets ("CIFAR-100 | ImageNet | MS-COCO" of check marks) or beside another task's column
    (zero-shot accuracies), it is no accuracy of a model's own."""
    alone = pl.col("header").str.contains(TEST_SET_ALONE)
    beside_others = pl.col("header").str.contains(OTHER_TEST_SET).any().over(TABLE_KEY)
    other_task = pl.col("header").str.contains(OTHER_TASK).any().over(TABLE_KEY)
    accuracies = ["top1", "top5", "top1_top5"]
    no_accuracy = ~pl.col("column").is_in(accuracies).fill_null(False).any().over(TABLE_KEY)
    read = alone & beside_others & ~other_task & no_accuracy
    return pl.when(read).then(pl.lit("top1"))


def table_columns(tables: pl.DataFrame, cells: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per table: each canonical column's position (pos_top1), unknown headers, results flag;
    cells are the tables' header_columns, if read."""
    cells = header_columns(tables) if cells is None else cells
    positions = [
        pl.col("position").filter(pl.col("column") == column).first().alias(f"pos_{column}")
        for column in CANONICAL_COLUMNS
    ]
    per_table = cells.group_by(TABLE_KEY, maintain_order=True).agg(
        *positions,
        unknown_columns=pl.col("header").filter(pl.col("column").is_null()),
        column_names=pl.coalesce("column", "header"),
    )
    # A table with no model column names its models in its "name" column (ConvNeXt's, DeiT's
    # and Swin's model zoos); beside a model column, "name" is the family (MetaFormer).
    # A column of both accuracies is where each is read that has no column of its own.
    per_table = per_table.with_columns(
        pos_model=pl.coalesce("pos_model", "pos_family"),
        pos_top1=pl.coalesce("pos_top1", "pos_top1_top5"),
        pos_top5=pl.coalesce("pos_top5", "pos_top1_top5"),
    )
    is_results = pl.col("pos_model").is_not_null() & (
        pl.col("pos_top1").is_not_null() | pl.col("pos_top5").is_not_null()
    )
    # A table with an empty header row has no header cells but still has a row here.
    return (
        tables.select(TABLE_KEY)
        .join(per_table, on=TABLE_KEY, how="left", maintain_order="left")
        .with_columns(
            pl.col("unknown_columns", "column_names").fill_null(pl.lit([], pl.List(pl.String))),
            is_results_table=is_results.fill_null(False),
        )
    )


def unknown_headers(tables: pl.DataFrame, cells: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per header that maps to no canonical column: source, table_index, line, header,
    and the column it would mean when another header of its table means it and is read
    (repeats); cells are the tables' header_columns, if read."""
    return (
        (header_columns(tables) if cells is None else cells)
        .filter(pl.col("column").is_null())
        .select(*TABLE_KEY, "line", "header", "repeats")
    )
