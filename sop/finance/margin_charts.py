"""Finance charts of where the margin goes: the margin bridge from budget to
projection, and the inventory value with its carrying cost. Each builder returns a
Figure and never displays it (the projection charts are in `sop.finance.charts`).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sop.core import fmt, money_axis, schema, waterfall_axis
from sop.core.charts import GRID, INK, PALETTE, TEMPLATE
from sop.finance.charts import GREEN, LEGEND_BELOW, RED, empty


def bridge_waterfall(steps: pd.DataFrame, currency: str) -> go.Figure:
    """Budget margin -> volume, mix, price, cost -> projected margin
    (`sop.finance.pvm.bridge_steps`)."""
    if steps.empty:
        return empty("No months covered by both the budget and the projection")
    total = [k == "total" for k in steps["kind"]]
    measure = [
        "absolute" if t and i == 0 else "total" if t else "relative" for i, t in enumerate(total)
    ]
    fig = go.Figure(
        go.Waterfall(
            x=steps["step"],
            y=steps["amount"],
            measure=measure,
            text=[
                fmt.money(v, currency) if t else fmt.money_delta(v, currency)
                for v, t in zip(steps["amount"], total)
            ],
            textposition="outside",
            increasing=dict(marker_color=GREEN),
            decreasing=dict(marker_color=RED),
            totals=dict(marker_color=PALETTE[0]),
            connector=dict(line=dict(color=GRID)),
            customdata=[
                fmt.money(v, currency, compact=False)
                if t
                else fmt.money_delta(v, currency, compact=False)
                for v, t in zip(steps["amount"], total)
            ],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        height=440,
        showlegend=False,
        title="Gross margin bridge: budget to projection (price, volume, mix, cost)",
        xaxis_title="",
    )
    waterfall_axis.apply(fig, steps["amount"], measure, currency, f"Gross margin ({currency})")
    return fig


def inventory_chart(inventory: pd.DataFrame, currency: str, colors: dict[str, str]) -> go.Figure:
    """Month-end inventory value by family (stacked bars) and the carrying cost per
    month (line, right axis)."""
    if inventory.empty:
        return empty("No inventory in the plan")
    hover = money_axis.hover()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for fam, part in inventory.groupby(schema.FAMILY, sort=True):
        fig.add_bar(
            x=part[schema.MONTH],
            y=part["inventory_value"],
            name=f"{fmt.plot_text(fam)} stock value",
            marker_color=colors.get(fam),
            customdata=money_axis.texts(part["inventory_value"], currency),
            hovertemplate=hover,
            secondary_y=False,
        )
    cost = inventory.groupby(schema.MONTH, as_index=False)["carrying_cost"].sum()
    fig.add_scatter(
        x=cost[schema.MONTH],
        y=cost["carrying_cost"],
        name="Carrying cost",
        mode="lines+markers",
        line=dict(color=INK, width=2),
        customdata=money_axis.texts(cost["carrying_cost"], currency),
        hovertemplate=hover,
        secondary_y=True,
    )
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        hovermode="x unified",
        legend=LEGEND_BELOW,
        height=440,
        xaxis=dict(tickformat="%b %Y"),
        title="Inventory value at month end (at standard cost) and its carrying cost",
    )
    stock = inventory.groupby(schema.MONTH)["inventory_value"].sum()
    money_axis.axis(
        fig, currency, [0.0, *stock], f"Inventory value ({currency})", secondary_y=False
    )
    money_axis.axis(
        fig,
        currency,
        [0.0, *cost["carrying_cost"]],
        f"Carrying cost ({currency}/month)",
        secondary_y=True,
    )
    fig.update_yaxes(showgrid=False, rangemode="tozero", secondary_y=True)
    fig.update_yaxes(rangemode="tozero", secondary_y=False)
    return fig
