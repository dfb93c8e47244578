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

from sop.core import schema
from sop.executive import decisions
from sop.executive import records as exec_records
from sop.executive import risks as exec_risks
from sop.finance import statement
from sop.finance.kpis import KPI_BY_KEY
from sop.scenario import compare
from sop.scenario.apply import apply_policy, apply_tables
from sop.scenario.evaluate import DemandBase, Evaluation, scenario_demand
from sop.scenario.levers import Levers
from sop.supply.plan import PlanResult, solve_plan
from sop.supply.policy import SupplyPolicy

HEADLINE = (
    ("revenue", "Revenue"),
    ("gross_margin", "Gross margin"),
    ("fill_rate", "Fill rate"),
    ("ending_inventory_value", "Inventory value (end)"),
    ("avg_utilisation", "Line utilisation"),
)
DEFINITIONS = {
    "revenue": "Revenue of the units served over the plan horizon.",
    "gross_margin": "Revenue - cost of goods (material, conversion, subcontracting, "
    "stock costs) over the plan horizon.",
    "fill_rate": "Share of demand served over the plan horizon.",
    "ending_inventory_value": "Stock at the end of the plan horizon, valued at cost.",
    "avg_utilisation": "Capacity utilisation of the production lines: hours used / "
    "hours available, averaged over lines and months.",
}
BOARD = (
    "revenue",
    "gross_margin",
    "margin_vs_budget",
    "fill_rate",
    "ending_inventory_value",
    "avg_utilisation",
)
BAND_COLUMNS = [
    schema.MONTH,
    schema.REVENUE,
    "revenue_p10",
    "revenue_p50",
    "revenue_p90",
    "budget_revenue",
    "previous_revenue",
]
BASELINE = "Baseline"


def headline(
    kpis: dict[str, float],
    budget: dict[str, float],
    previous: dict[str, float] | None,
    currency: str,
) -> pd.DataFrame:
    """The five headline KPIs. Columns: key, label (short, fits a tile), value, text,
    vs_budget (plan - budget over the budget's months; NaN where the budget has no
    such figure), vs_budget_text, budget_short (one short line for under a tile, naming the
    months compared: the tile's value covers the whole horizon),
    vs_previous (this plan - the previous plan of record), vs_previous_text, delta
    (the change alone, short, for the tile), changed (it differs from the previous
    plan), delta_color (st.metric: green when the change goes the better way), help
    (what the KPI is, then both comparisons in full)."""
    rows = []
    for key, label in HEADLINE:
        v = kpis.get(key, np.nan)
        vb = (
            budget.get(f"plan_{key}", np.nan) - budget.get(key, np.nan) if key in budget else np.nan
        )
        vp = v - previous.get(key, np.nan) if previous else np.nan
        months = int(budget.get("months", 0) or 0)
        db = None if np.isnan(vb) else compare.delta_text(key, vb, budget.get(key), currency)
        dp = compare.delta_text(key, vp, previous.get(key), currency) if previous else None
        row = {
            "key": key,
            "label": label,
            "value": v,
            "text": compare.value_text(key, v, currency),
            "vs_budget": vb,
            "vs_budget_text": (
                "no budget figure"
                if np.isnan(vb)
                else f"{db or 'on budget'} vs budget ({months} months)"
            ),
            "budget_short": "no budget figure"
            if np.isnan(vb)
            else f"{db or 'on budget'} vs budget, {months} months",
            "vs_previous": vp,
            "vs_previous_text": (
                "no previous plan of record"
                if not previous
                else f"{dp or 'no change'} vs previous plan"
            ),
            "delta": dp,
            "changed": dp is not None,
            "delta_color": compare.delta_color(KPI_BY_KEY[key]),
        }
        row["help"] = (
            f"{DEFINITIONS[key]} Against the budget: {row['vs_budget_text']}; "
            f"against the previous plan of record: {row['vs_previous_text']}."
        )
        rows.append(row)
    return pd.DataFrame(rows)


def revenue_band(
    plan: PlanResult,
    total: pd.DataFrame,
    budget: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Total revenue by month with its P10/P50/P90 over all families (`total` is
    `sop.risk.Risk.total`: quantiles of the total, from the scenario's simulation), the
    budget and the previous plan of record's revenue (NaN where absent).
    Columns `BAND_COLUMNS`."""
    out = (
        plan.family_plan.groupby(schema.MONTH, as_index=False)[schema.REVENUE]
        .sum()
        .merge(total, on=schema.MONTH, how="left")
    )
    for frame, col in ((budget, "budget_revenue"), (previous, "previous_revenue")):
        by = (
            frame.groupby(schema.MONTH)[schema.REVENUE].sum()
            if frame is not None and len(frame)
            else pd.Series(dtype=float)
        )
        out[col] = out[schema.MONTH].map(by).astype(float)
    return out[BAND_COLUMNS]


def scenario_board(evaluations: dict[str, Evaluation]) -> pd.DataFrame:
    """The plans on the table side by side, one row each: plan and `BOARD` figures
    (margin_vs_budget over the budget's months; NaN without a budget)."""
    rows = []
    for name, ev in evaluations.items():
        if not ev.ok:
            continue
        k, b = ev.kpis, ev.budget
        rows.append(
            {
                "plan": name,
                **{key: k.get(key, np.nan) for key in BOARD},
                "margin_vs_budget": b.get("plan_gross_margin", np.nan)
                - b.get("gross_margin", np.nan),
            }
        )
    return pd.DataFrame(rows, columns=["plan", *BOARD])


def board_text(board: pd.DataFrame, currency: str, plan_of_record: str = "") -> pd.DataFrame:
    """`scenario_board` as text with units; ★ marks the best value of each column (as
    shown: values that read the same tie, and a column where all do has none) and ✔
    the plan of record."""
    labels = {
        "revenue": "Revenue",
        "gross_margin": "Gross margin",
        "margin_vs_budget": "Margin vs budget",
        "fill_rate": "Fill rate",
        "ending_inventory_value": "Inventory value (end)",
        "avg_utilisation": "Line utilisation (avg)",
    }
    out = pd.DataFrame({"Plan": [("✔ " if p == plan_of_record else "") + p for p in board["plan"]]})
    for key, label in labels.items():
        kpi = "gross_margin" if key == "margin_vs_budget" else key
        better = "up" if key == "margin_vs_budget" else KPI_BY_KEY[key].better
        # compared as shown: "★ €9.57M" next to an unstarred "€9.57M" would mislead
        best = compare.best_in_row(dict(zip(board["plan"], board[key])), better, kpi, currency)
        out[label] = [
            (compare.BEST if p in best else "")
            + (
                (compare.delta_text(kpi, v, None, currency) or "on budget")
                if key == "margin_vs_budget" and np.isfinite(v)
                else compare.value_text(kpi, v, currency)
            )
            for p, v in zip(board["plan"], board[key])
        ]
    return out


def plan_detail(
    base: DemandBase, tables: dict[str, pd.DataFrame], levers: Levers, policy: SupplyPolicy
) -> pd.DataFrame:
    """The SKU plan of `levers`: the plan re-solved with its SKU detail
    (`PlanResult.sku_plan`, regions summed); empty when there is no plan."""
    d, _ = scenario_demand(base, levers)
    plan = solve_plan(
        d, apply_tables(tables, levers), apply_policy(policy, levers), sku_detail=True
    )
    return plan.sku_plan if plan.ok else pd.DataFrame()


@dataclass
class ExecView:
    """Everything the Executive pages and the pack show (see `build`)."""

    cycle: pd.Timestamp
    as_of: pd.Timestamp | None
    currency: str
    version: int | None
    plan_name: str
    approved: pd.Series | None  # the plan of record's approval entry
    current: Evaluation
    snapshot: decisions.PlanSnapshot  # approved snapshot, or the live candidate's
    previous: decisions.PlanSnapshot | None
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


fmt_cycle = exec_records.fmt_cycle


def build(
    tables: dict[str, pd.DataFrame],
    base: DemandBase,
    policy: SupplyPolicy,
    evaluate: Callable[[Levers], Evaluation],
    log: pd.DataFrame,
    load: Callable[[int], decisions.PlanSnapshot | None],
    scenarios: dict[int, tuple[str, Levers]],
    cycle: pd.Timestamp,
    as_of: pd.Timestamp | None,
    currency: str,
    version: int | None,
    today: pd.Timestamp | None = None,
    max_board: int = 4,
) -> ExecView:
    """The `ExecView` of a cycle. evaluate: levers -> `sop.scenario.Evaluation` (cached
    by the caller); load: approval entry id -> its snapshot; scenarios: saved scenario
    id -> (name, levers), newest first."""
    notes: list[str] = []
    rec = exec_records.records(tables, log, load, cycle, as_of, today)
    por, approved, previous = rec.approved, rec.snapshot, rec.previous
    if por is not None:
        name = rec.plan_name
        levers = Levers.from_dict(approved.levers) if approved else Levers()
        if (
            pd.notna(por["dataset_version"])
            and version is not None
            and int(por["dataset_version"]) != version
        ):
            notes.append(
                f"Approved on data version {int(por['dataset_version'])}; the "
                f"figures are re-planned on version {version}."
            )
    else:
        name, levers = BASELINE, Levers()
        notes.append(
            f"No plan of record for the {fmt_cycle(cycle)} cycle yet: the baseline is shown."
        )
    current = evaluate(levers)
    if not current.ok:
        raise ValueError(f"{name}: {current.plan.explanation}")
    sku_plan = plan_detail(base, tables, levers, policy)
    live = decisions.make_snapshot(
        current,
        cycle,
        int(por["scenario_id"]) if por is not None else 0,
        name,
        version,
        as_of,
        currency,
        sku_plan,
    )
    snapshot = approved if approved is not None else live
    budget = tables.get(schema.BUDGET)
    if scope := statement.budget_scope_note(current.pnl[schema.FAMILY].unique(), budget):
        notes.append(scope)
    board_evals = {BASELINE: evaluate(Levers())}
    for sid, (sname, lv) in list(scenarios.items())[:max_board]:
        board_evals[f"#{sid} {sname}"] = evaluate(lv)
    board_evals.setdefault(name, current)
    end = exec_records.NEW_STEP if por is not None else f"{name} (not approved)"
    bridge = (
        exec_records.plan_bridge(previous, snapshot, tables[schema.PRODUCTS], currency, end)
        if previous is not None
        else None
    )
    return ExecView(
        cycle=pd.Timestamp(cycle),
        as_of=as_of,
        currency=currency,
        version=version,
        plan_name=name,
        approved=por,
        current=current,
        snapshot=snapshot,
        previous=previous,
        previous_entry=rec.previous_entry,
        headline=headline(
            current.kpis, current.budget, previous.kpis if previous else None, currency
        ),
        band=revenue_band(
            current.plan, current.risk.total, budget, previous.pnl if previous else None
        ),
        risks=exec_risks.ranked(
            current.plan,
            current.pnl,
            budget,
            current.demand,
            sku_plan,
            tables[schema.PRODUCTS],
            currency,
        ),
        board=scenario_board(board_evals),
        bridge=bridge,
        sku_plan=sku_plan,
        weekly=rec.weekly,
        actuals=rec.actuals,
        actuals_month=rec.actuals_month,
        actuals_plan=rec.actuals_plan,
        log=rec.log,
        items=rec.items,
        notes=notes,
    )


def snapshot_loader(read: Callable[[int], str | None]) -> Callable[[int], Any]:
    """A `load` for `build` from a function entry id -> snapshot JSON (or None)."""

    def load(entry_id: int) -> decisions.PlanSnapshot | None:
        text = read(entry_id)
        return None if text is None else decisions.PlanSnapshot.from_json(text)

    return load
