"""The data dictionary from the schemas: docs/DATA.md and the Frictionless datapackage.json."""

from typing import Any

import pandera.polars as pa
import polars as pl

from schemas import PUBLISHED_TABLES, SCHEMA_VERSION, TABLE_KEYS

DOCS_COMMAND = "modelmetrics docs"
COLUMN_HEADER = ["column", "type", "nullable", "unit", "example", "description"]
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"


def column_specs(model: type[pa.DataFrameModel]) -> dict[str, Any]:
    """The pandera column specs of a schema, by column name, in declaration order."""
    return dict(model.to_schema().columns)


def row_meaning(model: type[pa.DataFrameModel]) -> str:
    """What one row of a table is: the first line of its schema's docstring."""
    return (model.__doc__ or "").strip().splitlines()[0]


def dtype_of(spec: Any) -> pl.DataType:
    """The polars dtype a column spec declares."""
    dtype = spec.dtype.type
    return dtype() if isinstance(dtype, type) else dtype


def unit_of(spec: Any) -> str:
    """A column's unit ('' when it is not a measurement)."""
    return str((spec.metadata or {}).get("unit", ""))


def example_of(spec: Any) -> str:
    """A column's example value, as text."""
    return str((spec.metadata or {}).get("example", ""))


def described_with_unit(description: str, unit: str) -> str:
    """A description, followed by its unit in brackets when the description does not say it."""
    if not unit or unit in description:
        return description
    return f"{description} [{unit}]"


def markdown_cell(text: str) -> str:
    """Text safe inside a GFM table cell: pipes escaped, newlines as spaces."""
    return text.replace("|", "\\|").replace("\n", " ")


def column_row(name: str, spec: Any) -> list[str]:
    """One row of a table's column list in DATA.md."""
    example = example_of(spec)
    return [
        f"`{name}`",
        str(dtype_of(spec)),
        "yes" if spec.nullable else "no",
        unit_of(spec),
        f"`{example}`" if example else "",
        spec.description or "",
    ]


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Lines of a GFM pipe table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(markdown_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def table_section(table: str, model: type[pa.DataFrameModel]) -> list[str]:
    """The DATA.md section of one table: what a row is, its key and its columns."""
    keys = ", ".join(f"`{key}`" for key in TABLE_KEYS[table])
    rows = [column_row(name, spec) for name, spec in column_specs(model).items()]
    return [
        f"## {table}",
        "",
        row_meaning(model),
        "",
        f"File `{table}.parquet`; key {keys}; {len(rows)} columns.",
        "",
        *markdown_table(COLUMN_HEADER, rows),
        "",
    ]


def data_dictionary_markdown() -> str:
    """docs/DATA.md: every published table and column, from the pandera schemas."""
    contents = [
        f"- [`{table}`](#{table}): {row_meaning(model)}"
        for table, model in PUBLISHED_TABLES.items()
    ]
    lines = [
        "# Data dictionary",
        "",
        f"<!-- Generated from schemas/ by `{DOCS_COMMAND}`. Do not edit by hand. -->",
        "",
        f"Schema version {SCHEMA_VERSION}. Each table is a Parquet file in `outputs/v<version>/`; "
        "the same tables are views of `outputs/modelmetrics.duckdb`, with these descriptions as "
        "column comments. A unit is blank when the column is not a measurement.",
        "",
        *contents,
        "",
    ]
    for table, model in PUBLISHED_TABLES.items():
        lines += table_section(table, model)
    return "\n".join(lines)


def frictionless_type(dtype: pl.DataType) -> str:
    """The Table Schema type of a polars dtype: string, number, integer, boolean, array, object."""
    if dtype.is_integer():
        return "integer"
    if dtype.is_float() or dtype.is_decimal():
        return "number"
    if dtype == pl.Boolean:
        return "boolean"
    if isinstance(dtype, pl.List | pl.Array):
        return "array"
    if isinstance(dtype, pl.Struct):
        return "object"
    return "string"


def field_descriptor(name: str, spec: Any) -> dict[str, Any]:
    """A Table Schema field: name, type, description with unit, example, required when not null."""
    field: dict[str, Any] = {
        "name": name,
        "type": frictionless_type(dtype_of(spec)),
        "description": described_with_unit(spec.description or "", unit_of(spec)),
    }
    if example_of(spec):
        field["example"] = example_of(spec)
    if not spec.nullable:
        field["constraints"] = {"required": True}
    return field


def table_schema(table: str) -> dict[str, Any]:
    """The Table Schema of a published table: its fields and primary key."""
    specs = column_specs(PUBLISHED_TABLES[table])
    return {
        "fields": [field_descriptor(name, spec) for name, spec in specs.items()],
        "primaryKey": TABLE_KEYS[table],
    }


def resource(table: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A Data Resource for one Parquet file of the manifest; with its schema if it is published."""
    described: dict[str, Any] = {
        "name": table,
        "path": entry["file"],
        "profile": "tabular-data-resource",
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
        "bytes": entry["bytes"],
        "hash": f"sha256:{entry['sha256']}",
    }
    if table in PUBLISHED_TABLES:
        described["description"] = row_meaning(PUBLISHED_TABLES[table])
        described["schema"] = table_schema(table)
    return described


def datapackage(name: str, version: str, entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The Frictionless Data Package descriptor (datapackage.json) of a version's Parquet files."""
    return {
        "profile": "tabular-data-package",
        "name": name,
        "version": version,
        "schema_version": SCHEMA_VERSION,
        "resources": [resource(table, entry) for table, entry in entries.items()],
    }
