"""Step 4, Reconciliation: move a lever, see at once what it does to revenue, margin,
service and inventory, and save the scenario for the pre-S&OP meeting."""

import streamlit as st

from sop.core import charts, fmt, schema
from sop.finance import risk, service_line
from sop.finance.bridge import holding_note
from sop.finance.kpis import kpi_table
from sop.scenario import charts as scenario_charts
from sop.scenario import (
    compare,
    lever_space,
    lever_widgets,
    plan_notes,
    risk_view,
    shortfall,
    utilisation_view,
    wording,
)
from sop.scenario import url as scenario_url
from sop.scenario.evaluate import scenario_bridge
from sop.scenario.levers import Levers
from sop.ui import (
    columns,
    forms,
    guards,
    readers,
    router,
    say,
    scenario_readers,
    scenario_save,
    widgets,
)
from sop.ui import comments as comments_ui
from sop.ui import goal as goal_ui
from sop.ui import grid as grid_view

router.through_router()

POLICY = readers.plan_policy()[0]
RESEED = "_scn_reseed"  # set by the Compare page when it opens a saved scenario
SAVE_FORM_CLEARED = scenario_save.cleared("scn")  # on a reset, a save
SAVED = "_scn_saved"


def sync_url(levers: Levers) -> None:
    """The address bar holds the levers on screen (other parameters are kept)."""
    changed, stale = scenario_url.query_update(st.query_params.to_dict(), levers)
    for key in stale:
        del st.query_params[key]
    st.query_params.update(changed)


def tab_gap(ev, base, c: dict) -> None:
    fams = sorted(ev.plan.family_plan[schema.FAMILY].unique())
    fam = st.selectbox("Family", ["All families", *fams], key="scn_gap_family")
    color = charts.family_colors(readers.families(c["path"], c["version"])).get(fam)
    one = None if fam == "All families" else fam
    gap = compare.gap_by_month(ev.plan.family_plan, one)
    late = shortfall.late_by_month(ev.plan.family_plan, one)
    title = f"Demand vs supply by month: {fam}"
    st.plotly_chart(
        scenario_charts.gap_chart(gap, title, color or charts.PALETTE[0], late),
        width="stretch",
        theme=None,
    )
    st.caption(
        "Bars: units that left the order book in the month (served on time, served late "
        "from the backlog, lost). They stand above the demand line while a backlog is "
        "worked off."
    )
    if count := shortfall.shortfall_count(ev.plan.shortfalls):
        lines = shortfall.shortfall_lines(ev.plan.shortfalls)
        st.markdown(
            f"{fmt.md(count)} Largest, lost sales and backlog first:\n"
            + "\n".join(f"- {fmt.md(w)}" for w in lines)
        )


def tab_grid(ev, base, c: dict) -> None:
    grid_view.scenario_tab(c, ev.levers, POLICY)


def tab_bridge(ev, base, c: dict) -> None:
    bridge = scenario_bridge(ev, base, readers.tables(c["path"], c["version"])[schema.PRODUCTS])
    st.plotly_chart(scenario_charts.bridge_chart(bridge, c["cur"]), width="stretch", theme=None)
    st.caption(
        "Volume, mix, lost sales, price and the cost steps add up exactly to the "
        "change in gross margin. The Lost sales step is the margin the lost units would "
        "have earned; the Lost sales (value) tile counts them at price."
    )
    if note := holding_note(base.plan, ev.plan, c["cur"]):
        st.warning(fmt.md(note))


def tab_risk(ev, base, c: dict) -> None:
    ranges = {"Baseline": base.risk.summary, "Scenario": ev.risk.summary}
    st.plotly_chart(scenario_charts.risk_ranges(ranges, c["cur"]), width="stretch", theme=None)
    figures = {"Scenario": ev.kpis, "Baseline": base.kpis}
    st.dataframe(
        risk_view.risk_table(ranges, c["cur"], figures),
        hide_index=True,
        key="scn_risk_table",
        column_config=columns.helped(compare.no_price_help(figures, risk_view.RISK_MONEY_COLUMNS)),
    )
    say.caption(risk_view.risk_note(ev.risk.summary))


def tab_kpis(ev, base, c: dict) -> None:
    kpis = compare.kpi_display(c["table"].reset_index(), c["cur"])
    figures = {"Scenario": ev.kpis, "Baseline": base.kpis}
    unknown = compare.no_price_help(figures, ("Scenario", "Baseline", "Change vs baseline"))
    st.dataframe(
        kpis,
        hide_index=True,
        key="scn_kpi_table",
        height="content",
        column_config=columns.fit(kpis, columns.helped(unknown)),
    )
    if note := compare.undefined_note({"Scenario": ev.kpis, "Baseline": base.kpis}):
        say.caption(note)
    util = utilisation_view.utilisation_display(ev.plan, base.plan)
    st.dataframe(util, hide_index=True, key="scn_util_table")


def tab_save(ev, base, c: dict) -> None:
    widgets.show_flash(SAVED)
    scenario_save.save_form(ev.levers, c["path"], c["version"], prefix="scn", flash_key=SAVED)


def tab_comments(ev, base, c: dict) -> None:
    comments_ui.scenario_thread(c["path"], ev.levers)


TABS = {
    "Demand vs supply": tab_gap,
    "S&OP grid": tab_grid,
    "Margin bridge": tab_bridge,
    "Risk (P10 / P50 / P90)": tab_risk,
    "All KPIs": tab_kpis,
    "Goal": goal_ui.tab,
    "Save": tab_save,
    "Comments": tab_comments,
}


def render_results(levers: Levers, c: dict) -> None:
    if warning := scenario_url.lever_warning(levers, c["known"]):
        say.warning(warning)
    ev = scenario_readers.scenario(c["path"], c["version"], c["stamp"], levers, POLICY)
    base = scenario_readers.scenario(c["path"], c["version"], c["stamp"], Levers(), POLICY)
    if not ev.ok or not base.ok:
        return st.error(fmt.md((ev if not ev.ok else base).plan.explanation))
    caps = dict(c["known"].supplier_names) if c["known"] else {}  # a cap as code · name
    st.caption(
        f"**Moved:** {fmt.md(wording.moved_text(levers, caps))}. The page address holds "
        "the levers: share it to open this scenario on another screen."
    )
    # a short plan says so in the first screen, in the words Decisions uses
    ranges = risk.p10_p90(ev.risk)
    if short := service_line.plan_line(ev.kpis, c["cur"], ranges):
        st.warning(fmt.md(short), icon=":material/report:")
    c = {**c, "table": kpi_table(ev.kpis, base.kpis, ev.budget).set_index("key")}
    budget = readers.tables(c["path"], c["version"]).get(schema.BUDGET)
    if note := compare.budget_note(ev.pnl, budget):
        say.caption(note)
    # the ranges come from the risk run through the scenario's plan, as on Executive/Finance
    tiles = compare.scenario_tiles(c["table"], ev.budget, c["cur"], ranges)
    for row in tiles:
        widgets.tiles(row)
    # what the levers make the plan say that the baseline's does not (names as typed)
    for note in plan_notes.added_notes(ev.plan.notes, base.plan.notes):
        st.warning(f"**Not in the baseline plan:** {fmt.md(note.text)}")
    # only the open tab is drawn, so a lever move redraws one chart, not five
    for tab, render in zip(st.tabs(list(TABS), key="scn_tab", on_change="rerun"), TABS.values()):
        if tab.open:
            with tab:
                render(ev, base, c)


@st.fragment
def panel(c: dict, space: lever_space.LeverSpace) -> None:
    """Levers and results: a lever move reruns only this panel."""
    left, right = st.columns([1, 3], gap="medium")
    with left:
        forms.lever_controls(space, SAVE_FORM_CLEARED)
    levers = lever_widgets.levers_from_state(st.session_state, space)
    st.session_state[scenario_url.CURRENT] = levers
    sync_url(levers)
    with right:
        render_results(levers, c)


st.title("Scenarios")
st.caption(
    "What if demand, prices, capacity or costs change? Move a lever: the plan is "
    "re-solved and every figure follows."
)
info, path, stamp, _ = guards.require_demand(POLICY.horizon)
known = scenario_readers.dataset_space(path, info.version, POLICY.horizon, stamp)  # its names
levers, seed, problems = scenario_url.starting_levers(
    st.session_state, st.query_params.to_dict(), st.session_state.pop(RESEED, False), known
)
if problems:
    st.warning(scenario_url.link_warning(problems), icon=":material/link_off:")
space = lever_space.widen_space(known, levers)
if seed:
    st.session_state.update(lever_widgets.widget_state(levers, space))
panel(
    {"path": path, "version": info.version, "cur": info.currency, "stamp": stamp, "known": known},
    space,
)
