"""The DuckDB catalog: views over every version, documented columns, and the named views."""

import shutil

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import catalog, plot, query
from pipeline.errors import ModelmetricsError
from tests.sample_version import FRONTIER, sample_tables, write_sample_version


@pytest.fixture
def out_dir(tmp_path):
    """An output directory with the sample version and its catalog."""
    out = tmp_path / "outputs"
    write_sample_version(out)
    catalog.write_catalog(out)
    return out


def connect_from(path, monkeypatch):
    """A read-only connection to the catalog, opened from another working directory."""
    elsewhere = path.parent / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    monkeypatch.chdir(elsewhere)
    return duckdb.connect(str(path / catalog.CATALOG), read_only=True)


def test_the_catalog_answers_from_any_working_directory(out_dir, monkeypatch):
    with connect_from(out_dir, monkeypatch) as connection:
        rows = connection.execute("SELECT model FROM pareto").fetchall()
    assert [model for (model,) in rows] == FRONTIER


def test_writing_the_catalog_leaves_no_temporary_file(out_dir):
    assert sorted(path.name for path in out_dir.iterdir() if "duckdb" in path.name) == [
        catalog.CATALOG
    ]


def test_a_catalog_duckdb_cannot_write_is_one_error_naming_it_and_leaves_nothing(
    tmp_path, monkeypatch
):
    out = tmp_path / "outputs"
    write_sample_version(out)

    def failing(database, statements):
        database.write_bytes(b"partial")
        raise duckdb.IOException("IO Error: Cannot open file")

    monkeypatch.setattr(catalog, "_execute_all", failing)
    with pytest.raises(ModelmetricsError, match=r"modelmetrics\.duckdb: cannot write the DuckDB"):
        catalog.write_catalog(out)
    assert not [path.name for path in out.iterdir() if "duckdb" in path.name]


def test_pareto_keeps_the_results_no_other_beats_on_top1_without_more_params(out_dir):
    pareto = query.run_sql(out_dir / "latest", "SELECT model, img_size FROM pareto")
    assert pareto.get_column("model").to_list() == FRONTIER
    # mambaout at 224 px has as many parameters as at 384 px and a lower top-1.
    assert pareto.filter(pl.col("model").str.starts_with("mambaout")).item(0, "img_size") == 384


def test_leaderboard_keeps_the_best_result_of_each_model_ranked_by_top1(out_dir):
    board = query.run_sql(out_dir / "latest", "SELECT rank, model, top1, img_size FROM leaderboard")
    assert board.get_column("rank").to_list() == list(range(1, board.height + 1))
    assert board.get_column("model").is_unique().all()
    assert board.row(1) == (2, "mambaout_base_plus_rw.sw_e150_in12k_ft_in1k", 87.506, 384)
    assert "vit_unmeasured_patch16_224.untested" not in board.get_column("model").to_list()


def test_provenance_lists_every_place_that_published_a_result_with_its_origin(out_dir):
    places = query.run_sql(
        out_dir / "latest",
        "SELECT source, line, repository, commit FROM provenance "
        "WHERE model = 'vit_large_patch16_rope_224.naver_in1k'",
    )
    assert places.rows() == [
        ("obsidian-backbones-comparison.md", 10, "f-fuchs/ObsidianNotes", "1beb83ce"),
        ("timm-2025-models.md", 16, "GeorgePearse/pytorch-image-models", "1b928dcc"),
    ]


def test_every_column_of_every_table_carries_its_schema_description(out_dir, monkeypatch):
    with connect_from(out_dir, monkeypatch) as connection:
        missing = connection.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name IN "
            "('results', 'models', 'observations', 'sources', 'conflicts', 'quarantine') "
            "AND comment IS NULL"
        ).fetchall()
        top1 = connection.execute(
            "SELECT comment FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name = 'results' AND column_name = 'top1'"
        ).fetchone()
    assert missing == []
    assert top1 == ("Top-1 accuracy, %",)


def test_each_released_version_has_a_schema_and_main_follows_latest(tmp_path, monkeypatch):
    out = tmp_path / "outputs"
    write_sample_version(out, "0.1.0")
    tables = sample_tables()
    write_sample_version(out, "0.2.0", {**tables, "results": tables["results"].head(3)})
    catalog.write_catalog(out)
    with connect_from(out, monkeypatch) as connection:
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM v0_1_0.results), (SELECT count(*) FROM v0_2_0.results), "
            "(SELECT count(*) FROM results), (SELECT count(*) FROM v0_1_0.pareto)"
        ).fetchone()
    assert counts == (10, 3, 3, 4)


def test_a_version_query_reads_that_version_through_the_catalog(tmp_path):
    out = tmp_path / "outputs"
    write_sample_version(out, "0.1.0")
    tables = sample_tables()
    write_sample_version(out, "0.2.0", {**tables, "results": tables["results"].head(3)})
    catalog.write_catalog(out)
    old = query.run_sql(query.version_path(out, "0.1.0"), "SELECT count(*) AS n FROM leaderboard")
    new = query.run_sql(query.version_path(out), "SELECT count(*) AS n FROM leaderboard")
    assert (old.item(), new.item()) == (8, 3)


def test_a_catalog_older_than_the_newest_version_is_not_used(tmp_path):
    out = tmp_path / "outputs"
    write_sample_version(out, "0.1.0")
    catalog.write_catalog(out)
    tables = sample_tables()
    write_sample_version(out, "0.2.0", {**tables, "results": tables["results"].head(3)})
    assert catalog.open_catalog(out / "latest") is None
    assert query.run_sql(out / "latest", "SELECT count(*) FROM results").item() == 3


def test_without_a_catalog_queries_still_have_the_named_views(tmp_path):
    version_dir = write_sample_version(tmp_path / "outputs")
    pareto = query.run_sql(version_dir, "SELECT model FROM pareto")
    assert pareto.get_column("model").to_list() == FRONTIER


def results_with(points: list[tuple[float, float]]) -> pl.DataFrame:
    """Results with these (top1, params_m) values, named by position."""
    return pl.DataFrame(
        {
            "result_id": [f"r{index}" for index in range(len(points))],
            "model": [f"m{index}" for index in range(len(points))],
            "top1": [top1 for top1, _ in points],
            "params_m": [params for _, params in points],
            "params_lower_bound": [False] * len(points),
            "img_size": [224] * len(points),
            "pretrain_dataset": ["imagenet-1k"] * len(points),
        },
        schema_overrides={"top1": pl.Float64, "params_m": pl.Float64, "img_size": pl.Int32},
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([70.0, 75.5, 80.0, 84.2]), st.sampled_from([5.0, 22.0, 86.0])),
        max_size=8,
    )
)
def test_the_pareto_view_and_the_chart_agree_on_the_frontier(points):
    results = results_with(points)
    with duckdb.connect() as connection:
        connection.register("results_frame", results)
        connection.execute("CREATE TABLE main.results AS SELECT * FROM results_frame")
        frontier_sql = catalog.NAMED_VIEWS["pareto"][1].format(schema="main")
        from_sql = sorted(model for (model, *_) in connection.execute(frontier_sql).fetchall())
    assert from_sql == sorted(plot.pareto_frontier(results).get_column("model").to_list())


def test_a_catalog_copied_away_from_its_parquet_files_is_not_used(out_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(out_dir, copy, symlinks=True)
    shutil.rmtree(out_dir)
    assert catalog.open_catalog(copy / "latest") is None
    assert query.run_sql(copy / "latest", "SELECT count(*) FROM pareto").item() == len(FRONTIER)


def test_an_unreadable_catalog_is_not_used(out_dir):
    (out_dir / catalog.CATALOG).write_bytes(b"not a duckdb file")
    assert catalog.open_catalog(out_dir / "latest") is None
    assert query.run_sql(out_dir / "latest", "SELECT count(*) FROM pareto").item() == len(FRONTIER)
