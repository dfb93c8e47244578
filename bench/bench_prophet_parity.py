"""The in-process Prophet fit (sop.demand.prophet_fast) against the `prophet` package
(1.5, cmdstanpy, MAP, uncertainty_samples=0): same model, same series, one process.
Prints figures, asserts nothing.

For each series: hold out the last 12 months, fit both on the months before (the last
`--window` of them, all when 0), with the engine's Prophet specifications (`prophet`
additive, `prophet_mult` multiplicative; same changepoints, priors, seasonality, growth,
mode), and forecast the 12 months. Printed per design set and mode:
- the relative difference of the forecasts, |fast - package| / mean |package forecast|,
  per series and month ahead: median and worst;
- which fit reached the higher log posterior (-lp__ as cmdstan reports it; the higher
  posterior is the right MAP) and the largest shortfall of each;
- CPU per fit (the package's includes its CmdStan process) and wall time per fit;
- MASE of each on the 12 held-out months (seasonal-naive scale of the fitted history).

Real data: the design sets only (tourism_comp_monthly, aus_retail_monthly); nothing here
is tuned on the validation sets. `--demo`: the project's own demo series instead (data/demo,
SKU x region, as the engine's sku_region jobs have them), in two sets: those the engine
fits Prophet to (not intermittent: the series tests/unit/test_prophet_parity.py checks)
and the intermittent ones, which the engine forecasts with Croston and the like; on the
nearly all-zero ones the multiplicative model fits the history exactly and the posterior
has no maximum (it grows as sigma goes to 0), so there the two fits stop where their
optimisers give up.

Run: .venv/bin/python bench/bench_prophet_parity.py [--demo] [--series N] [--window M]
     (N series per set, evenly spread; 0 = all; defaults 0 and 0)
     the test's figures: --demo --series 104 --window 36
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the engine's workers

import resource
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import realdata  # noqa: E402

from sop.core import schema  # noqa: E402
from sop.data.validate import validate_dir  # noqa: E402
from sop.demand import prophet_fast as pf  # noqa: E402
from sop.demand.metrics import mase  # noqa: E402
from sop.demand.models import PROPHET_SPECS  # noqa: E402
from sop.demand.selection import classify  # noqa: E402
from sop.demand.series import build_jobs  # noqa: E402

HOLD = 12
SETS = {"tourism_comp_monthly": realdata.tourism, "aus_retail_monthly": realdata.aus_retail}


def cpu() -> float:
    """CPU seconds of this process and its finished children (CmdStan)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class Pair:
    """One series fitted both ways."""

    rel: np.ndarray  # per month ahead
    obj_fast: float  # -lp__ at each optimum
    obj_pkg: float
    cpu_fast: float
    cpu_pkg: float
    wall_fast: float
    wall_pkg: float
    mase_fast: float
    mase_pkg: float


def compare(first: np.datetime64, y: np.ndarray, spec: pf.ProphetSpec, h: int = HOLD) -> Pair:
    """Fit y[:-h] both ways (month of y[0] = `first`) and score the last h months."""
    n = len(y) - h
    days = pf.month_days(first, len(y))
    t0, c0 = time.perf_counter(), cpu()
    fit = pf.fit(days[:n], y[:n], spec)
    fast = fit.predict(days[n:])
    wall_f, cpu_f = time.perf_counter() - t0, cpu() - c0
    ds = pd.to_datetime(days.astype("datetime64[D]"))
    t0, c0 = time.perf_counter(), cpu()
    m = pf.package_model(spec, fit.seasonal).fit(pd.DataFrame({"ds": ds[:n], "y": y[:n]}))
    pkg = m.predict(pd.DataFrame({"ds": ds[n:]}))["yhat"].to_numpy()
    wall_p, cpu_p = time.perf_counter() - t0, cpu() - c0
    return Pair(
        rel=np.abs(fast - pkg) / np.mean(np.abs(pkg)),
        obj_fast=fit.objective,
        obj_pkg=-float(m.stan_fit.optimized_params_dict["lp__"]),
        cpu_fast=cpu_f,
        cpu_pkg=cpu_p,
        wall_fast=wall_f,
        wall_pkg=wall_p,
        mase_fast=mase(y[n:], fast, y[:n]),
        mase_pkg=mase(y[n:], pkg, y[:n]),
    )


Series = list[tuple[np.datetime64, np.ndarray]]  # (first month, monthly values)


def real_series(tables: dict[str, pd.DataFrame]) -> Series:
    """Every series of a real set (one per SKU), sorted by SKU."""
    sales = tables[schema.SALES].sort_values([schema.SKU, schema.MONTH])
    return [
        (np.datetime64(g[schema.MONTH].iloc[0], "M"), g[schema.UNITS].to_numpy(float))
        for _, g in sales.groupby(schema.SKU, sort=True)
    ]


def demo_sets() -> dict[str, Series]:
    """The demo's SKU x region series with at least 12 + HOLD months, as the engine's
    jobs have them (raw units, NaN where a month is missing), split by whether the engine
    fits Prophet to them (classified on the months before the hold-out)."""
    tables = validate_dir(Path(__file__).resolve().parents[1] / "data" / "demo").tables
    as_of = tables[schema.SALES][schema.MONTH].max()
    jobs = build_jobs(tables, "sku_region", as_of, HOLD).jobs
    names = {"ok": "data/demo, not intermittent", "intermittent": "data/demo, intermittent"}
    out: dict[str, Series] = {name: [] for name in names.values()}
    for j in jobs:
        kind = classify(j.y[:-HOLD]) if len(j.y) >= 12 + HOLD else "short"
        if kind in names:
            out[names[kind]].append((j.first_month, j.y.astype(float)))
    return out


def pick(data: Series, count: int, window: int) -> Series:
    """`count` series evenly spread over the set (0 or more than there are = all), the
    last window + HOLD months of each (all when window is 0)."""
    if count and count < len(data):
        data = [data[i] for i in np.linspace(0, len(data) - 1, count).round().astype(int)]
    out = []
    for first, y in data:
        cut = max(len(y) - window - HOLD, 0) if window else 0
        out.append((first + cut, y[cut:]))
    return out


def summary(pairs: list[Pair]) -> str:
    """One block of figures for a set x mode."""
    rel = np.concatenate([p.rel for p in pairs])
    gap = np.array([p.obj_fast - p.obj_pkg for p in pairs])  # < 0: the fast fit is higher
    tol = 1e-6 * (1 + np.abs([p.obj_pkg for p in pairs]))

    def mean(attr: str) -> float:
        return float(np.mean([getattr(p, attr) for p in pairs]))

    def mase_mean(attr: str) -> float:
        return float(np.nanmean([getattr(p, attr) for p in pairs]))

    return (
        f"  forecast difference |fast - package| / mean |package|: median {np.median(rel):.2%}, "
        f"90th pct {np.quantile(rel, 0.9):.2%}, worst {rel.max():.2%}\n"
        f"  log posterior: fast higher on {np.sum(gap < -tol)}, package higher on "
        f"{np.sum(gap > tol)}, equal on {np.sum(np.abs(gap) <= tol)} series; largest shortfall "
        f"fast {max(gap.max(), 0):.2e}, package {max(-gap.min(), 0):.3f} nats\n"
        f"  per fit: fast {mean('cpu_fast') * 1e3:.1f} ms CPU ({mean('wall_fast') * 1e3:.1f} ms "
        f"wall), package {mean('cpu_pkg') * 1e3:.1f} ms CPU incl. CmdStan "
        f"({mean('wall_pkg') * 1e3:.1f} ms wall): {mean('cpu_pkg') / mean('cpu_fast'):.0f}x CPU\n"
        f"  MASE, last {HOLD} months: fast {mase_mean('mase_fast'):.3f}, "
        f"package {mase_mean('mase_pkg'):.3f}"
    )


def main() -> None:
    warnings.simplefilter("ignore")
    pf.quiet_prophet_package()
    args = sys.argv[1:]
    count = int(args[args.index("--series") + 1]) if "--series" in args else 0
    window = int(args[args.index("--window") + 1]) if "--window" in args else 0
    if "--demo" in args:
        sets, kind = demo_sets(), ""
    else:
        sets = {name: real_series(load()) for name, load in SETS.items()}
        kind = " (design set)"
    print(
        f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.1f}; "
        f"{count or 'all'} series per set, {'last ' + str(window) if window else 'all'} "
        f"months before the {HOLD}-month hold-out"
    )
    for name, everything in sets.items():
        data = pick(everything, count, window)
        for method, spec in PROPHET_SPECS.items():
            pairs = [compare(first, y, spec) for first, y in data if len(y) > HOLD + 2]
            print(f"{name}{kind}, {method} ({spec.mode}), {len(pairs)} series:")
            print(summary(pairs))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
