"""Financial views of a plan: P&L by family and month, against the budget.

Conversion costs (line hours, wages, overtime, hiring, layoffs) are booked on
resources, not families; they are allocated to families in proportion to the
hours their production takes (production x hours per unit on each resource,
from the bill of resources), month by month and resource by resource. So the
family P&L adds up to the plan's totals exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema
from sop.supply import capacity
from sop.supply.plan import PlanResult

CONVERSION = ("regular_cost", "overtime_cost", "hiring_cost", "layoff_cost")
PNL_COLUMNS = [
    schema.MONTH,
    schema.FAMILY,
    "demand_units",
    "units",
    schema.REVENUE,
    "material",
    "conversion",
    "subcontract",
    "inventory",
    "cogs",
    schema.MARGIN,
]


def _family_hours(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Average hours per unit by family and resource: family, resource, hours_per_unit."""
    hpu = capacity.hours_per_unit(tables[schema.PRODUCTS], tables[schema.BILL_OF_RESOURCES])
    fam = tables[schema.PRODUCTS].drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
    hpu = hpu.assign(**{schema.FAMILY: hpu[schema.SKU].map(fam)})
    return hpu.groupby([schema.FAMILY, schema.RESOURCE], as_index=False)[
        schema.HOURS_PER_UNIT
    ].mean()


def family_pnl(plan: PlanResult, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Monthly P&L per family. Columns `PNL_COLUMNS` (money in the dataset currency):
    demand_units, units (served), revenue, material, conversion (allocated),
    subcontract, inventory (holding + backlog + stock change), cogs, margin.

    Sums over families equal the plan's revenue and gross margin.
    """
    fp = plan.family_plan.groupby([schema.MONTH, schema.FAMILY], as_index=False)[
        [
            "demand",
            "shipped",
            "production",
            "revenue",
            "material_cost",
            "subcontract_cost",
            "holding_cost",
            "backlog_cost",
            "inventory_change",
        ]
    ].sum()
    ru = plan.resource_use
    conv = ru.assign(cost=ru[list(CONVERSION)].fillna(0).sum(axis=1))[
        [schema.RESOURCE, schema.MONTH, "cost"]
    ]
    hours = fp[[schema.MONTH, schema.FAMILY, "production"]].merge(
        _family_hours(tables), on=schema.FAMILY
    )
    hours["h"] = hours["production"] * hours[schema.HOURS_PER_UNIT]
    hours["share"] = hours["h"] / hours.groupby([schema.RESOURCE, schema.MONTH])["h"].transform(
        "sum"
    )
    alloc = hours.merge(conv, on=[schema.RESOURCE, schema.MONTH], how="left")
    alloc["conversion"] = alloc["share"].fillna(0) * alloc["cost"].fillna(0)
    by_fm = alloc.groupby([schema.MONTH, schema.FAMILY])["conversion"].sum()
    out = fp.set_index([schema.MONTH, schema.FAMILY])
    out["conversion"] = by_fm.reindex(out.index).fillna(0.0)
    # resource-months nobody produced on still cost money: spread them by revenue share
    unallocated = float(conv["cost"].sum()) - float(out["conversion"].sum())
    if abs(unallocated) > 1e-6:
        rev = out["revenue"].clip(lower=0)
        weight = rev / rev.sum() if rev.sum() > 0 else pd.Series(1 / len(out), out.index)
        out["conversion"] += unallocated * weight
    out = out.reset_index().rename(
        columns={
            "demand": "demand_units",
            "shipped": "units",
            "material_cost": "material",
            "subcontract_cost": "subcontract",
        }
    )
    out["inventory"] = out["holding_cost"] + out["backlog_cost"] + out["inventory_change"]
    out["cogs"] = out["material"] + out["conversion"] + out["subcontract"] + out["inventory"]
    out[schema.MARGIN] = out["revenue"] - out["cogs"]
    return out[PNL_COLUMNS].sort_values([schema.FAMILY, schema.MONTH], ignore_index=True)


def versus_budget(pnl: pd.DataFrame, budget: pd.DataFrame) -> pd.DataFrame:
    """Plan against budget by family and month, over the months both cover.

    Columns: month, family, units, revenue, margin (plan), budget_units,
    budget_revenue, budget_margin, revenue_gap, margin_gap (plan - budget).
    """
    plan = pnl[[schema.MONTH, schema.FAMILY, "units", schema.REVENUE, schema.MARGIN]]
    bud = budget.rename(
        columns={
            schema.UNITS: "budget_units",
            schema.REVENUE: "budget_revenue",
            schema.MARGIN: "budget_margin",
        }
    )
    out = plan.merge(bud, on=[schema.MONTH, schema.FAMILY], how="inner")
    out["revenue_gap"] = out[schema.REVENUE] - out["budget_revenue"]
    out["margin_gap"] = out[schema.MARGIN] - out["budget_margin"]
    return out.sort_values([schema.FAMILY, schema.MONTH], ignore_index=True)


def budget_kpis(pnl: pd.DataFrame, budget: pd.DataFrame) -> dict[str, float]:
    """Budget revenue, margin, margin % and units over the plan months it covers,
    and the plan's figures over the same months (keys prefixed `plan_`)."""
    vb = versus_budget(pnl, budget)
    if vb.empty:
        return {}
    rev, mar = float(vb["budget_revenue"].sum()), float(vb["budget_margin"].sum())
    prev, pmar = float(vb[schema.REVENUE].sum()), float(vb[schema.MARGIN].sum())
    return {
        "revenue": rev,
        "gross_margin": mar,
        "gross_margin_pct": mar / rev if rev else np.nan,
        "served_units": float(vb["budget_units"].sum()),
        "plan_revenue": prev,
        "plan_gross_margin": pmar,
        "plan_gross_margin_pct": pmar / prev if prev else np.nan,
        "plan_served_units": float(vb["units"].sum()),
        "months": float(vb[schema.MONTH].nunique()),
    }


def unbudgeted_families(families, budget: pd.DataFrame | None) -> list[str]:
    """The `families` (e.g. the plan's) that have no row in a non-empty `budget`: every
    comparison with the budget leaves them out. [] without a budget."""
    if budget is None or budget.empty:
        return []
    return sorted(set(families) - set(budget[schema.FAMILY]))


def budget_scope_note(families, budget: pd.DataFrame | None) -> str | None:
    """One sentence naming the families the budget covers when it covers only some of
    `families`; None when it covers them all (or there is no budget)."""
    missing = unbudgeted_families(families, budget)
    if not missing:
        return None
    covered = sorted(set(budget[schema.FAMILY]))
    return (
        f"The budget covers {', '.join(covered)} only: {', '.join(missing)} "
        f"{'has' if len(missing) == 1 else 'have'} no budget and "
        f"{'is' if len(missing) == 1 else 'are'} left out of every comparison with it."
    )
