"""Step 1, Data gathering: what are we planning from, and can we trust it?"""

import streamlit as st

from sop.core import charts, fmt, schema
from sop.core.tables import schema_markdown
from sop.ui import actions, columns, readers, router, widgets

router.through_router()

FLASH = "data_flash"


def render_header(info) -> None:
    widgets.tile_style()
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


def render_upload(info) -> None:
    st.markdown(
        "Upload the table files (`products.csv`, `sales.parquet`, …; Parquet or CSV, "
        "named after the tables of the data model below). Nothing changes unless "
        "every check passes; a monthly refresh can be just `sales.csv`."
    )
    with st.expander("The data model: every table and column", icon=":material/schema:"):
        st.markdown(schema_markdown())
    files = st.file_uploader(
        "Table files",
        type=["parquet", "csv"],
        accept_multiple_files=True,
        key="data_upload_files",
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
    report = readers.validate_upload(
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
    loaded = actions.load(
        report,
        name.strip() or "upload",
        "upload: " + ", ".join(sorted(f.name for f in files)),
    )
    if not loaded.ok:
        st.error(loaded.message)
        return
    widgets.flash(FLASH, f"Loaded `{name}` as version {loaded.value}; it is now active.")


def render_versions(info) -> None:
    versions = readers.datasets()
    if versions.empty:
        return
    st.dataframe(
        versions,
        hide_index=True,
        key="data_versions_table",
        column_config=columns.data_versions(),
    )
    pick = st.selectbox("Restore an earlier version", versions["version"], key="data_restore")
    if st.button(
        "Make this version active",
        key="data_restore_go",
        disabled=info is not None and pick == info.version,
    ):
        restored = actions.restore(int(pick))
        if not restored.ok:
            st.error(restored.message)
            return
        widgets.flash(FLASH, f"Version {pick} is active again.")


st.title("Data gathering")
st.caption("What are we planning from, and can we trust it?")
widgets.show_flash(FLASH)
info = readers.active()
if info is None:
    st.info("No dataset is loaded yet: upload one below, or run `python -m sop load DIR`.")
    render_upload(None)
    st.stop()
path = readers.store_path()
render_header(info)
tab_over, tab_checks, tab_hist, tab_gaps, tab_load = st.tabs(
    ["Tables", "Quality checks", "History", "Missing data", "Load data"], key="data_tab"
)
with tab_over:
    widgets.overview_table(readers.overview(path, info.version))
with tab_checks:
    widgets.quality_checks(readers.report(path, info.version))
with tab_hist:
    measure = st.segmented_control(
        "Measure",
        [schema.UNITS, schema.REVENUE],
        default=schema.UNITS,
        required=True,
        key="data_measure",
        format_func=lambda m: "Units" if m == schema.UNITS else f"Revenue ({info.currency})",
    )
    colors = charts.family_colors(readers.families(path, info.version))
    st.plotly_chart(
        charts.history_chart(
            readers.history(path, info.version, measure), measure, info.currency, colors
        ),
        width="stretch",
        theme=None,
    )
with tab_gaps:
    st.plotly_chart(
        charts.missing_heatmap(
            readers.missing(path, info.version), readers.families(path, info.version)
        ),
        width="stretch",
        theme=None,
    )
    st.caption(charts.MISSING_KEY)
with tab_load:
    render_upload(info)
    st.subheader("Dataset versions")
    render_versions(info)
