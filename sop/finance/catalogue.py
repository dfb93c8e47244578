"""The KPI catalogue: each figure of a plan with its key, label, unit, better
direction, definition (`help`) and why it may be undefined (NaN, shown as "–").

`KPIS`: the scenario KPIs (Scenarios, Compare, Executive, the pack); `PLAN_KPIS`:
figures of the supply plan itself (Supply page, `python -m sop plan`); `KPI_BY_KEY`
holds both. `sop.finance.kpis.plan_kpis` computes them (its docstring has the
formulas); tiles, tables and exports read labels and units from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str  # money, units, pct, days, turns, hours, people, unit-months, limit-months
    better: str  # "up", "down" or "" (neither: volume-driven costs, utilisation, ...)
    help: str = ""  # the definition, for tooltips
    undefined: str = ""  # when it is undefined (NaN): why, e.g. "there is no demand"
    # better only between plans that serve all their demand: a plan that runs out has
    # little stock left, which is no achievement (Compare and the board star it only so)
    served_only: bool = False
    # a volume that grows with demand: better only between plans with the same demand (a
    # plan of demand +40 % serves more units while it loses some; Compare stars it only so)
    same_demand: bool = False


NO_DEMAND = "there is no demand"
NO_PRICE = "no price is loaded for some SKU (add list_price to products or revenue to sales)"
KPIS: tuple[Kpi, ...] = (
    Kpi(
        "revenue",
        "Revenue",
        "money",
        "up",
        "Price x units booked, over the horizon: booked in the month they ship (or are "
        "ordered, as the plan settings say).",
        NO_PRICE,
    ),
    # costs that follow volume: more sales cost more, so lower is not simply better
    Kpi(
        "cogs",
        "Cost of goods sold",
        "money",
        "",
        "Standard cost of the units sold (material + standard hours; labour at the "
        "budget's absorption rate) "
        "+ production variances (idle time, overtime premium, hiring, layoffs, "
        "subcontract price variance).",
    ),
    Kpi(
        "gross_margin",
        "Gross margin",
        "money",
        "up",
        "Revenue - cost of goods sold - holding and backlog costs - the cost of an added "
        "promotion.",
        NO_PRICE,
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
        "Units served / units demanded, over the horizon (served: ordered in the "
        "horizon and delivered within it, on time or late).",
        NO_DEMAND,
    ),
    Kpi(
        "on_time_rate",
        "On-time fill rate",
        "pct",
        "up",
        "Units delivered in the month they were ordered / units demanded, over the "
        "horizon (oldest orders served first).",
        NO_DEMAND,
    ),
    Kpi(
        "late_units",
        "Late deliveries (units)",
        "units",
        "down",
        "Units ordered in the horizon that ship after the month ordered, or are still "
        "owed at the end: demanded - lost - delivered in the month ordered (each unit "
        "once, however long it waits).",
    ),
    Kpi(
        "late_unit_months",
        "Late deliveries (unit-months)",
        "unit-months",
        "down",
        "How long late deliveries wait: units owed to customers at each month end, "
        "summed over the months (a unit delivered two months late counts 2).",
    ),
    Kpi(
        "late_value",
        "Late deliveries (value)",
        "money",
        "down",
        "Late units x the family's average price: the revenue of the orders that ship "
        "after the month ordered (or are still owed at the end).",
        NO_PRICE,
    ),
    Kpi("demand_units", "Demand", "units", "", "Units demanded over the horizon."),
    Kpi(
        "served_units",
        "Units served",
        "units",
        "up",
        "Units delivered to customers.",
        same_demand=True,
    ),
    Kpi("lost_units", "Lost sales", "units", "down", "Units demanded and never served."),
    Kpi(
        "lost_value",
        "Lost sales value",
        "money",
        "down",
        "Lost units x the family's average price.",
        NO_PRICE,
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
        "Stock after the last month x its standard cost.",
        served_only=True,
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
        "Standard cost of the units sold a year / average inventory value at standard cost.",
        "there is no inventory",
        served_only=True,
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
        "on_time_units",
        "Delivered on time",
        "units",
        "up",
        "Units delivered in the month they were ordered.",
    ),
    Kpi("production_units", "Made in-house", "units", "", "Units made on the lines."),
    Kpi("average_inventory_units", "Average inventory", "units", "", "Month-end stock, averaged."),
    Kpi(
        "penalties",
        "Penalties",
        "money",
        "down",
        "Lost-sale goodwill and below-safety-stock penalties: they steer the plan but "
        "are not P&L costs.",
        NO_PRICE,
    ),
    Kpi(
        "objective",
        "Plan objective",
        "money",
        "up",
        "Gross margin - penalties, with stock valued at what it costs to make or buy "
        "(what the plan maximises).",
        NO_PRICE,
    ),
    Kpi(
        "binding_resource_months",
        "Binding limit-months",
        "limit-months",
        "",
        "Months a limit binds (a line's or labour pool's hours, a family's units, a "
        "supplier's or subcontractor's cap): one more hour or unit would raise the "
        "objective. The rows of the Supply page's bottleneck table.",
    ),
)
KPI_BY_KEY = {k.key: k for k in KPIS + PLAN_KPIS}
