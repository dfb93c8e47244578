"""Cached reads of steps 1-3 (data, demand, supply) for the pages.

Results are cached by store path and dataset version, so a rerun (a widget click)
never re-reads the store or re-runs checks; a new load changes the version and so
the cache key. What demand depends on besides the dataset (the forecast run and the
overrides) is the `demand_stamp`, part of the key of everything made from it. Saved items
(overrides, snapshots, settings) are read for the company of the dataset version on
screen.

Large read-only values (the tables, the consensus demand, plans, the data-quality
report) are `st.cache_resource`: every session and rerun gets the same object, not an
unpickled copy, so nothing may change them in place (tests/app/test_cache_bounds.py
checks that no page does). Small results stay `st.cache_data`. `clear_caches` drops
all of them after a new load.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sop.core import csvout, schema
from sop.core.months import as_of_month
from sop.data import assumptions as data_assumptions
from sop.data import dataview, defaults
from sop.data.formats import Part
from sop.data.mapping import ReadOptions
from sop.data.validate import Report, check_tables, validate_files, validate_parts
from sop.demand import consensus
from sop.demand import view as demand_view
from sop.demand.plan import has_loaded_consensus
from sop.demand.sources import NoDemand, demand_from_store
from sop.finance.kpis import plan_kpis
from sop.store import DatasetInfo, Store, forecasts, overrides
from sop.supply import explain as supply_explain
from sop.supply import settings
from sop.supply.capacity import rough_cut
from sop.supply.plan import PlanResult, solve_plan
from sop.supply.policy import SupplyPolicy
from sop.ui import auth


# --- Data gathering (step 1) ----------------------------------------------------------
def clear_caches() -> None:
    """Drop every cached result (data, shared resources and the per-lever-position
    evaluations): after a load, a restore or a refresh changed what the store holds."""
    st.cache_data.clear()
    st.cache_resource.clear()  # holds `sop.ui.evalcache.lru` too


def store() -> Store:
    """The app's store (the `SOP_STORE` file, else the default), acting as this
    session's person (`sop.ui.auth.current_actor`): every write checks their roles."""
    return Store(actor=auth.current_actor())


def store_path() -> str:
    """The app's store file: the first part of every cache key."""
    return str(store().path)


def active() -> DatasetInfo | None:
    """The active dataset (one small query per run, so a CLI load shows up at once)."""
    return store().active()


def listing() -> tuple[DatasetInfo | None, pd.DataFrame]:
    """(the active dataset, every kept version): `sop.store.Store.listing`, read every run
    through one connection (the Data page shows both)."""
    return store().listing()


@st.cache_resource(show_spinner="Reading the dataset…", max_entries=4)
def loaded_tables(path: str, version: int) -> dict[str, pd.DataFrame]:
    """The tables as loaded (optional tables left out are absent)."""
    return Store(path).tables(version)


@st.cache_resource(max_entries=4)
def tables(path: str, version: int) -> dict[str, pd.DataFrame]:
    """The tables every step reads: as loaded, with the defaults of
    `sop.data.defaults.complete` filled in (derived products, family capacity lines...)."""
    return defaults.complete(loaded_tables(path, version))


@st.cache_data(max_entries=8)
def assumptions(path: str, version: int, topics: tuple[str, ...] | None = None) -> list[str]:
    """What the dataset leaves out and what is assumed instead
    (`sop.data.assumptions.assumptions`), for `topics` (None: all)."""
    return data_assumptions.assumptions(loaded_tables(path, version), topics)


@st.cache_resource(show_spinner="Running the data-quality checks…", max_entries=4)
def report(path: str, version: int) -> Report:
    return check_tables(loaded_tables(path, version))


@st.cache_data(max_entries=8)
def overview(path: str, version: int) -> pd.DataFrame:
    return dataview.table_overview(loaded_tables(path, version))


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


def validate_upload(
    files: dict[str, bytes],
    base_version: int | None,
    options: ReadOptions | None = None,
    parts: list[Part] | None = None,
) -> Report:
    """Validate uploaded files as `options` map them (`parts`: the files already
    opened), filling tables not uploaded from `base_version`."""
    base = loaded_tables(store_path(), base_version) if base_version is not None else None
    if parts is not None:
        return validate_parts(parts, base, options)
    return validate_files(files, base, options)


# --- Demand planning (step 2) ---------------------------------------------------------
def demand_stamp(path: str, version: int) -> tuple:
    """(newest run id of the version or None, override counts): what the consensus
    demand plan depends on besides the dataset, so the cache key of everything made
    from it on every page (two small queries per run)."""
    s = Store(path)
    run = forecasts.find_run(s, version)
    return (run.run_id if run is not None else None, overrides.counts(s))


def demand_run(path: str, version: int) -> forecasts.RunInfo | None:
    """The newest stored forecast run of the version, or None."""
    return forecasts.find_run(Store(path), version)


@st.cache_resource(show_spinner="Applying the consensus overrides…", max_entries=4)
def demand_consensus(path: str, version: int, stamp: tuple) -> pd.DataFrame:
    """Forecast + active overrides per SKU x region x month (`sop.demand.overrides.
    apply_overrides` columns), or the loaded consensus plan; empty without either."""
    return consensus.page_consensus(Store(path), version, tables(path, version))


@st.cache_resource(max_entries=4)
def demand_fitted(path: str, run_id: int) -> pd.DataFrame:
    return forecasts.fitted(Store(path), run_id)


@st.cache_resource(max_entries=4)
def demand_accuracy(path: str, version: int, run_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-series, per-family) backtest accuracy of a stored run (`sop.demand.accuracy`)."""
    return consensus.accuracy_tables(Store(path), run_id, tables(path, version))


def company(path: str, version: int) -> str:
    """The company of dataset `version`: whose saved items the pages show."""
    return consensus.dataset(Store(path), version).company


@st.cache_data(max_entries=8)
def demand_consensus_fva(path: str, version: int, stamp: tuple):
    """`sop.demand.accuracy.ConsensusFVA` of the company's earlier cycles' consensus
    against these actuals."""
    return consensus.consensus_fva(Store(path), tables(path, version), company(path, version))


@st.cache_data(max_entries=8)
def demand_overrides(path: str, version: int, stamp: tuple) -> pd.DataFrame:
    """The override history of the dataset's company, newest first
    (`schema.OVERRIDE_HISTORY_COLUMNS`)."""
    return overrides.history(Store(path), company(path, version))


@st.cache_data(max_entries=8)
def demand_in_force(path: str, version: int, stamp: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(active overrides of the dataset's company that apply to it, orphaned ones with
    `sop.demand.overrides.WHY`): `sop.demand.consensus.overrides_in_force`."""
    s = Store(path)
    return consensus.overrides_in_force(
        s, consensus.context(s, version, tables=tables(path, version))
    )


@st.cache_resource(show_spinner="Preparing the CSV…", max_entries=2)
def demand_plan_csv(path: str, version: int, stamp: tuple) -> bytes:
    """The consensus demand plan (`sop.demand.plan.PLAN_COLUMNS`) as CSV bytes."""
    return csvout.csv_bytes(
        consensus.demand_plan(Store(path), version), date_format="%Y-%m", float_format="%.1f"
    )


@st.cache_data(max_entries=32)
def demand_series(
    path: str,
    version: int,
    stamp: tuple,
    family: str | None,
    sku: str | None,
    region: str | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(chart series, override marks) of a selection (`sop.demand.view`)."""
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
    active = demand_in_force(path, version, stamp)[0]
    if has_loaded_consensus(t):  # a loaded plan is used as it is: no override applies
        active = active.iloc[0:0]
    marks = demand_view.override_marks(active, family, sku, region, t[schema.PRODUCTS])
    return series, demand_view.clip_marks(marks, series[schema.MONTH])


# --- Supply planning (step 3) ---------------------------------------------------------
def plan_policy() -> tuple[SupplyPolicy, str]:
    """(the plan settings of record, who set them — '' for the defaults): the
    `SupplyPolicy` every page plans with. One small query a run, so a save on the
    Supply page shows up on every page and in every session at once."""
    return settings.current_policy(store())


@st.cache_resource(show_spinner="Reading the consensus demand plan…", max_entries=8)
def supply_demand(
    path: str, version: int, horizon: int, stamp: tuple
) -> tuple[pd.DataFrame | None, str]:
    """(demand plan, '') or (None, what to do) for supply planning."""
    try:
        return demand_from_store(Store(path), version, horizon, tables(path, version)), ""
    except NoDemand as exc:
        return None, str(exc)


@st.cache_resource(show_spinner="Solving the supply plan…", max_entries=8)
def supply_plan(path: str, version: int, stamp: tuple, policy: SupplyPolicy) -> PlanResult | None:
    """The plan of the active demand plan under `policy`; None without a demand plan."""
    demand, _ = supply_demand(path, version, policy.horizon, stamp)
    return solve_plan(demand, tables(path, version), policy) if demand is not None else None


@st.cache_data(max_entries=8)
def cap_names(path: str, version: int) -> dict[str, str]:
    """Supplier cap code -> its name ('Cooling material cap') of the dataset
    (`sop.supply.explain.cap_names`), for saying a cap as 'code · name'. The dataset's
    alone, so keyed by version. The one read of them in the app: the Scenarios and Goal
    pages have them through their lever space (`scenario_readers.dataset_space` builds
    `LeverSpace.supplier_names` from these)."""
    return supply_explain.cap_names(tables(path, version))


@st.cache_data(max_entries=16)
def supply_rough_cut(path: str, version: int, horizon: int, stamp: tuple) -> pd.DataFrame:
    """Demand load against capacity (`sop.supply.capacity.rough_cut`); empty without a
    demand plan."""
    demand, _ = supply_demand(path, version, horizon, stamp)
    return rough_cut(demand, tables(path, version)) if demand is not None else pd.DataFrame()


@st.cache_data(max_entries=32)
def supply_kpis(path: str, version: int, stamp: tuple, policy: SupplyPolicy) -> dict[str, float]:
    """The KPIs of `supply_plan` (`sop.finance.kpis.plan_kpis`, the one catalogue);
    {} without an optimal plan."""
    plan = supply_plan(path, version, stamp, policy)
    if plan is None or not plan.ok:
        return {}
    return plan_kpis(plan, tables(path, version)[schema.PRODUCTS])


@st.cache_resource(max_entries=4)
def demand_run_frame(path: str, run_id: int, name: str) -> pd.DataFrame:
    """A frame stored with a forecast run (`sop.store.forecasts.BLOB_FRAMES`)."""
    return forecasts.frame(Store(path), run_id, name)
