"""The Data page's Database tab: the connection (named, never its password), the active
company's saved query per table (shown, edited, removed) and "Refresh now", which runs
them with a progress bar and loads a new version only when the tables changed
(`sop.data.refresh`, as `python -m sop refresh`). After a load the forecast of the new
version is fitted, as after an upload.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

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
from sop.ui import actions, readers, widgets
from sop.ui.upload import safe_md

TABLE, QUERY, AUTHOR = "data_src_table", "data_src_query_", "data_src_author"
SAVE, REMOVE, REFRESH = "data_src_save", "data_src_remove", "data_src_refresh"
RESULT = "data_src_result"  # the last refresh's outcome, kept across the rerun
FLASH = "data_src_flash"
NOT_QUERIED = "(none: taken from the active dataset)"


def _config() -> tuple[SourceConfig | None, str]:
    try:
        config = load_config()
    except SourceError as exc:
        return None, str(exc)
    return config, "" if config else NO_CONFIG


def _overview(saved: pd.DataFrame) -> pd.DataFrame:
    by_table = saved.set_index("table_name")
    rows = []
    for name, t in TABLES.items():
        have = name in by_table.index
        rows.append(
            {
                "table": name,
                "required": t.required,
                "query": " ".join(by_table.at[name, "query"].split()) if have else NOT_QUERIED,
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
    author = st.text_input("Your name", key=AUTHOR)
    save, remove = st.columns(2)
    if save.button("Save query", key=SAVE, type="primary"):
        if why := query_problem(table, text):
            st.error(safe_md(why))
            return
        try:
            source_queries.save(readers.store(), company, table, clean_query(text), author)
        except StoreError as exc:
            st.error(safe_md(str(exc)))
            return
        widgets.flash(FLASH, f"Saved the `{table}` query.")
    if remove.button("Remove query", key=REMOVE, disabled=table not in saved):
        source_queries.delete(readers.store(), company, table)
        widgets.flash(
            FLASH,
            f"Removed the `{table}` query: `{table}` comes from the dataset.",
            clear={key: ""},
        )


def _run_refresh(config: SourceConfig, company: str) -> None:
    bar = st.progress(0.0, text="Connecting to the database…")

    def step(done: int, total: int, label: str) -> None:
        bar.progress(done / max(total, 1), text=label[:1].upper() + label[1:] + "…")

    got = rf.refresh(readers.store(), config, company, step)
    st.cache_data.clear()
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


def database_tab(info: DatasetInfo) -> None:
    """The Database tab for the active dataset's company."""
    widgets.show_flash(FLASH)
    company = info.company
    shown = "`" + company.replace("`", "'") + "`"
    st.markdown(
        "Read the tables straight from the company database: one saved query per table, "
        "run in a read-only transaction. Tables without a query are taken from the active "
        "dataset. `python -m sop refresh` does the same from a terminal or a scheduler "
        "(docs/database.md)."
    )
    config, problem = _config()
    if config is None:
        st.warning(safe_md(problem))
    else:
        st.caption(
            safe_md(
                f"Connection: `{config.describe().replace('`', '')}` (from {config.origin}); "
                f"statement timeout "
                f"{config.timeout_s:g} s. Saved queries of {shown}:"
            )
        )
    saved = source_queries.saved(readers.store(), company)
    st.dataframe(
        _overview(saved),
        hide_index=True,
        key="data_src_queries",
        column_config={
            "query": st.column_config.TextColumn(width="large"),
            "saved at (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )
    with st.expander("Edit a query", icon=":material/edit:"):
        _editor(company, dict(zip(saved["table_name"], saved["query"])))
    _show_result()
    if st.button(
        "Refresh now",
        key=REFRESH,
        type="primary",
        disabled=config is None or saved.empty,
        help="Run the saved queries, check the tables and load them as a new version if "
        "anything changed.",
    ):
        _run_refresh(config, company)
