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

import pandas as pd

from sop.core import fmt, schema
from sop.executive import budget_lines
from sop.executive import headline as exec_headline
from sop.executive import records as exec_records
from sop.executive import risks as exec_risks
from sop.executive.board import scenario_board
from sop.executive.snapshots import PlanSnapshot, make_snapshot
from sop.finance import budget_odds, statement
from sop.finance.kpis import binding_names
from sop.finance.risk import p10_p90
from sop.finance.tiles import Tile, kpi_tile
from sop.scenario.evaluate import DemandBase, Evaluation, apply_levers
from sop.scenario.levers import Levers
from sop.supply.plan import PlanResult, solve_plan
from sop.supply.policy import SupplyPolicy

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


def plan_detail(
    base: DemandBase, tables: dict[str, pd.DataFrame], levers: Levers, policy: SupplyPolicy
) -> pd.DataFrame:
    """The SKU plan of `levers`: the plan re-solved with its SKU detail
    (`PlanResult.sku_plan`, regions summed); empty when there is no plan."""
    inputs = apply_levers(base, tables, policy, levers)
    plan = solve_plan(inputs.demand, inputs.tables, inputs.policy, sku_detail=True)
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
    snapshot: PlanSnapshot  # approved snapshot, or the live candidate's
    previous: PlanSnapshot | None
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
    # the chance of meeting the budget, per family and in total (`budget_odds.budget_odds`)
    odds: pd.DataFrame = field(default_factory=budget_odds.empty)
    # how much of a gap below budget is supply (`budget_lines.budget_supply`; names as
    # typed): the revenue tile's help and the pack's Summary say it
    budget_gap: str | None = None

    @property
    def por_name(self) -> str:
        """The plan of record's name ('' before anything is approved)."""
        return self.plan_name if self.approved is not None else ""


fmt_cycle = exec_records.fmt_cycle


def headline_tiles(view: ExecView, horizon: int) -> list[Tile]:
    """The Executive page's tiles of `view.headline`: each KPI with its change against
    the previous plan of record (none before there is one), the comparisons and the
    horizon in the help, and under it the budget comparison and, for a plan other than
    the baseline, the change against the baseline (a plan that delays deliveries
    shows it); in revenue's and gross margin's help the chance of meeting the budget,
    as the Finance page's budget tab says it (`headline.chance_sentence`: a line more
    under the tiles would push the summary off a 1080p screen), and in revenue's how
    much of a gap below budget is supply (`ExecView.budget_gap`); under a KPI the
    simulation ranges, its P10-P90 (a short plan's on-time range says how bad it may
    get); under the binding limits, the limits that bind most (the headline's
    `detail`, escaped: codes as typed). Stock is coloured only when this plan and the
    previous one both serve every order on time and never run below safety stock
    (`kpi_tile`'s `fill`: their KPIs; a figure a snapshot lacks is not judged). A KPI
    the previous snapshot lacks (saved by an older version) shows no change; its help
    says so. The binding tile's value is bare (`headline.BARE`): its label names the
    unit."""
    previous = view.previous.kpis if view.previous is not None else None  # as read: kept
    own = view.plan_name == BASELINE
    fill = None if previous is None else (view.current.kpis, previous)
    return [
        kpi_tile(
            r.key,
            r.value,
            view.currency,
            # a figure the previous snapshot did not keep: no change shown (the help says
            # it holds none), never 'not defined' or a change against another meaning
            reference=None if previous is None or r.key not in previous else previous[r.key],
            against="previous plan",
            label=r.label,
            bare=r.key in exec_headline.BARE,
            # the tile's months first: the help goes on to the budget's months (its
            # chance of meeting it), which are not the tile's (review)
            help=f"Over the plan's {horizon} months. {r.help}",
            fill=fill,
            notes=tuple(
                filter(
                    None,
                    (
                        fmt.md(r.detail) if r.detail else None,  # limit codes, as typed
                        r.range_text,
                        r.budget_short,
                        None if own else r.vs_baseline_text,
                    ),
                )
            ),
        )
        for r in view.headline.itertuples()
    ]


def _plan_on_table(
    rec: exec_records.Records, cycle: pd.Timestamp, version: int | None
) -> tuple[str, Levers, list[str]]:
    """The plan on the table: name, levers and notes. The cycle's plan of record (noted
    when it was approved on other data), else the baseline (noted)."""
    por, approved = rec.approved, rec.snapshot
    if por is None:
        return (
            BASELINE,
            Levers(),
            [f"No plan of record for the {fmt_cycle(cycle)} cycle yet: the baseline is shown."],
        )
    notes: list[str] = []
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
    return rec.plan_name, levers, notes


def _board_evaluations(
    evaluate: Callable[[Levers], Evaluation],
    scenarios: dict[int, tuple[str, Levers]],
    max_board: int,
    name: str,
    current: Evaluation,
) -> dict[str, Evaluation]:
    """The baseline, the newest `max_board` saved scenarios and the plan on the table."""
    board_evals = {BASELINE: evaluate(Levers())}
    for sid, (sname, lv) in list(scenarios.items())[:max_board]:
        board_evals[f"#{sid} {sname}"] = evaluate(lv)
    board_evals.setdefault(name, current)
    return board_evals


def _bridge(
    rec: exec_records.Records,
    snapshot: PlanSnapshot,
    name: str,
    tables: dict[str, pd.DataFrame],
    currency: str,
) -> pd.DataFrame | None:
    """What changed since the previous cycle's plan of record (None without one)."""
    if rec.previous is None:
        return None
    end = exec_records.NEW_STEP if rec.approved is not None else f"{name} (not approved)"
    return exec_records.plan_bridge(rec.previous, snapshot, tables[schema.PRODUCTS], currency, end)


def build(
    tables: dict[str, pd.DataFrame],
    base: DemandBase,
    policy: SupplyPolicy,
    evaluate: Callable[[Levers], Evaluation],
    log: pd.DataFrame,
    load: Callable[[int], PlanSnapshot | None],
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
    rec = exec_records.records(tables, log, load, cycle, as_of, today)
    por, approved, previous = rec.approved, rec.snapshot, rec.previous
    name, levers, notes = _plan_on_table(rec, cycle, version)
    current = evaluate(levers)
    if not current.ok:
        raise ValueError(f"{name}: {current.plan.explanation}")
    sku_plan = plan_detail(base, tables, levers, policy)
    live = make_snapshot(
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
    compared = (
        statement.versus_budget(current.pnl, budget)
        if budget is not None and len(budget)
        else pd.DataFrame()
    )
    odds = budget_odds.budget_odds(current.risk, compared)  # as the Finance page reads it
    gap = budget_lines.budget_supply(
        current.pnl, budget, currency, current.plan.policy.revenue_recognition
    )
    board_evals = _board_evaluations(evaluate, scenarios, max_board, name, current)
    bridge = _bridge(rec, snapshot, name, tables, currency)
    prev_k = previous.kpis if previous else None
    base_k = board_evals[BASELINE].kpis if board_evals[BASELINE].ok else None
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
        headline=exec_headline.headline(
            current.kpis,
            current.budget,
            prev_k,
            currency,
            base_k,
            p10_p90(current.risk),
            binding_names(current.plan),
            odds,
            current.risk.n_paths if current.risk is not None else 0,
            gap or "",
        ),
        band=revenue_band(
            current.plan, current.risk.total, budget, previous.pnl if previous else None
        ),
        risks=exec_risks.ranked(
            current.plan,
            current.pnl,
            budget,
            tables[schema.PRODUCTS],
            currency,
            policy,
            current.risk,
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
        odds=odds,
        budget_gap=gap,
    )


def snapshot_loader(read: Callable[[int], str | None]) -> Callable[[int], Any]:
    """A `load` for `build` from a function entry id -> snapshot JSON (or None)."""

    def load(entry_id: int) -> PlanSnapshot | None:
        text = read(entry_id)
        return None if text is None else PlanSnapshot.from_json(text)

    return load


def bridge_text(bridge: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The plan-to-plan bridge as a table to read (`ExecView.bridge`): Step, the gross
    margin step in money, and what it is made of."""
    return bridge[["step", "amount_text", "detail"]].rename(
        columns={"step": "Step", "amount_text": f"Gross margin ({currency})", "detail": "Made of"}
    )
