"""Bytes of a raw document -> text: BOM, line endings, cp1252 fallback, mojibake repair (pure)."""

import hashlib
from dataclasses import dataclass, field

from pipeline.errors import InputError

# UTF-8 read as cp1252 and written back as UTF-8 leaves these pairs: "ðŸ”¥" is 🔥, "â†’" is →.
MOJIBAKE_MARKERS = ("Ã", "Â", "â€", "â†", "ðŸ", "Ã©")


@dataclass(frozen=True)
class Doc:
    """A raw document decoded to text, with what it took to decode it."""

    path: str
    text: str
    sha256: str
    encoding: str = "utf-8"
    notes: tuple[str, ...] = field(default=())
    size: int = 0  # bytes of the raw file


def decode_document(path: str, data: bytes) -> Doc:
    """Decode a document's bytes, repairing what can be repaired and saying so in notes."""
    if b"\x00" in data:
        raise InputError(path, "is not a text file (it contains NUL bytes)")
    raw = data
    sha256 = hashlib.sha256(data).hexdigest()
    notes: list[str] = []
    encoding = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append("removed a UTF-8 byte order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = data.decode("cp1252", errors="replace")
        encoding = "cp1252"
        notes.append(f"not valid UTF-8 (byte {error.start}); decoded as cp1252")
    repaired = repair_mojibake(text)
    if repaired != text:
        notes.append("repaired double-encoded UTF-8 (mojibake)")
        text = repaired
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Doc(path, text, sha256, encoding, tuple(notes), len(raw))


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as cp1252 and re-encoded, when that is what happened."""
    if not any(marker in text for marker in MOJIBAKE_MARKERS):
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return "\n".join(_repair_line(line) for line in text.split("\n"))


def _repair_line(line: str) -> str:
    if not any(marker in line for marker in MOJIBAKE_MARKERS):
        return line
    try:
        return line.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return line
