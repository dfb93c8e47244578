"""Scenario evaluation: KPIs reconcile to the plan, the bridge adds up, levers move
KPIs the right way, extreme levers still give valid plans, and the CLI."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from tiny import tiny_tables, write_tables

from sop.__main__ import main
from sop.core import schema
from sop.demand.plan import PLAN_COLUMNS
from sop.finance.bridge import margin_bridge
from sop.finance.catalogue import KPIS
from sop.finance.kpis import family_unit_values, kpi_table
from sop.finance.statement import budget_kpis, family_pnl
from sop.scenario.apply import apply_tables
from sop.scenario.evaluate import evaluate, scenario_bridge
from sop.scenario.levers import Levers
from sop.supply.capacity import OVERTIME_HOURS, resource_hours
from sop.supply.plan import solve_plan
from sop.supply.policy import SupplyPolicy
from sop.supply.synthetic import naive_consensus

POLICY = SupplyPolicy(horizon=12)


def _demand(tables: dict[str, pd.DataFrame], growth: float = 1.0) -> pd.DataFrame:
    cons = naive_consensus(tables, horizon=12, growth=growth)
    fam = tables[schema.PRODUCTS].set_index(schema.SKU)[schema.FAMILY]
    return cons.assign(
        **{
            schema.FAMILY: cons[schema.SKU].map(fam),
            schema.P10: cons[schema.UNITS] * 0.8,
            schema.P90: cons[schema.UNITS] * 1.25,
            schema.FORECAST_UNITS: cons[schema.UNITS],
            schema.SOURCE: "test",
        }
    )[PLAN_COLUMNS]


@pytest.fixture(scope="module")
def tiny():
    t = tiny_tables()
    return t, _demand(t)


@pytest.fixture(scope="module")
def base(tiny):
    t, d = tiny
    return evaluate(d, t, Levers(), POLICY)


def test_revenue_is_price_times_units_served(tiny, base) -> None:
    t, d = tiny
    assert base.ok
    # the full plan by SKU x region: the scenario (solved on regions summed) must agree
    sku = solve_plan(d, t, POLICY).sku_plan
    # net price (the default): the tiny dataset sells at 95 % of list
    price = 0.95 * sku[schema.SKU].map(t[schema.PRODUCTS].set_index(schema.SKU)[schema.LIST_PRICE])
    assert base.kpis["revenue"] == pytest.approx(float((sku["shipped"] * price).sum()))
    assert base.kpis["fill_rate"] == pytest.approx(
        base.kpis["served_units"] / base.kpis["demand_units"]
    )
    assert base.kpis["gross_margin"] == pytest.approx(
        base.kpis["revenue"]
        - base.kpis["cogs"]
        - float(base.plan.costs.set_index("term").loc[["holding", "backlog"], "amount"].sum())
    )
    assert base.kpis["gross_margin_pct"] == pytest.approx(
        base.kpis["gross_margin"] / base.kpis["revenue"]
    )
    # turns: units sold and stock, both at standard cost (tiny: one plant, so one
    # standard cost per family)
    fp = base.plan.family_plan
    months = fp[schema.MONTH].nunique()
    unit_cost = family_unit_values(base.plan, t[schema.PRODUCTS]).set_index(schema.FAMILY)[
        "unit_cost"
    ]
    cost = fp[schema.FAMILY].map(unit_cost)
    avg_inv = (fp["inventory"] * cost).groupby(fp[schema.MONTH]).sum().mean()
    sold = float((fp["shipped"] * cost).sum())
    assert base.kpis["inventory_turns"] == pytest.approx(sold * 12 / months / avg_inv)


def test_family_pnl_adds_up_to_the_plan(tiny, base) -> None:
    pnl = family_pnl(base.plan, tiny[0])
    assert pnl[schema.REVENUE].sum() == pytest.approx(base.kpis["revenue"])
    assert pnl[schema.MARGIN].sum() == pytest.approx(base.kpis["gross_margin"])
    assert pnl["cogs"].sum() == pytest.approx(base.kpis["cogs"])
    # idle time = labour paid - hours used x the standard rate: the regular rate on the
    # lines; on the crew, the budget's absorption rate: 5 workers x 140 h x 25/h = 17,500
    # a month over the 40 h the budget's 400 Alpha a month need at 0.1 h = 437.5/h, capped
    # at twice the regular rate (a crew 6 % busy is no normal volume): 50/h. The crew
    # works far fewer than the 350 h that would absorb its wages: idle every month.
    ru = base.plan.resource_use
    rates = tiny[0][schema.RESOURCES].set_index(schema.RESOURCE)[schema.REGULAR_COST_PER_HOUR]
    std = ru[schema.RESOURCE].map({"L1": 30.0, "L2": 30.0, "LAB": 50.0})
    paid = ru["regular_cost"] + ru[schema.RESOURCE].map(rates) * ru["overtime_hours"]
    idle = (paid - std * ru["load_hours"]).groupby(ru[schema.MONTH]).sum()
    by_month = pnl.groupby(schema.MONTH)["idle_time"].sum()
    assert by_month.to_numpy() == pytest.approx(idle.to_numpy(), abs=1e-6)
    assert (by_month > 0).all()


def test_budget_window_covers_only_budget_months(tiny, base) -> None:
    t, _ = tiny
    b = budget_kpis(base.pnl, t[schema.BUDGET])
    assert b["months"] == 12
    assert b["revenue"] == pytest.approx(t[schema.BUDGET][schema.REVENUE].sum())
    assert b["plan_revenue"] == pytest.approx(base.kpis["revenue"])
    table = kpi_table(base.kpis, base.kpis, b).set_index("key")
    assert table.loc["revenue", "vs_budget"] == pytest.approx(b["plan_revenue"] - b["revenue"])
    assert table.loc["revenue", "delta"] == 0
    assert set(table.index) == {k.key for k in KPIS}


LEVER_CASES = [
    Levers(demand_pct=60.0),
    Levers(demand_family_pct=(("Beta", 80.0),), demand_region_pct=(("South", -30.0),)),
    Levers(price_family_pct=(("Alpha", 10.0),), price_elasticity=-1.5),
    Levers(material_inflation_pct=15.0, labour_cost_pct=8.0),
    Levers(capacity_changes=(("L2", "2026-03", "2026-08", -60.0),), overtime_allowed=False),
    Levers(holding_cost_rate=40.0, safety_stock_months=2.0),
    Levers(promo_family="Beta", promo_start="2026-05", promo_months=3, promo_uplift_pct=90.0),
]


@pytest.mark.parametrize("levers", LEVER_CASES, ids=lambda lv: lv.describe()[:40])
def test_margin_bridge_adds_up_exactly(tiny, base, levers) -> None:
    t, d = tiny
    ev = evaluate(d, t, levers, POLICY)
    assert ev.ok, ev.plan.explanation
    for br in (
        margin_bridge(base.plan, ev.plan, t[schema.PRODUCTS]),
        scenario_bridge(ev, base, t[schema.PRODUCTS]),
    ):
        steps = br[br["kind"] == "delta"]["amount"].sum()
        assert steps == pytest.approx(ev.kpis["gross_margin"] - base.kpis["gross_margin"], abs=1e-6)
        assert br["amount"].iloc[0] == pytest.approx(base.kpis["gross_margin"])
    price = scenario_bridge(ev, base, t[schema.PRODUCTS]).set_index("step")["amount"]["Price"]
    if not levers.price_family_pct:  # no price lever, no Price step
        assert price == pytest.approx(0.0, abs=1e-6)


def test_a_sku_mix_shift_is_mix_not_price(tiny, base) -> None:
    """More of the cheaper Alpha SKU lowers Alpha's average price per unit; with no
    price lever that is Mix in the scenario bridge, not Price."""
    t, d = tiny
    more_a1 = d.assign(
        **{schema.UNITS: d[schema.UNITS].where(d[schema.SKU] != "A1", 3 * d[schema.UNITS])}
    )
    ev = evaluate(more_a1, t, Levers(), POLICY)
    plain = margin_bridge(base.plan, ev.plan, t[schema.PRODUCTS]).set_index("step")["amount"]
    assert abs(plain["Price"]) > 1.0  # the family average price moved with the mix
    br = scenario_bridge(ev, base, t[schema.PRODUCTS]).set_index("step")["amount"]
    assert br["Price"] == pytest.approx(0.0, abs=1e-6)
    assert br["Mix"] == pytest.approx(plain["Mix"] + plain["Price"])


def test_bridge_puts_a_price_rise_in_price(tiny, base) -> None:
    t, d = tiny
    ev = evaluate(d, t, Levers(price_family_pct=(("Beta", 10.0),)), POLICY)
    br = scenario_bridge(ev, base, t[schema.PRODUCTS]).set_index("step")["amount"]
    beta_revenue = base.pnl[base.pnl[schema.FAMILY] == "Beta"][schema.REVENUE].sum()
    assert br["Price"] == pytest.approx(0.10 * beta_revenue, rel=1e-6)
    assert br["Volume"] == pytest.approx(0.0, abs=1e-6)


def test_more_capacity_never_lowers_the_fill_rate(tiny) -> None:
    t, _ = tiny
    d = _demand(t, growth=1.8)  # Beta needs more than L2 can give
    fills = []
    for pct in (-50.0, -20.0, 0.0, 20.0, 50.0, 100.0):
        ev = evaluate(
            d,
            t,
            Levers(capacity_changes=(("L2", "2026-01", "2026-12", pct),)),
            POLICY,
            with_risk=False,
        )
        fills.append(ev.kpis["fill_rate"])
    assert fills[0] < 1.0
    assert all(b >= a - 1e-9 for a, b in zip(fills, fills[1:]))


def test_price_rise_with_fixed_demand_raises_revenue(tiny, base) -> None:
    t, d = tiny
    ev = evaluate(d, t, Levers(price_family_pct=(("Alpha", 5.0), ("Beta", 5.0))), POLICY)
    assert ev.kpis["revenue"] > base.kpis["revenue"]
    assert ev.kpis["demand_units"] == pytest.approx(base.kpis["demand_units"])


def test_cost_levers_lower_margin_and_leave_revenue(tiny, base) -> None:
    t, d = tiny
    ev = evaluate(d, t, Levers(material_inflation_pct=10.0), POLICY)
    assert ev.kpis["gross_margin"] < base.kpis["gross_margin"]
    assert ev.kpis["revenue"] == pytest.approx(base.kpis["revenue"])


@pytest.mark.parametrize(
    "levers",
    [
        Levers(demand_pct=-100.0),
        Levers(demand_pct=200.0),
        Levers(
            capacity_changes=(
                ("L1", "2026-01", "2026-12", -100.0),
                ("L2", "2026-01", "2026-12", -100.0),
            ),
            overtime_allowed=False,
            subcontract_allowed=False,
            hiring_allowed=False,
        ),
    ],
    ids=["demand -100%", "demand +200%", "capacity 0"],
)
def test_extreme_levers_give_valid_plans(tiny, levers) -> None:
    t, d = tiny
    ev = evaluate(d, t, levers, POLICY)
    assert ev.ok, ev.plan.explanation
    for k in ("revenue", "gross_margin", "ending_inventory_units"):
        assert math.isfinite(ev.kpis[k]), k
    if levers.demand_pct == -100.0:  # no demand: the fill rate is not defined
        assert math.isnan(ev.kpis["fill_rate"])
        # nothing sold: no turns, although idle wages still make a cost of goods
        assert ev.kpis["inventory_turns"] == 0.0 or math.isnan(ev.kpis["inventory_turns"])
    else:
        assert 0.0 <= ev.kpis["fill_rate"] <= 1.0
    s = ev.risk.summary.set_index("metric")
    # with no demand the service rates are undefined on every path (NaN), as in the KPIs
    assert s.loc[["fill_rate", "on_time_rate"]].isna().all().all() == (levers.demand_pct == -100)
    s = s.dropna()
    assert (s["p10"] <= s["p50"] + 1e-9).all() and (s["p50"] <= s["p90"] + 1e-9).all()


def test_out_of_range_levers_explain_and_do_not_raise(tiny) -> None:
    t, d = tiny
    ev = evaluate(d, t, Levers(demand_pct=900.0), POLICY)
    assert not ev.ok and "outside -100 .. 200" in ev.plan.explanation
    assert ev.kpis == {}


def test_risk_band_collapses_without_uncertainty(tiny) -> None:
    t, d = tiny
    sure = d.assign(**{schema.P10: d[schema.UNITS], schema.P90: d[schema.UNITS]})
    ev = evaluate(sure, t, Levers(), POLICY)
    rev = ev.risk.summary.set_index("metric").loc["revenue"]
    assert rev["p10"] == pytest.approx(ev.kpis["revenue"], rel=1e-9)
    assert rev["p90"] == pytest.approx(ev.kpis["revenue"], rel=1e-9)


def test_risk_is_wider_with_more_uncertainty(tiny) -> None:
    t, d = tiny
    narrow = evaluate(d, t, Levers(), POLICY).risk.summary.set_index("metric")
    wide_d = d.assign(**{schema.P10: d[schema.UNITS] * 0.5, schema.P90: d[schema.UNITS] * 1.6})
    wide = evaluate(wide_d, t, Levers(), POLICY).risk.summary.set_index("metric")
    spread = lambda s: s.loc["revenue", "p90"] - s.loc["revenue", "p10"]  # noqa: E731
    assert spread(wide) > spread(narrow) > 0


def test_scenario_cli_with_a_levers_file(tmp_path: Path, capsys) -> None:
    t = tiny_tables()
    cons = naive_consensus(t, horizon=12)
    folder = write_tables({**t, schema.CONSENSUS: cons}, tmp_path / "d")
    levers = tmp_path / "lev.toml"
    levers.write_text("scn_demand_pct = 20\n[scn_price_family_pct]\nBeta = 5\n")
    out = tmp_path / "out.json"
    code = main(
        [
            "scenario",
            "--data",
            str(folder),
            "--levers",
            str(levers),
            "--out",
            str(out),
            "--horizon",
            "12",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # the summary's changes carry their sign: "(+€1.2k vs baseline)", not "(€1.2k …)"
    assert re.search(r"\(\+€[\d.,]+k? vs baseline\)", captured.out + captured.err)
    doc = json.loads(out.read_text())
    k = {r["key"]: r for r in doc["kpis"]}
    assert doc["status"] == "optimal" and doc["levers"]["scn_demand_pct"] == 20
    assert k["revenue"]["delta"] > 0
    assert k["revenue"]["scenario"] == pytest.approx(
        k["revenue"]["baseline"] + k["revenue"]["delta"]
    )
    steps = [r["amount"] for r in doc["margin_bridge"] if r["kind"] == "delta"]
    assert sum(steps) == pytest.approx(k["gross_margin"]["delta"], abs=1e-3)
    assert {r["metric"] for r in doc["risk"]} == {
        "revenue",
        "gross_margin",
        "fill_rate",
        "on_time_rate",
    }


def test_scenario_cli_names_a_bad_lever(tmp_path: Path, capsys) -> None:
    t = tiny_tables()
    folder = write_tables({**t, schema.CONSENSUS: naive_consensus(t, horizon=12)}, tmp_path / "d")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"scn_demand_percent": 5}))
    assert main(["scenario", "--data", str(folder), "--levers", str(bad)]) == 2
    assert "unknown lever 'scn_demand_percent'" in capsys.readouterr().err


def test_a_shutdown_stops_overtime_too(tiny) -> None:
    t, d = tiny
    shut = Levers(capacity_changes=(("L2", "2026-03", "2026-04", -100.0),))
    hours = resource_hours(apply_tables(t, shut), pd.date_range("2026-01-01", periods=6, freq="MS"))
    l2 = hours[hours[schema.RESOURCE] == "L2"].set_index(schema.MONTH)
    assert l2.loc["2026-03-01", OVERTIME_HOURS] == 0 == l2.loc["2026-04-01", OVERTIME_HOURS]
    assert l2.loc["2026-05-01", OVERTIME_HOURS] == 40.0
    ev = evaluate(_demand(t, growth=1.5), t, shut, POLICY)
    ru = ev.plan.resource_use.set_index([schema.RESOURCE, schema.MONTH])
    assert ru.loc[("L2", pd.Timestamp("2026-03-01")), "load_hours"] == 0
    assert ru.loc[("L2", pd.Timestamp("2026-03-01")), "overtime_hours"] == 0
