"""The Scenarios page when supply is short (demand +40 %, the four assembly lines -45 %,
no overtime, no subcontracting), read as a planner would: the tiles carry the same
P10-P90 service ranges as Executive, the risk table sets each plan's own figure next to
its range, the Demand vs supply notes lead with lost orders, and the Goal answer says
when it switches a lever back on."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from supply_helpers import severe_squeeze

from sop.core import schema
from sop.executive.headline import headline
from sop.finance import kpi_text, risk
from sop.finance.kpis import kpi_table
from sop.goal.solve import MET, solve_goal
from sop.goal.spec import GoalSpec, LeverRange
from sop.scenario import charts as scenario_charts
from sop.scenario import compare, risk_view, shortfall
from sop.supply.targets import Target

HORIZON = 18


@pytest.fixture(scope="module")
def short():
    return severe_squeeze(HORIZON)


def test_tiles_show_the_service_ranges_executive_shows(short) -> None:
    *_, base, ev = short
    assert ev.kpis["lost_units"] > 1000 and ev.kpis["on_time_rate"] < 0.95  # it is short
    ranges = risk.p10_p90(ev.risk)
    table = kpi_table(ev.kpis, base.kpis, ev.budget).set_index("key")
    rows = compare.scenario_tiles(table, ev.budget, "EUR", ranges)
    shown = {t.label: t for row in rows for t in row}
    head = headline(ev.kpis, ev.budget, None, "EUR", base.kpis, ranges).set_index("key")
    for key, label in (
        ("fill_rate", "Fill rate"),
        ("on_time_rate", "On-time fill rate"),
        ("revenue", "Revenue"),
        ("gross_margin", "Gross margin"),
    ):
        tile = shown[label]
        assert tile.value == head.at[key, "text"]  # the same figure as on Executive
        assert head.at[key, "range_text"] in tile.notes  # and the same range under it
        assert head.at[key, "range_text"].startswith("P10-P90: ")
    # without a risk run the tiles are as before: no range line
    bare = {t.label: t for row in compare.scenario_tiles(table, ev.budget) for t in row}
    assert not any(n.startswith("P10-P90") for n in bare["Fill rate"].notes)


def test_risk_table_sets_the_plan_figure_next_to_its_range(short) -> None:
    *_, base, ev = short
    ranges = {"Baseline": base.risk.summary, "Scenario": ev.risk.summary}
    figures = {"Scenario": ev.kpis, "Baseline": base.kpis}
    table = risk_view.risk_table(ranges, "EUR", figures)
    assert list(table.columns) == ["Plan", "Measure", risk_view.AT_CONSENSUS, "P10", "P50", "P90"]
    row = table[(table["Plan"] == "Scenario") & (table["Measure"] == "On-time fill rate")].iloc[0]
    assert row[risk_view.AT_CONSENSUS] == kpi_text.value_text(
        "on_time_rate", ev.kpis["on_time_rate"]
    )
    p50 = float(ev.risk.summary.set_index("metric").at["on_time_rate", "p50"])
    assert row["P50"] == kpi_text.value_text("on_time_rate", p50)
    # without figures the table is as it was
    assert "P10" in risk_view.risk_table(ranges).columns
    assert risk_view.AT_CONSENSUS not in risk_view.risk_table(ranges).columns


def test_shortfall_notes_lead_with_lost_orders(short) -> None:
    *_, ev = short
    sf = ev.plan.shortfalls
    # the largest gaps of a short plan are stock below safety stock: the old top five
    # showed fewer lost-sales lines than there are
    assert (sf["why"].head(5).map(lambda w: "lost sales" in w)).sum() < 5
    lines = shortfall.shortfall_lines(sf)
    lost = sf[sf["kind"] == "lost sales"]
    assert len(lost) >= 5 and lines == list(lost["why"].head(5))
    count = shortfall.shortfall_count(sf)
    assert count.startswith(f"{len(sf):,} item-months fall short: {len(lost):,} with lost sales")
    assert f"({ev.kpis['lost_units']:,.0f} units lost)" in count


def test_shortfall_orders_kinds_and_keeps_order_within() -> None:
    sf = pd.DataFrame(
        {
            "kind": ["below safety stock", "backlog", "lost sales", "backlog", "lost sales"],
            "units": [900.0, 50.0, 40.0, 30.0, 20.0],
            "why": ["ss", "late-1", "lost-1", "late-2", "lost-2"],
        }
    )
    assert shortfall.shortfall_lines(sf, top=4) == ["lost-1", "lost-2", "late-1", "late-2"]
    assert shortfall.shortfall_count(sf) == (
        "5 item-months fall short: 2 with lost sales (60 units lost), 2 with orders shipped "
        "late (80 units ship after the month ordered), 1 with stock below safety stock (900 "
        "unit-months below it). Lost and late: 140 units not shipped in the month ordered."
    )
    assert shortfall.shortfall_count(sf.iloc[:0]) == ""
    assert shortfall.shortfall_lines(sf.iloc[:0]) == []


def test_goal_answer_says_it_switches_overtime_back_on(short) -> None:
    demand, tables, policy, _, ev = short
    spec = GoalSpec(
        (Target("on_time_rate", ">=", 0.95),),
        (LeverRange("overtime", 100.0, 200.0),),
        start=dataclasses.replace(ev.levers),
    )
    result = solve_goal(demand, tables, policy, spec)
    assert result.status == MET and result.levers.overtime_allowed
    assert result.evaluation.kpis["on_time_rate"] >= 0.95 - 1e-9
    assert result.moves[0] == "Overtime: off -> on"


def test_demand_vs_supply_splits_served_into_on_time_and_late(short) -> None:
    *_, ev = short
    fp = ev.plan.family_plan
    gap = compare.gap_by_month(fp)
    late = shortfall.late_by_month(fp)
    assert list(late[schema.MONTH]) == list(gap[schema.MONTH])
    assert (late["on_time"] + late["late"]).to_numpy() == pytest.approx(gap["served"], abs=1e-6)
    assert late["on_time"].sum() == pytest.approx(ev.kpis["on_time_units"])
    assert late["late"].sum() > 1000  # the short plan works a backlog off
    cooling = shortfall.late_by_month(fp, "Cooling")
    assert cooling["on_time"].sum() < late["on_time"].sum()
    fig = scenario_charts.gap_chart(gap, "All", "#123456", late)
    names = [t.name for t in fig.data]
    assert names[:3] == ["Served on time", "Served late (earlier orders)", "Lost sales"]
    assert list(fig.data[1].y) == pytest.approx(list(late["late"]))
    # without the split the chart is as before
    assert scenario_charts.gap_chart(gap, "All")["data"][0].name == "Served"
