"""Step 4, Reconciliation: saved scenarios side by side, the best in each row marked;
open one on the Scenarios page, or archive it."""

import streamlit as st

from sop.core import access, fmt
from sop.finance import range_text, risk
from sop.scenario import charts as scenario_charts
from sop.scenario import compare
from sop.scenario import saved as saved_scenarios
from sop.scenario import url as scenario_url
from sop.scenario.levers import Levers
from sop.scenario.stars import star_note
from sop.ui import (
    actions,
    columns,
    guards,
    permit,
    readers,
    router,
    say,
    scenario_readers,
    settings_forms,
)

router.through_router()

POLICY = readers.plan_policy()[0]
MAX_COMPARED = 4
OVERLAYS = (
    ("revenue", "Revenue by month", "money"),
    ("margin", "Gross margin by month", "money"),
    ("inventory", "Inventory at month end by month", "units"),
)


def render_list(saved, path: str, version: int) -> None:
    caps = readers.cap_names(path, version)  # a cap as code · name
    view = saved_scenarios.saved_view(saved, caps)  # every column as wide as its longest name
    st.dataframe(
        view,
        hide_index=True,
        key="cmp_list",
        column_config=columns.fit(view, columns.saved_scenarios()),
    )


def render_actions(saved, labels: dict, path: str) -> None:
    c = st.columns([3, 1, 1, 2], vertical_alignment="bottom")
    sid = c[0].selectbox("Saved scenario", list(labels), format_func=labels.get, key="cmp_target")
    if c[1].button(
        "Open",
        key="cmp_open",
        icon=":material/open_in_new:",
        help="Open this scenario's levers on the Scenarios page",
    ):
        levers = saved_scenarios.read_levers(saved.set_index("scenario_id").at[sid, "levers_json"])
        if levers is None:
            st.error("This scenario's levers can no longer be read; it cannot be opened.")
        else:
            st.session_state[scenario_url.CURRENT], st.session_state["_scn_reseed"] = levers, True
            st.switch_page("pages/scenarios.py")
    archived = bool(saved.set_index("scenario_id").at[sid, "archived"])
    if not permit.allowed(access.SCENARIO, c[3]):
        return
    if c[2].button(
        "Restore" if archived else "Archive",
        key="cmp_archive",
        icon=":material/unarchive:" if archived else ":material/archive:",
    ):
        changed = actions.set_archived(int(sid), not archived)
        if not changed.ok:
            st.error(fmt.md(changed.message))
        else:
            st.rerun()
    c[3].caption(settings_forms.recorded_as())


def render_comparison(
    saved, labels: dict, path: str, version: int, stamp: tuple, currency: str
) -> None:
    live = [i for i in labels if not saved.set_index("scenario_id").at[i, "archived"]]
    pick = st.multiselect(
        f"Compare with the baseline (up to {MAX_COMPARED})",
        list(labels),
        default=live[:MAX_COMPARED],
        format_func=labels.get,
        max_selections=MAX_COMPARED,
        key="cmp_pick",
    )
    jsons = saved.set_index("scenario_id")["levers_json"]
    evals = {"Baseline": scenario_readers.scenario(path, version, stamp, Levers(), POLICY)}
    for sid in pick:
        levers = saved_scenarios.read_levers(jsons[sid])
        if levers is None:
            st.warning(f"{fmt.md(labels[sid])}: its levers can no longer be read; left out.")
            continue
        evals[labels[sid]] = scenario_readers.scenario(path, version, stamp, levers, POLICY)
    for name, ev in list(evals.items()):
        if not ev.ok:
            st.warning(fmt.md(f"{name}: {ev.plan.explanation}"))
            del evals[name]
    figures = {n: e.kpis for n, e in evals.items()}
    # the cached evaluations carry their simulation (`with_risk`): the ranges cost nothing more
    ranges = {n: risk.p10_p90(e.risk) for n, e in evals.items()}
    st.dataframe(
        compare.compare_table(figures, currency, ranges),
        hide_index=True,
        key="cmp_table",
        height="content",
        column_config=columns.helped(compare.no_price_help(figures, list(figures))),
    )
    stars = star_note(figures)  # no ★ on revenue or margin when demands differ
    shown = [r for rs in ranges.values() for r in rs.values()]
    flat = bool(shown) and all(range_text.is_point(*r) for r in shown)  # why, not how
    say.caption(
        "★ marks the best value in each row as shown (higher or lower, as the Better "
        "column says; every tied value); rows without a better direction, such as "
        "costs that follow volume, are not marked. Stock is marked only among the "
        "plans that serve all their demand."
        + (f" {stars}" if stars else "")
        + (f" {range_text.range_help(flat)}" if shown else "")
    )
    if note := compare.undefined_note(figures):
        say.caption(note)
    series = {n: compare.monthly_totals(e.plan, e.pnl) for n, e in evals.items()}
    for tab, (column, title, unit) in zip(
        st.tabs([t for _, t, _ in OVERLAYS], key="cmp_tab"), OVERLAYS
    ):
        with tab:
            st.plotly_chart(
                scenario_charts.overlay_chart(series, column, title, unit, currency),
                width="stretch",
                key=f"cmp_{column}_chart",
                theme=None,
            )


st.title("Compare scenarios")
st.caption(
    "Saved scenarios side by side against the baseline: which one serves, earns and stocks best?"
)
info, path, stamp, _ = guards.require_demand(POLICY.horizon)
show_archived = st.toggle("Show archived scenarios", key="cmp_show_archived")
saved = scenario_readers.scenario_list(path, include_archived=show_archived)
if saved.empty:
    st.info(
        "No scenarios saved yet: move the levers on the Scenarios page and save them "
        "there (tab Save)."
    )
    st.page_link("pages/scenarios.py", label="Go to Scenarios", icon=":material/tune:")
    st.stop()
labels = {
    int(i): saved_scenarios.column_name(int(i), n)
    for i, n in zip(saved["scenario_id"], saved["name"])
}
render_list(saved, path, info.version)
render_actions(saved, labels, path)
st.subheader("Side by side")
render_comparison(saved, labels, path, info.version, stamp, info.currency)
