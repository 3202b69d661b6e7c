"""Diff two versions of the dataset: rows added, removed and changed per table, schema changes."""

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from schemas import TABLE_KEYS


@dataclass
class TableDiff:
    """What changed in one table between two versions."""

    table: str
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    columns_retyped: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when nothing changed."""
        rows = (self.added, self.removed, self.changed)
        return not any((*rows, self.columns_added, self.columns_removed, self.columns_retyped))


def diff_versions(old: dict[str, pl.DataFrame], new: dict[str, pl.DataFrame]) -> list[TableDiff]:
    """Per table (in the new version's order, then removed tables), what changed from old to new."""
    names = list(new) + [name for name in old if name not in new]
    return [_diff_table(name, old.get(name), new.get(name)) for name in names]


def _diff_table(name: str, old: pl.DataFrame | None, new: pl.DataFrame | None) -> TableDiff:
    diff = TableDiff(name)
    if old is None:
        diff.columns_added = list(new.columns) if new is not None else []
        return diff
    if new is None:
        diff.columns_removed = list(old.columns)
        return diff
    diff.columns_added = [c for c in new.columns if c not in old.columns]
    diff.columns_removed = [c for c in old.columns if c not in new.columns]
    shared = [c for c in new.columns if c in old.columns]
    diff.columns_retyped = [c for c in shared if old.schema[c] != new.schema[c]]
    key = TABLE_KEYS.get(name, shared[:1])
    diff.added = new.join(old, on=key, how="anti").select(key).to_dicts()
    diff.removed = old.join(new, on=key, how="anti").select(key).to_dicts()
    comparable = [c for c in shared if c not in key and c not in diff.columns_retyped]
    diff.changed = _changed_rows(old, new, key, comparable)
    return diff


def _changed_rows(
    old: pl.DataFrame, new: pl.DataFrame, key: list[str], columns: list[str]
) -> list[dict[str, Any]]:
    paired = old.select(*key, *columns).join(
        new.select(*key, *columns), on=key, how="inner", suffix="__new"
    )
    differs = [pl.col(c).ne_missing(pl.col(f"{c}__new")) for c in columns]
    if not differs:
        return []
    changed = paired.filter(pl.any_horizontal(differs)).sort(key)
    return [_row_change(row, key, columns) for row in changed.to_dicts()]


def _row_change(row: dict[str, Any], key: list[str], columns: list[str]) -> dict[str, Any]:
    fields = {c: [row[c], row[f"{c}__new"]] for c in columns if row[c] != row[f"{c}__new"]}
    return {"key": {k: row[k] for k in key}, "fields": fields}


def suggest_version(current: str, diffs: list[TableDiff]) -> str:
    """The next version: major if a reader breaks, minor for additions, patch for corrections."""
    major, minor, patch = (int(part) for part in current.split("."))
    if any(d.columns_removed or d.columns_retyped for d in diffs):
        return f"{major + 1}.0.0"
    if any(d.columns_added or d.added or d.removed for d in diffs):
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def diff_as_json(diffs: list[TableDiff]) -> dict[str, Any]:
    """The diff as plain JSON-ready data, one entry per table."""
    return {
        d.table: {
            "added": d.added,
            "removed": d.removed,
            "changed": d.changed,
            "schema": {
                "columns_added": d.columns_added,
                "columns_removed": d.columns_removed,
                "columns_retyped": d.columns_retyped,
            },
        }
        for d in diffs
    }


def format_diff_text(diffs: list[TableDiff], limit: int = 20) -> str:
    """The diff for a person: per table, counts, then the first rows of each kind."""
    lines = []
    for d in diffs:
        lines.append(
            f"{d.table}: {len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed"
        )
        lines += _schema_lines(d)
        lines += [f"  + {_key_text(key)}" for key in d.added[:limit]]
        lines += [f"  - {_key_text(key)}" for key in d.removed[:limit]]
        for change in d.changed[:limit]:
            values = "; ".join(f"{c}: {o!r} -> {n!r}" for c, (o, n) in change["fields"].items())
            lines.append(f"  ~ {_key_text(change['key'])}: {values}")
        hidden = sum(max(0, len(rows) - limit) for rows in (d.added, d.removed, d.changed))
        if hidden:
            lines.append(f"  ... and {hidden} more (use --format json for all)")
    return "\n".join(lines)


def _schema_lines(d: TableDiff) -> list[str]:
    kinds = {"added": d.columns_added, "removed": d.columns_removed, "retyped": d.columns_retyped}
    return [f"  columns {kind}: {', '.join(cols)}" for kind, cols in kinds.items() if cols]


def _key_text(key: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in key.items())
