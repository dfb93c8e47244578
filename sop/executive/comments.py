"""The open comment threads in words, for the Executive page and the meeting pack:
what each is about, its last comment, who wrote it and how long ago; and where a risk's
threads show when its item is gone (`placed`).

A risk's thread is kept on its key ("Stock-out risk: SKU-1 (Hose)", `risk_key`), and
the Executive page offers the keys of the plan's items. An item can go: stock-out risk
was per SKU and is per family now, a bottleneck stops binding, a family comes back to
budget. No thread is lost: a per-SKU stock-out thread shows under its family's
stock-out item when the plan lists it (read, and resolved, there; the family's item
takes the new comments: the risk is planned per family now), and every other thread
whose item is gone is an earlier item, offered apart under its first title and the date
of its last comment, still answerable (a risk key outlives its item: the item may come
back next cycle, and the thread then shows under it again). An earlier item whose
threads are all resolved is history: it is offered while its last comment is recent
(`RECENT_DAYS`, `recent`), older ones only on asking; one with an open thread always.
The list of open threads, on the page and in the meeting pack, marks them the same way
(`open_marks`, `marked`).

Pure: takes the frame `sop.store.comments.open_threads` returns. Text is returned as
typed; whoever renders it escapes it (Markdown on the page, HTML in the report,
`sop.core.xlsx.put` in the workbook).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd

from sop.core import fmt, schema
from sop.core.xlsx import Spec
from sop.executive.risks import STOCKOUT
from sop.store.comments import KINDS, RISK, risk_key

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


def open_table(
    threads: pd.DataFrame, now: datetime, marks: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """One row per open thread, the latest comment first: `COLUMNS` (subject in words,
    marked where a risk's item is gone (`marks`: risk key -> mark, `open_marks`), the
    last comment shortened to one line, its author, its age at `now`, how many comments,
    when it was posted, who started the thread)."""
    if threads.empty:
        return pd.DataFrame(columns=COLUMNS)
    marks = marks or {}
    return pd.DataFrame(
        {
            "subject": [
                marked(subject(k, lbl), marks.get(key) if k == RISK else None)
                for k, key, lbl in zip(
                    threads["subject_kind"], threads["subject_key"], threads["subject_label"]
                )
            ],
            "last_body": [shorten(b) for b in threads["last_body"]],
            "last_author": threads["last_author"].astype(str),
            "age": [age(t, now) for t in threads["last_at"]],
            "comments": threads["comments"].astype("int64"),
            "last_at": pd.to_datetime(threads["last_at"]),
            "started_by": threads["started_by"].astype(str),
        }
    ).reset_index(drop=True)[COLUMNS]


def sheets(
    threads: pd.DataFrame | None, now: datetime, marks: Mapping[str, str] | None = None
) -> list:
    """The pack's "Open comments" sheet as a `sop.executive.pack_sheets.sheets` entry (none when
    the pack is made without a store: `threads` None); `marks`: as `open_table`."""
    if threads is None:
        return []
    return [(SHEET, open_table(threads, now, marks), SPEC, ())]


def risk_keys(risks: pd.DataFrame | None) -> list[str]:
    """The thread keys of the plan's risks and opportunities (`category`, `subject`), in
    their order."""
    if risks is None or not len(risks):
        return []
    pairs = zip(risks["category"], risks["subject"])
    return list(dict.fromkeys(risk_key(c, s) for c, s in pairs))


EARLIER = "Earlier item"


def sku_families(products: pd.DataFrame) -> dict[str, str]:
    """The subject a stock-out risk item had while it was per SKU ("SKU-1 (Hose)", and
    the bare SKU) -> the SKU's family, from the products table."""
    if products is None or products.empty or schema.FAMILY not in products:
        return {}
    p = products.drop_duplicates(schema.SKU)
    names = p[schema.NAME] if schema.NAME in p else p[schema.SKU]
    out: dict[str, str] = {}
    for sku, name, fam in zip(p[schema.SKU], names, p[schema.FAMILY]):
        if pd.isna(fam):
            continue
        out[f"{str(sku).strip()} ({str(name).strip()})"] = str(fam)
        out.setdefault(str(sku).strip(), str(fam))
    return out


def family_key(key: str, families: dict[str, str]) -> str | None:
    """The key of the family stock-out item an old per-SKU stock-out key belongs to
    ("Stock-out risk: SKU-1 (Hose)" -> "Stock-out risk: Garden"); None for any other key."""
    head = f"{STOCKOUT}: "
    if not key.startswith(head):
        return None
    fam = families.get(key[len(head) :].strip())
    return None if fam is None else risk_key(STOCKOUT, fam)


def placed(
    stored: pd.DataFrame, current: list[str], products: pd.DataFrame
) -> tuple[dict[str, list[str]], pd.DataFrame]:
    """Where each risk subject holding comments (`stored`: `sop.store.comments.subjects`)
    shows, given the keys of the plan's items (`current`): (current key -> the old
    per-SKU stock-out keys whose threads show under it, the earlier items: the rows of
    `stored` whose item the plan no longer lists, latest comment first)."""
    on_screen = set(current)
    families = sku_families(products)
    moved: dict[str, list[str]] = {}
    gone = []
    for n, key in enumerate(stored["subject_key"] if len(stored) else []):
        if key in on_screen:
            continue
        home = family_key(key, families)
        if home in on_screen:
            moved.setdefault(home, []).append(key)
        else:
            gone.append(n)
    return moved, stored.iloc[gone].reset_index(drop=True)


def _threads(n: int, opened: int) -> str:
    return fmt.count(n, "thread") + (f", {opened} open" if opened else "")


def option(key: str, moved: dict[str, list[str]]) -> str:
    """How a plan's item reads in the list of risks to comment on: its key, and how many
    earlier per-SKU items' threads it carries ("... (+ 2 earlier SKU items)")."""
    extra = len(moved.get(key, []))
    return f"{key} (+ {fmt.count(extra, 'earlier SKU item')})" if extra else key


def earlier_option(row) -> str:
    """How an earlier item reads in the list: "Earlier item · Bottleneck: L9 (Old
    line) · last comment 03 Dec 2026 · 2 threads, 1 open"."""
    return (
        f"{EARLIER} · {row['subject_label']} · last comment "
        f"{pd.Timestamp(row['last_at']):%d %b %Y} · {_threads(row['threads'], row['open'])}"
    )


def earlier_note(row) -> str:
    """What the page says above an earlier item's threads (text as typed: the caller
    escapes it)."""
    return (
        f"{EARLIER}: “{row['subject_label']}” is not among this plan's risks and "
        f"opportunities (first comment {pd.Timestamp(row['started_at']):%d %b %Y}, last "
        f"{pd.Timestamp(row['last_at']):%d %b %Y}). Its threads are kept: reply or resolve "
        "here; they show under the item again if it comes back."
    )


def marked(text: str, mark: str | None) -> str:
    """An open thread's subject with its mark (`open_marks`): "Earlier item · Risk:
    Bottleneck: L9 (Old line)", "Earlier item · Risk: Stock-out risk: SKU-1 (Hose) ·
    now under Stock-out risk: Garden"; as it is without one."""
    if not mark:
        return text
    return f"{EARLIER} · {text}" if mark == EARLIER else f"{EARLIER} · {text} · {mark}"


def open_marks(threads: pd.DataFrame, current: list[str], products: pd.DataFrame) -> dict[str, str]:
    """The risk keys among the open `threads` (`sop.store.comments.open_threads`) whose
    item the plan (its items' keys `current`) no longer lists, as the picker places them
    (`placed`) -> their mark in the open-comments list: "now under <the family's
    stock-out item>" for an old per-SKU stock-out thread whose family's item is listed,
    `EARLIER` for any other."""
    if threads.empty:
        return {}
    risk = threads[threads["subject_kind"] == RISK].drop_duplicates("subject_key")
    moved, earlier = placed(risk.reset_index(drop=True), current, products)
    out = {str(k): EARLIER for k in earlier["subject_key"]}
    return out | {old: f"now under {home}" for home, olds in moved.items() for old in olds}


def empty_note(key: str, olds: list[str], stored: pd.DataFrame) -> str:
    """What the page says on a plan's item with no comment of its own: "No comments on
    <key> yet."; on a family's stock-out item carrying the threads of earlier per-SKU
    items (`olds`, their counts in `stored`: `sop.store.comments.subjects`), that they
    follow: "No comments on the family item yet; 1 earlier SKU thread below." (text
    as typed: the caller escapes it)."""
    if not olds:
        return f"No comments on {key} yet."
    n = int(stored.loc[stored["subject_key"].isin(olds), "threads"].sum()) if len(stored) else 0
    return f"No comments on the family item yet; {fmt.count(n, 'earlier SKU thread')} below."


RECENT_DAYS = 90  # an earlier item with every thread resolved is offered this long


def recent(
    earlier: pd.DataFrame, now: datetime, days: int = RECENT_DAYS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The earlier items (`placed`) split into those offered (any thread open, or the
    last comment or resolution within `days` of `now`: resolving an old thread must not
    make it vanish from under the user, review) and the older ones whose threads are all
    resolved (offered only on asking: nothing is deleted), each latest comment first."""
    if earlier.empty:
        return earlier, earlier
    since = pd.Timestamp(now) - pd.Timedelta(days=days)
    active = earlier["active_at"] if "active_at" in earlier else earlier["last_at"]
    keep = (earlier["open"] > 0) | (pd.to_datetime(active) >= since)
    return (
        earlier[keep].reset_index(drop=True),
        earlier[~keep].reset_index(drop=True),
    )


def older_toggle(n: int, days: int = RECENT_DAYS) -> str:
    """The label of the switch that offers the older resolved earlier items too."""
    return f"Show {fmt.count(n, 'resolved earlier item')} with no comment in {days} days"


def earlier_caption(listed: int, hidden: int, days: int = RECENT_DAYS) -> str:
    """What the page says above the picker about the earlier items: how many are
    offered, and how many resolved ones older than `days` are left out until asked."""
    parts = []
    if listed:
        parts.append(
            f"{EARLIER}s: {fmt.count(listed, 'subject')} with comments that this plan no "
            "longer lists; pick one below to read, reply or resolve."
        )
    if hidden:
        parts.append(
            f"{fmt.count(hidden, 'earlier item')} whose threads are all resolved and "
            f"last commented on over {days} days ago "
            f"{'is' if hidden == 1 else 'are'} left out of the list (kept: the switch "
            "below lists them)."
        )
    return " ".join(parts)


def moved_note(old: str, key: str) -> str:
    """What the page says above the threads of an earlier per-SKU stock-out item shown
    under its family's item (text as typed: the caller escapes it)."""
    return (
        f"From the earlier item “{old}”: stock-out risk was per SKU and is per family now, "
        f"so its threads show here. Resolve them here; new comments go on “{key}”."
    )
