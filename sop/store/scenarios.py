"""Saved scenarios: named lever sets with author and description, append-only.

The author of a scenario and of each event is the acting person (`store.actor`), who
must be allowed `access.SCENARIO`.

The levers are stored as the JSON text `Levers.to_json` writes; `sop.scenario.saved`
turns them into `Levers` and back. A scenario row is written once. Archiving (and
un-archiving) appends an event; the list shows each scenario's latest state. Names
and descriptions are stored exactly as typed (bound parameters), whatever quotes,
SQL or unicode they hold. A scenario belongs to the company of the dataset version it
was saved on (`sop.store.scope`); reads keep one company's (`company=None`: the
active dataset's).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from sop.core import access
from sop.store import scope
from sop.store.connection import StoreError, register_ddl
from sop.store.core import Store

ARCHIVE, UNARCHIVE = "archive", "unarchive"
MAX_TEXT = 10_000

register_ddl(
    "scenarios",
    "CREATE SEQUENCE IF NOT EXISTS scenario_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS scenario_event_ids START 1",
    "CREATE TABLE IF NOT EXISTS scenarios (scenario_id BIGINT PRIMARY KEY,"
    " name VARCHAR NOT NULL, description VARCHAR, author VARCHAR NOT NULL,"
    " created_at TIMESTAMP NOT NULL, levers_json VARCHAR NOT NULL, dataset_version BIGINT)",
    "CREATE TABLE IF NOT EXISTS scenario_events (event_id BIGINT PRIMARY KEY,"
    " scenario_id BIGINT NOT NULL, event_at TIMESTAMP NOT NULL, author VARCHAR NOT NULL,"
    " action VARCHAR NOT NULL)",
    *scope.migration("scenarios"),
    *scope.migration_from("scenario_events", "scenarios", "scenario_id"),
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def checked_text(name: str, description: str = "") -> str:
    """`name` trimmed; StoreError for a blank name or an over-long text."""
    name = (name or "").strip()
    if not name:
        raise StoreError("Give the scenario a name.")
    if len(name) > MAX_TEXT or len(description or "") > MAX_TEXT:
        raise StoreError(f"Names and descriptions are limited to {MAX_TEXT:,} characters.")
    return name


def save(
    store: Store,
    name: str,
    levers_json: str,
    description: str = "",
    dataset_version: int | None = None,
) -> int:
    """Store a named scenario (levers as JSON text, checked by the caller) for the
    company of `dataset_version` (None: the active dataset's); returns its id.
    Raises AccessDenied without `access.SCENARIO`, StoreError for a blank name."""
    access.require(store.actor, access.SCENARIO)
    name = checked_text(name, description)
    with store.transaction() as con:
        sid = con.execute("SELECT nextval('scenario_ids')").fetchone()[0]
        con.execute(
            "INSERT INTO scenarios (scenario_id, name, description, author, created_at, "
            "levers_json, dataset_version, company) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sid,
                name,
                description or "",
                store.actor.signature,
                _now(),
                levers_json,
                dataset_version,
                scope.company_of(con, dataset_version),
            ],
        )
    return int(sid)


def _set_archived(store: Store, scenario_id: int, action: str, company: str | None) -> None:
    access.require(store.actor, access.SCENARIO)
    with store.transaction() as con:
        company = scope.resolve(con, company)
        found = con.execute(
            "SELECT company FROM scenarios WHERE scenario_id = ?", [scenario_id]
        ).fetchone()
        scope.owner_check(found, company, f"scenario #{scenario_id}")
        con.execute(
            "INSERT INTO scenario_events (event_id, scenario_id, event_at, author, action, "
            "company) VALUES (nextval('scenario_event_ids'), ?, ?, ?, ?, ?)",
            [scenario_id, _now(), store.actor.signature, action, company],
        )


def archive(store: Store, scenario_id: int, company: str | None = None) -> None:
    """Hide a scenario from the working list (it stays stored, with the event)."""
    _set_archived(store, scenario_id, ARCHIVE, company)


def unarchive(store: Store, scenario_id: int, company: str | None = None) -> None:
    """Bring an archived scenario back to the working list."""
    _set_archived(store, scenario_id, UNARCHIVE, company)


COLUMNS = (
    "scenario_id",
    "name",
    "description",
    "author",
    "created_at",
    "levers_json",
    "dataset_version",
)


def list_scenarios(
    store: Store, include_archived: bool = False, company: str | None = None
) -> pd.DataFrame:
    """Saved scenarios of `company` (None: the active dataset's), newest first:
    scenario_id, name, description, author, created_at, levers_json, dataset_version,
    archived."""
    cols = ", ".join(f"s.{c}" for c in COLUMNS)
    with store.connect() as con:
        df = con.execute(
            f"SELECT {cols}, coalesce((SELECT e.action = ? FROM scenario_events e WHERE "
            "e.scenario_id = s.scenario_id ORDER BY e.event_id DESC LIMIT 1), FALSE) "
            f"AS archived FROM scenarios s WHERE s.{scope.SAME} ORDER BY s.scenario_id DESC",
            [ARCHIVE, scope.resolve(con, company)],
        ).df()
    for c in ("name", "description", "author", "levers_json"):
        df[c] = df[c].astype("str")
    return df if include_archived else df[~df["archived"]].reset_index(drop=True)


def get(store: Store, scenario_id: int, company: str | None = None) -> tuple[str, str]:
    """(name, levers JSON text) of a saved scenario of `company` (None: the active
    dataset's); StoreError for another company's."""
    with store.connect() as con:
        company = scope.resolve(con, company)
        row = con.execute(
            "SELECT name, levers_json, company FROM scenarios WHERE scenario_id = ?",
            [scenario_id],
        ).fetchone()
    scope.owner_check(row, company, f"scenario #{scenario_id}")
    return row[0], row[1]


def history(store: Store, company: str | None = None) -> pd.DataFrame:
    """Every scenario event of `company` (None: the active dataset's): event_id,
    scenario_id, event_at, author, action."""
    with store.connect() as con:
        return con.execute(
            "SELECT event_id, scenario_id, event_at, author, action FROM scenario_events "
            f"WHERE {scope.SAME} ORDER BY event_id",
            [scope.resolve(con, company)],
        ).df()
