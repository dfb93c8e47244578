"""Prophet's model, fitted in-process with numpy and scipy (no CmdStan process).

This is the model of `prophet.Prophet` (v1.5, the Stan program `prophet.stan`) with a
linear trend, for monthly data:

    y/s = (k + A delta) t + (m - A (t_c * delta))           (piecewise linear trend)
          * (1 + X_m beta) + X_a beta                       (multiplicative / additive)
          + noise ~ N(0, sigma)

with Prophet's priors k, m ~ N(0, 5), delta ~ Laplace(0, changepoint_prior_scale),
sigma ~ N+(0, 0.5), beta ~ N(0, prior_scale), and Prophet's own preprocessing: y scaled
by max|y| ("absmax"), t scaled to [0, 1] over the history, changepoints evenly over the
first 80% of the history (at most 25), yearly Fourier terms of period 365.25 days on the
calendar days of each month start (dropped when the history spans under 730 days, as
Prophet's "auto"), extra regressors standardised unless binary, missing y dropped.

The point estimate is the MAP, as `Prophet.fit` computes by default, found to solver
precision by `sop.demand.prophet_map` (majorise-minimise, then orthant-wise Newton).
Why in-process: CmdStan's process start and file I/O take 30-100 ms per fit, 10-30x
the fit itself, and the engine fits Prophet at every backtest origin. On real series
this MAP's posterior density is never below the `prophet` package's (whose L-BFGS often
stops short of the optimum on long series); `tests/unit/test_prophet_parity.py` and
`bench/bench_prophet_parity.py` compare the two.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from sop.demand.prophet_map import map_fit, neg_log_posterior

YEAR_DAYS = 365.25
AUTO_YEARLY_DAYS = 730  # Prophet's yearly_seasonality='auto' needs this span


@dataclass(frozen=True)
class ProphetSpec:
    """The Prophet options the engine varies (the rest are Prophet's defaults)."""

    mode: str = "additive"  # seasonality_mode
    changepoint_prior_scale: float = 0.05
    seasonality_prior_scale: float = 10.0
    yearly_order: int = 10  # yearly_seasonality Fourier order
    regressor_prior_scale: float = 10.0
    n_changepoints: int = 25
    changepoint_range: float = 0.8
    growth: str = "linear"  # or "flat" (Prophet's growth="flat")


def month_days(first_month: np.datetime64, n: int) -> np.ndarray:
    """Days since 1970-01-01 of `n` consecutive month starts from `first_month`."""
    m = np.datetime64(first_month, "M") + np.arange(n)
    return m.astype("datetime64[D]").astype(float)


def _fourier(days: np.ndarray, order: int) -> np.ndarray:
    out = np.empty((len(days), 2 * order))
    x = 2 * np.pi * days
    for i in range(order):
        c = (i + 1) / YEAR_DAYS * x
        out[:, 2 * i], out[:, 2 * i + 1] = np.sin(c), np.cos(c)
    return out


@dataclass
class ProphetFit:
    """A fitted model: everything needed to predict at any month."""

    spec: ProphetSpec
    start: float
    t_scale: float
    y_scale: float
    t_change: np.ndarray
    k: float
    m: float
    delta: np.ndarray
    beta: np.ndarray
    sigma: float
    seasonal: bool
    reg_mu: float
    reg_sd: float
    has_reg: bool
    objective: float = float("nan")  # -lp__ at the fit (cmdstan's optimize convention)

    def _design(self, days: np.ndarray, reg: np.ndarray | None) -> np.ndarray:
        cols = []
        if self.seasonal:
            cols.append(_fourier(days, self.spec.yearly_order))
        if self.has_reg:
            r = np.zeros(len(days)) if reg is None else np.asarray(reg, float)
            cols.append(((r - self.reg_mu) / self.reg_sd)[:, None])
        return np.hstack(cols) if cols else np.zeros((len(days), 0))

    def predict(self, days: np.ndarray, reg: np.ndarray | None = None) -> np.ndarray:
        """yhat (in y units) at the given days; `reg` the regressor on those days."""
        t = (days - self.start) / self.t_scale
        trend = (
            self.k * t + self.m + np.maximum(t[:, None] - self.t_change[None, :], 0) @ self.delta
        )
        x = self._design(days, reg)
        if self.spec.mode == "multiplicative":
            mu = trend * (1 + x @ self.beta)
        else:
            mu = trend + x @ self.beta
        return mu * self.y_scale


def fit(
    days: np.ndarray,
    y: np.ndarray,
    spec: ProphetSpec = ProphetSpec(),
    reg: np.ndarray | None = None,
) -> ProphetFit:
    """MAP fit of Prophet's model to (days, y); NaN y are dropped as Prophet does.

    Needs at least two non-missing values.
    """
    ok = ~np.isnan(y)
    days, y = days[ok], np.asarray(y, float)[ok]
    reg_h = None if reg is None else np.asarray(reg, float)[ok]
    if len(y) < 2:
        raise ValueError("Prophet needs at least two months of history")
    start, t_scale = days[0], days[-1] - days[0]
    t = (days - start) / t_scale
    y_scale = float(np.abs(y).max()) or 1.0
    ys = y / y_scale
    n = len(y)
    hist = int(np.floor(n * spec.changepoint_range))
    n_cp = min(spec.n_changepoints, hist - 1) if spec.growth == "linear" else 0
    if n_cp > 0:
        idx = np.linspace(0, hist - 1, n_cp + 1).round().astype(int)[1:]
        t_change = t[idx]
    else:  # Prophet's dummy changepoint at t = 0 for a linear trend without changepoints
        t_change = np.zeros(int(spec.growth == "linear"))
    seasonal = days[-1] - days[0] >= AUTO_YEARLY_DAYS and spec.yearly_order > 0
    has_reg = reg_h is not None and np.unique(reg_h).size >= 2
    mu_r, sd_r = 0.0, 1.0
    if has_reg and set(np.unique(reg_h)) != {0.0, 1.0}:
        mu_r, sd_r = float(reg_h.mean()), float(reg_h.std(ddof=1)) or 1.0
    shell = ProphetFit(
        spec,
        start,
        t_scale,
        y_scale,
        t_change,
        0.0,
        0.0,
        np.zeros(len(t_change)),
        np.zeros(0),
        1.0,
        seasonal,
        mu_r,
        sd_r,
        has_reg,
    )
    x = shell._design(days, reg_h)
    sig = np.r_[
        np.full(x.shape[1] - has_reg, spec.seasonality_prior_scale),
        np.full(int(has_reg), spec.regressor_prior_scale),
    ]
    mult = spec.mode == "multiplicative"
    B = np.maximum(t[:, None] - t_change[None, :], 0)
    S, K = len(t_change), x.shape[1]
    tau = spec.changepoint_prior_scale

    if ys.max() == ys.min():  # Prophet skips the fit for a flat series
        shell.k, shell.m, shell.beta, shell.sigma = 0.0, float(ys[0]), np.zeros(K), 1e-9
        return shell
    slope = t if spec.growth == "linear" else np.zeros(n)
    Z = np.column_stack([slope, np.ones(n), B])
    th = map_fit(ys, Z, x, sig, tau, mult)
    shell.objective = neg_log_posterior(ys, Z, x, sig, tau, mult, th)
    shell.k, shell.m = float(th[0]), float(th[1])
    shell.delta, shell.beta, shell.sigma = th[2 : 2 + S], th[2 + S : 2 + S + K], float(th[-1])
    if n_cp == 0 and S:  # as Prophet: fold the dummy changepoint's slope into k
        shell.k, shell.delta = shell.k + float(shell.delta[0]), np.zeros(S)
    return shell


def quiet_prophet_package() -> None:
    """Silence the INFO lines of the `prophet` package's CmdStan fits (benchmarks and
    the test that compares with it use the package; the engine does not).

    cmdstanpy sets its logger to DEBUG with an INFO handler the first time it logs,
    undoing an earlier setLevel, so claim the logger through cmdstanpy first."""
    # lazy: cmdstanpy is only needed where the `prophet` package itself runs (bench, one
    # parity test); importing it would add its start-up to every app and CLI start
    from cmdstanpy.utils import get_logger

    log = get_logger()
    log.setLevel(logging.WARNING)
    for handler in log.handlers:
        handler.setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)


def package_model(spec: ProphetSpec, seasonal: bool):  # -> prophet.Prophet
    """The `prophet` package's model with the same specification as `fit(..., spec)` on a
    history where `fit` found yearly seasonality on (`ProphetFit.seasonal`): MAP fit,
    no uncertainty samples. For the benchmark and the test that compare the two."""
    from prophet import Prophet  # lazy, as in quiet_prophet_package

    return Prophet(
        growth=spec.growth,
        n_changepoints=spec.n_changepoints,
        changepoint_range=spec.changepoint_range,
        changepoint_prior_scale=spec.changepoint_prior_scale,
        seasonality_mode=spec.mode,
        seasonality_prior_scale=spec.seasonality_prior_scale,
        yearly_seasonality=spec.yearly_order if seasonal else False,
        weekly_seasonality=False,
        daily_seasonality=False,
        uncertainty_samples=0,
    )
