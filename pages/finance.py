"""Finance view: revenue and margin projection with ranges, against budget, exportable."""

import functools

import streamlit as st

from sop.core import charts, fmt, schema
from sop.finance import bridge, budget_odds, family_range, landing, margin_charts, pvm, risk, stock
from sop.finance import charts as finance_charts
from sop.finance import export as finance_export
from sop.finance import view as finance_view
from sop.finance.kpis import priced
from sop.finance.tiles import finance_tiles, service_tiles
from sop.scenario import wording
from sop.scenario.levers import Levers
from sop.ui import budget, guards, readers, router, say, scenario_readers, settings_forms, widgets

router.through_router()

MEASURES = {schema.REVENUE: "Revenue", schema.MARGIN: "Gross margin"}


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
        theme=None,
    )
    render_ranges(view, currency)
    with st.expander("Monthly P&L by family (table)", icon=":material/table:"):
        widgets.export_table(
            finance_export.pnl_table(view), finance_export.PNL_SPEC, currency, "fin_pnl_table"
        )
        st.caption(
            "Units sold are costed at standard cost, so the wages of stock built ahead "
            "book when it sells. Idle time, hiring and layoffs of a labour pool go to the "
            "families by the standard hours they sell that month; overtime premium by the "
            "hours they make. *Margin at standard* moves with price and mix only."
        )
    st.markdown("**From the cash view to the P&L, over the plan horizon**")
    widgets.export_table(
        view.reconciliation, finance_export.RECONCILIATION_SPEC, currency, "fin_recon_table"
    )
    st.caption(
        "Cash margin: revenue less costs as the plan pays them (material, line hours, "
        "wages, overtime, hiring, layoffs, subcontracting, holding, backlog). The P&L "
        "carries stock at standard cost instead, so the two differ by the change in stock."
    )


def render_ranges(view, currency: str) -> None:
    if view.ranges.empty:
        return
    st.markdown("**Revenue range by family, over the plan horizon**")
    widgets.export_table(view.ranges, family_range.RANGE_SPEC, currency, "fin_range_table")
    for note in family_range.capped_notes(view.ranges, currency):
        st.warning(fmt.md(note), icon=":material/block:")
    st.caption(family_range.RANGES_HELP)  # the meeting pack says it in the same words


def render_budget(view, currency: str, colors: dict) -> None:
    render_odds(view, currency)
    render_split(view, currency)
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
        theme=None,
    )
    widgets.export_table(view.by_month, finance_export.BUDGET_SPEC, currency, "fin_bud_table")


def render_odds(view, currency: str) -> None:
    """The chance of meeting the budget over the demand outcomes of the plan's risk run,
    with the budget and the outcomes' P10-P90 over the same months (`view.odds`,
    `sop.finance.budget_odds`); nothing without a run or a month to compare, as the
    revenue ranges."""
    lines = budget_odds.odds_lines(view.odds, view.n_paths, currency)
    if lines:
        st.markdown(
            "  \n".join(fmt.md(line) for line in lines),
            help=budget_odds.HELP.format(n=f"{view.n_paths:,}"),
        )


def render_split(view, currency: str) -> None:
    if view.split.empty:
        return
    st.markdown(
        "**Gap to budget by family: demand and price, or supply, over the budget's months**"
    )
    if note := view.split_text(currency):
        st.warning(fmt.md(note), icon=":material/local_shipping:")
    widgets.export_table(view.split, finance_export.SPLIT_SPEC, currency, "fin_bud_split")
    st.caption(finance_view.split_caption(view.recognition))


def render_landing(view, currency: str, colors: dict) -> None:
    land = view.landing
    if land.empty:
        st.info("The plan touches no year to land.")
        return
    widgets.tiles(landing.tiles(land, currency))
    c = st.columns(2)
    for box, measure in zip(c, MEASURES):
        box.plotly_chart(
            finance_charts.landing_chart(land, measure, currency), width="stretch", theme=None
        )
    widgets.export_table(land, finance_export.LANDING_SPEC, currency, "fin_landing_table")
    st.caption(
        "Actual margin is estimated: the sales history holds revenue but no costs, so "
        "actual units are costed at the plan's standard cost per unit of the family. "
        "Projected revenue books in the month it ships: a backlog shipped after the year "
        "end lands in the next year."
    )


def render_bridge(view, currency: str, colors: dict) -> None:
    if view.bridge.empty:
        st.info("The budget covers none of the plan's months: there is nothing to bridge.")
        return
    st.plotly_chart(
        margin_charts.bridge_waterfall(pvm.bridge_steps(view.bridge), currency),
        width="stretch",
        theme=None,
    )
    widgets.export_table(view.bridge, finance_export.BRIDGE_SPEC, currency, "fin_bridge_table")
    st.caption(
        "Over the months both the budget and the projection cover. Volume = change in "
        "units x the budget's average margin per unit; mix = change in units x (the "
        "family's budget margin per unit - that average); price = (projected - budget "
        "price per unit) x projected units; cost = -(projected - budget cost per unit) "
        "x projected units. Per family they add up exactly to projected - budget margin."
    )


def render_inventory(view, currency: str, colors: dict, plan=None, held_note: str = "") -> None:
    inv = view.inventory
    st.plotly_chart(
        margin_charts.inventory_chart(inv, currency, colors), width="stretch", theme=None
    )
    if plan is not None and (lines := stock.built_ahead_lines(inv, plan.family_plan, currency)):
        st.markdown(
            "**Why stock is held above safety stock**\n"
            + "\n".join(f"- {fmt.md(line)}" for line in lines)
        )
    if held_note:
        st.warning(fmt.md(held_note))
    st.markdown("**Over the plan horizon, by family**")
    widgets.export_table(
        stock.horizon_by_family(inv), stock.HORIZON_SPEC, currency, "fin_inv_horizon"
    )
    st.markdown("**By month**")
    widgets.export_table(inv, stock.STOCK_SPEC, currency, "fin_inv_table")
    st.caption(
        "Stock is valued at standard cost (material + standard hours at the regular "
        "rates), as the P&L carries it; carrying cost is the plan's holding cost "
        "(holding % per year of unit cost, per month). Built ahead = stock above the "
        "safety-stock target, item by item; it carries its share of the holding cost. "
        "Stock summed over months is in unit-months (1,000 units held for 3 months: "
        "3,000 unit-months)."
    )


st.title("Finance")
st.caption(
    "Revenue and gross margin by month and family with their P10-P90 range, against "
    "the budget, landed per fiscal year and bridged by price, volume, mix and cost."
)
info = guards.require_dataset()
path, version, currency = readers.store_path(), info.version, info.currency
widgets.assumptions_note(path, version, widgets.FINANCE_TOPICS)
settings_forms.finance_settings()
budget.load_form(info)
name, levers = widgets.finance_pick(path, version)  # opens on the plan of record
policy = readers.plan_policy()[0]
stamp = readers.demand_stamp(path, version)
ev = scenario_readers.scenario(path, version, stamp, levers, policy)
if ev is None:
    st.info(
        f"{readers.supply_demand(path, version, policy.horizon, stamp)[1]}\n\nThe finance view "
        "needs a demand plan: run `python -m sop forecast` (or forecast on the Demand "
        "page), or load a dataset with a `consensus` table."
    )
    st.stop()
if not ev.ok:
    say.error(f"{wording.escape_md(name)}: {ev.plan.explanation}")
    st.stop()
if not priced(ev.kpis):
    st.info(
        "No price loaded for some SKUs of the plan: revenue and margin cannot be projected, "
        "so there is no finance view (it would show guesses). Add `list_price` to "
        "products.csv, or `revenue` to sales.csv, on the Data page."
    )
    st.stop()
view = scenario_readers.finance_view(path, version, stamp, levers, policy)
caps = readers.cap_names(path, version)  # a cap as code · name
moved = wording.moved_text(levers, caps)  # in planner's words, not lever field names
st.caption(
    f"**{wording.escape_md(name)}** · moved: {wording.escape_md(moved)} · plan {view.span} · "
    f"actuals to "
    f"{fmt.month(view.as_of)} · money in {currency}"
)
say.caption(view.convention)
for note in view.notes:  # they name families as typed: escaped, the app's code spans kept
    st.warning(fmt.safe_md(note))
widgets.tiles(finance_tiles(view.totals, currency))
base = scenario_readers.scenario(path, version, stamp, Levers(), policy)
# the service ranges come from the same simulation as the revenue and margin ranges
widgets.tiles(
    service_tiles(
        ev.kpis,
        currency,
        base.kpis if base is not None and base.ok else None,
        ranges=risk.p10_p90(ev.risk),
    )
)
widgets.finance_downloads(
    view,
    finance_export.ExportMeta(info.company, info.name, version, name, moved, currency, view.as_of),
)
colors = charts.family_colors(readers.families(path, version))
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
held = (  # the plan shown, not a bridge step
    bridge.holding_note(base.plan, ev.plan, currency, label="", subject="this plan")
    if base is not None and base.ok
    else ""
)
inventory_tab = functools.partial(render_inventory, plan=ev.plan, held_note=held)
for tab, render in zip(
    tabs, (render_bands, render_budget, render_landing, render_bridge, inventory_tab)
):
    with tab:
        render(view, currency, colors)
