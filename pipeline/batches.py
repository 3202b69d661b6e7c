"""Row batches: stages whose rows do not depend on each other work a batch at a time (pure).

A stage that makes several new columns for a million rows at once holds all their intermediates
at once; a batch of BATCH_ROWS holds an eighth of that, and the result is the same rows. Batches
also let two steps overlap: computed_ahead runs a step on the next batch while the caller works
on this one.
"""

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import polars as pl

BATCH_ROWS = 125_000
Item = TypeVar("Item")
Result = TypeVar("Result")


def row_batches(frame: pl.DataFrame, batch_rows: int | None = None) -> Iterator[pl.DataFrame]:
    """Consecutive slices of frame, batch_rows (BATCH_ROWS) rows each, the last one fewer; one
    slice if the frame is empty."""
    size = batch_rows or BATCH_ROWS
    for offset in range(0, max(frame.height, 1), size):
        yield frame.slice(offset, size)


def map_batches(
    frame: pl.DataFrame,
    transform: Callable[[pl.DataFrame], pl.DataFrame],
    batch_rows: int = BATCH_ROWS,
) -> pl.DataFrame:
    """transform applied to consecutive slices of frame, concatenated in order."""
    results = [transform(batch) for batch in row_batches(frame, batch_rows)]
    return pl.concat(results) if len(results) > 1 else results[0]


def computed_ahead(
    items: Iterable[Item], step: Callable[[Item], Result], depth: int = 1
) -> Iterator[Result]:
    """step of each item, in order, computed in a thread up to depth items ahead of the caller.

    Worth it for steps that spend their time outside the GIL (polars, Arrow): the caller's own
    work on one result then runs beside the step on the next.
    """
    with ThreadPoolExecutor(max_workers=1) as worker:
        pending: deque[Future[Result]] = deque()
        for item in items:
            pending.append(worker.submit(step, item))
            if len(pending) > depth:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
