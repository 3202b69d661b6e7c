"""`make bench` on a tiny corpus: it runs end to end and prints every figure (nothing is timed)."""

import json

from benchmarks import run


def test_the_bench_prints_every_figure_on_a_tiny_corpus(tmp_path, capsys):
    arguments = ["--docs", "3", "--rows", "60", "--sample-docs", "2", "--repeat", "2"]
    arguments += ["--bench-dir", str(tmp_path)]
    assert run.main(arguments) == 0
    printed = capsys.readouterr().out
    for figure in [
        "corpus: 3 documents, 60 table body rows",
        "full build",
        "  observe",
        "  write",
        "markdown-it-py parse, first 2 docs",
        "full build / markdown-it-py parse:",
        "extractor alone / markdown-it-py parse:",
        "CPU time of the full build: ",
        "peak RSS: build process",
        "rebuild: 1 document(s) observed again, 2 from the cache",
        "end to end >= 200,000 rows/s",
        "runs: full build ",
    ]:
        assert figure in printed


def test_the_corpus_is_written_once_for_a_generator_and_size(tmp_path, capsys):
    raw = run.ensure_corpus(tmp_path, 2, 10)
    stamp = json.loads((raw.parent / run.STAMP).read_text())
    (raw / "doc-0000.md").write_text("kept\n")
    assert run.ensure_corpus(tmp_path, 2, 10) == raw
    assert (raw / "doc-0000.md").read_text() == "kept\n"
    assert stamp["documents"] == 2 and stamp["rows_per_doc"] == 10
    (raw.parent / run.STAMP).write_text(json.dumps({**stamp, "generator_sha256": "old"}))
    run.ensure_corpus(tmp_path, 2, 10)
    assert (raw / "doc-0000.md").read_text() != "kept\n"


def test_the_rebuild_edits_exactly_one_number():
    text = "| m | 87.062 | 95.514 |\n| n | 60.999 | - |\n"
    assert run.edit_one_number(text) == "| m | 87.063 | 95.514 |\n| n | 60.999 | - |\n"
    assert run.edit_one_number("| m | 60.999 |\n") == "| m | 61.000 |\n"


def test_markdown_it_collects_header_and_body_cells():
    parser = run.MarkdownIt("commonmark").enable("table")
    assert run.table_cells(parser, "| a | b |\n|---|---|\n| 1 | 2 |\n") == ["a", "b", "1", "2"]


def test_the_median_run_is_the_middle_one_or_the_upper_middle_one():
    runs = [run.Baseline(1, 1, 1, 1, seconds, 1.0) for seconds in (3.0, 1.0, 2.0)]
    assert run.median_run(runs).seconds == 2.0
    assert run.median_run(runs[:2]).seconds == 3.0
