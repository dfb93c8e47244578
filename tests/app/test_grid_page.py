"""The S&OP grid on the Scenarios page (a tab) and the Executive page, through AppTest:
the family's rows, the gap rows signed, and a consensus cell edited in the grid saved as
exactly the override the Demand page makes.

Setup stores a hand-made 18-month forecast for the tiny dataset (no model is fitted).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from demand_helpers import PLAN_MONTHS, SETTINGS, fake_values, loaded_store, store_fake_run
from streamlit.testing.v1 import AppTest
from tiny import AS_OF

from sop.core import schema
from sop.core.access import Actor
from sop.demand import consensus, overrides
from sop.finance import grid_text as grid_view
from sop.finance.grid import ROWS
from sop.store import Store
from sop.store import overrides as override_log

LABELS = [grid_view.row_label(label, unit, "EUR") for _, label, unit in ROWS]
# what the audit log keeps of an override, apart from the time it was made
SAME = [
    schema.OVERRIDE_ID,
    schema.LEVEL,
    schema.FAMILY,
    schema.SKU,
    schema.REGION,
    schema.START_MONTH,
    schema.END_MONTH,
    schema.KIND,
    schema.VALUE,
    schema.REASON,
    schema.AUTHOR,
    schema.STATUS,
]


def _grid_tab(open_app, family: str) -> AppTest:
    at = open_app("pages/scenarios.py")
    at.session_state["scn_tab"] = "S&OP grid"
    at.run()
    at.selectbox(key="scn_grid_family").set_value(family).run()
    assert not at.exception, at.exception
    return at


def _grid(at: AppTest) -> pd.DataFrame:
    """The one S&OP grid table on the page (st.dataframe keeps no key without selection)."""
    (grid,) = [d.value for d in at.dataframe if grid_view.ROW in d.value.columns]
    return grid.set_index(grid_view.ROW)


def test_the_tab_shows_the_family_rows_months_and_signed_gaps(forecast: Store, open_app) -> None:
    at = _grid_tab(open_app, "Alpha")
    rows = _grid(at)
    assert list(rows.index) == LABELS
    heads = list(rows.columns)
    assert heads[:3] == [
        f"{m:%b %Y} (actual)" for m in pd.date_range(end=AS_OF, periods=3, freq="MS")
    ]
    assert heads[3:] == [f"{m:%b %Y}" for m in PLAN_MONTHS]
    # Alpha's consensus is its hand-made forecast: 100 + 300 + 50 + 50 units a month
    assert set(rows.loc["Consensus demand (units)", heads[3:]]) == {"500"}
    gaps = [grid_view.row_label(lb, u, "EUR") for k, lb, u in ROWS if k.startswith("gap_")]
    for label in gaps:
        assert all(v[0] in "▲▼=–" for v in rows.loc[label, heads[3:]]), label
    assert rows.loc["Revenue (EUR)", heads[3]].startswith("€")
    at.radio(key="scn_grid_view").set_value("Scenario − baseline").run()
    assert not at.exception
    change = _grid(at)
    assert set(change.loc["Consensus demand (units)", heads[3:]]) == {"= 0"}


def _audit(store: Store) -> list[dict]:
    rows = override_log.history(store)[SAME].astype(object)
    return rows.where(rows.notna(), None).to_dict("records")


def _demand_page_override(open_app, month: pd.Timestamp, value: float) -> None:
    at = open_app("pages/demand.py")
    at.selectbox(key="dem_family").set_value("Alpha").run()
    at.selectbox(key="dem_ov_start").set_value(month)
    at.selectbox(key="dem_ov_end").set_value(month)
    at.radio(key="dem_ov_kind").set_value(overrides.KIND_UNITS)
    at.number_input(key="dem_ov_value").set_value(value)
    at.text_input(key="dem_ov_reason").input("key account win")
    at.button(key="dem_ov_save").click().run()
    assert not at.exception, at.exception


def test_editing_a_consensus_cell_saves_the_demand_pages_override(
    forecast: Store, open_app, tmp_path, monkeypatch
) -> None:
    at = _grid_tab(open_app, "Alpha")
    at.toggle(key="scn_grid_cons_on").set_value(True).run()
    editor = at.data_editor(key="scn_grid_cons_editor")
    assert list(editor.value.iloc[0]) == [500.0] * len(PLAN_MONTHS)
    # AppTest cannot type into a data editor: its edit state is set as the browser would
    at.session_state["scn_grid_cons_editor"] = {
        "edited_rows": {0: {f"{PLAN_MONTHS[1]:%b %Y}": 1000.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.text_input(key="scn_grid_cons_reason").input("key account win")
    at.button(key="scn_grid_cons_save").click().run()
    assert not at.exception, at.exception
    assert any("Override #1 on Alpha (" in s.value for s in at.success)
    # the grid, redrawn, shows the new consensus
    rows = _grid(at)
    assert rows.loc["Consensus demand (units)", f"{PLAN_MONTHS[1]:%b %Y}"] == "1,000"
    assert rows.loc["Consensus demand (units)", f"{PLAN_MONTHS[2]:%b %Y}"] == "500"
    from_grid = _audit(forecast), consensus.demand_plan(forecast)
    assert from_grid[0] == [
        {
            schema.OVERRIDE_ID: 1,
            schema.AUTHOR: Actor.local_user().signature,
            schema.REASON: "key account win",
            schema.LEVEL: overrides.LEVEL_FAMILY,
            schema.FAMILY: "Alpha",
            schema.SKU: None,
            schema.REGION: None,
            schema.START_MONTH: PLAN_MONTHS[1],
            schema.END_MONTH: PLAN_MONTHS[1],
            schema.KIND: overrides.KIND_UNITS,
            schema.VALUE: 1000.0,
            schema.STATUS: schema.STATUS_ACTIVE,
        }
    ]
    # the same change on the Demand page, on a second store with the same forecast
    other = Store(tmp_path / "demand_page.duckdb")
    monkeypatch.setenv("SOP_STORE", str(other.path))
    loaded_store(other)
    store_fake_run(
        other,
        settings=dataclasses.replace(SETTINGS, horizon=18),
        values=fake_values(months=PLAN_MONTHS),
    )
    _demand_page_override(open_app, PLAN_MONTHS[1], 1000.0)
    assert _audit(other) == from_grid[0]
    pd.testing.assert_frame_equal(consensus.demand_plan(other), from_grid[1])


def test_the_executive_page_shows_one_family_and_grows_in_presentation_mode(
    forecast: Store, open_app
) -> None:
    at = open_app("pages/executive.py")
    pick = at.selectbox(key="exe_grid_family")
    assert pick.options == ["Alpha", "Beta", "All families"] and pick.value == "Alpha"
    grid = _grid(at)
    assert list(grid.index) == LABELS
    assert set(grid.loc["Consensus demand (units)", [f"{m:%b %Y}" for m in PLAN_MONTHS]]) == {"500"}
    pick.set_value("All families").run()
    total = _grid(at)
    # the total: Alpha 500 + Beta 200 units a month
    heads = [f"{m:%b %Y}" for m in PLAN_MONTHS]
    assert set(total.loc["Consensus demand (units)", heads]) == {"700"}
    at.toggle(key="exe_present").set_value(True).run()
    assert not at.exception, at.exception
    assert not any(grid_view.ROW in d.value.columns for d in at.dataframe)
    assert any("Consensus demand (units)" in str(t.value) for t in at.table)
