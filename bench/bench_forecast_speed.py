"""Speed of the forecast engine on this machine; prints figures, asserts nothing.

1. The whole demo dataset (every SKU x region series, with the rolling-origin backtest
   and model selection) from nothing stored, in worker processes.
2. The same series through a plain sequential loop of default Prophet fit + predict
   (Prophet(), .fit(df), .predict(18 future months), uncertainty_samples=1000), and
   the ratio of the two times.
3. 1,000 synthetic series (250 SKUs x 4 regions, 48 months): time per series.

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


def default_prophet_loop(tables: dict[str, pd.DataFrame], horizon: int = 18) -> float:
    """Seconds for a sequential default Prophet fit + predict over every series."""
    from prophet import Prophet

    from sop.demand.prophet_fast import quiet_prophet_package

    quiet_prophet_package()
    sales = tables[schema.SALES]
    t0 = time.perf_counter()
    for _, g in sales.groupby([schema.SKU, schema.REGION], sort=True):
        df = pd.DataFrame({"ds": g[schema.MONTH].to_numpy(), "y": g[schema.UNITS].to_numpy()})
        m = Prophet().fit(df)
        m.predict(m.make_future_dataframe(horizon, freq="MS"))
    return time.perf_counter() - t0


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
        t0, c0 = time.perf_counter(), cpu()
        loop_s = default_prophet_loop(demo)
        loop_cpu = cpu() - c0
        print(
            f"Sequential default Prophet fit + predict, same series: {loop_s:.1f} s wall, "
            f"{loop_cpu:.1f} s CPU"
        )
        print(
            f"Engine vs sequential default Prophet: {loop_s / engine_s:.1f}x faster "
            f"(wall clock), {loop_cpu / engine_cpu:.1f}x less CPU"
        )
    syn = synthetic()
    t0, c0 = time.perf_counter(), cpu()
    res = run_forecast(syn, settings)
    syn_s, syn_cpu = time.perf_counter() - t0, cpu() - c0
    k = len(res.selection)
    print(
        f"{k:,} synthetic series (48 months, with backtest): {syn_s:.1f} s wall, "
        f"{syn_s / k * 1000:.1f} ms per series ({syn_cpu / k * 1000:.1f} ms CPU per series)"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
