"""Comment threads on the pages: a saved scenario (Scenarios), an override (Demand), a
risk (Executive) and a decision-log entry (Decisions), and the open threads of the
company (Executive).

`thread(kind, key, label)` draws one subject's threads (author, time and text, every
typed text escaped for Markdown), a "Post comment" form for a person who may comment
(`sop.ui.permit.allowed(access.COMMENT)`; the refusal note otherwise) and "Resolve"
on an open thread for those who may resolve it (`sop.store.comments.may_resolve`).
A new comment replies to the subject's open thread, else starts one. The other
functions are the one call each page makes: they pick the subject on that page.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from sop.core import access, fmt, schema
from sop.demand import view as demand_view
from sop.executive import comments as exec_comments
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.scenario.wording import escape_md
from sop.store import StoreError
from sop.store import comments as store_comments
from sop.ui import auth, permit, readers, scenario_readers, widgets

POST = "Post comment"
RESOLVE = "Resolve"


def prefix(kind: str, key: object) -> str:
    """The widget-key prefix of one subject's thread (a risk key may hold any text)."""
    digest = hashlib.sha1(str(key).encode("utf-8")).hexdigest()[:12]
    return f"cmt_{kind}_{digest}"


def _when(ts: object) -> str:
    return f"{pd.Timestamp(ts):%d %b %Y %H:%M} UTC"


def _comment(row) -> str:
    """One comment as Markdown: author and time, then the text as typed."""
    head = f"**{escape_md(row.author)}** · {_when(row.posted_at)}"
    return f"{head}  \n{escape_md(row.body)}"


def _resolve_button(thread_id: int, started_by: str, key: str) -> None:
    actor = auth.current_actor()
    if not actor.can(access.COMMENT):
        return
    if not store_comments.may_resolve(actor, started_by):
        st.caption(escape_md(store_comments.resolve_refusal(actor, started_by)))
        return
    if st.button(RESOLVE, key=f"{key}_resolve_{thread_id}", icon=":material/task_alt:"):
        try:
            store_comments.resolve(readers.store(), thread_id)
        except (StoreError, access.AccessDenied) as exc:
            st.error(escape_md(str(exc)))
            return
        widgets.flash(f"{key}_flash", f"Thread #{thread_id} is resolved.")


def _threads(df: pd.DataFrame, key: str) -> int | None:
    """Draw the subject's threads, open ones first; returns the id of the open thread a
    new comment replies to (the latest), or None."""
    roots = df[df["reply_to"].isna()].set_index("thread_id")
    open_ids = [int(t) for t in roots.index if pd.isna(roots.at[t, "resolved_at"])]
    for tid in open_ids:
        with st.container(border=True):
            for row in df[df["thread_id"] == tid].itertuples(index=False):
                st.markdown(_comment(row))
            _resolve_button(tid, str(roots.at[tid, "author"]), key)
    closed = [int(t) for t in roots.index if int(t) not in open_ids]
    if closed:
        with st.expander(f"Resolved threads ({len(closed)})"):
            for tid in closed:
                for row in df[df["thread_id"] == tid].itertuples(index=False):
                    st.markdown(_comment(row))
                r = roots.loc[tid]
                st.caption(
                    f"Resolved by {escape_md(str(r['resolved_by']))} on {_when(r['resolved_at'])}"
                )
                st.divider()
    return open_ids[-1] if open_ids else None


def thread(kind: str, key: object, label: str, empty: str | None = None) -> None:
    """The comment threads on subject (`kind`, `key`) of the active company, named
    `label`, with the form to post (module docstring); `empty`: what to say when it
    has no comment yet (text as typed), "No comments on <label> yet." without it."""
    k = prefix(kind, key)
    if message := st.session_state.pop(f"{k}_flash", None):
        st.success(message)
    try:
        df = store_comments.thread(readers.store(), kind, key)
    except StoreError as exc:
        st.error(escape_md(str(exc)))
        return
    if df.empty:
        st.caption(escape_md(empty if empty is not None else f"No comments on {label} yet."))
    reply_to = _threads(df, k)
    if not permit.allowed(access.COMMENT):
        return
    body_key = f"{k}_body"
    widgets.fresh([body_key])
    with st.form(f"{k}_form"):
        body = st.text_area(
            "Reply" if reply_to is not None else f"Comment on {escape_md(label)}",
            key=body_key,
            max_chars=store_comments.MAX_BODY,
            placeholder="What should the team know or decide about it?",
        )
        st.caption(f"Posted as {escape_md(auth.current_actor().signature)}.")
        if st.form_submit_button(POST, icon=":material/send:"):
            try:
                store_comments.post(readers.store(), kind, key, body, label, reply_to)
            except (StoreError, access.AccessDenied) as exc:
                st.error(escape_md(str(exc)))
                return
            widgets.flash(f"{k}_flash", "Comment posted.", {body_key: ""})


# --- the subject on each page -------------------------------------------------------------
def scenario_thread(path: str, levers: Levers) -> None:
    """Scenarios page: the thread of the saved scenario on screen (the one whose levers
    are the levers on screen), else of a saved scenario picked from the list."""
    saved = scenario_readers.scenario_list(path)
    if saved.empty:
        st.info("Comments go on a saved scenario: save these levers first (tab Save).")
        return
    labels = {
        int(i): saved_scenarios.column_name(int(i), str(n))
        for i, n in zip(saved["scenario_id"], saved["name"])
    }
    on_screen = [
        int(i)
        for i, js in zip(saved["scenario_id"], saved["levers_json"])
        if saved_scenarios.read_levers(js) == levers
    ]
    if on_screen:
        sid = on_screen[-1]
    else:
        st.caption("The levers on screen are not a saved scenario: pick one to read or comment on.")
        sid = st.selectbox(
            "Saved scenario", list(labels), format_func=labels.get, key="scn_cmt_pick"
        )
    thread(store_comments.SCENARIO, sid, labels[sid])


def _override_label(r) -> str:
    def given(v) -> str | None:
        return None if v is None or pd.isna(v) or str(v) in ("", "None") else str(v)

    where = demand_view.selection_label(given(r.family), given(r.sku), given(r.region))
    months = f"{fmt.month(r.start_month)}–{fmt.month(r.end_month)}"
    return f"Override #{int(r.override_id)}: {where}, {months}"


def override_thread(history: pd.DataFrame) -> None:
    """Demand page: the thread of an override picked from the history (newest first)."""
    if history.empty:
        return
    labels = {int(r.override_id): _override_label(r) for r in history.itertuples(index=False)}
    oid = st.selectbox(
        "Comments on override", list(labels), format_func=labels.get, key="dem_cmt_pick"
    )
    thread(store_comments.OVERRIDE, oid, labels[oid])


def _products() -> pd.DataFrame:
    """The active dataset's products (to find an old per-SKU item's family)."""
    info = readers.active()
    if info is None:
        return pd.DataFrame()
    return readers.tables(readers.store_path(), info.version).get(schema.PRODUCTS, pd.DataFrame())


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def risk_thread(risks: pd.DataFrame) -> None:
    """Executive page: the thread of a risk or opportunity picked from the list (a
    family's items of one category share a thread, kept from cycle to cycle), and of an
    earlier item the plan no longer lists: no thread of the company is lost
    (`sop.executive.comments.placed`). A per-SKU stock-out thread shows under its
    family's item (read and resolve there; new comments go on the family's item); any
    other thread whose item is gone is offered as an earlier item, still answerable;
    one whose threads are all resolved only while its last comment is recent
    (`sop.executive.comments.recent`), older ones behind a switch."""
    keys = exec_comments.risk_keys(risks)
    try:
        stored = store_comments.subjects(readers.store(), store_comments.RISK)
    except StoreError as exc:
        st.error(escape_md(str(exc)))
        stored = pd.DataFrame(columns=store_comments.SUBJECT_COLUMNS)
    moved, earlier = exec_comments.placed(stored, keys, _products())
    listed, older = exec_comments.recent(earlier, _now())
    if not keys and earlier.empty:
        return
    note = st.empty()
    if len(older) and st.toggle(exec_comments.older_toggle(len(older)), key="exe_cmt_older"):
        listed, older = earlier, earlier.iloc[:0]
    if caption := exec_comments.earlier_caption(len(listed), len(older)):
        note.caption(caption)
    old = {str(r["subject_key"]): r for _, r in listed.iterrows()}
    labels = {k: exec_comments.option(k, moved) for k in keys}
    labels |= {k: exec_comments.earlier_option(r) for k, r in old.items()}
    if not labels:
        return
    key = st.selectbox(
        "Comments on a risk or opportunity",
        list(labels),
        format_func=labels.get,
        key="exe_cmt_pick",
    )
    if key in old:
        st.caption(escape_md(exec_comments.earlier_note(old[key])))
        thread(store_comments.RISK, key, str(old[key]["subject_label"]))
        return
    olds = moved.get(key, [])
    thread(store_comments.RISK, key, key, exec_comments.empty_note(key, olds, stored))
    for sku_key in olds:
        try:
            df = store_comments.thread(readers.store(), store_comments.RISK, sku_key)
        except StoreError as exc:
            st.error(escape_md(str(exc)))
            continue
        st.caption(escape_md(exec_comments.moved_note(sku_key, key)))
        k = prefix(store_comments.RISK, sku_key)
        if message := st.session_state.pop(f"{k}_flash", None):
            st.success(message)
        _threads(df, k)


def decision_thread(log: pd.DataFrame) -> None:
    """Decisions page: the thread of a decision-log entry picked from the log (newest
    first)."""
    if log.empty:
        return
    labels = {int(i): f"#{int(i)} {e}" for i, e in zip(log["entry_id"], log["entry"])}
    eid = st.selectbox(
        "Comments on a log entry", list(labels), format_func=labels.get, key="dec_cmt_pick"
    )
    thread(store_comments.DECISION, eid, labels[eid])


def open_comments(risks: pd.DataFrame | None = None) -> None:
    """Executive page: every open thread of the active company, the latest first; a
    risk thread whose item the plan (its `risks`) no longer lists is marked as the
    picker below places it (`sop.executive.comments.open_marks`): "Earlier item", and
    for an old per-SKU stock-out thread "now under Stock-out risk: <family>"."""
    st.subheader(exec_comments.TITLE)
    threads = store_comments.open_threads(readers.store())
    if threads.empty:
        st.caption(exec_comments.NONE)
        return
    marks = (
        exec_comments.open_marks(threads, exec_comments.risk_keys(risks), _products())
        if risks is not None
        else {}
    )
    table = exec_comments.open_table(threads, _now(), marks)
    st.dataframe(
        table[["subject", "last_body", "last_author", "age", "comments"]],
        hide_index=True,
        key="exe_open_comments",
        column_config={
            "subject": st.column_config.TextColumn("Subject", width="medium"),
            "last_body": st.column_config.TextColumn("Last comment", width="large"),
            "last_author": st.column_config.TextColumn("By"),
            "age": st.column_config.TextColumn("Age"),
            "comments": st.column_config.NumberColumn("Comments", format="%d"),
        },
    )
