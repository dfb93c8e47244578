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
    # the 200 missing unit-months would have cost 200 x 0.5 = 100 to hold: all of it
    assert held == pytest.approx(100.0)
    assert holding_note(base, short, "EUR") == (
        "Holding and backlog: holding is €100 lower than the baseline's; all of it comes "
        "from the scenario running 200 unit-months below safety stock (up to 50 units in "
        "one month; the baseline 0 unit-months). Stock not held is service at risk, not "
        "a saving."
    )
    # the Finance page shows the plan itself, not a bridge step
    assert holding_note(base, short, "EUR", label="", subject="this plan") == (
        "Holding is €100 lower than the baseline's; all of it comes from this plan "
        "running 200 unit-months below safety stock (up to 50 units in one month; the "
        "baseline 0 unit-months). Stock not held is service at risk, not a saving."
    )
    assert holding_note(short, base, "EUR") == ""  # holds more: nothing to explain
    assert holding_note(base, base, "EUR") == ""


def _build_ahead_base():
    """Demand 100, 100, 100, 250 on a line of 150 h, safety stock 50 and 50 on hand:
    the plan builds ahead for the April peak and keeps the target, holding 50, 100, 150
    and 50 units at 0.5 per unit-month (175), never below safety stock."""
    tables, demand = one_product([100, 100, 100, 250], ss_units=50, on_hand=50, line_hours=150.0)
    plan = solve_plan(demand, tables, SupplyPolicy(horizon=4))
    assert plan.family_plan["holding_cost"].sum() == pytest.approx(175.0)
    assert plan.family_plan["below_safety_stock"].sum() == pytest.approx(0.0)
    return plan


def test_a_demand_cut_that_dips_a_unit_below_safety_stock_gets_no_holding_note() -> None:
    """Demand cut to 80 a month after a rush of 151 in January: the line (150 h) leaves
    January 1 unit below safety stock (49 held), then 50 a month: holding 99.5, €75.5
    less than the baseline's. The missing unit-month would have cost 0.5 to hold, under
    10 % of the saving: the saving is the smaller demand, not stock missing."""
    base = _build_ahead_base()
    tables, demand = one_product([151, 80, 80, 80], ss_units=50, on_hand=50, line_hours=150.0)
    scen = solve_plan(demand, tables, SupplyPolicy(horizon=4))
    fp = scen.family_plan
    assert fp["below_safety_stock"].sum() == pytest.approx(1.0)
    assert base.family_plan["holding_cost"].sum() - fp["holding_cost"].sum() == pytest.approx(75.5)
    assert stock.missing_holding(base.family_plan, fp) == pytest.approx(0.5)
    assert holding_note(base, scen, "EUR") == ""


def test_the_holding_note_says_the_share_of_the_saving_from_missing_stock() -> None:
    """Demand -20 % (80, 80, 80, 200) on a line cut to 110 h: 50, 80, 110, 20 units held
    (260 unit-months x 0.5 = 130 of holding), €45 less than the baseline's; April ends 30
    below safety stock, which would have cost 30 x 0.5 = €15 to hold: a third of it."""
    base = _build_ahead_base()
    tables, demand = one_product([80, 80, 80, 200], ss_units=50, on_hand=50, line_hours=110.0)
    scen = solve_plan(demand, tables, SupplyPolicy(horizon=4))
    fp = scen.family_plan
    assert fp["inventory"].tolist() == pytest.approx([50.0, 80.0, 110.0, 20.0])
    assert fp["holding_cost"].sum() == pytest.approx(130.0)
    assert stock.missing_holding(base.family_plan, fp) == pytest.approx(15.0)
    assert holding_note(base, scen, "EUR") == (
        "Holding and backlog: holding is €45 lower than the baseline's; €15 of it comes "
        "from the scenario running 30 unit-months below safety stock (up to 30 units in "
        "one month; the baseline 0 unit-months). Stock not held is service at risk, not "
        "a saving."
    )
