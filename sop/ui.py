"""Cached wrappers the pages call: the one module of `sop` that imports Streamlit.

Results are cached by store path and dataset version, so a rerun (a widget
click) never re-reads the store or re-runs checks; a new load changes the
version and so the cache key.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from sop import dataview
from sop import schema as S
from sop.store import DatasetInfo, Store
from sop.validate import Report, as_of_month, check_tables, validate_files


def store() -> Store:
    return Store()


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
    return dataview.history_by_family(t[S.SALES], t[S.PRODUCTS], measure)


@st.cache_data(max_entries=8)
def missing(path: str, version: int) -> pd.DataFrame:
    t = tables(path, version)
    return dataview.missing_matrix(t[S.SALES], t[S.PRODUCTS], as_of_month(t))


def families(path: str, version: int) -> pd.Series:
    """SKU -> family of the dataset."""
    p = tables(path, version)[S.PRODUCTS]
    return p.set_index(S.SKU)[S.FAMILY]


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
        st.info("No dataset is loaded yet. Run `make run` (it loads the demo company), "
                "`python -m sop load DIR`, or upload files on the Data page.")
        st.stop()
    return info
