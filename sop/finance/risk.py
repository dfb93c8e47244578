"""Risk, not just a point: the plan played against uncertain demand.

The supply decisions of a plan (production and subcontracting per family and
month) are held fixed while demand is drawn from the forecast's uncertainty:
family x month demand is normal with the plan's demand as mean and the family
sigma of the coherent bands (each row's sigma = (P90 - P50) / 1.2816, summed as
`sop.hierarchy` does), truncated at zero.
The draws are correlated the way forecast errors are: a shared shock across
families (correlation `hierarchy.RHO`) and, within a family, half the variance
is a level error shared by every month. Each path is served from stock first
come first served (unserved demand carries over as backlog when the policy
allows it). Revenue, gross margin and fill rate are read from each path and
summarised as P10 / P50 / P90. Seeded, so the same inputs give the same bands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
from sop.demand import hierarchy
from sop.finance.kpis import gross_margin
from sop.supply.plan import PlanResult

N_PATHS = 500
LEVEL_SHARE = 0.5
QUANTILES = {schema.P10: 0.1, schema.P50: 0.5, schema.P90: 0.9}


@dataclass
class Risk:
    """summary: metric (revenue, gross_margin, fill_rate), p10, p50, p90.
    monthly: family, month, revenue_p10/p50/p90, margin_delta_p10/p50/p90 (money;
    margin_delta = the change of margin against the plan's in that family-month).
    total: month, revenue_p10/p50/p90 of all families together (quantiles of the
    total, narrower than the sum of the families' quantiles)."""

    summary: pd.DataFrame
    monthly: pd.DataFrame
    total: pd.DataFrame


def _paths(mean: np.ndarray, sigma: np.ndarray, n: int, seed: int) -> np.ndarray:
    """(n, F, T) demand draws, correlated as in the module docstring."""
    rng = np.random.default_rng(seed)
    F, T = mean.shape
    shared = rng.standard_normal((n, 1, 1))
    level = rng.standard_normal((n, F, 1))
    noise = rng.standard_normal((n, F, T))
    z = np.sqrt(hierarchy.RHO) * shared + np.sqrt(1 - hierarchy.RHO) * (
        np.sqrt(LEVEL_SHARE) * level + np.sqrt(1 - LEVEL_SHARE) * noise
    )
    return np.clip(mean[None] + sigma[None] * z, 0.0, None)


def _serve(
    supply: np.ndarray, opening: np.ndarray, demand: np.ndarray, backlog: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Units served and month-end stock (n, F, T) of (F, T) supply against (n, F, T)
    demand, starting from (F,) units on hand."""
    n, F, T = demand.shape
    served = np.zeros_like(demand)
    stock = np.zeros_like(demand)
    on_hand = np.broadcast_to(opening, (n, F)).copy()
    owed = np.zeros((n, F))
    for t in range(T):
        on_hand += supply[:, t]
        want = demand[:, :, t] + owed
        served[:, :, t] = np.minimum(on_hand, want)
        on_hand -= served[:, :, t]
        owed = (want - served[:, :, t]) if backlog else 0.0
        stock[:, :, t] = on_hand
    return served, stock


def plan_risk(
    plan: PlanResult,
    sigma: pd.DataFrame,
    backlog_allowed: bool,
    n_paths: int = N_PATHS,
    seed: int = 0,
) -> Risk:
    """Revenue, margin and fill-rate ranges of `plan` when demand varies around the
    plan's demand with the family x month standard deviations in `sigma` (columns
    family, month, sigma in units; `sop.scenario.evaluate.scenario_demand` makes them from
    the P10/P90 bands coherently)."""
    fp = plan.family_plan.groupby([schema.FAMILY, schema.MONTH])[
        ["demand", "production", "subcontracted", "shipped", "inventory", "revenue", "holding_cost"]
    ].sum()
    fams = fp.index.get_level_values(schema.FAMILY).unique().sort_values()
    months = fp.index.get_level_values(schema.MONTH).unique().sort_values()
    grid = pd.MultiIndex.from_product([fams, months], names=[schema.FAMILY, schema.MONTH])
    fp = fp.reindex(grid).fillna(0.0)
    shape = (len(fams), len(months))

    def arr(col: str) -> np.ndarray:
        return fp[col].to_numpy().reshape(shape)

    mean = arr("demand")  # the plan's own demand, so P50 paths match the plan
    sd = (
        sigma.groupby([schema.FAMILY, schema.MONTH])["sigma"]
        .sum()
        .reindex(grid)
        .fillna(0.0)
        .to_numpy()
        .reshape(shape)
    )
    supply = arr("production") + arr("subcontracted")
    opening = arr("inventory")[:, 0] + arr("shipped")[:, 0] - supply[:, 0]
    draws = _paths(mean, sd, n_paths, seed)
    served, stock = _serve(supply, opening, draws, backlog_allowed)
    shipped = arr("shipped")
    price = np.divide(
        arr("revenue").sum(1), shipped.sum(1), out=np.zeros(len(fams)), where=shipped.sum(1) > 0
    )
    plan_stock = arr("inventory")
    hold_rate = np.divide(
        arr("holding_cost").sum(1),
        plan_stock.sum(1),
        out=np.zeros(len(fams)),
        where=plan_stock.sum(1) > 0,
    )
    unit_cost = _unit_cost(plan, fams)
    revenue = served * price[None, :, None]
    # costs of making are fixed by the plan; stock left over is valued at cost and held
    delta_stock = stock - plan_stock[None]
    margin_fm = revenue - arr("revenue")[None] - delta_stock * hold_rate[None, :, None]
    end_adj = delta_stock[:, :, -1] * unit_cost[None]
    gm = gross_margin(plan) + margin_fm.sum((1, 2)) + end_adj.sum(1)
    total_demand = draws.sum((1, 2))
    fill = np.divide(served.sum((1, 2)), total_demand, out=np.ones(n_paths), where=total_demand > 0)
    summary = pd.DataFrame(
        [
            {"metric": name, **{k: float(np.quantile(v, q)) for k, q in QUANTILES.items()}}
            for name, v in (
                ("revenue", revenue.sum((1, 2))),
                ("gross_margin", gm),
                ("fill_rate", fill),
            )
        ]
    )
    monthly = _monthly(revenue, margin_fm, fams, months)
    by_month = revenue.sum(1)
    total = pd.DataFrame(
        {
            schema.MONTH: months,
            **{f"revenue_{k}": np.quantile(by_month, q, axis=0) for k, q in QUANTILES.items()},
        }
    )
    return Risk(summary, monthly, total)


def _unit_cost(plan: PlanResult, fams: pd.Index) -> np.ndarray:
    g = plan.family_plan.groupby(schema.FAMILY)[["material_cost", "production"]].sum().reindex(fams)
    return np.divide(
        g["material_cost"].to_numpy(),
        g["production"].to_numpy(),
        out=np.zeros(len(fams)),
        where=g["production"].to_numpy() > 0,
    )


def _monthly(
    revenue: np.ndarray, margin_delta: np.ndarray, fams: pd.Index, months: pd.Index
) -> pd.DataFrame:
    """Quantiles of revenue and of the margin change per family x month."""
    out = {
        schema.FAMILY: np.repeat(fams.to_numpy(), len(months)),
        schema.MONTH: np.tile(months.to_numpy(), len(fams)),
    }
    for k, q in QUANTILES.items():
        out[f"revenue_{k}"] = np.quantile(revenue, q, axis=0).ravel()
        out[f"margin_delta_{k}"] = np.quantile(margin_delta, q, axis=0).ravel()
    return pd.DataFrame(out)
