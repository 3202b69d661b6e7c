"""Versions a user can pin: an edited raw number is refused, then released as the next version."""

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.releases import declared_version, next_patch

REPO = Path(__file__).resolve().parent.parent
OLD_ROW = "| resnet50d.ra4_e3600_r224_in1k | 80.952 | 95.384 | 25.58 | 224 |"
NEW_ROW = "| resnet50d.ra4_e3600_r224_in1k | 80.953 | 95.384 | 25.58 | 224 |"
RELEASED = declared_version()
FOLLOWING = next_patch(RELEASED)
pytestmark = pytest.mark.slow


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "raw", tmp_path / "raw")
    built = cli("build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "outputs"))
    assert built.exit_code == 0, built.output
    return tmp_path


def edit_one_number(project: Path) -> None:
    doc = project / "raw" / "timm-metrics-overview.md"
    data = doc.read_bytes()
    assert data.count(OLD_ROW.encode()) == 1
    doc.write_bytes(data.replace(OLD_ROW.encode(), NEW_ROW.encode()))


def test_an_edited_number_is_refused_with_the_row_it_would_change(project):
    edit_one_number(project)
    refused = cli("build", "--raw", str(project / "raw"), "--out", str(project / "outputs"))
    assert refused.exit_code == 1
    assert "timm-metrics-overview.md: changed since the manifest recorded it" in refused.output
    assert "top1: 80.952 -> 80.953" in refused.output
    assert f"modelmetrics accept --raw {project / 'raw'} --version {FOLLOWING}" in refused.output
    assert "Traceback" not in refused.output
    assert [p.name for p in (project / "outputs").glob("v*")] == [f"v{RELEASED}"]


def test_the_suggested_version_builds_and_the_diff_shows_exactly_that_change(project):
    edit_one_number(project)
    accepted = cli("accept", "--raw", str(project / "raw"), "--version", FOLLOWING)
    assert accepted.exit_code == 0, accepted.output
    built = cli("build", "--raw", str(project / "raw"), "--out", str(project / "outputs"))
    assert built.exit_code == 0, built.output
    assert (project / "outputs" / "latest").resolve().name == f"v{FOLLOWING}"
    outputs = str(project / "outputs")
    shown = cli("diff", f"v{RELEASED}", f"v{FOLLOWING}", "--out", outputs, "--format", "json")
    changes = json.loads(shown.output)
    results = changes["results"]
    assert (results["added"], results["removed"]) == ([], [])
    assert [c["fields"] for c in results["changed"]] == [{"top1": [80.952, 80.953]}]
    observations = changes["observations"]["changed"]
    assert [sorted(c["fields"]) for c in observations] == [["raw_cells", "top1", "top1_raw"]]
    assert [c["key"] for c in changes["sources"]["changed"]] == [
        {"source": "timm-metrics-overview.md"}
    ]
    for table in ("models", "conflicts", "quarantine"):
        assert changes[table]["changed"] == changes[table]["added"] == []
    changelog = (project / "outputs" / "CHANGELOG.md").read_text()
    assert changelog.index(f"## {FOLLOWING}") < changelog.index(f"## {RELEASED}")
    assert "top1: 80.952 -> 80.953" in changelog


def test_building_an_existing_version_with_other_content_is_refused(project):
    edit_one_number(project)
    manifest = project / "raw" / "sources.toml"
    cli("accept", "--raw", str(project / "raw"), "--version", RELEASED)
    assert f'version = "{RELEASED}"' in manifest.read_text()
    refused = cli("build", "--raw", str(project / "raw"), "--out", str(project / "outputs"))
    assert refused.exit_code == 1
    assert f"version {RELEASED} already exists" in refused.output
    assert f"Declare version {FOLLOWING}" in refused.output
    results = pl.read_parquet(project / "outputs" / f"v{RELEASED}" / "results.parquet")
    assert 80.952 in results.get_column("top1").to_list()


def test_a_second_build_of_the_same_inputs_changes_no_byte(project):
    outputs = project / "outputs"
    before = {
        p: p.read_bytes()
        for p in sorted(outputs.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }
    again = cli("build", "--raw", str(project / "raw"), "--out", str(outputs))
    assert "unchanged" in again.output
    after = {
        p: p.read_bytes()
        for p in sorted(outputs.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }
    assert before == after
