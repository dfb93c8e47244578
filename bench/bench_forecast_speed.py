"""Speed of the forecast engine on this machine; prints figures, asserts nothing.

1. The whole demo dataset (every SKU x region series, with the rolling-origin backtest
   and model selection) from nothing stored, in worker processes.
2. Prophet like for like: the in-process fit (sop.demand.prophet_fast) against the
   `prophet` package's fit, same model (the engine's `prophet` and `prophet_mult`
   specifications), same demo series, one process, the last 12 months held out: CPU per
   fit and MASE on those 12 months (bench/bench_prophet_parity.py does the same on the
   real design sets, with the posterior at both optima).
3. The whole engine (candidates, rolling-origin selection, reconciliation) against
   statsforecast's AutoETS on the same series, the last 12 months held out: CPU per series
   (the engine's workers included) and MASE on those 12 months, on the demo and on 1,000
   synthetic series (250 SKUs x 4 regions, 48 months).

Run: .venv/bin/python bench/bench_forecast_speed.py [--skip-prophet]
"""

from __future__ import annotations

import os
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sop.core import schema
from sop.data.demo import build_demo
from sop.demand.engine import ForecastSettings, run_forecast


def synthetic(n_skus: int = 250, months: int = 48, seed: int = 1) -> dict[str, pd.DataFrame]:
    """n_skus x 4 regions of seasonal, trending, noisy monthly demand in 5 families."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2022-01-01", periods=months, freq="MS")
    skus = [f"S{i:04d}" for i in range(n_skus)]
    fams = [f"F{i % 5}" for i in range(n_skus)]
    t = np.arange(months)
    frames = []
    for _i, sku in enumerate(skus):
        season = 1 + rng.uniform(0.1, 0.6) * np.sin(2 * np.pi * (t + rng.integers(12)) / 12)
        trend = (1 + rng.normal(0, 0.1)) ** (t / 12)
        level = rng.lognormal(4, 1)
        for region in ("N", "S", "E", "W"):
            y = np.round(
                level * rng.uniform(0.5, 1.5) * season * trend * rng.lognormal(0, 0.15, months)
            )
            frames.append(
                pd.DataFrame(
                    {schema.MONTH: idx, schema.SKU: sku, schema.REGION: region, schema.UNITS: y}
                )
            )
    products = pd.DataFrame(
        {
            schema.SKU: skus,
            schema.NAME: skus,
            schema.FAMILY: fams,
            schema.UOM: "each",
            schema.LIST_PRICE: 10.0,
            schema.MATERIAL_COST: 5.0,
            schema.LAUNCH_MONTH: pd.NaT,
            schema.PHASE_OUT_MONTH: pd.NaT,
        }
    )
    return {schema.SALES: pd.concat(frames, ignore_index=True), schema.PRODUCTS: products}


HOLD = 12


def series_of(sales: pd.DataFrame):
    """((sku, region), first month, monthly units) per series, gaps as 0."""
    for key, g in sales.groupby([schema.SKU, schema.REGION], sort=True):
        s = g.set_index(schema.MONTH)[schema.UNITS].sort_index()
        s = s.reindex(pd.date_range(s.index[0], s.index[-1], freq="MS"), fill_value=0.0)
        yield key, np.datetime64(s.index[0], "M"), s.to_numpy(float)


def prophet_like_for_like(tables: dict[str, pd.DataFrame]) -> None:
    """Part 2: in-process Prophet vs the `prophet` package, same model and series."""
    from bench_prophet_parity import compare, summary

    from sop.demand.models import PROPHET_SPECS
    from sop.demand.prophet_fast import quiet_prophet_package

    quiet_prophet_package()
    data = [(f, y) for _, f, y in series_of(tables[schema.SALES]) if len(y) > HOLD + 2]
    for method, spec in PROPHET_SPECS.items():
        pairs = [compare(first, y, spec, HOLD) for first, y in data]
        print(f"Prophet like for like, demo, {method} ({spec.mode}), {len(pairs)} series:")
        print(summary(pairs))


def engine_vs_autoets(tables: dict[str, pd.DataFrame], label: str) -> None:
    """Part 3: the whole engine's CPU and MASE per series vs statsforecast AutoETS, on the
    same hold-out (`sop.demand.backtest.holdout`: each series' last HOLD months), both in
    this one process (workers=1) so the CPU clock sees all of it."""
    from statsforecast.models import AutoETS

    from sop.demand.backtest import AUTO, holdout, training_tables

    c0 = cpu()
    h = holdout(tables, HOLD, ForecastSettings(horizon=HOLD), (), workers=1)
    eng_cpu = cpu() - c0
    e = h.errors[h.errors["method"] == AUTO].sort_values(["series", "month_ahead"])
    train, _ = training_tables(tables, HOLD)
    hist = {f"{k[0]}|{k[1]}": y for k, _, y in series_of(train[schema.SALES])}
    ets_cpu, eng_mase, ets_mase = 0.0, [], []
    for key, g in e.groupby("series", sort=True):
        y, a, scale = hist[key], g["actual"].to_numpy(), float(g["scale"].iloc[0])
        c1 = cpu()
        fc = AutoETS(season_length=12).forecast(y=y, h=HOLD)["mean"][: len(a)]
        ets_cpu += cpu() - c1
        if scale > 0 and np.isfinite(scale):
            ok = ~np.isnan(a)
            eng_mase.append(np.mean(np.abs(g["forecast"].to_numpy()[ok] - a[ok])) / scale)
            ets_mase.append(np.mean(np.abs(np.maximum(fc, 0)[ok] - a[ok])) / scale)
    n = e["series"].nunique()
    print(
        f"{label}, {n:,} series, last {HOLD} months held out, one process: engine "
        f"{eng_cpu / n * 1e3:.1f} ms CPU per series, mean MASE {np.mean(eng_mase):.3f}; "
        f"statsforecast AutoETS {ets_cpu / n * 1e3:.1f} ms CPU per series, mean MASE "
        f"{np.mean(ets_mase):.3f} ({len(eng_mase)} series with a MASE scale)"
    )


def cpu() -> float:
    """CPU seconds of this process and its finished children (workers, CmdStan)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    warnings.simplefilter("ignore")
    print(
        f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.1f} "
        "(other work on the machine slows every wall-clock figure)"
    )
    settings = ForecastSettings()
    t0, c0 = time.perf_counter(), cpu()
    demo = build_demo()
    res = run_forecast(demo, settings)
    engine_s, engine_cpu = time.perf_counter() - t0, cpu() - c0
    n = len(res.selection[res.selection["method"] != "none"])
    print(
        f"Demo, all {n} SKU x region series with a {settings.backtest_origins}-origin "
        f"backtest, from nothing stored (incl. building the demo data): {engine_s:.1f} s "
        f"wall, {engine_cpu:.1f} s CPU"
    )
    if "--skip-prophet" not in sys.argv:
        prophet_like_for_like(demo)
    engine_vs_autoets(demo, "Demo")
    engine_vs_autoets(synthetic(), "Synthetic")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
