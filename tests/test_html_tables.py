"""HTML tables read as grids: header rows, spans, ragged rows, links, and what is not read."""

import pytest

from pipeline.html_tables import GridRow, HtmlGrid, UnreadTable, read_html_table


def read(text: str, first: int = 0) -> HtmlGrid | UnreadTable:
    """The table that starts the text, as if its first line were line first + 1."""
    lines = [""] * first + text.split("\n")
    return read_html_table(lines[first], lines, first)


def grid(text: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The header and the body cells of the table that starts the text."""
    read_table = read(text)
    assert isinstance(read_table, HtmlGrid), read_table
    return read_table.header, [row.cells for row in read_table.rows]


@pytest.mark.parametrize(
    ("text", "header", "rows"),
    [
        # FasterViT: a row of <th>, then rows of <td> with blank lines between them.
        (
            "<table>\n  <tr>\n    <th>Name</th>\n    <th>Acc@1(%)</th>\n  </tr>\n\n<tr>\n"
            "    <td>FasterViT-0</td>\n    <td>82.1</td>\n</tr>\n</table>",
            ("Name", "Acc@1(%)"),
            [("FasterViT-0", "82.1")],
        ),
        # <thead> decides, whatever its cells are.
        (
            "<table><thead><tr><td>Model</td><td>Top-1</td></tr></thead>"
            "<tbody><tr><th>a</th><td>1</td></tr></tbody></table>",
            ("Model", "Top-1"),
            [("a", "1")],
        ),
        # A row after </thead> is a body row, <tbody> or not.
        (
            "<table><thead><tr><th>Model</th></tr></thead><tr><td>a</td></tr></table>",
            ("Model",),
            [("a",)],
        ),
        # No <th> and no <thead>: the first row is the header, as in a pipe table.
        (
            "<table><tr><td><b>Model</b></td><td>Top-1</td></tr><tr><td>a</td><td>1</td></tr></table>",
            ("<b>Model</b>", "Top-1"),
            [("a", "1")],
        ),
        # MAE: header cells outside any <tr> make a row of their own.
        (
            "<table><th>Model</th><th>Top-1</th><tr><td>a</td><td>1</td></tr></table>",
            ("Model", "Top-1"),
            [("a", "1")],
        ),
        # DINO: a header cell over several columns names each of them.
        (
            '<table><tr><th>arch</th><th colspan="2">download</th></tr>'
            "<tr><td>ViT-S/16</td><td>backbone</td><td>full</td></tr></table>",
            ("arch", "download", "download"),
            [("ViT-S/16", "backbone", "full")],
        ),
        # A body cell over several rows is in each of them, wherever its column is.
        (
            "<table><tr><th>a</th><th>b</th><th>c</th></tr>"
            '<tr><td rowspan="3">x</td><td>1</td><td rowspan="2">y</td></tr>'
            "<tr><td>2</td></tr><tr><td>3</td><td>z</td></tr></table>",
            ("a", "b", "c"),
            [("x", "1", "y"), ("x", "2", "y"), ("x", "3", "z")],
        ),
        # A span that is no positive number is one row; a span past the last row ends there.
        (
            '<table><tr><th>a</th><th>b</th></tr><tr><td rowspan="0">x</td><td>1</td></tr>'
            '<tr><td rowspan="two">y</td><td rowspan="9">2</td></tr></table>',
            ("a", "b"),
            [("x", "1"), ("y", "2")],
        ),
        # Comments hold no cells (XCiT comments some out); whitespace runs are one space.
        (
            "<table><tr><th>Arch</th><!-- <th>key</th> --><th>Top-1\n   (%)</th></tr>"
            "<tr><td>\n  xcit_nano  </td><!-- <td>k</td> --><td>69.9</td></tr></table>",
            ("Arch", "Top-1 (%)"),
            [("xcit_nano", "69.9")],
        ),
        # Rows with fewer cells are padded, with more cut, as a pipe table's are.
        (
            "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td></tr>"
            "<tr><td>1</td><td>2</td><td>3</td></tr><tr></tr></table>",
            ("a", "b"),
            [("1", ""), ("1", "2")],
        ),
    ],
)
def test_a_grid_under_one_header_row_is_read(text, header, rows):
    assert grid(text) == (header, rows)


@pytest.mark.parametrize(
    ("text", "header", "rows"),
    [
        # XCiT: a cell over two columns heads the cells below it; a blank cell names nothing.
        (
            '<table><tr><th>Arch</th><th colspan="2">Model</th></tr>'
            "<tr><th></th><th>224</th><th>384</th></tr><tr><td>a</td><td>1</td><td>2</td></tr></table>",
            ("Arch", "Model / 224", "Model / 384"),
            [("a", "1", "2")],
        ),
        # DPNs: header cells spanning two rows make the row below a header row, <td> or not.
        (
            '<table><tr><th rowspan="2">Model</th><th colspan="2">224x224</th>'
            '<th colspan="2">320x320</th></tr>'
            "<tr><td>Top 1</td><td>Top 5</td><td>Top 1</td><td>Top 5</td></tr>"
            '<tr><td rowspan="2">DPN-68</td><td>23.57</td><td>6.93</td><td>22.15</td><td>5.90</td>'
            "</tr><tr><td>1</td><td>2</td><td>3</td><td>4</td></tr></table>",
            ("Model", "224x224 / Top 1", "224x224 / Top 5", "320x320 / Top 1", "320x320 / Top 5"),
            [("DPN-68", "23.57", "6.93", "22.15", "5.90"), ("DPN-68", "1", "2", "3", "4")],
        ),
        # coreml-model-zoo: no <th>, a first row spanning three rows; tags only name nothing.
        (
            "<table><tr><td rowspan=3><b>Model</b></td><td colspan=2><b>Accuracy, %</b></td></tr>"
            '<tr><td colspan="2"><b>CoreML</b></td></tr><tr><td>Top-1</td><td><b></b></td></tr>'
            "<tr><td>m</td><td>71.88</td><td>90.29</td></tr></table>",
            (
                "<b>Model</b>",
                "<b>Accuracy, %</b> / <b>CoreML</b> / Top-1",
                "<b>Accuracy, %</b> / <b>CoreML</b>",
            ),
            [("m", "71.88", "90.29")],
        ),
        # DINOv2: every row of <thead> is a header row; a cell spans no row past <thead>.
        (
            '<table><thead><tr><th rowspan="3">backbone</th><th>ImageNet-1K</th></tr>'
            "<tr><th>Top-1</th></tr></thead>"
            '<tbody><tr><td>ViT-S/14</td><td rowspan="2">81.1</td></tr><tr><td>ViT-B/14</td>'
            "</tr></tbody></table>",
            ("backbone", "ImageNet-1K / Top-1"),
            [("ViT-S/14", "81.1"), ("ViT-B/14", "81.1")],
        ),
        # CoreML's zoo: an empty separator column spanning every row is no header; it fills its
        # column in the body too. The empty corner spanning two rows makes two header rows.
        (
            "<table><tr><td rowspan=2></td><td colspan=2><b>Source</b></td><td rowspan=4></td>"
            "<td><b>Latency</b></td></tr><tr><td>Top-1</td><td>Top-5</td><td>CPU</td></tr>"
            "<tr><td>R50</td><td>76.15</td><td>92.87</td><td>70</td></tr>"
            "<tr><td>R101</td><td>77.37</td><td>93.56</td><td>165</td></tr></table>",
            ("", "<b>Source</b> / Top-1", "<b>Source</b> / Top-5", "", "<b>Latency</b> / CPU"),
            [("R50", "76.15", "92.87", "", "70"), ("R101", "77.37", "93.56", "", "165")],
        ),
        # A header row spanning every row leaves no body row.
        (
            '<table><tr><th rowspan="2">a</th></tr><tr><td>1</td></tr></table>',
            ("a", "1"),
            [],
        ),
        (
            "<table><thead><tr><th>a</th></tr><tr><th>b</th></tr></thead></table>",
            ("a / b",),
            [],
        ),
    ],
)
def test_header_rows_stacked_over_a_column_name_it_top_to_bottom(text, header, rows):
    assert grid(text) == (header, rows)


def test_rows_keep_their_lines_their_links_and_whether_they_were_ragged():
    text = (
        "<table>\n<caption>Table 1. <i>Main</i> results</caption>\n<tr><th>Model</th><th>Top-1</th>"
        '</tr>\n\n<tr><td><a href="https://x.org/m?a=1&amp;b=2">m</a></td><td>1</td></tr>\n'
        "<tr><td>n</td></tr>\n</table>\ntext after"
    )
    assert read(text, first=4) == HtmlGrid(
        line=7,
        end_line=11,
        header=("Model", "Top-1"),
        rows=(
            GridRow(
                9,
                ('<a href="https://x.org/m?a=1&amp;b=2">m</a>', "1"),
                False,
                ("https://x.org/m?a=1&b=2",),
            ),
            GridRow(10, ("n", ""), True, ()),
        ),
        caption="Table 1. <i>Main</i> results",
    )


def test_a_row_is_at_the_line_of_its_first_cell_not_of_its_tr() -> None:
    # MambaVision writes <tr> and each <td> on lines of their own: a row's line shows its values.
    text = (
        "<table>\n<tr>\n<th>Model</th>\n<th>Top-1</th>\n</tr>\n<tr>\n  <td>a</td>\n  <td>1</td>\n"
        "</tr>\n<tr><td>b</td>\n<td>2</td></tr>\n</table>"
    )
    read_table = read(text)
    assert isinstance(read_table, HtmlGrid), read_table
    assert [row.line for row in read_table.rows] == [7, 10]


@pytest.mark.parametrize("colspan", ["3", "9"])
def test_a_row_of_one_cell_across_every_column_is_a_label_in_the_first(colspan: str) -> None:
    # FT-CLIP's "Fine-tuning CLIP directly" row, a section label: its table is read.
    text = (
        "<table>\n<tr><th>Model</th><th>Top-1</th><th>Params</th></tr>\n"
        f"<tr><td colspan={colspan}><em>ImageNet-22K pretrained</em></td></tr>\n"
        "<tr><td>ViT-B</td><td>84.0</td><td>86M</td></tr>\n</table>"
    )
    read_table = read(text)
    assert isinstance(read_table, HtmlGrid), read_table
    assert read_table.rows == (
        GridRow(3, ("<em>ImageNet-22K pretrained</em>", "", ""), False, ()),
        GridRow(4, ("ViT-B", "84.0", "86M"), False, ()),
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # A row of one cell across every column and into the rows below is no section label.
        (
            "<table>\n<tr><th>a</th><th>b</th></tr>\n<tr><td colspan=2 rowspan=2>22K</td></tr>\n"
            "<tr><td>1</td></tr>\n</table>",
            "a cell at line 3 spans 2 columns",
        ),
        # A cell spanning some columns of a body row: which column holds its value is unknown.
        (
            "<table>\n<tr><th>a</th><th>b</th><th>c</th></tr>\n<tr><td colspan=2>22K</td><td>1"
            "</td></tr>\n</table>",
            "a cell at line 3 spans 2 columns",
        ),
        # A browser draws <thead> above every row; read in line order, rows would precede it.
        (
            "<table><th>Model</th>\n<thead><th>Model</th></table>",
            "its <thead> at line 2 comes after a body row",
        ),
        (
            "<table><thead><tr><th>a</th></tr></thead><tr><td>1</td></tr>\n"
            "<thead><tr><th>b</th></tr></thead></table>",
            "its <thead> at line 2 comes after a body row",
        ),
        (
            "<table><tr><td><table><tr><td>1</td></tr></table></td></tr></table>",
            "it holds a table inside it",
        ),
        ("<table>\n<tr><th>a</th></tr>\n<tr><td>1</td></tr>", "it has no </table>"),
        ("<table><caption>empty</caption><tr></tr></table>", "it has no rows"),
        (
            "<table><![foo[ x ]]><tr><td>a</td></tr></table>",
            "its HTML cannot be parsed (unknown status keyword 'foo' in marked section)",
        ),
    ],
)
def test_any_other_layout_is_not_read_and_says_why(text, problem):
    assert read(text) == UnreadTable(text.count("\n") + 1, problem)


def test_reading_stops_at_the_closing_tag_of_the_table_it_started():
    lines = ["<table><tr><th>a</th></tr>", "<tr><td>1</td></tr></table>", "<table>", "<tr>"]
    read_table = read_html_table(lines[0], lines, 0)
    assert isinstance(read_table, HtmlGrid)
    assert (read_table.end_line, read_table.rows) == (2, (GridRow(2, ("1",), False, ()),))


def test_a_table_ends_at_a_table_tag_outside_its_cells_as_in_a_browser():
    # Vega's model zoo: "<table>" written for the "</table>" of a table.
    lines = ["<table><tr><th>a</th></tr>", "<tr><td>1</td></tr>", "<table>", "<tr><th>b</th></tr>"]
    read_table = read_html_table(lines[0], lines, 0)
    assert isinstance(read_table, HtmlGrid)
    assert (read_table.end_line, read_table.end_column) == (3, 0)
    assert read_table.rows == (GridRow(2, ("1",), False, ()),)
    # Inside a cell, a <table> is a table inside the table.
    nested = read("<table><tr><td>1<table><tr><td>2</td></tr></table></td></tr></table>")
    assert nested == UnreadTable(1, "it holds a table inside it")


def test_a_table_of_5000_rows_one_per_line_is_read_whole():
    lines = ["<table>", "<tr><th>Model</th><th>Top-1</th></tr>"]
    lines += [f"<tr><td>m-{number}</td><td>{number % 90}.5</td></tr>" for number in range(5000)]
    lines.append("</table>")
    read_table = read_html_table(lines[0], lines, 0)
    assert isinstance(read_table, HtmlGrid)
    assert len(read_table.rows) == 5000
    assert read_table.rows[-1] == GridRow(5002, ("m-4999", "49.5"), False, ())
