"""Cached wrappers the pages call: the one module of `sop` that imports Streamlit.

Results are cached by store path and dataset version, so a rerun (a widget
click) never re-reads the store or re-runs checks; a new load changes the
version and so the cache key.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from sop.core import fmt, schema
from sop.data import dataview
from sop.data.validate import Report, as_of_month, check_tables, validate_files
from sop.store import DatasetInfo, Store

ROUTED = "_sop_routed"


def mark_routed() -> None:
    """app.py calls this: the session has been through the router."""
    st.session_state[ROUTED] = True


def through_router() -> None:
    """Call first in every page. On a fresh server Streamlit runs a page opened by
    its URL (say /supply) without app.py, in its legacy `pages/` mode: no theme
    settings, no sidebar. Leave that mode and rerun, so app.py's st.navigation
    routes to the same page. (A session app.py has already routed is left alone:
    AppTest re-enters that legacy mode on every run.)"""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and not st.session_state.get(ROUTED):
        PagesManager.uses_pages_directory = False
        st.rerun()


def store() -> Store:
    return Store()


def columns(
    df: pd.DataFrame,
    currency: str = "",
    money: tuple[str, ...] = (),
    units: tuple[str, ...] = (),
    hours: tuple[str, ...] = (),
) -> dict:
    """st.dataframe column_config: readable labels for every column, with the unit in
    the label and whole numbers with thousands separators for money, units, hours."""
    num = st.column_config.NumberColumn
    out: dict = {}
    for c in df.columns:
        if c in money:
            out[c] = num(f"{fmt.label(c)} ({currency})", format="%,.0f")
        elif c in units:
            out[c] = num(f"{fmt.label(c)} (units)", format="%,.0f")
        elif c in hours:
            out[c] = num(f"{fmt.label(c)} (h)", format="%,.0f")
        elif c == schema.MONTH or c.endswith("_month"):
            out[c] = st.column_config.DateColumn(fmt.label(c), format="YYYY-MM")
        else:
            out[c] = fmt.label(c)
    return out


def plan_columns(fp: pd.DataFrame, currency: str) -> dict:
    """`columns` for a supply plan by item and month: units, then money."""
    from sop.supply.results import PLAN_UNITS

    units = (*PLAN_UNITS, "safety_stock", "below_safety_stock")
    money = tuple(c for c in fp.select_dtypes("number").columns if c not in units)
    return columns(fp, currency, money=money, units=units)


def bottleneck_columns(df: pd.DataFrame, currency: str) -> dict:
    """`columns` for `PlanResult.bottlenecks` and `.shortfalls`."""
    num = st.column_config.NumberColumn
    return columns(df, hours=("overtime_hours", "max_overtime_hours")) | {
        "shadow_price": num(f"Shadow price ({currency})", format="%.2f"),
        "used": num("Used", format="%,.0f"),
        "limit": num("Limit", format="%,.0f"),
        "units": num("Units", format="%,.0f"),
        "lever_cost_per_unit": num(f"Lever cost ({currency}/unit)", format="%.2f"),
        "lever": st.column_config.TextColumn("Lever", width="large"),
        "why": st.column_config.TextColumn("Why", width="large"),
    }


def active() -> DatasetInfo | None:
    """The active dataset (one small query per run, so a CLI load shows up at once)."""
    return store().active()


@st.cache_data(show_spinner="Reading the dataset…", max_entries=8)
def tables(path: str, version: int) -> dict[str, pd.DataFrame]:
    return Store(path).tables(version)


@st.cache_data(show_spinner="Running the data-quality checks…", max_entries=8)
def report(path: str, version: int) -> Report:
    return check_tables(tables(path, version))


@st.cache_data(max_entries=8)
def overview(path: str, version: int) -> pd.DataFrame:
    return dataview.table_overview(tables(path, version))


@st.cache_data(max_entries=16)
def history(path: str, version: int, measure: str) -> pd.DataFrame:
    t = tables(path, version)
    return dataview.history_by_family(t[schema.SALES], t[schema.PRODUCTS], measure)


@st.cache_data(max_entries=8)
def missing(path: str, version: int) -> pd.DataFrame:
    t = tables(path, version)
    return dataview.missing_matrix(t[schema.SALES], t[schema.PRODUCTS], as_of_month(t))


def families(path: str, version: int) -> pd.Series:
    """SKU -> family of the dataset."""
    p = tables(path, version)[schema.PRODUCTS]
    return p.set_index(schema.SKU)[schema.FAMILY]


def validate_upload(files: dict[str, bytes], base_version: int | None) -> Report:
    """Validate uploaded files, filling tables not uploaded from `base_version`."""
    base = tables(str(store().path), base_version) if base_version is not None else None
    return validate_files(files, base)


def load(report: Report, name: str, source: str) -> int:
    """Load a validated dataset and drop every cached result."""
    version = store().load(report.tables, name=name, source=source)
    st.cache_data.clear()
    return version


def restore(version: int) -> None:
    store().activate(version)
    st.cache_data.clear()


def require_dataset() -> DatasetInfo:
    """The active dataset, or stop the page with what to do."""
    info = active()
    if info is None:
        st.info(
            "No dataset is loaded yet. Run `make run` (it loads the demo company), "
            "`python -m sop load DIR`, or upload files on the Data page."
        )
        st.stop()
    return info


# --- Supply planning (step 3) ---------------------------------------------------------
def plan_policy():
    """(the plan settings of record, who set them — '' for the defaults): the
    `SupplyPolicy` every page plans with. One small query a run, so a save on the
    Supply page shows up on every page and in every session at once."""
    from sop.store import settings

    return settings.current_policy(store())


def plan_policy_form(policy) -> None:
    """Under the Supply page's settings: make them the plan settings of record."""
    from sop.store import StoreError, settings

    stored, who = plan_policy()
    st.caption(
        "Scenarios, Compare, Finance and the Executive pages plan with the plan "
        f"settings of record ({who or 'the defaults'}). "
        + (
            "These are they."
            if policy == stored
            else "**The settings above differ**: they apply on this page only until saved."
        )
    )
    c = st.columns([2, 1], vertical_alignment="bottom")
    author = c[0].text_input("Your name", key="sup_settings_author")
    if c[1].button(
        "Use these settings on every page", key="sup_settings_save", disabled=policy == stored
    ):
        try:
            settings.save_policy(store(), policy, author)
            st.rerun()
        except StoreError as exc:
            st.error(str(exc))


@st.cache_data(show_spinner="Reading the consensus demand plan…", max_entries=16)
def supply_demand(
    path: str, version: int, horizon: int, stamp: tuple
) -> tuple[pd.DataFrame | None, str]:
    """(demand plan, '') or (None, what to do) for supply planning."""
    from sop.supply import plan_io as supply_io

    try:
        return supply_io.demand_from_store(Store(path), version, horizon), ""
    except supply_io.NoDemand as exc:
        return None, str(exc)


@st.cache_data(show_spinner="Solving the supply plan…", max_entries=32)
def supply_plan(path: str, version: int, stamp: tuple, policy):
    """The `sop.supply.PlanResult` of the active demand plan under `policy`."""
    from sop.supply.plan import solve_plan

    demand, _ = supply_demand(path, version, policy.horizon, stamp)
    return solve_plan(demand, tables(path, version), policy) if demand is not None else None


@st.cache_data(max_entries=16)
def supply_rough_cut(path: str, version: int, horizon: int, stamp: tuple) -> pd.DataFrame:
    from sop.supply.capacity import rough_cut

    demand, _ = supply_demand(path, version, horizon, stamp)
    return rough_cut(demand, tables(path, version)) if demand is not None else pd.DataFrame()


# --- Demand planning (step 2) ---------------------------------------------------------
def demand_stamp(path: str, version: int) -> tuple:
    """(newest run id of the version or None, override counts): what the consensus
    demand plan depends on besides the dataset, so the cache key of everything made
    from it on every page (two small queries per run)."""
    from sop.store import forecasts, overrides

    s = Store(path)
    run = forecasts.find_run(s, version)
    return (run.run_id if run is not None else None, overrides.counts(s))


def demand_run(path: str, version: int):
    """The newest stored forecast run (`sop.store.forecasts.RunInfo`) or None."""
    from sop.store import forecasts

    return forecasts.find_run(Store(path), version)


@st.cache_data(show_spinner="Applying the consensus overrides…", max_entries=8)
def demand_consensus(path: str, version: int, stamp: tuple) -> pd.DataFrame:
    """Forecast + active overrides per SKU x region x month (`sop.overrides.apply_overrides`
    columns), or the loaded consensus plan; empty without either."""
    from sop.demand import consensus

    return consensus.page_consensus(Store(path), version, tables(path, version))


@st.cache_data(max_entries=8)
def demand_fitted(path: str, run_id: int) -> pd.DataFrame:
    from sop.store import forecasts

    return forecasts.fitted(Store(path), run_id)


@st.cache_data(max_entries=8)
def demand_accuracy(path: str, version: int, run_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-series, per-family) backtest accuracy of a stored run (`sop.accuracy`)."""
    from sop.demand import consensus

    return consensus.accuracy_tables(Store(path), run_id, tables(path, version))


@st.cache_data(max_entries=8)
def demand_consensus_fva(path: str, version: int, stamp: tuple):
    """`sop.accuracy.ConsensusFVA` of earlier cycles' consensus against these actuals."""
    from sop.demand import consensus

    return consensus.consensus_fva(Store(path), tables(path, version))


@st.cache_data(max_entries=8)
def demand_overrides(path: str, stamp: tuple) -> pd.DataFrame:
    """The override history, newest first (`sop.overrides.HISTORY_COLUMNS`)."""
    from sop.store import overrides

    return overrides.history(Store(path))


@st.cache_data(show_spinner="Preparing the CSV…", max_entries=4)
def demand_plan_csv(path: str, version: int, stamp: tuple) -> bytes:
    """The consensus demand plan (`sop.demand.PLAN_COLUMNS`) as CSV bytes."""
    from sop.demand.plan import demand_plan

    return (
        demand_plan(Store(path), version)
        .to_csv(index=False, date_format="%Y-%m", float_format="%.1f")
        .encode()
    )


def demand_run_forecast(settings, bar) -> None:
    """Fit and store the active dataset's forecast, moving the st.progress `bar`."""
    import sys
    import types

    from sop.demand import consensus

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Forecasting series {done} of {total}…")

    # The engine's worker processes (forkserver) re-import `__main__`, which in Streamlit
    # is the running page script: each worker would render the app in bare mode. A
    # stand-in without __file__ is not re-imported.
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        consensus.run_and_store(store(), settings, progress=progress)
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def demand_add_override(ov) -> tuple[int | None, list[str]]:
    """Check and store an override: (its id, []) or (None, the problems; nothing stored)."""
    from sop.demand import consensus
    from sop.demand.overrides import OverrideRejected

    try:
        return consensus.submit_override(store(), ov), []
    except OverrideRejected as exc:
        return None, exc.problems


def demand_withdraw(override_id: int, author: str, note: str) -> str:
    """Withdraw an override; '' when done, else what is wrong (nothing changed)."""
    from sop.demand import consensus
    from sop.store import StoreError

    try:
        consensus.withdraw_override(store(), override_id, author, note)
    except StoreError as exc:
        return str(exc)
    return ""


def demand_columns() -> dict:
    """Column labels and units shared by the Demand page's tables."""
    pct, num = st.column_config.NumberColumn, st.column_config.NumberColumn
    month = st.column_config.DateColumn
    return {
        "wape": pct(
            "WAPE (%)",
            format="percent",
            help="sum |forecast - actual| / sum actual over the backtest",
        ),
        "mape": pct(
            "MAPE (%)",
            format="percent",
            help="mean |error| / actual, months with zero demand left out",
        ),
        "bias": pct("Bias (%)", format="percent", help="> 0: over-forecast"),
        "mase": num(
            "MASE",
            format="%.2f",
            help="error / in-sample seasonal-naive error; < 1 beats seasonal naive",
        ),
        "snaive_wape": pct("Seasonal naive WAPE (%)", format="percent"),
        "fva_vs_snaive": pct(
            "FVA vs seasonal naive (%)",
            format="percent",
            help="share of the seasonal-naive error the forecast removes",
        ),
        "wape_statistical": pct("Statistical WAPE (%)", format="percent"),
        "wape_consensus": pct("Consensus WAPE (%)", format="percent"),
        "fva_consensus": pct(
            "FVA of consensus (%)",
            format="percent",
            help="share of the statistical forecast's error the overrides "
            "removed (< 0: they added error)",
        ),
        "share_overridden": pct("Overridden (% of cells)", format="percent"),
        "n_months": num("History (months)", format="%d"),
        "n_series": num("Series", format="%d"),
        "n_backtested": num("Series vs seasonal naive", format="%d"),
        "value": num("Value (units/month or %)", format="%.1f"),
        "created_at": st.column_config.DatetimeColumn("Made (UTC)", format="YYYY-MM-DD HH:mm"),
        "withdrawn_at": "Withdrawn (UTC)",  # text: blank while active
        "start_month": month("From", format="MMM YYYY"),
        "end_month": month("To", format="MMM YYYY"),
        "family": "Family",
        "sku": "SKU",
        "region": "Region",
        "method": "Method",
        "flag": "Flag",
        "override_id": num("#", format="%d"),
        "author": "Author",
        "reason": "Reason",
        "level": "Level",
        "kind": "Change",
        "status": "Status",
        "withdrawn_by": "Withdrawn by",
        "withdraw_note": "Withdrawal note",
    }


@st.cache_data(max_entries=32)
def demand_series(
    path: str, version: int, stamp: tuple, family: str | None, sku: str | None, region: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(chart series, override marks) of a selection (`sop.demand_view`)."""
    from sop.demand import view as demand_view
    from sop.demand.plan import has_loaded_consensus
    from sop.store import overrides

    t = tables(path, version)
    run_id = stamp[0]
    fitted = (
        demand_fitted(path, run_id)
        if run_id is not None
        else pd.DataFrame(columns=[schema.SKU, schema.REGION, schema.MONTH, "fitted"])
    )
    cons = demand_consensus(path, version, stamp)
    series = demand_view.demand_series(
        t[schema.SALES], fitted, cons, t[schema.PRODUCTS], family, sku, region
    )
    active = overrides.active(Store(path))
    if has_loaded_consensus(t):  # a loaded plan is used as it is: no override applies
        active = active.iloc[0:0]
    return series, demand_view.override_marks(active, family, sku, region, t[schema.PRODUCTS])


# --- Scenarios (step 4) and Finance --------------------------------------------------
@st.cache_data(show_spinner="Preparing the demand plan for scenarios…", max_entries=8)
def scenario_base(path: str, version: int, horizon: int, stamp: tuple):
    """The consensus demand prepared for fast lever moves (`sop.scenario.DemandBase`),
    or None when no demand plan is ready."""
    from sop.scenario.evaluate import prepare_demand

    demand, _ = supply_demand(path, version, horizon, stamp)
    return prepare_demand(demand) if demand is not None else None


@st.cache_data(show_spinner=False, max_entries=256)
def scenario(path: str, version: int, stamp: tuple, levers, policy):
    """`sop.scenario.Evaluation` of `levers` (a `sop.levers.Levers`) under `policy`
    (a `SupplyPolicy`) on the active consensus demand; None when no demand plan is
    ready (see `supply_demand` for the message). Cached by value, so moving a slider
    back to an earlier position is instant."""
    from sop.scenario.evaluate import evaluate

    base = scenario_base(path, version, policy.horizon, stamp)
    if base is None:
        return None
    return evaluate(base, tables(path, version), levers, policy)


def scenario_list(path: str, include_archived: bool = False) -> pd.DataFrame:
    """Saved scenarios (`sop.store.scenarios.list_scenarios`); read on every run so a
    scenario saved in another session shows up at once."""
    from sop.store import scenarios

    return scenarios.list_scenarios(Store(path), include_archived)


def require_demand(horizon: int) -> tuple:
    """(dataset info, store path, demand stamp, demand plan) for the scenario pages, or
    stop the page saying how to get a demand plan (with a link to the Demand page)."""
    info = require_dataset()
    path = str(store().path)
    stamp = demand_stamp(path, info.version)
    demand, why = supply_demand(path, info.version, horizon, stamp)
    if demand is None:
        st.info(
            f"{why}\n\nScenarios re-plan the consensus demand, so demand must be forecast first."
        )
        st.page_link(
            "pages/demand.py", label="Go to Demand planning", icon=":material/trending_up:"
        )
        st.stop()
    who = plan_policy()[1]
    st.caption(
        f"Plans use the plan settings of record ({who or 'the defaults'}); change "
        "them on the Supply page."
    )
    return info, path, stamp, demand


def scenario_save(
    levers, name: str, author: str, description: str, version: int
) -> tuple[int | None, str]:
    """Save a named scenario: (its id, '') or (None, what is wrong; nothing stored)."""
    from sop.store import StoreError, scenarios

    try:
        return scenarios.save(store(), name, levers, author, description, version), ""
    except StoreError as exc:
        return None, str(exc)


def scenario_get(path: str, scenario_id: int) -> tuple:
    """(name, levers) of a saved scenario (`sop.store.scenarios.get`)."""
    from sop.store import scenarios

    return scenarios.get(Store(path), scenario_id)


def scenario_set_archived(scenario_id: int, author: str, archived: bool) -> str:
    """Archive (or restore) a saved scenario; '' when done, else what is wrong."""
    from sop.store import StoreError, scenarios

    try:
        (scenarios.archive if archived else scenarios.unarchive)(store(), scenario_id, author)
    except StoreError as exc:
        return str(exc)
    return ""


# --- Finance -------------------------------------------------------------------------
def finance_scenarios(path: str) -> dict[int, tuple]:
    """0 -> ("Baseline", Levers()), then each saved scenario id -> (name, levers), newest
    first; a scenario whose stored levers no longer read is left out."""
    from sop.scenario.levers import Levers

    out: dict[int, tuple] = {0: ("Baseline (nothing moved)", Levers())}
    for row in scenario_list(path).itertuples(index=False):
        try:
            out[int(row.scenario_id)] = (row.name, Levers.from_file_text(row.levers_json, ".json"))
        except ValueError:
            continue
    return out


def finance_pick(path: str, version: int) -> tuple[str, object]:
    """The Finance page's scenario box: baseline or a saved scenario, opening on the
    cycle's plan of record (marked ✔) when there is one. Returns (label, levers)."""
    choices = finance_scenarios(path)
    labels = {i: n if i == 0 else f"#{i} {n}" for i, (n, _) in choices.items()}
    approved = exe_records(path, version, exe_log_stamp(path)).approved
    por = int(approved["scenario_id"]) if approved is not None else None
    sid = st.columns([2, 3])[0].selectbox(
        "Scenario",
        list(choices),
        key="fin_scenario",
        index=list(choices).index(por) if por in choices else 0,
        format_func=lambda i: labels[i] + (" ✔ plan of record" if i == por else ""),
        help="The baseline or a scenario saved on the Scenarios page (#id: names can "
        "repeat); planned under the plan settings of record. ✔ marks the cycle's plan of "
        "record.",
    )
    return labels[sid], choices[sid][1]


@st.cache_data(show_spinner="Preparing the financial view…", max_entries=64)
def finance_view(path: str, version: int, stamp: tuple, levers, policy):
    """`sop.finance_view.FinanceView` of a scenario (see `scenario`); None when there is
    no demand plan or no optimal plan."""
    from sop.finance import view as finance_view

    ev = scenario(path, version, stamp, levers, policy)
    if ev is None or not ev.ok:
        return None
    return finance_view.build(ev, tables(path, version))


def finance_columns(spec: list, currency: str) -> dict:
    """Column configs from an export spec (`sop.export_finance`, (column, label, kind))
    for a frame made by `export_finance.screen_table`: money and shares are text there
    (right-aligned; money labelled with the currency code), units and months labelled."""
    formats = {"units": "%,.0f", "int": "%d"}
    out = {}
    for col, label, kind in spec:
        if kind == "month":
            out[col] = st.column_config.DateColumn(label, format="MMM YYYY")
        elif kind == "text":
            out[col] = st.column_config.TextColumn(label, width="large" if col == "note" else None)
        elif kind in ("money", "delta", "pct"):
            out[col] = st.column_config.TextColumn(
                label if kind == "pct" else f"{label} ({currency})", alignment="right"
            )
        else:
            out[col] = st.column_config.NumberColumn(label, format=formats.get(kind))
    return out


# --- Executive S&OP (step 5) --------------------------------------------------------
def exe_log_stamp(path: str) -> tuple[int, int]:
    """(entries, newest id) of the decision log: read every run, so a decision taken in
    another session shows up at once."""
    from sop.store import decisions

    return decisions.stamp(Store(path))


@dataclass(frozen=True)
class ExePage:
    """What the step-5 pages share: the view and its cache keys; `records` (the log,
    items and plan of record, `sop.exec_records.Records`) when asked for."""

    view: object  # sop.exec_view.ExecView, None when optional and no demand
    path: str
    version: int
    stamp: tuple
    log_stamp: tuple
    records: object = None


def exe_page(policy, needs: str, optional: bool = False) -> ExePage:
    """The executive view of the active dataset for a step-5 page, or stop the page
    saying what is missing (`needs`: what the page needs, for the message). With
    `optional`, the page goes on without a view (None; the message is shown) and
    gets `records`, which need no demand plan."""
    info = require_dataset()
    path, version = str(store().path), info.version
    stamp, log_stamp = demand_stamp(path, version), exe_log_stamp(path)
    view, why = exe_view(path, version, stamp, log_stamp, policy)
    if view is None:
        st.info(f"{why}\n\n{needs}")
        st.page_link(
            "pages/demand.py", label="Go to Demand planning", icon=":material/trending_up:"
        )
        if not optional:
            st.stop()
    records = exe_records(path, version, log_stamp) if optional else None
    return ExePage(view, path, version, stamp, log_stamp, records)


@st.cache_data(show_spinner=False, max_entries=16)
def exe_records(path: str, version: int, log_stamp: tuple):
    """`sop.exec_records.Records` of the active dataset's cycle: the decision log, items
    and the plan of record as approved; needs no demand plan."""
    from sop.demand import consensus
    from sop.executive import decisions
    from sop.executive import records as exec_records
    from sop.executive import view as exec_view
    from sop.store import decisions as decision_log

    s = Store(path)
    info = consensus.dataset(s, version)
    return exec_records.records(
        tables(path, version),
        decision_log.log(s),
        exec_view.snapshot_loader(lambda i: decision_log.snapshot_json(s, i)),
        decisions.default_cycle(info.as_of),
        info.as_of,
    )


@st.cache_data(show_spinner="Preparing the executive view…", max_entries=16)
def exe_view(path: str, version: int, stamp: tuple, log_stamp: tuple, policy):
    """(`sop.exec_view.ExecView`, '') of the active dataset's cycle, or (None, what to
    do) when there is no demand plan or no plan can be made."""
    from sop.demand import consensus
    from sop.executive import decisions
    from sop.executive import service as executive
    from sop.executive import view as exec_view
    from sop.store import decisions as decision_log

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
            decision_log.log(s),
            exec_view.snapshot_loader(lambda i: decision_log.snapshot_json(s, i)),
            executive.saved_scenarios(s),
            decisions.default_cycle(info.as_of),
            info.as_of,
            info.currency,
            version,
        )
    except ValueError as exc:
        return None, str(exc)
    return view, ""


def exe_approve(
    path: str, version: int, stamp: tuple, policy, scenario_id: int, author: str, note: str
) -> tuple[int | None, str]:
    """Approve saved scenario `scenario_id` (0 = baseline) as the plan of record of the
    active dataset's cycle: (entry id, '') or (None, what is wrong; nothing stored)."""
    from sop.demand import consensus
    from sop.executive import decisions
    from sop.executive import service as executive
    from sop.executive import view as exec_view
    from sop.scenario.levers import Levers
    from sop.store import StoreError

    try:
        name, levers = (
            scenario_get(path, scenario_id) if scenario_id else (exec_view.BASELINE, Levers())
        )
        info = consensus.dataset(Store(path), version)
        ev = scenario(path, version, stamp, levers, policy)
        entry = executive.approve_plan(
            store(),
            ev,
            scenario_base(path, version, policy.horizon, stamp),
            tables(path, version),
            policy,
            scenario_id,
            name,
            author,
            note,
            decisions.default_cycle(info.as_of),
            version,
            info.as_of,
            info.currency,
        )
    except StoreError as exc:
        return None, str(exc)
    return entry, ""


def exe_record(action: str, **fields) -> str:
    """Append to the decision log: action `revoke` (entry_id, author, note), `item`
    (cycle, kind, text, owner, due, author) or `close` (entry_id, author, note).
    '' when stored, else what is wrong (nothing stored)."""
    from sop.store import StoreError
    from sop.store import decisions as decision_log

    fn = {
        "revoke": decision_log.revoke,
        "item": decision_log.add_item,
        "close": decision_log.close_item,
    }[action]
    try:
        fn(store(), **fields)
    except StoreError as exc:
        return str(exc)
    return ""


def exe_pack(path: str, version: int, stamp: tuple, log_stamp: tuple, policy, kind: str) -> bytes:
    """The meeting pack of the active cycle: kind `xlsx` (workbook) or `html` (report).
    Not cached: each download says when it was made."""
    from sop.demand import consensus
    from sop.executive import pack

    view, _ = exe_view(path, version, stamp, log_stamp, policy)
    info = consensus.dataset(Store(path), version)
    meta = pack.PackMeta(
        info.company, info.name, version, view.cycle, info.as_of, info.currency, pack.now()
    )
    t = tables(path, version)
    consensus = supply_demand(path, version, policy.horizon, stamp)[0]
    return (
        pack.excel(view, t, meta, consensus)
        if kind == "xlsx"
        else pack.html(view, t, meta).encode("utf-8")
    )
