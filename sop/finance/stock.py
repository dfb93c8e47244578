"""Why a plan holds stock and what building ahead costs.

Per item and month (`PlanResult.family_plan`): the safety-stock target, the stock built
ahead (month-end stock above the target, max(0, stock - target)) and the stock missing
from it (below the target). Holding is linear in month-end stock (`sop.supply.results`:
holding per unit x stock), so the built-ahead units carry the item's holding per unit
that month, and their value is the item's standard cost per unit that month.

`stock_by_month` sums the items to families; `horizon_by_family` totals the months
(unit-months, peaks, money) with a Total row; `built_ahead_lines` says each run of
built-ahead stock in words and what it is for. The rule for "what it is for": the
first run of months after the month the run peaks in which the family's demand exceeds
what it makes (production + subcontracted), so its stock is drawn down; it must start
at the latest the month after the run ends (a family makes less than it sells when
its capacity is short, or when making ahead was cheaper). Of those months, the ones with
lost sales or a backlog are the shortage the stock does not cover. Without such a run,
the stock is still held at the end of the plan, or becomes safety stock as the target
rises, or is drawn down the month after the run.

Pure: DataFrames in, frames and strings out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.core.xlsx import TOTAL, Spec
from sop.supply.plan import PlanResult

TOL_UNITS = 0.5  # less than half a unit reads 0 units: no built-ahead or missing stock
STOCK_COLUMNS = [
    schema.MONTH,
    schema.FAMILY,
    "inventory_units",
    "safety_stock_units",
    "built_ahead_units",
    "below_safety_stock_units",
    "inventory_value",
    "built_ahead_value",
    "carrying_cost",
    "built_ahead_holding",
]
STOCK_SPEC: Spec = [
    (schema.MONTH, "Month", "month"),
    (schema.FAMILY, "Family", "text"),
    ("inventory_units", "Stock at month end (units)", "units"),
    ("safety_stock_units", "Safety-stock target (units)", "units"),
    ("built_ahead_units", "Built ahead: stock above target (units)", "units"),
    ("below_safety_stock_units", "Below safety stock (units)", "units"),
    ("inventory_value", "Stock value at standard cost", "money"),
    ("built_ahead_value", "Built-ahead value at standard cost", "money"),
    ("carrying_cost", "Carrying cost", "money"),
    ("built_ahead_holding", "Carrying cost of built-ahead stock", "money"),
]
HORIZON_SPEC: Spec = [
    (schema.FAMILY, "Family", "text"),
    ("inventory_unit_months", "Stock held (unit-months)", "units"),
    ("built_ahead_unit_months", "Built ahead (unit-months)", "units"),
    ("built_ahead_peak", "Built ahead, most in one month (units)", "units"),
    ("built_ahead_peak_value", "Built ahead at that peak, at standard cost", "money"),
    ("built_ahead_holding", "Carrying cost of built-ahead stock", "money"),
    ("carrying_cost", "Carrying cost, all stock", "money"),
    ("below_unit_months", "Below safety stock (unit-months)", "units"),
    ("below_peak", "Below safety stock, most in one month (units)", "units"),
]


def _item_stock(family_plan: pd.DataFrame) -> pd.DataFrame:
    """The item-month rows with safety_stock_units, built_ahead_units,
    below_safety_stock_units and their value and holding (a plan saved before the
    safety-stock columns existed counts a target of 0)."""
    fp = family_plan
    inv = fp["inventory"].fillna(0.0).to_numpy(dtype=float)
    ss = (
        fp["safety_stock"].fillna(0.0).to_numpy(dtype=float)
        if "safety_stock" in fp
        else np.zeros(len(fp))
    )
    built = np.clip(inv - ss, 0.0, None)
    stocked = np.where(inv > 1e-9, inv, np.nan)
    per_value = np.nan_to_num(fp["stock_value"].fillna(0.0).to_numpy(dtype=float) / stocked)
    per_hold = np.nan_to_num(fp["holding_cost"].fillna(0.0).to_numpy(dtype=float) / stocked)
    return pd.DataFrame(
        {
            schema.MONTH: fp[schema.MONTH].to_numpy(),
            schema.FAMILY: fp[schema.FAMILY].to_numpy(),
            "inventory_units": inv,
            "safety_stock_units": ss,
            "built_ahead_units": built,
            "below_safety_stock_units": np.clip(ss - inv, 0.0, None),
            "inventory_value": fp["stock_value"].fillna(0.0).to_numpy(dtype=float),
            "built_ahead_value": built * per_value,
            "carrying_cost": fp["holding_cost"].fillna(0.0).to_numpy(dtype=float),
            "built_ahead_holding": built * per_hold,
        }
    )


def stock_by_month(plan: PlanResult) -> pd.DataFrame:
    """Month-end stock by month and family, split against the safety-stock target.

    Columns `STOCK_COLUMNS`: inventory_units (month end), safety_stock_units (the
    target), built_ahead_units (stock above the target, per item), below_safety_stock_units
    (stock missing from the target, per item), inventory_value and built_ahead_value (at
    standard cost, as the P&L carries stock), carrying_cost (the plan's holding cost)
    and built_ahead_holding (the part of it the built-ahead units carry).
    """
    items = _item_stock(plan.family_plan)
    g = items.groupby([schema.MONTH, schema.FAMILY], as_index=False)[STOCK_COLUMNS[2:]].sum()
    return g[STOCK_COLUMNS].sort_values([schema.FAMILY, schema.MONTH], ignore_index=True)


def horizon_by_family(stock: pd.DataFrame) -> pd.DataFrame:
    """Per family over the horizon, and a Total row (`HORIZON_SPEC` columns): stock
    summed over months (unit-months), the largest month (units, and the built-ahead
    value that month), the money summed. The Total's peaks are the largest month of the
    families together."""
    rows = []
    for name, part in [
        *stock.groupby(schema.FAMILY, sort=True),
        (TOTAL, stock.groupby(schema.MONTH, as_index=False)[STOCK_COLUMNS[2:]].sum()),
    ]:
        if part.empty:
            continue
        peak = int(np.argmax(part["built_ahead_units"].to_numpy()))
        rows.append(
            {
                schema.FAMILY: name,
                "inventory_unit_months": part["inventory_units"].sum(),
                "built_ahead_unit_months": part["built_ahead_units"].sum(),
                "built_ahead_peak": part["built_ahead_units"].iloc[peak],
                "built_ahead_peak_value": part["built_ahead_value"].iloc[peak],
                "built_ahead_holding": part["built_ahead_holding"].sum(),
                "carrying_cost": part["carrying_cost"].sum(),
                "below_unit_months": part["below_safety_stock_units"].sum(),
                "below_peak": part["below_safety_stock_units"].max(),
            }
        )
    return pd.DataFrame(rows, columns=[c for c, _, _ in HORIZON_SPEC])


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    out, start = [], None
    for n, on in enumerate([*flags, False]):
        if on and start is None:
            start = n
        elif not on and start is not None:
            out.append((start, n - 1))
            start = None
    return out


def _family_flows(family_plan: pd.DataFrame, family: str, months: pd.Series) -> pd.DataFrame:
    """One family's demand, units made and units short (lost + backlog) by month."""
    fp = family_plan[family_plan[schema.FAMILY] == family]
    made = fp["production"].fillna(0.0)
    if "subcontracted" in fp:
        made = made + fp["subcontracted"].fillna(0.0)
    short = fp["lost_sales"].fillna(0.0) + fp["backlog"].fillna(0.0)
    g = (
        pd.DataFrame({schema.MONTH: fp[schema.MONTH], "demand": fp["demand"], "made": made})
        .assign(short=short)
        .groupby(schema.MONTH)
        .sum()
    )
    return g.reindex(months.to_numpy()).fillna(0.0)


def built_ahead_lines(
    stock: pd.DataFrame, family_plan: pd.DataFrame, currency: str, top: int = 5
) -> list[str]:
    """Each run of built-ahead stock in words, the costliest `top` first: 'Cooling: up
    to 5,048 units above safety stock (€263k at standard cost) in Nov 2026 to Mar 2027,
    drawn down in Feb 2027 to Oct 2027, when demand exceeds what is made (orders lost or
    late in Jun 2027 to Oct 2027): €20,617 of holding.' (the rule for the months it is
    drawn down in: the module docstring). [] when no stock is held above safety stock."""
    found = []
    for fam, part in stock.groupby(schema.FAMILY, sort=True):
        part = part.sort_values(schema.MONTH, ignore_index=True)
        months = part[schema.MONTH]
        built = part["built_ahead_units"].to_numpy()
        target = part["safety_stock_units"].to_numpy()
        flows = _family_flows(family_plan, fam, months)
        drawn = _runs((flows["demand"] - flows["made"]).to_numpy() > TOL_UNITS)
        short = flows["short"].to_numpy() >= TOL_UNITS
        for a, b in _runs(built >= TOL_UNITS):
            peak = a + int(np.argmax(built[a : b + 1]))
            text = (
                f"{fam}: up to {fmt.units(built[peak])} above safety stock "
                f"({fmt.money(part['built_ahead_value'].iloc[peak], currency)} at standard "
                f"cost) in {fmt.month_span(months.iloc[a], months.iloc[b])}"
            )
            later = [(max(c, peak + 1), d) for c, d in drawn if d > peak]
            if later and later[0][0] <= b + 1:
                c, d = later[0]
                text += (
                    f", drawn down in {fmt.month_span(months.iloc[c], months.iloc[d])}, "
                    "when demand exceeds what is made"
                )
                if short[c : d + 1].any():
                    lacking = months.iloc[c : d + 1][short[c : d + 1]]
                    text += f" (orders lost or late in {fmt.month_runs(lacking)})"
                if b == len(part) - 1:
                    text += "; some still held at the end of the plan"
            elif b == len(part) - 1:
                text += ", still held at the end of the plan"
            elif target[b + 1] > target[b] + TOL_UNITS:
                rises = fmt.month(months.iloc[b + 1])
                text += f", held as safety stock from {rises} as the target rises"
            else:
                text += f", drawn down in {fmt.month(months.iloc[b + 1])}"
            cost = float(part["built_ahead_holding"].iloc[a : b + 1].sum())
            found.append((cost, f"{text}: {fmt.money(cost, currency, compact=False)} of holding."))
    found.sort(key=lambda x: -x[0])
    return [t for _, t in found[:top]]


def below_target(family_plan: pd.DataFrame) -> tuple[float, float]:
    """(unit-months below safety stock over the horizon, the most units below it in
    one month, items summed); (0, 0) for a plan without the safety-stock columns."""
    if "safety_stock" not in family_plan or family_plan.empty:
        return 0.0, 0.0
    items = _item_stock(family_plan)
    by_month = items.groupby(schema.MONTH)["below_safety_stock_units"].sum()
    return float(by_month.sum()), float(by_month.max())


def _per_item(family_plan: pd.DataFrame) -> pd.DataFrame:
    """Per item (family, plant, sku as the plan has them): unit-months below safety
    stock and the holding per unit-month (holding / stock in the months it holds stock;
    holding is the same per unit every month, `sop.supply.inputs`), NaN when it holds none."""
    keys = [c for c in (schema.FAMILY, schema.PLANT, schema.SKU) if c in family_plan]
    items = _item_stock(family_plan).assign(
        **{c: family_plan[c].to_numpy() for c in keys},
        held=family_plan["holding_cost"].fillna(0.0).to_numpy(dtype=float),
    )
    cols = ["below_safety_stock_units", "inventory_units", "held"]
    g = items.groupby(keys, dropna=False)[cols].sum()
    stocked = g["inventory_units"].where(g["inventory_units"] > 1e-9)
    return pd.DataFrame({"below": g["below_safety_stock_units"], "per_unit": g["held"] / stocked})


def missing_holding(base_plan: pd.DataFrame, scen_plan: pd.DataFrame) -> float:
    """What the stock the scenario misses from safety stock beyond the baseline would
    have cost to hold: per item, (unit-months below safety stock in the scenario - in
    the baseline) x its holding per unit-month (the scenario's; the baseline's when the
    scenario holds none of the item; 0 when neither does), summed over items (money).
    0 for a plan without the safety-stock columns."""
    if "safety_stock" not in base_plan or "safety_stock" not in scen_plan:
        return 0.0
    b, s = _per_item(base_plan), _per_item(scen_plan)
    items = b.index.union(s.index)
    b, s = b.reindex(items), s.reindex(items)
    extra = s["below"].fillna(0.0) - b["below"].fillna(0.0)
    per_unit = s["per_unit"].fillna(b["per_unit"]).fillna(0.0)
    return float((extra * per_unit).sum())
