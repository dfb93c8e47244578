"""Coherent hierarchy: MinT-shrink reconciliation, its bottom-up fallback, coherence."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sop.core import schema
from sop.data.demo import build_demo
from sop.demand import reconcile
from sop.demand.engine import ForecastSettings, run_forecast, run_jobs
from sop.demand.hierarchy import aggregate
from sop.demand.series import build_jobs

FAST = ForecastSettings(horizon=6, candidates=("seasonal naive", "ets"), backtest_origins=1)
LEVEL_KEY = {"sku": schema.SKU, "family": schema.FAMILY}
FAMILY = pd.Series({"A1": "A", "A2": "A", "B1": "B", "B2": "B"})


def _tables(n: int = 48, seed: int = 3) -> dict[str, pd.DataFrame]:
    """Two families x two SKUs x two regions with a shock shared by every series."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0, 0.08, n)
    season = 1 + 0.4 * np.sin(np.arange(n) / 12 * 2 * np.pi)
    rows, fams = [], {}
    for f in ("A", "B"):
        for s in (1, 2):
            sku = f"{f}{s}"
            fams[sku] = f
            for r, lvl in (("north", 80.0), ("south", 40.0)):
                y = lvl * season * np.exp(shared + rng.normal(0, 0.1, n))
                months = pd.date_range("2020-01-01", periods=n, freq="MS")
                rows += [(m, sku, r, round(v)) for m, v in zip(months, y)]
    sales = pd.DataFrame(rows, columns=[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS])
    products = pd.DataFrame(
        {
            schema.SKU: list(fams),
            schema.NAME: list(fams),
            schema.FAMILY: list(fams.values()),
            schema.UOM: "each",
            schema.LIST_PRICE: 10.0,
            schema.MATERIAL_COST: 5.0,
            schema.LAUNCH_MONTH: pd.NaT,
            schema.PHASE_OUT_MONTH: pd.NaT,
        }
    )
    return {schema.SALES: sales, schema.PRODUCTS: products}


@pytest.fixture(scope="module")
def synthetic():
    """(tables, bottom jobs, tree, bottom outcomes, upper outcomes) of `_tables`."""
    t = _tables()
    as_of = t[schema.SALES][schema.MONTH].max()
    prep = build_jobs(t, "sku_region", as_of, FAST.horizon)
    tree = reconcile.build_tree(prep.jobs, "sku_region", prep.family)
    outs = run_jobs(prep.jobs + tree.jobs, FAST.config(), workers=1)
    n = len(prep.jobs)
    return t, prep.jobs, tree, outs[:n], outs[n:]


@pytest.fixture(scope="module")
def demo_result():
    return build_demo(), run_forecast(build_demo(), replace(FAST, horizon=12), workers=2)


def _final(rec, bottom, outs, family) -> tuple[pd.DataFrame, reconcile.Reconciliation]:
    """The SKU x region values of reconciled `outs` and `rec` with its levels filled in."""
    months = rec.levels["month"].unique()
    values = pd.DataFrame(
        {
            schema.SKU: np.repeat([j.key[0] for j in bottom], len(months)),
            schema.REGION: np.repeat([j.key[1] for j in bottom], len(months)),
            schema.MONTH: np.tile(months, len(bottom)),
            schema.P50: np.concatenate([o.p50 for o in outs]),
        }
    ).assign(**{schema.P10: 0.0, schema.P90: 0.0})
    return values, reconcile.coherent_levels(rec, values, family)


def _coherence(values: pd.DataFrame, products: pd.DataFrame, levels: pd.DataFrame) -> float:
    """Largest gap between each level of `levels` and the sum of the bottom `values`."""
    gap = 0.0
    for lvl in ("sku", "family", "total"):
        agg = aggregate(values, products, lvl)
        key = LEVEL_KEY.get(lvl)
        mine = levels[levels["level"] == lvl]
        agg = agg.assign(key="total") if key is None else agg.rename(columns={key: "key"})
        m = mine.merge(agg, on=["key", "month"], how="outer", suffixes=("", "_agg"))
        gap = max(gap, float(np.abs(m["p50"] - m["p50_agg"]).max()))
    return gap


def test_synthetic_hierarchy_is_coherent_at_every_level(synthetic) -> None:
    t, bottom, tree, outs, upper = synthetic
    assert len(tree.jobs) == 2 + 4 + 1  # families, SKUs (two regions each), total
    new, rec = reconcile.reconcile(tree, bottom, outs, upper)
    assert rec.method == reconcile.MINT and rec.reason == ""
    values, rec = _final(rec, bottom, new, FAMILY)
    assert rec.coherence < 1e-6
    assert set(rec.levels["level"]) == {"sku_region", "sku", "family", "total"}
    assert rec.levels["base"].notna().all()  # every node has its own base forecast
    assert _coherence(values, t[schema.PRODUCTS], rec.levels) < 1e-6
    # MinT moved the bottom forecasts (it combined the upper levels' information)
    assert not np.allclose(np.array([o.p50 for o in new]), np.array([o.p50 for o in outs]))


def test_demo_forecast_is_coherent_and_reconciled_with_mint(demo_result) -> None:
    tables, res = demo_result
    rec = res.reconciliation
    assert res.settings.reconcile == reconcile.MINT
    assert rec.method == reconcile.MINT, rec.reason
    assert rec.coherence < 1e-6
    assert _coherence(res.values, tables[schema.PRODUCTS], rec.levels) < 1e-6
    bottom = rec.levels[rec.levels["level"] == "sku_region"]
    assert np.isclose(bottom["p50"].sum(), res.values[schema.P50].sum(), rtol=1e-12)
    assert (res.values[[schema.P10, schema.P50, schema.P90]] >= 0).all().all()
    assert (res.values[schema.P10] <= res.values[schema.P50]).all()
    assert (res.values[schema.P50] <= res.values[schema.P90]).all()


def test_mint_is_bottom_up_when_upper_forecasts_are_the_bottom_sums(synthetic) -> None:
    _, bottom, tree, outs, upper = synthetic
    summed = []
    for k, o in enumerate(upper):
        cols = tree.nodes[tree.fit[k]][2]
        summed.append(replace(o, p50=np.sum([outs[c].p50 for c in cols], axis=0)))
    new, rec = reconcile.reconcile(tree, bottom, outs, summed)
    assert rec.method == reconcile.MINT
    got = np.array([o.p50 for o in new])
    assert np.allclose(got, np.array([o.p50 for o in outs]), rtol=1e-6, atol=1e-6)
    # and with the base forecasts as they are, it is not the identity
    new2, _ = reconcile.reconcile(tree, bottom, outs, upper)
    assert not np.allclose(np.array([o.p50 for o in new2]), got, rtol=1e-3)


def test_fallback_to_bottom_up_is_taken_and_said_without_residuals(synthetic) -> None:
    _, bottom, tree, outs, upper = synthetic

    def blind(o):
        return replace(o, fitted=np.full(len(o.fitted), np.nan))

    new, rec = reconcile.reconcile(
        tree, bottom, [blind(o) for o in outs], [blind(o) for o in upper]
    )
    assert rec.requested == reconcile.MINT
    assert rec.method == reconcile.BOTTOM_UP
    assert "residuals" in rec.reason
    assert np.allclose([o.p50 for o in new], [o.p50 for o in outs])
    assert _final(rec, bottom, new, FAMILY)[1].coherence < 1e-6
    # without any upper level, bottom-up too, and said so
    _, rec1 = reconcile.reconcile(
        reconcile.Tree(1, tree.nodes[:1], same=[("bottom", 0)]), bottom[:1], outs[:1], []
    )
    assert rec1.method == reconcile.BOTTOM_UP and "upper level" in rec1.reason


def test_bottom_up_setting_fits_no_upper_level(synthetic) -> None:
    t, bottom, _, outs, _ = synthetic
    tree = reconcile.build_tree(bottom, "sku_region", pd.Series({"A1": "A"}), fit_upper=False)
    assert tree.jobs == []
    new, rec = reconcile.reconcile(tree, bottom, outs, [], reconcile.BOTTOM_UP)
    assert rec.method == reconcile.BOTTOM_UP and rec.reason == ""
    assert np.allclose([o.p50 for o in new], [o.p50 for o in outs])
    with pytest.raises(ValueError, match="reconciliation"):
        ForecastSettings(reconcile="top_down").check()
    assert ForecastSettings(reconcile="bottom_up").key() != ForecastSettings().key()


def test_reconciled_forecasts_are_never_negative_and_stay_coherent(synthetic) -> None:
    _, bottom, tree, outs, upper = synthetic
    # upper levels far below the bottom sums push a small bottom forecast below zero
    low = [replace(o, p50=np.zeros_like(o.p50)) for o in upper]
    outs = [replace(outs[0], p50=np.full_like(outs[0].p50, 1.0)), *outs[1:]]
    raw = reconcile._mint_bottom(tree, bottom, outs, low)[0]
    assert (raw < 0).any()
    new, rec = reconcile.reconcile(tree, bottom, outs, low)
    p50 = np.array([o.p50 for o in new])
    assert rec.method == reconcile.MINT
    assert (p50 >= 0).all()
    _, rec = _final(rec, bottom, new, FAMILY)
    assert rec.coherence < 1e-6
    assert (rec.levels["p50"] >= 0).all()


def test_phased_out_and_zero_series_stay_zero(synthetic) -> None:
    _, bottom, tree, outs, upper = synthetic
    stopped = list(bottom)
    stopped[0] = replace(bottom[0], stop=2)
    zero = list(outs)
    zero[1] = replace(outs[1], p50=np.zeros_like(outs[1].p50), sigma=np.zeros_like(outs[1].p50))
    new, rec = reconcile.reconcile(tree, stopped, zero, upper)
    assert rec.method == reconcile.MINT
    assert (new[0].p50[2:] == 0).all() and (new[0].p50[:2] > 0).all()
    assert (new[1].p50 == 0).all()
    assert _final(rec, stopped, new, FAMILY)[1].coherence < 1e-6
