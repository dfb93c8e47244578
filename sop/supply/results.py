"""Plan frames from an LP solution: item and SKU plans, resource use, costs.

Money terms are recomputed from the planned quantities (units x unit money,
hours x rates), so `costs` can be checked by hand; `tests/unit/test_supply_demo.py`
checks they add up to the LP objective. The figures read from these frames (margin,
fill rate, utilisation...) are the KPIs of `sop.finance.kpis`, the one catalogue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema
from sop.supply import capacity, service, standard
from sop.supply.inputs import ADDED_COST, PlanInputs
from sop.supply.lp import LpSolution
from sop.supply.policy import SupplyPolicy

DEMAND, PRODUCTION, SUBCONTRACTED, SHIPPED = "demand", "production", "subcontracted", "shipped"
BACKLOG, LOST, INVENTORY = "backlog", "lost_sales", "inventory"
SAFETY_STOCK, BELOW_SS, REVENUE = "safety_stock", "below_safety_stock", "revenue"
# units ordered x the plan's price of the month ordered (the prices revenue books at):
# what the orders are worth if every one shipped, whenever it books
ORDER_VALUE = "order_value"
PLAN_UNITS = [DEMAND, PRODUCTION, SUBCONTRACTED, SHIPPED, BACKLOG, LOST, INVENTORY]
ITEM_MONEY = [
    REVENUE,
    ORDER_VALUE,
    "material_cost",
    "subcontract_cost",
    "holding_cost",
    "backlog_cost",
    "lost_goodwill",
    "safety_stock_penalty",
    "booked_units",
    "standard_cogs",
    "stock_value",
    "inventory_change",
    *standard.VARIANCES,
    "promotion_cost",
]
PROMOTION = "promotion_cost"  # family_plan column: what an added promotion costs (money)
PLAN_STOCK_CHANGE = "plan_stock_change"  # in `item_arrays`, read by `cost_table` only
LOAD, AVAILABLE = capacity.LOAD_HOURS, schema.AVAILABLE_HOURS
OVERTIME, MAX_OVERTIME = "overtime_hours", "max_overtime_hours"
UTILISATION, SHADOW = capacity.UTILISATION, "shadow_price"
ADDED = ADDED_COST  # money paid for added line hours (`sop.scenario.apply`)
PER = "per"  # what a resource's capacity counts: hour, or unit (a family's units a month)
# (term, label, kind, how it is computed in plain words, as the Supply page's Costs
# table shows it: no module or column names); kind: revenue, cost (in gross margin), penalty
# and plan (a term of the LP's objective that is not in the books, see `cost_table`)
# the cost terms that are money spent making and buying (cash out, before stock moves)
MAKE_AND_BUY = (
    "material",
    "line_hours",
    "overtime",
    "added_capacity",
    "wages",
    "hiring",
    "layoffs",
    "subcontract",
)
COST_TERMS = [
    (
        "revenue",
        "Revenue",
        "revenue",
        "price x units shipped (or ordered, by the setting); lost sales earn nothing",
    ),
    ("material", "Material", "cost", "material cost x units made in-house"),
    ("line_hours", "Line running (regular hours)", "cost", "line regular hours x regular rate"),
    ("overtime", "Overtime", "cost", "overtime hours x overtime rate"),
    (
        "added_capacity",
        "Added capacity",
        "cost",
        "hours added x cost per hour (paid whether used or not)",
    ),
    ("wages", "Wages (labour pools)", "cost", "workers x hours per worker x regular rate"),
    ("hiring", "Hiring", "cost", "hires x hiring cost per hire"),
    ("layoffs", "Layoffs", "cost", "layoffs x cost per layoff"),
    ("subcontract", "Subcontracting", "cost", "units bought x the subcontractor's price a unit"),
    (
        "holding",
        "Inventory holding",
        "cost",
        "month-end units x unit cost x holding % a year / 12",
    ),
    (
        "inventory_change",
        "Stock drawdown (at standard cost)",
        "cost",
        "(opening - ending units) x standard cost",
    ),
    ("backlog", "Backlog (late delivery)", "cost", "month-end backlog x backlog % x price"),
    ("promotion", "Promotion", "cost", "promotion cost per month x months run"),
    ("lost_goodwill", "Lost-sales goodwill", "penalty", "lost units x goodwill % x price"),
    ("safety_stock", "Below safety stock", "penalty", "month-end units short x penalty % x price"),
    (
        "stock_valuation",
        "Stock change at cost to make, not standard (plan only)",
        "plan",
        "(ending - opening units) x (standard cost - cost to make or buy)",
    ),
]


def _lag(a: np.ndarray) -> np.ndarray:
    return np.concatenate([np.zeros((a.shape[0], 1)), a[:, :-1]], axis=1)


def _opening(inp: PlanInputs) -> np.ndarray:
    """(n, T): the opening stock in the first month, 0 after (adds to `_lag(I)`)."""
    out = np.zeros((inp.n, inp.T))
    out[:, 0] = inp.onhand
    return out


def _by_item(inp: PlanInputs, pair_values: np.ndarray) -> np.ndarray:
    out = np.zeros((inp.n, inp.T))
    if len(inp.sub_pairs):
        np.add.at(out, inp.sub_pairs[:, 0], pair_values)
    return out


def item_arrays(inp: PlanInputs, sol: LpSolution, policy: SupplyPolicy) -> dict[str, np.ndarray]:
    """(n, T) arrays of every family_plan column (money at standard cost and revenue as
    `sop.supply.standard` books them), and `PLAN_STOCK_CHANGE` (the LP's own stock term)."""
    v, p = sol.values, inp.price
    B, L, I = v["B"], v["L"], v["I"]  # noqa: E741 -- the LP's names (sop.supply.lp)
    bought = _by_item(inp, v["SUB"])
    bought_cost = _by_item(inp, sol.costs["SUB"] * v["SUB"])
    books = standard.books(inp, v, bought, bought_cost, resource_arrays(inp, sol, policy), policy)
    return {
        DEMAND: inp.demand,
        PRODUCTION: v["X"],
        SUBCONTRACTED: bought,
        SHIPPED: service.shipped(inp.demand, L, B),
        BACKLOG: B,
        LOST: L,
        INVENTORY: I,
        SAFETY_STOCK: inp.ss,
        # from the stock itself, not the LP's slack Z: with no penalty Z is free
        BELOW_SS: np.clip(inp.ss - I, 0.0, None),
        REVENUE: books.pop(REVENUE),
        ORDER_VALUE: p * inp.demand,
        "material_cost": inp.material * v["X"],
        "subcontract_cost": bought_cost,
        "holding_cost": inp.hold * I,
        "backlog_cost": policy.backlog_cost_pct / 100 * p * B,
        "lost_goodwill": policy.lost_sales_penalty_pct / 100 * p * L,
        "safety_stock_penalty": policy.safety_stock_penalty_pct / 100 * p * v["Z"],
        **books,
        # an added promotion's cost, on the promoted family's items (`PlanInputs`)
        PROMOTION: np.zeros((inp.n, inp.T)) if inp.promo_cost is None else inp.promo_cost,
        # the LP values stock at what it costs to make or buy (`sop.supply.lp`), not at
        # standard: kept for the cost table only (not a family_plan column)
        PLAN_STOCK_CHANGE: np.asarray(sol.costs["VALUE"]).reshape(-1, 1)
        * (_lag(I) + _opening(inp) - I),
    }


def item_plan(inp: PlanInputs, arr: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per item and month; columns month, family, plant (sku), then `arr`."""
    n, T = inp.n, inp.T
    keys = inp.items.loc[inp.items.index.repeat(T)].reset_index(drop=True)
    out = pd.DataFrame(
        {
            schema.MONTH: np.tile(inp.months.to_numpy(), n),
            **{c: keys[c].to_numpy() for c in keys},
            **{k: np.ravel(a) for k, a in arr.items() if k != PLAN_STOCK_CHANGE},
        }
    )
    front = [schema.MONTH, schema.FAMILY, schema.PLANT] + (
        [schema.SKU] if schema.SKU in keys else []
    )
    return out[front + [k for k in arr if k != PLAN_STOCK_CHANGE]].sort_values(
        front, ignore_index=True
    )


def sku_plan(inp: PlanInputs, arr: dict[str, np.ndarray]) -> pd.DataFrame:
    """Each item-month split over its demand rows (SKU x region) by demand share.

    Columns: month, sku, region, family, plant, `PLAN_UNITS`, revenue (the SKU's own
    price x its share of the units booked, + its share of the item's revenue beyond the
    month's prices: late units valued at an earlier month's mix; sums to the item's)."""
    cell = inp.row_item * inp.T + inp.row_month
    share = inp.row_share
    out = inp.rows.rename(columns={schema.UNITS: DEMAND})
    out = out.assign(**{schema.PLANT: inp.items[schema.PLANT].to_numpy()[inp.row_item]})
    for name in PLAN_UNITS[1:]:
        out[name] = share * arr[name].ravel()[cell]
    booked = arr["booked_units"].ravel()[cell]
    rest = (arr[REVENUE] - inp.price * arr["booked_units"]).ravel()[cell]
    out[REVENUE] = share * (booked * inp.sku_price.to_numpy(dtype=float)[inp.row_sku] + rest)
    return out[
        [schema.MONTH, schema.SKU, schema.REGION, schema.FAMILY, schema.PLANT]
        + PLAN_UNITS
        + [REVENUE]
    ]


def resource_arrays(
    inp: PlanInputs, sol: LpSolution, policy: SupplyPolicy
) -> dict[str, np.ndarray]:
    """(m, T) arrays of every `resource_use` column after month."""
    v, res, wf = sol.values, inp.res, inp.workforce
    m, T, lab = len(res), inp.T, inp.labour
    used = np.asarray(inp.hours.T @ v["X"])
    reg = res[schema.REGULAR_COST_PER_HOUR].to_numpy(dtype=float)
    otr = res[schema.OVERTIME_COST_PER_HOUR].to_numpy(dtype=float)
    avail, ot_max = inp.cap.copy(), inp.ot_cap * policy.overtime_allowed
    ot = np.minimum(v["OT"], np.clip(used - inp.cap, 0, None))
    nan = np.full((m, T), np.nan)
    workers, hires, lays = nan.copy(), nan.copy(), nan.copy()
    reg_cost = reg[:, None] * (used - ot)
    ot_cost = (reg + np.maximum(otr - reg, 0))[:, None] * ot
    hire_cost, lay_cost = np.zeros((m, T)), np.zeros((m, T))
    if len(lab):
        hpw = wf[schema.HOURS_PER_WORKER].to_numpy(dtype=float, na_value=0.0)[:, None]
        motw = wf[schema.MAX_OVERTIME_PER_WORKER].to_numpy(dtype=float, na_value=0.0)[:, None]
        W = v["W"]
        avail[lab], ot_max[lab] = hpw * W, motw * W * policy.overtime_allowed
        ot[lab] = v["OT"][lab]
        workers[lab], hires[lab], lays[lab] = W, v["H"], v["F"]
        reg_cost[lab] = reg[lab, None] * hpw * W
        ot_cost[lab] = otr[lab, None] * v["OT"][lab]
        hire_cost[lab], lay_cost[lab] = sol.costs["H"] * v["H"], sol.costs["F"] * v["F"]
    arrays = {
        LOAD: used,
        AVAILABLE: avail,
        OVERTIME: ot,
        MAX_OVERTIME: ot_max,
        UTILISATION: capacity.utilisation(used, avail),
        SHADOW: shadow_prices(inp, sol.duals["CAP"]),
        "workers": workers,
        "hires": hires,
        "layoffs": lays,
        "regular_cost": reg_cost,
        "overtime_cost": ot_cost,
        "hiring_cost": hire_cost,
        "layoff_cost": lay_cost,
        # hours a scenario adds at a cost, paid whether used or not (`PlanInputs`)
        ADDED: np.zeros((m, T)) if inp.added_cost is None else np.asarray(inp.added_cost),
    }
    return arrays


def shadow_prices(inp: PlanInputs, dual: np.ndarray) -> np.ndarray:
    """The margin one more unit of a limit adds (0 where it does not bind). Without a
    price for every item the LP's values are not money: a binding limit's is NaN
    (unknown), so no made-up figure is shown."""
    out = np.where(np.abs(dual) < 1e-9, 0.0, dual)
    return out if inp.priced else np.where(out > 1e-4, np.nan, 0.0)


def resource_use(inp: PlanInputs, sol: LpSolution, policy: SupplyPolicy) -> pd.DataFrame:
    """Hours per resource and month as planned.

    Columns: resource, plant, name, kind, per (hour, or unit for a family's capacity in
    units: then the "hours" columns are units), month, load_hours (used), available_hours
    (regular: calendar for lines, workers x hours_per_worker for labour),
    overtime_hours, max_overtime_hours, utilisation (load / regular hours),
    shadow_price (margin of one more regular hour, money/hour), workers, hires,
    layoffs (labour pools; empty for lines), regular_cost, overtime_cost,
    hiring_cost, layoff_cost, added_cost (money; added_cost: what the hours a scenario
    adds cost, paid whether they are used or not).
    """
    res, m, T = inp.res, len(inp.res), inp.T
    arrays = resource_arrays(inp, sol, policy)
    keys = res[[schema.RESOURCE, schema.PLANT, schema.NAME, schema.KIND]].loc[res.index.repeat(T)]
    out = pd.DataFrame(
        {
            **{c: keys[c].to_numpy() for c in keys},
            PER: np.repeat(np.asarray(inp.per, dtype=object), T),
            schema.MONTH: np.tile(inp.months.to_numpy(), m),
            **{k: a.ravel() for k, a in arrays.items()},
        }
    )
    return out.sort_values([schema.PLANT, schema.RESOURCE, schema.MONTH], ignore_index=True)


def cost_table(arr: dict[str, np.ndarray], ru: pd.DataFrame) -> pd.DataFrame:
    """One row per `COST_TERMS` term: term, label, kind, amount (money), basis.

    The costs as the plan spends them (the cash view), with the stock drawn valued at
    standard cost: revenue - costs = the margin of the books (`sop.supply.standard`).
    The LP values stock at what it costs to make or buy, so its objective = margin -
    penalties - `stock_valuation`."""
    line = ru[schema.KIND] == schema.KIND_LINE
    amount = {
        "revenue": arr[REVENUE].sum(),
        "material": arr["material_cost"].sum(),
        "line_hours": ru.loc[line, "regular_cost"].sum(),
        "overtime": ru["overtime_cost"].sum(),
        "added_capacity": ru[ADDED].sum() if ADDED in ru else 0.0,
        "wages": ru.loc[~line, "regular_cost"].sum(),
        "hiring": ru["hiring_cost"].sum(),
        "layoffs": ru["layoff_cost"].sum(),
        "subcontract": arr["subcontract_cost"].sum(),
        "holding": arr["holding_cost"].sum(),
        "backlog": arr["backlog_cost"].sum(),
        "promotion": arr[PROMOTION].sum() if PROMOTION in arr else 0.0,
        "inventory_change": arr["inventory_change"].sum(),
        "lost_goodwill": arr["lost_goodwill"].sum(),
        "safety_stock": arr["safety_stock_penalty"].sum(),
        "stock_valuation": arr[PLAN_STOCK_CHANGE].sum() - arr["inventory_change"].sum(),
    }
    return pd.DataFrame(
        [
            {"term": t, "label": lab, "kind": k, "amount": float(amount[t]), "basis": b}
            for t, lab, k, b in COST_TERMS
        ]
    )
