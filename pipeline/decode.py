"""Bytes of a raw document -> text: BOM, line endings, cp1252 fallback, mojibake repair (pure)."""

import codecs
import hashlib
import re
from dataclasses import dataclass, field

from pipeline.errors import InputError

# UTF-8 read as cp1252 and written back as UTF-8 leaves these pairs: "ðŸ”¥" is 🔥, "â†’" is →.
MOJIBAKE_MARKERS = ("Ã", "Â", "â€", "â†", "ðŸ", "Ã©")
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
# Read as latin-1 instead, the same bytes become the C1 controls U+0080-U+009F.
CP1252_BYTES = {chr(byte): byte for byte in range(0x80, 0xA0)} | {
    char: byte for byte, char in enumerate(CP1252)
}
# latin-1 decodes every byte; this turns its 0x80-0x9F controls into cp1252's € ‚ ƒ „ ... Ÿ.
LATIN1_TO_CP1252 = {byte: CP1252[byte] for byte in range(0x80, 0xA0)}
_CONTINUATION = re.escape(CP1252[0x80:0xC0]) + "\x80-\x9f"
# A UTF-8 sequence whose bytes were each read as a cp1252 character: "ðŸ”¥" is F0 9F 94 A5.
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
    if repairs:
        notes.append(
            f"repaired {repairs} double-encoded UTF-8 sequences (mojibake, 'ðŸ”¥' -> '🔥')"
        )
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
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        notes.append("removed a UTF-8 byte order mark")
    try:
        return data.decode("utf-8"), "utf-8", notes
    except UnicodeDecodeError as error:
        notes.append(f"not valid UTF-8 (byte {error.start}); decoded as cp1252")
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
    return text.removeprefix("\ufeff")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as cp1252 and re-encoded, sequence by sequence, when present."""
    return _repair_mojibake_counted(text)[0]


def _repair_mojibake_counted(text: str) -> tuple[str, int]:
    """The repaired text and how many sequences were repaired."""
    repaired: list[str] = []

    def repair(sequence: re.Match[str]) -> str:
        garbled = sequence.group()
        try:
            fixed = bytes(CP1252_BYTES[char] for char in garbled).decode("utf-8")
        except UnicodeDecodeError:
            return garbled
        repaired.append(fixed)
        return fixed

    # Twice-garbled text ("Ã°Å¸â€..." for 🔥) takes a second pass; three is already paranoid.
    for _ in range(3):
        if not any(marker in text for marker in MOJIBAKE_MARKERS):
            break
        before = len(repaired)
        text = MOJIBAKE_SEQUENCE.sub(repair, text)
        if len(repaired) == before:
            break
    return text, len(repaired)
