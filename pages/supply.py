"""Step 3, Supply planning: can we make what we expect to sell, and at what cost?"""

import streamlit as st

from sop.core import charts, fmt, schema
from sop.executive.records import record_note
from sop.finance import service_line
from sop.finance.kpis import binding_kinds
from sop.finance.kpis import summary as kpi_summary
from sop.finance.tiles import plan_tiles
from sop.scenario import shortfall
from sop.supply import charts as supply_charts
from sop.supply.results import PER
from sop.ui import columns, guards, readers, router, say, scenario_readers, settings_forms, widgets

router.through_router()

WHYS = 8  # shortfalls explained in words; the rest in the table under them


def render_capacity(plan, rough, currency: str) -> None:
    resources = list(plan.resource_use[schema.RESOURCE].unique())
    hot = plan.bottlenecks[plan.bottlenecks["constraint"] == "capacity"]["resource"]
    # the default goes into the state, not `index`: a changing index with a fixed key
    # makes the box show one resource while the chart draws another
    if st.session_state.get("sup_resource") not in resources:
        st.session_state["sup_resource"] = hot.iloc[0] if len(hot) else resources[0]
    pick = st.selectbox("Resource", resources, key="sup_resource")
    st.plotly_chart(
        supply_charts.capacity_chart(plan.resource_use, rough, pick), width="stretch", theme=None
    )
    view = st.segmented_control(
        "Heat map of",
        ["Demand load (rough-cut)", "Planned load"],
        default="Demand load (rough-cut)",
        required=True,
        key="sup_heat",
    )
    frame = rough if view.startswith("Demand") else plan.resource_use
    st.plotly_chart(
        supply_charts.utilisation_heatmap(
            frame, f"Utilisation: {view.lower()} as % of regular capacity"
        ),
        width="stretch",
        theme=None,
    )


def render_plan(plan, path: str, version: int, currency: str, demand_name: str) -> None:
    colors = charts.family_colors(readers.families(path, version))
    families = sorted(plan.family_plan[schema.FAMILY].unique())
    fam = st.selectbox("Family", ["All families", *families], key="sup_family")
    family = None if fam == "All families" else fam
    st.plotly_chart(
        supply_charts.plan_chart(
            plan.family_plan, family, colors.get(fam, charts.PALETTE[0]), demand_name
        ),
        width="stretch",
        theme=None,
    )
    st.dataframe(
        plan.family_plan,
        hide_index=True,
        key="sup_plan_table",
        column_config=columns.plan_columns(plan.family_plan, currency),
    )


def render_gaps(plan, currency: str) -> None:
    st.subheader("Bottlenecks")
    st.caption(
        "Every limit that binds, highest shadow price first: the margin one more hour "
        "(or unit of a supplier's cap) would add that month."
    )
    if plan.bottlenecks.empty:
        st.success("No resource, supplier or subcontract cap binds: demand fits.")
    else:
        widgets.bottleneck_table(plan.bottlenecks, currency)
    st.subheader("Shortfalls and why")
    if plan.shortfalls.empty:
        st.success("No lost sales, late deliveries or stock below safety stock.")
        return
    # lost sales first, then late, then below safety stock, as on Scenarios: the stock's
    # rows are often the largest and would crowd out what customers feel
    whys = shortfall.shortfall_lines(plan.shortfalls, WHYS)
    st.markdown("\n".join(f"- {fmt.md(why)}" for why in whys))
    with st.expander(f"All {fmt.count(len(plan.shortfalls), 'shortfall')} as a table"):
        config = columns.fit(plan.shortfalls, columns.bottleneck_columns(plan.shortfalls, currency))
        st.dataframe(
            plan.shortfalls,
            hide_index=True,
            key="sup_shortfalls",
            column_config=config,
            row_height=columns.WRAP_ROW_PX if columns.too_wide(plan.shortfalls, config) else None,
        )


def render_costs(plan, gross_margin: float, currency: str) -> None:
    st.plotly_chart(supply_charts.cost_waterfall(plan.costs, currency), width="stretch", theme=None)
    st.dataframe(
        plan.costs,
        hide_index=True,
        key="sup_costs_table",
        column_order=("label", "kind", "amount", "basis"),
        column_config=columns.fit(
            plan.costs, columns.columns(plan.costs, currency, money=("amount",))
        ),
    )
    margin = fmt.money(gross_margin, currency, compact=False)
    say.caption(
        f"Gross margin = revenue - costs = {margin}. Penalties (lost-sale goodwill, "
        "below safety stock) steer the plan but are not P&L costs."
    )


st.title("Supply planning")
st.caption(
    "Can we make what we expect to sell? Where does capacity bind, and what would "
    "closing each gap cost?"
)
info = guards.require_dataset()
path, currency = readers.store_path(), info.currency
widgets.assumptions_note(path, info.version, widgets.SUPPLY_TOPICS)
policy = settings_forms.policy_controls()
stamp = readers.demand_stamp(path, info.version)
demand, why = readers.supply_demand(path, info.version, policy.horizon, stamp)
if demand is None:
    st.info(
        f"{why}\n\n"
        + (
            "Shorten the horizon in *Plan settings*, or forecast further ahead on the Demand "
            "page (*Statistical forecast: settings and refresh*)."
            if readers.demand_run(path, info.version)
            else "Demand must be forecast before supply can be planned: "
            "run `python -m sop forecast`, or load a dataset with a `consensus` table."
        )
    )
    st.stop()
plan = readers.supply_plan(path, info.version, stamp, policy)
if not plan.ok:
    say.error(plan.explanation)
    if not plan.shortfalls.empty:
        st.dataframe(plan.shortfalls, hide_index=True, key="sup_violations")
    st.stop()
kpis = readers.supply_kpis(path, info.version, stamp, policy)
records = scenario_readers.exe_records(path, info.version, scenario_readers.exe_log_stamp(path))
if note := record_note(records, currency, info.version):
    say.info(note, icon=":material/approval:")
# a short plan says so before its figures, in the words Scenarios and Decisions use
if short := service_line.shortfall_line(kpis, currency):
    st.warning(fmt.md(short), icon=":material/report:")
# the caption says service only where the short line above has not said it
said = kpi_summary(kpis, currency, binding_kinds(plan), service=short is None)
say.caption(
    f"Demand: {demand[schema.SOURCE].iloc[0]}, {fmt.month(demand[schema.MONTH].min())} to "
    f"{fmt.month(demand[schema.MONTH].max())}. {said}"
)
for note in plan.notes:  # plain text naming lines, SKUs and families: shown as typed
    st.warning(fmt.md(note.text))
in_hours = plan.resource_use[PER].ne("unit").any()  # else capacity only in units a month
for row in plan_tiles(kpis, currency, hours=in_hours):
    widgets.tiles(row)
tabs = st.tabs(["Capacity", "Plan vs demand", "Bottlenecks & gaps", "Costs"], key="sup_tab")
with tabs[0]:
    render_capacity(
        plan, readers.supply_rough_cut(path, info.version, policy.horizon, stamp), currency
    )
with tabs[1]:
    render_plan(
        plan, path, info.version, currency, supply_charts.demand_name(demand[schema.SOURCE])
    )
with tabs[2]:
    render_gaps(plan, currency)
with tabs[3]:
    render_costs(plan, kpis["gross_margin"], currency)
