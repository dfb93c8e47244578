"""The Goal tab's trade-off frontier: the best gross margin at each level of on-time
service (or of ending inventory value), drawn from the tab's targets and levers
(`sop.goal.frontier.frontier`), each point a scenario that opens on the page.

Price and safety stock stay as in the spec's starting scenario (the frontier moves
the levers the plan's LP moves): the Goal tab starts it from the goal's answer when
that meets the tab's targets. The last frontier is kept in the session per company
and dataset.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from sop.core import fmt
from sop.goal.charts import axis_text, frontier_chart
from sop.goal.frontier import AXES, frontier
from sop.goal.spec import GoalSpec
from sop.scenario.levers import Levers
from sop.ui import say, scenario_readers

AXIS_LABELS = {
    "on_time_rate": "On-time rate (%)",
    "ending_inventory_value": "Ending inventory value (money)",
}
POINTS = (10, 20, 12)  # fewest, most, default


def point_label(i: int, p, axis: str, currency: str) -> str:
    """'Point 3: on-time 97.5 %, margin less penalties €1.24M, gross margin €1.25M'
    (+ when a target is missed)."""
    what = "on-time" if axis == "on_time_rate" else "ending inventory"
    return (
        f"Point {i + 1}: {what} {axis_text(axis, p.reached, currency)}, margin less "
        f"penalties {fmt.money(p.objective, currency)}, gross margin "
        f"{fmt.money(p.margin, currency)}" + ("" if p.met else " (misses a target)")
    )


def section(
    spec: GoalSpec,
    problems: list[str],
    tables: dict,
    policy,
    c: dict,
    key: str,
    open_scenario: Callable[[Levers, str], None],
) -> None:
    """The frontier's controls, chart and point picker (`key`: where it is kept)."""
    cur = c["cur"]
    st.divider()
    st.markdown(
        "**Trade-off frontier**: the best margin less penalties (what the plan maximises: "
        "gross margin less lost-sale goodwill and stock below safety stock) at each level"
    )
    st.caption(
        "Each point meets the targets above and the level on the axis, moving the levers "
        "allowed that the plan itself moves (overtime, subcontracting, hiring, extra line "
        "hours); price and safety stock stay as in the goal's answer when it meets the "
        "targets above, else as in the scenario on screen."
    )
    left, mid, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    axis = left.selectbox(
        "Axis",
        list(AXES),
        format_func=lambda a: AXIS_LABELS[a].replace("money", cur),
        key="goal_fr_axis",
    )
    lo, hi, default = POINTS
    points = mid.slider("Points", lo, hi, default, key="goal_fr_points")
    bad = [p for p in problems if p != "Add at least one target"]
    if right.button("Draw", key="goal_fr_run", icon=":material/show_chart:", disabled=bool(bad)):
        base = scenario_readers.scenario_base(c["path"], c["version"], policy.horizon, c["stamp"])
        bar = st.progress(0.0, text="Starting")
        try:
            found = frontier(
                base,
                tables,
                policy,
                spec,
                axis,
                points,
                progress=lambda f, text: bar.progress(f, text=text),
            )
        except ValueError as exc:
            found = None
            st.error(fmt.md(str(exc)))
        bar.empty()
        if found is not None:
            st.session_state[key] = (axis, found)
    if key not in st.session_state:
        return
    drawn_axis, found = st.session_state[key]
    if not found:
        st.warning("No point of the frontier could be solved.")
        return
    levels = [p.reached for p in found]
    if max(levels) - min(levels) <= 1e-6 * max(1.0, abs(max(levels))):
        say.caption(
            f"Every point reaches {axis_text(drawn_axis, levels[0], cur)}: the starting "
            "scenario is already at the best level, so only the margin can differ."
        )
    st.plotly_chart(
        frontier_chart(found, drawn_axis, cur), width="stretch", theme=None, key="goal_fr_chart"
    )
    pick, go = st.columns([4, 1], vertical_alignment="bottom")
    i = pick.selectbox(
        "Point",
        range(len(found)),
        format_func=lambda k: point_label(k, found[k], drawn_axis, cur),
        key="goal_fr_point",
    )
    if go.button("Open as scenario", key="goal_fr_open", icon=":material/open_in_new:"):
        open_scenario(
            found[i].levers,
            f"{point_label(i, found[i], drawn_axis, cur)} is the scenario on screen.",
        )
