"""What the Executive page and the meeting pack show, built once by `build`.

The plan on the table is the cycle's plan of record (its levers re-planned on the
active data) or, before anything is approved, the baseline. It is compared with the
budget (over the months the budget covers) and with the previous cycle's plan of
record, read from the snapshot stored when it was approved.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sop import compare, weekly
from sop import decisions as D
from sop import exec_risks as R
from sop import schema as S
from sop.kpis import KPI_BY_KEY
from sop.levers import Levers
from sop.scenario import DemandBase, Evaluation, scenario_demand
from sop.scenario_apply import apply_policy, apply_tables
from sop.supply import PlanResult, solve_plan
from sop.supply_policy import SupplyPolicy

HEADLINE = (("revenue", "Revenue"), ("gross_margin", "Gross margin"),
            ("fill_rate", "Fill rate"), ("ending_inventory_value", "Inventory value (end)"),
            ("avg_utilisation", "Capacity utilisation (lines, avg)"))
BOARD = ("revenue", "gross_margin", "margin_vs_budget", "fill_rate",
         "ending_inventory_value", "avg_utilisation")
BAND_COLUMNS = [S.MONTH, S.REVENUE, "revenue_p10", "revenue_p50", "revenue_p90",
                "budget_revenue", "previous_revenue"]
BASELINE = "Baseline"


def headline(kpis: dict[str, float], budget: dict[str, float],
             previous: dict[str, float] | None, currency: str) -> pd.DataFrame:
    """The five headline KPIs. Columns: key, label, value, text, vs_budget (plan -
    budget over the budget's months; NaN where the budget has no such figure),
    vs_budget_text, vs_previous (this plan - the previous plan of record),
    vs_previous_text, changed (it differs from the previous plan), delta_color
    (st.metric: green when the change goes the better way)."""
    rows = []
    for key, label in HEADLINE:
        v = kpis.get(key, np.nan)
        vb = (budget.get(f"plan_{key}", np.nan) - budget.get(key, np.nan)
              if key in budget else np.nan)
        vp = v - previous.get(key, np.nan) if previous else np.nan
        months = int(budget.get("months", 0) or 0)
        rows.append({
            "key": key, "label": label, "value": v, "text": compare.value_text(key, v, currency),
            "vs_budget": vb, "vs_budget_text": (
                "no budget figure" if np.isnan(vb) else
                f"{compare.delta_text(key, vb, budget.get(key), currency) or 'on budget'} "
                f"vs budget ({months} months)"),
            "vs_previous": vp, "vs_previous_text": (
                "no previous plan of record" if not previous else
                f"{compare.delta_text(key, vp, previous.get(key), currency) or 'no change'} "
                "vs previous plan"),
            "changed": bool(previous) and compare.delta_text(key, vp) is not None,
            "delta_color": compare.delta_color(KPI_BY_KEY[key])})
    return pd.DataFrame(rows)


def revenue_band(plan: PlanResult, total: pd.DataFrame, budget: pd.DataFrame | None = None,
                 previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Total revenue by month with its P10/P50/P90 over all families (`total` is
    `sop.risk.Risk.total`: quantiles of the total, from the scenario's simulation), the
    budget and the previous plan of record's revenue (NaN where absent).
    Columns `BAND_COLUMNS`."""
    out = (plan.family_plan.groupby(S.MONTH, as_index=False)[S.REVENUE].sum()
           .merge(total, on=S.MONTH, how="left"))
    for frame, col in ((budget, "budget_revenue"), (previous, "previous_revenue")):
        by = (frame.groupby(S.MONTH)[S.REVENUE].sum() if frame is not None and len(frame)
              else pd.Series(dtype=float))
        out[col] = out[S.MONTH].map(by).astype(float)
    return out[BAND_COLUMNS]


def scenario_board(evaluations: dict[str, Evaluation]) -> pd.DataFrame:
    """The plans on the table side by side, one row each: plan and `BOARD` figures
    (margin_vs_budget over the budget's months; NaN without a budget)."""
    rows = []
    for name, ev in evaluations.items():
        if not ev.ok:
            continue
        k, b = ev.kpis, ev.budget
        rows.append({"plan": name, **{key: k.get(key, np.nan) for key in BOARD},
                     "margin_vs_budget": b.get("plan_gross_margin", np.nan)
                     - b.get("gross_margin", np.nan)})
    return pd.DataFrame(rows, columns=["plan", *BOARD])


def board_text(board: pd.DataFrame, currency: str, plan_of_record: str = "") -> pd.DataFrame:
    """`scenario_board` as text with units; ★ marks the best value of each column and
    ✔ the plan of record."""
    labels = {"revenue": "Revenue", "gross_margin": "Gross margin",
              "margin_vs_budget": "Margin vs budget", "fill_rate": "Fill rate",
              "ending_inventory_value": "Inventory value (end)",
              "avg_utilisation": "Line utilisation (avg)"}
    out = pd.DataFrame({"Plan": [("✔ " if p == plan_of_record else "") + p
                                 for p in board["plan"]]})
    for key, label in labels.items():
        kpi = "gross_margin" if key == "margin_vs_budget" else key
        better = "up" if key == "margin_vs_budget" else KPI_BY_KEY[key].better
        best = compare.best_in_row(dict(zip(board["plan"], board[key])), better)
        out[label] = [(compare.BEST if p in best else "") + (
            (compare.delta_text(kpi, v, None, currency) or "on budget")
            if key == "margin_vs_budget" and np.isfinite(v) else
            compare.value_text(kpi, v, currency)) for p, v in zip(board["plan"], board[key])]
    return out


def plan_detail(base: DemandBase, tables: dict[str, pd.DataFrame], levers: Levers,
                policy: SupplyPolicy) -> pd.DataFrame:
    """The SKU plan of `levers`: the plan re-solved with its SKU detail
    (`PlanResult.sku_plan`, regions summed); empty when there is no plan."""
    d, _ = scenario_demand(base, levers)
    plan = solve_plan(d, apply_tables(tables, levers), apply_policy(policy, levers),
                      sku_detail=True)
    return plan.sku_plan if plan.ok else pd.DataFrame()


@dataclass
class ExecView:
    """Everything the Executive pages and the pack show (see `build`)."""

    cycle: pd.Timestamp
    as_of: pd.Timestamp | None
    currency: str
    version: int | None
    plan_name: str
    approved: pd.Series | None          # the plan of record's approval entry
    current: Evaluation
    snapshot: D.PlanSnapshot            # approved snapshot, or the live candidate's
    previous: D.PlanSnapshot | None
    previous_entry: pd.Series | None
    headline: pd.DataFrame
    band: pd.DataFrame
    risks: pd.DataFrame
    board: pd.DataFrame
    bridge: pd.DataFrame | None
    sku_plan: pd.DataFrame
    weekly: pd.DataFrame
    actuals: pd.DataFrame
    actuals_month: pd.Timestamp | None
    actuals_plan: str
    log: pd.DataFrame
    items: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def por_name(self) -> str:
        """The plan of record's name ('' before anything is approved)."""
        return self.plan_name if self.approved is not None else ""


def _actuals(log: pd.DataFrame, load: Callable[[int], D.PlanSnapshot | None],
             tables: dict[str, pd.DataFrame], as_of: pd.Timestamp | None
             ) -> tuple[pd.DataFrame, pd.Timestamp | None, str]:
    """The as-of month's actuals against the latest earlier plan of record covering it."""
    if as_of is None:
        return pd.DataFrame(columns=weekly.ACTUAL_COLUMNS), None, ""
    app = D.approvals(log)
    for r in app[app["status"] == D.STATUS_POR].sort_values("cycle", ascending=False
                                                            ).itertuples(index=False):
        snap = load(int(r.entry_id))
        if snap is None or snap.as_of is None or snap.as_of >= as_of:
            continue
        if (snap.sku_plan[S.MONTH] == as_of).any():
            return (weekly.actuals_vs_plan(tables[S.SALES], snap.sku_plan, as_of), as_of,
                    f"{snap.scenario_name} ({fmt_cycle(snap.cycle)} cycle)")
    return pd.DataFrame(columns=weekly.ACTUAL_COLUMNS), None, ""


def fmt_cycle(cycle: pd.Timestamp) -> str:
    return pd.Timestamp(cycle).strftime("%b %Y")


def build(tables: dict[str, pd.DataFrame], base: DemandBase, policy: SupplyPolicy,
          evaluate: Callable[[Levers], Evaluation], log: pd.DataFrame,
          load: Callable[[int], D.PlanSnapshot | None], scenarios: dict[int, tuple[str, Levers]],
          cycle: pd.Timestamp, as_of: pd.Timestamp | None, currency: str,
          version: int | None, today: pd.Timestamp | None = None,
          max_board: int = 4) -> ExecView:
    """The `ExecView` of a cycle. evaluate: levers -> `sop.scenario.Evaluation` (cached
    by the caller); load: approval entry id -> its snapshot; scenarios: saved scenario
    id -> (name, levers), newest first."""
    notes: list[str] = []
    por = D.plan_of_record(log, cycle)
    prev_entry = D.previous_plan_of_record(log, cycle)
    previous = load(int(prev_entry["entry_id"])) if prev_entry is not None else None
    approved = load(int(por["entry_id"])) if por is not None else None
    if por is not None:
        name = (f"#{int(por['scenario_id'])} {por['scenario_name']}" if por["scenario_id"]
                else str(por["scenario_name"]))
        levers = Levers.from_dict(approved.levers) if approved else Levers()
        if pd.notna(por["dataset_version"]) and version is not None and \
                int(por["dataset_version"]) != version:
            notes.append(f"Approved on data version {int(por['dataset_version'])}; the "
                         f"figures are re-planned on version {version}.")
    else:
        name, levers = BASELINE, Levers()
        notes.append(f"No plan of record for the {fmt_cycle(cycle)} cycle yet: the "
                     "baseline is shown.")
    current = evaluate(levers)
    if not current.ok:
        raise ValueError(f"{name}: {current.plan.explanation}")
    sku_plan = plan_detail(base, tables, levers, policy)
    live = D.make_snapshot(current, cycle, int(por["scenario_id"]) if por is not None else 0,
                           name, version, as_of, currency, sku_plan)
    snapshot = approved if approved is not None else live
    budget = tables.get(S.BUDGET)
    board_evals = {BASELINE: evaluate(Levers())}
    for sid, (sname, lv) in list(scenarios.items())[:max_board]:
        board_evals[f"#{sid} {sname}"] = evaluate(lv)
    board_evals.setdefault(name, current)
    bridge = (D.plan_bridge(previous, snapshot, tables[S.PRODUCTS])
              if previous is not None else None)
    split = weekly.weekly_split(approved.sku_plan, weekly.route_days(
        tables, approved.sku_plan[S.MONTH].unique())) if approved is not None else \
        pd.DataFrame(columns=weekly.WEEK_COLUMNS)
    actuals, a_month, a_plan = _actuals(log, load, tables, as_of)
    return ExecView(
        cycle=pd.Timestamp(cycle), as_of=as_of, currency=currency, version=version,
        plan_name=name, approved=por, current=current, snapshot=snapshot, previous=previous,
        previous_entry=prev_entry,
        headline=headline(current.kpis, current.budget,
                          previous.kpis if previous else None, currency),
        band=revenue_band(current.plan, current.risk.total, budget,
                          previous.pnl if previous else None),
        risks=R.ranked(current.plan, current.pnl, budget, current.demand, sku_plan,
                       tables[S.PRODUCTS], currency),
        board=scenario_board(board_evals), bridge=bridge, sku_plan=sku_plan, weekly=split,
        actuals=actuals, actuals_month=a_month, actuals_plan=a_plan,
        log=D.log_view(log), items=D.items(log, today or pd.Timestamp.today()), notes=notes)


def snapshot_loader(read: Callable[[int], str | None]) -> Callable[[int], Any]:
    """A `load` for `build` from a function entry id -> snapshot JSON (or None)."""
    def load(entry_id: int) -> D.PlanSnapshot | None:
        text = read(entry_id)
        return None if text is None else D.PlanSnapshot.from_json(text)
    return load
