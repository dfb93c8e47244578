"""The words of a shortfall's remedy read right to a planner: a subcontract offer the
plan buys nothing from is raised, not bought "more" from (it read "allow subcontracting
and buy 1,900 more units from SUB-CL and raise its cap from 1,900 to 13,841 units a
month", as if 1,900 + 13,841); hires and hiring limits are whole people, rounded up
(it read "hire 14.4 workers"), and the lever's cost is that of the people hired; the
Supply page's Costs table says every basis in plain words, no module names."""

from __future__ import annotations

import re

import pytest
from supply_helpers import first_gap, one_product, with_consensus

from sop.core.months import as_of_month, plan_months
from sop.supply.plan import OPTIMAL, solve_plan
from sop.supply.policy import SupplyPolicy
from sop.supply.results import COST_TERMS, SUBCONTRACTED

FIELD = "monthly_cap_units in supply_options"
RAISE_SUB = f"raise the cap of SUB from 40 to 50 units a month ({FIELD})"
HIRES = "max_hires_per_month in workforce"
# a fraction of a person in a lever: "hire 14.4 workers", "from 5.0 to 9.5 hires"
FRACTION = re.compile(r"\d\.\d+ (?:workers?|hires?)\b")


def _bought(plan) -> float:
    return float(plan.family_plan[SUBCONTRACTED].sum())


@pytest.mark.parametrize(
    ("allowed", "steps"),
    [
        (False, f"allow subcontracting and {RAISE_SUB}"),
        (True, RAISE_SUB),
    ],
)
def test_an_offer_the_plan_buys_nothing_from_is_raised_not_bought_more(
    allowed: bool, steps: str
) -> None:
    # 150 of P1 on L1's 100 h; SUB sells up to 40 a month at 150, dearer than a lost
    # unit: the plan buys none (or may not) and loses 50. The new cap holds the gap's 50
    tables, demand = one_product([150.0], ot_rate=200.0, subcontract=(150.0, 40.0))
    policy = SupplyPolicy(backlog_allowed=False, subcontract_allowed=allowed)
    plan = solve_plan(demand, tables, policy)
    assert plan.status == OPTIMAL, plan.explanation
    assert _bought(plan) == pytest.approx(0.0)
    gap = plan.shortfalls.iloc[0]
    assert gap["units"] == pytest.approx(50.0)
    assert gap["lever"] == f"subcontract 50 units in Jan 2027: {steps}"
    assert "more" not in gap["lever"]


def test_an_offer_the_plan_buys_from_says_how_many_more_on_top_of_what() -> None:
    # SUB at 60 a unit earns more than it costs: the plan buys all 40 it may and still
    # loses 10; the raise holds the plan's 40 and the gap's 10
    tables, demand = one_product([150.0], ot_rate=200.0, subcontract=(60.0, 40.0))
    plan = solve_plan(demand, tables, SupplyPolicy(backlog_allowed=False))
    assert plan.status == OPTIMAL, plan.explanation
    assert _bought(plan) == pytest.approx(40.0)
    gap = plan.shortfalls.iloc[0]
    assert gap["units"] == pytest.approx(10.0)
    assert gap["lever"] == (
        "subcontract 10 units in Jan 2027: buy 10 more units from SUB on top of the 40 the "
        f"plan buys and raise its cap from 40 to 50 units a month ({FIELD})"
    )


def test_an_offer_within_its_cap_is_named_without_more() -> None:
    # subcontracting off, the gap of 30 fits SUB's 40: allow it and buy them from SUB
    tables, demand = one_product([130.0], ot_rate=200.0, subcontract=(150.0, 40.0))
    off = SupplyPolicy(backlog_allowed=False, subcontract_allowed=False)
    gap = first_gap(demand, tables, off)
    assert gap["lever"] == (
        "subcontract 30 units in Jan 2027: allow subcontracting and buy them from SUB"
    )
    gap = first_gap(demand, tables, SupplyPolicy(backlog_allowed=False))
    assert gap["lever"] == "subcontract 30 units in Jan 2027: buy them from SUB"


# a crew of 2 x 100 h (1 h a unit); a hire costs 200, spread over the months left;
# overtime at 500 an hour is dearer than any hire
CREW = {"workers": 2.0, "hpw": 100.0, "hiring": 200.0, "rate": 10.0, "ot_rate": 500.0}


def test_hires_and_the_hiring_limit_are_whole_people_rounded_up() -> None:
    # 200 then 250 units: February needs 50 h more, half a worker; hiring capped at 0.
    # A half person cannot be hired: one worker, and the lever costs that worker's
    # month (100 h x (10 + 200 / 100 h)) over the gap's 50 units
    tables, demand = one_product(
        [200.0, 250.0], line_hours=None, holding_pct=100.0, labour=CREW | {"max_hires": 0.0}
    )
    gap = first_gap(demand, tables, SupplyPolicy(backlog_allowed=False))
    assert gap["units"] == pytest.approx(50.0)
    assert gap["lever"] == (
        f"raise the hiring limit of LAB from 0 to 1 hire a month ({HIRES}) and hire 1 worker "
        "for LAB from Feb 2027"
    )
    assert gap["lever_cost_per_unit"] == pytest.approx(100 * 12.0 / 50)


def test_the_plans_own_fractional_hires_round_the_new_limit_up() -> None:
    # a hire costs 10 + 20 / 100 h = 10.2 an hour, less than a lost unit: the plan hires
    # the 0.25 a month allowed and still loses 25 in February; the limit must hold the
    # plan's 0.25 and the one worker the gap hires: 1.25, so 2 whole people
    tables, demand = one_product(
        [200.0, 300.0], line_hours=None, holding_pct=100.0, labour=CREW | {"max_hires": 0.25}
    )
    plan = solve_plan(demand, tables, SupplyPolicy(backlog_allowed=False))
    assert plan.status == OPTIMAL, plan.explanation
    assert list(plan.resource_use["hires"]) == pytest.approx([0.25, 0.25])
    gap = plan.shortfalls.iloc[0]
    assert gap["lever"] == (
        f"raise the hiring limit of LAB from 0.25 to 2 hires a month ({HIRES}; 1 hire for this "
        "gap and the 0.25 hires the plan has that month, 1.25 in all, rounded up to whole "
        "people) and hire 1 worker for LAB from Feb 2027"
    )


def test_the_demo_short_of_supply_reads_in_whole_people_and_exact_buys() -> None:
    # the review's case: demand +30 %, RS-ASM1 shut Jan-Oct 2027, no overtime, no
    # subcontracting. It read "hire 14.4 workers" and "allow subcontracting and buy
    # 1,900 more units from SUB-CL and raise its cap from 1,900 to 9,942 units a month"
    from sop.data.demo import build_demo
    from sop.data.validate import check_tables
    from sop.demand.plan import loaded_consensus
    from sop.scenario.evaluate import evaluate, prepare_demand
    from sop.scenario.levers import Levers

    tables = with_consensus(check_tables(build_demo()).tables, 18)
    demand = prepare_demand(loaded_consensus(tables, plan_months(as_of_month(tables), 18)))
    levers = Levers(
        demand_pct=30.0,
        capacity_changes=(("RS-ASM1", "2027-01", "2027-10", -100.0),),
        overtime_allowed=False,
        subcontract_allowed=False,
    )
    ev = evaluate(demand, tables, levers, SupplyPolicy(horizon=18))
    assert ev.ok
    levers_text = ev.plan.shortfalls["lever"].tolist()
    assert any("hire" in t for t in levers_text) and any("SUB-CL" in t for t in levers_text)
    assert [t for t in levers_text if FRACTION.search(t)] == []
    # subcontracting is off: the plan buys nothing, so no lever buys "more"
    assert _bought(ev.plan) == pytest.approx(0.0)
    assert [t for t in levers_text if "more units from" in t] == []
    # a lone gap's raise is the gap itself: "subcontract 9,942 units ... to 9,942 units"
    for text in levers_text:
        lone = re.fullmatch(
            r"subcontract ([\d,]+) units in \w+ \d{4}: allow subcontracting and raise the cap "
            rf"of SUB-CL from 1,900 to ([\d,]+) units a month \({FIELD}\)",
            text,
        )
        if lone:
            assert lone.group(1) == lone.group(2)
    hiring = [t for t in levers_text if " hire " in f" {t}"]
    assert hiring and all(re.search(r"hire \d+ workers? for", t) for t in hiring)


def test_every_cost_basis_reads_in_plain_words() -> None:
    # the Revenue row read "price x units booked (`sop.supply.standard`)"
    for term, label, _, basis in COST_TERMS:
        assert "`" not in basis and "sop." not in basis and "_" not in basis, (term, basis)
        assert basis and not basis[0].isupper(), (label, basis)
    revenue = dict((t, b) for t, _, _, b in COST_TERMS)["revenue"]
    assert revenue.startswith("price x units shipped")
