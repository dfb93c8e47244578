"""Honest accuracy of the forecast engine on real public data; prints figures, asserts nothing.

The sets are split by role (see ../shared/realdata/README.md and docs/forecast-engine.md):

- DESIGN sets (the engine's candidates, selection rule, CV settings and band method
  were tuned on these, with bench/tune_forecast_design.py):
  tourism_comp_monthly (366 series; h=24 is the official 24-month test, h=12 its
  first 12 months from the official training part) and aus_retail_monthly (152
  series, the last h months).
- VALIDATION sets (reported only; a change made because one of these moved is
  tuning, and the set stops counting): pbs_monthly Scripts (336 series),
  ansett_weekly summed to calendar months (30 series; the first and last, partial,
  months dropped) and prophet_example_retail_sales (1 series).

For each set and hold-out horizon h (12 and 24 months), on the same hold-outs and in
the same run (`sop.demand.backtest.holdout`, worker pool): the engine's automatic
choice ("auto") and the statsforecast references AutoETS, AutoARIMA and
SeasonalNaive forced on every series. Printed per method: mean and median MASE
(per-series MAE over the in-sample seasonal naive MAE, lag 12, of the training part),
WAPE, bias, the P10-P90 band's coverage of the held-out actuals (nominal 80%), and
the engine's rank by mean MASE among the four.

Run: .venv/bin/python bench/bench_forecast_accuracy.py [--set NAME ...] [--h 12|24 ...]
(sets: tourism aus_retail pbs ansett retail_sales; default all, h 12 and 24).
The output of a full run is kept in bench/results/forecast_accuracy.txt.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import realdata  # noqa: E402

from sop.core import schema
from sop.demand.backtest import AUTO, coverage, holdout
from sop.demand.engine import ForecastSettings

REFERENCES = ("auto_ets", "auto_arima", "seasonal naive")
LABEL = {
    AUTO: "engine (auto)",
    "auto_ets": "AutoETS",
    "auto_arima": "AutoARIMA",
    "seasonal naive": "SeasonalNaive",
}
DESIGN = ("tourism", "aus_retail")
VALIDATION = ("pbs", "ansett", "retail_sales")


def _drop_last(tables: dict, months: int) -> dict:
    """The tables without the last `months` months of sales."""
    s = tables[schema.SALES]
    cut = s[schema.MONTH].max() - pd.DateOffset(months=months)
    return {**tables, schema.SALES: s[s[schema.MONTH] <= cut].reset_index(drop=True)}


def ansett() -> dict:
    """Ansett passengers per route x class, weekly summed to calendar months; the
    first and last month of each series (partial) dropped."""
    df = pd.read_csv(realdata.REALDATA / "ansett_weekly.csv.gz")
    df["Month"] = pd.to_datetime(df["Week"]).dt.to_period("M").dt.to_timestamp()
    m = df.groupby(["unique_id", "Month"], as_index=False)["Passengers"].sum()
    ends = m.groupby("unique_id")["Month"].agg(["min", "max"])
    m = m.join(ends, on="unique_id")
    m = m[(m["Month"] > m["min"]) & (m["Month"] < m["max"])]
    m["route"] = m["unique_id"].str.split("/").str[0]
    return realdata._tables(m, "Month", "unique_id", "Passengers", "route")


def retail_sales() -> dict:
    """US retail sales, the Prophet documentation's monthly example (1 series)."""
    df = pd.read_csv(realdata.REALDATA / "prophet_example_retail_sales.csv.gz")
    df["unique_id"] = "retail_sales"
    return realdata._tables(df, "ds", "unique_id", "y", None)


def load(name: str, h: int) -> dict:
    if name == "tourism":  # the official test is the last 24 months
        t = realdata.tourism()
        return t if h == 24 else _drop_last(t, 24 - h)
    return {
        "aus_retail": realdata.aus_retail,
        "pbs": realdata.pbs,
        "ansett": ansett,
        "retail_sales": retail_sales,
    }[name]()


def summary(errors: pd.DataFrame) -> pd.DataFrame:
    """Per method: n_series, mean and median MASE, WAPE, bias, P10-P90 coverage."""
    e = errors.dropna(subset=["actual", "forecast"])
    e = e.assign(abs_err=(e["forecast"] - e["actual"]).abs(), err=e["forecast"] - e["actual"])
    per = e.groupby(["method", "series"]).agg(mae=("abs_err", "mean"), scale=("scale", "first"))
    per["mase"] = per["mae"] / per["scale"].where(per["scale"] > 0)
    g = e.groupby("method")
    out = pd.DataFrame(
        {
            "n_series": per.groupby("method")["mase"].count(),
            "mase_mean": per.groupby("method")["mase"].mean(),
            "mase_median": per.groupby("method")["mase"].median(),
            "wape": g["abs_err"].sum() / g["actual"].apply(lambda s: s.abs().sum()),
            "bias": g["err"].sum() / g["actual"].sum(),
            "coverage": coverage(errors),
        }
    )
    return out.loc[[m for m in (AUTO, *REFERENCES) if m in out.index]]


def report(name: str, h: int, settings: ForecastSettings, workers: int) -> None:
    role = "DESIGN" if name in DESIGN else "VALIDATION"
    tables = load(name, h)
    t0 = time.perf_counter()
    bar = tqdm(total=1, desc=f"{name} h={h}", file=sys.stderr, leave=False)

    def tick(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    res = holdout(tables, h, replace(settings, horizon=h), REFERENCES, workers, tick)
    bar.close()
    secs = time.perf_counter() - t0
    s = summary(res.errors)
    rank = int(s["mase_mean"].rank(method="min")[AUTO])
    best_ref = s.drop(index=AUTO)["mase_mean"].min()
    print(
        f"\n== {role} {name}: hold-out {h} months, {int(s['n_series'].max())} series, "
        f"{secs:.0f} s wall"
    )
    for m, r in s.iterrows():
        print(
            f"  {LABEL[m]:14s} MASE mean {r['mase_mean']:.3f} median {r['mase_median']:.3f}  "
            f"WAPE {r['wape'] * 100:6.2f}%  bias {r['bias'] * 100:+6.2f}%  "
            f"P10-P90 coverage {r['coverage']:.1%}"
        )
    verdict = "at or below" if s.loc[AUTO, "mase_mean"] <= best_ref else "ABOVE"
    print(
        f"  engine rank by mean MASE: {rank} of {len(s)}; engine {verdict} the best "
        f"reference ({best_ref:.3f})"
    )
    counts = res.chosen["method"].value_counts()
    print("  chosen: " + ", ".join(f"{m} {c}" for m, c in counts.items()))
    sys.stdout.flush()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--set", nargs="*", choices=[*DESIGN, *VALIDATION], default=None)
    p.add_argument("--h", nargs="*", type=int, choices=[12, 24], default=[12, 24])
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    warnings.simplefilter("ignore")
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    settings = ForecastSettings()
    print(
        f"engine settings: candidates {', '.join(settings.candidates)}; CV "
        f"{settings.backtest_origins} origins x {settings.backtest_horizon} months, step "
        f"{settings.backtest_step}; ensemble top-{settings.ensemble_k}, margin "
        f"{settings.selection_margin}"
    )
    for name in args.set or [*DESIGN, *VALIDATION]:
        for h in args.h:
            report(name, h, settings, args.workers)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
