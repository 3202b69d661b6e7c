"""The README stays true: its SQL runs on a fresh build and its Python snippet loads the data."""

import re
from pathlib import Path

import polars as pl

from pipeline.query import run_sql

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def sql_statements() -> list[str]:
    blocks = re.findall(r"```sql\n(.*?)```", README, flags=re.DOTALL)
    statements = [part.strip() for block in blocks for part in block.split(";")]
    return [
        statement for statement in statements if statement.strip("- \n") and "SELECT" in statement
    ]


def test_the_readme_shows_three_queries_and_each_returns_rows(seed_build):
    statements = sql_statements()
    assert len(statements) == 3
    for statement in statements[:2]:
        assert run_sql(seed_build, statement).height > 0, statement
    assert run_sql(seed_build, statements[2]).columns[:2] == ["model", "field"]


def test_the_readme_polars_snippet_runs(seed_build):
    snippet = re.search(r"```python\n(.*?)```", README, flags=re.DOTALL)
    assert snippet is not None
    code = snippet.group(1).replace("outputs/latest", str(seed_build))
    namespace: dict = {}
    exec(code, namespace)
    assert isinstance(namespace["results"], pl.DataFrame)
    assert namespace["results"].height == 137
