"""Header synonyms: which canonical column each header cell of a table names."""

import polars as pl
import pytest

from pipeline import headers, normalize
from pipeline.errors import ModelmetricsError
from pipeline.extract import TABLE_SCHEMA
from pipeline.headers import (
    CANONICAL_COLUMNS,
    header_columns,
    header_key_text,
    header_synonyms,
    parse_header_synonyms,
    table_columns,
    unknown_headers,
)
from pipeline.report import (
    unknown_column_warnings,
    unnamed_model_warnings,
    unread_accuracy_warnings,
)
from schemas.extracted import ExtractedTable


def tables_frame(*headers: list[str]) -> pl.DataFrame:
    """An ExtractedTable frame with one table per header list, all in doc.md."""
    frame = pl.DataFrame(
        {
            "source": ["doc.md"] * len(headers),
            "table_index": list(range(len(headers))),
            "line": [3 + 10 * index for index in range(len(headers))],
            "heading_path": [["Doc"]] * len(headers),
            "header": list(headers),
            "align": [[None] * len(header) for header in headers],
            "n_rows": [1] * len(headers),
            "caption": [None] * len(headers),
            "lead": [None] * len(headers),
        },
        schema=TABLE_SCHEMA,
    )
    return ExtractedTable.validate(frame)


def canonical(header: str) -> str | None:
    """The canonical column one header maps to, None when unknown."""
    return header_columns(tables_frame([header]))["column"].item()


SYNONYMS = [
    ("Model", "model"),
    ("model", "model"),
    ("name", "family"),
    ("Top-1", "top1"),
    ("top1", "top1"),
    ("TOP 1", "top1"),
    ("acc@1 (INet-1k)", "top1"),
    ("Top-1 Acc (%)", "top1"),
    ("Top-5", "top5"),
    ("top5", "top5"),
    ("Params (M)", "params_m"),
    ("param_count", "params_m"),
    ("params", "params_m"),
    ("#Params", "params_m"),
    ("Img Size", "img_size"),
    ("Image Size", "img_size"),
    ("Resolution", "img_size"),
    ("img_size", "img_size"),
    ("Input Size", "img_size"),
    ("Eval Seq Len", "eval_seq_len"),
    ("training dataset", "pretrain_dataset"),
    # Found in real READMEs: Swin's and CSWin's "pretrain", EfficientViT's top-1, UniFormer's
    # and Vim's "#Param.", Swin-MoE's "IN-1K/ft acc@1".
    ("pretrain", "pretrain_dataset"),
    ("ImageNet Top1 Acc", "top1"),
    ("#Param.", "params_m"),
    ("# of params", "params_m"),
    ("IN-1K/ft acc@1", "top1"),
    # timm's model pages and big_vision's READMEs.
    ("Weight", "model"),
    ("Models", "model"),
    ("Eval size", "img_size"),
    ("Input", "img_size"),
    ("ImageNet top-1 acc. (paper)", "top1"),
    ("Top-1 (reported)", "top1"),
    # CaiT's "res", the awesome-vision-transformers comparison's "Parms(M)".
    ("res", "img_size"),
    ("Parms(M)", "params_m"),
    # ultralytics' "acc<br><sup>top1</sup>", "size<br><sup>(pixels)</sup>", as extracted.
    ("acc top1", "top1"),
    ("acc top5", "top5"),
    ("size (pixels)", "img_size"),
    # DiNAT's "Pre-training", SimMIM's "fine-tune resolution", a segmentation repo's backbones.
    ("Pre-training", "pretrain_dataset"),
    ("Pretraining", "pretrain_dataset"),
    # vision_transformer's "upstream" (imagenet21k), the data before fine-tuning downstream.
    ("upstream", "pretrain_dataset"),
    # A Chinese model zoo's "模型"; VISSL's fine-tuned top-1 beside its linear probe's; the
    # full-precision accuracy beside mixed precision or int8 (NVIDIA's, MegEngine's).
    ("模型", "model"),
    ("ImageNet top-1 fine-tuned acc.", "top1"),
    ("**32 bit Top1**", "top1"),
    ("FP32 Top1", "top1"),
    ("top1 acc (float32)", "top1"),
    ("32 bit Top5", "top5"),
    ("fine-tune resolution", "img_size"),
    ("ImageNet-1k Top-1 Acc (%)", "top1"),
    ("training method", "training_method"),
    # MogaNet's column of both accuracies, "76.5 | 93.4".
    ("Top-1 / top-5 (%)", "top1_top5"),
    ("acc@1/acc@5", "top1_top5"),
    # Error rates, read as 100 minus the error (normalize).
    ("Top-1 error", "top1"),
    ("top-1 err.", "top1"),
    ("Top-5 Error (%)", "top5"),
    # pycls's HTML tables: "error</br>(top-1)".
    ("error (top-1)", "top1"),
    ("Error (top-5)", "top5"),
    # SparK's, MIIL's and PaddlePaddle PASSL's headers.
    ("arch.", "family"),
    ("reso.", "img_size"),
    ("ImageNet-1K top-1 Accuracy [%]", "top1"),
    ("Top1 acc@1(%)", "top1"),
    # GC ViT's HTML tables.
    ("Model Variant", "model"),
    # pjh5672's "Accuracy<br><sup>(Top-1)" and "Size<br><sup>(pixel)", as extracted; knjcode's
    # "image shape" (227x227).
    ("Accuracy (Top-1)", "top1"),
    ("Accuracy (Top-5)", "top5"),
    ("Size (pixel)", "img_size"),
    ("image shape", "img_size"),
    # Hailo's model zoo.
    ("Network Name", "model"),
    ("Input Resolution (HxWxC)", "img_size"),
    # PaddlePaddle's legacy zoo's "top-1/top-5 accuracy", d-li14's "Top-1 / Top-5 Accuracy (%)".
    ("top-1/top-5 accuracy", "top1_top5"),
    ("Top-1 / Top-5 Accuracy (%)", "top1_top5"),
    # HTML headers of two rows, named by the cells over each column (html_tables).
    ("ImageNet-1K / Top 1", "top1"),
    ("ImageNet-1K / Top 5", "top5"),
    ("IN-1k / Top-5", "top5"),
    ("Accuracy / Top-1", "top1"),
    # Japanese "model" and "pretraining data"; GroupMamba's "Image Res."; TF Model
    # Optimization's dense model beside its pruned one.
    ("モデル", "model"),
    ("事前学習データ", "pretrain_dataset"),
    ("Image Res.", "img_size"),
    ("Non-sparse Top-1 Accuracy ", "top1"),
    ("ImageNet top-5 accuracy", "top5"),
    # A notes page's "ImageNet-Val Top-1"; texture-vs-shape's "top-1 IN acc".
    ("ImageNet-Val Top-1", "top1"),
    ("top-1 IN acc", "top1"),
    ("top-5 IN acc", "top5"),
    # ConvMAE's fine-tuned top-1 beside its linear probe's; iBOT's "Par.".
    ("FT acc@1(%)", "top1"),
    ("Par.", "params_m"),
    # PyTorch's blog.
    ("Accuracy@1", "top1"),
    ("Accuracy@5", "top5"),
]


@pytest.mark.parametrize(("header", "column"), SYNONYMS)
def test_headers_map_to_canonical_columns_ignoring_case_and_punctuation(
    header: str, column: str
) -> None:
    assert canonical(header) == column


@pytest.mark.parametrize(
    "header",
    [
        "Accuracy",
        "Size",
        "Train Size",
        "GFLOPs",
        "",
        "Notes",
        "Weights",
        "Top-1 (ReaL)",
        "ImageNet top-1 linear acc.",
        "Mixed Precision Top1",
        "top1 acc (int8)",
        "AMP Top1",
        "Backbone",
        "Network",
        "Fine-tuning",
        "ImageNet-21K-P semantic top-1 Accuracy [%]",
        "ImageNet-ReaL / Top-1",
        "224x224 / Top 1",
        "Model / 224",
    ],
)
def test_ambiguous_or_foreign_headers_map_to_nothing(header: str) -> None:
    assert canonical(header) is None


def test_header_keys_keep_only_lowercase_letters_and_digits() -> None:
    assert header_key_text("acc@1 (INet-1k)") == "acc1inet1k"
    assert header_key_text("Params (M)") == "paramsm"


def test_every_synonym_file_entry_names_a_canonical_column() -> None:
    assert set(header_synonyms().values()) == set(CANONICAL_COLUMNS)


def test_a_synonym_under_two_columns_fails_loudly_naming_both() -> None:
    toml_text = '[columns]\ntop1 = ["Top-1", "Accuracy"]\ntop5 = ["Top-5", "accuracy"]\n'
    with pytest.raises(ModelmetricsError, match="'top1' and 'top5'"):
        parse_header_synonyms(toml_text)


def test_a_synonym_for_a_column_that_does_not_exist_fails_loudly() -> None:
    with pytest.raises(ModelmetricsError, match="'top_1', which is no canonical column"):
        parse_header_synonyms('[columns]\ntop_1 = ["Top-1"]\n')


def test_the_first_of_two_headers_for_one_column_wins_the_later_is_unknown() -> None:
    cells = header_columns(tables_frame(["Model", "Top-1", "top1"]))
    assert cells["column"].to_list() == ["model", "top1", None]
    unknown = unknown_headers(tables_frame(["Model", "Top-1", "top1"]))
    assert unknown.select("header", "repeats").rows() == [("top1", "top1")]


def test_unknown_headers_are_listed_with_their_table_and_line() -> None:
    unknown = unknown_headers(tables_frame(["Model", "Top-1"], ["Model", "GFLOPs", "Top-1"]))
    assert unknown.to_dicts() == [
        {"source": "doc.md", "table_index": 1, "line": 13, "header": "GFLOPs", "repeats": None}
    ]


@pytest.mark.parametrize(
    ("header", "read"),
    [
        (["Model", "Resolution", "Test Resolution", "Top-1"], "Test Resolution"),
        (["Model", "Image Size", "Eval Resolution", "Top-1"], "Eval Resolution"),
        (["Model", "Test Size", "Resolution", "Top-1"], "Test Size"),
        (["Model", "Img Size", "Image Size", "Top-1"], "Img Size"),
        (["Weight", "Input size", "Top-1 (%)", "Eval size"], "Eval size"),
    ],
)
def test_of_two_image_size_columns_the_evaluation_one_is_read(header, read) -> None:
    cells = header_columns(tables_frame(header)).filter(pl.col("column") == "img_size")
    assert cells["header"].to_list() == [read]


def test_a_column_headed_by_nothing_is_no_unknown_column() -> None:
    # An index column, or a layout table of images (TResNet's): no header to look up.
    tables = tables_frame(["", "Model", "Top-1", " ", "GFLOPs"])
    assert normalize.unknown_columns(tables).get_column("header").to_list() == ["GFLOPs"]


def test_a_repeated_column_is_warned_about_as_such_not_as_unknown() -> None:
    unknown = unknown_headers(tables_frame(["Model", "Top-1", "IN-1k Top-1", "GFLOPs"]))
    assert unknown_column_warnings(unknown).get_column("message").to_list() == [
        "column 'IN-1k Top-1' means top1 as another column of its table does, which is read; "
        "this one is kept in observations.raw_cells",
        "column 'GFLOPs' maps to no known column; kept in observations.raw_cells",
    ]


RESULTS_TABLES = [
    (["Model", "Top-1"], True),
    (["Model", "Top-5"], True),
    (["model", "acc@1 (INet-1k)", "params"], True),
    (["Model", "Params (M)"], False),
    (["Top-1", "Top-5"], False),
    (["Term", "Meaning"], False),
    ([], False),
]


@pytest.mark.parametrize(("header", "is_results"), RESULTS_TABLES)
def test_a_results_table_has_a_model_and_a_top1_or_top5_column(
    header: list[str], is_results: bool
) -> None:
    assert table_columns(tables_frame(header))["is_results_table"].item() is is_results


@pytest.mark.parametrize(
    ("header", "pos_model", "unknown"),
    [
        # A blank first header over accuracies heads the model names (OneFlow's model zoo).
        (["", "top1", "top5"], 0, []),
        (["  ", "acc@1"], 0, []),
        (["", "Top-1 / top-5 (%)"], 0, []),
        # Not where another column names the rows, nor in a table of no accuracies.
        (["", "name", "top1"], 1, [""]),
        (["Model", "", "top1"], 0, [""]),
        (["", "Params (M)"], None, [""]),
        # Not a blank header elsewhere than first.
        (["Top-1", ""], None, [""]),
    ],
)
def test_a_blank_first_header_over_accuracies_is_the_model_column(
    header: list[str], pos_model: int | None, unknown: list[str]
) -> None:
    columns = table_columns(tables_frame(header)).row(0, named=True)
    assert (columns["pos_model"], columns["unknown_columns"]) == (pos_model, unknown)


@pytest.mark.parametrize(
    ("header", "positions"),
    [
        (["Model", "Top-1 / top-5 (%)"], (1, 1, 1)),
        # A column of its own wins for its accuracy.
        (["Model", "Top-1", "Top-1 / Top-5"], (1, 2, 2)),
        (["Model", "Top-1", "Top-5"], (1, 2, None)),
    ],
)
def test_a_column_of_both_accuracies_is_read_for_each_without_its_own(
    header: list[str], positions: tuple[int | None, ...]
) -> None:
    columns = table_columns(tables_frame(header))
    assert columns.select("pos_top1", "pos_top5", "pos_top1_top5").row(0) == positions
    assert columns["is_results_table"].item() is True


def test_column_positions_follow_the_header_order() -> None:
    columns = table_columns(tables_frame(["Model", "Img Size", "Top-1", "Top-5", "Params (M)"]))
    positions = columns.select("pos_model", "pos_img_size", "pos_top1", "pos_params_m").row(0)
    assert positions == (0, 1, 2, 4)
    assert columns["pos_eval_seq_len"].item() is None


def test_a_table_of_accuracies_without_model_names_is_warned_of_by_its_first_column() -> None:
    # A segmentation repo's backbones and a Chinese zoo's "Network" column: their top-1 values
    # give no result, and the build says why instead of dropping them silently.
    tables = tables_frame(
        ["Network", "Top-1", "Params"], ["Model", "Top-1"], ["Backbone", "Params"], ["", "acc@1"]
    )
    warned = unnamed_model_warnings(normalize.tables_without_model_names(tables))
    assert warned.rows() == [
        (
            "doc.md",
            3,
            "table has top-1 or top-5 values but no column of model names (its first column is "
            "'Network'): its rows are kept as observations, not results",
        )
    ]


@pytest.mark.parametrize(
    ("header", "top1"),
    [
        # TransNeXt's, FAN's, EVA-02's robustness tables: each test set's top-1.
        (["Model", "#Params", "IN-1K", "IN-A", "IN-C↓", "IN-R", "Sketch", "IN-V2"], 2),
        (["Model", "Resolution", "IN-1K", "IN-C", "IN-A", "IN-R"], 2),
        (["model name", "IN-1K", "IN-V2", "IN-ReaL", "IN-Adv.", "IN-Ren.", "ObjectNet"], 1),
        (["Method", "ImageNet", "ImageNetV2", "ReaL"], 1),
        (["Model", "ImageNet-1k (%)", "ObjectNet"], 1),
        # Alone, beside other datasets, or beside a known top-1: no top-1 of its own.
        (["Model", "Token mixer", "IN-1K"], None),
        (["Method", "CIFAR-100", "ImageNet", "MS-COCO"], None),
        (["ImageNet1K", "Top1 Acc.", "IN-A"], 1),
        # Beside another task's column, a CLIP-like model's zero-shot accuracies (PE's).
        (["Model", "IN-1k", "IN-v2", "IN-A", "ObjectNet", "COCO-T2I", "Kinetics-400"], None),
        (["Model", "IN-1K", "IN-A", "Zero-shot avg"], None),
        # Words that only begin like a test set are none ("Input", "Runtime", "Acc").
        (["Model", "IN-1K", "Input", "Inference"], None),
    ],
)
def test_the_test_set_alone_beside_other_imagenet_test_sets_is_top1(
    header: list[str], top1: int | None
) -> None:
    assert headers.table_columns(tables_frame(header)).get_column("pos_top1").to_list() == [top1]


@pytest.mark.parametrize(
    ("header", "warned"),
    [
        # OpenVINO's "Accuracy" (top-1 and top-5 in one cell), nnabla's validation error: their
        # numbers give no result, and the build says so for the table, not only per column.
        (["Model", "Accuracy", "GFLOPs"], "'Accuracy'"),
        (["Model", "Validation error (%)", "Params"], "'Validation error (%)'"),
        (
            ["Network", "Top-1 (ReaL)", "acc@1 (v2)", "Prec@1 (Err)"],
            "'Top-1 (ReaL)', 'acc@1 (v2)', 'Prec@1 (Err)'",
        ),
        (["Model", "@1", "@5"], "'@1', '@5'"),
        (
            ["Model", "Top-1 (ReaL)", "acc@1 (v2)", "Prec@1 (Err)"],
            "'Top-1 (ReaL)', 'acc@1 (v2)', 'Prec@1 (Err)'",
        ),
        # A known top-1 or top-5 is read: no such warning.
        (["Model", "Accuracy", "Top-1"], None),
        (["Model", "Top-5", "acc"], None),
        # Without a column of model names too (MCUNet's "net_id", ARM's zoo): no other warning
        # says the table holds accuracies.
        (["Network", "Accuracy"], "'Accuracy'"),
        (["net_id", "Top-1 (fp32/int8)"], "'Top-1 (fp32/int8)'"),
        # A known top-1 without model names: tables_without_model_names warns.
        (["Network", "Top-1", "Accuracy"], None),
        (["Model", "GFLOPs", "Throughput"], None),
        (["Model", "Topology", "Latency@1"], None),
        (["Model", "Memory Access", "Accumulation"], None),
        (["Model", "Acc.", "Top-1 Accuracy (int8)"], "'Acc.', 'Top-1 Accuracy (int8)'"),
        # The test set alone (a robustness table's "Clean", a Token mixer table's "IN-1K"); beside
        # other ImageNet test sets it is read as top-1 (test_the_test_set_alone_...).
        (["Method", "ImageNet", "ImageNetV2", "ReaL"], None),
        (["Model", "Token mixer", "IN-1K", "Config"], "'IN-1K'"),
        (["Model", "Clean", "IN-C (mCE)", "IN-A"], "'Clean'"),
        (["Model", "IN-1K (%)", "Params"], "'IN-1K (%)'"),
        (["Model", "ImageNet-22K pretrained", "Params"], None),
        # An evaluation protocol alone, as self-supervised tables head their accuracies (iBOT's,
        # CAE's, EsViT's); not a header that only begins with one.
        (["Method", "Arch", "k-NN", "Lin.", "Fin."], "'k-NN', 'Lin.', 'Fin.'"),
        (
            ["Method", "#Epoch", "Linear", "Attentive", "Fine-tuning"],
            "'Linear', 'Attentive', 'Fine-tuning'",
        ),
        (["Model", "kNN (%)", "Params"], "'kNN (%)'"),
        (["Model", "Linear layers", "Fine-tuning epochs", "Finish"], None),
    ],
)
def test_a_table_whose_accuracies_are_under_unknown_headers_is_warned_of(
    header: list[str], warned: str | None
) -> None:
    unread = normalize.tables_with_unread_accuracies(tables_frame(header))
    expected = (
        []
        if warned is None
        else [
            (
                "doc.md",
                3,
                f"table has columns that read like accuracies ({warned}) but none is a known "
                "top-1 or top-5 header: its rows are kept as observations, not results",
            )
        ]
    )
    assert unread_accuracy_warnings(unread).rows() == expected
