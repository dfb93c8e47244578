"""Shortfall rows claim free room once: two gaps on one line in one month, or two
pre-builds into one earlier month, do not both count the same free overtime or spare
hours, nor the same supplier-cap room; two gaps on one labour pool in one month do not
both hire within the same hiring limit or keep the same laid-off people, nor two gaps
buy within the same subcontract cap. Rows claim lost sales first, then late orders,
then stock below safety stock, larger first within each (the frame still shows them
largest first); each later row sees what the earlier ones left, and a raise breaks its
new figure down into this gap's part, the rows that took room before (named) and the
plan's own use, adding up to it. Room other rows took never closes a lever: it raises a
cap instead. A pre-build that makes part of a gap says so. A row no other row shares
room with reads as it did alone."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from supply_helpers import (
    family_capacity,
    first_gap,
    frame,
    one_product,
    shut_in,
    two_products,
)

from sop.core import schema
from sop.data import defaults
from sop.supply import remedies, remedy_text
from sop.supply import shortfalls as supply_shortfalls
from sop.supply.explain import resource_grid
from sop.supply.plan import OPTIMAL, solve_plan, solve_plan_and_inputs
from sop.supply.policy import SupplyPolicy

NO_BACKLOG = SupplyPolicy(backlog_allowed=False)
# how a raise names the rows that claimed room first
P2_LOST = "the lost sales of Fam2 (Plant) in Jan 2027"
FAM_LOST = "the lost sales of Fam (Plant) in Jan 2027"


def _solve_alone_and_claimed(monkeypatch, demand, tables, policy):
    """(the plan's shortfalls, the same rows with each gap's lever worked out alone:
    `Remedies.claim` with nothing booked, the rows before the ledger)."""
    calls = []
    build = supply_shortfalls.shortfalls

    def spy(*args, **kw):
        calls.append((args, kw))
        return build(*args, **kw)

    monkeypatch.setattr(supply_shortfalls, "shortfalls", spy)
    plan = solve_plan(demand, tables, policy)
    assert plan.status == OPTIMAL, plan.explanation
    claim = remedies.Remedies.claim

    def alone(self, gap):  # claim, then forget what it booked
        kept = {k: v.copy() for k, v in self.taken.items()}
        try:
            return claim(self, gap)
        finally:
            self.taken = kept

    monkeypatch.setattr(remedies.Remedies, "claim", alone)
    args, kw = calls[-1]
    return plan.shortfalls, build(*args, **kw)


def test_two_gaps_on_one_line_do_not_share_the_free_overtime(monkeypatch) -> None:
    # L1: 100 h (1 h a unit) against 120 of P1 and 30 of P2; 40 h of overtime at 200 -
    # 10 = 190 extra an hour, dearer than a lost unit: the plan works none and loses all
    # 30 of P2 (the cheaper) and 20 of P1. Alone each gap fits the 40 free hours.
    tables, demand = two_products([120.0], [30.0], max_ot=40.0, ot_rate=200.0)
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(sf["units"]) == pytest.approx([30.0, 20.0])
    assert list(alone["lever"]) == ["add overtime in Jan 2027 (L1 +30 h)"] + [
        "add overtime in Jan 2027 (L1 +20 h)"  # the same free hours again: 50 h > 40
    ]
    # the larger gap takes 30 h; the smaller sees the 10 h left and the cap it must raise
    assert sf["lever"].iloc[0] == "add overtime in Jan 2027 (L1 +30 h)"
    assert sf["lever"].iloc[1] == (
        "add overtime in Jan 2027 (L1 +10 h to its cap) and raise the overtime cap of L1 "
        f"from 40 to 50 h (max_overtime_hours in resources; 20 h for this gap on top of 30 h "
        f"for {P2_LOST})"
    )
    assert sf["lever"].iloc[1] in sf["why"].iloc[1]
    assert list(sf["lever_cost_per_unit"]) == pytest.approx([190.0, 190.0])  # the premium


def test_a_cap_the_larger_gap_raises_counts_in_the_next_gaps_raise(monkeypatch) -> None:
    # as above with 20 h of overtime: the 30-unit gap takes the 20 h and asks 10 h more;
    # the 20-unit gap finds none free and the cap must carry both: 20 + 10 + 20 = 50 h
    tables, demand = two_products([120.0], [30.0], max_ot=20.0, ot_rate=200.0)
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert alone["lever"].iloc[1] == "add overtime in Jan 2027 (L1 +20 h)"
    assert sf["lever"].iloc[0] == (
        "add overtime in Jan 2027 (L1 +20 h to its cap) and raise the overtime cap of L1 "
        "from 20 to 30 h (max_overtime_hours in resources)"
    )
    assert sf["lever"].iloc[1] == (
        "raise the Jan 2027 overtime cap of L1 from 20 to 50 h (max_overtime_hours in "
        f"resources; 20 h for this gap on top of 30 h for {P2_LOST})"
    )


def test_two_prebuilds_into_one_month_share_its_spare_hours(monkeypatch) -> None:
    # L1 shut in February (20 of P1 and 30 of P2 lost); January has 30 h spare on
    # regular time and 40 h of overtime at 25 - 10 = 15 extra an hour. Holding 100 a
    # unit-month (2400 % of 50 a year) makes the plan lose February rather than build.
    tables, demand = two_products(
        [70.0, 20.0], [0.0, 30.0], max_ot=40.0, ot_rate=25.0, holding_pct=2400.0
    )
    tables = shut_in(tables, [100.0, 0.0])
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(sf["units"]) == pytest.approx([30.0, 20.0])
    assert list(alone["lever"]) == [
        "pre-build 30 units in Jan 2027 and hold them",
        "pre-build 20 units in Jan 2027 and hold them",  # the same 30 spare hours
    ]
    assert list(alone["lever_cost_per_unit"]) == pytest.approx([100.0, 100.0])
    # the larger gap takes the spare regular hours; the smaller pays the overtime
    assert list(sf["lever"]) == [
        "pre-build 30 units in Jan 2027 and hold them",
        "pre-build 20 units in Jan 2027 on overtime and hold them",
    ]
    assert list(sf["lever_cost_per_unit"]) == pytest.approx([100.0, 115.0])
    assert "(+€115.00/unit)" in sf["why"].iloc[1]


def test_a_single_gap_reads_as_before(monkeypatch) -> None:
    # one gap: nothing to share; the row is what it was before the Gap record and ledger
    tables, demand = one_product([150.0], max_ot=20.0, ot_rate=200.0)
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    pd.testing.assert_frame_equal(sf, alone)
    row = sf.iloc[0]
    lever = (
        "add overtime in Jan 2027 (L1 +20 h to its cap) and raise the overtime cap of L1 "
        "from 20 to 50 h (max_overtime_hours in resources)"
    )
    assert (row["kind"], row["units"], row["binding"]) == ("lost sales", 50.0, "L1")
    assert (row["shadow_price"], row["lever"], row["lever_cost_per_unit"]) == (60.0, lever, 190.0)
    assert row["why"] == (
        "50 units of Fam (Plant) lost sales in Jan 2027: L1 (Line 1) is full; one more hour "
        f"there is worth €60. Cheapest lever (+€190.00/unit): {lever}; the gap costs its "
        "margin plus €10 goodwill per unit (price €100, material €40)."
    )


def test_gaps_on_different_months_and_limits_keep_their_rows(monkeypatch) -> None:
    # a family held to 80 units a month (a limit in units: no hours to claim) in two
    # months: the rows do not depend on one another
    tables, demand = one_product([100.0, 100.0])
    fc = family_capacity(demand[schema.MONTH].unique())
    tables = defaults.complete({**tables, schema.FAMILY_CAPACITY: fc})
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert len(sf) == 2
    pd.testing.assert_frame_equal(sf, alone)


def test_gap_is_a_frozen_record() -> None:
    gap = remedies.Gap(item=0, month=1, binding=(2, 3), units=5.0)
    assert list(gap.res_b) == [2, 3] and gap == remedies.Gap(0, 1, (2, 3), 5.0)
    with pytest.raises(AttributeError):
        gap.units = 6.0  # type: ignore[misc]
    assert remedies.Gap(0, 1, (), 5.0).res_b.dtype.kind == "i"


# a crew of 2 x 100 h (1 h a unit); a hire costs 20,000, so a worker's hour costs 10 + 20,000
# / 100 h = 210 in a one-month plan, and overtime 5,000 an hour: dearer than a lost unit
# (60 margin + 10 goodwill), so the plan hires none and works no overtime; hires are
# whole people, and overtime stays dearer than a whole worker for a small gap
CREW = {"workers": 2.0, "hpw": 100.0, "hiring": 20_000.0, "ot_rate": 5_000.0}
HIRES = "max_hires_per_month in workforce"


def test_two_gaps_on_one_labour_pool_do_not_share_the_hiring_limit(monkeypatch) -> None:
    # 280 of P1 and 60 of P2 on the crew's 200 h: the plan loses 80 of P1 and all 60 of P2,
    # 0.8 and 0.6 workers' worth, a whole worker each, 1.4 pooled: 2 workers; 1 hire a
    # month allowed: each fits alone, not both (0.6 and 0.4 would pool to 1 worker:
    # test_pooled_hires)
    tables, demand = two_products(
        [280.0], [60.0], line_hours=None, labour=CREW | {"max_hires": 1.0}
    )
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(sf["units"]) == pytest.approx([80.0, 60.0])
    assert list(alone["lever"]) == [
        "hire 1 worker for LAB from Jan 2027",
        "hire 1 worker for LAB from Jan 2027",  # 1 + 1 = 2 hires > 1
    ]
    # the larger gap takes the 1 hire; the smaller must have the limit raised to 2
    assert sf["lever"].iloc[0] == "hire 1 worker for LAB from Jan 2027"
    assert sf["lever"].iloc[1] == (
        f"raise the hiring limit of LAB from 1 to 2 hires a month ({HIRES}; 1 hire "
        f"for this gap on top of 1 hire for {FAM_LOST}) and hire 1 worker for LAB "
        "from Jan 2027"
    )
    assert sf["lever"].iloc[1] in sf["why"].iloc[1]
    # the cost is the whole worker's, 100 h at 10 + 20,000 / 100 an hour, over the gap's
    # units: 21,000 / 80 and 21,000 / 60
    assert list(sf["lever_cost_per_unit"]) == pytest.approx([262.5, 350.0])
    assert "(+€350.00/unit)" in sf["why"].iloc[1]


def test_a_hire_takes_the_limit_of_its_own_month_only(monkeypatch) -> None:
    # 220 then 240 of P1 on the crew's 200 h a month: 20 lost in January, 40 in February,
    # which claims first and hires 1 from February. The limit caps each month's new
    # hires: January's worker still fits its own 1, and says so. (A hire stays on: had
    # January claimed first, February would use its worker: test_pooled_hires)
    tables, demand = one_product([220.0, 240.0], line_hours=None, labour=CREW | {"max_hires": 1.0})
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(sf["units"]) == pytest.approx([40.0, 20.0])
    assert list(sf["lever"]) == [
        "hire 1 worker for LAB from Feb 2027",
        "hire 1 worker for LAB from Jan 2027",
    ]
    pd.testing.assert_frame_equal(sf, alone)


# 130 of P1 on L1 (100 h, 1 h a unit) and 20 units of safety stock: the plan loses 30
# and ends January 20 below safety stock, two rows of family Fam in one month that share
# the subcontract offer SUB at 150 a unit: 150 - (40 material + 10 line) = 100 extra a
# unit, dearer than a lost unit, so the plan buys none; overtime (none allowed) at 200 -
# 10 = 190 extra dearer still. Each gap fits a cap of 30 or 40 alone.
FIELD = "monthly_cap_units in supply_options"
SHARED = "20 units for this gap on top of 30 units for the lost sales of Fam (Plant) in Jan 2027"


@pytest.mark.parametrize(
    ("cap", "first", "second"),
    [
        (
            40.0,
            "buy them from SUB",
            f"raise the cap of SUB from 40 to 50 units a month ({FIELD}; {SHARED})",
        ),
        (
            30.0,
            "buy them from SUB",
            f"raise the cap of SUB from 30 to 50 units a month ({FIELD}; {SHARED})",
        ),
        # the larger gap already needs 10 past the cap: the raise counts them in
        (
            20.0,
            f"raise the cap of SUB from 20 to 30 units a month ({FIELD})",
            f"raise the cap of SUB from 20 to 50 units a month ({FIELD}; {SHARED})",
        ),
    ],
)
def test_two_gaps_sharing_a_subcontract_cap_do_not_buy_the_same_units(
    monkeypatch, cap: float, first: str, second: str
) -> None:
    tables, demand = one_product([130.0], ot_rate=200.0, ss_units=20.0, subcontract=(150.0, cap))
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(sf["kind"]) == ["lost sales", "below safety stock"]
    assert list(sf["units"]) == pytest.approx([30.0, 20.0])
    assert list(sf["lever"]) == [
        f"subcontract 30 units in Jan 2027: {first}",
        f"subcontract 20 units in Jan 2027: {second}",
    ]
    if cap >= 30.0:  # alone, the second gap fits the whole cap and buys from it
        assert alone["lever"].iloc[1] == "subcontract 20 units in Jan 2027: buy them from SUB"
    # the offer's extra cost, as before (+ a month's holding for the safety stock)
    assert list(sf["lever_cost_per_unit"]) == pytest.approx([100.0, 100.5])
    assert sf["lever"].iloc[1] in sf["why"].iloc[1]


def test_a_lone_gap_past_the_subcontract_cap_buys_what_is_left() -> None:
    # one gap of 50 against a cap of 40: it used to say "buy more from SUB" for all 50,
    # then "buy 40 more units from SUB and raise its cap from 40 to 50" (the plan buys
    # none: "more" than nothing, and 40 + 50 read as 90)
    tables, demand = one_product([150.0], ot_rate=200.0, subcontract=(150.0, 40.0))
    gap = first_gap(demand, tables, NO_BACKLOG)
    assert gap["units"] == pytest.approx(50.0)
    assert gap["lever"] == (
        "subcontract 50 units in Jan 2027: raise the cap of SUB from 40 to 50 units a month "
        f"({FIELD})"
    )
    # subcontracting off: allow it, and the cap still holds
    off = solve_plan(demand, tables, SupplyPolicy(backlog_allowed=False, subcontract_allowed=False))
    assert off.shortfalls["lever"].iloc[0] == (
        "subcontract 50 units in Jan 2027: allow subcontracting and raise the cap of SUB "
        f"from 40 to 50 units a month ({FIELD})"
    )


# L1 shut in February; January full on regular time with 20 h of overtime at 200 - 10
# = 190 extra an hour, dearer than a lost unit: the plan works none of it
SHUT_FEB = [100.0, 0.0]
OT_FIELD = "max_overtime_hours in resources"


def _shut_february(p1: list[float], p2: list[float]):
    tables, demand = two_products(p1, p2, max_ot=20.0, ot_rate=200.0)
    return shut_in(tables, SHUT_FEB), demand


def test_a_prebuild_month_others_claimed_raises_its_cap_not_reopen(monkeypatch) -> None:
    # 40 of P2 lost in January take its 20 h of overtime; February's 30 of P1 alone would
    # pre-build in January on overtime, and used to read "reopen L1 (no other lever is
    # open)" with no cost once January's hours were claimed
    tables, demand = _shut_february([100.0, 30.0], [40.0, 0.0])
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(sf["units"]) == pytest.approx([40.0, 30.0])
    feb = sf.iloc[1]
    assert feb["lever"] == (
        f"pre-build 30 units in Jan 2027 on overtime and raise the Jan 2027 overtime cap of "
        f"L1 from 20 to 70 h ({OT_FIELD}; 30 h for this gap on top of 40 h for {P2_LOST})"
    )
    assert "no other lever is open" not in feb["why"]
    assert alone["lever"].iloc[1] == (
        f"pre-build 30 units in Jan 2027 on overtime and raise the Jan 2027 overtime cap of "
        f"L1 from 20 to 30 h ({OT_FIELD})"
    )
    # the overtime premium + a month's holding (0.5)
    assert list(sf["lever_cost_per_unit"]) == pytest.approx([190.0, 190.5])
    # the case test_prebuild_pays_the_overtime_it_needs once had: safety stock short in
    # both months, January's gap ranked first (the same size, the earlier month)
    monkeypatch.undo()  # claim as the plan does
    tables, demand = one_product([100, 0], max_ot=20.0, ot_rate=25.0, ss_units=50.0)
    tables = shut_in(tables, SHUT_FEB)
    feb = solve_plan(demand, tables, NO_BACKLOG).shortfalls.iloc[1]
    assert feb["lever"] == (
        f"pre-build 50 units in Jan 2027 on overtime and raise the Jan 2027 overtime cap of "
        f"L1 from 20 to 100 h ({OT_FIELD}; 50 h for this gap on top of 50 h for the "
        "safety-stock gap of Fam (Plant) in Jan 2027)"
    )
    assert feb["lever_cost_per_unit"] == pytest.approx(16.0)  # 15 + 0.5 held + 0.5 at it


def test_hours_taken_within_the_cap_are_named(monkeypatch) -> None:
    # February's 20 lost pre-build on January's 20 h of overtime (all of it, within the
    # cap); January's 10 lost then raise the cap to 30 h, and say that 20 h of it are
    # February's: it read "from 20 to 30 h" as if the plan worked the 20 h
    tables, demand = _shut_february([100.0, 20.0], [10.0, 0.0])
    sf, _ = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(sf["lever"]) == [
        "pre-build 20 units in Jan 2027 on overtime and hold them",
        f"raise the Jan 2027 overtime cap of L1 from 20 to 30 h ({OT_FIELD}; 10 h for this gap "
        "on top of 20 h for the lost sales of Fam (Plant) in Feb 2027)",
    ]


def test_two_gaps_do_not_keep_the_same_laid_off_people(monkeypatch) -> None:
    # a crew of 10 x 10 h (1 h a unit) costing 80 an hour, dearer than a unit earns: the
    # plan lays all 10 off and loses 80 of P1 and 50 of P2. Alone each kept what it needs
    # of the 10 (8 + 5 = 13); the second keeps the 2 left and hires 3
    crew = {"workers": 10.0, "hpw": 10.0, "rate": 80.0}
    tables, demand = two_products([80.0], [50.0], line_hours=None, labour=crew)
    policy = SupplyPolicy(layoffs_allowed=True, backlog_allowed=False)
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, policy)
    laid = "lay off {} fewer workers from LAB in Jan 2027 (the plan lays off 10 then{})"
    assert list(alone["lever"]) == [laid.format("8", ""), laid.format("5", "")]
    assert list(sf["lever"]) == [
        laid.format("8", ""),
        laid.format("2", f"; 2 workers kept for this gap on top of 8 for {FAM_LOST}")
        + " and hire 3 workers for LAB from Jan 2027",
    ]
    assert list(sf["lever_cost_per_unit"]) == pytest.approx([80.0, 80.0])  # the wage
    # all 10 kept for the larger gap: the next one hires
    monkeypatch.undo()
    tables, demand = two_products([100.0], [50.0], line_hours=None, labour=crew)
    sf, _ = _solve_alone_and_claimed(monkeypatch, demand, tables, policy)
    assert sf["lever"].iloc[1] == "hire 5 workers for LAB from Jan 2027"


def test_two_prebuilds_do_not_share_the_same_supplier_cap_room(monkeypatch) -> None:
    # L1 shut in February and March; January makes its 50 with 50 h spare, but the
    # supplier cap MAT allows 70 units a month: 20 left. Holding 100 a unit-month makes
    # the plan lose February's 40 and March's 30 rather than build. Alone each pre-built
    # within the 20 units left (the same 20 twice)
    tables, demand = one_product([50.0, 40.0, 30.0], holding_pct=2400.0)
    tables = shut_in(tables, [100.0, 0.0, 0.0])
    mat = {schema.OPTION: "MAT", schema.OPTION_TYPE: schema.OPTION_MATERIAL_CAP}
    mat |= {schema.FAMILY: "Fam", schema.MONTHLY_CAP_UNITS: 70.0}
    tables[schema.SUPPLY_OPTIONS] = frame(schema.SUPPLY_OPTIONS, [mat])
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(sf["units"]) == pytest.approx([40.0, 30.0])
    raise_ = "the Jan 2027 supplier cap MAT from 70 to {} units a month ({}{})"
    assert list(alone["lever"]) == [
        f"pre-build 40 units in Jan 2027 and raise {raise_.format(90, FIELD, '')}",
        f"pre-build 30 units in Jan 2027 and raise {raise_.format(80, FIELD, '')}",
    ]
    # February takes 40 units of MAT and 40 h; March finds 10 h and no unit left: it
    # makes 10 of its 30 units, and MAT's 100 hold them, February's 40 and the plan's 50
    shared = (
        "; 10 units for this gap on top of 40 units for the lost sales of Fam (Plant) in Feb 2027"
    )
    assert list(sf["lever"]) == [
        f"pre-build 40 units in Jan 2027 and raise {raise_.format(90, FIELD, '')}",
        "pre-build 10 of the 30 units in Jan 2027 (the other 20 units need another lever) "
        "and raise " + raise_.format(100, FIELD, f"{shared} and the 50 units the plan makes"),
    ]
    assert list(sf["lever_cost_per_unit"]) == pytest.approx([100.0, 200.0])  # holding


def test_every_raise_says_the_value_to_raise_to_with_units(monkeypatch) -> None:
    # the hiring limit read "(0.8 a month today; 1.0 a month with the 0.6 hired for
    # larger gaps that month; ...)"; now one form: from, to, unit, field, and what of the
    # new figure is this gap's and the rows' claimed before
    tables, demand = two_products(
        [280.0], [60.0], line_hours=None, labour=CREW | {"max_hires": 0.8}
    )
    sf, _ = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert (
        sf["lever"]
        .iloc[1]
        .startswith(
            f"raise the hiring limit of LAB from 0.8 to 2 hires a month ({HIRES}; 1 hire for "
            f"this gap on top of 1 hire for {FAM_LOST}) and hire 1 worker"
        )
    )
    # a subcontract cap larger gaps used up within it names their units too
    monkeypatch.undo()
    tables, demand = one_product([130.0], ot_rate=200.0, ss_units=20.0, subcontract=(150.0, 30.0))
    sf, _ = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert sf["lever"].iloc[1].endswith(f"50 units a month ({FIELD}; {SHARED})")


def test_lost_sales_claim_before_a_larger_safety_stock_gap(monkeypatch) -> None:
    # 130 ordered on L1's 100 h with 50 units of safety stock and 30 h of overtime at
    # 190 extra: the plan loses 30 and ends 50 below safety stock. The lost order takes
    # the 30 free hours; the safety-stock gap, larger and shown first, raises the cap
    tables, demand = one_product([130.0], ss_units=50.0, max_ot=30.0, ot_rate=200.0)
    sf, _ = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(sf["kind"]) == ["below safety stock", "lost sales"]  # shown largest first
    assert list(sf["lever"]) == [
        f"raise the Jan 2027 overtime cap of L1 from 30 to 80 h ({OT_FIELD}; 50 h for this gap "
        "on top of 30 h for the lost sales of Fam (Plant) in Jan 2027)",
        "add overtime in Jan 2027 (L1 +30 h)",
    ]
    assert supply_shortfalls.CLAIM_ORDER == ("lost sales", "backlog", "below safety stock")


def test_remedies_offer_claim_only() -> None:
    # `levers` (unused) and `cheapest` (a test's stand-in for claim) are gone
    public = {n for n in vars(remedies.Remedies) if not n.startswith("_")}
    assert public == {"claim"}


# a raise other rows share: "from 20 to 90 h (max_overtime_hours in resources; 20 h for
# this gap on top of 50 h for 2 other rows (...) and the 20 h the plan works)"
SHARED_RAISE = re.compile(
    r"from ([\d,]+) to ([\d,]+) h \(max_overtime_hours in resources; ([\d,]+) h for this gap "
    r"on top of ([\d,]+) h for (.+?)(?: and the ([\d,]+) h the plan works)?\)$"
)


def _shared_raise(lever: str) -> tuple[float, float, float, float, float, str]:
    """(today's cap, the new cap, this gap's h, the other rows' h, the plan's own h, who)."""
    m = SHARED_RAISE.search(lever)
    assert m, lever
    today, new, mine, others, own = (
        float((g or "0").replace(",", "")) for g in m.groups()[:4] + (m[6],)
    )
    return today, new, mine, others, own, m[5]


def _label(row) -> str:
    kind = {"lost sales": "lost sales", "backlog": "late orders"}.get(row.kind, "safety-stock gap")
    return f"{kind} of {row.family} ({row.plant}) in {row.month:%b %Y}"


def test_a_shared_raise_adds_up_and_names_the_rows_that_took_the_room(monkeypatch) -> None:
    # L1: 100 h + 20 h of overtime at 25 - 10 = 15 extra, cheaper than a lost unit: the
    # plan works all 20 h and still loses 40 of P2 and 10 of P1, and runs 20 below safety
    # stock on each. Four rows share L1's January overtime cap: each later raise counts
    # the hours of the rows claimed before it, names them, and the parts add up. The
    # second row shown read "(...; 50 h of it for gaps ranked ahead)", though 10 of the
    # 50 h went to the row shown last (the lost sales of Fam, claimed before it)
    tables, demand = two_products([130.0], [40.0], max_ot=20.0, ot_rate=25.0, ss_units=20.0)
    sf, _ = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(zip(sf["kind"], sf["family"], sf["units"])) == [
        ("lost sales", "Fam2", 40.0),
        ("below safety stock", "Fam", 20.0),
        ("below safety stock", "Fam2", 20.0),
        ("lost sales", "Fam", 10.0),
    ]
    assert sf["lever"].iloc[0] == (  # claimed first: nobody to name
        "raise the Jan 2027 overtime cap of L1 from 20 to 60 h (max_overtime_hours in resources)"
    )
    assert sf["lever"].iloc[2] == (
        "raise the Jan 2027 overtime cap of L1 from 20 to 110 h (max_overtime_hours in "
        "resources; 20 h for this gap on top of 70 h for 3 other rows (lost sales of Fam2 "
        "(Plant) in Jan 2027, lost sales of Fam (Plant) in Jan 2027, safety-stock gap of Fam "
        "(Plant) in Jan 2027) and the 20 h the plan works)"
    )
    labels = [_label(r) for r in sf.itertuples(index=False)]
    rank = sorted(
        range(len(sf)),
        key=lambda n: supply_shortfalls._claim_rank(
            (sf["kind"].iloc[n], 0, 0, sf["units"].iloc[n])
        ),
    )
    for n in range(1, len(sf)):
        today, new, mine, others, own, who = _shared_raise(sf["lever"].iloc[n])
        # the plan works today's whole cap: this gap's part + the others' = the raise
        assert own == today == 20.0
        assert mine + others == new - today
        assert mine == sf["units"].iloc[n]  # 1 h a unit
        # the rows named are the rows claimed before this one, in the frame
        before = [labels[k] for k in rank[: rank.index(n)]]
        if len(before) == 1:
            assert who == f"the {before[0]}"
        else:
            assert who == f"{len(before)} other rows ({', '.join(before)})"
        assert others == sum(sf["units"].iloc[k] for k in rank[: rank.index(n)])
    # the lost sales of Fam, shown last, took their 10 h before the safety-stock row
    # shown second, and that row says so
    assert (
        "on top of 50 h for 2 other rows (lost sales of Fam2 (Plant) in Jan 2027, lost sales "
        "of Fam (Plant) in Jan 2027)" in sf["lever"].iloc[1]
    )


def test_a_raise_over_a_cap_the_plan_leaves_free_adds_up_to_the_new_cap(monkeypatch) -> None:
    # the plan works none of L1's 30 h of overtime (190 extra an hour): the lost sales,
    # claimed first but shown second, take them; the safety-stock gap shown first needs
    # 50 h more: 50 h for it on top of the 30 h of the lost sales make the new 80 h
    tables, demand = one_product([130.0], ss_units=50.0, max_ot=30.0, ot_rate=200.0)
    sf, _ = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    today, new, mine, others, own, who = _shared_raise(sf["lever"].iloc[0])
    assert (today, new, own) == (30.0, 80.0, 0.0)
    assert mine + others + own == new and mine == 50.0 and others == 30.0
    assert who == f"the {_label(next(sf.iloc[[1]].itertuples(index=False)))}"
    assert who == "the lost sales of Fam (Plant) in Jan 2027"


def test_a_partial_prebuild_says_how_much_of_the_gap_it_makes() -> None:
    # L1 shut in February; January makes its 90 and has 10 h spare, no overtime.
    # Holding 100 a unit-month makes the plan lose February's 30 rather than build.
    # Pre-building makes 10 of them: it read "pre-build 10 units in Jan 2027 and hold
    # them", as if it closed the gap
    tables, demand = one_product([90.0, 30.0], holding_pct=2400.0)
    tables = shut_in(tables, [100.0, 0.0])
    gap = first_gap(demand, tables, NO_BACKLOG)
    assert (gap["kind"], gap["units"]) == ("lost sales", pytest.approx(30.0))
    assert gap["lever"] == (
        "pre-build 10 of the 30 units in Jan 2027 (the other 20 units need another lever) "
        "and hold them"
    )
    assert gap["lever_cost_per_unit"] == pytest.approx(100.0)  # a month's holding
    # the cost sits by its label, not after the lever's own brackets
    assert f"Cheapest lever (+€100.00/unit): {gap['lever']}; the gap costs" in gap["why"]
    assert ") (" not in gap["why"]


def _claims(monkeypatch) -> list[remedies.Remedies]:
    """The `Remedies` each plan solved from now on claimed its gaps with."""
    seen, claim = [], remedies.Remedies.claim

    def spy(self, gap):
        seen.append(self)
        return claim(self, gap)

    monkeypatch.setattr(remedies.Remedies, "claim", spy)
    return seen


def test_a_partial_prebuild_makes_the_rest_on_free_overtime(monkeypatch) -> None:
    # as test_a_partial_prebuild_says_how_much_of_the_gap_it_makes, with 20 h of
    # overtime at 25 - 10 = 15 extra an hour that the plan leaves free in January
    # (115 a unit with the holding, dearer than the 60 a lost unit costs). January's 10
    # spare hours make 10 of February's 30, its overtime the other 20: it read "pre-build
    # 10 of the 30 units ... (the other 20 units need another lever)". The cost is the
    # average over the gap's 30 units: (10 x 100 + 20 x (15 + 100)) / 30 = 3,300 / 30 = 110
    seen = _claims(monkeypatch)
    tables, demand = one_product([90.0, 30.0], holding_pct=2400.0, max_ot=20.0)
    tables = shut_in(tables, [100.0, 0.0])
    gap = first_gap(demand, tables, NO_BACKLOG)
    assert (gap["kind"], gap["units"]) == ("lost sales", pytest.approx(30.0))
    assert gap["lever"] == (
        "pre-build 30 units in Jan 2027 (10 on spare regular hours, 20 on overtime) and hold them"
    )
    assert gap["lever_cost_per_unit"] == pytest.approx(3_300.0 / 30)
    assert f"Cheapest lever (+€110.00/unit): {gap['lever']}; the gap costs" in gap["why"]
    # the ledger books both parts on L1 (row 0) in January: 10 h regular, 20 h overtime
    taken = seen[-1].taken
    assert taken[remedies.REGULAR_H][0, 0] == pytest.approx(10.0)
    assert taken[remedies.OVERTIME_H][0, 0] == pytest.approx(20.0)
    assert seen[-1].who[remedies.OVERTIME_H, 0, 0] == ["lost sales of Fam (Plant) in Feb 2027"]
    # 15 h of overtime: the rest still on overtime, past the cap by 5 h
    tables, demand = one_product([90.0, 30.0], holding_pct=2400.0, max_ot=15.0)
    gap = first_gap(demand, shut_in(tables, [100.0, 0.0]), NO_BACKLOG)
    assert gap["lever"] == (
        "pre-build 30 units in Jan 2027 (10 on spare regular hours, 20 on overtime) and raise "
        f"the Jan 2027 overtime cap of L1 from 15 to 20 h ({OT_FIELD})"
    )
    # overtime off in the settings: no overtime room in January, the partial stays
    off = SupplyPolicy(backlog_allowed=False, overtime_allowed=False)
    tables, demand = one_product([90.0, 30.0], holding_pct=2400.0, max_ot=20.0)
    gap = first_gap(demand, shut_in(tables, [100.0, 0.0]), off)
    assert gap["lever"] == (
        "pre-build 10 of the 30 units in Jan 2027 (the other 20 units need another lever) "
        "and hold them"
    )
    assert gap["lever_cost_per_unit"] == pytest.approx(100.0)
    taken = seen[-1].taken
    assert taken[remedies.REGULAR_H][0, 0] == pytest.approx(10.0)
    assert taken[remedies.OVERTIME_H].sum() == 0.0


def test_a_mixed_prebuild_leaves_the_next_row_what_is_left(monkeypatch) -> None:
    # L1 shut in February (40 of P1 and 50 of P2 lost); January makes P1's 80 and leaves
    # 20 h spare and 40 h of overtime at 15 extra an hour, holding 100 a unit-month.
    # P2's 50, claimed first (larger), take the 20 spare hours and 30 h of overtime:
    # (20 x 100 + 30 x (15 + 100)) / 50 = 5,450 / 50 = 109 a unit. P1's 40 then find no
    # spare regular hour and 10 h of overtime: all 40 on overtime (115 a unit), the cap
    # raised past the 30 h P2 took. Alone P1 made 20 + 20: (2,000 + 2,300) / 40 = 107.5
    tables, demand = two_products(
        [80.0, 40.0], [0.0, 50.0], max_ot=40.0, ot_rate=25.0, holding_pct=2400.0
    )
    tables = shut_in(tables, SHUT_FEB)
    sf, alone = _solve_alone_and_claimed(monkeypatch, demand, tables, NO_BACKLOG)
    assert list(zip(sf["family"], sf["units"])) == [("Fam2", 50.0), ("Fam", 40.0)]
    assert alone["lever"].iloc[1] == (
        "pre-build 40 units in Jan 2027 (20 on spare regular hours, 20 on overtime) and hold them"
    )
    assert alone["lever_cost_per_unit"].iloc[1] == pytest.approx(4_300.0 / 40)
    assert list(sf["lever"]) == [
        "pre-build 50 units in Jan 2027 (20 on spare regular hours, 30 on overtime) and hold them",
        "pre-build 40 units in Jan 2027 on overtime and raise the Jan 2027 overtime cap of "
        f"L1 from 40 to 70 h ({OT_FIELD}; 40 h for this gap on top of 30 h for the lost "
        "sales of Fam2 (Plant) in Feb 2027)",
    ]
    assert list(sf["lever_cost_per_unit"]) == pytest.approx([5_450.0 / 50, 115.0])


def test_a_partial_pre_build_ranks_after_a_lever_that_closes_the_gap(monkeypatch) -> None:
    # a pre-build making 2 of 30 units at 5 a unit read as the "cheapest lever" against
    # overtime making all 30 at 8 a unit; the rest of the gap had no lever named
    tables, demand = one_product([100.0, 100.0])
    plan, inp = solve_plan_and_inputs(demand, defaults.complete(tables), NO_BACKLOG)
    ru_g = {c: resource_grid(plan.resource_use, inp, c) for c in remedies.GRID_COLUMNS}
    remedy = remedies.Remedies(inp, None, ru_g, NO_BACKLOG)  # the options are given below
    partial = remedies._Option(5.0, "pre-build 2 of the 30 units ...", (), True)
    whole = remedies._Option(8.0, "add overtime ...", ())
    monkeypatch.setattr(remedy, "_options", lambda gap: [partial, whole])
    assert remedy.claim(remedies.Gap(0, 1, (), 30.0, "lost sales of Fam (Plant) in Feb 2027")) == (
        8.0,
        "add overtime ...",
    )
    # with nothing that closes it, the partial pre-build is still advised
    monkeypatch.setattr(remedy, "_options", lambda gap: [partial])
    assert remedy.claim(remedies.Gap(0, 1, (), 30.0, "x"))[1].startswith("pre-build 2 of")


def test_the_rest_of_a_partial_pre_build_is_counted_in_words() -> None:
    assert remedy_text.part_of(29.4, 30.0) == (
        "29 of the 30 units",
        " (the other 1 unit needs another lever)",
    )
    assert remedy_text.part_of(10.0, 30.0)[1] == " (the other 20 units need another lever)"


def test_a_hiring_raise_names_the_plans_own_hires_in_words() -> None:
    # the hires the plan makes itself read "the 1.0 hires the plan makes" (as if it
    # made people). A hire costs 10 + 2,000 / 100 h = 30 an hour, less than a lost unit:
    # the plan hires the 0.5 a month allowed (250 h) and loses 40 of P1's 290 and P2's
    # 70. P1's gap raises the limit past the plan's own 0.5 and P2's worker (0.7 of one,
    # a whole person; 0.7 + 0.4 pooled need 2): the parts add up, 1 + 1 + 0.5 = 2.5,
    # rounded up to 3 people
    tables, demand = two_products(
        [290.0], [70.0], line_hours=None, labour=CREW | {"hiring": 2_000.0, "max_hires": 0.5}
    )
    plan = solve_plan(demand, tables, NO_BACKLOG)
    assert plan.status == OPTIMAL, plan.explanation
    assert list(plan.shortfalls["units"]) == pytest.approx([70.0, 40.0])
    assert plan.shortfalls["lever"].iloc[1] == (
        f"raise the hiring limit of LAB from 0.5 to 3 hires a month ({HIRES}; 1 hire "
        f"for this gap on top of 1 hire for {P2_LOST} and the 0.5 hires the plan has "
        "that month, 2.5 in all, rounded up to whole people) and hire 1 worker for LAB from "
        "Jan 2027"
    )
