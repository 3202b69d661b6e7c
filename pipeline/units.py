"""Cell text -> typed values ("99M", "150+", "224x224", "-") as polars expressions (pure).

Every parser is an expression builder, so a million cells are read in one vectorized pass; the
single-value wrappers (parse_params, ...) run the same expressions on a one-element frame.
Reading is two steps: value_text takes spacing, markup and footnote mark off a cell (null for
"no value"), then a Reader turns that text into a value and says why when it cannot. Regexes
only validate (a DFA match is cheap); the pieces come out with plain string operations.
"""

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipeline.errors import ParseError

# One pass of plain replacements before anything is read: no-break and thin spaces from
# copy-pasted HTML ("99\u00a0M"), the Unicode minus ("\u22121.0" reads as -1.0, then fails
# validation), and underline/code markup the extractor left ("__86.4__" reads as 86.4).
CLEANUP = {
    "\u00a0": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2212": "-",
    "__": "",
    "`": "",
}
# GitHub math around a value ("$224^2$" in Agent-Attention, "$384\times384$", "$81.2\pm0.1$")
# reads as the page shows it: 224², 384×384, 81.2±0.1. Only a cell that is math from end to end.
MATH_VALUE = r"^\$+\s*([^$]*?)\s*\$+$"
LATEX_SYMBOLS = {"\\times": "×", "\\pm": "±", "\\%": "%", "^{2}": "^2", "\\,": " ", "\\ ": " "}
# Bold around a value ("**86.4**", "**86.4**†"): it comes off, with an opening "**" never closed.
# A "**" after a value is no markup but a footnote mark ("84.1**" -> '**', as "84.1*" -> '*').
BOLD_VALUE = r"^\*\*([^*]*)\*\*"
# Footnote marks after a value ("85.2*", "84.1†", "85.2 ‡", TF-Slim's "ResNet-50^") come off
# the value or name and go to the observation's footnotes as 'top1:*'.
MARKS = "*†‡§¶^"
# An upscaling written after a name ("DeiT-B↑384", "volo_d1 ↑384": fine-tuned and evaluated at
# 384 px) says the row's image size, not which model: it comes off the name like a mark.
# So does an image size in parentheses ("ViT (384)", "CaiT* (384)": a comparison's rows at 384),
# one of the sizes models are evaluated at: "(300)" or "(800)" may be epochs, "(101)" a depth.
EVAL_SIZES = "128|160|192|224|240|256|260|288|299|320|331|336|352|380|384|416|448|456|480|512|518"
SIZE_NOTE = rf"\s*\(\s*(?:{EVAL_SIZES})\s*(?:px)?\s*\)"
UPSCALED = rf"\s*↑\s*[0-9]{{3,4}}|{SIZE_NOTE}"
# A venue and year after a name ("Swin-T (ICCV'21)", "ConvNeXt-T (CVPR 2022)", "Vim-S (arXiv'24)")
# say where the model was published, not which model: the note comes off the name like a mark,
# so the row is one result with the same model's rows elsewhere.
VENUES = "ICCV|CVPR|ECCV|NeurIPS|NIPS|ICLR|ICML|AAAI|IJCAI|TPAMI|TIP|WACV|BMVC|arXiv"
VENUE_NOTE = rf"\s*\((?:{VENUES})\s*['’]?\s*(?:[0-9]{{2}}|[0-9]{{4}})\)"
# A footnote mark in parentheses after a name (VISSL's "ViT/B16 - 90 epochs (*)").
MARK_IN_PARENTHESES = rf"\s*\([{MARKS}]+\)"
# Badges after a name: symbols and emoji ("efficientnet_m🚀⭐", Hailo's model zoo marks the
# models it optimized), with the joiners and variation selectors of emoji.
BADGES = r"\s*[\p{So}\x{FE0F}\x{200D}]+"
# A link to the weights after a name, its text left in the cell (Axis' "[MobilenetV2](...)
# ([ckpt](...))"): where the model is, not which model.
WEIGHTS_NOTE = r"\s*\((?i:ckpt|checkpoints?|weights?|download|logs?|config)\)"
# The notes that end a name, in the order they are written: "DeiT-B (ICCV'21) ↑384 (*) 🚀".
NAME_NOTES = (
    rf"(?:{VENUE_NOTE})?(?:{UPSCALED})?(?:{MARK_IN_PARENTHESES})?(?:{BADGES})?(?:{WEIGHTS_NOTE})?$"
)
# The notes after a name that tell no two models apart: its image size, venue, link to weights.
NO_MODEL_APART = rf"{UPSCALED}|{VENUE_NOTE}|{WEIGHTS_NOTE}"
# A row of dashes inside a table (RADIO's "|-----|-----|" between groups) names no model, and its
# dashes are no marks.
RULE_LINE = r"^[-–—=_:.\s]+$"
# A row of an ablation names a step added to or taken from the model above it ("+ Mixup",
# "+ EMA", PyTorch's recipe steps; "w/o distillation"), no model of its own: it gives no result.
ABLATION_STEP = r"^\s*(?:[+＋]\s*[\p{L}\p{N}]|(?i:w/o?)\s)"
# Nor does a lone "%" (Larq's value cut onto the next line): a name has a letter or a digit.
NO_NAME = r"^[^\p{L}\p{N}]+$"
# A legend's mark before a name ("● NFNet-F4+", "⋄ CoAtNet-5": a comparison's "● = ConvNet,
# ⋄ = hybrid"): symbols, bullets and footnote marks, not "+" or "-" ("+ SE" is an ablation).
LEADING_MARKS = rf"^(?:[\p{{So}}⋄⋆∗∘∙•·{MARKS}]\s*)+"
# A spread or a change written after a value ("84.1 ± 0.2", "84.1±0.2%", "81.3 (+1.2)",
# "79.8 (↓0.4)", "85.0 (±0.1)", a classic zoo's "23.53 (std=0.06)"), or a qualifier of how it was
# measured ("81.9(EMA)", "80.3 (ours)"): the value is the number before it, and the annotation
# goes to the footnotes beside the marks ('top1:±0.2'), never into the number. A bare "81.3
# (1.2)", a test set ("84.1 (ReaL)") or an annotation after no number ("± 0.2") stays unreadable.
# Words saying where a number comes from: after a value, "(paper)"; in a header, "Top-1 (paper)".
SOURCE_QUALIFIERS = "paper|reported|official|ours|reproduced"
ANNOTATED = (
    rf"^(.*[0-9%{MARKS}])\s*"
    r"(?:(?:±|\+/-|\+-)\s*[0-9.]+\s*%?|\(\s*(?:±|\+/-|[+\-↑↓]|(?i:std)\s*[=:]?)\s*[0-9.]+\s*%?\s*\)"
    rf"|\((?i:ema|best|last|{SOURCE_QUALIFIERS})\))$"
)
# Ways a page says "no value": "-" for the in12k checkpoints never evaluated on ImageNet-1k,
# "TODO" for a value to come (VAN-B4), "Unknown" (ONNX's SqueezeNet), a lone "\" (ViTAE's
# acc@5) or "/".
# These read as null, never as 0, and are not parse errors; so do they with the column's unit
# after them (Kalray's "- %" for a model not measured, "- M", "- px"). So does a delimiter cell
# in the body (":--------:", the rows a blog post draws between its models).
NO_VALUE = (
    r"(?i)^(?:|:?[-–—‐]+:?|(?:[-–—‐]+|[\\/]|n/?a|\?+|none|null|nan|tbd|tba|todo|unknown)"
    r"(?:\s*(?:%|[kmbg]|px))?)$"
)

NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
# Accuracy in percent, "%" optional. A fraction (0.864) is kept as written: validation flags it.
ACCURACY = rf"^{NUMBER}\s*%?$"
# Parameter counts: "99M", "1.2B", "350K" (K, M, B or G), "304.8" (bare means millions, 004's
# DeiT III rows), "25,557,032" (thousands separators), and lower bounds "150+" / ">150" (timm
# so150m rows: the page's author wrote "150+" where the exact count was not given).
# A raw count grouped by spaces, as French and SI style write it (Larq's "13 939 240"), is one
# as with commas; only a count of a million or more: "12 345" may as well be two numbers. (No-
# break and thin spaces are plain spaces by now: CLEANUP.)
SPACED_COUNT = r"[1-9][0-9]{0,2}(?: [0-9]{3}){2,}"
PARAMS = (
    rf"^(?:{SPACED_COUNT}|(?:>=|≥|>)?\s*-?"
    r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"\s*[kKmMbBgG]?\s*\+?)$"
)
# The separators of a count's groups, taken out to read its digits.
GROUP_SEPARATORS = {",": "", " ": ""}
BILLIONS = {"b": 1000.0, "g": 1000.0}
THOUSANDS = {"k": 1000.0}
# A whole number of 10,000 or more in a params column, bare or with thousands separators, is a
# raw count ("25,557,032" is resnet50's 25.6M), not millions: 10,000M would be a
# 10-billion-parameter model, and raw counts of real models start near 100,000. Below that a
# separator changes nothing ("1,843" is ViT-G's 1,843M, as "1843" is), and a decimal point
# ("10000.0") keeps a number in millions, as does a header saying millions ("Params (M)": 21743
# is ViT-22B; pipeline.normalize reads that).
RAW_COUNT = (
    rf"^(?:[0-9]{{1,3}}(?:,[0-9]{{3}}){{2,}}|[1-9][0-9]{{1,2}},[0-9]{{3}}|[1-9][0-9]{{4,}}"
    rf"|{SPACED_COUNT})$"
)
# Image sizes: "384", "224x224", "224×224", "384^2", "384²", "224px". A non-square "224x320" is
# an error: the column holds one size per side and picking either side would invent a result.
IMAGE_SIZE = r"^[0-9]+\s*(?:[xX×*]\s*[0-9]+)?\s*(?:px|\^2|²)?$"
# A shape with its channels, 3 (RGB) or 1, after the sides ("300x300x3", Hailo's "HxWxC") or
# before them ("3x224x224"): the sides are the size.
SIDES = r"[0-9]+\s*[xX×*]\s*[0-9]+"
WITH_CHANNELS = rf"^(?:({SIDES})\s*[xX×*]\s*[13]|[13]\s*[xX×*]\s*({SIDES}))$"
# A shape written as a tuple, with or without its channels (Mobilint's "(224,224,3)"):
# its sides are the size, as in "224x224".
TUPLE_SHAPE = (
    r"^[(\[]\s*(?:([0-9]+)\s*,\s*([0-9]+)(?:\s*,\s*[13])?"
    r"|[13]\s*,\s*([0-9]+)\s*,\s*([0-9]+))\s*[)\]]$"
)
SIZE_SEPARATORS = {"×": "x", "X": "x", "*": "x", "px": "", "^2": "", "²": "", " ": ""}
# Sequence lengths: "576" tokens (NaFlexViT rows), "576 tokens".
SEQUENCE_LENGTH = r"^[0-9]+\s*(?:tokens?)?$"
# Most accuracy and params cells are a decimal number as written ("85.234", "304.8"): nothing to
# clean, no footnote mark, no unit, and with a decimal point never a raw count.
PLAIN_DECIMAL = r"^[0-9]+\.[0-9]+$"


@dataclass(frozen=True)
class ParsedValue:
    """One cell read: the value (null for none), lower-bound flag and footnote mark."""

    value: float | int | None
    lower_bound: bool = False
    mark: str | None = None


@dataclass(frozen=True)
class Reader:
    """How one kind of cell is read: value from value text, and the reason when it is not."""

    value: Callable[[pl.Expr], pl.Expr]
    problem: Callable[[pl.Expr, pl.Expr], pl.Expr]
    # True when the value of a PLAIN_DECIMAL text is the number it writes (plain_decimal_value).
    reads_plain_decimals: bool = False


def cleaned_text(cell: pl.Expr) -> pl.Expr:
    """Cell text with spaces, minus and markup normalized and the ends trimmed."""
    text = _math_as_shown(cell.str.replace_many(CLEANUP).str.strip_chars())
    return text.str.replace(BOLD_VALUE, "${1}").str.strip_prefix("**").str.strip_chars()


def _math_as_shown(text: pl.Expr) -> pl.Expr:
    """A value written as GitHub math, as the page shows it ("$224^2$" -> "224^2"); any other
    text as it is."""
    shown = text.str.replace(MATH_VALUE, "${1}").str.replace_many(LATEX_SYMBOLS)
    return pl.when(text.str.contains(MATH_VALUE)).then(shown).otherwise(text)


def _without_mark(cleaned: pl.Expr) -> pl.Expr:
    """Cleaned text without the annotation and footnote marks at its end."""
    return without_marks(cleaned.str.replace(ANNOTATED, "${1}"))


def without_marks(text: pl.Expr) -> pl.Expr:
    """Text without the footnote marks and spaces at its end."""
    return text.str.strip_chars_end(MARKS + " ")


def unmarked_value(cleaned: pl.Expr) -> pl.Expr:
    """Cleaned text without its footnote mark or annotation; null when it says no value ("-",
    "n/a")."""
    text = _without_mark(cleaned)
    return pl.when(~text.str.contains(NO_VALUE)).then(text)


def mark_of(cleaned: pl.Expr) -> pl.Expr:
    """The footnote mark and annotation at the end of cleaned text ("85.2 ‡" -> "‡",
    "84.1 ± 0.2" -> "±0.2"), null when none."""
    return _after(cleaned, _without_mark(cleaned))


def _after(text: pl.Expr, head: pl.Expr) -> pl.Expr:
    """What text has after its head, without spaces; null when nothing."""
    rest = text.str.strip_prefix(head).str.replace_all(" ", "", literal=True)
    return pl.when(rest != "").then(rest)


def value_text(cell: pl.Expr) -> pl.Expr:
    """Cell text with spacing, markup and footnote mark taken off; null when it says no value."""
    return unmarked_value(cleaned_text(cell))


def footnote_mark(cell: pl.Expr) -> pl.Expr:
    """The footnote mark after a value ("85.2*" -> "*"), null when there is none."""
    return mark_of(cleaned_text(cell))


def unmarked_name(name: pl.Expr) -> pl.Expr:
    """A name without the footnote marks, upscaling or venue after it ("ViT-B*" -> "ViT-B",
    "DeiT-B↑384" -> "DeiT-B", "Swin-T (ICCV'21)" -> "Swin-T") or a legend's mark before it
    ("● NFNet-F4+" -> "NFNet-F4+"); null when only marks."""
    body = name.str.replace(LEADING_MARKS, "")
    text = without_marks(without_marks(body).str.replace(NAME_NOTES, ""))
    return pl.when((text != "") & ~text.str.contains(NO_NAME)).then(text)


def name_mark(name: pl.Expr, unmarked: pl.Expr) -> pl.Expr:
    """The marks before a name and the footnote marks, upscaling or venue after it ("ViT-B†" ->
    "†", "DeiT-B ↑384" -> "↑384", "● NFNet-F4+" -> "●"), spaces taken out, given the name without
    them (unmarked_name); null when there are none."""
    leading = name.str.extract(f"({LEADING_MARKS})").str.replace_all(" ", "", literal=True)
    trailing = _after(name.str.replace(LEADING_MARKS, ""), unmarked.fill_null(""))
    marks = pl.concat_str(leading, trailing, ignore_nulls=True)
    return pl.when((marks != "") & ~name.str.contains(RULE_LINE)).then(marks)


def plain_decimal_value(text: pl.Expr) -> pl.Expr:
    """The number a PLAIN_DECIMAL text writes ("85.234" -> 85.234), Float64."""
    return text.cast(pl.Float64, strict=False)


def accuracy_value(text: pl.Expr) -> pl.Expr:
    """Accuracy in percent from value text ("86.4%" -> 86.4), Float64."""
    number = text.str.strip_suffix("%").str.strip_chars_end()
    return pl.when(text.str.contains(ACCURACY)).then(number.cast(pl.Float64, strict=False))


def params_value(text: pl.Expr) -> pl.Expr:
    """Parameters in millions from value text ("1.2B" -> 1200, "25,557,032" -> 25.557032)."""
    body = text.str.strip_suffix("+").str.strip_chars_start(">=≥").str.strip_chars()
    unit = body.str.tail(1).str.to_lowercase()
    digits = body.str.strip_chars_end("kKmMbBgG ").str.replace_many(GROUP_SEPARATORS)
    number = digits.cast(pl.Float64, strict=False)
    raw_count = body.str.contains(RAW_COUNT)
    # Multiply for billions, divide for thousands and raw counts: 350/1000 is exactly 0.35.
    times = unit.replace_strict(BILLIONS, default=1.0, return_dtype=pl.Float64)
    per = unit.replace_strict(THOUSANDS, default=1.0, return_dtype=pl.Float64)
    per_count = pl.when(raw_count).then(pl.lit(1e6)).otherwise(pl.lit(1.0))
    return pl.when(text.str.contains(PARAMS)).then(number * times / (per * per_count))


def raw_count(text: pl.Expr) -> pl.Expr:
    """The whole number a raw count writes ("21,743" -> 21743.0, as written, not in millions);
    null for other value text."""
    digits = text.str.replace_many(GROUP_SEPARATORS)
    return pl.when(text.str.contains(RAW_COUNT)).then(digits.cast(pl.Float64, strict=False))


def params_bound(text: pl.Expr) -> pl.Expr:
    """True when value text is a lower bound ("150+", ">150"); False otherwise, never null."""
    flagged = text.str.ends_with("+") | text.str.starts_with(">") | text.str.starts_with("≥")
    return (text.str.contains(PARAMS) & flagged).fill_null(False)


def _image_sides(text: pl.Expr) -> pl.Expr:
    return text.str.replace_many(SIZE_SEPARATORS).str.split_exact("x", 1)


def _size_shape(text: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Of an image size text read as its sides (a shape's channels dropped, "300x300x3" ->
    "300x300"; a tuple as its sides, "(224,224,3)" -> "224x224"): whether it is written as a
    size, whether it is square, and its first side."""
    sides_text = text.str.replace(TUPLE_SHAPE, "${1}${3}x${2}${4}").str.replace(
        WITH_CHANNELS, "${1}${2}"
    )
    sides = _image_sides(sides_text)
    return sides_text.str.contains(IMAGE_SIZE), _is_square(sides), sides.struct.field("field_0")


def _is_square(sides: pl.Expr) -> pl.Expr:
    other = sides.struct.field("field_1")
    return other.is_null() | (other == sides.struct.field("field_0"))


def image_size_value(text: pl.Expr) -> pl.Expr:
    """Pixels per side from value text ("224x224" -> 224, "224x224x3" -> 224), Int32; null when
    not square."""
    written_as_size, square, side = _size_shape(text)
    return pl.when(written_as_size & square).then(side.cast(pl.Int32, strict=False))


def sequence_length_value(text: pl.Expr) -> pl.Expr:
    """Tokens from value text ("576" -> 576), Int32."""
    digits = text.str.extract(r"^([0-9]+)")
    return pl.when(text.str.contains(SEQUENCE_LENGTH)).then(digits.cast(pl.Int32, strict=False))


# A word of a cell (between spaces, pipes, slashes, semicolons) holding a digit: "83.9|85.1" and
# "81.3 (1.2)" hold two, "1e5", "25,55,032" and "8**6.4" one.
NUMBER_WORD = r"[^\s|/;]*[0-9][^\s|/;]*"


def _unread(reason: str) -> Callable[[pl.Expr, pl.Expr], pl.Expr]:
    """The problem of a cell with no value: it holds several numbers ("83.9|85.1|85.7", "C_75.3
    M_75.61": one row's results stacked in a cell), or the reason given."""

    def problem(text: pl.Expr, value: pl.Expr) -> pl.Expr:
        # Counted only where there is no value: 0.05 s per million cells otherwise.
        numbers = pl.when(value.is_null()).then(text).str.count_matches(NUMBER_WORD)
        said = (
            pl.when(numbers >= 2)
            .then(pl.format("holds {} numbers, not one", numbers))
            .otherwise(pl.lit(reason))
        )
        return pl.when(text.is_not_null() & value.is_null()).then(said)

    return problem


def _image_size_problem(text: pl.Expr, value: pl.Expr) -> pl.Expr:
    written_as_size, square, _ = _size_shape(text)
    non_square = written_as_size & ~square
    reason = (
        pl.when(non_square).then(pl.lit("is not square")).otherwise(pl.lit("is not an image size"))
    )
    return pl.when(text.is_not_null() & value.is_null()).then(reason)


ACCURACY_READER = Reader(accuracy_value, _unread("is not a number"), reads_plain_decimals=True)
PARAMS_READER = Reader(params_value, _unread("is not a parameter count"), reads_plain_decimals=True)
IMAGE_SIZE_READER = Reader(image_size_value, _image_size_problem)
SEQUENCE_LENGTH_READER = Reader(sequence_length_value, _unread("is not a whole number"))


def parse_error(column: str, cell: pl.Expr, problem: pl.Expr) -> pl.Expr:
    """ "column: 'cell' problem" ("top1: '85.x' is not a number"), null when there is no problem."""
    return pl.concat_str(pl.lit(f"{column}: '"), cell, pl.lit("' "), problem)


def accuracy_percent(cell: pl.Expr) -> pl.Expr:
    """Accuracy in percent of a cell ("86.4%", "**86.4**", "85.2*" -> 86.4/85.2); null if none."""
    return accuracy_value(value_text(cell))


def params_millions(cell: pl.Expr) -> pl.Expr:
    """Parameters in millions of a cell ("99M" -> 99, "150+" -> 150); null if none."""
    return params_value(value_text(cell))


def params_lower_bound(cell: pl.Expr) -> pl.Expr:
    """True when a params cell gives a lower bound ("150+"), False otherwise."""
    return params_bound(value_text(cell))


def image_size_pixels(cell: pl.Expr) -> pl.Expr:
    """Pixels per side of an image-size cell ("224x224" -> 224); null if none or non-square."""
    return image_size_value(value_text(cell))


def sequence_length_tokens(cell: pl.Expr) -> pl.Expr:
    """Tokens of a sequence-length cell ("576" -> 576); null if none."""
    return sequence_length_value(value_text(cell))


def _parse_one(text: str, reader: Reader, column: str) -> ParsedValue:
    """Read one cell the way normalize reads a column: cleaned, text, value, problem."""
    row = (
        pl.DataFrame({"cell": [text]}, schema={"cell": pl.String})
        .with_columns(cleaned=cleaned_text(pl.col("cell")))
        .with_columns(text=unmarked_value(pl.col("cleaned")), mark=mark_of(pl.col("cleaned")))
        .with_columns(value=reader.value(pl.col("text")), bound=params_bound(pl.col("text")))
        .with_columns(problem=reader.problem(pl.col("text"), pl.col("value")))
        .with_columns(error=parse_error(column, pl.col("cell"), pl.col("problem")))
        .row(0, named=True)
    )
    if row["error"] is not None:
        raise ParseError(row["error"])
    return ParsedValue(row["value"], reader is PARAMS_READER and row["bound"], row["mark"])


def parse_accuracy(text: str, column: str = "top1") -> ParsedValue:
    """Read one accuracy cell ("85.2*" -> 85.2, mark '*'); raises ParseError if unreadable."""
    return _parse_one(text, ACCURACY_READER, column)


def parse_params(text: str, column: str = "params_m") -> ParsedValue:
    """Read one params cell ("150+" -> 150.0, lower bound); raises ParseError if unreadable."""
    return _parse_one(text, PARAMS_READER, column)


def parse_image_size(text: str, column: str = "img_size") -> ParsedValue:
    """Read one image-size cell ("224x224" -> 224); raises ParseError if unreadable."""
    return _parse_one(text, IMAGE_SIZE_READER, column)


def parse_sequence_length(text: str, column: str = "eval_seq_len") -> ParsedValue:
    """Read one sequence-length cell ("576" -> 576); raises ParseError if unreadable."""
    return _parse_one(text, SEQUENCE_LENGTH_READER, column)
