"""Fast price moves (`sop.goal.reprice`): exact on the demo, refused where they would
not be (safety stock in units), and a goal solved with them is the goal solved
without."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from supply_helpers import with_consensus

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.goal import solve as goal_solve
from sop.goal.reprice import Repricer, reprice, same
from sop.goal.spec import GoalSpec, LeverRange
from sop.scenario.evaluate import prepare_demand
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy
from sop.supply.targets import Target

HORIZON = 18
MOVED = Levers(
    price_elasticity=-1.5, price_family_pct=(("Cooling", 7.5), ("Garden", -12.0), ("Heating", 2.0))
)


@pytest.fixture(scope="module")
def demo():
    tables = with_consensus(check_tables(build_demo()).tables, HORIZON)
    demand = loaded_consensus(tables, plan_months(as_of_month(tables), HORIZON))
    return prepare_demand(demand), tables, SupplyPolicy(horizon=HORIZON)


def test_a_price_move_on_prepared_inputs_is_the_full_preparation(demo) -> None:
    rp = Repricer(*demo)
    still = dataclasses.replace(MOVED, price_family_pct=())
    fast = reprice(rp.full(still)[0], MOVED)
    full = rp.full(MOVED)[0]
    assert same(fast, full)
    assert not np.allclose(fast.demand, rp.full(still)[0].demand)  # it did move
    families = [str(f) for f in demo[0].families]
    assert rp.check(still, families) and rp.fast


def test_safety_stock_in_units_keeps_the_full_path(demo) -> None:
    """Stock in units does not follow demand: the check finds the difference."""
    base, tables, policy = demo
    inv = tables[schema.INVENTORY].copy()
    inv[schema.SAFETY_STOCK_MONTHS] = np.nan
    inv[schema.SAFETY_STOCK_UNITS] = 100.0
    rp = Repricer(base, {**tables, schema.INVENTORY: inv}, policy)
    still = dataclasses.replace(MOVED, price_family_pct=())
    assert not same(reprice(rp.full(still)[0], MOVED), rp.full(MOVED)[0])
    assert not rp.check(still, [str(f) for f in base.families])


def test_a_goal_with_fast_price_moves_is_the_goal_without(demo, monkeypatch) -> None:
    base, tables, policy = demo
    spec = GoalSpec(
        (Target("on_time_rate", ">=", 0.99),),
        (LeverRange("overtime", 0, 200), LeverRange("price", -10, 10)),
        Levers(price_elasticity=-1.5, demand_pct=20.0),
    )
    fast = goal_solve.solve_goal(base, tables, policy, spec)
    monkeypatch.setattr(Repricer, "check", lambda self, levers, families: False)
    slow = goal_solve.solve_goal(base, tables, policy, spec)
    assert fast.levers == slow.levers
    assert fast.evaluation.kpis["objective"] == pytest.approx(slow.evaluation.kpis["objective"])
