"""Risk, not just a point: the plan re-planned for uncertain demand.

Demand is drawn from the forecast's uncertainty: family x month demand is normal with
the plan's demand as mean and the family sigma of the coherent bands (each row's sigma
= (P90 - P50) / 1.2816, summed as `sop.demand.hierarchy` does), truncated at zero, split
over the family's items (plants, or SKUs) in proportion to the plan's demand. The draws
are correlated the way forecast errors are: a shared shock across families (correlation
`hierarchy.RHO`) and, within a family, half the variance a level error shared by every
month.

Every path goes through the same constrained plan as the point plan
(`sop.supply.paths.replan`): more orders are served from stock and from the capacity the
plan leaves (regular hours, built ahead, overtime, subcontracting, within their limits),
or wait as backlog; fewer orders make less. Revenue and cost of goods sold book as the
plan's do (`sop.supply.standard`: in the month shipped, or ordered, by the plan
setting), the cash the path spends on making differs from the plan's by
`sop.supply.paths.making_cost`, stock is carried at standard cost; on-time and fill
rate are `sop.supply.service`'s. P10 / P50 / P90 of revenue, gross margin, fill rate
and on-time fill rate are read over the paths. Per family and month, the units a path
does not deliver in the month ordered beyond the plan's own (each item's excess, summed
over the family's items) give the share of paths short there and the P90 of the excess:
the stock-out risk of the constrained plan, its stock and spare capacity used first.
Seeded: the same inputs give the same bands; with no uncertainty every path is the plan
and the bands are its figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
from sop.demand import hierarchy
from sop.finance.kpis import gross_margin
from sop.supply import paths as supply_paths
from sop.supply import service, standard
from sop.supply.inputs import PlanInputs
from sop.supply.plan import PlanResult

N_PATHS = 500
LEVEL_SHARE = 0.5
QUANTILES = {schema.P10: 0.1, schema.P50: 0.5, schema.P90: 0.9}
METRICS = ("revenue", "gross_margin", "fill_rate", "on_time_rate")
SHORT_UNITS = 0.5  # a path is short in a family-month from half a unit beyond the plan


@dataclass
class Risk:
    """summary: metric (`METRICS`: revenue, gross_margin in money; fill_rate,
    on_time_rate as fractions), p10, p50, p90.
    monthly: family, month, revenue_p10/p50/p90, margin_delta_p10/p50/p90 (money;
    margin_delta = the change of margin against the plan's in that family-month).
    total: month, revenue_p10/p50/p90 of all families together (quantiles of the
    total, narrower than the sum of the families' quantiles).
    short: family, month, short_share (fraction of the paths with half a unit or more
    not delivered in the month ordered beyond the plan's own), short_p90 (units: the
    P90 of that excess over the paths); `n_paths` paths in all.
    family: family, plan_revenue, plan_orders, revenue_p10/p50/p90, orders_p50/p90 (money,
    over the horizon: quantiles of each path's family total, which do not add up
    across families; orders = units ordered at the plan's prices, every order shipped).
    path_revenue, path_margin_delta: (n_paths, F, T) money per path, family (`family`'s
    order) and month (`total`'s order): revenue, and the change of gross margin against
    the plan's (`sop.finance.budget_odds` reads them against the budget); None in a
    Risk made without them."""

    summary: pd.DataFrame
    monthly: pd.DataFrame
    total: pd.DataFrame
    short: pd.DataFrame
    n_paths: int
    family: pd.DataFrame
    path_revenue: np.ndarray | None = None
    path_margin_delta: np.ndarray | None = None


@dataclass
class PathFigures:
    """Per path (P,): revenue, gross_margin (money), fill_rate, on_time_rate; per path,
    family and month (P, F, T): family_revenue, family_margin_delta, family_short
    (units not delivered in the month ordered beyond the plan's, each item's excess
    clipped at 0); and the paths."""

    revenue: np.ndarray
    gross_margin: np.ndarray
    fill_rate: np.ndarray
    on_time_rate: np.ndarray
    family_revenue: np.ndarray
    family_margin_delta: np.ndarray
    family_short: np.ndarray
    family_orders: np.ndarray
    plan_revenue: np.ndarray
    plan_orders: np.ndarray
    families: pd.Index
    paths: supply_paths.Paths


def _z(n: int, F: int, T: int, seed: int) -> np.ndarray:
    """(n, F, T) standard normal draws, correlated as in the module docstring."""
    rng = np.random.default_rng(seed)
    shared = rng.standard_normal((n, 1, 1))
    level = rng.standard_normal((n, F, 1))
    noise = rng.standard_normal((n, F, T))
    return np.sqrt(hierarchy.RHO) * shared + np.sqrt(1 - hierarchy.RHO) * (
        np.sqrt(LEVEL_SHARE) * level + np.sqrt(1 - LEVEL_SHARE) * noise
    )


def demand_paths(
    inp: PlanInputs, sigma: pd.DataFrame, n_paths: int = N_PATHS, seed: int = 0
) -> np.ndarray:
    """(n_paths, n, T) demand per item and month of the plan's inputs (module docstring);
    `sigma`: family, month, sigma (units)."""
    fam_code, fams = pd.factorize(inp.items[schema.FAMILY])
    F = len(fams)
    sd = (
        sigma.groupby([schema.FAMILY, schema.MONTH])["sigma"]
        .sum()
        .reindex(pd.MultiIndex.from_product([fams, inp.months]))
        .fillna(0.0)
        .to_numpy()
        .reshape(F, inp.T)
    )
    fam_demand = np.zeros((F, inp.T))
    np.add.at(fam_demand, fam_code, inp.demand)
    count = np.bincount(fam_code, minlength=F)[fam_code][:, None]
    share = np.where(
        fam_demand[fam_code] > 0,
        inp.demand / np.where(fam_demand[fam_code] > 0, fam_demand[fam_code], 1.0),
        1.0 / count,
    )
    z = _z(n_paths, F, inp.T, seed)[:, fam_code]
    return np.clip(inp.demand[None] + share[None] * sd[fam_code][None] * z, 0.0, None)


def _rates(p: supply_paths.Paths) -> tuple[np.ndarray, np.ndarray]:
    """(fill rate, on-time fill rate) per path, `sop.supply.service`'s definitions; NaN
    for a path with no demand."""
    ordered = p.demand.sum(axis=(1, 2))
    some = ordered > service.EPS

    def per_path(units: np.ndarray) -> np.ndarray:
        return np.divide(units, ordered, out=np.full(len(ordered), np.nan), where=some)

    delivered = ordered - p.lost.sum(axis=(1, 2)) - p.backlog[:, :, -1].sum(axis=1)
    on_time = service.on_time(p.demand, p.lost, p.backlog).sum(axis=(1, 2))
    return per_path(delivered), per_path(on_time)


def path_figures(plan: PlanResult, inp: PlanInputs, demand: np.ndarray) -> PathFigures:
    """Revenue, margin and service of each demand path (P, n, T) re-planned
    (`sop.supply.paths.replan`), as the module docstring says."""
    policy = plan.policy
    p = supply_paths.replan(plan, inp, demand)
    q = p.plan
    price, std = inp.price, standard.unit_cost(inp)[None, :, None]
    revenue, booked = standard.booked_revenue(price, p.demand, p.lost, p.backlog, policy)
    rev0, booked0 = standard.booked_revenue(
        price, q["demand"], q["lost_sales"], q["backlog"], policy
    )
    made = p.production + p.subcontracted - (q["production"] + q["subcontracted"])[None]
    variance = supply_paths.making_cost(p, inp) - std * made
    bc = policy.backlog_cost_pct / 100 * price
    margin_delta = (
        revenue
        - rev0[None]
        - std * (booked - booked0[None])
        - variance
        - inp.hold[None] * (p.inventory - q["inventory"][None])
        - bc[None] * (p.backlog - q["backlog"][None])
    )
    fam_code, fams = pd.factorize(inp.items[schema.FAMILY], sort=True)
    F = len(fams)
    by_family = np.zeros((F, inp.n))
    by_family[fam_code, np.arange(inp.n)] = 1.0
    fill, on_time = _rates(p)
    late = p.demand - service.on_time(p.demand, p.lost, p.backlog)
    late0 = q["demand"] - service.on_time(q["demand"], q["lost_sales"], q["backlog"])
    short = np.clip(late - late0[None], 0.0, None)
    return PathFigures(
        revenue=revenue.sum(axis=(1, 2)),
        gross_margin=gross_margin(plan) + margin_delta.sum(axis=(1, 2)),
        fill_rate=fill,
        on_time_rate=on_time,
        family_revenue=np.einsum("fn,pnt->pft", by_family, revenue),
        family_margin_delta=np.einsum("fn,pnt->pft", by_family, margin_delta),
        family_short=np.einsum("fn,pnt->pft", by_family, short),
        family_orders=np.einsum("fn,pnt->pft", by_family, price * p.demand),
        plan_revenue=by_family @ rev0,
        plan_orders=by_family @ (price * q["demand"]),
        families=fams,
        paths=p,
    )


def _quantiles(v: np.ndarray) -> dict[str, np.ndarray]:
    """P10 / P50 / P90 over the paths (the first axis)."""
    values = np.quantile(v, list(QUANTILES.values()), axis=0)  # one partial sort for all three
    return dict(zip(QUANTILES, values))


def _rate_quantiles(v: np.ndarray) -> dict[str, float]:
    """P10 / P50 / P90 of a rate over the paths where it is defined; NaN where none is."""
    ok = v[~np.isnan(v)]
    return {k: float(np.quantile(ok, q)) if len(ok) else np.nan for k, q in QUANTILES.items()}


def plan_risk(
    plan: PlanResult,
    inp: PlanInputs,
    sigma: pd.DataFrame,
    n_paths: int = N_PATHS,
    seed: int = 0,
) -> Risk:
    """Revenue, margin, fill-rate and on-time ranges of `plan` (solved on `inp`) when
    demand varies around the plan's demand with the family x month standard deviations
    in `sigma` (columns family, month, sigma in units; `sop.scenario.evaluate`
    makes them from the P10/P90 bands coherently)."""
    fig = path_figures(plan, inp, demand_paths(inp, sigma, n_paths, seed))
    summary = pd.DataFrame(
        [{"metric": name, **_rate_quantiles(getattr(fig, name))} for name in METRICS]
    )
    F, T = len(fig.families), inp.T
    monthly = {
        schema.FAMILY: np.repeat(fig.families.to_numpy(), T),
        schema.MONTH: np.tile(inp.months.to_numpy(), F),
    }
    for k, v in _quantiles(fig.family_revenue).items():
        monthly[f"revenue_{k}"] = v.ravel()
    for k, v in _quantiles(fig.family_margin_delta).items():
        monthly[f"margin_delta_{k}"] = v.ravel()
    total = pd.DataFrame(
        {
            schema.MONTH: inp.months,
            **{f"revenue_{k}": v for k, v in _quantiles(fig.family_revenue.sum(axis=1)).items()},
        }
    )
    short = pd.DataFrame(
        {
            schema.FAMILY: monthly[schema.FAMILY],
            schema.MONTH: monthly[schema.MONTH],
            "short_share": (fig.family_short >= SHORT_UNITS).mean(axis=0).ravel(),
            "short_p90": np.quantile(fig.family_short, QUANTILES[schema.P90], axis=0).ravel(),
        }
    )
    horizon = _quantiles(fig.family_revenue.sum(axis=2))
    family = pd.DataFrame(
        {
            schema.FAMILY: fig.families.to_numpy(),
            "plan_revenue": fig.plan_revenue.sum(axis=1),
            "plan_orders": fig.plan_orders.sum(axis=1),
            **{f"revenue_{k}": v for k, v in horizon.items()},
            **{
                f"orders_{k}": v
                for k, v in _quantiles(fig.family_orders.sum(axis=2)).items()
                if k != schema.P10
            },
        }
    )
    return Risk(
        summary,
        pd.DataFrame(monthly),
        total,
        short,
        len(fig.revenue),
        family,
        path_revenue=fig.family_revenue,
        path_margin_delta=fig.family_margin_delta,
    )


def p10_p90(risk: Risk | None) -> dict[str, tuple[float, float]]:
    """metric (`METRICS`) -> (P10, P90) of a plan's simulation, for the tiles that show a
    range under their figure (`sop.finance.tiles.range_note`); empty without a run (an
    evaluation made `with_risk=False`)."""
    if risk is None:
        return {}
    return {
        str(r.metric): (float(r.p10), float(r.p90)) for r in risk.summary.itertuples(index=False)
    }
