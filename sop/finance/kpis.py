"""The one KPI catalogue: each figure of a plan defined once, read by `plan_kpis`.

The catalogue itself (`Kpi`, `KPIS`, `PLAN_KPIS`, `KPI_BY_KEY`: key, label, unit,
better direction, definition, why it may be undefined) is `sop.finance.catalogue`,
imported here so `sop.finance.kpis` stays the one place to read KPIs from.

Definitions (money in the dataset's currency, over the plan horizon):
- revenue: price x units booked, in the month they ship (or are ordered, by the plan
  setting `revenue_recognition`; `sop.supply.standard`);
- cogs: standard cost of the units booked (material + standard hours: lines at their
  regular rates, labour at the budget's absorption rate) + production variances (idle
  time, overtime premium, hiring, layoffs, subcontract price variance) = material +
  line hours + overtime + wages + hiring + layoffs + subcontracting + stock drawn at
  standard cost (the cost table's terms except holding, backlog and promotion);
- gross_margin = revenue - cogs - holding - backlog costs - the cost of a promotion a
  scenario adds (the P&L's margin, `sop.finance.statement.family_pnl`; every "cost"
  term of the cost table);
- service, as `sop.supply.service` defines it (oldest orders served first):
  fill_rate = units ordered and delivered within the horizon / units demanded;
  on_time_rate = units delivered in the month ordered / units demanded (both NaN
  without demand); late_units = units demanded - units lost - units delivered in the
  month ordered (shipped in a later month, or still owed at the end: each unit once);
  late_unit_months = month-end backlog summed over the months (how long they wait: a
  unit two months late counts 2); late_value = late units x the family's average price
  in the plan (the revenue that ships late);
- gross_margin_pct = gross margin / revenue (NaN without revenue);
- lost_value = lost units x the family's average price in the plan;
- ending_inventory_value = month-end units of the last month x their standard cost;
- days_of_supply = ending inventory / average daily demand of the horizon (30.4 days a
  month; NaN without demand);
- inventory_turns = annualised standard cost of the units booked / average month-end
  inventory value at standard cost (NaN without inventory; 0 when nothing is sold);
- below_safety_stock = max(0, safety-stock target - month-end stock) per item and
  month, summed over the months (the LP may fall short of safety stock at a penalty,
  to save cost; with no penalty it still reports the shortfall);
- utilisation of lines: load hours / available regular hours
  (`sop.supply.capacity.line_utilisation`; average over the lines and peak month);
- penalties = lost-sale goodwill + below-safety-stock penalties; objective = gross
  margin - penalties - the LP's own stock valuation (stock at what it costs to make
  or buy, not standard: `sop.supply.results.cost_table`): what the LP maximises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.finance.catalogue import KPIS, PLAN_KPIS
from sop.finance.kpi_text import service_pct
from sop.supply import capacity, service
from sop.supply.limit_kinds import LABEL, kind_rank, plan_limits
from sop.supply.plan import PlanResult
from sop.supply.results import MAKE_AND_BUY

COGS_TERMS = (*MAKE_AND_BUY, "inventory_change")
DAYS_PER_MONTH = 30.4


def family_unit_values(plan: PlanResult, products: pd.DataFrame) -> pd.DataFrame:
    """Per family: price (revenue / units served) and unit_cost (standard cost per unit
    sold, `sop.supply.standard`), over the horizon.

    Columns: family, price, unit_cost, lost_sales, shipped (units served). A family that
    sold nothing is costed at its stock's standard cost, else its SKUs' average
    material cost, and priced at their average list price.
    """
    fp = plan.family_plan
    cols = ["shipped", "revenue", "lost_sales", "standard_cogs", "stock_value", "inventory"]
    g = fp.groupby(schema.FAMILY)[[c for c in cols if c in fp.columns]].sum()
    g = g.reindex(columns=cols).fillna(0.0)
    fallback = products.groupby(schema.FAMILY)[[schema.LIST_PRICE, schema.MATERIAL_COST]].mean()
    g = g.reindex(g.index.union(fallback.index)).fillna(0.0)

    def per(num: str, den: str, other: np.ndarray) -> np.ndarray:
        d = g[den].to_numpy()
        ok = (d > 1e-9) & (np.abs(g[num].to_numpy()) > 1e-9)
        return np.where(ok, g[num].to_numpy() / np.where(ok, d, 1.0), other)

    material = fallback[schema.MATERIAL_COST].reindex(g.index).to_numpy()
    return pd.DataFrame(
        {
            schema.FAMILY: g.index,
            "price": per("revenue", "shipped", fallback[schema.LIST_PRICE].reindex(g.index)),
            "unit_cost": per("standard_cogs", "shipped", per("stock_value", "inventory", material)),
            "lost_sales": g["lost_sales"].to_numpy(),
            "shipped": g["shipped"].to_numpy(),
        }
    )


def _kind_sum(plan: PlanResult, kind: str) -> float:
    c = plan.costs
    return float(c["amount"].to_numpy(dtype=float)[c["kind"].to_numpy() == kind].sum())


def cost_sum(plan: PlanResult, terms: Iterable[str]) -> float:
    """The plan's cost-table amounts of `terms` (`sop.supply.results.COST_TERMS`), summed."""
    c = plan.costs
    hit = np.isin(c["term"].to_numpy(), list(terms))
    return float(c["amount"].to_numpy(dtype=float)[hit].sum())


def gross_margin(plan: PlanResult) -> float:
    """Revenue - every cost of the plan's cost table (penalties are not costs): the
    `gross_margin` KPI, for a plan or a snapshot of one (which keeps the cost table)."""
    return _kind_sum(plan, "revenue") - _kind_sum(plan, "cost")


def _service(fp: pd.DataFrame) -> dict[str, float]:
    """Demand, service and stock KPIs of a family plan (in units)."""
    last = (fp[schema.MONTH] == fp[schema.MONTH].max()).to_numpy()
    return service.plan_service(fp) | {
        "production_units": float(fp["production"].sum()),
        "subcontract_units": float(fp["subcontracted"].sum()),
        "below_safety_stock": float(fp["below_safety_stock"].sum()),
        "average_inventory_units": float(fp.groupby(schema.MONTH)["inventory"].sum().mean()),
        "ending_inventory_units": float(fp.loc[last, "inventory"].sum()),
    }


def _resources(plan: PlanResult) -> dict[str, float]:
    """Utilisation, overtime, subcontracting and workforce KPIs of a plan."""
    ru = plan.resource_use
    lines = capacity.line_utilisation(ru)
    # a line without regular hours all along has no average; all lines so: 0
    avg = lines["avg"].where(lines[schema.AVAILABLE_HOURS] > 0)
    return {
        "avg_utilisation": float(avg.mean()) if avg.notna().any() else 0.0,
        "peak_utilisation": float(lines["peak"].max()) if lines["peak"].notna().any() else 0.0,
        "overtime_hours": float(ru["overtime_hours"].sum()),
        "overtime_cost": cost_sum(plan, ("overtime",)),
        "subcontract_cost": cost_sum(plan, ("subcontract",)),
        "hires": float(ru["hires"].sum(skipna=True)),
        "layoffs": float(ru["layoffs"].sum(skipna=True)),
        # every limit that binds, as the bottleneck table lists them
        "binding_resource_months": float(len(plan.bottlenecks)),
    }


def binding_kinds(plan: PlanResult) -> dict[str, int]:
    """The binding limit-months of a plan (the rows of its bottleneck table,
    `sop.supply.explain.bottlenecks`) counted by kind, in the one vocabulary of
    `sop.supply.limit_kinds` (line, labour pool, family capacity, supplier cap,
    subcontract cap); most first, a tie in `KIND_ORDER`."""
    b = plan.bottlenecks
    if b.empty:
        return {}
    lim = plan_limits(plan)
    key = ["constraint", schema.RESOURCE]
    kinds = b.merge(lim[[*key, "kind"]], on=key, how="left")["kind"]
    counts = kinds.fillna("other").value_counts()
    rank = kind_rank(pd.Series(counts.index, index=counts.index))
    order = sorted(counts.index, key=lambda k: (-counts[k], rank[k]))
    return {str(k): int(counts[k]) for k in order}


def binding_text(n: float, kinds: Mapping[str, int] | None = None) -> str:
    """ "19 binding limit-months: supplier cap 18, labour pool 1" (the kinds when given,
    each kind before its count, so "18 supplier cap" is not read as 18 caps)."""
    head = fmt.count(n, "binding limit-month", digits=0)
    if not kinds or n < 0.5:
        return head
    return head + ": " + ", ".join(f"{k} {c:,}" for k, c in kinds.items())


def binding_names(plan: PlanResult, top: int = 3) -> str:
    """The limits that bind most often, by their display name (`limit_kinds`) with
    their months: "line RS-ASM2 18 months, line HC-ASM1 17 months, line RS-ASM1 8
    months + 10 shut; 2 more limits"; '' when nothing binds. The months a limit binds
    at 0 (a line shut, a cap at nothing: more of it adds nothing, reopening it is the
    lever) are counted apart ("+ 10 shut"; "10 months shut" when it binds only so), so
    the months said add up to the bottleneck table's rows, the binding tile's count.
    Plain text: escape it for Markdown."""
    b = plan.bottlenecks
    if b.empty:
        return ""
    key = ["constraint", schema.RESOURCE]
    lim = plan_limits(plan)[[*key, "kind", LABEL]]
    rows = b.merge(lim, on=key, how="left")
    rows[LABEL] = rows[LABEL].fillna(rows[schema.RESOURCE].astype(str))
    # a limit of 0 where it binds: shut (a table without the limits says none is)
    limit = rows["limit"].astype(float) if "limit" in rows else pd.Series(np.nan, rows.index)
    rows["_shut"] = (limit <= 0).astype(int)
    counts = rows.groupby(LABEL, sort=False).agg(
        months=(schema.MONTH, "size"), shut=("_shut", "sum"), kind=("kind", "first")
    )
    counts["rank"] = kind_rank(counts["kind"])
    counts = counts.reset_index().sort_values(
        ["months", "rank", LABEL], ascending=[False, True, True]
    )
    named = ", ".join(
        f"{r[LABEL]} {_months_said(int(r.months), int(r.shut))}"
        for _, r in counts.head(top).iterrows()
    )
    rest = len(counts) - min(top, len(counts))
    return named + (f"; {fmt.count(rest, 'more limit')}" if rest else "")


def _months_said(months: int, shut: int) -> str:
    """ "8 months" (binding while open), "8 months + 10 shut", "10 months shut"."""
    if not shut:
        return fmt.count(months, "month")
    if shut == months:
        return f"{fmt.count(shut, 'month')} shut"
    return f"{fmt.count(months - shut, 'month')} + {shut:,} shut"


def _valued(units: pd.Series, unit: pd.DataFrame) -> float:
    """Units per family x the family's price (`family_unit_values`), summed; NaN when a
    family with units has no price loaded (its value is unknown, not 0)."""
    prices = unit.set_index(schema.FAMILY)["price"]
    price = prices.reindex(units.index)
    known = units.index.isin(prices.index)
    if ((units.to_numpy() > 1e-9) & known & price.isna().to_numpy()).any():
        return np.nan
    return float((units * price.where(known, 0.0).fillna(0.0)).sum())


def late_units(fp: pd.DataFrame) -> pd.Series:
    """Per family of a family plan, the units demanded that are neither delivered in the
    month ordered nor lost: shipped in a later month or still owed at the end, each unit
    once however long it waits (`sop.supply.service`: demand - lost - on time)."""
    if fp.empty:
        return pd.Series(dtype=float, name="late_units")
    out = {}
    for fam, rows in fp.groupby(schema.FAMILY, sort=True):
        k = service.plan_service(rows)
        out[fam] = max(0.0, k["demand_units"] - k["lost_units"] - k["on_time_units"])
    return pd.Series(out, dtype=float, name="late_units")


def _late_value(fp: pd.DataFrame, unit: pd.DataFrame) -> float:
    """Late units x the family's price (`family_unit_values`), summed: the revenue of
    the orders that ship after the month ordered (or are still owed at the end)."""
    return _valued(late_units(fp), unit)


def plan_kpis(plan: PlanResult, products: pd.DataFrame) -> dict[str, float]:
    """Every KPI of the catalogue (`KPIS`, then `PLAN_KPIS`) for an optimal plan (see
    the module docstring); NaN where a KPI is undefined (`Kpi.undefined` says why)."""
    fp = plan.family_plan
    unit = family_unit_values(plan, products)
    inv_value = fp["stock_value"].to_numpy(dtype=float)
    month = fp[schema.MONTH].to_numpy()
    months = np.unique(month)
    by_month = np.array([inv_value[month == m].sum() for m in months])
    n_months = max(len(months), 1)
    k = _service(fp) | _resources(plan)
    demand_per_day = k["demand_units"] / n_months / DAYS_PER_MONTH
    avg_inv_value = float(by_month.mean()) if len(by_month) else 0.0
    sold_cost = float(fp["standard_cogs"].sum())
    revenue, margin = _kind_sum(plan, "revenue"), gross_margin(plan)
    penalties = _kind_sum(plan, "penalty")
    k |= {
        "revenue": revenue,
        "cogs": cost_sum(plan, COGS_TERMS),
        "gross_margin": margin,
        "gross_margin_pct": margin / revenue if abs(revenue) > 1e-9 else np.nan,
        "lost_value": _valued(unit.set_index(schema.FAMILY)["lost_sales"], unit),
        "late_units": max(0.0, k["demand_units"] - k["lost_units"] - k["on_time_units"]),
        "late_value": _late_value(fp, unit),
        "ending_inventory_value": float(by_month[-1]) if len(by_month) else 0.0,
        "days_of_supply": (
            k["ending_inventory_units"] / demand_per_day if demand_per_day > 1e-9 else np.nan
        ),
        "inventory_turns": (
            sold_cost * 12 / n_months / avg_inv_value if avg_inv_value > 1e-9 else np.nan
        ),
        "penalties": penalties,
        "objective": margin - penalties - _kind_sum(plan, "plan"),
    }
    return {kpi.key: k[kpi.key] for kpi in KPIS + PLAN_KPIS}


def priced(k: Mapping[str, float]) -> bool:
    """Whether a plan's `plan_kpis` have money: False when no price is loaded for some
    SKU planned (its revenue, so the plan's, is unknown: NaN, never 0)."""
    return bool(np.isfinite(k.get("revenue", np.nan)))


def summary(
    k: Mapping[str, float],
    currency: str = "EUR",
    kinds: Mapping[str, int] | None = None,
    service: bool = True,
) -> str:
    """One sentence on a plan from its `plan_kpis`: margin, revenue, service (fill
    rate, on time, late units with their value and their unit-months), lost sales and
    binding limit-months (by kind, with `kinds` from `binding_kinds`). `service=False`
    leaves the service clause (rates, late and lost units) out, for a page that says
    them just above in `sop.finance.service_line.shortfall_line`."""
    late = (
        f"{fmt.units(k['late_units'])} ({fmt.money(k['late_value'], currency)}) late, "
        f"{fmt.units(k['late_unit_months'], 'unit-months')} in all"
        if k["late_unit_months"] >= 0.5
        else "nothing late"
    )
    served = (
        f"{service_pct(k['fill_rate'])} of demand delivered within the horizon, "
        f"{service_pct(k['on_time_rate'])} on time; {late}; {fmt.units(k['lost_units'])} lost; "
        if service
        else ""
    )
    return (
        f"Gross margin {fmt.money(k['gross_margin'], currency)} on revenue "
        f"{fmt.money(k['revenue'], currency)}; {served}"
        f"{binding_text(k['binding_resource_months'], kinds)}."
    )


def kpi_table(
    scenario: dict[str, float], baseline: dict[str, float], budget: dict[str, float] | None = None
) -> pd.DataFrame:
    """KPIs side by side. Columns: key, label, unit, better, scenario, baseline,
    delta (scenario - baseline), budget, plan_in_budget_months, vs_budget.

    The budget may cover fewer months than the plan, so `vs_budget` compares
    the scenario over the budget's months (`plan_<key>` in `budget`, from
    `sop.finance.budget_kpis`) with the budget; NaN where the budget has no
    such figure."""
    rows = []
    budget = budget or {}
    for kpi in KPIS:
        s, b = scenario.get(kpi.key, np.nan), baseline.get(kpi.key, np.nan)
        bud = budget.get(kpi.key, np.nan)
        window = budget.get(f"plan_{kpi.key}", np.nan)
        rows.append(
            {
                "key": kpi.key,
                "label": kpi.label,
                "unit": kpi.unit,
                "better": kpi.better,
                "scenario": s,
                "baseline": b,
                "delta": s - b,
                "budget": bud,
                "plan_in_budget_months": window,
                "vs_budget": window - bud,
            }
        )
    return pd.DataFrame(rows)
