"""Executive charts. Each builder returns a Figure and never displays it.

Inputs are the frames of `sop.exec_view.ExecView`; money axes carry the dataset's
currency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sop.core import fmt, money_axis, schema, waterfall_axis
from sop.core.charts import GRID, INK, PALETTE, TEMPLATE
from sop.finance.range_text import POINT_SHADED, RANGE_SHADED

GREY, RED, GREEN, BAND = "#8A96A3", "#B23A48", "#2E8B57", "rgba(31,78,121,0.16)"
# under the axis title at the foot of the figure (the margin grows to hold it), never
# over the week labels, which turn when the chart is narrow
LEGEND_BELOW = dict(orientation="h", yref="container", y=0, yanchor="bottom", xanchor="left", x=0)


def fonts(size: int) -> dict:
    """Layout fonts scaled from one base size (ticks, legend, titles): presentation
    mode passes a larger size, since a screen's CSS cannot reach inside a chart."""
    return dict(
        font=dict(size=size),
        legend=dict(font=dict(size=size)),
        title=dict(font=dict(size=size + 3)),
        hoverlabel=dict(font_size=size),
    )


def _axes_fonts(fig: go.Figure, size: int) -> None:
    fig.update_xaxes(tickfont=dict(size=size), title_font=dict(size=size), automargin=True)
    fig.update_yaxes(
        tickfont=dict(size=size), title_font=dict(size=size), automargin=True, title_standoff=8
    )


def _add_range(fig: go.Figure, band: pd.DataFrame, currency: str) -> None:
    """The P10-P90 band: an invisible P90 line, then the P10 line filled up to it."""
    x = band[schema.MONTH]
    fig.add_scatter(
        x=x,
        y=band["revenue_p90"],
        mode="lines",
        line=dict(width=0),
        name="P90",
        showlegend=False,
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=x,
        y=band["revenue_p10"],
        mode="lines",
        line=dict(width=0),
        fill="tonexty",
        fillcolor=BAND,
        name="P10-P90 range",
        customdata=[
            f"{lo} to {hi}"
            for lo, hi in zip(
                money_axis.texts(band["revenue_p10"], currency),
                money_axis.texts(band["revenue_p90"], currency),
            )
        ],
        hovertemplate=money_axis.hover(),
    )


def _add_references(fig: go.Figure, band: pd.DataFrame, currency: str) -> list[pd.Series]:
    """The budget (dashed) and the previous plan of record (dotted), each where it has
    figures; returns the series drawn."""
    drawn = []
    for col, name, line in (
        ("budget_revenue", "Budget", dict(color=INK, width=2, dash="dash")),
        ("previous_revenue", "Previous plan of record", dict(color=GREY, width=2, dash="dot")),
    ):
        if band[col].notna().any():
            fig.add_scatter(
                x=band[schema.MONTH],
                y=band[col],
                mode="lines",
                name=name,
                line=line,
                customdata=money_axis.texts(band[col], currency),
                hovertemplate=money_axis.hover(),
            )
            drawn.append(band[col])
    return drawn


def revenue_chart(
    band: pd.DataFrame,
    currency: str,
    height: int = 340,
    font_size: int = 13,
) -> go.Figure:
    """Revenue by month, all families: the plan with its P10-P90 band (the subtitle says
    how it is made, `range_subtitle`), the budget (dashed) and the previous plan of
    record (dotted), from `exec_view.revenue_band`.
    Every font follows `font_size`; the axes make room for their labels (automargin),
    so nothing is clipped when the chart is drawn outside the app (the HTML pack)."""
    if band.empty:
        return go.Figure(layout=dict(template=TEMPLATE, title="No plan"))
    lines = range_subtitle(band)
    fig = go.Figure()
    _add_range(fig, band, currency)
    fig.add_scatter(
        x=band[schema.MONTH],
        y=band[schema.REVENUE],
        mode="lines+markers",
        name="Plan",
        line=dict(color=PALETTE[0], width=3),
        customdata=money_axis.texts(band[schema.REVENUE], currency),
        hovertemplate=money_axis.hover(),
    )
    seen = [band["revenue_p10"], band["revenue_p90"], band[schema.REVENUE]]
    seen += _add_references(fig, band, currency)
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        hovermode="x unified",
        legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left"),
        margin=dict(l=10, r=10, t=40 + (len(lines) + 1) * (font_size + 5), b=10 + 2 * font_size),
        title=dict(
            text="Revenue by month vs budget, with the P10-P90 range",
            subtitle=dict(text="<br>".join(lines)),
        ),
        xaxis=dict(tickformat="%b %Y", dtick="M2" if font_size < 16 else "M3"),
    )
    fig.update_layout(**fonts(font_size))
    money_axis.axis(
        fig, currency, pd.concat(seen), f"Revenue ({currency}/month)", include_zero=False, target=5
    )
    _axes_fonts(fig, font_size)
    return fig


def range_subtitle(band: pd.DataFrame) -> list[str]:
    """The revenue chart's subtitle: one line that says what the shaded range is and how
    it is made (`range_text.RANGE_SHADED`: the chart is half the page wide, too narrow
    for the Scenarios Risk tab's sentence, which the tiles' help and the pack carry);
    why it is a point where P10 = P90 every month; none where no month has a range."""
    lo, hi = band["revenue_p10"], band["revenue_p90"]
    if lo.isna().all():
        return []
    flat = bool(np.allclose(lo.fillna(hi), hi.fillna(lo)))
    return [POINT_SHADED if flat else RANGE_SHADED]


def plan_bridge_chart(
    bridge: pd.DataFrame, currency: str, height: int = 400, font_size: int = 13
) -> go.Figure:
    """Waterfall of `sop.exec_view.plan_bridge`: the previous plan of record's margin,
    demand, price, capacity, cost, the plan on the table's margin (its step says
    whether it is this cycle's plan of record or not approved yet)."""
    total = [k == "total" for k in bridge["kind"]]
    amount = bridge["amount"]
    measure = [
        "absolute" if t and i == 0 else "total" if t else "relative" for i, t in enumerate(total)
    ]
    fig = go.Figure(
        go.Waterfall(
            x=[fmt.plot_text(s) for s in bridge["step"]],
            y=amount,
            measure=measure,
            text=[
                fmt.money(a, currency) if t else fmt.money_delta(a, currency)
                for a, t in zip(amount, total)
            ],
            textposition="outside",
            customdata=[
                fmt.money(a, currency, compact=False)
                if t
                else fmt.money_delta(a, currency, compact=False)
                for a, t in zip(amount, total)
            ],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
            connector=dict(line=dict(color=GRID)),
            increasing=dict(marker=dict(color=GREEN)),
            decreasing=dict(marker=dict(color=RED)),
            totals=dict(marker=dict(color=PALETTE[0])),
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        showlegend=False,
        title="Gross margin bridge: previous plan of record → "
        + fmt.plot_text(bridge["step"].iloc[-1]),
        margin=dict(l=10, r=10, t=40 + font_size, b=10),
    )
    fig.update_layout(**fonts(font_size))
    waterfall_axis.apply(
        fig, amount, measure, currency, f"Gross margin ({currency})", font_size=font_size - 1
    )
    _axes_fonts(fig, font_size)
    return fig


def risks_chart(
    risks: pd.DataFrame, currency: str, height: int = 380, font_size: int = 13
) -> go.Figure:
    """Risks (red, negative) and opportunities (green, positive) as horizontal bars of
    the margin at stake, largest at the top (`sop.exec_risks.ranked`)."""
    if risks.empty:
        return go.Figure(layout=dict(template=TEMPLATE, title="No risks or opportunities"))
    r = risks.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=r["money"],
            y=[f"{c}: {s}" for c, s in zip(r["category"], r["subject"])],
            orientation="h",
            marker_color=[GREEN if m > 0 else RED for m in r["money"]],
            text=[fmt.money_delta(m, currency) for m in r["money"]],
            textposition="auto",
            cliponaxis=False,
            customdata=r["what"],
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        showlegend=False,
        title="Top risks and opportunities: gross margin at stake",
        margin=dict(l=10, r=10 + 5 * font_size, t=40 + font_size, b=10),
    )
    fig.update_layout(**fonts(font_size))
    money_axis.axis(fig, currency, r["money"], f"Gross margin ({currency})", x=True)
    _axes_fonts(fig, font_size)
    return fig


def weekly_chart(weeks: pd.DataFrame, height: int = 380) -> go.Figure:
    """Units to make per week part and plant (stacked bars; `sop.weekly.by_week`), with
    the weeks cut at month ends labelled by their Monday and month."""
    if weeks.empty:
        return go.Figure(layout=dict(template=TEMPLATE, title="No weeks to show"))
    fig = go.Figure()
    x = [f"{w:%d %b} ({m:%b})" for w, m in zip(weeks["week_start"], weeks[schema.MONTH])]
    for i, (plant, part) in enumerate(weeks.assign(_x=x).groupby(schema.PLANT, sort=True)):
        fig.add_bar(
            x=part["_x"],
            y=part["production"],
            name=f"{fmt.plot_text(plant)}: make",
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate="%{x}: %{y:,.0f} units<extra>%{fullData.name}</extra>",
        )
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        height=height,
        legend=LEGEND_BELOW,
        title="Units to make per week and plant (a week across two months shows once in each)",
        xaxis=dict(type="category", title="Week (Monday) and month"),
        yaxis=dict(title="Units to make", tickformat="~s"),
    )
    return fig
