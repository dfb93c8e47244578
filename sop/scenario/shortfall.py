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

The Supply page plans the data with no lever moved; when the cycle's plan of record is
a saved scenario, `record_note` says so there, with the record's on-time and lost
figures as approved, so a page showing 100 % on time does not pass for the plan the
meeting approved.
Pure: DataFrames and KPIs in, strings and new frames out.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.finance.service_line import SHORT_UNITS, num
from sop.finance.tiles import service_pct
from sop.supply import service

# customer-facing gaps first; within a kind, the shortfalls' own order (largest first)
KIND_ORDER = ("lost sales", "backlog", "below safety stock")
KIND_WORDS = {
    "lost sales": ("lost sales", "units lost"),
    "backlog": ("orders shipped late", "units ship after the month ordered"),
    "below safety stock": ("stock below safety stock", "units short of it"),
}


def shortfall_count(shortfalls: pd.DataFrame) -> str:
    """'72 item-months fall short: 14 with lost sales (52,497 units lost), 10 with orders
    shipped late (32,838 units ship after the month ordered), 48 with stock below safety
    stock (274,443 units short of it). Lost and late: 85,335 units not shipped in the
    month ordered.' Kinds with no row are left out (and the last sentence unless both
    lost and late are there); '' when there is none."""
    if shortfalls.empty:
        return ""
    g = shortfalls.groupby("kind", sort=False)["units"].agg(["count", "sum"])
    parts = [
        f"{int(g.at[k, 'count']):,} with {KIND_WORDS[k][0]} "
        f"({fmt.units(g.at[k, 'sum'], KIND_WORDS[k][1])})"
        for k in KIND_ORDER
        if k in g.index
    ]
    parts += [f"{int(n):,} with {k}" for k, n in g["count"].items() if k not in KIND_ORDER]
    text = f"{len(shortfalls):,} item-months fall short: " + ", ".join(parts) + "."
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


class Record(Protocol):
    """What `record_note` reads of the cycle's records (`sop.executive.records.Records`):
    the plan of record's approval entry (None before one), its name ('#3 L2 cut'), its
    approved snapshot (its `kpis`; None when not kept) and the cycle."""

    approved: pd.Series | None
    plan_name: str
    snapshot: Any
    cycle: pd.Timestamp


def record_note(rec: Record, currency: str, version: int | None = None) -> str | None:
    """Markdown (the name escaped) for a page planning the data with no lever moved, when
    the cycle's plan of record is a saved scenario: "The plan of record this cycle (Jan
    2026) is the scenario '#3 L2 cut': on-time 77.3 %, 1,234 units lost (€56k), as
    approved. This page plans the data with no lever moved: see the plan of record on
    the Executive page, or open the scenario on the Scenarios page." The figures are
    the record's as approved (its snapshot's KPIs); a figure they lack is left out, none
    at all reads "its figures were not kept". Approved on data other than `version`,
    the note says which. None without a record or when the record is the baseline (the
    plan such a page shows)."""
    entry = rec.approved
    if entry is None or not rec.plan_name or pd.isna(entry["scenario_id"]):
        return None
    if not int(entry["scenario_id"]):
        return None
    k = getattr(rec.snapshot, "kpis", None) or {}
    figures = []
    if not math.isnan(on_time := num(k, "on_time_rate")):
        figures.append(f"on-time {service_pct(on_time)}")
    if not math.isnan(lost := num(k, "lost_units")):
        value = num(k, "lost_value")
        money = "" if math.isnan(value) or lost < SHORT_UNITS else fmt.money(value, currency)
        figures.append(f"{fmt.units(lost)} lost" + (f" ({money})" if money else ""))
    said = f": {', '.join(figures)}, as approved" if figures else " (its figures were not kept)"
    data = entry.get("dataset_version")
    if version is not None and not pd.isna(data) and int(data) != int(version):
        said += f"{'' if figures else ','} on data v{int(data)} (this page plans v{int(version)})"
    return (
        f"The plan of record this cycle ({fmt.month(rec.cycle)}) is the scenario "
        f"'{fmt.md(rec.plan_name)}'{said}. This page plans the data with no lever moved: "
        "see the plan of record on the Executive page, or open the scenario on the "
        "Scenarios page."
    )


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
