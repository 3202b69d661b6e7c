"""`make bench`: build a synthetic corpus end to end and print throughput figures.

Usage: python -m benchmarks.run [--docs 1000] [--rows 1000000] [--sample-docs 50] [--repeat 3]

1. Writes the corpus (benchmarks/corpus.py) under .bench/, unless a stamp says it is there and
   was written by the same generator with the same sizes.
2. Runs the full build in a child process into a fresh output directory (cold cache), timing
   each stage through build_dataset's progress callback, sampling the process tree's RSS.
3. Parses the first --sample-docs documents with markdown-it-py, collecting every td/th text:
   the baseline a plain parse gives, measured in the same run on the same machine.
   Steps 2 and 3 take turns --repeat times; the figures are the median runs.
4. Edits one number in one document, rebuilds (the observation cache holds the other documents),
   and restores the document.
"""

import argparse
import hashlib
import itertools
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import psutil
from markdown_it import MarkdownIt

from benchmarks import corpus
from pipeline import cache, extract

BENCH_DIR = Path(".bench")
STAMP = "stamp.json"
# The number the incremental rebuild edits: the first accuracy with three decimals ("87.062").
EDITED_NUMBER = re.compile(r"(?<=\| )(\d+)\.(\d{3})(?= \|)")
# A measured run: a build or a markdown-it-py parse, each with its seconds.
Run = TypeVar("Run", "BuildRun", "Baseline")
GOALS = {"rows_per_second": 200_000, "times_markdown_it": 30, "peak_rss_gb": 2.0, "rebuild": 0.10}

# Runs in the child: build_dataset with a progress callback that records each stage's start.
CHILD = """
import json, os, sys, time
from pathlib import Path
from pipeline.build import build_dataset
marks = []
def progress(stage):
    times = os.times()
    marks.append((stage, time.perf_counter(), times.user + times.system
                  + times.children_user + times.children_system))
started = time.perf_counter()
report = build_dataset(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], progress)
progress("end")
json.dump({"seconds": time.perf_counter() - started, "marks": marks, "counts": report.counts},
          sys.stdout)
"""


@dataclass(frozen=True)
class BuildRun:
    """One build measured from outside: stage wall and CPU seconds, peak RSS, counts."""

    seconds: float
    stages: dict[str, tuple[float, float]]
    peak_rss: int
    peak_tree_rss: int
    counts: dict[str, int]

    def cpu_seconds(self) -> float:
        """CPU seconds of the build process and its workers, over every stage."""
        return sum(cpu for _, cpu in self.stages.values())


def main(argv: list[str] | None = None) -> int:
    """Generate (if needed), build, compare with markdown-it-py, rebuild; print the figures."""
    options = parse_arguments(argv)
    bench_dir = Path(options.bench_dir)
    rows_per_doc = max(1, options.rows // options.docs)
    raw_dir = ensure_corpus(bench_dir, options.docs, rows_per_doc)
    out_dir = bench_dir / "outputs"
    shutil.rmtree(out_dir, ignore_errors=True)
    corpus_bytes = sum(path.stat().st_size for path in raw_dir.glob("*.md"))
    # The machine is shared: each figure is the median of --repeat runs, each build cold (a
    # fresh output directory), the builds and the baseline parses taking turns.
    fulls, baselines = [], []
    for _ in range(options.repeat):
        shutil.rmtree(out_dir, ignore_errors=True)
        fulls.append(run_build(raw_dir, out_dir, "1.0.0"))
        baselines.append(markdown_it_rate(raw_dir, options.sample_docs, rows_per_doc))
    full = median_run(fulls)
    baseline = median_run(baselines)
    rebuild, observed = run_rebuild(raw_dir, out_dir, options.docs)
    print(report_text(full, baseline, rebuild, observed, corpus_bytes, options.docs))
    print(spread_text([run.seconds for run in fulls], [run.seconds for run in baselines]))
    return 0


def median_run(runs: list[Run]) -> Run:
    """The run with the median time (the upper one of an even number)."""
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def spread_text(builds: list[float], baselines: list[float]) -> str:
    """Every run's seconds, so the spread behind each median shows."""

    def listed(seconds: list[float]) -> str:
        return ", ".join(f"{value:.2f}" for value in seconds)

    return f"runs: full build {listed(builds)} s; markdown-it-py {listed(baselines)} s"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line: corpus size, baseline sample and where to work."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--docs", type=int, default=1000, help="documents (default 1000)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="table body rows in all")
    parser.add_argument("--sample-docs", type=int, default=50, help="docs markdown-it-py parses")
    parser.add_argument("--bench-dir", default=str(BENCH_DIR), help="working directory (.bench)")
    parser.add_argument("--repeat", type=int, default=3, help="full builds and parses (median)")
    return parser.parse_args(argv)


def ensure_corpus(bench_dir: Path, docs: int, rows_per_doc: int) -> Path:
    """The corpus directory, written unless its stamp matches this generator and these sizes."""
    name = "corpus" if (docs, rows_per_doc) == (1000, 1000) else f"corpus-{docs}x{rows_per_doc}"
    root = bench_dir / name
    stamp = {
        "generator_sha256": hashlib.sha256(Path(corpus.__file__).read_bytes()).hexdigest(),
        "documents": docs,
        "rows_per_doc": rows_per_doc,
    }
    stamp_path = root / STAMP
    if stamp_path.is_file() and json.loads(stamp_path.read_text()) == stamp:
        return root / "raw"
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    corpus.write_corpus(root / "raw", docs, rows_per_doc)
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")
    print(f"wrote the corpus to {root / 'raw'} in {time.perf_counter() - started:.1f} s")
    return root / "raw"


def run_build(raw_dir: Path, out_dir: Path, version: str) -> BuildRun:
    """Build in a child process; its stage timings, peak RSS and counts."""
    command = [sys.executable, "-c", CHILD, str(raw_dir), str(out_dir), version]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    sampler = TreeRssSampler(child.pid)
    sampler.start()
    output, _ = child.communicate()
    sampler.stop()
    if child.returncode != 0:
        raise SystemExit(f"the build failed (exit {child.returncode})")
    peak = children_peak_rss()
    measured = json.loads(output)
    marks = measured["marks"]
    stages = {
        stage: (end - start, cpu_end - cpu)
        for (stage, start, cpu), (_, end, cpu_end) in itertools.pairwise(marks)
    }
    return BuildRun(measured["seconds"], stages, peak, sampler.peak, measured["counts"])


def children_peak_rss() -> int:
    """The largest peak RSS of any finished child process, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


class TreeRssSampler:
    """Samples the summed RSS of a process and its descendants every 20 ms; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self.running = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        """Start sampling."""
        self.running.set()
        self.thread.start()

    def stop(self) -> None:
        """Stop sampling."""
        self.running.clear()
        self.thread.join()

    def _sample(self) -> None:
        while self.running.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(_rss(process) for process in tree))
            except psutil.Error:
                pass
            time.sleep(0.02)


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.Error:
        return 0


@dataclass(frozen=True)
class Baseline:
    """markdown-it-py on a sample: documents, bytes, rows in them, cells it found, seconds; and
    the seconds our extractor takes on the same documents, in the same process."""

    documents: int
    bytes: int
    rows: int
    cells: int
    seconds: float
    extract_seconds: float


def markdown_it_rate(raw_dir: Path, sample_docs: int, rows_per_doc: int) -> Baseline:
    """Parse the first documents with markdown-it-py (commonmark + table), collecting cells;
    then extract them with our extractor (one process, as the parse)."""
    parser = MarkdownIt("commonmark").enable("table")
    paths = sorted(raw_dir.glob("*.md"))[:sample_docs]
    texts = [path.read_text(encoding="utf-8") for path in paths]
    started = time.perf_counter()
    cells = sum(len(table_cells(parser, text)) for text in texts)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    extract.extract_frames((path.name, text) for path, text in zip(paths, texts, strict=True))
    extract_seconds = time.perf_counter() - started
    size = sum(len(text.encode()) for text in texts)
    return Baseline(len(texts), size, rows_per_doc * len(texts), cells, seconds, extract_seconds)


def table_cells(parser: MarkdownIt, text: str) -> list[str]:
    """The text of every td and th cell markdown-it-py finds in a document."""
    tokens = parser.parse(text)
    return [
        tokens[index + 1].content
        for index, token in enumerate(tokens)
        if token.type in ("td_open", "th_open")
    ]


def run_rebuild(raw_dir: Path, out_dir: Path, docs: int) -> tuple[BuildRun, int]:
    """Edit one number in the middle document, rebuild, restore; the run and docs observed."""
    edited = sorted(raw_dir.glob("*.md"))[docs // 2]
    original = edited.read_bytes()
    cache_dir = cache.observation_dir(out_dir)
    before = set(os.listdir(cache_dir)) if cache_dir.is_dir() else set()
    try:
        edited.write_bytes(edit_one_number(original.decode()).encode())
        rebuild = run_build(raw_dir, out_dir, "1.0.1")
    finally:
        edited.write_bytes(original)
    return rebuild, len(set(os.listdir(cache_dir)) - before)


def edit_one_number(text: str) -> str:
    """The document with its first three-decimal accuracy raised by 0.001."""

    def raised(match: re.Match[str]) -> str:
        thousandths = int(match.group(1)) * 1000 + int(match.group(2)) + 1
        return f"{thousandths // 1000}.{thousandths % 1000:03d}"

    return EDITED_NUMBER.sub(raised, text, count=1)


def report_text(
    full: BuildRun,
    baseline: Baseline,
    rebuild: BuildRun,
    observed: int,
    corpus_bytes: int,
    docs: int,
) -> str:
    """The figures as a table, then each goal met or not."""
    rows = full.counts.get("rows", 0)
    megabytes = corpus_bytes / 1e6
    rate = rows / full.seconds
    base_rate = baseline.rows / baseline.seconds
    extractor_ratio = baseline.seconds / baseline.extract_seconds
    cpu_seconds = max(full.cpu_seconds(), 1e-9)
    lines = [
        f"corpus: {docs:,} documents, {rows:,} table body rows, {megabytes:.1f} MB",
        "",
        f"{'':40}{'seconds':>9}{'rows/s':>12}{'MB/s':>8}{'CPU/wall':>10}",
        _line("full build", full.seconds, rows, megabytes, None),
    ]
    for stage, (wall, cpu) in full.stages.items():
        lines.append(_line(f"  {stage}", wall, rows, megabytes, cpu / wall if wall else None))
    lines += [
        _line(
            f"markdown-it-py parse, first {baseline.documents} docs",
            baseline.seconds,
            baseline.rows,
            baseline.bytes / 1e6,
            None,
        ),
        _line("rebuild, 1 document edited", rebuild.seconds, rows, megabytes, None),
        "",
        f"full build / markdown-it-py parse: {rate / base_rate:.1f}x "
        f"(markdown-it-py found {baseline.cells:,} cells; admonition tables are code to it)",
        f"extractor alone / markdown-it-py parse: {extractor_ratio:.1f}x (same documents, one "
        "process; finding tables and their cells, as the parse does)",
        f"CPU time of the full build: {cpu_seconds:.1f} s in the build process and its workers, "
        f"{rows / cpu_seconds:,.0f} rows per CPU-second",
        f"peak RSS: build process {full.peak_rss / 1e9:.2f} GB, "
        f"with its workers {full.peak_tree_rss / 1e9:.2f} GB (sampled every 20 ms)",
        f"rebuild: {observed} document(s) observed again, {docs - observed} from the cache; "
        f"{rebuild.seconds:.2f} s = {rebuild.seconds / full.seconds:.0%} of the full build; "
        f"its observe stage {rebuild.stages.get('observe', (0.0, 0.0))[0]:.2f} s",
        "",
        *goal_lines(full, rate / base_rate, rebuild),
    ]
    return "\n".join(lines)


def _line(name: str, seconds: float, rows: int, megabytes: float, cpu: float | None) -> str:
    busy = f"{cpu:>9.2f}x" if cpu is not None else ""
    return (
        f"{name:40}{seconds:>9.2f}{rows / seconds:>12,.0f}{megabytes / seconds:>8.1f}{busy}"
        if seconds > 0
        else f"{name:40}{seconds:>9.2f}"
    )


def goal_lines(full: BuildRun, times_markdown_it: float, rebuild: BuildRun) -> list[str]:
    """Each goal of the issue with the measured figure and whether it is met."""
    rate = full.counts.get("rows", 0) / full.seconds
    peak_gb = max(full.peak_rss, full.peak_tree_rss) / 1e9
    extract_busy = full.stages.get("observe", (1.0, 0.0))
    checks = [
        (
            f"end to end >= {GOALS['rows_per_second']:,} rows/s",
            f"{rate:,.0f}",
            rate >= GOALS["rows_per_second"],
        ),
        (
            f">= {GOALS['times_markdown_it']}x markdown-it-py",
            f"{times_markdown_it:.1f}x",
            times_markdown_it >= GOALS["times_markdown_it"],
        ),
        (
            f"peak RSS < {GOALS['peak_rss_gb']} GB",
            f"{peak_gb:.2f} GB",
            peak_gb < GOALS["peak_rss_gb"],
        ),
        (
            "both cores busy extracting",
            f"{extract_busy[1] / extract_busy[0]:.2f} CPU/wall",
            extract_busy[1] / extract_busy[0] > 1.5,
        ),
        (
            "rebuild < 10% of full build",
            f"{rebuild.seconds / full.seconds:.0%}",
            rebuild.seconds / full.seconds < GOALS["rebuild"],
        ),
    ]
    return [f"  [{'met' if met else 'NOT met'}] {goal}: {figure}" for goal, figure, met in checks]


if __name__ == "__main__":
    sys.exit(main())
