"""The build command at its boundary: bad input is one Error: line naming the file, exit 1."""

import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.releases import declared_version

REPO = Path(__file__).resolve().parent.parent
TABLE = "# Results\n\n| Model | Top-1 |\n|---|---|\n| resnet50.a1_in1k | 80.4 |\n"


def build(raw: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(out), *extra])


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "good.md").write_text(TABLE)
    return folder


def test_a_directory_without_a_manifest_builds_every_markdown_file(raw, tmp_path):
    (raw / "sub").mkdir()
    (raw / "sub" / "more.md").write_text(TABLE.replace("resnet50.a1_in1k", "resnet18.a1_in1k"))
    built = build(raw, tmp_path / "out", "--version", "1.0.0")
    assert built.exit_code == 0, built.output
    assert "modelmetrics 1.0.0:" in built.output
    assert "  results                 2\n" in built.output


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.md", b"", "empty.md: is empty"),
        ("blank.md", b"  \n\n", "blank.md: is empty"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary.md: is not a text file"),
        ("prose.md", b"# Notes\n\nNo table here.\n", "prose.md: has no Markdown table"),
        (
            "html.md",
            b"# Zoo\n\n<table>\n<tr><th>Name</th><th>Acc@1</th><th>Params</th></tr>\n"
            b"<tr><td colspan=2>ViT</td><td>86M</td></tr>\n</table>\n",
            "html.md: has no Markdown table, only tables that are not read (an HTML <table> at "
            "line 3: a cell at line 5 spans 2 columns): nothing to extract from it\n",
        ),
        (
            "pipes.md",
            b"# Results\n\n| Network | Top-1 |\n|---|---|---|\n| ResNet50 | 75.3 |\n",
            "pipes.md: has no Markdown table, only tables that are not read (a pipe table at line "
            "3: its delimiter row (line 4) has 3 cells for 2 cells in its header row, so it is "
            "text, as on GitHub): nothing to extract from it\n",
        ),
    ],
)
def test_bad_input_is_one_clear_error_and_no_version(raw, tmp_path, name, content, message):
    (raw / name).write_bytes(content)
    built = build(raw, tmp_path / "out")
    assert built.exit_code == 1
    assert built.output.startswith("Error: ")
    assert message in built.output
    assert "Traceback" not in built.output
    assert not list((tmp_path / "out").glob("v*"))


def test_a_blank_row_in_a_results_table_builds_as_a_row_with_no_result(raw, tmp_path):
    # EfficientViT's README separates its groups of models with rows of empty cells.
    (raw / "good.md").write_text(TABLE + "| | |\n| resnet18.a1_in1k | 71.5 |\n")
    built = build(raw, tmp_path / "out")
    assert built.exit_code == 0, built.output
    version = next((tmp_path / "out").glob("v*"))
    observations = pl.read_parquet(version / "observations.parquet")
    assert observations.get_column("status").to_list() == ["result", "no_result", "result"]
    models = pl.read_parquet(version / "models.parquet").get_column("model").to_list()
    assert models == ["resnet18.a1_in1k", "resnet50.a1_in1k"]


def test_a_missing_raw_directory_is_named(tmp_path):
    built = build(tmp_path / "nowhere", tmp_path / "out")
    assert built.exit_code == 1
    assert f"Error: {tmp_path / 'nowhere'}: is not a directory of raw documents" in built.output


def test_a_build_refused_before_writing_leaves_no_output_directory_behind(raw, tmp_path):
    # Nor the parents it would have created; a directory that was there stays, with its lock.
    assert build(tmp_path / "nowhere", tmp_path / "new" / "out").exit_code == 1
    assert not (tmp_path / "new").exists()
    (raw / "notes.md").write_text("# Just prose\n")
    assert build(raw, tmp_path / "out").exit_code == 1
    assert not (tmp_path / "out").exists()
    (tmp_path / "kept").mkdir()
    assert build(tmp_path / "nowhere", tmp_path / "kept").exit_code == 1
    assert [path.name for path in (tmp_path / "kept").iterdir()] == [".lock"]


def test_a_failed_build_leaves_the_previous_version_intact(tmp_path):
    shutil.copytree(REPO / "raw", tmp_path / "raw")
    assert build(tmp_path / "raw", tmp_path / "out").exit_code == 0
    released = tmp_path / "out" / f"v{declared_version()}"
    before = {p.name: p.read_bytes() for p in released.iterdir()}
    (tmp_path / "raw" / "timm-2025-models.md").write_bytes(b"")
    failed = build(tmp_path / "raw", tmp_path / "out")
    assert failed.exit_code == 1
    assert "timm-2025-models.md: is empty" in failed.output
    assert {p.name: p.read_bytes() for p in released.iterdir()} == before


def test_an_invalid_manifest_version_is_named(raw, tmp_path):
    (raw / "sources.toml").write_text('[dataset]\nversion = "one"\n')
    built = build(raw, tmp_path / "out")
    assert built.exit_code == 1
    assert "sources.toml: [dataset] version 'one' is not X.Y.Z (semver)" in built.output


def files_outside_the_cache(root: Path) -> list[tuple[Path, bytes]]:
    """Every file under root but the observation cache, with its bytes."""
    return sorted(
        (path.relative_to(root), path.read_bytes())
        for path in root.rglob("*")
        if path.is_file() and ".cache" not in path.parts
    )


@pytest.mark.parametrize("version", ["0.1.0/x", "0.1.0/../../elsewhere", "../x", "a b", "1.2", ""])
def test_a_build_version_that_is_not_semver_is_refused_before_anything_is_written(
    raw, tmp_path, version
):
    assert build(raw, tmp_path / "out", "--version", "0.1.0").exit_code == 0
    before = files_outside_the_cache(tmp_path)
    built = build(raw, tmp_path / "out", "--version", version)
    assert (built.exit_code, built.output) == (
        1,
        f"Error: --version: {version!r} is not X.Y.Z (semver)\n",
    )
    assert files_outside_the_cache(tmp_path) == before


SHA = "0" * 64


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ('[dataset]\nversion = "0.2.0\\n"\n', "[dataset] version '0.2.0\\n' is not X.Y.Z"),
        ('dataset = "x"\n', "needs a [dataset] table and [[source]] entries"),
        ('[dataset]\nversion = "0.1.0"\n[source]\nfile = "good.md"\n', "needs a [dataset] table"),
        ('[dataset]\nversion = "0.1.0"\n[[source]]\nfile = 5\n', "#1 needs a file and a 64-hex"),
        (
            f'[dataset]\nversion = "0.1.0"\n[[source]]\nfile = "good.md"\nsha256 = "{SHA}"\n'
            f'[[source]]\nfile = "good.md"\nsha256 = "{SHA}"\n',
            "[[source]] #2 declares good.md again",
        ),
        (
            f'[dataset]\nversion = "0.1.0"\n[[source]]\nfile = "../good.md"\nsha256 = "{SHA}"\n',
            "[[source]] #1: ../good.md is not a path inside raw/",
        ),
    ],
)
def test_a_malformed_manifest_is_one_error_naming_it(raw, tmp_path, manifest, message):
    (raw / "sources.toml").write_text(manifest)
    built = build(raw, tmp_path / "out")
    assert built.exit_code == 1
    assert built.output.startswith(f"Error: {raw / 'sources.toml'}: ")
    assert message in built.output
    assert "Traceback" not in built.output


def test_a_manifest_that_is_a_directory_is_refused_not_ignored(raw, tmp_path):
    (raw / "sources.toml").mkdir()
    built = build(raw, tmp_path / "out")
    assert (built.exit_code, built.output) == (
        1,
        f"Error: {raw / 'sources.toml'}: is not a readable file (a directory or broken link?)\n",
    )


def test_a_file_name_that_is_not_utf8_is_refused(raw, tmp_path):
    (raw / "caf\udce9.md").write_text(TABLE)
    built = build(raw, tmp_path / "out")
    assert built.exit_code == 1
    assert "file name is not valid UTF-8: rename the file" in built.output
    assert "Traceback" not in built.output


def test_an_output_directory_that_cannot_be_made_is_one_error(raw, tmp_path):
    (tmp_path / "file").write_text("")
    built = build(raw, tmp_path / "file" / "out")
    expected = f"Error: {tmp_path / 'file' / 'out'}: Not a directory\n"
    assert (built.exit_code, built.output) == (1, expected)


def test_an_undeclared_document_is_refused_with_the_command_that_accepts_it(raw, tmp_path):
    (raw / "sources.toml").write_text('[dataset]\nversion = "0.1.0"\n')
    built = build(raw, tmp_path / "out")
    assert built.exit_code == 1
    assert "sources.toml: declares no [[source]] documents" in built.output
    assert f"modelmetrics accept --raw {raw} --version 0.1.0" in built.output


def test_a_document_beside_the_declared_ones_is_refused_until_accepted(tmp_path):
    shutil.copytree(REPO / "raw", tmp_path / "raw")
    (tmp_path / "raw" / "new.md").write_text(TABLE)
    built = build(tmp_path / "raw", tmp_path / "out")
    assert built.exit_code == 1
    assert f"{tmp_path / 'raw' / 'new.md'}: not declared in" in built.output
    declared = declared_version()
    assert f"modelmetrics accept --raw {tmp_path / 'raw'} --version {declared}" in built.output
    accepted = CliRunner().invoke(
        main, ["accept", "--raw", str(tmp_path / "raw"), "--version", "0.2.0"]
    )
    assert "new.md: declared" in accepted.output
    rebuilt = build(tmp_path / "raw", tmp_path / "out")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "  documents               4" in rebuilt.output


def test_the_summary_is_a_table_of_counts_and_warnings_name_file_and_line(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    doc = (
        "| Model | Top-1 | FLOPs |\n|---|---|---|\n| a.in1k | 80.1 | 4.1 |\n| b.in1k | 180 | 2 |\n"
    )
    (raw / "doc.md").write_text(doc)
    built = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "o")])
    assert built.exit_code == 0, built.output
    summary = built.stdout.splitlines()
    assert summary[0] == f"modelmetrics 0.0.0: {tmp_path / 'o' / 'v0.0.0'} written"
    assert summary[2:11] == [
        "  documents               1",
        "  tables                  1",
        "  rows                    2",
        "  results                 1",
        "  models                  1",
        "  conflicts               0",
        "  quarantined             1",
        "  unknown columns         1",
        "  warnings                2",
    ]
    assert summary[11].startswith("  seconds    ")
    assert built.stderr.splitlines() == [
        "warning: doc.md:1: column 'FLOPs' maps to no known column; kept in observations.raw_cells",
        "warning: doc.md:4: quarantined (top1_in_range): top-1 outside (1, 100]: a fraction "
        "instead of a percent, or an error rate?",
    ]
    assert (tmp_path / "o" / "build.log").read_text().count("\n") == 2


def warnings_of(tmp_path: Path, markdown: str) -> list[str]:
    """The stderr lines of a build of one document, doc.md, holding markdown."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "doc.md").write_text(markdown)
    built = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "o")])
    assert built.exit_code == 0, built.output
    return built.stderr.splitlines()


def test_each_table_not_read_is_a_warning_naming_its_line_and_why(tmp_path):
    # An HTML table with a cell spanning two of its three columns, and a pipe table with one
    # delimiter cell too many (CNTK's), which GitHub shows as text.
    html = (
        "<div>\n  <table>\n  <tr><th>Model</th><th>Top-1</th><th>Top-5</th></tr>\n"
        "  <tr><td colspan=2>ImageNet-22K</td><td>1</td></tr>\n  </table>\n</div>\n"
    )
    code = "```html\n<table>\n```\n"
    table = "| Model | Top-1 |\n|---|---|\n| b.in1k | 81 |\n"
    mismatched = "| Model | Top-1 |\n|---|---|---|\n| c.in1k | 82 |\n"
    assert warnings_of(tmp_path, f"{html}\n{code}\n{table}\n{mismatched}") == [
        "warning: doc.md:2: an HTML <table>, not read: a cell at line 4 spans 2 columns; its "
        "rows are not in the dataset",
        "warning: doc.md:16: a pipe table, not read: its delimiter row (line 17) has 3 cells for 2 "
        "cells in its header row, so it is text, as on GitHub; its rows are not in the dataset",
    ]


def test_a_table_whose_accuracies_are_under_unknown_headers_is_one_warning_for_the_table(
    tmp_path,
):
    # OpenVINO's model list: "Accuracy" holds "76.13%/92.86%", and no synonym reads it.
    table = (
        "| Model Name | Accuracy | GFlops |\n|---|---|---|\n| resnet-50 | 76.13%/92.86% | 8.2 |\n"
    )
    assert warnings_of(tmp_path, f"{table}\n| Model | Top-1 |\n|---|---|\n| a.in1k | 81 |\n") == [
        "warning: doc.md:1: column 'Accuracy' maps to no known column; kept in "
        "observations.raw_cells",
        "warning: doc.md:1: column 'GFlops' maps to no known column; kept in "
        "observations.raw_cells",
        "warning: doc.md:1: table has columns that read like accuracies ('Accuracy') but none is "
        "a known top-1 or top-5 header: its rows are kept as observations, not results",
    ]


def test_a_conflict_is_a_warning_at_the_other_place_naming_the_kept_one_by_line(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    table = "| Model | Top-1 |\n|---|---|\n"
    (raw / "a.md").write_text(f"{table}| a.in1k | 81.0 |\n")
    (raw / "b.md").write_text(f"# B\n\n{table}| a.in1k | 82.0 |\n")
    (raw / "c.md").write_text(f"{table}| a.in1k | 81.0 |\n| b.in1k | 70.0 |\n")
    (raw / "d.md").write_text(f"{table}| b.in1k | 71.0 |\n")
    built = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "o")])
    assert built.stderr.splitlines() == [
        "warning: b.md:5: a.in1k top1 82.0 conflicts with 81.0 at a.md:3 and 1 more (kept 81.0: "
        "published in 2 places against 1)",
        "warning: d.md:3: b.in1k top1 71.0 conflicts with 70.0 at c.md:4 (kept 70.0: a tie of 1 "
        "place(s) each, broken by source order)",
    ]


def test_a_warning_repeated_word_for_word_is_said_once(tmp_path):
    # openmixup's matrices head four columns 'ResNet-18' (one per training setting).
    table = (
        "| Model | Top-1 | ResNet-18 | ResNet-18 |\n|---|---|---|---|\n| a.in1k | 81 | 1 | 2 |\n"
    )
    assert warnings_of(tmp_path, table) == [
        "warning: doc.md:1: column 'ResNet-18' maps to no known column; kept in "
        "observations.raw_cells",
    ]


def test_a_trailing_zero_counts_in_a_build_as_in_its_page(tmp_path):
    # mindcv's 68.10 and 68.07: both written to two decimals, a conflict.
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, top1 in [("a.md", "68.10"), ("b.md", "68.07"), ("c.md", "68.1")]:
        (raw / name).write_text(f"| Model | Top-1 |\n|---|---|\n| m | {top1} |\n")
    built = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "o")])
    assert built.exit_code == 0, built.output
    conflicts = pl.read_parquet(tmp_path / "o" / "latest" / "conflicts.parquet")
    assert conflicts.select("chosen_value", "other_value").rows() == [("68.1", "68.07")]


def test_an_html_table_gives_results_traced_to_its_lines(tmp_path):
    # FasterViT and MambaVision give their results in HTML tables like this one.
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "doc.md").write_text(
        "# ImageNet-1K\n\n<table>\n  <tr>\n    <th>Name</th>\n    <th>Acc@1(%)</th>\n  </tr>\n\n"
        "<tr>\n    <td>FasterViT-0</td>\n    <td><b>82.1</b></td>\n"
        '    <td><a href="https://x.org/f0.pth">model</a></td>\n</tr>\n</table>\n'
    )
    built = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "o")])
    assert built.exit_code == 0, built.output
    version = tmp_path / "o" / "latest"
    results = pl.read_parquet(version / "results.parquet")
    assert results.select("model", "top1").rows() == [("FasterViT-0", 82.1)]
    observations = pl.read_parquet(version / "observations.parquet")
    # The row is at the line of its first cell, which shows its values; its <tr> is line 9.
    assert observations.select("source", "table_index", "line", "links").rows() == [
        ("doc.md", 0, 10, ["https://x.org/f0.pth"])
    ]


def test_quiet_prints_nothing_on_success(raw, tmp_path):
    built = CliRunner().invoke(
        main, ["build", "--raw", str(raw), "--out", str(tmp_path / "o"), "-q"]
    )
    assert (built.exit_code, built.output) == (0, "")


def test_an_output_directory_with_a_backslash_is_refused_before_anything_is_written(raw, tmp_path):
    out = tmp_path / "ob\\sl"
    built = build(raw, out)
    expected = f"Error: --out: {out}: DuckDB reads '\\' in a path as '/': choose one without it\n"
    assert (built.exit_code, built.output) == (1, expected)
    assert not out.exists()


def test_a_raw_or_output_path_that_is_a_file_is_one_error_exit_1(raw, tmp_path):
    (tmp_path / "file").write_text("")
    from_file = build(tmp_path / "file", tmp_path / "out")
    assert (from_file.exit_code, from_file.output) == (
        1,
        f"Error: {tmp_path / 'file'}: is not a directory of raw documents\n",
    )
    into_file = build(raw, tmp_path / "file")
    assert (into_file.exit_code, into_file.output) == (
        1,
        f"Error: {tmp_path / 'file'} is not a directory: give --out a directory to build into\n",
    )


def test_a_column_of_evaluation_sets_is_warned_of_only_where_it_keeps_rows_out(tmp_path):
    # TI's zoo has a "Dataset" column that says ImageNet on every row: nothing to warn of.
    every_row = "| Model | Dataset | Top-1 |\n|---|---|---|\n| a.in1k | ImageNet | 80.1 |\n"
    one_row = "| Model | Dataset | Top-1 |\n|---|---|---|\n| b.in1k | CIFAR-100 | 90.2 |\n"
    # LocalMamba's has empty rows between its groups (`||||`): they keep no row out.
    spaced = "| Model | Dataset | Top-1 |\n|---|---|---|\n| c.in1k | ImageNet | 80.1 |\n||||\n"
    assert warnings_of(tmp_path, f"{every_row}\n{one_row}\n{spaced}") == [
        "warning: doc.md:5: table has a 'Dataset' column of evaluation sets: its rows naming "
        "another set than ImageNet-1k are kept as observations, not results"
    ]
