"""The DuckDB command line reads the published Parquet and the catalog, from any directory."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.releases import declared_version, schema_name

DUCKDB = Path(sys.executable).parent / "duckdb"
pytestmark = pytest.mark.skipif(not DUCKDB.exists(), reason="duckdb-cli is not installed")


def duckdb(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [str(DUCKDB), *args], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_readme_query_reads_the_results_file(seed_build, tmp_path):
    sql = f"SELECT model, top1 FROM '{seed_build / 'results.parquet'}' ORDER BY top1 DESC LIMIT 5"
    answer = duckdb("-csv", "-c", sql, cwd=tmp_path)
    assert answer.splitlines()[:2] == [
        "model,top1",
        "vit_so400m_patch14_siglip_378.webli_ft_in1k,89.42",
    ]


def test_the_catalog_opens_from_another_directory(seed_build, tmp_path):
    catalog = seed_build.parent / "modelmetrics.duckdb"
    answer = duckdb(str(catalog), "-csv", "-c", "SELECT count(*) AS n FROM pareto", cwd=tmp_path)
    assert int(answer.splitlines()[1]) > 5
    schema = schema_name(declared_version())
    versioned = duckdb(
        str(catalog), "-csv", "-c", f"SELECT count(*) FROM {schema}.results", cwd=tmp_path
    )
    assert versioned.splitlines()[1] == "137"
