"""Row batches: stages whose rows do not depend on each other work a batch at a time (pure).

A stage that makes several new columns for a million rows at once holds all their intermediates
at once; a batch of BATCH_ROWS holds an eighth of that, and the result is the same rows.
"""

from collections.abc import Callable, Iterator

import polars as pl

BATCH_ROWS = 125_000


def row_batches(frame: pl.DataFrame, batch_rows: int | None = None) -> Iterator[pl.DataFrame]:
    """Consecutive slices of frame, batch_rows (BATCH_ROWS) rows each, the last one fewer; one
    slice if the frame is empty."""
    size = batch_rows or BATCH_ROWS
    for offset in range(0, max(frame.height, 1), size):
        yield frame.slice(offset, size)


def table_batches(frame: pl.DataFrame, batch_rows: int | None = None) -> Iterator[pl.DataFrame]:
    """Consecutive slices of frame (rows of tables in source order) that each end with a whole
    table and hold at least batch_rows (BATCH_ROWS) rows, the last one fewer; one slice if the
    frame is empty. A check that compares the rows of a table sees all of them."""
    size = batch_rows or BATCH_ROWS
    tables = frame.select("source", "table_index").with_row_index("start")
    starts = tables.filter(pl.struct("source", "table_index").is_first_distinct())["start"]
    offset = 0
    for start in [*starts.to_list()[1:], frame.height]:
        if start - offset >= size or start == frame.height:
            yield frame.slice(offset, start - offset)
            offset = start


def map_batches(
    frame: pl.DataFrame,
    transform: Callable[[pl.DataFrame], pl.DataFrame],
    batch_rows: int = BATCH_ROWS,
) -> pl.DataFrame:
    """transform applied to consecutive slices of frame, concatenated in order."""
    results = [transform(batch) for batch in row_batches(frame, batch_rows)]
    return pl.concat(results) if len(results) > 1 else results[0]
