"""The goal tab's chart: the trade-off frontier, margin against on-time service or
ending inventory value (`sop.goal.frontier`). The builder returns a Figure and never
displays it; money is shown the way `sop.core.fmt.money` writes it.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from sop.core import fmt, money_axis
from sop.core.charts import INK, PALETTE, TEMPLATE

RED = "#B23A48"
AXIS_TITLES = {
    "on_time_rate": "On-time rate (% of units ordered)",
    "ending_inventory_value": "Ending inventory value ({cur})",
}


def axis_text(axis: str, value: float, currency: str) -> str:
    """One axis value with its unit: 97.5 % or €1.25M."""
    return fmt.pct(value) if axis == "on_time_rate" else fmt.money(value, currency)


def frontier_chart(points: Sequence, axis: str, currency: str) -> go.Figure:
    """Margin less penalties (money, y: what the plan maximises) of each frontier point
    (`FrontierPoint`) against the axis figure its plan reaches (x): on-time rate in %,
    or ending inventory value in money. Each point is numbered as in the page's list
    (1 = first); a point that misses a target is an open red circle."""
    fig = go.Figure()
    on_time = axis == "on_time_rate"
    xs = [p.reached * 100 if on_time else p.reached for p in points]
    text = [
        f"Point {i}: {axis_text(axis, p.reached, currency)}, margin less penalties "
        f"{fmt.money(p.objective, currency, compact=False)}, gross margin "
        f"{fmt.money(p.margin, currency, compact=False)}" + ("" if p.met else " (misses a target)")
        for i, p in enumerate(points, start=1)
    ]
    fig.add_scatter(
        x=xs,
        y=[p.objective for p in points],
        mode="lines+markers+text",
        name="Best margin",
        text=[str(i) for i in range(1, len(points) + 1)],
        textposition="top center",
        customdata=text,
        hovertemplate="%{customdata}<extra></extra>",
        line=dict(color=PALETTE[0], width=2.5),
        marker=dict(
            size=10,
            color=[PALETTE[0] if p.met else "white" for p in points],
            line=dict(color=[PALETTE[0] if p.met else RED for p in points], width=2),
        ),
    )
    fig.update_layout(
        template=TEMPLATE,
        title="Trade-off frontier: the best margin less penalties at each level",
        showlegend=False,
        height=430,
        font=dict(color=INK),
    )
    money_axis.axis(
        fig,
        currency,
        [p.objective for p in points],
        f"Margin less penalties ({currency})",
        include_zero=False,
    )
    title = AXIS_TITLES.get(axis, axis).format(cur=currency)
    if on_time:
        fig.update_xaxes(title_text=title, ticksuffix=" %", tickformat=".1f")
    else:
        money_axis.axis(fig, currency, xs, title, include_zero=False, x=True)
    return fig
