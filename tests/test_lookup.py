"""Look-ups: a model's results with where they were published, size classes, the inputs."""

import json

import polars as pl
import pytest
from click.testing import CliRunner

from pipeline import lookup
from pipeline.cli import main
from pipeline.errors import ModelmetricsError
from tests.sample_version import OTHER_SOURCE, SOURCE, sample_tables, write_sample_version

MAMBAOUT = "mambaout_base_plus_rw.sw_e150_in12k_ft_in1k"
VIT_LARGE = "vit_large_patch16_rope_224.naver_in1k"


@pytest.fixture(scope="module")
def version_dir(tmp_path_factory):
    """The sample version, written once for this module."""
    return write_sample_version(tmp_path_factory.mktemp("lookup") / "outputs")


def test_an_exact_name_shows_only_that_model(version_dir):
    shown = lookup.show_model(version_dir, "vit_base_patch16_rope_224.naver_in1k")
    assert shown.get_column("model").unique().to_list() == ["vit_base_patch16_rope_224.naver_in1k"]


def test_part_of_a_name_matches_ignoring_case_best_result_first(version_dir):
    shown = lookup.show_model(version_dir, "MambaOut")
    assert shown.select("model", "img_size", "top1").rows() == [
        (MAMBAOUT, 384, 87.506),
        (MAMBAOUT, 224, 86.632),
    ]


def test_each_result_lists_every_place_that_published_it(version_dir):
    shown = lookup.show_model(version_dir, VIT_LARGE)
    assert shown.select("source", "line", "heading").rows() == [
        (OTHER_SOURCE, 10, "2025 Model Metrics > July 2025"),
        (SOURCE, 16, "2025 Model Metrics > July 2025"),
    ]


def test_an_unknown_model_is_an_error_that_suggests_close_names(version_dir):
    with pytest.raises(ModelmetricsError, match=r"no result for a model .*'resnet101\.a1_in1j'.*"):
        lookup.show_model(version_dir, "resnet101.a1_in1j")
    with pytest.raises(ModelmetricsError, match=r"did you mean resnet101\.a1_in1k\?"):
        lookup.show_model(version_dir, "resnet101.a1_in1j")


@pytest.mark.parametrize(
    ("params_m", "size_class"),
    [(None, None), (3.7, "<10M"), (10.0, "10-50M"), (49.9, "10-50M"), (50.0, "50-100M"),
     (100.0, "50-100M"), (101.66, ">100M")],
)  # fmt: skip
def test_size_classes(params_m, size_class):
    frame = pl.DataFrame({"params_m": [params_m]}, schema={"params_m": pl.Float64})
    assert frame.select(lookup.size_class(pl.col("params_m"))).item() == size_class


def test_filtering_by_pretraining_data_and_size_class_keeps_both_conditions():
    chosen = lookup.filter_results(sample_tables()["results"], "imagenet-12k", ">100M")
    assert chosen.get_column("model").unique().sort().to_list() == [
        MAMBAOUT,
        "vit_so150m2_patch16_reg1_gap_448.sbb_e200_in12k_ft_in1k",
    ]


def test_an_unknown_size_class_is_an_error_listing_the_classes():
    with pytest.raises(ModelmetricsError, match=r"unknown size class '10M'.*'<10M'"):
        lookup.filter_results(sample_tables()["results"], size="10M")


def test_sources_lists_every_input_with_its_origin(version_dir):
    listed = lookup.list_sources(version_dir)
    assert listed.select("source", "repository", "commit").rows() == [
        (OTHER_SOURCE, "f-fuchs/ObsidianNotes", "1beb83ce"),
        (SOURCE, "GeorgePearse/pytorch-image-models", "1b928dcc"),
    ]


def test_show_command_prints_the_results_and_their_places(version_dir):
    out_dir = str(version_dir.parent)
    answer = CliRunner().invoke(main, ["show", "mambaout", "--out", out_dir, "--format", "json"])
    assert answer.exit_code == 0
    assert [row["top1"] for row in json.loads(answer.output)] == [87.506, 86.632]


def test_show_command_with_an_unknown_model_prints_an_error(version_dir):
    answer = CliRunner().invoke(main, ["show", "nothing-like-it", "--out", str(version_dir.parent)])
    assert answer.exit_code == 1
    assert answer.output == "Error: no result for a model named or containing 'nothing-like-it'\n"


def test_sources_command_prints_each_input_with_its_origin(version_dir):
    answer = CliRunner().invoke(main, ["sources", "--out", str(version_dir.parent)])
    assert (answer.exit_code, answer.output) == (
        0,
        f"{OTHER_SOURCE}\n  f-fuchs/ObsidianNotes@1beb83ce; 1 tables, 1 rows\n"
        f"{SOURCE}\n  GeorgePearse/pytorch-image-models@1b928dcc; 1 tables, 10 rows\n",
    )


def test_show_prints_each_result_then_the_places_that_published_it(version_dir):
    answer = CliRunner().invoke(main, ["show", VIT_LARGE, "--out", str(version_dir.parent)])
    assert answer.output.splitlines() == [
        VIT_LARGE,
        "  top-1 84.648  top-5 -  params 304.17M  224 px  imagenet-1k",
        f"    {OTHER_SOURCE}:10  2025 Model Metrics > July 2025",
        f"    {SOURCE}:16  2025 Model Metrics > July 2025",
    ]


def test_a_place_that_published_another_value_says_which():
    place = {"source": SOURCE, "line": 16, "heading": "H", "top1": 84.6, "published_top1": 84.5}
    assert lookup.place_line(place) == f"    {SOURCE}:16  H  (published top-1 84.5)"


def test_a_lower_bound_and_a_sequence_length_are_shown_as_published():
    result = {
        "top1": 88.1,
        "top5": None,
        "params_m": 150.0,
        "params_lower_bound": True,
        "img_size": None,
        "eval_seq_len": 576,
        "pretrain_dataset": None,
    }
    assert lookup.result_line(result) == (
        "  top-1 88.1  top-5 -  params 150M+  576 tokens  pretraining not stated"
    )
