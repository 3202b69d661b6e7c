"""extract_frames, the build's vectorized path, gives exactly tables_to_frames(extract_tables)."""

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from pipeline import extract
from pipeline.errors import ParseError
from pipeline.extract import extract_frames, extract_tables, tables_to_frames
from pipeline.inline import render_cell
from schemas.extracted import ExtractedRow, ExtractedTable
from tests.factories import html_tables

REPO = Path(__file__).resolve().parent.parent
CASES = json.loads(
    (REPO / "tests" / "fixtures" / "conformance" / "gfm_tables.json").read_text(encoding="utf-8")
)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def frames_by_python(documents: list[tuple[str, str]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    tables = [table for source, text in documents for table in extract_tables(text, source)]
    return tables_to_frames(tables)


def assert_same_frames(documents: list[tuple[str, str]]) -> None:
    expected_tables, expected_rows = frames_by_python(documents)
    tables, rows = extract_frames(documents)
    assert_frame_equal(tables, expected_tables)
    assert_frame_equal(rows, expected_rows)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_every_conformance_case_gives_the_same_frames_both_ways(case):
    assert_same_frames([(f"{case['id']}.md", case["markdown"])])


def test_all_conformance_cases_at_once_give_the_same_frames_both_ways():
    assert_same_frames([(f"{case['id']}.md", case["markdown"]) for case in CASES])


def test_the_seed_documents_give_the_same_frames_both_ways():
    documents = [
        (path.name, path.read_text(encoding="utf-8"))
        for path in sorted((REPO / "raw").glob("*.md"))
    ]
    assert_same_frames(documents)


def test_a_document_without_tables_gives_empty_frames_with_the_schema():
    tables, rows = extract_frames([("prose.md", "# Title\n\nJust prose.\n")])
    assert (tables.height, rows.height) == (0, 0)
    assert_same_frames([("prose.md", "# Title\n\nJust prose.\n")])


ROW_PIECES = [
    "resnet50.a1_in1k",
    "**86.4**",
    "85.2*",
    "85.2 ‡",
    "_ViT_",
    "vit_base_patch16_224",
    "a_",
    "_",
    "é_x",
    "[ViT](https://example.org/vit)",
    "`code | pipe`",
    "\\|",
    "<sup>1</sup>",
    "85.2<sub>1</sub>",
    "85.2[^1]",
    "&amp;",
    "~~old~~",
    "**a*b**",
    "** x**",
    "***x***",
    " ",
    "\u00a0",
    "\u2003",
    "\x1c",
    "\x1f",
    "-",
    "224x224",
    "99M",
    "150+",
]
LINE_PREFIXES = ["", "", "", "    ", "> ", "  ", "- ", "\t"]
BLOCK_LINES = [
    "",
    "# Heading",
    "Some prose | with a pipe",
    '!!! note "Results"',
    "```",
    "|",
    "| --- | --- |",
    "[vit]: https://example.org/vit",
    "[^1]: https://example.org/paper",
]


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Markdown with tables whose rows mix every kind of cell, inside and outside containers."""
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        prefix = draw(st.sampled_from(LINE_PREFIXES))
        width = draw(st.integers(1, 4))
        lines += draw(st.lists(st.sampled_from(BLOCK_LINES), max_size=2))
        lines += [prefix + table for table in draw(st.lists(html_tables(), max_size=1))]
        lines.append(prefix + "| " + " | ".join(f"h{i}" for i in range(width)) + " |")
        lines.append(prefix + "|" + "|".join("---" for _ in range(width)) + "|")
        for _ in range(draw(st.integers(0, 6))):
            cells = draw(st.lists(st.sampled_from(ROW_PIECES), min_size=0, max_size=width + 1))
            row_prefix = draw(st.sampled_from([prefix, prefix, prefix, ""]))
            closing = draw(st.sampled_from([" |", " |", "", " | "]))
            lines.append(row_prefix + "| " + " | ".join(cells) + closing)
    return "\n".join(lines) + "\n"


@SETTINGS
@given(st.lists(documents(), min_size=1, max_size=3))
def test_any_document_gives_the_same_frames_both_ways(texts):
    documents = [(f"doc{number}.md", text) for number, text in enumerate(texts)]
    try:
        expected = frames_by_python(documents)
    except ParseError as error:
        with pytest.raises(ParseError, match=str(error).split(":")[0]):
            extract_frames(documents)
        return
    tables, rows = extract_frames(documents)
    assert_frame_equal(tables, expected[0])
    assert_frame_equal(rows, expected[1])


def test_polars_and_python_trim_alike_except_where_rows_go_to_python():
    characters = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]
    by_python = [character.strip() == "" for character in characters]
    by_polars = pl.Series(characters).str.strip_chars().eq("").to_list()
    disagreeing = "".join(
        character
        for character, python, polars in zip(characters, by_python, by_polars, strict=True)
        if python != polars
    )
    assert disagreeing
    assert pl.Series([disagreeing]).str.count_matches(extract.SPLIT_IN_PYTHON).item() == len(
        disagreeing
    )


CELL_ALPHABET = st.sampled_from(list("*_ab8.9 \u00a0`[]!~<&\\‡-"))


@SETTINGS
@given(st.text(CELL_ALPHABET, max_size=12))
def test_cells_polars_renders_are_rendered_as_render_cell_does(cell):
    assume("\\" not in cell)  # rows with a backslash are split in Python (SPLIT_IN_PYTHON)
    text = pl.select(extract._cell_text(pl.lit(cell, dtype=pl.String))).item()
    if text is not None:
        assert text == (render_cell(cell).text if extract.has_markup(cell) else cell.strip())


@pytest.mark.parametrize(
    ("cell", "text"),
    [("**86.4**", "86.4"), ("85.2*", "85.2*"), (" 224x224 ", "224x224"), ("**a*b**", None)],
)
def test_bold_and_starred_cells_are_rendered_by_polars(cell, text):
    assert pl.select(extract._cell_text(pl.lit(cell, dtype=pl.String))).item() == text


@pytest.mark.parametrize(
    ("schema", "model"),
    [(extract.TABLE_SCHEMA, ExtractedTable), (extract.ROW_SCHEMA, ExtractedRow)],
)
def test_the_extractor_names_the_columns_and_types_of_its_contract(schema, model):
    columns = model.to_schema().columns
    assert list(schema.items()) == [(name, column.dtype.type) for name, column in columns.items()]


def test_the_command_line_starts_without_pandera_or_pandas():
    # `modelmetrics --help` and `extract` need neither, and a build's spawned workers import the
    # command line's module again before their own: each 0.1 s importing is time lost there.
    # (The workers then import pandera to check their observations.)
    code = "import sys, pipeline.cli; print(sorted({'pandera', 'pandas'} & set(sys.modules)))"
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert found.stdout.strip() == "[]"
