"""Risk ranges that re-plan: each demand path goes through the plan's capacity.

One-product cases small enough to check on paper (as in test_supply.py: P1 sells at
100, material 40, 1 hour per unit on line L1 of 100 hours a month at 10/hour, so a unit
made on regular time costs 50 and earns 50; holding 0.5 per unit-month; backlog 3 per
unit-month; no overtime) must give what a re-solve of the LP on the path gives; a path
equal to the plan's demand is the plan; the ranges collapse to the plan without
uncertainty, are ordered and seeded, and a capacity cut moves them (the issue's demo
scenario: RS-ASM1 -30 % May-Aug 2027, overtime off).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from supply_helpers import one_product, shut_in, tiny_with_consensus, with_consensus

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.finance import kpis, risk
from sop.scenario.evaluate import apply_levers, evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply import paths, spare, standard
from sop.supply.plan import solve_inputs, solve_plan_and_inputs
from sop.supply.policy import RECOGNISE_ORDER, SupplyPolicy

FIGURES = ("revenue", "gross_margin", "on_time_rate", "fill_rate")
# deep enough that even the luckiest demand paths deliver late: the plan draws safety
# stock before it makes an order wait, so a -30 % cut left the P90 on time at 100 %
CUT = Levers(capacity_changes=(("RS-ASM1", "2027-05", "2027-08", -60.0),), overtime_allowed=False)


def _banded(demand: pd.DataFrame, low: float = 0.8, high: float = 1.25) -> pd.DataFrame:
    return demand.assign(
        **{schema.P10: demand[schema.UNITS] * low, schema.P90: demand[schema.UNITS] * high}
    )


def _fast_and_lp(build, units: list[float], change: dict[int, float], policy=None):
    """Figures of one path (the plan's demand + `change` by month) re-planned fast, and
    those of the LP re-solved on that path, read by the plan's own KPIs; `build(units)`
    makes the dataset."""
    tables, demand = build(units)
    policy = policy or SupplyPolicy(horizon=len(units))
    plan, inp = solve_plan_and_inputs(demand, tables, policy)
    path = inp.demand.copy()
    for t, v in change.items():
        path[0, t] += v
    fast = risk.path_figures(plan, inp, path[None])
    lp = solve_inputs(dataclasses.replace(inp, demand=path), policy)
    k = kpis.plan_kpis(lp, tables[schema.PRODUCTS])
    base = kpis.plan_kpis(plan, tables[schema.PRODUCTS])
    return fast, k, base, lp


@pytest.mark.parametrize(
    ("units", "change", "margin_change", "backlog"),
    [
        # spare hours that month: 20 more made there, each earning 100 - 50
        ([50, 50, 50], {1: 20.0}, 20 * 50.0, [0, 0, 0]),
        # 20 fewer ordered: 20 fewer made
        ([50, 50, 50], {1: -20.0}, -20 * 50.0, [0, 0, 0]),
        # the line is full in the last two months: built two months ahead, held 2 x 0.5
        ([50, 100, 100], {2: 20.0}, 20 * (50.0 - 2 * 0.5), [0, 0, 0]),
        # full in months 1-2, nothing to build ahead with: 20 wait two months (2 x 3)
        ([100, 100, 60], {0: 20.0}, 20 * (50.0 - 2 * 3.0), [20, 20, 0]),
    ],
    ids=["spare hours", "fewer orders", "built ahead", "backlog"],
)
def test_one_product_paths_match_an_lp_re_solve(units, change, margin_change, backlog) -> None:
    fast, lp, base, lp_plan = _fast_and_lp(one_product, units, change)
    _same(fast, lp, base, lp_plan, change, margin_change, backlog)


def _same(fast, lp, base, lp_plan, change, margin_change, backlog) -> None:
    for f in FIGURES:
        assert getattr(fast, f)[0] == pytest.approx(lp[f], abs=1e-6), f
    assert fast.revenue[0] - base["revenue"] == pytest.approx(100.0 * sum(change.values()))
    assert fast.gross_margin[0] - base["gross_margin"] == pytest.approx(margin_change)
    assert list(fast.paths.backlog[0, 0].round(6)) == backlog
    assert np.allclose(fast.paths.production[0], lp_plan.family_plan["production"])


@pytest.mark.parametrize(
    ("extra", "units", "margin_change"),
    [
        # a crew of 1 x 200 hours is paid whatever it makes: 20 more cost material and
        # line hours only (the standard's labour hours come out of idle time)
        ({"labour": {"workers": 1.0, "hpw": 200.0, "rate": 10.0}}, [50, 50, 50], 20 * 50.0),
        # the line is full all along: 20 more on overtime at 25 - 10 = 15 more an hour
        # (waiting means losing them at the horizon's end)
        ({"max_ot": 50.0}, [100, 100, 100], 20 * (50.0 - 15.0)),
    ],
    ids=["labour pool", "overtime"],
)
def test_labour_and_overtime_paths_match_an_lp_re_solve(extra, units, margin_change) -> None:
    def build(u):
        return one_product(u, **extra)

    fast, lp, base, lp_plan = _fast_and_lp(build, units, {1: 20.0})
    _same(fast, lp, base, lp_plan, {1: 20.0}, margin_change, [0, 0, 0])


def test_a_path_the_plan_cannot_serve_loses_the_rest_at_the_horizon_end() -> None:
    # 100 ordered on top in the last, full month; no backlog may be left at the end
    fast, lp, _, _ = _fast_and_lp(one_product, [100, 100, 100], {2: 100.0})
    assert fast.paths.lost[0, 0, 2] == pytest.approx(100.0)
    assert fast.fill_rate[0] == pytest.approx(300 / 400) == lp["fill_rate"]
    assert fast.gross_margin[0] == pytest.approx(lp["gross_margin"])


@pytest.mark.parametrize(
    ("units", "backlog", "lost", "margin_change", "on_time"),
    [
        # the line (100 a month) is full in every month, so the plan makes 100, 100, 100
        # and holds 50 from month 1 to the peak in month 3: stock 50, 50, 0. The 30
        # more ordered in month 1 ship from that stock on time (stock 20, 20, 0); month 3
        # is then 30 short with no hours left before it and no backlog allowed at the
        # end: lost. Revenue moves from month 3 to month 1 (+3,000 - 3,000); margin
        # gains the holding of 30 units for 2 months, 30 x 2 x 0.5 = 30. On time:
        # (80 + 100 + 120) / 330.
        ([50, 100, 150], [0, 0, 0], [0, 0, 30], 30 * 2 * 0.5, 300 / 330),
        # with a light fourth month (50 of 100 hours used) the 30 that month 3 lacks
        # wait one month (30 x 3 backlog cost) and are made in month 4 (30 x 50 more
        # cost), where before the month-1 orders waited three months behind full lines.
        # Margin: +3,000 revenue - 1,500 made - 90 backlog + 30 holding = 1,440; on
        # time (80 + 100 + 120 + 50) / 380.
        ([50, 100, 150, 50], [0, 0, 30, 0], [0, 0, 0, 0], 3000 - 1500 - 90 + 30, 350 / 380),
    ],
    ids=["then lost", "then late"],
)
def test_more_orders_ship_from_stock_held_for_a_later_peak(
    units, backlog, lost, margin_change, on_time
) -> None:
    fast, lp, base, lp_plan = _fast_and_lp(one_product, units, {0: 30.0})
    assert list(fast.paths.plan["inventory"][0, :3].round(6)) == [50.0, 50.0, 0.0]  # held
    assert list(lp_plan.family_plan["inventory"].round(6))[:3] == [20.0, 20.0, 0.0]
    assert list(fast.paths.inventory[0, 0, :3].round(6)) == [20.0, 20.0, 0.0]
    assert list(fast.paths.backlog[0, 0].round(6)) == backlog
    assert list(fast.paths.lost[0, 0].round(6)) == lost
    assert fast.on_time_rate[0] == pytest.approx(on_time)
    assert fast.gross_margin[0] - base["gross_margin"] == pytest.approx(margin_change)
    for f in FIGURES:
        assert getattr(fast, f)[0] == pytest.approx(lp[f], abs=1e-6), f


def _with_safety_stock(units):
    # 10 on hand, all of it safety stock: the plan keeps 10 at every month end
    return one_product(units, on_hand=10.0, ss_units=10.0)


@pytest.mark.parametrize(
    ("units", "change", "ss_pct", "production", "inventory", "backlog", "margin", "on_time"),
    [
        # month 1 is full (100 made), 30 more ordered: below safety stock costs 2 a
        # unit-month, under the backlog's 3, so the 10 in safety stock ship and 20 wait
        # a month (20 x 3 + 10 x 2 = 80 against 30 x 3 = 90 for all 30 waiting); month
        # 2 makes its 50, the 20 late and the 10 drawn again on its spare regular
        # hours: 80. Margin: +3,000 revenue - 30 x 50 made - 20 x 3 backlog + 10 x 0.5
        # holding saved (stock 0 in month 1) = 1,445; on time (110 + 50 + 50) / 230.
        ([100, 50, 50], {0: 30.0}, 2.0, [100, 80, 50], [0, 10, 10], [20, 0, 0], 1445.0, 210 / 230),
        # a penalty of 4, above the backlog's 3: safety stock is kept and all 30 wait a
        # month (30 x 3 = 90 against 20 x 3 + 10 x 4 = 100). Margin: 3,000 - 1,500 - 90
        # = 1,410; on time (100 + 50 + 50) / 230.
        ([100, 50, 50], {0: 30.0}, 4.0, [100, 80, 50], [10, 10, 10], [30, 0, 0], 1410.0, 200 / 230),
        # 30 more in the last, full month, where no order may wait: all 30 are made in
        # month 2 and held a month (0.5 each, under a month below safety stock, 2 or
        # 4); safety stock drawn in month 3 (whatever its penalty, before a sale is
        # lost) is made again on month 2's spare hours. Margin: 3,000 - 1,500 - 30 x
        # 0.5 = 1,485; all on time. (The rule used to draw the 10 and build only 20 ahead: stock
        # 10, 30, 0, below the LP's 10, 40, 10.)
        ([50, 50, 100], {2: 30.0}, 2.0, [50, 80, 100], [10, 40, 10], [0, 0, 0], 1485.0, 1.0),
        ([50, 50, 100], {2: 30.0}, 4.0, [50, 80, 100], [10, 40, 10], [0, 0, 0], 1485.0, 1.0),
    ],
    ids=["drawn then rebuilt", "penalty above backlog", "last month", "last month, 4 %"],
)
def test_more_orders_draw_safety_stock_as_the_lp_would(
    units, change, ss_pct, production, inventory, backlog, margin, on_time
) -> None:
    policy = SupplyPolicy(horizon=len(units), safety_stock_penalty_pct=ss_pct)
    fast, lp, base, lp_plan = _fast_and_lp(_with_safety_stock, units, change, policy)
    assert list(fast.paths.plan["inventory"][0].round(6)) == [10.0, 10.0, 10.0]
    assert list(fast.paths.production[0, 0].round(6)) == production
    assert list(lp_plan.family_plan["production"].round(6)) == production
    assert list(fast.paths.inventory[0, 0].round(6)) == inventory
    assert list(lp_plan.family_plan["inventory"].round(6)) == inventory
    assert list(fast.paths.backlog[0, 0].round(6)) == backlog
    assert np.allclose(fast.paths.lost[0], 0.0)
    assert fast.on_time_rate[0] == pytest.approx(on_time)
    assert fast.gross_margin[0] - base["gross_margin"] == pytest.approx(margin)
    for f in FIGURES:
        assert getattr(fast, f)[0] == pytest.approx(lp[f], abs=1e-6), f


def test_stock_held_for_a_later_peak_stops_at_the_minimum_ending_stock() -> None:
    # at least 20 in stock at the end: the plan makes 100 a month (full) and holds 50,
    # 50, 20. 30 more in month 1 ship from the stock held for month 3, which is then 30
    # short with no hours and no backlog left at the end: lost, and the 20 stay (drawing
    # them would lose 10 only). Revenue moves from month 3 to month 1; margin gains the
    # holding of 30 for two months, 30 x 2 x 0.5 = 30; fill and on time 280 / 310.
    policy = SupplyPolicy(horizon=3, ending_inventory="units", ending_units=(("Fam", 20.0),))
    fast, lp, base, lp_plan = _fast_and_lp(one_product, [50, 100, 130], {0: 30.0}, policy)
    assert list(fast.paths.plan["inventory"][0].round(6)) == [50.0, 50.0, 20.0]
    assert list(fast.paths.inventory[0, 0].round(6)) == [20.0, 20.0, 20.0]
    assert list(lp_plan.family_plan["inventory"].round(6)) == [20.0, 20.0, 20.0]
    assert list(fast.paths.lost[0, 0].round(6)) == [0.0, 0.0, 30.0]
    assert fast.gross_margin[0] - base["gross_margin"] == pytest.approx(30.0)
    assert fast.fill_rate[0] == pytest.approx(280 / 310)
    for f in FIGURES:
        assert getattr(fast, f)[0] == pytest.approx(lp[f], abs=1e-6), f


def _shut_in_month_2(units):
    tables, demand = one_product(units)
    return shut_in(tables, [150.0, 0.0, 100.0]), demand


@pytest.mark.parametrize(
    ("build", "units", "change", "production", "inventory", "margin_change"),
    [
        # full every month, 130 ordered in month 3: the plan loses 30 there. 30 fewer
        # in month 1 free 30 hours, which make month 3's 30, held two months: nothing
        # lost, revenue the same (-3,000 in month 1, +3,000 in month 3), margin -30 x 2
        # x 0.5 = -30; fill 300 / 300 (the plan's 300 / 330)
        (one_product, [100, 100, 130], {0: -30.0}, [100, 100, 100], [30, 30, 0], -30.0),
        # 150 hours in month 1, none in month 2, 100 in month 3: the plan makes 150 in
        # month 1 for months 1-2 and loses 30 in month 3. 30 fewer in month 2 (nothing
        # made there to make less of) leave 30 of month 1's in stock for month 3:
        # nothing lost, margin -30 x 0.5 (one more month held) = -15
        (_shut_in_month_2, [50, 100, 130], {1: -30.0}, [150, 0, 100], [100, 30, 0], -15.0),
    ],
    ids=["freed hours", "freed stock"],
)
def test_fewer_orders_serve_the_plans_own_lost_sales(
    build, units, change, production, inventory, margin_change
) -> None:
    fast, lp, base, lp_plan = _fast_and_lp(build, units, change)
    assert list(fast.paths.plan["lost_sales"][0].round(6)) == [0.0, 0.0, 30.0]
    assert np.allclose(fast.paths.lost[0], 0.0)
    assert np.allclose(lp_plan.family_plan["lost_sales"], 0.0)
    assert list(fast.paths.production[0, 0].round(6)) == production
    assert list(fast.paths.inventory[0, 0].round(6)) == inventory
    assert list(lp_plan.family_plan["inventory"].round(6)) == inventory
    assert fast.fill_rate[0] == pytest.approx(1.0)
    assert fast.gross_margin[0] - base["gross_margin"] == pytest.approx(margin_change)
    for f in FIGURES:
        assert getattr(fast, f)[0] == pytest.approx(lp[f], abs=1e-6), f


def test_orders_no_capacity_will_serve_are_lost_not_left_to_delay_later_ones() -> None:
    # full every month, nothing in stock: 20 more in month 1 can never be made. Kept in
    # backlog they would make 20 of every later month's orders late before being lost
    # at the end (on time 240 / 320); lost at once, later orders ship on time (300 / 320)
    fast, lp, _, _ = _fast_and_lp(one_product, [100, 100, 100], {0: 20.0})
    assert list(fast.paths.lost[0, 0].round(6)) == [20.0, 0.0, 0.0]
    assert np.allclose(fast.paths.backlog[0, 0], 0.0)
    assert fast.on_time_rate[0] == pytest.approx(300 / 320) == lp["on_time_rate"]
    assert fast.gross_margin[0] == pytest.approx(lp["gross_margin"])


@pytest.fixture(scope="module")
def tight():
    """Tiny data with Beta's line L2 too small for its demand: backlog and overtime."""
    tables, demand = tiny_with_consensus(12)
    policy = SupplyPolicy(horizon=12)
    levers = Levers(capacity_changes=(("L2", "2026-01", "2026-12", -55.0),))
    inputs = apply_levers(prepare_demand(_banded(demand)), tables, policy, levers)
    plan, inp = solve_plan_and_inputs(inputs.demand, inputs.tables, inputs.policy)
    assert plan.ok and plan.family_plan["backlog"].sum() > 0
    return plan, inp, inputs.sigma, inputs.tables[schema.PRODUCTS]


def test_a_path_equal_to_the_plans_demand_is_the_plan(tight) -> None:
    plan, inp, _, _ = tight
    p = paths.replan(plan, inp, np.stack([inp.demand] * 3))
    q = p.plan
    for name, col in (
        ("production", "production"),
        ("subcontracted", "subcontracted"),
        ("backlog", "backlog"),
        ("lost", "lost_sales"),
        ("inventory", "inventory"),
    ):
        assert np.allclose(getattr(p, name), q[col][None], atol=1e-6), name
    assert np.allclose(paths.making_cost(p, inp), 0.0, atol=1e-6)


@pytest.mark.parametrize("rule", ["ship", RECOGNISE_ORDER])
def test_paths_book_revenue_as_the_plan_does(tight, rule) -> None:
    # the paths' revenue rule must be the books' (`sop.supply.standard`), month by month
    plan, inp, _, _ = tight
    policy = plan.policy.replace(revenue_recognition=rule)
    again = solve_inputs(inp, policy, sku_detail=False)
    fp = paths.plan_arrays(again, inp, (*paths.PLAN_QUANTITIES, "revenue", "booked_units"))
    rev, booked = standard.booked_revenue(
        inp.price, fp["demand"], fp["lost_sales"], fp["backlog"], policy
    )
    assert np.allclose(rev, fp["revenue"]) and np.allclose(booked, fp["booked_units"])


def test_paths_stay_within_the_plans_limits(tight) -> None:
    plan, inp, sigma, products = tight
    wide = sigma.assign(sigma=sigma["sigma"] * 3)  # paths far above and below the plan
    p = paths.replan(plan, inp, risk.demand_paths(inp, wide, 200, seed=3))
    lim = p.limits
    load = np.einsum("pnt,nr->prt", p.production, lim.hours)
    assert (load <= np.maximum(lim.most, lim.hours.T @ p.plan["production"])[None] + 1e-6).all()
    assert (p.production >= -1e-9).all() and (p.subcontract >= -1e-9).all()
    assert (p.inventory >= -1e-6).all() and (p.shipped >= -1e-6).all()
    assert (p.backlog >= 0).all() and (p.lost >= 0).all()
    assert np.allclose(p.backlog[:, :, -1], 0.0)  # no backlog may be left at the end
    # what a path lacks is what it could not make: the plan's lines were full
    assert (p.backlog.sum(axis=(1, 2)) > 0).any()


def test_no_uncertainty_collapses_the_ranges_to_the_plan(tight) -> None:
    plan, inp, sigma, products = tight
    r = risk.plan_risk(plan, inp, sigma.assign(sigma=0.0), n_paths=50)
    k = kpis.plan_kpis(plan, products)
    s = r.summary.set_index("metric")
    for m in risk.METRICS:
        assert s.loc[m, "p10"] == pytest.approx(k[m]) == s.loc[m, "p90"], m
    assert np.allclose(r.monthly.filter(like="margin_delta"), 0.0, atol=1e-6)


def test_ample_capacity_and_no_uncertainty_give_the_point_plan() -> None:
    tables, demand = tiny_with_consensus(12)  # a loaded consensus: no P10-P90 band
    more = tuple((line, "2026-01", "2026-12", 100.0) for line in ("L1", "L2"))
    ev = evaluate(demand, tables, Levers(capacity_changes=more), SupplyPolicy(horizon=12))
    s = ev.risk.summary.set_index("metric")
    assert ev.kpis["on_time_rate"] == 1.0
    for m in risk.METRICS:
        assert s.loc[m, "p10"] == pytest.approx(ev.kpis[m]) == s.loc[m, "p90"], m


def test_ranges_are_ordered_and_seeded(tight) -> None:
    plan, inp, sigma, products = tight
    a = risk.plan_risk(plan, inp, sigma, n_paths=200, seed=1)
    b = risk.plan_risk(plan, inp, sigma, n_paths=200, seed=1)
    c = risk.plan_risk(plan, inp, sigma, n_paths=200, seed=2)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.monthly, b.monthly)
    assert not a.summary.equals(c.summary)
    s = a.summary.set_index("metric")
    assert (s["p10"] <= s["p50"]).all() and (s["p50"] <= s["p90"]).all()
    assert (s["p10"] < s["p90"]).all()  # the tight line makes service vary too
    for frame, name in ((a.monthly, "revenue"), (a.monthly, "margin_delta"), (a.total, "revenue")):
        lo, mid, hi = (frame[f"{name}_{q}"] for q in ("p10", "p50", "p90"))
        assert (lo <= mid + 1e-9).all() and (mid <= hi + 1e-9).all()


@pytest.fixture(scope="module")
def demo():
    horizon = 18
    tables = with_consensus(check_tables(build_demo()).tables, horizon)
    demand = loaded_consensus(tables, plan_months(as_of_month(tables), horizon))
    base = prepare_demand(_banded(demand))
    policy = SupplyPolicy(horizon=horizon)
    return evaluate(base, tables, Levers(), policy), evaluate(base, tables, CUT, policy)


def test_the_demo_capacity_cut_moves_the_ranges(demo) -> None:
    base, cut = demo
    b, c = (ev.risk.summary.set_index("metric") for ev in demo)
    # later deliveries: on time falls over the whole range, and so does margin
    assert (c.loc["on_time_rate"] < b.loc["on_time_rate"]).all()
    assert (c.loc["gross_margin"] < b.loc["gross_margin"]).all()
    # the point plan sits inside its range, and moved with it
    for ev, s in ((base, b), (cut, c)):
        for m in ("on_time_rate", "gross_margin"):
            assert s.loc[m, "p10"] <= ev.kpis[m] <= s.loc[m, "p90"], m
    # revenue moves to the months the backlog ships in
    bm, cm = (ev.risk.monthly.set_index([schema.FAMILY, schema.MONTH]) for ev in demo)
    assert not np.allclose(bm["revenue_p50"], cm["revenue_p50"])
    assert (cm["margin_delta_p10"] <= cm["margin_delta_p90"]).all()


def test_a_shared_line_is_shared_in_proportion_to_what_each_item_asks() -> None:
    # two items on one limit of 10 hours, 1 hour a unit: asking 15 and 5 gets 7.5 and 2.5
    lim = spare.Limits(
        hours=np.ones((2, 1)),
        regular=np.full((1, 1), 10.0),
        most=np.full((1, 1), 10.0),
        sub_item=np.zeros(0, int),
        sub_option=np.zeros(0, int),
        sub_price=np.zeros(0),
        sub_cap=np.zeros((0, 1)),
    )
    got = spare.grant(lim, np.array([[15.0, 5.0], [3.0, 4.0]]), np.array([[10.0], [10.0]]))
    assert np.allclose(got, [[7.5, 2.5], [3.0, 4.0]])
