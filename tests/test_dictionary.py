"""The data dictionary: every column documented, DATA.md current, datapackage.json well formed."""

import json
import re
from pathlib import Path

import jsonschema
import polars as pl
import pytest
from click.testing import CliRunner

from pipeline import dictionary, publish
from pipeline.cli import main
from schemas import PUBLISHED_TABLES, TABLE_KEYS
from tests.sample_version import sample_tables

REPO = Path(__file__).resolve().parent.parent
DATA_MD = REPO / "docs" / "DATA.md"

# The parts of the Frictionless Data Package (v1) and Table Schema specs a tabular data package
# must satisfy: https://specs.frictionlessdata.io/tabular-data-package/
TABULAR_DATA_PACKAGE = {
    "type": "object",
    "required": ["profile", "name", "resources"],
    "properties": {
        "profile": {"const": "tabular-data-package"},
        "name": {"type": "string", "pattern": r"^[a-z0-9._-]+$"},
        "version": {"type": "string"},
        "resources": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "path", "profile", "schema"],
                "properties": {
                    "name": {"type": "string", "pattern": r"^[a-z0-9._-]+$"},
                    "path": {"type": "string", "pattern": r"^[^/][^\\]*$"},
                    "profile": {"const": "tabular-data-resource"},
                    "format": {"type": "string"},
                    "mediatype": {"type": "string", "pattern": r"^[a-z]+/[a-z0-9.+-]+$"},
                    "bytes": {"type": "integer", "minimum": 0},
                    "hash": {"type": "string", "pattern": r"^sha256:[0-9a-f]{64}$"},
                    "schema": {
                        "type": "object",
                        "required": ["fields"],
                        "properties": {
                            "fields": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "object",
                                    "required": ["name", "type"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "type": {
                                            "enum": [
                                                "string",
                                                "number",
                                                "integer",
                                                "boolean",
                                                "array",
                                                "object",
                                            ]
                                        },
                                        "description": {"type": "string"},
                                        "constraints": {
                                            "type": "object",
                                            "properties": {"required": {"type": "boolean"}},
                                        },
                                    },
                                },
                            },
                            "primaryKey": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def package():
    """The descriptor of the sample version, from the manifest entries publish computes."""
    dataset = publish.DatasetVersion("modelmetrics", "0.1.0", sample_tables(), [])
    manifest = json.loads(publish.render_files(dataset)[publish.MANIFEST])
    return dictionary.datapackage("modelmetrics", "0.1.0", manifest["tables"])


@pytest.mark.parametrize("table", PUBLISHED_TABLES)
def test_every_column_has_a_description_a_unit_and_an_example(table):
    for name, spec in PUBLISHED_TABLES[table].to_schema().columns.items():
        metadata = spec.metadata or {}
        assert spec.description, f"{table}.{name} has no description"
        assert "unit" in metadata, f"{table}.{name} has no unit ('' when not a measurement)"
        assert metadata.get("example"), f"{table}.{name} has no example"


def test_docs_data_md_is_up_to_date_with_the_schemas():
    current = DATA_MD.read_text(encoding="utf-8") if DATA_MD.is_file() else ""
    assert current == dictionary.data_dictionary_markdown(), (
        "docs/DATA.md is out of date with schemas/: run `modelmetrics docs` and commit it"
    )


def test_the_dictionary_has_a_section_and_a_row_for_every_column():
    markdown = dictionary.data_dictionary_markdown()
    for table, model in PUBLISHED_TABLES.items():
        assert f"\n## {table}\n" in markdown
        for name in model.to_schema().columns:
            assert f"| `{name}` |" in markdown


def test_a_pipe_in_a_cell_does_not_break_the_table():
    assert dictionary.markdown_cell("top1 | top5\nnext") == "top1 \\| top5 next"


def test_the_datapackage_fits_the_tabular_data_package_spec(package):
    jsonschema.validate(package, TABULAR_DATA_PACKAGE)
    assert json.loads(json.dumps(package)) == package


def test_the_datapackage_has_a_resource_per_table_with_the_manifest_size_and_hash(package):
    dataset = publish.DatasetVersion("modelmetrics", "0.1.0", sample_tables(), [])
    entries = json.loads(publish.render_files(dataset)[publish.MANIFEST])["tables"]
    resources = {item["name"]: item for item in package["resources"]}
    assert list(resources) == list(PUBLISHED_TABLES)
    for table, entry in entries.items():
        assert resources[table]["path"] == f"{table}.parquet"
        assert resources[table]["bytes"] == entry["bytes"]
        assert resources[table]["hash"] == f"sha256:{entry['sha256']}"


def test_primary_keys_are_the_table_keys_and_name_fields_of_their_resource(package):
    for item in package["resources"]:
        names = [field["name"] for field in item["schema"]["fields"]]
        assert item["schema"]["primaryKey"] == TABLE_KEYS[item["name"]]
        assert set(item["schema"]["primaryKey"]) <= set(names)


def test_only_non_nullable_columns_are_required(package):
    results = next(item for item in package["resources"] if item["name"] == "results")
    required = {
        field["name"]
        for field in results["schema"]["fields"]
        if field.get("constraints", {}).get("required")
    }
    assert "result_id" in required and "model" in required
    assert "top1" not in required and "params_m" not in required


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (pl.String(), "string"),
        (pl.Float64(), "number"),
        (pl.Int32(), "integer"),
        (pl.Int64(), "integer"),
        (pl.Boolean(), "boolean"),
        (pl.List(pl.String), "array"),
        (pl.Struct({"header": pl.String}), "object"),
    ],
)
def test_polars_dtypes_map_to_table_schema_types(dtype, expected):
    assert dictionary.frictionless_type(dtype) == expected


def test_a_unit_the_description_already_says_is_not_repeated():
    assert dictionary.described_with_unit("Top-1 accuracy, %", "%") == "Top-1 accuracy, %"
    assert dictionary.described_with_unit("Size of the file", "bytes") == "Size of the file [bytes]"


def test_docs_command_writes_the_dictionary(tmp_path):
    out = tmp_path / "docs" / "DATA.md"
    answer = CliRunner().invoke(main, ["docs", "--out", str(out)])
    assert (answer.exit_code, answer.output) == (0, f"wrote {out}\n")
    assert out.read_text(encoding="utf-8") == dictionary.data_dictionary_markdown()


def test_readme_mentions_every_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name in main.commands if not re.search(rf"modelmetrics {name}\b", readme)]
    assert missing == [], f"README.md does not mention: {', '.join(missing)}"
