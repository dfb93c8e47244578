"""Accuracy of the forecast engine on real public data; prints figures, asserts nothing.

For each dataset, the last H months of every series are held out and forecast from
the rest (`sop.demand.backtest.holdout`) by the engine's automatic per-series choice ("auto")
and by the baselines forced on every series (seasonal naive; ets = statsmodels
Holt-Winters, additive damped trend, multiplicative season). MASE is scaled by the
in-sample seasonal naive MAE (lag 12) of the training part and averaged over series,
as in the Tourism competition; MAPE skips zero actuals.

- Tourism (366 series, the official 24-month test): published MASE seasonal naive
  1.63, ETS 1.54 (MAPE 22.56%, 21.06%).
- PBS prescriptions (Scripts, 336 series), hold-out 24 and 12 months.
- aus_retail turnover (152 series), hold-out 24 months.

It also prints the average pairwise correlation of the auto forecast errors between
series (the RHO of `sop.demand.hierarchy`). Run: .venv/bin/python bench/bench_forecast_accuracy.py
[tourism pbs aus_retail demo]; takes a few minutes.
"""

from __future__ import annotations

import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import realdata  # noqa: E402

from sop.data.demo import build_demo
from sop.demand.backtest import coverage, holdout
from sop.demand.engine import ForecastSettings

PUBLISHED = {"seasonal naive": (1.63, 22.56), "ets": (1.54, 21.06)}


def error_correlation(errors: pd.DataFrame, method: str = "auto") -> float:
    """Mean pairwise correlation between series of scaled forecast errors over the
    held-out months (series with a constant error left out)."""
    e = errors[errors["method"] == method]
    e = e.assign(z=(e["forecast"] - e["actual"]) / e["scale"].where(e["scale"] > 0))
    wide = e.pivot_table(index="month_ahead", columns="series", values="z").dropna(axis=1)
    wide = wide.loc[:, wide.std() > 0]
    c = np.corrcoef(wide.to_numpy().T)
    k = c.shape[0]
    return float((c.sum() - k) / (k * (k - 1))) if k > 1 else float("nan")


def report(
    name: str, tables: dict, horizon: int, settings: ForecastSettings, published: bool = False
) -> None:
    t0 = time.perf_counter()
    h = holdout(tables, horizon, settings)
    secs = time.perf_counter() - t0
    n = h.errors["series"].nunique()
    print(
        f"\n== {name}: hold-out {horizon} months, {n} series, {secs:.0f} s "
        f"(backtest {settings.backtest_origins} origins x {settings.backtest_horizon} "
        f"months, step {settings.backtest_step})"
    )
    cov = coverage(h.errors)
    for _, r in h.overall.iterrows():
        ref = ""
        if published and r["method"] in PUBLISHED:
            ref = (
                f"   (published MASE {PUBLISHED[r['method']][0]:.2f}, "
                f"MAPE {PUBLISHED[r['method']][1]:.2f}%)"
            )
        print(
            f"  {r['method']:15s} MASE {r['mase']:.3f}  MAPE {r['mape'] * 100:6.2f}%  "
            f"WAPE {r['wape'] * 100:6.2f}%  bias {r['bias'] * 100:+6.2f}%  "
            f"P10-P90 coverage {cov[r['method']]:.0%}{ref}"
        )
    counts = h.chosen["method"].value_counts()
    print("  chosen: " + ", ".join(f"{m} {c} ({c / len(h.chosen):.0%})" for m, c in counts.items()))
    prophet = counts[counts.index.str.startswith("prophet")].sum()
    print(
        f"  Prophet selected alone for {prophet} series ({prophet / len(h.chosen):.0%}); "
        "it is also one of the four members of `combo`."
    )
    print(f"  mean pairwise error correlation between series: {error_correlation(h.errors):.3f}")


def main() -> None:
    warnings.simplefilter("ignore")
    which = sys.argv[1:] or ["tourism", "pbs", "aus_retail", "demo"]
    base = ForecastSettings()
    if "tourism" in which:
        t = realdata.tourism()
        report("Tourism monthly", t, 24, replace(base, horizon=24), published=True)
        report(
            "Tourism monthly",
            t,
            24,
            replace(base, horizon=24, backtest_horizon=12, backtest_step=6),
            published=True,
        )
    if "pbs" in which:
        t = realdata.pbs()
        report("PBS Scripts", t, 24, replace(base, horizon=24))
        report("PBS Scripts", t, 12, replace(base, horizon=12))
    if "aus_retail" in which:
        report("aus_retail", realdata.aus_retail(), 24, replace(base, horizon=24))
    if "demo" in which:
        report("Demo (with promotions)", build_demo(), 12, replace(base, horizon=12))


if __name__ == "__main__":
    main()
