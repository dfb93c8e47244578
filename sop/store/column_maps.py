"""Column mappings a planner confirmed, kept per company: "in our files `Date` is
`sales.month`". The Data page saves them after a load that used them and applies them
to the company's next upload (`sop.data.mapping.ReadOptions.saved`), saying so.

One row per company, table and model column: mapping another header to the same
column replaces the row. Saving and forgetting them is part of loading data
(`access.LOAD`). Values are bound parameters, never SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sop.core import access
from sop.store.connection import StoreError, register_ddl
from sop.store.core import Store

register_ddl(
    "column_maps",
    "CREATE TABLE IF NOT EXISTS column_maps (company VARCHAR NOT NULL,"
    " table_name VARCHAR NOT NULL, source_header VARCHAR NOT NULL,"
    " column_name VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL,"
    " PRIMARY KEY (company, table_name, column_name))",
)


def save(store: Store, company: str, maps: Mapping[str, Mapping[str, str]]) -> int:
    """Keep `maps` ({table: {header as in the file: model column}}) for `company`, in
    one transaction; returns the number of mappings saved. Needs `access.LOAD`."""
    access.require(store.actor, access.LOAD)
    company = (company or "").strip()
    if not company:
        raise StoreError("A column mapping belongs to a company: the company name is empty.")
    rows = [
        (company, table, header, column)
        for table, pairs in maps.items()
        for header, column in pairs.items()
        if str(header).strip() and str(column).strip()
    ]
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.transaction() as con:
        for company_, table, header, column in rows:
            con.execute(
                "DELETE FROM column_maps WHERE company = ? AND table_name = ? AND "
                "(column_name = ? OR source_header = ?)",
                [company_, table, column, header],
            )
            con.execute(
                "INSERT INTO column_maps VALUES (?, ?, ?, ?, ?)",
                [company_, table, header, column, now],
            )
    return len(rows)


def for_company(store: Store, company: str) -> dict[str, dict[str, str]]:
    """The mappings saved for `company`: {table: {header: model column}}; {} when none."""
    with store.connect() as con:
        rows = con.execute(
            "SELECT table_name, source_header, column_name FROM column_maps "
            "WHERE company = ? ORDER BY table_name, column_name",
            [company],
        ).fetchall()
    out: dict[str, dict[str, str]] = {}
    for table, header, column in rows:
        out.setdefault(table, {})[header] = column
    return out


def forget(store: Store, company: str, table: str | None = None) -> None:
    """Drop the mappings saved for `company` (for one table when given). Needs
    `access.LOAD`."""
    access.require(store.actor, access.LOAD)
    with store.transaction() as con:
        if table is None:
            con.execute("DELETE FROM column_maps WHERE company = ?", [company])
        else:
            con.execute(
                "DELETE FROM column_maps WHERE company = ? AND table_name = ?", [company, table]
            )
