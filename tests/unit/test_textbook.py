"""A textbook aggregate plan with a published optimum, reproduced by the supply LP.

Source: S. Chopra and P. Meindl, *Supply Chain Management: Strategy, Planning, and
Operation*, chapter 8 "Aggregate Planning in a Supply Chain", the Red Tomato Tools
case (aggregate planning by linear programming, Table 8-3 in the 6th edition).

The case, as published:
- demand January to June: 1,600, 3,000, 3,200, 3,800, 2,200, 2,200 units;
- material $10/unit; inventory holding $2/unit/month; stockout (backlog)
  $5/unit/month; hiring $300/worker; layoff $500/worker; 4 labour hours/unit;
- regular time $4/hour, overtime $6/hour, at most 10 overtime hours per worker a
  month; 80 workers at the start, 8 hours x 20 days = 160 regular hours per
  worker-month; subcontracting $30/unit with no limit;
- 1,000 units in stock at the start; at least 500 in stock and no backlog at the
  end of June;
- optimal total cost of the LP: $422,275 (the integer plan: $422,660), with the
  workforce cut from 80 to about 64 in January, no hiring, no overtime and no
  subcontracting.

The same case as tables of the data model: one family and SKU routed to one labour
pool (4 h/unit; workforce 80 x 160 h at $4/h, overtime $6/h up to 10 h a worker,
hiring $300, layoffs $500), an unlimited subcontract offer at $30 (blank
`monthly_cap_units`), material $10, a holding rate of 2 x 12 / 26 = 92.3 %/year of
the standard cost (material + 4 h x $4 = $26) = $2/unit-month, a backlog cost of
12.5 % of a $40 price = $5/unit-month, lost sales off, layoffs on, and an ending
inventory of 500 units (`ending_inventory = units`). The textbook's cost counts
wages, overtime, hiring, layoffs, material, subcontracting, holding and backlog;
the plan's cost lines for those terms are compared with it.
"""

from __future__ import annotations

import numpy as np
import pytest
from supply_helpers import one_product

from sop.supply.plan import solve_plan
from sop.supply.policy import END_UNITS, PRICE_LIST, SupplyPolicy

DEMAND = [1600, 3000, 3200, 3800, 2200, 2200]
PUBLISHED_LP_OPTIMUM = 422_275.0
PUBLISHED_INTEGER_OPTIMUM = 422_660.0
TEXTBOOK_TERMS = (
    "wages",
    "overtime",
    "hiring",
    "layoffs",
    "material",
    "subcontract",
    "holding",
    "backlog",
)
PRICE, MATERIAL, STANDARD = 40.0, 10.0, 10.0 + 4 * 4.0


def _red_tomato(policy_changes: dict | None = None):
    tables, demand = one_product(
        DEMAND,
        line_hours=None,
        price=PRICE,
        material=MATERIAL,
        on_hand=1000.0,
        ss_units=0.0,
        holding_pct=2.0 * 12 / STANDARD * 100,
        subcontract=(30.0, np.nan),
        labour={
            "workers": 80.0,
            "hpw": 160.0,
            "rate": 4.0,
            "ot_rate": 6.0,
            "hpu": 4.0,
            "max_ot": 10.0,
            "hiring": 300.0,
            "layoff": 500.0,
        },
    )
    policy = SupplyPolicy(
        horizon=6,
        price_basis=PRICE_LIST,
        backlog_cost_pct=5.0 / PRICE * 100,
        lost_sales_allowed=False,
        layoffs_allowed=True,
        ending_inventory=END_UNITS,
        ending_units=(("Fam", 500.0),),
        safety_stock_penalty_pct=0.0,
    ).replace(**(policy_changes or {}))
    return solve_plan(demand, tables, policy)


@pytest.fixture(scope="module")
def plan():
    return _red_tomato()


def test_the_published_optimum_is_reproduced_within_a_tenth_of_a_percent(plan) -> None:
    assert plan.ok, plan.explanation
    cost = plan.costs.set_index("term")["amount"]
    total = float(sum(cost[t] for t in TEXTBOOK_TERMS))
    assert total == pytest.approx(PUBLISHED_LP_OPTIMUM, rel=1e-3)
    # the LP relaxation can only be as cheap as the integer plan or cheaper
    assert total <= PUBLISHED_INTEGER_OPTIMUM
    # the plan's own quantities, costed at the textbook's rates, give the same total
    fp, crew = plan.family_plan, plan.resource_use.set_index("month")
    by_hand = (
        640 * crew["workers"].sum()
        + 6 * crew["overtime_hours"].sum()
        + 300 * crew["hires"].sum()
        + 500 * crew["layoffs"].sum()
        + 10 * fp["production"].sum()
        + 30 * fp["subcontracted"].sum()
        + 2 * fp["inventory"].sum()
        + 5 * fp["backlog"].sum()
    )
    assert by_hand == pytest.approx(total, rel=1e-9)


def test_the_plan_has_the_textbook_shape(plan) -> None:
    fp, crew = plan.family_plan, plan.resource_use
    workers = crew["workers"].to_numpy()
    assert 62 <= workers[0] <= 66  # cut from 80 in January ...
    assert np.allclose(workers, workers[0])  # ... and kept level
    assert crew["layoffs"].iloc[0] == pytest.approx(80 - workers[0])
    assert crew["hires"].sum() == pytest.approx(0, abs=1e-6)
    assert crew["overtime_hours"].sum() == pytest.approx(0, abs=1e-6)
    assert fp["subcontracted"].sum() == pytest.approx(0, abs=1e-6)
    assert fp["lost_sales"].sum() == pytest.approx(0, abs=1e-6)
    assert fp["inventory"].iloc[-1] == pytest.approx(500)  # the ending stock, exactly
    assert fp["backlog"].iloc[-1] == pytest.approx(0, abs=1e-6)
    # stock balances month by month from the 1,000 units on hand
    stock = 1000 + np.cumsum(fp["production"] + fp["subcontracted"] - fp["demand"])
    assert np.allclose(stock, fp["inventory"] - fp["backlog"])


def test_without_layoffs_or_an_ending_target_the_optimum_moves_the_right_way(plan) -> None:
    def total(result) -> float:
        cost = result.costs.set_index("term")["amount"]
        return float(sum(cost[t] for t in TEXTBOOK_TERMS))

    base = total(plan)
    no_layoffs = _red_tomato({"layoffs_allowed": False})
    assert no_layoffs.ok and total(no_layoffs) > base  # 80 idle-ish workers cost more
    assert no_layoffs.resource_use["workers"].min() == pytest.approx(80)
    more_stock = _red_tomato({"ending_units": (("Fam", 1500.0),)})
    assert more_stock.ok and total(more_stock) > base
    assert more_stock.family_plan["inventory"].iloc[-1] == pytest.approx(1500)
