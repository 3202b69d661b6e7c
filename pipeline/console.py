"""What the command line shows a person: the build summary, warnings, a progress line."""

import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from pipeline.build import STAGES
from pipeline.report import BuildReport, warning_lines

WARNINGS_SHOWN = 10
# A build quicker than this shows no progress line: it would only flicker.
PROGRESS_AFTER_SECONDS = 1.0
LOG_NAME = "build.log"


def summary_text(report: BuildReport, verbose: bool = False) -> str:
    """The summary table printed at the end of every build."""
    state = "written" if report.written else "unchanged: already built with this content"
    rows = [(name, f"{count:,}") for name, count in report.counts.items()]
    rows.append(("warnings", f"{report.warnings.height:,}"))
    if verbose:
        stages = report.stage_seconds.items()
        rows += [(f"{stage} (s)", f"{seconds:.2f}") for stage, seconds in stages]
    rows.append(("seconds", f"{sum(report.stage_seconds.values()):.2f}"))
    width = max(8, *(len(value) for _, value in rows))
    lines = [f"modelmetrics {report.version}: {report.path} {state}", ""]
    lines += [f"  {name:<16} {value:>{width}}" for name, value in rows]
    return "\n".join(lines)


def warnings_text(report: BuildReport, verbose: bool = False) -> str:
    """The warnings, each naming its file and line; all of them when verbose, else the first few."""
    shown = report.warnings if verbose else report.warnings.head(WARNINGS_SHOWN)
    lines = [f"warning: {warning}" for warning in warning_lines(shown)]
    hidden = report.warnings.height - shown.height
    if hidden:
        lines.append(f"... and {hidden:,} more warnings: see {LOG_NAME} or run with --verbose")
    return "\n".join(lines)


def write_log(out_dir: Path, report: BuildReport) -> None:
    """Every warning of the last build, one a line, in out_dir/build.log (not part of a version)."""
    lines = [f"{warning}\n" for warning in warning_lines(report.warnings)]
    (out_dir / LOG_NAME).write_text("".join(lines), encoding="utf-8")


class ProgressLine:
    """A one-line progress display on stderr, shown only on a terminal and after a second."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.started = time.monotonic()
        self.stage = STAGES[0]
        self.stop = threading.Event()
        self.drawn = False
        self.thread = threading.Thread(target=self._draw_until_stopped, daemon=True)

    def __enter__(self) -> "ProgressLine":
        if self.enabled:
            self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def __call__(self, stage: str) -> None:
        self.stage = stage

    def _draw_until_stopped(self) -> None:
        while not self.stop.wait(0.2):
            elapsed = time.monotonic() - self.started
            if elapsed >= PROGRESS_AFTER_SECONDS:
                self.stream.write(f"\r\033[K{self._bar()} {self.stage} ({elapsed:.1f} s)")
                self.stream.flush()
                self.drawn = True

    def _bar(self) -> str:
        done = STAGES.index(self.stage) if self.stage in STAGES else 0
        return "[" + "#" * done + "-" * (len(STAGES) - done) + f"] {done + 1}/{len(STAGES)}"
