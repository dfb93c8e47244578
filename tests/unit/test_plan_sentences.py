"""Plan outputs that read right: every sentence a plan generates (explanation, notes,
bottleneck levers, shortfall reasons, the KPI summary and the command line's text) is
scanned on a few plans (the demo baseline, a shut line, zero penalties, layoffs
allowed) for "nan", negative rates and hiring advice in a month the plan lays off."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from supply_helpers import one_product, shut_in, with_consensus

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.finance.catalogue import KPI_BY_KEY
from sop.finance.kpis import plan_kpis, summary
from sop.scenario.evaluate import evaluate
from sop.scenario.levers import Levers
from sop.supply.export import summary as plan_text
from sop.supply.plan import OPTIMAL, PlanResult, solve_plan
from sop.supply.policy import SupplyPolicy

HORIZON = 18
NAN = re.compile(r"\bnan\b|\binf\b", re.IGNORECASE)
NEGATIVE_RATE = re.compile(r"-\s?\d[\d,.]*\s?%")
HIRE = re.compile(r"\bhire", re.IGNORECASE)


@pytest.fixture(scope="module")
def demo():
    tables = with_consensus(check_tables(build_demo()).tables, HORIZON)
    return tables, loaded_consensus(tables, plan_months(as_of_month(tables), HORIZON))


def _labour_layoff_plan() -> tuple[PlanResult, dict[str, pd.DataFrame]]:
    """A crew of 10 (10 h each, 1 h a unit) costing 80 an hour to keep, on units earning
    60 (+10 goodwill): the plan lays all 10 off in the first month and loses the sales,
    so the crew binds (an hour would earn 70) in the very month it lays off."""
    tables, demand = one_product(
        [100, 100, 100], line_hours=None, labour=dict(workers=10, hpw=10, rate=80.0)
    )
    return solve_plan(demand, tables, SupplyPolicy(layoffs_allowed=True)), tables


def _plans(demo) -> dict[str, tuple[PlanResult, pd.DataFrame]]:
    tables, demand = demo
    pol = SupplyPolicy(horizon=HORIZON)
    shut = Levers(
        capacity_changes=(("RS-ASM1", "2027-06", "2027-07", -100.0),), overtime_allowed=False
    )
    zero = pol.replace(
        backlog_cost_pct=0.0, lost_sales_penalty_pct=0.0, safety_stock_penalty_pct=0.0
    )
    layoffs = pol.replace(layoffs_allowed=True)
    out = {}
    for name, levers, policy in (
        ("baseline", Levers(), pol),
        ("shut line", shut, pol),
        ("zero penalties", Levers(), zero),
        ("layoffs allowed", Levers(demand_pct=-40.0), layoffs),
    ):
        ev = evaluate(demand, tables, levers, policy, with_risk=False)
        assert ev.ok, (name, ev.plan.explanation)
        out[name] = (ev.plan, tables[schema.PRODUCTS])
    crew, crew_tables = _labour_layoff_plan()
    out["crew laid off"] = (crew, crew_tables[schema.PRODUCTS])
    return out


def _sentences(plan: PlanResult, products: pd.DataFrame) -> list[str]:
    k = plan_kpis(plan, products)
    notes = [n.text for n in plan.notes]
    texts = [plan.explanation, *notes, summary(k), plan_text(plan, "EUR", k, summary(k))]
    for frame, cols in ((plan.bottlenecks, ("lever",)), (plan.shortfalls, ("lever", "why"))):
        for c in cols:
            texts += [str(v) for v in frame[c]]
    return texts


def _layoff_months(plan: PlanResult) -> set[tuple[str, pd.Timestamp]]:
    ru = plan.resource_use
    laid = ru[ru["layoffs"].fillna(0.0) > 1e-6]
    return set(zip(laid[schema.RESOURCE], laid[schema.MONTH]))


def test_every_sentence_reads_right(demo) -> None:
    plans = _plans(demo)
    seen_layoffs = 0
    for name, (plan, products) in plans.items():
        assert plan.status == OPTIMAL
        for text in _sentences(plan, products):
            assert not NAN.search(text), (name, text)
            assert not NEGATIVE_RATE.search(text), (name, text)
        k = plan_kpis(plan, products)
        for key in ("fill_rate", "on_time_rate"):
            assert 0.0 <= k[key] <= 1.0 + 1e-9, (name, key, k[key])
        assert k["on_time_rate"] <= k["fill_rate"] + 1e-9
        assert all(k[x] >= -1e-9 for x in k if KPI_BY_KEY[x].unit in ("units", "unit-months"))
        # below safety stock is read from the stock, whatever the penalty
        fp = plan.family_plan
        assert np.allclose(
            fp["below_safety_stock"], np.clip(fp["safety_stock"] - fp["inventory"], 0, None)
        )
        # no hiring advice for a labour pool in a month the plan lays it off
        laid = _layoff_months(plan)
        seen_layoffs += len(laid)
        b = plan.bottlenecks
        for r in b[b["constraint"] == "capacity"].itertuples(index=False):
            if (r.resource, r.month) in laid:
                assert not HIRE.search(r.lever), (name, r.lever)
        for r in plan.shortfalls.itertuples(index=False):
            pools = {res for res, m in laid if m == r.month}
            for pool in pools:
                assert not re.search(rf"hire[^;.]*{pool}", r.why, re.IGNORECASE), (name, r.why)
    assert seen_layoffs > 0  # the scan met a layoff month


def test_a_layoff_month_asks_to_lay_off_fewer_not_to_hire() -> None:
    plan, _ = _labour_layoff_plan()
    ru = plan.resource_use.set_index(schema.MONTH)
    first = ru.index.min()
    assert ru.at[first, "layoffs"] == pytest.approx(10.0)
    assert ru.at[first, "shadow_price"] > 0  # the crew binds in the month it is laid off
    gap = plan.shortfalls[plan.shortfalls[schema.MONTH] == first].iloc[0]
    assert gap["lever"].startswith("lay off 10 fewer workers from LAB")
    assert "no workers that month" in gap["why"] and "shut" not in gap["why"]
    b = plan.bottlenecks.set_index("month")
    assert b.at[first, "lever"].startswith("The plan lays off 10.0 workers here")
    # later months lay nobody off: the 10 kept on stay on, no one is hired
    later = plan.shortfalls[plan.shortfalls[schema.MONTH] > first]
    assert later["lever"].str.startswith("use the 10 workers kept on for LAB from Jan").all()


def test_a_shut_line_with_no_lever_says_reopen_and_no_cost() -> None:
    # L1 shut in month 2, month 1 already at its overtime cap: nothing else can help
    tables, demand = one_product([100, 100], max_ot=20.0)
    tables = shut_in(tables, [100.0, 0.0])
    plan = solve_plan(demand, tables, SupplyPolicy(backlog_allowed=False))
    gap = plan.shortfalls.iloc[0]
    assert gap["lever"].startswith("reopen L1 in Feb 2027")
    assert np.isnan(gap["lever_cost_per_unit"])
    assert "/unit)" not in gap["why"].split("Cheapest lever:")[1].split(";")[0]
    assert not NAN.search(gap["why"])
