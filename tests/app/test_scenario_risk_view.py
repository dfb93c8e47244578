"""The Scenarios page's risk view shows service through the constrained plan: fill-rate
and on-time P10 / P50 / P90 of the scenario and the baseline, equal to the simulation's
(`sop.finance.risk`), worded as the tiles word a rate (">99.9 %" just short of 1)."""

from __future__ import annotations

from sop.executive import service as executive
from sop.finance.kpi_text import value_text
from sop.scenario.levers import Levers
from sop.store import Store

PAGE = "pages/scenarios.py"


def test_the_risk_view_shows_the_service_ranges_of_the_simulation(
    forecast: Store, open_app
) -> None:
    at = open_app(PAGE)
    at.slider(key="scn_price_family_pct__Alpha").set_value(10.0).run()
    at.session_state["scn_tab"] = "Risk (P10 / P50 / P90)"
    at.run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    shown = table.set_index(["Plan", "Measure"])
    ctx = executive.context(forecast)
    plans = {"Scenario": Levers(price_family_pct=(("Alpha", 10.0),)), "Baseline": Levers()}
    for plan, levers in plans.items():
        summary = ctx.evaluate(levers).risk.summary.set_index("metric")
        for key, label in (("fill_rate", "Fill rate"), ("on_time_rate", "On-time fill rate")):
            for q in ("p10", "p50", "p90"):
                assert shown.at[(plan, label), q.upper()] == value_text(key, summary.at[key, q])
