"""The build runs its polars queries on the in-memory engine, and leaves the setting as it was."""

import os
import shutil
from pathlib import Path

from pipeline.build import build_dataset

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
