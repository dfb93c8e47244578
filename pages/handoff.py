"""Step 5, Executive S&OP: hand-off to execution (S&OE). The first three months of the
plan of record in weeks by SKU and plant, as CSV; the month's actuals against plan."""

import streamlit as st

from sop.core import fmt, schema
from sop.executive import charts as exec_charts
from sop.executive import view as exec_view
from sop.executive import weekly
from sop.ui import columns, guards, readers, router, scenario_readers

router.through_router()

POLICY = readers.plan_policy()[0]


def render_weeks(view) -> None:
    w = view.weekly
    c = st.columns([1, 1, 2], vertical_alignment="bottom")
    plant = c[0].selectbox(
        "Plant",
        [None, *sorted(w[schema.PLANT].unique())],
        key="soe_plant",
        format_func=lambda p: p or "All plants",
    )
    family = c[1].selectbox(
        "Family",
        [None, *sorted(w[schema.FAMILY].unique())],
        key="soe_family",
        format_func=lambda f: f or "All families",
    )
    c[2].download_button(
        "Weekly plan (CSV, every SKU and plant)",
        key="soe_csv",
        data=weekly.weekly_csv(w),
        mime="text/csv",
        on_click="ignore",
        file_name=f"soe_weeks_{view.cycle:%Y-%m}.csv",
        icon=":material/download:",
    )
    part = weekly.select(w, plant, family)
    if short := weekly.shortfall_line(part):
        st.warning(fmt.md(short), icon=":material/report:")
    st.plotly_chart(
        exec_charts.weekly_chart(weekly.by_week(part)),
        width="stretch",
        key="soe_chart",
        theme=None,
    )
    st.dataframe(
        columns.soe_week_rows(part),
        hide_index=True,
        key="soe_table",
        column_config=columns.soe_weeks(),
    )
    st.caption(
        "Weeks run Monday to Friday and are cut at month ends. A month is split in "
        "proportion to its working days in each week: Monday-Friday, less the days "
        "the capacity calendar lacks on the SKU's lines (taken off the end of the "
        "month). Each month's weeks add up to the monthly plan."
    )


def render_actuals(view) -> None:
    st.subheader("Actuals against plan")
    if view.actuals_month is None:
        st.info(
            "When a newer dataset brings the sales of a month an earlier plan of record "
            "covered, this month's actual demand is compared with that plan here."
        )
        return
    t = weekly.actual_totals(view.actuals)
    st.caption(
        f"{fmt.month(view.actuals_month)}: actual demand against the plan of record "
        f"{view.actuals_plan}."
    )
    c = st.columns(3)
    c[0].metric("Planned demand", fmt.units(t["planned_demand"]), border=True)
    c[1].metric("Actual demand", fmt.units(t["actual_units"]), border=True)
    c[2].metric(
        "Actual - plan",
        fmt.units(t["gap_units"]),
        fmt.pct(t["gap_pct"]),
        delta_color="off",
        border=True,
    )
    st.dataframe(
        view.actuals,
        hide_index=True,
        key="soe_actuals",
        column_config=columns.soe_actuals(),
    )


st.title("Hand-off to execution (S&OE)")
info = guards.require_dataset()
path = readers.store_path()
# read from the log and the approved snapshots: no demand plan needed
view = scenario_readers.exe_records(path, info.version, scenario_readers.exe_log_stamp(path))
stamp = readers.demand_stamp(path, info.version)
why = readers.supply_demand(path, info.version, POLICY.horizon, stamp)[1]
if why:
    st.info(
        f"{why}\n\nThe plan of record below is shown as approved; re-planning it on "
        f"data v{info.version} (Executive, Decisions) needs a demand plan."
    )
if view.approved is None:
    st.info(
        f"No plan of record for the {exec_view.fmt_cycle(view.cycle)} cycle yet: approve one "
        "on the Decisions page, then its first three months appear here in weeks."
    )
    st.page_link("pages/decisions.py", label="Go to Decisions", icon=":material/gavel:")
else:
    st.caption(
        f"{exec_view.fmt_cycle(view.cycle)} cycle · plan of record **{fmt.md(view.plan_name)}** "
        f"as approved (data v{view.snapshot.dataset_version}) · first three months"
    )
    render_weeks(view)
render_actuals(view)
