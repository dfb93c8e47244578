"""The `promo_cost` lever: an added promotion's cost per month round-trips through
files, links, JSON and the widgets, is checked like every lever, and is booked in the
plan's books: the cost table, the promoted family's P&L rows in the months it runs,
the gross margin, the LP objective, the margin bridge and a gross-margin target."""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd
import pytest
from supply_helpers import with_consensus

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.finance import kpis, statement
from sop.scenario import url as scenario_url
from sop.scenario.apply import apply_tables
from sop.scenario.evaluate import evaluate, scenario_bridge
from sop.scenario.lever_space import LeverSpace
from sop.scenario.lever_widgets import lever_widgets, levers_from_state, widget_state
from sop.scenario.levers import Levers
from sop.scenario.wording import moved_text
from sop.supply.inputs import AMOUNT, PROMOTION_COST, prepare
from sop.supply.policy import LEVEL_SKU, SupplyPolicy
from sop.supply.targets import AT_MOST, Target, measure

COST = 50_000.0
PROMO = Levers(
    promo_family="Cooling",
    promo_start="2027-03",
    promo_months=3,
    promo_uplift_pct=20.0,
    promo_cost=COST,
)
MONTHS = pd.DatetimeIndex(["2027-03-01", "2027-04-01", "2027-05-01"])


# --- the lever ------------------------------------------------------------------------
@pytest.mark.parametrize("route", ["json", "toml", "query", "link", "dict", "widgets"])
def test_promo_cost_round_trips_exactly(route: str) -> None:
    levers = dataclasses.replace(PROMO, promo_cost=12_345.675)
    space = LeverSpace(("Cooling", "Heating"), (), (), ("2026-11", "2027-03", "2028-04"))
    if route == "json":
        back = Levers.from_file_text(levers.to_json(), ".json")
    elif route == "toml":
        body = "\n".join(f"{k} = {json.dumps(v)}" for k, v in levers.to_dict().items())
        back = Levers.from_file_text("[levers]\n" + body + "\n", ".toml")
    elif route == "query":
        back = Levers.from_query(levers.to_query())
    elif route == "link":
        params = {k: v[-1] for k, v in parse_qs(urlencode(levers.to_query())).items()}
        back, problems = scenario_url.levers_from_url(params, space)
        assert problems == []
    elif route == "dict":
        back = Levers.from_dict(json.loads(json.dumps(levers.to_dict())))
    else:
        back = levers_from_state(widget_state(levers, space), space)
    assert back == levers and back.promo_cost == 12_345.675


def test_the_cost_has_a_widget_and_words() -> None:
    space = LeverSpace(("Cooling",), (), (), ("2027-03",))
    (w,) = [w for w in lever_widgets(space) if w.key == "scn_promo_cost"]
    assert (w.kind, w.group, w.lo, w.hi) == ("number", "Added promotion", 0.0, 1e9)
    assert "promo_cost +50000" in PROMO.describe()
    text = moved_text(PROMO)
    assert "promotion on Cooling from Mar 2027 for 3 month(s) +20 %" in text
    assert text.endswith(", costing 50,000 money/month")
    assert "costing" not in moved_text(dataclasses.replace(PROMO, promo_cost=0.0))
    # without a family chosen the widgets' cost counts for nothing, like the uplift
    state = widget_state(PROMO, space) | {"scn_promo_family": ""}
    assert levers_from_state(state, space).promo_cost == 0.0


def test_promo_cost_is_checked_clamped_and_a_bad_one_drops_the_promotion() -> None:
    neg = dataclasses.replace(PROMO, promo_cost=-1.0)
    assert any(
        "scn_promo_cost = -1 is outside 0 .. 1000000000 money/month" in p for p in neg.problems()
    )
    assert neg.clamped().promo_cost == 0.0
    assert dataclasses.replace(PROMO, promo_cost=2e9).clamped().promo_cost == 1e9
    nan = dataclasses.replace(PROMO, promo_cost=float("nan"))
    kept, why = nan.without_bad()
    assert kept == Levers() and any("scn_promo_cost" in w for w in why)
    with pytest.raises(ValueError, match="scn_promo_cost"):
        Levers.from_dict({"scn_promo_cost": "lots"})


# --- booking ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    tables = with_consensus(check_tables(build_demo()).tables, 18)
    return tables, loaded_consensus(tables, plan_months(as_of_month(tables), 18))


def test_the_tables_carry_the_cost_per_month(demo) -> None:
    tables, _ = demo
    frame = apply_tables(tables, PROMO)[PROMOTION_COST]
    assert list(frame[schema.FAMILY]) == ["Cooling"] * 3
    assert pd.DatetimeIndex(frame[schema.MONTH]).equals(MONTHS)
    assert (frame[AMOUNT] == COST).all()
    for free in (dataclasses.replace(PROMO, promo_cost=0.0), Levers(promo_cost=COST)):
        assert PROMOTION_COST not in apply_tables(tables, free)  # no cost, or no promotion


def test_the_cost_is_split_over_the_family_by_demand(demo) -> None:
    tables, demand = demo
    t = apply_tables(tables, PROMO)
    inp = prepare(demand, t, SupplyPolicy(level=LEVEL_SKU))
    fam = inp.items[schema.FAMILY].to_numpy() == "Cooling"
    assert fam.sum() > 1  # several SKUs share the cost
    cols = inp.months.get_indexer(MONTHS)
    assert inp.promo_cost.sum() == pytest.approx(3 * COST, rel=1e-12)
    assert inp.promo_cost[~fam].sum() == 0.0
    others = np.setdiff1d(np.arange(inp.T), cols)
    assert inp.promo_cost[:, others].sum() == 0.0
    for c in cols:
        d = inp.demand[fam, c]
        np.testing.assert_allclose(inp.promo_cost[fam, c], COST * d / d.sum(), rtol=1e-12)
    # partly outside the plan: only the plan's months book; none: no cost at all
    last = inp.months[-1].strftime("%Y-%m")
    late = prepare(
        demand, apply_tables(tables, dataclasses.replace(PROMO, promo_start=last)), SupplyPolicy()
    )
    assert late.promo_cost.sum() == pytest.approx(COST) and late.promo_cost[
        :, -1
    ].sum() == pytest.approx(COST)
    assert prepare(demand, tables, SupplyPolicy()).promo_cost is None


def test_a_family_without_demand_shares_the_cost_equally(demo) -> None:
    tables, demand = demo
    t = apply_tables(tables, PROMO)
    cooling = set(
        tables[schema.PRODUCTS].loc[tables[schema.PRODUCTS][schema.FAMILY] == "Cooling", schema.SKU]
    )
    in_march = (demand[schema.MONTH] == MONTHS[0]) & demand[schema.SKU].isin(cooling)
    inp = prepare(
        demand.assign(**{schema.UNITS: demand[schema.UNITS].where(~in_march, 0.0)}),
        t,
        SupplyPolicy(level=LEVEL_SKU),
    )
    fam = inp.items[schema.FAMILY].to_numpy() == "Cooling"
    c = inp.months.get_loc(MONTHS[0])
    assert inp.demand[fam, c].sum() == 0.0
    np.testing.assert_allclose(inp.promo_cost[fam, c], COST / fam.sum(), rtol=1e-12)


@pytest.fixture(scope="module")
def pair(demo):
    """The same promotion free and at `COST` a month."""
    tables, demand = demo
    free = evaluate(demand, tables, dataclasses.replace(PROMO, promo_cost=0.0), with_risk=False)
    paid = evaluate(demand, tables, PROMO, with_risk=False)
    assert free.ok and paid.ok
    return free, paid


def test_the_books_carry_exactly_months_x_cost(pair) -> None:
    free, paid = pair
    c0, c1 = (e.plan.costs.set_index("term") for e in (free, paid))
    assert c0.at["promotion", "amount"] == 0.0
    assert c1.at["promotion", "amount"] == pytest.approx(3 * COST, rel=1e-12)
    assert c1.at["promotion", "kind"] == "cost" and c1.at["promotion", "label"] == "Promotion"
    fp = paid.plan.family_plan
    assert fp["promotion_cost"].sum() == pytest.approx(3 * COST, rel=1e-12)
    # a fixed cost moves no decision: the plan is otherwise the same
    cols = ["production", "subcontracted", "shipped", "inventory", "revenue", "standard_cogs"]
    np.testing.assert_allclose(fp[cols], free.plan.family_plan[cols], rtol=1e-9, atol=1e-6)
    # the P&L: the promoted family's rows in the promotion's months, and only those
    pnl = paid.pnl
    hit = (pnl[schema.FAMILY] == "Cooling") & pnl[schema.MONTH].isin(MONTHS)
    np.testing.assert_allclose(pnl.loc[hit, "promotion"], COST, rtol=1e-12)
    assert (pnl.loc[~hit, "promotion"] == 0).all() and hit.sum() == 3
    margin = pnl[schema.REVENUE] - pnl["cogs"] - pnl["holding"] - pnl["backlog"] - pnl["promotion"]
    np.testing.assert_allclose(pnl[schema.MARGIN], margin, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(
        pnl["cash_margin"], pnl[schema.MARGIN] - pnl["stock_change"], atol=1e-6
    )
    # gross margin and objective lower by exactly the cost; the books agree
    k0, k1 = free.kpis, paid.kpis
    assert k0["gross_margin"] - k1["gross_margin"] == pytest.approx(3 * COST, rel=1e-6)
    assert k0["objective"] - k1["objective"] == pytest.approx(3 * COST, rel=1e-6)
    assert k1["objective"] == pytest.approx(paid.plan.stats["lp_objective"], abs=1e-3)
    assert k1["cogs"] == pytest.approx(k0["cogs"], rel=1e-9)  # not a cost of goods
    assert pnl[schema.MARGIN].sum() == pytest.approx(k1["gross_margin"], rel=1e-9)
    assert kpis.gross_margin(paid.plan) == pytest.approx(k1["gross_margin"], rel=1e-12)
    rec = statement.reconciliation(paid.plan, pnl)["amount"].to_numpy()
    assert rec[0] + rec[1] == pytest.approx(rec[2], rel=1e-9)
    assert measure(paid.plan, Target("gross_margin", AT_MOST, 0.0)) == pytest.approx(
        k1["gross_margin"], rel=1e-9
    )


def test_the_bridge_has_a_promotion_step_and_adds_up(pair, demo) -> None:
    free, paid = pair
    products = demo[0][schema.PRODUCTS]
    b = scenario_bridge(paid, free, products).set_index("step")["amount"]
    assert b["Promotion"] == pytest.approx(-3 * COST, rel=1e-9)
    assert b.drop(["Baseline margin", "Scenario margin"]).sum() == pytest.approx(
        b["Scenario margin"] - b["Baseline margin"], abs=1e-3
    )
    assert b.drop(["Baseline margin", "Scenario margin", "Promotion"]).abs().max() < 1.0
    # a plan saved before promotions had a cost (no column) still bridges, at 0
    old = dataclasses.replace(
        free.plan, family_plan=free.plan.family_plan.drop(columns="promotion_cost")
    )
    ob = scenario_bridge(paid, dataclasses.replace(free, plan=old), products).set_index("step")
    assert ob.at["Promotion", "amount"] == pytest.approx(-3 * COST, rel=1e-9)
    assert statement.family_pnl(old)["promotion"].eq(0).all()


def test_a_gross_margin_target_counts_the_cost(pair, demo) -> None:
    """At most the margin the paid promotion reaches: met by the same plan. A row that
    forgot the cost would see a margin 3 x COST higher and cut the plan to meet it."""
    tables, demand = demo
    _, paid = pair
    m = paid.kpis["gross_margin"]
    capped = dataclasses.replace(PROMO, targets=(Target("gross_margin", AT_MOST, m + 1.0),))
    ev = evaluate(demand, tables, capped, with_risk=False)
    assert ev.ok
    assert ev.kpis["gross_margin"] == pytest.approx(m, abs=1.0)
    assert ev.kpis["objective"] == pytest.approx(paid.kpis["objective"], abs=1.0)
