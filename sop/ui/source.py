"""The Data page's Database tab: the connection (named, never its password), the active
company's saved query per table (shown, edited, removed) and "Refresh now", which runs
them with a progress bar and loads a new version only when the tables changed
(`sop.data.refresh`, as `python -m sop refresh`). After a load the forecast of the new
version is fitted, as after an upload.

With no dataset loaded the tab asks for the company name (prefilled when one company
already has saved queries, e.g. from `python -m sop source`): its queries are shown,
edited and run like the active company's, every required table then needs a query,
and the first refresh loads version 1 of that company.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sop.core import access
from sop.core.access import AccessDenied
from sop.core.tables import TABLES
from sop.data import refresh as rf
from sop.data.readers import ERROR
from sop.data.source import (
    NO_CONFIG,
    SourceConfig,
    SourceError,
    clean_query,
    load_config,
    query_problem,
)
from sop.store import DatasetInfo, StoreError, source_queries
from sop.ui import actions, permit, readers, widgets
from sop.ui.settings_forms import recorded_as
from sop.ui.upload import FLASH as PAGE_FLASH
from sop.ui.upload import safe_md

TABLE, QUERY = "data_src_table", "data_src_query_"
COMPANY = "data_src_company"  # the company of a first refresh, typed while nothing is loaded
SHOWN_FOR = "data_src_company_shown"  # the company whose queries the editor holds
SAVE, REMOVE, REFRESH = "data_src_save", "data_src_remove", "data_src_refresh"
RESULT = "data_src_result"  # the last refresh's outcome, kept across the rerun
FLASH = "data_src_flash"
NOT_QUERIED = "(none: taken from the active dataset)"
NOT_QUERIED_FIRST = "(none: left out)"


def _config() -> tuple[SourceConfig | None, str]:
    try:
        config = load_config()
    except SourceError as exc:
        return None, str(exc)
    return config, "" if config else NO_CONFIG


def _overview(saved: pd.DataFrame, first: bool) -> pd.DataFrame:
    by_table = saved.set_index("table_name")
    unqueried = NOT_QUERIED_FIRST if first else NOT_QUERIED
    rows = []
    for name, t in TABLES.items():
        have = name in by_table.index
        rows.append(
            {
                "table": name,
                "required": t.required,
                "query": " ".join(by_table.at[name, "query"].split()) if have else unqueried,
                "saved by": by_table.at[name, "author"] if have else "",
                "saved at (UTC)": by_table.at[name, "saved_at"] if have else pd.NaT,
            }
        )
    return pd.DataFrame(rows)


def _editor(company: str, saved: dict[str, str]) -> None:
    table = st.selectbox("Table", list(TABLES), key=TABLE)
    key = QUERY + table
    if key not in st.session_state:
        st.session_state[key] = saved.get(table, "")
    widgets.fresh([key])
    text = st.text_area(
        "Query (one SELECT returning the table's columns)",
        height=160,
        key=key,
        placeholder=f"SELECT ... AS {', '.join(TABLES[table].column_names[:3])}, ... FROM ...",
    )
    st.caption(recorded_as())
    save, remove = st.columns(2)
    if save.button("Save query", key=SAVE, type="primary"):
        if why := query_problem(table, text):
            st.error(safe_md(why))
            return
        try:
            source_queries.save(readers.store(), company, table, clean_query(text))
        except (StoreError, AccessDenied) as exc:
            st.error(safe_md(str(exc)))
            return
        widgets.flash(FLASH, f"Saved the `{table}` query.")
    if remove.button("Remove query", key=REMOVE, disabled=table not in saved):
        try:
            source_queries.delete(readers.store(), company, table)
        except (StoreError, AccessDenied) as exc:
            st.error(safe_md(str(exc)))
            return
        widgets.flash(
            FLASH,
            f"Removed the `{table}` query: `{table}` comes from the dataset.",
            clear={key: ""},
        )


def _run_refresh(config: SourceConfig, company: str, first: bool) -> None:
    bar = st.progress(0.0, text="Connecting to the database…")

    def step(done: int, total: int, label: str) -> None:
        bar.progress(done / max(total, 1), text=label[:1].upper() + label[1:] + "…")

    got = rf.refresh(readers.store(), config, company, step)
    readers.clear_caches()
    note = ""
    if got.status == rf.LOADED:
        bar.progress(0.0, text="Forecasting the new version…")
        fitted = actions.forecast_new_dataset(bar)
        note = (
            " The forecast is stored; the Demand page shows it."
            if fitted.ok
            else f" The forecast could not be fitted ({fitted.message}): run it on the Demand page."
        )
    bar.empty()
    st.session_state[RESULT] = {
        "status": got.status,
        "message": config.redact(got.message + note),
        "errors": [config.redact(f.message) for f in got.errors],
        "warnings": [config.redact(f.message) for f in got.findings if f.severity != ERROR],
    }
    if first and got.status == rf.LOADED:  # the page opens on its first tab: say it there
        st.session_state[PAGE_FLASH] = safe_md(st.session_state[RESULT]["message"])
    st.rerun()


def _show_result() -> None:
    last = st.session_state.get(RESULT)
    if not last:
        return
    show = {rf.LOADED: st.success, rf.UNCHANGED: st.info, rf.REFUSED: st.error}[last["status"]]
    show(safe_md(last["message"]))
    for message in last["errors"]:
        st.error(safe_md(message))
    if last["warnings"]:
        with st.expander(f"{len(last['warnings'])} warning(s)"):
            for message in last["warnings"]:
                st.warning(safe_md(message))


def _first_company() -> str:
    """The company typed for a first refresh ("" until one is), prefilled with the one
    company that has saved queries, if only one has."""
    if COMPANY not in st.session_state:
        having = source_queries.companies(readers.store())
        st.session_state[COMPANY] = having[0] if len(having) == 1 else ""
    typed: str = st.text_input(
        "Company name",
        key=COMPANY,
        placeholder="e.g. Acme Ltd",
        help="The company the queries belong to. The data loaded belongs to it (a `company` "
        "query must return this name), and its next refreshes, overrides and scenarios "
        "are kept under it.",
    )
    typed = typed.strip()
    if st.session_state.get(SHOWN_FOR, typed) != typed:  # another company: its own queries
        queries = source_queries.queries(readers.store(), typed) if typed else {}
        for table in TABLES:  # set before the editor is drawn, so the browser shows it
            st.session_state[QUERY + table] = queries.get(table, "")
    st.session_state[SHOWN_FOR] = typed
    return typed


def database_tab(info: DatasetInfo | None) -> None:
    """The Database tab for the active dataset's company; with no dataset loaded, for
    the company typed in it (a first refresh)."""
    widgets.show_flash(FLASH)
    first = info is None
    intro = (
        "Read the tables straight from the company database: one saved query per table, "
        "run in a read-only transaction. "
        + (
            "Nothing is loaded yet, so name the company first; `sales` needs a query, "
            "tables without one are left out (their stated defaults apply). "
            if first
            else "Tables without a query are taken from the active dataset. "
        )
        + "`python -m sop refresh` does the same from a terminal or a scheduler "
        "(docs/database.md)."
    )
    st.markdown(intro)
    company = _first_company() if first else info.company
    config, problem = _config()
    shown = "`" + company.replace("`", "'") + "`"
    if config is None:
        st.warning(safe_md(problem))
    if not company:
        st.info("Type the company name to see, write and run its queries.")
        return
    if config is not None:
        st.caption(
            safe_md(
                f"Connection: `{config.describe().replace('`', '')}` (from {config.origin}); "
                f"statement timeout "
                f"{config.timeout_s:g} s. Saved queries of {shown}:"
            )
        )
    saved = source_queries.saved(readers.store(), company)
    st.dataframe(
        _overview(saved, first),
        hide_index=True,
        key="data_src_queries",
        column_config={
            "query": st.column_config.TextColumn(width="large"),
            "saved at (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )
    with st.expander("Edit a query", icon=":material/edit:"):
        if permit.allowed(access.LOAD):
            _editor(company, dict(zip(saved["table_name"], saved["query"])))
    _show_result()
    if permit.allowed(access.LOAD) and st.button(
        "Refresh now",
        key=REFRESH,
        type="primary",
        disabled=config is None or saved.empty,
        help="Run the saved queries, check the tables and load them as a new version if "
        "anything changed.",
    ):
        _run_refresh(config, company, first)
