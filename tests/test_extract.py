"""Extraction: real documents, dialects, the mess inside cells, frames, JSON and text output."""

import json
import os
from pathlib import Path

import pytest

from pipeline.decode import decode_document
from pipeline.extract import (
    Row,
    Table,
    extract_tables,
    format_tables_text,
    tables_as_json,
    tables_not_read,
    tables_to_frames,
)
from pipeline.inline import render_cell
from schemas.extracted import ExtractedRow, ExtractedTable

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"
TRAPS = REPO / "tests" / "fixtures" / "traps"
GOLDEN = REPO / "tests" / "golden" / "extract"
# MODELMETRICS_UPDATE_GOLDEN=1 rewrites the golden files; review the diff before committing it.
UPDATE_GOLDEN = os.environ.get("MODELMETRICS_UPDATE_GOLDEN") == "1"


def tables_in(path: Path) -> list[Table]:
    doc = decode_document(str(path), path.read_bytes())
    return extract_tables(doc.text, doc.path)


def one_row(cell: str) -> Row:
    """The single body row of a one-column table whose cell is `cell`."""
    (table,) = extract_tables(f"| h |\n|---|\n| {cell} |\n", "cell.md")
    (row,) = table.rows
    return row


# Real documents.


def test_the_timm_overview_has_four_tables_under_their_headings():
    tables = tables_in(RAW / "timm-metrics-overview.md")
    assert [table.heading_path[-1] for table in tables] == [
        "Vision Transformers (ViT)",
        "MambaOut Models",
        "MobileNet Family",
        "ResNet Family",
    ]
    assert tables[0].heading_path == (
        "Model Metrics Overview",
        "Top Performing Models (2025)",
        "Vision Transformers (ViT)",
    )
    assert tables[0].header == ("Model", "Top-1", "Top-5", "Params (M)", "Image Size")
    assert tables[0].align == ("left", "center", "center", "center", "center")
    assert (tables[0].line, tables[0].rows[0].line) == (31, 33)


def test_the_timm_2025_page_has_six_tables():
    tables = tables_in(RAW / "timm-2025-models.md")
    assert len(tables) == 6
    assert [len(table.rows) for table in tables] == [12, 3, 2, 11, 4, 3]
    assert tables[2].heading_path[-1] == "ImageNet-12k Pretrain + ImageNet-1k Fine-tune"


def test_the_obsidian_page_ignores_front_matter_and_keeps_both_heading_paths():
    tables = tables_in(RAW / "obsidian-backbones-comparison.md")
    assert [table.heading_path for table in tables] == [
        ("Comparison", "ImageNet 1k"),
        ("Comparison", "ImageNet 21k/22k"),
    ]
    assert [len(table.rows) for table in tables] == [56, 38]


def test_a_code_span_inside_brackets_reads_as_its_plain_text():
    tables = tables_in(RAW / "obsidian-backbones-comparison.md")
    models = [row.cells[1] for row in tables[0].rows]
    assert "VMamba-B[s2l15]" in models
    assert not any("`" in model for model in models)


@pytest.mark.parametrize("path", sorted(RAW.glob("*.md")), ids=lambda path: path.name)
def test_every_real_row_has_one_cell_per_header_column(path: Path):
    for table in tables_in(path):
        assert all(len(row.cells) == len(table.header) for row in table.rows)


# Dialects and blocks that are not tables.


def test_mkdocs_admonition_and_tab_bodies_are_content_not_code():
    tables = tables_in(TRAPS / "mkdocs_admonitions_and_tabs.md")
    assert [table.rows[0].cells[0] for table in tables] == [
        "resnet50",
        "vit_base_patch16_224",
        "convnext_tiny",
        "convnext_small",
    ]
    assert tables[0].align == (None, "right")


def test_fenced_and_indented_code_is_never_a_table():
    tables = tables_in(TRAPS / "code_blocks.md")
    assert [table.header for table in tables] == [("real", "table")]


def test_obsidian_front_matter_is_neither_a_table_nor_a_heading_and_callouts_hold_tables():
    # The last callout's title has pipes: it is a title, not a table header.
    tables = tables_in(TRAPS / "obsidian_front_matter_and_callouts.md")
    assert [table.heading_path for table in tables] == [("Backbones",), ("Backbones",)]
    assert [table.rows[0].cells[0] for table in tables] == ["caformer_b36_384", "deit3_large"]


def test_a_table_inside_details_is_read_but_tables_inside_html_blocks_are_not():
    tables = tables_in(TRAPS / "details_and_html_blocks.md")
    assert [table.rows[0].cells for table in tables] == [("vit_large_patch16_224", "85.1")]


TABLE = "\n| Model | Top-1 |\n|---|---|\n| a | 1 |\n\n"


@pytest.mark.parametrize(
    ("markdown", "paths"),
    [
        # The summary of the <details> a table is folded in titles it, as a heading would.
        (
            "## Zoo\n\n<details>\n<summary> CIFAR-100 classification </summary>\n"
            f"{TABLE}</details>\n{TABLE}",
            [("Zoo", "CIFAR-100 classification"), ("Zoo",)],
        ),
        # On one line with <details>, with markup; nested; a summary over several lines.
        (
            f"<details><summary><b>ImageNet-1K</b></summary>\n{TABLE}"
            f"<details>\n<summary>\nLinear\nprobing\n</summary>\n{TABLE}</details>\n"
            f"{TABLE}</details>\n{TABLE}",
            [("ImageNet-1K",), ("ImageNet-1K", "Linear probing"), ("ImageNet-1K",), ()],
        ),
        # A summary never closed ends at the </details> that closes its element.
        (f"<details>\n<summary>Open\n\n</details>\n{TABLE}", [()]),
        # No summary, or an empty one, titles nothing; <details> in a code block is code.
        (f"<details>\n{TABLE}</details>\n<details><summary></summary>\n{TABLE}", [(), ()]),
        (f"```\n<details><summary>Code</summary>\n```\n{TABLE}", [()]),
    ],
)
def test_a_table_inside_details_has_its_summary_last_in_its_heading_path(
    markdown: str, paths: list[tuple[str, ...]]
) -> None:
    tables = extract_tables(markdown, "doc.md")
    assert [table.heading_path for table in tables] == paths


@pytest.mark.parametrize(
    ("markdown", "lead"),
    [
        # The paragraphs under the title, before the first table or lower heading.
        (
            "# Zoo\n\nWe list models,\nevaluated.\n\n> Quoted too.\n\n"
            f"## Models\n\nNot this.\n{TABLE}",
            "We list models, evaluated. Quoted too.",
        ),
        (f"Before any heading.\n{TABLE}Not after the table.\n", "Before any heading."),
        # A label paragraph right above the table ends the lead with the table.
        (f"# Zoo\n\nIntro.\n\n**Results:**\n{TABLE}", "Intro. Results:"),
        (f"# Zoo\n\n## Models\n\nNot the lead.\n{TABLE}", None),
        (f"{TABLE}After the table.\n\n{TABLE}", None),
        ("```\ncode\n```\n\n<p>html</p>\n" + TABLE, None),
    ],
)
def test_a_table_keeps_the_lead_of_its_document(markdown: str, lead: str | None) -> None:
    tables = extract_tables(markdown, "doc.md")
    assert {table.lead for table in tables} == {lead}


def test_tables_in_block_quotes_and_nested_list_items_are_read():
    tables = tables_in(TRAPS / "blockquote_and_list_tables.md")
    assert [table.rows[0].cells for table in tables] == [("1", "2"), ("3", "4"), ("5", "6")]
    assert [table.line for table in tables] == [3, 12, 19]


def test_a_line_without_the_quote_marker_ends_a_quoted_table():
    tables = tables_in(TRAPS / "blockquote_and_list_tables.md")
    assert len(tables[0].rows) == 1


def test_a_plain_line_after_a_table_is_a_row_and_other_blocks_end_it():
    tables = tables_in(TRAPS / "table_boundaries.md")
    assert [[row.cells for row in table.rows] for table in tables] == [
        [("1", "2"), ("a plain line becomes a row", "")],
        [],
        [],
    ]
    assert tables[2].heading_path == ("Boundaries", "Setext heading")


@pytest.mark.parametrize(
    ("markdown", "path"),
    [
        ("# A\n## B\n### C\n## D\n", ("A", "D")),
        ("# A\n### C\n## D\n", ("A", "D")),
        ("Title\n=====\nSub\n---\n", ("Title", "Sub")),
        ("## **Bold** `code` [link](u) ##\n", ("Bold code link",)),
        ("#Not a heading\n", ()),
        # Badges and logos in a heading are no words of it (SparK's); an empty heading ("#"
        # alone, Vim's) is no heading of the path.
        ("# SparK &nbsp;[![Reddit](b.svg)](u) ![X](x.png)\n", ("SparK",)),
        ("## ![logo](l.png) Results\n", ("Results",)),
        ("# A\n#\n## B\n", ("B",)),
    ],
)
def test_the_heading_path_holds_the_enclosing_headings_as_plain_text(markdown, path):
    (table,) = extract_tables(markdown + "\n| a |\n|---|\n", "doc.md")
    assert table.heading_path == path


@pytest.mark.parametrize(
    ("label", "text"),
    [
        # A <sup> that holds a word is part of a header's text, a word of its own.
        ("acc<br><sup>top1</sup>", "acc top1"),
        ("acc<br><sup>top1", "acc top1"),  # ultralytics leaves it open
        ("Params<sup>(M)</sup>", "Params (M)"),
        ("mAP<sup>val<br>50-95</sup>", "mAP val 50-95"),
        ("**acc**<sup>top5</sup>", "acc top5"),
        # One of digits, symbols or a single letter is a footnote mark, left out.
        ("Top-1<sup>†</sup>", "Top-1"),
        ("Top-1<sup>1</sup>", "Top-1"),
        ("Top-1<sup>a</sup>", "Top-1"),
        ("Top-1<sup>1,2</sup>", "Top-1"),
    ],
)
def test_a_superscript_word_in_a_header_or_heading_is_text_and_a_mark_is_not(label, text):
    (table,) = extract_tables(f"# {label}\n\n| {label} |\n|---|\n| 85.2<sup>top</sup> |\n", "d.md")
    assert (table.heading_path, table.header) == ((text,), (text,))
    # In a body cell a <sup> is always a mark, kept apart from the value.
    assert (table.rows[0].cells, table.rows[0].notes) == (("85.2",), ("top",))


TABLE = "| a |\n|---|\n| 1 |\n"


@pytest.mark.parametrize(
    ("markdown", "captions"),
    [
        # A bold line, or a short line ending in a colon, labels the table after it.
        (f"**ImageNet-22K pre-trained models:**\n\n{TABLE}", ["ImageNet-22K pre-trained models:"]),
        (f"__ImageNet-1K models__\n\n{TABLE}", ["ImageNet-1K models"]),
        (f"ImageNet-1K trained models:\n{TABLE}", ["ImageNet-1K trained models:"]),
        # So does a numbered caption, as a paper writes it (SENet's).
        (
            f"Table 1. Single crop validation error on ImageNet-1k (224x224).\n\n{TABLE}",
            ["Table 1. Single crop validation error on ImageNet-1k (224x224)."],
        ),
        (f"Table 2: Results\n{TABLE}", ["Table 2: Results"]),
        # A note between the label and the table leaves it the table's (TransNeXt).
        (f"**At 256x256:**\n\n*(See Table 9)*\n\n{TABLE}", ["At 256x256:"]),
        # It labels one table, in its own containers.
        (f"**Label:**\n\n{TABLE}\n{TABLE}", ["Label:", None]),
        ("**Label:**\n\n- item\n\n  | a |\n  |---|\n  | 1 |\n", [None]),
        ("> **Label:**\n>\n> | a |\n> |---|\n> | 1 |\n", ["Label:"]),
        # A heading, a code block or another table after the label ends it.
        (f"**Label:**\n\n## Heading\n\n{TABLE}", [None]),
        (f"**Label:**\n\n```\ncode\n```\n\n{TABLE}", [None]),
        # So does prose, or a list: the label is theirs (dm-haiku's title sentence, then two
        # paragraphs; CAE's "Here provides the results ... tasks:" above a list of them).
        (f"This trains a model.\n\nIt is a useful\nexample.\n\n{TABLE}", [None]),
        (f"Results:\n\nSee the paper\n\n{TABLE}", [None]),
        (f"**Note**\n\n* Refer to the configs\n\n{TABLE}", [None]),
        # A list item ending in a colon labels the table just after its list (CutMix's "-
        # PyramidNet-200 pretrained on CIFAR-100 dataset:", ONNX's "- ResNet V1:").
        (f"- a\n- Trained on CIFAR-100:\n\n{TABLE}", ["Trained on CIFAR-100:"]),
        (f"- **ImageNet-22K:**\n\n{TABLE}", ["ImageNet-22K:"]),
        (f"- Trained on CIFAR-100.\n\n{TABLE}", [None]),
        (f"- Trained on CIFAR-100:\n  and more\n\n{TABLE}", [None]),
        (f"> - Trained on CIFAR-100:\n\n{TABLE}", [None]),
        (f"- - Trained on CIFAR-100:\n\n{TABLE}", [None]),
        # So does a one-line sentence: ChainerCV's "Single crop error rates of the models ...",
        # DeiT's "We provide baseline DeiT models pretrained on ImageNet 2012."
        (
            f"Single crop error rates of the models.\n\n{TABLE}",
            ["Single crop error rates of the models."],
        ),
        (
            f"The models are trained on ImageNet-1K.\n{TABLE}",
            ["The models are trained on ImageNet-1K."],
        ),
        # Prose is no label: two lines, bold words inside a line, a line ending otherwise, a long
        # line.
        (f"The models are trained\non ImageNet-1K.\n\n{TABLE}", [None]),
        (f"See the results below!\n\n{TABLE}", [None]),
        # A sentence of two clauses, or a negation, says more than what the table is.
        (f"Not pretrained on ImageNet-22K.\n\n{TABLE}", [None]),
        (f"Linear probes are in the paper; these are fine-tuned.\n\n{TABLE}", [None]),
        (f"Models trained without distillation.\n\n{TABLE}", [None]),
        # So does a legend: what it says holds for the rows with a mark (Larq's).
        (f"Models marked with * are pre-trained on ImageNet-21k.\n\n{TABLE}", [None]),
        (f"† denotes ImageNet-22K pretraining.\n\n{TABLE}", [None]),
        (f"Bold indicates the best result.\n\n{TABLE}", [None]),
        (
            f"Models trained on **ImageNet-22K**.\n\n{TABLE}",
            ["Models trained on ImageNet-22K."],
        ),
        (f"It gives *better* results.\n\n{TABLE}", ["It gives better results."]),
        (f"{'word ' * 40}.\n\n{TABLE}", [None]),
        (f"**ImageNet-22K**\nmodels:\n\n{TABLE}", [None]),
        (f"Trained on **ImageNet-22K**\n\n{TABLE}", [None]),
        (f"{'word ' * 40}:\n\n{TABLE}", [None]),
        (TABLE, [None]),
    ],
)
def test_a_label_just_above_a_table_is_its_caption(markdown, captions):
    tables = extract_tables(markdown, "doc.md")
    assert [table.caption for table in tables] == captions
    assert all(table.heading_path in ((), ("Heading",)) for table in tables)


@pytest.mark.parametrize(
    ("markdown", "heading_paths"),
    [
        # An HTML heading on a line of an HTML block is a heading of its level (CutMix's
        # `<h2 id="experiments">`), inline markup rendered as a heading's is.
        (
            f"## Start\n\n<h2 id='c'>Results on CIFAR-100</h2>\n\n{TABLE}",
            [("Results on CIFAR-100",)],
        ),
        (
            "# T\n\n<div>\n<H3 align=center><a href='x'>IN-22K &amp; 1K</a></H3>\n</div>\n\n"
            + TABLE,
            [("T", "IN-22K & 1K")],
        ),
        (
            f"<h1>Title</h1>\n\n## Results\n\n{TABLE}\n<h2>Next</h2>\n\n{TABLE}",
            [("Title", "Results"), ("Title", "Next")],
        ),
        # Not in a comment, a summary (the summary titles its tables already) or a table cell.
        (f"# T\n\n<!-- <h2>Hidden</h2> -->\n\n{TABLE}", [("T",)]),
        (
            f"<details><summary><h3>ImageNet-22K</h3></summary>\n\n{TABLE}\n</details>\n",
            [("ImageNet-22K",)],
        ),
        (
            "# T\n\n<table><tr><td><h2>In a cell</h2></td></tr></table>\n\n" + TABLE,
            [("T",), ("T",)],
        ),
        # Nor in code, or over two lines.
        (f"# T\n\n    <h2>Code</h2>\n\n{TABLE}", [("T",)]),
        (f"# T\n\n<h2>\nTwo lines\n</h2>\n\n{TABLE}", [("T",)]),
    ],
)
def test_an_html_heading_is_a_heading(markdown, heading_paths):
    tables = extract_tables(markdown, "doc.md")
    assert [table.heading_path for table in tables] == heading_paths


def test_a_table_interrupts_a_paragraph_and_its_header_is_the_last_line():
    (table,) = extract_tables("Some text\nmore text\n| a | b |\n|---|---|\n| 1 | 2 |\n", "doc.md")
    assert (table.line, table.header) == (3, ("a", "b"))


def test_tables_are_numbered_in_document_order_with_their_source():
    tables = extract_tables("| a |\n|---|\n\n| b |\n|---|\n", "docs/x.md")
    assert [(table.source, table.table_index) for table in tables] == [
        ("docs/x.md", 0),
        ("docs/x.md", 1),
    ]


# The mess inside tables.


@pytest.mark.parametrize(
    ("cell", "text", "links", "note"),
    [
        ("resnet50", "resnet50", (), ""),
        ("vit_base_patch16_224.augreg_in21k", "vit_base_patch16_224.augreg_in21k", (), ""),
        ("**85.2**", "85.2", (), ""),
        ("__85.2__", "85.2", (), ""),
        ("_ViT_ and *DeiT*", "ViT and DeiT", (), ""),
        ("85.2*", "85.2*", (), ""),
        ("84.1†", "84.1†", (), ""),
        ("85.2<sup>1</sup>", "85.2", (), "1"),
        ("**85.2**<sup>a</sup>", "85.2", (), "a"),
        # A subscript after a digit is a word of its own, never more digits of the number.
        ("85.2<sub>1</sub>", "85.2 1", (), ""),
        ("85.2<sub>±0.1</sub>", "85.2 ±0.1", (), ""),
        ("**85.2**<SUB>(+0.8)</SUB>", "85.2 (+0.8)", (), ""),
        ("85.2 <sub>1</sub>", "85.2 1", (), ""),
        ("DeiT-B<sub>384</sub>", "DeiT-B384", (), ""),
        (
            "[ViT-B/16](https://arxiv.org/abs/2010.11929)",
            "ViT-B/16",
            ("https://arxiv.org/abs/2010.11929",),
            "",
        ),
        ("**[DeiT](https://x.org/d)**", "DeiT", ("https://x.org/d",), ""),
        ("<https://timm.fast.ai>", "https://timm.fast.ai", ("https://timm.fast.ai",), ""),
        # Entities in an autolink are decoded in its text and URL, as GitHub does.
        ("<https://x.org/?a=1&amp;b=2>", "https://x.org/?a=1&b=2", ("https://x.org/?a=1&b=2",), ""),
        ("<https://x.org/&lt;&copy;>", "https://x.org/<©", ("https://x.org/%3C%C2%A9",), ""),
        ("![logo](logo.png) name", "logo name", (), ""),
        ("VMamba-B[`s2l15`]", "VMamba-B[s2l15]", (), ""),
        ("`a|b`", "`a", (), ""),
        ("a\\|b", "a|b", (), ""),
        ("`x \\| y`", "x | y", (), ""),
        ("&amp; &lt;x&gt; &#8722; &#x2212;", "& <x> − −", (), ""),
        ("&nbsp;81.1&nbsp;", "81.1", (), ""),
        ("\u2009 81.1\u00a0", "81.1", (), ""),
        ("\u22120.5", "\u22120.5", (), ""),
        ("<b>bold</b> <br> text", "bold  text", (), ""),
        # A line break after a word starts a word: two numbers never glue into one.
        ("81<br>2", "81 2", (), ""),
        ("Top-1<br/>Acc", "Top-1 Acc", (), ""),
        ("<br>81.2", "81.2", (), ""),
        # ... but a line break that wraps an identifier is no space in it.
        ("ResNeXt101_<br>32x8d_wsl", "ResNeXt101_32x8d_wsl", (), ""),
        ("ResNet-<br/>50", "ResNet-50", (), ""),
        # A block's tags separate words, as a browser shows them (RedditSota's list items).
        ("<ul><li>DUC-2004</li><li>Gigaword</li></ul>", "DUC-2004 Gigaword", (), ""),
        ("<p>81.2</p><p>80.1</p>", "81.2 80.1", (), ""),
        ("a <div>b</div>", "a b", (), ""),
        # Struck-through text is no part of the value; it is kept apart, struck.
        ("~~80.1~~ 81.0", "81.0", (), "~~80.1~~"),
        ("~~85.2~~", "", (), "~~85.2~~"),
        ("<del>80.1</del> 81.0", "81.0", (), "~~80.1~~"),
        ("<s>80.1</s>81.0<sup>1</sup>", "81.0", (), "~~80.1~~,1"),
        ("<strike>80.1 </strike>", "", (), "~~80.1~~"),
        ("\\*not emphasis\\*", "*not emphasis*", (), ""),
    ],
)
def test_cells_are_plain_text_with_links_and_footnote_marks_taken_out(cell, text, links, note):
    row = one_row(cell)
    assert (row.cells[0], row.links, row.notes) == (text, links, (note,) if note else ())


def test_reference_links_resolve_through_definitions_anywhere_in_the_document():
    markdown = "| m |\n|---|\n| [ViT][vit] |\n\n[vit]: https://arxiv.org/abs/2010.11929\n"
    (table,) = extract_tables(markdown, "doc.md")
    assert table.rows[0].cells == ("ViT",)
    assert table.rows[0].links == ("https://arxiv.org/abs/2010.11929",)


@pytest.mark.parametrize(
    ("markdown", "header", "rows"),
    [
        # A definition counts at the start of a paragraph, in any container, on several lines.
        ("- [ref]: https://x.org\n\n| [ref] |\n|-|\n", ["ref"], []),
        ("[ref]:\n/url\n\n| [ref] |\n|-|\n", ["ref"], []),
        ('[ref]: /u "t"\nHeading\n===\n\n| [ref] |\n|-|\n', ["ref"], []),
        # Elsewhere it is text: mid-paragraph, in code, as a table row, or before a table header
        # in the same paragraph (cmark-gfm keeps those lines as text).
        ("text\n[ref]: /u\n\n| [ref] |\n|-|\n", ["[ref]"], []),
        ("    [ref]: /u\n\n| [ref] |\n|-|\n", ["[ref]"], []),
        ("```\n[ref]: /u\n```\n\n| [ref] |\n|-|\n", ["[ref]"], []),
        ("| a |\n| - |\n[ref]: /u\n\n[ref]\n", ["a"], [["[ref]: /u"]]),
        ("[ref]: https://x.org\n| [ref] |\n| :-- |\n", ["[ref]"], []),
    ],
)
def test_link_definitions_count_where_commonmark_reads_them(markdown, header, rows):
    (table,) = extract_tables(markdown, "doc.md")
    assert (list(table.header), [list(row.cells) for row in table.rows]) == (header, rows)


@pytest.mark.parametrize(
    ("cell", "text", "note", "links"),
    [
        ("85.2[^1]", "85.2", "1", ()),
        ("**84.1**[^note]", "84.1", "note", ()),
        ("`85.2[^1]`", "85.2[^1]", "", ()),
        ("85.2[^9]", "85.2[^9]", "", ()),
        ("[^a b]", "^a b", "", ("/link",)),
    ],
)
def test_gfm_footnote_references_are_marks_kept_apart(cell, text, note, links):
    # A reference to a defined footnote is a mark, like <sup>1</sup>; an undefined one is text,
    # and a label with a space is a link label, as GitHub reads them.
    markdown = (
        f"| h |\n|---|\n| {cell} |\n\n[^1]: https://arxiv.org/abs/2010.11929\n"
        "[^note]: trained longer\n\n[^a b]: /link\n"
    )
    (table,) = extract_tables(markdown, "doc.md")
    (row,) = table.rows
    assert (row.cells, row.notes, row.links) == ((text,), (note,) if note else (), links)


def test_a_footnote_definition_holds_the_lines_indented_under_it():
    markdown = (
        "[^1]: a note\n| a |\n|---|\n\n[^2]: a note\n\n    | b |\n    |---|\n\n| c |\n|---|\n"
    )
    assert [table.header for table in extract_tables(markdown, "doc.md")] == [("b",), ("c",)]


@pytest.mark.parametrize(
    ("markdown", "headers"),
    [
        # A line leaving a block quote or list item starts blocks as if no paragraph were open:
        # "-" is an empty list item and "---" a thematic break, not paragraph text.
        ("> a\n-\n> |---|\n", []),
        ("* a\n---\n   :-:\n", []),
        # A lazy continuation line keeps its indentation, so its first pipe starts a cell.
        ("> a\n  | b |\n> |---|---|\n", [["", "b"]]),
        ("> a\n  | b |\n> |---|\n", []),
        ("> a\n | \n> | - |\n", [[""]]),
        # An empty list item ends at a blank line: what follows at its indentation is code.
        ("-\n\n    | a |\n    | - |\n", []),
    ],
)
def test_lazy_lines_and_empty_list_items_follow_cmark_gfm(markdown, headers):
    assert [list(table.header) for table in extract_tables(markdown, "doc.md")] == headers


@pytest.mark.parametrize(
    ("markdown", "tables"),
    [
        # A tab after a list marker counts to the next multiple of four columns.
        ("1.\tStep one\n\n      | a | b |\n      |---|---|\n", [(["a", "b"], [])]),
        ("-\ta | b\n  --|--\n", []),
        ("-\t```\n\tx | y\n\t--|--\n\t```\n", []),
        ("- >\t```\na|b\n-|-\n", [(["a", "b"], [])]),
        # The checkbox of a task list item is not text, unless the item follows `>`.
        ("- [ ] | a | b |\n  |---|---|\n  | 1 | 2 |\n", [(["a", "b"], [["1", "2"]])]),
        ("1. [x] a|b\n   -|-\n", [(["a", "b"], [])]),
        ("- [ ]a|b\n  -|-\n", [(["[ ]a", "b"], [])]),
        ("> - [ ] a|b\n>   -|-\n", [(["[ ] a", "b"], [])]),
        # HTML block tags as GitHub has them (CommonMark 0.29): <source> is one, <search> not.
        ('Demo:\n<source src="demo.mp4">\n| a | b |\n|---|---|\n| 1 | 2 |\n', []),
        ("x\n<search>\na|b\n-|-\n", [(["a", "b"], [])]),
        ("<!x\na|b\n-|-\n>\n", [(["a", "b"], [])]),
        # A blank line indented to an empty item's content does not end the item.
        ("-\n  \n    a | b\n    --|--\n", [(["a", "b"], [])]),
        # Under a paragraph of link definitions only, an underline is text, not a heading.
        ("[a]: /u\n===\n-|\n", [(["==="], [])]),
    ],
)
def test_tabs_task_items_and_html_blocks_follow_cmark_gfm(markdown, tables):
    found = extract_tables(markdown, "doc.md")
    assert [(list(t.header), [list(r.cells) for r in t.rows]) for t in found] == tables


@pytest.mark.parametrize(
    ("markdown", "tables"),
    [
        # No line continues an admonition lazily: Python-Markdown ends it at a line indented less.
        ("!!! note\n    text\n| a | b |\n|---|---|\n| 1 | 2 |\n", [(["a", "b"], [["1", "2"]], [])]),
        ("!!! note\n    text\nlazy\n\n    | a | b |\n    |---|---|\n", []),
        # Openers as Python-Markdown's admonition and pymdownx's details and tabbed read them.
        ("!!!note\n    | a | b |\n    |---|---|\n", [(["a", "b"], [], [])]),
        ("!!!\tnote\n    | a | b |\n    |---|---|\n", [(["a", "b"], [], [])]),
        ('===! "A"\n\n    | a | b |\n    |---|---|\n', [(["a", "b"], [], ["A"])]),
        # A tab's or an admonition's title is the last heading of the tables in it.
        (
            '# R\n=== "ImageNet-V2"\n    | a |\n    |---|\n=== "IN-1k"\n    | b |\n    |---|\n',
            [(["a"], [], ["R", "ImageNet-V2"]), (["b"], [], ["R", "IN-1k"])],
        ),
        (
            '!!! note "Linear *probing*"\n    ??? "Sub"\n        | a |\n        |---|\n',
            [(["a"], [], ["Linear probing", "Sub"])],
        ),
        ('??? info ""\n    | a |\n    |---|\n\n| b |\n|---|\n', [(["a"], [], []), (["b"], [], [])]),
        ("!!! note: see\n\n    | a | b |\n    |---|---|\n", []),
        ('!!! note "T" extra\n\n    | a | b |\n    |---|---|\n', []),
        ("  !!! note\n\n      | a | b |\n      |---|---|\n", []),
        # md_in_html: a block tag with a markdown attribute holds Markdown.
        ("<div markdown>\n| a | b |\n|---|---|\n</div>\n", [(["a", "b"], [], [])]),
        ("<div>\n| a | b |\n|---|---|\n</div>\n", []),
        # Inside it a block-level element is HTML up to its closing tag, not to a blank line,
        # or up to a blank line when it never closes; the element's closing tag is one line.
        (
            "<details markdown>\n<summary>Top-1</summary>\n| a | b |\n|---|---|\n</details>\n",
            [(["a", "b"], [], ["Top-1"])],
        ),
        (
            '<div markdown="1">\n<p>\nIntro\n</p>\n| a | b |\n|---|---|\n</div>\n',
            [(["a", "b"], [], [])],
        ),
        ("<div markdown>\n<p>\nIntro\n\n| a | b |\n|---|---|\n</div>\n", [(["a", "b"], [], [])]),
        ("<div markdown>\n<p>\n| a | b |\n|---|---|\n</div>\n", []),
        ("<details markdown>\n\nx\n</details>\n| a | b |\n|---|---|\n", [(["a", "b"], [], [])]),
        # The enclosing element's closing tag ends an element left open inside it; an inner
        # element of the same name closes first; a stray closing tag is one line.
        ("<details markdown>\n<p>x\n</details>\n| a | b |\n|---|---|\n", [(["a", "b"], [], [])]),
        (
            "<div markdown>\n<div>\nx\n</div>\n</div>\n| a | b |\n|---|---|\n",
            [(["a", "b"], [], [])],
        ),
        (
            "<details markdown>\n</summary>\n<p>x</p>\n| a | b |\n|---|---|\n</details>\n",
            [(["a", "b"], [], [])],
        ),
        ("<details>\n<summary>Top-1</summary>\n| a | b |\n|---|---|\n</details>\n", []),
        # Front matter is a YAML mapping; any other block after "---" is Markdown.
        ("---\n# Results\n\n| a | b |\n|---|---|\n\n---\n", [(["a", "b"], [], ["Results"])]),
        ("---\n\ntitle: x\n---\n\n| a | b |\n|---|---|\n", [(["a", "b"], [], [])]),
        ("---\ntags:\n  - a\n# note\ntitle: x\n...\n| a |\n|---|\n", [(["a"], [], [])]),
    ],
)
def test_mkdocs_containers_md_in_html_and_front_matter_read_as_mkdocs_does(markdown, tables):
    found = extract_tables(markdown, "doc.md")
    assert [
        (list(t.header), [list(r.cells) for r in t.rows], list(t.heading_path)) for t in found
    ] == tables


def test_a_thousand_nested_list_items_are_read():
    markdown = "- " * 1000 + "a | b\n" + "  " * 1000 + "--|--\n" + ("  " * 1000 + "1 | 2\n") * 50
    (table,) = extract_tables(markdown, "doc.md")
    assert table.header == ("a", "b")
    assert [row.cells for row in table.rows] == [("1", "2")] * 50


def test_links_of_a_row_are_listed_in_cell_order():
    markdown = (
        "| a | b |\n|---|---|\n| [x](https://a.org) | [y](https://b.org) [z](https://c.org) |\n"
    )
    (table,) = extract_tables(markdown, "doc.md")
    assert table.rows[0].links == ("https://a.org", "https://b.org", "https://c.org")


@pytest.mark.parametrize(
    ("row", "cells", "ragged"),
    [
        ("| 1 | 2 | 3 |", ("1", "2", "3"), False),
        ("| 1 |", ("1", "", ""), True),
        ("| 1 | 2 | 3 | 4 | 5 |", ("1", "2", "3"), True),
        ("1 | 2 | 3", ("1", "2", "3"), False),
        ("| 1 || 3 |", ("1", "", "3"), False),
    ],
)
def test_rows_are_padded_or_truncated_to_the_header_and_flagged_ragged(row, cells, ragged):
    (table,) = extract_tables(f"| a | b | c |\n|---|---|---|\n{row}\n", "doc.md")
    assert (table.rows[0].cells, table.rows[0].ragged) == (cells, ragged)


def test_a_table_without_outer_pipes_is_read():
    (table,) = extract_tables("Model | Top-1\n:-- | --:\nresnet50 | 80.4\n", "doc.md")
    assert (table.header, table.align, table.rows[0].cells) == (
        ("Model", "Top-1"),
        ("left", "right"),
        ("resnet50", "80.4"),
    )


def test_sixty_columns_are_kept():
    header = "| " + " | ".join(f"c{index}" for index in range(60)) + " |"
    delimiter = "|" + "---|" * 60
    row = "| " + " | ".join(str(index) for index in range(60)) + " |"
    (table,) = extract_tables(f"{header}\n{delimiter}\n{row}\n", "wide.md")
    assert len(table.header) == 60
    assert table.rows[0].cells[59] == "59"


def test_a_ten_thousand_character_cell_is_kept_whole():
    long_cell = "x" * 5_000 + " **bold** " + "y" * 5_000
    row = one_row(long_cell)
    assert row.cells[0] == "x" * 5_000 + " bold " + "y" * 5_000


def test_a_five_thousand_row_table_keeps_every_row_and_its_line():
    rows = "\n".join(
        f"| model_{index} | {80 + index % 10}.{index % 100:02d} |" for index in range(5_000)
    )
    (table,) = extract_tables(f"# Big\n\n| m | top1 |\n|---|---|\n{rows}\n", "big.md")
    assert len(table.rows) == 5_000
    assert (table.rows[-1].line, table.rows[-1].cells[0]) == (5_004, "model_4999")


def test_the_simple_cell_renderer_agrees_with_markdown_it_on_the_trap_cells():
    cells = ["**85.2**", "[a](https://x.org)", "85.2<sup>1</sup>", "`a`", "&amp;", "_x_ y"]
    from pipeline.inline import _render_with_markdown_it

    for cell in cells:
        assert render_cell(cell) == _render_with_markdown_it(cell, {}), cell


# Frames, JSON and text.


def test_frames_match_the_extracted_schemas_with_one_row_per_body_row():
    tables = tables_in(TRAPS / "mess_in_cells.md")
    table_frame, row_frame = tables_to_frames(tables)
    ExtractedTable.validate(table_frame)
    ExtractedRow.validate(row_frame)
    assert table_frame[ExtractedTable.n_rows].to_list() == [3, 6]
    assert row_frame.height == 9
    assert row_frame[ExtractedRow.row_index].to_list() == [0, 1, 2, 0, 1, 2, 3, 4, 5]


def test_row_frame_keeps_cells_flags_links_and_notes_with_nulls_where_none():
    (table,) = extract_tables(
        "| a | b |\n|---|---|\n| [x](https://a.org) | 85.2<sup>1</sup> |\n| y |\n", "doc.md"
    )
    _, rows = tables_to_frames([table])
    assert rows.select(
        ExtractedRow.line,
        ExtractedRow.cells,
        ExtractedRow.ragged,
        ExtractedRow.links,
        ExtractedRow.cell_notes,
    ).rows() == [
        (3, ["x", "85.2"], False, ["https://a.org"], ["", "1"]),
        (4, ["y", ""], True, None, None),
    ]


def test_frames_of_no_tables_are_empty_but_typed():
    table_frame, row_frame = tables_to_frames([])
    ExtractedTable.validate(table_frame)
    ExtractedRow.validate(row_frame)
    assert (table_frame.height, row_frame.height) == (0, 0)


def test_json_follows_the_contract():
    markdown = (
        "# Comparison\n## ImageNet 1k\n\n"
        "| name | model |\n|:--|--|\n| MetaFormer | caformer_b36_384 |\n"
    )
    assert tables_as_json(extract_tables(markdown, "raw/o.md")) == [
        {
            "source": "raw/o.md",
            "table_index": 0,
            "line": 4,
            "heading_path": ["Comparison", "ImageNet 1k"],
            "header": ["name", "model"],
            "rows": [["MetaFormer", "caformer_b36_384"]],
            "align": ["left", None],
        }
    ]


def test_text_format_says_where_each_table_is_and_aligns_its_columns():
    markdown = "# T\n\n| model | top1 |\n|---|---|\n| resnet50 | 80.4 |\n"
    assert format_tables_text(extract_tables(markdown, "doc.md")) == (
        "doc.md:3  table 0  T  (1 rows)\nmodel    | top1\n---------+-----\nresnet50 | 80.4"
    )


@pytest.mark.parametrize("path", sorted(TRAPS.glob("*.md")), ids=lambda path: path.stem)
def test_trap_documents_match_their_golden_json(path: Path):
    found = tables_as_json(tables_in(path))
    for table in found:
        table["source"] = path.name
    golden = GOLDEN / f"{path.stem}.json"
    if UPDATE_GOLDEN:
        golden.write_text(json.dumps(found, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert found == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("markdown", "lines"),
    [
        ("# T\n\n<table>\n<tr><th>a</th></tr>\n</table>\n", [4]),
        ('<TABLE class="x">\n<TR><TD>a</TD></TR>\n</TABLE>\n', [2]),
        # Inside an HTML block (MambaVision's <div align="center">) or a list item.
        ("<div>\n  <table>\n  <tr><td>a</td></tr></table>\n</div>\n", [3]),
        ("- <table>\n  <tr><td>a</td></tr>\n  </table>\n", [2]),
        ("---\ntitle: x\n---\n<table><tr><td>a</td></tr></table>\n", [4]),
        # After other tags on its line, as GitHub shows it.
        ('<div align="center"><table>\n<tr><th>a</th></tr>\n</table></div>\n', [2]),
        ("<p>x</p> <!-- c --> <table><tr><td>a</td></tr></table>\n", [1]),
        # A table starting where another ends, on its line.
        ("<table><tr><td>a</td></tr></table><table><tr><td>b</td></tr></table>\n", [1, 1]),
        ("<table>\n<tr><td>a</td></tr>\n</table> <TABLE>\n<tr><td>b</td></tr>\n</table>\n", [2, 4]),
        ("<table><tr><td>a</td></tr></table><!-- <table><tr><td>b</td></tr></table> -->\n", [1]),
        # Code, prose and comments hold no table.
        ("```html\n<table><tr><td>a</td></tr></table>\n```\n", []),
        ("    <table><tr><td>a</td></tr></table>\n", []),
        ("Text <table><tr><td>a</td></tr></table> inline.\n", []),
        ("<!-- <table><tr><td>a</td></tr></table> -->\n", []),
        ("<div>\n<!-- <table><tr><td>a</td></tr></table> -->\n</div>\n", []),
        ("<!--\n<table><tr><td>a</td></tr></table>\n-->\n", []),
        ("<pre>\n<table><tr><td>a</td></tr></table>\n</pre>\n", []),
        ("<tables>\n<tr><td>a</td></tr>\n", []),
        ("| a |\n|:--|\n| <table><tr><td>a</td></tr></table> |\n", []),
    ],
)
def test_html_tables_are_read_outside_code_at_the_line_of_their_header(markdown, lines):
    tables = extract_tables(markdown, "doc.md")
    assert [table.line for table in tables if table.align == (None,)] == lines
    assert tables_not_read(markdown) == []


@pytest.mark.parametrize(
    ("markdown", "unread"),
    [
        ("> <table><tr><th>a</th></tr></table>\n", [(1, "it is inside a block quote")]),
        (
            "<table>\n<tr><td>a</td></tr>\n<thead><tr><th>b</th></tr></thead>\n</table>\n",
            [(1, "its <thead> at line 3 comes after a body row")],
        ),
        (
            "<table>\n<tr><th>a</th><th>b</th><th>c</th></tr>\n<tr><td colspan=2>x</td><td>1</td>"
            "</tr>\n</table>\n",
            [(1, "a cell at line 3 spans 2 columns")],
        ),
        (
            "<table><tr><td><table><tr><td>a</td></tr></table></td></tr></table>\n",
            [(1, "it holds a table inside it")],
        ),
        ("<table>\n<tr><th>a</th></tr>\n", [(1, "it has no </table>")]),
        ("<table>\n</table>\n", [(1, "it has no rows")]),
    ],
)
def test_an_html_table_that_is_no_plain_grid_is_not_read_and_says_why(markdown, unread):
    assert extract_tables(markdown, "doc.md") == []
    assert tables_not_read(markdown) == [
        (line, "an HTML <table>", problem) for line, problem in unread
    ]


GITHUB_TEXT = "in its header row, so it is text, as on GitHub"


@pytest.mark.parametrize(
    ("markdown", "unread"),
    [
        # CNTK's model2cntk example: one delimiter cell too many, text on GitHub too.
        (
            "## Results\n\n| Network | Baseline(top1/top5) | Link |\n|:--:|:--:|:--:|:--:|\n"
            "| ResNet50 | 24.7%/7.8% | x |\n",
            [(3, f"its delimiter row (line 4) has 4 cells for 3 cells {GITHUB_TEXT}")],
        ),
        (
            "| a | b |\n|---|\n| 1 | 2 |\n",
            [(1, f"its delimiter row (line 2) has 1 cell for 2 cells {GITHUB_TEXT}")],
        ),
        (
            "Text.\n| a |\n|---|---|\n",
            [(2, f"its delimiter row (line 3) has 2 cells for 1 cell {GITHUB_TEXT}")],
        ),
        # A setext underline, or a line of dashes under prose, makes no table to miss.
        ("a | b\n---\n", []),
        ("Title\n---|---\n", []),
        ("| a | b |\n---\n", []),
        # Code holds no table; a callout's title is no header row.
        ("```\n| a | b |\n|---|\n```\n", []),
        ("    | a | b |\n    |---|\n", []),
        ("> [!note] a | b\n> |---|\n", []),
    ],
)
def test_a_pipe_table_whose_delimiter_row_does_not_match_its_header_is_named(markdown, unread):
    assert extract_tables(markdown, "doc.md") == []
    assert tables_not_read(markdown) == [
        (line, "a pipe table", problem) for line, problem in unread
    ]


MYST_CODE = "it is a fenced code block, which Sphinx renders as a table and GitHub as code"


@pytest.mark.parametrize(
    ("markdown", "unread"),
    [
        # Sphinx pages (lightly-train's): a MyST table directive is code on GitHub.
        ("Text.\n\n```{table} Results\n\n| a | b |\n|---|---|\n| 1 | 2 |\n```\n", [3]),
        ("~~~{list-table}\n* - a\n  - b\n~~~\n", [1]),
        ("- item\n\n  ```{csv-table}\n  a,b\n  ```\n", [3]),
        # Other fences and directives hold no table to miss.
        ("```{note}\n| a | b |\n|---|---|\n```\n", []),
        ("```table\n| a | b |\n```\n", []),
        ("`{table}` in a sentence\n", []),
    ],
)
def test_a_myst_table_directive_is_code_and_named_as_a_table_not_read(markdown, unread):
    assert extract_tables(markdown, "doc.md") == []
    assert tables_not_read(markdown) == [
        (line, "a MyST table directive", MYST_CODE) for line in unread
    ]


def test_a_myst_table_directive_beside_a_pipe_table_leaves_the_pipe_table_read():
    markdown = "```{table}\n| a | b |\n|---|---|\n```\n\n| c | d |\n|---|---|\n| 3 | 4 |\n"
    (table,) = extract_tables(markdown, "doc.md")
    assert (table.line, table.header) == (6, ("c", "d"))
    assert tables_not_read(markdown) == [(1, "a MyST table directive", MYST_CODE)]


def test_a_table_tag_written_for_a_closing_one_leaves_the_tables_after_it_read():
    # Vega's model zoo: a "<table>" where "</table>" belongs hid the tables after it. A browser
    # ends the first table there and opens an empty one, which the next <table> ends.
    markdown = (
        "<table>\n<tr><td>Model</td><td>PSNR</td></tr>\n<tr><td>ESRN</td><td>37.79</td></tr>\n"
        "<table>\n\n| Model | mIOU |\n|---|---|\n| Adelaide | 0.7602 |\n\n"
        "<table>\n<tr><th>Model</th><th>Top-1</th></tr>\n<tr><td>D-Net-21</td><td>61.51</td></tr>\n"
        "</table>\n"
    )
    tables = extract_tables(markdown, "doc.md")
    assert [(table.line, table.header) for table in tables] == [
        (2, ("Model", "PSNR")),
        (6, ("Model", "mIOU")),
        (11, ("Model", "Top-1")),
    ]
    assert tables_not_read(markdown) == [(4, "an HTML <table>", "it has no rows")]


def test_a_table_after_an_unread_one_on_its_line_is_read_and_the_unread_one_named():
    markdown = (
        "<table><tr><th>a</th></tr><tr><td colspan=2>x</td></tr></table>"
        "<table><tr><th>b</th></tr><tr><td>2</td></tr></table>\n"
    )
    (table,) = extract_tables(markdown, "doc.md")
    assert (table.header, table.rows[0].cells) == (("b",), ("2",))
    assert tables_not_read(markdown) == [(1, "an HTML <table>", "a cell at line 1 spans 2 columns")]


def test_an_html_table_takes_its_place_among_pipe_tables_and_its_label_as_caption():
    markdown = (
        "| a |\n|---|\n| 1 |\n\n**Larger models:**\n<table>\n"
        "<tr><th>Model</th><th>Top-1</th></tr>\n"
        '<tr><td><a href="https://x.org/m?a=1&amp;b=2">M-L</a></td><td>84.1<sup>*</sup></td>'
        "</tr>\n</table>\n\n| b |\n|---|\n| 2 |\n"
    )
    first, html, last = extract_tables(markdown, "doc.md")
    assert (first.table_index, html.table_index, last.table_index) == (0, 1, 2)
    assert (html.line, html.header, html.caption) == (7, ("Model", "Top-1"), "Larger models:")
    assert html.rows == (Row(8, ("M-L", "84.1"), False, ("https://x.org/m?a=1&b=2",), ("", "*")),)
    assert last.line == 11


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        # HTML decodes a reference without its semicolon, as a browser shows the page.
        ("81.2&plusmn0.1", "81.2±0.1"),
        ("&#x2713 yes", "✓ yes"),
        ("&#10003", "✓"),
        ("a &amp b", "a & b"),
        ("<b>&lt</b>x", "<x"),
        ("1 < 2 &plusmn 3 >", "1 < 2 ± 3 >"),
        # Names that no reference begins, and references that have their semicolon, stay as are.
        ("a&b=2", "a&b=2"),
        ("&plusmn;0.1", "±0.1"),
        ("&#42;", "*"),
    ],
)
def test_an_html_cell_decodes_references_with_or_without_their_semicolon(cell, text):
    markdown = f"<table><tr><th>h &times</th></tr><tr><td>{cell}</td></tr></table>\n"
    (table,) = extract_tables(markdown, "doc.md")
    assert (table.header, table.rows[0].cells) == (("h ×",), (text,))


def test_a_pipe_cell_keeps_a_reference_without_its_semicolon_as_markdown_does():
    (table,) = extract_tables("| h |\n|---|\n| 81.2&plusmn0.1 |\n", "doc.md")
    assert table.rows[0].cells == ("81.2&plusmn0.1",)
