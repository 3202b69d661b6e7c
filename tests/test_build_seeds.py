"""End to end on the real sources: the facts known about them hold in the published tables."""

import polars as pl
import pytest

SO150_448 = "vit_so150m2_patch16_reg1_gap_448.sbb_e200_in12k_ft_in1k"


def results_of(tables, model, **where):
    found = tables["results"].filter(pl.col("model") == model)
    for column, value in where.items():
        found = found.filter(pl.col(column) == value)
    return found


def test_every_table_is_written(seed_tables):
    assert set(seed_tables) == {
        "results",
        "models",
        "observations",
        "sources",
        "conflicts",
        "quarantine",
    }


def test_no_column_is_null_typed(seed_tables):
    for name, frame in seed_tables.items():
        assert pl.Null not in frame.schema.dtypes(), name


def test_so150m2_at_448_is_one_result_published_in_two_places(seed_tables):
    (row,) = results_of(seed_tables, SO150_448).to_dicts()
    assert (row["top1"], row["params_m"], row["params_lower_bound"]) == (88.1, 150.0, True)
    assert (row["img_size"], row["pretrain_dataset"], row["n_observations"]) == (
        448,
        "imagenet-12k",
        2,
    )
    places = seed_tables["observations"].filter(pl.col("result_id") == row["result_id"])
    assert sorted(places.get_column("source").to_list()) == [
        "timm-2025-models.md",
        "timm-metrics-overview.md",
    ]


def test_resnet50d_has_a_result_per_eval_size(seed_tables):
    found = results_of(seed_tables, "resnet50d.ra4_e3600_r224_in1k").sort("img_size")
    assert found.select("img_size", "top1").rows() == [(224, 80.952), (288, 81.838)]


def test_deit3_vit_l_at_384_has_a_result_per_pretraining_dataset(seed_tables):
    found = results_of(seed_tables, "ViT-L", img_size=384).sort("pretrain_dataset")
    assert found.select("pretrain_dataset", "top1", "params_m").rows() == [
        ("imagenet-1k", 85.8, 304.8),
        ("imagenet-22k", 87.7, 304.8),
    ]
    assert found.get_column("family").to_list() == ["DeiT III", "DeiT III"]


def test_a_model_in_both_sections_is_one_model(seed_tables):
    vit_l = seed_tables["models"].filter(pl.col("model") == "ViT-L")
    assert vit_l.height == 1
    assert vit_l.item(0, "pretrain_datasets").to_list() == ["imagenet-1k", "imagenet-22k"]


def test_convnext_v2_h_at_512_keeps_its_dataset_and_method(seed_tables):
    (row,) = results_of(seed_tables, "ConvNeXt V2-H", img_size=512).to_dicts()
    assert (row["top1"], row["pretrain_dataset"]) == (88.9, "imagenet-22k")
    assert row["training_method"] == "FCMAE + finetuning"


def test_naflexvit_rows_have_a_sequence_length_and_no_image_size(seed_tables):
    naflex = seed_tables["results"].filter(pl.col("model").str.starts_with("naflexvit"))
    assert naflex.height == 3
    assert naflex.get_column("eval_seq_len").to_list() == [576, 576, 576]
    assert naflex.get_column("img_size").null_count() == 3


@pytest.mark.parametrize(
    "model",
    [
        "vit_so150m2_patch16_reg4_gap_256.sbb_e200_in12k",
        "vit_so150m_patch16_reg4_gap_256.sbb_e250_in12k",
    ],
)
def test_checkpoints_written_with_a_dash_have_no_result_but_are_kept(seed_tables, model):
    assert results_of(seed_tables, model).height == 0
    assert seed_tables["models"].filter(pl.col("model") == model).height == 1
    observed = seed_tables["observations"].filter(pl.col("model") == model)
    assert observed.select("status", "top1_raw").rows() == [("no_result", "-")]
    assert observed.item(0, "top1") is None


def test_a_code_span_in_a_model_name_keeps_its_text(seed_tables):
    assert results_of(seed_tables, "VMamba-B[s2l15]").height == 1


def test_no_dash_is_ever_a_zero(seed_tables):
    observations = seed_tables["observations"]
    for column, raw in [("top1", "top1_raw"), ("top5", "top5_raw"), ("params_m", "params_raw")]:
        dashed = observations.filter(pl.col(raw).str.strip_chars() == "-")
        assert dashed.get_column(column).null_count() == dashed.height
    for frame in (seed_tables["results"], seed_tables["models"]):
        for column in ("top1", "top5", "params_m", "best_top1"):
            if column in frame.columns:
                assert (frame.get_column(column) == 0).sum() == 0


def test_every_observation_keeps_its_source_line_and_table(seed_tables):
    observations = seed_tables["observations"]
    assert observations.select("source", "line", "table_index").null_count().row(0) == (0, 0, 0)
    first = observations.filter(
        pl.col("model") == SO150_448, pl.col("source") == "timm-metrics-overview.md"
    )
    assert first.select("line", "table_index").row(0) == (35, 0)


def test_sources_list_every_document_with_its_origin(seed_tables):
    sources = seed_tables["sources"].sort("source")
    assert sources.get_column("source").to_list() == [
        "obsidian-backbones-comparison.md",
        "timm-2025-models.md",
        "timm-metrics-overview.md",
    ]
    overview = sources.row(2, named=True)
    assert overview["repository"] == "GeorgePearse/pytorch-image-models"
    assert overview["n_tables"] == 4
    assert any("mojibake" in note for note in overview["decode_notes"])


def test_paper_names_have_no_pretrained_tag_and_timm_names_are_split(seed_tables):
    results = seed_tables["results"]
    convnext = results.filter(pl.col("model") == "ConvNeXt V2-H").row(0, named=True)
    assert (convnext["architecture"], convnext["pretrained_tag"]) == ("ConvNeXt V2-H", None)
    so150 = results.filter(pl.col("model") == SO150_448).row(0, named=True)
    assert (so150["architecture"], so150["pretrained_tag"]) == (
        "vit_so150m2_patch16_reg1_gap_448",
        "sbb_e200_in12k_ft_in1k",
    )


def test_counts_of_the_seed_build(seed_tables):
    observations = seed_tables["observations"]
    assert observations.height == 4 + 3 + 3 + 2 + 12 + 3 + 2 + 11 + 4 + 3 + 56 + 38
    assert seed_tables["quarantine"].height == 0
    assert observations.filter(pl.col("status") == "no_result").height == 2
