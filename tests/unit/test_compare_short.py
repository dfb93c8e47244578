"""Compare and the Executive board when a plan is short.

A reviewer saved a mild and a severe squeeze (demand +40 %, lines cut) and found: no
P10-P90 ranges on Compare; "Units served ★" on the severe squeeze, whose demand is
40 % higher while it loses units; lost sales on the board only as value; and the
S&OP grid calling the scenario's demand (after the levers) "Consensus demand".

On the tiny data: "cut" cuts Beta's line L2 by 55 % all year (same demand as the
baseline, loses units); "surge" adds 40 % demand on top of the cut, so it serves more
units than the baseline while losing more; demand banded P10 = 0.8 x, P90 = 1.25 x.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from supply_helpers import tiny_with_consensus

from sop.core import schema
from sop.executive import board as exec_board
from sop.executive import pack_sheets
from sop.finance import grid as sop_grid
from sop.finance import grid_excel, grid_text, risk
from sop.finance.catalogue import KPI_BY_KEY
from sop.finance.kpi_text import value_text
from sop.scenario import compare, stars
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy

CUT = (("L2", "2026-01", "2026-12", -55.0),)
LEVERS = {
    "Baseline": Levers(),
    "cut": Levers(capacity_changes=CUT),
    "surge": Levers(demand_pct=40.0, capacity_changes=CUT),
}
SERVED = "Units served"


@pytest.fixture(scope="module")
def tiny():
    tables, demand = tiny_with_consensus(12)
    banded = demand.assign(
        **{schema.P10: demand[schema.UNITS] * 0.8, schema.P90: demand[schema.UNITS] * 1.25}
    )
    return tables, demand, banded


@pytest.fixture(scope="module")
def evs(tiny):
    tables, _, banded = tiny
    base, policy = prepare_demand(banded), SupplyPolicy(horizon=12)
    out = {n: evaluate(base, tables, lv, policy) for n, lv in LEVERS.items()}
    assert all(e.ok and e.risk is not None for e in out.values())
    k = {n: e.kpis for n, e in out.items()}
    # the situation of the review: more demand serves more units while it loses some
    assert k["surge"]["served_units"] > k["Baseline"]["served_units"]
    assert k["surge"]["lost_units"] > k["cut"]["lost_units"] > 0 == k["Baseline"]["lost_units"]
    assert k["cut"]["demand_units"] == pytest.approx(k["Baseline"]["demand_units"])
    return out


def _table(evs, names, ranged: bool = True):
    figures = {n: evs[n].kpis for n in names}
    if not ranged:
        return compare.compare_table(figures, "EUR").set_index("KPI")
    ranges = {n: risk.p10_p90(evs[n].risk) for n in names}
    return compare.compare_table(figures, "EUR", ranges).set_index("KPI")


def test_compare_shows_each_plans_p10_p90_under_its_kpi(evs) -> None:
    table = _table(evs, list(evs))
    kpis = list(table.index)
    for key, label in compare.RANGE_ROWS.items():
        # right under the KPI it ranges
        assert kpis.index(label) == kpis.index(KPI_BY_KEY[key].label) + 1
        assert table.at[label, "Better"] == ""
        for name, ev in evs.items():
            lo, hi = risk.p10_p90(ev.risk)[key]
            cell = table.at[label, name]
            assert cell == f"{value_text(key, lo)} to {value_text(key, hi)}"
            assert not cell.startswith(stars.BEST)  # a range is not a better value
    # the short plans' fill rate is a range, not a point; the figures carry units
    assert table.at["Fill rate, P10-P90", "surge"].endswith("%")
    assert table.at["Revenue, P10-P90", "surge"].startswith("€")
    lo, hi = risk.p10_p90(evs["surge"].risk)["on_time_rate"]
    assert lo < hi


def test_compare_without_ranges_has_no_range_rows_and_a_plan_without_one_reads_dash(
    evs,
) -> None:
    plain = _table(evs, list(evs), ranged=False)
    assert not set(compare.RANGE_ROWS.values()) & set(plain.index)
    figures = {n: e.kpis for n, e in evs.items()}
    ranges = {"Baseline": risk.p10_p90(evs["Baseline"].risk), "cut": {}, "surge": {}}
    mixed = compare.compare_table(figures, "EUR", ranges).set_index("KPI")
    assert mixed.at["Fill rate, P10-P90", "cut"] == "–"
    assert mixed.at["Fill rate, P10-P90", "Baseline"] != "–"


def test_units_served_is_not_starred_across_different_demand(evs) -> None:
    table = _table(evs, list(evs), ranged=False)
    # before: "★" on the surge, which serves more only because it is asked more
    assert not table.loc[SERVED].str.startswith(stars.BEST).any()
    # the fill rate compares them like for like: the baseline serves all
    assert table.at["Fill rate (served / demanded)", "Baseline"].startswith(stars.BEST)
    assert not table.at["Fill rate (served / demanded)", "surge"].startswith(stars.BEST)


def test_units_served_is_starred_among_plans_with_the_same_demand(evs) -> None:
    table = _table(evs, ["Baseline", "cut"], ranged=False)
    assert table.at[SERVED, "Baseline"].startswith(stars.BEST)
    assert not table.at[SERVED, "cut"].startswith(stars.BEST)


def test_competitors_is_the_one_rule(evs) -> None:
    figures = {n: e.kpis for n, e in evs.items()}
    served = KPI_BY_KEY["served_units"]
    assert served.same_demand and not KPI_BY_KEY["revenue"].same_demand
    assert stars.competitors(served, figures) == set()
    same = {n: figures[n] for n in ("Baseline", "cut")}
    assert stars.competitors(served, same) == {"Baseline", "cut"}
    # stock only among the plans that serve all their demand on time and run no further
    # below safety stock than the least of them: the tiny baseline runs below it
    # (3,154 unit-months) and still competes, as no on-time plan holds more
    stock = KPI_BY_KEY["ending_inventory_value"]
    assert figures["Baseline"]["below_safety_stock"] > 1_000
    assert stars.competitors(stock, figures) == {"Baseline"}
    # an on-time plan that holds its safety stock better leaves the baseline out
    held = {**figures, "held": {**figures["Baseline"], "below_safety_stock": 0.0}}
    assert stars.competitors(stock, held) == {"held"}
    # revenue grows with demand too: no plan competes while the demands differ
    assert stars.competitors(KPI_BY_KEY["revenue"], figures) == set()
    assert stars.competitors(KPI_BY_KEY["revenue"], same) == {"Baseline", "cut"}
    # demands that read the same are the same; an unknown demand is not
    assert stars.same_demand({"a": 100.2, "b": 99.8}) == {"a", "b"}
    assert stars.same_demand({"a": 100.0, "b": float("nan")}) == set()
    # demands that read the same ("1.23M units") but differ by 3,900 units are not alike
    assert stars.same_demand({"a": 1_230_100.0, "b": 1_234_000.0}) == set()


def test_board_shows_lost_units_and_stars_by_the_same_rule(evs) -> None:
    board = exec_board.scenario_board(evs)
    assert "lost_units" in exec_board.BOARD
    assert list(board.columns).index("lost_units") < list(board.columns).index("lost_value")
    text = exec_board.board_text(board, "EUR", "surge").set_index("Plan")
    col = "Lost sales (units)"
    assert list(text.columns).index(col) == list(text.columns).index("Lost sales (value)") - 1
    assert text.at["✔ surge", col] == value_text("lost_units", evs["surge"].kpis["lost_units"])
    assert text.at["cut", col] == value_text("lost_units", evs["cut"].kpis["lost_units"])
    assert text.at["Baseline", col] == stars.BEST + "0 units"  # fewer lost is better
    # stock: only the plan serving all its demand competes (`stars.competitors`)
    inventory = text["Inventory value (end)"]
    assert not inventory.drop("Baseline").str.startswith(stars.BEST).any()


def test_the_excel_scenarios_sheet_carries_every_board_column() -> None:
    keys = [k for k, _, _ in pack_sheets.SCENARIO_SPEC]
    assert set(exec_board.BOARD) <= set(keys)
    assert ("lost_units", "Lost sales (units)", "units") in pack_sheets.SCENARIO_SPEC


def _label(grid: sop_grid.Grid) -> str:
    return grid.frame.at["consensus", "label"]


def test_grid_names_the_demand_of_a_scenario_as_such(tiny, evs) -> None:
    tables, demand, _ = tiny
    surge = evs["surge"]
    grids = sop_grid.sop_grids(surge.plan, surge.demand, tables, consensus=demand)
    assert {_label(g) for g in grids.values()} == {sop_grid.SCENARIO_DEMAND}
    month = grids[sop_grid.TOTAL].plan[0]
    shown = grids[sop_grid.TOTAL].frame.at["consensus", month]
    consensus = demand.loc[demand[schema.MONTH] == month, schema.UNITS].sum()
    assert shown == pytest.approx(1.4 * consensus)  # the demand after the levers
    # on screen and in the pack's Excel and HTML grid, the same label
    text = grid_text.display_frame(grids[sop_grid.TOTAL], "EUR")
    assert text.at["consensus", grid_text.ROW] == "Demand (scenario) (units)"
    wb = openpyxl.load_workbook(io.BytesIO(grid_excel.workbook(grids, "EUR")))
    labels = [c.value for c in wb[grid_excel.sheet_name(sop_grid.TOTAL)]["A"]]
    assert "Demand (scenario)" in labels and "Consensus demand" not in labels


def test_grid_keeps_consensus_demand_where_the_levers_leave_it(tiny, evs) -> None:
    tables, demand, banded = tiny
    for name in ("Baseline", "cut"):  # a capacity cut does not move demand
        ev = evs[name]
        grids = sop_grid.sop_grids(ev.plan, ev.demand, tables, consensus=demand)
        assert {_label(g) for g in grids.values()} == {"Consensus demand"}, name
    # a family's demand lever: that family and the total are the scenario's
    beta = evaluate(
        prepare_demand(banded),
        tables,
        Levers(demand_family_pct=(("Beta", 20.0),)),
        SupplyPolicy(horizon=12),
        with_risk=False,
    )
    grids = sop_grid.sop_grids(beta.plan, beta.demand, tables, consensus=demand)
    assert {f: _label(g) for f, g in grids.items()} == {
        "Alpha": "Consensus demand",
        "Beta": sop_grid.SCENARIO_DEMAND,
        sop_grid.TOTAL: sop_grid.SCENARIO_DEMAND,
    }
    # without the consensus to tell (the CLI's grid of the consensus): as before
    plain = sop_grid.sop_grids(beta.plan, beta.demand, tables)
    assert {_label(g) for g in plain.values()} == {"Consensus demand"}
