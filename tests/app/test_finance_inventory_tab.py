"""The Finance page's Inventory tab through AppTest: why stock is held above safety
stock, what holding it costs, the horizon totals, and the note when a short plan holds
less because it runs below safety stock."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from supply_helpers import with_consensus
from tiny import tiny_tables

from sop.core import fmt, schema
from sop.core.xlsx import TOTAL
from sop.data.validate import check_tables
from sop.executive import service as executive
from sop.finance import stock
from sop.finance.bridge import holding_note
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

PAGE = "pages/finance.py"
# Beta's line L2 cut by 60 % in Jun-Sep 2026: the plan makes Beta ahead in May, draws
# it down in the summer and still runs short; it also keeps less safety stock
CUT = Levers(capacity_changes=(("L2", "2026-06", "2026-09", -60.0),))


def _open_cut(store: Store, open_app) -> AppTest:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    sid = saved_scenarios.save(store, "L2 summer cut", CUT)
    at = open_app(PAGE)
    at.selectbox(key="fin_scenario").set_value(sid).run()
    assert not at.exception, at.exception
    return at


def test_inventory_tab_says_why_stock_is_held_and_what_it_costs(store: Store, open_app) -> None:
    at = _open_cut(store, open_app)
    ctx = executive.context(store)
    ev, base = ctx.evaluate(CUT), ctx.evaluate(Levers())
    inv = stock.stock_by_month(ev.plan)
    lines = stock.built_ahead_lines(inv, ev.plan.family_plan, "EUR")
    assert lines and lines[0].startswith("Beta: up to ")  # the summer cut builds ahead
    assert "drawn down in Jun 2026" in lines[0] and "of holding." in lines[0]
    said = [m.value for m in at.markdown if "Why stock is held above safety stock" in m.value]
    assert said == [
        "**Why stock is held above safety stock**\n" + "\n".join(f"- {fmt.md(t)}" for t in lines)
    ]
    # the short plan holds less because it runs below safety stock: said, not a saving
    note = holding_note(base.plan, ev.plan, "EUR", label="", subject="this plan")
    assert note.startswith("Holding is ") and "from this plan running " in note
    assert "unit-months below safety stock" in note
    assert fmt.md(note) in [w.value for w in at.warning]

    (by_month,) = [d for d in at.dataframe if "built_ahead_units" in d.value.columns]
    assert {"safety_stock_units", "below_safety_stock_units", "built_ahead_holding"} <= set(
        by_month.value.columns
    )
    beta = by_month.value[by_month.value[schema.FAMILY] == "Beta"]
    assert beta["built_ahead_units"].max() >= stock.TOL_UNITS
    (horizon,) = [d for d in at.dataframe if "built_ahead_unit_months" in d.value.columns]
    shown = horizon.value.set_index(schema.FAMILY)
    assert list(shown.index) == ["Alpha", "Beta", TOTAL]
    expected = stock.horizon_by_family(inv).set_index(schema.FAMILY).loc[TOTAL]
    # money as text by fmt.money, exact; stock summed over months in unit-months
    assert shown.at[TOTAL, "built_ahead_holding"] == fmt.money(
        expected["built_ahead_holding"], "EUR", compact=False
    )
    assert shown.at[TOTAL, "below_unit_months"] == expected["below_unit_months"]
    assert "Below safety stock (unit-months)" in horizon.proto.columns
    assert "Built ahead: stock above target (units)" in by_month.proto.columns


def test_the_baseline_has_no_holding_note(store: Store, open_app) -> None:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    at = open_app(PAGE)
    assert not any("below safety stock" in w.value for w in at.warning)
    assert any("built_ahead_units" in d.value.columns for d in at.dataframe)
