"""The version raw/sources.toml declares, for tests that build the real raw documents."""

from pathlib import Path

from pipeline.sources import read_manifest

REPO = Path(__file__).resolve().parent.parent


def declared_version() -> str:
    """The dataset version the committed manifest declares ("0.1.1")."""
    manifest = read_manifest(REPO / "raw")
    assert manifest is not None, "raw/ has no sources manifest"
    return manifest.version


def next_patch(version: str) -> str:
    """The patch release after a version: "0.1.1" -> "0.1.2"."""
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) + 1}"


def schema_name(version: str) -> str:
    """A version's schema in the DuckDB catalog: "0.1.1" -> "v0_1_1"."""
    return "v" + version.replace(".", "_")
