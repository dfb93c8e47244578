"""Executive S&OP as a service over the store: approve a plan of record (with its
snapshot) and build the `sop.executive.view.ExecView` of a cycle. The page goes through
`sop.ui` (which passes its cached evaluations in); the command line and the tests
call `context` and `view` here. Approving needs `access.APPROVE` and records the acting
person (`store.actor`) as the approver.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from sop.core import access
from sop.data.defaults import complete
from sop.demand.consensus import dataset
from sop.demand.sources import demand_from_store
from sop.executive import decisions
from sop.executive import view as exec_view
from sop.executive.snapshots import make_snapshot
from sop.scenario import saved
from sop.scenario.evaluate import DemandBase, Evaluation, evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.store import DatasetInfo, Store, StoreError
from sop.store import decisions as decision_log
from sop.supply import settings as plan_settings
from sop.supply.policy import SupplyPolicy


@dataclass
class Context:
    """A dataset ready for executive figures: its tables, prepared demand and policy,
    and the consensus demand plan it was prepared from."""

    info: DatasetInfo | None
    tables: dict[str, pd.DataFrame]
    base: DemandBase
    policy: SupplyPolicy
    name: str
    version: int | None
    as_of: pd.Timestamp | None
    currency: str
    demand: pd.DataFrame | None = None  # the consensus demand plan (`PLAN_COLUMNS`)

    @functools.cached_property
    def evaluate(self):
        @functools.lru_cache(maxsize=32)
        def run(levers: Levers) -> Evaluation:
            return evaluate(self.base, self.tables, levers, self.policy)

        return run


def context(
    store: Store, version: int | None = None, policy: SupplyPolicy | None = None
) -> Context:
    """The active (or given) dataset version of the store with its consensus demand,
    planned with `policy` (default: the store's plan settings of record). Raises
    `sop.demand.sources.NoDemand` when no demand plan is ready, StoreError when no
    dataset is loaded."""
    info = dataset(store, version)
    policy = policy or plan_settings.current_policy(store, info.company)[0]
    tables = complete(store.tables(info.version))
    demand = demand_from_store(store, info.version, policy.horizon)
    return Context(
        info,
        tables,
        prepare_demand(demand),
        policy,
        info.name,
        info.version,
        info.as_of,
        info.currency,
        demand,
    )


def _company(ctx: Context) -> str | None:
    """The company of `ctx`'s dataset (None: the active dataset's)."""
    return ctx.info.company if ctx.info is not None else None


def saved_scenarios(store: Store, company: str | None = None) -> dict[int, tuple[str, Levers]]:
    """Saved, not archived scenarios of `company` (None: the active dataset's) whose
    levers read: id -> (name, levers), newest first."""
    out: dict[int, tuple[str, Levers]] = {}
    for r in saved.list_scenarios(store, company=company).itertuples(index=False):
        try:
            out[int(r.scenario_id)] = (r.name, Levers.from_file_text(r.levers_json, ".json"))
        except ValueError:
            continue
    return out


def approve_plan(
    store: Store,
    ev: Evaluation,
    base: DemandBase,
    tables: dict[str, pd.DataFrame],
    policy: SupplyPolicy,
    scenario_id: int,
    name: str,
    note: str,
    cycle: pd.Timestamp,
    version: int | None,
    as_of: pd.Timestamp | None,
    currency: str,
) -> int:
    """Snapshot the evaluated plan `ev` of scenario `scenario_id` (0 = baseline) and
    record its approval, by the acting person, as the plan of record of `cycle`. Raises
    AccessDenied (nothing stored) unless they may approve, StoreError (nothing stored)
    when the plan has no optimal solution or a field is missing."""
    access.require(store.actor, access.APPROVE)
    if ev is None or not ev.ok:
        why = ev.plan.explanation if ev is not None else "there is no demand plan"
        raise StoreError(f"{name} cannot be approved: {why}")
    sku_plan = exec_view.plan_detail(base, tables, ev.levers, policy)
    snap = make_snapshot(ev, cycle, scenario_id, name, version, as_of, currency, sku_plan)
    return decision_log.approve(
        store, cycle, scenario_id, name, ev.levers.to_json(), note, version, snap.to_json()
    )


def approve_saved(
    store: Store,
    ctx: Context,
    scenario_id: int,
    note: str,
    cycle: pd.Timestamp | None = None,
) -> int:
    """Approve saved scenario `scenario_id` (0 = the baseline) on `ctx`'s data, as the
    acting person (`access.APPROVE`)."""
    access.require(store.actor, access.APPROVE)
    if scenario_id:
        name, levers = saved.get(store, scenario_id, _company(ctx))
    else:
        name, levers = exec_view.BASELINE, Levers()
    cycle = cycle if cycle is not None else decisions.default_cycle(ctx.as_of)
    return approve_plan(
        store,
        ctx.evaluate(levers),
        ctx.base,
        ctx.tables,
        ctx.policy,
        scenario_id,
        name,
        note,
        cycle,
        ctx.version,
        ctx.as_of,
        ctx.currency,
    )


def view(store: Store, ctx: Context, cycle: pd.Timestamp | None = None) -> exec_view.ExecView:
    """The `ExecView` of `cycle` (default: the dataset's cycle) on `ctx`'s data."""
    cycle = cycle if cycle is not None else decisions.default_cycle(ctx.as_of)
    company = _company(ctx)
    return exec_view.build(
        ctx.tables,
        ctx.base,
        ctx.policy,
        ctx.evaluate,
        decision_log.log(store, company),
        exec_view.snapshot_loader(lambda i: decision_log.snapshot_json(store, i, company)),
        saved_scenarios(store, company),
        cycle,
        ctx.as_of,
        ctx.currency,
        ctx.version,
    )
