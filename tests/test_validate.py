"""Domain checks: each one quarantines the row that breaks it and names the likely cause."""

import polars as pl
import pytest

from pipeline.errors import SchemaViolation
from pipeline.validate import ensure_schema, ensure_unique, quarantine_failures
from schemas.results import Result
from tests.factories import observation, observations_frame


def test_a_plausible_row_is_not_quarantined():
    assert quarantine_failures(observations_frame(observation())).height == 0


@pytest.mark.parametrize(
    ("values", "check", "cause"),
    [
        ({"model": None}, "model_named", "no model name"),
        ({"model": "  "}, "model_named", "no model name"),
        ({"model": "TPU v3-32"}, "model_not_a_run", "a run or its hardware"),
        ({"model": "v100_x8_mixed_precision"}, "model_not_a_run", "a run or its hardware"),
        ({"model": "8p-NPU"}, "model_not_a_run", "a run or its hardware"),
        ({"model": "1p-竞品V"}, "model_not_a_run", "a run or its hardware"),
        ({"model": "GPU"}, "model_not_a_run", "a run or its hardware"),
        ({"parse_errors": ["top1: '85.x' is not a number"]}, "cells_readable", "could not be read"),
        ({"top1": 0.0}, "top1_in_range", "outside (1, 100]"),
        ({"top1": 100.5, "top5": None}, "top1_in_range", "a fraction instead of a percent"),
        ({"top1": 0.852, "top5": None}, "top1_in_range", "a fraction instead of a percent"),
        ({"top1": 1.0, "top5": None}, "top1_in_range", "outside (1, 100]"),
        ({"top5": 101.0}, "top5_in_range", "outside (1, 100]"),
        ({"top1": 23.53, "top5": None}, "top1_plausible", "an error rate under an accuracy"),
        ({"top1": 30.0, "top5": None}, "top1_plausible", "below any published"),
        ({"top1": None, "top5": 0.97}, "top5_in_range", "a fraction instead of a percent"),
        ({"top1": 90.0, "top5": 80.0}, "top5_at_least_top1", "columns swapped"),
        ({"params_m": 0.0}, "params_positive", "not above 0"),
        ({"params_m": -3.0}, "params_positive", "not above 0"),
        ({"img_size": 16}, "img_size_in_range", "outside 32..2048"),
        ({"img_size": 4096}, "img_size_in_range", "outside 32..2048"),
        ({"eval_seq_len": 0, "img_size": None}, "eval_seq_len_positive", "not above 0"),
    ],
)
def test_each_check_quarantines_the_row_that_breaks_it(values, check, cause):
    rows = observations_frame(observation(0), observation(1, **values))
    quarantined = quarantine_failures(rows)
    assert quarantined.select("observation_id", "check").rows() == [("doc.md#0.1", check)]
    assert cause in quarantined.item(0, "reason")
    assert quarantined.item(0, "line") == 11


@pytest.mark.parametrize(
    "model", ["GPUNet-1", "EfficientNet-EdgeTPU-S", "MobileNet-EdgeTPU", "P2T-Tiny", "v2b0", "8pt"]
)
def test_a_model_named_for_hardware_is_no_run(model: str) -> None:
    assert quarantine_failures(observations_frame(observation(0, model=model))).height == 0


def test_an_unreadable_params_cell_holds_back_no_result():
    # RepVGG's params cell gives two counts; its top-1 is read right.
    error = "params_m: '14.09 (train) | 12.79 (deploy)' is not a parameter count"
    row = observation(0, params_m=None, parse_errors=[error])
    assert quarantine_failures(observations_frame(row)).height == 0
    also_top1 = observation(0, params_m=None, parse_errors=[error, "top1: '85.x' is not a number"])
    checks = quarantine_failures(observations_frame(also_top1)).get_column("check").to_list()
    assert checks == ["cells_readable"]


def test_an_unreadable_cell_is_named_in_the_reason() -> None:
    errors = ["top1: '83.9|85.1|85.7' holds 3 numbers, not one", "params_m: 'lots' is not a count"]
    row = observation(0, top1=None, params_m=None, parse_errors=errors)
    assert quarantine_failures(observations_frame(row)).item(0, "reason") == (
        "a cell could not be read as a value (top1: '83.9|85.1|85.7' holds 3 numbers, not one): "
        "a typo in the source, or several results in one cell?"
    )


def error_rate_table(*top5s: float | None) -> pl.DataFrame:
    """A table whose top-1 column rises 22.9, 23.9, ... beside the given top-5s."""
    return observations_frame(
        *(observation(row, top1=22.9 + row, top5=top5) for row, top5 in enumerate(top5s))
    )


def test_a_table_of_error_rates_under_accuracy_headers_is_quarantined_whole():
    # ShuffleNet's "Top-1 | Top-5": 22.9 | 6.7, and "23.4 | /" for a model without a top-5.
    quarantined = quarantine_failures(error_rate_table(6.7, None, 7.4))
    # Each row once, for the table: "columns swapped" is not why (Keras' two lines a row).
    assert quarantined.select("observation_id", "check").rows() == [
        ("doc.md#0.0", "table_of_accuracies"),
        ("doc.md#0.1", "table_of_accuracies"),
        ("doc.md#0.2", "table_of_accuracies"),
    ]
    assert "error rates" in quarantined.item(0, "reason")


@pytest.mark.parametrize(
    "top5s",
    [
        # One swapped row: only that row is held back, by top5_at_least_top1.
        (6.7, None, None),
        (6.7, 96.0, None),
        # Below top-1 in half the rows with both: not most.
        (6.7, 7.4, 96.0, 97.0),
    ],
)
def test_a_table_with_a_row_or_two_below_its_top1_is_no_table_of_error_rates(top5s):
    checks = quarantine_failures(error_rate_table(*top5s)).get_column("check")
    assert "table_of_accuracies" not in checks.to_list()


def test_only_the_table_of_error_rates_is_quarantined():
    other_table = observation(3, table_index=1, top1=80.0, top5=None)
    rows = pl.concat([error_rate_table(6.7, 7.4), observations_frame(other_table)])
    quarantined = quarantine_failures(rows).get_column("observation_id").unique().sort()
    assert quarantined.to_list() == ["doc.md#0.0", "doc.md#0.1"]


def test_boundaries_of_the_ranges_are_accepted():
    edge = observation(0, top1=100.0, top5=100.0, img_size=32, params_m=0.001)
    low = observation(2, top1=30.01, top5=30.5)
    low_top5 = observation(3, top1=None, top5=1.5)
    frame = observations_frame(edge, observation(1, img_size=2048), low, low_top5)
    assert quarantine_failures(frame).height == 0


def test_missing_values_are_not_failures():
    empty = observation(0, top1=None, top5=None, params_m=None, img_size=None)
    assert quarantine_failures(observations_frame(empty)).height == 0


def test_a_blank_row_of_a_results_table_is_not_quarantined():
    # EfficientViT separates groups of rows with "| | | |": no model, no value, nothing to check.
    blank = observation(
        1, model=None, top1=None, top5=None, raw_cells=[{"header": "Model", "text": " "}]
    )
    unnamed = observation(
        2,
        model=None,
        raw_cells=[{"header": "Model", "text": ""}, {"header": "Top-1", "text": "80"}],
    )
    # PyTorch's blog draws its delimiter row again between models: a separator too.
    delimiters = observation(
        3,
        model=None,
        top1=None,
        top5=None,
        raw_cells=[{"header": "Model", "text": "----"}, {"header": "Top-1", "text": ":--:"}],
    )
    dashed = observation(
        4,
        model=None,
        raw_cells=[{"header": "Model", "text": "--"}, {"header": "Top-1", "text": "8"}],
    )
    observations = observations_frame(observation(0), blank, unnamed, delimiters, dashed)
    quarantined = quarantine_failures(observations)
    assert quarantined.select("observation_id", "check").rows() == [
        ("doc.md#0.2", "model_named"),
        ("doc.md#0.4", "model_named"),
    ]


def test_rows_outside_results_tables_are_not_checked():
    prose_table = observation(0, model=None, is_results_table=False)
    assert quarantine_failures(observations_frame(prose_table)).height == 0


def test_a_row_breaking_two_checks_is_listed_under_both():
    row = observation(0, top1=120.0, top5=90.0)
    checks = quarantine_failures(observations_frame(row)).get_column("check").to_list()
    assert checks == ["top1_in_range", "top5_at_least_top1"]


def test_an_output_that_breaks_its_schema_fails_with_the_table_name():
    with pytest.raises(SchemaViolation, match="table results breaks its schema Result"):
        ensure_schema(pl.DataFrame({"result_id": ["x"]}), Result, "results")


def test_an_all_null_typed_column_fails_the_output():
    frame = pl.DataFrame({"result_id": ["x"], "top1": [None]})
    with pytest.raises(SchemaViolation, match=r"columns with no type \(all null\): \['top1'\]"):
        ensure_schema(frame, Result, "results")


def test_rows_repeating_their_identifying_columns_fail_the_build():
    rows = pl.DataFrame({"source": ["a.md", "a.md", "b.md"], "row_index": [0, 0, 0]})
    with pytest.raises(SchemaViolation, match=r"2 rows repeat \['source', 'row_index'\]"):
        ensure_unique(rows, ["source", "row_index"], "observations")
    ensure_unique(rows.slice(1), ["source", "row_index"], "observations")
