"""The schema: every column is a named constant, and the docs are made from it."""

from __future__ import annotations

from pathlib import Path

from sop.core import schema
from sop.core.tables import TABLES, schema_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


def _constants() -> dict[str, str]:
    return {k: v for k, v in vars(schema).items() if k.isupper() and isinstance(v, str)}


def test_every_column_is_a_constant_named_after_itself() -> None:
    consts = _constants()
    for table in TABLES.values():
        for col in table.columns:
            names = [k for k, v in consts.items() if v == col.name]
            assert names, f"{table.name}.{col.name} has no constant"
            assert any(k.lower() == col.name for k in names), (table.name, col.name, names)


def test_constants_for_columns_are_distinct() -> None:
    cols = {c.name for t in TABLES.values() for c in t.columns}
    values = [
        v
        for k, v in _constants().items()
        if v in cols and k not in {"STR", "INT", "FLOAT", "DATE", "BOOL"}
    ]
    assert len(values) == len(set(values))


def test_quantile_constants_are_not_swapped() -> None:
    assert (schema.P10, schema.P50, schema.P90) == ("p10", "p50", "p90")
    assert sorted([schema.P90, schema.P10, schema.P50]) == [schema.P10, schema.P50, schema.P90]


def test_keys_and_foreign_keys_name_real_columns() -> None:
    for t in TABLES.values():
        assert set(t.key) <= set(t.column_names), t.name
        assert len(t.column_names) == len(set(t.column_names)), t.name
        for fk in t.foreign_keys:
            assert fk.column in t.column_names
            assert fk.ref_column in TABLES[fk.ref_table].column_names


def test_every_column_type_has_a_store_type() -> None:
    for t in TABLES.values():
        for c in t.columns:
            assert c.dtype in schema.DUCKDB_TYPES, (t.name, c.name)


def test_docs_are_generated_from_the_schema() -> None:
    text = DOC.read_text()
    assert schema_markdown() in text, "run `python -m sop schema-doc --write` to refresh"
    for name in TABLES:
        assert f"## `{name}`" in text
