"""Coherent forecasts up the product hierarchy: MinT reconciliation, bottom-up fallback.

The hierarchy is the forecast level's series (SKU x region by default: the bottom) and
every level above it: SKU, family, total. `build_tree` makes one extra `Job` per upper
node, from the bottom jobs the way `sop.demand.series` builds aggregated series (a
child counts 0 before its first and after its last observed month, a gap inside it
leaves the sum missing; promotions weighted by the children's last-12-month units; the
family profile when every child shares it). A node whose bottom series are exactly
those of a node below it (a family of one SKU, a SKU sold in one region) is the same
series: it is not fitted twice. The engine forecasts these jobs with the bottom ones,
then `reconcile` turns the base forecasts of every level into coherent bottom forecasts:

- `mint_shrink` (default): MinT with the Schaefer-Strimmer shrinkage covariance of the
  in-sample residuals (hierarchicalforecast's `MinTrace(method="mint_shrink")`), the
  GLS combination of every level's base forecast. Bottom series without a usable
  model (forecast fixed at 0: no demand, no recent sales, phased out) stay 0 and are
  left out; an upper node with fewer than `MIN_RESIDUALS` in-sample residuals is left
  out (its forecast is the sum of its children's); a bottom series with fewer is taken
  as given (its base forecast kept; its ancestors' forecasts are reduced by it).
- `bottom_up`: the bottom base forecasts as they are (the fallback, said in
  `Reconciliation.reason`, when MinT cannot run: no upper node to combine, no upper
  node with in-sample residuals, more than `MAX_SERIES` series, or a singular system).

Reconciled bottom forecasts are clipped at 0 and set to 0 from a phase-out month on,
then every level is re-aggregated from them, so the levels add up exactly (clipping the
bottom keeps coherence; clipping each level would not). Bands: each bottom row keeps its
own base band width around the reconciled P50 (the engine's P10/P90); `levels` carries
every node's reconciled P50 and, where the node was fitted, its own base sigma.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sop.core import schema
from sop.demand.selection import Job, Outcome

SUMMARY_COLUMNS = ("requested", "method", "reason", "given", "dropped", "coherence")
MINT = "mint_shrink"
BOTTOM_UP = "bottom_up"
METHODS = (MINT, BOTTOM_UP)
LABEL = {MINT: "MinT (all levels combined)", BOTTOM_UP: "Bottom-up"}
HELP = (
    "MinT also forecasts each SKU, family and the total and combines every level's "
    "forecast so they add up; bottom-up only sums the series forecasts."
)
UPPER_LEVELS = {"sku_region": ("sku", "family", "total"), "sku": ("family", "total")}
UPPER_LEVELS["family"] = ("total",)
MIN_RESIDUALS = 12  # in-sample residuals a series needs to enter MinT's covariance
MAX_SERIES = 3000  # the covariance is n x n: above this, bottom-up
SHARE_MONTHS = 12
LEVEL_COLUMNS = ["level", "key", "month", "base", "sigma", "p50"]
NO_FAMILY = "(no family)"  # as sop.demand.series and sop.demand.hierarchy


@dataclass
class Tree:
    """The hierarchy over `n_bottom` bottom jobs.

    nodes: every node of every level, bottom first, as (level, name, bottom indices);
    jobs: one Job per distinct upper node to fit (key = (level, name)), with fit[k]
    the index into nodes of jobs[k]; same[i]: for node i, ("bottom", b) or ("job", k),
    the series it is identical to, or None when it was not fitted.
    """

    n_bottom: int
    nodes: list[tuple[str, str, np.ndarray]]
    jobs: list[Job] = field(default_factory=list)
    fit: list[int] = field(default_factory=list)
    same: list[tuple[str, int] | None] = field(default_factory=list)


@dataclass
class Reconciliation:
    """How the bottom forecasts were made coherent.

    method: what ran (`mint_shrink` or `bottom_up`); reason: why bottom-up ran instead
    of the requested method ("" when the request ran); given: bottom series taken as
    given (too few residuals); dropped: upper nodes left out of MinT; levels:
    LEVEL_COLUMNS for every node of every level (base, sigma: the node's own base
    forecast, NaN when not fitted; p50: the reconciled, coherent P50, filled in by
    `coherent_levels` from the final values); coherence: the largest
    |node - sum of its children| (set by `coherent_levels`).
    """

    requested: str
    method: str
    reason: str = ""
    given: int = 0
    dropped: int = 0
    coherence: float = 0.0
    levels: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LEVEL_COLUMNS))

    def summary(self) -> pd.DataFrame:
        """One row (`SUMMARY_COLUMNS`) to store with the run (read back by `sentence`)."""
        return pd.DataFrame([{c: getattr(self, c) for c in SUMMARY_COLUMNS}])


def _label(level: str, key: tuple) -> str:
    return "|".join(str(k) for k in key) if level == "sku_region" else str(key[0])


def _parents(level: str, key: tuple, family: pd.Series) -> dict[str, str]:
    """The upper node names of one bottom key: {upper level: name}."""
    out = {}
    if level == "sku_region":
        out["sku"] = str(key[0])
    if level in ("sku_region", "sku"):
        out["family"] = str(family.get(key[0], NO_FAMILY))
    else:
        out["family"] = str(key[0])
    out["total"] = "total"
    return out


def _grid(jobs: list[Job]) -> tuple[np.datetime64, int, list[int]]:
    """(first month of any job, months to the as-of month, each job's offset)."""
    firsts = [np.datetime64(j.first_month, "M") for j in jobs]
    start = min(firsts)
    offs = [int((f - start).astype(int)) for f in firsts]
    return start, max(o + len(j.y) for o, j in zip(offs, jobs)), offs


def _on_grid(job: Job, off: int, n: int) -> np.ndarray:
    """A bottom series on the grid as an aggregate sees it: 0 outside its observed
    span, NaN for a gap inside it."""
    out = np.zeros(n)
    y = np.asarray(job.y, dtype=float)
    obs = np.flatnonzero(~np.isnan(y))
    if len(obs):
        seg = y[obs[0] : obs[-1] + 1]
        out[off + obs[0] : off + obs[0] + len(seg)] = seg
    return out


def _upper_job(
    key: tuple,
    cols: np.ndarray,
    jobs: list[Job],
    offs: list[int],
    grid: np.ndarray,
    start: np.datetime64,
) -> Job:
    """The aggregated series of bottom jobs `cols` (see the module docstring)."""
    horizon = jobs[cols[0]].horizon
    y = grid[:, cols].sum(axis=1)
    started = np.flatnonzero(np.any(grid[:, cols] != 0, axis=1))
    lo = int(started[0]) if len(started) else 0
    n = grid.shape[0]
    recent = np.nansum(grid[max(0, n - SHARE_MONTHS) :, cols], axis=0)
    w = recent / recent.sum() if recent.sum() > 0 else np.full(len(cols), 1 / len(cols))
    promo = np.zeros(n + horizon)
    for wi, c in zip(w, cols):
        if jobs[c].promo is not None:
            promo[offs[c] : offs[c] + len(jobs[c].promo)] += wi * np.asarray(jobs[c].promo)
    profiles = [jobs[c].profile for c in cols]
    same = profiles[0] is not None and all(
        p is not None and np.array_equal(p, profiles[0]) for p in profiles
    )
    stops = [jobs[c].stop for c in cols]
    return Job(
        key=key,
        y=y[lo:],
        first_month=start + lo,
        horizon=horizon,
        promo=promo[lo:] if np.any(promo[lo:] != 0) else None,
        profile=profiles[0] if same else None,
        stop=max(stops) if all(s is not None for s in stops) else None,
    )


def build_tree(bottom: list[Job], level: str, family: pd.Series, fit_upper: bool = True) -> Tree:
    """The hierarchy above the `level` series `bottom`; upper jobs only if `fit_upper`."""
    nodes = [(level, _label(level, j.key), np.array([i])) for i, j in enumerate(bottom)]
    tree = Tree(len(bottom), nodes, same=[("bottom", i) for i in range(len(bottom))])
    if not bottom:
        return tree
    start, n, offs = _grid(bottom)
    grid = np.column_stack([_on_grid(j, o, n) for j, o in zip(bottom, offs)])
    names = [_parents(level, j.key, family) for j in bottom]
    seen: dict[tuple[int, ...], int] = {}
    for up in UPPER_LEVELS[level]:
        groups: dict[str, list[int]] = {}
        for i, p in enumerate(names):
            groups.setdefault(p[up], []).append(i)
        for name in sorted(groups):
            cols = tuple(groups[name])
            tree.nodes.append((up, name, np.array(cols)))
            if len(cols) == 1:
                tree.same.append(("bottom", cols[0]))
                continue
            if cols not in seen and fit_upper:
                seen[cols] = len(tree.jobs)
                tree.fit.append(len(tree.nodes) - 1)
                job = _upper_job((up, name), np.array(cols), bottom, offs, grid, start)
                tree.jobs.append(job)
            tree.same.append(("job", seen[cols]) if cols in seen else None)
    return tree


def _residuals(jobs: list[Job], outs: list[Outcome]) -> tuple[np.ndarray, np.ndarray]:
    """(actuals, fitted) of every job on the common month grid, NaN where none."""
    start, n, offs = _grid(jobs)
    y = np.full((len(jobs), n), np.nan)
    f = np.full((len(jobs), n), np.nan)
    for i, (j, o, off) in enumerate(zip(jobs, outs, offs)):
        y[i, off : off + len(j.y)] = j.y
        f[i, off : off + len(o.fitted)] = o.fitted
    return y, f


def mint(
    S: np.ndarray, y_hat: np.ndarray, y_insample: np.ndarray, y_hat_insample: np.ndarray
) -> np.ndarray:
    """MinT-shrink reconciled bottom forecasts (n_bottom x h). S: aggregates first, then
    the identity; y_hat: base forecasts in S's row order. Raises on a singular system."""
    from hierarchicalforecast.methods import MinTrace  # sklearn: ~1 s to import

    n_aggs = S.shape[0] - S.shape[1]
    tags = {"upper": np.arange(n_aggs), "bottom": np.arange(n_aggs, S.shape[0])}
    res = MinTrace(method=MINT).fit_predict(
        S=S, y_hat=y_hat, y_insample=y_insample, y_hat_insample=y_hat_insample, tags=tags
    )
    out = res["mean"][n_aggs:]
    if not np.all(np.isfinite(out)):
        raise np.linalg.LinAlgError("MinT gave non-finite forecasts")
    return out


def _mint_bottom(
    tree: Tree, bottom: list[Job], outs: list[Outcome], upper: list[Outcome]
) -> tuple[np.ndarray, int, int]:
    """(reconciled bottom P50, bottom series taken as given, upper nodes left out);
    raises ValueError with the reason MinT cannot run."""
    base = np.array([o.p50 for o in outs])
    fixed = np.array([not o.p50.any() and not o.sigma.any() for o in outs])
    y_in, f_in = _residuals(bottom + tree.jobs, outs + upper)
    enough = np.sum(~np.isnan(y_in - f_in), axis=1) >= MIN_RESIDUALS
    given = ~fixed & ~enough[: tree.n_bottom]
    free = np.flatnonzero(~fixed & ~given)
    members = [tree.nodes[i][2] for i in tree.fit]
    keep = [
        k for k, m in enumerate(members) if enough[tree.n_bottom + k] and np.isin(m, free).any()
    ]
    if not keep:
        why = "no upper level to combine" if not tree.jobs else "no upper level with residuals"
        raise ValueError(f"{why} (a series needs {MIN_RESIDUALS} in-sample residuals)")
    if len(keep) + len(free) > MAX_SERIES:
        raise ValueError(f"more than {MAX_SERIES} series: MinT's covariance would be too large")
    pos = {int(b): i for i, b in enumerate(free)}
    S_up = np.zeros((len(keep), len(free)))
    y_hat_up = np.zeros((len(keep), base.shape[1]))
    for r, k in enumerate(keep):
        inside = [pos[b] for b in members[k] if b in pos]
        outside = [b for b in members[k] if b not in pos]
        S_up[r, inside] = 1.0
        # the given and fixed children's forecasts are taken out of the parent's
        y_hat_up[r] = upper[k].p50 - base[outside].sum(axis=0)
    S = np.vstack([S_up, np.eye(len(free))])
    rows = [tree.n_bottom + k for k in keep] + list(free)
    out = base.copy()
    try:
        out[free] = mint(S, np.vstack([y_hat_up, base[free]]), y_in[rows], f_in[rows])
    except Exception as exc:  # hierarchicalforecast raises bare Exception
        raise ValueError(f"MinT failed: {exc}") from exc
    return out, int(given.sum()), len(tree.jobs) - len(keep)


def _finish(p50: np.ndarray, bottom: list[Job], outs: list[Outcome]) -> np.ndarray:
    """Clip at 0, zero from each phase-out month on, fixed-zero series stay 0."""
    out = np.maximum(p50, 0.0)
    for i, (j, o) in enumerate(zip(bottom, outs)):
        if j.stop is not None:
            out[i, j.stop :] = 0.0
        if not o.p50.any() and not o.sigma.any():
            out[i] = 0.0
    return out


def _base_levels(
    tree: Tree, bottom: list[Job], outs: list[Outcome], upper: list[Outcome]
) -> pd.DataFrame:
    """level, key, month, base, sigma: every node's own base forecast (NaN if not fitted)."""
    if not bottom:
        return pd.DataFrame(columns=LEVEL_COLUMNS[:-1])
    start, n, _ = _grid(bottom)
    h = len(outs[0].p50)
    months = pd.date_range(pd.Timestamp(start + n), periods=h, freq="MS")
    parts = []
    for (lvl, name, _), same in zip(tree.nodes, tree.same):
        own = None
        if same is not None and same[0] == "bottom":
            own = outs[same[1]]
        elif same is not None and same[1] < len(upper):
            own = upper[same[1]]
        parts.append(
            pd.DataFrame(
                {
                    "level": lvl,
                    "key": name,
                    "month": months,
                    "base": own.p50 if own is not None else np.nan,
                    "sigma": own.sigma if own is not None else np.nan,
                }
            )
        )
    return (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LEVEL_COLUMNS[:-1])
    )


def coherent_levels(rec: Reconciliation, values: pd.DataFrame, family: pd.Series) -> Reconciliation:
    """`rec` with `levels` (LEVEL_COLUMNS at sku_region, sku, family and total: p50 the
    sums of the final SKU x region `values`, every row the engine returns, new products
    included; base and sigma the nodes' own base forecasts) and `coherence` (the largest
    gap between a node and the sum of its children one level down)."""
    v = values[[schema.SKU, schema.REGION, schema.MONTH, schema.P50]]
    fam = v[schema.SKU].map(family).fillna(NO_FAMILY).astype(str)
    keys = {
        "sku_region": v[schema.SKU].astype(str) + "|" + v[schema.REGION].astype(str),
        "sku": v[schema.SKU].astype(str),
        "family": fam,
        "total": pd.Series("total", index=v.index),
    }
    sums = {
        lvl: v[schema.P50].groupby([k, v[schema.MONTH]]).sum().rename_axis(["key", "month"])
        for lvl, k in keys.items()
    }
    gap = 0.0
    order = list(keys)
    for lo, hi in zip(order, order[1:]):
        parent = pd.Series(keys[hi].to_numpy(), index=keys[lo].to_numpy()).groupby(level=0).first()
        kids = sums[lo].reset_index()
        kids["key"] = kids["key"].map(parent)
        up = kids.groupby(["key", "month"])[schema.P50].sum()
        diff = (sums[hi] - up.reindex(sums[hi].index)).abs()
        gap = max(gap, float(diff.max()) if len(diff) else 0.0)
    frame = pd.concat(
        [s.reset_index().assign(level=lvl) for lvl, s in sums.items()], ignore_index=True
    )
    base = rec.levels.drop(columns=[schema.P50], errors="ignore")
    out = frame.merge(base, on=["level", "key", "month"], how="outer")
    out[schema.P50] = out[schema.P50].fillna(0.0)
    return replace(rec, levels=out[LEVEL_COLUMNS], coherence=gap)


def reconcile(
    tree: Tree,
    bottom: list[Job],
    outs: list[Outcome],
    upper: list[Outcome],
    requested: str = MINT,
) -> tuple[list[Outcome], Reconciliation]:
    """Coherent bottom outcomes (P50 replaced; bands, fits and the rest as they were)
    from the base outcomes of the bottom jobs and of `tree.jobs` (`upper`, empty for
    bottom-up), and how it was done (see the module docstring)."""
    if requested not in METHODS:
        raise ValueError(f"unknown reconciliation `{requested}`: use one of {', '.join(METHODS)}")
    rec = Reconciliation(requested, BOTTOM_UP)
    if not outs:  # every series is a new product (or none is left): nothing to reconcile
        rec.reason = "no series with a model"
        rec.levels = _base_levels(tree, bottom, outs, upper)
        return [], rec
    p50 = np.array([o.p50 for o in outs]).reshape(len(outs), -1)
    if requested == MINT and bottom:
        try:
            p50, rec.given, rec.dropped = _mint_bottom(tree, bottom, outs, upper)
            rec.method = MINT
        except ValueError as exc:
            rec.reason = str(exc)
    p50 = _finish(p50, bottom, outs)
    rec.levels = _base_levels(tree, bottom, outs, upper)
    return [replace(o, p50=p) for o, p in zip(outs, p50)], rec


def sentence(summary: pd.DataFrame) -> str:
    """The stored summary in words for the Demand page ("" for runs stored without one)."""
    if summary.empty:
        return ""
    r = summary.iloc[0]
    how = LABEL.get(r["method"], r["method"])
    fell = f" instead of {LABEL.get(r['requested'])}: {r['reason']}" if r["reason"] else ""
    return (
        f"Levels add up by {how}{fell}; largest gap between a total and the sum of its parts "
        f"{float(r['coherence']):.1g} units."
    )
