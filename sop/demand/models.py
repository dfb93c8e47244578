"""Forecasting methods on one monthly series, as plain numpy functions.

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
from statsmodels.tsa.holtwinters import ExponentialSmoothing, SimpleExpSmoothing

from sop.demand import prophet_fast

SEASON = 12


@dataclass
class Ctx:
    """Context of one series: calendar position, raw history, promotions, family profile.

    `first_month` is the month of y[0]; `y_raw` the history with gaps as NaN (Prophet
    drops them itself); `promo` the planned uplift fraction per month over history and
    horizon (length n + h, or None); `profile` the family's seasonal index by calendar
    month (12 values, mean 1, or None). `memo`, when given, carries smoothing
    parameters between backtest origins: the first origin estimates them, later ones
    reuse them (estimated on less data, so no look-ahead) instead of re-optimising.
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


HW_PARAMS = ("smoothing_level", "smoothing_trend", "smoothing_seasonal", "damping_trend")


def _forecast(res, h: int, trend: str | None, damped: bool, seasonal: str | None) -> np.ndarray:
    """The Holt-Winters forecast equation from the final states statsmodels fitted:
    (l_n + (phi + .. + phi^k) b_n) (+ or x) s_{n-m+(k-1) mod m}.

    Same as `res.forecast(h)` except at steps m, 2m, ..., where statsmodels 0.15 uses
    the seasonal state of one cycle earlier instead of the last updated one; and it
    skips re-running statsmodels' Python recursion over the whole history (~2 ms)."""
    k = np.arange(1, h + 1)
    out = np.full(h, float(np.asarray(res.level)[-1]))
    if trend:
        phi = float(res.params["damping_trend"]) if damped else 1.0
        out += np.cumsum(phi**k) * float(np.asarray(res.trend)[-1])
    if seasonal:
        season = np.asarray(res.season)
        s = season[len(season) - SEASON + (k - 1) % SEASON]
        out = out * s if seasonal == "mul" else out + s
    return out


def _hw(
    y: np.ndarray,
    h: int,
    trend: str | None,
    damped: bool,
    log: bool = False,
    memo: dict | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """statsmodels Holt-Winters; `log` fits log(y), or log(1 + y) when y has zeros.

    The season is multiplicative on positive raw data, additive on logs, and dropped
    under two years of history.
    """
    pos = bool(np.all(y > 0))
    shift = 0.0 if pos else 1.0
    if log and not np.all(y >= 0):
        log = False
    z = np.log(y + shift) if log else y
    seasonal = None
    if len(y) >= 2 * SEASON and np.ptp(z) > 0:
        seasonal = "mul" if pos and not log else "add"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw = dict(
            trend=trend,
            damped_trend=damped and trend is not None,
            seasonal=seasonal,
            seasonal_periods=SEASON if seasonal else None,
        )
        key = ("hw", trend, damped, log, seasonal)
        try:
            if memo is not None and key in memo:  # a later origin: filter only
                known, fixed = memo[key]
                res = ExponentialSmoothing(z, initialization_method="known", **known, **kw).fit(
                    **fixed, optimized=False
                )
            else:
                res = ExponentialSmoothing(z, initialization_method="heuristic", **kw).fit(
                    use_brute=False
                )
        except (ValueError, np.linalg.LinAlgError):
            res = ExponentialSmoothing(z, initialization_method="estimated", **kw).fit(
                use_brute=False
            )
        if memo is not None and key not in memo:
            p = res.params
            fixed = {k: p[k] for k in HW_PARAMS if k in p and np.isfinite(p[k])}
            known = {"initial_level": p["initial_level"]}
            if trend:
                known["initial_trend"] = p["initial_trend"]
            if seasonal:
                known["initial_seasonal"] = p["initial_seasons"]
            memo[key] = (known, fixed)
        fit = np.asarray(res.fittedvalues)
        fc = _forecast(res, h, trend, damped, seasonal)
    if not (np.all(np.isfinite(fc)) and np.all(np.abs(fc) < 1e3 * (np.abs(z).max() + 1))):
        return snaive(y, h, Ctx(np.datetime64("2000-01", "M")))  # a diverged fit
    if log:
        return np.exp(fc) - shift, np.exp(fit) - shift
    return fc, fit


def ets(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Holt-Winters (statsmodels): additive damped trend, multiplicative season for
    positive series (additive otherwise), no season under two years of history."""
    if len(y) < 4:
        return naive(y, h, ctx)
    return _hw(y, h, "add", True, memo=ctx.memo)


def ets_log(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Holt-Winters on log(y) (log(1 + y) with zeros): additive damped trend and season,
    i.e. multiplicative on the original scale."""
    if len(y) < 4:
        return naive(y, h, ctx)
    return _hw(y, h, "add", True, log=True, memo=ctx.memo)


def ets_log_level(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Holt-Winters on log(y) without trend: a smoothed level times the season."""
    if len(y) < 4:
        return naive(y, h, ctx)
    return _hw(y, h, None, False, log=True, memo=ctx.memo)


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


def croston(y: np.ndarray, h: int, ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Croston's method (alpha 0.1): smoothed demand size / smoothed interval."""
    f, fitted = _croston(y, 0.1, sba=False)
    return np.full(h, f), fitted


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
    "ets": ets,
    "ets_log": ets_log,
    "ets_log_level": ets_log_level,
    "ses": ses,
    "theta": theta,
    **{name: _prophet(spec) for name, spec in PROPHET_SPECS.items()},
    "croston": croston,
    "sba": sba,
    "tsb": tsb,
    "zero": zero,
}
COMBO = "combo"
# the combination: the mean of a seasonal naive, two log Holt-Winters (damped trend and
# level only) and multiplicative Prophet
COMBO_OF = ("seasonal naive", "ets_log", "ets_log_level", "prophet_mult")
