"""Context: timm name parts and the pretraining dataset from cell, tag, link or heading."""

import polars as pl
import pytest

from pipeline.context import (
    LINKED_DATASETS,
    Mention,
    architecture,
    cell_datasets,
    dataset_catalog,
    dataset_mentioned,
    heading_dataset,
    heading_image_size,
    link_datasets,
    parse_datasets,
    pretrained_tag,
    tag_dataset,
    tag_dataset_token,
    with_pretrain_datasets,
)
from pipeline.errors import ModelmetricsError
from tests.factories import observed_markdown

NAMES = [
    (
        "vit_so150m2_patch16_reg1_gap_448.sbb_e200_in12k_ft_in1k",
        "vit_so150m2_patch16_reg1_gap_448",
        "sbb_e200_in12k_ft_in1k",
    ),
    ("resnet50d.ra4_e3600_r224_in1k", "resnet50d", "ra4_e3600_r224_in1k"),
    ("caformer_b36_384_in21ft1k", "caformer_b36_384_in21ft1k", None),
    ("ConvNeXt V2-H", "ConvNeXt V2-H", None),
    ("ViT-L", "ViT-L", None),
    (
        "SwinV2-B* 24x24 Window Size, PreTrained@192^2",
        "SwinV2-B* 24x24 Window Size, PreTrained@192^2",
        None,
    ),
    ("MobileNet V2 1.4", "MobileNet V2 1.4", None),
    ("VMamba-B[s2l15]", "VMamba-B[s2l15]", None),
]


def read_names(expression: object, names: list[str]) -> list[str | None]:
    """An expression builder applied to a column of model names."""
    model = pl.col("model")
    frame = pl.DataFrame({"model": names}, schema={"model": pl.String})
    return frame.select(expression(model)).to_series().to_list()  # type: ignore[operator]


@pytest.mark.parametrize(("model", "arch", "tag"), NAMES)
def test_timm_names_split_at_the_dot_paper_names_stay_whole(
    model: str, arch: str, tag: str | None
) -> None:
    assert read_names(architecture, [model]) == [arch]
    assert read_names(pretrained_tag, [model]) == [tag]


TAGS = [
    ("vit_so150m2_patch16_reg1_gap_448.sbb_e200_in12k_ft_in1k", "imagenet-12k", "in12k"),
    ("vit_so150m_patch16_reg4_gap_256.sbb_e250_in12k", "imagenet-12k", "in12k"),
    ("resnet50d.ra4_e3600_r224_in1k", "imagenet-1k", "in1k"),
    ("vit_so400m_patch14_siglip_378.webli_ft_in1k", "webli", "webli"),
    ("convnext_large.fb_in22k_ft_in1k", "imagenet-22k", "in22k"),
    ("vit_base_patch16_224.augreg_in21k_ft_in1k", "imagenet-22k", "in21k"),
    ("vit_base_patch16_clip_224.openai_ft_in12k_in1k", "wit-400m", "openai"),
    ("vit_base_patch16_clip_224.laion2b_ft_in1k", "laion-2b", "laion2b"),
    ("caformer_b36_384_in21ft1k", "imagenet-22k", "in21ft1k"),
    ("convformer_b36_384_in21kft1k", "imagenet-22k", "in21kft1k"),
    # EdgeNeXt's model zoo writes the token in capitals.
    ("edgenext_base_IN21K", "imagenet-22k", "IN21K"),
    ("EdgeNeXt_B_In22k", "imagenet-22k", "In22k"),
    ("edgenext_base_IN21K_extra", None, None),
    # Noisy Student: ImageNet-1k labels with JFT-300M's unlabelled images.
    ("tf_efficientnet_l2.ns_jft_in1k", "jft-300m", "jft"),
    # What follows `ft` is the fine-tuning data, never the pretraining data.
    ("regnety_1280.swag_ft_in1k", None, None),
    ("resnext101_32x16d.fb_ssl_yfcc100m_ft_in1k", None, None),
    ("beit_base_patch16_224.in22k_ft_in22k_in1k", "imagenet-22k", "in22k"),
    # Fine-tuned on two datasets, the first of them is what the last one fine-tuned: ConvNeXt-V2's
    # masked-autoencoder pretraining names no dataset, EVA's names its own.
    ("convnextv2_base.fcmae_ft_in22k_in1k", "imagenet-22k", "in22k"),
    ("convnextv2_base.fcmae_ft_in1k", None, None),
    ("eva_giant_patch14_560.m30m_ft_in22k_in1k", "merged-30m", "m30m"),
    ("eva02_large_patch14_448.mim_m38m_ft_in22k_in1k", "merged-38m", "m38m"),
    ("caformer_b36_384", None, None),
    ("resnet50.tv_weights", None, None),
    ("ViT-L in1k", None, None),
    # A name marking ImageNet-21k as its pretraining: mmpretrain's "-pre", then ImageNet-1k.
    ("swin-base_in21k-pre-3rdparty_in1k-384", "imagenet-22k", "in21k"),
    ("beit-base-p16_beit-in21k-pre_3rdparty_in1k", "imagenet-22k", "in21k"),
    ("mobilevitv2_150/in21k-1k", "imagenet-22k", "in21k"),
    ("ConvNeXt-L 22k-1k", "imagenet-22k", "22k"),
    ("Swin-B (22kto1k)", "imagenet-22k", "22k"),
    # A bare "(IN21k)" may be what the model was trained on alone.
    ("ViT-B/16 (IN21k)", None, None),
    ("convnext-v2-atto_fcmae-pre_3rdparty_in1k", None, None),
    ("ResNet-21k", None, None),
    # ImageNet-21k after another dataset is an intermediate fine-tuning (EVA-02's).
    ("eva02_L_pt_m38m_medft_in21k_ft_in1k_p14", None, None),
    ("eva02_B_pt_in21k_medft_in21k_ft_in1k_p14", "imagenet-22k", "in21k"),
]


@pytest.mark.parametrize(("model", "dataset", "token"), TAGS)
def test_the_first_known_token_of_a_timm_tag_is_the_pretraining_dataset(
    model: str, dataset: str | None, token: str | None
) -> None:
    assert read_names(tag_dataset, [model]) == [dataset]
    assert read_names(tag_dataset_token, [model]) == [token]


HEADINGS = [
    ("ImageNet 21k/22k", "imagenet-22k", "ImageNet 21k/22k"),
    ("ImageNet-12k Pretrain + ImageNet-1k Fine-tune", "imagenet-12k", "ImageNet-12k"),
    ("ImageNet-1k Only Training", "imagenet-1k", "ImageNet-1k"),
    ("ImageNet 1k", "imagenet-1k", "ImageNet 1k"),
    ("IN-21K", "imagenet-22k", "IN-21K"),
    ("IN-22K", "imagenet-22k", "IN-22K"),
    # TensorFlow Datasets' name of ImageNet-1k.
    ("imagenet2012", "imagenet-1k", "imagenet2012"),
    ("Pretrained on WebLI", "webli", "WebLI"),
    # MIIL's processed subset of ImageNet-21K is no ImageNet-21K, though its name holds it.
    ("(1) Pretrained Models on ImageNet-21K-P Dataset", "imagenet-21k-p", "ImageNet-21K-P"),
    ("IN-21K-P", "imagenet-21k-p", "IN-21K-P"),
    ("Top Performing Models (2025)", None, None),
    ("May 2025: Searching for Better ViT Baselines", None, None),
    ("Training in 1k steps", None, None),
]


@pytest.mark.parametrize(("text", "dataset", "label"), HEADINGS)
def test_text_names_the_dataset_it_mentions_first(
    text: str, dataset: str | None, label: str | None
) -> None:
    expected = Mention(dataset, label) if dataset and label else None
    assert dataset_mentioned(text) == expected


def test_in12k_is_its_own_dataset_not_imagenet_22k() -> None:
    assert dataset_mentioned("IN-12K") == Mention("imagenet-12k", "IN-12K")


def test_the_nearest_heading_that_names_a_dataset_wins() -> None:
    path = ["Comparison", "ImageNet 21k/22k", "ImageNet-1k Only Training", "Notes"]
    assert heading_dataset(path) == Mention("imagenet-1k", "ImageNet-1k")
    assert heading_dataset(["Comparison", "Notes"]) is None


@pytest.mark.parametrize(
    ("heading_path", "mention"),
    [
        (["ImageNet-12k Pretrain + ImageNet-1k Fine-tune"], ("imagenet-12k", "ImageNet-12k")),
        # The dataset fine-tuned or evaluated on is not the pretraining dataset.
        (
            ["Fine-tuning on ImageNet-1k (models pre-trained on ImageNet-22k)"],
            ("imagenet-22k", "ImageNet-22k"),
        ),
        (
            ["IN-1K fine-tuned EVA-02 (w/ IN-21K intermediate fine-tuning)"],
            ("imagenet-22k", "IN-21K"),
        ),
        (
            ["ImageNet-22K models", "Image Classification on ImageNet-1k"],
            ("imagenet-22k", "ImageNet-22K"),
        ),
        (["Results on ImageNet-1K"], None),
        # EVA-02's: ImageNet-1k's validation set, which every result is evaluated on.
        (["Summary of EVA-02 performance on IN-1K val and variants"], None),
        (["ImageNet-1K validation results"], None),
        (["Fine-tuned on ImageNet-1K"], None),
        # Two pretraining datasets in one heading: it decides nothing, for every row under it.
        (["ImageNet-22K", "ImageNet-1K and ImageNet-22K Pretrained Models"], None),
        (["ImageNet-1K results"], ("imagenet-1k", "ImageNet-1K")),
        # Fine-tuned on another dataset before ImageNet-1k: that data counts.
        (["ImageNet-22K fine-tuned models"], ("imagenet-22k", "ImageNet-22K")),
        # Said to be pretrained on one dataset, then another step on ImageNet-1k, however that
        # step is spelled (Conv2Former's "Finetining").
        (
            ["Pre-Training on ImageNet-22k and Finetining on ImageNet-1k"],
            ("imagenet-22k", "ImageNet-22k"),
        ),
        (
            ["Pretrained with ImageNet-22k, trained on ImageNet-1k"],
            ("imagenet-22k", "ImageNet-22k"),
        ),
        # Both named as pretraining data, or ImageNet-1k as a pretraining step: nothing decided.
        (["Pre-trained on ImageNet-22k and ImageNet-1k"], None),
        (["Pre-training on ImageNet-22k and pre-training on ImageNet-1k"], None),
        (["ImageNet-1k and pretrained on ImageNet-22k"], None),
    ],
)
def test_a_heading_names_the_pretraining_dataset_not_the_one_fine_tuned_or_evaluated_on(
    heading_path: list[str], mention: tuple[str, str] | None
) -> None:
    assert heading_dataset(heading_path) == (mention and Mention(*mention))


def test_an_alias_under_two_datasets_fails_loudly_naming_both() -> None:
    toml_text = (
        '[datasets.imagenet-22k]\naliases = ["IN-21K"]\n'
        '[datasets.imagenet-21k-p]\naliases = ["in21k"]\n'
    )
    with pytest.raises(ModelmetricsError, match="'imagenet-22k' and 'imagenet-21k-p'"):
        parse_datasets(toml_text)


def test_a_tag_under_two_datasets_fails_loudly_naming_both() -> None:
    toml_text = '[datasets.a]\ntags = ["in21k"]\n[datasets.b]\ntags = ["in21k"]\n'
    with pytest.raises(ModelmetricsError, match="'a' and 'b'"):
        parse_datasets(toml_text)


def observations(
    *rows: tuple[str | None, str | None, str | None], links: list[str] | None = None
) -> pl.DataFrame:
    """Rows of (model, training dataset cell, heading dataset), each with these links, as
    with_pretrain_datasets reads."""
    return pl.DataFrame(
        {
            "model": [model for model, _, _ in rows],
            "pretrain_dataset_raw": [cell for _, cell, _ in rows],
            "heading_dataset": [heading for _, _, heading in rows],
            "heading_label": [heading and heading.upper() for _, _, heading in rows],
            "links": [links or [] for _ in rows],
        },
        schema={
            **dict.fromkeys(
                ["model", "pretrain_dataset_raw", "heading_dataset", "heading_label"], pl.String
            ),
            "links": pl.List(pl.String),
        },
    )


PRETRAIN = [
    (("ViT-L", "IN-21K", "imagenet-1k"), ("imagenet-22k", "IN-21K", "cell", None)),
    (("ConvNeXt V2-H", "IN-22K", None), ("imagenet-22k", "IN-22K", "cell", None)),
    (("x.sbb_in12k_ft_in1k", None, "imagenet-1k"), ("imagenet-12k", "in12k", "tag", None)),
    (("x.sbb_in12k_ft_in1k", "-", None), ("imagenet-12k", "in12k", "tag", None)),
    (("caformer_b36_384", None, "imagenet-1k"), ("imagenet-1k", "IMAGENET-1K", "heading", None)),
    (("caformer_b36_384", None, None), (None, None, None, None)),
    # "From scratch" says there was no pretraining: the name or the heading says the data.
    (
        ("ConvNeXt V2-A", "From scratch", "imagenet-1k"),
        ("imagenet-1k", "IMAGENET-1K", "heading", None),
    ),
    (("x.sbb_in12k_ft_in1k", "scratch", None), ("imagenet-12k", "in12k", "tag", None)),
    (("ConvNeXt V2-A", "FCMAE ImageNet-21k", None), ("imagenet-22k", "ImageNet-21k", "cell", None)),
    # A pretraining method alone (mmpretrain's Pretrain column) names no dataset either.
    (("ConvNeXt V2-A", "FCMAE", "imagenet-1k"), ("imagenet-1k", "IMAGENET-1K", "heading", None)),
    # So does a method with its epochs or style (mmpretrain's MAE and EVA tables).
    (("ViT-B", "MAE 1600-Epochs", "imagenet-1k"), ("imagenet-1k", "IMAGENET-1K", "heading", None)),
    (("ViT-B", "EVA MAE STYLE", None), (None, None, None, None)),
    (("ViT-B", "mocov3 300e", None), (None, None, None, None)),
    # A method beside a dataset the catalog does not know is still that unknown dataset.
    (
        ("ViT-L", "DINOv2 LVD-1689M", None),
        (None, None, None, "pretrain_dataset: 'DINOv2 LVD-1689M' names no known dataset"),
    ),
    # DINOv2's and DataComp's own datasets (CAPI's, CLIPA's tables).
    (("ViT-L/14", "LVD-142M", None), ("lvd-142m", "LVD-142M", "cell", None)),
    (("L/14", "DataCOMP-1B", None), ("datacomp-1b", "DataCOMP-1B", "cell", None)),
    (("vit_large_patch14_dinov2.lvd142m", None, None), ("lvd-142m", "lvd142m", "tag", None)),
    # A yes/no column says whether the weights were pretrained, not on what (tw's model zoo).
    (("resnet50", "Y", "imagenet-1k"), ("imagenet-1k", "IMAGENET-1K", "heading", None)),
    (("resnet50", "N", None), (None, None, None, None)),
    (("resnet50", "✓", None), (None, None, None, None)),
    (
        ("ViT-L", "JFT-4B", "imagenet-1k"),
        (None, None, None, "pretrain_dataset: 'JFT-4B' names no known dataset"),
    ),
]


@pytest.mark.parametrize(("row", "expected"), PRETRAIN)
def test_the_pretraining_dataset_comes_from_cell_then_tag_then_heading(
    row: tuple[str | None, str | None, str | None],
    expected: tuple[str | None, str | None, str | None, str | None],
) -> None:
    found = with_pretrain_datasets(observations(row)).row(0, named=True)
    dataset, label, basis, error = expected
    assert (found["pretrain_dataset"], found["pretrain_dataset_label"]) == (dataset, label)
    assert found["pretrain_dataset_basis"] == basis
    if error is None:
        assert found["pretrain_dataset_error"] is None
    else:
        assert found["pretrain_dataset_error"].startswith(error)


RELEASES = "https://github.com/org/repo/releases/download/v1.0"
# A row's links (a path token like a checkpoint's) -> the dataset they name and its label.
LINKED = [
    # Vision-RWKV: pretrained on ImageNet-22K, fine-tuned on ImageNet-1K.
    ([f"{RELEASES}/vrwkv_l_22kto1k_384.pth"], ("imagenet-22k", "22kto1k")),
    # ConvNeXt's "22k model" and "1k model" links agree.
    (
        [f"{RELEASES}/convnext_base_22k_224.pth", f"{RELEASES}/convnext_base_22k_1k_224.pth"],
        ("imagenet-22k", "22k"),
    ),
    # BEiT: "pt22k" (its log link says nothing).
    (
        [f"{RELEASES}/beit_base_patch16_224_pt22k_ft22kto1k.pth", "https://paste.ubuntu.com/p/7z/"],
        ("imagenet-22k", "pt22k"),
    ),
    (
        ["https://storage.example/vit_models/imagenet21k/ViT-B_16.npz"],
        ("imagenet-22k", "imagenet21k"),
    ),
    ([f"{RELEASES}/caformer_b36_384_in22ft1k.pth"], ("imagenet-22k", "in22ft1k")),
    ([f"{RELEASES}/resnet50_miil_in21k-p.pth"], ("imagenet-21k-p", "in21k-p")),
    # ImageNet-1k after "pt" is the pretraining (BEiT v2, as timm's in1k_ft_in22k_in1k).
    ([f"{RELEASES}/beitv2_base_patch16_224_pt1k_ft21kto1k.pth"], ("imagenet-1k", "pt1k")),
    # A bare "in1k" is the step fine-tuned on as often: SWAG's Instagram-pretrained RegNets.
    (["https://dl.example/SWAG/regnety_16gf_in1k.torch"], (None, None)),
    ([f"{RELEASES}/convnext_base_1k_224_ema.pth"], (None, None)),
    # Links that disagree say nothing: a row of one accuracy and three checkpoints (keras).
    (
        [f"{RELEASES}/b0-21k.h5", f"{RELEASES}/b0-21k-ft1k.h5", f"{RELEASES}/b0-imagenet.h5"],
        (None, None),
    ),
    ([f"{RELEASES}/convnext_1k_224.pth", f"{RELEASES}/convnext_22k_224.pth"], (None, None)),
    ([f"{RELEASES}/a_22k.pth", f"{RELEASES}/b_in21k-p.pth"], (None, None)),
    # Only whole tokens of the path count: no host, query, fragment or id like "1ZIPi821Ka".
    (["https://drive.example/file/d/1ZIPiSfWNKTPp821Ka/view?usp=22k"], (None, None)),
    (["https://in22k.example/get_started.md#imagenet-22k"], (None, None)),
    (["https://arxiv.org/abs/2201.03545"], (None, None)),
    ([], (None, None)),
]


@pytest.mark.parametrize(("links", "expected"), LINKED)
def test_a_rows_links_name_its_pretraining_as_checkpoint_files_do(
    links: list[str], expected: tuple[str | None, str | None]
) -> None:
    found = link_datasets(pl.Series([links], dtype=pl.List(pl.String)))
    assert found.row(0) == expected


def test_every_dataset_a_link_names_is_in_the_catalog() -> None:
    assert set(LINKED_DATASETS.values()) <= set(dataset_catalog().aliases.values())


def test_links_outrank_the_heading_not_the_cell_or_the_name() -> None:
    link = [f"{RELEASES}/vrwkv_l_22kto1k_384.pth"]
    rows = [
        ("VRWKV-L", None, "imagenet-1k"),
        ("VRWKV-L", "IN-1K", None),
        ("x.sbb_in12k_ft_in1k", None, None),
    ]
    found = with_pretrain_datasets(observations(*rows, links=link))
    assert found.select(
        "pretrain_dataset", "pretrain_dataset_label", "pretrain_dataset_basis"
    ).rows() == [
        ("imagenet-22k", "22kto1k", "link"),
        ("imagenet-1k", "IN-1K", "cell"),
        ("imagenet-12k", "in12k", "tag"),
    ]


def test_a_checkpoint_link_in_a_row_names_its_pretraining_over_its_heading() -> None:
    doc = (
        "### Image Classification (ImageNet-1K)\n\n| Model | Top-1 | Checkpoint |\n|---|---|---|\n"
        f"| VRWKV-B | 82.0 | [ckpt]({RELEASES}/vrwkv_b_in1k_224.pth) |\n"
        f"| VRWKV-L | 86.0 | [ckpt]({RELEASES}/vrwkv_l_22kto1k_384.pth) |\n"
    )
    observed = observed_markdown(doc)
    assert observed.select("model", "pretrain_dataset", "pretrain_dataset_basis").rows() == [
        ("VRWKV-B", "imagenet-1k", "heading"),
        ("VRWKV-L", "imagenet-22k", "link"),
    ]


def test_a_fine_tuned_tag_of_unknown_pretraining_leaves_it_unknown_not_the_heading():
    doc = (
        "## ImageNet-22K pre-trained models\n\n| model | top1 |\n|---|---|\n"
        "| regnety_1280.swag_ft_in1k | 88.2 |\n| resnet50.a1_in1k | 80.4 |\n| ViT-B/16 | 81.8 |\n"
    )
    observed = observed_markdown(doc)
    assert observed.select("model", "pretrain_dataset", "pretrain_dataset_basis").rows() == [
        ("regnety_1280.swag_ft_in1k", None, None),
        ("resnet50.a1_in1k", "imagenet-1k", "tag"),
        ("ViT-B/16", "imagenet-22k", "heading"),
    ]


def test_a_caption_above_a_table_is_read_as_its_innermost_heading():
    # HorNet's and TransNeXt's labels, and one under a heading that names another dataset.
    doc = (
        "## Results on ImageNet-1K\n\n**ImageNet-22K pre-trained models:**\n\n"
        "| model | top1 |\n|---|---|\n| Swin-L | 87.3 |\n\n"
        "**ImageNet-1K 384x384 fine-tuned models:**\n\n"
        "| model | top1 |\n|---|---|\n| TransNeXt-Small | 86.0 |\n\n"
        "Linear probing:\n| model | top1 |\n|---|---|\n| MAE ViT-B | 68.0 |\n\n"
        "| model | top1 |\n|---|---|\n| ResNet-50 | 76.1 |\n"
    )
    observed = observed_markdown(doc)
    columns = ["model", "pretrain_dataset", "pretrain_dataset_label", "img_size"]
    assert observed.select(*columns, "is_results_table").rows() == [
        ("Swin-L", "imagenet-22k", "ImageNet-22K", None, True),
        ("TransNeXt-Small", "imagenet-1k", "ImageNet-1K", 384, True),
        ("MAE ViT-B", None, None, None, False),
        ("ResNet-50", None, None, None, True),
    ]
    # The published heading path ends with the caption, so the dataset or size it gave is traced.
    assert observed.get_column("heading_path").to_list() == [
        ["Results on ImageNet-1K", "ImageNet-22K pre-trained models:"],
        ["Results on ImageNet-1K", "ImageNet-1K 384x384 fine-tuned models:"],
        ["Results on ImageNet-1K", "Linear probing:"],
        ["Results on ImageNet-1K"],
    ]


def test_a_dataset_cell_names_an_abbreviation_in_any_case_where_prose_does_not():
    cells = cell_datasets(["IN-22k", "in-1k", "IN-21K"])
    assert cells.select("cell_text", "cell_dataset").rows() == [
        ("IN-21K", "imagenet-22k"),
        ("IN-22k", "imagenet-22k"),
        ("in-1k", "imagenet-1k"),
    ]
    assert heading_dataset(["Training in 1k steps"]) is None


@pytest.mark.parametrize(
    ("heading_path", "size"),
    [
        (["ImageNet-1K models (224x224)"], 224),
        (["UniFormer", "ImageNet-1K models, fine-tuned at 384x384"], 384),
        (["Results at 384px", "Notes"], 384),
        (["Results @ 384^2"], 384),
        (["May 2025: Searching for Better ViT Baselines"], None),
        (["Non-square 224x320"], None),
        (["224x224 and 384x384"], None),
        # Of two sizes, the one fine-tuned or evaluated at; never the one pretrained at.
        (["MobileViTv2 (Trained on 256x256 and Finetuned on 384x384)"], 384),
        (["Pretrained at 224x224, evaluated at 288x288"], 288),
        (["Pre-trained on ImageNet-22K at 192x192, fine-tuned on ImageNet-1K"], None),
        (["Pre-trained at 192x192, fine-tuned at 224x224 and 384x384"], None),
        (["Pre-trained at 192x192", "Results (224x224)"], 224),
        (["ImageNet-1K pretrained (224x224)"], 224),
    ],
)
def test_the_nearest_heading_naming_one_square_image_size_gives_it(
    heading_path: list[str], size: int | None
) -> None:
    assert heading_image_size(heading_path) == size
