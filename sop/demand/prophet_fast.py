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
calendar days of each month start (dropped when the history spans under two years, as
Prophet's "auto"), extra regressors standardised unless binary, missing y dropped.

The point estimate is the MAP, as `Prophet.fit` computes by default; here it is found
by majorise-minimise iterations (`_map`), each a small least-squares solve. Why:
CmdStan's process start and file I/O take ~0.12 s per fit, 50-100x the fit itself,
and the engine fits Prophet at every backtest origin.
`tests/test_engine.py` checks the fit against the `prophet` package on a series.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy.linalg.lapack import dposv

YEAR_DAYS = 365.25


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
    else:
        t_change = np.zeros(0)
    seasonal = days[-1] - days[0] >= 2 * YEAR_DAYS and spec.yearly_order > 0
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
    th = _map(ys, np.column_stack([slope, np.ones(n), B]), x, sig, tau, mult)
    shell.k, shell.m = float(th[0]), float(th[1])
    shell.delta, shell.beta, shell.sigma = th[2 : 2 + S], th[2 + S : 2 + S + K], float(th[-1])
    return shell


def _sigma(rss: float, n: int) -> float:
    """argmin_s n log s + rss / (2 s^2) + s^2 / (2 * 0.5^2): 4 s^4 + n s^2 - rss = 0."""
    return float(np.sqrt(max((-n + np.sqrt(n * n + 16 * rss)) / 8, 1e-18)))


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve the symmetric positive definite system a x = b (Cholesky, LAPACK)."""
    _, x, info = dposv(a, b)
    return x if info == 0 else np.linalg.lstsq(a, b, rcond=None)[0]


def _map(
    ys: np.ndarray,
    Z: np.ndarray,
    x: np.ndarray,
    sig: np.ndarray,
    tau: float,
    mult: bool,
    tol: float = 1e-5,
    max_iter: int = 500,
) -> np.ndarray:
    """MAP by majorise-minimise: |d| <= d^2 / (2w) + w/2 with w = |d_old| turns the
    Laplace prior into a ridge, so each step is a weighted least-squares solve (trend
    and seasonality jointly when additive, alternately when multiplicative), then the
    noise scale in closed form. Each step lowers the objective; stops on a relative
    change below `tol`.
    """
    n, p = Z.shape
    S, K = p - 2, x.shape[1]
    prior_t = np.r_[1 / 25, 1 / 25, np.zeros(S)]
    prior_b = 1 / sig**2
    w = np.full(S, 1.0)  # start from a ridge (no coefficient at 0)
    beta = np.zeros(K)
    s = 0.5
    theta_t = np.zeros(p)
    prev = np.inf
    eps = 1e-10
    if not mult:
        zx = np.hstack([Z, x])
        gram, rhs, yy = zx.T @ zx, zx.T @ ys, float(ys @ ys)
    for _ in range(max_iter):
        pen = prior_t.copy()
        pen[2:] = 1 / (tau * np.maximum(w, eps))
        if mult:
            g = 1 + x @ beta
            zg = Z * g[:, None]
            theta_t = _solve(zg.T @ zg + s * s * np.diag(pen), zg.T @ ys)
            tr = Z @ theta_t
            d = x * tr[:, None]
            beta = _solve(d.T @ d + s * s * np.diag(prior_b), d.T @ (ys - tr)) if K else beta
            mu = tr * (1 + x @ beta)
        else:
            sol = _solve(gram + s * s * np.diag(np.r_[pen, prior_b]), rhs)
            theta_t, beta = sol[:p], sol[p:]
            rss = max(yy - 2 * sol @ rhs + sol @ gram @ sol, 0.0)
        if mult:
            r = ys - mu
            rss = float(r @ r)
        s = _sigma(rss, n)
        w = np.abs(theta_t[2:])
        th = np.r_[theta_t, beta, s]
        cur = (
            n * np.log(s)
            + rss / (2 * s * s)
            + s * s / 0.5
            + (th[0] ** 2 + th[1] ** 2) / 50
            + np.abs(theta_t[2:]).sum() / tau
            + np.sum(beta**2 * prior_b) / 2
        )
        if abs(prev - cur) <= tol * (1 + abs(cur)):
            break
        prev = cur
    return th


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
