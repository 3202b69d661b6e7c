"""Crash safety: a build killed at any step, or started twice, never damages a written version."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import publish

REPO = Path(__file__).resolve().parent.parent
STEPS = [
    "locked",
    "wrote results.parquet",
    "wrote observations.parquet",
    "wrote manifest.json",
    "before rename",
    "after rename",
    "before latest",
]
pytestmark = pytest.mark.slow


def build_command(root: Path, version: str) -> list[str]:
    raw, outputs = str(root / "raw"), str(root / "outputs")
    cli = [sys.executable, "-m", "pipeline.cli"]
    return [*cli, "build", "--raw", raw, "--out", outputs, "--version", version]


def run_build(root: Path, version: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        build_command(root, version),
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=REPO,
    )


@pytest.fixture
def built_once(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "raw", tmp_path / "raw")
    assert run_build(tmp_path, "0.1.0").returncode == 0
    return tmp_path


def assert_intact(outputs: Path) -> None:
    versions = publish.released_versions(outputs)
    for version in versions:
        assert publish.verify_version(outputs / f"v{version}") == [], version
    assert publish.verify_version(outputs / "latest") == []
    assert os.readlink(outputs / "latest") in {f"v{version}" for version in versions}


@pytest.mark.parametrize("step", STEPS)
def test_a_build_killed_at_any_step_leaves_every_version_and_latest_intact(built_once, step):
    killed = run_build(built_once, "0.2.0", MODELMETRICS_CRASH_AT=step)
    assert killed.returncode == -9
    outputs = built_once / "outputs"
    assert_intact(outputs)
    assert os.readlink(outputs / "latest") in {"v0.1.0", "v0.2.0"}
    rebuilt = run_build(built_once, "0.2.0")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert_intact(outputs)
    assert os.readlink(outputs / "latest") == "v0.2.0"
    assert "## 0.2.0" in (outputs / "CHANGELOG.md").read_text(encoding="utf-8")
    assert not list(outputs.glob(".*.tmp-*"))


def test_a_second_build_started_during_the_first_is_refused_clearly(built_once):
    command = build_command(built_once, "0.3.0")
    env = {
        **os.environ,
        "MODELMETRICS_PAUSE_AT": "before rename",
        "MODELMETRICS_PAUSE_SECONDS": "4",
    }
    first = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not list((built_once / "outputs").glob(".v0.3.0.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = run_build(built_once, "0.3.0")
    _, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err
    assert second.returncode == 1
    assert "another build is writing to" in second.stderr
    assert "Traceback" not in second.stderr
    assert_intact(built_once / "outputs")
