"""The progress line: on a terminal once a build runs over a second, never in a pipe."""

import io
import time

from pipeline import console


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_build_on_a_terminal_shows_its_stage(monkeypatch):
    monkeypatch.setattr(console, "PROGRESS_AFTER_SECONDS", 0.0)
    screen = Terminal()
    with console.ProgressLine(screen) as progress:
        progress("dedupe")
        time.sleep(0.5)
    assert "[##--] 3/4 dedupe" in screen.getvalue()
    assert screen.getvalue().endswith("\r\033[K")


def test_a_quick_build_shows_nothing():
    screen = Terminal()
    with console.ProgressLine(screen) as progress:
        progress("observe")
    assert screen.getvalue() == ""


def test_a_pipe_never_gets_a_progress_line(monkeypatch):
    monkeypatch.setattr(console, "PROGRESS_AFTER_SECONDS", 0.0)
    pipe = io.StringIO()
    with console.ProgressLine(pipe) as progress:
        progress("observe")
        time.sleep(0.3)
    assert pipe.getvalue() == ""
