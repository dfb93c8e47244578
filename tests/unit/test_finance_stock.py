"""Why a plan holds stock: the safety-stock target, the stock built ahead of it and its
holding (`sop.finance.stock`), the below-target figure as unit-months
(`sop.scenario.shortfall`), and the bridge's note when a short plan holds less."""

from __future__ import annotations

import pandas as pd
import pytest
from supply_helpers import one_product

from sop.core import schema
from sop.core.xlsx import TOTAL
from sop.finance import stock
from sop.finance import view as finance_view
from sop.finance.bridge import holding_note, margin_bridge
from sop.scenario import shortfall
from sop.supply.plan import SupplyPolicy, solve_plan


@pytest.fixture(scope="module")
def built_ahead():
    """Line L1 makes 100 a month; demand 50, 50, 250, 50 with a safety stock of 10:
    the plan makes 100 in Jan and Feb and holds 50, then 100 (40 and 90 above the
    target) for March, ships 200 there and owes 50; holding 0.5 a unit-month, standard
    cost 50 a unit."""
    tables, demand = one_product([50, 50, 250, 50], ss_units=10)
    plan = solve_plan(demand, tables, SupplyPolicy(horizon=4))
    assert plan.ok
    return plan


def test_stock_splits_into_target_built_ahead_and_missing(built_ahead) -> None:
    inv = finance_view.inventory_by_month(built_ahead)
    assert list(inv.columns) == finance_view.INVENTORY_COLUMNS
    assert list(inv["inventory_units"]) == pytest.approx([50, 100, 0, 0], abs=1e-6)
    assert list(inv["safety_stock_units"]) == pytest.approx([10, 10, 10, 10], abs=1e-6)
    assert list(inv["built_ahead_units"]) == pytest.approx([40, 90, 0, 0], abs=1e-6)
    assert list(inv["below_safety_stock_units"]) == pytest.approx([0, 0, 10, 10], abs=1e-6)
    assert list(inv["built_ahead_value"]) == pytest.approx([2000, 4500, 0, 0], abs=1e-6)
    assert list(inv["built_ahead_holding"]) == pytest.approx([20, 45, 0, 0], abs=1e-6)
    assert inv["carrying_cost"].sum() == pytest.approx(75.0)  # 25 + 50, all stock

    horizon = stock.horizon_by_family(inv).set_index(schema.FAMILY)
    assert list(horizon.index) == ["Fam", TOTAL]
    fam = horizon.loc["Fam"]
    assert fam["inventory_unit_months"] == pytest.approx(150.0)
    assert fam["built_ahead_unit_months"] == pytest.approx(130.0)
    assert fam["built_ahead_peak"] == pytest.approx(90.0)
    assert fam["built_ahead_peak_value"] == pytest.approx(4500.0)
    assert fam["built_ahead_holding"] == pytest.approx(65.0)
    assert fam["below_unit_months"] == pytest.approx(20.0)
    assert fam["below_peak"] == pytest.approx(10.0)
    assert horizon.loc[TOTAL].to_numpy() == pytest.approx(fam.to_numpy())


def test_built_ahead_is_said_with_what_it_is_for(built_ahead) -> None:
    inv = stock.stock_by_month(built_ahead)
    assert stock.built_ahead_lines(inv, built_ahead.family_plan, "EUR") == [
        "Fam: up to 90 units above safety stock (€4,500 at standard cost) in Jan 2027 to "
        "Feb 2027, drawn down in Mar 2027, when demand exceeds what is made (orders lost "
        "or late in Mar 2027): €65 of holding."
    ]


def test_stock_on_hand_at_the_end_is_said_so() -> None:
    """500 units on hand, demand 50 a month, no safety stock: nothing is made, the stock
    falls from 450 and 350 are left when the plan ends."""
    tables, demand = one_product([50, 50, 50], on_hand=500.0)
    plan = solve_plan(demand, tables, SupplyPolicy(horizon=3))
    inv = stock.stock_by_month(plan)
    assert list(inv["built_ahead_units"]) == pytest.approx([450, 400, 350], abs=1e-6)
    assert stock.built_ahead_lines(inv, plan.family_plan, "EUR") == [
        "Fam: up to 450 units above safety stock (€22k at standard cost) in Jan 2027 to "
        "Mar 2027, drawn down in Feb 2027 to Mar 2027, when demand exceeds what is made; "
        "some still held at the end of the plan: €600 of holding."
    ]


def test_below_safety_stock_is_counted_in_unit_months(built_ahead) -> None:
    count = shortfall.shortfall_count(built_ahead.shortfalls)
    assert "1 with stock below safety stock" not in count  # March and April: two rows
    assert (
        "2 with stock below safety stock (20 unit-months below it, up to 10 units in one "
        "month)" in count
    )
    assert "units short of it" not in count


def test_one_item_month_reads_singular() -> None:
    sf = pd.DataFrame(
        {
            schema.MONTH: [pd.Timestamp("2027-03-01")],
            "kind": ["below safety stock"],
            "units": [12.0],
        }
    )
    assert shortfall.shortfall_count(sf) == (
        "1 item-month falls short: 1 with stock below safety stock (12 unit-months below "
        "it, up to 12 units in one month)."
    )


def test_holding_saved_by_running_below_safety_stock_is_noted() -> None:
    """Flat demand of 100 with a safety stock of 50: a line of 300 h keeps the target
    (50 units held, 25 a month); a line of 100 h cannot build it and holds nothing, so
    its Holding step reads as a saving of 100."""
    base_t, demand = one_product([100, 100, 100, 100], ss_units=50, line_hours=300.0)
    short_t, _ = one_product([100, 100, 100, 100], ss_units=50, line_hours=100.0)
    policy = SupplyPolicy(horizon=4)
    base, short = solve_plan(demand, base_t, policy), solve_plan(demand, short_t, policy)
    held = base.family_plan["holding_cost"].sum() - short.family_plan["holding_cost"].sum()
    assert held > 0
    step = margin_bridge(base, short, base_t[schema.PRODUCTS]).set_index("step")
    assert step.at["Holding and backlog", "amount"] == pytest.approx(held)  # a "saving"
    below = short.family_plan["below_safety_stock"].sum()
    assert below == pytest.approx(200.0)
    assert holding_note(base, short, "EUR") == (
        f"Holding and backlog: holding is €{held:,.0f} lower than the baseline's because "
        "the scenario runs 200 unit-months below safety stock (up to 50 units in one "
        "month; the baseline 0 unit-months). Stock not held is service at risk, not a "
        "saving."
    )
    assert holding_note(short, base, "EUR") == ""  # holds more: nothing to explain
    assert holding_note(base, base, "EUR") == ""
