"""The DuckDB catalog: every table of every version, documented, and named views (I/O)."""

import hashlib
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipeline import dictionary
from pipeline.errors import ModelmetricsError
from pipeline.publish import LATEST, read_manifest_of, released_versions, version_dir_name
from schemas import PUBLISHED_TABLES

CATALOG = "modelmetrics.duckdb"
LATEST_SCHEMA = "main"
STORAGE_VERSION = "v1.5.0"
# One row: the sha256 of the statements the catalog was built from, to skip identical rebuilds.
FINGERPRINT_TABLE = "main.modelmetrics_catalog"

# The named views, over the tables of one schema ({schema} is filled in). They are created in
# main (latest) and in every version's schema, so `SELECT * FROM v0_1_0.pareto` works too.
NAMED_VIEWS: dict[str, tuple[str, str]] = {
    "leaderboard": (
        "The best result of each model: its highest top-1, with the size and data it reached it at",
        """
        WITH best AS (
            SELECT model, top1, top5, params_m, params_lower_bound, img_size, eval_seq_len,
                   pretrain_dataset, result_id
            FROM {schema}.results
            WHERE top1 IS NOT NULL
            QUALIFY row_number() OVER (
                PARTITION BY model ORDER BY top1 DESC, img_size NULLS LAST, result_id) = 1)
        SELECT row_number() OVER (ORDER BY top1 DESC, model) AS rank, *
        FROM best
        ORDER BY rank
        """,
    ),
    "pareto": (
        "The accuracy/parameters Pareto frontier: results no other result beats on both",
        """
        SELECT model, top1, params_m, params_lower_bound, img_size, pretrain_dataset, result_id
        FROM {schema}.results AS candidate
        WHERE top1 IS NOT NULL AND params_m IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM {schema}.results AS rival
            WHERE rival.top1 >= candidate.top1 AND rival.params_m <= candidate.params_m
              AND (rival.top1 > candidate.top1 OR rival.params_m < candidate.params_m))
        ORDER BY params_m, top1 DESC, model
        """,
    ),
    "provenance": (
        "Every result with each observation that published it and the origin of its document",
        """
        SELECT result.result_id, result.model, result.top1,
               observation.top1 AS published_top1, observation.source, observation.line,
               observation.table_index, observation.heading_path, observation.observation_id,
               document.repository, document.commit, document.path AS repository_path
        FROM {schema}.results AS result
        JOIN {schema}.observations AS observation USING (result_id)
        LEFT JOIN {schema}.sources AS document ON document.source = observation.source
        ORDER BY result.model, result.result_id, observation.source, observation.line
        """,
    ),
}


def schema_name(version: str) -> str:
    """The catalog schema of a version: 0.1.0 -> v0_1_0."""
    return "v" + version.removeprefix("v").replace(".", "_")


def sql_text(value: str) -> str:
    """A SQL string literal for value."""
    return "'" + value.replace("'", "''") + "'"


def table_view_statements(schema: str, version_dir: Path) -> list[str]:
    """A view per table of the version, over its Parquet file by absolute path, with comments."""
    statements = []
    for table, entry in read_manifest_of(version_dir)["tables"].items():
        parquet = (version_dir / entry["file"]).resolve().as_posix()
        statements.append(
            f"CREATE VIEW {schema}.{table} AS SELECT * FROM read_parquet({sql_text(parquet)})"
        )
        statements += comment_statements(schema, table, pq.read_schema(parquet).names)
    return statements


def comment_statements(schema: str, table: str, columns: list[str]) -> list[str]:
    """COMMENT ON statements for a published table: what a row is, and each column's description."""
    model = PUBLISHED_TABLES.get(table)
    if model is None:
        return []
    row = (model.__doc__ or "").strip()
    statements = [f"COMMENT ON VIEW {schema}.{table} IS {sql_text(row)}"]
    specs = model.to_schema().columns
    # An older version may lack a column the schema has now: comment only what the file holds.
    for column in [name for name in columns if name in specs]:
        spec = specs[column]
        text = dictionary.described_with_unit(spec.description or "", dictionary.unit_of(spec))
        statements.append(f"COMMENT ON COLUMN {schema}.{table}.{column} IS {sql_text(text)}")
    return statements


def named_view_statements(schema: str) -> list[str]:
    """The leaderboard, pareto and provenance views over the tables of one schema."""
    statements = []
    for view, (summary, query) in NAMED_VIEWS.items():
        statements.append(f"CREATE VIEW {schema}.{view} AS {query.format(schema=schema)}")
        statements.append(f"COMMENT ON VIEW {schema}.{view} IS {sql_text(summary)}")
    return statements


def catalog_statements(out_dir: Path) -> list[str]:
    """Every statement that builds the catalog: main over latest, a schema per released version."""
    statements = []
    for version in released_versions(out_dir):
        schema = schema_name(version)
        statements.append(f"CREATE SCHEMA {schema}")
        statements += table_view_statements(schema, out_dir / version_dir_name(version))
        statements += named_view_statements(schema)
    if (out_dir / LATEST).exists():
        statements += table_view_statements(LATEST_SCHEMA, (out_dir / LATEST).resolve())
        statements += named_view_statements(LATEST_SCHEMA)
    return statements


def write_catalog(out_dir: Path) -> Path:
    """Write out_dir/modelmetrics.duckdb (to a temporary file, then renamed); return its path."""
    target = out_dir / CATALOG
    statements = catalog_statements(out_dir)
    fingerprint = hashlib.sha256("\n".join(statements).encode()).hexdigest()
    # A build that changes nothing leaves the catalog's bytes alone too.
    if catalog_fingerprint(target) == fingerprint:
        return target
    statements.append(
        f"CREATE TABLE {FINGERPRINT_TABLE} AS SELECT {sql_text(fingerprint)} AS statements_sha256"
    )
    staging = out_dir / f".{CATALOG}.tmp-{os.getpid()}"
    staging.unlink(missing_ok=True)
    try:
        _execute_all(staging, statements)
    except duckdb.Error as error:
        staging.unlink(missing_ok=True)
        raise ModelmetricsError(
            f"{target}: cannot write the DuckDB catalog ({error}); the version itself is "
            "written and its Parquet files read as they are"
        ) from None
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    os.replace(staging, target)
    return target


def catalog_fingerprint(path: Path) -> str | None:
    """The sha256 of the statements the catalog at path was built from; None if unreadable."""
    if not path.is_file():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            found = connection.execute(f"SELECT statements_sha256 FROM {FINGERPRINT_TABLE}")
            row = found.fetchone()
    except duckdb.Error:
        return None
    return str(row[0]) if row else None


def _execute_all(database: Path, statements: list[str]) -> None:
    connection = duckdb.connect()
    try:
        # Written in the storage format of DuckDB 1.5, so the DuckDB CLI (duckdb-cli 1.5 is the
        # newest) opens it too; the Python package's own default format is newer than it reads.
        path = sql_text(str(database))
        connection.execute(f"ATTACH {path} AS catalog (STORAGE_VERSION '{STORAGE_VERSION}')")
        connection.execute("USE catalog")
        # One transaction: a commit per statement makes the ~200 comments take most of a second.
        connection.execute("BEGIN TRANSACTION")
        for statement in statements:
            connection.execute(statement)
        connection.execute("COMMIT")
    finally:
        connection.close()


def open_catalog(version_dir: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to the catalog, set to that version; None when it cannot be used."""
    # Unusable: missing, unreadable, older than the version, or naming Parquet paths that are gone
    # (a copied outputs directory). The caller then reads the Parquet files directly.
    path = version_dir.parent / CATALOG
    if not path.is_file():
        return None
    schema = schema_name(version_dir.resolve().name)
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        connection.execute(f"SET search_path = {sql_text(schema)}")
        connection.execute("SELECT * FROM results LIMIT 0")
    except duckdb.Error:
        connection.close()
        return None
    return connection
