"""Hires are pooled per labour pool and month: the shortfall rows of one month on one
labour pool round their people's worth of work up to whole people once, not each on its
own (0.6 and 0.4 workers' worth hired 1 + 1 = 2 people, where 1 does the work). A row the
people hired before already cover uses their spare hours at no extra cost and says so
(in hours: people are whole); a row that adds fewer people than it would alone says how
the pool adds up. The rows' costs add up to the people actually hired."""

from __future__ import annotations

import pandas as pd
import pytest
from supply_helpers import demand_frame, one_product

from sop.core import schema
from sop.supply import remedy_text
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
    tables, _ = one_product([p1], line_hours=None, labour=CREW | labour)
    prod, inv, bor = (
        tables[k] for k in (schema.PRODUCTS, schema.INVENTORY, schema.BILL_OF_RESOURCES)
    )
    fam2 = {schema.SKU: "P2", schema.NAME: "Product 2", schema.FAMILY: "Fam2"}
    tables = {
        **tables,
        schema.PRODUCTS: pd.concat(
            [prod, prod.assign(**fam2, **{schema.LIST_PRICE: 90.0})], ignore_index=True
        ),
        schema.INVENTORY: pd.concat([inv, inv.assign(**{schema.SKU: "P2"})], ignore_index=True),
        schema.BILL_OF_RESOURCES: pd.concat(
            [bor, bor.assign(**{schema.FAMILY: "Fam2"})], ignore_index=True
        ),
    }
    demand = pd.concat(
        [demand_frame([p1]), demand_frame([p2], sku="P2", family="Fam2")], ignore_index=True
    )
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
