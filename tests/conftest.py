"""Shared fixtures: one build of the real raw documents per test session."""

import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import settings

from pipeline.build import build_dataset

REPO = Path(__file__).resolve().parent.parent

# Property tests check behaviour, never speed (make bench does): no example has a deadline,
# so a loaded machine cannot fail one (a first example that compiles regexes took 0.32 s).
settings.register_profile("project", deadline=None)
settings.load_profile("project")


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The raw/ documents built into a fresh output directory; returns the version directory."""
    root = tmp_path_factory.mktemp("seed-build")
    shutil.copytree(REPO / "raw", root / "raw")
    report = build_dataset(root / "raw", root / "outputs")
    return report.path


@pytest.fixture(scope="session")
def seed_tables(seed_build: Path) -> dict[str, pl.DataFrame]:
    """Every table of the seed build, by name."""
    return {path.stem: pl.read_parquet(path) for path in seed_build.glob("*.parquet")}
