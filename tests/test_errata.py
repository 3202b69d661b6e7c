"""Errata: known errors of the sources are corrected, flagged on the row, and never go stale."""

import polars as pl
import pytest

from pipeline.errata import Correction, apply_errata, correct_rows, load_errata, refuse_stale
from pipeline.errors import ModelmetricsError
from tests.factories import observation, observations_frame

TYPO = Correction("doc.md", "training_method", "224^2", "typo", contains="222^2")
SWIN = Correction(
    "doc.md", "training_method", "supervised", "mislabelled", equals="SimMIM", model_prefix="Swin"
)
RENAME = Correction(
    "doc.md", "model", "convformer_in21ft1k", "misspelling", equals="convformer_in21kft1k"
)


def corrected(correction, **values):
    return apply_errata(observations_frame(observation(0, **values)), [correction]).row(
        0, named=True
    )


def test_a_substring_typo_is_replaced_inside_the_value():
    row = corrected(TYPO, training_method="supervised at 222^2, finetuned at 384^2")
    assert row["training_method"] == "supervised at 224^2, finetuned at 384^2"
    assert row["corrections"] == ["training_method: '222^2' -> '224^2' (typo)"]


def test_a_whole_value_is_replaced_only_for_the_models_it_names():
    assert (
        corrected(SWIN, model="SwinV2-T", training_method="SimMIM")["training_method"]
        == "supervised"
    )
    rows = observations_frame(
        observation(0, model="SwinV2-B", training_method="SimMIM"),
        observation(1, model="MAE-B", training_method="SimMIM"),
    )
    other = apply_errata(rows, [SWIN]).row(1, named=True)
    assert (other["training_method"], other["corrections"]) == ("SimMIM", [])


def test_a_renamed_paper_model_renames_its_architecture_too():
    row = corrected(RENAME, model="convformer_in21kft1k", architecture="convformer_in21kft1k")
    assert (row["model"], row["architecture"]) == ("convformer_in21ft1k", "convformer_in21ft1k")


def test_the_raw_cells_keep_what_was_published():
    row = corrected(TYPO, training_method="at 222^2", training_method_raw="at 222^2")
    assert row["training_method_raw"] == "at 222^2"


def test_a_correction_for_another_document_changes_nothing():
    other_doc = Correction("other.md", "training_method", "x", "r", equals="SimMIM")
    assert corrected(other_doc, training_method="SimMIM")["training_method"] == "SimMIM"


def test_a_stale_correction_fails_the_build():
    with pytest.raises(ModelmetricsError, match="matches no row: stale erratum"):
        apply_errata(observations_frame(observation(0, training_method="supervised")), [TYPO])


def test_a_correction_matching_in_a_later_batch_is_not_stale():
    first = observations_frame(observation(0, training_method="supervised"))
    second = observations_frame(observation(1, training_method="at 222^2"))
    _, matched_first = correct_rows(first, [TYPO, SWIN])
    corrected_second, matched_second = correct_rows(second, [TYPO, SWIN])
    assert (matched_first, matched_second) == (set(), {0})
    assert corrected_second.item(0, "training_method") == "at 224^2"
    refuse_stale([TYPO], matched_first | matched_second, {"doc.md"})
    with pytest.raises(ModelmetricsError, match=r"correction of training_method in doc\.md"):
        refuse_stale([TYPO, SWIN], matched_first | matched_second, {"doc.md"})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[correction]]\nsource="a"\nfield="top1"\nequals="1"\nreplacement="2"\nreason="r"',
            "cannot be corrected",
        ),
        (
            '[[correction]]\nsource="a"\nfield="model"\nreplacement="2"\nreason="r"',
            "exactly one of equals",
        ),
        ('[[correction]]\nsource="a"\nfield="model"\nequals="1"\nreplacement="2"', "malformed"),
    ],
)
def test_a_malformed_erratum_is_refused(toml, message):
    with pytest.raises(ModelmetricsError, match=message):
        load_errata(toml)


def test_the_shipped_errata_load():
    assert {c.field for c in load_errata()} == {"training_method", "model"}


def test_the_seed_build_corrects_the_known_errors_of_the_obsidian_note(seed_tables):
    results = seed_tables["results"]
    swin = results.filter(pl.col("model").str.starts_with("SwinV2"))
    assert set(swin.get_column("training_method").to_list()) == {"supervised"}
    methods = results.get_column("training_method").drop_nulls()
    assert not methods.str.contains("222^2", literal=True).any()
    assert results.filter(pl.col("model") == "convformer_b36_384_in21kft1k").height == 0
    renamed = results.filter(pl.col("model") == "convformer_b36_384_in21ft1k").row(0, named=True)
    assert (renamed["top1"], renamed["pretrain_dataset"]) == (87.6, "imagenet-22k")
    observations = seed_tables["observations"]
    assert observations.filter(pl.col("corrections").list.len() > 0).height == 18
    assert observations.filter(pl.col("training_method_raw") == "SimMIM").height == 10
