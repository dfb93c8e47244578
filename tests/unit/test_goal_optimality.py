"""Goal seek finds the best lever set: no random or grid lever set that meets the
target does better, its answer re-solved as a scenario is the goal's plan, and a target
no lever can reach is reported with the best reachable value and what limits it.

The demo company (demand: the same month last year x 1.05, 18 months) and the target
"revenue at least the budget" over the budget's months. The levers: overtime
0..200 % of today's caps, subcontracting 0..300 %, hiring 0..20 people a month, extra
line hours 0..50 % at 60 an hour, and price -15..+15 % per family with a price
elasticity of -1.5 (a lower price sells more). bench/bench_goal.py runs the same
comparison with 2,000 random sets and a fine grid on the forecast demand.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest
from supply_helpers import with_consensus

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.goal.model import solve_inner
from sop.goal.solve import INFEASIBLE, MET, check, solve_goal
from sop.goal.spec import GoalSpec, LeverRange
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy
from sop.supply.targets import AT_LEAST, Target

HORIZON = 18
HOUR_COST = 60.0
LINEAR = (
    LeverRange("overtime", 0, 200),
    LeverRange("subcontract", 0, 300),
    LeverRange("hiring", 0, 20),
    LeverRange("extra_capacity", 0, 50, cost=HOUR_COST),
)
PRICE = LeverRange("price", -15, 15)
ELASTIC = Levers(price_elasticity=-1.5)
TOL = 1e-3  # the goal may trail a lever set by at most 0.1 % (its price search's step)


@pytest.fixture(scope="module")
def demo():
    tables = with_consensus(check_tables(build_demo()).tables, HORIZON)
    demand = loaded_consensus(tables, plan_months(as_of_month(tables), HORIZON))
    b = tables[schema.BUDGET]
    months = pd.DatetimeIndex(b[schema.MONTH]).strftime("%Y-%m")
    budget = Target(
        "revenue", AT_LEAST, float(b[schema.REVENUE].sum()), "", min(months), max(months)
    )
    return prepare_demand(demand), tables, SupplyPolicy(horizon=HORIZON), budget


@pytest.fixture(scope="module")
def goal(demo):
    base, tables, policy, budget = demo
    spec = GoalSpec((budget,), (*LINEAR, PRICE), ELASTIC)
    result = solve_goal(base, tables, policy, spec)
    assert result.status == MET, result.message
    return spec, result


def _meets(ev, target: Target) -> bool:
    return ev.ok and all(ok for *_, ok in check(ev, (target,)))


def _random_levers(rng, base, tables, budget: Target) -> Levers:
    """A lever set drawn uniformly within the goal's ranges (extra hours on a random
    share of the line-months, each 0..50 % at 60 an hour), with the budget as the
    scenario's target: its plan is the best meeting it at those levers."""
    res = tables[schema.RESOURCES]
    lines = res.loc[res[schema.KIND] == schema.KIND_LINE, schema.RESOURCE]
    months = sorted(pd.DatetimeIndex(base.fm[schema.MONTH]).strftime("%Y-%m").unique())
    density = rng.uniform()
    changes = tuple(
        (line, m, m, float(rng.uniform(0, 50)))
        for line in lines
        for m in months
        if rng.uniform() < density
    )
    return dataclasses.replace(
        ELASTIC,
        targets=(budget,),
        overtime_cap_pct=float(rng.uniform(0, 200)),
        subcontract_cap_pct=float(rng.uniform(0, 300)),
        hiring_limit=float(rng.uniform(0, 20)),
        capacity_changes=changes,
        added_hour_cost=HOUR_COST,
        price_family_pct=tuple((str(f), float(rng.uniform(-15, 15))) for f in base.families),
    )


def test_no_random_lever_set_meeting_the_target_beats_the_goal(demo, goal) -> None:
    base, tables, policy, budget = demo
    _, result = goal
    k = result.evaluation.kpis
    rng = np.random.default_rng(2015)
    met = 0
    for _ in range(150):
        ev = evaluate(
            base, tables, _random_levers(rng, base, tables, budget), policy, with_risk=False
        )
        if not _meets(ev, budget):
            continue
        met += 1
        assert k["objective"] >= ev.kpis["objective"] - TOL * abs(ev.kpis["objective"])
        assert k["gross_margin"] >= ev.kpis["gross_margin"] - TOL * abs(ev.kpis["gross_margin"])
    assert met >= 10  # enough of them meet the target for the comparison to say something


def test_a_three_lever_grid_does_not_beat_the_goal(demo) -> None:
    base, tables, policy, budget = demo
    fams = ("Cooling", "Heating")
    lo, hi = -30.0, 6.0
    spec = GoalSpec(
        (budget,),
        (LeverRange("overtime", 0, 200), LeverRange("price", lo, hi, names=fams)),
        ELASTIC,
    )
    result = solve_goal(base, tables, policy, spec)
    assert result.status == MET, result.message
    goal_margin = result.evaluation.kpis["gross_margin"]
    best, met = -np.inf, 0
    prices = np.linspace(lo, hi, 7)
    for ot, pc, ph in itertools.product((0.0, 100.0, 200.0), prices, prices):
        levers = dataclasses.replace(
            ELASTIC,
            targets=(budget,),
            overtime_cap_pct=ot,
            price_family_pct=((fams[0], float(pc)), (fams[1], float(ph))),
        )
        ev = evaluate(base, tables, levers, policy, with_risk=False)
        if _meets(ev, budget):
            met += 1
            best = max(best, ev.kpis["gross_margin"])
    assert met >= 3
    assert goal_margin >= best - TOL * abs(best)


def test_the_answer_as_a_scenario_is_the_goal_plan(demo, goal) -> None:
    base, tables, policy, budget = demo
    spec, result = goal
    # re-solved from its levers alone, as the Scenarios page would
    ev = evaluate(base, tables, result.levers, policy, with_risk=False)
    assert ev.ok, ev.plan.explanation
    assert result.levers.targets == (budget,)
    (value_ok,) = check(ev, (budget,))
    assert value_ok[2] and value_ok[1] >= budget.value * (1 - 1e-6)
    # the goal LP under the answer's price levers, the linear levers inside it
    outer = dataclasses.replace(
        result.levers, capacity_changes=spec.start.capacity_changes, targets=()
    )
    inner = solve_inner(base, tables, policy, spec, outer)
    assert inner.meets
    goal_objective = -inner.sol.objective
    for plan_objective in (ev.plan.stats["lp_objective"], ev.kpis["objective"]):
        assert plan_objective == pytest.approx(goal_objective, rel=1e-6)
    assert result.evaluation.kpis["objective"] == pytest.approx(goal_objective, rel=1e-6)


def test_a_target_no_lever_can_reach_is_reported_with_its_limits(demo) -> None:
    base, tables, policy, budget = demo
    far = dataclasses.replace(budget, value=10 * budget.value)
    spec = GoalSpec((far,), (*LINEAR, PRICE), ELASTIC)
    result = solve_goal(base, tables, policy, spec)
    assert result.status == INFEASIBLE
    assert not result.ok
    ((target, best),) = result.best
    assert target == far and np.isfinite(best) and 0 < best < far.value
    # no lever set the ranges allow does better than that best: every lever at the top
    # and every price at its lowest (demand rises most) still falls short
    ((_, reached, met),) = result.reached
    assert not met and reached <= best * (1 + 1e-6)
    ((_, limits),) = result.binding
    said = result.message.lower()
    assert limits or "demand" in said, (limits, result.message)
