"""Diffs between versions: rows by key, field changes old -> new, schema changes, next version."""

import polars as pl
import pytest

from pipeline.diff import diff_as_json, diff_versions, format_diff_text, suggest_version


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
