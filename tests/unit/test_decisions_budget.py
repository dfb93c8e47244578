"""What the Decisions page says of the picked plan against the budget (the annual
operating plan), without the app: revenue and gross margin carry the budget line under
their tiles, worded as the Executive and Scenarios tiles word it (the plan's figure over
the budget's months, not the tile's horizon), and a plan below budget for want of
supply says how much of the gap is supply (`sop.finance.view.split_note`, the Finance
page's sentence). Without a budget nothing is said."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from supply_helpers import START, frame, one_product

from sop.core import fmt, schema
from sop.executive import approval, budget_lines
from sop.finance import statement
from sop.finance import view as finance_view
from sop.scenario import compare
from sop.supply.plan import OPTIMAL, solve_plan
from sop.supply.policy import RECOGNISE_ORDER, SupplyPolicy

KPIS = {
    "revenue": 30_000_000.0,
    "gross_margin": 9_000_000.0,
    "fill_rate": 0.98,
    "on_time_rate": 0.95,
    "lost_units": 100.0,
    "lost_value": 8_000.0,
    "late_units": 50.0,
    "late_value": 4_000.0,
}
# the budget over its 14 months and the plan over the same months (`budget_kpis`)
BUDGET = {
    "revenue": 26_550_000.0,
    "plan_revenue": 27_750_000.0,
    "gross_margin": 8_000_000.0,
    "plan_gross_margin": 7_600_000.0,
    "months": 14.0,
}


def _notes(rows) -> dict[str, tuple[str, ...]]:
    return {t.label: t.notes for row in rows for t in row}


def test_revenue_and_margin_tiles_carry_the_budget_line() -> None:
    notes = _notes(approval.tiles(KPIS, "EUR", 18, budget=BUDGET))
    assert notes["Revenue"] == (
        "Budget €26.55M over its 14 months: this plan €27.75M there, +€1.20M (+4.5 %)",
    )
    assert notes["Gross margin"] == (
        "Budget €8.00M over its 14 months: this plan €7.60M there, -€400k (-5.0 %)",
    )
    # the Executive page's words, word for word
    for key, label in (("revenue", "Revenue"), ("gross_margin", "Gross margin")):
        assert notes[label] == (compare.budget_text(key, BUDGET, "EUR", "this plan"),)
    # service tiles have no budget figure: nothing under them
    assert all(not n for label, n in notes.items() if label not in ("Revenue", "Gross margin"))


def test_no_budget_no_line() -> None:
    for budget in (None, {}):
        rows = approval.tiles(KPIS, "EUR", 18, budget=budget)
        assert all(not t.notes for row in rows for t in row)
    assert budget_lines.budget_line("revenue", {}, "EUR") is None
    assert budget_lines.budget_line("fill_rate", BUDGET, "EUR") is None
    # a budget without a margin figure: the revenue line only
    only = {k: v for k, v in BUDGET.items() if "margin" not in k}
    notes = _notes(approval.tiles(KPIS, "EUR", 18, budget=only))
    assert notes["Revenue"] and not notes["Gross margin"]


def test_the_budget_line_goes_with_the_change_against_the_record() -> None:
    ref = approval.Reference({**KPIS, "revenue": 29_000_000.0}, approval.RECORD, "")
    tile = approval.tiles(KPIS, "EUR", 18, ref, BUDGET)[0][0]
    assert tile.delta.startswith("+€1.00M")  # against the plan of record, as before
    assert tile.notes == (compare.budget_text("revenue", BUDGET, "EUR", "this plan"),)
    assert "Over the plan's 18 months." in tile.help


# --- the gap to budget split: demand or supply ----------------------------------------
def _pnl(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    """A plan P&L over one month: (family, order value, revenue)."""
    return pd.DataFrame(
        [
            {
                schema.MONTH: START,
                schema.FAMILY: f,
                "units": rev / 100,
                schema.REVENUE: rev,
                schema.MARGIN: rev / 3,
                "order_value": orders,
            }
            for f, orders, rev in rows
        ]
    )


def _budget(rows: list[tuple[str, float]]) -> pd.DataFrame:
    return frame(
        schema.BUDGET,
        [
            {
                schema.FAMILY: f,
                schema.MONTH: START,
                schema.UNITS: r / 100,
                schema.REVENUE: r,
                schema.MARGIN: r / 3,
            }
            for f, r in rows
        ],
    )


def test_a_plan_short_of_budget_for_want_of_supply_says_how_much() -> None:
    # Cooling: budget 100k, orders 90k, revenue 60k: 40k below budget, 30k of it supply
    pnl = _pnl([("Cool*ing*", 90_000.0, 60_000.0), ("Heat", 50_000.0, 50_000.0)])
    budget = _budget([("Cool*ing*", 100_000.0), ("Heat", 50_000.0)])
    note = budget_lines.budget_supply(pnl, budget, "EUR")
    assert note == (
        "Of the €40k below budget, €30k is supply (all of it in Cool*ing*): orders lost "
        "or shipped after Jan 2027; €10k is demand and price (orders at plan prices "
        "below budget)."
    )
    # the Finance page's sentence on the same figures: one wording, one sum, the
    # budget's last month compared named
    split = finance_view.budget_split(statement.versus_budget(pnl, budget))
    assert note == finance_view.split_note(split, "EUR", last=START)
    assert budget_lines.budget_scope(pnl, budget) is None
    # books made at order: a late order is booked all the same, so supply is only what
    # is lost or still unshipped at the plan's end, and Decisions says so
    ordered = budget_lines.budget_supply(pnl, budget, "EUR", RECOGNISE_ORDER)
    assert ordered == note.replace("shipped after Jan 2027", "still unshipped at the plan's end")
    assert ordered == finance_view.split_note(split, "EUR", RECOGNISE_ORDER, START)
    # the caption under Finance's split table says the same by the setting
    assert "or shipped after these months; positive where" in finance_view.split_caption()
    caption = finance_view.split_caption(RECOGNISE_ORDER)
    assert "still unshipped at the plan's end (revenue is booked in the month" in caption
    assert "shipped after these months" not in caption


def test_no_supply_sentence_when_demand_makes_the_gap_or_no_budget() -> None:
    # 40k below budget, all of it demand (every order served)
    pnl = _pnl([("Cooling", 60_000.0, 60_000.0)])
    assert budget_lines.budget_supply(pnl, _budget([("Cooling", 100_000.0)]), "EUR") is None
    # above budget, although supply takes 30k off
    pnl = _pnl([("Cooling", 150_000.0, 120_000.0)])
    assert budget_lines.budget_supply(pnl, _budget([("Cooling", 100_000.0)]), "EUR") is None
    for none in (None, _budget([])):
        assert budget_lines.budget_supply(pnl, none, "EUR") is None
        assert budget_lines.budget_scope(pnl, none) is None


def test_a_family_without_budget_is_named() -> None:
    pnl = _pnl([("Cooling", 90_000.0, 60_000.0), ("[Heat](x)", 50_000.0, 50_000.0)])
    scope = budget_lines.budget_scope(pnl, _budget([("Cooling", 100_000.0)]))
    assert scope == (
        "The budget covers Cooling only: [Heat](x) has no budget and is left out of "
        "every comparison with it."
    )


def test_a_short_plan_from_the_planner() -> None:
    # demand 150 a month on a line making 100: a third of the orders is lost or late;
    # the budget asks for 150 units' revenue a month
    tables, demand = one_product([150.0, 150.0, 150.0])
    plan = solve_plan(demand, tables, SupplyPolicy())
    assert plan.status == OPTIMAL
    pnl = statement.family_pnl(plan)
    months = pd.date_range(START, periods=3, freq="MS")
    budget = frame(
        schema.BUDGET,
        [
            {
                schema.FAMILY: "Fam",
                schema.MONTH: m,
                schema.UNITS: 150.0,
                schema.REVENUE: 15_000.0,
                schema.MARGIN: 5_000.0,
            }
            for m in months
        ],
    )
    vs = statement.versus_budget(pnl, budget)
    gap = float(vs["revenue_gap"].sum())
    supply = float(vs["supply_gap"].sum())
    assert gap < 0 and supply == pytest.approx(gap, abs=0.01)  # demand is on budget
    note = budget_lines.budget_supply(pnl, budget, "EUR")
    assert note is not None and note.startswith(
        f"Of the {fmt.money(-gap)} below budget, {fmt.money(-supply)} is supply"
    )
    kpis = statement.budget_kpis(pnl, budget)
    assert np.isclose(kpis["plan_revenue"] - kpis["revenue"], gap)
    line = budget_lines.budget_line("revenue", kpis, "EUR")
    assert line.startswith("Budget €45k over its 3 months: this plan ")
