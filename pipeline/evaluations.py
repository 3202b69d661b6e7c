"""Which evaluation a table reports: ImageNet-1k val unless its headings say otherwise (pure).

A "Top-1" column under "## ImageNet-V2 results", "## Linear probing" or "## CIFAR-100 transfer"
is no ImageNet-1k val top-1. Such a table keeps its rows as observations, traceable as always,
but gives no results (pipeline/data/evaluations.toml lists what is recognised).
"""

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import polars as pl

from pipeline.context import FINE_TUNING
from pipeline.headers import TABLE_KEY, header_key, header_key_text

SEPARATOR = "\x1f"  # between the headings of a path, as one string (no heading holds it)
# A cell of a column of evaluation sets naming ImageNet-1k val: "ImageNet-1K", "ImageNet",
# "IN-1k", "ILSVRC-2012", "imagenet2012" (its name in TensorFlow Datasets), "ImageNet-1k val".
IMAGENET_1K = (
    r"(?i)^(?:imagenet(?:[\s_-]*(?:1k|2012))?|in[\s_-]*1k|ilsvrc[\s_-]*(?:2012)?)"
    r"(?:[\s_-]*val(?:idation)?)?$"
)


# A heading naming ImageNet-1k as such ("ImageNet-1K trained models", "Results on IN-1k",
# "ILSVRC-2012", "ImageNet 2012"): the table below reports it, whatever a heading above names
# ("# Backbones on CIFAR-10 and ImageNet-1K"). Bare "ImageNet" is often any ImageNet, so it does
# not count, nor does a heading about pretraining ("Pretrained on IN-1K" under "Kinetics-400").
NAMES_IMAGENET_1K = re.compile(
    r"(?<![^\W_])(?:(?i:imagenet)[\s_-]*(?:1[kK]|2012)|IN[\s_-]*1[kK]|(?i:ilsvrc))(?![^\W_])"
)
NAMES_PRETRAINING = re.compile(r"(?i)pre[\s_-]*train")
# Chinese and Japanese characters: their words are not set apart by spaces.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# A heading naming ImageNet or classification beside a detection or segmentation set ("# Backbones
# for ImageNet classification, COCO detection and ADE20K segmentation") covers several tasks: the
# detection set does not decide what a table with a top-1 column below it reports.
NAMES_CLASSIFICATION = re.compile(r"(?i)imagenet|classification")
SEVERAL_TASKS_GROUP = "detection-segmentation"
# The evaluations that are ImageNet-1k val written as error rates, where a header may say so.
ERROR_RATE_GROUP = "error-rate"
# The evaluations of quantized models, where a column of precisions may tell rows apart.
QUANTIZED_GROUP = "quantized"
# The evaluations a document's lead can name for all its tables: protocols, not datasets (an
# introduction names many sets: "we also evaluate on COCO and ADE20K").
LEAD_GROUPS = ("linear-probe", "knn")


@dataclass(frozen=True)
class _Catalog:
    """What evaluations.toml lists, ready to match."""

    # Any evaluation alias, as a whole word: in Python (headings), and in polars (cells).
    pattern: re.Pattern[str]
    cell_pattern: str
    # The header keys of columns of evaluation sets, of evaluation protocols and of precisions.
    set_columns: frozenset[str]
    protocol_columns: frozenset[str]
    precision_columns: frozenset[str]
    # The cells of a precision column naming full precision, as header keys.
    full_precision: list[str]
    # The group of each alias ("validation error" -> "error-rate"), by header key.
    groups: dict[str, str]
    # The protocols a document's lead may name (LEAD_GROUPS), as a whole word.
    lead_pattern: re.Pattern[str]


@cache
def _catalog() -> _Catalog:
    """The catalog of evaluations.toml."""
    text = resources.files("pipeline").joinpath("data/evaluations.toml").read_text("utf-8")
    content = tomllib.loads(text)
    aliases = [alias for names in content["evaluations"].values() for alias in names]
    # Longest first, so "CIFAR-100" is named whole where "CIFAR" also matches.
    aliases.sort(key=len, reverse=True)
    words, anywhere = _alternatives(aliases)
    columns = content["columns"]
    lead_aliases = [alias for group in LEAD_GROUPS for alias in content["evaluations"][group]]
    return _Catalog(
        pattern=_whole_words(aliases),
        # polars' regular expressions look around nothing: the word's edges are matched.
        cell_pattern=rf"(?i)(?:^|[\W_])(?:{words})(?:[\W_]|$){anywhere}",
        set_columns=frozenset(header_key_text(name) for name in columns["evaluation_set"]),
        protocol_columns=frozenset(header_key_text(name) for name in columns["protocol"]),
        precision_columns=frozenset(header_key_text(name) for name in columns["precision"]),
        full_precision=sorted({header_key_text(name) for name in columns["full_precision"]}),
        groups={
            header_key_text(alias): group
            for group, names in content["evaluations"].items()
            for alias in names
        },
        lead_pattern=_whole_words(lead_aliases),
    )


def is_row_evaluation_column(header: pl.Expr) -> pl.Expr:
    """Whether a header names a column of evaluation sets, protocols or precisions: a column
    that decides which rows are results (evaluated_elsewhere), no unknown column."""
    catalog = _catalog()
    keys = catalog.set_columns | catalog.protocol_columns | catalog.precision_columns
    return header_key(header).is_in(sorted(keys))


def _whole_words(aliases: list[str]) -> re.Pattern[str]:
    """The aliases matched as whole words, ignoring case; those in Chinese or Japanese wherever
    they stand (_alternatives)."""
    words, anywhere = _alternatives(aliases)
    return re.compile(rf"(?<![^\W_])(?:{words})(?![^\W_]){anywhere}", re.IGNORECASE)


def _alternatives(aliases: list[str]) -> tuple[str, str]:
    """The alias patterns to match as whole words, joined by "|"; and, each after a "|", those
    written in Chinese or Japanese, whose words run together ("下游baseLine": "downstream
    baseline"), to match anywhere ("" when none)."""
    words = [_alias_pattern(alias) for alias in aliases if not CJK.search(alias)]
    anywhere = [f"|{_alias_pattern(alias)}" for alias in aliases if CJK.search(alias)]
    return "|".join(words), "".join(anywhere)


def _alias_pattern(alias: str) -> str:
    """An alias as a pattern: its words with any separators between them; the "IN" of an
    abbreviation only in capitals ("IN-A" is ImageNet-A, "in a nutshell" is not)."""
    words = [re.escape(word) for word in re.findall(r"[^\W_]+", alias)]
    if words[0] == "IN" and len(words) > 1:
        words[0] = "(?-i:IN)"
    return r"[\W_]*".join(words)


def heading_evaluation(heading_path: Sequence[str], lead: str | None = None) -> str | None:
    """The evaluation other than ImageNet-1k val that a table's headings name, nearest heading
    first, as written ("ImageNet-V2", "Linear probing"), or else its document's lead; None when
    they name none, or when a heading nearer than any that does names ImageNet-1k."""
    catalog = _catalog()
    for heading in reversed(heading_path):
        named = [found.group(0) for found in catalog.pattern.finditer(heading)]
        if named and not _covers_several_tasks(heading, named, catalog.groups):
            return named[0]
        if NAMES_IMAGENET_1K.search(heading) and not NAMES_PRETRAINING.search(heading):
            return None
    return lead_evaluation(lead) if lead else None


def lead_evaluation(lead: str) -> str | None:
    """The protocol a document's lead says all its numbers come from ("evaluating a linear
    classifier on ImageNet-1K"), as written; None when it names none, or names fine-tuning too
    ("results of fine-tuning and linear probing"), which leaves it to each table."""
    found = _catalog().lead_pattern.search(lead)
    if found is None or re.search(FINE_TUNING, lead, re.IGNORECASE):
        return None
    return found.group(0)


def _covers_several_tasks(heading: str, named: list[str], groups: dict[str, str]) -> bool:
    """Whether the heading names classification or ImageNet beside the detection or
    segmentation sets that are all the evaluations it names (groups: _Catalog.groups)."""
    only_other_tasks = all(
        groups.get(header_key_text(name)) == SEVERAL_TASKS_GROUP for name in named
    )
    return only_other_tasks and NAMES_CLASSIFICATION.search(heading) is not None


def other_evaluations(tables: pl.DataFrame) -> pl.DataFrame:
    """Per table: source, table_index, line and other_evaluation, what it reports instead of
    ImageNet-1k val ("ImageNet-V2", "a 'dataset' column"), null when nothing says so;
    heading_evaluation, what its headings name; column_evaluation, what its columns name;
    pos_evaluation_set, the position of its column of evaluation sets, if any: rows there
    naming ImageNet-1k are ImageNet-1k results; and pos_protocol and pos_precision, of its
    columns of evaluation protocols and of precisions (evaluated_elsewhere says which rows are
    not results)."""
    catalog = _catalog()
    # Heading paths repeat from table to table: each distinct one (with its lead) is searched
    # once.
    lead_and_path = pl.concat_str(
        pl.col("lead").fill_null(""),
        pl.col("heading_path").list.join(SEPARATOR),
        separator=SEPARATOR,
    )
    paths = tables.select(lead_and_path).to_series()
    by_path = {path: _path_evaluation(path) for path in paths.unique()}
    header_cells = (
        tables.select(*TABLE_KEY, "header")
        .with_columns(position=pl.int_ranges(pl.col("header").list.len(), dtype=pl.Int32))
        .explode("header", "position")
    )
    labelled = tables.select(*TABLE_KEY, "line").with_columns(
        heading=paths.replace_strict(by_path, return_dtype=pl.String)
    )
    row_columns = {
        "evaluation_set": catalog.set_columns,
        "protocol": catalog.protocol_columns,
        "precision": catalog.precision_columns,
    }
    for name, keys in row_columns.items():
        labelled = labelled.join(
            _first_column(header_cells, keys, name), on=TABLE_KEY, how="left", maintain_order="left"
        )
    return labelled.select(
        *TABLE_KEY,
        "line",
        *(f"pos_{name}" for name in row_columns),
        other_evaluation=pl.coalesce("heading", *row_columns),
        heading_evaluation="heading",
        column_evaluation=pl.coalesce(*row_columns),
    )


def evaluation_group(evaluation: pl.Expr) -> pl.Expr:
    """The group of evaluations.toml that an evaluation as written belongs to ("Validation
    error" -> "error-rate", "INT8" -> "quantized"); null for none."""
    groups = _catalog().groups
    return header_key(evaluation).replace_strict(groups, default=None, return_dtype=pl.String)


def _path_evaluation(lead_and_path: str) -> str | None:
    """heading_evaluation of a lead and heading path joined by SEPARATOR."""
    lead, *path = lead_and_path.split(SEPARATOR)
    return heading_evaluation(path, lead or None)


def _first_column(header_cells: pl.DataFrame, keys: frozenset[str], name: str) -> pl.DataFrame:
    """Per table with a header among keys: the first such column, as `name` ("a 'Dataset'
    column") and its position (pos_<name>)."""
    return (
        header_cells.filter(header_key(pl.col("header")).is_in(list(keys)))
        .group_by(TABLE_KEY, maintain_order=True)
        .agg(
            pl.format("a '{}' column", pl.col("header").first()).alias(name),
            pl.col("position").first().alias(f"pos_{name}"),
        )
    )


# A model name with a `linear` word names a linear probe of frozen features, no fine-tuned
# classifier: mmpretrain's "vit-base-p16_mae-300e-pre_8xb2048-linear-coslr-90e_in1k" beside
# "vit-base-p16_mae-300e-pre_8xb128-coslr-100e_in1k" under one "Top-1 (%)" header. A model with
# linear attention ("Swin (linear attention)") is no probe.
LINEAR_PROBE_NAME = r"(?i)(?:^|[\s_(-])linear(?:[\s_)-]|$)"
LINEAR_ATTENTION = r"(?i)linear[\s_-]*att"


def linear_probe(model: pl.Expr) -> pl.Expr:
    """Whether a model name says its row is a linear probe ("..._8xb2048-linear-coslr-90e_in1k",
    "MAE ViT-B (linear)"); False for no name."""
    probe = model.str.contains(LINEAR_PROBE_NAME) & ~model.str.contains(LINEAR_ATTENTION)
    return probe.fill_null(False)


# A model name with a quantization word names a quantized model, another model than the full
# precision one it is named after: TI's "MobileNetV2-QAT" (quantization-aware training, 8 bit)
# beside "MobileNetV2", "ResNet50 INT8", "DeiT-S (PTQ)", "ViT-B W8A8".
QUANTIZED_NAME = (
    r"(?i)(?:^|[\s_(.-])(?:qat|ptq|int[248]|w[248]a[248]|quant|quantized)(?:[\s_).-]|$)"
)


def named_elsewhere(model: pl.Expr) -> pl.Expr:
    """Whether a model name says its row is no ImageNet-1k val result of a full-precision model:
    a linear probe (linear_probe) or a quantized model; False for no name."""
    return linear_probe(model) | model.str.contains(QUANTIZED_NAME).fill_null(False)


def evaluated_elsewhere(
    cells: pl.Expr, pos_evaluation_set: pl.Expr, pos_protocol: pl.Expr, pos_precision: pl.Expr
) -> pl.Expr:
    """Whether a row's cell in its table's column of evaluation sets names another set than
    ImageNet-1k ("cifar100"), its cell in the column of evaluation protocols names a linear
    probe or another evaluation ("linear", "k-NN"), or its cell in the column of precisions a
    quantized or compressed model ("INT8", "Ternary", "4/4", "Filter pruning"); False where the
    table has none of these columns."""
    cell = cells.list.get(pos_evaluation_set, null_on_oob=True).str.strip_chars()
    other_set = pos_evaluation_set.is_not_null() & ~cell.str.contains(IMAGENET_1K).fill_null(False)
    protocol = cells.list.get(pos_protocol, null_on_oob=True)
    other_protocol = protocol.str.contains(_catalog().cell_pattern) | linear_probe(protocol)
    precision = cells.list.get(pos_precision, null_on_oob=True)
    return (
        other_set
        | (pos_protocol.is_not_null() & other_protocol.fill_null(False))
        | (pos_precision.is_not_null() & quantized_or_compressed(precision).fill_null(False))
    )


# A note in parentheses after a precision ("FP32 (baseline)", "INT8 (per-channel)").
PRECISION_NOTE = r"\([^)]*\)"


def quantized_or_compressed(precision: pl.Expr) -> pl.Expr:
    """Whether a cell of a column of precisions or compressions names a quantized or compressed
    model: "INT8", "Ternary", "1.58", "4/4", "Filter pruning"; not "FP32", "32", "float32
    (baseline)", "None", "-" or an empty cell."""
    key = header_key(precision.str.replace_all(PRECISION_NOTE, ""))
    return ~key.is_in(_catalog().full_precision) & (key != "")
