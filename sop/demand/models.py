"""Forecasting methods on one monthly series, as plain numpy functions, and the registry.

`METHODS` names every method the engine can use: the simple ones here (naive,
seasonal naive, mean, drift, family profile, SES, Theta, SBA, TSB, zero), Prophet's
model fitted in process (`prophet`, `prophet_mult`) and the statsforecast candidates
of `sop.demand.library` (`auto_ets`, `auto_arima`, `auto_theta`, `croston`, `adida`,
`imapa`). `RETIRED` maps names of removed methods to their successors.

Every method has the signature `method(y, h, ctx) -> (forecast, fitted)`: `y` is the
history with gaps already filled (no NaN, length n >= 1), `h` the months to forecast,
`forecast` an array of length h and `fitted` the in-sample fitted values (length n,
NaN where the method has none). `ctx` carries what some methods need beyond y.
Forecasts may be negative here; the engine clips them at zero.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from statsmodels.tsa.forecasting.theta import ThetaModel
from statsmodels.tsa.holtwinters import SimpleExpSmoothing

from sop.demand import library, prophet_fast

SEASON = 12


@dataclass
class Ctx:
    """Context of one series: calendar position, raw history, promotions, family profile.

    `first_month` is the month of y[0]; `y_raw` the history with gaps as NaN (Prophet
    drops them itself); `promo` the planned uplift fraction per month over history and
    horizon (length n + h, or None); `profile` the family's seasonal index by calendar
    month (12 values, mean 1, or None). `memo`, when given, carries fitted models
    between cross-validation origins: the first origin fits them, later ones apply
    them to their longer history (parameters from less data, so no look-ahead)
    instead of re-fitting (`sop.demand.library`).
    """

    first_month: np.datetime64
    y_raw: np.ndarray | None = None
    promo: np.ndarray | None = None
    profile: np.ndarray | None = None
    memo: dict | None = None


Method = Callable[[np.ndarray, int, Ctx], tuple[np.ndarray, np.ndarray]]


def _nan(n: int) -> np.ndarray:
    return np.full(n, np.nan)


def naive(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Last value carried forward."""
    return np.full(h, y[-1]), np.r_[np.nan, y[:-1]]


def snaive(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal naive: the same month last year (naive when under a year of history)."""
    if len(y) < SEASON:
        return naive(y, h, ctx)
    last = y[-SEASON:]
    return last[np.arange(h) % SEASON], np.r_[_nan(SEASON), y[:-SEASON]]


def mean(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the last 12 months (or of all, when shorter)."""
    return np.full(h, y[-SEASON:].mean()), np.full(len(y), y[-SEASON:].mean())


def drift(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Random walk with drift: last value plus the average monthly change."""
    n = len(y)
    slope = (y[-1] - y[0]) / (n - 1) if n > 1 else 0.0
    return y[-1] + slope * np.arange(1, h + 1), np.r_[np.nan, y[:-1] + slope]


def profile(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """The family's seasonal profile scaled to this series' recent deseasonalised level.

    For short histories (new launches): level = mean of y / index over the last
    (up to) 6 months, forecast = level x index of each future month.
    """
    if ctx.profile is None:
        return mean(y, h, ctx)
    n = len(y)
    cal = (np.datetime64(ctx.first_month, "M").astype(int) + np.arange(n + h)) % SEASON
    idx = ctx.profile[cal]
    k = min(n, 6)
    level = float(np.mean(y[-k:] / idx[n - k : n]))
    return level * idx[n:], level * idx[:n]


def ses(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Simple exponential smoothing (statsmodels), no trend or season."""
    if len(y) < 3:
        return naive(y, h, ctx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = SimpleExpSmoothing(
            y, initialization_method="heuristic" if len(y) >= 10 else "estimated"
        ).fit()
    return np.asarray(res.forecast(h)), np.asarray(res.fittedvalues)


def theta(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """The Theta method (statsmodels ThetaModel), deseasonalised when seasonal."""
    if len(y) < 4:
        return naive(y, h, ctx)
    pos = bool(np.all(y > 0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ThetaModel(
            y,
            period=SEASON,
            deseasonalize=len(y) >= 2 * SEASON,
            method="multiplicative" if pos else "additive",
        )
        res = model.fit()
        fc = np.asarray(res.forecast(h))
    return fc, _nan(len(y))


def _prophet(spec: prophet_fast.ProphetSpec) -> Method:
    def run(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
        n = len(y)
        raw = ctx.y_raw if ctx.y_raw is not None and len(ctx.y_raw) == n else y
        if np.sum(~np.isnan(raw)) < 3:
            return naive(y, h, ctx)
        days = prophet_fast.month_days(ctx.first_month, n + h)
        reg = None if ctx.promo is None else ctx.promo[: n + h]
        fit = prophet_fast.fit(days[:n], raw, spec, None if reg is None else reg[:n])
        out = fit.predict(days, reg)
        return out[n:], out[:n]

    run.__doc__ = (
        f"Prophet's model ({spec.mode}, changepoint prior "
        f"{spec.changepoint_prior_scale}, yearly order {spec.yearly_order})."
    )
    return run


# Prophet at its defaults overfits monthly data (25 changepoints, yearly order 10) and
# extrapolates a stale slope; these settings won on the Tourism and demo backtests:
# changepoints up to 95% of the history with a looser prior, yearly order 6.
PROPHET_SPECS = {
    "prophet": prophet_fast.ProphetSpec(
        changepoint_range=0.95, changepoint_prior_scale=0.2, yearly_order=6
    ),
    "prophet_mult": prophet_fast.ProphetSpec(
        mode="multiplicative", changepoint_range=0.95, changepoint_prior_scale=0.2, yearly_order=6
    ),
}


def _croston(y: np.ndarray, alpha: float, sba: bool) -> tuple[float, np.ndarray]:
    nz = np.flatnonzero(y > 0)
    if not len(nz):
        return 0.0, np.zeros(len(y))
    z, p, q = y[nz[0]], nz[0] + 1.0, 1
    fitted = _nan(len(y))
    for t in range(nz[0] + 1, len(y)):
        fitted[t] = z / p
        if y[t] > 0:
            z += alpha * (y[t] - z)
            p += alpha * (q - p)
            q = 1
        else:
            q += 1
    f = z / p * (1 - alpha / 2 if sba else 1.0)
    return f, fitted * (1 - alpha / 2 if sba else 1.0)


def sba(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Syntetos-Boylan approximation: Croston x (1 - alpha/2), alpha 0.1."""
    f, fitted = _croston(y, 0.1, sba=True)
    return np.full(h, f), fitted


def tsb(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Teunter-Syntetos-Babai: smoothed demand probability (0.1) x size (0.1)."""
    nz = y > 0
    if not nz.any():
        return np.zeros(h), np.zeros(len(y))
    prob, size = nz[:SEASON].mean(), y[nz][0]
    fitted = _nan(len(y))
    for t in range(len(y)):
        fitted[t] = prob * size
        prob += 0.1 * (nz[t] - prob)
        if nz[t]:
            size += 0.1 * (y[t] - size)
    return np.full(h, prob * size), fitted


def zero(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Zero demand."""
    return np.zeros(h), np.zeros(len(y))


METHODS: dict[str, Method] = {
    "seasonal naive": snaive,
    "naive": naive,
    "mean": mean,
    "drift": drift,
    "profile": profile,
    "ses": ses,
    "theta": theta,
    **library.LIBRARY,  # auto_ets, auto_arima, auto_theta, croston, adida, imapa
    **{name: _prophet(spec) for name, spec in PROPHET_SPECS.items()},
    "sba": sba,
    "tsb": tsb,
    "zero": zero,
}
# the mean of the top-k candidates by cross-validation error, per series (selection)
ENSEMBLE = "ensemble"
# names of retired methods (settings stored before them may still name them) -> today's
RETIRED = {
    "ets": "auto_ets",
    "ets_log": "auto_ets",
    "ets_log_level": "auto_ets",
    "combo": ENSEMBLE,
}


def resolve(name: str) -> str:
    """Today's name of a method (a retired name maps to its successor)."""
    return RETIRED.get(name, name)
