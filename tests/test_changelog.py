"""The data changelog: one entry per version, newest first, generated from the diffs."""

from pipeline.changelog import changelog_entry, changelog_markdown
from pipeline.diff import TableDiff


def test_the_first_release_says_what_it_holds():
    entry = changelog_entry("0.1.0", None, [], {"results": 137, "models": 116})
    assert entry == "## 0.1.0\n\nFirst release: 137 results, 116 models.\n"


def test_a_later_version_lists_changed_rows_with_old_and_new_values():
    change = {"key": {"result_id": "ab"}, "fields": {"top1": [80.952, 80.953]}}
    diffs = [TableDiff("results", changed=[change]), TableDiff("models")]
    entry = changelog_entry("0.1.1", "0.1.0", diffs, {"results": 137})
    assert entry.splitlines() == [
        "## 0.1.1",
        "",
        "Against 0.1.0:",
        "",
        "- `results`: 0 added, 0 removed, 1 changed",
        "  - result_id=ab: top1: 80.952 -> 80.953",
    ]


def test_an_unchanged_version_says_so():
    entry = changelog_entry("0.1.1", "0.1.0", [TableDiff("results")], {"results": 1})
    assert "No change to the tables since 0.1.0." in entry


def test_the_newest_version_comes_first():
    text = changelog_markdown(["## 0.1.0\n", "## 0.2.0\n"])
    assert text.index("## 0.2.0") < text.index("## 0.1.0")
