"""Inline Markdown of one table cell -> plain text, link URLs and footnote marks (pure).

Cells go through a small renderer that is exact for the markup tables carry (escapes, code spans,
entities, HTML tags, autolinks, `[text](url)` links, images, a bold or italic whole cell). Anything
it is not sure about goes to markdown-it-py's inline parser, which is exact and slower (~20 us).
"""

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.entities import entities
from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.common.utils import fromCodePoint, isValidEntityCode, normalizeReference
from mdit_py_plugins.footnote import footnote_plugin

from pipeline.errors import ParseError

ASCII_PUNCTUATION = frozenset(string.punctuation)
# Definitions are one mapping, label -> url. A GFM footnote ("[^1]: ...") is its label after
# this prefix, with no url: NUL, which markdown-it replaces in every text it reads, so no link
# label has it ("[^a b]: x", with a space, is a link to "x" labelled "^a b").
FOOTNOTE = "\x00"
# The characters where the simple renderer has something to do; "!" only before "[".
INLINE_SPECIAL = re.compile(r"[\\`&<\[!]")
# A "*" run can always open or close emphasis; a "_" run only when a neighbour is not a letter or
# digit: "vit_base_patch16_224" has no emphasis in it, "_ViT_" has.
EMPHASIS_RUN = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)")
FLANKING_UNDERSCORE = re.compile(r"_(?:(?<!\w_)|(?!\w))")
# The same patterns markdown-it-py uses, so both renderers agree on what is an entity or a tag.
NUMERIC_ENTITY = re.compile(r"&#((?:x[a-f0-9]{1,6}|[0-9]{1,7}));", re.IGNORECASE)
NAMED_ENTITY = re.compile(r"&([a-z][a-z0-9]{1,31});", re.IGNORECASE)
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^<>\x00-\x20]*)>")
EMAIL_AUTOLINK = re.compile(
    r"<([a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)>"
)
TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# A line break after one of these wraps a long identifier ("ResNeXt101_<br>32x8d_wsl"): it is
# no space in it.
IDENTIFIER_JOINERS = frozenset("_-/")
# HTML elements GitHub shows struck through, as it shows `~~text~~`.
STRUCK_ELEMENTS = frozenset({"del", "s", "strike"})
# Elements a browser shows as blocks of their own: their tags separate the words on either side
# ("<ul><li>DUC-2004</li><li>Gigaword</li></ul>" reads "DUC-2004 Gigaword").
BLOCK_ELEMENTS = frozenset({"li", "p", "div", "ul", "ol", "dd", "dt", "blockquote", "hr"})
# What a <sup> in a heading or header cell holds when it is a word, not a footnote mark: two
# letters or more ("top1", "val 50-95"), or anything in parentheses or brackets ("(M)", "[%]").
SUPERSCRIPT_WORD = re.compile(r".*[^\W\d_].*[^\W\d_].*|\(.+\)|\[.+\]", re.DOTALL)
# URLs markdown-it-py passes through unchanged; others it percent-encodes or refuses (javascript:).
PLAIN_URL = re.compile(
    r"(?:(?:https?|mailto):|(?![A-Za-z][A-Za-z0-9+.-]*:))[A-Za-z0-9\-._~:/?#@!$*+,;=]*"
)
# A link destination the simple renderer takes as written: no spaces, parentheses, escapes or
# entities, no title. "[ViT-B](https://arxiv.org/abs/2010.11929)" is the usual model-name link.
SIMPLE_LINK_TAIL = re.compile(r"\(([^\s()<>\\`&]*)\)")


@dataclass(frozen=True)
class RenderedCell:
    """A cell's plain text with the link URLs and footnote marks taken out of it."""

    text: str
    links: tuple[str, ...] = ()
    note: str = ""


class _PlainText:
    """Collects the text of a cell; text inside <sup> goes to the footnote marks instead, and
    struck-through text (`~~80.1~~`, <del>, <s>) goes to them as "~~80.1~~".

    With superscript_words (a header cell, a heading) a <sup> that holds a word is text, a word
    of its own: "acc<br><sup>top1</sup>" reads "acc top1" and "Params<sup>(M)</sup>" "Params (M)";
    one of digits, symbols or a single letter ("Top-1<sup>†</sup>", "<sup>a</sup>") is a mark.
    """

    def __init__(self, superscript_words: bool = False) -> None:
        self.superscript_words = superscript_words
        self.parts: list[str] = []
        self.links: list[str] = []
        self.notes: list[str] = []
        self.note_parts: list[str] | None = None
        self.struck_parts: list[str] | None = None

    def write(self, text: str) -> None:
        if self.struck_parts is not None:
            self.struck_parts.append(text)
        else:
            (self.parts if self.note_parts is None else self.note_parts).append(text)

    def ends_with_digit(self) -> bool:
        """Whether the text written so far (of the note, inside one) ends with a digit."""
        return self._last_written()[-1:].isdigit()

    def ends_a_word(self) -> bool:
        """Whether the text written so far (of the note, inside one) ends a word: with a
        character that is neither a space nor one that joins an identifier ("_", "-", "/")."""
        last = self._last_written()[-1:]
        return bool(last) and not last.isspace() and last not in IDENTIFIER_JOINERS

    def ends_with_text(self) -> bool:
        """Whether the text written so far (of the note, inside one) ends with no space."""
        last = self._last_written()[-1:]
        return bool(last) and not last.isspace()

    def _last_written(self) -> str:
        written = self.parts if self.note_parts is None else self.note_parts
        return next((part for part in reversed(written) if part), "")

    def open_note(self) -> None:
        if self.note_parts is None:
            self.note_parts = []

    def close_note(self) -> None:
        if self.note_parts is not None:
            note = "".join(self.note_parts).strip()
            if note:
                self.notes.append(note)
            self.note_parts = None

    def close_sup(self) -> None:
        """End a <sup>: a mark, or with superscript_words, a word written as text."""
        note = "".join(self.note_parts or []).strip()
        if self.superscript_words and SUPERSCRIPT_WORD.fullmatch(note):
            self.note_parts = None
            self.write(f" {note}" if self.ends_a_word() else note)
        else:
            self.close_note()

    def open_struck(self) -> None:
        if self.struck_parts is None:
            self.struck_parts = []

    def close_struck(self) -> None:
        if self.struck_parts is not None:
            struck = " ".join("".join(self.struck_parts).split())
            self.struck_parts = None
            if struck:
                self.notes.append(f"~~{struck}~~")

    def link(self, url: str) -> None:
        if url:
            self.links.append(url)

    def result(self) -> RenderedCell:
        self.close_struck()
        self.close_sup()  # a <sup> left open ends with the cell
        return RenderedCell("".join(self.parts).strip(), tuple(self.links), ",".join(self.notes))


def render_cell(
    source: str, references: Mapping[str, str] | None = None, superscript_words: bool = False
) -> RenderedCell:
    """Render one cell's inline Markdown to plain text, links and footnote marks; with
    superscript_words (a header cell, a heading) a <sup> holding a word is text."""
    simple = _render_simply(source.strip(), bool(references), superscript_words)
    if simple is not None:
        return simple
    return _render_with_markdown_it(source, references or {}, superscript_words)


def render_text(source: str, references: Mapping[str, str] | None = None) -> str:
    """Plain text of inline Markdown of a heading or a header cell: <sup> words kept."""
    return render_cell(source, references, superscript_words=True).text


def leading_definitions(lines: Sequence[str]) -> tuple[dict[str, str], int]:
    """The link reference definitions a paragraph starts with, url by normalized label (the
    first of a label wins), and how many of its lines they take."""
    # A definition ("[1]: https://...") counts only at the start of a paragraph, which the
    # scanner knows; markdown-it reads it (titles, <destinations>, lines it spans) as CommonMark.
    # Footnote definitions ("[^1]: ...") are blocks the scanner opens itself.
    env: dict[str, Any] = {}
    try:
        tokens = _markdown_it().parse("\n".join(lines), env)
    except (RecursionError, ValueError, IndexError, KeyError, TypeError) as error:
        raise ParseError(
            f"cannot read the link definitions in {lines[0][:80]!r}: {error}"
        ) from error
    found = env.get("references", {})
    used = tokens[0].map[0] if tokens and tokens[0].map else len(lines)
    return {label: str(found[label]["href"]) for label in found}, used


def _render_simply(
    source: str, has_references: bool, superscript_words: bool = False
) -> RenderedCell | None:
    core = _strip_whole_cell_emphasis(source)
    if core is None:
        return None
    writer = _PlainText(superscript_words)
    if not _write_inline(core, writer, has_references):
        return None
    return writer.result()


def _strip_whole_cell_emphasis(text: str) -> str | None:
    """The cell without the emphasis markers around all of it, or None when emphasis is richer."""
    if "~~" in text:
        return None
    while "*" in text or ("_" in text and FLANKING_UNDERSCORE.search(text)):
        runs = [(run.group()[0], run.start(), run.end()) for run in EMPHASIS_RUN.finditer(text)]
        stars = sum(char == "*" for char, _, _ in runs)
        # One run of a kind has no partner: "85.2*" and "*" footnote marks stay literal.
        if stars <= 1 and len(runs) - stars <= 1:
            return text
        (char, first_start, first_end), (last_char, last_start, last_end) = runs[0], runs[-1]
        inner = text[first_end:last_start]
        wraps_cell = (
            char == last_char
            and (stars if char == "*" else len(runs) - stars) == 2
            and first_start == 0
            and last_end == len(text)
            and first_end - first_start == last_end - last_start
            and inner
            and not inner[0].isspace()
            and not inner[-1].isspace()
            and inner[-1] != "\\"
        )
        if not wraps_cell:
            return None
        text = inner
    return text


def _write_inline(text: str, writer: _PlainText, has_references: bool) -> bool:
    """Write the plain text of `text` (no emphasis left); False when it needs a full parser."""
    position, end = 0, len(text)
    while position < end:
        special = INLINE_SPECIAL.search(text, position)
        if special is None:
            writer.write(text[position:])
            break
        start = special.start()
        writer.write(text[position:start])
        position = _WRITERS[text[start]](text, start, writer, has_references)
        if position < 0:
            return False
    return True


def _write_escape(text: str, start: int, writer: _PlainText, _refs: bool) -> int:
    if text[start + 1 : start + 2] in ASCII_PUNCTUATION:
        writer.write(text[start + 1])
        return start + 2
    writer.write("\\")
    return start + 1


def _write_code_span(text: str, start: int, writer: _PlainText, _refs: bool) -> int:
    opening = start
    while opening < len(text) and text[opening] == "`":
        opening += 1
    width, search_from = opening - start, opening
    while (closing := text.find("`", search_from)) >= 0:
        after = closing
        while after < len(text) and text[after] == "`":
            after += 1
        if after - closing == width:
            writer.write(_code_span_text(text[opening:closing]))
            return after
        search_from = after
    writer.write(text[start:opening])
    return opening


def _code_span_text(content: str) -> str:
    # CommonMark drops one space on each side: "`` `x` ``" shows "`x`".
    if len(content) > 1 and content[0] == " " == content[-1] and content.strip(" "):
        return content[1:-1]
    return content


def _write_entity(text: str, start: int, writer: _PlainText, _refs: bool) -> int:
    decoded, end = _entity_at(text, start)
    writer.write(decoded)
    return end


def _entity_at(text: str, start: int) -> tuple[str, int]:
    """What the entity reference at text[start] ("&amp;") stands for, and where it ends; "&"
    and the next position when there is none."""
    if (numeric := NUMERIC_ENTITY.match(text, start)) is not None:
        digits = numeric.group(1)
        code = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
        return fromCodePoint(code) if isValidEntityCode(code) else "\ufffd", numeric.end()
    named = NAMED_ENTITY.match(text, start)
    if named is not None and named.group(1) in entities:
        return entities[named.group(1)], named.end()
    return "&", start + 1


def _decode_entities(text: str) -> str:
    """text with every entity reference in it decoded."""
    parts, position = [], 0
    while (ampersand := text.find("&", position)) >= 0:
        decoded, end = _entity_at(text, ampersand)
        parts += [text[position:ampersand], decoded]
        position = end
    return "".join([*parts, text[position:]])


def _write_angle(text: str, start: int, writer: _PlainText, _refs: bool) -> int:
    autolink = AUTOLINK.match(text, start)
    url = autolink and autolink.group(1)
    if autolink is None and (email := EMAIL_AUTOLINK.match(text, start)) is not None:
        autolink, url = email, "mailto:" + email.group(1)
    if autolink is not None and url is not None:
        if not PLAIN_URL.fullmatch(url):
            return -1
        writer.link(url)
        writer.write(autolink.group(1))
        return autolink.end()
    if (tag := HTML_TAG_RE.match(text, start)) is not None:
        _write_tag(tag.group(), writer)
        return tag.end()
    writer.write("<")
    return start + 1


def _write_tag(tag: str, writer: _PlainText) -> None:
    """Drop an HTML tag; <sup> and </sup> start and end a footnote mark, <del>, <s> and
    <strike> struck-through text, and <sub> after a digit or <br> after a word start a word:
    "85.2<sub>±0.1</sub>" reads "85.2 ±0.1", never the number "85.2±0.1", "85.2<sub>1</sub>"
    reads "85.2 1", never 85.21, "81<br>2" reads "81 2", and "ResNeXt101_<br>32x8d" reads
    "ResNeXt101_32x8d"."""
    name = TAG_NAME.match(tag)
    if name is None:
        return
    closing, element = name.group(1), name.group(2).lower()
    if element == "sup":
        writer.close_sup() if closing else writer.open_note()
    elif element in STRUCK_ELEMENTS:
        writer.close_struck() if closing else writer.open_struck()
    elif _starts_a_word(element, closing, writer):
        writer.write(" ")


def _starts_a_word(element: str, closing: str, writer: _PlainText) -> bool:
    """Whether the tag ends the word written so far: <sub> after a digit, <br> after a word, a
    block's tag after anything but a space."""
    if element == "sub":
        return not closing and writer.ends_with_digit()
    if element in BLOCK_ELEMENTS:
        return writer.ends_with_text()
    return element == "br" and writer.ends_a_word()


def _write_bang(text: str, start: int, writer: _PlainText, has_references: bool) -> int:
    if text[start + 1 : start + 2] != "[":
        writer.write("!")
        return start + 1
    return _write_link(text, start + 1, writer, has_references, image=True)


def _write_bracket(text: str, start: int, writer: _PlainText, has_references: bool) -> int:
    return _write_link(text, start, writer, has_references, image=False)


def _write_link(
    text: str, start: int, writer: _PlainText, has_references: bool, image: bool
) -> int:
    """A `[text](url)` link or `![alt](src)` image; -1 for anything richer (titles, nesting)."""
    if has_references:
        return -1
    closing = text.find("]", start + 1)
    if closing < 0:
        writer.write("![" if image else "[")
        return start + 1
    label = text[start + 1 : closing]
    if any(char in label for char in "[`<\\"):
        return -1
    if text[closing + 1 : closing + 2] != "(":
        writer.write("![" if image else "[")
        return start + 1
    tail = SIMPLE_LINK_TAIL.match(text, closing + 1)
    if tail is None or not PLAIN_URL.fullmatch(tail.group(1)):
        return -1
    if not image:
        writer.link(tail.group(1))
    if not _write_inline(label, writer, has_references):
        return -1
    return tail.end()


_WRITERS = {
    "\\": _write_escape,
    "`": _write_code_span,
    "&": _write_entity,
    "<": _write_angle,
    "!": _write_bang,
    "[": _write_bracket,
}


@cache
def _markdown_it() -> MarkdownIt:
    # GFM footnote references ("85.2[^1]") and definitions ("[^1]: ..."), no inline footnotes.
    return MarkdownIt("commonmark").enable("strikethrough").use(footnote_plugin, inline=False)


def _render_with_markdown_it(
    source: str, references: Mapping[str, str], superscript_words: bool = False
) -> RenderedCell:
    parser = _markdown_it()
    env = {
        "references": {
            normalizeReference(label): {"href": parser.normalizeLink(url), "title": ""}
            for label, url in references.items()
            if not label.startswith(FOOTNOTE)
        },
        "footnotes": {
            "refs": {
                ":" + label.removeprefix(FOOTNOTE): -1
                for label in references
                if label.startswith(FOOTNOTE)
            },
            "list": {},
        },
    }
    try:
        tokens = parser.parseInline(source, env)
    except (RecursionError, ValueError, IndexError, KeyError, TypeError) as error:
        raise ParseError(
            f"cannot read the inline Markdown of cell {source[:80]!r}: {error}"
        ) from error
    writer = _PlainText(superscript_words)
    for token in tokens:
        _write_tokens(token.children or [], writer, in_image=False)
    return writer.result()


def _write_tokens(tokens: Sequence[Any], writer: _PlainText, in_image: bool) -> None:
    # markdown-it-py leaves entity references in an autolink as written; cmark-gfm (GitHub)
    # decodes them, in its text and URL: "<https://x.org/?a=1&amp;b=2>" links to "...&b=2".
    in_autolink = False
    for token in tokens:
        if token.type in ("link_open", "link_close") and token.markup == "autolink":
            in_autolink = token.type == "link_open"
        if token.type == "text" and in_autolink:
            writer.write(_decode_entities(token.content))
        elif token.type in ("text", "text_special", "code_inline"):
            writer.write(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            writer.write(" ")
        elif token.type == "html_inline":
            _write_tag(token.content, writer)
        elif token.type == "s_open":
            writer.open_struck()
        elif token.type == "s_close":
            writer.close_struck()
        elif token.type == "footnote_ref":
            # A GFM footnote reference is a footnote mark, like <sup>1</sup>: kept apart.
            writer.open_note()
            writer.write(str(token.meta["label"]))
            writer.close_note()
        elif token.type == "link_open" and in_autolink and not in_image:
            href = _decode_entities(str(token.attrs.get("href", "")))
            writer.link(_markdown_it().normalizeLink(href))
        elif token.type == "link_open" and not in_image:
            writer.link(str(token.attrs.get("href", "")))
        elif token.type == "image":
            _write_tokens(token.children or [], writer, in_image=True)
