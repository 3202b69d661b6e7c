"""normalize_rows: every extracted row becomes one NormalizedObservation, nothing lost."""

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.decode import decode_document
from pipeline.errors import SchemaViolation
from pipeline.extract import ROW_SCHEMA, TABLE_SCHEMA, extract_tables, tables_to_frames
from pipeline.normalize import normalize_rows, unknown_columns
from schemas.extracted import ExtractedRow, ExtractedTable
from schemas.observations import NormalizedObservation
from tests.factories import observed_markdown

RAW = Path(__file__).resolve().parent.parent / "raw"


def frames(
    header: list[str],
    *rows: list[str],
    heading_path: tuple[str, ...] = ("Doc",),
    cell_notes: list[list[str] | None] | None = None,
    links: list[list[str] | None] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """ExtractedTable and ExtractedRow frames for one table of doc.md with these rows."""
    tables = pl.DataFrame(
        [
            {
                "source": "doc.md",
                "table_index": 0,
                "line": 3,
                "heading_path": list(heading_path),
                "header": header,
                "align": [None] * len(header),
                "n_rows": len(rows),
                "caption": None,
                "lead": None,
            }
        ],
        schema=TABLE_SCHEMA,
    )
    body = pl.DataFrame(
        {
            "source": ["doc.md"] * len(rows),
            "table_index": [0] * len(rows),
            "row_index": list(range(len(rows))),
            "line": [5 + index for index in range(len(rows))],
            "cells": list(rows),
            "ragged": [False] * len(rows),
            "links": links or [None] * len(rows),
            "cell_notes": cell_notes or [None] * len(rows),
        },
        schema=ROW_SCHEMA,
    )
    return ExtractedTable.validate(tables), ExtractedRow.validate(body)


RESULTS_HEADER = ["Model", "Top-1", "Top-5", "Params (M)", "Img Size"]


def first_observation(header: list[str], row: list[str], **options: Any) -> dict[str, Any]:
    """The one observation normalize_rows makes of one row."""
    return normalize_rows(*frames(header, row, **options)).row(0, named=True)


@pytest.fixture(scope="module")
def seed_observations() -> pl.DataFrame:
    """The raw/ documents extracted and normalized."""
    tables = []
    for path in sorted(RAW.glob("*.md")):
        doc = decode_document(path.name, path.read_bytes())
        tables += extract_tables(doc.text, path.name)
    return normalize_rows(*tables_to_frames(tables))


def seed_rows(observations: pl.DataFrame, model: str, **equal: Any) -> list[dict[str, Any]]:
    """The seed observations of one model, optionally narrowed by column values."""
    found = observations.filter(pl.col("model") == model)
    for column, value in equal.items():
        found = found.filter(pl.col(column) == value)
    return found.to_dicts()


def test_seed_observations_validate_against_the_contract(seed_observations: pl.DataFrame) -> None:
    NormalizedObservation.validate(seed_observations)
    assert seed_observations.height == 141
    assert seed_observations["parse_errors"].list.len().sum() == 0


def test_seed_so150m2_at_448_is_a_lower_bound_in12k_row_in_both_documents(
    seed_observations: pl.DataFrame,
) -> None:
    rows = seed_rows(seed_observations, "vit_so150m2_patch16_reg1_gap_448.sbb_e200_in12k_ft_in1k")
    assert sorted(row["source"] for row in rows) == [
        "timm-2025-models.md",
        "timm-metrics-overview.md",
    ]
    for row in rows:
        assert (row["top1"], row["params_m"], row["params_lower_bound"]) == (88.1, 150.0, True)
        assert (row["img_size"], row["pretrain_dataset"]) == (448, "imagenet-12k")
        assert row["architecture"] == "vit_so150m2_patch16_reg1_gap_448"
        assert row["pretrained_tag"] == "sbb_e200_in12k_ft_in1k"


def test_seed_resnet50d_has_one_row_per_eval_resolution(seed_observations: pl.DataFrame) -> None:
    rows = seed_rows(seed_observations, "resnet50d.ra4_e3600_r224_in1k")
    assert {(row["img_size"], row["top1"]) for row in rows} == {(288, 81.838), (224, 80.952)}
    assert {row["pretrain_dataset"] for row in rows} == {"imagenet-1k"}


def test_seed_deit3_vit_l_at_384_has_one_row_per_pretraining_dataset(
    seed_observations: pl.DataFrame,
) -> None:
    rows = seed_rows(seed_observations, "ViT-L", img_size=384)
    found = {(row["pretrain_dataset"], row["top1"], row["pretrain_dataset_label"]) for row in rows}
    assert found == {("imagenet-1k", 85.8, "ImageNet 1k"), ("imagenet-22k", 87.7, "IN-21K")}
    assert {row["params_m"] for row in rows} == {304.8}
    assert {row["family"] for row in rows} == {"DeiT III"}


def test_seed_convnext_v2_h_at_512_is_imagenet_22k_fcmae(seed_observations: pl.DataFrame) -> None:
    [row] = seed_rows(seed_observations, "ConvNeXt V2-H", img_size=512)
    assert (row["top1"], row["pretrain_dataset"], row["pretrain_dataset_label"]) == (
        88.9,
        "imagenet-22k",
        "IN-22K",
    )
    assert row["pretrain_dataset_basis"] == "cell"
    assert row["training_method"] == "FCMAE + finetuning"
    assert (row["architecture"], row["pretrained_tag"]) == ("ConvNeXt V2-H", None)


def test_seed_naflexvit_rows_have_a_sequence_length_not_an_image_size(
    seed_observations: pl.DataFrame,
) -> None:
    rows = seed_observations.filter(pl.col("model").str.starts_with("naflexvit"))
    assert rows.height == 3
    assert rows["eval_seq_len"].to_list() == [576, 576, 576]
    assert rows["img_size"].null_count() == 3


def test_seed_in12k_checkpoints_with_a_dash_have_no_top1_and_no_error(
    seed_observations: pl.DataFrame,
) -> None:
    rows = seed_observations.filter(pl.col("top1_raw") == "-")
    assert rows.height == 2
    assert rows["top1"].null_count() == 2
    assert rows["parse_errors"].list.len().sum() == 0
    assert set(rows["pretrain_dataset"]) == {"imagenet-12k"}


def test_seed_siglip_so400m_is_webli_with_a_lower_bound(seed_observations: pl.DataFrame) -> None:
    [row] = seed_rows(seed_observations, "vit_so400m_patch14_siglip_378.webli_ft_in1k")
    assert (row["pretrain_dataset"], row["params_m"], row["params_lower_bound"]) == (
        "webli",
        400.0,
        True,
    )


def test_seed_untagged_in21ft1k_names_are_imagenet_22k_from_the_name(
    seed_observations: pl.DataFrame,
) -> None:
    for model in ["caformer_b36_384_in21ft1k", "convformer_b36_384_in21kft1k"]:
        [row] = seed_rows(seed_observations, model)
        assert row["pretrain_dataset"] == "imagenet-22k"
        assert row["pretrained_tag"] is None


def test_seed_sections_without_tags_take_the_heading(seed_observations: pl.DataFrame) -> None:
    [row] = seed_rows(seed_observations, "caformer_b36_384")
    assert (row["pretrain_dataset"], row["pretrain_dataset_basis"]) == ("imagenet-1k", "heading")


def test_seed_headers_all_map_to_canonical_columns(seed_observations: pl.DataFrame) -> None:
    assert seed_observations["unknown_columns"].list.len().sum() == 0


def test_row_identity_and_table_context_are_kept() -> None:
    row = first_observation(
        RESULTS_HEADER, ["a.in1k", "80", "95", "25", "224"], heading_path=("A", "B")
    )
    assert row["observation_id"] == "doc.md#0.0"
    assert (row["line"], row["table_line"], row["heading_path"]) == (5, 3, ["A", "B"])


def test_raw_text_of_each_canonical_column_is_kept_as_extracted() -> None:
    row = first_observation(RESULTS_HEADER, ["a.in1k", " 85.2* ", "-", "150+", "224x224"])
    assert (row["top1_raw"], row["top5_raw"], row["params_raw"]) == (" 85.2* ", "-", "150+")
    assert (row["top1"], row["top5"], row["img_size"]) == (85.2, None, 224)


def test_an_unreadable_cell_is_null_with_a_parse_error() -> None:
    row = first_observation(RESULTS_HEADER, ["a.in1k", "85.x", "95", "lots", "224x320"])
    assert (row["top1"], row["params_m"], row["img_size"]) == (None, None, None)
    assert row["parse_errors"] == [
        "top1: '85.x' is not a number",
        "params_m: 'lots' is not a parameter count",
        "img_size: '224x320' is not square",
    ]


def test_marks_and_cell_notes_become_footnotes() -> None:
    row = first_observation(
        RESULTS_HEADER,
        ["a.in1k", "85.2*", "95†", "25", "224"],
        cell_notes=[["", "", "", "1", ""]],
    )
    assert row["footnotes"] == ["top1:*", "top5:†", "params_m:1"]


def test_a_spread_or_change_after_a_value_is_a_footnote_never_part_of_the_value() -> None:
    row = first_observation(RESULTS_HEADER, ["a.in1k", "84.1 ± 0.2", "96.9 (+0.4)", "25", "224"])
    assert (row["top1"], row["top5"], row["parse_errors"]) == (84.1, 96.9, [])
    assert row["footnotes"] == ["top1:±0.2", "top5:(+0.4)"]
    assert (row["top1_raw"], row["top5_raw"]) == ("84.1 ± 0.2", "96.9 (+0.4)")


def test_a_subscript_after_a_value_is_never_more_digits_of_it() -> None:
    markdown = (
        "| Model | Top-1 | Top-5 |\n|---|---|---|\n"
        "| a.in1k | 85.2<sub>±0.1</sub> | 97.1<sub>1</sub> |\n"
    )
    row = normalize_rows(*tables_to_frames(extract_tables(markdown, "doc.md"))).row(0, named=True)
    assert (row["top1"], row["footnotes"]) == (85.2, ["top1:±0.1"])
    assert (row["top5"], row["parse_errors"]) == (None, ["top5: '97.1 1' holds 2 numbers, not one"])


def test_a_struck_out_value_is_never_read_as_the_current_one() -> None:
    markdown = (
        "| Model | Top-1 | Top-5 |\n|---|---|---|\n| a.in1k | ~~85.2~~ 85.4 | <del>97.1</del> |\n"
    )
    row = normalize_rows(*tables_to_frames(extract_tables(markdown, "doc.md"))).row(0, named=True)
    assert (row["top1"], row["top5"]) == (85.4, None)
    assert row["footnotes"] == ["top1:~~85.2~~", "top5:~~97.1~~"]


def test_two_values_on_two_lines_of_a_cell_are_never_one_number() -> None:
    markdown = "| Model | Top-1 |\n|---|---|\n| a.in1k | 81<br>2 |\n"
    row = normalize_rows(*tables_to_frames(extract_tables(markdown, "doc.md"))).row(0, named=True)
    assert (row["top1"], row["parse_errors"]) == (None, ["top1: '81 2' holds 2 numbers, not one"])


@pytest.mark.parametrize(
    ("model", "name", "footnotes"),
    [
        (
            "convnext-v2-atto_fcmae-pre_3rdparty_in1k*",
            "convnext-v2-atto_fcmae-pre_3rdparty_in1k",
            ["model:*"],
        ),
        ("DeiT-B † ", "DeiT-B", ["model:†"]),
        ("ResNet-50^", "ResNet-50", ["model:^"]),
        ("SwinV2-B* 24x24", "SwinV2-B* 24x24", None),
        ("*", None, ["model:*"]),
        # An upscaling is no part of the name either: VOLO's "volo_d1 ↑384", DeiT's "DeiT-B↑384".
        ("volo_d1 ↑384", "volo_d1", ["model:↑384"]),
        ("DeiT-B↑384*", "DeiT-B", ["model:↑384*"]),
        # Nor is the venue a comparison table notes after a name (GSPN's "Swin-T (ICCV'21)").
        ("Swin-T (ICCV'21)", "Swin-T", ["model:(ICCV'21)"]),
        ("MambaOut-T (CVPR’25)†", "MambaOut-T", ["model:(CVPR’25)†"]),
        ("ConvNeXt-T (CVPR 2022)", "ConvNeXt-T", ["model:(CVPR2022)"]),
        ("ResNet-50 (torchvision)", "ResNet-50 (torchvision)", None),
        ("ViT-B (ICCV)", "ViT-B (ICCV)", None),
        # A mark in parentheses is a mark (VISSL's "ViT/B16 - 90 epochs (*)").
        ("ViT/B16 - 90 epochs (*)", "ViT/B16 - 90 epochs", ["model:(*)"]),
        ("DeiT-B (†)", "DeiT-B", ["model:(†)"]),
        # Badges after a name are marks too (Hailo's model zoo: "efficientnet_m🚀⭐").
        ("efficientnet_m🚀", "efficientnet_m", ["model:🚀"]),
        ("resnet_v1_50 🚀⭐", "resnet_v1_50", ["model:🚀⭐"]),
        ("DeiT-B ↑384 ❤️", "DeiT-B", ["model:↑384❤️"]),
        ("🚀", None, ["model:🚀"]),
        # So is a legend's mark before a name ("● = ConvNet, ⋄ = hybrid"), not a "+" or "-".
        ("● NFNet-F4+", "NFNet-F4+", ["model:●"]),
        ("⋄ CoAtNet-5†", "CoAtNet-5", ["model:⋄†"]),
        ("★EfficientNet-B7", "EfficientNet-B7", ["model:★"]),
        ("+ SE", "+ SE", None),
        # A link to the weights after a name (Axis' "[MobilenetV2](...) ([ckpt](...))").
        ("MobilenetV2 (ckpt)", "MobilenetV2", ["model:(ckpt)"]),
        # A size in parentheses, like an upscaling (sithu31296's "ViT (384)", "CaiT* (384)").
        ("ViT (384)", "ViT", ["model:(384)"]),
        ("CaiT* (384)", "CaiT", ["model:*(384)"]),
        ("DeiT-S (300)", "DeiT-S (300)", None),
        # A row of dashes between groups (RADIO's) names no model.
        ("------------------------", None, None),
        (":---:", None, None),
        # Nor does a cell with no letter or digit (Larq's "%" cut onto its own line).
        ("%", None, ["model:%"]),
        ("...", None, None),
        ("ResNet-50* (Weights)", "ResNet-50", ["model:*(Weights)"]),
        ("ResNet-50 (torch)", "ResNet-50 (torch)", None),
        ("-ResNet", "-ResNet", None),
    ],
)
def test_a_footnote_mark_after_a_model_name_is_a_footnote_not_part_of_the_name(
    model: str, name: str | None, footnotes: list[str] | None
) -> None:
    row = first_observation(RESULTS_HEADER, [model, "85", "95", "25", "224"])
    assert (row["model"], row["footnotes"], row["model_raw"]) == (name, footnotes, model)


@pytest.mark.parametrize(
    ("names", "models", "sizes"),
    [
        # A mark that tells two rows of one table apart keeps them apart: Evo-ViT's "*" for
        # 384 px, FixRes' "(*)" for another recipe, UniFormer's "S†", DeiT's distilled "⚗".
        (["Evo-ViT-B", "Evo-ViT-B*"], ["Evo-ViT-B", "Evo-ViT-B*"], [None, None]),
        (["FixResNet-50", "FixResNet-50  (*)"], ["FixResNet-50", "FixResNet-50 (*)"], [None, None]),
        (["X*", "X†"], ["X*", "X†"], [None, None]),
        (
            ["DeiT-B", "DeiT-B⚗", "DeiT-B⚗↑384", "DeiT-B↑384"],
            ["DeiT-B", "DeiT-B⚗", "DeiT-B⚗", "DeiT-B"],
            [None, None, 384, 384],
        ),
        # One mark on every row of the name is a footnote only; so are an upscaling, a venue
        # and a link to the weights (Axis' "MobilenetV2 (ckpt)" beside "MobilenetV2").
        (["ViT-B*", "ViT-L*"], ["ViT-B", "ViT-L"], [None, None]),
        (["DeiT-B", "DeiT-B↑384"], ["DeiT-B", "DeiT-B"], [None, 384]),
        (["Swin-T", "Swin-T (ICCV'21)"], ["Swin-T", "Swin-T"], [None, None]),
        (["MobilenetV2", "MobilenetV2 (ckpt)"], ["MobilenetV2", "MobilenetV2"], [None, None]),
        # A superscript is a mark too (Vim's "Vim-tiny<sup>+</sup>", fine-tuned further); a
        # note of letters or digits is written in parentheses; one on every row is a footnote.
        (["[Vim-T](u)", "[Vim-T<sup>+</sup>](u)"], ["Vim-T", "Vim-T+"], [None, None]),
        (["R<sup>1</sup>", "R<sup>b</sup>"], ["R (1)", "R (b)"], [None, None]),
        (["R<sup>1</sup>", "S<sup>1</sup>"], ["R", "S"], [None, None]),
        (["R<sup>*</sup>", "R↑384"], ["R*", "R"], [None, 384]),
    ],
)
def test_a_mark_that_tells_two_rows_of_a_table_apart_stays_in_their_names(
    names: list[str], models: list[str], sizes: list[int | None]
) -> None:
    rows = "".join(f"| {name} | {80 + i} |\n" for i, name in enumerate(names))
    markdown = f"| Model | Top-1 |\n|---|---|\n{rows}"
    observed = normalize_rows(*tables_to_frames(extract_tables(markdown, "doc.md")))
    assert observed.get_column("model").to_list() == models
    assert observed.get_column("img_size").to_list() == sizes


@pytest.mark.parametrize(
    ("header", "rows", "models"),
    [
        # Cadene's "Version": the original checkpoint and its port, two results.
        (
            ["Model", "Version", "Acc@1"],
            [
                ["NASNet-A-Large", "Tensorflow", "82.693"],
                ["NASNet-A-Large", "Our porting", "82.566"],
            ],
            ["NASNet-A-Large (Tensorflow)", "NASNet-A-Large (Our porting)"],
        ),
        # A number is written after its header (TF Model Garden's epochs); an empty cell keeps
        # the name as it is.
        (
            ["Model", "Epochs", "Top-1"],
            [["ResNet-50", "90", "76.1"], ["ResNet-50", "200", "77.1"]],
            ["ResNet-50 (Epochs 90)", "ResNet-50 (Epochs 200)"],
        ),
        (
            ["Model", "Extra data", "Top-1"],
            [["B0", "", "80.2"], ["B0", "✓", "80.8"], ["B1", "", "81.3"]],
            ["B0", "B0 (Extra data ✓)", "B1"],
        ),
        # The first unread column that differs tells them apart, not a read one.
        (
            ["Model", "Params", "Throughput", "Top-1"],
            [["X", "5M", "100", "80.0"], ["X", "6M", "120", "80.0"]],
            ["X (Throughput 100)", "X (Throughput 120)"],
        ),
        # Rows of the same numbers are one result; so are rows no short unread cell tells
        # apart, which stay in conflict.
        (
            ["Model", "GPU", "Top-1"],
            [["X", "V100", "80.0"], ["X", "A100", "80.0"]],
            ["X", "X"],
        ),
        (["Model", "Note", "Top-1"], [["X", "a", "80.0"], ["X", "a", "81.0"]], ["X", "X"]),
        (
            ["Model", "Note", "Top-1"],
            [["X", "trained for longer with a cosine schedule and EMA", "81.0"], ["X", "b", "80"]],
            ["X", "X"],
        ),
        # Two sizes are two results already.
        (
            ["Model", "Size", "Resolution", "Top-1"],
            [["X", "s", "224", "80.0"], ["X", "t", "384", "81.0"]],
            ["X", "X"],
        ),
    ],
)
def test_a_column_not_read_that_tells_two_rows_apart_names_them(
    header: list[str], rows: list[list[str]], models: list[str]
) -> None:
    lines = [f"| {' | '.join(cells)} |" for cells in [header, ["---"] * len(header), *rows]]
    observed = normalize_rows(*tables_to_frames(extract_tables("\n".join(lines), "doc.md")))
    assert observed.get_column("model").to_list() == models
    assert observed.get_column("model_raw").to_list() == [row[0] for row in rows]


@pytest.mark.parametrize(
    ("model", "is_result"),
    [
        # A step of an ablation (PyTorch's recipe: "+ Mixup" below "ResNet50 Baseline").
        ("+ Mixup", False),
        ("+ LR optimizations *", False),
        ("＋EMA", False),
        ("w/o distillation", False),
        ("W/ RandAugment", False),
        ("ResNet50 Baseline", True),
        ("NFNet-F4+", True),
        ("with-resnet", True),
        ("+", True),
    ],
)
def test_a_step_of_an_ablation_gives_no_result(model: str, is_result: bool) -> None:
    row = first_observation(["Model", "Top-1"], [model, "80.1"])
    assert (row["model_raw"], row["is_results_table"]) == (model, is_result)


def test_rows_of_two_tables_are_not_told_apart() -> None:
    markdown = (
        "| Model | V | Top-1 |\n|---|---|---|\n| X | a | 81 |\n\n"
        "| Model | V | Top-1 |\n|---|---|---|\n| X | b | 80 |\n"
    )
    observed = normalize_rows(*tables_to_frames(extract_tables(markdown, "doc.md")))
    assert observed.get_column("model").to_list() == ["X", "X"]


def test_a_mark_in_one_table_keeps_no_name_apart_in_another() -> None:
    markdown = (
        "| Model | Top-1 |\n|---|---|\n| X* | 81 |\n\n| Model | Top-1 |\n|---|---|\n| X | 80 |\n"
    )
    observed = normalize_rows(*tables_to_frames(extract_tables(markdown, "doc.md")))
    assert observed.get_column("model").to_list() == ["X", "X"]
    assert observed.get_column("footnotes").to_list() == [["model:*"], None]


def test_a_japanese_comparison_gives_its_models_without_their_legend_marks() -> None:
    markdown = (
        "| モデル | 種別 | params | IN-1K top-1 | 事前学習データ |\n|---|---|---|---|---|\n"
        "| ● EfficientNetV2-XL | CNN | 208M | 87.3 | IN-21K（公開） |\n"
        "| **● NFNet-F4+** | **CNN** | 527M | **89.20** | **JFT-300M（非公開）** |\n"
    )
    observed = observed_markdown(markdown)
    assert observed.select("model", "top1", "params_m", "pretrain_dataset", "status").rows() == [
        ("EfficientNetV2-XL", 87.3, 208.0, "imagenet-22k", "result"),
        ("NFNet-F4+", 89.2, 527.0, "jft-300m", "result"),
    ]
    assert observed.get_column("footnotes").to_list() == [["model:●"], ["model:●"]]


def test_a_table_without_a_size_column_is_at_the_size_its_heading_names() -> None:
    # UniFormer's 224 and 384 tables give one model at two sizes: two results, not a conflict.
    heading = ("ImageNet-1K models, fine-tuned at 384x384",)
    row = first_observation(["Model", "Top-1"], ["UniFormer-S", "84.6"], heading_path=heading)
    assert (row["img_size"], row["img_size_raw"]) == (384, None)
    row = first_observation(
        ["Model", "Top-1", "Resolution"], ["a", "84.6", "-"], heading_path=heading
    )
    assert row["img_size"] is None
    # A size the model's name ends with wins over the heading's: mmpretrain's "-600px".
    name = "efficientnet-b7_in1k-600px*"
    row = first_observation(["Model", "Top-1"], [name, "84.6"], heading_path=heading)
    assert row["img_size"] == 600


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("efficientnet-b7_in1k-600px", 600),
        ("UniFormerV2-L/14@336", 336),
        ("ViT-B/16 @ 384", 384),
        ("volo_d5 ↑512", 512),
        ("DeiT-B↑384†", 384),
        # A timm architecture with a patch or window size ends with its image size.
        ("deit_base_patch16_384", 384),
        ("swin_base_patch4_window12_384.ms_in22k_ft_in1k", 384),
        ("vit_so400m_patch14_siglip_378*", 378),
        # PaddleX's names, in capitals.
        ("SwinTransformer_large_patch4_window12_384", 384),
        ("ViT_base_patch16_224", 224),
        ("ConvNeXt_base_384", None),
        # A bare number is a width or a depth as often as a size.
        ("levit_384", None),
        ("caformer_b36_384", None),
        ("vit_base_patch16", None),
        ("LeViT-384", None),
        ("ResNet V2 200", None),
        ("TinyViT-21M-384", None),
        ("ViT-B@16k", None),
        ("Swin-B 384px wide", None),
        # A size in parentheses, one models are evaluated at (a comparison's "ViT (384)"); not
        # an epoch count or a depth.
        ("ViT (384)", 384),
        ("CaiT* (384)", 384),
        ("X ( 336px )", 336),
        ("DeiT-S (300)", None),
        ("ResNet (101)", None),
        ("X (1024)", None),
    ],
)
def test_a_table_without_a_size_column_is_at_the_size_a_model_name_ends_with(
    name: str, size: int | None
) -> None:
    row = first_observation(["Model", "Top-1"], [name, "84.6"])
    assert row["img_size"] == size
    # A size column says the size, whatever the name.
    row = first_observation(["Model", "Top-1", "Resolution"], [name, "84.6", "224"])
    assert row["img_size"] == 224


@pytest.mark.parametrize(
    ("cell", "top1", "top5", "raw"),
    [
        ("76.5 | 93.4", 76.5, 93.4, ("76.5", "93.4")),
        ("84.2/96.9", 84.2, 96.9, ("84.2", "96.9")),
        ("84.2% / 96.9%", 84.2, 96.9, ("84.2%", "96.9%")),
        ("84.2 / -", 84.2, None, ("84.2", "-")),
        # One number is the top-1.
        ("85.1", 85.1, None, ("85.1", None)),
        ("-", None, None, ("-", None)),
    ],
)
def test_a_column_of_both_accuracies_gives_top1_before_the_bar_and_top5_after(
    cell: str, top1: float | None, top5: float | None, raw: tuple[str | None, str | None]
) -> None:
    # MogaNet's "Top-1 / top-5 (%)" column.
    row = first_observation(["Model", "Top-1 / top-5 (%)"], ["MogaNet-XT", cell])
    assert (row["top1"], row["top5"], row["parse_errors"]) == (top1, top5, [])
    assert (row["top1_raw"], row["top5_raw"]) == raw
    assert row["raw_cells"][1] == {"header": "Top-1 / top-5 (%)", "text": cell}


def test_a_row_without_marks_or_notes_has_null_footnotes() -> None:
    assert (
        first_observation(RESULTS_HEADER, ["a.in1k", "85", "95", "25", "224"])["footnotes"] is None
    )


def test_an_unknown_column_stays_in_raw_cells_and_is_listed() -> None:
    tables, rows = frames(["Model", "GFLOPs", "Top-1"], ["a.in1k", "4.1", "80.1"])
    row = normalize_rows(tables, rows).row(0, named=True)
    assert row["unknown_columns"] == ["GFLOPs"]
    assert row["raw_cells"][1] == {"header": "GFLOPs", "text": "4.1"}
    assert unknown_columns(tables).to_dicts() == [
        {"source": "doc.md", "table_index": 0, "line": 3, "header": "GFLOPs", "repeats": None}
    ]


def test_the_second_header_for_one_column_is_not_read_as_a_value() -> None:
    row = first_observation(["Model", "Top-1", "top1"], ["a.in1k", "80.1", "99.9"])
    assert (row["top1"], row["unknown_columns"]) == (80.1, ["top1"])
    assert [cell["text"] for cell in row["raw_cells"]] == ["a.in1k", "80.1", "99.9"]


def test_rows_of_other_tables_are_normalized_too_but_not_results() -> None:
    row = first_observation(["Term", "Meaning"], ["top1", "Top-1 accuracy"])
    assert row["is_results_table"] is False
    assert row["model"] is None
    assert row["raw_cells"] == [
        {"header": "Term", "text": "top1"},
        {"header": "Meaning", "text": "Top-1 accuracy"},
    ]


def test_links_pass_through_from_the_row() -> None:
    row = first_observation(RESULTS_HEADER, ["a.in1k", "80", "", "", ""], links=[["https://x"]])
    assert row["links"] == ["https://x"]


def test_a_row_with_more_cells_than_headers_is_refused_as_a_contract_breach() -> None:
    tables, rows = frames(["Model", "Top-1"], ["a", "1"])
    broken = rows.with_columns(cells=pl.lit(["a", "1", "2"], pl.List(pl.String)))
    with pytest.raises(SchemaViolation, match="3 cells for 2 headers"):
        normalize_rows(tables, broken)


def test_no_rows_give_an_empty_valid_frame() -> None:
    tables, rows = frames(RESULTS_HEADER)
    observations = normalize_rows(tables, rows)
    assert observations.height == 0
    NormalizedObservation.validate(observations)


CELL = st.sampled_from(["80.1", "-", "150+", "85.x", "224x224", "", "99M", "85.2*", "n/a"])


@settings(max_examples=30, deadline=None)
@given(cells=st.lists(st.lists(CELL, min_size=5, max_size=5), min_size=1, max_size=8))
def test_any_rows_normalize_to_valid_observations_regardless_of_order(
    cells: list[list[str]],
) -> None:
    tables, rows = frames(RESULTS_HEADER, *cells)
    observations = normalize_rows(tables, rows)
    NormalizedObservation.validate(observations)
    reversed_rows = normalize_rows(tables, rows.reverse()).sort("row_index")
    assert reversed_rows.equals(observations)


@settings(max_examples=30, deadline=None)
@given(
    cells=st.lists(st.lists(CELL, min_size=5, max_size=5), min_size=1, max_size=8),
    batch_rows=st.integers(min_value=1, max_value=9),
)
def test_rows_normalized_in_batches_equal_rows_normalized_at_once(
    cells: list[list[str]], batch_rows: int
) -> None:
    tables, rows = frames(RESULTS_HEADER, *cells)
    at_once = normalize_rows(tables, rows, batch_rows=len(cells))
    assert normalize_rows(tables, rows, batch_rows=batch_rows).equals(at_once)


@pytest.mark.parametrize(
    ("header", "cell", "model", "family"),
    [
        # ConvNeXt's tables: names in "name", the weights linked as "[model](...)" in "model".
        (["name", "acc@1", "model"], ["ConvNeXt-T", "82.1", "model"], "ConvNeXt-T", None),
        (["name", "acc@1", "Model"], ["ConvNeXt-T", "82.1", "MODEL"], "ConvNeXt-T", None),
        (["Model", "Top-1"], ["Model-X", "82.1"], "Model-X", None),
        # Other words of links to weights: Swin's quantization README, UniFormerV2, papers.
        (["name", "acc@1", "model"], ["Swin-T", "82.1", "github/baidu"], "Swin-T", None),
        (["name", "acc@1", "model"], ["Swin-T", "82.1", "github / baidu"], "Swin-T", None),
        (["name", "Top-1", "Model"], ["UniFormerV2-B", "82.1", "ckpt"], "UniFormerV2-B", None),
        (["name", "Top-1", "Model"], ["LESA_WRN50", "82.1", "Download"], "LESA_WRN50", None),
        (["Frozen Model", "Top-1", "Model"], ["UniFormerV2-B", "82.1", "ckpt"], None, None),
        (["Model", "Top-1"], ["Google Drive", "82.1"], None, None),
        # Where weights are hosted (SLaK's "[Surf Drive](...)"; "Baidu Disk", "🤗 HF").
        (["name", "Top-1", "model"], ["SLaK-T", "82.1", "Surf Drive"], "SLaK-T", None),
        (["name", "Top-1", "model"], ["SLaK-T", "82.1", "Baidu Disk"], "SLaK-T", None),
        (["name", "Top-1", "model"], ["SLaK-T", "82.1", "Tsinghua Cloud"], "SLaK-T", None),
        (["name", "Top-1", "model"], ["SLaK-T", "82.1", "🤗 HF"], "SLaK-T", None),
        (["Model", "Top-1"], ["CloudNet", "82.1"], "CloudNet", None),
        (["Model", "Top-1"], ["model_zoo_net", "82.1"], "model_zoo_net", None),
        (["Model", "Top-1"], ["hf-net", "82.1"], "hf-net", None),
        (["Model", "Top-1"], ["resnet50.a1_in1k", "80.4"], "resnet50.a1_in1k", None),
        # DeiT's and Swin's model zoos: no model column, the models named in "name".
        (
            ["name", "acc@1", "#params"],
            ["deit_tiny_patch16_224", "72.2", "5M"],
            "deit_tiny_patch16_224",
            None,
        ),
        # Beside a model column, "name" is the family, and an empty model cell names no model.
        (
            ["name", "model", "acc@1"],
            ["MetaFormer", "caformer_b36", "85.5"],
            "caformer_b36",
            "MetaFormer",
        ),
        (["name", "model", "acc@1"], ["MetaFormer", "", "85.5"], None, "MetaFormer"),
    ],
)
def test_the_model_is_named_by_the_model_column_else_by_the_name_column(
    header, cell, model, family
):
    row = first_observation(header, cell)
    assert (row["model"], row["family"]) == (model, family)
    assert row["top1"] in (82.1, 80.4, 72.2, 85.5)


def test_a_model_zoo_table_with_names_in_its_name_column_gives_results() -> None:
    tables, rows = frames(
        ["name", "resolution", "acc@1", "#params"], ["ConvNeXt-T", "224x224", "82.1", "28M"]
    )
    row = normalize_rows(tables, rows).row(0, named=True)
    assert (row["is_results_table"], row["model"], row["img_size"], row["params_m"]) == (
        True,
        "ConvNeXt-T",
        224,
        28.0,
    )


@pytest.mark.parametrize(
    ("rows", "top1", "top5", "footnotes"),
    [
        # Keras' and PaddleClas' model pages: every accuracy of the table a fraction.
        (
            [["Xception", "0.790", "0.945"], ["VGG16", "0.713", "-"]],
            [79.0, 71.3],
            [94.5, None],
            [["top1:fraction", "top5:fraction"], ["top1:fraction"]],
        ),
        ([["a", "1", "0.5"]], [100.0], [50.0], [["top1:fraction", "top5:fraction"]]),
        # One value in (0, 1] among percents is an error for the range checks, not a fraction.
        ([["a", "0.790", "94.5"]], [0.79], [94.5], [None]),
        ([["a", "79.0", "94.5"], ["b", "0.713", "0.9"]], [79.0, 0.713], [94.5, 0.9], [None, None]),
        ([["a", "0", "0.5"]], [0.0], [0.5], [None]),
        # A table without any accuracy is no fraction table.
        ([["a", "-", ""]], [None], [None], [None]),
    ],
)
def test_a_table_of_fractions_reads_them_as_percent_with_a_footnote(rows, top1, top5, footnotes):
    tables, body = frames(["Model", "Top-1", "Top-5"], *rows)
    for batch_rows in (1, len(rows)):
        observations = normalize_rows(tables, body, batch_rows=batch_rows)
        assert observations.get_column("top1").to_list() == top1
        assert observations.get_column("top5").to_list() == top5
        assert observations.get_column("footnotes").to_list() == footnotes
        assert observations.get_column("top1_raw").to_list() == [row[1] for row in rows]


def test_only_the_table_of_fractions_is_read_as_percent() -> None:
    table = "| Model | Top-1 |\n|---|---|\n| {} | {} |\n"
    markdown = table.format("a", "0.774") + "\n" + table.format("b", "77.4")
    observations = normalize_rows(*tables_to_frames(extract_tables(markdown, "doc.md")))
    assert observations.get_column("top1").to_list() == [77.4, 77.4]
    assert observations.get_column("footnotes").to_list() == [["top1:fraction"], None]


@pytest.mark.parametrize(
    ("header", "rows", "top1", "top5", "footnotes"),
    [
        # fb.resnet.torch's, PyTorch Hub's and HRNet's tables give the error rate, 100 minus
        # the accuracy: read as the accuracy, with a footnote, the raw cells as written.
        (
            ["Model", "Top-1 error", "Top-5 error"],
            [["ResNet-18", "30.24", "10.92"], ["HRNet-W18-C", "23.2%", "-"]],
            [69.76, 76.8],
            [89.08, None],
            [["top1:error", "top5:error"], ["top1:error"]],
        ),
        (
            ["Model", "top-1 err.", "Top-5"],
            [["a", "21.1", "94.5"]],
            [78.9],
            [94.5],
            [["top1:error"]],
        ),
        (["Model", "Top-1 Error Rate"], [["a", "22.85"]], [77.15], [None], [["top1:error"]]),
        # A table of error fractions is read in percent first.
        (
            ["Model", "Top-1 err"],
            [["a", "0.4345"], ["b", "0.2845"]],
            [56.55, 71.55],
            [None, None],
            [["top1:error", "top1:fraction"], ["top1:error", "top1:fraction"]],
        ),
        # An error of 1% or less among percents stays as written, for the range checks.
        (
            ["Model", "Top-1 error"],
            [["a", "30.2"], ["b", "0.98"]],
            [69.8, 0.98],
            [None, None],
            [["top1:error"], ["top1:error"]],
        ),
        # "Top-1" alone is no error rate.
        (["Model", "Top-1"], [["a", "30.24"]], [30.24], [None], [None]),
    ],
)
def test_a_column_of_error_rates_reads_as_accuracies(header, rows, top1, top5, footnotes):
    tables, body = frames(header, *rows)
    observations = normalize_rows(tables, body)
    assert observations.get_column("top1").to_list() == top1
    assert observations.get_column("top5").to_list() == top5
    assert observations.get_column("footnotes").to_list() == footnotes
    assert observations.get_column("top1_raw").to_list() == [row[1] for row in rows]


def test_accuracies_under_error_headers_are_quarantined_as_a_table() -> None:
    # PyTorch Hub's RegNet page gives accuracies under "Top-1 error | Top-5 error": read as
    # errors, its top-5 falls below its top-1 in every row, and the table is held back.
    markdown = (
        "| Model | Top-1 error | Top-5 error |\n|---|---|---|\n"
        "| regnet_x_400mf | 72.834 | 90.950 |\n| regnet_x_800mf | 75.212 | 92.348 |\n"
    )
    observations = observed_markdown(markdown)
    assert observations.get_column("status").to_list() == ["quarantined", "quarantined"]
    assert observations.get_column("failed_checks").to_list() == [["table_of_accuracies"]] * 2


@pytest.mark.parametrize(
    ("header", "cell", "params_m"),
    [
        # A whole number of 10,000 or more is a raw count, unless the header says millions.
        ("Params", "21743", 0.021743),
        ("Parameters", "22,910,480", 22.91048),
        ("Params (M)", "21743", 21743.0),
        ("Params (M)", "21,743", 21743.0),
        ("#Params [M]", "21743", 21743.0),
        ("Parameters (M)", "21743", 21743.0),
        # A million millions is no model: a raw count even under "(M)".
        ("Params (M)", "22,910,480", 22.91048),
        ("Params (M)", "3926", 3926.0),
        ("Params (M)", "21.7B", 21700.0),
    ],
)
def test_a_params_header_in_millions_keeps_a_large_whole_number_in_millions(
    header: str, cell: str, params_m: float
) -> None:
    row = first_observation(["Model", "Top-1", header], ["ViT-22B", "89.5", cell])
    assert (row["params_m"], row["params_raw"], row["parse_errors"]) == (params_m, cell, [])
