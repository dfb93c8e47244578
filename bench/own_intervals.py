"""The candidates' own 80% prediction intervals, for bench/tune_forecast_design.py.

The engine's P10/P90 are a split-conformal band from the cross-validation errors
(sop/demand/bands.py). The design-set tuning compares that band with the intervals
the models give themselves, on the same hold-out forecasts:

- statsforecast models (AutoETS, AutoTheta): `predict(h, level=[80])`'s lo-80 / hi-80
  after the same fit as the engine's (`sop.demand.library`); a fit that fell back to
  the seasonal naive gets the seasonal naive's interval;
- seasonal naive, naive, drift: statsforecast SeasonalNaive(12), Naive and
  RandomWalkWithDrift `forecast(..., level=[80])` (the same point forecasts as the
  project's `models.snaive`, `naive`, `drift`);
- Prophet (in-process MAP fit, `sop.demand.prophet_fast`): Prophet's own interval
  procedure (`Prophet.predict_uncertainty` at its default interval_width 0.8) on the
  MAP parameters: 1000 sampled futures, each with new trend changepoints (Poisson, at
  the history's changepoint rate per unit of scaled time) whose slope changes are
  Laplace(0, mean |delta|), plus N(0, sigma) observation noise; the 10% and 90%
  quantiles of the samples;
- every other method (mean, profile, SES, Croston family, TSB, Theta) has none here.

The ensemble's "own" interval is the mean of its members' bounds: a heuristic (the
mean of quantiles is not the quantile of the mean forecast's error), used only because
the ensemble has no model of its own.
"""

from __future__ import annotations

import warnings

import numpy as np

from sop.demand import library, models, prophet_fast

LEVEL = 80
SAMPLES = 1000  # Prophet's default uncertainty_samples


def _sf(make, y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        out = make().forecast(y=y, h=h, level=[LEVEL])
    return out["mean"], out[f"lo-{LEVEL}"], out[f"hi-{LEVEL}"]


def _snaive(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from statsforecast.models import Naive, SeasonalNaive

    if len(y) < models.SEASON:
        return _sf(Naive, y, h)
    return _sf(lambda: SeasonalNaive(models.SEASON), y, h)


def _library(name: str, y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    make = {"auto_ets": library._auto_ets, "auto_theta": library._auto_theta}[name]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        model = make()
        model.fit(y)
        out = model.predict(h, level=[LEVEL])
    return out["mean"], out[f"lo-{LEVEL}"], out[f"hi-{LEVEL}"]


def prophet_interval(fit: prophet_fast.ProphetFit, days: np.ndarray, seed: int = 0):
    """(lo, hi): Prophet's 80% interval at `days` (future month starts) for a MAP fit,
    by Prophet's own sampling (see the module docstring). No extra regressor."""
    rng = np.random.default_rng(seed)
    t = (days - fit.start) / fit.t_scale
    big_t = float(t.max())
    s = len(fit.t_change)
    lam = float(np.mean(np.abs(fit.delta))) + 1e-8 if s else 1e-8
    x = fit._design(days, None)
    season = x @ fit.beta if x.shape[1] else np.zeros(len(t))
    out = np.empty((SAMPLES, len(t)))
    for i in range(SAMPLES):
        n_new = rng.poisson(s * (big_t - 1)) if big_t > 1 else 0
        cps = np.r_[fit.t_change, np.sort(1 + rng.random(n_new) * (big_t - 1))]
        deltas = np.r_[fit.delta, rng.laplace(0, lam, n_new)]
        trend = fit.k * t + fit.m + np.maximum(t[:, None] - cps[None, :], 0) @ deltas
        mu = trend * (1 + season) if fit.spec.mode == "multiplicative" else trend + season
        out[i] = (mu + rng.normal(0, fit.sigma, len(t))) * fit.y_scale
    lo, hi = np.quantile(out, [(1 - LEVEL / 100) / 2, 1 - (1 - LEVEL / 100) / 2], axis=0)
    return lo, hi


def _prophet(name: str, y_raw: np.ndarray, h: int, first_month: np.datetime64):
    n = len(y_raw)
    days = prophet_fast.month_days(first_month, n + h)
    fit = prophet_fast.fit(days[:n], y_raw, models.PROPHET_SPECS[name], None)
    lo, hi = prophet_interval(fit, days[n:])
    return fit.predict(days[n:]), lo, hi


def own(method: str, y: np.ndarray, y_raw: np.ndarray, h: int, first_month, point: np.ndarray):
    """(lo, hi) of `method`'s own 80% interval for the h months after `y` (gaps filled;
    `y_raw` with NaN), or None when the method has none. `point` is the engine's
    forecast (unclipped): a library fit whose mean differs from it fell back to the
    seasonal naive, so it gets the seasonal naive's interval."""
    try:
        if method in ("auto_ets", "auto_theta"):
            if len(y) < library.MIN_FIT:
                mean, lo, hi = _sf(_naive_cls(), y, h)
            else:
                mean, lo, hi = _library(method, y, h)
        elif method == "seasonal naive":
            mean, lo, hi = _snaive(y, h)
        elif method == "naive":
            mean, lo, hi = _sf(_naive_cls(), y, h)
        elif method == "drift":
            from statsforecast.models import RandomWalkWithDrift

            mean, lo, hi = _sf(RandomWalkWithDrift, y, h)
        elif method.startswith("prophet"):
            if np.sum(~np.isnan(y_raw)) < 3:
                return None
            mean, lo, hi = _prophet(method, y_raw, h, first_month)
        else:
            return None
    except (ValueError, ZeroDivisionError, np.linalg.LinAlgError, IndexError):
        mean = None
    tol = 1e-6 * (np.nanmax(np.abs(y)) + 1)
    if mean is None or not np.allclose(mean, point, rtol=1e-5, atol=tol):
        if method.startswith("prophet") or method in ("naive", "drift"):
            return None  # not the engine's forecast: no interval to attribute to it
        mean, lo, hi = _snaive(y, h)
        if not np.allclose(mean, point, rtol=1e-5, atol=tol):
            return None
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)


def _naive_cls():
    from statsforecast.models import Naive

    return Naive
