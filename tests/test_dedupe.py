"""Dedupe: one result per key, every place kept, disagreements explicit and decided the same way."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dedupe import (
    MERGED_COLUMNS,
    SUMMARIZED_COLUMNS,
    assign_status,
    merge_results,
    merge_voted_results,
    models_named_more_than_once,
    models_named_once,
    result_id,
    results_published_once,
    summarize_models,
    with_written_decimals,
)
from pipeline.errata import apply_errata
from pipeline.validate import empty_quarantine, quarantine_failures
from tests.factories import observation, observations_frame

SO150 = "vit_so150m2_patch16_reg1_gap_448.sbb_e200_in12k_ft_in1k"


def merged(*rows):
    observations = observations_frame(*rows)
    with_status = assign_status(apply_errata(observations, []), quarantine_failures(observations))
    results, conflicts = merge_results(with_status)
    return with_status, results, conflicts


def test_the_same_result_in_two_documents_is_one_result_with_both_places():
    first = observation(0, source="a.md", model=SO150, top1=88.1, top5=None)
    second = observation(0, source="b.md", model=SO150, top1=88.1, top5=None)
    observations, results, conflicts = merged(first, second)
    assert results.height == 1
    assert results.row(0, named=True)["n_observations"] == 2
    assert results.row(0, named=True)["sources"] == ["a.md", "b.md"]
    assert conflicts.height == 0
    assert observations.get_column("result_id").n_unique() == 1


def test_different_eval_sizes_are_different_results():
    _, results, _ = merged(
        observation(0, img_size=288, top1=81.838), observation(1, img_size=224, top1=80.952)
    )
    assert sorted(results.get_column("img_size").to_list()) == [224, 288]


def test_different_pretraining_data_are_different_results_of_one_model():
    in1k = observation(
        0, model="ViT-L", family="DeiT III", top1=85.8, pretrain_dataset="imagenet-1k"
    )
    in22k = observation(
        1, model="ViT-L", family="DeiT III", top1=87.7, pretrain_dataset="imagenet-22k"
    )
    observations, results, _ = merged(in1k, in22k)
    assert results.height == 2
    models = summarize_models(observations, results)
    assert models.height == 1
    assert models.row(0, named=True)["pretrain_datasets"] == ["imagenet-1k", "imagenet-22k"]


def test_a_disagreement_becomes_a_conflict_row_with_both_values_and_places():
    first = observation(0, source="a.md", top1=80.1)
    second = observation(0, source="b.md", top1=80.3)
    _, results, conflicts = merged(first, second)
    assert results.row(0, named=True)["top1"] == 80.1
    assert results.row(0, named=True)["has_conflict"] is True
    conflict = conflicts.row(0, named=True)
    assert (conflict["field"], conflict["chosen_value"], conflict["other_value"]) == (
        "top1",
        "80.1",
        "80.3",
    )
    assert conflict["chosen_observations"] == ["a.md#0.0"]
    assert conflict["other_observations"] == ["b.md#0.0"]


def test_the_most_published_value_wins_a_conflict():
    rows = [
        observation(i, source=f"{name}.md", top1=value)
        for i, (name, value) in enumerate([("a", 80.1), ("b", 80.3), ("c", 80.3)])
    ]
    _, results, conflicts = merged(*rows)
    assert results.item(0, "top1") == 80.3
    assert conflicts.get_column("other_value").to_list() == ["80.1"]


def test_a_missing_value_is_filled_from_another_place_without_a_conflict():
    _, results, conflicts = merged(observation(0, top5=None), observation(1, top5=95.5))
    assert results.item(0, "top5") == 95.5
    assert conflicts.height == 0


def test_rows_without_metrics_make_no_result_but_stay_in_models():
    no_metrics = observation(
        0, model="vit_so150m_patch16_reg4_gap_256.sbb_e250_in12k", top1=None, top5=None
    )
    observations, results, _ = merged(no_metrics)
    assert results.height == 0
    assert observations.item(0, "status") == "no_result"
    assert observations.item(0, "result_id") is None
    assert summarize_models(observations, results).item(0, "n_results") == 0


def test_quarantined_rows_make_no_result():
    observations, results, _ = merged(observation(0, top1=150.0))
    assert observations.item(0, "status") == "quarantined"
    assert results.height == 0


def test_result_ids_depend_only_on_the_key():
    assert result_id("m", "imagenet-1k", 224, None) == result_id("m", "imagenet-1k", 224, None)
    assert result_id("m", "imagenet-1k", 224, None) != result_id("m", "imagenet-1k", 288, None)
    assert len(result_id("m", None, None, 576)) == 16


@settings(max_examples=40, deadline=None)
@given(st.permutations(list(range(6))))
def test_dedupe_ignores_row_order(order):
    values = [
        ("a.md", 80.1, 224),
        ("b.md", 80.3, 224),
        ("c.md", 80.1, 224),
        ("a.md", 79.0, 288),
        ("b.md", None, 288),
        ("c.md", 70.0, 160),
    ]
    rows = [
        observation(i, source=values[i][0], top1=values[i][1], img_size=values[i][2])
        for i in range(6)
    ]
    shuffled = observations_frame(*[rows[i] for i in order])
    status = assign_status(apply_errata(shuffled, []), empty_quarantine())
    results, conflicts = merge_results(status)
    baseline_status = assign_status(apply_errata(observations_frame(*rows), []), empty_quarantine())
    baseline_results, baseline_conflicts = merge_results(baseline_status)
    assert results.equals(baseline_results)
    assert conflicts.equals(baseline_conflicts)


def test_observation_columns_keep_source_line_and_table_index():
    observations, _, _ = merged(observation(3))
    assert observations.select("source", "line", "table_index").row(0) == ("doc.md", 13, 0)
    assert observations.schema["result_id"] == pl.String


def test_top5_is_taken_only_from_places_agreeing_with_the_kept_top1():
    first = observation(0, source="a.md", top1=80.5, top5=None)
    second = observation(0, source="b.md", top1=80.1, top5=80.3)
    third = observation(0, source="c.md", top1=80.5, top5=None)
    _, results, conflicts = merged(first, second, third)
    assert results.select("top1", "top5").row(0) == (80.5, None)
    assert conflicts.select("field", "other_value").rows() == [("top1", "80.1")]


def test_a_top5_of_a_place_disagreeing_on_top1_is_a_conflict_not_dropped():
    # Keras and ONNX publish ResNet50 at 74.9 / 92.1 and 74.93 / 92.38.
    first = observation(0, source="a.md", top1=74.9, top5=92.1)
    second = observation(0, source="b.md", top1=74.9, top5=92.1)
    third = observation(0, source="c.md", top1=74.93, top5=92.38)
    _, results, conflicts = merged(first, second, third)
    assert results.select("top1", "top5", "has_conflict").row(0) == (74.9, 92.1, True)
    # 74.93 is 74.9 written to two decimals: no conflict; 92.38 is not 92.1.
    assert conflicts.select("field", "chosen_value", "other_value").rows() == [
        ("top5", "92.1", "92.38"),
    ]


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [
        # Keras' 22.9 and timm's 22.91048 for one count: one number, two precisions.
        (72.9, 72.91048, False),
        (72.91048, 72.9, False),
        (74.9, 74.93, False),
        (85.2, 85.25, False),  # either way of rounding a half
        (80.0, 80.04, False),
        (74.9, 74.96, True),
        (85.2, 85.26, True),
        (80.1, 80.3, True),
        (86.0, 86.6, True),  # "86" may be 86.0: a whole number is read to one decimal
        (81.25, 81.26, True),
    ],
)
def test_numbers_that_differ_only_in_decimals_written_are_no_conflict(first, second, conflict):
    rows = [
        observation(0, source="a.md", top1=first, top5=None, params_m=first),
        observation(0, source="b.md", top1=second, top5=None, params_m=second),
    ]
    _, results, conflicts = merged(*rows)
    assert results.select("top1", "params_m", "has_conflict").row(0) == (first, first, conflict)
    expected = [("params_m", str(second)), ("top1", str(second))] if conflict else []
    assert conflicts.select("field", "other_value").sort("field").rows() == expected


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [
        # mindcv's 68.07 and 68.10, both written to two decimals: a trailing zero counts.
        (("68.07", 68.07), ("68.10", 68.1), True),
        (("**68.10**%", 68.1), ("68.07", 68.07), True),
        (("68.1", 68.1), ("68.07", 68.07), False),
        # As an error rate (31.90 is 68.10) or a fraction (0.6810 is 68.10).
        (("31.90", 68.1), ("68.07", 68.07), True),
        (("0.6810", 68.1), ("68.07", 68.07), True),
        (("0.681", 68.1), ("68.07", 68.07), False),
        # The number of the value in a cell of two ("68.1 | 88.40"), not its neighbour.
        (("68.1 | 88.40", 68.1), ("68.07", 68.07), False),
        # No number in the text that is the value (a correction): its decimals as printed.
        (("68.30", 68.1), ("68.07", 68.07), False),
    ],
)
def test_a_number_is_as_precise_as_the_page_writes_it(first, second, conflict):
    rows = [
        observation(0, source="a.md", top1=first[1], top1_raw=first[0], top5=None),
        observation(0, source="b.md", top1=second[1], top1_raw=second[0], top5=None),
    ]
    _, results, conflicts = merged(*rows)
    assert results.get_column("has_conflict").to_list() == [conflict]
    assert conflicts.height == int(conflict)


def test_a_top5_is_taken_from_a_place_whose_top1_differs_only_in_decimals_written():
    first = observation(0, source="a.md", top1=72.9, top5=None)
    second = observation(0, source="b.md", top1=72.91048, top5=91.2)
    _, results, conflicts = merged(first, second)
    assert results.select("top1", "top5", "has_conflict").row(0) == (72.9, 91.2, False)
    assert conflicts.height == 0


def test_a_top5_without_a_top1_fills_in_when_it_fits_the_kept_top1():
    first = observation(0, source="a.md", top1=80.1, top5=None)
    second = observation(0, source="b.md", top1=None, top5=95.2)
    _, results, _ = merged(first, second)
    assert results.select("top1", "top5").row(0) == (80.1, 95.2)


OPTIONAL_TOP = st.one_of(st.none(), st.floats(min_value=50, max_value=99, allow_nan=False))
ROW_VALUES = st.fixed_dictionaries(
    {
        "top1": OPTIONAL_TOP,
        "top5": OPTIONAL_TOP,
        "params_m": st.one_of(st.none(), st.sampled_from([5.0, 25.6, 150.0])),
        "params_lower_bound": st.booleans(),
        "family": st.one_of(st.none(), st.sampled_from(["ResNet", "ViT"])),
        "pretrain_dataset": st.one_of(st.none(), st.sampled_from(["imagenet-1k", "laion-2b"])),
    }
)


@settings(max_examples=40, deadline=None)
@given(st.lists(ROW_VALUES, min_size=1, max_size=6))
def test_a_result_or_model_named_once_is_summarized_as_the_vote_would(values):
    # Every row names its own model, so every result and model has one row: the shortcut for
    # those must give exactly what the general vote gives.
    rows = [
        observation(i, model=f"m{i}.tag", architecture=f"m{i}", pretrained_tag="tag", **row)
        for i, row in enumerate(values)
    ]
    observations = assign_status(apply_errata(observations_frame(*rows), []), empty_quarantine())
    measured = (
        with_written_decimals(observations)
        .select(*MERGED_COLUMNS, "status")
        .filter(pl.col("status") == "result")
        .with_row_index("order")
    )
    voted, conflicts = merge_voted_results(measured)
    assert results_published_once(measured).sort("model").equals(voted.sort("model"))
    assert conflicts.height == 0
    named = observations.select(*SUMMARIZED_COLUMNS)
    assert models_named_once(named).equals(models_named_more_than_once(named).sort("model"))


@settings(max_examples=30, deadline=None)
@given(st.lists(ROW_VALUES, min_size=1, max_size=6), st.integers(min_value=1, max_value=7))
def test_status_and_ids_assigned_in_batches_equal_those_assigned_at_once(values, batch_rows):
    rows = [observation(i, model=f"m{i % 2}.tag", **row) for i, row in enumerate(values)]
    observations = apply_errata(observations_frame(*rows), [])
    quarantine = quarantine_failures(observations)
    at_once = assign_status(observations, quarantine, batch_rows=len(rows))
    assert assign_status(observations, quarantine, batch_rows=batch_rows).equals(at_once)
