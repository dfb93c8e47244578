"""Cached reads of steps 4-5 and finance for the pages: scenario evaluations, the
finance view, the executive view and records, the meeting pack.

Everything here is made from `scenario` (levers x plan settings on the consensus
demand). What is made per lever position (`scenario`, `finance_view`, `grids`) is kept
in `sop.ui.evalcache`, bounded by entries and by memory: moving a slider back to a
recent position is instant, and the server does not grow with every new position.
Kept values are shared, not copied: nothing may change them in place.
The decision log's `exe_log_stamp` keys what is made from the log. Saved scenarios
and the decision log are the active dataset's company's.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sop.demand import consensus
from sop.executive import decisions, pack
from sop.executive import records as exec_records
from sop.executive import service as executive
from sop.executive import view as exec_view
from sop.finance import grid as sop_grid
from sop.finance.view import FinanceView
from sop.finance.view import build as build_finance_view
from sop.scenario import lever_space, saved
from sop.scenario.evaluate import DemandBase, Evaluation, evaluate, prepare_demand
from sop.scenario.lever_space import LeverSpace
from sop.scenario.levers import Levers
from sop.store import Store, comments
from sop.store import decisions as decision_log
from sop.supply.policy import SupplyPolicy
from sop.ui import evalcache
from sop.ui.readers import cap_names, supply_demand, tables


# --- Scenarios (step 4) ---------------------------------------------------------------
@st.cache_resource(show_spinner="Preparing the demand plan for scenarios…", max_entries=4)
def scenario_base(path: str, version: int, horizon: int, stamp: tuple) -> DemandBase | None:
    """The consensus demand prepared for fast lever moves, or None when no demand plan
    is ready."""
    demand, _ = supply_demand(path, version, horizon, stamp)
    return prepare_demand(demand) if demand is not None else None


@st.cache_resource(show_spinner=False, max_entries=8)
def dataset_space(path: str, version: int, horizon: int, stamp: tuple) -> LeverSpace | None:
    """The lever widgets' space of the consensus demand with nothing moved
    (`sop.scenario.lever_space.dataset_space`: the only part that reads the data); None
    without a demand plan. The page widens it per levers with `widen_space` (cheap). Its
    supplier cap names are the cached ones every page reads (`readers.cap_names`)."""
    demand, _ = supply_demand(path, version, horizon, stamp)
    if demand is None:
        return None
    return lever_space.dataset_space(demand, tables(path, version), cap_names(path, version))


def scenario(
    path: str, version: int, stamp: tuple, levers: Levers, policy: SupplyPolicy
) -> Evaluation | None:
    """The evaluation of `levers` under `policy` on the active consensus demand; None
    when no demand plan is ready (see `supply_demand` for the message). Kept in the
    evaluation cache, so moving a slider back to a recent position is instant."""

    def make() -> Evaluation | None:
        base = scenario_base(path, version, policy.horizon, stamp)
        if base is None:
            return None
        return evaluate(base, tables(path, version), levers, policy)

    return evalcache.cached(("scenario", path, version, stamp, levers, policy), make)


def grids(
    path: str, version: int, stamp: tuple, levers: Levers, policy: SupplyPolicy
) -> dict[str, sop_grid.Grid] | None:
    """The S&OP grid of every family and the total (`sop.finance.grid.sop_grids`) of the
    plan of `levers`; None when there is no demand plan or no optimal plan."""

    def make() -> dict[str, sop_grid.Grid] | None:
        ev = scenario(path, version, stamp, levers, policy)
        if ev is None or not ev.ok:
            return None
        consensus, _ = supply_demand(path, version, policy.horizon, stamp)  # to label it
        return sop_grid.sop_grids(ev.plan, ev.demand, tables(path, version), consensus=consensus)

    key = ("grids", path, version, stamp, levers, policy)
    return evalcache.cached(key, make, "Preparing the S&OP grid…")


def scenario_list(path: str, include_archived: bool = False) -> pd.DataFrame:
    """Saved scenarios (`sop.scenario.saved.list_scenarios`); read on every run so a
    scenario saved in another session shows up at once."""
    return saved.list_scenarios(Store(path), include_archived)


def scenario_get(path: str, scenario_id: int) -> tuple[str, Levers]:
    """(name, levers) of a saved scenario."""
    return saved.get(Store(path), scenario_id)


# --- Finance --------------------------------------------------------------------------
def finance_scenarios(path: str) -> dict[int, tuple[str, Levers]]:
    """0 -> ("Baseline", Levers()), then each saved scenario id -> (name, levers), newest
    first; a scenario whose stored levers no longer read is left out."""
    out: dict[int, tuple[str, Levers]] = {0: ("Baseline (nothing moved)", Levers())}
    for row in scenario_list(path).itertuples(index=False):
        try:
            out[int(row.scenario_id)] = (
                row.name,
                Levers.from_file_text(row.levers_json, ".json"),
            )
        except ValueError:
            continue
    return out


def finance_view(
    path: str, version: int, stamp: tuple, levers: Levers, policy: SupplyPolicy
) -> FinanceView | None:
    """The finance view of a scenario (see `scenario`); None when there is no demand
    plan or no optimal plan."""

    def make() -> FinanceView | None:
        ev = scenario(path, version, stamp, levers, policy)
        if ev is None or not ev.ok:
            return None
        return build_finance_view(ev, tables(path, version))

    key = ("finance", path, version, stamp, levers, policy)
    return evalcache.cached(key, make, "Preparing the financial view…")


# --- Executive S&OP (step 5) ----------------------------------------------------------
def exe_log_stamp(path: str) -> tuple[int, int]:
    """(entries, newest id) of the decision log: read every run, so a decision taken in
    another session shows up at once."""
    return decision_log.stamp(Store(path))


@st.cache_data(show_spinner=False, max_entries=16)
def exe_records(path: str, version: int, log_stamp: tuple) -> exec_records.Records:
    """The records of the active dataset's cycle: the decision log, items and the plan
    of record as approved; needs no demand plan."""
    s = Store(path)
    info = consensus.dataset(s, version)
    return exec_records.records(
        tables(path, version),
        decision_log.log(s, info.company),
        exec_view.snapshot_loader(lambda i: decision_log.snapshot_json(s, i, info.company)),
        decisions.default_cycle(info.as_of),
        info.as_of,
    )


@st.cache_resource(show_spinner="Preparing the executive view…", max_entries=4)
def exe_view(
    path: str, version: int, stamp: tuple, log_stamp: tuple, policy: SupplyPolicy
) -> tuple[exec_view.ExecView | None, str]:
    """(the executive view of the active dataset's cycle, '') or (None, what to do)
    when there is no demand plan or no plan can be made."""
    base = scenario_base(path, version, policy.horizon, stamp)
    if base is None:
        return None, supply_demand(path, version, policy.horizon, stamp)[1]
    s = Store(path)
    info = consensus.dataset(s, version)
    try:
        view = exec_view.build(
            tables(path, version),
            base,
            policy,
            lambda lv: scenario(path, version, stamp, lv, policy),
            decision_log.log(s, info.company),
            exec_view.snapshot_loader(lambda i: decision_log.snapshot_json(s, i, info.company)),
            executive.saved_scenarios(s, info.company),
            decisions.default_cycle(info.as_of),
            info.as_of,
            info.currency,
            version,
        )
    except ValueError as exc:
        return None, str(exc)
    return view, ""


def exe_pack(
    path: str,
    version: int,
    stamp: tuple,
    log_stamp: tuple,
    policy: SupplyPolicy,
    kind: str,
) -> bytes:
    """The meeting pack of the active cycle: kind `xlsx` (workbook) or `html` (report).
    Not cached: each download says when it was made."""
    view, _ = exe_view(path, version, stamp, log_stamp, policy)
    info = consensus.dataset(Store(path), version)
    meta = pack.PackMeta(
        info.company,
        info.name,
        version,
        view.cycle,
        info.as_of,
        info.currency,
        pack.now(),
    )
    t = tables(path, version)
    demand = supply_demand(path, version, policy.horizon, stamp)[0]
    threads = comments.open_threads(Store(path), info.company)
    return (
        pack.excel(view, t, meta, demand, threads)
        if kind == "xlsx"
        else pack.html(view, t, meta, demand, threads).encode("utf-8")
    )
