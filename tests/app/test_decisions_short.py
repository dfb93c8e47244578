"""Approving a short plan says what it costs in service: the Decisions page shows the
picked plan's headline and a line on its shortfall before "Approve", the confirmation
and the decision log keep that line, an approval saved without those figures still
reads, and the hand-off says the plan of record ships below demand."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from exec_helpers import load
from page_helpers import flat
from streamlit.testing.v1 import AppTest

from sop.core import fmt
from sop.executive import approval, weekly
from sop.executive import service as executive
from sop.finance import service_line
from sop.finance.kpi_text import value_text
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store
from sop.store import decisions as decision_log

CYCLE = pd.Timestamp("2026-01-01")
# Beta's line L2 cut by 55 % all year: the plan loses sales and ships late
CUT = Levers(capacity_changes=(("L2", "2026-01", "2026-12", -55.0),))
SERVICE_KEYS = ("fill_rate", "on_time_rate", "lost_units", "lost_value", "late_value")


@pytest.fixture
def short(store: Store) -> tuple[Store, int]:
    load(store)
    return store, saved_scenarios.save(store, "L2 *cut*", CUT)


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _value(element) -> object:
    try:
        return element.value
    except Exception:  # a block or an element without a value
        return None


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def test_a_short_plan_shows_its_figures_and_the_line_before_approve(short, open_app) -> None:
    store, sid = short
    k = executive.context(store).evaluate(CUT).kpis
    line = service_line.shortfall_line(k, "EUR")
    assert line is not None and k["lost_units"] > 0 and k["fill_rate"] < 1
    at = open_app("pages/decisions.py")
    at.selectbox(key="dec_plan").set_value(sid).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    expected = {
        "Revenue": value_text("revenue", k["revenue"]),
        "Gross margin": value_text("gross_margin", k["gross_margin"]),
        "Fill rate": value_text("fill_rate", k["fill_rate"]),
        "On-time fill rate": value_text("on_time_rate", k["on_time_rate"]),
        "Lost sales (units)": value_text("lost_units", k["lost_units"], bare=True),
        "Lost sales (value)": value_text("lost_value", k["lost_value"]),
        "Late (units)": value_text("late_units", k["late_units"], bare=True),
        "Late deliveries (value)": value_text("late_value", k["late_value"]),
    }
    assert {label: metrics.get(label) for label in expected} == expected
    assert metrics["Fill rate"] != "100.0 %"
    assert fmt.md(line) in _warnings(at)
    # drawn in the approval box, above the note and the button
    order = [getattr(e, "key", None) or _value(e) for e in flat(at.main)]
    assert order.index("dec_plan") < order.index(fmt.md(line)) < order.index("dec_approve")
    # the baseline serves all demand here: no line for it
    at.selectbox(key="dec_plan").set_value(0).run()
    base = executive.context(store).evaluate(Levers()).kpis
    assert service_line.shortfall_line(base, "EUR") is None
    assert not [w for w in _warnings(at) if "This plan" in w]


def test_the_confirmation_and_the_log_keep_the_figures(short, open_app) -> None:
    store, sid = short
    k = executive.context(store).evaluate(CUT).kpis
    line = service_line.shortfall_line(k, "EUR")
    at = open_app("pages/decisions.py")
    at.selectbox(key="dec_plan").set_value(sid).run()
    at.text_area(key="dec_note").set_value("short, but the cut is real")
    at.button(key="dec_approve").click().run()
    assert not at.exception and not at.error
    assert fmt.md(line) in at.success[0].value
    log = _frame(at, "entry")
    assert log.loc[0, "entry"].startswith(f"Approved #{sid} L2 *cut*")
    assert log.loc[0, "service"] == line.removeprefix("This plan ")
    assert log.loc[0, "service"].startswith("leaves ")
    # the hand-off says the plan of record ships below demand, above its weeks
    at.switch_page("pages/handoff.py").run()
    assert not at.exception, at.exception
    hand = weekly.shortfall_line(executive.view(store, executive.context(store)).weekly)
    assert hand is not None and hand.startswith("The plan is short: it ships ")
    assert [x for x in _warnings(at) if x.startswith("The plan is short")] == [fmt.md(hand)]


def test_an_approval_saved_without_the_figures_still_shows(short, open_app) -> None:
    """Approvals stored by an older version: one whose snapshot KPIs lack every service
    figure, one that lacks the lost and late values (before they were measured)."""
    store, sid = short
    ctx = executive.context(store)
    executive.approve_saved(store, ctx, sid, "now", CYCLE)
    stored = json.loads(decision_log.snapshot_json(store, 1))
    for drop, name in ((SERVICE_KEYS, "Oldest"), (("lost_value", "late_value"), "Older")):
        old = dict(stored, kpis={k: v for k, v in stored["kpis"].items() if k not in drop})
        decision_log.approve(store, CYCLE, 0, name, "{}", "an old approval", 1, json.dumps(old))
    at = open_app("pages/decisions.py")
    assert not at.exception, at.exception
    log = _frame(at, "entry").set_index("entry_id")
    assert log.loc[2, "entry"].startswith("Approved Oldest")
    assert log.loc[2, "service"] == ""  # nothing to say, never a made-up 100 %
    k = stored["kpis"]
    older = log.loc[3, "service"]
    assert older.startswith(f"leaves {fmt.units(k['lost_units'])} unserved")
    assert "€" not in older  # values it did not store are left out, not shown as 0
    assert log.loc[1, "service"] == approval.log_line(k, "EUR")
