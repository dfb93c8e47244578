"""The saved database queries: one per table of the data model, per company.

`python -m sop refresh` (and the Data page's Database tab) runs them against the
company database. The query text is stored as written, as a bound value; what makes
a query acceptable (a known table, not empty, only reading) is checked by
`sop.data.source` before it gets here. Connection settings are never stored. Saving
or deleting a query needs `access.LOAD`; the author is the acting person.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from sop.core import access
from sop.core.tables import TABLES
from sop.store.connection import StoreError, register_ddl
from sop.store.core import Store

register_ddl(
    "source_queries",
    "CREATE TABLE IF NOT EXISTS source_queries (company VARCHAR NOT NULL,"
    " table_name VARCHAR NOT NULL, query VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL,"
    " author VARCHAR NOT NULL, PRIMARY KEY (company, table_name))",
)
COLUMNS = ["table_name", "query", "saved_at", "author"]


def _checked(company: str, queries: dict[str, str]) -> str:
    company = (company or "").strip()
    if not company:
        raise StoreError("Name the company the queries belong to.")
    for table, query in queries.items():
        if table not in TABLES:
            raise StoreError(f"`{table}` is not a table of the data model.")
        if not query.strip():
            raise StoreError(f"The query for `{table}` is empty.")
    return company


def saved(store: Store, company: str) -> pd.DataFrame:
    """The company's saved queries in load order: table_name, query, saved_at, author."""
    with store.connect() as con:
        df = con.execute(
            "SELECT table_name, query, saved_at, author FROM source_queries WHERE company = ?",
            [company],
        ).df()
    order = {name: i for i, name in enumerate(TABLES)}
    df = df.sort_values("table_name", key=lambda s: s.map(order), kind="stable")
    return df.reset_index(drop=True)[COLUMNS]


def companies(store: Store) -> list[str]:
    """The companies with at least one saved query, by name."""
    with store.connect() as con:
        rows = con.execute(
            "SELECT DISTINCT company FROM source_queries ORDER BY company"
        ).fetchall()
    return [r[0] for r in rows]


def queries(store: Store, company: str) -> dict[str, str]:
    """{table: query} for the company, in load order."""
    df = saved(store, company)
    return dict(zip(df["table_name"], df["query"]))


def save(store: Store, company: str, table: str, query: str) -> None:
    """Set (or replace) the company's query for one table."""
    set_all(store, company, {table: query}, replace=False)


def set_all(store: Store, company: str, new: dict[str, str], replace: bool = True) -> list[str]:
    """Save `new` for the company in one transaction, by the acting person
    (`access.LOAD`); with `replace`, the company's other queries are removed. Returns the
    tables whose query was removed."""
    access.require(store.actor, access.LOAD)
    company = _checked(company, new)
    author = store.actor.signature
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.transaction() as con:
        have = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM source_queries WHERE company = ?", [company]
            ).fetchall()
        ]
        removed = [t for t in have if t not in new] if replace else []
        for table in removed:
            con.execute(
                "DELETE FROM source_queries WHERE company = ? AND table_name = ?",
                [company, table],
            )
        for table, query in new.items():
            con.execute(
                "INSERT OR REPLACE INTO source_queries VALUES (?, ?, ?, ?, ?)",
                [company, table, query, now, author],
            )
    return [t for t in TABLES if t in removed]


def delete(store: Store, company: str, table: str) -> bool:
    """Remove the company's query for `table`; False when there was none. Needs
    `access.LOAD`."""
    access.require(store.actor, access.LOAD)
    with store.transaction() as con:
        found = con.execute(
            "SELECT count(*) FROM source_queries WHERE company = ? AND table_name = ?",
            [company, table],
        ).fetchone()[0]
        con.execute(
            "DELETE FROM source_queries WHERE company = ? AND table_name = ?", [company, table]
        )
    return bool(found)
