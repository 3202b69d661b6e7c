"""Row batches: stages whose rows do not depend on each other work a batch at a time (pure).

A stage that makes several new columns for a million rows at once holds all their intermediates
at once; a batch of BATCH_ROWS holds an eighth of that, and the result is the same rows.
"""

from collections.abc import Callable

import polars as pl

BATCH_ROWS = 125_000


def map_batches(
    frame: pl.DataFrame,
    transform: Callable[[pl.DataFrame], pl.DataFrame],
    batch_rows: int = BATCH_ROWS,
) -> pl.DataFrame:
    """transform applied to consecutive slices of frame, concatenated in order."""
    results = [
        transform(frame.slice(offset, batch_rows))
        for offset in range(0, max(frame.height, 1), batch_rows)
    ]
    return pl.concat(results) if len(results) > 1 else results[0]
