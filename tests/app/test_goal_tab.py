"""The Scenarios page's Goal tab through AppTest: the budget target prefilled, a solve
with the price lever that meets a revenue target, an on-time target no plan can meet
reported with its best reachable value and binding limits, the answer and a frontier
point opened as the page's scenario (URL and lever widgets), saved by the S&OP owner.

Setup stores a hand-made 18-month forecast for the tiny dataset (no model is fitted).
Each run of the Scenarios page takes seconds, so one AppTest goes through many steps.
"""

from __future__ import annotations

import json
import re

import pandas as pd
from streamlit.testing.v1 import AppTest

from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

PAGE = "pages/scenarios.py"
BUDGET = 96_000.0  # tiny budget: 2 families x 12 months x 4,000, Jan to Dec 2026
REVENUE_2026 = 173_280.0  # the baseline plan's revenue over the budget's months


def _goal_tab(at: AppTest) -> AppTest:
    at.session_state["scn_tab"] = "Goal"
    at.run()
    assert not at.exception, at.exception
    return at


def _edit_row(at: AppTest, row: int, **cells) -> None:
    """Set the targets editor's cells as the browser would (AppTest cannot type there)."""
    at.session_state["goal_targets"] = {
        "edited_rows": {row: cells},
        "added_rows": [],
        "deleted_rows": [],
    }


def _levers(at: AppTest, allowed: dict[str, tuple[float, float]]) -> None:
    """Allow only the levers of `allowed` (ticked, then their ranges typed)."""
    for box in at.checkbox:
        if box.key and box.key.startswith("goal_use_"):
            box.set_value(box.key.removeprefix("goal_use_") in allowed)
    at.run()
    for name, (low, high) in allowed.items():
        at.number_input(key=f"goal_low_{name}").set_value(low)
        at.number_input(key=f"goal_high_{name}").set_value(high)


def _table(at: AppTest) -> pd.DataFrame:
    (table,) = [d.value for d in at.dataframe if "Reached" in d.value.columns]
    return table


def _money(text: str) -> float:
    m = re.fullmatch(r"€([\d,]+)", text)
    assert m, text
    return float(m.group(1).replace(",", ""))


def test_budget_target_solve_with_price_open_and_save(forecast: Store, open_app) -> None:
    at = _goal_tab(open_app(PAGE))
    rows = at.data_editor(key="goal_targets").value
    assert rows.to_dict("records") == [
        {
            "Figure": "Revenue (EUR)",
            "Sense": "at least",
            "Value": BUDGET,
            "Family": "Company (all families)",
            "From": "2026-01",
            "To": "2026-12",
        }
    ]
    # the month pickers keep 2026-01 and show it as the page writes months: Jan 2026
    config = json.loads(at.data_editor(key="goal_targets").proto.columns)
    for col in ("From", "To"):
        options = config[col]["type_config"]["options"]
        assert options[0] == {"value": "2026-01", "label": "Jan 2026"}, options[:2]
        assert all(o["label"] != o["value"] for o in options)
    # 180,000 is out of reach at today's prices (173,280); +10 % on price reaches it
    _edit_row(at, 0, Value=180_000.0)
    _levers(at, {"price": (-10.0, 10.0)})
    at.button(key="goal_solve").click().run()
    assert not at.exception, at.exception
    assert at.success and "Every target is met" in at.success[0].value
    table = _table(at)
    assert list(table.columns) == ["Target", "Reached", "Met"]
    assert table.loc[0, "Target"] == "Revenue at least EUR 180,000 (Jan 2026 to Dec 2026)"
    assert table.loc[0, "Met"] == "yes" and _money(table.loc[0, "Reached"]) >= 180_000
    moves = "\n".join(m.value for m in at.markdown if "What moved" in m.value)
    assert "Price of Alpha: +" in moves and "Price of Beta: +" in moves
    page_revenue, goal_revenue = [m for m in at.metric if m.label == "Revenue"]
    assert page_revenue.delta == "no change"  # the page still shows the baseline
    assert goal_revenue.delta.startswith("+€")
    # open the answer: the lever widgets and the URL hold it, the tab keeps the answer
    at.button(key="goal_open").click().run()
    assert not at.exception, at.exception
    query = Levers.from_query(dict(at.query_params))
    assert dict(query.price_family_pct)["Alpha"] > 0 and query.targets[0].value == 180_000
    assert (
        at.slider(key="scn_price_family_pct__Alpha").value == dict(query.price_family_pct)["Alpha"]
    )
    assert any("The answer is the scenario on screen" in s.value for s in at.success)
    assert _table(at).loc[0, "Met"] == "yes"
    # the page's KPI tiles now show the answer: revenue up from the baseline, as the goal's
    page_revenue, goal_revenue = [m for m in at.metric if m.label == "Revenue"]
    assert page_revenue.value == goal_revenue.value and page_revenue.delta.startswith("+€")
    # save it (the local user holds every role)
    at.text_input(key="goal_save_name").input("Budget by price")
    at.button(key="FormSubmitter:goal_save_form-Save scenario").click().run()
    assert not at.exception, at.exception
    stored = saved_scenarios.list_scenarios(forecast)
    assert list(stored["name"]) == ["Budget by price"]
    assert Levers.from_file_text(stored["levers_json"].iloc[0], ".json") == query
    # the frontier around the answer: on-time from today's level up to the best
    at.slider(key="goal_fr_points").set_value(10)
    at.button(key="goal_fr_run").click().run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 1
    picker = at.selectbox(key="goal_fr_point")
    assert len(picker.options) == 10 and picker.options[0].startswith("Point 1: on-time ")
    picker.set_value(9)
    at.button(key="goal_fr_open").click().run()
    assert not at.exception, at.exception
    opened = Levers.from_query(dict(at.query_params))
    assert [t.metric for t in opened.targets] == ["revenue", "on_time_rate"]
    assert opened.targets[1].value > 0.9


def test_on_time_out_of_reach_shows_best_value_and_limits(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    at.slider(key="scn_demand_pct").set_value(100.0).run()  # twice the demand: lines full
    at = _goal_tab(at)
    _edit_row(at, 0, Figure="On-time rate (%)", Value=100.0)
    _levers(at, {})
    at.button(key="goal_solve").click().run()
    assert not at.exception, at.exception
    # (the page's line on the short plan comes first: twice the demand leaves some unserved)
    assert any("Not every target can be met" in w.value for w in at.warning)
    table = _table(at)
    assert table.loc[0, "Met"] == "no"
    reached = float(table.loc[0, "Reached"].removesuffix(" %"))
    best = float(table.loc[0, "Best reachable alone"].removesuffix(" %"))
    assert 0 < reached <= best < 100
    limits = "\n".join(m.value for m in at.markdown if "What stops" in m.value)
    assert "L1 (capacity) is full" in limits
    # on-time can be raised by losing orders: the answer shows fill rate and lost sales
    # beside it, each against the scenario the solve started from (the page's own tiles)
    page_fill, goal_fill = [m for m in at.metric if m.label == "Fill rate"]
    page_lost, goal_lost = [m for m in at.metric if m.label == "Lost sales (units)"]
    lines = [line for c in at.caption for line in c.value.split("  \n")]
    assert f"Before: {page_fill.value}" in lines and f"Before: {page_lost.value}" in lines
    assert goal_fill.value.endswith(" %") and goal_lost.value
