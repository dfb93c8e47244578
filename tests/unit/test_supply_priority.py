"""A short plan draws safety stock down before it makes an order wait or loses it.

Safety stock is there to be spent when supply is short: serving orders comes first,
rebuilding the stock after (`sop.supply.priority`). The property checked: in no month
does an item end with units in stock while it has orders backlogged or lost in that
month. Such a unit could have shipped: shipping it instead saves the backlog cost (or
the lost sale's price and goodwill) and adds at most the safety-stock penalty, which
the defaults (2 % a month against 3 % late) and the serve-first weight of lost sales
keep smaller.
"""

from __future__ import annotations

import pandas as pd
import pytest
from supply_helpers import demand_frame, one_product

from sop.finance.kpis import plan_kpis
from sop.supply.plan import SupplyPolicy, solve_plan

TOL = 1e-6


def _short(**policy) -> tuple[dict, object]:
    # 20 units a month of capacity against 30 a month of demand; 40 on hand, all of it
    # safety stock: 160 units of supply for 180 ordered, so 20 are lost whatever happens
    tables, demand = one_product([30.0] * 6, line_hours=20.0, on_hand=40.0, ss_units=40.0)
    return tables, solve_plan(demand, tables, SupplyPolicy(horizon=6, **policy))


def _stock_while_short(fp):
    short = (fp["backlog"] > TOL) | (fp["lost_sales"] > TOL)
    return fp.loc[short & (fp["inventory"] > TOL), ["month", "backlog", "lost_sales", "inventory"]]


def test_defaults_ship_from_safety_stock_before_backlog_or_lost_sales() -> None:
    _, plan = _short()
    fp = plan.family_plan
    assert plan.ok
    # before: 40 units kept in stock every month, 10 a month backlogged or lost
    assert _stock_while_short(fp).empty, _stock_while_short(fp)
    # the 40 units ship in the first four months (30 = 20 made + 10 from stock)
    assert fp["shipped"].head(4).tolist() == pytest.approx([30.0] * 4)
    assert fp["lost_sales"].sum() == pytest.approx(20.0)
    assert plan.notes == []  # the defaults serve orders first: nothing to warn about


@pytest.mark.parametrize("penalty", [5.0, 10.0, 50.0])
def test_no_sale_is_lost_while_stock_sits_whatever_the_penalty(penalty: float) -> None:
    # without backlog the choice is ship from stock or lose the sale: the serve-first
    # weight makes shipping win however dear running below safety stock is set
    _, plan = _short(safety_stock_penalty_pct=penalty, backlog_allowed=False)
    assert plan.ok
    assert _stock_while_short(plan.family_plan).empty


def test_the_objective_stays_money_with_lost_sales_and_safety_stock() -> None:
    # the serve-first weight orders the LP's choices; the reported objective is
    # the cost table's (gross margin less penalties), to the cent
    tables, plan = _short()
    k = plan_kpis(plan, tables["products"])
    assert plan.family_plan["lost_sales"].sum() > 1
    assert k["objective"] == pytest.approx(plan.stats["lp_objective"], abs=1e-3)


def test_safety_stock_is_still_built_when_supply_allows() -> None:
    # the default penalty (2 % of 100 a month) is above the holding cost (0.5 a month):
    # with capacity to spare the plan builds the 40 units and keeps them
    tables, demand = one_product([10.0] * 6, line_hours=100.0, ss_units=40.0)
    plan = solve_plan(demand, tables, SupplyPolicy(horizon=6))
    fp = plan.family_plan
    assert plan.ok
    assert fp["inventory"].to_numpy() == pytest.approx([40.0] * 6)
    assert fp["lost_sales"].sum() == pytest.approx(0.0)


def test_a_penalty_at_or_above_the_backlog_cost_is_warned_about() -> None:
    assert SupplyPolicy().cautions() == []
    pol = SupplyPolicy(safety_stock_penalty_pct=5.0)
    (text,) = pol.cautions()
    assert "5 % of the price a month" in text and "(3 %)" in text
    assert "makes customers wait instead of shipping from stock" in text
    assert SupplyPolicy(safety_stock_penalty_pct=3.0).cautions() == [text.replace("5 %", "3 %")]
    # nothing to warn about when orders cannot wait anyway, or the penalty is off
    assert SupplyPolicy(safety_stock_penalty_pct=5.0, backlog_allowed=False).cautions() == []
    assert SupplyPolicy(safety_stock_penalty_pct=0.0, backlog_cost_pct=0.0).cautions() == []
    # the plan is made as set, and the warning travels with it (the Supply page shows it)
    _, plan = _short(safety_stock_penalty_pct=5.0)
    assert plan.ok and text in [n.text for n in plan.notes]
    # and it does what the warning says: units stay in stock while orders wait
    assert not _stock_while_short(plan.family_plan).empty


def test_a_holding_cost_above_the_penalty_is_named_and_the_stock_is_not_kept() -> None:
    # holding 60 %/year of the unit cost (50) = 2.5 a unit-month against a penalty of
    # 2 % of the price (100) = 2: below safety stock is cheaper, so none is kept even
    # with capacity to spare; at 12 %/year (0.5) the same plan keeps it and says nothing
    def plan(holding_pct: float):
        tables, demand = one_product(
            [10.0] * 6, line_hours=100.0, ss_units=20.0, holding_pct=holding_pct
        )
        return solve_plan(demand, tables, SupplyPolicy(horizon=6))

    dear, cheap = plan(60.0), plan(12.0)
    assert dear.ok and cheap.ok
    said = [n.text for n in dear.notes if "keeps no safety stock" in n.text]
    assert len(said) == 1 and "Fam" in said[0] and "up to 2.5 % of the price" in said[0]
    assert dear.family_plan["inventory"].max() < TOL
    assert not [n for n in cheap.notes if "keeps no safety stock" in n.text]
    assert cheap.family_plan["inventory"].iloc[:-1].min() > 20.0 - TOL


def _dearer_later(**policy):
    # one family of two products: P1 at 100 ordered in months 1-2, P2 at 130 in months
    # 3-4, 30 units a month against 20 made a month, so 40 of the 120 are lost whatever
    # happens. Old rule: month 2 shipped nothing and kept its 20 units for P2's dearer
    # orders (30 x 1.1 more lost money a unit against 0.5 a month of holding)
    tables, demand = one_product([30.0, 30.0, 0.0, 0.0], line_hours=20.0)
    p2 = tables["products"].assign(sku="P2", name="Product 2", list_price=130.0)
    tables["products"] = pd.concat([tables["products"], p2], ignore_index=True)
    inv = tables["inventory"]
    tables["inventory"] = pd.concat([inv, inv.assign(sku="P2")], ignore_index=True)
    later = demand_frame([0.0, 0.0, 30.0, 30.0], sku="P2")
    demand = pd.concat([demand, later], ignore_index=True)
    return tables, solve_plan(demand, tables, SupplyPolicy(horizon=4, **policy))


@pytest.mark.parametrize("backlog", [False, True])
def test_no_order_is_lost_to_keep_the_unit_for_a_dearer_later_one(backlog: bool) -> None:
    # the lost-order weight carries the price premium of any later month, so the
    # plan serves orders in the order they come while it has the units: each month
    # ships its 20, and the 40 units short are lost across the months
    tables, plan = _dearer_later(backlog_allowed=backlog)
    fp = plan.family_plan
    assert plan.ok
    assert _stock_while_short(fp).empty, _stock_while_short(fp)
    assert fp["shipped"].tolist() == pytest.approx([20.0] * 4)
    assert fp["inventory"].max() < TOL
    assert fp["lost_sales"].sum() + fp["backlog"].iloc[-1] == pytest.approx(40.0)
    # the weight only orders the choices: the objective reported is money
    k = plan_kpis(plan, tables["products"])
    assert k["objective"] == pytest.approx(plan.stats["lp_objective"], abs=1e-3)
