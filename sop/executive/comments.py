"""The open comment threads in words, for the Executive page and the meeting pack:
what each is about, its last comment, who wrote it and how long ago.

Pure: takes the frame `sop.store.comments.open_threads` returns. Text is returned as
typed; whoever renders it escapes it (Markdown on the page, HTML in the report,
`sop.core.xlsx.put` in the workbook).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from sop.core import fmt
from sop.core.xlsx import Spec
from sop.store.comments import KINDS

SHEET = "Open comments"
TITLE = "Open comments"
NONE = "No open comments: every thread is resolved, or nobody has commented yet."
COLUMNS = ["subject", "last_body", "last_author", "age", "comments", "last_at", "started_by"]
SPEC: Spec = [
    ("subject", "Subject", "text"),
    ("last_body", "Last comment", "text"),
    ("last_author", "By", "text"),
    ("age", "Age", "text"),
    ("comments", "Comments in the thread", "int"),
    ("last_at", "Last comment at (UTC)", "datetime"),
    ("started_by", "Started by", "text"),
]
SHORT = 280  # characters of the last comment shown in a list


def age(then: object, now: datetime) -> str:
    """How long ago `then` was, in the largest whole unit: "just now", "12 min",
    "3 h", "5 days"."""
    seconds = max((pd.Timestamp(now) - pd.Timestamp(then)).total_seconds(), 0.0)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    days = int(seconds // 86400)
    return fmt.count(days, "day")


def subject(kind: str, label: str) -> str:
    """The subject in words: "Scenario: Price up", "Risk: Bottleneck: RS-ASM1 (Assembly)"."""
    return f"{KINDS.get(kind, kind)}: {label}"


def shorten(text: str, limit: int = SHORT) -> str:
    """`text` on one line, cut at `limit` characters with an ellipsis."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def open_table(threads: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """One row per open thread, the latest comment first: `COLUMNS` (subject in words,
    the last comment shortened to one line, its author, its age at `now`, how many
    comments, when it was posted, who started the thread)."""
    if threads.empty:
        return pd.DataFrame(columns=COLUMNS)
    return pd.DataFrame(
        {
            "subject": [
                subject(k, lbl) for k, lbl in zip(threads["subject_kind"], threads["subject_label"])
            ],
            "last_body": [shorten(b) for b in threads["last_body"]],
            "last_author": threads["last_author"].astype(str),
            "age": [age(t, now) for t in threads["last_at"]],
            "comments": threads["comments"].astype("int64"),
            "last_at": pd.to_datetime(threads["last_at"]),
            "started_by": threads["started_by"].astype(str),
        }
    ).reset_index(drop=True)[COLUMNS]


def sheets(threads: pd.DataFrame | None, now: datetime) -> list:
    """The pack's "Open comments" sheet as a `sop.executive.pack_sheets.sheets` entry (none when
    the pack is made without a store: `threads` None)."""
    if threads is None:
        return []
    return [(SHEET, open_table(threads, now), SPEC, ())]
