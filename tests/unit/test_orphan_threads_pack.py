"""Threads whose risk item is gone, beyond the Executive page's picker: the meeting
pack's open comments (HTML and Excel) mark them as the page does ("Earlier item", "now
under Stock-out risk: Alpha"), where it listed "Risk: Bottleneck: L9 ..." with no such
item among the pack's risks; a family's stock-out item with no comment of its own says
the earlier SKU threads follow (it said "No comments on Stock-out risk: Alpha yet."
right above them); and an earlier item whose threads are all resolved is offered only
while its last comment is under `RECENT_DAYS` old, older ones behind a switch."""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from exec_helpers import load
from streamlit.testing.v1 import AppTest

from sop.executive import comments as exec_comments
from sop.executive import pack
from sop.executive import service as executive
from sop.executive.risks import BOTTLENECK, BUDGET, STOCKOUT
from sop.store import Store, comments

OLD_SKU = comments.risk_key(STOCKOUT, "A1 (Alpha 1)")  # per SKU then, Alpha's item now
ALPHA = comments.risk_key(STOCKOUT, "Alpha")
GONE = comments.risk_key(BOTTLENECK, "L9 <Old & line>")  # no longer binds
LIVE = comments.risk_key(BOTTLENECK, "L2 (Line 2)")  # among the tiny plan's risks
STALE = comments.risk_key(BUDGET, "Gamma")  # resolved long ago
BETA = comments.risk_key(BUDGET, "Beta")


@pytest.fixture
def loaded(store: Store) -> Store:
    load(store)
    return store


def _backdate(store: Store, key: str, days: int) -> None:
    """Move every comment on risk `key`, and its resolution, `days` into the past."""
    with store.connect() as con:
        con.execute(
            "UPDATE comments SET posted_at = posted_at - to_days(CAST(? AS INTEGER)), "
            "resolved_at = resolved_at - to_days(CAST(? AS INTEGER)) "
            "WHERE subject_kind = ? AND subject_key = ?",
            [days, days, comments.RISK, key],
        )


def _with_alpha_stockout(view):
    """The view with a stock-out item on family Alpha among its risks (the tiny plan has
    none), so an old per-SKU thread of Alpha's has a home."""
    row = view.risks.iloc[[0]].copy()
    row["category"], row["subject"] = STOCKOUT, "Alpha"
    risks = pd.concat([view.risks, row], ignore_index=True)
    return dataclasses.replace(view, risks=risks)


def test_the_pack_marks_open_threads_whose_item_is_gone(loaded: Store) -> None:
    for key, body in [(GONE, "second shift on L9?"), (OLD_SKU, "A1 short"), (LIVE, "L2 ok?")]:
        comments.post(loaded, comments.RISK, key, body, key)
    ctx = executive.context(loaded)
    view = _with_alpha_stockout(executive.view(loaded, ctx))
    assert {ALPHA, LIVE} <= set(exec_comments.risk_keys(view.risks))
    assert GONE not in exec_comments.risk_keys(view.risks)
    meta = pack.PackMeta("Tiny Co", "tiny", 1, view.cycle, ctx.as_of, "EUR", pack.now())
    threads = comments.open_threads(loaded)
    page = pack.html(view, ctx.tables, meta, ctx.demand, threads)
    assert "<td>Earlier item · Risk: Bottleneck: L9 &lt;Old &amp; line&gt;</td>" in page
    assert (
        "<td>Earlier item · Risk: Stock-out risk: A1 (Alpha 1) · now under "
        "Stock-out risk: Alpha</td>" in page
    )
    assert "<td>Risk: Bottleneck: L2 (Line 2)</td>" in page  # its item is listed
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand, threads)))
    ws = wb[exec_comments.SHEET]
    subjects = {ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)}
    assert subjects == {
        f"Earlier item · Risk: {GONE}",
        f"Earlier item · Risk: {OLD_SKU} · now under {ALPHA}",
        f"Risk: {LIVE}",
    }
    # the pack of the plan without Alpha's stock-out item: the SKU thread is earlier too
    plain = executive.view(loaded, ctx)
    page = pack.html(plain, ctx.tables, meta, ctx.demand, threads)
    assert "<td>Earlier item · Risk: Stock-out risk: A1 (Alpha 1)</td>" in page
    assert pack.marks(plain, ctx.tables, None) == {}


def test_earlier_items_resolved_long_ago_wait_behind_a_switch() -> None:
    now = datetime(2026, 6, 30, 12, 0)
    earlier = pd.DataFrame(
        {
            "subject_key": ["recent resolved", "old open", "old resolved", "edge"],
            "subject_label": ["a", "b", "c", "d"],
            "threads": [1, 2, 1, 1],
            "open": [0, 1, 0, 0],
            "started_at": [pd.Timestamp("2025-01-01")] * 4,
            "last_at": pd.to_datetime(
                ["2026-06-01 00:00", "2025-01-10 00:00", "2026-03-01 00:00", "2026-04-01 12:00"]
            ),
        }
    )
    listed, older = exec_comments.recent(earlier, now)
    assert listed["subject_key"].tolist() == ["recent resolved", "old open", "edge"]
    assert older["subject_key"].tolist() == ["old resolved"]  # 121 days, all resolved
    assert exec_comments.recent(earlier, now, days=200)[1].empty
    toggle = exec_comments.older_toggle(1)
    assert toggle == "Show 1 resolved earlier item with no comment in 90 days"
    assert "2 earlier items whose threads are all resolved" in exec_comments.earlier_caption(0, 2)
    assert exec_comments.earlier_caption(3, 0).startswith("Earlier items: 3 subjects")


def _page() -> None:
    import pandas as pd

    from sop.ui import comments as comments_ui

    risks = pd.DataFrame(
        {"category": ["Stock-out risk", "Budget gap"], "subject": ["Alpha", "Beta"]}
    )
    comments_ui.risk_thread(risks)


def test_the_picker_words_a_family_item_carrying_sku_threads(loaded: Store) -> None:
    first = comments.post(loaded, comments.RISK, OLD_SKU, "A1 runs short", OLD_SKU)
    comments.resolve(loaded, first)
    comments.post(loaded, comments.RISK, OLD_SKU, "A1 short again", OLD_SKU)
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="exe_cmt_pick").value == ALPHA
    captions = [c.value for c in at.caption]
    assert "No comments on the family item yet; 2 earlier SKU threads below\\." in captions
    assert not any("No comments on Stock" in c for c in captions)
    # an item carrying nothing keeps the plain words
    at.selectbox(key="exe_cmt_pick").set_value(BETA).run()
    assert "No comments on Budget gap\\: Beta yet\\." in [c.value for c in at.caption]


def test_the_picker_offers_old_resolved_earlier_items_on_asking(loaded: Store) -> None:
    done = comments.post(loaded, comments.RISK, STALE, "Gamma is closed", STALE)
    comments.resolve(loaded, done)
    _backdate(loaded, STALE, 200)
    comments.post(loaded, comments.RISK, GONE, "L9 still matters", GONE)
    _backdate(loaded, GONE, 400)  # old, but open: always offered
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception, at.exception
    options = at.selectbox(key="exe_cmt_pick").options
    assert len(options) == 3 and not any("Gamma" in o for o in options)
    assert any("L9" in o and o.startswith("Earlier item · ") for o in options)
    shown = " ".join(c.value for c in at.caption)
    assert "1 earlier item whose threads are all resolved" in shown
    switch = at.toggle(key="exe_cmt_older")
    assert switch.label == exec_comments.older_toggle(1)
    switch.set_value(True).run()
    assert not at.exception, at.exception
    options = at.selectbox(key="exe_cmt_pick").options
    assert len(options) == 4 and any("Gamma" in o for o in options)
    at.selectbox(key="exe_cmt_pick").set_value(STALE).run()
    assert not at.exception, at.exception
    assert "Gamma is closed" in " ".join(m.value for m in at.markdown)  # nothing deleted
