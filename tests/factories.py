"""Small hand-made frames in the exact shape of the pipeline's contracts."""

from typing import Any

import polars as pl
from hypothesis import strategies as st

from pipeline import observe
from pipeline.extract import extract_frames
from pipeline.validate import empty_frame
from schemas.observations import NormalizedObservation


def observation(number: int = 0, **values: Any) -> dict[str, Any]:
    """One normalized observation from a results table; values override the defaults."""
    source = values.pop("source", "doc.md")
    row = {
        "observation_id": f"{source}#0.{number}",
        "source": source,
        "table_index": 0,
        "row_index": number,
        "line": 10 + number,
        "table_line": 8,
        "heading_path": ["Doc"],
        "raw_cells": [{"header": "Model", "text": "m"}],
        "unknown_columns": [],
        "is_results_table": True,
        "ragged": False,
        "links": None,
        "footnotes": None,
        "model": "resnet50.a1_in1k",
        "architecture": "resnet50",
        "pretrained_tag": "a1_in1k",
        "top1": 80.0,
        "top5": 95.0,
        "params_m": 25.6,
        "params_lower_bound": False,
        "img_size": 224,
        "pretrain_dataset": "imagenet-1k",
        "parse_errors": [],
    }
    row.update(values)
    return row


def observations_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """A NormalizedObservation frame with every column and exact dtypes."""
    schema = empty_frame(NormalizedObservation).schema
    filled = [{name: row.get(name) for name in schema} for row in rows]
    return pl.DataFrame(filled, schema=schema)


def observed_markdown(markdown: str, source: str = "a.md") -> pl.DataFrame:
    """The checked observations of one Markdown document, no errata applied."""
    tables, rows = extract_frames([(source, markdown)])
    return observe.observe_rows(tables, rows, []).observations


# The pieces HTML tables are written with, well-formed or not: spans, sections, comments, links,
# a nested table, an unclosed tag, a declaration html.parser rejects.
HTML_TABLE_PIECES = [
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<thead>",
    "</thead>",
    "<tbody>",
    "<th>Model</th>",
    "<th>Top-1</th>",
    '<th colspan="2">Top-1</th>',
    '<th rowspan="2">Model</th>',
    '<th rowspan="3" colspan="2"><b></b></th>',
    "<td>m-1</td>",
    "<td><b>80.1</b><sup>*</sup></td>",
    '<td rowspan="2">m-2</td>',
    '<td rowspan="0">x</td>',
    '<td colspan="2">22K</td>',
    '<td><a href="https://x.org/a?b=1&amp;c=2">m</a></td>',
    "<td>",
    "<td>| a | b |</td>",
    "<td>81.2&plusmn0.1 &#x2713 &amp</td>",
    "&lt",
    "<caption>Table 1</caption>",
    "<!-- <td>c</td> -->",
    "<![if x]>",
    "<![foo[ x ]]>",
    "\n",
    "\n\n",
    "  ",
    "| h |",
]


@st.composite
def html_tables(draw: st.DrawFn) -> str:
    """Text that starts an HTML table, then its pieces in any order, closed or not."""
    pieces = draw(st.lists(st.sampled_from(HTML_TABLE_PIECES), max_size=14))
    return "<table>" + "".join(pieces) + draw(st.sampled_from(["</table>", "</table>", ""]))
