"""Executive decisions, pure: the plan of record of a cycle read from the append-only
log, open items, the log for reading, and the bridge from one plan of record to the
next (the snapshots they compare: `sop.executive.snapshots`).

A *cycle* is the month the S&OP meeting is held in: the month after the dataset's
as-of month (actuals to October 2026 -> the November 2026 cycle). The plan of record
of a cycle is its latest approval that has not been reversed; a reversal brings back
the approval before it, if any.

Plan-vs-plan bridge: `sop.finance.bridge.margin_bridge` on the two snapshots (it adds up
exactly), its steps grouped into four for the meeting:
- Demand   = volume + mix (the change of demand, valued at the previous unit margins)
  + promotion (what the promotions added to win demand cost);
- Price    = the change of the price per unit served;
- Capacity = lost sales + the production variances (idle time, overtime premium,
  hiring and layoffs, subcontract price variance, added capacity): what is not sold, and what
  keeping, stretching and buying in capacity costs beyond the standard;
- Cost     = standard cost + holding and backlog (cost per unit sold at standard,
  stock and backlog costs).
Each plan's margin is over its own 18-month horizon, so the demand step also holds
the horizon moving on by a month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core.months import month_start, next_month
from sop.executive.snapshots import PlanSnapshot
from sop.finance.bridge import STEPS, margin_bridge
from sop.store.decisions import ACTION, APPROVE, CLOSE, ITEMS, QUESTION, REVOKE

GROUPS = {
    "Demand": ("Volume", "Mix", "Promotion"),
    "Price": ("Price",),
    "Capacity": (
        "Lost sales",
        "Idle time",
        "Overtime premium",
        "Hiring and layoffs",
        "Subcontract price variance",
        "Added capacity",
    ),
    "Cost": ("Standard cost", "Holding and backlog"),
}
STATUS_POR, STATUS_SUPERSEDED, STATUS_REVOKED = "plan of record", "superseded", "reversed"
assert sorted(sum(GROUPS.values(), ())) == sorted(STEPS), "every bridge step in one group"


def default_cycle(as_of: pd.Timestamp | None) -> pd.Timestamp:
    """The cycle of a dataset: the month after its as-of month (today's month if none)."""
    if as_of is None:
        return month_start(pd.Timestamp.today())
    return next_month(as_of)


# --- the log ----------------------------------------------------------------------------
def entry_name(entry: pd.Series) -> str:
    """'#3 Demand +10%' for a saved scenario's approval, the plain name for the baseline."""
    return (
        f"#{int(entry['scenario_id'])} {entry['scenario_name']}"
        if entry["scenario_id"]
        else str(entry["scenario_name"])
    )


def approvals(log: pd.DataFrame) -> pd.DataFrame:
    """Approval entries with their status: the log's columns + status (plan of record,
    superseded, reversed) and reversed_by (entry id or NaN)."""
    app = log[log["kind"] == APPROVE].copy()
    rev = log[log["kind"] == REVOKE].set_index("ref_id")["entry_id"]
    app["reversed_by"] = app["entry_id"].map(rev).astype(float)
    standing = app[app["reversed_by"].isna()]
    top = standing.groupby("cycle")["entry_id"].max()
    app["status"] = np.where(
        app["reversed_by"].notna(),
        STATUS_REVOKED,
        np.where(app["entry_id"].isin(top.to_numpy()), STATUS_POR, STATUS_SUPERSEDED),
    )
    return app.reset_index(drop=True)


def plan_of_record(log: pd.DataFrame, cycle: pd.Timestamp) -> pd.Series | None:
    """The approval entry that is the plan of record of `cycle`, or None."""
    app = approvals(log)
    hit = app[(app["cycle"] == pd.Timestamp(cycle)) & (app["status"] == STATUS_POR)]
    return None if hit.empty else hit.iloc[-1]


def previous_plan_of_record(log: pd.DataFrame, cycle: pd.Timestamp) -> pd.Series | None:
    """The plan of record of the latest cycle before `cycle` that has one, or None."""
    app = approvals(log)
    hit = app[(app["cycle"] < pd.Timestamp(cycle)) & (app["status"] == STATUS_POR)]
    return None if hit.empty else hit.sort_values("cycle").iloc[-1]


def items(log: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """Questions and actions: entry_id, cycle, kind, text, owner, due, raised_by,
    raised_at, status (open, overdue, closed), closed_by, closed_note; open first,
    then by due date."""
    it = log[log["kind"].isin(ITEMS)]
    closes = log[log["kind"] == CLOSE].set_index("ref_id")
    out = pd.DataFrame(
        {
            "entry_id": it["entry_id"],
            "cycle": it["cycle"],
            "kind": it["kind"],
            "text": it["note"],
            "owner": it["owner"],
            "due": it["due"],
            "raised_by": it["author"],
            "raised_at": it["made_at"],
            "closed_by": it["entry_id"].map(closes["author"]),
            "closed_note": it["entry_id"].map(closes["note"]),
        }
    )
    closed = out["closed_by"].notna()
    late = out["due"] < pd.Timestamp(today).normalize()
    out["status"] = np.where(closed, "closed", np.where(late, "overdue", "open"))
    order = out["status"].map({"overdue": 0, "open": 1, "closed": 2})
    return (
        out.assign(_o=order)
        .sort_values(["_o", "due", "entry_id"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def log_view(log: pd.DataFrame) -> pd.DataFrame:
    """The decision log for reading, newest first: entry_id, made_at, cycle, entry
    (what happened, one line), author, note, status."""
    status = approvals(log).set_index("entry_id")["status"]
    its = items(log, pd.Timestamp.today()).set_index("entry_id")["status"]

    def approved(r) -> str:
        plan = f"#{int(r.scenario_id)} {r.scenario_name}" if r.scenario_id else r.scenario_name
        data = int(r.dataset_version) if pd.notna(r.dataset_version) else "?"
        return f"Approved {plan} (data v{data})"

    what = {
        APPROVE: approved,
        REVOKE: lambda r: f"Reversed approval #{int(r.ref_id)}",
        QUESTION: lambda r: f"Question for {r.owner}, due {r.due:%d %b %Y}",
        ACTION: lambda r: f"Action for {r.owner}, due {r.due:%d %b %Y}",
        CLOSE: lambda r: f"Closed item #{int(r.ref_id)}",
    }
    rows = [
        {
            "entry_id": int(r.entry_id),
            "made_at": r.made_at,
            "cycle": r.cycle,
            "entry": what[r.kind](r),
            "author": r.author,
            "note": r.note,
            "status": status.get(r.entry_id, its.get(r.entry_id, "")),
        }
        for r in log.itertuples(index=False)
    ]
    cols = ["entry_id", "made_at", "cycle", "entry", "author", "note", "status"]
    return pd.DataFrame(rows, columns=cols).iloc[::-1].reset_index(drop=True)


# --- plan-vs-plan bridge --------------------------------------------------------------
def plan_bridge(
    previous: PlanSnapshot, current: PlanSnapshot, products: pd.DataFrame
) -> pd.DataFrame:
    """Gross margin from the previous plan of record to the current one.

    Columns: step, amount (money), kind (`total` for the two ends, `delta` for the
    steps Demand, Price, Capacity, Cost), detail (the `sop.finance.bridge.STEPS` summed into
    the step, with their amounts). The deltas add up to current - previous margin.
    """
    full = margin_bridge(previous.plan(), current.plan(), products).set_index("step")
    rows = [("Previous plan of record", float(full["amount"].iloc[0]), "total", "")]
    for group, steps in GROUPS.items():
        parts = [(s, float(full.at[s, "amount"])) for s in steps]
        rows.append(
            (
                group,
                sum(a for _, a in parts),
                "delta",
                "; ".join(f"{s} {a:+,.0f}" for s, a in parts),
            )
        )
    rows.append(("New plan of record", float(full["amount"].iloc[-1]), "total", ""))
    return pd.DataFrame(rows, columns=["step", "amount", "kind", "detail"])


__all__ = [
    "ACTION",
    "QUESTION",
    "approvals",
    "plan_of_record",
    "previous_plan_of_record",
    "items",
    "log_view",
    "plan_bridge",
    "default_cycle",
    "entry_name",
]
