"""What the step-5 pages show that needs no demand plan, and the plan-vs-plan bridge
as they show it.

The decision log, the questions and actions, the plan of record's approved snapshot
(with its first months in weeks) and the as-of month's actuals against an earlier
plan of record are all read from the log, the snapshots and the sales: none of them
depends on a forecast, so the Decisions and Hand-off pages show them even when the
active dataset has no demand plan yet (a new version just loaded).

The Supply page plans the data with no lever moved; when the cycle's plan of record is
a saved scenario, `record_note` says so there, with the record's on-time and lost
figures as approved, so a page showing 100 % on time does not pass for the plan the
meeting approved.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sop.core import fmt, schema
from sop.executive import approval, decisions, weekly
from sop.executive.snapshots import PlanSnapshot
from sop.finance.bridge import margin_bridge
from sop.finance.kpi_text import service_pct
from sop.finance.service_line import SHORT_UNITS, num
from sop.store.decisions import APPROVE

BRIDGE_COLUMNS = ["step", "amount", "kind", "detail", "amount_text"]
PREVIOUS_STEP = "Previous plan of record"
NEW_STEP = "New plan of record"


@dataclass
class Records:
    """The cycle's log, items and plan of record, as approved.

    approved: the plan of record's approval entry (None before one); plan_name: its
    name ('#id name', '' before one); snapshot: its approved `PlanSnapshot`;
    previous / previous_entry: the previous cycle's plan of record; weekly: the
    snapshot's first months in weeks (`sop.weekly.weekly_split`); actuals,
    actuals_month, actuals_plan: the as-of month against an earlier plan of record;
    log: `decisions.log_view` with `service` (`log_service`); items: `decisions.items`."""

    cycle: pd.Timestamp
    as_of: pd.Timestamp | None
    approved: pd.Series | None
    plan_name: str
    snapshot: PlanSnapshot | None
    previous: PlanSnapshot | None
    previous_entry: pd.Series | None
    weekly: pd.DataFrame
    actuals: pd.DataFrame
    actuals_month: pd.Timestamp | None
    actuals_plan: str
    log: pd.DataFrame
    items: pd.DataFrame


def fmt_cycle(cycle: pd.Timestamp) -> str:
    return pd.Timestamp(cycle).strftime("%b %Y")


def record_note(rec: Records, currency: str, version: int | None = None) -> str | None:
    """Markdown (the name escaped) for a page planning the data with no lever moved, when
    the cycle's plan of record is a saved scenario: "The plan of record this cycle (Jan
    2026) is the scenario '#3 L2 cut': on-time 77.3 %, 1,234 units lost (€56k), as
    approved. This page plans the data with no lever moved: see the plan of record on
    the Executive page, or open the scenario on the Scenarios page." The figures are
    the record's as approved (its snapshot's KPIs); a figure they lack is left out, none
    at all reads "its figures were not kept". Approved on data other than `version`,
    the note says which. None without a record or when the record is the baseline (the
    plan such a page shows). Reads `approved`, `plan_name`, `snapshot` (its `kpis`) and
    `cycle` of the `Records`."""
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


def log_service(
    view: pd.DataFrame, log: pd.DataFrame, load: Callable[[int], PlanSnapshot | None]
) -> pd.DataFrame:
    """The log to read (`decisions.log_view`) with `service`: for each approval, what
    the approved plan serves, from the KPIs its snapshot stored (`approval.log_line`:
    "leaves 7,716 units (€565k) unserved, and 29,175 units (€2.14M) ship after the
    month ordered, 37,020 unit-months in all: fill 98.0 %, on-time 88.0 %"); '' for
    other entries and for an approval whose snapshot is missing or holds no service
    rates (saved by an older version)."""
    ids = log.loc[log["kind"] == APPROVE, "entry_id"] if len(log) else []
    lines = {}
    for entry_id in ids:
        snap = load(int(entry_id))
        lines[int(entry_id)] = "" if snap is None else approval.log_line(snap.kpis, snap.currency)
    out = view.copy()
    out.insert(
        list(out.columns).index("entry") + 1,
        "service",
        [lines.get(int(i), "") for i in out["entry_id"]],
    )
    return out


def _actuals(
    log: pd.DataFrame,
    load: Callable[[int], PlanSnapshot | None],
    tables: dict[str, pd.DataFrame],
    as_of: pd.Timestamp | None,
) -> tuple[pd.DataFrame, pd.Timestamp | None, str]:
    """The as-of month's actuals against the latest earlier plan of record covering it."""
    if as_of is None:
        return pd.DataFrame(columns=weekly.ACTUAL_COLUMNS), None, ""
    app = decisions.approvals(log)
    for r in (
        app[app["status"] == decisions.STATUS_POR]
        .sort_values("cycle", ascending=False)
        .itertuples(index=False)
    ):
        snap = load(int(r.entry_id))
        if snap is None or snap.as_of is None or snap.as_of >= as_of:
            continue
        if (snap.sku_plan[schema.MONTH] == as_of).any():
            return (
                weekly.actuals_vs_plan(tables[schema.SALES], snap.sku_plan, as_of),
                as_of,
                f"{snap.scenario_name} ({fmt_cycle(snap.cycle)} cycle)",
            )
    return pd.DataFrame(columns=weekly.ACTUAL_COLUMNS), None, ""


def records(
    tables: dict[str, pd.DataFrame],
    log: pd.DataFrame,
    load: Callable[[int], PlanSnapshot | None],
    cycle: pd.Timestamp,
    as_of: pd.Timestamp | None,
    today: pd.Timestamp | None = None,
) -> Records:
    """The `Records` of `cycle` (load: approval entry id -> its snapshot)."""
    por = decisions.plan_of_record(log, cycle)
    prev_entry = decisions.previous_plan_of_record(log, cycle)
    previous = load(int(prev_entry["entry_id"])) if prev_entry is not None else None
    approved = load(int(por["entry_id"])) if por is not None else None
    split = (
        weekly.weekly_split(
            approved.sku_plan, weekly.route_days(tables, approved.sku_plan[schema.MONTH].unique())
        )
        if approved is not None
        else pd.DataFrame(columns=weekly.WEEK_COLUMNS)
    )
    actuals, a_month, a_plan = _actuals(log, load, tables, as_of)
    return Records(
        cycle=pd.Timestamp(cycle),
        as_of=as_of,
        approved=por,
        plan_name=decisions.entry_name(por) if por is not None else "",
        snapshot=approved,
        previous=previous,
        previous_entry=prev_entry,
        weekly=split,
        actuals=actuals,
        actuals_month=a_month,
        actuals_plan=a_plan,
        log=log_service(decisions.log_view(log), log, load),
        items=decisions.items(log, today or pd.Timestamp.today()),
    )


def plan_bridge(
    previous: PlanSnapshot,
    current: PlanSnapshot,
    products: pd.DataFrame,
    currency: str,
    end: str = NEW_STEP,
) -> pd.DataFrame:
    """Gross margin from the previous plan of record to the plan on the table, in the
    four steps of `sop.decisions.GROUPS` (they add up exactly).

    Columns `BRIDGE_COLUMNS`: step (the last is `end`: say "not approved" when the
    plan on the table is not this cycle's plan of record), amount, kind (`total` for
    the two ends, `delta` for Demand, Price, Capacity, Cost), detail (the
    `sop.bridge.STEPS` in the step, each a signed amount by `fmt.money_delta`),
    amount_text (the amount as money, signed for the steps)."""
    full = margin_bridge(previous.plan(), current.plan(), products).set_index("step")
    rows = [(PREVIOUS_STEP, float(full["amount"].iloc[0]), "total", "")]
    for group, steps in decisions.GROUPS.items():
        parts = [(s, float(full.at[s, "amount"])) for s in steps]
        rows.append(
            (
                group,
                sum(a for _, a in parts),
                "delta",
                "; ".join(f"{s} {fmt.money_delta(a, currency, compact=False)}" for s, a in parts),
            )
        )
    rows.append((end, float(full["amount"].iloc[-1]), "total", ""))
    out = pd.DataFrame(rows, columns=BRIDGE_COLUMNS[:-1])
    out["amount_text"] = [
        fmt.money(a, currency, compact=False)
        if k == "total"
        else fmt.money_delta(a, currency, compact=False)
        for a, k in zip(out["amount"], out["kind"])
    ]
    return out
