"""Compare and the Executive page when a plan is short, through AppTest.

Two saved squeezes on the tiny data: "L2 cut" (Beta's line L2 -55 % all year, the
baseline's demand) and "Surge" (the same cut and demand +40 %: it serves more units
than the baseline while losing more). Compare shows each plan's P10-P90 under revenue,
margin, fill and on-time, and does not star units served across different demand;
the Executive board shows lost units; the S&OP grid of the surge, the plan of record,
calls its demand the scenario's.
"""

from __future__ import annotations

import pandas as pd
import pytest
from exec_helpers import load
from streamlit.testing.v1 import AppTest

from sop.executive import service as executive
from sop.finance import range_text, risk
from sop.finance.kpi_text import value_text
from sop.scenario import compare, stars
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

CYCLE = pd.Timestamp("2026-01-01")
CUT = (("L2", "2026-01", "2026-12", -55.0),)
LEVERS = {
    "L2 cut": Levers(capacity_changes=CUT),
    "Surge": Levers(demand_pct=40.0, capacity_changes=CUT),
}


@pytest.fixture
def squeezed(store: Store) -> tuple[Store, dict[str, int]]:
    load(store)
    ids = {name: saved_scenarios.save(store, name, lv) for name, lv in LEVERS.items()}
    return store, ids


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_compare_shows_ranges_and_stars_units_served_only_like_for_like(squeezed, open_app) -> None:
    store, ids = squeezed
    at = open_app("pages/compare.py")
    table = _frame(at, "KPI").set_index("KPI")
    ctx = executive.context(store)
    evs = {"Baseline": ctx.evaluate(Levers())}
    evs |= {f"#{ids[n]} {n}": ctx.evaluate(lv) for n, lv in LEVERS.items()}
    assert set(evs) <= set(table.columns)
    for name, ev in evs.items():
        for key, row in compare.RANGE_ROWS.items():
            lo, hi = risk.p10_p90(ev.risk)[key]
            assert table.at[row, name] == f"{value_text(key, lo)} to {value_text(key, hi)}"
    surge = f"#{ids['Surge']} Surge"
    k = evs[surge].kpis
    assert k["served_units"] > evs["Baseline"].kpis["served_units"] and k["lost_units"] > 0
    assert table.at["Units served", surge] == value_text("served_units", k["served_units"])
    assert not table.loc["Units served"].str.startswith(stars.BEST).any()
    captions = " ".join(c.value for c in at.caption)
    # revenue and margin grow with demand too: no plan gets their star (`star_note`)
    for label in ("Revenue", "Gross margin"):
        assert not table.loc[label].str.startswith(stars.BEST).any(), label
    assert (
        "Revenue, gross margin and units served carry no ★, as the plans' demands differ"
        in captions
    )
    # the words of every other range (`range_text`): the loaded consensus has no
    # P10-P90 band, so every range is a point and the caption says why, not how it is made
    assert all(
        range_text.is_point(*r) for ev in evs.values() for r in risk.p10_p90(ev.risk).values()
    )
    assert range_text.range_help(flat=True) in captions
    assert range_text.RANGE_BASIS not in captions


def test_executive_board_shows_lost_units_and_the_grid_names_the_scenario_demand(
    squeezed, open_app
) -> None:
    store, ids = squeezed
    executive.approve_saved(store, executive.context(store), ids["Surge"], "surge", CYCLE)
    at = open_app("pages/executive.py")
    board = _frame(at, "Plan").set_index("Plan")
    lost = executive.context(store).evaluate(LEVERS["Surge"]).kpis["lost_units"]
    assert lost > 0
    shown = board.at[f"✔ #{ids['Surge']} Surge", "Lost sales (units)"]
    assert shown == value_text("lost_units", lost)
    assert not board["Revenue"].str.startswith("★").any()  # demands differ: no star
    assert any(
        "Revenue, gross margin and margin vs budget carry no ★" in c.value for c in at.caption
    )
    rows = list(_frame(at, "Row")["Row"])
    assert "Demand (scenario) (units)" in rows and "Consensus demand (units)" not in rows
