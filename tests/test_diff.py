"""Diffs between versions: rows by key, field changes old -> new, schema changes, next version."""

from unittest.mock import patch

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import diff
from pipeline.diff import (
    TableDiff,
    columns_to_read,
    diff_as_json,
    diff_versions,
    equal_to_itself,
    format_diff_text,
    suggest_version,
)


def results(**columns):
    base = {"result_id": ["a", "b"], "top1": [80.0, 70.0]}
    return {"results": pl.DataFrame({**base, **columns})}


def test_a_changed_value_is_listed_with_old_and_new():
    new = {"results": pl.DataFrame({"result_id": ["a", "b"], "top1": [80.5, 70.0]})}
    (table,) = diff_versions(results(), new)
    assert table.changed == [{"key": {"result_id": "a"}, "fields": {"top1": [80.0, 80.5]}}]
    assert "~ result_id=a: top1: 80.0 -> 80.5" in format_diff_text([table])


def test_added_and_removed_rows_are_listed_by_key():
    new = {"results": pl.DataFrame({"result_id": ["b", "c"], "top1": [70.0, 60.0]})}
    (table,) = diff_versions(results(), new)
    assert (table.added, table.removed) == ([{"result_id": "c"}], [{"result_id": "a"}])


def test_schema_changes_are_listed():
    new = results(top5=[90.0, 91.0])
    (table,) = diff_versions(results(), new)
    assert table.columns_added == ["top5"]
    assert diff_as_json([table])["results"]["schema"]["columns_added"] == ["top5"]


def test_identical_versions_have_an_empty_diff():
    assert all(table.is_empty() for table in diff_versions(results(), results()))


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ({"results": pl.DataFrame({"result_id": ["a", "b"], "top1": [81.0, 70.0]})}, "1.2.4"),
        (
            {"results": pl.DataFrame({"result_id": ["a", "b", "c"], "top1": [80.0, 70.0, 1.0]})},
            "1.3.0",
        ),
        ({"results": pl.DataFrame({"result_id": ["a", "b"]})}, "2.0.0"),
        ({"results": pl.DataFrame({"result_id": ["a", "b"], "top1": ["80", "70"]})}, "2.0.0"),
    ],
)
def test_the_suggested_version_follows_semver(new, expected):
    assert suggest_version("1.2.3", diff_versions(results(), new)) == expected


# The diff as first written: every row paired by a join, every column compared row by row. The
# faster diff must give exactly its result, in the same order.
def reference_diff(old: pl.DataFrame, new: pl.DataFrame, key: list[str]) -> TableDiff:
    shared = [c for c in new.columns if c in old.columns]
    retyped = [c for c in shared if old.schema[c] != new.schema[c]]
    columns = [c for c in shared if c not in key and c not in retyped]
    paired = old.select(*key, *columns).join(
        new.select(*key, *columns), on=key, how="inner", suffix="__new"
    )
    differs = [pl.col(c).ne_missing(pl.col(f"{c}__new")) for c in columns]
    rows = paired.filter(pl.any_horizontal(differs)).sort(key).to_dicts() if differs else []
    return TableDiff(
        "rows",
        added=new.join(old, on=key, how="anti").select(key).to_dicts(),
        removed=old.join(new, on=key, how="anti").select(key).to_dicts(),
        changed=[
            {
                "key": {k: row[k] for k in key},
                "fields": {
                    c: [row[c], row[f"{c}__new"]] for c in columns if row[c] != row[f"{c}__new"]
                },
            }
            for row in rows
        ],
        columns_added=[c for c in new.columns if c not in old.columns],
        columns_removed=[c for c in old.columns if c not in new.columns],
        columns_retyped=retyped,
    )


CELL = pl.Struct({"header": pl.String, "text": pl.String})
SCHEMA = {
    "id": pl.String,
    "count": pl.Int64,
    "score": pl.Float64,
    "label": pl.String,
    "tags": pl.List(pl.String),
    "cells": pl.List(CELL),
    "pair": pl.Struct({"a": pl.Int64, "b": pl.Float64}),
}
texts = st.none() | st.sampled_from(["", "a", "b", "150+"])
scores = st.none() | st.sampled_from([0.0, -0.0, 1.5, float("nan")])
values = {
    "count": st.none() | st.integers(0, 2),
    "score": scores,
    "label": texts,
    "tags": st.none() | st.lists(texts, max_size=2),
    "cells": st.none()
    | st.lists(st.fixed_dictionaries({"header": texts, "text": texts}), max_size=2),
    "pair": st.none() | st.fixed_dictionaries({"a": st.none() | st.integers(0, 1), "b": scores}),
}
rows_strategy = st.fixed_dictionaries(values)


@st.composite
def version_pairs(draw, unique_keys=True):
    """An old frame and a new one made from it: some rows edited; maybe rows dropped, added and
    the order changed."""
    keys = st.lists(
        st.none() | st.sampled_from([f"k{i}" for i in range(12)]), min_size=1, max_size=10
    )
    keys = keys.filter(lambda found: len(set(found)) == len(found)) if unique_keys else keys
    edits = st.just({}) | st.fixed_dictionaries({}, optional=values)
    old_rows = [{"id": key, **draw(rows_strategy)} for key in draw(keys)]
    new_rows = [{**row, **draw(edits)} for row in old_rows]
    if draw(st.booleans()):
        kept = [row for row in new_rows if draw(st.booleans())]
        added = [{"id": key, **draw(rows_strategy)} for key in draw(keys)]
        new_rows = draw(st.permutations(kept + added))
    return pl.DataFrame(old_rows, schema=SCHEMA), pl.DataFrame(new_rows, schema=SCHEMA)


@settings(max_examples=300, deadline=None)
@given(version_pairs())
def test_the_diff_equals_a_full_row_by_row_comparison(pair):
    old, new = pair
    new = new.unique("id", keep="first", maintain_order=True)
    with patch.object(diff, "BLOCK_ROWS", 1):
        (table,) = diff_versions({"rows": old}, {"rows": new})
    assert repr(table) == repr(reference_diff(old, new, ["id"]))


@settings(max_examples=150, deadline=None)
@given(version_pairs(unique_keys=False))
def test_repeated_keys_pair_every_old_row_with_every_new_row_of_that_key(pair):
    old, new = pair
    with patch.object(diff, "BLOCK_ROWS", 1):
        (table,) = diff_versions({"rows": old}, {"rows": new})
    expected = reference_diff(old, new, ["id"])
    assert sorted(map(repr, table.changed)) == sorted(map(repr, expected.changed))
    assert (table.added, table.removed) == (expected.added, expected.removed)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (pl.String, True),
        (pl.List(pl.Struct({"header": pl.String, "text": pl.String})), True),
        (pl.Float64, False),
        (pl.Decimal(10, 2), False),
        (pl.List(pl.Float32), False),
        (pl.Struct({"a": pl.Int64, "b": pl.Float64}), False),
    ],
)
def test_only_types_without_nan_compare_equal_to_themselves(dtype, expected):
    assert equal_to_itself(dtype) is expected


@pytest.mark.parametrize(
    ("name", "unchanged", "new_types", "expected"),
    [
        ("unchanged text is left out", {"model"}, {}, ["result_id", "top1"]),
        ("the key is always read", {"result_id", "model"}, {}, ["result_id", "top1"]),
        ("floats are always read (NaN)", {"model", "top1"}, {}, ["result_id", "top1"]),
        (
            "a retyped column is read",
            {"model"},
            {"model": pl.Int64},
            ["result_id", "model", "top1"],
        ),
        ("changed columns are read", set(), {}, ["result_id", "model", "top1"]),
    ],
)
def test_a_diff_reads_the_columns_it_can_list(name, unchanged, new_types, expected):
    old = pl.Schema({"result_id": pl.String, "model": pl.String, "top1": pl.Float64})
    new = pl.Schema({**old, **new_types})
    assert columns_to_read("results", old, new, unchanged) == expected, name


def test_one_edited_cell_deep_in_a_nested_column_is_found_in_its_block():
    def frame(edited_text):
        cells = [[{"header": "Top-5", "text": f"{i}"}] for i in range(10)]
        cells[7][0]["text"] = edited_text
        return {"rows": pl.DataFrame({"id": [f"r{i}" for i in range(10)], "cells": cells})}

    with patch.object(diff, "BLOCK_ROWS", 4):
        (table,) = diff_versions(frame("7"), frame("x"))
    old_cells, new_cells = [{"header": "Top-5", "text": "7"}], [{"header": "Top-5", "text": "x"}]
    assert table.changed == [{"key": {"id": "r7"}, "fields": {"cells": [old_cells, new_cells]}}]
