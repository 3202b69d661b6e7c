"""The committed latest version is rebuilt byte for byte from raw/ and the lockfile."""

import hashlib
from pathlib import Path

import pytest

from pipeline import publish

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "outputs" / "latest"


def sha256s(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.skipif(not COMMITTED.exists(), reason="no committed version in outputs/")
def test_rebuilding_latest_gives_the_committed_bytes(seed_build):
    assert seed_build.name == COMMITTED.resolve().name
    assert sha256s(seed_build) == sha256s(COMMITTED)


@pytest.mark.skipif(not COMMITTED.exists(), reason="no committed version in outputs/")
def test_every_committed_version_verifies():
    for version in publish.released_versions(REPO / "outputs"):
        assert publish.verify_version(REPO / "outputs" / f"v{version}") == [], version
