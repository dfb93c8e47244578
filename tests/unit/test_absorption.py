"""The standard rate of labour (`sop.supply.absorption`): the budget's absorption rate,
never below the regular rate, the regular rate where no budget covers a pool, scaled
by the labour cost lever like the wages; lines keep their regular rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from supply_helpers import one_product

from sop.core import schema
from sop.scenario.apply import apply_tables
from sop.scenario.levers import Levers
from sop.supply.absorption import absorption_rate, family_hours, standard_rates
from sop.supply.inputs import prepare
from sop.supply.policy import SupplyPolicy
from sop.supply.standard import unit_cost

CREW = {"workers": 2.0, "hpw": 100.0, "rate": 10.0}  # 200 h and 2,000 of wages a month


def test_absorption_rate_by_hand() -> None:
    # 2 workers x 100 h at 10/h = 2,000 a month. A budget needing 160 h: 2,000 / 160 =
    # 12.5/h; needing 250 h (more than the 200 h the crew has): the regular 10/h; no
    # hours (nothing budgeted, or a budget that cannot be read): 10/h; needing 40 h (the
    # crew 20 % busy): capped at twice the regular rate, 20/h, not 2,000 / 40 = 50/h.
    rate = absorption_rate(
        np.array([2_000.0, 2_000.0, 2_000.0, 2_000.0, 2_000.0]),
        np.array([160.0, 250.0, 0.0, np.nan, 40.0]),
        np.full(5, 10.0),
    )
    assert rate.tolist() == [12.5, 10.0, 10.0, 10.0, 20.0]


def _budget(family: str, units: float, months: int = 2) -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.FAMILY: family,
            schema.MONTH: pd.date_range("2027-01-01", periods=months, freq="MS"),
            schema.UNITS: units,
            schema.REVENUE: units * 100.0,
            schema.MARGIN: 0.0,
        }
    )


def _rates(tables: dict[str, pd.DataFrame], demand: pd.DataFrame) -> dict[str, float]:
    inp = prepare(demand, tables, SupplyPolicy())
    return dict(zip(inp.res[schema.RESOURCE], inp.std_rate))


def test_the_crew_is_costed_at_the_budget_absorption_rate() -> None:
    # A line (10/h, 1 h/unit) and the crew (1 h/unit). The budget sells 160 units a month
    # over 2 months: 160 h a month for 2,000 of wages, 12.5/h; the line keeps 10/h, so a
    # unit's standard cost is 40 + 10 + 12.5 = 62.5 (the holding cost is 12 %/year of it).
    tables, demand = one_product([100, 100], line_hours=1_000.0, labour=CREW)
    budgeted = tables | {schema.BUDGET: _budget("Fam", 160.0)}
    assert _rates(budgeted, demand) == {"L1": 10.0, "LAB": 12.5}
    inp = prepare(demand, budgeted, SupplyPolicy())
    assert unit_cost(inp).tolist() == pytest.approx([62.5])
    assert inp.hold[0].tolist() == pytest.approx([0.625, 0.625])
    # 1 month budgeted at 120 units: the wages of that month over its 120 h, 16.67/h
    one = _rates(tables | {schema.BUDGET: _budget("Fam", 120.0, months=1)}, demand)["LAB"]
    assert one == pytest.approx(2_000 / 120)
    # at 80 units the crew would be 40 % busy: capped at twice the regular rate, 20/h
    assert _rates(tables | {schema.BUDGET: _budget("Fam", 80.0, months=1)}, demand)["LAB"] == 20
    # 250 units a month need 250 h, more than the crew's 200: the regular rate
    assert _rates(tables | {schema.BUDGET: _budget("Fam", 250.0)}, demand)["LAB"] == 10.0
    # no budget, or a budget of other families only: the regular rate
    assert _rates(tables, demand)["LAB"] == 10.0
    assert _rates(tables | {schema.BUDGET: _budget("Other", 160.0)}, demand)["LAB"] == 10.0
    # the labour cost lever scales the standard rate like the wages: +20 % -> 15/h
    dearer = apply_tables(budgeted, Levers(labour_cost_pct=20.0))
    assert _rates(dearer, demand) == pytest.approx({"L1": 12.0, "LAB": 15.0})


def test_a_pool_the_budget_covers_in_part_keeps_its_regular_rate() -> None:
    # Families A (1 h/unit) and B (its items at 0.25 and 1 h, weighted 3:1: 0.4375 h) on
    # one crew of 2 x 100 h at 10/h, a budget of one month.
    hours = sp.csr_matrix(np.array([[1.0], [0.25], [1.0]]))
    fam = family_hours(np.array(["A", "B", "B"], dtype=object), hours, np.array([5.0, 3.0, 1.0]))
    assert fam[0].to_dict() == pytest.approx({"A": 1.0, "B": 0.4375})
    res = pd.DataFrame(
        {schema.RESOURCE: ["LAB"], schema.KIND: ["labour"], schema.REGULAR_COST_PER_HOUR: [10.0]}
    )
    crew = pd.DataFrame({schema.WORKERS: [2.0], schema.HOURS_PER_WORKER: [100.0]})

    def rate(budget: pd.DataFrame | None) -> float:
        return float(standard_rates(res, np.array([0]), crew, budget, fam)[0])

    # A 80 units + B 160 units need 80 + 70 = 150 h: 2,000 / 150
    both = pd.concat([_budget("A", 80.0, 1), _budget("B", 160.0, 1)])
    assert rate(both) == pytest.approx(2_000 / 150)
    # the budget leaves B out: its volume is unknown, so the regular rate
    assert rate(_budget("A", 80.0, 1)) == 10.0
    assert rate(None) == 10.0
