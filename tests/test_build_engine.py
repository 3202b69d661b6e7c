"""How the build runs: on polars' in-memory engine, in row batches, the same bytes either way."""

import fcntl
import hashlib
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline import batches, build, dedupe, publish
from pipeline.build import build_dataset
from pipeline.errors import SchemaViolation

REPO = Path(__file__).resolve().parent.parent


def test_a_build_runs_on_the_in_memory_engine_and_restores_the_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("POLARS_ENGINE_AFFINITY", raising=False)
    shutil.copytree(REPO / "raw", tmp_path / "raw")
    seen = set()
    build_dataset(
        tmp_path / "raw",
        tmp_path / "outputs",
        progress=lambda stage: seen.add(os.environ.get("POLARS_ENGINE_AFFINITY")),
    )
    assert seen == {"in-memory"}
    assert "POLARS_ENGINE_AFFINITY" not in os.environ


def test_a_build_holds_the_output_lock_from_its_first_read_of_the_cache(tmp_path, monkeypatch):
    # A second build into the same directory would otherwise prune the first one's entries.
    observe_documents = build.observe_documents
    lock_while_observing = []

    def observe_and_probe(*arguments):
        with open(tmp_path / "outputs" / publish.LOCK, "a+") as other_build:
            try:
                fcntl.flock(other_build, fcntl.LOCK_EX | fcntl.LOCK_NB)
                lock_while_observing.append("free")
            except BlockingIOError:
                lock_while_observing.append("held")
        return observe_documents(*arguments)

    monkeypatch.setattr(build, "observe_documents", observe_and_probe)
    build_dataset(REPO / "raw", tmp_path / "outputs")
    assert lock_while_observing == ["held"]


def digests(version_dir: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(version_dir.iterdir())
    }


def test_a_build_in_batches_of_seven_rows_writes_the_bytes_of_one_batch(tmp_path, monkeypatch):
    shutil.copytree(REPO / "raw", tmp_path / "raw")
    whole = build_dataset(tmp_path / "raw", tmp_path / "whole")
    monkeypatch.setattr(batches, "BATCH_ROWS", 7)
    batched = build_dataset(tmp_path / "raw", tmp_path / "batched")
    assert whole.counts["rows"] > 7 * 10
    assert digests(batched.path) == digests(whole.path)


def test_a_table_that_breaks_its_schema_fails_the_build_though_its_encoding_started(
    tmp_path, monkeypatch
):
    summarize_models = dedupe.summarize_models

    def models_with_a_negative_count(observations, results):
        models = summarize_models(observations, results)
        return models.with_columns(pl.lit(-1, pl.Int32).alias("n_observations"))

    monkeypatch.setattr(dedupe, "summarize_models", models_with_a_negative_count)
    shutil.copytree(REPO / "raw", tmp_path / "raw")
    with pytest.raises(SchemaViolation, match="table models breaks its schema Model"):
        build_dataset(tmp_path / "raw", tmp_path / "outputs")
    assert not list((tmp_path / "outputs").glob("v*"))
