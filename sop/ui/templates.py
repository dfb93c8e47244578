"""The Data page's template downloads: the empty Excel template of the data model and
the demo dataset in the same layout (`sop.data.template`).

Both workbooks are made when their button is pressed (a deferred download), not on
every run of the page, and kept once made: they never change while the app runs.
"""

from __future__ import annotations

import functools

import streamlit as st

from sop.data import template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTE = (
    "Start from a template: a sheet per table with its header row (hover over a header "
    "for its type, unit and rules) and a *Read me* sheet listing the tables. Fill it "
    "in and upload it below; the demo workbook shows every table filled in."
)


@functools.cache
def empty_bytes() -> bytes:
    """The empty template, made once."""
    return template.empty_template()


@functools.cache
def demo_bytes() -> bytes:
    """The demo dataset as a workbook, made once."""
    return template.demo_workbook()


def downloads() -> None:
    """Two download buttons, side by side, under a line saying what they are."""
    st.caption(NOTE)
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "Download the empty template (.xlsx)",
        data=empty_bytes,
        file_name="sop-template.xlsx",
        mime=XLSX,
        key="data_template_empty",
        icon=":material/table_view:",
        on_click="ignore",
    )
    right.download_button(
        "Download the demo data (.xlsx)",
        data=demo_bytes,
        file_name="sop-demo-data.xlsx",
        mime=XLSX,
        key="data_template_demo",
        icon=":material/download:",
        on_click="ignore",
    )
