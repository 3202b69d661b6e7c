"""GFM table conformance: cmark-gfm's grid for every gfm-* case and every agreeing mdit-* case."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.extract import Table, extract_tables

REPO = Path(__file__).resolve().parent.parent
SHARED_CASES = REPO.parent / "shared" / "conformance" / "gfm_tables.json"
CASES_COPY = REPO / "tests" / "fixtures" / "conformance" / "gfm_tables.json"
CASES: list[dict[str, Any]] = json.loads(CASES_COPY.read_text(encoding="utf-8"))


def differs_from_gfm(case: dict[str, Any]) -> bool:
    """markdown-it cases where cmark-gfm gives another grid (`-   foo|foo` is a list there)."""
    disagreeing = case["reference_parser_disagreements"]
    return case["id"].startswith("mdit-") and any(
        name.startswith("cmark-gfm") for name in disagreeing
    )


def collapsed(cells: list[str]) -> list[str]:
    return [re.sub(r"\s+", " ", cell).strip() for cell in cells]


def grid_of(table: Table) -> dict[str, Any]:
    return {
        "header": collapsed(list(table.header)),
        "rows": [collapsed(list(row.cells)) for row in table.rows],
        "align": list(table.align),
    }


def expected_grids(case: dict[str, Any]) -> list[dict[str, Any]]:
    tables = case.get("expected_tables")
    if tables is None:
        if case["expected_header"] is None:
            return []
        tables = [
            {
                "header": case["expected_header"],
                "rows": case["expected_rows"],
                "align": case["expected_align"],
            }
        ]
    return [
        {
            "header": collapsed(table["header"]),
            "rows": [collapsed(row) for row in table["rows"]],
            "align": table["align"],
        }
        for table in tables
    ]


def case_param(case: dict[str, Any]) -> Any:
    marks = (
        [pytest.mark.skip(reason="markdown-it differs from GFM here")]
        if differs_from_gfm(case)
        else []
    )
    return pytest.param(case, id=case["id"], marks=marks)


def test_the_copy_of_the_cases_equals_the_shared_file():
    if not SHARED_CASES.exists():
        pytest.skip(
            f"{SHARED_CASES} is absent: the suite uses its copy in tests/fixtures/conformance"
        )
    assert CASES_COPY.read_bytes() == SHARED_CASES.read_bytes()


def test_sixty_five_of_the_sixty_eight_cases_are_scored():
    assert len(CASES) == 68
    assert sum(not differs_from_gfm(case) for case in CASES) == 65


@pytest.mark.parametrize("case", [case_param(case) for case in CASES])
def test_the_extractor_reads_the_grid_gfm_expects(case: dict[str, Any]):
    tables = extract_tables(case["markdown"], f"{case['id']}.md")
    expected = expected_grids(case)
    assert len(tables) == case["expected_table_count"]
    if "expected_tables" in case:
        assert [grid_of(table) for table in tables] == expected
    else:
        assert [grid_of(table) for table in tables[:1]] == expected[:1]
