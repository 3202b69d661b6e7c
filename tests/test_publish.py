"""Publishing: same tables give the same bytes, versions never change, latest moves last."""

import fcntl
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor

import polars as pl
import pyarrow.parquet as pq
import pytest

from pipeline import publish
from pipeline.errors import VersionError

INPUTS = [{"source": "doc.md", "sha256": "a" * 64}]


def dataset(version="0.1.0", top1=80.0):
    results = pl.DataFrame({"result_id": ["r1", "r2"], "top1": [top1, 70.0]})
    models = pl.DataFrame({"model": ["m1"], "n_results": pl.Series([2], dtype=pl.Int32)})
    return publish.DatasetVersion(
        "modelmetrics", version, {"results": results, "models": models}, INPUTS
    )


def test_the_same_tables_render_to_the_same_bytes():
    assert publish.render_files(dataset()) == publish.render_files(dataset())


def test_parquet_files_carry_their_version_and_content_hash(tmp_path):
    outcome = publish.write_version(tmp_path, dataset())
    metadata = pq.read_metadata(outcome.path / "results.parquet").metadata
    assert metadata[b"modelmetrics.version"] == b"0.1.0"
    assert metadata[b"modelmetrics.table"] == b"results"
    assert json.loads(metadata[b"modelmetrics.inputs_sha256"]) == {"doc.md": "a" * 64}
    manifest = json.loads((outcome.path / "manifest.json").read_text())
    assert manifest["tables"]["results"]["rows"] == 2
    assert manifest["inputs"] == INPUTS


def test_writing_a_version_twice_with_the_same_content_changes_nothing(tmp_path):
    first = publish.write_version(tmp_path, dataset())
    before = {p.name: p.stat().st_mtime_ns for p in first.path.iterdir()}
    second = publish.write_version(tmp_path, dataset())
    assert (first.written, second.written) == (True, False)
    assert {p.name: p.stat().st_mtime_ns for p in second.path.iterdir()} == before


def test_a_version_with_other_content_is_refused_with_the_diff_and_next_version(tmp_path):
    publish.write_version(tmp_path, dataset())
    with pytest.raises(VersionError) as refused:
        publish.write_version(tmp_path, dataset(top1=80.5))
    message = str(refused.value)
    assert "version 0.1.0 already exists" in message
    assert "~ result_id=r1: top1: 80.0 -> 80.5" in message
    assert "Declare version 0.1.1" in message
    assert pl.read_parquet(tmp_path / "v0.1.0" / "results.parquet").item(0, "top1") == 80.0


def test_latest_points_at_the_highest_version(tmp_path):
    publish.write_version(tmp_path, dataset("0.10.0"))
    publish.write_version(tmp_path, dataset("0.9.0", top1=81.0))
    assert os.readlink(tmp_path / "latest") == "v0.10.0"
    assert publish.released_versions(tmp_path) == ["0.9.0", "0.10.0"]


def test_a_second_build_holding_no_lock_is_told_to_wait(tmp_path):
    # Another build's process holds the lock: a lock on an open file of its own.
    with open(tmp_path / publish.LOCK, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(VersionError, match="another build is writing"):
            publish.write_version(tmp_path, dataset())
    assert not (tmp_path / "v0.1.0").exists()


def test_the_build_holding_the_lock_writes_under_it(tmp_path):
    with publish.build_lock(tmp_path):
        assert publish.write_version(tmp_path, dataset()).written
    with open(tmp_path / publish.LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released: no BlockingIOError


def test_another_thread_of_the_process_holding_the_lock_is_told_to_wait(tmp_path):
    with publish.build_lock(tmp_path), ThreadPoolExecutor(1) as other_thread:
        written = other_thread.submit(publish.write_version, tmp_path, dataset())
        with pytest.raises(VersionError, match="another build is writing"):
            written.result()


def test_staging_left_by_a_killed_build_is_removed_and_never_published(tmp_path):
    (tmp_path / ".v0.1.0.tmp-999").mkdir(parents=True)
    (tmp_path / ".v0.1.0.tmp-999" / "results.parquet").write_bytes(b"half")
    publish.write_version(tmp_path, dataset())
    assert not (tmp_path / ".v0.1.0.tmp-999").exists()
    assert publish.verify_version(tmp_path / "v0.1.0") == []


def test_verify_names_a_tampered_file(tmp_path):
    outcome = publish.write_version(tmp_path, dataset())
    tampered = outcome.path / "models.parquet"
    tampered.chmod(0o644)
    tampered.write_bytes(tampered.read_bytes()[:-3] + b"xyz")
    problems = publish.verify_version(outcome.path)
    assert any("models.parquet: sha256 differs" in problem for problem in problems)


def test_verify_checks_inputs_when_given_the_raw_directory(tmp_path):
    outcome = publish.write_version(tmp_path / "out", dataset())
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "doc.md").write_text("| a |\n|---|\n")
    assert publish.verify_version(outcome.path, tmp_path / "raw") == [
        f"{tmp_path / 'raw' / 'doc.md'}: input sha256 differs from the manifest"
    ]


@pytest.mark.parametrize("manifest", ['{"tables": 5}', "[]", '{"tables": {"a": 1}}'])
def test_a_manifest_that_lists_no_tables_is_one_error_naming_it(tmp_path, manifest):
    outcome = publish.write_version(tmp_path, dataset())
    (outcome.path / "manifest.json").chmod(0o644)
    (outcome.path / "manifest.json").write_text(manifest)
    with pytest.raises(VersionError, match=r"manifest.json is not a version manifest"):
        publish.verify_version(outcome.path)


def test_verify_names_what_a_manifest_entry_lacks(tmp_path):
    outcome = publish.write_version(tmp_path, dataset())
    path = outcome.path / "manifest.json"
    manifest = json.loads(path.read_text())
    del manifest["tables"]["models"]["sha256"]
    path.chmod(0o644)
    path.write_text(json.dumps(manifest))
    assert f"{path}: table models lacks 'sha256'" in publish.verify_version(outcome.path)


@pytest.mark.parametrize(("rows", "row_groups"), [(0, 1), (6, 1), (7, 2), (13, 3)])
def test_a_table_is_written_a_row_group_at_a_time_and_reads_back_whole(
    rows, row_groups, monkeypatch, tmp_path
):
    monkeypatch.setattr(publish, "ROW_GROUP_ROWS", 6)
    frame = pl.DataFrame({"model": [f"m{i}" for i in range(rows)], "top1": [80.0] * rows})
    data, content_hash = publish.parquet_bytes(frame, {})
    (tmp_path / "t.parquet").write_bytes(data)
    assert pq.read_metadata(tmp_path / "t.parquet").num_row_groups == row_groups
    assert pl.read_parquet(tmp_path / "t.parquet").equals(frame)
    assert publish.data_pages_hash(data) == content_hash


def test_a_table_encoded_ahead_renders_the_same_files_and_reads_back_as_its_frame():
    whole = dataset()
    results = whole.tables["results"]
    assert isinstance(results, pl.DataFrame)
    encoded = publish.encode_table(whole, "results", results)
    ahead = publish.DatasetVersion(
        whole.name, whole.version, {**whole.tables, "results": encoded}, whole.inputs
    )
    assert publish.render_files(ahead) == publish.render_files(whole)
    assert ahead.frames()["results"].equals(results)
    assert list(ahead.loaded_frames()) == ["models"]


@pytest.mark.parametrize("split", [[0], [3], [6], [2, 2, 2], [7, 1, 5], [13]])
def test_frames_added_in_pieces_encode_to_the_bytes_of_the_whole(split, monkeypatch):
    monkeypatch.setattr(publish, "ROW_GROUP_ROWS", 6)
    rows = sum(split)
    frame = pl.DataFrame({"model": [f"m{i}" for i in range(rows)], "top1": [80.0] * rows})
    encoder = publish.ParquetEncoder(frame, {"k": "v"})
    offset = 0
    for size in split:
        encoder.add(frame.slice(offset, size))
        offset += size
    encoded = encoder.finish()
    assert (encoded.data, encoded.content_hash) == publish.parquet_bytes(frame, {"k": "v"})
    assert encoded.rows == rows


def test_an_encoded_table_carries_the_sha256_of_its_whole_file():
    encoded = publish.encode_table(dataset(), "results", dataset().loaded_frames()["results"])
    assert encoded.sha256 == hashlib.sha256(encoded.data).hexdigest()
    assert encoded.content_hash == publish.data_pages_hash(encoded.data)


def test_tables_encoded_in_the_pool_are_the_bytes_of_encode_table_and_keep_their_frames():
    whole = dataset()
    encoding = publish.TableEncoding(whole)
    for table in ["models", "results"]:
        encoding.start(table, whole.loaded_frames()[table])
    encoded = encoding.finish()
    assert list(encoded) == ["models", "results"]
    assert all(encoding.frames[table] is whole.tables[table] for table in encoded)
    for table, frame in whole.loaded_frames().items():
        assert encoded[table] == publish.encode_table(whole, table, frame)


def test_a_table_that_fails_to_encode_fails_the_finish_of_the_pool(monkeypatch):
    def encode_or_fail(dataset, table, frame):
        if table == "models":
            raise OSError("out of memory")
        return encode_table(dataset, table, frame)

    encode_table = publish.encode_table
    monkeypatch.setattr(publish, "encode_table", encode_or_fail)
    encoding = publish.TableEncoding(dataset())
    for table, frame in dataset().loaded_frames().items():
        encoding.start(table, frame)
    with pytest.raises(OSError, match="out of memory"):
        encoding.finish()
