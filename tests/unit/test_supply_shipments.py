"""A short plan never ships a negative quantity (and so never books negative revenue).

The inventory balance ties only stock minus backlog, I - B. Without a row of its own,
a plan short of capacity could hold stock up to its safety stock and owe customers the
same units on top of their orders (I and B both up), paying the backlog cost instead of
the dearer safety-stock penalty: shipped = D - L + B[t-1] - B[t] then goes negative and
the month books negative units and revenue on the Finance page.
"""

from __future__ import annotations

import pytest
from supply_helpers import one_product

from sop.finance.kpis import plan_kpis
from sop.supply.plan import SupplyPolicy, solve_plan


def _short_plan():
    # 20 units a month of capacity against 20 a month of demand and a 50-unit safety
    # stock that cannot be built from production: stock can only come from customers.
    tables, demand = one_product([20.0, 20.0, 20.0, 20.0], line_hours=20.0, ss_units=50.0)
    policy = SupplyPolicy(safety_stock_penalty_pct=10.0)  # 10 a unit-month > backlog's 3
    return tables, solve_plan(demand, tables, policy)


def test_shipments_and_revenue_are_never_negative_when_supply_is_short() -> None:
    _, plan = _short_plan()
    fp = plan.family_plan
    assert plan.ok
    # before the fix: shipped -30 and revenue -3,000 in the first month
    assert (fp["shipped"] >= -1e-6).all(), fp[["month", "shipped", "backlog", "inventory"]]
    assert (fp["revenue"] >= -1e-6).all()
    assert (fp["booked_units"] >= -1e-6).all()


def test_backlog_grows_by_no_more_than_the_orders_not_lost() -> None:
    # B[t] - B[t-1] + L[t] <= D[t]: a month cannot owe more than was ordered in it
    tables, plan = _short_plan()
    fp = plan.family_plan
    grown = fp["backlog"].diff().fillna(fp["backlog"]) + fp["lost_sales"]
    assert (grown <= fp["demand"] + 1e-6).all()
    # every order is served by the end, so the horizon books all 80 units at 100
    k = plan_kpis(plan, tables["products"])
    assert k["served_units"] == pytest.approx(80.0)
    assert k["revenue"] == pytest.approx(8_000.0)
    assert fp["revenue"].sum() == pytest.approx(8_000.0)
