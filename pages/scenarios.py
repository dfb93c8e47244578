"""Step 4, Reconciliation: move a lever, see at once what it does to revenue, margin,
service and inventory, and save the scenario for the pre-S&OP meeting."""
import streamlit as st

from sop import charts, fmt, ui
from sop import charts_scenario as CH
from sop import compare as CP
from sop import scenario_view as SV
from sop import schema as S
from sop.bridge import margin_bridge
from sop.kpis import KPI_BY_KEY, kpi_table
from sop.levers import Levers
from sop.supply_policy import SupplyPolicy

POLICY = SupplyPolicy()
TILES = (("revenue", "gross_margin", "gross_margin_pct", "fill_rate", "lost_units",
          "lost_value"),
         ("cogs", "ending_inventory_value", "days_of_supply", "inventory_turns",
          "peak_utilisation", "overtime_cost"))
CURRENT, RESEED = "_scn_levers", "_scn_reseed"   # levers on screen; set by Compare's "Open"
PCT = st.column_config.NumberColumn(format="percent")


def starting_levers() -> tuple[Levers, bool]:
    """(levers, seed the widgets?): a scenario opened from Compare, else the widgets as
    they are, else the URL's levers (a shared link), else the last ones on screen."""
    stored = st.session_state.get(CURRENT, Levers())
    if st.session_state.pop(RESEED, False):
        return stored, True
    if SV.FIRST_KEY in st.session_state:
        return stored, False
    from_url, problems = SV.levers_from_url(st.query_params.to_dict())
    for problem in problems:
        st.warning(problem)
    return from_url or stored, True


def render_levers(space: SV.LeverSpace) -> None:
    st.button("Reset to baseline", key="scn_reset", icon=":material/restart_alt:",
              on_click=lambda: st.session_state.update(SV.widget_state(Levers(), space)))
    widgets = SV.lever_widgets(space)
    for group in SV.GROUPS:
        with st.expander(group, expanded=group == SV.DEMAND):
            for w in (w for w in widgets if w.group == group):
                if w.kind == "slider":
                    st.slider(w.label, w.lo, w.hi, step=w.step, key=w.key, help=w.help)
                elif w.kind == "number":
                    st.number_input(w.label, w.lo, w.hi, step=w.step, key=w.key, help=w.help)
                elif w.kind == "toggle":
                    st.toggle(w.label, key=w.key, help=w.help)
                else:
                    st.selectbox(w.label, w.options, key=w.key, help=w.help,
                                 format_func=lambda v: v or "(none)")


def sync_url(levers: Levers) -> None:
    """The address bar holds the levers on screen (other parameters are kept)."""
    changed, stale = SV.query_update(st.query_params.to_dict(), levers)
    for key in stale:
        del st.query_params[key]
    if changed:
        st.query_params.update(changed)


def render_tiles(table, budget: dict, currency: str) -> None:
    for row in TILES:
        for col, key in zip(st.columns(len(row)), row):
            r, kpi = table.loc[key], KPI_BY_KEY[key]
            delta = CP.delta_text(key, r["delta"], r["baseline"], currency)
            col.metric(kpi.label, CP.value_text(key, r["scenario"], currency),
                       delta or "no change", delta_color=CP.delta_color(kpi) if delta else "off",
                       delta_arrow="auto" if delta else "off", border=True,
                       help=f"Baseline: {CP.value_text(key, r['baseline'], currency)}.")
            if text := CP.budget_text(key, budget, currency):
                col.caption(text)


def render_gap(ev, path: str, version: int) -> None:
    fams = sorted(ev.plan.family_plan[S.FAMILY].unique())
    fam = st.selectbox("Family", ["All families", *fams], key="scn_gap_family")
    color = charts.family_colors(ui.families(path, version)).get(fam, charts.PALETTE[0])
    gap = CP.gap_by_month(ev.plan.family_plan, None if fam == "All families" else fam)
    st.plotly_chart(CH.gap_chart(gap, f"Demand vs supply by month: {fam}", color),
                    width="stretch", key="scn_gap_chart")
    if not ev.plan.shortfalls.empty:
        st.markdown("\n".join(f"- {why}" for why in ev.plan.shortfalls["why"].head(5)))


def render_save(levers: Levers, version: int) -> None:
    st.caption("Saved scenarios are listed, compared, opened and archived on the Compare "
               "page. " + ("Nothing is moved: this saves the baseline." if not
                           levers.moved() else ""))
    with st.form("scn_save_form"):
        name = st.text_input("Scenario name", key="scn_save_name", max_chars=10_000)
        author = st.text_input("Your name", key="scn_save_author", max_chars=200)
        text = st.text_area("Description (what and why)", key="scn_save_description",
                            max_chars=10_000)
        if st.form_submit_button("Save scenario", icon=":material/save:"):
            sid, error = ui.scenario_save(levers, name, author, text, version)
            if error:
                st.error(error)
            else:
                st.success(f"Saved as scenario #{sid}: {CP.escape_md(name.strip())}")


def render_results(path: str, version: int, stamp: tuple, levers: Levers,
                   currency: str) -> None:
    for problem in levers.problems():
        st.warning(problem)
    ev = ui.scenario(path, version, stamp, levers, POLICY)
    base = ui.scenario(path, version, stamp, Levers(), POLICY)
    if not ev.ok or not base.ok:
        st.error((ev if not ev.ok else base).plan.explanation)
        return
    st.caption(f"**Levers moved:** {CP.escape_md(levers.describe())}. The page address "
               "holds them: share it to open this scenario on another screen.")
    table = kpi_table(ev.kpis, base.kpis, ev.budget).set_index("key")
    window = CP.budget_window(ev.pnl, ui.tables(path, version).get(S.BUDGET))
    if window:
        st.caption(f"Changes are against the baseline (nothing moved). Budget lines compare "
                   f"the scenario with the budget over the {window[2]} months the budget "
                   f"covers ({fmt.month(window[0])} to {fmt.month(window[1])}).")
    render_tiles(table, ev.budget, currency)
    tabs = st.tabs(["Demand vs supply", "Margin bridge", "Risk (P10/P50/P90)", "All KPIs",
                    "Save"], key="scn_tab")
    with tabs[0]:
        render_gap(ev, path, version)
    with tabs[1]:
        bridge = margin_bridge(base.plan, ev.plan, ui.tables(path, version)[S.PRODUCTS])
        st.plotly_chart(CH.bridge_chart(bridge, currency), width="stretch",
                        key="scn_bridge_chart")
        st.caption("Volume, mix, lost sales, price and costs add up exactly to the change "
                   "in gross margin.")
    with tabs[2]:
        ranges = {"Baseline": base.risk.summary, "Scenario": ev.risk.summary}
        st.plotly_chart(CH.risk_ranges(ranges, currency), width="stretch",
                        key="scn_risk_chart")
        st.dataframe(CP.risk_table(ranges, currency), hide_index=True, key="scn_risk_table")
        st.caption("Supply decisions held fixed while demand is drawn 500 times from the "
                   "forecast's uncertainty (P10 to P90 band).")
    with tabs[3]:
        st.dataframe(CP.kpi_display(table.reset_index(), currency), hide_index=True,
                     key="scn_kpi_table")
        st.dataframe(CP.utilisation_compare(ev.plan, base.plan), hide_index=True,
                     key="scn_util_table", column_config={c: PCT for c in (
                         "avg", "peak", "base_avg", "base_peak")})
    with tabs[4]:
        render_save(levers, version)


@st.fragment
def panel(path: str, version: int, stamp: tuple, space: SV.LeverSpace, currency: str) -> None:
    """Levers and results: a lever move reruns only this panel."""
    left, right = st.columns([1, 3], gap="medium")
    with left:
        render_levers(space)
    levers = SV.levers_from_state(st.session_state, space)
    st.session_state[CURRENT] = levers
    sync_url(levers)
    with right:
        render_results(path, version, stamp, levers, currency)


st.title("Scenarios")
st.caption("What if demand, prices, capacity or costs change? Move a lever: the plan is "
           "re-solved and every figure below follows.")
info = ui.require_dataset()
path = str(ui.store().path)
stamp = ui.supply_demand_stamp(path, info.version)
demand, why = ui.supply_demand(path, info.version, POLICY.horizon, stamp)
if demand is None:
    st.info(f"{why}\n\nScenarios re-plan the consensus demand, so demand must be forecast "
            "first.")
    st.page_link("pages/demand.py", label="Go to Demand planning", icon=":material/trending_up:")
    st.stop()
levers, seed = starting_levers()
space = SV.space_for(demand, ui.tables(path, info.version), levers)
if seed:
    st.session_state.update(SV.widget_state(levers, space))
panel(path, info.version, stamp, space, info.currency)
