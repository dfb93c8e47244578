"""The shortfall list's remedies hold when supply is short for reasons other than line
hours: hiring the data caps at 0 a month is not offered as if it were open, a pre-build
pays for the overtime it needs, a limit in units has no made-up cost (no inf on screen
or in JSON), and the late units of the list reconcile with the on-time KPI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from supply_helpers import family_capacity, first_gap, one_product, shut_in

from sop.core import schema
from sop.data import defaults
from sop.scenario import shortfall
from sop.supply import service
from sop.supply import shortfalls as supply_shortfalls
from sop.supply.export import records
from sop.supply.plan import OPTIMAL, solve_plan
from sop.supply.policy import SupplyPolicy
from sop.supply.results import BACKLOG, BELOW_SS, DEMAND, LOST

CREW = {"workers": 2.0, "hpw": 100.0, "hiring": 200.0, "rate": 10.0}


def _crew_plan(max_hires: float, hiring: bool = True, ot_rate: float = 15.0):
    # a crew of 2 x 100 h (1 h a unit) against 200 then 300 units: February needs a
    # third worker
    labour = CREW | {"max_hires": max_hires, "ot_rate": ot_rate}
    tables, demand = one_product([200, 300], line_hours=None, holding_pct=100.0, labour=labour)
    policy = SupplyPolicy(hiring_allowed=hiring, backlog_allowed=False)
    plan = solve_plan(demand, tables, policy)
    assert plan.status == OPTIMAL, plan.explanation
    return plan


def test_hiring_the_data_caps_says_raise_the_cap_first() -> None:
    plan = _crew_plan(max_hires=0.0)
    gap = plan.shortfalls.iloc[0]
    assert (gap["kind"], gap["units"]) == ("lost sales", pytest.approx(100.0))
    assert gap["lever"] == (
        "raise the hiring limit of LAB from 0 to 1 hire a month (max_hires_per_month in "
        "workforce) and hire 1 worker for LAB from Feb 2027"
    )
    # the hire still costs its wage + hiring cost over the month left: 10 + 200 / 100
    assert gap["lever_cost_per_unit"] == pytest.approx(12.0)
    assert gap["lever"] in gap["why"]


def test_hiring_cap_used_up_by_the_plan_counts_its_own_hires() -> None:
    plan = _crew_plan(max_hires=0.25, ot_rate=500.0)
    hires = plan.resource_use.set_index(schema.MONTH)["hires"]
    assert list(hires) == pytest.approx([0.25, 0.25])  # the plan hires what it may
    gap = plan.shortfalls.iloc[0]
    assert gap["units"] == pytest.approx(25.0)
    # a quarter person short: one whole worker, on top of the plan's own 0.25 (overtime
    # at 500 an hour is dearer than the worker's 12 an hour)
    assert gap["lever"].startswith(
        "raise the hiring limit of LAB from 0.25 to 2 hires a month (max_hires_per_month in "
        "workforce; 1 hire for this gap and the 0.25 hires the plan has that month, 1.25 in "
        "all, rounded up to whole people) and hire 1 worker"
    )


def test_hiring_off_without_a_cap_only_asks_to_allow_it() -> None:
    plan = _crew_plan(max_hires=np.nan, hiring=False)
    gap = plan.shortfalls.iloc[0]
    assert gap["lever"] == "allow hiring and hire 1 worker for LAB from Feb 2027"


def test_prebuild_pays_the_overtime_it_needs() -> None:
    # L1 shut in February, full on regular time in January with 20 h of overtime
    # left at 25 - 10 = 15 extra an hour; 50 units of safety stock at 2 a unit-month
    # (cheaper than overtime, so the plan runs below it in February; 50 on hand keep
    # January at it, so no January gap claims its overtime first). Holding 0.5 a
    # unit-month.
    tables, demand = one_product([100, 20], max_ot=20.0, ot_rate=25.0, ss_units=50.0, on_hand=50.0)
    tables = shut_in(tables, [100.0, 0.0])
    plan = solve_plan(demand, tables, SupplyPolicy(backlog_allowed=False))
    assert plan.status == OPTIMAL, plan.explanation
    feb = plan.shortfalls.set_index(schema.MONTH).loc[pd.Timestamp("2027-02-01")]
    assert feb["lever"] == "pre-build 20 units in Jan 2027 on overtime and hold them"
    # 15 premium + 0.5 held a month, + 0.5 for the month the safety stock is held;
    # holding alone (1.00) was shown before
    assert feb["lever_cost_per_unit"] == pytest.approx(16.0)
    assert "(+€16.00/unit)" in feb["why"]


def test_prebuild_takes_the_cheapest_month_not_the_latest() -> None:
    # March shut; February full (overtime at 200 - 10 = 190 extra an hour); January
    # has 50 h spare on regular time. Holding 50 a unit-month: two months in stock
    # (100) cost more than the 60 a lost unit costs, so the plan loses March.
    tables, demand = one_product([50, 100, 60], max_ot=20.0, ot_rate=200.0, holding_pct=1200.0)
    tables = shut_in(tables, [100.0, 100.0, 0.0])
    gap = first_gap(demand, tables, SupplyPolicy(backlog_allowed=False))
    assert (gap["kind"], gap["units"]) == ("lost sales", pytest.approx(60.0))
    # January on regular time: 2 months x 50 = 100; February on overtime 190 + 50.
    # January's 50 spare hours make 50 of the 60 (it read "pre-build 50 units"); its 20 h
    # of overtime, which the plan leaves free (190 extra an hour), make the other 10: it
    # read "pre-build 50 of the 60 units (the other 10 units need another lever)". The
    # cost is the average over the 60: (50 x 100 + 10 x (190 + 100)) / 60 = 7,900 / 60
    assert gap["lever"] == (
        "pre-build 60 units in Jan 2027 (50 on spare regular hours, 10 on overtime) and hold them"
    )
    assert gap["lever_cost_per_unit"] == pytest.approx(7_900.0 / 60)
    assert "(+€131.67/unit)" in gap["why"]


def test_a_limit_in_units_has_no_cost_and_says_why() -> None:
    # the family held to 80 units a month against 100 ordered
    tables, demand = one_product([100, 100])
    fc = family_capacity(demand[schema.MONTH].unique())
    tables = defaults.complete({**tables, schema.FAMILY_CAPACITY: fc})
    plan = solve_plan(demand, tables, SupplyPolicy(backlog_allowed=False))
    assert plan.status == OPTIMAL, plan.explanation
    sf = plan.shortfalls
    assert len(sf) == 2 and (sf["kind"] == "lost sales").all()
    assert np.isnan(sf["lever_cost_per_unit"]).all()  # blank in the grid, never inf
    # said inside the lever's own brackets: it read "(units_per_month in family_capacity)
    # (cost not known: ...)"
    assert (
        sf["lever"]
        .str.endswith(f"(units_per_month in family_capacity; {supply_shortfalls.UNKNOWN_COST})")
        .all()
    )
    assert not sf["why"].str.contains(r"\) \(").any()
    assert "inf" not in " ".join(sf["why"])
    out = json.dumps(records(sf), allow_nan=False)  # JSON has no inf: null
    assert all(r["lever_cost_per_unit"] is None for r in json.loads(out))


def test_late_rows_add_up_to_units_ordered_less_on_time() -> None:
    # 100 a month of capacity: 30 of February's orders wait, March serves them first
    # and 50 of its own 120 wait, April clears them. Each late unit waits one month.
    tables, demand = one_product([100, 130, 120, 50])
    plan = solve_plan(demand, tables)
    assert plan.status == OPTIMAL, plan.explanation
    assert list(plan.family_plan["backlog"].round(6)) == [0, 30, 50, 0]
    late = plan.shortfalls[plan.shortfalls["kind"] == "backlog"].set_index(schema.MONTH)
    # the month the backlog grows counted only its growth (30, 20: 50 in all)
    assert list(late["units"]) == pytest.approx([50.0, 30.0])
    assert list(late.index.month) == [3, 2]
    k = service.plan_service(plan.family_plan)
    ordered_late = k["demand_units"] - k["lost_units"] - k["on_time_units"]
    assert late["units"].sum() == pytest.approx(ordered_late) == pytest.approx(80.0)
    assert "50 units of Fam (Plant) ordered in Mar 2027 ship late (backlog)" in late["why"].iloc[0]
    count = shortfall.shortfall_count(plan.shortfalls)
    assert "2 with orders shipped late (80 units ship after the month ordered)" in count


def test_count_line_adds_lost_and_late() -> None:
    sf = pd.DataFrame({"kind": ["lost sales", "backlog", "backlog"], "units": [40.0, 30.0, 20.0]})
    assert shortfall.shortfall_count(sf) == (
        "3 item-months fall short: 1 with lost sales (40 units lost), 2 with orders shipped "
        "late (50 units ship after the month ordered). Lost and late: 90 units not shipped "
        "in the month ordered."
    )


def test_the_row_cap_keeps_what_customers_feel(monkeypatch) -> None:
    z = np.zeros((1, 3))
    arr = {
        DEMAND: np.array([[100.0, 100.0, 100.0]]),
        LOST: z,
        BACKLOG: np.array([[0.0, 10.0, 0.0]]),
        BELOW_SS: np.array([[500.0, 400.0, 300.0]]),
    }
    monkeypatch.setattr(supply_shortfalls, "MAX_SHORTFALL_ROWS", 2)
    cells = supply_shortfalls._gap_cells(arr)
    assert cells == [("below safety stock", 0, 0, 500.0), ("backlog", 0, 1, 10.0)]
