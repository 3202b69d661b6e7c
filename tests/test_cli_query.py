"""The query command at its boundary: an answer it cannot show is one Error: line, exit 1."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main


def query(out_dir: Path, sql: str, *extra: str):
    return CliRunner().invoke(main, ["query", sql, "--out", str(out_dir), *extra])


def test_an_answer_of_plain_columns_is_printed_as_csv(seed_build):
    answered = query(seed_build.parent, "SELECT 1 AS x, 'a' AS y", "--format", "csv")
    assert (answered.exit_code, answered.output) == (0, "x,y\n1,a\n")


@pytest.mark.parametrize(
    ("sql", "output_format", "message"),
    [
        (
            "SELECT * FROM results",
            "csv",
            "Error: the answer cannot be shown as csv: CSV format does not support nested data; "
            "select plain columns or choose another --format\n",
        ),
        (
            "SELECT 'a'::BLOB AS b",
            "json",
            "Error: the answer cannot be shown as json: b hold(s) bytes; cast them to text in the "
            "SQL or choose another --format\n",
        ),
    ],
)
def test_an_answer_the_format_cannot_hold_is_one_error(seed_build, sql, output_format, message):
    answered = query(seed_build.parent, sql, "--format", output_format)
    assert (answered.exit_code, answered.output) == (1, message)


def test_an_answer_polars_has_no_type_for_is_one_error(seed_build):
    answered = query(seed_build.parent, "SELECT INTERVAL 1 DAY AS i")
    assert answered.exit_code == 1
    assert answered.output.startswith("Error: the answer cannot be read into a frame: ")
    assert "Traceback" not in answered.output


@pytest.mark.parametrize("version", ["../x", "0.1.0/../..", "latest"])
def test_a_version_that_is_not_semver_is_refused(seed_build, version):
    answered = query(seed_build.parent, "SELECT 1", "--version", version)
    assert (answered.exit_code, answered.output) == (
        1,
        f"Error: version {version!r} is not X.Y.Z (semver)\n",
    )
