"""The trade-off chart: the frontier it draws and the files it writes."""

import polars as pl
import pytest
from click.testing import CliRunner

from pipeline import plot
from pipeline.cli import main
from pipeline.errors import ModelmetricsError
from tests.sample_version import FRONTIER, sample_tables, write_sample_version


@pytest.fixture(scope="module")
def results():
    """The sample results table."""
    return sample_tables()["results"]


@pytest.mark.parametrize(
    ("name", "starts_with", "contains"),
    [
        ("chart.png", b"\x89PNG\r\n\x1a\n", b"IHDR"),
        ("chart.svg", b"<?xml", b"<svg"),
        ("chart.html", b"<!DOCTYPE html>", b"<svg"),
        ("CHART.SVG", b"<?xml", b"<svg"),
    ],
)
def test_each_format_is_written_with_its_magic_bytes(
    results, tmp_path, name, starts_with, contains
):
    written = plot.draw_tradeoff(results, tmp_path / name).read_bytes()
    assert written.startswith(starts_with)
    assert contains in written


def test_the_html_page_is_self_contained(results, tmp_path):
    page = plot.draw_tradeoff(results, tmp_path / "chart.html").read_text()
    assert "<img" not in page and "<script" not in page and "<link" not in page
    assert "vit_so150m2_patch16_reg1_gap_448.sbb_e200_in12k_ft_in1k" in page


def test_an_unknown_extension_is_refused_naming_the_formats(results, tmp_path):
    with pytest.raises(ModelmetricsError, match=r"\.jpg.*name the file \.png, \.svg or \.html"):
        plot.draw_tradeoff(results, tmp_path / "chart.jpg")
    assert not (tmp_path / "chart.jpg").exists()


def test_a_chart_that_cannot_be_written_is_a_clear_error(results, tmp_path):
    (tmp_path / "taken").write_text("a file, not a directory")
    with pytest.raises(ModelmetricsError, match=r"chart.png: cannot write the chart: "):
        plot.draw_tradeoff(results, tmp_path / "taken" / "chart.png")


def test_the_frontier_is_the_results_nothing_beats_fewest_parameters_first(results):
    assert plot.pareto_frontier(results).get_column("model").to_list() == FRONTIER


@pytest.mark.parametrize(
    ("points", "frontier"),
    [
        ([(80.0, 20.0), (80.0, 20.0)], ["m0", "m1"]),  # a tie dominates neither
        ([(80.0, 20.0), (80.0, 30.0)], ["m0"]),  # same top-1 with more params loses
        ([(80.0, 20.0), (81.0, 20.0)], ["m1"]),  # same params with lower top-1 loses
        ([(80.0, 20.0), (79.0, 10.0)], ["m1", "m0"]),  # smaller and worse stays
        ([(80.0, None), (None, 10.0)], []),  # a result without both numbers is not placed
    ],
)
def test_frontier_cases(points, frontier):
    results = pl.DataFrame(
        {"model": [f"m{i}" for i in range(len(points))], "top1": [p[0] for p in points]}
    ).with_columns(params_m=pl.Series([p[1] for p in points], dtype=pl.Float64))
    assert plot.pareto_frontier(results).get_column("model").to_list() == frontier


def test_frontier_models_are_labelled_and_other_models_are_not(results):
    figure = plot.tradeoff_figure(results)
    texts = {text.get_text() for text in figure.axes[0].texts}
    assert texts == set(FRONTIER)


def test_the_axes_say_what_they_measure_and_params_are_on_a_log_scale(results):
    axes = plot.tradeoff_figure(results).axes[0]
    assert axes.get_xscale() == "log"
    assert axes.get_xlabel() == "Parameters (millions, log scale)"
    assert axes.get_ylabel() == "ImageNet-1k val top-1 accuracy (%)"


def test_lower_bound_params_get_their_own_marker_in_the_legend(results):
    legend = plot.tradeoff_figure(results).axes[0].get_legend()
    assert "params a lower bound ('150+')" in [text.get_text() for text in legend.get_texts()]


def test_a_dataset_keeps_its_colour_whichever_results_are_drawn(results):
    only_12k = results.filter(pl.col("pretrain_dataset") == "imagenet-12k")
    every = plot.dataset_colours(results)
    assert plot.dataset_colours(only_12k)["imagenet-12k"] == every["imagenet-12k"]
    assert every["imagenet-12k"] != every["imagenet-1k"]


def test_the_same_results_draw_the_same_svg(results, tmp_path):
    first = plot.draw_tradeoff(results, tmp_path / "a.svg").read_bytes()
    assert plot.draw_tradeoff(results, tmp_path / "b.svg").read_bytes() == first


def test_results_without_any_measured_pair_still_draw_an_empty_chart(results, tmp_path):
    unmeasured = results.with_columns(params_m=pl.lit(None, dtype=pl.Float64))
    assert plot.draw_tradeoff(unmeasured, tmp_path / "empty.png").stat().st_size > 0


def test_plot_command_writes_the_chart_of_latest(tmp_path):
    write_sample_version(tmp_path / "outputs")
    out = tmp_path / "tradeoff.svg"
    answer = CliRunner().invoke(
        main, ["plot", "--out", str(out), "--out-dir", str(tmp_path / "outputs")]
    )
    assert (answer.exit_code, answer.output) == (0, f"wrote {out}\n")
    assert out.read_bytes().startswith(b"<?xml")


def test_plot_command_with_an_unknown_extension_prints_an_error(tmp_path):
    write_sample_version(tmp_path / "outputs")
    answer = CliRunner().invoke(
        main, ["plot", "--out", str(tmp_path / "x.gif"), "--out-dir", str(tmp_path / "outputs")]
    )
    assert answer.exit_code == 1
    assert answer.output.startswith(f"Error: {tmp_path / 'x.gif'}: cannot draw a chart as .gif")
