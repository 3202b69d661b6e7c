"""Properties: any results tables, however messy their cells, go through every stage of a build
to tables that fit their schemas, or stop with the project's own input error."""

import tomllib
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import dedupe, errata, extract, observe, validate
from pipeline.build import KEPT_COLUMNS, checked
from pipeline.errors import InputError

SYNONYMS = Path(__file__).resolve().parent.parent / "pipeline" / "data" / "header_synonyms.toml"
COLUMN_OF = {
    header: column
    for column, headers in tomllib.loads(SYNONYMS.read_text())["columns"].items()
    for header in headers
}
HEADERS = st.sampled_from([*sorted(COLUMN_OF), "Notes", "Accuracy", "Size", "GFLOPs", ""])
HEADINGS = st.sampled_from(["# ImageNet-1k", "## ImageNet-22k", "### Results", "# In21k", ""])
# What published cells hold: numbers with units and marks, markup, placeholders, dataset tags.
UNIT_CELLS = ["150+", "99M", "1.2B", "304.8", "224x224", "384²", "85.2*", "84.1†", "85,2", "1e3"]
MARKUP_CELLS = ["<sup>1</sup>", "**80.1**", "`x`", "[vit](https://a.b)", "&nbsp;", "\u2212"]
OTHER_CELLS = ["-", "—", "n/a", "in22k", "imagenet-22k", "in1k", "%", "M", "x", "0", "100", "~80"]
WORDS = st.sampled_from([*UNIT_CELLS, *MARKUP_CELLS, *OTHER_CELLS, "1\u2009024"])
NUMBERS = st.one_of(
    st.floats().map(str),
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="|\r\n"), max_size=10)
MESSY = st.lists(st.one_of(NUMBERS, WORDS, TEXT), max_size=3).map(" ".join)
# Few names, so that documents publish the same models and the votes and conflicts are exercised.
MODELS = st.sampled_from(
    ["resnet50", "resnet50.a1_in1k", "vit_base_patch16_224.augreg_in21k", "deit_s"]
)
PERCENTS = st.decimals(min_value=0, max_value=100, places=2).map(str)
CLEAN = {
    "model": MODELS,
    "top1": PERCENTS,
    "top5": PERCENTS,
    "params_m": st.sampled_from(["5.7", "86M", "150+", "25.6", "0.3B"]),
    "img_size": st.sampled_from(["224", "384x384", "448", "224²"]),
}


def cells_under(header: str) -> st.SearchStrategy[str]:
    """What a cell under the header holds: mostly what the column means, sometimes a mess."""
    clean = CLEAN.get(COLUMN_OF.get(header, ""))
    return MESSY if clean is None else st.one_of(clean, clean, clean, MESSY)


@st.composite
def results_tables(draw: st.DrawFn) -> str:
    """A heading and a pipe table: known and unknown headers, rows a cell short or long."""
    header = ["Model", "Top-1", *draw(st.lists(HEADERS, max_size=5))]
    cells = [cells_under(name) for name in header] + [MESSY]
    rows = [
        [draw(cell) for cell in cells[: len(header) + draw(st.sampled_from([-1, 0, 0, 0, 0, 1]))]]
        for _ in range(draw(st.integers(1, 6)))
    ]
    # Sometimes a blank row separating groups of models ("| | |").
    if draw(st.integers(0, 3)) == 0:
        rows.insert(draw(st.integers(0, len(rows))), [""] * len(header))
    lines = [draw(HEADINGS), "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)])


documents = st.lists(results_tables(), min_size=1, max_size=3).map("\n\n".join)


def built_tables(texts: list[str]) -> dict[str, pl.DataFrame]:
    """The observations' kept columns and the tables a build makes of these documents, each
    published table checked against its schema."""
    sources = ((f"doc{index}.md", text) for index, text in enumerate(texts))
    tables, rows = extract.extract_frames(sources)
    observations = observe.observe_rows(tables, rows, errata.load_errata()).observations
    kept = observations.select(KEPT_COLUMNS)
    validate.ensure_unique(kept, dedupe.SOURCE_ORDER, "observations")
    results, conflicts = dedupe.merge_results(kept)
    published = {
        "quarantine": observe.quarantine_rows(observations),
        "results": results,
        "conflicts": conflicts,
        "models": dedupe.summarize_models(kept, results),
    }
    return {"observations": kept} | {
        name: checked(name, frame) for name, frame in published.items()
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents, min_size=1, max_size=3))
def test_any_results_tables_build_to_tables_that_fit_their_schemas(texts: list[str]):
    try:
        tables = built_tables(texts)
    except InputError:
        return
    results, models = tables["results"], tables["models"]
    measured = tables["observations"].filter(pl.col("status") == "result")
    assert results.height == measured.get_column("result_id").n_unique()
    assert not results.select(dedupe.RESULT_KEY).is_duplicated().any()
    assert set(results.get_column("model")) <= set(models.get_column("model"))
