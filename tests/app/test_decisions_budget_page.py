"""The Decisions page sets the picked plan against the budget too: under its revenue
and gross margin tiles, the plan's figure over the budget's months against the budget,
as the Executive page words it; on a plan below budget for want of supply, how much of
the gap is supply (the Finance page's sentence, family names escaped); the confirmation
repeats the revenue line. Without a budget nothing is said of one."""

from __future__ import annotations

import pandas as pd
from exec_helpers import exec_tables, load
from streamlit.testing.v1 import AppTest

from sop.core import fmt, schema
from sop.executive import service as executive
from sop.finance import statement
from sop.finance import view as finance_view
from sop.scenario import compare
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

# Beta's line L2 cut by 55 % all year: the plan loses sales and ships late
CUT = Levers(capacity_changes=(("L2", "2026-01", "2026-12", -55.0),))
BETA = "Be*ta* [x](y)"  # a family name Markdown would mangle


def _tables(budget: bool = True) -> dict[str, pd.DataFrame]:
    """The tiny dataset, Beta renamed, with a budget three times the tiny one (the plan
    falls short of it), or none."""
    t = exec_tables()
    for name, df in t.items():
        if schema.FAMILY in df.columns:
            t[name] = df.assign(**{schema.FAMILY: df[schema.FAMILY].replace("Beta", BETA)})
    if budget:
        t[schema.BUDGET] = t[schema.BUDGET].assign(
            **{c: t[schema.BUDGET][c] * 3 for c in (schema.REVENUE, schema.MARGIN)}
        )
    else:
        del t[schema.BUDGET]
    return t


def _store(store: Store, budget: bool = True) -> tuple[Store, int]:
    load(store, _tables(budget))
    return store, saved_scenarios.save(store, "L2 cut", CUT)


def _pick(at: AppTest, sid: int) -> AppTest:
    at.selectbox(key="dec_plan").set_value(sid).run()
    assert not at.exception, at.exception
    return at


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def test_the_picked_plan_against_the_budget(store, open_app) -> None:
    store, sid = _store(store)
    ctx = executive.context(store)
    ev = ctx.evaluate(CUT)
    lines = [
        compare.budget_text(k, ev.budget, "EUR", "this plan") for k in ("revenue", "gross_margin")
    ]
    assert all(lines) and ev.budget["plan_revenue"] < ev.budget["revenue"]
    vs = statement.versus_budget(ev.pnl, ctx.tables[schema.BUDGET])
    note = finance_view.split_note(
        finance_view.budget_split(vs), "EUR", last=finance_view.compared_end(vs)
    )
    assert note is not None and BETA in note  # the supply gap is Beta's, the line cut
    at = _pick(open_app("pages/decisions.py"), sid)
    captions = _captions(at)
    for line in lines:  # under the revenue and gross margin tiles
        assert line in captions
    assert lines[0].startswith("Budget €288k over its 12 months: this plan €187k there, -€101k")
    assert fmt.md(note) in _warnings(at)
    assert "Be\\*ta\\* \\[x\\]\\(y\\)" in fmt.md(note)
    # the baseline serves every order: below budget too, but not for want of supply
    _pick(at, 0)
    base = ctx.evaluate(Levers())
    assert compare.budget_text("revenue", base.budget, "EUR", "this plan") in _captions(at)
    assert not [w for w in _warnings(at) if "is supply" in w or "supply takes" in w]
    # the confirmation repeats the revenue line
    _pick(at, sid)
    at.text_area(key="dec_note").set_value("short of budget, the cut is real")
    at.button(key="dec_approve").click().run()
    assert not at.exception and not at.error
    assert f"{fmt.md(lines[0])}." in at.success[0].value


def test_without_a_budget_nothing_is_said_of_one(store, open_app) -> None:
    store, sid = _store(store, budget=False)
    at = _pick(open_app("pages/decisions.py"), sid)
    assert at.metric, "the tiles are drawn"
    assert not [c for c in _captions(at) if c.startswith("Budget ") or "budget" in c.lower()]
    assert not [w for w in _warnings(at) if "budget" in w.lower()]


def test_a_family_the_budget_leaves_out_is_named(store, open_app) -> None:
    t = _tables()
    t[schema.BUDGET] = t[schema.BUDGET][t[schema.BUDGET][schema.FAMILY] == "Alpha"]
    load(store, t)
    at = open_app("pages/decisions.py")
    scope = statement.budget_scope_note(["Alpha", BETA], t[schema.BUDGET])
    assert fmt.md(scope) in _captions(at)
