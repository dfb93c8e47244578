"""Comments: threads on a saved scenario, an override, a risk or a decision-log entry.

A thread is a first comment (`reply_to` NULL) and its replies (`reply_to` = the first
comment's id: a reply to a reply joins the same thread). Each comment is written once;
resolving a thread stamps its first comment (`resolved_at`, `resolved_by`) and a
resolved thread takes no more replies (a new comment on the subject starts a new
thread). The author is always the acting person (`store.actor.signature`), never a
typed name; posting and resolving need `access.COMMENT`.

Who may resolve: the person who started the thread, or an S&OP owner or an executive
(the people who run the meeting and close its loose ends). Anyone else who may
comment replies instead. (`may_resolve` says it; `resolve` enforces it.)

Subjects, by `subject_kind`, with the `subject_key` that names them:
- scenario: the saved scenario's id; override: the override's id; decision: the
  decision-log entry's id. Each must exist for the company: an id from a stale page or
  a link to another company's item is refused.
- risk: the risk's family (or line, or SKU) and category, as `risk_key` writes it; a
  risk is computed from the plan, not stored, so any such key is taken.

Every comment belongs to a company (`sop.store.scope`: the active dataset's unless
given); reads keep one company's comments. Text is stored as typed, trimmed (bound
parameters only).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from sop.core import access
from sop.core.access import Actor
from sop.store import decisions as _decisions  # noqa: F401  (its tables: subjects)
from sop.store import overrides as _overrides  # noqa: F401
from sop.store import scenarios as _scenarios  # noqa: F401
from sop.store import scope
from sop.store.connection import StoreError, register_ddl
from sop.store.core import Store

SCENARIO, OVERRIDE, RISK, DECISION = "scenario", "override", "risk", "decision"
KINDS: dict[str, str] = {
    SCENARIO: "Scenario",
    OVERRIDE: "Override",
    RISK: "Risk",
    DECISION: "Decision-log entry",
}
# kind -> (table, id column) of the saved item a comment is on
# the company of a stored subject, by kind (a risk is computed, not stored: no query)
SUBJECT_COMPANY = {
    SCENARIO: "SELECT company FROM scenarios WHERE scenario_id = ?",
    OVERRIDE: "SELECT company FROM overrides WHERE override_id = ?",
    DECISION: "SELECT company FROM decision_log WHERE entry_id = ?",
}
MAX_BODY = 2_000
MAX_KEY = 300
MAX_LABEL = 300
RESOLVERS = (access.SOP_OWNER, access.EXECUTIVE)
COLUMNS = [
    "comment_id",
    "thread_id",
    "subject_kind",
    "subject_key",
    "subject_label",
    "author",
    "posted_at",
    "body",
    "reply_to",
    "resolved_at",
    "resolved_by",
]
OPEN_COLUMNS = [
    "thread_id",
    "subject_kind",
    "subject_key",
    "subject_label",
    "started_by",
    "started_at",
    "comments",
    "last_author",
    "last_at",
    "last_body",
]

register_ddl(
    "comments",
    "CREATE SEQUENCE IF NOT EXISTS comment_ids START 1",
    "CREATE TABLE IF NOT EXISTS comments (comment_id BIGINT PRIMARY KEY, company VARCHAR,"
    " subject_kind VARCHAR NOT NULL, subject_key VARCHAR NOT NULL,"
    " subject_label VARCHAR NOT NULL, author VARCHAR NOT NULL, posted_at TIMESTAMP NOT NULL,"
    " body VARCHAR NOT NULL, reply_to BIGINT, resolved_at TIMESTAMP, resolved_by VARCHAR)",
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def risk_key(category: str, subject: str) -> str:
    """The subject key of a risk: its category and what it is about ("Bottleneck:
    RS-ASM1 (Assembly)"), the same from one cycle to the next."""
    return f"{str(category).strip()}: {str(subject).strip()}"


def checked_body(body: str | None) -> str:
    """`body` trimmed; StoreError saying what to do when it is blank or too long."""
    text = (body or "").strip()
    if not text:
        raise StoreError("The comment is empty: write something before posting it.")
    if len(text) > MAX_BODY:
        raise StoreError(
            f"A comment is limited to {MAX_BODY:,} characters; this one has {len(text):,}. "
            "Shorten it, or post it as two comments."
        )
    return text


def checked_subject(kind: str, key: object) -> str:
    """The subject key as stored: an item's id as its digits, a risk's key trimmed;
    StoreError for an unknown kind or a key that names nothing."""
    if kind not in KINDS:
        raise StoreError(
            "A comment is on a scenario, an override, a risk or a decision-log entry; "
            f"not on {kind!r}."
        )
    text = str(key if key is not None else "").strip()
    if kind in SUBJECT_COMPANY:
        if not text.isdigit():
            raise StoreError(f"{KINDS[kind]} ids are whole numbers, not {text!r}.")
        return str(int(text))
    if not text or len(text) > MAX_KEY:
        raise StoreError(f"A risk is named by its category and subject (1-{MAX_KEY} characters).")
    return text


def same_person(signature: str, actor: Actor) -> bool:
    """Whether a record's `signature` is `actor`'s (their e-mail decides when they have
    one: a changed display name is still the same person)."""
    if actor.email and not actor.local:
        return signature == actor.email or signature.endswith(f"<{actor.email}>")
    return signature == actor.signature


def may_resolve(actor: Actor, started_by: str) -> bool:
    """Whether `actor` may resolve a thread started by `started_by` (module docstring)."""
    if not actor.can(access.COMMENT):
        return False
    return same_person(started_by, actor) or bool(set(actor.roles) & set(RESOLVERS))


def resolve_refusal(actor: Actor, started_by: str) -> str:
    """Why `actor` may not resolve a thread `started_by` started."""
    return (
        f"{actor.signature} may not resolve this thread: only the person who started it "
        f"({started_by}) or an S&OP owner or executive may. Reply instead."
    )


def _check_subject(con, kind: str, key: str, company: str | None) -> None:
    if kind not in SUBJECT_COMPANY:
        return
    row = con.execute(SUBJECT_COMPANY[kind], [int(key)]).fetchone()
    scope.owner_check(row, company, f"{KINDS[kind].lower()} #{key}")


def _thread_root(con, comment_id: int, company: str | None) -> tuple:
    """(thread id, subject kind, subject key, started by, resolved_at, company) of the
    thread comment `comment_id` belongs to, in `company`."""
    row = con.execute(
        "SELECT coalesce(reply_to, comment_id), company FROM comments WHERE comment_id = ?",
        [int(comment_id)],
    ).fetchone()
    scope.owner_check(row, company, f"comment #{comment_id}")
    return con.execute(
        "SELECT comment_id, subject_kind, subject_key, author, resolved_at, company "
        "FROM comments WHERE comment_id = ?",
        [int(row[0])],
    ).fetchone()


def post(
    store: Store,
    kind: str,
    key: object,
    body: str,
    label: str = "",
    reply_to: int | None = None,
    company: str | None = None,
) -> int:
    """Post a comment on subject (`kind`, `key`) of `company` (None: the active
    dataset's) as the acting person; `reply_to`: a comment of an open thread on the same
    subject (else a new thread starts); `label`: how the subject reads in lists (its
    name), else the risk's key or "#<id>". Returns the comment's id. Needs `access.COMMENT`;
    StoreError (nothing stored) for a blank or over-long text, an unknown subject, a
    resolved or other thread."""
    access.require(store.actor, access.COMMENT)
    text = checked_body(body)
    subject = checked_subject(kind, key)
    name = (label or "").strip()[:MAX_LABEL] or (subject if kind == RISK else f"#{subject}")
    with store.transaction() as con:
        company = scope.resolve(con, company)
        _check_subject(con, kind, subject, company)
        root = None
        if reply_to is not None:
            root_id, r_kind, r_key, _, resolved, _ = _thread_root(con, reply_to, company)
            if (r_kind, r_key) != (kind, subject):
                raise StoreError(
                    f"Comment #{reply_to} is on another subject; reply on its own thread."
                )
            if resolved is not None:
                raise StoreError(
                    f"Thread #{root_id} is resolved; post without replying to start a new one."
                )
            root = int(root_id)
        cid = int(con.execute("SELECT nextval('comment_ids')").fetchone()[0])
        con.execute(
            "INSERT INTO comments (comment_id, company, subject_kind, subject_key, "
            "subject_label, author, posted_at, body, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [cid, company, kind, subject, name, store.actor.signature, _now(), text, root],
        )
    return cid


def resolve(store: Store, comment_id: int, company: str | None = None) -> int:
    """Resolve the thread comment `comment_id` belongs to, in `company` (None: the active
    dataset's), as the acting person; returns the thread's id. Needs `access.COMMENT`
    and, besides, to have started the thread or be an S&OP owner or executive
    (`may_resolve`). StoreError for an unknown or already resolved thread."""
    access.require(store.actor, access.COMMENT)
    with store.transaction() as con:
        root_id, _, _, started_by, resolved, _ = _thread_root(
            con, comment_id, scope.resolve(con, company)
        )
        if resolved is not None:
            raise StoreError(f"Thread #{root_id} is already resolved.")
        if not may_resolve(store.actor, started_by):
            raise access.AccessDenied(resolve_refusal(store.actor, started_by))
        con.execute(
            "UPDATE comments SET resolved_at = ?, resolved_by = ? WHERE comment_id = ?",
            [_now(), store.actor.signature, int(root_id)],
        )
    return int(root_id)


_SELECT = (
    "SELECT comment_id, coalesce(reply_to, comment_id) AS thread_id, subject_kind, "
    "subject_key, subject_label, author, posted_at, body, reply_to, resolved_at, resolved_by "
    f"FROM comments WHERE {scope.SAME}"
)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("subject_kind", "subject_key", "subject_label", "author", "body"):
        if c in df:
            df[c] = df[c].astype("str")
    return df


def thread(store: Store, kind: str, key: object, company: str | None = None) -> pd.DataFrame:
    """Every comment on subject (`kind`, `key`) of `company` (None: the active dataset's):
    `COLUMNS`, thread by thread (oldest thread first), each oldest comment first. A
    reply's `resolved_at`/`resolved_by` are blank: its thread's first comment has them."""
    subject = checked_subject(kind, key)
    with store.connect() as con:
        df = con.execute(
            f"{_SELECT} AND subject_kind = ? AND subject_key = ? ORDER BY thread_id, comment_id",
            [scope.resolve(con, company), kind, subject],
        ).df()
    return _typed(df[COLUMNS])


SUBJECT_COLUMNS = [
    "subject_key",
    "subject_label",
    "threads",
    "open",
    "started_at",
    "last_at",
    "active_at",
]


def subjects(store: Store, kind: str, company: str | None = None) -> pd.DataFrame:
    """Every subject of `kind` that holds a comment of `company` (None: the active
    dataset's), open or resolved, the latest comment first: `SUBJECT_COLUMNS` (its key,
    the label it was first posted with, how many threads and how many of them open,
    its first and last comment's time, and its last activity: a comment or a thread
    resolved). The Executive page lists the risks whose item
    is gone (`sop.executive.comments.placed`) from it."""
    if kind not in KINDS:
        raise StoreError(f"No comments are kept on {kind!r}.")
    with store.connect() as con:
        df = con.execute(
            f"WITH c AS ({_SELECT} AND subject_kind = ?) "
            "SELECT subject_key, arg_min(subject_label, comment_id) AS subject_label, "
            "count(DISTINCT thread_id) AS threads, "
            "count(*) FILTER (WHERE reply_to IS NULL AND resolved_at IS NULL) AS open, "
            "min(posted_at) AS started_at, max(posted_at) AS last_at, "
            "max(greatest(posted_at, coalesce(resolved_at, posted_at))) AS active_at "
            "FROM c GROUP BY subject_key ORDER BY last_at DESC, subject_key",
            [scope.resolve(con, company), kind],
        ).df()
    df = _typed(df[SUBJECT_COLUMNS])
    for c in ("threads", "open"):
        df[c] = df[c].astype("int64")
    return df


def open_threads(store: Store, company: str | None = None) -> pd.DataFrame:
    """The open (unresolved) threads of `company` (None: the active dataset's), the
    latest comment first: `OPEN_COLUMNS` (who started it and when, how many comments,
    the last comment's author, time and text)."""
    with store.connect() as con:
        df = con.execute(
            f"WITH c AS ({_SELECT}), "
            "last AS (SELECT thread_id, count(*) AS comments, max(posted_at) AS last_at, "
            "arg_max(author, comment_id) AS last_author, arg_max(body, comment_id) AS last_body "
            "FROM c GROUP BY thread_id) "
            "SELECT c.thread_id, c.subject_kind, c.subject_key, c.subject_label, "
            "c.author AS started_by, c.posted_at AS started_at, last.comments, "
            "last.last_author, last.last_at, last.last_body "
            "FROM c JOIN last USING (thread_id) "
            "WHERE c.reply_to IS NULL AND c.resolved_at IS NULL "
            "ORDER BY last.last_at DESC, c.thread_id DESC",
            [scope.resolve(con, company)],
        ).df()
    df = df[OPEN_COLUMNS]
    for c in ("started_by", "last_author", "last_body"):
        df[c] = df[c].astype("str")
    df["comments"] = df["comments"].astype("int64")
    return _typed(df)
