"""Step 4, Reconciliation: move a lever, see at once what it does to revenue, margin,
service and inventory, and save the scenario for the pre-S&OP meeting."""
import streamlit as st

from sop import charts, ui
from sop import charts_scenario as CH
from sop import compare as CP
from sop import scenario_url as SU
from sop import scenario_view as SV
from sop import schema as S
from sop.kpis import kpi_table
from sop.levers import Levers
from sop.scenario import scenario_bridge

ui.through_router()

POLICY = ui.plan_policy()[0]
RESEED = "_scn_reseed"   # set by the Compare page when it opens a saved scenario
SAVE_FORM_CLEARED = {"scn_save_name": "", "scn_save_description": ""}   # on a reset


def render_levers(space: SV.LeverSpace) -> None:
    st.button("Reset to baseline", key="scn_reset", icon=":material/restart_alt:",
              on_click=lambda: st.session_state.update(SV.widget_state(Levers(), space)
                                                       | SAVE_FORM_CLEARED))
    widgets = SV.lever_widgets(space)
    for group in SV.GROUPS:
        with st.expander(group, expanded=group == SV.DEMAND):
            for w in (w for w in widgets if w.group == group):
                if w.kind in ("slider", "number"):
                    (st.slider if w.kind == "slider" else st.number_input)(
                        w.label, w.lo, w.hi, step=w.step, format=w.format, key=w.key,
                        help=w.help)
                elif w.kind == "toggle":
                    st.toggle(w.label, key=w.key, help=w.help)
                else:
                    st.selectbox(w.label, w.options, key=w.key, help=w.help,
                                 format_func=lambda v: v or "(none)")


def sync_url(levers: Levers) -> None:
    """The address bar holds the levers on screen (other parameters are kept)."""
    changed, stale = SU.query_update(st.query_params.to_dict(), levers)
    for key in stale:
        del st.query_params[key]
    st.query_params.update(changed)


def render_tiles(table, budget: dict, cur: str) -> None:
    for row in CP.TILE_ROWS:
        for col, (key, label) in zip(st.columns(len(row)), row):
            col.metric(label, border=True, **CP.tile(key, table.at[key, "scenario"],
                                                     table.at[key, "baseline"], cur,
                                                     share=len(row) <= 4))
            for text in filter(None, (CP.budget_text(key, budget, cur), CP.TILE_UNITS.get(key))):
                col.caption(text)


def tab_gap(ev, base, c: dict) -> None:
    fams = sorted(ev.plan.family_plan[S.FAMILY].unique())
    fam = st.selectbox("Family", ["All families", *fams], key="scn_gap_family")
    color = charts.family_colors(ui.families(c["path"], c["version"])).get(fam)
    gap = CP.gap_by_month(ev.plan.family_plan, None if fam == "All families" else fam)
    st.plotly_chart(CH.gap_chart(gap, f"Demand vs supply by month: {fam}",
                                 color or charts.PALETTE[0]), width="stretch")
    if not ev.plan.shortfalls.empty:
        st.markdown("\n".join(f"- {CP.escape_md(w)}" for w in ev.plan.shortfalls["why"].head(5)))


def tab_bridge(ev, base, c: dict) -> None:
    bridge = scenario_bridge(ev, base, ui.tables(c["path"], c["version"])[S.PRODUCTS])
    st.plotly_chart(CH.bridge_chart(bridge, c["cur"]), width="stretch")
    st.caption("Volume, mix, lost sales, price and the cost steps add up exactly to the "
               "change in gross margin.")


def tab_risk(ev, base, c: dict) -> None:
    ranges = {"Baseline": base.risk.summary, "Scenario": ev.risk.summary}
    st.plotly_chart(CH.risk_ranges(ranges, c["cur"]), width="stretch")
    st.dataframe(CP.risk_table(ranges, c["cur"]), hide_index=True, key="scn_risk_table")
    st.caption(CP.risk_note(ev.risk.summary))


def tab_kpis(ev, base, c: dict) -> None:
    st.dataframe(CP.kpi_display(c["table"].reset_index(), c["cur"]), hide_index=True,
                 key="scn_kpi_table", height="content")
    if note := CP.undefined_note({"Scenario": ev.kpis, "Baseline": base.kpis}):
        st.caption(note)
    st.dataframe(CP.utilisation_display(ev.plan, base.plan), hide_index=True,
                 key="scn_util_table")


def tab_save(ev, base, c: dict) -> None:
    with st.form("scn_save_form"):
        name = st.text_input("Scenario name", key="scn_save_name", max_chars=10_000)
        author = st.text_input("Your name", key="scn_save_author", max_chars=200)
        text = st.text_area("Description (what and why)", key="scn_save_description",
                            max_chars=10_000)
        if st.form_submit_button("Save scenario", icon=":material/save:"):
            sid, error = ui.scenario_save(ev.levers, name, author, text, c["version"])
            if error:
                st.error(CP.escape_md(error))
            else:
                st.success(CP.saved_text(ui.scenario_list(c["path"], include_archived=True),
                                         sid))


TABS = {"Demand vs supply": tab_gap, "Margin bridge": tab_bridge,
        "Risk (P10 / P50 / P90)": tab_risk, "All KPIs": tab_kpis, "Save": tab_save}


def render_results(levers: Levers, c: dict) -> None:
    if warning := SU.lever_warning(levers, c["known"]):
        st.warning(warning)
    ev = ui.scenario(c["path"], c["version"], c["stamp"], levers, POLICY)
    base = ui.scenario(c["path"], c["version"], c["stamp"], Levers(), POLICY)
    if not ev.ok or not base.ok:
        return st.error(CP.escape_md((ev if not ev.ok else base).plan.explanation))
    st.caption(f"**Moved:** {CP.escape_md(SV.moved_text(levers))}. The page address holds "
               "the levers: share it to open this scenario on another screen.")
    c = {**c, "table": kpi_table(ev.kpis, base.kpis, ev.budget).set_index("key")}
    if note := CP.budget_note(ev.pnl, ui.tables(c["path"], c["version"]).get(S.BUDGET)):
        st.caption(note)
    render_tiles(c["table"], ev.budget, c["cur"])
    # only the open tab is drawn, so a lever move redraws one chart, not five
    for tab, render in zip(st.tabs(list(TABS), key="scn_tab", on_change="rerun"),
                           TABS.values()):
        if tab.open:
            with tab:
                render(ev, base, c)


@st.fragment
def panel(c: dict, space: SV.LeverSpace) -> None:
    """Levers and results: a lever move reruns only this panel."""
    left, right = st.columns([1, 3], gap="medium")
    with left:
        render_levers(space)
    levers = SV.levers_from_state(st.session_state, space)
    st.session_state[SU.CURRENT] = levers
    sync_url(levers)
    with right:
        render_results(levers, c)


st.title("Scenarios")
st.caption("What if demand, prices, capacity or costs change? Move a lever: the plan is "
           "re-solved and every figure follows.")
info, path, stamp, demand = ui.require_demand(POLICY.horizon)
known = SV.space_for(demand, ui.tables(path, info.version), Levers())   # the dataset's names
levers, seed, problems = SU.starting_levers(st.session_state, st.query_params.to_dict(),
                                            st.session_state.pop(RESEED, False), known)
if problems:
    st.warning(SU.link_warning(problems), icon=":material/link_off:")
space = SV.space_for(demand, ui.tables(path, info.version), levers)
if seed:
    st.session_state.update(SV.widget_state(levers, space))
panel({"path": path, "version": info.version, "cur": info.currency, "stamp": stamp,
       "known": known}, space)
