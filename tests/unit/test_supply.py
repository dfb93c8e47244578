"""Supply plans small enough to solve on paper: the LP must find the same optimum.

Unless a test says otherwise: product P1 sells at 100, material 40, 1 hour per
unit on line L1 (100 regular hours a month at 10/hour), so a unit made on
regular time costs 40 + 10 = 50 and earns a margin of 50. Holding is 12 %/year
of 50 = 0.5 per unit-month. Backlog costs 3 % of price = 3 per unit-month; a lost
unit costs its margin plus 10 % goodwill = 10. Nothing on hand, no safety stock.
"""

from __future__ import annotations

import numpy as np
import pytest
from supply_helpers import one_product, shut_in

from sop.core import schema
from sop.finance.kpis import plan_kpis
from sop.supply.plan import INFEASIBLE, INVALID, OPTIMAL, SupplyPolicy, solve_plan


def _col(result, name: str) -> list[float]:
    return [round(v, 6) for v in result.family_plan[name]]


def _cost(result, term: str) -> float:
    return float(result.costs.set_index("term").at[term, "amount"])


def _kpis(result, tables) -> dict[str, float]:
    """The plan's KPIs, read by the one catalogue (`sop.finance.kpis`)."""
    return plan_kpis(result, tables[schema.PRODUCTS])


def _shadow(result, resource: str = "L1") -> list[float]:
    ru = result.resource_use
    return [round(v, 6) for v in ru.loc[ru[schema.RESOURCE] == resource, "shadow_price"]]


def test_prebuild_when_the_peak_exceeds_capacity() -> None:
    # Demand 70, 100, 130 on 100 units/month. Month 3 is 30 short; month 1 has 30
    # spare, month 2 none, so 30 are made in month 1 and held two months:
    # production 100, 100, 100; inventory 30, 30, 0.
    # Margin = 300 x 100 - 300 x 40 - 300 h x 10 - 60 unit-months x 0.5
    #        = 30,000 - 12,000 - 3,000 - 30 = 14,970.
    # Shadow prices: one more hour in month 3 saves 2 months of holding (1.0), in
    # month 2 one month (0.5); in month 1 it is worth nothing.
    tables, demand = one_product([70, 100, 130])
    r = solve_plan(demand, tables)
    assert r.status == OPTIMAL, r.explanation
    assert _col(r, "production") == [100, 100, 100]
    assert _col(r, "inventory") == [30, 30, 0]
    assert _col(r, "lost_sales") == [0, 0, 0]
    assert _cost(r, "holding") == pytest.approx(30.0)
    k = _kpis(r, tables)
    assert k["gross_margin"] == pytest.approx(14_970.0)
    # L1 runs its 300 regular hours full in every month
    assert k["avg_utilisation"] == pytest.approx(1.0) and k["peak_utilisation"] == pytest.approx(
        1.0
    )
    assert k["binding_resource_months"] == 2  # months 2 and 3 (month 1 has a zero price)
    assert _shadow(r) == pytest.approx([0.0, 0.5, 1.0])


def test_subcontract_when_there_is_no_spare_capacity() -> None:
    # Demand 100, 100, 130; no spare hours and no overtime. The subcontractor sells at
    # 70 (cap 40/month): buying 30 in month 3 earns 100 - 70 = 30 a unit, better than
    # losing them (-10 goodwill) and than buying earlier and holding (70.5, 71).
    # Margin = 330 x 100 - 300 x 40 - 300 x 10 - 30 x 70 = 33,000 - 12,000 - 3,000
    #        - 2,100 = 15,900.
    # Shadow price of an hour: making a unit instead of buying saves 70 - 50 = 20 in
    # month 3; 19.5 in month 2 and 19.0 in month 1 (held one and two months).
    tables, demand = one_product([100, 100, 130], subcontract=(70.0, 40.0))
    r = solve_plan(demand, tables)
    assert r.status == OPTIMAL, r.explanation
    assert _col(r, "subcontracted") == [0, 0, 30]
    assert _col(r, "production") == [100, 100, 100]
    assert _cost(r, "subcontract") == pytest.approx(2_100.0)
    assert _kpis(r, tables)["gross_margin"] == pytest.approx(15_900.0)
    assert _shadow(r) == pytest.approx([19.0, 19.5, 20.0])


def test_overtime_and_prebuild_beat_subcontracting() -> None:
    # As above with 20 overtime hours a month at 25/hour: an overtime unit costs
    # 40 + 25 = 65 (< 70 subcontract). Month 3 takes its 20 overtime hours; the other
    # 10 units come from overtime in month 2 held one month (65.5), cheaper than
    # month 1 (66) or the subcontractor (70). Overtime 0, 10, 20 hours.
    # Margin = 33,000 - 330 x 40 - 300 x 10 - 30 x 25 - 10 x 0.5
    #        = 33,000 - 13,200 - 3,000 - 750 - 5 = 16,045.
    # Shadow prices: a regular hour replaces the marginal unit (overtime in month 2
    # held a month, 65.5): month 3 saves 65.5 - 50 = 15.5, month 2 65 - 50 = 15,
    # month 1 65.5 - 51 = 14.5.
    tables, demand = one_product([100, 100, 130], max_ot=20.0, subcontract=(70.0, 40.0))
    r = solve_plan(demand, tables)
    assert r.status == OPTIMAL, r.explanation
    ru = r.resource_use
    assert [round(v, 6) for v in ru["overtime_hours"]] == [0, 10, 20]
    assert _col(r, "subcontracted") == [0, 0, 0]
    assert _cost(r, "overtime") == pytest.approx(750.0)
    assert _cost(r, "line_hours") == pytest.approx(3_000.0)
    assert _kpis(r, tables)["gross_margin"] == pytest.approx(16_045.0)
    assert _shadow(r) == pytest.approx([14.5, 15.0, 15.5])


def test_hiring_when_demand_outgrows_the_crew() -> None:
    # A labour pool only: 2 workers x 100 h at 10/h, 1 h/unit, no overtime; hiring
    # costs 200; holding 100 %/year of 40 + 10 = 50, i.e. 4.1667/unit-month.
    # Demand 200, 300: month 2 needs a third worker. Hiring 1 in month 2 costs
    # 200 + 1,000 wages = 1,200 (12/unit). Hiring 0.5 in month 1 and pre-building 50
    # costs 100 + 1,000 + 50 x 4.1667 = 1,308 (13.08/unit); losing the 100 units
    # costs their margin. So 1 hire in month 2, workers 2, 3.
    # Margin = 500 x 100 - 500 x 40 - (2,000 + 3,000) wages - 200 = 24,800.
    tables, demand = one_product(
        [200, 300],
        line_hours=None,
        holding_pct=100.0,
        labour={"workers": 2.0, "hpw": 100.0, "hiring": 200.0, "layoff": 1000.0, "rate": 10.0},
    )
    r = solve_plan(demand, tables)
    assert r.status == OPTIMAL, r.explanation
    ru = r.resource_use
    assert [round(v, 6) for v in ru["hires"]] == [0, 1]
    assert [round(v, 6) for v in ru["workers"]] == [2, 3]
    assert _cost(r, "wages") == pytest.approx(5_000.0)
    assert _cost(r, "hiring") == pytest.approx(200.0)
    assert _col(r, "lost_sales") == [0, 0]
    assert _kpis(r, tables)["gross_margin"] == pytest.approx(24_800.0)


def test_no_hiring_means_lost_sales_explained() -> None:
    # Same, hiring off: month 2 can make only 200 of 300; 100 are lost.
    # Margin = 400 x 100 - 400 x 40 - 4,000 wages = 20,000; goodwill 100 x 10 = 1,000.
    tables, demand = one_product(
        [200, 300],
        line_hours=None,
        holding_pct=100.0,
        labour={"workers": 2.0, "hpw": 100.0, "hiring": 200.0},
    )
    r = solve_plan(demand, tables, SupplyPolicy(hiring_allowed=False, backlog_allowed=False))
    assert r.status == OPTIMAL
    assert _col(r, "lost_sales") == [0, 100]
    assert _kpis(r, tables)["gross_margin"] == pytest.approx(20_000.0)
    assert _cost(r, "lost_goodwill") == pytest.approx(1_000.0)
    gap = r.shortfalls.iloc[0]
    assert (gap["kind"], gap["units"], gap["binding"]) == ("lost sales", pytest.approx(100), "LAB")
    assert "LAB" in gap["why"] and "Cheapest lever" in gap["why"]


def test_backlog_served_next_month_or_lost_when_backlog_is_off() -> None:
    # Demand 100, 130, 70 on 100/month: month 2 is 30 short, month 3 has 30 spare.
    # With backlog: 30 late by one month at 3 each. Margin = 30,000 - 12,000 - 3,000
    #   - 90 = 14,910; shipped 100, 100, 100.
    # Without: 30 lost. Margin = 27,000 - 10,800 - 2,700 = 13,500; goodwill 300.
    tables, demand = one_product([100, 130, 70])
    r = solve_plan(demand, tables)
    assert _col(r, "backlog") == [0, 30, 0]
    assert _col(r, "shipped") == [100, 100, 100]
    assert _cost(r, "backlog") == pytest.approx(90.0)
    k = _kpis(r, tables)
    assert k["gross_margin"] == pytest.approx(14_910.0)
    assert k["fill_rate"] == pytest.approx(1.0)
    assert k["on_time_rate"] == pytest.approx(270 / 300)
    assert k["late_unit_months"] == pytest.approx(30.0) and k["ending_backlog_units"] == 0
    assert k["late_value"] == pytest.approx(30 * 100.0)  # 30 unit-months at the price
    assert k["objective"] == pytest.approx(14_910.0) and k["penalties"] == 0
    lost = solve_plan(demand, tables, SupplyPolicy(backlog_allowed=False))
    assert _col(lost, "lost_sales") == [0, 30, 0]
    k = _kpis(lost, tables)
    assert k["gross_margin"] == pytest.approx(13_500.0) and k["penalties"] == pytest.approx(300.0)
    assert k["objective"] == pytest.approx(13_200.0) and k["on_time_rate"] == pytest.approx(0.9)
    assert _cost(lost, "lost_goodwill") == pytest.approx(300.0)


def test_safety_stock_is_soft_and_the_shortfall_is_reported() -> None:
    # Demand equals capacity (100 a month) and nothing is on hand: the 50-unit safety
    # stock can never be built. The plan stays optimal, 50 below safety stock each
    # month, penalty 3 x 50 x 2 % x 100 = 300, and L1 is named as the reason.
    tables, demand = one_product([100, 100, 100], ss_units=50.0)
    r = solve_plan(demand, tables, SupplyPolicy(safety_stock_penalty_pct=2.0))
    assert r.status == OPTIMAL
    assert _col(r, "below_safety_stock") == [50, 50, 50]
    assert _cost(r, "safety_stock") == pytest.approx(300.0)
    assert set(r.shortfalls["binding"]) == {"L1"}
    assert set(r.shortfalls["kind"]) == {"below safety stock"}


def test_opening_stock_drawn_down_is_costed() -> None:
    # 50 on hand, demand 100, 100, capacity 100: the plan makes 50 then 100 (making
    # 100 in month 1 would hold 50 for a month for nothing) and sells 200. The stock
    # drawn down is valued at its cost to make (50):
    # Margin = 20,000 - 150 x 50 - 50 x 50 (drawdown) = 20,000 - 7,500 - 2,500 = 10,000.
    tables, demand = one_product([100, 100], on_hand=50.0)
    r = solve_plan(demand, tables)
    assert _col(r, "production") == [50, 100]
    assert _cost(r, "inventory_change") == pytest.approx(2_500.0)
    assert _kpis(r, tables)["gross_margin"] == pytest.approx(10_000.0)


def test_impossible_ending_inventory_is_explained() -> None:
    # 500 on hand, 50/month capacity, demand 100 x 3. Keeping the 500 opening units to
    # the end leaves 3 x 50 = 150 units made for 300 of demand: 150 lost. When every
    # order must be served, the most left at the end is 500 + 150 - 300 = 350, short
    # of the 500 required by 150: infeasible, and the explanation says so.
    tables, demand = one_product([100, 100, 100], line_hours=50.0, on_hand=500.0)
    keep = solve_plan(demand, tables, SupplyPolicy(ending_inventory="opening"))
    assert keep.status == OPTIMAL
    assert _kpis(keep, tables)["lost_units"] == pytest.approx(150)
    assert _col(keep, "inventory")[-1] == pytest.approx(500)
    r = solve_plan(
        demand, tables, SupplyPolicy(ending_inventory="opening", lost_sales_allowed=False)
    )
    assert r.status == INFEASIBLE
    assert "Minimum ending inventory" in r.explanation and "ending_inventory" in r.explanation
    assert "L1" in r.explanation and "150 short" in r.explanation
    assert r.family_plan.empty
    assert r.shortfalls["units"].sum() == pytest.approx(150)
    ok = solve_plan(demand, tables, SupplyPolicy(lost_sales_allowed=False))
    assert ok.status == OPTIMAL


def test_serving_every_order_when_capacity_cannot_is_explained() -> None:
    tables, demand = one_product([100, 150, 100])
    r = solve_plan(demand, tables, SupplyPolicy(lost_sales_allowed=False, backlog_allowed=False))
    assert r.status == INFEASIBLE
    assert "No lost sales" in r.explanation and "L1" in r.explanation
    assert "50 units" in r.explanation and "Feb 2027" in r.explanation
    # Backlog allowed: month 3 has no spare hours to catch up, so it is still
    # infeasible with zero ending backlog, and feasible once backlog may be left.
    assert solve_plan(demand, tables, SupplyPolicy(lost_sales_allowed=False)).status == INFEASIBLE
    loose = SupplyPolicy(lost_sales_allowed=False, zero_ending_backlog=False)
    assert solve_plan(demand, tables, loose).status == OPTIMAL


def test_rates_without_demand_are_undefined_not_perfect() -> None:
    # No demand at all: nothing was asked, so no share of it was served (NaN, "–"),
    # the one rule of the catalogue for every page and the plan JSON.
    tables, demand = one_product([0, 0, 0])
    r = solve_plan(demand, tables)
    assert r.status == OPTIMAL, r.explanation
    k = _kpis(r, tables)
    assert np.isnan(k["fill_rate"]) and np.isnan(k["on_time_rate"])
    assert np.isnan(k["gross_margin_pct"]) and np.isnan(k["days_of_supply"])
    assert k["avg_utilisation"] == 0.0 and k["demand_units"] == 0.0


def test_bad_settings_and_inputs_are_explained_not_raised() -> None:
    tables, demand = one_product([100])
    r = solve_plan(demand, tables, SupplyPolicy(horizon=0, level="plant"))
    assert r.status == INVALID
    assert "horizon" in r.explanation and "level" in r.explanation
    empty = solve_plan(demand.iloc[0:0], tables)
    assert empty.status == INVALID and "empty" in empty.explanation
    no_bor = dict(tables)
    del no_bor[schema.BILL_OF_RESOURCES]
    assert solve_plan(demand, no_bor).status == INVALID


def test_overtime_off_and_subcontract_off_leave_lost_sales() -> None:
    tables, demand = one_product([100, 100, 130], max_ot=20.0, subcontract=(70.0, 40.0))
    r = solve_plan(demand, tables, SupplyPolicy(overtime_allowed=False, subcontract_allowed=False))
    assert _col(r, "lost_sales") == [0, 0, 30]
    k = _kpis(r, tables)
    assert k["overtime_hours"] == 0 and k["subcontract_units"] == 0
    assert np.isclose(k["gross_margin"], 30_000 - 12_000 - 3_000)


def test_net_prices_come_from_recent_revenue() -> None:
    # The tiny dataset books every sale at 95 % of the list price, so at net prices
    # (the default) revenue is 0.95 x list price x units served, SKU by SKU.
    from supply_helpers import tiny_with_consensus

    tables, demand = tiny_with_consensus(12)
    r = solve_plan(demand, tables, SupplyPolicy(horizon=12))
    assert r.policy.price_basis == "net"
    served = r.sku_plan["demand"] - r.sku_plan["lost_sales"]
    price = r.sku_plan["sku"].map(tables["products"].set_index("sku")["list_price"])
    assert _kpis(r, tables)["revenue"] == pytest.approx(0.95 * (price * served).sum())
    listed = solve_plan(demand, tables, SupplyPolicy(horizon=12, price_basis="list"))
    assert _kpis(listed, tables)["revenue"] > _kpis(r, tables)["revenue"]


def test_policy_is_a_hashable_value_with_documented_fields() -> None:
    from sop.supply.policy import field_help, field_labels, policy_markdown

    a, b = SupplyPolicy(), SupplyPolicy()
    assert a == b and hash(a) == hash(b)
    assert a.replace(overtime_allowed=False) != a
    with pytest.raises(AttributeError):
        a.horizon = 3  # type: ignore[misc]
    assert set(field_help()) == set(field_labels()) == set(a.as_dict())
    assert all(f"`{name}`" in policy_markdown() for name in field_help())
    assert SupplyPolicy(backlog_cost_pct=-1).problems()


def test_a_shut_line_is_named_shut_and_overtime_is_not_its_lever() -> None:
    # L1 is shut in month 2 (0 hours): month 1 makes 100 + 20 overtime, so 80 of the
    # 100 ordered in month 2 go short. Overtime cannot be worked on a shut line, so it
    # must not be offered as the lever, and the line is "shut", not "full".
    tables, demand = one_product([100, 100], max_ot=20.0)
    tables = shut_in(tables, [100.0, 0.0])
    r = solve_plan(demand, tables, SupplyPolicy(backlog_allowed=False))
    assert r.status == OPTIMAL
    gap = r.shortfalls.iloc[0]
    assert gap["units"] == pytest.approx(80) and gap["binding"] == "L1"
    assert "is shut that month" in gap["why"] and "is full" not in gap["why"]
    assert "overtime" not in gap["lever"]


def test_cost_waterfall_labels_the_margin_and_adds_a_second_total_only_for_penalties() -> None:
    import pandas as pd

    from sop.supply.charts import cost_waterfall

    costs = pd.DataFrame(
        {
            "term": ["revenue", "material", "holding"],
            "label": ["Revenue", "Material", "Inventory holding"],
            "kind": ["revenue", "cost", "cost"],
            "amount": [1_000_000.0, 400_000.0, 20_000.0],
            "basis": [""] * 3,
        }
    )
    w = cost_waterfall(costs, "EUR").data[0]
    assert list(w.x) == ["Revenue", "Material", "Inventory holding", "Gross margin"]
    assert w.text[-1] == "€580k"  # the margin bar carries its figure
    pen = pd.concat(
        [
            costs,
            pd.DataFrame(
                {
                    "term": ["lost_goodwill"],
                    "label": ["Goodwill"],
                    "kind": ["penalty"],
                    "amount": [30_000.0],
                    "basis": [""],
                }
            ),
        ]
    )
    w = cost_waterfall(pen, "EUR").data[0]
    assert list(w.x)[-3:] == ["Gross margin", "Goodwill", "Plan objective"]
    assert list(w.text)[-3:] == ["€580k", "-€30k", "€550k"]


def test_capacity_chart_of_one_month_still_shows_the_capacity() -> None:
    # a line of one point draws nothing: a 1-month plan showed no capacity at all
    from sop.supply.charts import capacity_chart

    tables, demand = one_product([80])
    r = solve_plan(demand, tables, SupplyPolicy())
    fig = capacity_chart(r.resource_use, r.resource_use, "L1")
    cap = [t for t in fig.data if t.name == "Regular capacity"][0]
    assert list(cap.y) == [100.0] and "markers" in cap.mode
    tables, demand = one_product([80, 90])
    r = solve_plan(demand, tables, SupplyPolicy())
    cap = [
        t
        for t in capacity_chart(r.resource_use, r.resource_use, "L1").data
        if t.name == "Regular capacity"
    ][0]
    assert cap.mode == "lines"
