"""Service risk through the constrained plan on screen, and lost sales on the board.

The simulation (`sop.finance.risk`) reads fill-rate and on-time P10/P90 over demand
paths re-planned through the plan's capacity; the Finance service tiles and the
Executive headline show them under the rate ("P10-P90: 66.7 % to 95.6 %"), from the
same run as the revenue ranges. The Executive board's "Lost sales (value)" is the
scenario's KPI, the same figure as the headline tile of that name.

A squeeze on the tiny data: Beta's line L2 cut by 55 % all year, demand banded
P10 = 0.8 x, P90 = 1.25 x the plan, so service varies over the paths.
"""

from __future__ import annotations

import pytest
from supply_helpers import tiny_with_consensus

from sop.core import schema
from sop.executive import board as exec_board
from sop.executive import headline as exec_headline
from sop.finance import risk, tiles
from sop.finance.kpi_text import service_pct, value_text
from sop.finance.tiles import range_note
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy

SQUEEZE = Levers(capacity_changes=(("L2", "2026-01", "2026-12", -55.0),))
RATES = ("fill_rate", "on_time_rate")


@pytest.fixture(scope="module")
def squeeze():
    tables, demand = tiny_with_consensus(12)
    banded = demand.assign(
        **{schema.P10: demand[schema.UNITS] * 0.8, schema.P90: demand[schema.UNITS] * 1.25}
    )
    base = prepare_demand(banded)
    policy = SupplyPolicy(horizon=12)
    ev, baseline = (evaluate(base, tables, lv, policy) for lv in (SQUEEZE, Levers()))
    assert ev.ok and baseline.ok
    return ev, baseline


def _summary(ev) -> dict[str, tuple[float, float]]:
    s = ev.risk.summary.set_index("metric")
    return {m: (float(s.at[m, schema.P10]), float(s.at[m, schema.P90])) for m in s.index}


def test_the_squeeze_makes_service_a_range_and_loses_sales(squeeze) -> None:
    ev, _ = squeeze
    lo, hi = _summary(ev)["on_time_rate"]
    assert lo < hi < 1.0  # a range worth showing, not a point
    assert ev.kpis["lost_value"] > 0


def test_p10_p90_reads_the_simulation(squeeze) -> None:
    ev, _ = squeeze
    assert risk.p10_p90(ev.risk) == _summary(ev)
    assert risk.p10_p90(None) == {}  # an evaluation made without the simulation


def test_range_note_words_the_range_with_its_unit() -> None:
    ranges = {"on_time_rate": (0.33, 0.69), "fill_rate": (0.99996, 1.0), "revenue": (1.2e6, 1.5e6)}
    assert range_note("on_time_rate", ranges) == "P10-P90: 33.0 % to 69.0 %"
    # a rate just short of 1 never reads as nothing short, as on the tile itself
    assert range_note("fill_rate", ranges) == "P10-P90: >99.9 % to 100.0 %"
    assert range_note("revenue", ranges, "USD") == "P10-P90: $1.20M to $1.50M"
    assert range_note("late_value", ranges) is None


def test_finance_service_tiles_show_the_simulations_service_ranges(squeeze) -> None:
    ev, baseline = squeeze
    row = {
        t.label: t
        for t in tiles.service_tiles(ev.kpis, "EUR", baseline.kpis, ranges=risk.p10_p90(ev.risk))
    }
    summary = _summary(ev)
    for key, label in (("fill_rate", "Fill rate"), ("on_time_rate", "On-time fill rate")):
        lo, hi = summary[key]
        assert row[label].notes == (f"P10-P90: {service_pct(lo)} to {service_pct(hi)}",)
    assert row["Late deliveries (value)"].notes == ()  # no simulated range: no line
    # without ranges (the Supply page) the row is as before
    assert all(t.notes == () for t in tiles.service_tiles(ev.kpis, "EUR", baseline.kpis))


def test_executive_headline_carries_the_ranges_of_the_plan_on_the_table(squeeze) -> None:
    ev, baseline = squeeze
    ranges = risk.p10_p90(ev.risk)
    head = exec_headline.headline(ev.kpis, ev.budget, None, "EUR", baseline.kpis, ranges)
    head = head.set_index("key")
    for key in RATES:
        lo, hi = _summary(ev)[key]
        assert (head.at[key, "p10"], head.at[key, "p90"]) == (lo, hi)
        assert head.at[key, "range_text"] == f"P10-P90: {service_pct(lo)} to {service_pct(hi)}"
    assert head.at["lost_value", "range_text"] == ""  # the simulation has no lost-sales range
    plain = exec_headline.headline(ev.kpis, ev.budget, None, "EUR", baseline.kpis)
    assert (plain["range_text"] == "").all()


def test_board_lost_sales_is_the_scenarios_kpi_and_the_tiles_figure(squeeze) -> None:
    ev, baseline = squeeze
    board = exec_board.scenario_board({"Baseline": baseline, "L2 cut": ev}).set_index("plan")
    assert board.at["L2 cut", "lost_value"] == ev.kpis["lost_value"]
    assert board.at["Baseline", "lost_value"] == baseline.kpis["lost_value"]
    text = exec_board.board_text(board.reset_index(), "EUR", "L2 cut").set_index("Plan")
    shown = text.at["✔ L2 cut", "Lost sales (value)"]
    head = exec_headline.headline(ev.kpis, ev.budget, None, "EUR", baseline.kpis).set_index("key")
    # the same figure as the Executive tile "Lost sales (value)" of that plan
    assert shown == head.at["lost_value", "text"]  # unstarred: it loses more (below)
    assert head.at["lost_value", "text"] == value_text("lost_value", ev.kpis["lost_value"])
    # fewer lost sales is better: the baseline, losing less, carries the star
    assert baseline.kpis["lost_value"] < ev.kpis["lost_value"]
    assert text.at["Baseline", "Lost sales (value)"].startswith("★")
