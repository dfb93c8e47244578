"""Step 4, Reconciliation: move a lever, see at once what it does to revenue, margin,
service and inventory, and save the scenario for the pre-S&OP meeting."""

import streamlit as st

from sop import ui
from sop.core import charts, schema
from sop.finance.kpis import kpi_table
from sop.scenario import charts as scenario_charts
from sop.scenario import compare
from sop.scenario import space as lever_space
from sop.scenario import url as scenario_url
from sop.scenario.evaluate import scenario_bridge
from sop.scenario.levers import Levers

ui.through_router()

POLICY = ui.plan_policy()[0]
RESEED = "_scn_reseed"  # set by the Compare page when it opens a saved scenario
SAVE_FORM_CLEARED = {"scn_save_name": "", "scn_save_description": ""}  # on a reset


def render_levers(space: lever_space.LeverSpace) -> None:
    st.button(
        "Reset to baseline",
        key="scn_reset",
        icon=":material/restart_alt:",
        on_click=lambda: st.session_state.update(
            lever_space.widget_state(Levers(), space) | SAVE_FORM_CLEARED
        ),
    )
    widgets = lever_space.lever_widgets(space)
    for group in lever_space.GROUPS:
        with st.expander(group, expanded=group == lever_space.DEMAND):
            for w in (w for w in widgets if w.group == group):
                if w.kind in ("slider", "number"):
                    (st.slider if w.kind == "slider" else st.number_input)(
                        w.label, w.lo, w.hi, step=w.step, format=w.format, key=w.key, help=w.help
                    )
                elif w.kind == "toggle":
                    st.toggle(w.label, key=w.key, help=w.help)
                else:
                    st.selectbox(
                        w.label,
                        w.options,
                        key=w.key,
                        help=w.help,
                        format_func=lambda v: v or "(none)",
                    )


def sync_url(levers: Levers) -> None:
    """The address bar holds the levers on screen (other parameters are kept)."""
    changed, stale = scenario_url.query_update(st.query_params.to_dict(), levers)
    for key in stale:
        del st.query_params[key]
    st.query_params.update(changed)


def render_tiles(table, budget: dict, cur: str) -> None:
    for row in compare.TILE_ROWS:
        for col, (key, label) in zip(st.columns(len(row)), row):
            col.metric(
                label,
                border=True,
                **compare.tile(
                    key,
                    table.at[key, "scenario"],
                    table.at[key, "baseline"],
                    cur,
                    share=len(row) <= 4,
                ),
            )
            for text in filter(
                None, (compare.budget_text(key, budget, cur), compare.TILE_UNITS.get(key))
            ):
                col.caption(text)


def tab_gap(ev, base, c: dict) -> None:
    fams = sorted(ev.plan.family_plan[schema.FAMILY].unique())
    fam = st.selectbox("Family", ["All families", *fams], key="scn_gap_family")
    color = charts.family_colors(ui.families(c["path"], c["version"])).get(fam)
    gap = compare.gap_by_month(ev.plan.family_plan, None if fam == "All families" else fam)
    st.plotly_chart(
        scenario_charts.gap_chart(
            gap, f"Demand vs supply by month: {fam}", color or charts.PALETTE[0]
        ),
        width="stretch",
    )
    if not ev.plan.shortfalls.empty:
        st.markdown(
            "\n".join(f"- {compare.escape_md(w)}" for w in ev.plan.shortfalls["why"].head(5))
        )


def tab_bridge(ev, base, c: dict) -> None:
    bridge = scenario_bridge(ev, base, ui.tables(c["path"], c["version"])[schema.PRODUCTS])
    st.plotly_chart(scenario_charts.bridge_chart(bridge, c["cur"]), width="stretch")
    st.caption(
        "Volume, mix, lost sales, price and the cost steps add up exactly to the "
        "change in gross margin."
    )


def tab_risk(ev, base, c: dict) -> None:
    ranges = {"Baseline": base.risk.summary, "Scenario": ev.risk.summary}
    st.plotly_chart(scenario_charts.risk_ranges(ranges, c["cur"]), width="stretch")
    st.dataframe(compare.risk_table(ranges, c["cur"]), hide_index=True, key="scn_risk_table")
    st.caption(compare.risk_note(ev.risk.summary))


def tab_kpis(ev, base, c: dict) -> None:
    st.dataframe(
        compare.kpi_display(c["table"].reset_index(), c["cur"]),
        hide_index=True,
        key="scn_kpi_table",
        height="content",
    )
    if note := compare.undefined_note({"Scenario": ev.kpis, "Baseline": base.kpis}):
        st.caption(note)
    st.dataframe(
        compare.utilisation_display(ev.plan, base.plan), hide_index=True, key="scn_util_table"
    )


def tab_save(ev, base, c: dict) -> None:
    with st.form("scn_save_form"):
        name = st.text_input("Scenario name", key="scn_save_name", max_chars=10_000)
        author = st.text_input("Your name", key="scn_save_author", max_chars=200)
        text = st.text_area(
            "Description (what and why)", key="scn_save_description", max_chars=10_000
        )
        if st.form_submit_button("Save scenario", icon=":material/save:"):
            sid, error = ui.scenario_save(ev.levers, name, author, text, c["version"])
            if error:
                st.error(compare.escape_md(error))
            else:
                st.success(
                    compare.saved_text(ui.scenario_list(c["path"], include_archived=True), sid)
                )


TABS = {
    "Demand vs supply": tab_gap,
    "Margin bridge": tab_bridge,
    "Risk (P10 / P50 / P90)": tab_risk,
    "All KPIs": tab_kpis,
    "Save": tab_save,
}


def render_results(levers: Levers, c: dict) -> None:
    if warning := scenario_url.lever_warning(levers, c["known"]):
        st.warning(warning)
    ev = ui.scenario(c["path"], c["version"], c["stamp"], levers, POLICY)
    base = ui.scenario(c["path"], c["version"], c["stamp"], Levers(), POLICY)
    if not ev.ok or not base.ok:
        return st.error(compare.escape_md((ev if not ev.ok else base).plan.explanation))
    st.caption(
        f"**Moved:** {compare.escape_md(lever_space.moved_text(levers))}. The page address holds "
        "the levers: share it to open this scenario on another screen."
    )
    c = {**c, "table": kpi_table(ev.kpis, base.kpis, ev.budget).set_index("key")}
    if note := compare.budget_note(ev.pnl, ui.tables(c["path"], c["version"]).get(schema.BUDGET)):
        st.caption(note)
    render_tiles(c["table"], ev.budget, c["cur"])
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
        render_levers(space)
    levers = lever_space.levers_from_state(st.session_state, space)
    st.session_state[scenario_url.CURRENT] = levers
    sync_url(levers)
    with right:
        render_results(levers, c)


st.title("Scenarios")
st.caption(
    "What if demand, prices, capacity or costs change? Move a lever: the plan is "
    "re-solved and every figure follows."
)
info, path, stamp, demand = ui.require_demand(POLICY.horizon)
known = lever_space.space_for(
    demand, ui.tables(path, info.version), Levers()
)  # the dataset's names
levers, seed, problems = scenario_url.starting_levers(
    st.session_state, st.query_params.to_dict(), st.session_state.pop(RESEED, False), known
)
if problems:
    st.warning(scenario_url.link_warning(problems), icon=":material/link_off:")
space = lever_space.space_for(demand, ui.tables(path, info.version), levers)
if seed:
    st.session_state.update(lever_space.widget_state(levers, space))
panel(
    {"path": path, "version": info.version, "cur": info.currency, "stamp": stamp, "known": known},
    space,
)
