"""Price-volume-mix bridge from budget margin to projected margin, per family.

The projection is the P&L (`sop.finance.statement.family_pnl`): units and revenue
in the month they book (shipped, by default), margin after the standard cost of
sales, the production variances and the holding and backlog costs; so the cost
effect holds the variances too. Over the months both the budget and the
projection cover, per family f (sums over those months):

    Bu, Br, Bm   budget units, revenue, gross margin
    Pu, Pr, Pm   projected units served, revenue, gross margin
    pb = Br / Bu        budget price per unit
    mb = Bm / Bu        budget margin per unit
    cb = pb - mb        budget cost per unit
    pa = Pr / Pu        projected price per unit
    ca = (Pr - Pm) / Pu projected cost per unit
    M  = sum Bm / sum Bu   the budget's average margin per unit (all families)

    volume_f = (Pu - Bu) x M               more or fewer units, at the average budget margin
    mix_f    = (Pu - Bu) x (mb - M)        the units moved to a richer or poorer family
    price_f  = (pa - pb) x Pu              selling price per unit against budget
    cost_f   = -(ca - cb) x Pu             cost of goods per unit against budget

Per family, volume + mix = (Pu - Bu) x mb, and volume + mix + price + cost =
Pu x (pa - ca) - Bu x mb = Pm - Bm; so the four effects add up exactly from
budget margin to projected margin, family by family and in total.

Degenerate families keep the identity: a family with no budget units is valued
at its projected margin per unit (mb = Pm / Pu: its volume and mix add up to its
margin, price and cost are 0); a family the projection sells nothing of has no
projected price or cost per unit (price = 0) and any margin it still books
(variances or stock costs without sales) is cost. The cost effect is computed
as the remainder Pm - Bm - volume - mix - price, which equals the formula above
whenever Pu > 0 and Bu > 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema

EFFECTS = ("volume", "mix", "price", "cost")
BRIDGE_COLUMNS = [
    schema.FAMILY,
    "budget_units",
    "units",
    "budget_revenue",
    schema.REVENUE,
    "budget_margin",
    *EFFECTS,
    schema.MARGIN,
]
STEP_LABELS = {"volume": "Volume", "mix": "Mix", "price": "Price", "cost": "Cost"}


def pvm_bridge(
    projection: pd.DataFrame, budget: pd.DataFrame, months: pd.Index | list | None = None
) -> pd.DataFrame:
    """Per-family price, volume, mix and cost effects (formulas in the module docstring).

    projection: month, family, units, revenue, margin (e.g. `finance.family_pnl`);
    budget: family, month, units, revenue, margin. Compared over the months both
    cover (and, when given, within `months`); a family on one side only counts as
    zero on the other. Columns `BRIDGE_COLUMNS`: family, budget_units, units,
    budget_revenue, revenue, budget_margin, volume, mix, price, cost, margin
    (projected). budget_margin + volume + mix + price + cost = margin on every row.
    Empty when no month is covered by both.
    """
    common = pd.Index(projection[schema.MONTH].unique()).intersection(budget[schema.MONTH].unique())
    if months is not None:
        common = common.intersection(pd.Index(months))
    if common.empty:
        return pd.DataFrame(columns=BRIDGE_COLUMNS)
    cols = [schema.UNITS, schema.REVENUE, schema.MARGIN]
    pro = projection[projection[schema.MONTH].isin(common)].groupby(schema.FAMILY)[cols].sum()
    bud = budget[budget[schema.MONTH].isin(common)].groupby(schema.FAMILY)[cols].sum()
    fams = pro.index.union(bud.index)
    pro, bud = pro.reindex(fams, fill_value=0.0), bud.reindex(fams, fill_value=0.0)
    bu, br, bm = (bud[c].to_numpy(float) for c in cols)
    pu, pr, pm = (pro[c].to_numpy(float) for c in cols)
    has_b, has_p = bu > 0, pu > 0
    avg = bm.sum() / bu.sum() if bu.sum() > 0 else 0.0
    safe_bu, safe_pu = np.where(has_b, bu, 1.0), np.where(has_p, pu, 1.0)
    mb = np.where(has_b, bm / safe_bu, np.where(has_p, pm / safe_pu, 0.0))
    pb = np.where(has_b, br / safe_bu, 0.0)
    pa = np.where(has_p, pr / safe_pu, 0.0)
    volume = (pu - bu) * avg
    mix = (pu - bu) * (mb - avg)
    price = np.where(has_p & has_b, (pa - pb) * pu, 0.0)
    cost = (pm - bm) - volume - mix - price
    return pd.DataFrame(
        {
            schema.FAMILY: fams.to_numpy(),
            "budget_units": bu,
            "units": pu,
            "budget_revenue": br,
            schema.REVENUE: pr,
            "budget_margin": bm,
            "volume": volume,
            "mix": mix,
            "price": price,
            "cost": cost,
            schema.MARGIN: pm,
        }
    )[BRIDGE_COLUMNS]


def bridge_steps(bridge: pd.DataFrame) -> pd.DataFrame:
    """The bridge as waterfall steps over all families: step, amount, kind (`total`
    for budget margin and projected margin, `delta` for the four effects)."""
    rows = [("Budget margin", float(bridge["budget_margin"].sum()), "total")]
    rows += [(STEP_LABELS[e], float(bridge[e].sum()), "delta") for e in EFFECTS]
    rows.append(("Projected margin", float(bridge[schema.MARGIN].sum()), "total"))
    return pd.DataFrame(rows, columns=["step", "amount", "kind"])
