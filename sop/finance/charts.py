"""Finance charts. Each builder returns a Figure and never displays it.

Inputs are the frames of `sop.finance_view.FinanceView`; money axes carry the
dataset's currency, families keep their colour (`sop.charts.family_colors`).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sop.core import fmt, money_axis, schema
from sop.core.charts import GRID, INK, PALETTE, TEMPLATE

GREY, RED, GREEN = "#8A96A3", "#B23A48", "#2E8B57"
LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.16, xanchor="left", x=0)
LABELS = {schema.REVENUE: "Revenue", schema.MARGIN: "Gross margin"}


def _empty(title: str) -> go.Figure:
    return go.Figure(layout=dict(template=TEMPLATE, title=title))


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def band_chart(
    bands: pd.DataFrame,
    actuals: pd.DataFrame,
    measure: str,
    currency: str,
    colors: dict[str, str],
    history_months: int = 12,
) -> go.Figure:
    """One panel per family: the projection (line) with its P10-P90 band, the budget
    (dashed) and, for revenue, the last `history_months` of actuals (grey)."""
    if bands.empty:
        return _empty("No projection")
    label = LABELS[measure]
    fams = sorted(bands[schema.FAMILY].unique())
    cols = 2 if len(fams) > 1 else 1
    rows = math.ceil(len(fams) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=fams,
        shared_xaxes=True,
        vertical_spacing=0.12 if rows > 1 else 0.08,
        horizontal_spacing=0.07,
    )
    hover = money_axis.hover()
    start = bands[schema.MONTH].min() - pd.DateOffset(months=history_months)
    for i, fam in enumerate(fams):
        r, c = i // cols + 1, i % cols + 1
        b = bands[bands[schema.FAMILY] == fam].sort_values(schema.MONTH)
        colour = colors.get(fam, PALETTE[i % len(PALETTE)])
        first = i == 0
        seen = [
            b[f"{measure}_{schema.P90}"],
            b[f"{measure}_{schema.P10}"],
            b[measure],
            b[f"budget_{measure}"],
        ]
        if measure == schema.REVENUE and len(actuals):
            a = actuals[(actuals[schema.FAMILY] == fam) & (actuals[schema.MONTH] >= start)]
            fig.add_scatter(
                x=a[schema.MONTH],
                y=a[schema.REVENUE],
                name="Actual",
                mode="lines",
                line=dict(color=GREY, width=1.5),
                legendgroup="actual",
                showlegend=first,
                customdata=money_axis.texts(a[schema.REVENUE], currency),
                hovertemplate=hover,
                row=r,
                col=c,
            )
            seen.append(a[schema.REVENUE])
        fig.add_scatter(
            x=b[schema.MONTH],
            y=b[f"{measure}_{schema.P90}"],
            mode="lines",
            line=dict(width=0),
            showlegend=False,
            hoverinfo="skip",
            legendgroup=f"band-{fam}",
            row=r,
            col=c,
        )
        fig.add_scatter(
            x=b[schema.MONTH],
            y=b[f"{measure}_{schema.P10}"],
            mode="lines",
            line=dict(width=0),
            fill="tonexty",
            fillcolor=_rgba(colour, 0.18),
            name=f"{fam} P10-P90",
            legendgroup=f"band-{fam}",
            showlegend=False,
            customdata=[
                f"{lo} to {hi}"
                for lo, hi in zip(
                    money_axis.texts(b[f"{measure}_{schema.P10}"], currency),
                    money_axis.texts(b[f"{measure}_{schema.P90}"], currency),
                )
            ],
            hovertemplate=hover,
            row=r,
            col=c,
        )
        fig.add_scatter(
            x=b[schema.MONTH],
            y=b[measure],
            name=f"{fam} projection",
            mode="lines",
            line=dict(color=colour, width=2.5),
            customdata=money_axis.texts(b[measure], currency),
            hovertemplate=hover,
            row=r,
            col=c,
        )
        if b[f"budget_{measure}"].notna().any():
            fig.add_scatter(
                x=b[schema.MONTH],
                y=b[f"budget_{measure}"],
                name="Budget",
                mode="lines",
                line=dict(color=INK, width=1.5, dash="dash"),
                legendgroup="budget",
                showlegend=first,
                customdata=money_axis.texts(b[f"budget_{measure}"], currency),
                hovertemplate=hover,
                row=r,
                col=c,
            )
        money_axis.axis(
            fig,
            currency,
            pd.concat(seen),
            f"{label} ({currency}/month)",
            include_zero=False,
            target=5,
            row=r,
            col=c,
        )
    fig.update_xaxes(tickformat="%b %Y", showgrid=False, linecolor=GRID)
    fig.update_layout(
        template=TEMPLATE,
        height=330 * rows + 90,
        legend=LEGEND_BELOW,
        title=dict(
            text=f"{label} by family and month: projection with its P10-P90 range",
            subtitle=dict(text="Shaded: 8 in 10 demand outcomes land inside; dashed: budget"),
        ),
        margin=dict(t=100),
    )
    return fig


def budget_chart(
    by_month: pd.DataFrame, measure: str, currency: str, cumulative: bool
) -> go.Figure:
    """Projection against budget, all families: monthly bars, or running totals as lines
    with the gap shaded."""
    if by_month.empty:
        return _empty("The budget covers none of the plan's months")
    label, pre = LABELS[measure], "cum_" if cumulative else ""
    x, pro, bud = (
        by_month[schema.MONTH],
        by_month[f"{pre}{measure}"],
        by_month[f"{pre}budget_{measure}"],
    )
    hover = money_axis.hover()
    fig = go.Figure()
    if cumulative:
        fig.add_scatter(
            x=x,
            y=bud,
            name="Budget, cumulative",
            mode="lines+markers",
            line=dict(color=INK, dash="dash"),
            customdata=money_axis.texts(bud, currency),
            hovertemplate=hover,
        )
        fig.add_scatter(
            x=x,
            y=pro,
            name="Projection, cumulative",
            mode="lines+markers",
            line=dict(color=PALETTE[0], width=2.5),
            fill="tonexty",
            fillcolor=_rgba(GREY, 0.2),
            customdata=money_axis.texts(pro, currency),
            hovertemplate=hover,
        )
    else:
        fig.add_bar(
            x=x,
            y=pro,
            name="Projection",
            marker_color=PALETTE[0],
            customdata=money_axis.texts(pro, currency),
            hovertemplate=hover,
        )
        fig.add_bar(
            x=x,
            y=bud,
            name="Budget",
            marker_color=GREY,
            customdata=money_axis.texts(bud, currency),
            hovertemplate=hover,
        )
    gap = by_month[f"{pre}{measure}_gap"]
    fig.add_scatter(
        x=x,
        y=gap,
        name="Gap (projection - budget)",
        mode="markers",
        marker=dict(symbol="diamond", size=8, color=[GREEN if g >= 0 else RED for g in gap]),
        customdata=money_axis.texts(gap, currency, delta=True),
        hovertemplate=hover,
        visible="legendonly" if cumulative else True,
    )
    what = "cumulative from " + fmt.month(x.min()) if cumulative else "per month"
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        hovermode="x unified",
        legend=LEGEND_BELOW,
        height=440,
        xaxis=dict(tickformat="%b %Y"),
        title=f"{label}: projection vs budget, all families, {what}",
    )
    money_axis.axis(
        fig, currency, [*pro, *bud, *([] if cumulative else gap)], f"{label} ({currency})"
    )
    return fig


def landing_chart(landing: pd.DataFrame, measure: str, currency: str) -> go.Figure:
    """Per fiscal year, one landing bar: actuals (grey) + projection (blue) stacked; a
    bar-wide marker where the budget would put the year (the budget over the months
    it covers, the landing for the others), so the distance from the bar's top to
    the marker is the gap shown on the tiles and in the table; the gap as text."""
    if landing.empty:
        return _empty("No year to land")
    label = LABELS[measure]
    name = "revenue" if measure == schema.REVENUE else "margin"
    years = landing["year"].astype(str)
    actual, projected = landing[f"actual_{name}"], landing[f"projected_{name}"]
    total = landing[f"landing_{name}"]
    gap = landing[f"{name}_gap"]
    fig = go.Figure()
    fig.add_bar(
        x=years,
        y=actual,
        name="Actuals",
        marker_color=GREY,
        customdata=money_axis.texts(actual, currency),
        hovertemplate=money_axis.hover("%{x}"),
    )
    fig.add_bar(
        x=years,
        y=projected,
        name="Projection",
        marker_color=PALETTE[0],
        customdata=money_axis.texts(projected, currency),
        hovertemplate=money_axis.hover("%{x}"),
    )
    has = landing["budget_months"] > 0
    ref = (total - gap)[has]
    notes = [
        f"{fmt.money_delta(g, currency)} vs budget" if b else "no budget" for g, b in zip(gap, has)
    ]
    top = pd.concat([total, (total - gap).fillna(total)], axis=1).max(axis=1)
    fig.add_scatter(
        x=years,
        y=top,
        mode="text",
        text=notes,
        textposition="top center",
        showlegend=False,
        hoverinfo="skip",
        textfont=dict(color=INK),
    )
    if has.any():
        months = [
            f"budget {int(c)} of 12 months" + ("" if f else ", landing for the rest")
            for c, f in zip(landing["compared_months"][has], landing["full_year"][has])
        ]
        fig.add_scatter(
            x=years[has],
            y=ref,
            name="Budget (same months)",
            mode="markers",
            marker=dict(symbol="line-ew-open", size=60, color=INK, line=dict(width=3, color=INK)),
            customdata=[f"{t} ({m})" for t, m in zip(money_axis.texts(ref, currency), months)],
            hovertemplate=money_axis.hover("%{x}"),
        )
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        height=420,
        legend=dict(LEGEND_BELOW, y=-0.12),
        xaxis=dict(type="category"),
        title=f"{label} by fiscal year: actuals + projection vs budget",
    )
    money_axis.axis(
        fig,
        currency,
        [*money_axis.stacked_extent(actual, projected), *(1.1 * top)],
        f"{label} ({currency})",
    )
    return fig


def bridge_waterfall(steps: pd.DataFrame, currency: str) -> go.Figure:
    """Budget margin -> volume, mix, price, cost -> projected margin
    (`sop.finance_bridge.bridge_steps`)."""
    if steps.empty:
        return _empty("No months covered by both the budget and the projection")
    total = [k == "total" for k in steps["kind"]]
    fig = go.Figure(
        go.Waterfall(
            x=steps["step"],
            y=steps["amount"],
            measure=[
                "absolute" if t and i == 0 else "total" if t else "relative"
                for i, t in enumerate(total)
            ],
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
    money_axis.axis(
        fig,
        currency,
        [1.1 * v for v in money_axis.waterfall_extent(steps["amount"], steps["kind"])],
        f"Gross margin ({currency})",
    )
    return fig


def inventory_chart(inventory: pd.DataFrame, currency: str, colors: dict[str, str]) -> go.Figure:
    """Month-end inventory value by family (stacked bars) and the carrying cost per
    month (line, right axis)."""
    if inventory.empty:
        return _empty("No inventory in the plan")
    hover = money_axis.hover()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for fam, part in inventory.groupby(schema.FAMILY, sort=True):
        fig.add_bar(
            x=part[schema.MONTH],
            y=part["inventory_value"],
            name=f"{fam} stock value",
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
        title="Inventory value at month end (at cost) and its carrying cost",
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
