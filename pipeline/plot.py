"""The accuracy/parameters trade-off chart for the CLI and notebook (draw_tradeoff writes it)."""

import html
import io
import math
from pathlib import Path

import matplotlib
import polars as pl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from pipeline.context import dataset_catalog
from pipeline.errors import ModelmetricsError

FORMATS = (".png", ".svg", ".html")
TITLE = "ImageNet-1k top-1 accuracy against parameter count"
UNKNOWN_DATASET = "not stated"
# Tableau colours, given to datasets in the order of datasets.toml: a dataset keeps its colour
# from one chart to the next, whichever results are drawn.
PALETTE = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2",
    "#edc948", "#9c755f", "#ff9da7", "#1b3a5c", "#8cd17d", "#86bcb6",
]  # fmt: skip
UNKNOWN_COLOUR = "#9d9d9d"
# "150+" means at least 150M: a right-pointing triangle says the true count lies further right.
LOWER_BOUND_MARKER, EXACT_MARKER = ">", "o"
LABEL_GAP_POINTS = 9.0


def measured_results(results: pl.DataFrame) -> pl.DataFrame:
    """Results that can be placed on the chart: both top-1 and a parameter count published."""
    return results.filter(pl.col("top1").is_not_null() & pl.col("params_m").is_not_null())


def pareto_frontier(results: pl.DataFrame) -> pl.DataFrame:
    """Results that no other result beats on top-1 without more parameters, fewest first."""
    measured = measured_results(results)
    # Best top-1 at each parameter count, and the best top-1 of every strictly smaller model.
    by_size = (
        measured.group_by("params_m")
        .agg(best_here=pl.col("top1").max())
        .sort("params_m")
        .with_columns(best_smaller=pl.col("best_here").cum_max().shift(1))
    )
    return (
        measured.join(by_size, on="params_m")
        .filter(
            (pl.col("top1") == pl.col("best_here"))
            & (pl.col("best_smaller").is_null() | (pl.col("top1") > pl.col("best_smaller")))
        )
        .drop("best_here", "best_smaller")
        .sort("params_m", pl.col("top1"), "model", descending=[False, True, False])
    )


def dataset_colours(results: pl.DataFrame) -> dict[str, str]:
    """A colour per pretraining dataset, known ones first; grey for results that state none."""
    known = list(dict.fromkeys(dataset_catalog().aliases.values()))
    found = results.get_column("pretrain_dataset").drop_nulls().unique().to_list()
    datasets = known + sorted(set(found) - set(known))
    colours = {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(datasets)}
    return {**colours, UNKNOWN_DATASET: UNKNOWN_COLOUR}


def frontier_labels(frontier: pl.DataFrame) -> list[str]:
    """A label per frontier result: its model, and its image size when the model appears twice."""
    repeated = frontier.get_column("model").is_duplicated().to_list()
    return [
        f"{model} @{size}px" if twice and size is not None else model
        for model, size, twice in zip(
            frontier.get_column("model"), frontier.get_column("img_size"), repeated, strict=True
        )
    ]


def tradeoff_figure(results: pl.DataFrame, title: str = TITLE) -> Figure:
    """The chart: top-1 against parameters (log scale), by dataset, frontier drawn and labelled."""
    measured = measured_results(results).with_columns(
        pl.col("pretrain_dataset").fill_null(UNKNOWN_DATASET)
    )
    figure = Figure(figsize=(12, 7.5), layout="constrained")
    axes = figure.add_subplot()
    colours = dataset_colours(results)
    _draw_points(axes, measured, colours)
    frontier = pareto_frontier(measured)
    _draw_frontier(axes, frontier)
    _style_axes(axes, measured, frontier, title)
    _label_frontier(figure, axes, frontier)
    _add_legend(axes, measured, colours)
    return figure


def _draw_points(axes: Axes, measured: pl.DataFrame, colours: dict[str, str]) -> None:
    for (dataset, lower_bound), group in measured.group_by(
        "pretrain_dataset", "params_lower_bound", maintain_order=True
    ):
        axes.scatter(
            group.get_column("params_m").to_list(),
            group.get_column("top1").to_list(),
            s=46 if lower_bound else 28,
            marker=LOWER_BOUND_MARKER if lower_bound else EXACT_MARKER,
            color=colours[str(dataset)],
            alpha=0.8,
            edgecolors="white",
            linewidths=0.5,
            zorder=3,
        )


def _draw_frontier(axes: Axes, frontier: pl.DataFrame) -> None:
    axes.plot(
        frontier.get_column("params_m").to_list(),
        frontier.get_column("top1").to_list(),
        drawstyle="steps-post",
        color="#222222",
        linewidth=1.4,
        zorder=2,
    )
    axes.scatter(
        frontier.get_column("params_m").to_list(),
        frontier.get_column("top1").to_list(),
        s=90,
        facecolors="none",
        edgecolors="#222222",
        linewidths=1.3,
        zorder=4,
    )


def _style_axes(axes: Axes, measured: pl.DataFrame, frontier: pl.DataFrame, title: str) -> None:
    axes.set_xscale("log")
    # Plain numbers at 1-2-5 steps read better than 2x10^1 for counts from 5M to 2B.
    axes.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.set_xlabel("Parameters (millions, log scale)")
    axes.set_ylabel("ImageNet-1k val top-1 accuracy (%)")
    axes.set_title(
        f"{title}\n{measured.height} results with both numbers; "
        f"{frontier.height} on the Pareto frontier (circled, labelled)",
        fontsize=12,
    )
    axes.grid(True, which="major", color="#dddddd", linewidth=0.6)
    axes.grid(True, which="minor", axis="x", color="#f0f0f0", linewidth=0.4)
    axes.set_axisbelow(True)
    _set_limits(axes, measured)


def _set_limits(axes: Axes, measured: pl.DataFrame) -> None:
    """Leave headroom above the best result for the labels; say so when nothing can be placed."""
    if measured.is_empty():
        axes.set_xlim(1, 1000)
        note = "no result has both a top-1 and a parameter count"
        axes.text(0.5, 0.5, note, transform=axes.transAxes, ha="center", color="#666666")
        return
    values = measured.get_column("top1").to_list()
    low, high = min(values), max(values)
    span = max(high - low, 1.0)
    axes.set_ylim(low - 0.04 * span, high + 0.12 * span)


def _label_frontier(figure: Figure, axes: Axes, frontier: pl.DataFrame) -> None:
    """Label frontier results above and to the left, where no result can be; spread them apart."""
    if frontier.is_empty():
        return
    figure.draw_without_rendering()  # lay the figure out so display coordinates are final
    to_points = 72.0 / figure.dpi
    previous = float("-inf")
    labels = []
    points = zip(frontier.get_column("params_m"), frontier.get_column("top1"), strict=True)
    for (params, top1), text in zip(points, frontier_labels(frontier), strict=True):
        y = float(axes.transData.transform((params, top1))[1]) * to_points
        # Each label sits at least one gap above its point and above the label before it.
        height = max(y + LABEL_GAP_POINTS, previous + LABEL_GAP_POINTS)
        previous = height
        labels.append(_annotate(axes, text, params, top1, height - y))
    _make_room_on_the_left(figure, axes, labels)


def _annotate(axes: Axes, text: str, params: float, top1: float, rise: float) -> Annotation:
    label = axes.annotate(
        text,
        xy=(params, top1),
        xytext=(-6, rise),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=7.5,
        color="#222222",
        arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.5},
        zorder=5,
    )
    label.set_in_layout(False)
    return label


def _make_room_on_the_left(figure: Figure, axes: Axes, labels: list[Annotation]) -> None:
    """Lower the left end of the log params axis until every label starts inside the axes."""
    renderer = FigureCanvasAgg(figure).get_renderer()
    box = axes.get_window_extent(renderer)
    low, high = (math.log10(limit) for limit in axes.get_xlim())
    needed = low
    for label in labels:
        anchor = float(axes.transData.transform(label.xy)[0])
        width = anchor - label.get_window_extent(renderer).x0 + 12
        share = width / box.width  # of the axes width the label needs left of its point
        if share < 0.9:
            position = math.log10(label.xy[0])
            needed = min(needed, (position - share * high) / (1 - share))
    axes.set_xlim(10**needed, 10**high)


def _add_legend(axes: Axes, measured: pl.DataFrame, colours: dict[str, str]) -> None:
    present = set(measured.get_column("pretrain_dataset").to_list())
    handles = [
        Line2D([], [], marker=EXACT_MARKER, linestyle="", color=colour, label=name)
        for name, colour in colours.items()
        if name in present
    ]
    handles += [
        Line2D(
            [],
            [],
            marker=LOWER_BOUND_MARKER,
            linestyle="",
            color="#555555",
            label="params a lower bound ('150+')",
        ),
        Line2D([], [], color="#222222", linewidth=1.4, label="Pareto frontier"),
    ]
    axes.legend(handles=handles, title="Pretraining data", loc="lower right", fontsize=8)


def figure_bytes(figure: Figure, image_format: str) -> bytes:
    """The figure as PNG or SVG bytes; the same figure gives the same bytes."""
    buffer = io.BytesIO()
    metadata = {"Date": None} if image_format == "svg" else {"Software": None}
    # SVG element ids are random unless salted: a fixed salt gives the same file every time.
    with matplotlib.rc_context({"svg.hashsalt": "modelmetrics"}):
        figure.savefig(buffer, format=image_format, dpi=150, metadata=metadata)
    return buffer.getvalue()


def html_page(figure: Figure, frontier: pl.DataFrame, title: str = TITLE) -> str:
    """A self-contained HTML page: the chart as inline SVG and the frontier as a table."""
    svg = figure_bytes(figure, "svg").decode()
    svg = svg[svg.index("<svg") :]
    rows = "".join(
        f"<tr><td>{html.escape(str(row['model']))}</td><td>{row['params_m']:g}</td>"
        f"<td>{row['top1']:g}</td><td>{html.escape(str(row['pretrain_dataset'] or ''))}</td></tr>"
        for row in frontier.iter_rows(named=True)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto}"
        "svg{max-width:100%;height:auto}td,th{padding:2px 10px;text-align:left}</style>\n"
        f"</head>\n<body>\n<h1>{html.escape(title)}</h1>\n{svg}\n<h2>Pareto frontier</h2>\n"
        "<table><tr><th>model</th><th>params (M)</th><th>top-1 (%)</th><th>pretraining</th></tr>"
        f"{rows}</table>\n</body>\n</html>\n"
    )


def draw_tradeoff(results: pl.DataFrame, out: Path) -> Path:
    """Write the trade-off chart to out as PNG, SVG or HTML, chosen by its extension."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ModelmetricsError(
            f"{out}: cannot draw a chart as {suffix or 'a file without extension'}; "
            f"name the file .png, .svg or .html"
        )
    figure = tradeoff_figure(results)
    if suffix == ".html":
        data = html_page(figure, pareto_frontier(results)).encode()
    else:
        data = figure_bytes(figure, suffix.removeprefix("."))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as error:
        raise ModelmetricsError(f"{out}: cannot write the chart: {error.strerror}") from None
    return out
