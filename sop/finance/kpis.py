"""The one KPI catalogue: each figure of a plan defined once, read by `plan_kpis`.

A `Kpi` has its key, label, unit, better direction, definition (`help`) and why it
may be undefined (NaN, shown as "–"). `KPIS`: the scenario KPIs (Scenarios, Compare,
Executive, the pack); `PLAN_KPIS`: figures of the supply plan itself (Supply page,
`python -m sop plan`); `KPI_BY_KEY` holds both.

Definitions (money in the dataset's currency, over the plan horizon):
- revenue: price x units served (the plan's revenue);
- cogs: material + line hours + overtime + wages + hiring + layoffs +
  subcontracting + stock change (the plan's cost terms except holding and backlog);
- gross_margin = revenue - cogs - holding - backlog costs (as the LP counts it);
- fill_rate = units served / units demanded (NaN without demand); on_time_rate =
  units delivered in the month ordered / units demanded (NaN without demand);
- gross_margin_pct = gross margin / revenue (NaN without revenue);
- lost_value = lost units x the family's average price in the plan;
- ending_inventory_value = month-end units of the last month x the family's
  average cost of goods per unit served;
- days_of_supply = ending inventory / average daily demand of the horizon (30.4 days a
  month; NaN without demand);
- inventory_turns = annualised cost of the units served (units served x the family's
  cost of goods per unit, which sums to cogs) / average inventory value, both at the
  same unit cost (NaN without inventory; 0 when nothing is sold, even though wages
  still make a cogs);
- below_safety_stock = units below the safety-stock target, summed over the months
  (the LP may fall short of safety stock at a penalty, to save cost);
- utilisation of lines: load hours / available regular hours
  (`sop.supply.capacity.line_utilisation`; average over the lines and peak month);
- penalties = lost-sale goodwill + below-safety-stock penalties; objective = gross
  margin - penalties (what the LP maximises).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.supply import capacity
from sop.supply.plan import PlanResult

COGS_TERMS = (
    "material",
    "line_hours",
    "overtime",
    "wages",
    "hiring",
    "layoffs",
    "subcontract",
    "inventory_change",
)
DAYS_PER_MONTH = 30.4


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str  # money, units, pct, days, turns, hours, people, unit-months, resource-months
    better: str  # "up", "down" or "" (neither: volume-driven costs, utilisation, ...)
    help: str = ""  # the definition, for tooltips
    undefined: str = ""  # when it is undefined (NaN): why, e.g. "there is no demand"


NO_DEMAND = "there is no demand"
KPIS: tuple[Kpi, ...] = (
    Kpi("revenue", "Revenue", "money", "up", "Price x units served, over the horizon."),
    # costs that follow volume: more sales cost more, so lower is not simply better
    Kpi(
        "cogs",
        "Cost of goods sold",
        "money",
        "",
        "Material, line hours, overtime, "
        "wages, hiring, layoffs, subcontracting and the stock change.",
    ),
    Kpi(
        "gross_margin",
        "Gross margin",
        "money",
        "up",
        "Revenue - cost of goods sold - holding and backlog costs.",
    ),
    Kpi(
        "gross_margin_pct",
        "Gross margin %",
        "pct",
        "up",
        "Gross margin / revenue.",
        "there is no revenue",
    ),
    Kpi(
        "fill_rate",
        "Fill rate (served / demanded)",
        "pct",
        "up",
        "Units served / units demanded, over the horizon.",
        NO_DEMAND,
    ),
    Kpi("demand_units", "Demand", "units", "", "Units demanded over the horizon."),
    Kpi("served_units", "Units served", "units", "up", "Units delivered to customers."),
    Kpi("lost_units", "Lost sales", "units", "down", "Units demanded and never served."),
    Kpi(
        "lost_value",
        "Lost sales value",
        "money",
        "down",
        "Lost units x the family's average price.",
    ),
    Kpi(
        "ending_backlog_units",
        "Backlog at the end",
        "units",
        "down",
        "Units still owed to customers after the last month.",
    ),
    Kpi(
        "below_safety_stock",
        "Below safety stock",
        "unit-months",
        "down",
        "Units below "
        "the safety-stock target, summed over the months (the plan may run below safety "
        "stock at a penalty, to save cost).",
    ),
    Kpi(
        "ending_inventory_units",
        "Ending inventory",
        "units",
        "",
        "Units in stock after the last month.",
    ),
    Kpi(
        "ending_inventory_value",
        "Ending inventory value",
        "money",
        "down",
        "Stock after the last month x the family's cost of goods per unit.",
    ),
    Kpi(
        "days_of_supply",
        "Days of supply at the end",
        "days",
        "",
        "Ending stock / average daily demand of the horizon.",
        NO_DEMAND,
    ),
    Kpi(
        "inventory_turns",
        "Inventory turns",
        "turns",
        "up",
        "Cost of goods sold a year / average inventory value.",
        "there is no inventory",
    ),
    Kpi(
        "avg_utilisation",
        "Line utilisation, average",
        "pct",
        "",
        "Load hours / available regular hours of the lines, over the horizon.",
    ),
    Kpi(
        "peak_utilisation",
        "Line utilisation, peak month",
        "pct",
        "",
        "The highest monthly load / regular hours of any line.",
    ),
    Kpi("overtime_hours", "Overtime", "hours", "", "Overtime hours of lines and workers."),
    Kpi("overtime_cost", "Overtime cost", "money", "", "Cost of the overtime hours."),
    Kpi("subcontract_units", "Subcontracted", "units", "", "Units bought from subcontractors."),
    Kpi("subcontract_cost", "Subcontract cost", "money", "", "Cost of the subcontracted units."),
    Kpi("hires", "Hires", "people", "", "People hired over the horizon."),
    Kpi("layoffs", "Layoffs", "people", "down", "People laid off over the horizon."),
)
PLAN_KPIS: tuple[Kpi, ...] = (
    Kpi(
        "on_time_rate",
        "On-time fill rate",
        "pct",
        "up",
        "Units delivered in the month ordered / units demanded, over the horizon.",
        NO_DEMAND,
    ),
    Kpi("production_units", "Made in-house", "units", "", "Units made on the lines."),
    Kpi("backlog_unit_months", "Backlog", "unit-months", "down", "Month-end backlog, summed."),
    Kpi("average_inventory_units", "Average inventory", "units", "", "Month-end stock, averaged."),
    Kpi(
        "penalties",
        "Penalties",
        "money",
        "down",
        "Lost-sale goodwill and below-safety-stock penalties: they steer the plan but "
        "are not P&L costs.",
    ),
    Kpi("objective", "Plan objective", "money", "up", "Gross margin - penalties."),
    Kpi(
        "binding_resource_months",
        "Binding resource-months",
        "resource-months",
        "",
        "Resource-months where one more regular hour would raise the objective.",
    ),
)
KPI_BY_KEY = {k.key: k for k in KPIS + PLAN_KPIS}


def family_unit_values(plan: PlanResult, products: pd.DataFrame) -> pd.DataFrame:
    """Per family: price (revenue / units served) and unit_cost (cogs / units served).

    Columns: family, price, unit_cost, lost_sales, shipped (units served). Families that
    served nothing fall back to the average list price and material cost of their SKUs
    (and those that served only from stock, to that material cost).
    """
    g = plan.family_plan.groupby(schema.FAMILY)[
        ["shipped", "revenue", "material_cost", "lost_sales"]
    ].sum()
    cost_share = cost_sum(plan, COGS_TERMS) / max(float(g["material_cost"].sum()), 1e-9)
    fallback = products.groupby(schema.FAMILY)[[schema.LIST_PRICE, schema.MATERIAL_COST]].mean()
    g = g.reindex(g.index.union(fallback.index)).fillna(0.0)
    served = g["shipped"].to_numpy() > 1e-9
    ship = np.where(served, g["shipped"].to_numpy(), 1.0)
    price = np.where(
        served,
        g["revenue"].to_numpy() / ship,
        fallback[schema.LIST_PRICE].reindex(g.index).to_numpy(),
    )
    # served only from stock (nothing made, no material booked): the SKUs' material cost
    costed = served & (g["material_cost"].to_numpy() > 1e-9)
    cost = np.where(
        costed,
        g["material_cost"].to_numpy() * cost_share / ship,
        fallback[schema.MATERIAL_COST].reindex(g.index).to_numpy(),
    )
    return pd.DataFrame(
        {
            schema.FAMILY: g.index,
            "price": price,
            "unit_cost": cost,
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
    fp = fp.sort_values(schema.MONTH, kind="stable")
    item = [fp[c] for c in (schema.FAMILY, schema.PLANT, schema.SKU) if c in fp.columns]
    last = (fp[schema.MONTH] == fp[schema.MONTH].max()).to_numpy()
    backlog = fp["backlog"]
    # backlog added in a month: units ordered in it and not delivered in it
    late = (backlog - backlog.groupby(item, dropna=False).shift(fill_value=0.0)).clip(lower=0.0)
    demand, lost = float(fp["demand"].sum()), float(fp["lost_sales"].sum())
    ending_backlog = float(backlog[last].sum())
    served, on_time = demand - lost - ending_backlog, demand - lost - float(late.sum())
    return {
        "demand_units": demand,
        "served_units": served,
        "lost_units": lost,
        "ending_backlog_units": ending_backlog,
        "fill_rate": served / demand if demand > 1e-9 else np.nan,
        "on_time_rate": on_time / demand if demand > 1e-9 else np.nan,
        "backlog_unit_months": float(backlog.sum()),
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
        "binding_resource_months": float((ru["shadow_price"] > 1e-6).sum()),
    }


def plan_kpis(plan: PlanResult, products: pd.DataFrame) -> dict[str, float]:
    """Every KPI of the catalogue (`KPIS`, then `PLAN_KPIS`) for an optimal plan (see
    the module docstring); NaN where a KPI is undefined (`Kpi.undefined` says why)."""
    fp = plan.family_plan
    unit = family_unit_values(plan, products)
    cost_of = dict(zip(unit[schema.FAMILY], unit["unit_cost"]))
    inv_value = fp["inventory"].to_numpy() * fp[schema.FAMILY].map(cost_of).to_numpy(dtype=float)
    month = fp[schema.MONTH].to_numpy()
    months = np.unique(month)
    by_month = np.array([inv_value[month == m].sum() for m in months])
    n_months = max(len(months), 1)
    k = _service(fp) | _resources(plan)
    demand_per_day = k["demand_units"] / n_months / DAYS_PER_MONTH
    avg_inv_value = float(by_month.mean()) if len(by_month) else 0.0
    sold_cost = float((unit["shipped"] * unit["unit_cost"]).sum())
    revenue, margin = _kind_sum(plan, "revenue"), gross_margin(plan)
    penalties = _kind_sum(plan, "penalty")
    k |= {
        "revenue": revenue,
        "cogs": cost_sum(plan, COGS_TERMS),
        "gross_margin": margin,
        "gross_margin_pct": margin / revenue if abs(revenue) > 1e-9 else np.nan,
        "lost_value": float((unit["lost_sales"] * unit["price"]).sum()),
        "ending_inventory_value": float(by_month[-1]) if len(by_month) else 0.0,
        "days_of_supply": (
            k["ending_inventory_units"] / demand_per_day if demand_per_day > 1e-9 else np.nan
        ),
        "inventory_turns": (
            sold_cost * 12 / n_months / avg_inv_value if avg_inv_value > 1e-9 else np.nan
        ),
        "penalties": penalties,
        "objective": margin - penalties,
    }
    return {kpi.key: k[kpi.key] for kpi in KPIS + PLAN_KPIS}


def summary(k: Mapping[str, float], currency: str = "EUR") -> str:
    """One sentence on a plan from its `plan_kpis`: margin, revenue, service, lost
    sales and binding resource-months."""
    return (
        f"Gross margin {fmt.money(k['gross_margin'], currency)} on revenue "
        f"{fmt.money(k['revenue'], currency)}; {fmt.pct(k['fill_rate'])} of demand "
        f"served ({fmt.pct(k['on_time_rate'])} on time); "
        f"{fmt.units(k['lost_units'])} lost; {k['binding_resource_months']:,.0f} "
        "binding resource-month(s)."
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
