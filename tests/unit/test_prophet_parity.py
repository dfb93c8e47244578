"""The in-process Prophet fit (sop.demand.prophet_fast) against the `prophet` package
(1.5, cmdstanpy, MAP fit, uncertainty_samples=0), the last 36 months of each series
before a 12-month forecast, the engine's additive and multiplicative specifications
alternately, on two sources of series:
- "demo": 104 of the project's own demo series (data/demo, synthetic: SKU x region
  series with 48 months of sales that the engine fits Prophet to, 52 per mode); always
  run, in CI too;
- "real": 104 real series, 52 from the Tourism competition and 52 from Australian
  retail (both design sets); needs the shared real data (bench/realdata.py finds it,
  GPL-3, not in the repository), skipped without it.

Two package fits per series:
- from the package's own start: the higher log posterior is the right MAP, and the fast
  fit's must never be the lower one (where the package is lower, its optimiser stopped
  short: bench/bench_prophet_parity.py prints by how much, `--demo` for the demo);
- started at the fast fit's optimum: Stan's optimiser on Prophet's own program must find
  nothing better there and stay put, which also checks the two build the same model
  (changepoints, scaling, Fourier terms, priors).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sop.core import schema
from sop.data.validate import validate_dir
from sop.demand import prophet_fast as pf
from sop.demand.models import PROPHET_SPECS
from sop.demand.selection import classify
from sop.demand.series import build_jobs

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
HISTORY, HOLD, PER_SET, DEMO_SERIES = 36, 12, 52, 104

# per source, (median, worst) of the forecast differences allowed: |fast - package| / mean
# |package forecast| per series and month ahead (the measured figures: at the asserts)
AT_FAST = {"demo": (1e-6, 1e-5), "real": (1e-6, 1e-5)}
OWN = {"demo": (1.5e-3, 0.2), "real": (3e-3, 0.2)}


Series = list[tuple[np.datetime64, np.ndarray]]


def demo_series() -> Series:
    """104 demo SKU x region series evenly spread over those with 48 months of sales
    that the engine fits Prophet to (`selection.classify` "ok" on the 36 months: not
    intermittent), as its sku_region jobs have them (raw units, NaN where missing).

    Intermittent series are left out: the engine forecasts them with Croston and the
    like, never Prophet, and on the nearly all-zero ones the multiplicative model fits
    the history exactly, so the posterior grows without bound as sigma goes to 0 and
    neither optimiser has a MAP to find (measured: both stop at sigma 1e-9 to 1e-12,
    up to 200 nats apart)."""
    tables = validate_dir(ROOT / "data" / "demo").tables
    as_of = tables[schema.SALES][schema.MONTH].max()
    n = HISTORY + HOLD
    ys = [
        (j.first_month + (len(j.y) - n), j.y[-n:].astype(float))
        for j in build_jobs(tables, "sku_region", as_of, HOLD).jobs
        if len(j.y) >= n
    ]
    ys = [(first, y) for first, y in ys if classify(y[:HISTORY]) == "ok"]
    return [ys[i] for i in np.linspace(0, len(ys) - 1, DEMO_SERIES).round().astype(int)]


def real_series() -> Series:
    """52 series evenly spread over each real design set (skips without the data)."""
    realdata = pytest.importorskip("bench.realdata")
    out = []
    for name, load in (("tourism", realdata.tourism), ("aus_retail", realdata.aus_retail)):
        path = realdata.REALDATA / f"{name}_{'comp_' if name == 'tourism' else ''}monthly.csv.gz"
        if not path.exists():
            pytest.skip(f"the shared real data is not here ({path})")
        sales = load()[schema.SALES].sort_values([schema.SKU, schema.MONTH])
        groups = [g for _, g in sales.groupby(schema.SKU, sort=True)]
        for i in np.linspace(0, len(groups) - 1, PER_SET).round().astype(int):
            g = groups[i].tail(HISTORY + HOLD)
            first = np.datetime64(g[schema.MONTH].iloc[0], "M")
            out.append((first, g[schema.UNITS].to_numpy(float)))
    return out


SOURCES = {"demo": demo_series, "real": real_series}


def compare(series: Series) -> pd.DataFrame:
    """One row per series: relative differences and the posterior at each optimum."""
    warnings.simplefilter("ignore")
    pf.quiet_prophet_package()
    rows = []
    specs = list(PROPHET_SPECS.values())
    for i, (first, y) in enumerate(series):
        spec = specs[i % 2]
        days = pf.month_days(first, HISTORY + HOLD)
        ds = pd.to_datetime(days.astype("datetime64[D]"))
        hist = pd.DataFrame({"ds": ds[:HISTORY], "y": y[:HISTORY]})
        fit = pf.fit(days[:HISTORY], y[:HISTORY], spec)
        fast = fit.predict(days[HISTORY:])
        own = pf.package_model(spec, fit.seasonal).fit(hist)
        at_fast = pf.package_model(spec, fit.seasonal).fit(
            hist,
            init={
                "k": fit.k,
                "m": fit.m,
                "delta": fit.delta,
                "beta": fit.beta,
                "sigma_obs": fit.sigma,
            },
        )
        future = pd.DataFrame({"ds": ds[HISTORY:]})
        row = {"mode": spec.mode, "obj_fast": fit.objective, "t_change": fit.t_change}
        for key, m in (("own", own), ("at_fast", at_fast)):
            pkg = m.predict(future)["yhat"].to_numpy()
            row[f"rel_{key}"] = np.abs(fast - pkg) / np.mean(np.abs(pkg))
            row[f"obj_{key}"] = -float(m.stan_fit.optimized_params_dict["lp__"])
        row["cp_pkg"] = np.asarray(own.changepoints_t)
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module", params=list(SOURCES))
def source(request: pytest.FixtureRequest) -> tuple[str, pd.DataFrame]:
    """(source name, `compare` of its series)."""
    return request.param, compare(SOURCES[request.param]())


def test_same_model_104_series_both_modes(source: tuple[str, pd.DataFrame]) -> None:
    _, pairs = source
    assert len(pairs) >= 104
    assert set(pairs["mode"]) == {"additive", "multiplicative"}
    for a, b in zip(pairs["t_change"], pairs["cp_pkg"], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_fast_posterior_is_never_below_the_packages(source: tuple[str, pd.DataFrame]) -> None:
    # -lp__ in nats; cmdstan writes lp__ to about 8 significant digits (measured: the two
    # agree within 5e-6 where both are at the same optimum, real and demo; on the demo the
    # package's own start ends 6.5e-5 to 0.35 nats lower on every series). Breaks when the
    # fast fit stops short by more than ~2e-5 nats: measured on the demo with the Newton
    # polish capped at 6 steps (0.0014 nats short) or left out (0.004 nats)
    _, pairs = source
    for key in ("own", "at_fast"):
        tol = 1e-5 + 1e-7 * pairs[f"obj_{key}"].abs()
        assert (pairs["obj_fast"] <= pairs[f"obj_{key}"] + tol).all(), key


def test_package_started_at_the_fast_optimum_stays_there(
    source: tuple[str, pd.DataFrame],
) -> None:
    # measured, real: median 6e-9, worst 1.2e-7 of the forecast; an optimum 0.1 nats
    # short moves the forecast by around a percent. Demo: median 6.6e-9, worst 1.5e-7;
    # with the polish capped at 6 Newton steps the worst is 1.8e-3, without it 6.4e-3
    name, pairs = source
    rel = np.concatenate(pairs["rel_at_fast"].to_list())
    median, worst = AT_FAST[name]
    assert np.median(rel) < median
    assert rel.max() < worst


def test_forecasts_match_the_package_fit(source: tuple[str, pd.DataFrame]) -> None:
    # measured, real: median 0.06 %, 90th percentile 1.0 %, worst 13.4 %; every difference
    # is the package stopping short (its posterior lower by up to 3.8 nats on that series).
    # Demo: median 0.047 %, 90th percentile 0.75 %, worst 3.1 % (the package up to 0.35
    # nats short; the worst stays loose: where it stops short is the package's, e.g. 18 %
    # on a demo series in the other mode); changepoints one month early: median 0.18 %,
    # worst 28 %
    name, pairs = source
    rel = np.concatenate(pairs["rel_own"].to_list())
    median, worst = OWN[name]
    assert np.median(rel) < median
    assert rel.max() < worst
