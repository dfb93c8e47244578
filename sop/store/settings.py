"""The plan settings of record: the supply policy every page after Supply plans with.

Saved from the Supply page (plan settings) and the Finance page (finance settings),
with who and when (the acting person's signature); each save is a new row, the newest one
applies, so the history shows who changed the settings and when. The policy is
stored as JSON text; `sop.supply.settings` turns it into a `SupplyPolicy` and back
(and supplies the defaults when no row exists yet). Settings belong to a company
(`sop.store.scope`): another company's data opens on the defaults, a new version of
the same company keeps its settings.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from sop.core import access
from sop.store import scope
from sop.store.connection import register_ddl
from sop.store.core import Store

register_ddl(
    "plan_settings",
    "CREATE SEQUENCE IF NOT EXISTS plan_settings_ids START 1",
    "CREATE TABLE IF NOT EXISTS plan_settings (settings_id BIGINT PRIMARY KEY,"
    " saved_at TIMESTAMP NOT NULL, author VARCHAR NOT NULL, policy_json VARCHAR NOT NULL)",
    *scope.migration("plan_settings", has_version=False),
)


def save_policy(store: Store, policy_json: str, company: str | None = None) -> int:
    """Make the policy (JSON text, checked by the caller) the plan settings of record of
    `company` (None: the active dataset's), saved by the acting person; returns its id.
    AccessDenied unless they may save plan or finance settings (which fields changed, and
    so which of the two it needs, is for `sop.supply.settings` to check)."""
    actor = store.actor
    if not (actor.can(access.PLAN_SETTINGS) or actor.can(access.FINANCE_SETTINGS)):
        access.require(actor, access.PLAN_SETTINGS)
    with store.transaction() as con:
        sid = con.execute("SELECT nextval('plan_settings_ids')").fetchone()[0]
        con.execute(
            "INSERT INTO plan_settings (settings_id, saved_at, author, policy_json, company) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                sid,
                datetime.now(UTC).replace(tzinfo=None),
                actor.signature,
                policy_json,
                scope.resolve(con, company),
            ],
        )
    return int(sid)


def current_policy(store: Store, company: str | None = None) -> tuple[str | None, str]:
    """(the JSON text of the plan settings of record of `company` (None: the active
    dataset's), who saved them and when); (None, '') while none are saved."""
    with store.connect() as con:
        row = con.execute(
            "SELECT policy_json, author, saved_at FROM plan_settings "
            f"WHERE {scope.SAME} ORDER BY settings_id DESC LIMIT 1",
            [scope.resolve(con, company)],
        ).fetchone()
    if row is None:
        return None, ""
    return row[0], f"set by {row[1]} on {pd.Timestamp(row[2]):%Y-%m-%d %H:%M} UTC"


def history(store: Store, company: str | None = None) -> pd.DataFrame:
    """Every save of `company` (None: the active dataset's), newest first: settings_id,
    saved_at, author, policy_json."""
    with store.connect() as con:
        return con.execute(
            "SELECT settings_id, saved_at, author, policy_json FROM plan_settings "
            f"WHERE {scope.SAME} ORDER BY settings_id DESC",
            [scope.resolve(con, company)],
        ).df()
