"""One series, start to end: classify, cross-validate the candidates, pick, forecast.

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
3. rolling-origin cross-validation inside the history the engine is given (in a
   hold-out test, the part before the hold-out): `origins` origins `step` months
   apart, the last one `bt_horizon` months before the end, each forecasting
   `bt_horizon` months; every candidate is fitted at the first (earliest) origin and
   applied to the longer history at the later ones (statsforecast's `forward`, the
   same parameters re-filtered: no look-ahead, a fraction of the cost); a series too
   short for that gets one origin at `MIN_TRAIN` months, scored on what is left;
4. select (the rule, fixed before any validation-set figure was seen; see
   docs/forecast-engine.md): each candidate's CV error is its mean absolute error
   (mean squared error for intermittent series, where absolute error favours
   forecasting zero); the `top_k` candidates with the lowest error form the ensemble
   (`models.ENSEMBLE`, the mean of their forecasts, whose CV error comes from the same
   origins); the ensemble is the pick unless the best single candidate's CV error is
   below (1 - `margin`) x the ensemble's;
5. refit the pick (every ensemble member) on the whole history and forecast;
6. band: split-conformal from the pick's CV errors, with an allowance for the selection
   (`sop.demand.bands`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sop.demand import bands, metrics, models

MIN_TRAIN = {"ok": 18, "short": 6, "intermittent": 12}
MIN_SCORED = 3  # months a short series' single origin must leave to score
SHORT_MONTHS = 24
STALE_MONTHS = 12  # no sales row in the last year: forecast 0, flagged
ADI_INTERMITTENT = 1.32
LARGE_BIAS = 0.2
SHORT_CANDIDATES = ("naive", "mean", "drift", "profile", "ses")
INTERMITTENT_CANDIDATES = ("croston", "adida", "imapa", "tsb", "mean")


@dataclass(frozen=True)
class Config:
    """The per-series part of the settings (see the module docstring for each)."""

    candidates: tuple[str, ...]
    origins: int = 3
    bt_horizon: int = 12
    step: int = 6
    use_promotions: bool = True
    force: str | None = None  # use this method for every series, no cross-validation
    margin: float = 1.0  # a single candidate replaces the ensemble only when this much better
    top_k: int = 4  # members of the ensemble (1: no ensemble, the best single candidate)


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
    """The result for one series; `backtest` maps method -> (wape, mase, bias, mape) of
    its cross-validation (the ensemble included when there was one)."""

    key: tuple
    method: str
    flag: str
    n_months: int
    p50: np.ndarray
    sigma: np.ndarray
    fitted: np.ndarray
    backtest: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    members: tuple[str, ...] = ()  # the ensemble's members when method is the ensemble


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


def _cuts(n: int, kind: str, cfg: Config) -> list[tuple[int, int]]:
    """(origin, months scored) of the cross-validation, earliest first (module step 3)."""
    min_train = MIN_TRAIN[kind]
    cuts = [n - cfg.bt_horizon - i * cfg.step for i in range(cfg.origins)]
    out = sorted((c, cfg.bt_horizon) for c in cuts if c >= min_train)
    if not out and cfg.origins > 0 and n - min_train >= MIN_SCORED:
        out = [(min_train, n - min_train)]
    return out


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
    """method -> (actual, forecast) per rolling origin, each candidate fitted on the
    history before the first origin and applied at the later ones."""
    cuts = _cuts(len(y), kind, cfg) if cands else []
    errors: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {m: [] for m in cands}
    memo: dict = {}  # models fitted at the first origin
    for c, width in cuts:
        actual = y_raw[c : c + width]
        fc_cache: dict = {}
        for m in cands:
            fc, _ = _predict(m, y[:c], y_raw, width, job, start, use_promo, fc_cache, memo)
            errors[m].append((actual, np.maximum(fc, 0)))
    return errors


def _scores(
    errors: dict[str, list[tuple[np.ndarray, np.ndarray]]], kind: str, scale: float
) -> tuple[dict[str, tuple[float, float, float, float]], dict[str, float]]:
    """(CV metrics (wape, mase, bias, mape), the CV error the pick minimises: mean
    absolute error, mean squared for intermittent series), per method with a CV."""
    backtest: dict[str, tuple[float, float, float, float]] = {}
    score: dict[str, float] = {}
    for m, pairs in errors.items():
        if not pairs:
            continue
        a = np.concatenate([p[0] for p in pairs])
        f = np.concatenate([p[1] for p in pairs])
        ok = ~np.isnan(a)
        e = f[ok] - a[ok]
        if not len(e):
            continue
        mase = float(np.mean(np.abs(e)) / scale) if scale > 0 else float("nan")
        backtest[m] = (metrics.wape(a, f), mase, metrics.bias(a, f), metrics.mape(a, f))
        score[m] = float(np.mean(e * e) if kind == "intermittent" else np.mean(np.abs(e)))
    return backtest, score


def ensemble_pairs(
    errors: dict[str, list[tuple[np.ndarray, np.ndarray]]], members: tuple[str, ...]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ensemble's (actual, forecast) per origin: the mean of its members' forecasts."""
    out = []
    for o, (actual, _) in enumerate(errors[members[0]]):
        out.append((actual, np.mean([errors[m][o][1] for m in members], axis=0)))
    return out


def choose(score: dict[str, float], ens_score: float | None, margin: float) -> str | None:
    """The selection rule (module step 4): the ensemble unless the best single
    candidate's CV error is below (1 - margin) x the ensemble's; None without scores."""
    if not score:
        return None
    best = min(score, key=lambda m: score[m])
    if ens_score is None or score[best] < (1 - margin) * ens_score:
        return best
    return models.ENSEMBLE


def _pick(
    job: Job,
    cfg: Config,
    kind: str,
    n: int,
    errors: dict[str, list[tuple[np.ndarray, np.ndarray]]],
    backtest: dict[str, tuple[float, float, float, float]],
    score: dict[str, float],
    scale: float,
) -> tuple[str, tuple[str, ...]]:
    """(method, ensemble members): forced, chosen by cross-validation, or a default by
    kind when there was none. Adds the ensemble's CV metrics to `backtest`."""
    if cfg.force is not None:
        if cfg.force == models.ENSEMBLE:
            raise ValueError("the ensemble is chosen per series; it cannot be forced")
        return cfg.force, ()
    ranked = sorted(score, key=lambda m: score[m])
    members = tuple(ranked[: cfg.top_k]) if len(ranked) > 1 and cfg.top_k > 1 else ()
    ens_score = None
    if members:
        pairs = ensemble_pairs(errors, members)
        errors[models.ENSEMBLE] = pairs
        ens_bt, ens = _scores({models.ENSEMBLE: pairs}, kind, scale)
        backtest.update(ens_bt)
        ens_score = ens.get(models.ENSEMBLE)
    method = choose(score, ens_score, cfg.margin)
    if method is not None:
        return method, members if method == models.ENSEMBLE else ()
    default = {
        "short": "profile" if job.profile is not None and n >= 3 else "naive",
        "intermittent": "croston",
    }.get(kind, "seasonal naive")
    return default, ()


def forecast_series(job: Job, cfg: Config) -> Outcome:
    """Classify, cross-validate, select and forecast one series (see the module docstring)."""
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
    scale = metrics.mase_scale(y_raw)
    backtest, score = _scores(errors, kind, scale)
    method, members = _pick(job, cfg, kind, len(y), errors, backtest, score, scale)
    parts = [
        _predict(m, y, y_raw, h + lag, job, start, use_promo, {}) for m in (members or (method,))
    ]
    fc = np.mean([np.maximum(p[0], 0) for p in parts], axis=0)
    fitted = np.mean([p[1] for p in parts], axis=0)
    p50 = np.maximum(fc[lag:], 0)
    pairs = errors.get(method) if method in backtest else None
    sigma = bands.sigma(p50, pairs, y_raw - fitted, float(np.mean(np.abs(y))), lag)
    if job.stop is not None:
        p50[job.stop :] = 0.0
        sigma[job.stop :] = 0.0
    flag = kind
    if kind == "ok" and method in backtest and abs(backtest[method][2]) > LARGE_BIAS:
        flag = "large bias"
    fitted_full = np.full(len(y_all), np.nan)
    fitted_full[first : last + 1] = np.maximum(fitted, 0)
    return Outcome(
        job.key, method, flag, n_months, p50, sigma, fitted_full, backtest, tuple(members)
    )
