"""The data changelog: one entry per version, newest first, generated from the diffs."""

import json
import shutil

import polars as pl
import pyarrow.parquet as pq
import pytest

from pipeline import publish
from pipeline.changelog import (
    changelog_entry,
    changelog_markdown,
    entry_document,
    entry_from_document,
    entry_key,
)
from pipeline.diff import TableDiff, diff_versions


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


# Writing changelogs: entries come from the diff of written versions, or from the cache.
INPUTS = [{"source": "doc.md", "sha256": "a" * 64}]
KEY = entry_key("0.1.0", "a" * 64, "0.1.1", "b" * 64)


def results(**columns):
    base = {
        "result_id": ["r1", "r2", "r3"],
        "model": ["m1", "m2", "m3"],
        "top1": [80.0, float("nan"), 70.0],
        "sources": [["a.md"], [], None],
    }
    return pl.DataFrame({**base, **columns})


def models(**columns):
    return pl.DataFrame({"model": ["m1", "m2"], "n_results": [2, 1], **columns})


def write(out_dir, version, tables):
    dataset = publish.DatasetVersion("modelmetrics", version, tables, INPUTS)
    assert publish.write_version(out_dir, dataset).written


def full_changelog(out_dir):
    """CHANGELOG.md as first computed: every version read whole, every pair diffed whole."""
    entries, previous, previous_tables = [], None, {}
    for version in publish.released_versions(out_dir):
        tables = publish.read_tables(out_dir / f"v{version}")
        diffs = diff_versions(previous_tables, tables) if previous else []
        rows = {name: frame.height for name, frame in tables.items()}
        entries.append(changelog_entry(version, previous, diffs, rows))
        previous, previous_tables = version, tables
    return changelog_markdown(entries)


def cache_file(out_dir, previous="0.1.0", version="0.1.1"):
    return out_dir / publish.CHANGELOG_CACHE / f"v{previous}-v{version}.json"


CHANGES = pytest.mark.parametrize(
    ("name", "tables"),
    [
        ("a value edited", {"results": results(model=["m1", "m2", "m9"]), "models": models()}),
        (
            "a value edited beside a NaN",
            {"results": results(model=["m1", "m9", "m3"]), "models": models()},
        ),
        ("a float edited", {"results": results(top1=[80.5, None, 70.0]), "models": models()}),
        (
            "a list edited",
            {"results": results(sources=[["a.md"], ["b.md"], None]), "models": models()},
        ),
        (
            "rows added and removed",
            {"results": results().slice(1), "models": models(model=["m1", "m4"])},
        ),
        ("rows reordered", {"results": results().reverse(), "models": models()}),
        ("a column added", {"results": results(top5=[90.0, 91.0, 92.0]), "models": models()}),
        ("a column removed", {"results": results().drop("model"), "models": models()}),
        ("a column retyped", {"results": results(), "models": models(n_results=["2", "1"])}),
        ("a column renamed", {"results": results(), "models": models().rename({"n_results": "n"})}),
        ("a table added", {"results": results(), "models": models(), "extra": models()}),
        ("a table removed", {"results": results()}),
        ("nothing changed", {"results": results(), "models": models()}),
    ],
)


@CHANGES
@pytest.mark.parametrize(
    "row_group_rows", [publish.ROW_GROUP_ROWS, 1], ids=["one row group", "a row group a row"]
)
def test_the_changelog_equals_a_diff_of_whole_versions(
    tmp_path, monkeypatch, name, tables, row_group_rows
):
    # With a row group a row, the changelog reads only the row groups that differ.
    monkeypatch.setattr(publish, "ROW_GROUP_ROWS", row_group_rows)
    write(tmp_path, "0.1.0", {"results": results(), "models": models()})
    write(tmp_path, "0.1.1", tables)
    assert (tmp_path / "CHANGELOG.md").read_text() == full_changelog(tmp_path), name
    shutil.rmtree(tmp_path / publish.CHANGELOG_CACHE)
    publish.write_changelog(tmp_path, {})
    assert (tmp_path / "CHANGELOG.md").read_text() == full_changelog(tmp_path), name


@CHANGES
def test_a_version_of_encoded_tables_diffs_the_frames_it_was_given(tmp_path, name, tables):
    write(tmp_path, "0.1.0", {"results": results(), "models": models()})
    version = publish.DatasetVersion("modelmetrics", "0.1.1", {}, INPUTS)
    encoded = {name: publish.encode_table(version, name, frame) for name, frame in tables.items()}
    dataset = publish.DatasetVersion("modelmetrics", "0.1.1", encoded, INPUTS)
    assert publish.write_version(tmp_path, dataset, frames=tables).written
    assert (tmp_path / "CHANGELOG.md").read_text() == full_changelog(tmp_path), name


def test_a_new_entry_is_cached_and_a_cached_entry_is_used(tmp_path):
    write(tmp_path, "0.1.0", {"results": results(), "models": models()})
    write(tmp_path, "0.1.1", {"results": results(model=["m1", "m2", "m9"]), "models": models()})
    document = json.loads(cache_file(tmp_path).read_text())
    assert document["entry"] in (tmp_path / "CHANGELOG.md").read_text()
    cache_file(tmp_path).write_text(
        entry_document(document["key"], "## 0.1.1\n\nFrom the cache.\n")
    )
    publish.write_changelog(tmp_path, {})
    assert "From the cache." in (tmp_path / "CHANGELOG.md").read_text()


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("missing", lambda path: path.unlink()),
        ("truncated", lambda path: path.write_bytes(path.read_bytes()[:40])),
        ("not UTF-8", lambda path: path.write_bytes(b"\xff\xfe")),
        ("entry edited", lambda path: path.write_text(path.read_text().replace("m9", "m8"))),
        ("a directory", lambda path: (path.unlink(), path.mkdir())),
    ],
)
def test_a_missing_or_damaged_cache_entry_is_recomputed(tmp_path, name, damage):
    write(tmp_path, "0.1.0", {"results": results(), "models": models()})
    write(tmp_path, "0.1.1", {"results": results(model=["m1", "m2", "m9"]), "models": models()})
    expected = (tmp_path / "CHANGELOG.md").read_text()
    damage(cache_file(tmp_path))
    publish.write_changelog(tmp_path, {})
    assert (tmp_path / "CHANGELOG.md").read_text() == expected, name


def test_a_damaged_cache_entry_is_written_again(tmp_path):
    write(tmp_path, "0.1.0", {"results": results(), "models": models()})
    write(tmp_path, "0.1.1", {"results": results(model=["m1", "m2", "m9"]), "models": models()})
    cache_file(tmp_path).write_text("{")
    publish.write_changelog(tmp_path, {})
    assert "'m3' -> 'm9'" in json.loads(cache_file(tmp_path).read_text())["entry"]
    assert not list(cache_file(tmp_path).parent.glob(".*.tmp"))


def test_a_version_written_again_with_other_content_is_not_served_from_the_cache(tmp_path):
    write(tmp_path, "0.1.0", {"results": results(), "models": models()})
    write(tmp_path, "0.1.1", {"results": results(model=["m1", "m2", "m9"]), "models": models()})
    shutil.rmtree(tmp_path / "v0.1.1")
    write(tmp_path, "0.1.1", {"results": results(model=["m1", "m2", "m7"]), "models": models()})
    changelog = (tmp_path / "CHANGELOG.md").read_text()
    assert "'m3' -> 'm7'" in changelog
    assert "m9" not in changelog


@pytest.mark.parametrize(
    ("name", "document", "key", "expected"),
    [
        ("its own key", entry_document(KEY, "## 0.1.1\n"), KEY, "## 0.1.1\n"),
        ("another key", entry_document(KEY, "## 0.1.1\n"), {**KEY, "content_hash": "c"}, None),
        ("another format", entry_document({**KEY, "format": 0}, "## 0.1.1\n"), KEY, None),
        ("not JSON", "{", KEY, None),
        ("not an object", "[]", KEY, None),
        ("no entry", json.dumps({"key": KEY}), KEY, None),
        ("entry not text", json.dumps({"key": KEY, "entry": 1, "entry_sha256": ""}), KEY, None),
        (
            "entry edited",
            entry_document(KEY, "## 0.1.1\n").replace("0.1.1\\n", "0.1.2\\n"),
            KEY,
            None,
        ),
    ],
)
def test_a_cached_entry_is_used_only_for_its_key_and_intact(name, document, key, expected):
    assert entry_from_document(document, key) == expected, name


def stored_alike(old_path, new_path):
    """The columns two Parquet files store alike in every row group."""
    return publish.alike_in_every_row_group(publish.chunks_stored_alike(old_path, new_path))


@pytest.mark.parametrize(
    ("name", "new", "expected"),
    [
        ("one value edited", results(model=["m1", "m2", "m9"]), {"result_id", "top1", "sources"}),
        (
            "one list edited",
            results(sources=[["a.md"], ["b"], None]),
            {"result_id", "model", "top1"},
        ),
        ("rows reordered", results().reverse(), set()),
        ("a column renamed", results().rename({"model": "name"}), {"result_id", "top1", "sources"}),
        ("a column retyped", results(top1=[80, 0, 70]), {"result_id", "model", "sources"}),
        ("nothing", results(), {"result_id", "model", "top1", "sources"}),
    ],
)
def test_columns_stored_alike_are_those_with_the_same_type_and_bytes(tmp_path, name, new, expected):
    (tmp_path / "old.parquet").write_bytes(publish.parquet_bytes(results(), {})[0])
    (tmp_path / "new.parquet").write_bytes(publish.parquet_bytes(new, {})[0])
    alike = stored_alike(tmp_path / "old.parquet", tmp_path / "new.parquet")
    assert alike == expected, name


def test_a_column_edited_in_any_row_group_is_not_stored_alike(tmp_path):
    def write_parquet(path, frame):
        pq.write_table(frame.to_arrow(), path, row_group_size=1, compression="zstd")

    write_parquet(tmp_path / "old.parquet", results())
    write_parquet(tmp_path / "new.parquet", results(model=["m1", "m2", "m9"]))
    alike = stored_alike(tmp_path / "old.parquet", tmp_path / "new.parquet")
    assert pq.read_metadata(tmp_path / "new.parquet").num_row_groups == 3
    assert alike == {"result_id", "top1", "sources"}


def test_the_row_groups_of_a_column_are_stored_alike_up_to_the_one_edited(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "ROW_GROUP_ROWS", 1)
    (tmp_path / "old.parquet").write_bytes(publish.parquet_bytes(results(), {})[0])
    edited = results(model=["m1", "m2", "m9"])
    (tmp_path / "new.parquet").write_bytes(publish.parquet_bytes(edited, {})[0])
    alike = publish.chunks_stored_alike(tmp_path / "old.parquet", tmp_path / "new.parquet")
    assert alike["model"] == [True, True, False]
    assert alike["result_id"] == [True, True, True]
    assert publish.row_spans(tmp_path / "new.parquet") == [(0, 1), (1, 1), (2, 1)]
