"""One series, start to end: classify, backtest the candidates, pick one, forecast.

`forecast_series(job, cfg)` is what a worker process runs per series. It works on
numpy arrays only (no pandas in the loop). Steps:

1. classify the history: `zero` (no demand), `no recent sales` (no row in the last 12
   months: forecast 0), `short` (under two years), `intermittent`
   (average demand interval > 1.32 months, Syntetos-Boylan) or `ok`;
2. promotions: the planned uplift u_t of past promotions is divided out of the history
   (y / (1 + lambda u_t)) and the planned uplift multiplied back onto the forecast;
   lambda (realised / planned uplift) is a ridge estimate shrunk towards 1, so a
   recurring event confounded with its month keeps the planned uplift. Prophet instead
   gets u_t as an extra regressor on the raw history;
3. rolling-origin backtest: origins `step` months apart, each forecasting `bt_h` months,
   every candidate refitted at every origin on the data before it (Holt-Winters
   smoothing parameters are estimated at the first origin and reused at the later
   ones, which only re-run the filter: a third of the cost, no look-ahead);
4. pick the candidate with the lowest total absolute error (squared error for
   intermittent series, where absolute error favours forecasting zero); the
   combination (`models.COMBO`) is kept unless another candidate beats it at every
   origin and by at least `margin` (30%) in total: on Tourism, PBS and aus_retail,
   picking the raw backtest winner loses to the combination, because a few short
   origins rank methods noisily (see bench/bench_forecast_accuracy.py);
5. refit the pick on the whole history; bands from the backtest errors (below).

Uncertainty: sigma_t = s x max(P50_t, floor) x max(1, sqrt(h / bt_h)), where s is the
root-mean-square of the chosen method's backtest errors relative to its forecasts
(floor = 10% of the mean history, so near-zero forecasts keep a band), and h the
months ahead. P10/P90 = P50 -/+ 1.2816 sigma (normal), P10 clipped at 0. Without a
backtest, s comes from the in-sample errors of the fitted model (or 0.5 when none);
s is at least 2%.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sop.demand import metrics, models

Z90 = 1.2815515655446004  # standard normal 90% quantile
MIN_TRAIN = {"ok": 18, "short": 6, "intermittent": 12}
SHORT_MONTHS = 24
STALE_MONTHS = 12  # no sales row in the last year: forecast 0, flagged
ADI_INTERMITTENT = 1.32
LARGE_BIAS = 0.2
DEFAULT_REL_SIGMA = 0.5
MIN_REL_SIGMA = 0.02  # a perfect backtest still leaves a +-2.6% band
SHORT_CANDIDATES = ("naive", "mean", "drift", "profile", "ses")
INTERMITTENT_CANDIDATES = ("sba", "croston", "tsb", "mean")


@dataclass(frozen=True)
class Config:
    """The per-series part of the settings."""

    candidates: tuple[str, ...]
    origins: int = 3
    bt_horizon: int = 6
    step: int = 6
    use_promotions: bool = True
    force: str | None = None  # use this method for every series, no backtest
    margin: float = 0.3  # leave the combination only for a clearly better method


@dataclass
class Job:
    """One series to forecast. `y` runs from its first month to the as-of month (NaN =
    missing); `promo` has len(y) + horizon values (uplift fraction) or is None;
    months from `stop` on (index into the horizon) are forced to zero (phase-out)."""

    key: tuple
    y: np.ndarray
    first_month: np.datetime64
    horizon: int
    promo: np.ndarray | None = None
    profile: np.ndarray | None = None
    stop: int | None = None


@dataclass
class Outcome:
    """The result for one series; `backtest` maps method -> (wape, mase, bias, mape)."""

    key: tuple
    method: str
    flag: str
    n_months: int
    p50: np.ndarray
    sigma: np.ndarray
    fitted: np.ndarray
    backtest: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


def classify(y: np.ndarray) -> str:
    """zero | short | intermittent | ok, from the observed (non-NaN) history."""
    obs = y[~np.isnan(y)]
    if not len(obs) or not np.any(obs > 0):
        return "zero"
    if len(obs) < SHORT_MONTHS:
        return "short"
    if len(obs) / np.sum(obs > 0) > ADI_INTERMITTENT:
        return "intermittent"
    return "ok"


def _fill(y: np.ndarray) -> np.ndarray:
    """Internal gaps filled by linear interpolation (y starts and ends observed)."""
    bad = np.isnan(y)
    if not bad.any():
        return y
    idx = np.arange(len(y))
    return np.where(bad, np.interp(idx, idx[~bad], y[~bad]), y)


def _centred_mean(y: np.ndarray, w: int) -> np.ndarray:
    """Mean of the non-missing values within +-w//2 months of each month (NaN if none)."""
    ok = ~np.isnan(y)
    c = np.r_[0.0, np.cumsum(np.where(ok, y, 0.0))]
    k = np.r_[0, np.cumsum(ok)]
    n = len(y)
    lo = np.clip(np.arange(n) - w // 2, 0, n)
    hi = np.clip(np.arange(n) + w // 2 + 1, 0, n)
    cnt = k[hi] - k[lo]
    return np.where(cnt > 0, (c[hi] - c[lo]) / np.maximum(cnt, 1), np.nan)


def promo_lift(y: np.ndarray, u: np.ndarray, ridge: float = 4.0) -> float:
    """lambda in y_t = base_t (1 + lambda u_t): realised uplift / planned uplift.

    base_t is the centred 12-month moving average times a seasonal index, both taken
    from the months without promotion; lambda is the ridge regression of
    y_t / base_t - 1 on u_t over promoted months, shrunk towards 1 with weight `ridge`
    (in units of sum u^2 of one 30% promotion).
    """
    on = (u > 0) & ~np.isnan(y)
    if not on.any():
        return 1.0
    off = ~on & ~np.isnan(y)
    n = len(y)
    base = np.full(n, np.nan)
    if off.sum() >= 6:
        yo = np.where(off, y, np.nan)
        base = _centred_mean(yo, min(12, max(3, int(off.sum()) // 2)))
        if n >= 2 * models.SEASON:
            ratio = yo / base
            cal = np.arange(n) % models.SEASON
            good = np.isfinite(ratio)
            num = np.bincount(cal[good], ratio[good], models.SEASON)
            cnt = np.bincount(cal[good], None, models.SEASON)
            idx = np.where(cnt > 0, num / np.maximum(cnt, 1), 1.0)
            base = base * idx[cal]
    ok = on & np.isfinite(base) & (base > 0)
    if not ok.any():
        return 1.0
    r, x = y[ok] / base[ok] - 1, u[ok]
    k = ridge * 0.09
    return float(np.clip((x @ r + k) / (x @ x + k), 0.0, 3.0))


def _candidates(kind: str, cfg: Config) -> tuple[str, ...]:
    if kind == "short":
        return SHORT_CANDIDATES
    if kind == "intermittent":
        return INTERMITTENT_CANDIDATES
    return cfg.candidates


def _predict(
    method: str,
    y: np.ndarray,
    y_raw: np.ndarray,
    h: int,
    job: Job,
    start: int,
    use_promo: bool,
    cache: dict,
    memo: dict | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Forecast h months after y (= history[:len(y)]); promo-cleaned unless Prophet."""
    n = len(y)
    promo = job.promo[start : start + n + h] if (use_promo and job.promo is not None) else None
    first = np.datetime64(job.first_month, "M") + start
    if method == models.COMBO:
        parts = [
            _predict(m, y, y_raw, h, job, start, use_promo, cache, memo) for m in models.COMBO_OF
        ]
        return np.mean([p[0] for p in parts], axis=0), np.mean([p[1] for p in parts], axis=0)
    ck = (method, n, h)
    if ck in cache:
        return cache[ck]
    if method.startswith("prophet"):
        ctx = models.Ctx(first, y_raw[:n], promo, job.profile, memo)
        out = models.METHODS[method](y, h, ctx)
    else:
        lift = np.ones(n + h)
        if promo is not None and np.any(promo[:n] > 0):
            if ("lift", n) not in cache:
                cache[("lift", n)] = promo_lift(y_raw[:n], promo[:n])
            lift = 1 + cache[("lift", n)] * promo
        elif promo is not None:
            lift = 1 + promo  # no past promotion to learn from: trust the plan
        ctx = models.Ctx(first, y_raw[:n], None, job.profile, memo)
        fc, fit = models.METHODS[method](y / lift[:n], h, ctx)
        out = fc * lift[n:], fit * lift[:n]
    cache[ck] = out
    return out


def _no_model(job: Job, y_all: np.ndarray, kind: str, obs_idx: np.ndarray) -> Outcome | None:
    """The outcome of a series that gets no model (phased out, no demand, no recent
    sales), or None when it is to be forecast."""
    h, n_months = job.horizon, len(obs_idx)
    if job.stop == 0:
        return Outcome(
            job.key,
            "none",
            "phased out",
            n_months,
            np.zeros(h),
            np.zeros(h),
            np.full(len(y_all), np.nan),
        )
    if kind == "zero" or n_months == 0:
        return Outcome(
            job.key,
            "zero",
            "zero",
            n_months,
            np.zeros(h),
            np.zeros(h),
            np.where(np.isnan(y_all), np.nan, 0.0),
        )
    if len(y_all) - 1 - obs_idx[-1] >= STALE_MONTHS:  # no rows for a year: not selling any more
        return Outcome(
            job.key,
            "none",
            "no recent sales",
            n_months,
            np.zeros(h),
            np.zeros(h),
            np.full(len(y_all), np.nan),
        )
    return None


def _backtest(
    job: Job,
    cfg: Config,
    kind: str,
    cands: tuple[str, ...],
    y: np.ndarray,
    y_raw: np.ndarray,
    start: int,
    use_promo: bool,
) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """method -> (actual, forecast) per rolling origin, each candidate refitted on the
    history before the origin."""
    n = len(y)
    min_train = MIN_TRAIN[kind]
    cuts = [n - cfg.bt_horizon - i * cfg.step for i in range(cfg.origins)]
    cuts = sorted(c for c in cuts if c >= min_train) if cands else []
    errors: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {m: [] for m in cands}
    memo: dict = {}  # smoothing parameters of the first origin
    for c in cuts:
        actual = y_raw[c : c + cfg.bt_horizon]
        fc_cache: dict = {}
        for m in cands:
            fc, _ = _predict(m, y[:c], y_raw, cfg.bt_horizon, job, start, use_promo, fc_cache, memo)
            errors[m].append((actual, np.maximum(fc, 0)))
    return errors


def _scores(
    errors: dict[str, list[tuple[np.ndarray, np.ndarray]]], kind: str, scale: float
) -> tuple[dict[str, tuple[float, float, float, float]], dict[str, float], dict[str, np.ndarray]]:
    """(backtest metrics (wape, mase, bias, mape), total error the pick minimises,
    absolute error per origin), per method with a backtest."""
    backtest: dict[str, tuple[float, float, float, float]] = {}
    score: dict[str, float] = {}
    per_origin: dict[str, np.ndarray] = {}
    for m, pairs in errors.items():
        if not pairs:
            continue
        per_origin[m] = np.array([np.nansum(np.abs(f - a)) for a, f in pairs])
        a = np.concatenate([p[0] for p in pairs])
        f = np.concatenate([p[1] for p in pairs])
        ok = ~np.isnan(a)
        e = f[ok] - a[ok]
        mase = float(np.mean(np.abs(e)) / scale) if scale > 0 and len(e) else float("nan")
        backtest[m] = (metrics.wape(a, f), mase, metrics.bias(a, f), metrics.mape(a, f))
        score[m] = float(np.sum(e * e) if kind == "intermittent" else np.sum(np.abs(e)))
    return backtest, score, per_origin


def _pick(
    job: Job,
    cfg: Config,
    kind: str,
    n: int,
    cands: tuple[str, ...],
    score: dict[str, float],
    per_origin: dict[str, np.ndarray],
) -> str:
    """The method to forecast with: forced, the backtest's pick (the combination unless
    clearly beaten), or a default by kind when there was no backtest."""
    if cfg.force is not None:
        return cfg.force
    if score:
        method = min(cands, key=lambda m: score.get(m, np.inf))
        combo = models.COMBO
        if (
            combo in score
            and method != combo
            and (
                score[method] > (1 - cfg.margin) * score[combo]
                or np.any(per_origin[method] >= per_origin[combo])
            )
        ):
            method = combo
        return method
    return {
        "short": "profile" if job.profile is not None and n >= 3 else "naive",
        "intermittent": "sba",
    }.get(kind, "seasonal naive")


def _sigma(
    p50: np.ndarray,
    pairs: list[tuple[np.ndarray, np.ndarray]] | None,
    fitted: np.ndarray,
    y: np.ndarray,
    y_raw: np.ndarray,
    lag: int,
    bt_horizon: int,
) -> np.ndarray:
    """The band's sigma per month ahead, from the chosen method's backtest `pairs`
    (or, without them, its in-sample errors); see the module docstring."""
    floor = 0.1 * float(np.mean(np.abs(y))) + 1e-9
    if pairs is not None:
        a = np.concatenate([p[0] for p in pairs])
        f = np.concatenate([p[1] for p in pairs])
        ok = ~np.isnan(a)
        rel = (a[ok] - f[ok]) / np.maximum(f[ok], floor)
    else:
        ok = ~np.isnan(fitted) & ~np.isnan(y_raw)
        rel = (y_raw[ok] - fitted[ok]) / np.maximum(np.abs(fitted[ok]), floor)
    s = max(float(np.sqrt(np.mean(rel**2))) if len(rel) else DEFAULT_REL_SIGMA, MIN_REL_SIGMA)
    steps = np.arange(1, len(p50) + 1) + lag
    return s * np.maximum(p50, floor) * np.maximum(1.0, np.sqrt(steps / bt_horizon))


def forecast_series(job: Job, cfg: Config) -> Outcome:
    """Classify, backtest, select and forecast one series (see the module docstring)."""
    h = job.horizon
    y_all = np.asarray(job.y, dtype=float)
    obs_idx = np.flatnonzero(~np.isnan(y_all))
    n_months = len(obs_idx)
    kind = classify(y_all)
    skipped = _no_model(job, y_all, kind, obs_idx)
    if skipped is not None:
        return skipped
    first, last = obs_idx[0], obs_idx[-1]
    lag = len(y_all) - 1 - last  # months between last actual and as-of
    y_raw = y_all[first : last + 1]
    y = _fill(y_raw)
    start = first
    use_promo = cfg.use_promotions and job.promo is not None
    cands = _candidates(kind, cfg) if cfg.force is None else ()
    errors = _backtest(job, cfg, kind, cands, y, y_raw, start, use_promo)
    backtest, score, per_origin = _scores(errors, kind, metrics.mase_scale(y_raw))
    method = _pick(job, cfg, kind, len(y), cands, score, per_origin)
    fc, fitted = _predict(method, y, y_raw, h + lag, job, start, use_promo, {})
    p50 = np.maximum(fc[lag:], 0)
    pairs = errors[method] if method in score else None
    sigma = _sigma(p50, pairs, fitted, y, y_raw, lag, cfg.bt_horizon)
    if job.stop is not None:
        p50[job.stop :] = 0.0
        sigma[job.stop :] = 0.0
    flag = kind
    if kind == "ok" and method in backtest and abs(backtest[method][2]) > LARGE_BIAS:
        flag = "large bias"
    fitted_full = np.full(len(y_all), np.nan)
    fitted_full[first : last + 1] = np.maximum(fitted, 0)
    return Outcome(job.key, method, flag, n_months, p50, sigma, fitted_full, backtest)
