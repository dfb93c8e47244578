"""Finance view: revenue and margin projection with ranges, against budget, exportable."""

import streamlit as st

from sop import ui
from sop.core import charts, fmt, schema
from sop.finance import charts as finance_charts
from sop.finance import export as finance_export
from sop.finance import landing, pvm
from sop.scenario import space as lever_space

ui.through_router()

MEASURES = {schema.REVENUE: "Revenue", schema.MARGIN: "Gross margin"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFF = dict(delta_color="off", delta_arrow="off")


def table(df, spec: finance_export.Spec, currency: str, key: str) -> None:
    st.dataframe(
        finance_export.screen_table(df, spec, currency),
        hide_index=True,
        key=key,
        column_config=ui.finance_columns(spec, currency),
    )


def band(t: dict, key: str, currency: str) -> str:
    lo, hi = t.get(f"{key}_p10"), t.get(f"{key}_p90")
    return (
        "no range"
        if lo is None
        else f"P10-P90: {fmt.money(lo, currency)} to {fmt.money(hi, currency)}"
    )


def render_kpis(t: dict, currency: str) -> None:
    c = st.columns(5)
    off = dict(delta_color="off", delta_arrow="off", border=True)
    c[0].metric(
        "Revenue (plan horizon)",
        fmt.money(t["revenue"], currency),
        band(t, "revenue", currency),
        **off,
    )
    c[1].metric(
        "Gross margin (plan horizon)",
        fmt.money(t["margin"], currency),
        band(t, "margin", currency),
        **off,
    )
    c[2].metric(
        "Gross margin % of revenue",
        fmt.pct(t["margin_pct"]),
        f"{fmt.units(t['units'])} served",
        **off,
    )
    for box, key, label in (
        (c[3], schema.REVENUE, "Revenue vs budget"),
        (c[4], schema.MARGIN, "Margin vs budget"),
    ):
        box.metric(
            label,
            fmt.money_delta(t[f"{key}_gap"], currency) if t["budget_months"] else "no budget",
            f"of {fmt.money(t[f'budget_{key}'], currency)}, {t['budget_months']:.0f} months",
            help="Projection minus budget over the months the budget covers.",
            **off,
        )


def render_exports(view, meta: finance_export.ExportMeta) -> None:
    c = st.columns([1, 1, 3])
    c[0].download_button(
        "Excel workbook",
        data=lambda: finance_export.workbook(view, meta),
        file_name=finance_export.file_name(meta, "xlsx"),
        mime=XLSX,
        key="fin_xlsx",
        on_click="ignore",
        icon=":material/table_view:",
        help="Summary, monthly P&L by family, budget vs projection, "
        "price-volume-mix bridge, year-end landing and inventory.",
    )
    c[1].download_button(
        "CSV (monthly P&L)",
        data=lambda: finance_export.pnl_csv(view, meta.currency),
        file_name=finance_export.file_name(meta, "csv"),
        mime="text/csv",
        key="fin_csv",
        on_click="ignore",
        icon=":material/download:",
    )


def render_bands(view, currency: str, colors: dict) -> None:
    measure = st.segmented_control(
        "Show",
        list(MEASURES),
        format_func=MEASURES.get,
        default=schema.REVENUE,
        required=True,
        key="fin_measure",
    )
    st.plotly_chart(
        finance_charts.band_chart(view.bands, view.actuals, measure, currency, colors),
        width="stretch",
    )
    with st.expander("Monthly P&L by family (table)", icon=":material/table:"):
        table(finance_export.pnl_table(view), finance_export.PNL_SPEC, currency, "fin_pnl_table")
        st.caption(
            "Conversion (line hours, wages, overtime, hiring) is allocated to families "
            "by the hours they take. *Stock change, holding, backlog* is negative in a "
            "month that builds stock (its cost moves to the month it is sold); stock "
            "drawn from the opening inventory is costed in the plan's last month, as "
            "the supply plan books it."
        )


def render_budget(view, currency: str, colors: dict) -> None:
    c = st.columns(2)
    measure = c[0].segmented_control(
        "Measure",
        list(MEASURES),
        format_func=MEASURES.get,
        default=schema.REVENUE,
        required=True,
        key="fin_bud_measure",
    )
    mode = c[1].segmented_control(
        "View", ["Per month", "Cumulative"], default="Per month", required=True, key="fin_bud_view"
    )
    st.plotly_chart(
        finance_charts.budget_chart(view.by_month, measure, currency, mode == "Cumulative"),
        width="stretch",
    )
    table(view.by_month, finance_export.BUDGET_SPEC, currency, "fin_bud_table")


def render_landing(view, currency: str, colors: dict) -> None:
    land = view.landing
    if land.empty:
        st.info("The plan touches no year to land.")
        return
    for box, t in zip(st.columns(len(land)), landing.tiles(land, currency)):
        quiet = t["delta"] is None or abs(t["gap"]) < 0.5
        box.metric(
            t["label"],
            t["value"],
            t["delta"] or "no budget",
            border=True,
            help="Revenue: actuals to the as-of month + the projection after it. "
            "Against the budget over the months it covers.",
            **(OFF if quiet else {}),
        )
        (box.caption if t["full_year"] else box.warning)(t["note"])
    c = st.columns(2)
    for box, measure in zip(c, MEASURES):
        box.plotly_chart(finance_charts.landing_chart(land, measure, currency), width="stretch")
    table(land, finance_export.LANDING_SPEC, currency, "fin_landing_table")
    st.caption(
        "Actual margin is estimated: the sales history holds revenue but no costs, so "
        "actual units are costed at the plan's cost of goods per unit of the family."
    )


def render_bridge(view, currency: str, colors: dict) -> None:
    if view.bridge.empty:
        st.info("The budget covers none of the plan's months: there is nothing to bridge.")
        return
    st.plotly_chart(
        finance_charts.bridge_waterfall(pvm.bridge_steps(view.bridge), currency), width="stretch"
    )
    table(view.bridge, finance_export.BRIDGE_SPEC, currency, "fin_bridge_table")
    st.caption(
        "Over the months both the budget and the projection cover. Volume = change in "
        "units x the budget's average margin per unit; mix = change in units x (the "
        "family's budget margin per unit - that average); price = (projected - budget "
        "price per unit) x projected units; cost = -(projected - budget cost per unit) "
        "x projected units. Per family they add up exactly to projected - budget margin."
    )


def render_inventory(view, currency: str, colors: dict) -> None:
    inv = view.inventory
    st.plotly_chart(finance_charts.inventory_chart(inv, currency, colors), width="stretch")
    table(inv, finance_export.INVENTORY_SPEC, currency, "fin_inv_table")
    st.caption(
        "Stock is valued at the family's cost of goods per unit served; carrying cost "
        "is the plan's holding cost (holding % per year of unit cost, per month)."
    )


st.title("Finance")
st.caption(
    "Revenue and gross margin by month and family with their P10-P90 range, against "
    "the budget, landed per fiscal year and bridged by price, volume, mix and cost."
)
info = ui.require_dataset()
path, version, currency = str(ui.store().path), info.version, info.currency
name, levers = ui.finance_pick(path, version)  # opens on the plan of record
policy = ui.plan_policy()[0]
stamp = ui.demand_stamp(path, version)
ev = ui.scenario(path, version, stamp, levers, policy)
if ev is None:
    st.info(
        f"{ui.supply_demand(path, version, policy.horizon, stamp)[1]}\n\nThe finance view "
        "needs a demand plan: run `python -m sop forecast` (or forecast on the Demand "
        "page), or load a dataset with a `consensus` table."
    )
    st.stop()
if not ev.ok:
    st.error(f"{name}: {ev.plan.explanation}")
    st.stop()
view = ui.finance_view(path, version, stamp, levers, policy)
moved = lever_space.moved_text(levers)  # in planner's words, not lever field names
st.caption(
    f"**{name}** · moved: {lever_space.escape_md(moved)} · plan {view.span} · actuals to "
    f"{fmt.month(view.as_of)} · money in {currency}"
)
for note in view.notes:
    st.warning(note)
render_kpis(view.totals, currency)
render_exports(
    view,
    finance_export.ExportMeta(info.company, info.name, version, name, moved, currency, view.as_of),
)
colors = charts.family_colors(ui.families(path, version))
tabs = st.tabs(
    [
        "Revenue & margin",
        "Budget vs projection",
        "Year-end landing",
        "Price-volume-mix",
        "Inventory",
    ],
    key="fin_tab",
)
for tab, render in zip(
    tabs, (render_bands, render_budget, render_landing, render_bridge, render_inventory)
):
    with tab:
        render(view, currency, colors)
