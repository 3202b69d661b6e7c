"""Which evaluation a table reports: a Top-1 under another test set or protocol is no result."""

import polars as pl
import pytest

from pipeline import normalize, observe, report
from pipeline.evaluations import heading_evaluation, other_evaluations
from pipeline.extract import extract_frames


def observed(markdown: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The tables of a document a.md and its checked observations."""
    tables, rows = extract_frames([("a.md", markdown)])
    return tables, observe.observe_rows(tables, rows, []).observations


def evaluation_warnings(tables: pl.DataFrame) -> list[str]:
    """The build's warnings of tables that report another evaluation than ImageNet-1k val."""
    found = report.other_evaluation_warnings(normalize.other_evaluation_tables(tables))
    return found.get_column("message").to_list()


def first_row_beside(header: str, cell: str, usual: str) -> tuple[bool, list[str]]:
    """Whether the first row of a table of top-1 with a column `header`, its cell there `cell`,
    gives a result beside a second row whose cell there is `usual` (which must); and the
    table's evaluation warnings."""
    markdown = (
        f"| Model | {header} | Top-1 |\n|---|---|---|\n"
        f"| ResNet-18 | {cell} | 65.4% |\n| AlexNet | {usual} | 57.2% |\n"
    )
    tables, observations = observed(markdown)
    first, second = observations.get_column("status").to_list()
    assert first in ("result", "not_results_table") and second == "result"
    return first == "result", evaluation_warnings(tables)


@pytest.mark.parametrize(
    ("heading_path", "evaluation"),
    [
        (["Results", "ImageNet-V2 (matched frequency) results"], "ImageNet-V2"),
        (["ImageNet-ReaL"], "ImageNet-ReaL"),
        (["ImageNet-A"], "ImageNet-A"),
        (["ImageNet-R and ImageNet-Sketch"], "ImageNet-R"),
        (["CIFAR-100 fine-tuning"], "CIFAR-100"),
        (["Linear probing on ImageNet-1K"], "Linear probing"),
        (["k-NN evaluation"], "k-NN"),
        (["Zero-shot ImageNet-1K"], "Zero-shot"),
        (["ImageNet-1K top-1 / top-5 error rates (%)"], "error rates"),
        (["COCO object detection"], "COCO"),
        (["IN-A and IN-R"], "IN-A"),
        (["Robustness (IN-C)"], "IN-C"),
        # MoCo v3's and DINO's linear evaluation, LiT's and SigLIP's zero-shot.
        (["Linear Classification"], "Linear Classification"),
        (["Evaluation: Linear classification on ImageNet"], "Linear classification"),
        # AIM's probe of frozen features through an attention-pooling head.
        (["Attentive probing"], "Attentive probing"),
        (["Results", "Attention probe results on ImageNet-1k"], "Attention probe"),
        (["INet 0-shot"], "0-shot"),
        # Fine-grained and transfer sets, written either way.
        (["CUB-200-2011"], "CUB-200-2011"),
        (["Fine-grained classification (CUB-200)"], "Fine-grained"),
        (["Stanford Cars"], "Stanford Cars"),
        (["Places-365"], "Places-365"),
        (["Places205"], "Places205"),
        # Brevitas' quantization-aware training examples.
        (["QAT Examples"], "QAT"),
        # Fine-tuned on other tasks: United-Perception's "下游baseLine" (resnet50/flower 96.86).
        (["Downstream baseline"], "Downstream"),
        (["下游baseLine"], "下游"),
        (["分类", "下游任务"], "下游"),
        # MCUNet's label over its Visual Wake Words table.
        (["Model List", "The VWW model list:"], "VWW"),
        (["Visual Wake Words"], "Visual Wake Words"),
        (["Transfer learning"], "Transfer learning"),
        (["Stylized-ImageNet"], "Stylized-ImageNet"),
        # The nearest heading that names an evaluation decides.
        (["Linear probing", "ImageNet-V2"], "ImageNet-V2"),
        # Video classification (TF Model Garden, UniFormerV2, ml-cvnets), ImageNet's subsets.
        (["Kinetics-400 Action Recognition Baselines"], "Kinetics-400"),
        (["Model Zoo", "K400"], "K400"),
        (["Something-Something V2"], "Something-Something"),
        (["Moments in Time V1"], "Moments in Time"),
        (["Video Classification (Kinetics-400)"], "Video Classification"),
        (["ImageNet-100"], "ImageNet-100"),
        (["Tiny-ImageNet"], "Tiny-ImageNet"),
        (["Results on ImageNet-1K-V2"], "ImageNet-1K-V2"),
        # DPN's larger label set; NNCF's quantized models; SENet's and DPN's error rates.
        (["ImageNet-5k"], "ImageNet-5k"),
        # ImageNet-21k's test set, named by its class count (a notes page's heading).
        (["Jumbo", "ImageNet-21K（10450 类）"], "10450 类"),
        (["ImageNet-21K (10,450 classes)"], "10,450 classes"),
        # Robustness sets by their long names, fast.ai's subsets, SVHN.
        (["ImageNet-Rendition"], "ImageNet-Rendition"),
        (["ImageNet-P"], "ImageNet-P"),
        (["ImageNet-Vid-Robust and YTBB-Robust"], "ImageNet-Vid-Robust"),
        (["Results on Imagenette"], "Imagenette"),
        (["SVHN"], "SVHN"),
        # Long-tailed subsets with test sets of their own (PaCo's, SADE's).
        (["Parametric Contrastive Learning", "ImageNet-LT"], "ImageNet-LT"),
        (["Places-LT with ImageNet pretrained ResNet-152"], "Places-LT"),
        # Semi-supervised fine-tuning on a fraction of the labels (SimCLR's).
        (["Semi-supervised learning results on ImageNet with 1% or 10% labels"], "10% labels"),
        (["Fine-tuning with 1% of the labels"], "1% of the labels"),
        (["Low-shot ImageNet"], "Low-shot"),
        (["INT8 quantized models (post-training quantization)"], "INT8"),
        (["Quantized models"], "Quantized"),
        (["Single Model, Single Crop Validation Error:"], "Validation Error"),
        # ImageNet-1k named beside another evaluation in one heading: the other one decides.
        (["Zero-shot on ImageNet-1K and ImageNet-V2"], "Zero-shot"),
        # A heading naming ImageNet-1k as the pretraining set does not end the search.
        (["Kinetics-400", "Pretrained on IN-1K"], "Kinetics-400"),
    ],
)
def test_a_heading_naming_another_evaluation_is_found(heading_path, evaluation):
    assert heading_evaluation(heading_path) == evaluation


@pytest.mark.parametrize(
    "heading_path",
    [
        [],
        ["Comparison", "ImageNet 1k"],
        ["ImageNet 21k/22k"],
        ["May 2025", "ImageNet-12k Pretrain + ImageNet-1k Fine-tune"],
        ["SigLIP 2 ViT Image Encoders"],
        ["ImageNet Accuracy"],
        ["Real-world throughput"],
        ["ImageNet Results"],
        # "in a", "in C": English, not the abbreviations IN-A and IN-C.
        ["Results in a nutshell"],
        ["Written in C++ and CUDA"],
        ["Models trained in R"],
        # SegFormer's Mix Transformer backbone, not Moments in Time.
        ["MiT-B0 backbone"],
        # A heading naming ImageNet-1k ends the search: headings above it are about other tables.
        ["Model Zoo: CIFAR-10 and ImageNet baselines", "ImageNet-1K"],
        ["Linear probing", "Fine-tuning on ImageNet-1k"],
        ["CIFAR-10 transfer", "ImageNet 2012 validation"],
        # A heading naming classification or ImageNet beside detection sets covers several tasks.
        ["Backbones for ImageNet classification, COCO detection and ADE20K segmentation", "Zoo"],
        ["Image classification and COCO object detection"],
        # A quantization guide gives the FP32 accuracy beside the int8 one (MegEngine's).
        ["模型量化 Model Quantization"],
        # Chinese text without an alias in it ("model download", "ImageNet results").
        ["模型下载"],
        ["ImageNet结果"],
        ["Pretrained on ImageNet-21K"],
        ["ImageNet-21K"],
        # Semi-supervised with all of ImageNet's labels (Noisy Student, SWSL).
        ["Semi-supervised and semi-weakly supervised models"],
        ["Trained with 100% labels"],
    ],
)
def test_imagenet_1k_and_pretraining_headings_name_no_other_evaluation(heading_path):
    assert heading_evaluation(heading_path) is None


DOC = """# Results

## ImageNet-1k

| Model | Top-1 |
|---|---|
| resnet50 | 80.1 |

## ImageNet-V2 (matched frequency)

| Model | Top-1 |
|---|---|
| resnet50 | 69.0 |

## Zero-shot classification

| model | dataset | acc1 |
|---|---|---|
| ViT-B-32 | cifar100 | 75.6 |
"""


def test_only_the_imagenet_1k_table_gives_results_and_every_row_stays_an_observation():
    tables, rows = extract_frames([("a.md", DOC)])
    found = other_evaluations(tables).select("line", "other_evaluation").rows()
    assert found == [(5, None), (11, "ImageNet-V2"), (17, "Zero-shot")]
    observations = observe.observe_rows(tables, rows, []).observations
    assert observations.select("line", "top1", "is_results_table", "status").rows() == [
        (7, 80.1, True, "result"),
        (13, 69.0, False, "not_results_table"),
        (19, 75.6, False, "not_results_table"),
    ]


def test_a_table_folded_under_a_summary_naming_another_evaluation_gives_no_result():
    # DCNv4's README folds each model zoo in <details>; a CIFAR-100 one reads like ImageNet's.
    markdown = (
        "## Released Models\n\n<details>\n<summary>CIFAR-100 classification</summary>\n\n"
        "| Model | Top-1 |\n|---|---|\n| ResNet8x4 | 76.3 |\n\n</details>\n\n"
        "<details><summary>ImageNet-1K</summary>\n\n"
        "| Model | Top-1 |\n|---|---|\n| ResNet50 | 76.1 |\n\n</details>\n"
    )
    _, observations = observed(markdown)
    assert observations.select("model", "status").rows() == [
        ("ResNet8x4", "not_results_table"),
        ("ResNet50", "result"),
    ]


@pytest.mark.parametrize(
    ("lead", "heading_path", "evaluation"),
    [
        # VISSL's model zoo says so once, at its top, for all its tables.
        (
            "we list the collection of self-supervised models and benchmark of these models on a "
            "standard task of evaluating a linear classifier on ImageNet-1K.",
            ["VISSL Model Zoo", "Models", "SimCLR"],
            "linear classifier",
        ),
        ("Models evaluated by k-NN and linear probing.", [], "k-NN"),
        # Naming fine-tuning too, it leaves each table to its headings.
        ("Results of fine-tuning and of linear probing.", ["Models"], None),
        # A heading naming ImageNet-1k or another evaluation decides first.
        ("Linear probing of our models.", ["Fine-tuning on ImageNet-1K"], None),
        ("Linear probing of our models.", ["ImageNet-V2"], "ImageNet-V2"),
        # Datasets in a lead decide nothing: an introduction names many.
        ("We also evaluate on COCO detection and CIFAR-100 transfer.", ["Models"], None),
        (None, ["Models"], None),
    ],
)
def test_a_documents_lead_naming_a_linear_probe_is_the_evaluation_of_its_tables(
    lead: str | None, heading_path: list[str], evaluation: str | None
) -> None:
    assert heading_evaluation(heading_path, lead) == evaluation


def test_tables_of_a_document_whose_lead_names_a_linear_probe_give_no_results():
    markdown = (
        "# Zoo\n\nAll numbers below evaluate a linear classifier on frozen features.\n\n"
        "## SimCLR\n\n| Model | Top-1 |\n|---|---|\n| RN50 | 69.1 |\n"
    )
    _, observations = observed(markdown)
    assert observations.select("model", "status").rows() == [("RN50", "not_results_table")]


def test_a_column_of_evaluation_sets_is_another_evaluation_too():
    with_sets = "| model | benchmark | acc1 |\n|---|---|---|\n| a | b | 1 |\n"
    without = "| model | acc1 |\n|---|---|\n| a | 1 |\n"
    tables, _ = extract_frames([("a.md", with_sets), ("b.md", without)])
    assert other_evaluations(tables).get_column("other_evaluation").to_list() == [
        "a 'benchmark' column",
        None,
    ]


def test_rows_of_a_column_of_evaluation_sets_naming_imagenet_1k_are_results_the_others_not():
    # R-MeeTo's tables: "| Model | Dataset | Top-1 Acc. (%) |" with ImageNet-1K and K400 rows.
    markdown = (
        "| Model | Dataset | Top-1 |\n|---|---|---|\n| DeiT-S | ImageNet-1K | 79.8 |\n"
        "| ViT-B | cifar100 | 91.2 |\n| DeiT-B | ImageNet | 81.8 |\n| ViT-L | | 85.1 |\n"
        # vision_transformer's: "imagenet2012", ImageNet-1k's name in TensorFlow Datasets.
        "| ViT-B_16 | imagenet2012 | 84.6 |\n| ViT-B_32 | imagenet2012_real | 87.0 |\n"
    )
    tables, observations = observed(markdown)
    assert observations.select("model", "is_results_table", "status").rows() == [
        ("DeiT-S", True, "result"),
        ("ViT-B", False, "not_results_table"),
        ("DeiT-B", True, "result"),
        ("ViT-L", False, "not_results_table"),
        ("ViT-B_16", True, "result"),
        ("ViT-B_32", False, "not_results_table"),
    ]
    assert evaluation_warnings(tables) == [
        "table has a 'Dataset' column of evaluation sets: its rows naming another set than "
        "ImageNet-1k are kept as observations, not results"
    ]


# A self-supervised zoo lists each model's linear probe and fine-tuning under one "Top-1":
# without a column of protocols read row by row, the two rows were one result in conflict with
# itself. PaddlePaddle PASSL's tables say "finetune" or "linprobe" in a "Phase" column.
PROTOCOLS = [
    ("fine-tune", True),
    ("", True),
    ("supervised", True),
    ("end-to-end", True),
    ("linear", False),
    ("Linear eval.", False),
    ("k-NN", False),
    ("zero-shot", False),
    ("ImageNet-V2", False),
    ("Linear attention", True),
    ("linprobe", False),
]
# A survey lists each model in FP32 and ternary under one "Top-1 Accuracy": without a column of
# precisions read row by row, the ternary ResNet-18 (65.4) was an observation of the FP32
# model's result (69.3), and the one published when its row came first.
PRECISIONS = [
    ("Precision", "FP32", True),
    ("Precision", "fp32 (baseline)", True),
    ("Precision", "float32", True),
    ("Precision", "", True),
    ("Precision", "-", True),
    ("Precision", "Ternary", False),
    ("Precision", "INT8", False),
    ("Precision", "int8 (per-channel)", False),
    ("Precision", "FP16", False),
    ("Precision", "Mixed", False),
    ("Bit Width", "32", True),
    ("Bit Width", "8", False),
    ("Bit Width", "1.58", False),
    ("W/A", "32/32", True),
    ("W/A", "4/4", False),
    ("Bits (W/A)", "W4A8", False),
    ("dtype", "float32", True),
    ("dtype", "bfloat16", False),
    # NNCF's and PaddleSlim's columns of compression: a pruned model is another model too.
    ("Compression algorithm", "None", True),
    ("Compression algorithm", "INT8 (per-tensor only)", False),
    ("Compression algorithm", "Filter pruning", False),
    ("压缩方法", "-", True),
    ("压缩方法", "quant_post", False),
    ("压缩方法", "teacher", True),
    ("压缩方法", "ResNet50_vd distill", False),
    # STM32's "Format": Float beside Int8; a file format names the model as trained.
    ("Format", "Float", True),
    ("Format", "Int8", False),
    ("Format", "ONNX", True),
    ("Format", "TFLite", True),
    # PocketFlow's channel pruning: 0.2 ... 0.7 of the channels pruned.
    ("Prune Ratio", "0.5", False),
    ("Prune Ratio", "0", True),
    ("Pruning Ratio", "0%", True),
]
ROW_COLUMN_WARNINGS = {
    "protocol": (
        "table has a '{}' column of evaluation protocols: its rows naming a linear probe or "
        "another evaluation than ImageNet-1k val are kept as observations, not results"
    ),
    "precision": (
        "table has a '{}' column of precisions or compressions: its rows naming a quantized or "
        "compressed model (not FP32, not 'None') are kept as observations, not results"
    ),
}


@pytest.mark.parametrize(
    ("kind", "header", "cell", "usual", "result"),
    [
        *(
            ("protocol", header, protocol, "fine-tune", result)
            for header in ("Protocol", "Phase")
            for protocol, result in PROTOCOLS
        ),
        *(
            ("precision", header, precision, "FP32", result)
            for header, precision, result in PRECISIONS
        ),
    ],
)
def test_a_row_naming_another_protocol_or_precision_in_its_column_gives_no_result(
    kind: str, header: str, cell: str, usual: str, result: bool
) -> None:
    gives_a_result, warnings = first_row_beside(header, cell, usual)
    assert gives_a_result == result
    assert warnings == [ROW_COLUMN_WARNINGS[kind].format(header)]


@pytest.mark.parametrize(
    ("model", "probe"),
    [
        ("vit-base-p16_mae-300e-pre_8xb2048-linear-coslr-90e_in1k", True),
        ("resnet50_mocov3-100e-pre_8xb128-linear-coslr-90e_in1k", True),
        ("MAE ViT-B (linear)", True),
        ("ViT-B linear", True),
        ("vit-base-p16_mae-300e-pre_8xb128-coslr-100e_in1k", False),
        ("Swin-T (linear attention)", False),
        ("FLatten-Swin-T linear-attn", False),
        ("LinearViT-S", False),
        ("nonlinear-net", False),
        # A quantized model is another model than the full-precision one its name names
        # (TI's "MobileNetV2-QAT": quantization-aware training, 8 bit).
        ("MobileNetV2-QAT", True),
        ("ResNet50 INT8", True),
        ("resnet50_int4", True),
        ("DeiT-S (PTQ)", True),
        ("ViT-B W8A8", True),
        ("MobileNetV2 quantized", True),
        ("PP-ResNet quant", True),
        ("resnet50_quant", True),
        ("Quantum-Net", False),
        ("QATNet-S", False),
        ("resnet50.a1_in1k", False),
    ],
)
def test_a_model_named_a_linear_probe_or_quantized_gives_no_result(model: str, probe: bool) -> None:
    # mmpretrain's MAE table lists each model's linear probe and fine-tuning under one Top-1.
    markdown = f"| Model | Top-1 (%) |\n|---|---|\n| `{model}` | 68.0 |\n"
    _, observations = observed(markdown)
    expected = "not_results_table" if probe else "result"
    assert observations.select("is_results_table", "status").row(0) == (not probe, expected)


def test_a_quantized_row_is_no_observation_of_the_full_precision_result() -> None:
    # The ternary row comes first: the FP32 row alone is ResNet-18's result, with no conflict.
    markdown = (
        "| Model | Precision | Top-1 Accuracy |\n|---|---|---|\n"
        "| ResNet-18 | Ternary | 65.4% |\n| ResNet-18 | FP32 | 69.3% |\n"
    )
    _, observations = observed(markdown)
    results = observations.filter(pl.col("status") == "result")
    assert results.select("model", "top1").rows() == [("ResNet-18", 69.3)]


def test_a_column_of_evaluation_sets_protocols_or_precisions_is_no_unknown_column() -> None:
    # Kalray's "Dataset" and DeepSpark's "Precision" were warned of as columns mapping to
    # nothing, beside the warning that they decide which rows are results.
    markdown = (
        "| Model | Dataset | Protocol | Precision | Top-1 | FPS |\n|---|---|---|---|---|---|\n"
        "| ResNet-18 | ILSVRC 2012 | fine-tune | FP32 | 69.8 | 900 |\n"
    )
    tables, observations = observed(markdown)
    assert observations.get_column("unknown_columns").to_list() == [["FPS"]]
    assert normalize.unknown_columns(tables).get_column("header").to_list() == ["FPS"]


@pytest.mark.parametrize(
    ("table", "top1", "warned"),
    [
        # The header says error: its values are read as errors, into accuracies, whatever the
        # caption says of them.
        (
            "| Model | Top-1 error | Top-5 error |\n|---|---|---|\n| ResNet-50 | 24.7 | 7.8 |",
            75.3,
            False,
        ),
        ("| Model | Top-1 err. |\n|---|---|\n| ResNet-50 | 24.7 |", 75.3, False),
        # A header that does not say error, under a caption that does: no result.
        ("| Model | Top-1 | Top-5 |\n|---|---|---|\n| ResNet-50 | 24.7 | 7.8 |", None, True),
        ("| Model | Top-1 error | Top-5 |\n|---|---|---|\n| ResNet-50 | 24.7 | 7.8 |", None, True),
    ],
)
def test_a_caption_naming_error_rates_over_error_headers_leaves_the_table_results(
    table: str, top1: float | None, warned: bool
) -> None:
    # KaimingHe's and SENet's caption above a table whose header says error already.
    tables, observations = observed(f"Single-crop validation error on ImageNet-1k:\n\n{table}\n")
    result = observations.filter(pl.col("status") == "result")
    assert result.get_column("top1").to_list() == ([top1] if top1 else [])
    assert bool(evaluation_warnings(tables)) == warned


def test_values_under_a_caption_naming_error_rates_are_kept_as_accuracies_not_results() -> None:
    # KaimingHe's ResNet page: "1-crop validation error on ImageNet" above "model|top-1|top-5".
    markdown = (
        "1-crop validation error on ImageNet:\n\n"
        "model|top-1|top-5\n:---:|:---:|:---:\nResNet-50|24.7%|7.8%\n"
    )
    _, observations = observed(markdown)
    assert observations.select("top1", "top5", "footnotes", "status").rows() == [
        (75.3, 92.2, ["top1:error", "top5:error"], "not_results_table")
    ]
    # A header saying accuracy under such a caption is read as it says.
    _, observations = observed(markdown.replace("top-1|", "top-1 acc.|"))
    assert observations.select("top1", "top5").rows() == [(24.7, 92.2)]


def test_a_heading_naming_int8_leaves_it_to_a_column_of_precisions_row_by_row() -> None:
    # DeepSpark's "FP32 and INT8 accuracy" above a table whose Precision column tells them apart.
    table = (
        "| Model | Precision | Top-1 |\n|---|---|---|\n"
        "| ResNet50 | FP32 | 76.13 |\n| ResNet50 | INT8 | 75.72 |\n"
    )
    tables, observations = observed(f"## FP32 and INT8 accuracy\n\n{table}")
    assert observations.get_column("status").to_list() == ["result", "not_results_table"]
    assert evaluation_warnings(tables) == [
        "table has a 'Precision' column of precisions or compressions: its rows naming a "
        "quantized or compressed model (not FP32, not 'None') are kept as observations, not "
        "results"
    ]
    # With no such column, the heading decides for the whole table, and says why: a quantized
    # model's accuracy is on ImageNet-1k val too.
    without = "| Model | Top-1 |\n|---|---|\n| ResNet50 | 75.72 |\n"
    tables, observations = observed(f"## INT8 accuracy\n\n{without}")
    assert observations.get_column("status").to_list() == ["not_results_table"]
    assert evaluation_warnings(tables) == [
        "table reports quantized models (INT8): their ImageNet-1k val accuracies are of "
        "quantized weights, and results are of full-precision models only; its rows are kept "
        "as observations, not results"
    ]
