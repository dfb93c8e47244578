"""Step 1, Data gathering: what are we planning from, and can we trust it?"""

import streamlit as st

from sop.core import access, charts, fmt, schema
from sop.core.tables import schema_markdown
from sop.data import dataview
from sop.ui import actions, columns, permit, readers, router, source, templates, upload, widgets

router.through_router()

FLASH = upload.FLASH


def render_header(info) -> None:
    widgets.tile_style()
    c = st.columns(4)
    c[0].metric("Dataset", fmt.md(info.name), border=True)
    c[1].metric("Actuals up to (as-of month)", fmt.month(info.as_of), border=True)
    c[2].metric("Version", f"v{info.version}", border=True)
    c[3].metric(
        "Loaded (UTC)",
        f"{info.loaded_at:%d %b %H:%M}",
        border=True,
        help=f"{info.loaded_at:%Y-%m-%d %H:%M:%S} UTC",
    )


def render_upload(info) -> None:
    templates.downloads()
    st.markdown(
        "Upload your tables: CSV (any delimiter and encoding), an Excel workbook with a "
        "sheet per table, Parquet, or a `.zip` / `.gz` of them, each file or sheet named "
        "after its table of the data model below (`sales.csv`, a sheet `Sales`). Columns "
        "your system names differently (`Date`, `qty`) are mapped in a step after the "
        "check. Nothing changes unless every check passes; a monthly refresh can be just "
        "`sales.csv`. After a load the forecast is fitted at once."
    )
    with st.expander("The data model: every table and column", icon=":material/schema:"):
        st.markdown(schema_markdown())
    if permit.allowed(access.LOAD):
        upload.form(info)


def render_versions(info, versions) -> None:
    if versions.empty:
        return
    st.dataframe(
        versions,
        hide_index=True,
        key="data_versions_table",
        column_config=columns.data_versions(),
    )
    if not permit.allowed(access.LOAD):
        return
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
info, versions = readers.listing()  # one store read for both
if info is None:
    st.info(
        "No dataset is loaded yet: upload one below, read it from your company database "
        "(the Database tab), or run `python -m sop load DIR`."
    )
    tab_first_load, tab_first_db = st.tabs(["Load data", "Database"], key="data_tab_first")
    with tab_first_load:
        render_upload(None)
    with tab_first_db:
        source.database_tab(None)
    st.stop()
path = readers.store_path()
render_header(info)
widgets.assumptions_note(path, info.version)
tab_over, tab_checks, tab_hist, tab_gaps, tab_load, tab_db = st.tabs(
    ["Tables", "Quality checks", "History", "Missing data", "Load data", "Database"],
    key="data_tab",
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
    shown, n_skus, n_gaps = dataview.worst_gaps(readers.missing(path, info.version))
    if len(shown) < n_skus:
        st.caption(
            f"{n_skus:,} SKUs, {n_gaps:,} of them with a gap: showing the {len(shown):,} "
            "with the most missing region-months."
        )
    st.plotly_chart(
        charts.missing_heatmap(shown, readers.families(path, info.version)),
        width="stretch",
        theme=None,
    )
    st.caption(charts.MISSING_KEY)
with tab_load:
    render_upload(info)
    st.subheader("Dataset versions")
    render_versions(info, versions)
with tab_db:
    source.database_tab(info)
