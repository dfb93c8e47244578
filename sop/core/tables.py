"""The tables of the data model in load order (referenced tables first), and the
data model as Markdown (`docs/data-model.md`, `python -m sop schema-doc`).

Names, types and the `Table` / `Column` classes are in `sop.core.schema`; the
tables are declared in `sop.core.demand_tables` and `sop.core.supply_tables`.
"""

from __future__ import annotations

from sop.core import schema
from sop.core.demand_tables import DEMAND_TABLES
from sop.core.schema import Table
from sop.core.supply_tables import SUPPLY_TABLES

_DECLARED = {t.name: t for t in (*DEMAND_TABLES, *SUPPLY_TABLES)}
TABLES: dict[str, Table] = {
    name: _DECLARED[name]
    for name in (
        schema.COMPANY,
        schema.PRODUCTS,
        schema.SALES,
        schema.PROMOTIONS,
        schema.FAMILY_CAPACITY,
        schema.RESOURCES,
        schema.CAPACITY,
        schema.WORKFORCE,
        schema.BILL_OF_RESOURCES,
        schema.SUPPLY_OPTIONS,
        schema.INVENTORY,
        schema.BUDGET,
        schema.CONSENSUS,
    )
}

# Load order: referenced tables first.
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)


def schema_markdown() -> str:
    """The data model as Markdown, one section per table (docs/data-model.md body)."""
    out: list[str] = []
    for t in TABLES.values():
        need = "required" if t.required else "optional"
        out.append(
            f"## `{t.name}` ({need})\n\n{t.meaning}\n\nKey: {', '.join(f'`{k}`' for k in t.key)}\n"
        )
        out.append("| column | type | unit | meaning | rules |\n|---|---|---|---|---|")
        for c in t.columns:
            rules = []
            rules.append("must be present" if c.required else "optional column")
            rules.append("may be empty" if c.nullable else "never empty")
            if c.positive:
                rules.append("> 0")
            if c.min is not None:
                rules.append(f">= {c.min:g}")
            if c.max is not None:
                rules.append(f"<= {c.max:g}")
            if c.allowed:
                rules.append("one of " + ", ".join(f"`{a}`" for a in c.allowed))
            for fk in t.foreign_keys:
                if fk.column == c.name:
                    rules.append(f"in `{fk.ref_table}.{fk.ref_column}`")
            out.append(f"| `{c.name}` | {c.dtype} | {c.unit} | {c.meaning} | {'; '.join(rules)} |")
        if t.rules:
            out.append("\nTable rules:\n" + "\n".join(f"- {r}" for r in t.rules))
        out.append("")
    return "\n".join(out)
