"""The MAP optimiser behind `sop.demand.prophet_fast`: the point of Prophet's posterior
with the highest density, to solver precision.

It minimises the Stan program's -lp__ as cmdstan's `optimize` defines it (no Jacobian,
constants dropped), on Prophet's scaled data:

    F = n log s + |ys - mu|^2 / (2 s^2) + 2 s^2 + (k^2 + m^2) / 50
        + sum |delta| / tau + sum beta^2 / (2 sig^2)

    mu = tr * (1 + x beta) (multiplicative) or tr + x beta (additive),  tr = Z theta,
    theta = (k, m, delta), Z = (t or 0, 1, changepoint ramps).

Two stages. Majorise-minimise (`_mm`) finds the region and roughly which changepoints
are used: |d| <= d^2 / (2w) + w/2 with w = |d_old| turns the Laplace prior into a
ridge, so each step is a least-squares solve, and the objective never rises; but
coefficients heading to zero only shrink geometrically, so it stalls short of the
optimum (0.7 nats and 8 % of the forecast on some real series). Then an orthant-wise
Newton method (`_polish`) finishes: on the orthant of the current signs the objective is
smooth, the noise scale s is profiled out in closed form, each step is an exact Newton
step on the rest (the curvature through s included), clipped where a changepoint
coefficient would cross zero; it stops when the first-order conditions hold, including
|dF/d delta_j| <= 1 / tau for every changepoint left at zero.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve
from scipy.linalg.lapack import dposv

TREND_PRIOR = 1 / 25  # k, m ~ N(0, 5)
SIGMA_PRIOR = 0.5  # sigma_obs ~ N+(0, 0.5)


def sigma_hat(rss: float, n: int) -> float:
    """argmin_s n log s + rss / (2 s^2) + s^2 / (2 * 0.5^2): 4 s^4 + n s^2 - rss = 0."""
    return float(np.sqrt(max((-n + np.sqrt(n * n + 16 * rss)) / 8, 1e-18)))


def neg_log_posterior(
    ys: np.ndarray,
    Z: np.ndarray,
    x: np.ndarray,
    sig: np.ndarray,
    tau: float,
    mult: bool,
    th: np.ndarray,
) -> float:
    """F at th = (theta, beta, s): Prophet's -lp__ as cmdstan reports it."""
    p, K = Z.shape[1], x.shape[1]
    theta, beta, s = th[:p], th[p : p + K], float(th[-1])
    tr = Z @ theta
    mu = tr * (1 + x @ beta) if mult else tr + x @ beta
    r = ys - mu
    return float(
        len(ys) * np.log(s)
        + r @ r / (2 * s * s)
        + s * s / (2 * SIGMA_PRIOR**2)
        + TREND_PRIOR * (theta[0] ** 2 + theta[1] ** 2) / 2
        + np.abs(theta[2:]).sum() / tau
        + np.sum(beta**2 / sig**2) / 2
    )


def map_fit(
    ys: np.ndarray, Z: np.ndarray, x: np.ndarray, sig: np.ndarray, tau: float, mult: bool
) -> np.ndarray:
    """The MAP (theta, beta, s) of Prophet's model; see the module docstring."""
    th = _mm(ys, Z, x, sig, tau, mult)
    return _polish(ys, Z, x, sig, tau, mult, th)


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve the symmetric positive definite system a x = b (Cholesky, LAPACK)."""
    _, x, info = dposv(a, b)
    return x if info == 0 else np.linalg.lstsq(a, b, rcond=None)[0]


def _mm(
    ys: np.ndarray,
    Z: np.ndarray,
    x: np.ndarray,
    sig: np.ndarray,
    tau: float,
    mult: bool,
    tol: float = 1e-6,
    max_iter: int = 300,
) -> np.ndarray:
    """Majorise-minimise from a ridge start (every changepoint weight 1): trend and
    seasonality jointly when additive, alternately when multiplicative, then the noise
    scale in closed form; stops on a relative change of F below `tol`."""
    n, p = Z.shape
    S, K = p - 2, x.shape[1]
    prior_t = np.r_[TREND_PRIOR, TREND_PRIOR, np.zeros(S)]
    prior_b = 1 / sig**2
    w = np.full(S, 1.0)
    beta = np.zeros(K)
    s = SIGMA_PRIOR
    th = np.zeros(p + K + 1)
    prev = np.inf
    if not mult:
        zx = np.hstack([Z, x])
        gram, rhs, yy = zx.T @ zx, zx.T @ ys, float(ys @ ys)
    for _ in range(max_iter):
        pen = prior_t.copy()
        pen[2:] = 1 / (tau * np.maximum(w, 1e-10))
        if mult:
            zg = Z * (1 + x @ beta)[:, None]
            theta = _solve(zg.T @ zg + s * s * np.diag(pen), zg.T @ ys)
            tr = Z @ theta
            d = x * tr[:, None]
            beta = _solve(d.T @ d + s * s * np.diag(prior_b), d.T @ (ys - tr)) if K else beta
            r = ys - tr * (1 + x @ beta)
            rss = float(r @ r)
        else:
            sol = _solve(gram + s * s * np.diag(np.r_[pen, prior_b]), rhs)
            theta, beta = sol[:p], sol[p:]
            rss = max(yy - 2 * sol @ rhs + sol @ gram @ sol, 0.0)
        s = sigma_hat(rss, n)
        w = np.abs(theta[2:])
        th = np.r_[theta, beta, s]
        cur = neg_log_posterior(ys, Z, x, sig, tau, mult, th)
        if abs(prev - cur) <= tol * (1 + abs(cur)):
            break
        prev = cur
    return th


def _polish(
    ys: np.ndarray,
    Z: np.ndarray,
    x: np.ndarray,
    sig: np.ndarray,
    tau: float,
    mult: bool,
    th: np.ndarray,
    max_iter: int = 200,
    gtol: float = 1e-9,
) -> np.ndarray:
    """Orthant-wise Newton on u = (theta, beta) with s = sigma_hat(rss(u)) profiled out.

    Returns th improved (never worse: every accepted step lowers F)."""
    n, p = Z.shape
    K = x.shape[1]
    ridge = np.r_[TREND_PRIOR, TREND_PRIOR, np.zeros(p - 2), 1 / sig**2]
    is_d = np.r_[False, False, np.ones(p - 2, bool), np.zeros(K, bool)]
    u = th[:-1].copy()
    u[is_d & (np.abs(u) < 1e-9)] = 0.0

    def evaluate(u: np.ndarray) -> tuple[float, float]:
        s = sigma_hat(_rss(u), n)
        return neg_log_posterior(ys, Z, x, sig, tau, mult, np.r_[u, s]), s

    def _rss(u: np.ndarray) -> float:
        tr = Z @ u[:p]
        mu = tr * (1 + x @ u[p:]) if mult else tr + x @ u[p:]
        r = ys - mu
        return float(r @ r)

    f, s = evaluate(u)
    for _ in range(max_iter):
        theta, beta = u[:p], u[p:]
        tr, g_s = Z @ theta, x @ beta
        if mult:
            J = np.hstack([Z * (1 + g_s)[:, None], x * tr[:, None]])
            r = ys - tr * (1 + g_s)
        else:
            J = np.hstack([Z, x])
            r = ys - tr - g_s
        rss = float(r @ r)
        jr = J.T @ r
        grad = -jr / (s * s) + ridge * u
        # pseudo-gradient of the L1 part: the orthant each changepoint is in or enters
        sign = np.where(is_d, np.sign(u), 0.0)
        at0 = is_d & (u == 0)
        enter = at0 & (np.abs(grad) > 1 / tau)
        sign[enter] = -np.sign(grad[enter])
        free = ~at0 | enter
        pg = np.where(free, grad + sign / tau, 0.0)
        # the s-equation: dF/ds = n/s - rss/s^3 + 4s = 0 holds, so the profile's curvature is
        # H_uu - h h' / F_ss with h = dF/du ds = 2 J'r / s^3 (envelope theorem)
        if np.max(np.abs(pg)) < gtol * (1 + n):
            break
        h_uu = J.T @ J / (s * s) + np.diag(ridge)
        if mult:
            cross = Z.T @ (x * r[:, None]) / (s * s)
            h_uu[:p, p:] -= cross
            h_uu[p:, :p] -= cross.T
        f_ss = -n / s**2 + 3 * rss / s**4 + 4
        h_us = 2 * jr / s**3
        # a changepoint entering its orthant against the Newton direction stays at zero
        while True:
            step = _newton_step(h_uu, h_us, f_ss, pg, free, J, s, ridge)
            wrong = enter & (step * sign <= 0)
            if not wrong.any():
                break
            free &= ~wrong
            enter &= ~wrong
            pg[wrong] = 0.0
        # stop at the first changepoint coefficient that reaches zero, and leave it there
        moving = is_d & (u * step < 0)
        hit = np.full(len(u), np.inf)
        hit[moving] = -u[moving] / step[moving]
        alpha = min(1.0, float(hit.min()))
        accepted = False
        for _ in range(40):
            trial = u + alpha * step
            trial[hit <= alpha] = 0.0
            f_new, s_new = evaluate(trial)
            if f_new <= f + 1e-4 * float(pg @ (trial - u)):
                accepted = True
                break
            alpha /= 2
        if not accepted:
            break
        done = abs(f - f_new) <= 1e-15 * (1 + abs(f))
        u, f, s = trial, f_new, s_new
        if done:
            break
    out = np.r_[u, s]
    return out if f <= neg_log_posterior(ys, Z, x, sig, tau, mult, th) else th


def _newton_step(
    h_uu: np.ndarray,
    h_us: np.ndarray,
    f_ss: float,
    pg: np.ndarray,
    free: np.ndarray,
    J: np.ndarray,
    s: float,
    ridge: np.ndarray,
) -> np.ndarray:
    """Newton direction on the free coordinates: the profile Hessian when it is positive
    definite, else the Gauss-Newton one (always positive definite: priors)."""
    step = np.zeros(len(pg))
    g = pg[free]
    idx = np.flatnonzero(free)
    for hess in (
        lambda: (
            h_uu[np.ix_(idx, idx)] - np.outer(h_us[idx], h_us[idx]) / f_ss if f_ss > 0 else None
        ),
        lambda: (J[:, idx].T @ J[:, idx]) / (s * s) + np.diag(ridge[idx]),
    ):
        a = hess()
        if a is None:
            continue
        try:
            step[idx] = -cho_solve(cho_factor(a), g)
            return step
        except LinAlgError:
            continue
    step[idx] = -g
    return step
