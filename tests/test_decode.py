"""Decoding raw bytes: BOMs, line endings, cp1252 fallback, mojibake repair, non-text refusal."""

import codecs
import hashlib
from pathlib import Path

import pytest

from pipeline.decode import decode_document, repair_mojibake
from pipeline.errors import InputError

REPO = Path(__file__).resolve().parent.parent
TRAPS = REPO / "tests" / "fixtures" / "traps"


def garbled(text: str) -> str:
    """What a UTF-8 text looks like after being read as cp1252 and saved as UTF-8 again."""
    # Windows keeps the five bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) as C1
    # controls: "🔥" garbled twice goes through 0x9D.
    return "".join(bytes([byte]).decode("cp1252", "ignore") or chr(byte) for byte in text.encode())


def test_plain_utf8_decodes_unchanged_with_no_notes():
    doc = decode_document("a.md", "| a |\n|---|\n| é → 🔥 |\n".encode())
    assert doc.text == "| a |\n|---|\n| é → 🔥 |\n"
    assert (doc.encoding, doc.notes) == ("utf-8", ())


def test_a_utf8_byte_order_mark_is_removed_and_noted():
    doc = decode_document("a.md", b"\xef\xbb\xbf# Title\n")
    assert doc.text == "# Title\n"
    assert doc.notes == ("removed a UTF-8 byte order mark",)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"a\r\nb\r\n", "a\nb\n"),
        (b"a\rb\r", "a\nb\n"),
        (b"a\r\nb\rc\nd", "a\nb\nc\nd"),
    ],
)
def test_crlf_cr_and_mixed_line_endings_become_lf(raw: bytes, text: str):
    doc = decode_document("a.md", raw)
    assert doc.text == text
    assert "converted CRLF/CR line endings to LF" in doc.notes


def test_the_sha256_is_of_the_original_bytes_not_the_repaired_text():
    raw = b"\xef\xbb\xbfa\r\n" + garbled("🔥").encode()
    assert decode_document("a.md", raw).sha256 == hashlib.sha256(raw).hexdigest()


def test_the_byte_named_in_the_fallback_note_counts_the_byte_order_mark():
    doc = decode_document("old.md", codecs.BOM_UTF8 + "naïve".encode("cp1252"))
    assert doc.notes[-1] == "not valid UTF-8 (byte 5); decoded as cp1252"


def test_a_utf8_file_with_one_cp1252_byte_keeps_its_other_scripts():
    doc = decode_document("mixed.md", "| a |\n|---|\n| привет αβγ 日本 ✅ |\n".encode() + b"\x96")
    assert doc.text == "| a |\n|---|\n| привет αβγ 日本 ✅ |\n–"
    assert doc.encoding == "cp1252"


def test_byte_order_marks_inside_the_text_are_removed_and_noted():
    two_files = codecs.BOM_UTF8 + b"# A\n\n| a |\n|---|\n| 1 |\n" + codecs.BOM_UTF8 + b"# B\n"
    doc = decode_document("joined.md", two_files)
    assert doc.text == "# A\n\n| a |\n|---|\n| 1 |\n# B\n"
    assert doc.notes == (
        "removed a UTF-8 byte order mark",
        "removed 1 byte order mark(s) inside the text",
    )


def test_a_cp1252_file_falls_back_and_says_so():
    doc = decode_document("old.md", "naïve – “quoted” µ €".encode("cp1252"))
    assert doc.text == "naïve – “quoted” µ €"
    assert doc.encoding == "cp1252"
    assert doc.notes == ("not valid UTF-8 (byte 2); decoded as cp1252",)


def test_cp1252_bytes_without_a_character_keep_a_control_character_instead_of_failing():
    doc = decode_document("old.md", b"a\x81b\x9dc\xe9")
    assert doc.text == "a\x81b\x9dcé"


@pytest.mark.parametrize(
    ("mojibake", "repaired"),
    [
        ("ðŸ”¥", "🔥"),
        ("â†’", "→"),
        ("cafÃ©", "café"),
        (garbled("ViT‑B/16 — 86.4 ± 0.1"), "ViT‑B/16 — 86.4 ± 0.1"),
        (garbled("привет"), "привет"),
        (garbled("αβγ ≤ 1"), "αβγ ≤ 1"),
        (garbled("日本語"), "日本語"),
        (garbled("✅ supported, ❌ not"), "✅ supported, ❌ not"),
        (garbled("şğı ł č"), "şğı ł č"),
        (garbled("GPT™ 5 €"), "GPT™ 5 €"),
    ],
)
def test_double_encoded_utf8_is_repaired(mojibake: str, repaired: str):
    assert repair_mojibake(mojibake) == repaired


def test_mojibake_next_to_real_non_cp1252_text_is_repaired_piece_by_piece():
    assert repair_mojibake("ðŸ”¥ セン â†’ ok") == "🔥 セン → ok"


@pytest.mark.parametrize(
    "text",
    ["São Paulo", "ÀÉÎ", "x² ± 1", "224×224", "SÃO PAULO", "„Fuß“", "»Fuß«", "ÉTÉ—HIVER", "“GÜÇ”"],
)
def test_text_that_only_looks_like_mojibake_is_left_alone(text: str):
    assert repair_mojibake(text) == text


def test_real_text_is_left_alone_beside_mojibake_in_the_same_file():
    doc = decode_document("a.md", "ðŸ”¥ new\n»Fuß« and “GÜÇ”\n".encode())
    assert doc.text == "🔥 new\n»Fuß« and “GÜÇ”\n"


def test_the_note_counts_the_repaired_sequences_and_shows_the_first():
    doc = decode_document("a.md", f"{garbled('✅')} ok\n{garbled('→ é')}\n".encode())
    assert doc.notes == ("repaired 3 double-encoded UTF-8 sequences (mojibake, 'âœ…' -> '✅')",)


def test_twice_garbled_text_is_repaired_in_two_passes():
    assert repair_mojibake(garbled(garbled("→ 🔥"))) == "→ 🔥"


def test_the_real_timm_overview_is_repaired_and_noted():
    path = REPO / "raw" / "timm-metrics-overview.md"
    doc = decode_document(str(path), path.read_bytes())
    assert '!!! success "🔥 Complete Benchmark Table"' in doc.text
    assert "**[→ Complete Benchmark Table with ALL Models](all-models.md)**" in doc.text
    assert "ðŸ" not in doc.text and "â†" not in doc.text
    assert any("mojibake" in note for note in doc.notes)


def test_a_file_with_nul_bytes_is_refused_as_not_text():
    with pytest.raises(InputError, match="not a text file"):
        decode_document("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_utf16_with_a_byte_order_mark_is_decoded():
    doc = decode_document("win.md", "| a |\r\n|---|\r\n| é |\r\n".encode("utf-16"))
    assert doc.text == "| a |\n|---|\n| é |\n"
    assert doc.encoding == "utf-16"


def test_utf16_without_a_byte_order_mark_is_refused_as_not_text():
    with pytest.raises(InputError):
        decode_document("win.md", "| a |".encode("utf-16-le"))


@pytest.mark.parametrize(
    ("name", "encoding", "heading"),
    [
        ("encoding_cp1252.md", "cp1252", "Café résultats – 2024"),
        ("encoding_bom_crlf_mixed.md", "utf-8", "Windows file"),
        ("encoding_mojibake.md", "utf-8", "🔥 Top models → 2025"),
    ],
)
def test_trap_files_decode_to_clean_text(name: str, encoding: str, heading: str):
    doc = decode_document(name, (TRAPS / name).read_bytes())
    assert doc.encoding == encoding
    assert doc.text.startswith(f"# {heading}\n")
    assert "\r" not in doc.text and "\ufeff" not in doc.text
