"""Executive decisions, pure: the snapshot of an approved plan, the plan of record of a
cycle read from the append-only log, open items, and the bridge from one plan of
record to the next.

A *cycle* is the month the S&OP meeting is held in: the month after the dataset's
as-of month (actuals to October 2026 -> the November 2026 cycle). The plan of record
of a cycle is its latest approval that has not been reversed; a reversal brings back
the approval before it, if any.

Plan-vs-plan bridge: `sop.bridge.margin_bridge` on the two snapshots (it adds up
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

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import month_start, next_month
from sop.finance.bridge import STEPS, margin_bridge
from sop.store.decisions import ACTION, APPROVE, CLOSE, ITEMS, QUESTION, REVOKE
from sop.supply.plan import OPTIMAL, PlanResult
from sop.supply.policy import SupplyPolicy

FORMAT = 1
SOE_MONTHS = 3
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
FP_COLUMNS = [
    schema.MONTH,
    schema.FAMILY,
    schema.PLANT,
    "demand",
    "production",
    "subcontracted",
    "shipped",
    "backlog",
    "lost_sales",
    "inventory",
    "revenue",
    "material_cost",
    "subcontract_cost",
    "holding_cost",
    "backlog_cost",
    "inventory_change",
    "booked_units",
    "standard_cogs",
    "stock_value",
    "idle_time",
    "overtime_premium",
    "hiring_cost",
    "layoff_cost",
    "subcontract_variance",
    "added_capacity",
    "promotion_cost",
]
SKU_COLUMNS = [
    schema.MONTH,
    schema.SKU,
    schema.FAMILY,
    schema.PLANT,
    "demand",
    "production",
    "subcontracted",
    "shipped",
    "inventory",
]
PNL_COLUMNS = [schema.MONTH, schema.FAMILY, "units", schema.REVENUE, schema.MARGIN]
STATUS_POR, STATUS_SUPERSEDED, STATUS_REVOKED = "plan of record", "superseded", "reversed"
assert sorted(sum(GROUPS.values(), ())) == sorted(STEPS), "every bridge step in one group"


def default_cycle(as_of: pd.Timestamp | None) -> pd.Timestamp:
    """The cycle of a dataset: the month after its as-of month (today's month if none)."""
    if as_of is None:
        return month_start(pd.Timestamp.today())
    return next_month(as_of)


# --- snapshots ------------------------------------------------------------------------
def _records(df: pd.DataFrame, cols: list[str]) -> dict[str, list]:
    out: dict[str, list] = {}
    for c in cols:
        s = df[c] if c in df.columns else pd.Series(np.nan, index=df.index)
        if c == schema.MONTH:
            out[c] = [pd.Timestamp(v).strftime("%Y-%m-%d") for v in s]
        elif pd.api.types.is_numeric_dtype(s):
            out[c] = [
                None if not np.isfinite(v) else float(v)
                for v in s.to_numpy(dtype=float, na_value=np.nan)
            ]
        else:
            out[c] = [str(v) for v in s]
    return out


def _frame(data: dict[str, list], cols: list[str]) -> pd.DataFrame:
    # a snapshot saved by an older version lacks newer columns: they read as missing
    rows = max((len(v) for v in data.values()), default=0)
    df = pd.DataFrame({c: data.get(c, [None] * rows) for c in cols})
    if schema.MONTH in df.columns:
        df[schema.MONTH] = pd.to_datetime(df[schema.MONTH])
    for c in cols:
        if c not in (schema.MONTH, schema.FAMILY, schema.PLANT, schema.SKU):
            df[c] = pd.to_numeric(df[c]).astype(float)
    return df


@dataclass
class PlanSnapshot:
    """A plan as approved: enough to show, compare and bridge it after the data moved.

    family_plan: `FP_COLUMNS` (family x plant x month); costs: term, label, kind,
    amount; pnl: `PNL_COLUMNS` (family x month); sku_plan: `SKU_COLUMNS` for the
    first `SOE_MONTHS` months (the S&OE hand-off); kpis: `sop.finance.kpis.plan_kpis`;
    budget: `sop.finance.budget_kpis`.
    """

    cycle: pd.Timestamp
    scenario_id: int
    scenario_name: str
    levers: dict[str, Any]
    dataset_version: int | None
    as_of: pd.Timestamp | None
    currency: str
    kpis: dict[str, float]
    budget: dict[str, float]
    family_plan: pd.DataFrame
    costs: pd.DataFrame
    pnl: pd.DataFrame
    sku_plan: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SKU_COLUMNS))
    settings: dict[str, Any] = field(default_factory=dict)  # the SupplyPolicy planned with

    def to_json(self) -> str:
        def num(d: dict) -> dict:
            return {
                k: (None if v is None or not np.isfinite(float(v)) else float(v))
                for k, v in d.items()
            }

        return json.dumps(
            {
                "format": FORMAT,
                "cycle": self.cycle.strftime("%Y-%m-%d"),
                "scenario_id": self.scenario_id,
                "scenario_name": self.scenario_name,
                "levers": self.levers,
                "dataset_version": self.dataset_version,
                "as_of": None if self.as_of is None else self.as_of.strftime("%Y-%m-%d"),
                "currency": self.currency,
                "kpis": num(self.kpis),
                "budget": num(self.budget),
                "family_plan": _records(self.family_plan, FP_COLUMNS),
                "costs": {
                    "term": [str(t) for t in self.costs["term"]],
                    "label": [str(t) for t in self.costs["label"]],
                    "kind": [str(t) for t in self.costs["kind"]],
                    "amount": [float(a) for a in self.costs["amount"]],
                },
                "pnl": _records(self.pnl, PNL_COLUMNS),
                "sku_plan": _records(self.sku_plan, SKU_COLUMNS),
                "settings": self.settings,
            },
            allow_nan=False,
        )

    @classmethod
    def from_json(cls, text: str) -> PlanSnapshot:
        d = json.loads(text)

        def num(x: dict) -> dict[str, float]:
            return {k: (np.nan if v is None else float(v)) for k, v in x.items()}

        return cls(
            pd.Timestamp(d["cycle"]),
            int(d["scenario_id"]),
            d["scenario_name"],
            d["levers"],
            d["dataset_version"],
            None if d["as_of"] is None else pd.Timestamp(d["as_of"]),
            d["currency"],
            num(d["kpis"]),
            num(d["budget"]),
            _frame(d["family_plan"], FP_COLUMNS),
            pd.DataFrame(d["costs"]),
            _frame(d["pnl"], PNL_COLUMNS),
            _frame(d["sku_plan"], SKU_COLUMNS),
            d.get("settings", {}),
        )

    def plan(self) -> PlanResult:
        """The snapshot as a `PlanResult` holding what `sop.bridge.margin_bridge` reads."""
        return PlanResult(
            OPTIMAL,
            "snapshot",
            SupplyPolicy.from_dict(self.settings),
            family_plan=self.family_plan,
            costs=self.costs,
        )


def make_snapshot(
    evaluation: Any,
    cycle: pd.Timestamp,
    scenario_id: int,
    name: str,
    dataset_version: int | None,
    as_of: pd.Timestamp | None,
    currency: str,
    sku_plan: pd.DataFrame | None = None,
) -> PlanSnapshot:
    """The snapshot of an optimal `sop.scenario.Evaluation`; `sku_plan` is the plan's
    SKU detail (`PlanResult.sku_plan`), kept for the first `SOE_MONTHS` months."""
    plan = evaluation.plan
    fp = plan.family_plan.groupby([schema.MONTH, schema.FAMILY, schema.PLANT], as_index=False)[
        FP_COLUMNS[3:]
    ].sum()
    sku = pd.DataFrame(columns=SKU_COLUMNS)
    if sku_plan is not None and len(sku_plan):
        first = sorted(sku_plan[schema.MONTH].unique())[:SOE_MONTHS]
        part = sku_plan[sku_plan[schema.MONTH].isin(first)]
        sku = part.groupby([schema.MONTH, schema.SKU, schema.FAMILY, schema.PLANT], as_index=False)[
            SKU_COLUMNS[4:]
        ].sum()
    return PlanSnapshot(
        pd.Timestamp(cycle),
        int(scenario_id),
        name,
        evaluation.levers.to_dict(),
        dataset_version,
        as_of,
        currency,
        dict(evaluation.kpis),
        dict(evaluation.budget),
        fp,
        plan.costs[["term", "label", "kind", "amount"]].copy(),
        evaluation.pnl[PNL_COLUMNS].copy(),
        sku,
        plan.policy.as_dict(),
    )


# --- the log ----------------------------------------------------------------------------
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
    steps Demand, Price, Capacity, Cost), detail (the `sop.bridge.STEPS` summed into
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
    "PlanSnapshot",
    "make_snapshot",
    "approvals",
    "plan_of_record",
    "previous_plan_of_record",
    "items",
    "log_view",
    "plan_bridge",
    "default_cycle",
]
