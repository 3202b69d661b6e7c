"""DuckDB access to a written version: every table available by name (I/O)."""

from pathlib import Path

import duckdb
import polars as pl

from pipeline.errors import ModelmetricsError
from pipeline.publish import LATEST, read_manifest_of


def version_path(out_dir: Path, version: str | None = None) -> Path:
    """The directory of a version ('0.1.0' or 'v0.1.0'), or of latest when none is given."""
    name = LATEST if version is None else f"v{version.removeprefix('v')}"
    path = out_dir / name
    if not (path / "manifest.json").is_file():
        raise ModelmetricsError(f"{path} is not a built version: run `make build` first")
    return path


def connect(version_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per table of the version."""
    connection = duckdb.connect()
    for table, entry in read_manifest_of(version_dir)["tables"].items():
        parquet = (version_dir / entry["file"]).resolve().as_posix().replace("'", "''")
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{parquet}')")
    return connection


def run_sql(version_dir: Path, sql: str) -> pl.DataFrame:
    """The answer to a SQL query over the version's tables, as a polars frame."""
    connection = connect(version_dir)
    try:
        relation = connection.sql(sql)
        if relation is None:
            return pl.DataFrame()
        return relation.pl()
    except duckdb.Error as error:
        raise ModelmetricsError(f"the query failed: {error}") from None
    finally:
        connection.close()
