"""Step 1, Data gathering: what are we planning from, and can we trust it?"""

import streamlit as st

from sop import ui
from sop.core import charts, fmt, schema
from sop.data import dataview

ui.through_router()

STATUS_STYLE = {
    "pass": "background-color: #EAF2EA; color: #1E5631",
    "warning": "background-color: #FCE9C8; color: #7A4B00",
    "fail": "background-color: #F6D5D9; color: #8A1C2B",
}


def render_header(info) -> None:
    c = st.columns(4)
    c[0].metric("Dataset", info.name, border=True)
    c[1].metric("Actuals up to (as-of month)", fmt.month(info.as_of), border=True)
    c[2].metric("Version", f"v{info.version}", border=True)
    c[3].metric(
        "Loaded (UTC)",
        f"{info.loaded_at:%d %b %H:%M}",
        border=True,
        help=f"{info.loaded_at:%Y-%m-%d %H:%M:%S} UTC",
    )


def render_checks(path: str, version: int) -> None:
    checks = ui.report(path, version).check_table()
    counts = checks["status"].value_counts()
    st.caption(
        f"{counts.get('pass', 0)} checks pass · {counts.get('warning', 0)} with "
        f"warnings · {counts.get('fail', 0)} failed"
    )
    shown = checks.style.map(lambda v: STATUS_STYLE.get(v, ""), subset=["status"])
    st.dataframe(
        shown,
        hide_index=True,
        key="data_checks_table",
        column_config={
            "count": st.column_config.NumberColumn("rows affected"),
            "message": st.column_config.TextColumn(width="large"),
        },
    )
    flagged = checks[checks["status"] != "pass"]
    if flagged.empty:
        return
    pick = st.selectbox(
        "Drill down into a check",
        flagged.index,
        key="data_drill",
        format_func=lambda i: f"{checks.at[i, 'table']}: {checks.at[i, 'check']}",
    )
    for f in ui.report(path, version).findings:
        if (f.check, f.table) == (checks.at[pick, "check"], checks.at[pick, "table"]):
            show = st.warning if f.severity == "warning" else st.error
            show(f.message)
            if f.examples is not None and len(f.examples):
                st.dataframe(dataview.months_as_text(f.examples), hide_index=True)


def render_upload(info) -> None:
    st.markdown(
        "Upload the table files (`products.csv`, `sales.parquet`, …; Parquet or CSV, "
        "named after the tables of the data model below). Nothing changes unless "
        "every check passes; a monthly refresh can be just `sales.csv`."
    )
    with st.expander("The data model: every table and column", icon=":material/schema:"):
        st.markdown(schema.schema_markdown())
    files = st.file_uploader(
        "Table files", type=["parquet", "csv"], accept_multiple_files=True, key="data_upload_files"
    )
    name = st.text_input("Dataset name", value="upload", key="data_upload_name")
    keep = st.checkbox(
        "Take tables I do not upload from the current dataset",
        value=info is not None,
        disabled=info is None,
        key="data_upload_keep",
    )
    if not st.button("Validate and load", type="primary", key="data_upload_go", disabled=not files):
        return
    report = ui.validate_upload(
        {f.name: f.getvalue() for f in files}, info.version if keep and info else None
    )
    for f in report.errors:
        st.error(f.message)
    for f in report.warnings:
        st.warning(f.message)
    if not report.ok:
        st.error(
            f"Nothing was loaded: {len(report.errors)} error(s). The current dataset is "
            "unchanged; fix the files and upload again."
        )
        return
    version = ui.load(
        report, name.strip() or "upload", "upload: " + ", ".join(sorted(f.name for f in files))
    )
    st.session_state["data_flash"] = f"Loaded `{name}` as version {version}; it is now active."
    st.rerun()


def render_versions(info) -> None:
    versions = ui.store().datasets()
    if versions.empty:
        return
    st.dataframe(
        versions,
        hide_index=True,
        key="data_versions_table",
        column_config={
            "version": st.column_config.NumberColumn("Version", format="%d"),
            "name": "Name",
            "source": "Loaded from",
            "loaded_at": st.column_config.DatetimeColumn("Loaded (UTC)", format="YYYY-MM-DD HH:mm"),
            "as_of": st.column_config.DateColumn("Actuals up to", format="YYYY-MM"),
            "company": "Company",
            "currency": "Currency",
            "active": "Active",
        },
    )
    pick = st.selectbox("Restore an earlier version", versions["version"], key="data_restore")
    if st.button(
        "Make this version active",
        key="data_restore_go",
        disabled=info is not None and pick == info.version,
    ):
        ui.restore(int(pick))
        st.session_state["data_flash"] = f"Version {pick} is active again."
        st.rerun()


st.title("Data gathering")
st.caption("What are we planning from, and can we trust it?")
if flash := st.session_state.pop("data_flash", None):
    st.success(flash)
info = ui.active()
if info is None:
    st.info("No dataset is loaded yet: upload one below, or run `python -m sop load DIR`.")
    render_upload(None)
    st.stop()
path = str(ui.store().path)
render_header(info)
tab_over, tab_checks, tab_hist, tab_gaps, tab_load = st.tabs(
    ["Tables", "Quality checks", "History", "Missing data", "Load data"], key="data_tab"
)
with tab_over:
    overview = ui.overview(path, info.version)
    st.dataframe(
        overview,
        hide_index=True,
        key="data_overview_table",
        height=36 * (len(overview) + 1) + 4,
        column_config={
            "table": "Table",
            "required": "Required",
            "first_month": "First month",
            "last_month": "Last month",
            "months": st.column_config.NumberColumn("Months", format="%d"),
            "rows": st.column_config.NumberColumn("Rows", format="%d"),
            "meaning": st.column_config.TextColumn("What it holds", width="large"),
        },
    )
with tab_checks:
    render_checks(path, info.version)
with tab_hist:
    measure = st.segmented_control(
        "Measure",
        [schema.UNITS, schema.REVENUE],
        default=schema.UNITS,
        required=True,
        key="data_measure",
        format_func=lambda m: "Units" if m == schema.UNITS else f"Revenue ({info.currency})",
    )
    colors = charts.family_colors(ui.families(path, info.version))
    st.plotly_chart(
        charts.history_chart(
            ui.history(path, info.version, measure), measure, info.currency, colors
        ),
        width="stretch",
    )
with tab_gaps:
    st.plotly_chart(
        charts.missing_heatmap(ui.missing(path, info.version), ui.families(path, info.version)),
        width="stretch",
    )
with tab_load:
    render_upload(info)
    st.subheader("Dataset versions")
    render_versions(info)
