"""The Goal answer turns a switch back on only when its plan uses the lever.

The goal LP has every allowed linear lever on at the top of its range; a starting
scenario with overtime, subcontracting or hiring off must not get an answer that says
"Overtime: off -> on" while its plan works no overtime hour. One product on line L1
(100 h a month, 1 h a unit, overtime 20 h a month at 25 an hour), a subcontract offer
(70 a unit, 40 a month) and a crew LAB (1 worker of 150 h, hires at 200): with demand
80 a month nothing extra is needed; with 100, 100, 130 the third month needs 30 units
more, cheapest on overtime (150 % of today's 20 h cap).
"""

from __future__ import annotations

import dataclasses

import pytest
from supply_helpers import one_product

from sop.goal import model
from sop.goal.solve import MET, solve_goal
from sop.goal.spec import GoalSpec, LeverRange
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy
from sop.supply.targets import AT_LEAST, Target

POLICY = SupplyPolicy(horizon=3)
ON_TIME = Target("on_time_rate", AT_LEAST, 1.0)
ALL_OFF = Levers(overtime_allowed=False, subcontract_allowed=False, hiring_allowed=False)
LEVERS = (
    LeverRange("overtime", 0, 200),
    LeverRange("subcontract", 0, 300),
    LeverRange("hiring", 0, 5),
)
CREW = {"workers": 1.0, "hpw": 150.0, "hiring": 200.0, "rate": 1.0}


def _company(units: list[float]):
    tables, demand = one_product(
        units, max_ot=20.0, subcontract=(70.0, 40.0), labour=CREW, holding_pct=12.0
    )
    return prepare_demand(demand), tables


def _solve(units: list[float], start: Levers = ALL_OFF):
    base, tables = _company(units)
    spec = GoalSpec((ON_TIME,), LEVERS, start=start)
    return base, tables, spec, solve_goal(base, tables, POLICY, spec)


def _same_kpis(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], rel=1e-9, abs=1e-9, nan_ok=True), key


@pytest.fixture(scope="module")
def idle():
    return _solve([80.0, 80.0, 80.0])


@pytest.fixture(scope="module")
def short():
    return _solve([100.0, 100.0, 130.0])


def test_unused_levers_stay_off_and_are_not_said_to_move(idle) -> None:
    base, tables, spec, result = idle
    assert result.status == MET, result.message
    lv = result.levers
    assert not lv.overtime_allowed and not lv.subcontract_allowed and not lv.hiring_allowed
    # the caps and limit of a lever left off are the starting scenario's
    assert (lv.overtime_cap_pct, lv.subcontract_cap_pct, lv.hiring_limit) == (100.0, 100.0, -1.0)
    moved = " ".join(result.moves).lower()
    for word in ("overtime", "subcontract", "hire"):
        assert word not in moved, result.moves
    assert result.message.endswith(
        "Allowed but not needed, so left off as in the starting scenario: overtime, "
        "subcontracting, hiring"
    )
    # the plan with every lever on is no better: same margin, targets met the same
    on = dataclasses.replace(
        lv, overtime_allowed=True, subcontract_allowed=True, hiring_allowed=True
    )
    ev_on = evaluate(base, tables, on, POLICY, with_risk=False)
    for key in ("gross_margin", "objective", "on_time_rate"):
        assert result.evaluation.kpis[key] == pytest.approx(ev_on.kpis[key], rel=1e-6)


def test_a_lever_the_plan_needs_is_turned_on_and_said(short) -> None:
    *_, result = short
    assert result.status == MET, result.message
    lv = result.levers
    assert lv.overtime_allowed
    assert lv.overtime_cap_pct == pytest.approx(150.0, rel=1e-6)  # 30 h of a 20 h cap
    assert result.moves[:2] == ["Overtime: off -> on", "Overtime caps: 100 % -> 150 % of today's"]
    assert result.evaluation.plan.resource_use["overtime_hours"].sum() == pytest.approx(30.0)
    # subcontracting (70 a unit) and hiring (200 a hire) are dearer than overtime: unused
    assert not lv.subcontract_allowed and not lv.hiring_allowed
    assert not any("Subcontracting" in m or "Hiring" in m for m in result.moves)
    assert result.message.endswith("starting scenario: subcontracting, hiring")


def test_a_lever_already_on_is_left_as_the_start_had_it() -> None:
    start = dataclasses.replace(ALL_OFF, subcontract_allowed=True, subcontract_cap_pct=50.0)
    *_, result = _solve([80.0, 80.0, 80.0], start)
    assert result.status == MET, result.message
    assert result.levers.subcontract_allowed and result.levers.subcontract_cap_pct == 50.0
    assert "subcontracting" not in result.message


@pytest.mark.parametrize("case", ["idle", "short"])
def test_the_answer_is_its_levers_plain_evaluation(case, request) -> None:
    """The tiles (result.evaluation), the moves (made from it) and the scenario saved
    (result.levers) are one scenario: its plain evaluation gives the same KPIs."""
    base, tables, _, result = request.getfixturevalue(case)
    assert result.evaluation.levers == result.levers
    plain = evaluate(base, tables, result.levers, POLICY, with_risk=False)
    _same_kpis(result.evaluation.kpis, plain.kpis)
    assert all(ok for *_, ok in result.reached)


def test_a_switch_left_off_that_would_change_the_plan_is_turned_on(idle, monkeypatch) -> None:
    """`settle` keeps a switch off only when the plan with it on is the same: made to
    differ here (as if the switch moved the margin), the answer has every lever on."""
    base, tables, spec, _ = idle
    inner = model.solve_inner(base, tables, POLICY, spec, spec.start)
    assert model.kept_off(spec, inner) == {"overtime", "subcontract", "hiring"}
    real = model.evaluate

    def shifted(base, tables, levers, policy, with_risk=True):
        ev = real(base, tables, levers, policy, with_risk=with_risk)
        if levers.overtime_allowed:
            ev.kpis["gross_margin"] *= 1 + 1e-5
        return ev

    monkeypatch.setattr(model, "evaluate", shifted)
    levers, ev = model.settle(base, tables, POLICY, spec, inner)
    assert levers.overtime_allowed and levers.subcontract_allowed and levers.hiring_allowed
    assert ev.levers == levers
    monkeypatch.setattr(model, "SAME", 1e-4)  # within the tolerance: left off
    levers, _ = model.settle(base, tables, POLICY, spec, inner)
    assert not levers.overtime_allowed


def test_plans_without_prices_compare_alike() -> None:
    """Review: without prices the margins are NaN in both plans; NaN != NaN made every
    switch go back on (and paid for a second evaluation) on unpriced data."""
    from types import SimpleNamespace

    from sop.goal.model import _same

    nan = float("nan")
    a = SimpleNamespace(ok=True, kpis={"gross_margin": nan, "objective": -100.0}, plan=None)
    b = SimpleNamespace(ok=True, kpis={"gross_margin": nan, "objective": -100.0}, plan=None)
    assert _same(a, b, ())
    c = SimpleNamespace(ok=True, kpis={"gross_margin": nan, "objective": -90.0}, plan=None)
    assert not _same(a, c, ())
