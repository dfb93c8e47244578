"""Which company a saved item belongs to.

Every saved item (overrides, scenarios, plan settings, decisions, snapshots and
their events) carries the company of the dataset version it was made on
(`datasets.company`, else the dataset's name, as `DatasetInfo.company`). Reads
keep the rows of one company: loading another company's data starts clean, a
new version of the same company carries its items forward.

A store written before items carried their company gains the column in place
(`migration`): each old row takes the company of the dataset version it was
made on when that version is still kept, else the active company; no row is
lost. Values are always bound parameters; the identifiers here are the store
modules' own table names.
"""

from __future__ import annotations

import duckdb

from sop.store.connection import StoreError
from sop.store.core import Store

COMPANY = "company"
# rows of one company: `company` may be NULL for an item made while nothing was loaded
SAME = "company IS NOT DISTINCT FROM ?"
_KEY = "coalesce(d.company, d.name)"  # what `Store.active().company` reads
_SELECT_ACTIVE = f"SELECT {_KEY} FROM datasets d WHERE d.active LIMIT 1"
_ACTIVE = f"({_SELECT_ACTIVE})"


def _of_version(table: str) -> str:
    return f"(SELECT {_KEY} FROM datasets d WHERE d.version = {table}.dataset_version)"


def migration(table: str, has_version: bool = True) -> tuple[str, ...]:
    """DDL adding `company` to `table` and backfilling it for old rows: from the row's
    `dataset_version` when `has_version` and that version is kept, else the active
    company. Idempotent (run on every store)."""
    source = f"coalesce({_of_version(table)}, {_ACTIVE})" if has_version else _ACTIVE
    return (
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {COMPANY} VARCHAR",
        f"UPDATE {table} SET {COMPANY} = {source} WHERE {COMPANY} IS NULL",
    )


def migration_from(table: str, parent: str, key: str) -> tuple[str, ...]:
    """DDL adding `company` to `table`, whose rows belong to a `parent` row through
    the column `key` (an event of an override, the snapshot of an approval): old rows
    take their parent's company, else the active company."""
    of_parent = f"(SELECT p.{COMPANY} FROM {parent} p WHERE p.{key} = {table}.{key} LIMIT 1)"
    return (
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {COMPANY} VARCHAR",
        f"UPDATE {table} SET {COMPANY} = coalesce({of_parent}, {_ACTIVE}) WHERE {COMPANY} IS NULL",
    )


def active_company(con: duckdb.DuckDBPyConnection) -> str | None:
    """The active dataset's company; None while nothing is loaded."""
    row = con.execute(_SELECT_ACTIVE).fetchone()
    return None if row is None else row[0]


def company_of(con: duckdb.DuckDBPyConnection, version: int | None) -> str | None:
    """The company of dataset `version` (None or a version no longer kept: the active
    company)."""
    if version is not None:
        row = con.execute(
            f"SELECT {_KEY} FROM datasets d WHERE d.version = ?", [int(version)]
        ).fetchone()
        if row is not None:
            return row[0]
    return active_company(con)


def resolve(con: duckdb.DuckDBPyConnection, company: str | None) -> str | None:
    """`company` as given, or the active dataset's company when None."""
    return company if company is not None else active_company(con)


def owner_check(row: tuple | None, company: str | None, what: str) -> None:
    """Raise `StoreError` when `row` (a row whose last value is its company) is missing
    or belongs to another company than `company`: an id may come from a stale page or
    a link, and another company's item is not there for this one."""
    if row is None or row[-1] != company:
        where = f" for {company}" if company else ""
        raise StoreError(f"There is no {what}{where}.")


# the saved items a planner knows by name, by table, in the order they are listed
# (each count a whole constant statement: no table name is spliced into SQL at run time)
_COUNT = {
    "overrides": "SELECT count(*) FROM overrides WHERE company IS NOT DISTINCT FROM ?",
    "scenarios": "SELECT count(*) FROM scenarios WHERE company IS NOT DISTINCT FROM ?",
    "plan_settings": "SELECT count(*) FROM plan_settings WHERE company IS NOT DISTINCT FROM ?",
    "decision_log": "SELECT count(*) FROM decision_log WHERE company IS NOT DISTINCT FROM ?",
    "comments": "SELECT count(*) FROM comments WHERE company IS NOT DISTINCT FROM ?",
}
ITEM_TABLES = tuple(_COUNT)


def saved_items(store: Store, company: str) -> dict[str, int]:
    """Table of `ITEM_TABLES` -> how many rows of it belong to `company` (0 for a table
    no store module has made yet)."""
    with store.connect() as con:
        made = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_name IN "
                f"({', '.join('?' * len(ITEM_TABLES))})",
                list(ITEM_TABLES),
            ).fetchall()
        }
        return {
            t: int(con.execute(_COUNT[t], [company]).fetchone()[0]) if t in made else 0
            for t in ITEM_TABLES
        }
