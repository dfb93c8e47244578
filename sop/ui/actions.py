"""Every write the pages make, each returning an `Outcome`.

A write either happens entirely or not at all (the store's transactions); when it
is refused (`StoreError`: a rule broken, a stale id; `AccessDenied`: the session's
person lacks the role), the `Outcome` says why in words the page shows as they are.
Anything else is a bug and raises. Every write acts as the session's person
(`readers.store()`), who is recorded as its author: no write takes a typed name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from sop.core.access import AccessDenied
from sop.data.validate import Report
from sop.demand import consensus
from sop.demand.overrides import Override, OverrideRejected
from sop.demand.stacking import Stacking, StackingNeedsConsent
from sop.executive import decisions
from sop.executive import service as executive
from sop.executive import view as exec_view
from sop.scenario import saved
from sop.scenario.levers import Levers
from sop.store import Store, StoreError, column_maps, users
from sop.store import budget as budget_store
from sop.store import decisions as decision_log
from sop.supply import settings
from sop.supply.policy import SupplyPolicy
from sop.ui import readers, scenario_readers

if TYPE_CHECKING:  # the engine imports Prophet (0.75 s): only the Demand page needs it
    from sop.demand.engine import ForecastSettings


@dataclass(frozen=True)
class Outcome:
    """What a write did: `ok`; `message`, what is wrong when it is not (nothing was
    stored); `value`, what it made (a dataset version, an id)."""

    ok: bool
    message: str = ""
    value: object = None


def _attempt(write: Callable[[], object]) -> Outcome:
    try:
        return Outcome(True, value=write())
    except (StoreError, AccessDenied) as exc:
        return Outcome(False, str(exc))


# --- Data (step 1) --------------------------------------------------------------------
def load(report: Report, name: str, source: str, company: str | None = None) -> Outcome:
    """Load a validated dataset (value: its version) and drop every cached result;
    refused, with nothing stored, when the report has an error or no table. `company`:
    the company it loads as when it has no company table (`Store.load`)."""
    if not report.ok or not report.tables:
        return Outcome(
            False,
            f"Nothing was loaded: the files have {len(report.errors)} error(s) or no table; "
            "the current dataset is unchanged.",
        )
    outcome = _attempt(
        lambda: readers.store().load(report.tables, name=name, source=source, company=company)
    )
    readers.clear_caches()
    return outcome


def remember_maps(company: str, maps: dict[str, dict[str, str]]) -> Outcome:
    """Save the column mappings a load used for `company` (value: how many), so its
    next upload is read the same way."""
    return _attempt(lambda: column_maps.save(readers.store(), company, maps))


def forecast_new_dataset(bar) -> Outcome:
    """Fit and store the forecast of the dataset just loaded, with the settings `make
    run` uses (`ForecastSettings()`), moving the st.progress `bar` (value: the run).
    Refused with the reason when the engine cannot forecast the data."""
    from sop.demand.engine import ForecastSettings  # Prophet: only a load needs it here

    try:
        return run_forecast(ForecastSettings(), bar)
    except ValueError as exc:
        return Outcome(False, str(exc))


def restore(version: int) -> Outcome:
    """Make an earlier dataset version the active one again."""
    outcome = _attempt(lambda: readers.store().activate(version))
    readers.clear_caches()
    return outcome


# --- Demand (step 2) ------------------------------------------------------------------
def run_forecast(forecast: ForecastSettings, bar) -> Outcome:
    """Fit and store the active dataset's forecast (value: the run), moving the
    st.progress `bar`."""

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Forecasting series {done} of {total}…")

    # (the engine keeps its worker processes from re-running this page: see
    # `sop.demand.executors._workers_skip_main`)
    return _attempt(lambda: consensus.run_and_store(readers.store(), forecast, progress=progress))


def holdout_check(tables: dict, forecast: ForecastSettings, bar, horizon: int = 12) -> Outcome:
    """Hold out the last `horizon` months of every series, forecast them from the months
    before with `forecast`'s settings and seasonal naive, and score both (value: the
    `backtest.band_check` table); refused with the reason when no series is long enough.
    Nothing is stored."""
    # the backtest imports the engine (Prophet, 0.75 s): only this button needs it
    from sop.demand import backtest

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Hold-out check: series {done} of {total}…")

    try:
        h = backtest.holdout(tables, horizon, forecast, ("seasonal naive",), progress=progress)
    except ValueError as exc:
        return Outcome(False, str(exc))
    return Outcome(True, value=backtest.band_check(h))


def add_override(ov: Override, stack: bool = False) -> Outcome:
    """Check and store an override (value: its id); refused with every problem found.
    When it would stack on an earlier override of the same selection and months and
    `stack` is False, nothing is stored: not ok, the question as the message and the
    `Stacking` as the value (ask, then call again with `stack=True`)."""
    try:
        return Outcome(True, value=consensus.submit_override(readers.store(), ov, stack))
    except OverrideRejected as exc:
        problems = "\n".join(f"- {p}" for p in exc.problems)
        return Outcome(False, f"The override was not saved:\n{problems}")
    except StackingNeedsConsent as exc:
        return Outcome(False, exc.stacking.question, exc.stacking)
    except (StoreError, AccessDenied) as exc:
        return Outcome(False, str(exc))


def asks_to_stack(outcome: Outcome) -> bool:
    """Whether `add_override` stored nothing because the planner must say "stack"."""
    return not outcome.ok and isinstance(outcome.value, Stacking)


def withdraw_override(override_id: int, note: str) -> Outcome:
    """Withdraw an override; it stays in the history."""
    return _attempt(lambda: consensus.withdraw_override(readers.store(), override_id, note))


# --- Supply (step 3) ------------------------------------------------------------------
def save_policy(policy: SupplyPolicy) -> Outcome:
    """Make `policy` the settings of record of every page (value: its id); refused when
    it changes a field the person's roles do not cover (plan or finance settings)."""
    return _attempt(lambda: settings.save_policy(readers.store(), policy))


def load_budget(budget: pd.DataFrame, name: str, source: str) -> Outcome:
    """A new active dataset version with `budget` (validated) in place of the active
    version's budget (value: the version), and every cached result dropped."""
    outcome = _attempt(lambda: budget_store.load_budget(readers.store(), budget, name, source))
    readers.clear_caches()
    return outcome


# --- Scenarios (step 4) ---------------------------------------------------------------
def save_scenario(levers: Levers, name: str, description: str, version: int) -> Outcome:
    """Save a named scenario (value: its id)."""
    return _attempt(lambda: saved.save(readers.store(), name, levers, description, version))


def set_archived(scenario_id: int, archived: bool) -> Outcome:
    """Archive (or restore) a saved scenario."""
    change = saved.archive if archived else saved.unarchive
    return _attempt(lambda: change(readers.store(), scenario_id))


# --- Executive S&OP (step 5) ----------------------------------------------------------
def approve(
    path: str,
    version: int,
    stamp: tuple,
    policy: SupplyPolicy,
    scenario_id: int,
    note: str,
) -> Outcome:
    """Approve saved scenario `scenario_id` (0 = baseline) as the plan of record of the
    active dataset's cycle (value: the log entry's id)."""

    def write() -> int:
        name, levers = (
            scenario_readers.scenario_get(path, scenario_id)
            if scenario_id
            else (exec_view.BASELINE, Levers())
        )
        info = consensus.dataset(Store(path), version)
        return executive.approve_plan(
            readers.store(),
            scenario_readers.scenario(path, version, stamp, levers, policy),
            scenario_readers.scenario_base(path, version, policy.horizon, stamp),
            readers.tables(path, version),
            policy,
            scenario_id,
            name,
            note,
            decisions.default_cycle(info.as_of),
            version,
            info.as_of,
            info.currency,
        )

    return _attempt(write)


def revoke(entry_id: int, note: str) -> Outcome:
    """Reverse an approval (a new log entry)."""
    return _attempt(lambda: decision_log.revoke(readers.store(), entry_id, note))


def add_item(cycle: object, kind: str, text: str, owner: str, due: date | None) -> Outcome:
    """Log an open question or an action of the cycle."""
    return _attempt(lambda: decision_log.add_item(readers.store(), cycle, kind, text, owner, due))


def close_item(entry_id: int, note: str) -> Outcome:
    """Close a question or action, saying how (a new log entry)."""
    return _attempt(lambda: decision_log.close_item(readers.store(), entry_id, note))


# --- Admin ------------------------------------------------------------------------------
def set_roles(email: str, roles: list[str], name: str = "") -> Outcome:
    """Give `email` exactly `roles` (none: viewer), adding the person when new."""
    return _attempt(lambda: users.set_roles(readers.store(), email, roles, name))


def remove_person(email: str) -> Outcome:
    """Remove `email` from the people (value: whether they were listed)."""
    return _attempt(lambda: users.remove(readers.store(), email))
