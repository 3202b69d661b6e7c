"""Batches of whole tables: a check that compares the rows of a table sees all of them."""

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from pipeline.batches import table_batches


def rows_of_tables(sizes: list[int]) -> pl.DataFrame:
    """Rows of consecutive tables of the given sizes, three tables to a document."""
    return pl.DataFrame(
        [
            {"source": f"doc{index // 3}.md", "table_index": index % 3, "row_index": row}
            for index, size in enumerate(sizes)
            for row in range(size)
        ],
        schema={"source": pl.String, "table_index": pl.Int32, "row_index": pl.Int32},
    )


def test_a_batch_ends_with_the_table_it_started_past_the_batch_size():
    frame = rows_of_tables([3, 4, 2, 5, 1])
    assert [batch.height for batch in table_batches(frame, 5)] == [7, 7, 1]


def test_an_empty_frame_is_one_empty_batch():
    assert [batch.height for batch in table_batches(rows_of_tables([]), 5)] == [0]


@given(st.lists(st.integers(1, 9), max_size=12), st.integers(1, 20))
def test_batches_are_the_frame_in_order_with_no_table_split(sizes, batch_rows):
    frame = rows_of_tables(sizes)
    batches = list(table_batches(frame, batch_rows))
    assert pl.concat(batches).equals(frame)
    assert all(batch.height >= batch_rows for batch in batches[:-1])
    tables = [set(batch.select("source", "table_index").rows()) for batch in batches]
    assert sum(len(keys) for keys in tables) == len(set().union(*tables))
