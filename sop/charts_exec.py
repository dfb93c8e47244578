"""Executive charts. Each builder returns a Figure and never displays it.

Inputs are the frames of `sop.exec_view.ExecView`; money axes carry the dataset's
currency.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from sop import fmt
from sop import schema as S
from sop.charts import INK, PALETTE, TEMPLATE
from sop.charts_scenario import bridge_chart

GREY, RED, GREEN, BAND = "#8A96A3", "#B23A48", "#2E8B57", "rgba(31,78,121,0.16)"
LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0)


def revenue_chart(band: pd.DataFrame, currency: str, height: int = 340,
                  font_size: int = 13) -> go.Figure:
    """Revenue by month, all families: the plan with its P10-P90 band, the budget
    (dashed) and the previous plan of record (dotted), from `exec_view.revenue_band`."""
    if band.empty:
        return go.Figure(layout=dict(template=TEMPLATE, title="No plan"))
    sym = fmt.symbol(currency)
    hover = f"%{{x|%b %Y}}: {sym}%{{y:,.0f}}<extra>%{{fullData.name}}</extra>"
    x = band[S.MONTH]
    fig = go.Figure()
    fig.add_scatter(x=x, y=band["revenue_p90"], mode="lines", line=dict(width=0),
                    name="P90", showlegend=False, hovertemplate=hover)
    fig.add_scatter(x=x, y=band["revenue_p10"], mode="lines", line=dict(width=0),
                    fill="tonexty", fillcolor=BAND, name="P10-P90 range",
                    hovertemplate=hover)
    fig.add_scatter(x=x, y=band[S.REVENUE], mode="lines+markers", name="Plan",
                    line=dict(color=PALETTE[0], width=3), hovertemplate=hover)
    if band["budget_revenue"].notna().any():
        fig.add_scatter(x=x, y=band["budget_revenue"], mode="lines", name="Budget",
                        line=dict(color=INK, width=2, dash="dash"), hovertemplate=hover)
    if band["previous_revenue"].notna().any():
        fig.add_scatter(x=x, y=band["previous_revenue"], mode="lines",
                        name="Previous plan of record", line=dict(color=GREY, width=2,
                                                                  dash="dot"),
                        hovertemplate=hover)
    fig.update_layout(template=TEMPLATE, height=height, hovermode="x unified",
                      legend=LEGEND_BELOW, margin=dict(l=10, r=10, t=40, b=10),
                      font=dict(size=font_size),
                      title="Revenue by month vs budget, with the P10-P90 range",
                      xaxis=dict(tickformat="%b %Y", dtick="M2"),
                      yaxis=dict(title=f"Revenue ({currency}/month)", tickprefix=sym,
                                 tickformat="~s"))
    return fig


def plan_bridge_chart(bridge: pd.DataFrame, currency: str, height: int = 400) -> go.Figure:
    """Waterfall of `sop.decisions.plan_bridge`: previous plan of record's margin,
    demand, price, capacity, cost, the new plan of record's margin."""
    fig = bridge_chart(bridge[["step", "amount", "kind"]], currency)
    fig.update_layout(title="What changed since last cycle: gross margin, previous plan of "
                      "record to this one", height=height)
    return fig


def risks_chart(risks: pd.DataFrame, currency: str, height: int = 380) -> go.Figure:
    """Risks (red, negative) and opportunities (green, positive) as horizontal bars of
    the margin at stake, largest at the top (`sop.exec_risks.ranked`)."""
    if risks.empty:
        return go.Figure(layout=dict(template=TEMPLATE, title="No risks or opportunities"))
    r = risks.iloc[::-1]
    sym = fmt.symbol(currency)
    fig = go.Figure(go.Bar(
        x=r["money"], y=[f"{c}: {s}" for c, s in zip(r["category"], r["subject"])],
        orientation="h", marker_color=[GREEN if m > 0 else RED for m in r["money"]],
        text=[fmt.money(m, currency) for m in r["money"]], textposition="auto",
        customdata=r["what"], hovertemplate="%{customdata}<extra></extra>"))
    fig.update_layout(template=TEMPLATE, height=height, showlegend=False,
                      title="Top risks and opportunities: gross margin at stake",
                      xaxis=dict(title=f"Gross margin ({currency})", tickprefix=sym,
                                 tickformat="~s"), yaxis=dict(automargin=True),
                      margin=dict(l=10, r=10, t=40, b=10))
    return fig


def weekly_chart(weeks: pd.DataFrame, height: int = 380) -> go.Figure:
    """Units to make per week part and plant (stacked bars; `sop.weekly.by_week`), with
    the weeks cut at month ends labelled by their Monday and month."""
    if weeks.empty:
        return go.Figure(layout=dict(template=TEMPLATE, title="No weeks to show"))
    fig = go.Figure()
    x = [f"{w:%d %b} ({m:%b})" for w, m in zip(weeks["week_start"], weeks[S.MONTH])]
    for i, (plant, part) in enumerate(weeks.assign(_x=x).groupby(S.PLANT, sort=True)):
        fig.add_bar(x=part["_x"], y=part["production"], name=f"{plant}: make",
                    marker_color=PALETTE[i % len(PALETTE)],
                    hovertemplate="%{x}: %{y:,.0f} units<extra>%{fullData.name}</extra>")
    fig.update_layout(template=TEMPLATE, barmode="stack", height=height,
                      legend=LEGEND_BELOW, title="Units to make per week and plant "
                      "(a week across two months shows once in each)",
                      xaxis=dict(type="category", title="Week (Monday) and month"),
                      yaxis=dict(title="Units to make", tickformat="~s"))
    return fig
