"""Diff two versions of the dataset: rows added, removed and changed per table, schema changes."""

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from schemas import TABLE_KEYS

# Changed rows are looked for block by block: a block whose column compares equal as a whole
# (one pass over flat values, even for raw_cells, a list of structs) needs no row-by-row
# comparison, which on nested columns costs ten times more: one edited number among 1M
# observations is then compared row by row in one block of 65,536 rows, not in 1M.
BLOCK_ROWS = 1 << 16
OLD_ROW, NEW_ROW = "__old_row", "__new_row"


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
    return [diff_table(name, old.get(name), new.get(name)) for name in names]


def diff_table(name: str, old: pl.DataFrame | None, new: pl.DataFrame | None) -> TableDiff:
    """What changed in one table from old to new; None stands for a table the version lacks."""
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
    key = table_key(name, old.columns, new.columns)
    comparable = [c for c in shared if c not in key and c not in diff.columns_retyped]
    # Versions usually list the same keys in the same order: then no row was added or removed,
    # and row i of one version pairs with row i of the other without a join.
    if _aligned_by_position(old, new, key):
        diff.changed = _changed_rows(old, new, key, comparable)
        return diff
    diff.added = new.join(old, on=key, how="anti").select(key).to_dicts()
    diff.removed = old.join(new, on=key, how="anti").select(key).to_dicts()
    diff.changed = _changed_rows(*_paired_rows(old, new, key), key, comparable)
    return diff


def table_key(name: str, old_columns: list[str], new_columns: list[str]) -> list[str]:
    """The columns that pair old and new rows: the table's declared key, else the first shared."""
    return TABLE_KEYS.get(name, [c for c in new_columns if c in old_columns][:1])


def columns_to_read(
    name: str, old_schema: pl.Schema, new_schema: pl.Schema, unchanged: set[str]
) -> list[str]:
    """The columns a diff of the table needs, given those known to hold equal values in both.

    An unchanged column is left out unless it pairs rows (the key), changes type, or can hold NaN:
    Python finds NaN unequal to itself, so a changed row lists such a column even when only
    another column changed ("top1: nan -> nan").
    """
    key = table_key(name, list(old_schema), list(new_schema))
    return [
        column
        for column in {**new_schema, **old_schema}
        if column not in unchanged
        or column in key
        or old_schema.get(column) != new_schema.get(column)
        or not equal_to_itself(new_schema[column])
    ]


def equal_to_itself(dtype: pl.DataType | pl.datatypes.DataTypeClass) -> bool:
    """True when every value of the type compares equal to itself in Python: no NaN inside."""
    if dtype.is_float() or dtype.is_decimal():
        return False
    if isinstance(dtype, pl.List | pl.Array):
        return equal_to_itself(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return all(equal_to_itself(field.dtype) for field in dtype.fields)
    return True


def _changed_rows(
    old_rows: pl.DataFrame, new_rows: pl.DataFrame, key: list[str], columns: list[str]
) -> list[dict[str, Any]]:
    """Old and new values of each paired row whose columns differ, sorted by key."""
    if not columns:
        return []
    positions = _differing_positions(old_rows, new_rows, columns)
    renamed = {c: f"{c}__new" for c in columns}
    changed = pl.concat(
        [
            old_rows.select(*key, *columns)[positions],
            new_rows.select(columns)[positions].rename(renamed),
        ],
        how="horizontal",
    ).sort(key)
    return [_row_change(row, key, columns) for row in changed.to_dicts()]


def _paired_rows(
    old: pl.DataFrame, new: pl.DataFrame, key: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The old and new rows an inner join on the key pairs, aligned position by position."""
    pairs = (
        old.select(key)
        .with_row_index(OLD_ROW)
        .join(new.select(key).with_row_index(NEW_ROW), on=key, how="inner")
    )
    return old[pairs[OLD_ROW]], new[pairs[NEW_ROW]]


def _aligned_by_position(old: pl.DataFrame, new: pl.DataFrame, key: list[str]) -> bool:
    """True when both frames list the same unique, non-null keys in the same order."""
    keys = old.select(key)
    return (
        keys.equals(new.select(key))
        and not any(keys.null_count().row(0))
        and keys.n_unique() == keys.height
    )


def _differing_positions(
    old_rows: pl.DataFrame, new_rows: pl.DataFrame, columns: list[str]
) -> pl.Series:
    """Positions of paired rows where any column differs (null equals null), in order."""
    suspects = _suspect_columns(old_rows, new_rows, columns)
    nested = [c for c in suspects if _is_nested(old_rows.schema[c])]
    flat = [c for c in suspects if c not in nested]
    found = [_positions(old_rows, new_rows, flat, 0)]
    for start in range(0, old_rows.height if nested else 0, BLOCK_ROWS):
        old_block = old_rows.slice(start, BLOCK_ROWS)
        new_block = new_rows.slice(start, BLOCK_ROWS)
        in_block = [c for c in nested if not _same_values(old_block[c], new_block[c])]
        found.append(_positions(old_block, new_block, in_block, start))
    return pl.concat(found).unique().sort()


def _suspect_columns(
    old_rows: pl.DataFrame, new_rows: pl.DataFrame, columns: list[str]
) -> list[str]:
    """The columns that differ in some row: flat ones compared in one query, nested one by one."""
    flat = [c for c in columns if not _is_nested(old_rows.schema[c])]
    both = pl.concat(
        [old_rows.select(flat), new_rows.select(flat).rename(lambda c: f"{c}__new")],
        how="horizontal",
    )
    differs = both.select(pl.col(c).ne_missing(pl.col(f"{c}__new")).any() for c in flat)
    flat_suspects = {
        c for c, suspect in zip(flat, differs.row(0) if flat else (), strict=True) if suspect
    }
    return [
        c
        for c in columns
        if c in flat_suspects or (c not in flat and not _same_values(old_rows[c], new_rows[c]))
    ]


def _positions(
    old_rows: pl.DataFrame, new_rows: pl.DataFrame, columns: list[str], start: int
) -> pl.Series:
    """Positions (counted from start) of rows where any of the columns differs."""
    if not columns:
        return pl.Series("position", [], dtype=pl.UInt32)
    differs = [old_rows[c].ne_missing(new_rows[c]) for c in columns]
    mask = pl.select(pl.any_horizontal(differs)).to_series()
    return (mask.arg_true() + start).cast(pl.UInt32).rename("position")


def _is_nested(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.List | pl.Struct)


def _same_values(old: pl.Series, new: pl.Series) -> bool:
    """True only when no row differs; compares nested columns through their flat values."""
    if isinstance(old.dtype, pl.List) and isinstance(new.dtype, pl.List):
        lengths = old.list.len().ne_missing(new.list.len())
        return not lengths.any() and _same_values(old.explode(), new.explode())
    if isinstance(old.dtype, pl.Struct) and old.dtype == new.dtype:
        fields = [field.name for field in old.dtype.fields]
        return old.is_null().equals(new.is_null()) and all(
            _same_values(old.struct.field(f), new.struct.field(f)) for f in fields
        )
    return not old.ne_missing(new).any()


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
