"""Properties: the extractor never crashes, is deterministic, and every row fits its header."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.decode import decode_document
from pipeline.errors import ModelmetricsError
from pipeline.extract import extract_tables, tables_as_json, tables_to_frames
from pipeline.inline import _render_simply, _render_with_markdown_it
from tests.factories import html_tables

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Characters that matter to Markdown blocks and tables, plus a few that test trimming and Unicode.
MARKDOWN_ALPHABET = st.sampled_from(
    [*"|-:`~*_\\<>[]()!#=+.&; \t\n1aZ", "\u00a0", "\u2009", "−", "é", "🔥", "\r", "<sup>", "&amp;"]
)
markdown_text = st.lists(MARKDOWN_ALPHABET, max_size=120).map("".join)
CELL_ALPHABET = st.sampled_from(
    [
        *"*_`\\<>[]()!&;#~ aZ1.-/:",
        *["<sup>", "</sup>", "<b>", "&amp;", "&#x41;", "https://x.org", "\u00a0", "é", "_x", "**"],
    ]
)
cell_text = st.lists(CELL_ALPHABET, max_size=14).map("".join)


@st.composite
def table_documents(draw: st.DrawFn) -> str:
    """Documents of table-shaped lines: headers, delimiter rows, rows, quotes, lists, fences."""
    line = st.one_of(
        st.lists(cell_text, min_size=1, max_size=5).map(
            lambda cells: "| " + " | ".join(cells) + " |"
        ),
        st.lists(st.sampled_from(["---", ":--", "--:", ":-:"]), min_size=1, max_size=5).map(
            lambda cells: "|" + "|".join(cells) + "|"
        ),
        st.sampled_from(
            ["", "# H", "> ", "- ", "    ", "```", "~~~", "!!! note", "<div>", "---", "1. "]
        ),
        markdown_text,
        html_tables(),
    )
    prefixes = st.sampled_from(["", "", "", "> ", "  ", "- ", "    ", "\t"])
    lines = draw(st.lists(st.tuples(prefixes, line), max_size=25))
    return "\n".join(prefix + text for prefix, text in lines)


def extract_or_own_error(text: str) -> list | None:
    try:
        return extract_tables(text, "prop.md")
    except ModelmetricsError:
        return None


@SETTINGS
@given(markdown_text)
def test_arbitrary_text_returns_tables_or_raises_the_projects_own_error(text: str):
    extract_or_own_error(text)


@SETTINGS
@given(table_documents())
def test_table_shaped_documents_give_rows_exactly_as_wide_as_their_header(text: str):
    tables = extract_or_own_error(text) or []
    for table in tables:
        assert len(table.align) == len(table.header) >= 1
        assert all(len(row.cells) == len(table.header) for row in table.rows)
        assert all(not row.notes or len(row.notes) == len(table.header) for row in table.rows)


@SETTINGS
@given(table_documents())
def test_extraction_is_deterministic(text: str):
    first, second = extract_or_own_error(text), extract_or_own_error(text)
    assert first == second
    if first:
        assert tables_as_json(first) == tables_as_json(second or [])


@SETTINGS
@given(table_documents())
def test_lines_point_inside_the_document_and_rows_follow_their_header(text: str):
    line_count = len(text.split("\n"))
    for table in extract_or_own_error(text) or []:
        lines = [table.line, *(row.line for row in table.rows)]
        # An HTML table's rows may share a line ("<tr>...</tr><tr>...</tr>"); a pipe table's
        # rows are a line each.
        assert lines == (
            sorted(lines) if table.align == (None,) * len(table.align) else sorted(set(lines))
        )
        assert table.line >= 1
        assert lines[-1] <= line_count


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_and_extract_or_raise_the_projects_own_error(data: bytes):
    try:
        doc = decode_document("bytes.md", data)
        extract_tables(doc.text, doc.path)
    except ModelmetricsError:
        pass


@settings(max_examples=60, deadline=None)
@given(table_documents())
def test_any_extraction_converts_to_frames_of_the_same_size(text: str):
    tables = extract_or_own_error(text) or []
    table_frame, row_frame = tables_to_frames(tables)
    assert table_frame.height == len(tables)
    assert row_frame.height == sum(len(table.rows) for table in tables)


@settings(max_examples=300, deadline=None)
@given(cell_text)
def test_the_simple_cell_renderer_agrees_with_markdown_it_whenever_it_answers(cell: str):
    simple = _render_simply(cell.strip(), has_references=False)
    if simple is not None:
        assert simple == _render_with_markdown_it(cell, {})
