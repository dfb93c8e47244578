"""Scenario KPIs from a supply plan: the figures the pre-S&OP meeting argues about.

Definitions (money in the dataset's currency, over the plan horizon):
- revenue: price x units served (the plan's revenue);
- cogs: material + line hours + overtime + wages + hiring + layoffs +
  subcontracting + stock change (the plan's cost terms except holding and backlog);
- gross_margin = revenue - cogs - holding - backlog costs (as the LP counts it);
- fill_rate = units served / units demanded (NaN without demand);
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
- utilisation of lines: load hours / available regular hours (avg and peak).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
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
    unit: str  # money, units, pct, days, turns, hours, people, unit-months
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
KPI_BY_KEY = {k.key: k for k in KPIS}


def _family_sums(plan: PlanResult) -> pd.DataFrame:
    return plan.family_plan.groupby(schema.FAMILY)[
        ["shipped", "revenue", "material_cost", "lost_sales"]
    ].sum()


def family_unit_values(plan: PlanResult, products: pd.DataFrame) -> pd.DataFrame:
    """Per family: price (revenue / units served) and unit_cost (cogs / units served).

    Columns: family, price, unit_cost, lost_sales, shipped (units served). Families that
    served nothing fall back to the average list price and material cost of their SKUs
    (and those that served only from stock, to that material cost).
    """
    g = _family_sums(plan)
    cost_share = _cogs(plan) / max(float(g["material_cost"].sum()), 1e-9)
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


def _term(plan: PlanResult, term: str) -> float:
    c = plan.costs
    return float(c["amount"].to_numpy()[c["term"].to_numpy() == term].sum())


def _cogs(plan: PlanResult) -> float:
    c = plan.costs
    return float(c["amount"].to_numpy()[np.isin(c["term"].to_numpy(), COGS_TERMS)].sum())


def utilisation(plan: PlanResult) -> pd.DataFrame:
    """Per line: resource, plant, name, avg and peak utilisation (load / regular hours)."""
    ru = plan.resource_use
    lines = ru[ru[schema.KIND] == schema.KIND_LINE]
    u = lines["utilisation"].replace(np.inf, np.nan)
    g = (
        lines.assign(_u=u)
        .groupby([schema.RESOURCE, schema.PLANT, schema.NAME], as_index=False)
        .agg(load=("load_hours", "sum"), avail=("available_hours", "sum"), peak=("_u", "max"))
    )
    g["avg"] = g["load"] / g["avail"].where(g["avail"] > 0)
    # a line shut down all horizon (capacity lever -100 %) and idle is 0 % used, not unknown
    g.loc[(g["avail"] <= 0) & (g["load"] <= 0), "avg"] = 0.0
    return g[[schema.RESOURCE, schema.PLANT, schema.NAME, "avg", "peak"]]


def plan_kpis(plan: PlanResult, products: pd.DataFrame) -> dict[str, float]:
    """Every KPI in `KPIS` for an optimal plan (see the module docstring)."""
    k = plan.kpis
    fp = plan.family_plan
    unit = family_unit_values(plan, products)
    cost_of = dict(zip(unit[schema.FAMILY], unit["unit_cost"]))
    inv_value = fp["inventory"].to_numpy() * fp[schema.FAMILY].map(cost_of).to_numpy(dtype=float)
    month = fp[schema.MONTH].to_numpy()
    months = np.unique(month)
    by_month = np.array([inv_value[month == m].sum() for m in months])
    cogs = _cogs(plan)
    n_months = max(len(months), 1)
    demand_per_day = float(fp["demand"].sum()) / n_months / DAYS_PER_MONTH
    line = (plan.resource_use[schema.KIND] == schema.KIND_LINE).to_numpy()
    ru = plan.resource_use[line]
    u = ru["utilisation"].replace(np.inf, np.nan)
    load = ru.groupby(schema.RESOURCE)[["load_hours", "available_hours"]].sum()
    avg = load["load_hours"] / load["available_hours"].where(load["available_hours"] > 0)
    avg_inv_value = float(by_month.mean()) if len(by_month) else 0.0
    sold_cost = float((unit["shipped"] * unit["unit_cost"]).sum())
    demand, revenue = float(k["demand_units"]), float(k["revenue"])
    return {
        "revenue": k["revenue"],
        "cogs": cogs,
        "gross_margin": k["gross_margin"],
        "gross_margin_pct": k["gross_margin"] / revenue if abs(revenue) > 1e-9 else np.nan,
        "fill_rate": k["served_units"] / demand if demand > 1e-9 else np.nan,
        "demand_units": k["demand_units"],
        "served_units": k["served_units"],
        "lost_units": k["lost_units"],
        "lost_value": float((unit["lost_sales"] * unit["price"]).sum()),
        "ending_backlog_units": k["ending_backlog_units"],
        "below_safety_stock": float(k.get("below_safety_stock_unit_months", np.nan)),
        "ending_inventory_units": k["ending_inventory_units"],
        "ending_inventory_value": float(by_month[-1]) if len(by_month) else 0.0,
        "days_of_supply": (
            k["ending_inventory_units"] / demand_per_day if demand_per_day > 1e-9 else np.nan
        ),
        "inventory_turns": (
            sold_cost * 12 / n_months / avg_inv_value if avg_inv_value > 1e-9 else np.nan
        ),
        "avg_utilisation": float(avg.mean()) if avg.notna().any() else 0.0,  # all shut: 0
        "peak_utilisation": float(u.max()) if u.notna().any() else 0.0,
        "overtime_hours": k["overtime_hours"],
        "overtime_cost": _term(plan, "overtime"),
        "subcontract_units": k["subcontract_units"],
        "subcontract_cost": _term(plan, "subcontract"),
        "hires": k["hires"],
        "layoffs": k["layoffs"],
    }


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
