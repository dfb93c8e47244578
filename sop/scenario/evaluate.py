"""Scenario evaluation: levers -> demand -> re-solved supply plan -> KPIs.

`evaluate` is the one function the Scenarios page, the Finance page and
`python -m sop scenario` call. It re-solves the LP (never rescales the
baseline) on what `apply_levers` makes of the levers (the one way a scenario's
inputs are made; the Executive pages' SKU detail uses it too) and reads KPIs
(`sop.finance.kpis`), the budget comparison and the risk bands from the new plan.

Speed: a slider move must feel instant, so the demand plan is prepared once
(`prepare_demand`: codes for families, regions and SKU x month groups), the
demand levers become one multiplier per row (`demand_factor`), and the plan is
solved on demand summed over regions (the family-level plan and every KPI are
the same; regions only matter for the SKU x region split, which scenarios do
not need). What a move cannot change is made once and remembered per dataset: the
sales table cut to the sums the net prices read (`planning_tables`) and the rows the
plan plans with their routing (`sop.supply.rows.row_layout`).
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import add_months, as_of_month
from sop.demand import hierarchy
from sop.demand.plan import PLAN_COLUMNS
from sop.finance import kpis, risk, statement
from sop.finance.bridge import margin_bridge
from sop.scenario.apply import apply_policy, apply_tables, demand_factor, price_change
from sop.scenario.levers import Levers
from sop.supply.plan import PlanResult, solve_plan_and_inputs
from sop.supply.policy import SupplyPolicy
from sop.supply.rows import RowLayout, SupplyInputError, row_layout

ALL_REGIONS = "All regions"


@dataclass(frozen=True)
class DemandBase:
    """A consensus demand plan prepared for fast lever application."""

    months: np.ndarray  # per row, datetime64
    fam_code: np.ndarray  # per row, into families
    families: np.ndarray
    reg_code: np.ndarray  # per row, into regions
    regions: np.ndarray
    units: np.ndarray  # per row: consensus units, p10, p90, statistical P50
    p10: np.ndarray
    p90: np.ndarray
    forecast: np.ndarray
    group: np.ndarray  # per row: its SKU x month group
    groups: pd.DataFrame  # per group: month, sku, family
    fm_code: np.ndarray  # per row: its family x month cell
    fm: pd.DataFrame  # per cell: family, month


def _pairs(a: np.ndarray, b: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row's (a, b) pair, the row where each pair first appears), pairs in
    order of first appearance (what `pd.factorize` of the pairs gives). Codes run from
    -1 (a missing value) to nb - 1 for b."""
    code, keys = pd.factorize((a.astype(np.int64) + 1) * (nb + 1) + (b + 1))
    first = np.full(len(keys), len(a), dtype=np.int64)
    np.minimum.at(first, code, np.arange(len(a)))
    return code, first


def prepare_demand(demand: pd.DataFrame) -> DemandBase:
    """Codes and arrays of a demand plan (`sop.demand.PLAN_COLUMNS`).

    Each name column is factorised once (SKU, family, region, month) and the SKU x month
    and family x month groups are made from the integer codes, so no string is walked
    per row; groups keep the order in which they first appear. A SKU's family is the one
    of its last row."""
    sku_code, skus = pd.factorize(demand[schema.SKU])
    fam_code, families = pd.factorize(demand[schema.FAMILY])
    reg_code, regions = pd.factorize(demand[schema.REGION])
    mon_code, month_values = pd.factorize(demand[schema.MONTH])
    nm = len(month_values)
    group, first = _pairs(sku_code, mon_code, nm)
    last = np.full(len(skus) + 1, -1, dtype=np.int64)
    last[sku_code] = np.arange(len(demand))  # numpy assigns repeated indices in order

    def at(name: str, rows: np.ndarray) -> pd.Index:
        return pd.Index(demand[name].take(rows))

    groups = pd.DataFrame(
        {
            schema.MONTH: at(schema.MONTH, first),
            schema.SKU: at(schema.SKU, first),
            schema.FAMILY: at(schema.FAMILY, last[sku_code[first]]),
        }
    )
    fm_code, fm_first = _pairs(fam_code, mon_code, nm)
    fm = pd.DataFrame(
        {schema.FAMILY: at(schema.FAMILY, fm_first), schema.MONTH: at(schema.MONTH, fm_first)}
    )

    def col(name: str) -> np.ndarray:
        return demand[name].to_numpy(dtype=float, na_value=0.0)

    def small(codes: np.ndarray) -> np.ndarray:  # half the memory of the per-row codes
        return codes.astype(np.int32)

    return DemandBase(
        demand[schema.MONTH].to_numpy(),
        small(fam_code),
        np.asarray(families),
        small(reg_code),
        np.asarray(regions),
        col(schema.UNITS),
        col(schema.P10),
        col(schema.P90),
        col(schema.FORECAST_UNITS),
        small(group),
        groups,
        small(fm_code),
        fm,
    )


def scenario_demand(base: DemandBase, levers: Levers) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(demand by SKU x month with regions summed, as `PLAN_COLUMNS`: units, p10 and p90
    under the demand levers, forecast_units the statistical P50 as forecast; family x
    month sigma of the demand error: family, month, sigma)."""
    f = demand_factor(
        base.months, base.fam_code, base.families, base.reg_code, base.regions, levers
    )
    n = len(base.groups)

    def total(v: np.ndarray, factor: np.ndarray | float) -> np.ndarray:
        return np.bincount(base.group, v * factor, minlength=n)

    # the statistical forecast is what it was: levers move the scenario's demand only
    plan = base.groups.assign(
        **{
            schema.REGION: ALL_REGIONS,
            schema.UNITS: total(base.units, f),
            schema.P10: total(base.p10, f),
            schema.P90: total(base.p90, f),
            schema.FORECAST_UNITS: total(base.forecast, 1.0),
            schema.SOURCE: "scenario",
        }
    )
    sigma = np.clip(base.p90 - base.units, 0, None) * f / hierarchy.Z90
    k = len(base.fm)
    rho = hierarchy.RHO
    var = (1 - rho) * np.bincount(base.fm_code, sigma**2, minlength=k) + rho * np.bincount(
        base.fm_code, sigma, minlength=k
    ) ** 2
    return plan[PLAN_COLUMNS], base.fm.assign(sigma=np.sqrt(var))


@dataclass(frozen=True)
class ScenarioInputs:
    """What a scenario's supply plan is solved on (see `apply_levers`)."""

    demand: pd.DataFrame  # by SKU x month, regions summed (`PLAN_COLUMNS`)
    sigma: pd.DataFrame  # family, month, sigma (units) of the demand error
    tables: dict[str, pd.DataFrame]
    policy: SupplyPolicy


def apply_levers(
    base: DemandBase, tables: dict[str, pd.DataFrame], policy: SupplyPolicy, levers: Levers
) -> ScenarioInputs:
    """The demand (`scenario_demand`), tables and policy of a scenario: every lever
    applied, nothing changed in place. Raises ValueError for bad levers."""
    if problems := levers.problems():
        raise ValueError("; ".join(problems))
    demand, sigma = scenario_demand(base, levers)
    t = apply_tables(planning_tables(tables), levers)
    return ScenarioInputs(demand, sigma, t, apply_policy(policy, levers))


class _WhileAlive:
    """Values made from read-only objects (the app's shared tables and demand base),
    remembered while those very objects live: held by weak reference and compared by
    identity, so an id reused by a new object never hits. The last `keep` are kept."""

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self._items: dict[tuple, tuple[tuple[weakref.ref, ...], object]] = {}

    def get(self, objs: tuple, extra: tuple, make):
        """`make()`, or what it gave before for the same `objs` (by identity) and `extra`
        (by value). Not remembered when one of `objs` is None."""
        if any(o is None for o in objs):
            return make()
        key = (*map(id, objs), *extra)
        hit = self._items.get(key)
        if hit is None or any(r() is not o for r, o in zip(hit[0], objs)):
            hit = (tuple(weakref.ref(o) for o in objs), make())
            self._items.pop(key, None)
            for old in list(self._items)[: max(0, len(self._items) - self.keep + 1)]:
                del self._items[old]
            self._items[key] = hit
        return hit[1]


_PLANNING_SALES = _WhileAlive()
_LAYOUTS = _WhileAlive()


def planning_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """`tables` with the sales table cut to what the plan reads of it: per SKU, the
    revenue and units of the rows `sop.supply.sku_values.net_prices` sums (the last 12
    months, revenue known, units > 0), as one row dated the as-of month.

    The net prices come out the same (each SKU's sums are summed once more, alone), and
    the price lever then scales one row per SKU instead of every month of history.
    Remembered per sales table (tables are read-only), so a slider move pays nothing."""
    sales, as_of = tables.get(schema.SALES), as_of_month(tables)
    if sales is None or as_of is None or schema.REVENUE not in sales:
        return tables

    def cut() -> pd.DataFrame:
        last = sales[
            (sales[schema.MONTH] > add_months(as_of, -12))
            & sales[schema.REVENUE].notna()
            & (sales[schema.UNITS] > 0)
        ]
        g = last.groupby(schema.SKU)[[schema.REVENUE, schema.UNITS]].sum().reset_index()
        return g.assign(**{schema.MONTH: as_of})

    return {**tables, schema.SALES: _PLANNING_SALES.get((sales,), (as_of,), cut)}


def _layout(
    base: DemandBase, tables: dict[str, pd.DataFrame], inputs: ScenarioInputs
) -> RowLayout | None:
    """The rows of a scenario's demand as the plan reads them (`row_layout`): the same
    for every lever position of `base` on `tables` (levers change units, prices, costs
    and capacity, never the SKUs, families, routing or plants), so made once per demand
    plan, dataset and plan horizon, level and ending units. None when the rows cannot
    be planned (`prepare` then says why)."""
    keys = (schema.PRODUCTS, schema.BILL_OF_RESOURCES, schema.RESOURCES)
    used = (base, *(tables.get(k) for k in keys))
    pol = inputs.policy
    try:
        return _LAYOUTS.get(
            used,
            (pol.horizon, pol.level, pol.ending_inventory, pol.ending_units),
            lambda: row_layout(inputs.demand, inputs.tables, pol),
        )
    except (SupplyInputError, KeyError):
        return None


@dataclass
class Evaluation:
    """One scenario's plan and figures.

    demand: the scenario's demand by SKU x month (regions summed). kpis:
    `sop.finance.kpis.plan_kpis` (empty when the plan failed; see plan.status and
    plan.explanation). budget: `statement.budget_kpis` (budget and the plan over
    the budget's months). pnl: `statement.family_pnl`. risk: P10/P50/P90 of revenue,
    margin, fill and on-time rate, every demand path re-planned through this plan's
    capacity (`sop.finance.risk`; None with `with_risk=False`)."""

    levers: Levers
    plan: PlanResult
    demand: pd.DataFrame
    kpis: dict[str, float]
    budget: dict[str, float]
    pnl: pd.DataFrame
    risk: risk.Risk | None
    ms: float

    @property
    def ok(self) -> bool:
        return self.plan.ok


def evaluate(
    demand: pd.DataFrame | DemandBase,
    tables: dict[str, pd.DataFrame],
    levers: Levers,
    policy: SupplyPolicy | None = None,
    with_risk: bool = True,
) -> Evaluation:
    """Evaluate `levers` on a consensus demand plan (or its `prepare_demand`) and a
    dataset's tables. Bad levers or impossible settings do not raise: the plan's
    status and explanation say what is wrong and the figures are empty."""
    t0 = time.perf_counter()
    policy = policy or SupplyPolicy()
    base = demand if isinstance(demand, DemandBase) else prepare_demand(demand)

    def done(plan: PlanResult, d: pd.DataFrame, **figures) -> Evaluation:
        return Evaluation(
            levers,
            plan,
            d,
            figures.get("k", {}),
            figures.get("b", {}),
            figures.get("pnl", pd.DataFrame()),
            figures.get("r"),
            1000 * (time.perf_counter() - t0),
        )

    try:
        inputs = apply_levers(base, tables, policy, levers)
    except ValueError as exc:
        return done(
            PlanResult("invalid", f"The levers are not valid: {exc}.", policy),
            pd.DataFrame(columns=PLAN_COLUMNS),
        )
    d, t = inputs.demand, inputs.tables
    plan, prepared = solve_plan_and_inputs(
        d,
        t,
        inputs.policy,
        sku_detail=False,
        targets=getattr(levers, "targets", ()),
        layout=_layout(base, tables, inputs),
    )
    if not plan.ok:
        return done(plan, d)
    pnl = statement.family_pnl(plan, t)
    bud = statement.budget_kpis(pnl, tables[schema.BUDGET]) if schema.BUDGET in tables else {}
    # the ranges re-plan every demand path through this plan's capacity (`sop.finance.risk`)
    rk = risk.plan_risk(plan, prepared, inputs.sigma) if with_risk and prepared else None
    return done(plan, d, k=kpis.plan_kpis(plan, t[schema.PRODUCTS]), b=bud, pnl=pnl, r=rk)


def scenario_bridge(ev: Evaluation, base: Evaluation, products: pd.DataFrame) -> pd.DataFrame:
    """`sop.finance.bridge.margin_bridge` from `base` to `ev`, with the price levers'
    change per family, so only a price lever makes a Price step (SKU mix inside a
    family is Mix)."""
    change = price_change(base.levers, ev.levers)
    return margin_bridge(base.plan, ev.plan, products, change)
