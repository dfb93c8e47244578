"""The overtime lever of a shortfall holds the hours it asks for against the overtime
the data still allows that month on each binding resource: past the cap it says to
raise the cap, by how much and in which field (a line's `max_overtime_hours`, a labour
pool's `max_overtime_per_worker`), instead of asking for more overtime than may be
worked. Within the cap it reads as before."""

from __future__ import annotations

import numpy as np
import pytest
from supply_helpers import one_product

from sop.core import schema
from sop.supply import remedies, remedy_text
from sop.supply.explain import resource_grid
from sop.supply.plan import OPTIMAL, solve_plan, solve_plan_and_inputs
from sop.supply.policy import SupplyPolicy

NO_BACKLOG = SupplyPolicy(backlog_allowed=False)


def _gap(units: float, policy: SupplyPolicy = NO_BACKLOG, **kw):
    """The one shortfall of a one-month plan for `units` of P1."""
    tables, demand = one_product([units], **kw)
    plan = solve_plan(demand, tables, policy)
    assert plan.status == OPTIMAL, plan.explanation
    assert len(plan.shortfalls) == 1
    return plan, plan.shortfalls.iloc[0]


def test_overtime_past_the_line_cap_asks_to_raise_it() -> None:
    # 100 h of L1 against 150 units (1 h each); 20 h of overtime allowed, at 200 - 10
    # = 190 extra an hour, more than a lost unit costs (60): the plan works none of it
    plan, gap = _gap(150.0, max_ot=20.0, ot_rate=200.0)
    ru = plan.resource_use.iloc[0]
    assert (ru["overtime_hours"], ru["max_overtime_hours"]) == pytest.approx((0.0, 20.0))
    assert (gap["kind"], gap["units"]) == ("lost sales", pytest.approx(50.0))
    # 50 h are needed, 20 h may be worked: it used to say "(L1 +50 h)"
    assert gap["lever"] == (
        "add overtime in Jan 2027 (L1 +20 h to its cap) and raise the overtime cap of L1 "
        "from 20 to 50 h (max_overtime_hours in resources)"
    )
    assert gap["lever_cost_per_unit"] == pytest.approx(190.0)  # the premium, as before
    assert gap["lever"] in gap["why"]


def test_overtime_all_used_names_only_the_cap() -> None:
    # overtime at 25 - 10 = 15 extra: the plan works all 20 h and still loses 30 units
    plan, gap = _gap(150.0, max_ot=20.0, ot_rate=25.0)
    assert plan.resource_use["overtime_hours"].iloc[0] == pytest.approx(20.0)
    assert gap["units"] == pytest.approx(30.0)
    assert gap["lever"] == (
        "raise the Jan 2027 overtime cap of L1 from 20 to 50 h (max_overtime_hours in resources)"
    )


def test_overtime_within_the_cap_reads_as_before() -> None:
    _, gap = _gap(110.0, max_ot=20.0, ot_rate=200.0)
    assert gap["units"] == pytest.approx(10.0)
    assert gap["lever"] == "add overtime in Jan 2027 (L1 +10 h)"


def test_overtime_off_still_holds_the_data_cap() -> None:
    policy = SupplyPolicy(backlog_allowed=False, overtime_allowed=False)
    _, gap = _gap(150.0, policy, max_ot=20.0, ot_rate=25.0)
    assert gap["units"] == pytest.approx(50.0)
    assert gap["lever"] == (
        "allow overtime in Jan 2027 (L1 +20 h to its cap) and raise the overtime cap of "
        "L1 from 20 to 50 h (max_overtime_hours in resources)"
    )


def test_labour_pool_cap_is_per_worker() -> None:
    # a crew of 2 x 100 h with 10 h of overtime each (20 h) at 200 an hour; hiring
    # dearer still (a 1,000,000 hiring cost): overtime is the cheapest lever
    crew = {"workers": 2.0, "hpw": 100.0, "max_ot": 10.0, "ot_rate": 200.0, "hiring": 1e6}
    _, gap = _gap(250.0, line_hours=None, labour=crew)
    assert gap["units"] == pytest.approx(50.0)
    assert gap["lever"] == (
        "add overtime in Jan 2027 (LAB +20 h to its cap) and raise the overtime cap of "
        "LAB from 10.0 to 25.0 h a worker at 2 workers (max_overtime_per_worker in workforce)"
    )
    assert gap["lever_cost_per_unit"] == pytest.approx(200.0)


def test_every_binding_resource_is_held_to_its_own_cap() -> None:
    # the route runs on L1 (20 h of overtime left) and LAB (2 workers x 10 h); a gap
    # of 30 units needs 30 h on each: L1 must raise its cap by 10 h, LAB by 10 h
    crew = {"workers": 2.0, "hpw": 100.0, "max_ot": 10.0, "ot_rate": 200.0, "hiring": 1e6}
    tables, demand = one_product([100.0], max_ot=20.0, ot_rate=200.0, labour=crew)
    plan, inp = solve_plan_and_inputs(demand, tables, NO_BACKLOG)
    assert plan.status == OPTIMAL and inp is not None
    ru_g = {c: resource_grid(plan.resource_use, inp, c) for c in remedies.GRID_COLUMNS}
    res_b = np.arange(len(inp.res))
    names = list(inp.res[schema.RESOURCE])
    assert names == ["L1", "LAB"]
    text = remedy_text.overtime_text(
        inp, ru_g, NO_BACKLOG, 0, res_b, np.array([30.0, 30.0]), np.array([1.0, 1.0])
    )
    assert text == (
        "add overtime in Jan 2027 (L1 +20 h to its cap, LAB +20 h to its cap) and raise "
        "the overtime cap of L1 from 20 to 30 h (max_overtime_hours in resources) and of "
        "LAB from 10.0 to 15.0 h a worker at 2 workers (max_overtime_per_worker in workforce)"
    )
    fits = remedy_text.overtime_text(
        inp, ru_g, NO_BACKLOG, 0, res_b, np.array([15.0, 20.0]), np.array([1.0, 1.0])
    )
    assert fits == "add overtime in Jan 2027 (L1 +15 h, LAB +20 h)"
