"""Margin bridge from the baseline plan to a scenario plan, on the P&L at standard cost
(`sop.finance.statement.family_pnl`), that adds up to the cent.

Per family f, from the family plans (sums over the horizon): d demand, s units booked
(sold), R revenue, S standard cost of the units booked; baseline price p0 = R0 / s0,
standard cost per unit c0 = S0 / s0, standard margin per unit u0 = p0 - c0;
U = the average u0 weighted by baseline demand:

- volume        = (D1 - D0) x U                       (all demand, at the average margin)
- mix           = sum (d1 - d0) x u0 - volume         (which families the change falls on)
- lost sales    = -sum ((d1 - s1) - (d0 - s0)) x u0   (demand not sold: lost, or still owed
                  at the end of the horizon)
- price         = sum (R1 - R0 - (s1 - s0) x p0), i.e. s1 x (p1 - p0); when the price
                  change per family k is known (a scenario's price lever), sum R1 x
                  (1 - 1/k): the lever's effect alone, and the rest (SKU, region and
                  month mix inside a family) moves to mix
- standard cost = -sum (S1 - S0 - (s1 - s0) x c0)     (standard cost per unit: cost levers,
                  the SKU mix inside a family)
- idle time, overtime premium, hiring and layoffs, subcontract price variance, added
  capacity: minus the change of each production variance
- holding and backlog = minus the change of the holding and backlog costs
- promotion = minus the change of what added promotions cost (a plan without the
  column, saved before promotions had a cost, counts 0)

volume + mix + lost sales + price + standard cost = change of (revenue - standard
cost), so the steps sum to scenario margin - baseline margin exactly. A plan saved
before the books were kept at standard cost (an old plan of record) lacks the
standard-cost columns: its standard cost step then takes the difference the other
steps leave, so the bridge still adds up.

A plan that runs below safety stock holds less, so its Holding step reads as a saving:
`holding_note` says how much of the saving is stock missing from safety stock, valued at
what it would have cost to hold (per item: the extra unit-months below safety stock x
the item's holding per unit-month), when that is material (`MATERIAL_SHARE`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sop.core import fmt, schema
from sop.finance.kpis import gross_margin
from sop.finance.stock import TOL_UNITS, below_target, missing_holding
from sop.supply.plan import PlanResult

VARIANCE_STEPS = {
    "Idle time": ("idle_time",),
    "Overtime premium": ("overtime_premium",),
    "Hiring and layoffs": ("hiring_cost", "layoff_cost"),
    "Subcontract price variance": ("subcontract_variance",),
    "Added capacity": ("added_capacity",),
    "Holding and backlog": ("holding_cost", "backlog_cost"),
    "Promotion": ("promotion_cost",),
}
# the note on a lower holding cost fires when stock missing from safety stock makes at
# least this share of the saving
MATERIAL_SHARE = 0.10
OPTIONAL = ("promotion_cost",)  # 0 in a plan saved before the column existed
STEPS = ("Volume", "Mix", "Lost sales", "Price", "Standard cost", *VARIANCE_STEPS)
_COLUMNS = ["demand", "booked_units", "revenue", "standard_cogs"] + [
    c for cols in VARIANCE_STEPS.values() for c in cols
]


def _families(plan: PlanResult) -> tuple[pd.DataFrame, bool]:
    """(per family: `_COLUMNS` summed over the horizon, whether the plan has them all);
    a plan without booked units counts its units shipped (the same over the horizon)."""
    fp = plan.family_plan
    kept = {c for c in fp.columns if fp[c].notna().any() or fp.empty}
    if "booked_units" not in kept:
        fp, kept = fp.assign(booked_units=fp["shipped"]), kept | {"booked_units"}
    have = [c for c in _COLUMNS if c in kept]
    g = fp.groupby(schema.FAMILY)[have].sum().reindex(columns=_COLUMNS).fillna(0.0)
    return g, all(c in have for c in _COLUMNS if c not in OPTIONAL)


def margin_bridge(
    base: PlanResult,
    scen: PlanResult,
    products: pd.DataFrame,
    price_change: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Steps from baseline to scenario gross margin (`STEPS`, module docstring).

    `price_change`: family -> scenario price / baseline price of every SKU, when known
    (families not named: 1). Then Price is the price change alone, so a scenario that
    moves no price shows no Price step; without it (two plans of record on different
    data), Price is the change in each family's average price per unit sold.
    Columns: step, amount (money), kind (`total` for the two ends, `delta` for
    the steps). The deltas sum to the difference of the totals.
    """
    (f0, ok0), (f1, ok1) = _families(base), _families(scen)
    fams = f0.index.union(f1.index)
    f0, f1 = f0.reindex(fams).fillna(0.0), f1.reindex(fams).fillna(0.0)
    fallback = (
        products.groupby(schema.FAMILY)[[schema.LIST_PRICE, schema.MATERIAL_COST]]
        .mean()
        .reindex(fams)
    )
    s0, s1 = f0["booked_units"], f1["booked_units"]
    sold0 = s0.where(s0 > 1e-9)
    p0 = (f0["revenue"] / sold0).fillna(fallback[schema.LIST_PRICE]).fillna(0.0)
    c0 = (f0["standard_cogs"] / sold0).fillna(fallback[schema.MATERIAL_COST]).fillna(0.0)
    u0 = p0 - c0
    d0_total = float(f0["demand"].sum())
    avg_u0 = float((f0["demand"] * u0).sum() / d0_total) if d0_total > 0 else float(u0.mean())
    volume = (float(f1["demand"].sum()) - d0_total) * avg_u0
    mix = float(((f1["demand"] - f0["demand"]) * u0).sum()) - volume
    lost = -float((((f1["demand"] - s1) - (f0["demand"] - s0)) * u0).sum())
    price = float((f1["revenue"] - f0["revenue"] - (s1 - s0) * p0).sum())
    if price_change is not None:
        k = pd.Series({f: float(price_change.get(f, 1.0)) for f in fams})
        lever = float((f1["revenue"] * (1 - 1 / k.where(k > 0, 1.0))).sum())
        mix += price - lever
        price = lever
    standard = -float((f1["standard_cogs"] - f0["standard_cogs"] - (s1 - s0) * c0).sum())
    variances = [
        -float(sum((f1[c] - f0[c]).sum() for c in cols)) for cols in VARIANCE_STEPS.values()
    ]
    g0, g1 = gross_margin(base), gross_margin(scen)
    deltas = [volume, mix, lost, price, standard, *variances]
    if not (ok0 and ok1):  # an old plan of record: see the module docstring
        deltas[4] += (g1 - g0) - sum(deltas)
    rows = [("Baseline margin", g0, "total")]
    rows += [(s, float(v), "delta") for s, v in zip(STEPS, deltas)]
    rows.append(("Scenario margin", g1, "total"))
    return pd.DataFrame(rows, columns=["step", "amount", "kind"])


def holding_note(
    base: PlanResult,
    scen: PlanResult,
    currency: str,
    label: str = "Holding and backlog",
    subject: str = "the scenario",
) -> str:
    """'Holding and backlog: holding is €49,047 lower than the baseline's; €41,310 of it
    comes from the scenario running 70,866 unit-months below safety stock (up to 10,245
    units in one month; the baseline 560 unit-months). Stock not held is service at
    risk, not a saving.' when the scenario pays less holding and the stock it misses
    from safety stock beyond the baseline's would have cost at least `MATERIAL_SHARE` of
    that saving to hold (`sop.finance.stock.missing_holding`; "all of it" when it
    covers the saving); '' otherwise (or when a plan has no holding column).

    `label` opens the note (the bridge step it explains; "" opens on "Holding is"),
    `subject` names the plan that holds less ("this plan" on the Finance page)."""
    if "holding_cost" not in base.family_plan or "holding_cost" not in scen.family_plan:
        return ""
    saved = float(base.family_plan["holding_cost"].sum() - scen.family_plan["holding_cost"].sum())
    (below0, _), (below1, peak1) = below_target(base.family_plan), below_target(scen.family_plan)
    if saved < 0.5 or below1 - below0 < TOL_UNITS:
        return ""
    missing = missing_holding(base.family_plan, scen.family_plan)
    if missing < max(0.5, MATERIAL_SHARE * saved):
        return ""
    share = (
        "all of it comes"
        if missing >= saved - 0.5
        else f"{fmt.money(missing, currency, compact=False)} of it comes"
    )
    opening = f"{label}: holding" if label else "Holding"
    return (
        f"{opening} is {fmt.money(saved, currency, compact=False)} lower than the "
        f"baseline's; {share} from {subject} running {fmt.units(below1, 'unit-months')} "
        f"below safety stock (up to {fmt.units(peak1)} in one month; the baseline "
        f"{fmt.units(below0, 'unit-months')}). Stock not held is service at risk, not a "
        "saving."
    )
