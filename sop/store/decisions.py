"""The executive decision log: approvals of a plan of record, reversals, open questions
and actions. Append-only.

Every entry is one INSERT in one write transaction; nothing here updates or deletes.
A reversal of an approval is a new `revoke` entry pointing at it; closing a question
or an action is a new `close` entry pointing at it. An approval also stores, in the
same transaction, a snapshot of the approved plan (JSON: its KPIs, family plan, cost
table, levers, dataset version and cycle; see `sop.executive.snapshots.PlanSnapshot`), so a
later cycle can compare with it after the data has changed.

Checks that depend on earlier entries (the approval being revoked exists and is not
revoked yet, the item being closed is open) run inside the write transaction under
the store's write lock, so two people acting at once cannot both revoke or close the
same entry. Every entry's author is the acting person (`store.actor.signature`):
approving and revoking need `access.APPROVE`, logging and closing an item
`access.ACTION_ITEM`, checked before anything is written. Text is stored exactly as
typed (bound parameters only). Every entry and snapshot belongs to a company
(`sop.store.scope`): an approval to the company of the dataset version it approved,
the rest to the active dataset's company; reads keep one company's entries
(`company=None`: the active dataset's).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from sop.core import access
from sop.core.months import month_start
from sop.store import scope
from sop.store.connection import StoreError, register_ddl
from sop.store.core import Store

APPROVE, REVOKE, QUESTION, ACTION, CLOSE = "approve", "revoke", "question", "action", "close"
ITEMS = (QUESTION, ACTION)
KINDS = (APPROVE, REVOKE, QUESTION, ACTION, CLOSE)
MAX_TEXT = 10_000
LOG_COLUMNS = [
    "entry_id",
    "cycle",
    "kind",
    "made_at",
    "author",
    "note",
    "owner",
    "due",
    "ref_id",
    "scenario_id",
    "scenario_name",
    "levers_json",
    "dataset_version",
]

register_ddl(
    "decisions",
    "CREATE SEQUENCE IF NOT EXISTS decision_ids START 1",
    "CREATE TABLE IF NOT EXISTS decision_log (entry_id BIGINT PRIMARY KEY,"
    " cycle DATE NOT NULL, kind VARCHAR NOT NULL, made_at TIMESTAMP NOT NULL,"
    " author VARCHAR NOT NULL, note VARCHAR NOT NULL, owner VARCHAR, due DATE,"
    " ref_id BIGINT, scenario_id BIGINT, scenario_name VARCHAR, levers_json VARCHAR,"
    " dataset_version BIGINT)",
    "CREATE TABLE IF NOT EXISTS plan_snapshots (entry_id BIGINT PRIMARY KEY,"
    " snapshot_json VARCHAR NOT NULL)",
    *scope.migration("decision_log"),
    *scope.migration_from("plan_snapshots", "decision_log", "entry_id"),
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise StoreError(what)
    if len(text) > MAX_TEXT:
        raise StoreError(f"Texts are limited to {MAX_TEXT:,} characters.")
    return text


def _insert(
    con,
    company: str | None,
    cycle: date,
    kind: str,
    author: str,
    note: str,
    owner: str | None = None,
    due: date | None = None,
    ref_id: int | None = None,
    scenario_id: int | None = None,
    scenario_name: str | None = None,
    levers_json: str | None = None,
    dataset_version: int | None = None,
) -> int:
    entry_id = int(con.execute("SELECT nextval('decision_ids')").fetchone()[0])
    con.execute(
        "INSERT INTO decision_log (" + ", ".join(LOG_COLUMNS) + ", company) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry_id,
            cycle,
            kind,
            _now(),
            author,
            note,
            owner,
            due,
            ref_id,
            scenario_id,
            scenario_name,
            levers_json,
            dataset_version,
            company,
        ],
    )
    return entry_id


def approve(
    store: Store,
    cycle: object,
    scenario_id: int,
    scenario_name: str,
    levers_json: str,
    note: str,
    dataset_version: int | None,
    snapshot_json: str,
) -> int:
    """Record the approval, by the acting person, of a plan of record for `cycle` (a
    month) with its snapshot; returns the entry id. scenario_id 0 is the baseline. A
    later approval for the same cycle supersedes this one; nothing is overwritten."""
    access.require(store.actor, access.APPROVE)
    author = store.actor.signature
    note = _text(note, "Add a note: why this plan (it is kept in the decision log).")
    name = _text(scenario_name, "The approved plan needs a name.")
    if not snapshot_json:
        raise StoreError("The approved plan has no snapshot; evaluate it first.")
    with store.transaction() as con:
        company = scope.company_of(con, dataset_version)
        entry_id = _insert(
            con,
            company,
            month_start(cycle).date(),
            APPROVE,
            author,
            note,
            scenario_id=int(scenario_id),
            scenario_name=name,
            levers_json=levers_json,
            dataset_version=dataset_version,
        )
        con.execute(
            "INSERT INTO plan_snapshots (entry_id, snapshot_json, company) VALUES (?, ?, ?)",
            [entry_id, snapshot_json, company],
        )
    return entry_id


def _target(con, entry_id: int, company: str | None) -> tuple:
    """(kind, cycle, company) of entry `entry_id` of `company`."""
    row = con.execute(
        "SELECT kind, cycle, company FROM decision_log WHERE entry_id = ?", [int(entry_id)]
    ).fetchone()
    scope.owner_check(row, company, f"decision-log entry #{entry_id}")
    return row


def revoke(store: Store, entry_id: int, note: str, company: str | None = None) -> int:
    """Reverse an approval of `company` (None: the active dataset's) with a new entry by
    the acting person (`access.APPROVE`); the cycle's plan of record falls back to its
    latest approval still standing, if any. Returns the new entry's id."""
    access.require(store.actor, access.APPROVE)
    author = store.actor.signature
    note = _text(note, "Say why the approval is reversed.")
    with store.transaction() as con:
        kind, cycle, company = _target(con, entry_id, scope.resolve(con, company))
        if kind != APPROVE:
            raise StoreError(
                f"Entry #{entry_id} is not an approval; only approvals can be reversed."
            )
        if con.execute(
            "SELECT count(*) FROM decision_log WHERE kind = ? AND ref_id = ?",
            [REVOKE, int(entry_id)],
        ).fetchone()[0]:
            raise StoreError(f"Approval #{entry_id} is already reversed.")
        return _insert(con, company, cycle, REVOKE, author, note, ref_id=int(entry_id))


def add_item(
    store: Store,
    cycle: object,
    kind: str,
    text: str,
    owner: str,
    due: object,
    company: str | None = None,
) -> int:
    """Record an open question or an action with its owner and due date, for `company`
    (None: the active dataset's), raised by the acting person (`access.ACTION_ITEM`)."""
    access.require(store.actor, access.ACTION_ITEM)
    author = store.actor.signature
    if kind not in ITEMS:
        raise StoreError(f"An item is a {' or an '.join(ITEMS)}, not {kind!r}.")
    text = _text(text, f"Write the {kind}.")
    owner = _text(owner, f"Name the owner of the {kind}.")
    if due is None or pd.isna(due):
        raise StoreError(f"Give the {kind} a due date.")
    with store.transaction() as con:
        return _insert(
            con,
            scope.resolve(con, company),
            month_start(cycle).date(),
            kind,
            author,
            text,
            owner=owner,
            due=pd.Timestamp(due).date(),
        )


def close_item(store: Store, entry_id: int, note: str, company: str | None = None) -> int:
    """Close (answer or complete) a question or an action of `company` (None: the active
    dataset's): a new entry by the acting person (`access.ACTION_ITEM`) pointing at it."""
    access.require(store.actor, access.ACTION_ITEM)
    author = store.actor.signature
    note = _text(note, "Say how it was answered or done.")
    with store.transaction() as con:
        kind, cycle, company = _target(con, entry_id, scope.resolve(con, company))
        if kind not in ITEMS:
            raise StoreError(f"Entry #{entry_id} is not a question or an action.")
        if con.execute(
            "SELECT count(*) FROM decision_log WHERE kind = ? AND ref_id = ?",
            [CLOSE, int(entry_id)],
        ).fetchone()[0]:
            raise StoreError(f"Item #{entry_id} is already closed.")
        return _insert(con, company, cycle, CLOSE, author, note, ref_id=int(entry_id))


SELECT_LOG = (
    "SELECT " + ", ".join(LOG_COLUMNS) + f" FROM decision_log WHERE {scope.SAME} ORDER BY entry_id"
)


def log(store: Store, company: str | None = None) -> pd.DataFrame:
    """Every entry of `company` (None: the active dataset's), oldest first: `LOG_COLUMNS`
    (cycle and due as month/day timestamps)."""
    with store.connect() as con:
        df = con.execute(SELECT_LOG, [scope.resolve(con, company)]).df()
    for c in ("kind", "author", "note", "owner", "scenario_name", "levers_json"):
        df[c] = df[c].astype("str")
    for c in ("cycle", "due"):
        df[c] = pd.to_datetime(df[c])
    return df


def snapshot_json(store: Store, entry_id: int, company: str | None = None) -> str | None:
    """The plan snapshot stored with approval `entry_id` of `company` (None: the active
    dataset's); None if there is none."""
    with store.connect() as con:
        row = con.execute(
            f"SELECT snapshot_json FROM plan_snapshots WHERE entry_id = ? AND {scope.SAME}",
            [int(entry_id), scope.resolve(con, company)],
        ).fetchone()
    return None if row is None else row[0]


def stamp(store: Store, company: str | None = None) -> tuple[int, int]:
    """(entries, newest id) of `company`'s log (None: the active dataset's): changes with
    every new entry, for cache keys."""
    with store.connect() as con:
        n, top = con.execute(
            f"SELECT count(*), coalesce(max(entry_id), 0) FROM decision_log WHERE {scope.SAME}",
            [scope.resolve(con, company)],
        ).fetchone()
    return int(n), int(top)
