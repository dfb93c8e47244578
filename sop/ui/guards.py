"""Page stops: what a page needs before it can draw, or a message saying what to do
(with a link to the page that does it) and `st.stop()`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from sop.executive import records as exec_records
from sop.executive import view as exec_view
from sop.scenario.wording import escape_md
from sop.store import DatasetInfo
from sop.supply.policy import SupplyPolicy
from sop.ui import readers, scenario_readers


def require_dataset() -> DatasetInfo:
    """The active dataset, or stop the page with what to do."""
    info = readers.active()
    if info is None:
        st.info(
            "No dataset is loaded yet. Run `make run` (it loads the demo company), "
            "`python -m sop load DIR`, or upload files on the Data page."
        )
        st.stop()
    return info


def _to_demand_page() -> None:
    st.page_link("pages/demand.py", label="Go to Demand planning", icon=":material/trending_up:")


def require_demand(horizon: int) -> tuple[DatasetInfo, str, tuple, pd.DataFrame]:
    """(dataset info, store path, demand stamp, demand plan) for the scenario pages, or
    stop the page saying how to get a demand plan (with a link to the Demand page)."""
    info = require_dataset()
    path = readers.store_path()
    stamp = readers.demand_stamp(path, info.version)
    demand, why = readers.supply_demand(path, info.version, horizon, stamp)
    if demand is None:
        st.info(
            f"{why}\n\nScenarios re-plan the consensus demand, so demand must be forecast first."
        )
        _to_demand_page()
        st.stop()
    who = readers.plan_policy()[1]
    st.caption(
        f"Plans use the plan settings of record ({escape_md(who) if who else 'the defaults'}); "
        "change them on the Supply page (the finance settings on the Finance page)."
    )
    return info, path, stamp, demand


@dataclass(frozen=True)
class ExePage:
    """What the step-5 pages share: the view and its cache keys; `records` (the log,
    items and plan of record) when asked for."""

    view: exec_view.ExecView | None  # None when optional and there is no demand plan
    path: str
    version: int
    stamp: tuple
    log_stamp: tuple
    records: exec_records.Records | None = None


def exe_page(policy: SupplyPolicy, needs: str, optional: bool = False) -> ExePage:
    """The executive view of the active dataset for a step-5 page, or stop the page
    saying what is missing (`needs`: what the page needs, for the message). With
    `optional`, the page goes on without a view (None; the message is shown) and
    gets `records`, which need no demand plan."""
    info = require_dataset()
    path, version = readers.store_path(), info.version
    stamp, log_stamp = (
        readers.demand_stamp(path, version),
        scenario_readers.exe_log_stamp(path),
    )
    view, why = scenario_readers.exe_view(path, version, stamp, log_stamp, policy)
    if view is None:
        st.info(f"{why}\n\n{needs}")
        _to_demand_page()
        if not optional:
            st.stop()
    records = scenario_readers.exe_records(path, version, log_stamp) if optional else None
    return ExePage(view, path, version, stamp, log_stamp, records)
