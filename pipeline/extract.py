"""Markdown text -> the GFM pipe tables and HTML tables in it, with heading path and lines (pure).

A line scanner that follows the CommonMark block rules tables depend on: containers (block quotes,
list items, MkDocs admonitions and content tabs), fenced and indented code, HTML blocks, ATX and
setext headings, paragraphs a table can interrupt. Body rows take a short path: inside the
table's containers, a line that starts with "|" and holds a cell is always a row. The scanner keeps
row lines as text; extract_tables splits them in Python, extract_frames splits the plain ones in
one vectorized polars pass and only the rest (markup, escapes, ragged rows) in Python. An HTML
<table> outside code is read whole where it starts (pipeline.html_tables), its cells rendered
as a pipe table's are.
"""

import gc
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import NamedTuple

import polars as pl
import pyarrow as pa

from pipeline.errors import ParseError
from pipeline.html_tables import HtmlGrid, UnreadTable, read_html_table
from pipeline.inline import (
    FOOTNOTE,
    TAG_NAME,
    RenderedCell,
    leading_definitions,
    render_cell,
    render_text,
)

# The columns of the two frames the extractor returns. schemas/extracted.py holds their contract
# (ExtractedTable, ExtractedRow: checks, descriptions) and a test keeps the two the same; they
# are named here so that extraction alone (`modelmetrics extract`) runs without importing
# pandera (~0.4 s).
TABLE_SCHEMA = pl.Schema(
    {
        "source": pl.String(),
        "table_index": pl.Int32(),
        "line": pl.Int32(),
        "heading_path": pl.List(pl.String()),
        "header": pl.List(pl.String()),
        "align": pl.List(pl.String()),
        "n_rows": pl.Int32(),
        "caption": pl.String(),
        "lead": pl.String(),
    }
)
ROW_SCHEMA = pl.Schema(
    {
        "source": pl.String(),
        "table_index": pl.Int32(),
        "row_index": pl.Int32(),
        "line": pl.Int32(),
        "cells": pl.List(pl.String()),
        "ragged": pl.Boolean(),
        "links": pl.List(pl.String()),
        "cell_notes": pl.List(pl.String()),
    }
)
# Bump when the frames extract_frames returns for a document change in any way: cached
# extractions (pipeline/cache.py) are keyed by it, so a stale one is never read.
EXTRACTOR_VERSION = "26"
# An image in a heading is a badge or a logo ("# SparK &nbsp;[![Reddit](badge.svg)](url)"): its
# alt text is no part of the heading's words. A heading left empty ("#" alone) is no heading of
# the path.
HEADING_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# How much of a document's lead a table keeps: its first paragraphs, not a whole essay.
LEAD_CHARS = 2_000
# A label above a table (its caption) is a line all bold, one ending in a colon or a period (a
# sentence: ChainerCV's "Single crop error rates of the models ..."), or one numbered as a paper
# numbers its tables ("Table 1. Single crop validation error on ImageNet-1k"), and no longer.
# A sentence of two clauses or a negation says more than what the table is: "These weights were
# not pretrained on ImageNet-22K; see the next section" labels nothing. Nor does a legend, which
# says what holds for the rows with a mark: "Models marked with * are pre-trained on ImageNet-21k."
NOT_A_LABEL_SENTENCE = re.compile(
    r"(?i);|\b(?:not|no|without|w/o)\b|n't\b"
    r"|\b(?:marked|denoted?|denotes|indicated?|indicates)\b|\*|[†‡§¶]"
)
# Emphasis in a sentence ("produces *better* results"), whose "*" marks no row.
EMPHASIS = re.compile(r"(\*{1,2})(?=\S)(.+?)(?<=\S)\1")
BOLD_LINE = re.compile(r"(\*\*|__)(?=\S).*\S\1:?")
NUMBERED_TABLE = re.compile(r"(?i)table\s+\d+\s*[.:]\s")
MAX_LABEL_CHARS = 160
# A one-line aside in parentheses between a label and its table ("*(See Table.9 in Appendix D.6
# for details)*"): it leaves the label to the table. Any other paragraph there (prose, a list's
# items) is what the label labels, and the table has none.
ASIDE = re.compile(r"([*_]*)\(.*\)\1")

# A cell needs inline rendering only when it holds one of these, or a "_" next to a non-word
# character: "vit_base_patch16_224" is plain text, "_ViT_" is emphasis. Two patterns, since one
# with the lookarounds costs 4 us a row and these 0.5 us.
MARKUP_CHARS = re.compile(r"[\\`*<&\[!~]")
FLANKING_UNDERSCORE = re.compile(r"_(?:(?<!\w_)|(?!\w))")
ESCAPED_PIPE_SPLIT = re.compile(r"(?<!\\)\|")
# What split_cells strips off a row line before splitting it.
ROW_SPACE = " \t\r\v\f"
# Rows polars leaves to split_row: escaped pipes, and \x1c-\x1f, the only characters str.strip
# and polars' strip_chars disagree on (tests/test_extract_frames.py checks every code point).
SPLIT_IN_PYTHON = r"[\\\x1c-\x1f]"
# Cells that may hold markup: MARKUP_CHARS, or a "_" next to a character that is not an ASCII
# word character. A superset of has_markup (polars has no lookarounds); has_markup decides.
CELL_MARKUP_SUPERSET = r"[`*<&\[!~]|(?:^|[^0-9A-Za-z_])_|_(?:[^0-9A-Za-z_]|$)"
# Trimmed cells render_cell gives back unchanged or unwrapped, so polars can do them: a whole
# cell in bold, "**86.4**" -> "86.4", and a footnote star, "85.2*" (one run of "*" is literal).
# Nothing else may look like markup in them (tests/test_extract_frames.py compares the two).
BOLD_PLAIN_CELL = r"^\*\*[^\\`*_<&\[\]!~\s](?:[^\\`*_<&\[\]!~]*[^\\`*_<&\[\]!~\s])?\*\*$"
STARRED_PLAIN_CELL = r"^[^\\`*_<&\[\]!~]*\*+$"
DELIMITER_CHARS = frozenset("|-: \t")
ATX_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
SETEXT_UNDERLINE = re.compile(r"(?:=+|-+)[ \t]*$")
THEMATIC_BREAK = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
FENCE_OPEN = re.compile(r"(`{3,})[^`]*$|(~{3,})")
LIST_MARKER = re.compile(r"(?:[-+*]|([0-9]{1,9})[.)])(?=[ \t]|$)")
# A task list item, `- [ ] text` or `1. [x] text`, as cmark-gfm matches it: on the whole line, so
# only an item whose marker comes first on the line (not one after `>` or after another marker).
TASK_LIST_ITEM = re.compile(r"[ \t\v\f]*(?:[-+*]|[0-9]+[.)])[ \t\v\f]+\[[ xX]\](?:[ \t\v\f\r]|$)")
TASK_CHECKBOX = re.compile(r"\[[ xX]\](?:[ \t\v\f\r]|$)")
# Matched at a position, they measure a line's indentation without copying what follows.
SPACES = re.compile(" *")
WHITESPACE = re.compile(r"[ \t]*")
BLANK = re.compile(r"[ \t]*$")
# MkDocs-Material: `!!! note "Title"`, collapsible `??? tip` / `???+ tip`, content tabs `=== "Tab"`
# (`===!` and `===+!` start a new set). Their bodies are indented four spaces and are Markdown,
# not indented code. The openers as Python-Markdown's admonition and pymdownx's details and
# tabbed extensions read them (tabs expanded first), at the margin: `!!!note` is one,
# `!!! note: see` is not.
MKDOCS_CONTAINER = re.compile(
    r'!!! ?[\w\-]+(?: +[\w\-]+)*(?: +".*?")? *'
    r'|\?{3}\+? ?(?:(?:[\w\-]+(?: +[\w\-]+)*?)?(?: +".*?")|[\w\-]+(?: +[\w\-]+)*?) *'
    r'|={3}(?:\+|\+!|!\+|!)? +".*?" *'
)
# The title of an admonition or content tab: its quoted text.
MKDOCS_TITLE = re.compile(r'"(.*)"')
# MkDocs' md_in_html: `<div markdown>` (or markdown="1", "block") holds Markdown, not HTML.
MARKDOWN_IN_HTML = re.compile(
    r"<[A-Za-z][A-Za-z0-9-]*(?:[ \t][^>]*)?[ \t]markdown"
    r"""(?:[ \t]*=[ \t]*(?:"(?:1|block)"|'(?:1|block)'|1|block))?(?=[ \t/>])"""
)
# The first line of an Obsidian callout, `> [!note] Title`: its title is never a table header,
# even when it has pipes (GitHub, which knows no callout with a title, reads a table there).
CALLOUT_TITLE = re.compile(r"\[![A-Za-z][\w-]*\][+-]?(?:[ \t]|$)")
# A GFM footnote definition, `[^1]: text`: a block whose later lines are indented four spaces.
FOOTNOTE_DEFINITION = re.compile(r"\[\^([^\]\s]+)\]:[ \t]*")

HTML_END_FOR_START = (
    (
        re.compile(r"<(?:script|pre|style|textarea)(?:[ \t>]|$)", re.I),
        ("</script>", "</pre>", "</style>", "</textarea>"),
    ),
    (re.compile(r"<!--"), ("-->",)),
    (re.compile(r"<\?"), ("?>",)),
    (re.compile(r"<![A-Z]"), (">",)),
    (re.compile(r"<!\[CDATA\["), ("]]>",)),
)
# The block tags of the GFM spec (CommonMark 0.29), as GitHub reads them: `source` is one,
# `search` (CommonMark 0.31) is not.
HTML_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|"
    "dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|"
    "header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|"
    "param|section|source|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul"
)
# A block-level tag, opening or closing: it starts an HTML block of the spec's kind 6. Inside an
# element whose content is Markdown (md_in_html), Python-Markdown reads such an element as HTML
# up to its closing tag, not up to a blank line: `<summary>Results</summary>` right after
# `<details markdown>` leaves the table below it a table.
HTML_BLOCK_6 = re.compile(rf"<(/?)({HTML_BLOCK_TAGS})(?:[ \t>]|/>|$)", re.I)
_ATTRIBUTE = (
    r"""(?:[ \t]+[A-Za-z_:][A-Za-z0-9_.:-]*(?:[ \t]*=[ \t]*(?:[^ \t"'=<>`]+|'[^']*'|"[^"]*"))?)"""
)
# The tags of a collapsible section, `<details>` and its `<summary>`: GitHub pages fold long tables
# in them, and the summary titles the tables inside as a heading would ("CIFAR-100 transfer").
DETAILS_TAG = re.compile(r"<(/?)(details|summary)(?=[\s/>])[^>]*>", re.I)
# Where a summary's text ends: its closing tag, or a `<details>` tag if it never closes.
SUMMARY_END = re.compile(r"</summary\s*>|(?=</?details[\s/>])", re.I)
# An HTML table's start tag, anywhere on a line of an HTML block (`<div align="center"><table>`).
HTML_TABLE_START = re.compile(r"<table(?:[ \t>]|/?>|$)", re.I)
# An HTML comment on one line, or from its start to the end of the line: no table starts in it.
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)")
# What ends the HTML blocks whose content is never read as HTML elements (comments, <pre>, ...).
LITERAL_HTML_ENDS = {end for _, end in HTML_END_FOR_START}
HTML_TABLE_TEXT = re.compile(r"<table", re.I)
# An HTML heading written on one line of an HTML block (`<h2 id="results">Results on
# CIFAR-100</h2>`): a heading of its level, as GitHub shows it.
HTML_HEADING = re.compile(r"<h([1-6])(?:[ \t][^>]*)?>(.*?)</h\1[ \t]*>", re.I)
# What a table not read is (TableNotRead.kind).
HTML_TABLE = "an HTML <table>"
PIPE_TABLE = "a pipe table"
MYST_TABLE = "a MyST table directive"
# A fence opening a MyST table directive (Sphinx docs: "```{table} Caption", "```{list-table}",
# "```{csv-table}"): Sphinx renders a table, GitHub shows code.
MYST_TABLE_FENCE = re.compile(r"\s*\{(?:table|list-table|csv-table)\}", re.I)
MYST_TABLE_CODE = "it is a fenced code block, which Sphinx renders as a table and GitHub as code"
HTML_BLOCK_7 = re.compile(
    rf"(?:<[A-Za-z][A-Za-z0-9-]*{_ATTRIBUTE}*[ \t]*/?>|</[A-Za-z][A-Za-z0-9-]*[ \t]*>)[ \t]*$"
)
ENDS_AT_BLANK_LINE: tuple[str, ...] = ()
# Among the markers of an HTML block's end: a blank line ends it too (no line holds "\n").
OR_AT_BLANK_LINE = "\n"
# The lines of YAML front matter that is a mapping: "key: value" at the margin, and between keys
# blank lines, comments, list items and indented continuations.
YAML_KEY = re.compile(r"[^\s:|#-][^:|]*:(?:[ \t]|$)")
YAML_BETWEEN_KEYS = re.compile(r"[ \t]|#|-(?:[ \t]|$)|$")


class TableNotRead(NamedTuple):
    """A table of a document that is not read: the line where it starts, what it is
    (HTML_TABLE, PIPE_TABLE or MYST_TABLE) and why it is not read."""

    line: int
    kind: str
    problem: str


@dataclass(frozen=True, slots=True)
class Row:
    """One body row of a table: plain-text cells, one per header column."""

    line: int
    cells: tuple[str, ...]
    ragged: bool
    links: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableHead:
    """Where a table (GFM pipe table or HTML) is and what its header says."""

    source: str
    table_index: int
    line: int
    heading_path: tuple[str, ...]
    header: tuple[str, ...]
    align: tuple[str | None, ...]
    # The label a page puts just above the table instead of a heading ("**ImageNet-22K
    # pre-trained models:**"), as plain text; None without one.
    caption: str | None
    # The document's opening prose, what it says of all its tables ("we list ... benchmark of
    # these models on a standard task of evaluating a linear classifier"), as plain text: its
    # paragraphs before its first table and its first heading below the title; None without.
    lead: str | None


@dataclass(frozen=True, slots=True)
class Table(TableHead):
    """One table: where it is, what its header says, and its body rows."""

    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class ScannedTable(TableHead):
    """A table as the scanner found it: body rows still the lines they were written on."""

    row_lines: list[int]
    row_texts: list[str]
    references: Mapping[str, str]
    # An HTML table's body rows, read and rendered; None for a pipe table (row_lines holds it).
    html_rows: tuple[Row, ...] | None = None

    def row_count(self) -> int:
        """How many body rows the table has."""
        return len(self.row_lines) if self.html_rows is None else len(self.html_rows)


def extract_tables(text: str, source: str) -> list[Table]:
    """Every table (GFM pipe table or HTML table read as a grid) in a decoded Markdown
    document, in document order."""
    return extract_tables_and_unread(text, source)[0]


def extract_tables_and_unread(text: str, source: str) -> tuple[list[Table], list[TableNotRead]]:
    """extract_tables and tables_not_read of a document, from one scan of it."""
    with _garbage_collection_paused():
        scanned, unread = _scan(text, source)
        return [_split_table(table) for table in scanned], unread


def extract_frames(documents: Iterable[tuple[str, str]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The tables and body rows of (source, text) documents: tables_to_frames(extract_tables)."""
    tables, rows, _ = extract_frames_and_unread(documents)
    return tables, rows


def extract_frames_and_unread(
    documents: Iterable[tuple[str, str]],
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, list[TableNotRead]]]:
    """extract_frames, and the tables_not_read of each document, from one scan of each."""
    scanned: list[ScannedTable] = []
    unread: dict[str, list[TableNotRead]] = {}
    with _garbage_collection_paused():
        for source, text in documents:
            tables, unread[source] = _scan(text, source)
            scanned += tables
        n_rows = [table.row_count() for table in scanned]
        return _tables_frame(scanned, n_rows), _scanned_rows_frame(scanned), unread


def tables_not_read(text: str) -> list[TableNotRead]:
    """The tables outside code that are not read, in document order: HTML tables whose layout
    is no grid (pipeline.html_tables), each at the line of its <table>; pipe tables whose
    delimiter row has another number of cells than their header row (text on GitHub too),
    each at the line of its header row; and MyST table directives (code on GitHub), each at
    the line of its fence."""
    return _scan(text, "")[1]


def _scan(text: str, source: str) -> tuple[list[ScannedTable], list[TableNotRead]]:
    """The tables of a document with their body row lines, not yet split into cells; and the
    tables it has that are not read."""
    lines = text.removeprefix("\ufeff").split("\n")
    scanner = _BlockScanner(source)
    return scanner.scan(lines, front_matter_end(lines)), scanner.tables_not_read


@contextmanager
def _garbage_collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while rows are built; it has nothing to collect here."""
    # Every Row is a new container object; with the collector on, a 100k-row document spends a
    # third of its time in collections that free nothing (0.45 s -> 0.30 s measured).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def front_matter_end(lines: list[str]) -> int:
    """Index of the first line after YAML front matter (Obsidian, Jekyll), 0 when there is none."""
    # "---" first is also a thematic break: what follows up to "---" or "..." is front matter
    # when it reads as a YAML mapping ("dg-publish: true"), or is empty. MkDocs renders any
    # other block as Markdown: "---", "# Results", a table, "---" is a rule, a heading, a table.
    if not lines or lines[0].rstrip() != "---":
        return 0
    has_key = False
    for index in range(1, len(lines)):
        line = lines[index]
        if line.rstrip() in ("---", "..."):
            return index + 1 if has_key or index == 1 else 0
        if YAML_KEY.match(line):
            has_key = True
        elif not YAML_BETWEEN_KEYS.match(line):
            return 0
    return 0


def split_cells(line: str) -> list[str]:
    """The raw cells of a row, `\\|` unescaped; [] when the line holds no cell ("|")."""
    content = line.strip(ROW_SPACE)
    if content.startswith("|"):
        content = content[1:]
        if not content.strip(ROW_SPACE):
            return []
    return _split_after_leading_pipe(content)


def _split_after_leading_pipe(content: str) -> list[str]:
    """The raw cells of a row's content from its first cell on, the trailing pipe dropped."""
    if content.endswith("|") and not content.endswith("\\|"):
        content = content[:-1]
    if "\\" not in content:
        return content.split("|")
    return [cell.replace("\\|", "|") for cell in ESCAPED_PIPE_SPLIT.split(content)]


def _header_cells(text: str) -> list[str]:
    """The raw cells of a header row as cmark-gfm reads the paragraph line it comes from."""
    # Only a lazy continuation line still has indentation here; cmark-gfm reads its first pipe
    # as a cell border, not as the row's leading pipe.
    if text[:1] in (" ", "\t") and text.lstrip(" \t").startswith("|"):
        after_border = text.strip(ROW_SPACE)[1:]
        return ["", *_split_after_leading_pipe(after_border)] if after_border else [""]
    return split_cells(text)


def _cell_count(count: int) -> str:
    """A number of cells in words ("1 cell", "3 cells")."""
    return f"{count} cell" if count == 1 else f"{count} cells"


def parse_delimiter_row(line: str) -> tuple[str | None, ...] | None:
    """Column alignments of a delimiter row (`| :-- | --: |`), or None when it is not one."""
    content = line.strip(ROW_SPACE)
    if "-" not in content or not DELIMITER_CHARS.issuperset(content):
        return None
    content = content.removeprefix("|")
    content = content[:-1] if content.endswith("|") else content
    alignments: list[str | None] = []
    for cell in content.split("|"):
        marker = cell.strip(" \t")
        left, right = marker.startswith(":"), marker.endswith(":")
        dashes = marker[int(left) : len(marker) - int(right)]
        if not dashes or dashes.strip("-"):
            return None
        alignments.append(ALIGNMENT[left, right])
    return tuple(alignments)


ALIGNMENT = {
    (False, False): None,
    (True, False): "left",
    (False, True): "right",
    (True, True): "center",
}


@dataclass
class _Container:
    """An open block quote (`>`) or a block whose body is indented by `indent` columns."""

    quote: bool
    indent: int = 0
    # A list item whose marker line is empty: a blank line next ends it (an item can begin with
    # at most one blank line).
    empty: bool = False
    # An admonition or content tab (MkDocs): no line continues it lazily.
    mkdocs: bool = False
    # Its title, as written (`=== "ImageNet-V2"`, `!!! note "Linear probing"`): the tables in it
    # have it last in their heading path, as the page shows it above them.
    title: str | None = None


@dataclass
class _Paragraph:
    lines: list[str]
    last_line: int
    # The last line as cmark-gfm reads it as a table header: a lazy continuation line keeps its
    # indentation there, and "  | a |" is then two cells ("", "a"), as GitHub renders it.
    header_text: str
    # cmark-gfm tries a paragraph as a table header once: a delimiter row with the wrong number
    # of columns marks it, and later delimiter rows in the same paragraph are text.
    tried_as_header: bool = False


@dataclass
class _OpenTable:
    line: int
    # Headings and header cells as written: they are rendered once the whole document is read,
    # with the link reference definitions it makes anywhere.
    heading_path: tuple[str, ...]
    header: tuple[str, ...]
    align: tuple[str | None, ...]
    # How a row line inside this table's containers starts: their indentation, then "|"; None
    # inside a block quote, whose rows take the line-by-line path.
    row_start: str | None
    caption: str | None = None
    row_lines: list[int] = field(default_factory=list)
    row_texts: list[str] = field(default_factory=list)
    # An HTML table, read whole where it starts; None for a pipe table.
    html: HtmlGrid | None = None


class _BlockScanner:
    """Reads a document line by line, keeping the open containers, the open leaf and headings."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.references: dict[str, str] = {}
        self.tables: list[_OpenTable] = []
        self.containers: list[_Container] = []
        self.headings: list[tuple[int, str]] = []
        # The last label paragraph since the last heading, table or other block, with the
        # containers it is in: the caption of the next table in them.
        self.label: tuple[str, tuple[_Container, ...]] | None = None
        self.paragraph: _Paragraph | None = None
        self.table: _OpenTable | None = None
        self.fence: tuple[str, int] | None = None
        self.html_end: tuple[str, ...] | None = None
        self.indented_code = False
        # The names of the open elements whose content is Markdown (`<div markdown>`), innermost
        # last.
        self.markdown_elements: list[str] = []
        # The tables outside code that are not read, and why (tables_not_read).
        self.tables_not_read: list[TableNotRead] = []
        # Where the last HTML table read ends: its last line, and the column of its </table> on
        # it (-1 when it has none); a <table> before that is inside that table.
        self.html_table_end = (0, -1)
        # The document's lines (an HTML table is read from its first line to its last at once).
        self.lines: list[str] = []
        # The paragraphs of the document's lead, read until it ends: at its first table or its
        # first heading below the title.
        self.lead: list[str] = []
        self.in_lead = True
        # The open `<details>` elements, outermost first, each with its summary's text so far.
        self.details: list[str] = []
        # Whether a `<summary>` is open: the HTML lines until it closes are its text.
        self.in_summary = False
        # The 1-based number of the line being read.
        self.line_number = 0
        # The line being read, its tabs expanded where they are indentation: the text the
        # containers and blocks of the line are read from is always a suffix of it.
        self.line = ""
        # How many characters end the line that could all belong to a thematic break (" \t*-_"),
        # once asked: a text shorter is one only if THEMATIC_BREAK matches. None until asked.
        self.break_tail: int | None = None

    def scan(self, lines: list[str], start: int) -> list[ScannedTable]:
        """The document's tables, from lines[start] on."""
        self.lines = lines
        index = start
        while index < len(lines):
            # The hot path: body rows. No block starts with "|", and a table's containers are
            # fixed while it is open (a line leaving one closes the table).
            table = self.table
            if table is not None and table.row_start and lines[index].startswith(table.row_start):
                after_rows = _add_row_lines(table, lines, index)
                if after_rows > index:
                    index = after_rows
                    continue
            self._scan_line(index + 1, lines[index])
            index += 1
        self._close_leaf()

        @cache
        def rendered(text: str) -> str:
            return render_text(text, self.references)

        def heading_path(headings: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(heading for heading in map(rendered_heading, headings) if heading)

        @cache
        def rendered_heading(text: str) -> str:
            return rendered(HEADING_IMAGE.sub("", text)).strip()

        lead = rendered(" ".join(self.lead)[:LEAD_CHARS]) if self.lead else None
        return [
            ScannedTable(
                self.source,
                table_index,
                table.line,
                heading_path(table.heading_path),
                tuple(map(rendered, table.header)),
                table.align,
                rendered(table.caption) if table.caption is not None else None,
                lead,
                table.row_lines,
                table.row_texts,
                self.references,
                None if table.html is None else self._html_rows(table.html),
            )
            for table_index, table in enumerate(self.tables)
        ]

    def _html_rows(self, grid: HtmlGrid) -> tuple[Row, ...]:
        """An HTML table's body rows rendered as pipe-table rows are, with its <a> links."""
        rows = []
        for row in grid.rows:
            rendered = _rendered_row(
                row.line, list(row.cells), row.ragged, self.source, self.references
            )
            rows.append(replace(rendered, links=(*row.links, *rendered.links)))
        return tuple(rows)

    def _scan_line(self, number: int, line: str) -> None:
        if "\t" in line:
            line = _expand_leading_tabs(line)
        self.line, self.break_tail, self.line_number = line, None, number
        matched, rest = self._match_containers(line)
        if matched < len(self.containers):
            if self._continues_lazily(rest, matched):
                self._add_paragraph_line(number, rest, lazy=True)
                return
            self._close_leaf()
            del self.containers[matched:]
        if self._inside_literal_block(rest):
            return
        self._open_blocks(number, rest)

    def _match_containers(self, line: str) -> tuple[int, str]:
        """How many open containers this line continues, and the line without their markers."""
        # Positions, not slices of the line: in n nested containers a line costs O(n), not
        # O(n x its length) (a 1 MB document of lists 1,000 deep took 4 s).
        position = 0
        text_start = _run_end(SPACES, line)  # the first character after position not a space
        for matched, container in enumerate(self.containers):
            indent = text_start - position
            if container.quote:
                if indent > 3 or line[text_start : text_start + 1] != ">":
                    return matched, line[position:]
                position = text_start + 1
                position += line[position : position + 1] == " "
                text_start = _run_end(SPACES, line, position)
            elif indent >= container.indent:
                # A blank line indented to the content goes on even an item whose marker line
                # was blank (cmark-gfm), and leaves it empty.
                container.empty = container.empty and text_start == len(line)
                position += container.indent
            elif text_start == len(line) and not container.empty:
                position = text_start
            else:
                return matched, line[position:]
        return len(self.containers), line[position:]

    def _continues_lazily(self, rest: str, matched: int) -> bool:
        """A paragraph continuation line may drop the containers' markers (`> ` of a quote) and
        indentation, except an admonition's or content tab's (Python-Markdown ends them)."""
        if self.paragraph is None or self.table is not None or not rest.strip(" \t"):
            return False
        if any(container.mkdocs for container in self.containers[matched:]):
            return False
        indent = len(rest) - len(rest.lstrip(" "))
        # The paragraph is in a container this line did not continue, so blocks start as if no
        # paragraph were open (cmark-gfm): "-" is an empty list item and "---" a thematic break.
        text = rest[indent:]
        return indent >= 4 or _block_start(text, False, self._may_be_break(text)) is None

    def _inside_literal_block(self, rest: str) -> bool:
        """Handle a line of fenced code, an HTML block or indented code; False when none is open."""
        if self.fence is not None:
            self._continue_fence(rest)
            return True
        if self.html_end is not None:
            self._continue_html_block(rest)
            return True
        if self.indented_code:
            if not rest.strip(" \t") or rest.startswith("    "):
                return True
            self.indented_code = False
        return False

    def _continue_fence(self, rest: str) -> None:
        char, width = self.fence or ("`", 3)
        indent = len(rest) - len(rest.lstrip(" "))
        marker = rest.strip(" \t")
        if indent <= 3 and len(marker) >= width and not marker.strip(char):
            self.fence = None

    def _continue_html_block(self, rest: str) -> None:
        self._note_html(rest)
        end, lowered = self.html_end or (), rest.lower()
        at_blank_line = end == ENDS_AT_BLANK_LINE or OR_AT_BLANK_LINE in end
        if (at_blank_line and not rest.strip(" \t")) or any(m in lowered for m in end):
            self.html_end = None
            # The enclosing element with Markdown content closing ends the HTML inside it too;
            # an HTML block's first marker is its own closing tag.
            enclosing = f"</{self.markdown_elements[-1]}>" if self.markdown_elements else None
            if enclosing in end[1:] and enclosing in lowered:
                self.markdown_elements.pop()

    def _open_blocks(self, number: int, rest: str) -> None:
        """Open the blocks that start on this line, then add its text to the innermost leaf."""
        while True:
            if BLANK.match(rest):
                self._close_leaf()
                return
            indent = _run_end(SPACES, rest)
            if indent >= 4:
                self._add_indented_line(number, rest)
                return
            text = rest[indent:]
            start = _block_start(text, self.paragraph is not None, self._may_be_break(text))
            if start == "mkdocs" and indent:
                start = None  # an opener is one only at the margin of its container
            if start is None:
                self._add_text_line(number, text)
                return
            self._close_leaf()
            if start == "quote":
                self.containers.append(_Container(quote=True))
                rest = self._expand_tabs_after(text, 1)[1:]
                rest = rest[1:] if rest.startswith(" ") else rest
            elif start == "footnote":
                marker = FOOTNOTE_DEFINITION.match(text)
                label, rest = (marker.group(1), text[marker.end() :]) if marker else ("", text)
                self.references.setdefault(FOOTNOTE + label, "")
                self.containers.append(_Container(quote=False, indent=indent + 4))
            elif start == "item":
                marker = LIST_MARKER.match(text)
                marker_width = marker.end() if marker else 1
                text = self._expand_tabs_after(text, marker_width)
                width, rest = _list_item_content(text, marker_width)
                empty = BLANK.match(rest) is not None
                self.containers.append(_Container(quote=False, indent=indent + width, empty=empty))
                if TASK_CHECKBOX.match(rest) and TASK_LIST_ITEM.match(self.line):
                    # cmark-gfm opens no block after a task's checkbox: the rest is text.
                    if rest[3:].strip(" \t"):
                        self._add_paragraph_line(number, rest[3:])
                    return
            else:
                self._open_leaf(start, indent, text)
                return

    def _may_be_break(self, text: str) -> bool:
        """Whether text (a suffix of the line) could be a thematic break, in O(1) once the
        line is known: a line of 1,000 nested list markers is not tried 1,000 times over."""
        if text[0] not in "*-_":
            return False
        if self.break_tail is None:
            self.break_tail = len(self.line) - len(self.line.rstrip(" \t*-_"))
        return len(text) <= self.break_tail

    def _expand_tabs_after(self, text: str, width: int) -> str:
        """text (a suffix of the line) with the tabs in the whitespace after its first `width`
        characters (a container's marker) expanded to their columns, as in the line."""
        content_start = _run_end(WHITESPACE, text, width)
        whitespace = text[width:content_start]
        if "\t" not in whitespace:
            return text
        # Every character before text in the line is one column: indentation is expanded.
        column = len(self.line) - len(text) + width
        expanded = (" " * column + whitespace).expandtabs(4)[column:]
        content = text[content_start:]
        self.line, self.break_tail = self.line[:column] + expanded + content, None
        return text[:width] + expanded + content

    def _open_leaf(self, start: str, indent: int, text: str) -> None:
        if start == "html":
            self._note_html(text)  # an HTML table starting here takes the label as its caption
        self.label = None  # a label is of what follows it: here, this block
        if start == "heading":
            level = len(text) - len(text.lstrip("#"))
            self._set_heading(level, _atx_heading_content(text))
        elif start == "fence":
            self.fence = (text[0], len(text) - len(text.lstrip(text[0])))
            if MYST_TABLE_FENCE.match(text, self.fence[1]):
                self.tables_not_read.append(
                    TableNotRead(self.line_number, MYST_TABLE, MYST_TABLE_CODE)
                )
        elif start == "html" and MARKDOWN_IN_HTML.match(text):
            self._open_markdown_element(text)
        elif start == "html" and not self._html_in_markdown_element(text):
            end = _html_block_end(text, paragraph_open=False)
            if end is not None and (
                end == ENDS_AT_BLANK_LINE or not any(m in text.lower() for m in end)
            ):
                self.html_end = end
        elif start == "mkdocs":
            title = MKDOCS_TITLE.search(text)
            self.containers.append(
                _Container(
                    quote=False,
                    indent=indent + 4,
                    mkdocs=True,
                    title=(title.group(1).strip() or None) if title else None,
                )
            )

    def _note_html(self, text: str) -> None:
        """Note a line of HTML: the HTML tables that start on it, and the `<details>` it opens
        or closes with their summaries."""
        self._note_html_heading(text)
        self._note_html_tables(text)
        position = 0
        if self.in_summary:
            position = self._add_summary_text(text, 0)
        for tag in DETAILS_TAG.finditer(text, position):
            if tag.start() < position:
                continue
            closing, name = tag.group(1), tag.group(2).lower()
            if name == "details" and closing:
                del self.details[-1:]
            elif name == "details":
                self.details.append("")
            elif not closing and self.details and not self.details[-1]:
                self.in_summary = True
                position = self._add_summary_text(text, tag.end())

    def _note_html_heading(self, text: str) -> None:
        """Set the heading an HTML heading on this line gives, unless it is in a table (the one
        read that ends on this line, or one starting on it), in a summary (which titles its
        tables already) or in a block of raw text."""
        if "<h" not in text.lower() or self.in_summary or "<summary" in text.lower():
            return
        start = self._after_html_table_read()
        if start is None or self._in_literal_html(text):
            return
        table = HTML_TABLE_TEXT.search(text, start)
        text = text[start : table.start() if table else len(text)]
        blanked = HTML_COMMENT.sub(lambda comment: " " * len(comment.group()), text)
        for heading in HTML_HEADING.finditer(blanked):
            self.label = None
            self._set_heading(int(heading.group(1)), heading.group(2).strip())

    def _after_html_table_read(self) -> int | None:
        """Where this line is past the last HTML table read: 0, or the column after its
        `</table>` on this line; None when the whole line is inside that table."""
        end_line, end_column = self.html_table_end
        if self.line_number < end_line or (self.line_number == end_line and end_column < 0):
            return None
        return end_column if self.line_number == end_line else 0

    def _in_literal_html(self, text: str) -> bool:
        """Whether this line of an HTML block is in a block of raw text (a comment, <pre>,
        <script>), whose tags are no elements."""
        block_end = self.html_end
        if block_end is None:  # the line starts the block
            block_end = _html_block_end(text.lstrip(" \t"), paragraph_open=False)
        return block_end in LITERAL_HTML_ENDS

    def _note_html_tables(self, text: str) -> None:
        """Read the HTML tables that start on this line, outside the last one read: one after
        another's `</table>` on the line too (`</table><table>`)."""
        column = self._after_html_table_read()
        if column is None:
            return
        while (start := self._html_table_start(text, column)) is not None:
            self._read_html_table(text, start)
            end_line, column = self.html_table_end
            if end_line != self.line_number or column < 0:
                return

    def _html_table_start(self, text: str, column: int = 0) -> int | None:
        """Where on a line of an HTML block a <table> starts from column on: after spaces or
        after other tags (`<div align="center"><table>`), never in a comment or in a block of
        raw text (<pre>, <script>, a comment); None if none does."""
        if HTML_TABLE_TEXT.search(text) is None or self._in_literal_html(text):
            return None
        blanked = HTML_COMMENT.sub(lambda comment: " " * len(comment.group()), text)
        tag = HTML_TABLE_START.search(blanked, column)
        return tag.start() if tag else None

    def _read_html_table(self, text: str, start: int) -> None:
        """Read the HTML table whose <table> starts at column start of this line as a table,
        or note why it is not read."""
        if any(container.quote for container in self.containers):
            self.tables_not_read.append(
                TableNotRead(self.line_number, HTML_TABLE, "it is inside a block quote")
            )
            self.html_table_end = (self.line_number, -1)
            return
        read = read_html_table(text[start:], self.lines, self.line_number - 1)
        on_first_line = read.end_line == self.line_number and read.end_column >= 0
        self.html_table_end = (read.end_line, read.end_column + (start if on_first_line else 0))
        if isinstance(read, UnreadTable):
            self.tables_not_read.append(TableNotRead(self.line_number, HTML_TABLE, read.problem))
            return
        caption = self._caption()
        self.in_lead = False
        align = (None,) * len(read.header)
        self.tables.append(
            _OpenTable(
                read.line,
                self._table_path(),
                read.header,
                align,
                None,
                read.caption or caption,
                html=read,
            )
        )

    def _add_summary_text(self, text: str, start: int) -> int:
        """Add the line's text from start to the open summary, up to the end of the summary
        (which closes it); return where in the line the text after the summary starts."""
        end = SUMMARY_END.search(text, start)
        stop = end.start() if end else len(text)
        self.details[-1] = f"{self.details[-1]} {text[start:stop].strip()}".strip()
        self.in_summary = end is None
        return end.end() if end else len(text)

    def _open_markdown_element(self, text: str) -> None:
        """The tag's content is Markdown: the lines after it are read as such, until it closes."""
        opened = TAG_NAME.match(text)
        if opened is not None and f"</{opened.group(2).lower()}" not in text.lower():
            self.markdown_elements.append(opened.group(2).lower())

    def _html_in_markdown_element(self, text: str) -> bool:
        """Read an HTML line inside an element whose content is Markdown, as Python-Markdown
        does: its closing tag is a line of its own, as is a stray closing tag, and a block-level
        element is HTML up to its own closing tag, the enclosing element's, or a blank line.
        False when not inside one, or for HTML read as GFM reads it there too (comments)."""
        if not self.markdown_elements:
            return False
        enclosing = self.markdown_elements[-1]
        if text.lower().startswith(f"</{enclosing}"):
            self.markdown_elements.pop()
            return True
        block = HTML_BLOCK_6.match(text)
        if block is None:
            return False
        closing = f"</{block.group(2).lower()}>"
        if not block.group(1) and closing not in text.lower():
            # Its own closing tag first; a blank line ends an element never closed, as in GFM.
            enclosing_end = [f"</{enclosing}>"] if f"</{enclosing}>" != closing else []
            self.html_end = (closing, *enclosing_end, OR_AT_BLANK_LINE)
        return True

    def _add_indented_line(self, number: int, rest: str) -> None:
        if self.paragraph is not None:
            self._add_paragraph_line(number, rest.lstrip(" "))
            return
        self._close_leaf()
        self.indented_code = True

    def _add_text_line(self, number: int, text: str) -> None:
        """A line that starts no block: a table row, a setext underline, a delimiter row or text."""
        if self.table is not None:
            if text.strip(ROW_SPACE) != "|":
                self.table.row_lines.append(number)
                self.table.row_texts.append(text)
                return
            # A line with no cell ("|") ends the table.
            self._close_leaf()
        elif self.paragraph is not None:
            if SETEXT_UNDERLINE.match(text) and self._close_setext_heading(
                2 if text[0] == "-" else 1
            ):
                return
            # A paragraph of link definitions only makes no heading: its underline is text.
            paragraph = self.paragraph
            if paragraph and not paragraph.tried_as_header and self._start_table(text):
                return
        self._add_paragraph_line(number, text)

    def _add_paragraph_line(self, number: int, text: str, lazy: bool = False) -> None:
        stripped = text.lstrip(" \t")
        if self.paragraph is None:
            self.paragraph = _Paragraph([stripped], number, stripped)
        else:
            self.paragraph.lines.append(stripped)
            self.paragraph.last_line = number
            self.paragraph.header_text = text if lazy else stripped

    def _start_table(self, text: str) -> bool:
        """Start a table when `text` is a delimiter row matching the paragraph's last line."""
        align = parse_delimiter_row(text)
        if align is None or self.paragraph is None:
            return False
        header_cells = _header_cells(self.paragraph.header_text)
        if self._at_callout_title():
            self.paragraph.tried_as_header = True
            return False
        if len(header_cells) != len(align):
            self.paragraph.tried_as_header = True
            self._note_mismatched_delimiter_row(text, len(header_cells), len(align))
            return False
        header = tuple(header_cells)
        header_line = self.paragraph.last_line
        # cmark-gfm keeps the lines before the header as text: link definitions there do not count.
        self._note_paragraph(self.paragraph.lines[:-1])
        self.in_lead = False
        self.paragraph = None
        self.table = _OpenTable(
            header_line, self._table_path(), header, align, self._row_start(), self._caption()
        )
        return True

    def _note_mismatched_delimiter_row(self, text: str, header: int, delimiters: int) -> None:
        """Note a header row and a delimiter row, both with pipes, that make no table for having
        different numbers of cells (GitHub shows them as text)."""
        if self.paragraph is None or "|" not in text or "|" not in self.paragraph.header_text:
            return
        problem = (
            f"its delimiter row (line {self.line_number}) has {_cell_count(delimiters)} for "
            f"{_cell_count(header)} in its header row, so it is text, as on GitHub"
        )
        self.tables_not_read.append(TableNotRead(self.paragraph.last_line, PIPE_TABLE, problem))

    def _table_path(self) -> tuple[str, ...]:
        """The heading path of a table starting here: the headings, the summaries of the open
        `<details>`, the titles of the open admonitions and content tabs."""
        titles = [container.title for container in self.containers if container.title]
        summaries = [summary for summary in self.details if summary]
        return (*(heading for _, heading in self.headings), *summaries, *titles)

    def _note_paragraph(self, lines: list[str]) -> None:
        """Remember a paragraph's text as the label of what follows when it is one, and as
        part of the document's lead while that lasts."""
        if len(lines) == 1 and _is_label(lines[0]):
            self.label = (lines[0].strip(), tuple(self.containers))
        elif len(lines) > 1 or (lines and ASIDE.fullmatch(lines[0].strip()) is None):
            self.label = None
        if self.in_lead and lines:
            self.lead.append(" ".join(line.strip() for line in lines))

    def _caption(self) -> str | None:
        """The label above a table starting here, if it was written in the same containers;
        it labels this table only."""
        label, self.label = self.label, None
        if label is None:
            return None
        text, containers = label
        if len(containers) == len(self.containers) + 1 and _introduces(text, containers[-1]):
            containers = containers[:-1]
        if len(containers) != len(self.containers):
            return None
        same = all(a is b for a, b in zip(containers, self.containers, strict=True))
        return text if same else None

    def _at_callout_title(self) -> bool:
        """Whether the open paragraph is an Obsidian callout's title line and nothing more."""
        paragraph = self.paragraph
        return (
            paragraph is not None
            and len(paragraph.lines) == 1
            and bool(self.containers)
            and self.containers[-1].quote
            and CALLOUT_TITLE.match(paragraph.lines[0]) is not None
        )

    def _row_start(self) -> str | None:
        """How a row line starts inside the open containers; None inside a block quote."""
        if any(container.quote for container in self.containers):
            return None
        return " " * sum(container.indent for container in self.containers) + "|"

    def _close_setext_heading(self, level: int) -> bool:
        """Close the paragraph as a heading; False when it held only link definitions."""
        if self.paragraph is None:
            return False
        text = self.paragraph.lines[self._take_definitions() :]
        if text:
            self._set_heading(level, " ".join(text))
        self.paragraph = None
        return bool(text)

    def _take_definitions(self) -> int:
        """Keep the link definitions the open paragraph starts with; how many lines they use."""
        paragraph = self.paragraph
        if paragraph is None or not paragraph.lines[0].startswith("["):
            return 0
        if not any("]:" in line for line in paragraph.lines):
            return 0
        try:
            definitions, used = leading_definitions(paragraph.lines)
        except ParseError as error:
            raise ParseError(f"{self.source}:{paragraph.last_line}: {error}") from error
        for label, url in definitions.items():
            self.references.setdefault(label, url)
        return used

    def _set_heading(self, level: int, text: str) -> None:
        self.label = None
        self.in_lead = self.in_lead and level == 1
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, text))

    def _close_leaf(self) -> None:
        used = self._take_definitions()
        if self.paragraph is not None:
            self._note_paragraph(self.paragraph.lines[used:])
        self.paragraph = None
        self.fence = None
        self.html_end = None
        self.indented_code = False
        if self.table is not None:
            self.tables.append(self.table)
            self.table = None


def _introduces(label: str, item: _Container) -> bool:
    """Whether a label that is a list item's last paragraph captions the table just after the
    list: a line ending in a colon ("- PyramidNet-200 pretrained on CIFAR-100 dataset:")."""
    return not item.quote and not item.mkdocs and label.rstrip("*_").endswith(":")


def _is_label(line: str) -> bool:
    """Whether a one-line paragraph labels what follows it, as a heading would: all of it bold
    ("**ImageNet-1K 384x384 fine-tuned models:**"), a short line ending in a colon
    ("ImageNet-1K trained models:") or a period ("Ten crop error rate."), or a numbered caption
    ("Table 1. Single crop validation error on ImageNet-1k")."""
    text = line.strip()
    return len(text) <= MAX_LABEL_CHARS and (
        BOLD_LINE.fullmatch(text) is not None
        or text.endswith(":")
        or (text.endswith(".") and NOT_A_LABEL_SENTENCE.search(EMPHASIS.sub(r"\2", text)) is None)
        or NUMBERED_TABLE.match(text) is not None
    )


def _add_row_lines(table: _OpenTable, lines: list[str], index: int) -> int:
    """Add the row lines from lines[index] on; the index of the first line that is not one."""
    start, end, row_start = index, index, table.row_start or "|"
    while (
        end < len(lines) and lines[end].startswith(row_start) and lines[end].strip(ROW_SPACE) != "|"
    ):
        end += 1
    table.row_texts.extend(lines[start:end])
    table.row_lines.extend(range(start + 1, end + 1))
    return end


def _split_table(table: ScannedTable) -> Table:
    """The scanned table with its row lines split into cells and rendered."""
    width = len(table.header)
    rows = (
        table.html_rows
        if table.html_rows is not None
        else tuple(
            split_row(number, text, width, table.source, table.references)
            for number, text in zip(table.row_lines, table.row_texts, strict=True)
        )
    )
    return Table(
        table.source,
        table.table_index,
        table.line,
        table.heading_path,
        table.header,
        table.align,
        table.caption,
        table.lead,
        rows,
    )


def split_row(
    number: int, text: str, width: int, source: str, references: Mapping[str, str]
) -> Row:
    """A body row line as cells, padded or truncated to the header's width, markup rendered."""
    content = text.strip(ROW_SPACE)
    if len(content) > 1 and content[0] == "|" == content[-1] and "\\" not in content:
        cells = content[1:-1].split("|")
    else:
        cells = split_cells(text)
    ragged = len(cells) != width
    if ragged:
        cells = cells[:width] if len(cells) > width else cells + [""] * (width - len(cells))
    if has_markup(text):
        return _rendered_row(number, cells, ragged, source, references)
    return Row(number, tuple(map(str.strip, cells)), ragged, (), ())


def _rendered_row(
    number: int, cells: list[str], ragged: bool, source: str, references: Mapping[str, str]
) -> Row:
    """A row with inline markup in some cells: only those cells go through the renderer."""
    try:
        rendered = [_render(cell, references) if has_markup(cell) else None for cell in cells]
    except ParseError as error:
        raise ParseError(f"{source}:{number}: {error}") from error
    texts = tuple(
        cell.strip() if done is None else done.text
        for cell, done in zip(cells, rendered, strict=True)
    )
    links = tuple(link for done in rendered if done is not None for link in done.links)
    notes = tuple("" if done is None else done.note for done in rendered)
    return Row(number, texts, ragged, links, notes if any(notes) else ())


def _render(cell: str, references: Mapping[str, str]) -> RenderedCell:
    """render_cell, remembered for documents without link references (then it is pure)."""
    return render_cell(cell, references) if references else _render_alone(cell)


# Cells repeat ("-", "**86.4**", "224x224"); the renderer costs ~10 us a cell, a lookup 0.1 us.
@lru_cache(maxsize=1 << 16)
def _render_alone(cell: str) -> RenderedCell:
    return render_cell(cell)


def has_markup(text: str) -> bool:
    """Whether inline rendering could change this text beyond trimming it."""
    return MARKUP_CHARS.search(text) is not None or (
        "_" in text and FLANKING_UNDERSCORE.search(text) is not None
    )


def _run_end(run: re.Pattern[str], text: str, position: int = 0) -> int:
    """Where the run (SPACES, WHITESPACE) that starts at position ends; position if none."""
    match = run.match(text, position)
    return match.end() if match else position


def _expand_leading_tabs(line: str) -> str:
    """Tabs in the indentation and quote markers count to the next multiple of four columns."""
    prefix_length = len(line) - len(line.lstrip(" \t>"))
    return line[:prefix_length].expandtabs(4) + line[prefix_length:]


def _block_start(text: str, paragraph_open: bool, may_be_break: bool) -> str | None:
    """The kind of block a line (indentation removed) starts, or None for text and table rows;
    may_be_break False says it is no thematic break (a cheaper test found so)."""
    first = text[0]
    if first == ">":
        return "quote"
    if first == "#" and ATX_HEADING.match(text):
        return "heading"
    if first in "`~" and FENCE_OPEN.match(text):
        return "fence"
    if first == "<" and _html_block_end(text, paragraph_open) is not None:
        return "html"
    if may_be_break and first in "*-_" and THEMATIC_BREAK.match(text):
        return "thematic_break" if not (paragraph_open and SETEXT_UNDERLINE.match(text)) else None
    if (first in "-+*" or "0" <= first <= "9") and _starts_list_item(text, paragraph_open):
        return "item"
    if first in "!?=" and MKDOCS_CONTAINER.fullmatch(text.expandtabs(4)):
        return "mkdocs"
    if first == "[" and text.startswith("[^") and FOOTNOTE_DEFINITION.match(text):
        return "footnote"
    return None


def _starts_list_item(text: str, paragraph_open: bool) -> bool:
    marker = LIST_MARKER.match(text)
    if marker is None:
        return False
    if not paragraph_open:
        return True
    # Only a non-empty item, and an ordered one only from 1, interrupts a paragraph.
    return bool(text[marker.end() :].strip(" \t")) and marker.group(1) in (None, "1")


def _list_item_content(text: str, marker_width: int) -> tuple[int, str]:
    """The item's content column (relative to the marker) and the content on the marker's line."""
    spaces = _run_end(SPACES, text, marker_width) - marker_width
    if spaces >= 5 or BLANK.match(text, marker_width):
        return marker_width + 1, text[marker_width + 1 :]
    return marker_width + spaces, text[marker_width + spaces :]


def _atx_heading_content(text: str) -> str:
    """The content of an ATX heading line, without its `#` marks and closing sequence."""
    content = text.lstrip("#").strip(" \t")
    without_closing = content.rstrip("#")
    if not without_closing:
        content = ""
    elif without_closing[-1] in " \t":
        content = without_closing.rstrip(" \t")
    return content


def _html_block_end(text: str, paragraph_open: bool) -> tuple[str, ...] | None:
    """What ends the HTML block this line starts (markers, or a blank line); None if none starts."""
    for start, end in HTML_END_FOR_START:
        if start.match(text):
            return end
    if HTML_BLOCK_6.match(text):
        return ENDS_AT_BLANK_LINE
    if not paragraph_open and HTML_BLOCK_7.match(text):
        return ENDS_AT_BLANK_LINE
    return None


def tables_to_frames(tables: Iterable[Table]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The tables and their body rows as frames matching ExtractedTable and ExtractedRow."""
    tables = list(tables)
    return _tables_frame(tables, [len(table.rows) for table in tables]), _rows_frame(tables)


def _tables_frame(tables: Sequence[TableHead], n_rows: list[int]) -> pl.DataFrame:
    # Through Arrow: polars builds a Series for every header and heading path it is given as a
    # Python list, ~20x slower (45 ms for the 2,338 tables of 200 bench documents, Arrow 2 ms).
    lists = pa.large_list(pa.large_string())
    columns = {
        "source": pa.array([t.source for t in tables], pa.large_string()),
        "table_index": pa.array([t.table_index for t in tables], pa.int32()),
        "line": pa.array([t.line for t in tables], pa.int32()),
        "heading_path": pa.array([t.heading_path for t in tables], lists),
        "header": pa.array([t.header for t in tables], lists),
        "align": pa.array([t.align for t in tables], lists),
        "n_rows": pa.array(n_rows, pa.int32()),
        "caption": pa.array([t.caption for t in tables], pa.large_string()),
        "lead": pa.array([t.lead for t in tables], pa.large_string()),
    }
    return pl.DataFrame(pa.table(columns)).cast(TABLE_SCHEMA)


def _rows_frame(tables: list[Table]) -> pl.DataFrame:
    rows = [row for table in tables for row in table.rows]
    n_rows = [len(table.rows) for table in tables]
    return pl.DataFrame(
        {
            **_row_keys(tables, n_rows),
            "line": pl.Series([row.line for row in rows], dtype=pl.Int32),
            "cells": _cells_column(rows),
            "ragged": pl.Series([row.ragged for row in rows], dtype=pl.Boolean),
            "links": pl.Series([row.links or None for row in rows], dtype=pl.List(pl.String)),
            "cell_notes": pl.Series([row.notes or None for row in rows], dtype=pl.List(pl.String)),
        }
    )


def _row_keys(tables: Sequence[TableHead], n_rows: list[int]) -> dict[str, pl.Series]:
    """Source, table_index and row_index of every body row."""
    return {
        "source": pl.Series(_per_row([t.source for t in tables], n_rows), dtype=pl.String),
        "table_index": pl.Series(_per_row([t.table_index for t in tables], n_rows), dtype=pl.Int32),
        "row_index": pl.Series(
            list(itertools.chain.from_iterable(map(range, n_rows))), dtype=pl.Int32
        ),
    }


def _per_row(values: list[object], n_rows: list[int]) -> list[object]:
    """Each table's value repeated once for each of its body rows."""
    return list(itertools.chain.from_iterable(map(itertools.repeat, values, n_rows)))


def _scanned_rows_frame(tables: list[ScannedTable]) -> pl.DataFrame:
    """The ExtractedRow frame of scanned tables, as tables_to_frames gives it: polars splits
    the pipe tables' rows; the HTML tables' rows are read already."""
    html = [table for table in tables if table.html_rows is not None]
    if not html:
        return _pipe_rows_frame(tables)
    pipe = [table for table in tables if table.html_rows is None]
    # Back in the tables' order: each table's place among them, then its rows in order.
    places = pl.DataFrame(
        {
            "source": [table.source for table in tables],
            "table_index": pl.Series([table.table_index for table in tables], dtype=pl.Int32),
            "_place": range(len(tables)),
        }
    )
    return (
        pl.concat([_pipe_rows_frame(pipe), _rows_frame([_split_table(table) for table in html])])
        .join(places, on=["source", "table_index"], how="left")
        .sort("_place", "row_index")
        .drop("_place")
    )


def _pipe_rows_frame(tables: list[ScannedTable]) -> pl.DataFrame:
    """The ExtractedRow frame of scanned pipe tables; polars splits their rows."""
    located = _row_lines_frame(tables).with_columns(
        _content=pl.col("_text").str.strip_chars(ROW_SPACE)
    )
    content = pl.col("_content")
    located = located.with_columns(_splittable=_splits_like_split_row(content, pl.col("_width")))
    splittable = located.filter("_splittable").with_columns(
        _cells=content.str.slice(1, content.str.len_chars() - 2).str.split("|"),
        _markup=content.str.contains(CELL_MARKUP_SUPERSET),
    )
    others = located.filter(~pl.col("_splittable"))
    parts = [
        _plain_rows(splittable.filter(~pl.col("_markup"))),
        _marked_up_rows(splittable.filter(pl.col("_markup")), tables),
        _rows_split_in_python(others, tables),
    ]
    return pl.concat(parts).sort("_order").drop("_order")


def _row_lines_frame(tables: list[ScannedTable]) -> pl.DataFrame:
    """One row per body row line: its keys, text, table (position in tables) and header width."""
    n_rows = pl.Series([len(table.row_lines) for table in tables], dtype=pl.Int64)
    per_table = pl.DataFrame(
        {
            "source": pl.Series([t.source for t in tables], dtype=pl.String),
            "table_index": pl.Series([t.table_index for t in tables], dtype=pl.Int32),
            "_width": pl.Series([len(t.header) for t in tables], dtype=pl.Int32),
            "_table": pl.Series(range(len(tables)), dtype=pl.Int32),
        }
    )
    lines = pa.array(itertools.chain.from_iterable(t.row_lines for t in tables), pa.int32())
    texts = pa.array(itertools.chain.from_iterable(t.row_texts for t in tables), pa.large_string())
    return (
        per_table.select(pl.all().repeat_by(n_rows).list.explode(keep_nulls=False))
        .with_columns(
            pl.int_range(pl.len(), dtype=pl.Int32).over("_table").alias("row_index"),
            pl.Series("line", lines, dtype=pl.Int32),
            pl.Series("_text", texts, dtype=pl.String),
        )
        .with_row_index("_order")
    )


def _splits_like_split_row(content: pl.Expr, width: pl.Expr) -> pl.Expr:
    """A row split_row splits with str.split alone ("| a | b |"), into exactly width cells."""
    return (
        content.str.starts_with("|")
        & content.str.ends_with("|")
        & (content.str.len_chars() > 1)
        & (content.str.count_matches("|", literal=True) == width + 1)
        & ~content.str.contains(SPLIT_IN_PYTHON)
    )


def _cell_text(cell: pl.Expr) -> pl.Expr:
    """A cell's text where polars can give exactly what render_cell would; null elsewhere."""
    text = cell.str.strip_chars()
    return (
        pl.when(~cell.str.contains(CELL_MARKUP_SUPERSET))
        .then(text)
        .when(text.str.contains(BOLD_PLAIN_CELL))
        .then(text.str.slice(2, text.str.len_chars() - 4))
        .when(text.str.contains(STARRED_PLAIN_CELL))
        .then(text)
    )


def _plain_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows without markup: each cell is its text trimmed."""
    return rows.select(
        *ROW_KEY_COLUMNS,
        cells=pl.col("_cells").list.eval(pl.element().str.strip_chars()),
        ragged=pl.lit(False),
        links=pl.lit(None, dtype=pl.List(pl.String)),
        cell_notes=pl.lit(None, dtype=pl.List(pl.String)),
    )


def _marked_up_rows(rows: pl.DataFrame, tables: list[ScannedTable]) -> pl.DataFrame:
    """Rows with markup: polars renders the cells it can, the renderer the rest."""
    cells = (
        rows.select("_order", "_table", "line", "_cells")
        .with_columns(_position=pl.int_ranges(pl.col("_cells").list.len()))
        .explode("_cells", "_position")
        .with_columns(_text=_cell_text(pl.col("_cells")))
    )
    rendered = _rendered_cells(cells.filter(pl.col("_text").is_null()), tables)
    notes = pl.col("_note").fill_null("")
    per_row = (
        cells.join(rendered, on=["_order", "_position"], how="left", maintain_order="left")
        .group_by("_order", maintain_order=True)
        .agg(
            cells=pl.coalesce("_text", "_rendered"),
            links=pl.col("_links").list.explode(keep_nulls=False, empty_as_null=False),
            cell_notes=notes,
            _noted=(notes != "").any(),
        )
    )
    return rows.select(*ROW_KEY_COLUMNS).with_columns(
        per_row.get_column("cells"),
        ragged=pl.lit(False),
        links=per_row.select(pl.when(pl.col("links").list.len() > 0).then("links")).to_series(),
        cell_notes=per_row.select(pl.when("_noted").then("cell_notes")).to_series(),
    )


def _rendered_cells(cells: pl.DataFrame, tables: list[ScannedTable]) -> pl.DataFrame:
    """Text, links and note of each cell, by order and position: rendered, or trimmed if plain."""
    keys: list[tuple[int, int]] = []
    done: list[RenderedCell] = []
    for order, position, cell, table, line in cells.select(
        "_order", "_position", "_cells", "_table", "line"
    ).iter_rows():
        keys.append((order, position))
        plain = not has_markup(cell)
        done.append(RenderedCell(cell.strip()) if plain else _render_in(tables[table], line, cell))
    return pl.DataFrame(
        {
            "_order": pl.Series([order for order, _ in keys], dtype=pl.UInt32),
            "_position": pl.Series([position for _, position in keys], dtype=pl.Int64),
            "_rendered": pl.Series([cell.text for cell in done], dtype=pl.String),
            "_links": _string_lists([cell.links for cell in done]),
            "_note": pl.Series([cell.note for cell in done], dtype=pl.String),
        }
    )


def _render_in(table: ScannedTable, line: int, cell: str) -> RenderedCell:
    try:
        return _render(cell, table.references)
    except ParseError as error:
        raise ParseError(f"{table.source}:{line}: {error}") from error


def _rows_split_in_python(rows: pl.DataFrame, tables: list[ScannedTable]) -> pl.DataFrame:
    """Rows polars cannot split exactly (escaped pipes, ragged rows) go through split_row."""
    split = [
        split_row(number, text, width, tables[table].source, tables[table].references)
        for number, text, width, table in rows.select(
            "line", "_text", "_width", "_table"
        ).iter_rows()
    ]
    return rows.select(*ROW_KEY_COLUMNS).with_columns(
        _cells_column(split),
        pl.Series("ragged", [row.ragged for row in split], dtype=pl.Boolean),
        _string_lists([row.links for row in split]).alias("links"),
        _string_lists([row.notes for row in split]).alias("cell_notes"),
    )


def _string_lists(values: list[tuple[str, ...]]) -> pl.Series:
    """A List(String) column, null where a tuple is empty."""
    # Through Arrow: pl.Series recurses into every tuple, ~30x slower on 50k rows.
    lists = pa.array([list(value) or None for value in values], pa.large_list(pa.large_string()))
    return pl.Series("", lists, dtype=pl.List(pl.String))


ROW_KEY_COLUMNS = ["_order", "source", "table_index", "row_index", "line"]


def _cells_column(rows: list[Row]) -> pl.Series:
    """All body cells as a List(String) column, from one flat list and offsets."""
    # pl.Series(list of tuples) takes 1.0 s for 100k rows of 5 cells; this takes 0.07 s.
    cells = list(itertools.chain.from_iterable(row.cells for row in rows))
    offsets = list(itertools.accumulate((len(row.cells) for row in rows), initial=0))
    column = pa.LargeListArray.from_arrays(
        pa.array(offsets, pa.int64()), pa.array(cells, pa.large_string())
    )
    return pl.Series("cells", column, dtype=pl.List(pl.String))


def tables_as_json(tables: Iterable[Table]) -> list[dict]:
    """The tables as JSON objects: source, table_index, line, heading_path, header, rows, align."""
    return [
        {
            "source": table.source,
            "table_index": table.table_index,
            "line": table.line,
            "heading_path": list(table.heading_path),
            "header": list(table.header),
            "rows": [list(row.cells) for row in table.rows],
            "align": list(table.align),
        }
        for table in tables
    ]


def format_tables_text(tables: Iterable[Table]) -> str:
    """The tables as aligned plain text, each under a line saying where it is."""
    return "\n\n".join(_format_table(table) for table in tables)


MAX_SHOWN_WIDTH = 40


def _format_table(table: Table) -> str:
    path = " > ".join(table.heading_path) or "(no heading)"
    title = (
        f"{table.source}:{table.line}  table {table.table_index}  {path}  ({len(table.rows)} rows)"
    )
    grid = [list(table.header)] + [list(row.cells) for row in table.rows]
    grid = [[_shorten(cell) for cell in cells] for cells in grid]
    widths = [max(len(cells[column]) for cells in grid) for column in range(len(table.header))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        for cells in grid
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join([title, *lines])


def _shorten(cell: str) -> str:
    return cell if len(cell) <= MAX_SHOWN_WIDTH else cell[: MAX_SHOWN_WIDTH - 1] + "…"
