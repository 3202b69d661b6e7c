"""The extractor finds the tables GitHub finds: generated documents against cmark-gfm.

cmark-gfm is GitHub's own Markdown parser. For documents in plain GFM (no MkDocs or Obsidian
dialect, which GitHub renders as code or text) every table must have the same header, body
cells and alignments in both. Cell texts are compared as rendered text: cmark-gfm's HTML with
its tags dropped and entities decoded, image alt text kept, and footnote references ("85.2[^1]")
and struck-through text ("~~80.1~~") left out, as the extractor keeps them apart from the text.
Our side reads the document the way the build reads a raw file (decoded, any line ends, a byte
order mark dropped).

Known differences, left out of the generated documents: cmark-gfm also strikes text through
between single tildes (`~a~`), the cell renderer (like markdown-it-py) only between double ones;
a table inside a footnote definition is listed where it is written, GitHub shows it with the
footnotes at the end (or not at all when nothing refers to the footnote), so footnote
definitions come last here. cmark-gfm reads a task item's checkbox on the line as written, so on
a document's first line after a byte order mark (`\ufeff- [ ] a`) it is text; the build drops
the mark first, and so do we.
"""

import re
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.decode import decode_document
from pipeline.extract import extract_tables

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Grid = dict[str, list]


class _GithubTables(HTMLParser):
    """The header, body rows and alignments of each table in cmark-gfm's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Grid] = []
        self.in_head = False
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.in_footnote_mark = False
        self.in_struck = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"header": [], "rows": [], "align": []})
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td"):
            self.cell = []
            if self.in_head:
                self.tables[-1]["align"].append(dict(attrs).get("align"))
        elif tag == "img" and self.cell is not None:
            self.cell.append(dict(attrs).get("alt") or "")
        elif tag == "sup" and dict(attrs).get("class") == "footnote-ref":
            self.in_footnote_mark = True
        elif tag == "del":
            self.in_struck = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "sup":
            self.in_footnote_mark = False
        elif tag == "del":
            self.in_struck = False
        elif tag == "thead":
            self.in_head = False
        elif tag in ("th", "td") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.in_head:
                self.tables[-1]["header"] = self.row
            else:
                self.tables[-1]["rows"].append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.in_footnote_mark and not self.in_struck:
            self.cell.append(data)


def github_tables(markdown: str) -> list[Grid]:
    """The tables cmark-gfm renders with footnotes (raw HTML left out, as GitHub does)."""
    parser = _GithubTables()
    parser.feed(
        cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_FOOTNOTES)
    )
    parser.close()
    return parser.tables


def our_tables(markdown: str) -> list[Grid]:
    """The tables the build finds in the document written as UTF-8 (decoded as any raw file)."""
    text = decode_document("doc.md", markdown.encode()).text
    return [
        {
            "header": list(table.header),
            "rows": [list(row.cells) for row in table.rows],
            "align": list(table.align),
        }
        for table in extract_tables(text, "doc.md")
    ]


# Realistic documents: blocks (tables, text, headings, fences, HTML, link definitions), each in a
# container (block quote, list item, indentation), sometimes with a lazy continuation line.
WORDS = [
    *["resnet50", "vit_b16", "**84.1**", "85.2*", "`a|b`", "\\|", "[x](https://a.org)", "[ref]"],
    *["&amp;", "224x224", "99M", "-", "_it_", "<b>b</b>", "a b", "", "1.5", "~~s~~", "<br>"],
    *["![i](x.png)", "*e*", "\u00a0", "x|y", "[1]", "85.2[^1]", "[^1]", "[^9]"],
    *["<https://x.org/?a=1&amp;b=2&lt;>", "<https://x.org/&#x41;&bogus;>"],
]
DELIMITERS = ["---", ":--", "--:", ":-:", "-", ":---:"]
CONTAINERS = [
    ("", ""),
    ("> ", "> "),
    ("- ", "  "),
    ("1. ", "   "),
    ("    ", "    "),
    ("> - ", ">   "),
    ("\t", "\t"),
    ("  ", "  "),
    ("-\t", "\t"),
    ("1.\t", "    "),
    ("> -\t", ">   "),
    ("- [ ] ", "  "),
    ("2. [x]\t", "   "),
]
TASK_ITEM = re.compile(r"[ \t]*(?:[-+*]|[0-9]+[.)])[ \t]+\[[ xX]\]")
cell = st.lists(st.sampled_from(WORDS), max_size=2).map(" ".join)


@st.composite
def table_block(draw: st.DrawFn) -> list[str]:
    width = draw(st.integers(1, 4))
    pipes = draw(st.booleans())

    def line(cells: list[str]) -> str:
        return f"| {' | '.join(cells)} |" if pipes else " | ".join(cells)

    header = line(draw(st.lists(cell, min_size=width, max_size=width)))
    delimiter_width = draw(st.sampled_from([width, width, width, width + 1]))
    delimiter = line(draw(st.lists(st.sampled_from(DELIMITERS), min_size=delimiter_width)))
    rows = draw(st.lists(st.lists(cell, min_size=1, max_size=width + 1).map(line), max_size=4))
    before = draw(st.sampled_from([[], [], ["Some text"], ["[ref]: https://x.org"]]))
    return [*before, header, delimiter, *rows]


other_block = st.sampled_from(
    [
        ["Some text", "more text"],
        ["# Results"],
        ["Title", "====="],
        ["---"],
        ["[ref]: https://x.org", "[1]: /y"],
        ["```", "| a |", "|---|", "```"],
        ["<details>", "", "| a |", "|---|", "", "</details>"],
        ["<div>", "| a |", "|---|", "</div>"],
        ["<source src=x>", "| a |", "|---|"],
        ["[ref]: https://x.org", "==="],
        ["-"],
    ]
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Blocks in containers, with LF, CRLF or CR line ends, mixed, and maybe a byte order mark."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        block = draw(st.one_of(table_block(), table_block(), other_block))
        first, rest = draw(st.sampled_from(CONTAINERS))
        lazy = draw(st.integers(0, 20))  # the line (if any) that drops its container markers
        for number, text in enumerate(block):
            prefix = first if number == 0 else rest
            lines.append(("" if number == lazy else prefix) + text)
        if draw(st.booleans()):
            lines.append("")
    lines += draw(st.sampled_from([[], [], ["[^1]: https://x.org/paper"], ["[^1]: a", "    b"]]))
    ends = draw(st.lists(st.sampled_from(["\n", "\n", "\r\n", "\r"]), min_size=len(lines)))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return bom + "".join(line + end for line, end in zip(lines, ends, strict=False))


def no_front_matter(markdown: str) -> bool:
    """A document that starts with "---" may open YAML front matter, which GitHub does not read;
    after a byte order mark, cmark-gfm reads the checkbox of a first task item as text."""
    return not markdown.lstrip("\ufeff").startswith("---") and not (
        markdown.startswith("\ufeff") and TASK_ITEM.match(markdown[1:])
    )


# Line soup: any mix of table-shaped lines and block starts, each in any container.
soup_line = st.one_of(
    st.lists(cell, min_size=1, max_size=4).map(lambda cells: "| " + " | ".join(cells) + " |"),
    st.lists(cell, min_size=1, max_size=4).map(" | ".join),
    st.lists(st.sampled_from(DELIMITERS), min_size=1, max_size=4).map(" | ".join),
    st.lists(st.sampled_from(DELIMITERS), min_size=1, max_size=4).map(lambda d: f"|{'|'.join(d)}|"),
    st.sampled_from(["", "# H", "> ", "- ", "-", "```", "~~~", "<div>", "***", "1. ", "2) x"]),
    st.sampled_from(["=", "Setext", "[ref]: /url", "<!--", "-->", "---", "text"]),
)
soup = st.lists(
    st.tuples(
        st.sampled_from(["", "", "", "> ", "  ", "- ", "    ", " ", "1. ", ">> ", "-\t", "- [ ] "]),
        soup_line,
    ),
    min_size=1,
    max_size=10,
).map(lambda lines: "\n".join(prefix + text for prefix, text in lines))


@SETTINGS
@given(documents().filter(no_front_matter))
def test_realistic_documents_give_the_tables_github_renders(markdown: str):
    assert our_tables(markdown) == github_tables(markdown)


@SETTINGS
@given(soup.filter(no_front_matter))
def test_any_mix_of_table_lines_and_block_starts_gives_the_tables_github_renders(markdown: str):
    assert our_tables(markdown) == github_tables(markdown)


def test_the_reference_reads_cells_as_rendered_text():
    markdown = "| **a** | [b](https://x.org) | ![c](c.png) &amp; |\n|:-|-:|:-:|\n| `d` | e\\|f |\n"
    assert github_tables(markdown) == [
        {
            "header": ["a", "b", "c &"],
            "rows": [["d", "e|f", ""]],
            "align": ["left", "right", "center"],
        }
    ]
