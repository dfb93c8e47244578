"""The fast scenario path gives the numbers of the straightforward one.

`prepare_demand` works on integer codes, `evaluate` plans on the sales table cut to what
the net prices read (`planning_tables`) and the lever space is split into a per-dataset
part and a cheap per-levers part. The reference here is the code as it was before
(string-keyed groups, the full sales table scaled by the price lever, the one-shot lever
space): every figure must agree to 1e-9 (relative) on the demo and on a small
`scale_dataset`, for several lever sets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.defaults import complete
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand import hierarchy
from sop.demand.plan import PLAN_COLUMNS, loaded_consensus
from sop.finance import kpis, risk, statement
from sop.scenario import lever_space
from sop.scenario.apply import apply_policy, apply_tables, demand_factor
from sop.scenario.evaluate import (
    ALL_REGIONS,
    DemandBase,
    evaluate,
    planning_tables,
    prepare_demand,
)
from sop.scenario.levers import Levers
from sop.supply.plan import solve_plan_and_inputs
from sop.supply.policy import SupplyPolicy
from sop.supply.synthetic import naive_consensus, scale_dataset


# --- the reference: the code as it was ------------------------------------------------
def _old_prepare(demand: pd.DataFrame) -> DemandBase:
    fam_code, families = pd.factorize(demand[schema.FAMILY])
    reg_code, regions = pd.factorize(demand[schema.REGION])
    group, keys = pd.factorize(
        pd.MultiIndex.from_arrays([demand[schema.SKU], demand[schema.MONTH]])
    )
    fam_of_sku = dict(zip(demand[schema.SKU], demand[schema.FAMILY]))
    skus = keys.get_level_values(0)
    groups = pd.DataFrame(
        {
            schema.MONTH: keys.get_level_values(1),
            schema.SKU: skus,
            schema.FAMILY: skus.map(fam_of_sku),
        }
    )
    fm_code, fm_keys = pd.factorize(
        pd.MultiIndex.from_arrays([demand[schema.FAMILY], demand[schema.MONTH]])
    )
    fm = pd.DataFrame(
        {schema.FAMILY: fm_keys.get_level_values(0), schema.MONTH: fm_keys.get_level_values(1)}
    )

    def col(name: str) -> np.ndarray:
        return demand[name].to_numpy(dtype=float, na_value=0.0)

    return DemandBase(
        demand[schema.MONTH].to_numpy(),
        fam_code,
        np.asarray(families),
        reg_code,
        np.asarray(regions),
        col(schema.UNITS),
        col(schema.P10),
        col(schema.P90),
        col(schema.FORECAST_UNITS),
        group,
        groups,
        fm_code,
        fm,
    )


def _old_scenario_demand(base: DemandBase, levers: Levers):
    f = demand_factor(
        base.months, base.fam_code, base.families, base.reg_code, base.regions, levers
    )
    n = len(base.groups)

    def total(v, factor):
        return np.bincount(base.group, v * factor, minlength=n)

    plan = base.groups.assign(
        **{
            schema.REGION: ALL_REGIONS,
            schema.UNITS: total(base.units, f),
            schema.P10: total(base.p10, f),
            schema.P90: total(base.p90, f),
            schema.FORECAST_UNITS: total(base.forecast, 1.0),
            schema.SOURCE: "scenario",
        }
    )
    sigma = np.clip(base.p90 - base.units, 0, None) * f / hierarchy.Z90
    k, rho = len(base.fm), hierarchy.RHO
    var = (1 - rho) * np.bincount(base.fm_code, sigma**2, minlength=k) + rho * np.bincount(
        base.fm_code, sigma, minlength=k
    ) ** 2
    return plan[PLAN_COLUMNS], base.fm.assign(sigma=np.sqrt(var))


def _old_evaluate(demand: pd.DataFrame, tables: dict, levers: Levers, policy: SupplyPolicy):
    d, sigma = _old_scenario_demand(_old_prepare(demand), levers)
    t = apply_tables(tables, levers)
    plan, prepared = solve_plan_and_inputs(d, t, apply_policy(policy, levers), sku_detail=False)
    assert plan.ok, plan.explanation
    pnl = statement.family_pnl(plan, t)
    bud = statement.budget_kpis(pnl, tables[schema.BUDGET]) if schema.BUDGET in tables else {}
    rk = risk.plan_risk(plan, prepared, sigma)
    return plan, kpis.plan_kpis(plan, t[schema.PRODUCTS]), bud, pnl, rk


# --- the data -------------------------------------------------------------------------
def _demo():
    tables = complete(check_tables(build_demo()).tables)
    # the demo's consensus: its naive forecast loaded as the plan (no engine run here)
    months = plan_months(as_of_month(tables), 12)
    cons = naive_consensus(tables, horizon=12)
    fam = tables[schema.PRODUCTS].drop_duplicates(schema.SKU).set_index(schema.SKU)
    cons = cons.assign(
        **{
            schema.FAMILY: cons[schema.SKU].map(fam[schema.FAMILY]),
            schema.P10: cons[schema.UNITS] * 0.7,
            schema.P90: cons[schema.UNITS] * 1.4,
            schema.FORECAST_UNITS: cons[schema.UNITS] * 0.95,
            schema.SOURCE: "test",
        }
    )[PLAN_COLUMNS]
    assert cons[schema.MONTH].isin(months).all()
    return tables, cons, SupplyPolicy(horizon=12)


def _scaled(with_as_of: bool):
    tables = complete(scale_dataset(n_skus=120, n_regions=3, history=18, horizon=9, seed=3))
    if not with_as_of:  # the as-of month then comes from the last sales month
        tables[schema.COMPANY] = tables[schema.COMPANY].assign(**{schema.AS_OF_MONTH: pd.NaT})
    months = plan_months(as_of_month(tables), 9)
    demand = loaded_consensus(tables, months)
    # rows out of order and a SKU's rows spread out: groups keep their first appearance
    demand = demand.sample(frac=1.0, random_state=7).reset_index(drop=True)
    return tables, demand, SupplyPolicy(horizon=9)


DATA = {
    "demo": lambda: _demo(),
    "scaled": lambda: _scaled(True),
    "no-as-of": lambda: _scaled(False),
}


def _moves(tables: dict, demand: pd.DataFrame) -> list[Levers]:
    fams = sorted(demand[schema.FAMILY].unique())
    regions = sorted(demand[schema.REGION].unique())
    line = sorted(tables[schema.CAPACITY][schema.RESOURCE].unique())[0]
    months = [f"{m:%Y-%m}" for m in sorted(demand[schema.MONTH].unique())]
    return [
        Levers(),
        Levers(demand_pct=7.0),
        Levers(price_family_pct=((fams[0], 6.0),)),
        Levers(price_family_pct=((fams[-1], -4.0),), price_elasticity=-1.3, demand_pct=-3.0),
        Levers(capacity_changes=((line, months[1], months[4], 20.0),), added_hour_cost=15.0),
        Levers(
            demand_family_pct=((fams[0], 12.0),),
            demand_region_pct=((regions[-1], -8.0),),
            material_inflation_pct=3.0,
            promo_family=fams[-1],
            promo_start=months[2],
            promo_months=3,
            promo_uplift_pct=25.0,
        ),
    ]


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _same_frames(new: pd.DataFrame, old: pd.DataFrame) -> None:
    assert list(new.columns) == list(old.columns) and len(new) == len(old)
    for c in new.columns:
        if pd.api.types.is_numeric_dtype(old[c]) and not pd.api.types.is_bool_dtype(old[c]):
            np.testing.assert_allclose(
                new[c].to_numpy(float), old[c].to_numpy(float), rtol=1e-9, atol=1e-9
            )
        else:
            pd.testing.assert_series_equal(new[c], old[c], check_names=True)


@pytest.fixture(scope="module", params=list(DATA))
def data(request):
    return DATA[request.param]()


def test_prepare_demand_from_codes_is_the_string_keyed_one(data) -> None:
    _, demand, _ = data
    new, old = prepare_demand(demand), _old_prepare(demand)
    pd.testing.assert_frame_equal(new.groups, old.groups)
    pd.testing.assert_frame_equal(new.fm, old.fm)
    for name in ("group", "fm_code", "fam_code", "reg_code", "units", "p10", "p90", "months"):
        np.testing.assert_array_equal(getattr(new, name), getattr(old, name))
    np.testing.assert_array_equal(new.families, old.families)


def test_evaluate_gives_the_old_figures(data) -> None:
    tables, demand, policy = data
    base = prepare_demand(demand)
    for levers in _moves(tables, demand):
        ev = evaluate(base, tables, levers, policy)
        plan, k, bud, pnl, rk = _old_evaluate(demand, tables, levers, policy)
        assert ev.ok, ev.plan.explanation
        assert ev.kpis.keys() == k.keys() and ev.budget.keys() == bud.keys()
        bad = [key for key in k if not _close(ev.kpis[key], k[key])]
        bad += [key for key in bud if not _close(ev.budget[key], bud[key])]
        assert not bad, (levers, bad)
        _same_frames(ev.plan.family_plan, plan.family_plan)
        _same_frames(ev.pnl, pnl)
        for part in ("summary", "monthly", "total"):
            _same_frames(getattr(ev.risk, part), getattr(rk, part))
        assert ev.plan.notes == plan.notes


def test_planning_tables_keep_the_net_prices_and_are_remembered(data) -> None:
    tables, _, _ = data
    cut = planning_tables(tables)
    assert len(cut[schema.SALES]) <= tables[schema.PRODUCTS][schema.SKU].nunique()
    assert len(cut[schema.SALES]) < len(tables[schema.SALES])
    assert planning_tables(tables)[schema.SALES] is cut[schema.SALES]  # once per dataset
    assert as_of_month(cut) == as_of_month(tables)
    assert cut[schema.PRODUCTS] is tables[schema.PRODUCTS]  # the rest is shared


def _old_space(demand, tables, levers):
    """The one-shot lever space as it was (before the per-dataset part was split off)."""
    months = {f"{m:%Y-%m}" for m in pd.to_datetime(demand[schema.MONTH].unique())}
    months |= {levers.promo_start} - {""}
    months |= {m for c in levers.capacity_changes for m in c[1:3]}
    lines = set(tables[schema.CAPACITY][schema.RESOURCE].astype(str)) | {
        c[0] for c in levers.capacity_changes
    }
    fams = (
        set(demand[schema.FAMILY].astype(str))
        | {k for k, _ in levers.demand_family_pct}
        | {k for k, _ in levers.price_family_pct}
        | {k for k, _ in levers.ending_units}
        | ({levers.promo_family} - {""})
    )
    regions = set(demand[schema.REGION].astype(str)) | {k for k, _ in levers.demand_region_pct}
    return fams, regions, lines, months


def test_space_split_is_the_one_shot_space(data) -> None:
    tables, demand, _ = data
    known = lever_space.dataset_space(demand, tables)
    moves = _moves(tables, demand) + [
        Levers(
            demand_family_pct=(("Not a family", 5.0),),
            demand_region_pct=(("Atlantis", 3.0),),
            capacity_changes=(("LINE-X", "2001-01", "2001-03", 10.0),) * 3,
            ending_units=(("Other", 100.0),),
            subcontract_allowed=False,
            hiring_limit=2.0,
        )
    ]
    for levers in moves:
        fams, regions, lines, months = _old_space(demand, tables, levers)
        got = lever_space.widen_space(known, levers)
        assert got == lever_space.space_for(demand, tables, levers)
        assert got.families == tuple(sorted(fams)) and got.regions == tuple(sorted(regions))
        assert got.resources == tuple(sorted(lines)) and got.months == tuple(sorted(months))
        assert got.slots == max(lever_space.MIN_SLOTS, len(levers.capacity_changes))
    assert lever_space.widen_space(known, Levers()) == known


def test_in_key_order_checks_each_key_as_a_tie_breaker() -> None:
    import pandas as pd

    from sop.demand.plan import in_key_order

    m = pd.to_datetime(["2027-01-01", "2027-01-01", "2027-02-01", "2027-02-01"])
    df = pd.DataFrame({"month": m, "sku": ["A", "B", "A", "A"], "region": ["N", "N", "N", "S"]})
    keys = ["month", "sku", "region"]
    assert in_key_order(df, keys)
    assert not in_key_order(df.iloc[[1, 0, 2, 3]], keys)  # sku down within a month
    assert not in_key_order(df.iloc[[0, 1, 3, 2]], keys)  # region down within month and sku
    assert not in_key_order(df.iloc[[2, 0, 1, 3]], keys)  # month down
    assert in_key_order(df.iloc[[0]], keys)
    with_null = df.assign(sku=pd.Series(["A", None, "A", "A"], dtype="str"))
    assert not in_key_order(with_null, keys)
    shuffled = df.sample(frac=1, random_state=3)
    assert in_key_order(shuffled.sort_values(keys), keys) and not in_key_order(shuffled, keys)
