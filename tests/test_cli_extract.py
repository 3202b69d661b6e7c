"""The extract command at its boundary: JSON or text on stdout, warnings and errors on stderr."""

import json
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main


def extract(*args: str):
    return CliRunner().invoke(main, ["extract", *args])


def test_every_file_is_printed_before_the_error_of_one_that_cannot_be_read(tmp_path: Path):
    good = tmp_path / "good.md"
    good.write_text("# T\n\n| model | top1 |\n|:--|--:|\n| resnet50 | 80.4 |\n")
    missing = tmp_path / "missing.md"
    shown = extract(str(missing), str(good), "--format", "json")
    assert shown.exit_code == 1
    assert json.loads(shown.stdout) == [
        {
            "source": str(good),
            "table_index": 0,
            "line": 3,
            "heading_path": ["T"],
            "header": ["model", "top1"],
            "rows": [["resnet50", "80.4"]],
            "align": ["left", "right"],
        }
    ]
    assert shown.stderr == f"Error: {missing}: cannot be read: No such file or directory\n"


def test_a_file_with_no_table_prints_an_empty_array_and_exits_0(tmp_path: Path):
    prose = tmp_path / "prose.md"
    prose.write_text("# Notes\n\nNo table here.\n")
    shown = extract(str(prose), "--format", "json")
    assert (shown.exit_code, shown.stdout, shown.stderr) == (0, "[]\n", "")


def test_a_table_that_is_not_read_is_a_warning_naming_its_line(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(
        "# Zoo\n\n<table>\n<tr><th>a</th><th>b</th><th>c</th></tr>\n"
        "<tr><td colspan=2>Top-1</td><td>1</td></tr>\n"
        "</table>\n\n| a | b |\n|---|\n"
    )
    shown = extract(str(page), "--format", "json")
    assert (shown.exit_code, shown.stdout) == (0, "[]\n")
    assert shown.stderr == (
        f"warning: {page}:3: an HTML <table>, not read: a cell at line 5 spans 2 columns; its "
        "rows are not in the dataset\n"
        f"warning: {page}:8: a pipe table, not read: its delimiter row (line 9) has 1 cell for 2 "
        "cells in its header row, so it is text, as on GitHub; its rows are not in the dataset\n"
    )
