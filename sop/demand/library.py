"""Forecasting candidates from statsforecast, as `models.Method` functions.

statsforecast 2.1's model classes (`statsforecast.models`) work on numpy arrays; the
engine uses them that way, one series at a time, never through the StatsForecast
DataFrame class. Each function here has the signature `method(y, h, ctx) ->
(forecast, fitted)` of `sop.demand.models` and is registered there under a plain name:

| name | model | for |
|---|---|---|
| `auto_ets` | AutoETS (season 12): error/trend/season components by AICc | regular series |
| `auto_arima` | AutoARIMA (season 12): stepwise search by AICc | regular series |
| `auto_theta` | AutoTheta (season 12): the Theta variants by in-sample MSE | regular series |
| `airline` | ARIMA(0,1,1)(0,1,1)12, the "airline" seasonal ARIMA, fixed orders | regular series |
| `croston` | CrostonOptimized: Croston with optimised smoothing | intermittent series |
| `adida` | ADIDA: aggregate-disaggregate intermittent demand | intermittent series |
| `imapa` | IMAPA: ADIDA over several aggregation levels, averaged | intermittent series |

(The seasonal naive, `seasonal naive` in `models`, is exact arithmetic and stays there.)

Parameter reuse across rolling origins: when `ctx.memo` is a dict (the engine's
cross-validation passes one per series), the first origin fits the model and stores
it; later origins only *apply* the stored model to their longer history
(statsforecast's `forward`: same orders and coefficients, the filter re-run), so a
later origin never sees parameters estimated on data after the first origin. A fit
that fails (a degenerate history) falls back to the seasonal naive (naive under a year).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

# `models.Method`, spelled out: models imports this module to register its methods, so
# this module does not import models (ctx is a `models.Ctx`; only its memo is read)
Method = Callable[[np.ndarray, int, Any], tuple[np.ndarray, np.ndarray]]
SEASON = 12
MIN_FIT = 6  # below this many months every library model falls back to the naive


def _auto_ets():
    from statsforecast.models import AutoETS

    return AutoETS(season_length=SEASON)


def _auto_arima():
    from statsforecast.models import AutoARIMA

    return AutoARIMA(season_length=SEASON)


def _airline():
    from statsforecast.models import ARIMA

    return ARIMA(order=(0, 1, 1), seasonal_order=(0, 1, 1), season_length=SEASON)


def _auto_theta():
    from statsforecast.models import AutoTheta

    return AutoTheta(season_length=SEASON)


def _croston():
    from statsforecast.models import CrostonOptimized

    return CrostonOptimized()


def _adida():
    from statsforecast.models import ADIDA

    return ADIDA()


def _imapa():
    from statsforecast.models import IMAPA

    return IMAPA()


def naive(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Last value carried forward (as `models.naive`)."""
    return np.full(h, float(y[-1])), np.r_[np.nan, y[:-1]]


def _fallback(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """The seasonal naive (as `models.snaive`), the naive under a year of history."""
    if len(y) < SEASON:
        return naive(y, h)
    return y[-SEASON:][np.arange(h) % SEASON], np.r_[np.full(SEASON, np.nan), y[:-SEASON]]


def _ok(fc: np.ndarray, y: np.ndarray) -> bool:
    """A usable forecast: finite and not exploding past 1000x the history's range."""
    return bool(np.all(np.isfinite(fc)) and np.all(np.abs(fc) < 1e3 * (np.abs(y).max() + 1)))


def _reusable(name: str, make: Callable[[], object]) -> Method:
    """A method over a statsforecast model that supports `forward` (ETS, ARIMA, Theta)."""

    def run(y: np.ndarray, h: int, ctx: Any) -> tuple[np.ndarray, np.ndarray]:
        if len(y) < MIN_FIT:
            return naive(y, h)
        y = np.asarray(y, dtype=float)
        memo = getattr(ctx, "memo", None)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                if memo is not None and name in memo:  # a later origin: apply, do not refit
                    out = memo[name].forward(y=y, h=h, fitted=True)
                    fc, fit = out["mean"], out["fitted"]
                else:
                    model = make()
                    model.fit(y)
                    fc = model.predict(h)["mean"]
                    fit = model.predict_in_sample()["fitted"]
                    if memo is not None:
                        memo[name] = model
            except (ValueError, ZeroDivisionError, np.linalg.LinAlgError, IndexError):
                return _fallback(y, h)
        return _checked(fc, fit, y, h)

    run.__name__ = name
    run.__doc__ = f"statsforecast {make.__name__.strip('_')} (season {SEASON}); see the module."
    return run


def _checked(fc, fit, y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """(forecast, fitted) as float arrays, the seasonal-naive fallback when the forecast is
    unusable (`_ok`), and NaN fitted values when the model gave none of the right length."""
    fc, fit = np.asarray(fc, dtype=float), np.asarray(fit, dtype=float)
    if not _ok(fc, y):
        return _fallback(y, h)
    return fc, fit if len(fit) == len(y) else np.full(len(y), np.nan)


def _plain(name: str, make: Callable[[], object]) -> Method:
    """A method over a cheap statsforecast model refitted at every origin (Croston family)."""

    def run(y: np.ndarray, h: int, ctx: Any) -> tuple[np.ndarray, np.ndarray]:
        y = np.asarray(y, dtype=float)
        if not np.any(y > 0):
            return np.zeros(h), np.zeros(len(y))
        if len(y) < 2:
            return naive(y, h)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                out = make().forecast(y=y, h=h, fitted=True)
            except (ValueError, ZeroDivisionError, IndexError):
                return _fallback(y, h)
        return _checked(out["mean"], out.get("fitted", np.full(len(y), np.nan)), y, h)

    run.__name__ = name
    run.__doc__ = f"statsforecast {make.__name__.strip('_')}; see the module."
    return run


LIBRARY: dict[str, Method] = {
    "auto_ets": _reusable("auto_ets", _auto_ets),
    "auto_arima": _reusable("auto_arima", _auto_arima),
    "auto_theta": _reusable("auto_theta", _auto_theta),
    "airline": _reusable("airline", _airline),
    "croston": _plain("croston", _croston),
    "adida": _plain("adida", _adida),
    "imapa": _plain("imapa", _imapa),
}
