"""Targets as rows of the plan LP (`sop.supply.targets`): each row's figure is the
books' figure, a binding target moves the plan, an impossible one is missed, not an
error."""

from __future__ import annotations

import numpy as np
import pytest
from supply_helpers import with_consensus

from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.finance.kpis import plan_kpis
from sop.scenario.apply import apply_tables
from sop.scenario.levers import Levers
from sop.supply import lp
from sop.supply.inputs import prepare
from sop.supply.plan import OPTIMAL, SupplyPolicy, solve_inputs
from sop.supply.standard import unit_cost
from sop.supply.targets import Target, measure, met, rows

HORIZON = 18
LOOSE = -1e13  # at least this (at most minus this): never binds


@pytest.fixture(scope="module")
def demo():
    tables = with_consensus(check_tables(build_demo()).tables, HORIZON)
    return tables, loaded_consensus(tables, plan_months(as_of_month(tables), HORIZON))


def _solve(demo, targets, levers=None):
    tables, demand = demo
    t = apply_tables(tables, levers or Levers())
    inp = prepare(demand, t, SupplyPolicy())
    return inp, solve_inputs(inp, SupplyPolicy(), sku_detail=False, targets=targets)


FIGURES = [
    Target("revenue", ">=", 0.0),
    Target("revenue", ">=", 0.0, family="Cooling", start="2027-06", end="2027-08"),
    Target("gross_margin", ">=", LOOSE),
    Target("gross_margin", ">=", LOOSE, start="2027-03", end="2027-09"),
    Target("ending_inventory_value", "<=", -LOOSE, family="Garden", end="2027-05"),
    Target("ending_inventory_value", "<=", -LOOSE),
    Target("overtime_hours", "<=", -LOOSE, start="2027-01", end="2027-12"),
]


def test_each_row_is_the_books_figure(demo) -> None:
    """sum(row x solution) + its constant = the figure the books give the same plan."""
    inp, plan = _solve(demo, tuple(FIGURES))
    assert plan.status == OPTIMAL
    sol = lp.build_and_solve(inp, SupplyPolicy(), tuple(FIGURES))
    big = lp._big_penalty(inp)
    line = lp._line_cost(inp)
    hpw = inp.workforce["hours_per_worker"].to_numpy(dtype=float, na_value=0.0)
    space, col = lp._columns(
        inp, SupplyPolicy(), line, lp._ending_value(inp, line), big, hpw, None, len(FIGURES)
    )
    x = np.zeros(space.size)
    for name, idx in col.items():
        x[idx] = sol.values[name]
    cost = space.arrays()[2]
    found = rows(
        inp,
        SupplyPolicy(),
        col,
        {k: cost[i] for k, i in col.items()},
        tuple(FIGURES),
        unit_cost(inp),
    )
    for t, r in zip(FIGURES, found):
        # the bound is the value less the row's constant
        const = t.value - (r.lo if t.sense == ">=" else r.hi)
        figure = float(x[r.cols] @ r.vals) + const
        books = measure(plan, t)
        assert figure == pytest.approx(books, rel=1e-7, abs=1e-3), t


def test_a_binding_on_time_target_is_met_at_a_cost(demo) -> None:
    """A cut line makes the best-margin plan late; asked for 100 % on time, the plan
    builds ahead or works overtime: it is on time on the books, and earns less."""
    # -55 %: the plan draws safety stock before an order waits, so -40 % is all on time
    cut = Levers(capacity_changes=(("RS-ASM1", "2027-04", "2027-08", -55.0),))
    _, free = _solve(demo, (), cut)
    want = Target("on_time_rate", ">=", 1.0)
    before = measure(free, want)
    assert before < 0.999
    _, held = _solve(demo, (want,), cut)
    assert held.status == OPTIMAL and held.stats["targets_missed"] == 0
    assert met(measure(held, want), want)
    products = demo[0]["products"]
    assert plan_kpis(held, products)["objective"] < plan_kpis(free, products)["objective"]


def test_an_impossible_target_is_missed_not_an_error(demo) -> None:
    _, plan = _solve(demo, ())
    rev = measure(plan, Target("revenue", ">=", 0))
    want = Target("revenue", ">=", 10 * rev)
    _, asked = _solve(demo, (want,))
    assert asked.status == OPTIMAL
    assert asked.stats["targets_missed"] == 1
    assert not met(measure(asked, want), want)


@pytest.mark.parametrize(
    "bad, words",
    [
        (Target("revnue", ">=", 1), "did you mean revenue"),
        (Target("on_time_rate", "<=", 0.9), "at least"),
        (Target("on_time_rate", ">=", 98), "outside 0 .. 1"),
        (Target("gross_margin", ">=", 1, family="Cooling"), "company only"),
        (Target("revenue", ">=", 1, start="2027-05", end="2027-01"), "before"),
    ],
)
def test_bad_targets_say_what_is_wrong(bad, words) -> None:
    assert any(words in p for p in bad.problems())


def test_a_target_on_an_unknown_family_is_invalid_not_a_crash(demo) -> None:
    _, plan = _solve(demo, (Target("revenue", ">=", 1, family="Nope"),))
    assert plan.status == "invalid" and "Nope" in plan.explanation
