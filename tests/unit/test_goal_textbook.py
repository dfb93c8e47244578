"""A textbook aggregate plan with a published optimum, reproduced by the goal solver.

Source: W. L. Winston, *Operations Research: Applications and Algorithms*, chapter 3
(linear programming), the Sailco Corporation example ("a multiperiod production
model"). The case, as published:
- demand for sailboats in the next four quarters: 40, 60, 75, 25;
- 10 boats in stock at the start of the first quarter;
- up to 40 boats a quarter on regular time at $400 a boat; any number on overtime at
  $450 a boat;
- $20 a boat held at the end of a quarter;
- every order must be met on time;
- the optimum: total cost $78,450, with regular-time production 40, 40, 40, 25 and
  overtime production 0, 10, 35, 0 (stock at the quarters' ends 10, 0, 0, 0).

The same case as tables of the data model (`supply_helpers.one_product`): each quarter
is a plan month; one family and SKU on one line counted in hours, 1 hour a boat,
40 regular hours a month at $400 an hour (the line's regular hours are paid as used,
so a boat on regular time costs $400) and overtime at $450 an hour (the plan pays the
$50 premium on top of the regular rate: $450 a boat) up to 1,000 hours; material $0;
a holding rate of 60 %/year of the $400 unit cost = $20 a boat a month on month-end
stock, as in the book; no safety stock; a price of $1,000 a boat, so serving pays.
Backlog and lost sales are allowed at their usual costs, and without a target the
plan does backlog: 15 boats of quarter 3 are cheaper to ship late than on overtime.
"Every order met on time" is the goal's target, on-time rate at least 100 %, with the
overtime lever 0..300 % of the 1,000-hour cap. The book's cost counts regular
production, overtime and holding: the plan's material, line_hours, overtime and
holding cost lines. The optimum is unique (moving a boat earlier costs $20 of holding,
later breaks the on-time target, and every regular hour of quarters 1-3 saves $50 of
overtime), so the split per quarter is asserted, not only the cost.
"""

from __future__ import annotations

import numpy as np
import pytest
from supply_helpers import one_product

from sop.goal.solve import INFEASIBLE, MET, solve_goal
from sop.goal.spec import GoalSpec, LeverRange
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy
from sop.supply.targets import AT_LEAST, Target

DEMAND = [40, 60, 75, 25]
PUBLISHED_COST = 78_450.0
REGULAR = [40, 40, 40, 25]
OVERTIME = [0, 10, 35, 0]
BOOK_TERMS = ("material", "line_hours", "overtime", "holding")
ON_TIME = Target("on_time_rate", AT_LEAST, 1.0)
POLICY = SupplyPolicy(horizon=4)


@pytest.fixture(scope="module")
def sailco():
    tables, demand = one_product(
        DEMAND,
        line_hours=40.0,
        hpu=1.0,
        price=1000.0,
        material=0.0,
        line_rate=400.0,
        ot_rate=450.0,
        max_ot=1000.0,
        on_hand=10.0,
        ss_units=0.0,
        holding_pct=20.0 * 12 / 400.0 * 100,
    )
    return prepare_demand(demand), tables


def _book_cost(plan) -> float:
    cost = plan.costs.set_index("term")["amount"]
    return float(sum(cost[t] for t in BOOK_TERMS))


def test_the_goal_reproduces_the_published_optimum(sailco) -> None:
    base, tables = sailco
    spec = GoalSpec((ON_TIME,), (LeverRange("overtime", 0, 300),), Levers(overtime_cap_pct=0.0))
    result = solve_goal(base, tables, POLICY, spec)
    assert result.status == MET, result.message
    plan = result.evaluation.plan
    assert _book_cost(plan) == pytest.approx(PUBLISHED_COST, abs=1.0)
    fp, ru = plan.family_plan, plan.resource_use
    overtime = ru["overtime_hours"].to_numpy()
    regular = fp["production"].to_numpy() - overtime
    assert np.allclose(overtime, OVERTIME, atol=1e-6)
    assert np.allclose(regular, REGULAR, atol=1e-6)
    assert np.allclose(fp["inventory"], [10, 0, 0, 0], atol=1e-6)
    assert fp["backlog"].sum() == pytest.approx(0, abs=1e-6)
    assert fp["lost_sales"].sum() == pytest.approx(0, abs=1e-6)
    # the book's cost from the plan's own quantities
    by_hand = 400 * regular.sum() + 450 * overtime.sum() + 20 * fp["inventory"].sum()
    assert by_hand == pytest.approx(_book_cost(plan), rel=1e-9)
    # the answer as a scenario: the overtime cap set to what the plan used (35 of 1,000 h)
    assert result.levers.overtime_cap_pct == pytest.approx(3.5, rel=1e-6)
    assert result.levers.targets == (ON_TIME,)


def test_without_the_target_the_plan_ships_late_and_costs_less(sailco) -> None:
    base, tables = sailco
    ev = evaluate(base, tables, Levers(), POLICY, with_risk=False)
    assert ev.ok
    assert ev.kpis["on_time_rate"] < 1.0
    assert ev.plan.family_plan["backlog"].sum() > 0
    assert _book_cost(ev.plan) < PUBLISHED_COST


def test_without_overtime_the_target_is_out_of_reach(sailco) -> None:
    base, tables = sailco
    spec = GoalSpec((ON_TIME,), (LeverRange("overtime", 0, 0),), Levers())
    result = solve_goal(base, tables, POLICY, spec)
    assert result.status == INFEASIBLE
    # 40 boats a quarter and 10 in stock: quarter 2 is 10 short and quarter 3 is 35
    # short, whatever is done; 155 of the 200 boats can be on time at best
    ((_, best),) = result.best
    assert best == pytest.approx(155 / 200, abs=1e-6)
    ((_, limits),) = result.binding
    assert limits and limits[0].name == "L1"
