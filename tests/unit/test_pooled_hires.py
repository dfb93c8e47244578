"""Hires are pooled per labour pool and month: the shortfall rows of one month on one
labour pool round their people's worth of work up to whole people once, not each on its
own (0.6 and 0.4 workers' worth hired 1 + 1 = 2 people, where 1 does the work). A row the
people hired before already cover uses their spare hours at no extra cost and says so
(in hours: people are whole); a row that adds fewer people than it would alone says how
the pool adds up. The rows' costs add up to the people actually hired. A hire stays on:
a row of a later month works the hours the people hired before have left that month
(at the wage, no hiring cost again) and hires only the people still missing."""

from __future__ import annotations

import pandas as pd
import pytest
from supply_helpers import one_product, two_products

from sop.core import schema
from sop.supply import remedies, remedy_text
from sop.supply.plan import OPTIMAL, solve_plan
from sop.supply.policy import SupplyPolicy

NO_BACKLOG = SupplyPolicy(backlog_allowed=False)
# a crew of 2 x 100 h (1 h a unit); a hire costs 20,000, so a worker's month costs
# 100 h x (10 + 20,000 / 100 h) = 21,000 in a one-month plan; overtime at 5,000 an hour
# and a lost unit (60 margin + 10 goodwill) leave the plan hiring nobody itself
CREW = {"workers": 2.0, "hpw": 100.0, "hiring": 20_000.0, "ot_rate": 5_000.0}
WORKER_MONTH = 21_000.0
P2_LOST = "the lost sales of Fam2 (Plant) in Jan 2027"
FAM_LOST = "the lost sales of Fam (Plant) in Jan 2027"


def _shortfalls(p1: float, p2: float, **labour: float) -> pd.DataFrame:
    """The shortfall rows of P1 (family Fam, price 100) and P2 (family Fam2, price 90)
    ordered `p1` and `p2` in Jan 2027 on the crew's 200 h (the plan serves P1 first);
    `labour`: on top of `CREW` (max_hires: the hiring limit)."""
    tables, demand = two_products([p1], [p2], line_hours=None, labour=CREW | labour)
    plan = solve_plan(demand, tables, NO_BACKLOG)
    assert plan.status == OPTIMAL, plan.explanation
    return plan.shortfalls


def _people_paid(sf: pd.DataFrame) -> float:
    """The people the rows' levers pay for: their costs over a worker's month."""
    return float((sf["lever_cost_per_unit"] * sf["units"]).sum()) / WORKER_MONTH


def test_two_rows_that_fit_one_worker_hire_one() -> None:
    # 240 of P1 and 60 of P2 on 200 h: 60 of P2 and 40 of P1 lost, 0.6 and 0.4 workers'
    # worth: one worker pooled (per row: 1 + 1 = 2, a whole worker too many)
    sf = _shortfalls(240.0, 60.0)
    assert list(sf["units"]) == pytest.approx([60.0, 40.0])
    assert sf["lever"].tolist() == [
        "hire 1 worker for LAB from Jan 2027",
        "use the spare hours of the 1 worker hired for LAB in Jan 2027 (60 h for "
        f"{P2_LOST} and 40 h for this gap, 100 h in all: 1 worker at 100 h a month)",
    ]
    # the second row adds nobody: no extra cost; the rows pay for the 1 worker hired
    assert list(sf["lever_cost_per_unit"]) == pytest.approx([WORKER_MONTH / 60, 0.0])
    assert "Cheapest lever (+€0.00/unit): use the spare hours" in sf["why"].iloc[1]
    assert _people_paid(sf) == pytest.approx(1.0)


def test_a_row_adds_only_the_people_the_pool_lacks() -> None:
    # 330 of P1 and 130 of P2 on 200 h: 130 of each lost, 1.3 workers' worth each: 2 + 2
    # = 4 people per row, 2.6 pooled: 3. The second row hires 1 and says how 3 adds up
    sf = _shortfalls(330.0, 130.0)
    assert list(sf["units"]) == pytest.approx([130.0, 130.0])
    first, second = sf["lever"].tolist()
    assert first == "hire 2 workers for LAB from Jan 2027"
    # the row before is named with the people it hired (review: "2 of them hired or
    # kept for it" said neither which nor for whom)
    assert second == (
        f"hire 1 worker for LAB from Jan 2027 (pooled: 130 h for {FAM_LOST}, which hired "
        "2 workers, and 130 h for this gap, 260 h in all: 3 workers at 100 h a month)"
    )
    assert list(sf["lever_cost_per_unit"]) == pytest.approx(
        [2 * WORKER_MONTH / 130, WORKER_MONTH / 130]
    )
    assert _people_paid(sf) == pytest.approx(3.0)


def test_a_lone_row_reads_as_before() -> None:
    # only P1 short (40 lost, 0.4 workers' worth): one worker, no pooled note
    sf = _shortfalls(240.0, 0.0)
    assert sf["lever"].tolist() == ["hire 1 worker for LAB from Jan 2027"]
    assert _people_paid(sf) == pytest.approx(1.0)


def test_a_row_the_hiring_limit_raise_names_says_the_split_once() -> None:
    # the same two rows under a limit of 2 hires a month: the second row's raise names
    # the 2 hires of the row before, so the pooled bracket would say the split twice
    # (review, demo with RS-ASM1 shut: ~400 characters, "8 + 7" read twice)
    sf = _shortfalls(330.0, 130.0, max_hires=2.0)
    first, second = sf["lever"].tolist()
    assert first == "hire 2 workers for LAB from Jan 2027"
    assert second == (
        "raise the hiring limit of LAB from 2 to 3 hires a month (max_hires_per_month in "
        f"workforce; 1 hire for this gap on top of 2 hires for {FAM_LOST}) and hire 1 "
        "worker for LAB from Jan 2027"
    )
    # only words: the same people paid as without the limit
    assert _people_paid(sf) == pytest.approx(3.0)


def test_the_pooled_note_in_hours_and_whole_people() -> None:
    assert remedy_text.pooled((1, 0), 0.6, 0.4, 100.0, ["lost sales of A in Jan 2027"]) == (
        "60 h for the lost sales of A in Jan 2027 and 40 h for this gap, 100 h in all: "
        "1 worker at 100 h a month"
    )
    two = ["lost sales of A in Jan 2027", "late orders of B in Jan 2027"]
    assert remedy_text.pooled((2, 0), 1.5, 1.25, 80.0, two) == (
        "120 h for 2 other rows (lost sales of A in Jan 2027, late orders of B in Jan 2027), "
        "which hired 2 workers, and 100 h for this gap, 220 h in all: 3 workers at 80 h a "
        "month"
    )
    # people kept on (a layoff forgone) are said as kept, not hired
    one = ["lost sales of A in Jan 2027"]
    assert remedy_text.pooled((0, 1), 0.6, 0.6, 100.0, one) == (
        "60 h for the lost sales of A in Jan 2027, which kept 1 worker on, and 60 h for "
        "this gap, 120 h in all: 2 workers at 100 h a month"
    )
    assert ", which hired 1 worker and kept 1 on, " in remedy_text.pooled(
        (1, 1), 1.6, 0.6, 100.0, one
    )


def test_the_people_rows_before_have_as_the_case_is() -> None:
    assert remedy_text.people_had(1, 0) == "1 worker hired"
    assert remedy_text.people_had(0, 2) == "2 workers kept on"
    assert remedy_text.people_had(2, 1) == "3 workers (2 hired, 1 kept on)"


# --- a hire stays on: the rows of later months use the people hired before -------------
# a plan of two months: a hire from January costs 100 h x 10 + 20,000 / 2 months left =
# 11,000 a worker that month, one from February 100 h x 10 + 20,000 = 21,000; an hour of
# the people hired before costs the wage, 10, and no hiring cost again
JAN_HIRE, FEB_HIRE, WAGE = 11_000.0, 21_000.0, 10.0
JAN_LOST, FEB_LOST = (
    "lost sales of Fam (Plant) in Jan 2027",
    "lost sales of Fam (Plant) in Feb 2027",
)


def test_a_later_month_uses_the_people_hired_before() -> None:
    # 330 then 300 of P1 on the crew's 200 h a month: 130 lost in January (1.3 workers'
    # worth: 2 hired) and 100 in February, which the 2 hired from January (on the payroll
    # in February too) cover: it hired 1 more worker from February, 3 people named
    tables, demand = one_product([330.0, 300.0], line_hours=None, labour=CREW)
    plan = solve_plan(demand, tables, NO_BACKLOG)
    assert plan.status == OPTIMAL, plan.explanation
    sf = plan.shortfalls
    assert list(sf["units"]) == pytest.approx([130.0, 100.0])
    assert sf["lever"].tolist() == [
        "hire 2 workers for LAB from Jan 2027",
        "use the 2 workers hired for LAB from Jan 2027 (100 h of their 200 h in Feb 2027)",
    ]
    # February pays the 100 h at the wage: the rows pay 2 hires once (and their hours)
    assert list(sf["lever_cost_per_unit"]) == pytest.approx([2 * JAN_HIRE / 130, WAGE])
    assert float((sf["lever_cost_per_unit"] * sf["units"]).sum()) == pytest.approx(
        2 * JAN_HIRE + 100 * WAGE
    )


def _remedies(monkeypatch, units: list[float], **labour: float) -> remedies.Remedies:
    """A `Remedies` with nothing claimed yet on the plan of P1 ordered `units` a month on
    the crew (`labour` on top of `CREW`), for claiming gaps in the order a test sets."""
    seen, claim = [], remedies.Remedies.claim

    def spy(self, gap):
        seen.append(self)
        return claim(self, gap)

    monkeypatch.setattr(remedies.Remedies, "claim", spy)
    tables, demand = one_product(units, line_hours=None, labour=CREW | labour)
    assert solve_plan(demand, tables, NO_BACKLOG).status == OPTIMAL
    done = seen[-1]
    return remedies.Remedies(done.inp, done.sol, done.ru_g, done.policy)


def _gap(remedy: remedies.Remedies, month: int, units: float, label: str) -> remedies.Gap:
    """A gap of P1 on the labour pool LAB (1 h a unit) in `month` (0: January)."""
    lab = int(remedy.inp.res.index[remedy.inp.res[schema.RESOURCE] == "LAB"][0])
    return remedies.Gap(0, month, (lab,), units, label)


def test_a_later_month_hires_only_the_people_still_missing(monkeypatch) -> None:
    # January's gap of 130 units claims first and hires 2 (200 h); February's 260 (2.6
    # workers' worth) works all 200 h of theirs and hires 1 more, within February's
    # limit of 2 new hires (it hired 3 and raised the limit to 3)
    remedy = _remedies(monkeypatch, [330.0, 460.0], max_hires=2.0)
    jan = remedy.claim(_gap(remedy, 0, 130.0, JAN_LOST))
    feb = remedy.claim(_gap(remedy, 1, 260.0, FEB_LOST))
    assert jan == (pytest.approx(2 * JAN_HIRE / 130), "hire 2 workers for LAB from Jan 2027")
    assert feb[1] == (
        "use the 2 workers hired for LAB from Jan 2027 (200 h of their 200 h in Feb 2027) "
        "and hire 1 worker for LAB from Feb 2027"
    )
    # the costs add up to the 3 people hired across both months, each hiring cost once
    assert feb[0] == pytest.approx((200 * WAGE + FEB_HIRE) / 260)
    assert jan[0] * 130 + feb[0] * 260 == pytest.approx(2 * JAN_HIRE + 200 * WAGE + FEB_HIRE)


def test_rows_of_one_month_share_the_hours_of_the_people_hired_before(monkeypatch) -> None:
    # the 2 hired from January have 200 h in February: a row of 60 h, then one of 100 h
    # on top of it, then one of 90 h that finds 40 h left and hires 1 for the other 50
    remedy = _remedies(monkeypatch, [330.0, 460.0])
    remedy.claim(_gap(remedy, 0, 130.0, JAN_LOST))
    lost = [f"lost sales of Fam{k} in Feb 2027" for k in (1, 2)]
    first = remedy.claim(_gap(remedy, 1, 60.0, lost[0]))
    second = remedy.claim(_gap(remedy, 1, 100.0, lost[1]))
    third = remedy.claim(_gap(remedy, 1, 90.0, FEB_LOST))
    staff = "use the 2 workers hired for LAB from Jan 2027"
    assert first == (pytest.approx(WAGE), f"{staff} (60 h of their 200 h in Feb 2027)")
    assert second == (
        pytest.approx(WAGE),
        f"{staff} (100 h of their 200 h in Feb 2027, on top of 60 h for the {lost[0]})",
    )
    assert third[1] == (
        f"{staff} (40 h of their 200 h in Feb 2027, on top of 160 h for 2 other rows "
        f"({lost[0]}, {lost[1]})) and hire 1 worker for LAB from Feb 2027"
    )
    assert third[0] == pytest.approx((40 * WAGE + FEB_HIRE) / 90)


def test_the_people_hired_or_kept_on_in_several_months_before() -> None:
    hired = [("Jan 2027", 2, "hired"), ("Feb 2027", 1, "hired")]
    assert remedy_text.carried_use("LAB", hired, "Mar 2027", 100.0, (60.0, 0.0, [])) == (
        "use the 3 workers hired for LAB earlier (2 from Jan 2027 and 1 from Feb 2027; 60 h "
        "of their 300 h in Mar 2027)"
    )
    more = [*hired, *((m, n, "hired") for m, n in (("Mar 2027", 1), ("Apr 2027", 4)))]
    more.append(("May 2027", 1, "hired"))
    assert remedy_text.carried_use("LAB", more, "Jun 2027", 100.0, (60.0, 0.0, [])) == (
        "use the 9 workers hired for LAB earlier (2 from Jan 2027, 1 from Feb 2027, 1 from "
        "Mar 2027 and 5 from 2 more months; 60 h of their 900 h in Jun 2027)"
    )
    # a layoff forgone keeps the worker on in the months after too
    kept = [("Jan 2027", 1, "kept on")]
    assert remedy_text.carried_use("LAB", kept, "Feb 2027", 100.0, (60.0, 0.0, [])) == (
        "use the 1 worker kept on for LAB from Jan 2027 (60 h of their 100 h in Feb 2027)"
    )
    both = [*kept, ("Feb 2027", 2, "hired")]
    assert remedy_text.carried_use("LAB", both, "Mar 2027", 100.0, (60.0, 0.0, [])) == (
        "use the 3 workers kept on or hired for LAB earlier (1 kept on from Jan 2027 and 2 "
        "hired from Feb 2027; 60 h of their 300 h in Mar 2027)"
    )
