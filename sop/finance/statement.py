"""Financial views of a plan: the P&L by family and month at standard cost, against
the budget, and its reconciliation with the cash view.

The P&L books what `sop.supply.standard` computes per item and month: revenue when
it books (the month shipped by default, `SupplyPolicy.revenue_recognition`), the
cost of the units booked at standard cost (material + standard hours: lines at their
regular rates, labour at the budget's absorption rate, `sop.supply.absorption`), and
the production variances as their own lines (idle time, overtime
premium, hiring, layoffs, subcontract price variance, added capacity: the line hours a
scenario adds at a cost), then the holding and backlog
costs and the cost of a promotion a scenario adds (line "promotion", in the promoted
family's rows, in the months it runs). Stock is carried at standard cost, so wages
spent building stock book when the stock sells. Over the horizon, P&L margin = cash
margin (revenue - costs as paid) + the change of stock at standard cost
(`reconciliation`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema
from sop.supply.plan import PlanResult
from sop.supply.policy import RECOGNISE_ORDER, SupplyPolicy
from sop.supply.results import MAKE_AND_BUY, ORDER_VALUE
from sop.supply.standard import VARIANCES

VARIANCE_LINES = {
    "idle_time": "Idle time",
    "overtime_premium": "Overtime premium",
    "hiring": "Hiring",
    "layoffs": "Layoffs",
    "subcontract_variance": "Subcontract price variance",
    "added_capacity": "Added capacity",
}
# `sop.supply.standard.VARIANCES`, in the same order, is where each line's figure lives
assert len(VARIANCE_LINES) == len(VARIANCES), "a P&L line for every variance"
PNL_COLUMNS = [
    schema.MONTH,
    schema.FAMILY,
    "demand_units",
    "units",
    schema.REVENUE,
    ORDER_VALUE,
    "standard_cost",
    "standard_margin",
    *VARIANCE_LINES,
    "variances",
    "cogs",
    "holding",
    "backlog",
    "promotion",
    schema.MARGIN,
    "stock_change",
    "cash_margin",
]
_SOURCES = {
    "demand": "demand_units",
    "booked_units": "units",
    "revenue": schema.REVENUE,
    ORDER_VALUE: ORDER_VALUE,
    "standard_cogs": "standard_cost",
    **dict(zip(VARIANCES, VARIANCE_LINES)),
    "holding_cost": "holding",
    "backlog_cost": "backlog",
    "promotion_cost": "promotion",
    "inventory_change": "stock_drawn",
}


def family_pnl(plan: PlanResult, tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Monthly P&L per family at standard cost (module docstring). Columns
    `PNL_COLUMNS` (money in the dataset currency): demand_units, units (booked:
    shipped, or ordered with order-month revenue), revenue, standard_cost (of the units
    booked), standard_margin (revenue - standard_cost: moves with price and mix only),
    the variances idle_time, overtime_premium, hiring, layoffs, subcontract_variance,
    added_capacity, variances (their sum), cogs (standard_cost + variances), holding,
    backlog, promotion (costs; promotion: what a promotion a scenario adds costs),
    margin (revenue - cogs - holding - backlog - promotion), stock_change (the stock position's
    change at standard cost; + when stock is built), cash_margin (margin -
    stock_change: revenue - costs as paid).

    Sums over families and months equal the plan's revenue and gross margin
    (`sop.finance.kpis`). `tables` is not needed (kept for callers that pass it).
    """
    fp = plan.family_plan
    if "promotion_cost" not in fp:  # a plan saved before promotions had a cost
        fp = fp.assign(promotion_cost=0.0)
    if ORDER_VALUE not in fp:  # a plan made before orders were valued: unknown, never 0
        fp = fp.assign(**{ORDER_VALUE: np.nan})
    # min_count=1: a family-month whose revenue is unknown (no price loaded) stays
    # unknown, never 0 (sop.data.defaults)
    fp = fp.groupby([schema.MONTH, schema.FAMILY], as_index=False)[list(_SOURCES)].sum(min_count=1)
    out = fp.rename(columns=_SOURCES)
    out["promotion"] = out["promotion"].fillna(0.0)  # a cost is never unknown
    out["standard_margin"] = out[schema.REVENUE] - out["standard_cost"]
    out["variances"] = out[list(VARIANCE_LINES)].sum(axis=1)
    out["cogs"] = out["standard_cost"] + out["variances"]
    out[schema.MARGIN] = (
        out[schema.REVENUE] - out["cogs"] - out["holding"] - out["backlog"] - out["promotion"]
    )
    out["stock_change"] = -out["stock_drawn"]
    out["cash_margin"] = out[schema.MARGIN] - out["stock_change"]
    return out[PNL_COLUMNS].sort_values([schema.FAMILY, schema.MONTH], ignore_index=True)


def convention(policy: SupplyPolicy) -> str:
    """The booking convention of the books of plans made under `policy`, in words (the
    Finance page, its export and the docs say it)."""
    when = (
        "in the month ordered (plan setting 'Revenue booked in: Month ordered'); units "
        "ordered and not yet shipped are a cost owed at standard"
        if policy.revenue_recognition == RECOGNISE_ORDER
        else "in the month the units ship: an order delivered late books when it ships"
    )
    return (
        f"Revenue and the cost of goods sold book {when}; lost sales and backlog left at "
        "the end of the horizon never book. Stock is valued at standard cost: material + "
        "standard hours, lines at their regular rates and labour at the budget's "
        "absorption rate (the pool's wages over the hours the budget's volume needs, never "
        "below the wage rate; the wage rate for a pool no budget covers). Idle time (wages "
        "the plan's volume leaves unabsorbed; negative when it uses more hours than the "
        "budget's average month), overtime premium, hiring, layoffs, the subcontract "
        "price variance and the cost of line hours a scenario adds are charged in the month "
        "they occur; the cost of a promotion a scenario adds in the months it runs, to the "
        "promoted family."
    )


RECONCILIATION_COLUMNS = ["step", "amount", "kind"]
CASH_COSTS = (*MAKE_AND_BUY, "holding", "backlog", "promotion")


def reconciliation(plan: PlanResult, pnl: pd.DataFrame) -> pd.DataFrame:
    """The P&L margin over the horizon from the cash view, in three rows (columns
    `RECONCILIATION_COLUMNS`; kind `total` or `delta`):

    - Cash margin: revenue - costs as the plan pays them (material, line hours,
      overtime, added capacity, wages, hiring, layoffs, subcontracting, holding,
      backlog, promotion), from the plan's cost table;
    - + Change in stock at standard cost: ending - opening stock (units x standard
      cost), from the family plan;
    - = P&L margin: the sum of `pnl` (`family_pnl`).

    The first two add up to the third to the cent (`tests/unit/test_books.py`)."""
    c = plan.costs.set_index("term")["amount"]
    cash = float(c.get("revenue", 0.0)) - float(c.reindex(CASH_COSTS).fillna(0.0).sum())
    fp = plan.family_plan
    ending = float(fp.loc[fp[schema.MONTH] == fp[schema.MONTH].max(), "stock_value"].sum())
    opening = ending + float(fp["inventory_change"].sum())
    rows = [
        ("Cash margin (revenue - costs as paid)", cash, "total"),
        ("+ Change in stock at standard cost", ending - opening, "delta"),
        ("= P&L margin (stock at standard cost)", float(pnl[schema.MARGIN].sum()), "total"),
    ]
    return pd.DataFrame(rows, columns=RECONCILIATION_COLUMNS)


VERSUS_BUDGET_COLUMNS = [
    schema.MONTH,
    schema.FAMILY,
    "units",
    schema.REVENUE,
    schema.MARGIN,
    ORDER_VALUE,
    "budget_units",
    "budget_revenue",
    "budget_margin",
    "revenue_gap",
    "margin_gap",
    "demand_gap",
    "supply_gap",
]


def versus_budget(pnl: pd.DataFrame, budget: pd.DataFrame) -> pd.DataFrame:
    """Plan against budget by family and month, over the months both cover, for the
    family-months whose revenue is known (a family with no price loaded is left out:
    `unpriced_note` says so).

    Columns `VERSUS_BUDGET_COLUMNS`: month, family, units, revenue, margin,
    order_value (plan: `family_pnl`), budget_units, budget_revenue, budget_margin,
    revenue_gap, margin_gap (plan - budget), and the revenue gap split in two:
    demand_gap = order_value - budget_revenue (the orders at the plan's prices against
    the budget) and supply_gap = revenue - order_value (orders lost, or shipped and
    booked in another month: negative on a short plan; positive where backlog ordered
    before a month ships in it), so revenue_gap = demand_gap + supply_gap. NaN (unknown)
    where `pnl` has no order_value.
    """
    if ORDER_VALUE not in pnl:
        pnl = pnl.assign(**{ORDER_VALUE: np.nan})
    plan = pnl[[schema.MONTH, schema.FAMILY, "units", schema.REVENUE, schema.MARGIN, ORDER_VALUE]]
    bud = budget.rename(
        columns={
            schema.UNITS: "budget_units",
            schema.REVENUE: "budget_revenue",
            schema.MARGIN: "budget_margin",
        }
    )
    out = plan.merge(bud, on=[schema.MONTH, schema.FAMILY], how="inner")
    out = out[out[schema.REVENUE].notna()]  # no price loaded: nothing to compare
    out["revenue_gap"] = out[schema.REVENUE] - out["budget_revenue"]
    out["margin_gap"] = out[schema.MARGIN] - out["budget_margin"]
    out["demand_gap"] = out[ORDER_VALUE] - out["budget_revenue"]
    out["supply_gap"] = out[schema.REVENUE] - out[ORDER_VALUE]
    return out[VERSUS_BUDGET_COLUMNS].sort_values([schema.FAMILY, schema.MONTH], ignore_index=True)


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


def unpriced_note(pnl: pd.DataFrame, budget: pd.DataFrame | None) -> str | None:
    """One sentence naming the budgeted families whose revenue is unknown (no price
    loaded), left out of every comparison with the budget; None when there are none."""
    if budget is None or budget.empty or pnl.empty:
        return None
    budgeted = pnl.merge(
        budget[[schema.MONTH, schema.FAMILY]].drop_duplicates(), on=[schema.MONTH, schema.FAMILY]
    )
    unknown = sorted(budgeted.loc[budgeted[schema.REVENUE].isna(), schema.FAMILY].unique())
    if not unknown:
        return None
    one = len(unknown) == 1
    return (
        f"No price is loaded for {', '.join(map(str, unknown))}: "
        f"{'its' if one else 'their'} revenue is unknown, so "
        f"{'it is' if one else 'they are'} left out of every comparison with the budget."
    )


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
