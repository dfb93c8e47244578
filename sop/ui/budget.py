"""The Finance page's "Load budget": a budget file (CSV or an Excel workbook, the
`budget` table's columns) replaces the budget of the active dataset.

The file is read and checked as the Data page reads an upload (`sop.data.readers`,
`sop.data.validate`, with the company's saved column mappings), against the active
dataset's other tables (families, months); only its `budget` table is taken. When a
check fails nothing is loaded and every finding is shown; when it passes
`sop.store.budget.load_budget` makes a new version with every other table as it was
(the forecast too). Only finance or a data steward may (`access.BUDGET`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sop.core import access, schema
from sop.core.tables import TABLES
from sop.data.csvtext import code
from sop.data.mapping import ReadOptions, table_key
from sop.data.readers import read_parts
from sop.data.validate import validate_parts
from sop.store import DatasetInfo, column_maps
from sop.ui import actions, permit, readers, widgets
from sop.ui.settings_forms import recorded_as
from sop.ui.upload import safe_md

FILE, NAME, GO = "fin_budget_file", "fin_budget_name", "fin_budget_go"
FLASH = "_fin_budget_flash"
TYPES = ["csv", "xlsx", "txt", "tsv"]


def _budget_part(parts: list) -> tuple[object | None, str]:
    """The part of the file that is the budget: a sheet (or file) named `budget`, else
    the only readable one; (None, why) when there is none or no way to choose."""
    named = [p for p in parts if schema.BUDGET in (table_key(p.name), table_key(p.alias or ""))]
    readable = [p for p in parts if p.frame is not None]
    if named:
        return named[0], ""
    if len(readable) == 1:
        return readable[0], ""
    if not readable:
        return None, ""  # the reader's own notes say why
    sheets = ", ".join(code(p.name) for p in readable)
    return None, (
        f"The workbook has {len(readable)} sheets ({sheets}) and none is named `budget`: "
        "name the budget's sheet `budget`, or upload that sheet alone."
    )


def read_budget(
    file_name: str, data: bytes, info: DatasetInfo
) -> tuple[pd.DataFrame | None, list[str], list[str]]:
    """(the checked budget table, or None; the errors; the warnings about the budget)
    of an uploaded budget file, checked against the active dataset `info`'s other
    tables. Nothing is stored."""
    parts = read_parts({file_name: data})
    part, why = _budget_part(parts)
    if part is None:
        notes = [msg for p in parts for sev, _, msg in p.notes if sev == "error"]
        return None, [why] if why else notes or [f"{file_name}: no table could be read."], []
    base = readers.loaded_tables(readers.store_path(), info.version)
    base = {n: df for n, df in base.items() if n != schema.BUDGET}
    options = ReadOptions(
        saved=column_maps.for_company(readers.store(), info.company),
        saved_for=info.company,
        assign={p.label: schema.BUDGET if p is part else "" for p in parts},
    )
    report = validate_parts(parts, base, options)
    errors = [f.message for f in report.errors]
    warnings = [f.message for f in report.warnings if f.table == schema.BUDGET]
    budget = report.tables.get(schema.BUDGET)
    if not errors and budget is None:
        errors = [f"{file_name}: the budget has no rows, so there is nothing to load."]
    return (None if errors else budget), errors, warnings


def load_form(info: DatasetInfo) -> None:
    """The "Load budget" section of the Finance page (finance or a data steward)."""
    widgets.show_flash(FLASH)
    with st.expander("New budget (annual operating plan)", icon=":material/upload_file:"):
        columns = ", ".join(f"`{c}`" for c in TABLES[schema.BUDGET].column_names)
        st.caption(
            f"A budget file (CSV or Excel, the budget table's columns: {columns}) replaces "
            "the budget of the active dataset: a new version with every other table, and "
            "the forecast, as they are. Nothing changes unless every check passes."
        )
        if not permit.allowed(access.BUDGET):
            return
        c = st.columns([3, 2], vertical_alignment="bottom")
        up = c[0].file_uploader("Budget file", type=TYPES, key=FILE)
        name = c[1].text_input("Dataset name", value=info.name, key=NAME)
        st.caption(recorded_as())
        if not st.button("Load budget", key=GO, type="primary", disabled=up is None):
            return
        budget, errors, warnings = read_budget(up.name, up.getvalue(), info)
        for message in warnings:
            st.warning(safe_md(message))
        if budget is None:
            for message in errors:
                st.error(safe_md(message))
            st.error(
                f"Nothing was loaded: {len(errors)} error(s). The current dataset and its "
                "budget are unchanged; fix the file and load it again."
            )
            return
        done = actions.load_budget(budget, name.strip() or info.name, f"budget: {up.name}")
        if not done.ok:
            st.error(safe_md(done.message))
            return
        widgets.flash(
            FLASH,
            safe_md(
                f"Loaded the budget of {code(up.name)} ({len(budget)} rows) as version "
                f"{done.value}; it is now active, with every other table as it was."
            ),
        )
