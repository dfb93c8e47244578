"""Accuracy at every level of the hierarchy: base, bottom-up and MinT; prints figures only.

For each set the last H months (H = 12 and 24) are held out on the calendar: the
engine sees only the sales up to the cut (`sop.demand.series.build_jobs` on the
training tables), forecasts every bottom series and every upper node once
(`sop.demand.reconcile.build_tree`, `sop.demand.engine.run_jobs`, the engine's own
path), then reconciles the same base forecasts two ways (`sop.demand.reconcile.reconcile`):
bottom-up and MinT-shrink. Per level it prints mean MASE over nodes (scaled by the
node's in-sample seasonal naive MAE on the training part), WAPE (sum |F - A| over the
level's nodes and months / sum |A|), the 80 % band's coverage (MinT P50 with the
node's own base band; and with the band of `sop.demand.hierarchy.aggregate`, the one the
app shows for sums) and the coherence error (largest |node - sum of its children|).

Sets and roles (see ../shared/realdata/README.md):
- aus_retail (DESIGN: tuning allowed): State > State x Industry (148 series that run to
  the last month);
- pbs (VALIDATION: report only, never tune): ATC1 > ATC2 x Concession x Type (336);
- tourism (DESIGN): no hierarchy, total only (the 168 series that run to the last month);
- demo (synthetic): SKU x region > SKU > family > total.

Run: .venv/bin/python bench/bench_hierarchy.py [aus_retail pbs tourism demo] [--h 12 24]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import realdata  # noqa: E402

from sop.core import schema
from sop.core.months import add_months
from sop.data.demo import build_demo
from sop.demand import metrics, reconcile
from sop.demand.engine import ForecastSettings, run_jobs
from sop.demand.hierarchy import Z90, aggregate
from sop.demand.series import build_jobs

ROLES = {"aus_retail": "DESIGN", "tourism": "DESIGN", "pbs": "VALIDATION", "demo": "synthetic"}
LOADERS = {
    "aus_retail": realdata.aus_retail,
    "pbs": realdata.pbs,
    "tourism": realdata.tourism,
    "demo": build_demo,
}


def to_last_month(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Only the series with a sales row in the last month (a calendar hold-out needs
    every series to run through it)."""
    s = tables[schema.SALES]
    end = s.groupby([schema.SKU, schema.REGION])[schema.MONTH].transform("max")
    return {**tables, schema.SALES: s[end == s[schema.MONTH].max()]}


def actual_wide(sales: pd.DataFrame, bottom, months: pd.DatetimeIndex) -> np.ndarray:
    """Held-out actuals, bottom series x months (0 where a series has no row)."""
    a = sales.groupby([schema.SKU, schema.REGION, schema.MONTH])[schema.UNITS].sum()
    out = np.zeros((len(bottom), len(months)))
    for i, j in enumerate(bottom):
        for k, m in enumerate(months):
            out[i, k] = a.get((*j.key, m), 0.0)
    return out


def to_values(bottom, outs, months: pd.DatetimeIndex) -> pd.DataFrame:
    """SKU x region values (sku, region, month, p10, p50, p90) of bottom outcomes."""
    vals = []
    for j, o in zip(bottom, outs):
        sku, region = j.key
        vals.append(
            pd.DataFrame(
                {
                    schema.SKU: sku,
                    schema.REGION: region,
                    schema.MONTH: months,
                    schema.P50: o.p50,
                    schema.P10: np.maximum(o.p50 - Z90 * o.sigma, 0),
                    schema.P90: o.p50 + Z90 * o.sigma,
                }
            )
        )
    return pd.concat(vals, ignore_index=True)


def score(tree, bottom, p50, actual, sigma_own, own=None) -> pd.DataFrame:
    """One row per node: level, key, MASE, sum |error|, sum |actual|, share of months
    inside the node's own band; the forecast of a node is the sum of its bottom `p50`
    or, with `own`, the node's own base forecast."""
    rows = []
    series = bottom + tree.jobs
    for (lvl, name, cols), same in zip(tree.nodes, tree.same):
        if lvl == "sku" and len(cols) == 1 and tree.nodes[0][0] == "sku_region":
            continue  # a one-region SKU is its bottom series
        a = actual[cols].sum(axis=0)
        f = p50[cols].sum(axis=0) if own is None else own[(lvl, name)]
        hist = series[same[1] if same[0] == "bottom" else len(bottom) + same[1]].y
        e = np.abs(f - a)
        sc = metrics.mase_scale(hist[~np.isnan(hist)])
        sig = sigma_own.get((lvl, name))
        inside = np.nan if sig is None else np.mean(np.abs(a - f) <= Z90 * sig)
        rows.append((lvl, name, e.mean() / sc if sc > 0 else np.nan, e.sum(), a.sum(), inside))
    return pd.DataFrame(rows, columns=["level", "key", "mase", "abs_err", "abs_act", "cover"])


def run_set(name: str, horizon: int, workers: int) -> None:
    tables = to_last_month(LOADERS[name]())
    sales = tables[schema.SALES]
    last = sales[schema.MONTH].max()
    cut = add_months(last, -horizon)
    train = {**tables, schema.SALES: sales[sales[schema.MONTH] <= cut]}
    test = sales[sales[schema.MONTH] > cut]
    months = pd.date_range(add_months(cut, 1), periods=horizon, freq="MS")
    t0 = time.perf_counter()
    prep = build_jobs(train, "sku_region", cut, horizon, True)
    tree = reconcile.build_tree(prep.jobs, "sku_region", prep.family)
    n = len(prep.jobs)
    base = run_jobs(prep.jobs + tree.jobs, ForecastSettings().config(), workers)
    fit_s = time.perf_counter() - t0
    outs, up = base[:n], base[n:]
    t1 = time.perf_counter()
    bu_outs, bu = reconcile.reconcile(tree, prep.jobs, outs, up, reconcile.BOTTOM_UP)
    mt_outs, mt = reconcile.reconcile(tree, prep.jobs, outs, up, reconcile.MINT)
    rec_s = time.perf_counter() - t1
    actual = actual_wide(test, prep.jobs, months)
    base_p50 = np.array([o.p50 for o in outs])
    # the base forecast of an upper node is its own; per node: substitute it
    own = {}
    sig = {}
    for (lvl, key, _), same in zip(tree.nodes, tree.same):
        o = outs[same[1]] if same[0] == "bottom" else up[same[1]]
        own[(lvl, key)] = o.p50
        sig[(lvl, key)] = o.sigma
    res = {"base": score(tree, prep.jobs, base_p50, actual, sig, own)}
    for label, outcomes in (("bottom-up", bu_outs), ("MinT", mt_outs)):
        res[label] = score(tree, prep.jobs, np.array([o.p50 for o in outcomes]), actual, sig)
    # the band the app shows for sums: hierarchy.aggregate over the reconciled bottom
    values = to_values(prep.jobs, mt_outs, months)
    mt = reconcile.coherent_levels(mt, values, prep.family)
    bu = reconcile.coherent_levels(bu, to_values(prep.jobs, bu_outs, months), prep.family)
    products = tables.get(schema.PRODUCTS)
    rho_cover = {}
    for lvl in ("sku", "family", "total"):
        ag = aggregate(values, products, lvl)
        key = [] if lvl == "total" else [schema.FAMILY if lvl == "family" else schema.SKU]
        act = test.merge(products[[schema.SKU, schema.FAMILY]], on=schema.SKU, how="left")
        act = act.groupby([schema.MONTH, *key])[schema.UNITS].sum().rename("a").reset_index()
        m = ag.merge(act, on=[schema.MONTH, *key], how="left").fillna({"a": 0.0})
        rho_cover[lvl] = float(((m["a"] >= m[schema.P10]) & (m["a"] <= m[schema.P90])).mean())
    print(
        f"\n== {name} ({ROLES[name]}), hold-out {horizon} months, {n} bottom series, "
        f"{len(tree.jobs)} upper nodes fitted; fits {fit_s:.1f} s, reconciliation "
        f"{rec_s:.2f} s"
    )
    print(
        f"MinT: method run {mt.method}{' (' + mt.reason + ')' if mt.reason else ''}, "
        f"bottom series taken as given {mt.given}, upper nodes left out {mt.dropped}; "
        f"coherence error MinT {mt.coherence:.2e}, bottom-up {bu.coherence:.2e}"
    )
    order = ["total", "family", "sku", "sku_region"]
    lines = []
    for lvl in [lv for lv in order if lv in set(res["MinT"]["level"])]:
        row = {"level": lvl, "nodes": int((res["MinT"]["level"] == lvl).sum())}
        for label in ("base", "bottom-up", "MinT"):
            d = res[label][res[label]["level"] == lvl]
            row[f"MASE {label}"] = f"{d['mase'].mean():.3f}"
            row[f"WAPE {label}"] = f"{100 * d['abs_err'].sum() / d['abs_act'].sum():.1f}%"
        d = res["MinT"][res["MinT"]["level"] == lvl]
        row["cover own band"] = f"{100 * d['cover'].mean():.0f}%"
        rc = rho_cover.get(lvl) if lvl != "sku_region" else d["cover"].mean()
        row["cover app band"] = f"{100 * rc:.0f}%"
        lines.append(row)
    print(pd.DataFrame(lines).to_string(index=False))


def main() -> None:
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sets", nargs="*", default=["aus_retail", "pbs", "tourism", "demo"])
    p.add_argument("--h", type=int, nargs="+", default=[12, 24])
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    print(
        "Hierarchy accuracy. DESIGN sets (tuning allowed): aus_retail, tourism; "
        "VALIDATION (report only, never tuned on): pbs. Nothing in sop.demand.reconcile "
        "was tuned on pbs."
    )
    for name in args.sets:
        for h in args.h:
            run_set(name, h, args.workers)


if __name__ == "__main__":
    main()
