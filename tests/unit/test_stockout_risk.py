"""Stock-out risk through the constrained plan: the Executive's "Stock-out risk" items
come from the demand paths re-planned through the plan's capacity (`sop.finance.risk`),
not from P90 demand against month-end stock. A review found 5 Garden SKUs listed where
none of the 500 re-planned paths was short: spare hours make the extra orders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from supply_helpers import one_product

from sop.core import schema
from sop.executive import risks as exec_risks
from sop.finance import risk
from sop.supply.plan import solve_plan_and_inputs
from sop.supply.policy import SupplyPolicy

SIGMA = 20.0  # units a month


def _plan(line_hours: float, units=(100.0, 100.0, 100.0)):
    tables, demand = one_product(list(units), line_hours=line_hours)
    plan, inp = solve_plan_and_inputs(demand, tables, SupplyPolicy(horizon=len(units)))
    assert plan.ok
    return plan, inp, tables[schema.PRODUCTS]


def _sigma(inp) -> pd.DataFrame:
    return pd.DataFrame({schema.FAMILY: "Fam", schema.MONTH: inp.months, "sigma": SIGMA})


@pytest.mark.parametrize(
    ("line_hours", "units", "change", "short"),
    [
        # spare hours: 20 more ordered in month 2 are made there
        (100.0, [50, 50, 50], {1: 20.0}, [0, 0, 0]),
        # full line, nothing built ahead: 20 wait two months, and month 2's orders
        # wait behind them (`sop.supply.service.on_time`)
        (100.0, [100, 100, 60], {0: 20.0}, [20, 20, 0]),
        # fewer orders are never short
        (100.0, [100, 100, 100], {1: -30.0}, [0, 0, 0]),
    ],
    ids=["spare hours", "full line", "fewer orders"],
)
def test_a_path_is_short_by_what_it_does_not_deliver_in_the_month_beyond_the_plan(
    line_hours, units, change, short
) -> None:
    plan, inp, _ = _plan(line_hours, units)
    path = inp.demand.copy()
    for t, v in change.items():
        path[0, t] += v
    fig = risk.path_figures(plan, inp, path[None])
    assert fig.family_short[0, 0] == pytest.approx(short, abs=1e-6)


def test_spare_capacity_makes_high_demand_no_stock_out_risk() -> None:
    plan, inp, products = _plan(line_hours=150.0)
    # the plan holds no stock: P90 demand runs above it in every month (the old rule)
    assert plan.family_plan["inventory"].max() < 0.5
    r = risk.plan_risk(plan, inp, _sigma(inp))
    # 50 spare hours a month: short only where demand runs 2.5 sigma high
    assert (r.short["short_p90"] == 0).all() and (r.short["short_share"] <= 0.02).all()
    assert exec_risks.stockouts(plan, r.short, r.n_paths, products, "EUR") == []


def test_a_full_line_is_a_stock_out_risk_valued_at_the_p90_units_margin() -> None:
    plan, inp, products = _plan(line_hours=100.0)
    r = risk.plan_risk(plan, inp, _sigma(inp))
    first = r.short.iloc[0]
    # every unit above the plan's 100 is late: about half the paths, P90 = 1.28 sigma
    assert first["short_share"] == pytest.approx(0.5, abs=0.08)
    assert first["short_p90"] == pytest.approx(1.2816 * SIGMA, rel=0.15)
    rows = exec_risks.stockouts(plan, r.short, r.n_paths, products, "EUR")
    assert len(rows) == 1 and rows[0]["subject"] == "Fam"
    worst = r.short.loc[r.short["short_p90"].idxmax()]
    margin = 100.0 - 50.0  # price less material 40 and 1 h at 10
    assert rows[0]["money"] == pytest.approx(-worst["short_p90"] * margin)
    n_short = round(worst["short_share"] * 500)
    assert f"in {n_short} of 500 demand outcomes" in rows[0]["what"]
    assert f"{round(worst['short_p90'])} units more than planned" in rows[0]["what"]
    assert rows[0]["when"] == exec_risks.when(r.short[schema.MONTH])


def test_without_a_risk_run_there_is_no_stock_out_item() -> None:
    plan, _, products = _plan(line_hours=100.0)
    assert exec_risks.stockouts(plan, None, 0, products, "EUR") == []
    items = exec_risks.ranked(plan, plan.family_plan.iloc[:0], None, products, "EUR")
    assert not (items["category"] == exec_risks.STOCKOUT).any()
    assert np.isfinite(items["money"]).all()


def test_a_stock_out_later_in_the_horizon_is_listed() -> None:
    """Review: only the first three months were read, so a family short from Jul 2027
    for eight months (P90 up to 5,328 units) was not listed."""
    # a full line all along; demand is certain in the first three months only
    tables, demand = one_product([100.0] * 6, line_hours=100.0)
    plan, inp = solve_plan_and_inputs(demand, tables, SupplyPolicy(horizon=6))
    sigma = _sigma(inp).assign(sigma=[0.0, 0.0, 0.0, SIGMA, SIGMA, SIGMA])
    r = risk.plan_risk(plan, inp, sigma)
    late = r.short[r.short["short_p90"] >= 0.5]
    assert len(late) and late[schema.MONTH].min() >= inp.months[3]  # short only late on
    (row,) = exec_risks.stockouts(plan, r.short, r.n_paths, tables[schema.PRODUCTS], "EUR")
    assert row["when"] == exec_risks.when(late[schema.MONTH])
    worst = late.loc[late["short_p90"].idxmax(), schema.MONTH]
    assert f"{worst:%b %Y} orders outrun" in row["what"]
