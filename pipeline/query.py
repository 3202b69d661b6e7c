"""DuckDB access to a written version: every table available by name (I/O)."""

import contextlib
from pathlib import Path

import duckdb
import polars as pl

from pipeline import catalog
from pipeline.errors import ModelmetricsError
from pipeline.publish import LATEST
from pipeline.sources import is_version


def version_path(out_dir: Path, version: str | None = None) -> Path:
    """The directory of a version ('0.1.0' or 'v0.1.0'), or of latest when none is given."""
    if version is not None and not is_version(version.removeprefix("v")):
        raise ModelmetricsError(f"version {version!r} is not X.Y.Z (semver)")
    name = LATEST if version is None else f"v{version.removeprefix('v')}"
    path = out_dir / name
    if not (path / "manifest.json").is_file():
        raise ModelmetricsError(f"{path} is not a built version: run `make build` first")
    return path


def connect(version_dir: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB with every table and named view of the version: the catalog, else built in memory."""
    connection = catalog.open_catalog(version_dir)
    if connection is not None:
        return connection
    connection = duckdb.connect()
    # Without a catalog (not built yet, or older than this version) the same views are made here.
    for statement in catalog.table_view_statements(catalog.LATEST_SCHEMA, version_dir):
        connection.execute(statement)
    for statement in catalog.named_view_statements(catalog.LATEST_SCHEMA):
        # A version without the tables a named view reads (a hand-made one) just lacks that view.
        with contextlib.suppress(duckdb.CatalogException, duckdb.BinderException):
            connection.execute(statement)
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
    except (pl.exceptions.PolarsError, ValueError, TypeError) as error:
        # A type polars has none for (INTERVAL, a union): the answer cannot be handed over.
        raise ModelmetricsError(f"the answer cannot be read into a frame: {error}") from None
    finally:
        connection.close()
