"""Margin bridge from the baseline plan to a scenario plan that adds up exactly.

Per family f, with baseline price p0 = revenue / units served, baseline
material per unit served c0 and unit margin u0 = p0 - c0, d = demand,
s = units served, M = material cost, U = average u0 weighted by baseline demand:

- volume        = (D1 - D0) x U                       (all demand, at the average margin)
- mix           = sum (d1 - d0) x u0 - volume         (which families the change falls on)
- lost sales    = -sum ((d1 - s1) - (d0 - s0)) x u0   (demand not served, incl. backlog left)
- price         = sum s1 x (p1 - p0); when the price change per family k is known
                  (a scenario's price lever), sum r1 x (1 - 1/k), r1 = scenario revenue:
                  the lever's effect alone, and the rest of sum s1 x (p1 - p0) (SKU,
                  region and month mix inside a family) moves to mix
- material cost = -(M1 - M0) + sum (s1 - s0) x c0     (cost per unit and make-vs-serve timing)
- labour and overtime = -(change in line hours, wages, hiring, layoffs, overtime)
- subcontracting      = -(change in subcontract cost)
- inventory           = -(change in holding, backlog and stock-change costs)

volume + mix + lost sales + price + material = change of revenue - material, so
the steps sum to scenario margin - baseline margin exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sop.core import schema
from sop.finance.kpis import cost_sum, gross_margin
from sop.supply.plan import PlanResult

LABOUR = ("line_hours", "wages", "hiring", "layoffs", "overtime")
INVENTORY = ("holding", "backlog", "inventory_change")
STEPS = (
    "Volume",
    "Mix",
    "Lost sales",
    "Price",
    "Material cost",
    "Labour and overtime",
    "Subcontracting",
    "Inventory",
)


def _families(plan: PlanResult) -> pd.DataFrame:
    return plan.family_plan.groupby(schema.FAMILY)[
        ["demand", "shipped", "lost_sales", "revenue", "material_cost"]
    ].sum()


def margin_bridge(
    base: PlanResult,
    scen: PlanResult,
    products: pd.DataFrame,
    price_change: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Steps from baseline to scenario gross margin.

    `price_change`: family -> scenario price / baseline price of every SKU, when known
    (families not named: 1). Then Price is the price change alone, so a scenario that
    moves no price shows no Price step; without it (two plans of record on different
    data), Price is the change in each family's average price per unit served.
    Columns: step, amount (money), kind (`total` for the two ends, `delta` for
    the steps). The deltas sum to the difference of the totals.
    """
    f0, f1 = _families(base), _families(scen)
    fams = f0.index.union(f1.index)
    f0, f1 = f0.reindex(fams).fillna(0.0), f1.reindex(fams).fillna(0.0)
    fallback = (
        products.groupby(schema.FAMILY)[[schema.LIST_PRICE, schema.MATERIAL_COST]]
        .mean()
        .reindex(fams)
    )
    served0 = f0["shipped"].where(f0["shipped"] > 1e-9)
    p0 = (f0["revenue"] / served0).fillna(fallback[schema.LIST_PRICE]).fillna(0.0)
    c0 = (f0["material_cost"] / served0).fillna(fallback[schema.MATERIAL_COST]).fillna(0.0)
    served1 = f1["shipped"].where(f1["shipped"] > 1e-9)
    p1 = (f1["revenue"] / served1).fillna(p0)
    u0 = p0 - c0
    d0_total = float(f0["demand"].sum())
    avg_u0 = float((f0["demand"] * u0).sum() / d0_total) if d0_total > 0 else float(u0.mean())
    volume = (float(f1["demand"].sum()) - d0_total) * avg_u0
    mix = float(((f1["demand"] - f0["demand"]) * u0).sum()) - volume
    unserved = (f1["demand"] - f1["shipped"]) - (f0["demand"] - f0["shipped"])
    lost = -float((unserved * u0).sum())
    price = float((f1["shipped"] * (p1 - p0)).sum())
    if price_change is not None:
        k = pd.Series({f: float(price_change.get(f, 1.0)) for f in fams})
        lever = float((f1["revenue"] * (1 - 1 / k.where(k > 0, 1.0))).sum())
        mix += price - lever
        price = lever
    material = -(float(f1["material_cost"].sum()) - float(f0["material_cost"].sum())) + float(
        ((f1["shipped"] - f0["shipped"]) * c0).sum()
    )
    labour = -(cost_sum(scen, LABOUR) - cost_sum(base, LABOUR))
    sub = -(cost_sum(scen, ("subcontract",)) - cost_sum(base, ("subcontract",)))
    inv = -(cost_sum(scen, INVENTORY) - cost_sum(base, INVENTORY))
    g0, g1 = gross_margin(base), gross_margin(scen)
    deltas = (volume, mix, lost, price, material, labour, sub, inv)
    rows = [("Baseline margin", g0, "total")]
    rows += [(s, float(v), "delta") for s, v in zip(STEPS, deltas)]
    rows.append(("Scenario margin", g1, "total"))
    return pd.DataFrame(rows, columns=["step", "amount", "kind"])
