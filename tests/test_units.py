"""Unit cleaning: cell text -> typed values, one implementation for frames and single cells."""

import re
from collections.abc import Callable
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipeline.errors import ParseError
from pipeline.units import (
    ParsedValue,
    accuracy_percent,
    footnote_mark,
    image_size_pixels,
    params_lower_bound,
    params_millions,
    parse_accuracy,
    parse_image_size,
    parse_params,
    parse_sequence_length,
    value_text,
)

PARAMS_CASES = [
    ("99M", 99.0, False),
    ("87.9M", 87.9, False),
    ("304.8", 304.8, False),
    ("150+", 150.0, True),
    ("400+", 400.0, True),
    (">150", 150.0, True),
    ("≥ 150M", 150.0, True),
    ("1.2B", 1200.0, False),
    ("1.2 G", 1200.0, False),
    ("350K", 0.35, False),
    ("25,557,032", 25.557032, False),
    # Grouped by spaces (Larq's), from a million on: "12 345" stays two numbers.
    ("13 939 240", 13.93924, False),
    ("13\u202f939\u202f240", 13.93924, False),
    ("1 234 567 890", 1234.56789, False),
    ("25557032", 25.557032, False),
    ("9999", 9999.0, False),
    ("1,843", 1843.0, False),
    ("9,999", 9999.0, False),
    ("10,000", 0.01, False),
    ("999,999", 0.999999, False),
    ("10000.0", 10000.0, False),
    ("1,200M", 1200.0, False),
    ("99\u00a0M", 99.0, False),
    ("99m", 99.0, False),
    ("**86.6**", 86.6, False),
    ("86.6*", 86.6, False),
    ("\u22121.0", -1.0, False),
    ("-", None, False),
    ("–", None, False),
    ("—", None, False),
    ("", None, False),
    ("n/a", None, False),
    ("?", None, False),
    ("- M", None, False),
    (":---:", None, False),
]


@pytest.mark.parametrize(("text", "millions", "lower_bound"), PARAMS_CASES)
def test_params_read_as_millions_with_their_lower_bound_flag(
    text: str, millions: float | None, lower_bound: bool
) -> None:
    parsed = parse_params(text)
    assert parsed.value == (pytest.approx(millions) if millions is not None else None)
    assert parsed.lower_bound is lower_bound


ACCURACY_CASES = [
    ("86.4", 86.4, None),
    ("84.840", 84.84, None),
    ("88.1", 88.1, None),
    ("86.4%", 86.4, None),
    ("86.4 %", 86.4, None),
    ("**86.4**", 86.4, None),
    ("__86.4__", 86.4, None),
    ("85.2*", 85.2, "*"),
    ("84.1†", 84.1, "†"),
    ("85.2 ‡", 85.2, "‡"),
    ("**86.4**†", 86.4, "†"),
    ("**86.4", 86.4, None),
    ("84.1**", 84.1, "**"),
    ("84.1 **", 84.1, "**"),
    ("**84.1***", 84.1, "*"),
    # A spread or change after the value is kept apart from it, like a mark.
    ("84.1 ± 0.2", 84.1, "±0.2"),
    ("84.1±0.2%", 84.1, "±0.2%"),
    ("84.1 +/- 0.2", 84.1, "+/-0.2"),
    ("81.3 (+1.2)", 81.3, "(+1.2)"),
    ("81.3 (\u22120.4)", 81.3, "(-0.4)"),
    ("79.8 (↓0.4)", 79.8, "(↓0.4)"),
    ("85.0 (±0.1)", 85.0, "(±0.1)"),
    # A classic zoo's standard deviation over runs.
    ("23.53 (std=0.06)", 23.53, "(std=0.06)"),
    ("76.1 (std 0.1)", 76.1, "(std0.1)"),
    ("**85.2**† ± 0.1", 85.2, "†±0.1"),
    ("81.9(EMA)", 81.9, "(EMA)"),
    ("80.3 (ours)", 80.3, "(ours)"),
    ("75.6^", 75.6, "^"),
    # GitHub math around a value reads as the page shows it.
    ("$81.2$", 81.2, None),
    ("$81.2 \\pm 0.1$", 81.2, "±0.1"),
    ("$86.4\\%$", 86.4, None),
    ("0.864", 0.864, None),
    ("\u22121.0", -1.0, None),
    (" 86.4 ", 86.4, None),
    ("86", 86.0, None),
    ("-", None, None),
    # A dash with the unit after it is no value too (Kalray's "- %").
    ("- %", None, None),
    ("-%", None, None),
    ("–", None, None),
    ("—", None, None),
    ("", None, None),
    ("n/a", None, None),
    ("N/A", None, None),
    ("?", None, None),
    ("TODO", None, None),
    ("tba", None, None),
    ("Unknown", None, None),
    ("\\", None, None),
    ("/", None, None),
    # A delimiter cell in the body (a blog post's rows between its models).
    (":--------:", None, None),
    ("----------", None, None),
    (":---", None, None),
]


@pytest.mark.parametrize(("text", "percent", "mark"), ACCURACY_CASES)
def test_accuracy_reads_as_percent_with_the_mark_kept_apart(
    text: str, percent: float | None, mark: str | None
) -> None:
    assert parse_accuracy(text) == ParsedValue(percent, False, mark)


def test_a_dash_is_no_value_never_zero() -> None:
    assert parse_accuracy("-").value is None
    assert parse_params("-").value is None
    assert parse_image_size("-").value is None


def test_a_fraction_is_not_rescaled_to_percent() -> None:
    assert parse_accuracy("0.864").value == 0.864


IMAGE_SIZE_CASES = [
    ("224", 224),
    ("384", 384),
    ("224x224", 224),
    ("224×224", 224),
    ("384 x 384", 384),
    ("384X384", 384),
    ("384^2", 384),
    ("384²", 384),
    ("224px", 224),
    ("**448**", 448),
    # GitHub math (Agent-Attention's "$224^2$"), shown as 224².
    ("$224^2$", 224),
    ("$224^{2}$", 224),
    ("$384\\times384$", 384),
    ("$$ 384 \\times 384 $$", 384),
    # A shape with its channels (Hailo's "Input Resolution (HxWxC)"), after the sides or before.
    ("300x300x3", 300),
    ("224 x 224 x 3", 224),
    ("3x224x224", 224),
    # A tuple, with or without its channels (Mobilint's "(224,224,3)").
    ("(224,224,3)", 224),
    ("(3, 384, 384)", 384),
    ("[256, 256]", 256),
    ("1×128×128", 128),
    ("-", None),
    ("- px", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "pixels"), IMAGE_SIZE_CASES)
def test_image_sizes_read_as_pixels_per_side(text: str, pixels: int | None) -> None:
    assert parse_image_size(text).value == pixels


@pytest.mark.parametrize(("text", "tokens"), [("576", 576), ("576 tokens", 576), ("-", None)])
def test_sequence_lengths_read_as_tokens(text: str, tokens: int | None) -> None:
    assert parse_sequence_length(text).value == tokens


UNREADABLE = [
    (parse_accuracy, "85.x", "top1: '85.x' is not a number"),
    (parse_accuracy, "86,4", "top1: '86,4' is not a number"),
    (parse_accuracy, "1e5", "top1: '1e5' is not a number"),
    (parse_accuracy, "8**6.4", "top1: '8**6.4' is not a number"),
    # An annotation after no number, two of them, or a bare number in parentheses.
    (parse_accuracy, "± 0.2", "top1: '± 0.2' is not a number"),
    (parse_accuracy, "- ± 0.2", "top1: '- ± 0.2' is not a number"),
    (parse_accuracy, "86.4 ± 0.1 ± 0.2", "top1: '86.4 ± 0.1 ± 0.2' holds 2 numbers, not one"),
    (parse_accuracy, "81.3 (1.2)", "top1: '81.3 (1.2)' holds 2 numbers, not one"),
    (parse_accuracy, "81.3 (+x)", "top1: '81.3 (+x)' is not a number"),
    # Another test set in parentheses is no qualifier of an ImageNet-1k value.
    (parse_accuracy, "84.1 (ReaL)", "top1: '84.1 (ReaL)' is not a number"),
    (parse_params, "lots", "params_m: 'lots' is not a parameter count"),
    (parse_params, "99MB", "params_m: '99MB' is not a parameter count"),
    (parse_params, "25,55,032", "params_m: '25,55,032' is not a parameter count"),
    # Several results stacked in one cell, said as such.
    (parse_accuracy, "83.9|85.1|85.7", "top1: '83.9|85.1|85.7' holds 3 numbers, not one"),
    (parse_accuracy, "C_75.3 M_75.61", "top1: 'C_75.3 M_75.61' holds 2 numbers, not one"),
    (parse_accuracy, "85.0% / 86.7%", "top1: '85.0% / 86.7%' holds 2 numbers, not one"),
    (parse_params, "15|30|116", "params_m: '15|30|116' holds 3 numbers, not one"),
    (parse_params, "12 345", "params_m: '12 345' holds 2 numbers, not one"),
    (parse_params, "13 939 24", "params_m: '13 939 24' holds 3 numbers, not one"),
    (parse_image_size, "224x320", "img_size: '224x320' is not square"),
    (parse_image_size, "224x320x3", "img_size: '224x320x3' is not square"),
    (parse_image_size, "224x224x4", "img_size: '224x224x4' is not an image size"),
    (parse_image_size, "(224,320,3)", "img_size: '(224,320,3)' is not square"),
    (parse_image_size, "(224,224,4)", "img_size: '(224,224,4)' is not an image size"),
    (parse_image_size, "3x224x224x3", "img_size: '3x224x224x3' is not an image size"),
    (parse_image_size, "224.5", "img_size: '224.5' is not an image size"),
    (parse_image_size, "$224", "img_size: '$224' is not an image size"),
    (parse_image_size, "$224\\times320$", "img_size: '$224\\times320$' is not square"),
    (parse_image_size, "99999999999", "img_size: '99999999999' is not an image size"),
    (parse_sequence_length, "576.5", "eval_seq_len: '576.5' is not a whole number"),
]


@pytest.mark.parametrize(("parse", "text", "message"), UNREADABLE)
def test_an_unreadable_cell_raises_a_parse_error_naming_column_and_text(
    parse: object, text: str, message: str
) -> None:
    with pytest.raises(ParseError, match=f"^{re.escape(message)}$"):
        parse(text)  # type: ignore[operator]


def test_expressions_read_a_column_like_the_single_value_wrappers() -> None:
    cells = pl.DataFrame({"cell": ["150+", "99M", "-", "85.2*", "224x224"]})
    read = cells.select(
        params=params_millions(pl.col("cell")),
        bound=params_lower_bound(pl.col("cell")),
        mark=footnote_mark(pl.col("cell")),
        accuracy=accuracy_percent(pl.col("cell")),
        size=image_size_pixels(pl.col("cell")),
        text=value_text(pl.col("cell")),
    )
    assert read["params"].to_list()[:3] == [150.0, 99.0, None]
    assert read["bound"].to_list() == [True, False, False, False, False]
    assert read["mark"].to_list() == [None, None, None, "*", None]
    assert read["accuracy"].to_list()[3] == 85.2
    assert read["size"].to_list()[4] == 224
    assert read["text"].to_list() == ["150+", "99M", None, "85.2", "224x224"]


PARSERS = [parse_accuracy, parse_params, parse_image_size, parse_sequence_length]


@pytest.mark.parametrize("parse", PARSERS)
@given(text=st.text())
def test_any_text_reads_to_a_value_or_a_parse_error_never_a_crash(parse: object, text: str) -> None:
    try:
        parsed = parse(text)  # type: ignore[operator]
    except ParseError:
        return
    assert parsed.value is None or isinstance(parsed.value, int | float)


NUMERIC_TEXT = st.from_regex(r"\A[\-\u2212]?[0-9]{1,6}(\.[0-9]{1,4})?[%*†‡ ]{0,2}\Z")
PARAMS_TEXT = st.from_regex(r"\A(>|≥)?[0-9]{1,6}(\.[0-9]{1,3})?\s?[KMBG]?\+?\Z")


def _plain(number: float | int | None) -> str:
    """A float written without exponent and without losing digits (1e-05 -> 0.00001)."""
    return format(Decimal(repr(number)), "f")


def _read(parse: Callable[[str], ParsedValue], text: str) -> ParsedValue:
    """The cell read, or the example discarded when the text does not read to a value."""
    try:
        parsed = parse(text)
    except ParseError:
        parsed = ParsedValue(None)
    assume(parsed.value is not None)
    return parsed


@given(text=NUMERIC_TEXT)
def test_accuracy_read_again_from_its_own_formatting_is_unchanged(text: str) -> None:
    first = _read(parse_accuracy, text)
    assert parse_accuracy(_plain(first.value) + (first.mark or "")) == first


@given(text=PARAMS_TEXT)
def test_params_read_again_from_their_own_formatting_are_unchanged(text: str) -> None:
    first = _read(parse_params, text)
    formatted = _plain(first.value) + "M" + ("+" if first.lower_bound else "")
    assert parse_params(formatted) == first


@given(side=st.integers(min_value=1, max_value=10_000))
def test_image_sizes_read_again_from_their_own_formatting_are_unchanged(side: int) -> None:
    first = parse_image_size(f"{side}x{side}")
    assert parse_image_size(str(first.value)) == first
