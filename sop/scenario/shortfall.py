"""The Demand vs supply tab: why a scenario's plan falls short, and which of its
shipments were late.

A plan's shortfalls (`sop.supply.shortfalls`: one row per item-month with lost sales,
orders shipped late or stock below safety stock, largest first) mix what customers
feel with what only the stock feels. A backlog row counts the month's own orders that
ship after it (every month that ends with a backlog), so the lost and late units of
the count line add up to the units ordered less the units shipped on time: the late
figure is the Executive's "units ship after the month ordered", and the on-time KPIs
measure the same units (`sop.supply.service`).

In a short-supply scenario the safety-stock rows are the largest and would crowd
the lost orders out of a short list, so the lines put lost sales first, then
backlog, then stock below safety stock, and a count line says how many of each
there are in all. `late_by_month` splits each month's shipments into
the month's own orders and older ones (`sop.supply.service`), so the chart can show
that bars standing above the demand line are a backlog being worked off.

Pure: DataFrames and KPIs in, strings and new frames out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.supply import service

# customer-facing gaps first; within a kind, the shortfalls' own order (largest first)
KIND_ORDER = ("lost sales", "backlog", "below safety stock")
KIND_WORDS = {
    "lost sales": ("lost sales", "units lost"),
    "backlog": ("orders shipped late", "units ship after the month ordered"),
    "below safety stock": ("stock below safety stock", "unit-months below it"),
}


def _below_peak(shortfalls: pd.DataFrame) -> str:
    """', up to 10,245 units in one month' (the items below safety stock summed per
    month, the largest month); '' without months to sum by."""
    below = shortfalls[shortfalls["kind"] == "below safety stock"]
    if schema.MONTH not in below or below.empty:
        return ""
    return f", up to {fmt.units(below.groupby(schema.MONTH)['units'].sum().max())} in one month"


def shortfall_count(shortfalls: pd.DataFrame) -> str:
    """'72 item-months fall short: 14 with lost sales (52,497 units lost), 10 with orders
    shipped late (32,838 units ship after the month ordered), 48 with stock below safety
    stock (70,866 unit-months below it, up to 10,245 units in one month). Lost and late:
    85,335 units not shipped in the month ordered.' Stock below safety stock adds up
    month after month, so its sum is unit-months; the largest month says how many units.
    Kinds with no row are left out (and the last sentence unless both lost and late are
    there); '' when there is none."""
    if shortfalls.empty:
        return ""
    g = shortfalls.groupby("kind", sort=False)["units"].agg(["count", "sum"])
    parts = [
        f"{int(g.at[k, 'count']):,} with {KIND_WORDS[k][0]} "
        f"({fmt.units(g.at[k, 'sum'], KIND_WORDS[k][1])}"
        f"{_below_peak(shortfalls) if k == 'below safety stock' else ''})"
        for k in KIND_ORDER
        if k in g.index
    ]
    parts += [f"{int(n):,} with {k}" for k, n in g["count"].items() if k not in KIND_ORDER]
    n = len(shortfalls)
    text = f"{fmt.count(n, 'item-month')} fall{'s' if n == 1 else ''} short: " + ", ".join(parts)
    text += "."
    if {"lost sales", "backlog"} <= set(g.index):
        both = g.at["lost sales", "sum"] + g.at["backlog", "sum"]
        text += f" Lost and late: {fmt.units(both)} not shipped in the month ordered."
    return text


def shortfall_lines(shortfalls: pd.DataFrame, top: int = 5) -> list[str]:
    """The `why` of the first `top` shortfalls, lost sales first, then backlog, then
    stock below safety stock (largest first within each: the order they come in)."""
    if shortfalls.empty:
        return []
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    order = shortfalls["kind"].map(lambda k: rank.get(k, len(rank)))
    picked = shortfalls.assign(_rank=order.to_numpy()).sort_values("_rank", kind="stable")
    return [str(w) for w in picked["why"].head(top)]


def late_by_month(family_plan: pd.DataFrame, family: str | None = None) -> pd.DataFrame:
    """Per month (one family, or all): month, on_time (units of the month's own orders
    shipped in it) and late (units of earlier months' orders shipped in it, from the
    backlog); on_time + late = the month's shipments (`sop.supply.service`)."""
    fp = family_plan if family is None else family_plan[family_plan[schema.FAMILY] == family]
    months = np.sort(fp[schema.MONTH].unique())
    g = service.item_grid(fp, ("demand", "lost_sales", "backlog"))
    d, lost, b = g["demand"], g["lost_sales"], g["backlog"]
    timely = service.on_time(d, lost, b).sum(axis=0)
    sent = service.shipped(d, lost, b).sum(axis=0)
    return pd.DataFrame(
        {schema.MONTH: months, "on_time": timely, "late": np.clip(sent - timely, 0.0, None)}
    )
