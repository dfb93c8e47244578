"""The Scenarios page says what the scenario's plan adds to the baseline's notes.

The tiny dataset (hand-made 18-month forecast, no model fitted): Beta 1 costs 35 a unit
(material 20 + 0.5 h at 30) at a net price of 47.5. At its 25 %/year holding cost
(0.73 a unit-month) the plan keeps its safety stock (penalty 2 % of the price = 0.95);
the holding-cost lever at 100 %/year (2.92) makes the plan keep none, and the page says
so where the lever moved. Notes both plans have (the capacity calendar ends before the
horizon) are on the Supply page and not repeated here.
"""

from __future__ import annotations

from sop.scenario.levers import Levers
from sop.store import Store

PAGE = "pages/scenarios.py"
NEW = "Not in the baseline plan:"


def _plain(markdown: str) -> str:
    return markdown.replace("\\", "")


def _added(at) -> list[str]:
    return [_plain(w.value) for w in at.warning if NEW in _plain(w.value)]


def test_the_holding_cost_lever_shows_the_safety_stock_the_plan_no_longer_keeps(
    forecast: Store, open_app
) -> None:
    at = open_app(PAGE)
    assert _added(at) == []  # the baseline adds nothing to itself
    at.number_input(key="scn_holding_cost_rate").set_value(100.0).run()
    assert not at.exception
    (said,) = _added(at)
    assert "the plan keeps no safety stock for them" in said and "Beta / P1" in said
    # a lever that changes no note adds none, though the plan moved
    at.number_input(key="scn_holding_cost_rate").set_value(-1.0).run()
    at.slider(key="scn_demand_pct").set_value(10.0).run()
    assert not at.exception and _added(at) == []


def test_a_link_with_the_lever_shows_the_note_too(forecast: Store, open_app) -> None:
    at = open_app(PAGE, query=Levers(holding_cost_rate=100.0).to_query())
    assert at.number_input(key="scn_holding_cost_rate").value == 100.0
    assert len(_added(at)) == 1
