"""Scenario figures as text, comparison tables with the best marked, scenario charts,
and extreme levers giving valid plans."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from supply_helpers import tiny_with_consensus

from sop.core import charts, schema
from sop.finance import kpi_text, tiles
from sop.finance.bridge import margin_bridge
from sop.finance.catalogue import KPI_BY_KEY, KPIS
from sop.finance.kpis import kpi_table, plan_kpis
from sop.scenario import charts as scenario_charts
from sop.scenario import compare, risk_view, stars
from sop.scenario import saved as saved_scenarios
from sop.scenario.evaluate import evaluate
from sop.scenario.levers import Levers


@pytest.fixture(scope="module")
def tiny() -> tuple[dict, pd.DataFrame]:
    return tiny_with_consensus(12)


@pytest.fixture(scope="module")
def base(tiny):
    tables, demand = tiny
    return evaluate(demand, tables, Levers())


def test_values_and_deltas_carry_their_units() -> None:
    assert kpi_text.value_text("revenue", 1_250_000, "EUR") == "€1.25M"
    assert kpi_text.value_text("fill_rate", 0.953) == "95.3 %"
    assert kpi_text.value_text("lost_units", 12345) == "12,345 units"
    assert kpi_text.value_text("lost_units", 12345, bare=True) == "12,345"
    assert kpi_text.value_text("days_of_supply", 41.2) == "41 days"
    assert kpi_text.value_text("overtime_hours", 80) == "80 h"
    assert kpi_text.value_text("revenue", float("nan")) == "–"
    assert kpi_text.delta_text("revenue", 120_000, 1_000_000) == "+€120k (+12.0 %)"
    assert kpi_text.delta_text("cogs", -2_500_000, 10_000_000) == "-€2.50M (-25.0 %)"
    assert kpi_text.delta_text("fill_rate", -0.013) == "-1.3 pp"
    assert kpi_text.delta_text("hires", 3, 0) == "+3 people"
    assert kpi_text.delta_text("revenue", 0.0, 5.0) is None
    assert kpi_text.delta_text("revenue", float("nan")) is None
    # a real change too small for one decimal of % is "<0.1 %", never "-0.0 %"
    assert kpi_text.delta_text("revenue", -2_098, 31_350_000) == "-€2,098 (<0.1 %)"
    assert kpi_text.delta_text("ending_inventory_value", 600, 1_240_000) == "+€600 (<0.1 %)"


def test_tile_colours_follow_the_better_direction() -> None:
    by_key = {k.key: k for k in KPIS}
    assert tiles.delta_color(by_key["revenue"]) == "normal"
    assert tiles.delta_color(by_key["lost_units"]) == "inverse"
    assert tiles.delta_color(by_key["demand_units"]) == "off"
    assert tiles.delta_color(by_key["cogs"]) == "off"  # follows volume: neither way


def test_budget_lines_only_where_the_budget_has_a_figure() -> None:
    budget = {
        "revenue": 100_000.0,
        "plan_revenue": 90_000.0,
        "gross_margin_pct": 0.3,
        "plan_gross_margin_pct": 0.3,
        "months": 12.0,
    }
    assert compare.budget_text("revenue", budget) == (
        "Budget €100k over its 12 months: the scenario €90k there, -€10k (-10.0 %)"
    )
    assert compare.budget_text("gross_margin_pct", budget) == (
        "Budget 30.0 % over its 12 months: the scenario 30.0 % there, on budget"
    )
    assert compare.budget_text("cogs", budget) is None
    assert compare.budget_text("revenue", {}) is None


@pytest.mark.parametrize(
    "values, better, best",
    [
        ({"a": 1.0, "b": 3.0, "c": 2.0}, "up", {"b"}),
        ({"a": 1.0, "b": 3.0, "c": 1.0}, "down", {"a", "c"}),
        ({"a": 1.0, "b": 3.0}, "", set()),
        ({"a": 2.0, "b": 2.0}, "up", set()),
        ({"a": float("nan"), "b": 2.0, "c": 1.0}, "up", {"b"}),
    ],
)
def test_best_in_row(values: dict, better: str, best: set) -> None:
    assert stars.best_in_row(values, better) == best


def test_compare_table_marks_the_best_per_row_by_direction() -> None:
    figures = {
        # the same demand: revenue is like for like (`stars.competitors`)
        "Baseline": {"revenue": 100.0, "cogs": 60.0, "demand_units": 10.0},
        "#1 Push": {"revenue": 150.0, "cogs": 90.0, "demand_units": 10.0},
        "#2 Lean": {"revenue": 90.0, "cogs": 50.0, "demand_units": 10.0},
    }
    table = compare.compare_table(figures).set_index("KPI")
    assert list(table.columns) == ["Better", "Baseline", "#1 Push", "#2 Lean"]
    assert len(table) == len(KPIS)
    assert table.at["Revenue", "#1 Push"] == "★ €150"
    assert table.at["Cost of goods sold", "#2 Lean"] == "€50"  # no star for lower volume
    assert not table.loc["Demand"].str.startswith("★").any()
    assert table.at["Gross margin", "Baseline"] == "–"  # missing figure
    assert table.at["Revenue", "Better"].startswith("↑")


def test_kpi_display_lists_every_kpi_with_units(base) -> None:
    shown = compare.kpi_display(kpi_table(base.kpis, base.kpis, base.budget))
    assert len(shown) == len(KPIS)
    assert set(shown["Change vs baseline"]) == {"no change"}
    rev = shown.set_index("KPI").loc["Revenue"]
    assert rev["Scenario"].startswith("€") and rev["Budget"].startswith("€")
    assert shown.set_index("KPI").at["Hires", "vs budget"] == ""


def test_gap_and_monthly_totals_add_up_to_the_plan(tiny, base) -> None:
    fp = base.plan.family_plan
    gap = compare.gap_by_month(fp)
    assert list(gap.columns) == [schema.MONTH, "demand", "served", "lost", "backlog", "inventory"]
    assert gap["demand"].sum() == pytest.approx(fp["demand"].sum())
    alpha = compare.gap_by_month(fp, "Alpha")
    beta = compare.gap_by_month(fp, "Beta")
    assert (alpha["served"] + beta["served"]).to_numpy() == pytest.approx(gap["served"])
    totals = compare.monthly_totals(base.plan, base.pnl)
    assert totals[schema.REVENUE].sum() == pytest.approx(base.kpis["revenue"])
    assert totals[schema.MARGIN].sum() == pytest.approx(base.kpis["gross_margin"])
    assert len(totals) == fp[schema.MONTH].nunique()


def test_budget_note_names_the_months(tiny, base) -> None:
    tables, _ = tiny
    note = compare.budget_note(base.pnl, tables[schema.BUDGET])
    assert "12 months" in note and "Jan 2026 to Dec 2026" in note
    assert compare.budget_note(base.pnl, None) is None
    assert compare.budget_note(base.pnl, tables[schema.BUDGET].iloc[0:0]) is None
    assert "only" not in note  # the budget covers every family


def test_budget_note_names_the_families_a_partial_budget_covers(tiny, base) -> None:
    """QA (a non-demo dataset): with a budget for one family of two, the budget lines
    compared that family alone without saying so."""
    tables, _ = tiny
    bud = tables[schema.BUDGET][tables[schema.BUDGET][schema.FAMILY] == "Alpha"]
    note = compare.budget_note(base.pnl, bud)
    assert "The budget covers Alpha only: Beta has no budget" in note


def test_saved_view_keeps_text_verbatim_and_describes_levers() -> None:
    nasty = "a'); DROP TABLE x; -- *b* ü 🚀"
    saved = pd.DataFrame(
        {
            "scenario_id": [2, 1],
            "name": [nasty, "ok"],
            "description": ["", nasty],
            "author": ["me", "you"],
            "created_at": pd.to_datetime(["2026-01-02", "2026-01-01"]),
            "levers_json": [Levers(demand_pct=5.0).to_json(), '{"scn_x": 1}'],
            "dataset_version": [1, 1],
            "archived": [False, True],
        }
    )
    view = saved_scenarios.saved_view(saved)
    assert view["name"].tolist() == [nasty, "ok"] and view["description"][1] == nasty
    assert view["levers"].tolist() == ["demand, all families +5 %", "(cannot be read)"]
    heading = saved_scenarios.column_name(7, "x" * 100)
    assert heading.startswith("#7 x") and heading.endswith("…") and len(heading) < 50


def test_escape_md_keeps_every_character() -> None:
    text = "*bold* _it_ `code` [l](u) #h $x$ <b> 1. a|b ~s~ \\"
    escaped = compare.escape_md(text)
    assert escaped.replace("\\\\", "\0").replace("\\", "").replace("\0", "\\") == text
    assert "\\*bold\\*" in escaped and "\\$x\\$" in escaped


def test_bridge_chart_ends_at_the_scenario_margin(tiny, base) -> None:
    tables, demand = tiny
    ev = evaluate(demand, tables, Levers(demand_pct=20.0, price_family_pct=(("Beta", 5.0),)))
    bridge = margin_bridge(base.plan, ev.plan, tables[schema.PRODUCTS])
    fig = scenario_charts.bridge_chart(bridge, "EUR")
    wf = fig.data[0]
    assert wf.measure[0] == "absolute" and wf.measure[-1] == "total"
    running = wf.y[0] + sum(y for y, m in zip(wf.y, wf.measure) if m == "relative")
    assert running == pytest.approx(ev.kpis["gross_margin"], abs=1e-6)
    assert fig.layout.template.layout.font.family == charts.FONT  # the app's one template


def test_gap_risk_and_overlay_charts(tiny, base) -> None:
    tables, demand = tiny
    ev = evaluate(demand, tables, Levers(demand_pct=50.0))
    gap = scenario_charts.gap_chart(compare.gap_by_month(ev.plan.family_plan), "All", "#123456")
    assert [t.name for t in gap.data] == [
        "Served",
        "Lost sales",
        "Demand",
        "Backlog (month end)",
        "Inventory (month end)",
    ]
    risk = scenario_charts.risk_ranges(
        {"Baseline": base.risk.summary, "Scenario": ev.risk.summary}, "EUR"
    )
    metrics = len(base.risk.summary)  # revenue, margin, fill rate, on-time fill rate
    assert len(risk.data) == metrics * 2 * 2  # metrics x plans x (range, P50)
    assert "On-time fill rate" in [a.text for a in risk.layout.annotations]
    table = risk_view.risk_table({"Baseline": base.risk.summary, "Scenario": ev.risk.summary})
    assert list(table.columns) == ["Plan", "Measure", "P10", "P50", "P90"]
    assert len(table) == 2 * metrics and "On-time fill rate" in set(table["Measure"])
    series = {
        "Baseline": compare.monthly_totals(base.plan, base.pnl),
        "#1 Up": compare.monthly_totals(ev.plan, ev.pnl),
    }
    fig = scenario_charts.overlay_chart(series, schema.REVENUE, "Revenue by month", "money", "EUR")
    # the baseline is drawn last (on top: a scenario equal to it must not hide it) and
    # listed first in the legend
    assert [t.name for t in fig.data] == ["#1 Up", "Baseline"]
    assert [t.legendrank for t in fig.data] == [1, 0]
    assert fig.data[-1].line.dash == "dash"
    assert sum(fig.data[0].y) == pytest.approx(ev.kpis["revenue"])
    assert scenario_charts.overlay_chart({}, "revenue", "Revenue", "money", "EUR").data == ()


@pytest.mark.parametrize(
    "levers",
    [
        Levers(demand_pct=-100.0),
        Levers(demand_pct=200.0),
        Levers(
            capacity_changes=(
                ("L1", "2026-01", "2026-12", -100.0),
                ("L2", "2026-01", "2026-12", -100.0),
            ),
            overtime_allowed=False,
            subcontract_allowed=False,
            hiring_allowed=False,
        ),
        Levers(
            demand_pct=200.0,
            demand_family_pct=(("Alpha", 200.0),),
            price_family_pct=(("Alpha", -50.0),),
            price_elasticity=-5.0,
            material_inflation_pct=100.0,
            labour_cost_pct=100.0,
            holding_cost_rate=100.0,
            safety_stock_months=12.0,
        ),
    ],
)
def test_extreme_levers_give_valid_plans_and_figures(tiny, base, levers: Levers) -> None:
    tables, demand = tiny
    ev = evaluate(demand, tables, levers)
    assert ev.ok, ev.plan.explanation
    assert set(ev.kpis) == set(KPI_BY_KEY)  # the whole catalogue, nothing else
    undefined = (
        {"fill_rate", "on_time_rate", "gross_margin_pct", "days_of_supply"}
        if levers.demand_pct == -100.0
        else set()
    )
    if ev.plan.family_plan["inventory"].sum() == 0:  # no stock at all: no turns
        undefined |= {"inventory_turns"}
    fp = ev.plan.family_plan  # stock left is valued, even if not made
    assert (ev.kpis["ending_inventory_value"] > 0) == (
        fp.loc[fp[schema.MONTH] == fp[schema.MONTH].max(), "inventory"].sum() > 0
    )
    assert {k for k, v in ev.kpis.items() if not math.isfinite(v)} == undefined
    assert undefined or 0.0 <= ev.kpis["fill_rate"] <= 1.0 + 1e-9
    bridge = margin_bridge(base.plan, ev.plan, tables[schema.PRODUCTS])
    steps = bridge.loc[bridge["kind"] == "delta", "amount"].sum()
    assert steps == pytest.approx(ev.kpis["gross_margin"] - base.kpis["gross_margin"], abs=1e-6)
    shown = compare.compare_table({"Baseline": base.kpis, "Extreme": ev.kpis}).set_index("KPI")
    dashes = set(shown.index[shown["Extreme"] == "–"])
    assert dashes == {k.label for k in KPIS if k.key in undefined}  # the table shows KPIS
    assert not shown["Baseline"].isin(["–"]).any()
    assert np.isfinite(
        compare.utilisation_compare(ev.plan, base.plan)[["avg", "base_avg"]].to_numpy(dtype=float)
    ).all()


def test_undefined_ratios_are_nan_without_demand_revenue_or_stock(tiny, base) -> None:
    tables, demand = tiny
    ev = evaluate(demand, tables, Levers(demand_pct=-100.0))
    k = ev.kpis
    assert k["demand_units"] == 0 and k["revenue"] == 0
    for key in ("fill_rate", "on_time_rate", "gross_margin_pct", "days_of_supply"):
        assert math.isnan(k[key]), key
        assert KPI_BY_KEY[key].undefined, key  # and the catalogue says why
    assert k["ending_inventory_value"] > 0 and math.isfinite(k["inventory_turns"])
    for key in ("fill_rate", "gross_margin_pct", "days_of_supply", "inventory_turns"):
        assert math.isfinite(base.kpis[key]), key
    empty = dataclasses.replace(
        base.plan, family_plan=base.plan.family_plan.assign(inventory=0.0, stock_value=0.0)
    )
    assert math.isnan(plan_kpis(empty, tables[schema.PRODUCTS])["inventory_turns"])


def test_undefined_kpis_show_a_dash_and_say_why(tiny, base) -> None:
    tables, demand = tiny
    ev = evaluate(demand, tables, Levers(demand_pct=-100.0))
    table = kpi_table(ev.kpis, base.kpis, ev.budget).set_index("key")
    fill = tiles.kpi_tile(
        "fill_rate", table.at["fill_rate", "scenario"], reference=table.at["fill_rate", "baseline"]
    )
    assert fill.value == "–" and fill.delta == "not defined"
    assert fill.delta_arrow == "off" and fill.delta_color == "off"
    assert "there is no demand" in fill.help and "Units served / units demanded" in fill.help
    assert tiles.kpi_tile("gross_margin_pct", np.nan, reference=0.3).help.count("no revenue") == 1
    assert tiles.kpi_tile("revenue", 5.0, reference=5.0).delta == "no change"
    assert tiles.kpi_tile("fill_rate", 0.9, reference=np.nan).delta == "baseline not defined"
    assert tiles.kpi_tile("revenue", 12.0, reference=10.0).delta == "+€2 (+20.0 %)"
    assert tiles.kpi_tile("revenue", 12.0, reference=10.0, share=False).delta == "+€2"
    rows = compare.scenario_tiles(table, ev.budget)
    assert [len(r) for r in rows] == [len(r) for r in compare.TILE_ROWS]
    assert rows[1][0].label == "Fill rate" and rows[1][0].delta == "not defined"
    shown = compare.kpi_display(table.reset_index()).set_index("KPI")
    for label in ("Fill rate (served / demanded)", "Gross margin %", "Days of supply at the end"):
        assert (
            shown.at[label, "Scenario"] == "–" and shown.at[label, "Change vs baseline"] == "–"
        ), label
    assert shown.at["Revenue", "Scenario"] == "€0"
    note = compare.undefined_note({"Baseline": base.kpis, "#1 <b>Zero</b>": ev.kpis})
    # margin %, fill rate, on-time fill rate and days of supply
    assert note.replace("\\", "").count("#1 <b>Zero</b>") == 4 and "\\<b\\>" in note
    assert compare.undefined_note({"Baseline": base.kpis}) is None


def test_below_safety_stock_is_a_kpi_from_the_plan(tiny, base) -> None:
    tables, demand = tiny
    kpi = next(k for k in KPIS if k.key == "below_safety_stock")
    assert kpi.better == "down" and kpi.unit == "unit-months"
    assert base.kpis["below_safety_stock"] == pytest.approx(
        base.plan.family_plan["below_safety_stock"].sum()
    )
    ev = evaluate(demand, tables, Levers(safety_stock_months=12.0, demand_pct=100.0))
    assert ev.kpis["below_safety_stock"] > base.kpis["below_safety_stock"]
    assert kpi_text.value_text("below_safety_stock", 1234.0) == "1,234 unit-months"
    assert kpi_text.delta_text("below_safety_stock", 10.0, 5.0) == "+10 unit-months"
    assert "below_safety_stock" in dict(compare.TILES)


@pytest.mark.parametrize(
    "values, key, best",
    [
        # three margins that all read 32.1 %: a tie, so nobody gets the star
        ({"a": 0.32104, "b": 0.32138, "c": 0.32081}, "gross_margin_pct", set()),
        # the baseline is lower; the two that read the same share the star
        ({"base": 0.30, "a": 0.32104, "b": 0.32138}, "gross_margin_pct", {"a", "b"}),
        ({"base": 35_904_000.0, "a": 35_899_000.0, "b": 34_720_000.0}, "revenue", {"base", "a"}),
        ({"a": 0.5, "b": 0.5}, "fill_rate", set()),
    ],
)
def test_best_is_judged_at_the_shown_precision(values: dict, key: str, best: set) -> None:
    assert stars.best_in_row(values, "up", key) == best
    table = compare.compare_table({n: {key: v} for n, v in values.items()}).set_index("KPI")
    row = table.loc[next(k.label for k in KPIS if k.key == key)]
    assert {n for n in values if row[n].startswith("★")} == best


def test_volume_driven_costs_get_no_star() -> None:
    lean = {"cogs": 50.0, "overtime_cost": 0.0, "subcontract_cost": 0.0, "revenue": 90.0}
    push = {"cogs": 90.0, "overtime_cost": 10.0, "subcontract_cost": 5.0, "revenue": 150.0}
    table = compare.compare_table({"Baseline": lean, "#1 Push": push}).set_index("KPI")
    for label in ("Cost of goods sold", "Overtime cost", "Subcontract cost"):
        assert not table.loc[label].str.startswith("★").any(), label
        assert table.at[label, "Better"] == ""
    assert table.at["Revenue", "#1 Push"].startswith("★")


def test_tile_labels_are_short_and_every_tile_kpi_exists() -> None:
    # labels that fit a tile at 1600 px (the browser test measures them)
    assert all(len(label) <= 24 for _, label in compare.TILES)
    assert dict(compare.TILES)["fill_rate"] == "Fill rate"
    assert {key for key, _ in compare.TILES} <= {k.key for k in KPIS}
    assert all(k.help for k in KPIS)


def test_duplicate_names_stay_apart_by_number() -> None:
    a, b = (
        saved_scenarios.column_name(1, "Demand +10%"),
        saved_scenarios.column_name(2, "Demand +10%"),
    )
    assert a != b and a == "#1 Demand +10%"
    table = compare.compare_table(
        {"Baseline": {"revenue": 1.0}, a: {"revenue": 2.0}, b: {"revenue": 3.0}}
    )
    assert list(table.columns) == ["KPI", "Better", "Baseline", a, b]


def test_chart_names_from_user_text_are_not_markup(tiny, base) -> None:
    series = {
        "Baseline": compare.monthly_totals(base.plan, base.pnl),
        "#1 <b>bold</b> & 50%{y}": compare.monthly_totals(base.plan, base.pnl),
    }
    fig = scenario_charts.overlay_chart(series, schema.REVENUE, "Revenue by month", "money", "EUR")
    assert fig.data[0].name == "#1 &lt;b&gt;bold&lt;/b&gt; &amp; 50&#37;{y}"  # baseline drawn last
    risk = scenario_charts.risk_ranges(
        {"Baseline": base.risk.summary, "<i>x</i>": base.risk.summary}, "EUR"
    )
    assert all("<i>" not in t.hovertemplate and "<i>" not in str(t.y) for t in risk.data)
    gap = scenario_charts.gap_chart(compare.gap_by_month(base.plan.family_plan), "Family: <b>A</b>")
    assert "<b>" not in gap.layout.title.text and "&lt;b&gt;" in gap.layout.title.text


def test_saving_a_name_already_taken_names_the_other_numbers() -> None:
    saved = pd.DataFrame({"scenario_id": [3, 2, 1], "name": ["Up *10*", "Up *10*", "Other"]})
    text = saved_scenarios.saved_text(saved, 3)
    assert text.startswith("Saved as scenario #3: Up \\*10\\*.") and "#2 has the same" in text
    assert "same name" not in saved_scenarios.saved_text(saved, 1)


def test_risk_note_explains_a_range_that_is_a_point() -> None:
    from sop.scenario.risk_view import risk_note

    point = pd.DataFrame(
        {
            "metric": ["revenue", "fill_rate"],
            "p10": [5.0, 1.0],
            "p50": [5.0, 1.0],
            "p90": [5.0, 1.0],
        }
    )
    assert "The range is a point" in risk_note(point)
    spread = point.assign(p90=[6.0, 1.0])
    assert "drawn 500 times" in risk_note(spread)
