"""Consensus overrides in the store: an append-only history.

An override is one row in `overrides`, written once and never changed or
deleted; its author is the acting person (`store.actor.signature`), who must be
allowed `access.OVERRIDE`, as for a withdrawal. Withdrawing it appends a row to
`override_events`; the history shows both. Overrides are not tied to a dataset
version (they are the planners' judgement about future months, carried to the
company's next versions); each belongs to the company of the version it was made on
(`sop.store.scope`), and reads keep one company's rows (`company=None`: the active
dataset's company).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd

from sop.core import access, schema
from sop.store import scope
from sop.store.connection import StoreError, register_ddl, write_lock
from sop.store.core import Store

ACTION_WITHDRAW = "withdraw"

register_ddl(
    "overrides",
    "CREATE SEQUENCE IF NOT EXISTS override_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS override_event_ids START 1",
    "CREATE TABLE IF NOT EXISTS overrides (override_id BIGINT PRIMARY KEY,"
    " created_at TIMESTAMP NOT NULL, author VARCHAR NOT NULL, reason VARCHAR NOT NULL,"
    " level VARCHAR NOT NULL, family VARCHAR, sku VARCHAR, region VARCHAR,"
    " start_month DATE NOT NULL, end_month DATE NOT NULL, kind VARCHAR NOT NULL,"
    " value DOUBLE NOT NULL, dataset_version BIGINT)",
    "CREATE TABLE IF NOT EXISTS override_events (event_id BIGINT PRIMARY KEY,"
    " override_id BIGINT NOT NULL, event_at TIMESTAMP NOT NULL, author VARCHAR NOT NULL,"
    " action VARCHAR NOT NULL, note VARCHAR)",
    *scope.migration("overrides"),
    *scope.migration_from("override_events", "overrides", "override_id"),
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def add(store: Store, row: Mapping[str, object], dataset_version: int | None = None) -> int:
    """Append a checked, normalised override, given as a row with the
    `schema.OVERRIDE_COLUMNS` other than id, creation time and author
    (`sop.demand.overrides.as_row`); returns its id (ids give creation order). The author
    is the acting person (`store.actor.signature`), who must be allowed
    `access.OVERRIDE`. It belongs to the company of `dataset_version` (None: the active
    dataset's)."""
    access.require(store.actor, access.OVERRIDE)
    with write_lock(), store.connect() as con:
        con.begin()
        try:
            oid = con.execute("SELECT nextval('override_ids')").fetchone()[0]
            con.execute(
                "INSERT INTO overrides (override_id, created_at, author, reason, level, "
                "family, sku, region, start_month, end_month, kind, value, dataset_version, "
                "company) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    oid,
                    _now(),
                    store.actor.signature,
                    row[schema.REASON],
                    row[schema.LEVEL],
                    row[schema.FAMILY],
                    row[schema.SKU],
                    row[schema.REGION],
                    pd.Timestamp(row[schema.START_MONTH]).date(),
                    pd.Timestamp(row[schema.END_MONTH]).date(),
                    row[schema.KIND],
                    float(row[schema.VALUE]),
                    dataset_version,
                    scope.company_of(con, dataset_version),
                ],
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return int(oid)


def withdraw(store: Store, override_id: int, note: str = "", company: str | None = None) -> None:
    """Record that an override no longer applies (the override row itself stays), by the
    acting person (`access.OVERRIDE`); only an override of `company` (None: the active
    dataset's) can be withdrawn."""
    access.require(store.actor, access.OVERRIDE)
    with write_lock(), store.connect() as con:
        con.begin()
        try:
            company = scope.resolve(con, company)
            found = con.execute(
                "SELECT company FROM overrides WHERE override_id = ?", [override_id]
            ).fetchone()
            scope.owner_check(found, company, f"override #{override_id}")
            done = con.execute(
                "SELECT event_at, author FROM override_events WHERE override_id = ? AND action = ?",
                [override_id, ACTION_WITHDRAW],
            ).fetchone()
            if done is not None:
                raise StoreError(
                    f"Override #{override_id} was already withdrawn by {done[1]} "
                    f"on {done[0]:%Y-%m-%d %H:%M} UTC."
                )
            con.execute(
                "INSERT INTO override_events (event_id, override_id, event_at, author, action, "
                "note, company) VALUES (nextval('override_event_ids'), ?, ?, ?, ?, ?, ?)",
                [
                    override_id,
                    _now(),
                    store.actor.signature,
                    ACTION_WITHDRAW,
                    str(note or "").strip() or None,
                    company,
                ],
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise


def history(store: Store, company: str | None = None) -> pd.DataFrame:
    """Every override ever made for `company` (None: the active dataset's), newest
    first, with `schema.OVERRIDE_HISTORY_COLUMNS`.

    status is `active` or `withdrawn`; withdrawn_at/by/note come from the
    withdrawal event (empty while active). Months are datetime64 month starts.
    """
    sql = (
        "SELECT o.override_id, o.created_at, o.author, o.reason, o.level, o.family, o.sku,"
        " o.region, o.start_month, o.end_month, o.kind, o.value,"
        " CASE WHEN e.override_id IS NULL THEN ? ELSE ? END AS status,"
        " e.event_at AS withdrawn_at, e.author AS withdrawn_by, e.note AS withdraw_note"
        " FROM overrides o LEFT JOIN override_events e"
        " ON e.override_id = o.override_id AND e.action = ?"
        " WHERE o." + scope.SAME + " ORDER BY o.override_id DESC"
    )
    with store.connect() as con:
        df = con.execute(
            sql,
            [
                schema.STATUS_ACTIVE,
                schema.STATUS_WITHDRAWN,
                ACTION_WITHDRAW,
                scope.resolve(con, company),
            ],
        ).df()
    for c in (schema.START_MONTH, schema.END_MONTH):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[us]")
    for c in (
        schema.AUTHOR,
        schema.REASON,
        schema.LEVEL,
        schema.FAMILY,
        schema.SKU,
        schema.REGION,
        schema.KIND,
        schema.STATUS,
        schema.WITHDRAWN_BY,
        schema.WITHDRAW_NOTE,
    ):
        df[c] = df[c].astype("str").where(df[c].notna(), None)
    return df[schema.OVERRIDE_HISTORY_COLUMNS]


def active(store: Store, company: str | None = None) -> pd.DataFrame:
    """Overrides in force for `company` (None: the active dataset's), oldest first (the
    order they combine in): `schema.OVERRIDE_COLUMNS`."""
    h = history(store, company)
    h = h[h[schema.STATUS] == schema.STATUS_ACTIVE].sort_values(schema.OVERRIDE_ID)
    return h[schema.OVERRIDE_COLUMNS].reset_index(drop=True)


def counts(store: Store) -> tuple[int, int]:
    """(override rows, event rows) of every company: for caches and for audits that
    nothing was erased."""
    with store.connect() as con:
        n = con.execute(
            "SELECT (SELECT count(*) FROM overrides), (SELECT count(*) FROM override_events)"
        ).fetchone()
    return int(n[0]), int(n[1])
