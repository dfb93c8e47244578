"""Supply planning (S&OP step 3): the constrained plan and the gaps it leaves.

`solve_plan(demand, tables, policy)` takes a consensus demand plan (the
`sop.demand.PLAN_COLUMNS` frame) and the supply tables, solves the aggregate
production plan as a linear program with HiGHS (`sop.supply.lp`; the model is in
its docstring) at family x plant x month (or SKU x month), splits it back to SKU
and region in proportion to demand (`sop.supply.results`), and explains every
bottleneck and shortfall (`sop.supply.explain`). It never raises for bad data or
impossible settings: the `PlanResult` says so in `status` and `explanation`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sop.core import schema
from sop.supply import explain as supply_explain
from sop.supply import notes as plan_notes
from sop.supply import priority
from sop.supply import results as supply_results
from sop.supply import shortfalls as supply_shortfalls
from sop.supply.inputs import PlanInputs, SupplyInputError, prepare
from sop.supply.lp import ExtraHours, LpSolution, build_and_solve
from sop.supply.notes import PlanNote
from sop.supply.policy import SupplyPolicy
from sop.supply.rows import RowLayout
from sop.supply.targets import Target

__all__ = [
    "OPTIMAL",
    "INFEASIBLE",
    "INVALID",
    "ERROR",
    "PlanResult",
    "SupplyPolicy",
    "solve_plan",
    "solve_plan_and_inputs",
    "solve_inputs",
]

OPTIMAL, INFEASIBLE, INVALID, ERROR = "optimal", "infeasible", "invalid", "error"


@dataclass
class PlanResult:
    """A supply plan; its frames are empty unless `status` is `optimal`.

    family_plan: one row per item and month (item = family x plant, or SKU):
      month, family, plant (, sku), demand, production (units made in-house, on
      regular time or overtime), subcontracted, shipped, backlog (month end),
      lost_sales, inventory (month end), safety_stock (target), below_safety_stock
      (units), revenue, order_value (units ordered x the plan's price), material_cost,
      subcontract_cost, holding_cost, backlog_cost, lost_goodwill, safety_stock_penalty
      (money), booked_units (units
      whose revenue books in the month), standard_cogs, stock_value (month-end stock
      at standard cost), inventory_change (stock drawn, at standard cost), idle_time,
      overtime_premium, hiring_cost, layoff_cost, subcontract_variance, added_capacity (money: the
      books at standard cost, `sop.supply.standard`), promotion_cost (money: what an added
      promotion costs, on the promoted family's items).
    sku_plan: month, sku, region, family, plant, demand, production,
      subcontracted, shipped, backlog, lost_sales, inventory, revenue: the item
      plan split in proportion to demand (sums back to family_plan).
    resource_use: `sop.supply.results.resource_use` (hours, shadow prices, costs).
    costs: term, label, kind (revenue / cost / penalty), amount, basis.
    bottlenecks, shortfalls: `sop.supply.explain`, `sop.supply.shortfalls` (binding
      limits; gaps and why).
      When infeasible, `shortfalls` lists what cannot be met (month, family,
      plant, kind, units).
    stats: the solver's figures: rows, columns, nonzeros, lp_objective (money),
      months, items and the timings prepare_ms, build_ms, solve_ms, results_ms.
      The KPIs of a plan (margin, fill rate, utilisation...) are read from its
      frames by `sop.finance.kpis.plan_kpis`, the one catalogue.
    notes: what the planner must know about how the plan was made (rows left out,
      limits estimated, settings that work against practice): `sop.supply.notes.PlanNote`,
      each with a kind and the names it is about; `.text` is what is shown.
    """

    status: str
    explanation: str
    policy: SupplyPolicy
    family_plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    sku_plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    resource_use: pd.DataFrame = field(default_factory=pd.DataFrame)
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    bottlenecks: pd.DataFrame = field(default_factory=pd.DataFrame)
    shortfalls: pd.DataFrame = field(default_factory=pd.DataFrame)
    stats: dict[str, float] = field(default_factory=dict)
    notes: list[PlanNote] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == OPTIMAL


def _currency(tables: dict[str, pd.DataFrame]) -> str:
    c = tables.get(schema.COMPANY)
    return str(c[schema.CURRENCY].iloc[0]) if c is not None and len(c) else "EUR"


def _sizes(sol: LpSolution, prep_s: float) -> dict[str, float]:
    return {
        "rows": sol.rows,
        "columns": sol.cols,
        "nonzeros": sol.nonzeros,
        "prepare_ms": 1000 * prep_s,
        "build_ms": 1000 * sol.build_s,
        "solve_ms": 1000 * sol.solve_s,
    }


def solve_inputs(
    inp: PlanInputs,
    policy: SupplyPolicy,
    currency: str = "EUR",
    prep_s: float = 0.0,
    sku_detail: bool = True,
    targets: tuple[Target, ...] = (),
    extra: ExtraHours | None = None,
) -> PlanResult:
    """Solve prepared inputs (`sop.supply.inputs.prepare`) and build the result.

    `sku_detail=False` skips the SKU x region split (scenarios that need only totals).
    `targets` are figures the plan must meet (`sop.supply.targets`, elastic: a target
    the plan cannot meet is missed, and `stats["targets_missed"]` counts them); `extra`
    the line hours it may buy (`sop.supply.lp.ExtraHours`).
    """
    cautions = [PlanNote(plan_notes.PENALTY_CAUTION, (), c) for c in policy.cautions()]
    notes = [*inp.notes, *cautions, *priority.unkept(inp, policy)]
    try:
        sol = build_and_solve(inp, policy, targets, extra)
    except ValueError as exc:
        return PlanResult(INVALID, f"The targets cannot be used: {exc}.", policy, notes=notes)
    t0 = time.perf_counter()
    if not sol.ok:
        return PlanResult(
            ERROR,
            f"The solver stopped without a plan ({sol.message}). "
            "Check the data for extreme values (hours per unit, costs) and "
            "try again.",
            policy,
            stats=_sizes(sol, prep_s),
            notes=notes,
        )
    if supply_explain.is_infeasible(sol, policy):
        text, frame = supply_explain.explain_infeasible(inp, sol, policy, currency)
        return PlanResult(
            INFEASIBLE, text, policy, shortfalls=frame, stats=_sizes(sol, prep_s), notes=notes
        )
    arr = supply_results.item_arrays(inp, sol, policy)
    ru = supply_results.resource_use(inp, sol, policy)
    costs = supply_results.cost_table(arr, ru)
    stats = _sizes(sol, prep_s) | {
        "lp_objective": -sol.objective,
        "targets_missed": int(np.sum(sol.values.get("TS", np.zeros(0)) > 1e-6)),
        "months": inp.T,
        "items": inp.n,
    }
    result = PlanResult(
        OPTIMAL,
        f"An optimal plan for {inp.n:,} item(s) over {inp.T} month(s).",
        policy,
        family_plan=supply_results.item_plan(inp, arr),
        sku_plan=supply_results.sku_plan(inp, arr) if sku_detail else pd.DataFrame(),
        resource_use=ru,
        costs=costs,
        bottlenecks=supply_explain.bottlenecks(inp, sol, ru, policy, currency),
        shortfalls=supply_shortfalls.shortfalls(inp, sol, arr, ru, policy, currency),
        stats=stats,
        notes=notes,
    )
    result.stats["results_ms"] = 1000 * (time.perf_counter() - t0)
    return result


def solve_plan(
    demand: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    policy: SupplyPolicy | None = None,
    sku_detail: bool = True,
) -> PlanResult:
    """The constrained supply plan of `demand` (month, sku, region, units, ...) on the
    supply tables of a dataset, under `policy` (defaults: `SupplyPolicy()`).

    Never raises for bad inputs or impossible settings: status is `optimal`,
    `infeasible` (explanation names the settings that cannot be met), `invalid`
    (explanation says what is wrong with the inputs) or `error` (solver failure).
    """
    return solve_plan_and_inputs(demand, tables, policy, sku_detail)[0]


def solve_plan_and_inputs(
    demand: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    policy: SupplyPolicy | None = None,
    sku_detail: bool = True,
    targets: tuple[Target, ...] = (),
    extra: ExtraHours | None = None,
    layout: RowLayout | None = None,
) -> tuple[PlanResult, PlanInputs | None]:
    """`solve_plan`, and the inputs it solved (None when they could not be prepared):
    the risk simulation (`sop.supply.paths`) reads the plan's limits from them. The
    inputs are not part of `PlanResult`, which is cached and saved by value. `layout`:
    the demand plan's rows as `sop.supply.inputs.prepare` takes them, made once (a
    scenario's)."""
    policy = policy or SupplyPolicy()
    if problems := policy.problems():
        text = "The plan settings are not valid: " + "; ".join(problems) + "."
        return PlanResult(INVALID, text, policy), None
    t0 = time.perf_counter()
    try:
        inp = prepare(demand, tables, policy, layout)
    except SupplyInputError as exc:
        return PlanResult(INVALID, str(exc), policy), None
    except KeyError as exc:
        text = f"The dataset lacks {exc} needed for supply planning; check it on the Data page."
        return PlanResult(INVALID, text, policy), None
    prep_s = time.perf_counter() - t0
    return solve_inputs(inp, policy, _currency(tables), prep_s, sku_detail, targets, extra), inp
