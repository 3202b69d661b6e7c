"""Bytes of a raw document -> text: BOM, line endings, cp1252 fallback, mojibake repair (pure).

Mojibake (UTF-8 read as cp1252 and saved again: "ðŸ”¥" for 🔥, "Ð¿Ñ€Ð¸" for при) is repaired by
ftfy, a line at a time: it decides from the whole run of characters whether a repair is more
plausible than the text as written, so "Fuß«" or "ÉTÉ—HIVER" stay as they are.
"""

import codecs
import hashlib
import re
from dataclasses import dataclass, field

import ftfy

from pipeline.errors import InputError

BOM = "\ufeff"
# Byte order marks of the UTF-16/32 files some Windows editors write; without one such a file is
# full of NUL bytes and refused as not text.
UTF_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _cp1252_table() -> str:
    """The 256 characters of cp1252, its five unused bytes kept as the C1 controls Windows uses."""
    return "".join(
        bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(256)
    )


CP1252 = _cp1252_table()
# latin-1 decodes every byte; this turns its 0x80-0x9F controls into cp1252's € ‚ ƒ „ ... Ÿ.
LATIN1_TO_CP1252 = {byte: CP1252[byte] for byte in range(0x80, 0xA0)}
_CONTINUATION = re.escape(CP1252[0x80:0xC0]) + "\x80-\x9f"
# A UTF-8 sequence whose bytes were each read as a cp1252 character: "ðŸ”¥" is F0 9F 94 A5. The
# sequences of a repaired line are what the build summary counts.
MOJIBAKE_SEQUENCE = re.compile(
    f"[\u00c2-\u00df][{_CONTINUATION}]"
    f"|[\u00e0-\u00ef][{_CONTINUATION}]{{2}}"
    f"|[\u00f0-\u00f4][{_CONTINUATION}]{{3}}"
)


@dataclass(frozen=True)
class Doc:
    """A raw document decoded to text, with what it took to decode it."""

    path: str
    text: str
    sha256: str
    encoding: str = "utf-8"
    notes: tuple[str, ...] = field(default=())
    size: int = 0  # bytes of the raw file, as read


def decode_document(path: str, data: bytes) -> Doc:
    """Decode a document's bytes, repairing what can be repaired and saying so in notes."""
    sha256 = hashlib.sha256(data).hexdigest()
    text, encoding, notes = _decode_bytes(path, data)
    text, repairs = _repair_mojibake_counted(text)
    if repairs is not None:
        notes.append(repairs.note())
    if BOM in text:
        # Two files with byte order marks joined (`cat a.md b.md`) leave one inside the text,
        # where it would glue itself to a heading or a table row. It is no character of its own.
        notes.append(f"removed {text.count(BOM)} byte order mark(s) inside the text")
        text = text.replace(BOM, "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        notes.append("converted CRLF/CR line endings to LF")
    return Doc(path, text, sha256, encoding, tuple(notes), len(data))


def _decode_bytes(path: str, data: bytes) -> tuple[str, str, list[str]]:
    """Text, encoding and notes; UTF-8 first, cp1252 when the bytes are not UTF-8."""
    for bom, encoding in UTF_BOMS:
        if data.startswith(bom):
            return _decode_utf16_or_32(path, data, encoding), encoding, [f"decoded as {encoding}"]
    if b"\x00" in data:
        raise InputError(path, "is not a text file (it contains NUL bytes)")
    notes: list[str] = []
    bom_length = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if bom_length:
        data = data[bom_length:]
        notes.append("removed a UTF-8 byte order mark")
    try:
        return data.decode("utf-8"), "utf-8", notes
    except UnicodeDecodeError as error:
        # The byte as the file counts it, its byte order mark included. The UTF-8 in a file
        # decoded so is mojibake now, and is repaired with the rest (decode_document).
        notes.append(f"not valid UTF-8 (byte {bom_length + error.start}); decoded as cp1252")
        return data.decode("latin-1").translate(LATIN1_TO_CP1252), "cp1252", notes


def _decode_utf16_or_32(path: str, data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            path, f"starts with a {encoding} byte order mark but is not {encoding}"
        ) from error
    if "\x00" in text:
        raise InputError(path, "is not a text file (it contains NUL characters)")
    return text.removeprefix(BOM)


@dataclass(frozen=True)
class MojibakeRepairs:
    """The mojibake repaired in a text: how many garbled sequences, and the first repair."""

    sequences: int
    first: tuple[str, str]

    def note(self) -> str:
        """What the build summary says about them."""
        garbled, repaired = self.first
        return (
            f"repaired {self.sequences} double-encoded UTF-8 sequences "
            f"(mojibake, {garbled!r} -> {repaired!r})"
        )


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as cp1252 and saved again (once or more), line by line."""
    return _repair_mojibake_counted(text)[0]


def _repair_mojibake_counted(text: str) -> tuple[str, MojibakeRepairs | None]:
    """The repaired text and what was repaired (None when nothing was)."""
    if text.isascii():
        return text, None
    lines = text.split("\n")
    sequences, first = 0, None
    for index, line in enumerate(lines):
        repaired = line if line.isascii() else ftfy.fix_encoding(line)
        if repaired != line:
            lines[index] = repaired
            sequences += max(len(MOJIBAKE_SEQUENCE.findall(line)), 1)
            first = first or _changed_part(line, repaired)
    if first is None:
        return text, None
    return "\n".join(lines), MojibakeRepairs(sequences, first)


def _changed_part(before: str, after: str, longest: int = 40) -> tuple[str, str]:
    """The part of a line a repair changed, before and after ("ðŸ”¥" -> "🔥"), at most `longest`
    characters of each."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return before[start : len(before) - end][:longest], after[start : len(after) - end][:longest]
