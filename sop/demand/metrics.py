"""Forecast accuracy metrics: pure functions over arrays and frames.

Notation for one series: actuals a_t, forecasts f_t, errors e_t = f_t - a_t over the
evaluated months t (missing actuals, NaN, are skipped everywhere). In-sample history
y_1..y_n is used only by MASE for its scale. All functions return NaN when the metric
is undefined (no evaluated months, or a zero denominator), never raise on it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

SEASON = 12  # months: the lag of the seasonal naive scale in MASE
# a MASE scale under this share of the history's mean absolute level is rounding noise
# (a history that repeats itself exactly): MASE is not defined for such a series
MIN_SCALE_SHARE = 0.01

# column names of accuracy tables
METHOD = "method"
N_SERIES = "n_series"
WAPE = "wape"
MAPE = "mape"
BIAS = "bias"
MASE = "mase"
FVA = "fva"
MAPE_SKIPPED = "mape_zero_actuals_skipped"
MASE_UNDEFINED = "mase_undefined"  # series left out of MASE: no usable scale


def _pair(actual: Sequence[float], forecast: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if a.shape != f.shape:
        raise ValueError(f"actual and forecast differ in length: {a.shape} vs {f.shape}")
    keep = ~(np.isnan(a) | np.isnan(f))
    return a[keep], f[keep]


def wape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Weighted absolute percentage error: sum |f - a| / sum |a| (a fraction, 0.1 = 10%)."""
    a, f = _pair(actual, forecast)
    den = np.abs(a).sum()
    return float(np.abs(f - a).sum() / den) if den > 0 else float("nan")


def mape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Mean absolute percentage error: mean over a_t != 0 of |f_t - a_t| / |a_t| (fraction).

    Months with a zero actual are skipped (the ratio is undefined there); count them
    with `zero_actuals`. NaN when every actual is zero.
    """
    a, f = _pair(actual, forecast)
    nz = a != 0
    return float(np.mean(np.abs(f[nz] - a[nz]) / np.abs(a[nz]))) if nz.any() else float("nan")


def zero_actuals(actual: Sequence[float]) -> int:
    """How many (non-missing) actuals are zero: the months MAPE skips."""
    a = np.asarray(actual, dtype=float)
    return int(np.sum(a == 0))


def bias(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Relative bias: sum (f - a) / sum a (fraction; > 0 means over-forecast)."""
    a, f = _pair(actual, forecast)
    den = a.sum()
    return float((f - a).sum() / den) if den != 0 else float("nan")


def mase_scale(history: Sequence[float], season: int = SEASON) -> float:
    """In-sample MAE of the seasonal naive forecast: mean_t |y_t - y_{t-m}|, t = m+1..n.

    Pairs with a missing value are skipped. When the history is shorter than m + 1
    months, the lag-1 (naive) MAE is used instead. NaN (MASE undefined) when that is
    undefined too, or when the scale is 0 or under `MIN_SCALE_SHARE` of the mean
    absolute level of the history: an in-sample error that small is rounding noise,
    and dividing by it would give one series an arbitrarily large MASE.
    """
    y = np.asarray(history, dtype=float)
    level = np.nanmean(np.abs(y)) if np.any(~np.isnan(y)) else np.nan
    for lag in (season, 1):
        if len(y) > lag:
            d = np.abs(y[lag:] - y[:-lag])
            d = d[~np.isnan(d)]
            if len(d):
                scale = float(d.mean())
                return scale if scale > 0 and scale >= MIN_SCALE_SHARE * level else float("nan")
    return float("nan")


def mase(
    actual: Sequence[float],
    forecast: Sequence[float],
    history: Sequence[float],
    season: int = SEASON,
) -> float:
    """Mean absolute scaled error: mean |f_t - a_t| / mase_scale(history, season).

    NaN when the scale is undefined (a flat, too short or rounding-noise history, see
    `mase_scale`).
    """
    a, f = _pair(actual, forecast)
    scale = mase_scale(history, season)
    if not len(a) or not scale > 0:
        return float("nan")
    return float(np.mean(np.abs(f - a)) / scale)


def fva(error_base: float, error_new: float) -> float:
    """Forecast value added of a new forecast over a base one: (E_base - E_new) / E_base.

    E is an error where lower is better (WAPE, MAE, MASE). Positive = the new forecast
    removes that share of the base's error; negative = it adds error. NaN when E_base
    is 0 or undefined.
    """
    if not np.isfinite(error_base) or error_base == 0 or not np.isfinite(error_new):
        return float("nan")
    return float((error_base - error_new) / error_base)


def accuracy_table(errors: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Accuracy per method (and per `by` group, e.g. family) from point-level rows.

    `errors` has one row per series x method x evaluated month with columns
    `series`, `method`, `actual`, `forecast` and `scale` (the series' MASE scale),
    plus the `by` columns. Returns columns: *by, method, n_series, wape, mape,
    mape_zero_actuals_skipped, bias, mase, mase_undefined, where
    wape = sum|e| / sum|a| and bias = sum e / sum a over all the group's points,
    mape = mean |e|/|a| over points with a != 0, and
    mase = mean over series of (mean |e| / scale) (the series-mean, as published
    for the M and Tourism competitions) over the series with a scale (NaN scale:
    MASE undefined, see `mase_scale`); mase_undefined counts the series left out.
    """
    cols = [*by, METHOD, N_SERIES, WAPE, MAPE, MAPE_SKIPPED, BIAS, MASE, MASE_UNDEFINED]
    if errors.empty:
        return pd.DataFrame(columns=cols)
    d = errors.dropna(subset=["actual", "forecast"])
    d = d.assign(
        _abs=(d["forecast"] - d["actual"]).abs(),
        _err=d["forecast"] - d["actual"],
        _nz=d["actual"] != 0,
    )
    d = d.assign(
        _ape=np.where(d["_nz"], d["_abs"] / d["actual"].abs().where(d["_nz"], 1.0), np.nan)
    )
    keys = [*by, METHOD]
    per_series = (
        d.groupby([*keys, "series"], sort=False)
        .agg(mae=("_abs", "mean"), scale=("scale", "first"))
        .reset_index()
    )
    per_series["mase"] = per_series["mae"] / per_series["scale"].where(per_series["scale"] > 0)
    g = d.groupby(keys, sort=False)
    out = pd.DataFrame(
        {
            N_SERIES: g["series"].nunique(),
            WAPE: g["_abs"].sum() / g["actual"].apply(lambda s: s.abs().sum()),
            MAPE: g["_ape"].mean(),
            MAPE_SKIPPED: g["_nz"].apply(lambda s: int((~s).sum())),
            BIAS: g["_err"].sum() / g["actual"].sum(),
            MASE: per_series.groupby(keys, sort=False)["mase"].mean(),
            MASE_UNDEFINED: per_series["mase"]
            .isna()
            .groupby([per_series[k] for k in keys], sort=False)
            .sum(),
        }
    ).reset_index()
    return out[cols]


def add_fva(
    table: pd.DataFrame, base_method: str, metric: str = WAPE, by: Sequence[str] = ()
) -> pd.DataFrame:
    """`table` (from `accuracy_table`) plus column `fva`: FVA of each method's `metric`
    over `base_method`'s in the same `by` group (see `fva`)."""
    base = (
        table[table[METHOD] == base_method].set_index(list(by))[metric]
        if by
        else table.loc[table[METHOD] == base_method, metric]
    )
    out = table.copy()
    if by:
        ref = out.set_index(list(by)).index.map(base.to_dict())
    else:
        ref = np.full(len(out), base.iloc[0] if len(base) else np.nan)
    out[FVA] = [fva(b, e) for b, e in zip(np.asarray(ref, dtype=float), out[metric])]
    return out
