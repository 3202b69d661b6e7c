"""HTML tables in Markdown documents, `<table>` to `</table>`, read as a grid (pure).

READMEs give results in HTML tables as well as pipe tables (FasterViT, MambaVision, DINO). A
table is read when its layout is a grid under its header rows:

- the header rows are the rows of its `<thead>`, else its leading rows of `<th>` cells, else
  its first row (as a pipe table's first row is its header), with the rows below that their
  cells span into (DPNs' `<th rowspan="2">Model</th>` over a row of `<td>Top 1</td>`);
- a column is named by the header cells over it, top to bottom, joined by " / ": a cell
  spanning columns names each of them ("ImageNet-1K" over "Top-1" and "Top-5" gives
  "ImageNet-1K / Top-1" and "ImageNet-1K / Top-5"), a cell spanning rows is named once;
- a body cell spanning rows (`rowspan`) is repeated in each of them, as the page shows it;
- a body row of one cell across every column is a section label (FT-CLIP's "Fine-tuning CLIP
  directly"): its text is in the first column, the others are empty;
- a body row with more or fewer cells than the header is cut or padded, and marked ragged.

A table ends at its `</table>`, or, as in a browser, at a `<table>` outside its cells, which
starts another. Any other layout is not read, and says why (`UnreadTable.problem`): a `<thead>`
after body rows, a body cell spanning some of the columns, a table inside a cell, no
`</table>`. Cells are kept as written, their HTML with whitespace runs made one space and
references that lack a semicolon (which HTML decodes and Markdown does not) given one, for the
extractor to render as it renders pipe-table cells; the URLs of their `<a>` tags are kept
apart, since rendering drops the tags.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from html import unescape
from html.parser import HTMLParser
from itertools import islice

SECTIONS = {"thead", "tbody", "tfoot"}
CELLS = {"td", "th"}
# A character reference that HTML decodes but Markdown does not, having no closing semicolon:
# `81.2&plusmn0.1`, `&#x2713`. Tags are matched only to be passed over.
BARE_REFERENCE = re.compile(
    r"<[A-Za-z/!?][^>]*>"
    r"|&(?:#[0-9]+(?![0-9;])|#[xX][0-9a-fA-F]+(?![0-9a-fA-F;])|[A-Za-z][A-Za-z0-9]*(?![A-Za-z0-9;]))"
)
# A tag, to see whether a cell's HTML shows any text.
TAG = re.compile(r"<[^>]*>")
# HTML's own limits: a cell spans at most 1,000 columns and 65,534 rows.
MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534


@dataclass(frozen=True)
class GridRow:
    """A body row of a grid: its line, its cells as written (HTML), ragged, its links."""

    line: int
    cells: tuple[str, ...]
    ragged: bool
    links: tuple[str, ...]


@dataclass(frozen=True)
class HtmlGrid:
    """An HTML table read as a grid: the line of its header row and the line after the table."""

    line: int
    end_line: int
    header: tuple[str, ...]
    rows: tuple[GridRow, ...]
    caption: str | None
    # Where on its end line the table's `</table>` starts (on its first line, counted from the
    # `<table`): another table may start after it.
    end_column: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class UnreadTable:
    """An HTML table whose layout is not a grid under one header row, and why."""

    end_line: int
    problem: str
    # As HtmlGrid.end_column; -1 when the table has no `</table>` or its HTML cannot be parsed.
    end_column: int = field(default=-1, compare=False)


@dataclass
class _Cell:
    line: int
    start: int
    end: int
    header: bool
    colspan: int
    rowspan: int
    links: list[str] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    head: bool
    cells: list[_Cell] = field(default_factory=list)


def read_html_table(start: str, lines: list[str], first: int) -> HtmlGrid | UnreadTable:
    """The table whose `<table` tag starts the text start, on lines[first], read up to its
    `</table>` (lines are a document's, without their line endings)."""
    parser = _TableParser()
    parser.feed_line(start + "\n")
    index = first + 1
    while not parser.closed and index < len(lines):
        parser.feed_line(lines[index] + "\n")
        index += 1
    end_line = first + parser.end_line if parser.closed else len(lines)
    if parser.problem is not None:
        return UnreadTable(end_line, parser.problem, parser.end_column)
    if not parser.closed:
        return UnreadTable(end_line, "it has no </table>")
    return replace(_grid(parser, first, end_line), end_column=parser.end_column)


class _TableParser(HTMLParser):
    """Rows and cells of one table (positions into the text fed), until its `</table>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        # The lines fed, and where each starts in their text (joined once, by text()).
        self.lines: list[str] = []
        self.line_starts: list[int] = []
        self.length = 0
        self.depth = 0
        self.closed = False
        self.end_line = 0
        self.end_column = -1
        self.problem: str | None = None
        self.rows: list[_Row] = []
        self.row: _Row | None = None
        self.cell: _Cell | None = None
        self.head = False
        self.caption: tuple[int, int] | None = None
        self.caption_start: int | None = None

    def feed_line(self, line: str) -> None:
        self.lines.append(line)
        self.line_starts.append(self.length)
        self.length += len(line)
        try:
            self.feed(line)
        except (AssertionError, ValueError, IndexError) as error:
            # html.parser raises on some malformed declarations ("<![if"): no grid is guessed.
            self.problem = f"its HTML cannot be parsed ({error})"
            self.closed = True
            self.end_line = len(self.line_starts)

    def text(self) -> str:
        """The text fed, whose positions the cells and caption hold."""
        return "".join(self.lines)

    def position(self) -> int:
        line, offset = self.getpos()
        return self.line_starts[line - 1] + offset

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.closed:
            return
        if tag == "table":
            if self.depth == 1 and self.cell is None:
                # Outside a cell, a <table> ends the open table and starts another, as in a
                # browser: Vega's model zoo writes "<table>" for the "</table>" of its first.
                self.closed = True
                self.end_line, self.end_column = self.getpos()
                return
            self.depth += 1
            if self.depth > 1 and self.problem is None:
                self.problem = "it holds a table inside it"
            return
        if self.depth != 1:
            return
        start = self.position()
        self._end_cell_and_row(tag, start)
        if tag in SECTIONS:
            self.head = tag == "thead"
        elif tag == "tr":
            self.row = _Row(self.getpos()[0], self.head)
            self.rows.append(self.row)
        elif tag in CELLS:
            self._open_cell(tag, attrs, start + len(self.get_starttag_text() or ""))
        elif tag == "a" and self.cell is not None:
            href = dict(attrs).get("href")  # html.parser has decoded its entities
            if href:
                self.cell.links.append(href)
        elif tag == "caption":
            self.caption_start = start + len(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.closed or self.depth == 0:
            return
        if tag == "table":
            self.depth -= 1
            if self.depth == 0:
                self._close_cell(self.position())
                self.closed = True
                self.end_line, self.end_column = self.getpos()
            return
        if self.depth != 1:
            return
        self._end_cell_and_row(tag, self.position())
        if tag in SECTIONS:  # a row after `</thead>` is in the body, as in a browser
            self.head = False
        if tag == "caption" and self.caption_start is not None:
            self.caption = (self.caption_start, self.position())
            self.caption_start = None

    def _open_cell(self, tag: str, attrs: list[tuple[str, str | None]], start: int) -> None:
        if self.row is None:  # a cell outside any <tr> starts a row of its own
            self.row = _Row(self.getpos()[0], self.head)
            self.rows.append(self.row)
        spans = dict(attrs)
        self.cell = _Cell(
            self.getpos()[0],
            start,
            start,
            tag == "th",
            _span(spans.get("colspan"), MAX_COLSPAN),
            _span(spans.get("rowspan"), MAX_ROWSPAN),
        )
        self.row.cells.append(self.cell)

    def _end_cell_and_row(self, tag: str, position: int) -> None:
        """A cell, row or section tag, opening or closing, ends the open cell there; a row or
        section tag ends the open row too."""
        if tag in CELLS or tag == "tr" or tag in SECTIONS:
            self._close_cell(position)
        if tag == "tr" or tag in SECTIONS:
            self.row = None

    def _close_cell(self, end: int) -> None:
        if self.cell is not None:
            self.cell.end = end
            self.cell = None


def _span(value: str | None, limit: int) -> int:
    """A colspan or rowspan attribute as a number of columns or rows: 1 unless a positive
    integer, at most the limit."""
    text = (value or "").strip()
    return min(int(text), limit) if text.isdigit() and int(text) > 0 else 1


def _grid(parser: _TableParser, first: int, end_line: int) -> HtmlGrid | UnreadTable:
    """The parsed rows as a header and body rows, or why they are not a grid."""
    rows = [row for row in parser.rows if row.cells]
    if not rows:
        return UnreadTable(end_line, "it has no rows")
    text = parser.text()
    head_rows = _header_rows(rows, text)
    pairs = zip(rows, head_rows, strict=False)
    misplaced = next((head for row, head in pairs if row is not head), None)
    if misplaced is not None:
        return UnreadTable(
            end_line, f"its <thead> at line {first + misplaced.line} comes after a body row"
        )
    body = rows[len(head_rows) :]
    header = _column_names(text, head_rows)
    spanning = next(
        (
            cell
            for row in body
            if not _section_row(row, len(header))
            for cell in row.cells
            if cell.colspan > 1
        ),
        None,
    )
    if spanning is not None:
        return UnreadTable(
            end_line, f"a cell at line {first + spanning.line} spans {spanning.colspan} columns"
        )
    caption = _html_text(text[slice(*parser.caption)]) if parser.caption else None
    return HtmlGrid(
        first + head_rows[0].line,
        end_line,
        header,
        tuple(_body_rows(text, rows, len(head_rows), len(header), first)),
        caption or None,
    )


def _section_row(row: _Row, width: int) -> bool:
    """Whether a body row is one cell across every column, and no row below: a label of the rows
    below it ("Fine-tuning CLIP directly", FT-CLIP's), read with its text in the first column."""
    cells = row.cells
    return width > 1 and len(cells) == 1 and cells[0].colspan >= width and cells[0].rowspan == 1


def _header_rows(rows: list[_Row], text: str) -> list[_Row]:
    """The rows of <thead>; else the leading rows of <th> cells only, else the first row, with
    the rows their cells span down into; an empty cell spanning down to the last row is a
    separator beside every row, not part of the header."""
    head = [row for row in rows if row.head]
    if head:
        # A cell of <thead> spans no row past it, as in a browser.
        return head
    leading = []
    for row in rows:
        if not all(cell.header for cell in row.cells):
            break
        leading.append(row)
    reach = max(len(leading), 1)
    index = 0
    while index < min(reach, len(rows)):
        # CoreML's empty separator column spans the body too: it takes no row into the header.
        spans = [
            cell.rowspan
            for cell in rows[index].cells
            if index + cell.rowspan < len(rows) or _shows(_cell_html(text, cell))
        ]
        reach = max(reach, index + max(spans, default=1))
        index += 1
    return rows[:index]


def _column_names(text: str, head_rows: list[_Row]) -> tuple[str, ...]:
    """Each column's name: the header cells over it that show text, top to bottom, joined by
    " / " (a cell over two columns names each; "ImageNet-1K" over "Top-1" names
    "ImageNet-1K / Top-1")."""
    stacks: dict[int, list[_Cell]] = {}
    for placed in _placed_cells(head_rows):
        for column, cell in placed.items():
            stack = stacks.setdefault(column, [])
            if not stack or stack[-1] is not cell:
                stack.append(cell)
    names = {
        column: " / ".join(html for html in map(partial(_cell_html, text), stack) if _shows(html))
        for column, stack in stacks.items()
    }
    return tuple(names.get(column, "") for column in range(max(stacks) + 1))


def _shows(html: str) -> bool:
    """Whether a cell's HTML shows any text (a cell of tags only, `<b></b>`, shows none)."""
    return bool(unescape(TAG.sub("", html)).strip())


def _placed_cells(rows: list[_Row]) -> Iterator[dict[int, _Cell]]:
    """Each row's cells by the columns they fill, as a browser lays them out: a cell spanning
    rows fills its columns in the rows below, a cell spanning columns fills each of them."""
    spanning: dict[int, tuple[int, _Cell]] = {}  # column -> (rows still to fill, cell)
    for row in rows:
        placed = {column: cell for column, (_, cell) in spanning.items()}
        started: dict[int, tuple[int, _Cell]] = {}
        column = 0
        for cell in row.cells:
            while column in placed:
                column += 1
            for filled in range(column, column + cell.colspan):
                placed.setdefault(filled, cell)
                if cell.rowspan > 1:
                    started[filled] = (cell.rowspan - 1, cell)
            column += cell.colspan
        spanning = {
            column: (left - 1, cell) for column, (left, cell) in spanning.items() if left > 1
        } | started
        yield placed


def _body_rows(text: str, rows: list[_Row], head: int, width: int, first: int) -> list[GridRow]:
    """Each body row's cells (the rows after the first `head`), a cell spanning rows repeated in
    each, cut or padded to width. A header cell spanning down into the body fills its columns
    there too (CoreML's empty separator column), as in a browser."""
    grid_rows = []
    body = rows[head:]
    # A cell of <thead> spans no row past it, as in a browser: that body is laid out alone.
    placements = _placed_cells(body) if rows[0].head else islice(_placed_cells(rows), head, None)
    for row, placed in zip(body, placements, strict=True):
        # A row is cited at its first cell's line: the line that shows its values, not its <tr>
        # (MambaVision writes `<tr>` and each `<td>` on lines of their own).
        line = first + (row.cells[0].line if row.cells else row.line)
        if _section_row(row, width):
            label = _cell_html(text, row.cells[0])
            grid_rows.append(GridRow(line, (label,) + ("",) * (width - 1), False, ()))
            continue
        count = max(placed) + 1
        cells = tuple(
            _cell_html(text, placed[column]) if column in placed else ""
            for column in range(min(count, width))
        ) + ("",) * max(0, width - count)
        links = tuple(link for cell in row.cells for link in cell.links)
        ragged = count != width or len(placed) != count
        grid_rows.append(GridRow(line, cells, ragged, links))
    return grid_rows


def _cell_html(text: str, cell: _Cell) -> str:
    return _html_text(text[cell.start : cell.end])


def _html_text(source: str) -> str:
    """HTML as a page shows its whitespace (every run of it one space, none at either end) and
    its references without a semicolon, written with one for the cell renderer."""
    text = " ".join(source.split())
    return BARE_REFERENCE.sub(_with_semicolons, text) if "&" in text else text


def _with_semicolons(match: re.Match[str]) -> str:
    """A reference as the characters HTML decodes it to, each a numeric reference."""
    written = match.group()
    decoded = written if written.startswith("<") else unescape(written)
    return written if decoded == written else "".join(f"&#{ord(char)};" for char in decoded)
