"""Ctrl-C during a build: taken between its steps, never inside a polars call (process state).

Ctrl-C raises KeyboardInterrupt wherever the main thread is. Inside a polars call that calls
back into Python (a dtype made, a function mapped), polars cannot hand the exception on: it
panics and prints a Rust backtrace. So while a build runs, Ctrl-C only marks the build as
interrupted, and the build raises KeyboardInterrupt at its next checkpoint (between stages and
between documents), at most a batch of work later. Worker processes ignore it: the build's own
process stops them.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_PENDING = threading.Event()


@contextmanager
def deferred() -> Iterator[None]:
    """Within the block, Ctrl-C raises KeyboardInterrupt at the next checkpoint() only."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a handler, and only it is interrupted
        return
    previous = signal.signal(signal.SIGINT, _mark_pending)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _PENDING.clear()


def _mark_pending(_signal: int, _frame: FrameType | None) -> None:
    _PENDING.set()


def checkpoint() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed since the last checkpoint."""
    if _PENDING.is_set():
        _PENDING.clear()
        raise KeyboardInterrupt


@contextmanager
def ignored() -> Iterator[None]:
    """Ctrl-C ignored while the block starts processes, which inherit that from the start: a
    worker interrupted while it imports the pipeline, before its pool's initializer runs, would
    print a traceback. Starting them takes ~10 ms."""
    if threading.current_thread() is not threading.main_thread():
        yield  # the pool's initializer (ignore_in_worker) still runs
        return
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)


def ignore_in_worker() -> None:
    """A worker process's initializer: Ctrl-C is for the build's own process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
