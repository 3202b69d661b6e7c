"""The extractor's output: the tables found in each document and their body rows."""

import pandera.polars as pa
import polars as pl

from schemas import fields


class ExtractedTable(pa.DataFrameModel):
    """One table found in a source document: a GFM pipe table, or an HTML <table> read as a
    grid (pipeline/html_tables.py)."""

    source: str = fields.source()
    table_index: pl.Int32 = fields.table_index()
    line: pl.Int32 = pa.Field(
        ge=1, description="1-based line of the table's header row (of an HTML table, its <tr>)"
    )
    heading_path: pl.List(pl.String) = pa.Field(
        description="Enclosing headings, outermost first, markup removed"
    )
    header: pl.List(pl.String) = pa.Field(description="Header cells, plain text")
    align: pl.List(pl.String) = pa.Field(
        description=(
            "Per column alignment from the delimiter row: left, center, right or null (null "
            "for every column of an HTML table)"
        )
    )
    n_rows: pl.Int32 = pa.Field(ge=0, description="Number of body rows")
    caption: str = pa.Field(
        nullable=True,
        description=(
            "The label just above the table in place of a heading (a bold line, a short line "
            "ending in a colon, or a numbered caption: 'Table 1. ...'), or an HTML table's "
            "<caption>, plain text; null without one"
        ),
    )
    lead: str = pa.Field(
        nullable=True,
        description=(
            "The document's opening prose (its paragraphs before its first table and its first "
            "heading below the title), plain text; null without any"
        ),
    )

    class Config:
        strict = True
        unique = ["source", "table_index"]


class ExtractedRow(pa.DataFrameModel):
    """One body row of an extracted table, cells as plain text, padded/truncated to the header."""

    source: str = fields.source()
    table_index: pl.Int32 = fields.table_index()
    row_index: pl.Int32 = fields.row_index()
    line: pl.Int32 = pa.Field(ge=1, description="1-based line of this row in the document")
    cells: pl.List(pl.String) = pa.Field(
        description="Cells as plain text after inline rendering, one per header column"
    )
    ragged: bool = pa.Field(
        description="True when the row had more or fewer cells than the header (padded/truncated)"
    )
    links: pl.List(pl.String) = pa.Field(
        nullable=True, description="Link URLs found in the row's cells, in order; null when none"
    )
    cell_notes: pl.List(pl.String) = pa.Field(
        nullable=True,
        description=(
            "Per cell footnote marks taken out of the cell text (<sup>1</sup>), '' where none; "
            "null when the row has none"
        ),
    )

    class Config:
        strict = True
        unique = ["source", "table_index", "row_index"]
