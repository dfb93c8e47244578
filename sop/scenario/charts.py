"""Scenario charts. Each builder returns a Figure and never displays it.

Inputs come from `sop.compare` (gap_by_month, monthly_totals), `sop.bridge`
and `sop.risk`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sop.core import fmt, money_axis, schema, waterfall_axis
from sop.core.charts import GRID, INK, PALETTE, TEMPLATE
from sop.finance.kpi_text import service_pct

RED, GREEN, GREY = "#B23A48", "#2E8B57", "#8A96A3"
MONTH_AXIS = dict(tickformat="%b %Y", dtick="M2", title="Month")
LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0)
RISK_METRICS = (
    ("revenue", "Revenue"),
    ("gross_margin", "Gross margin"),
    ("fill_rate", "Fill rate"),
    ("on_time_rate", "On-time fill rate"),
)
RATES = ("fill_rate", "on_time_rate")


plain = fmt.plot_text  # user text shown by Plotly as typed (see sop.core.fmt)


def _empty(title: str) -> go.Figure:
    return go.Figure(layout=dict(template=TEMPLATE, title=plain(title)))


def gap_chart(
    gap: pd.DataFrame, title: str, color: str = PALETTE[0], late: pd.DataFrame | None = None
) -> go.Figure:
    """Demand vs supply by month (`sop.compare.gap_by_month`): served and lost as
    stacked bars, demand, month-end backlog and inventory as lines, all in units.

    With `late` (`sop.scenario.shortfall.late_by_month` of the same plan and family),
    the served bar is split into the month's own orders served on time and older
    orders served late, so a bar standing above the demand line reads as a backlog
    being worked off."""
    if gap.empty:
        return _empty(f"{title}: no plan")
    title = plain(title)
    hover = "%{x|%b %Y}: %{y:,.0f} units<extra>%{fullData.name}</extra>"
    fig = go.Figure()
    if late is None:
        fig.add_bar(
            x=gap[schema.MONTH],
            y=gap["served"],
            name="Served",
            marker_color=color,
            hovertemplate=hover,
        )
    else:
        split = gap[[schema.MONTH]].merge(late, on=schema.MONTH, how="left").fillna(0.0)
        fig.add_bar(
            x=split[schema.MONTH],
            y=split["on_time"],
            name="Served on time",
            marker_color=color,
            hovertemplate=hover,
        )
        fig.add_bar(
            x=split[schema.MONTH],
            y=split["late"],
            name="Served late (earlier orders)",
            marker=dict(color=color, opacity=0.45, pattern=dict(shape="/")),
            hovertemplate=hover,
        )
    fig.add_bar(
        x=gap[schema.MONTH], y=gap["lost"], name="Lost sales", marker_color=RED, hovertemplate=hover
    )
    fig.add_scatter(
        x=gap[schema.MONTH],
        y=gap["demand"],
        name="Demand",
        mode="lines+markers",
        line=dict(color=INK, width=2.5),
        hovertemplate=hover,
    )
    fig.add_scatter(
        x=gap[schema.MONTH],
        y=gap["backlog"],
        name="Backlog (month end)",
        mode="lines",
        line=dict(color="#E07A1F", width=2, dash="dash"),
        hovertemplate=hover,
    )
    fig.add_scatter(
        x=gap[schema.MONTH],
        y=gap["inventory"],
        name="Inventory (month end)",
        mode="lines",
        line=dict(color=GREY, width=2, dash="dot"),
        hovertemplate=hover,
    )
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        hovermode="x unified",
        title=title,
        yaxis_title="Units per month",
        xaxis=MONTH_AXIS,
        legend=LEGEND_BELOW,
        height=430,
    )
    return fig


def bridge_chart(bridge: pd.DataFrame, currency: str) -> go.Figure:
    """Waterfall of `sop.bridge.margin_bridge`: baseline margin, the steps, and the
    scenario margin (the bars end exactly where the scenario total stands)."""
    measure = [
        "absolute" if i == 0 else "total" if k == "total" else "relative"
        for i, k in enumerate(bridge["kind"])
    ]
    text = [
        fmt.money(a, currency) if k == "total" else fmt.money_delta(a, currency)
        for a, k in zip(bridge["amount"], bridge["kind"])
    ]
    totals = [i == 0 or k == "total" for i, k in enumerate(bridge["kind"])]
    fig = go.Figure(
        go.Waterfall(
            x=[plain(s) for s in bridge["step"]],
            y=bridge["amount"],
            measure=measure,
            text=text,
            textposition="outside",
            connector=dict(line=dict(color=GRID)),
            increasing=dict(marker=dict(color=GREEN)),
            decreasing=dict(marker=dict(color=RED)),
            totals=dict(marker=dict(color=PALETTE[0])),
            customdata=[
                money_axis.texts([a], currency, delta=not t)[0]
                for a, t in zip(bridge["amount"], totals)
            ],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title="Gross margin bridge: baseline to scenario",
        showlegend=False,
        height=430,
    )
    waterfall_axis.apply(fig, bridge["amount"], measure, currency, f"Gross margin ({currency})")
    return fig


def risk_ranges(ranges: Mapping[str, pd.DataFrame], currency: str) -> go.Figure:
    """P10-P90 ranges with the P50 marked, for revenue, gross margin, fill rate and
    on-time fill rate (those every plan's summary has), one row per metric and one bar
    per plan (name -> `sop.risk.Risk.summary`), the first plan on top."""
    if not ranges:
        return _empty("No risk ranges")
    metrics = [
        (m, label)
        for m, label in RISK_METRICS
        if all(m in set(s["metric"]) for s in ranges.values())
    ]
    fig = make_subplots(
        rows=len(metrics),
        cols=1,
        vertical_spacing=0.14 if len(metrics) <= 3 else 0.1,
        subplot_titles=[label for _, label in metrics],
    )
    ranges = {plain(n): s for n, s in ranges.items()}
    names = list(ranges)
    for row, (metric, _) in enumerate(metrics, start=1):
        pct = metric in RATES
        k = 100.0 if pct else 1.0
        rows = {n: s.set_index("metric").loc[metric] for n, s in ranges.items()}
        for i, (name, r) in enumerate(rows.items()):
            text = [
                service_pct(v) if pct else fmt.money(v, currency)
                for v in (r[schema.P10], r[schema.P50], r[schema.P90])
            ]
            hover = f"{name}: P10 {text[0]} · P50 {text[1]} · P90 {text[2]}<extra></extra>"
            fig.add_scatter(
                x=[r[schema.P10] * k, r[schema.P90] * k],
                y=[name, name],
                mode="lines",
                line=dict(color=PALETTE[(i - 1) % len(PALETTE)] if i else GREY, width=16),
                showlegend=False,
                hovertemplate=hover,
                row=row,
                col=1,
            )
            fig.add_scatter(
                x=[r[schema.P50] * k],
                y=[name],
                mode="markers",
                showlegend=False,
                marker=dict(color=INK, size=18, symbol="line-ns-open", line=dict(width=3)),
                hovertemplate=hover,
                row=row,
                col=1,
            )
        lo = min(float(r[schema.P10]) for r in rows.values()) * k
        hi = max(float(r[schema.P90]) for r in rows.values()) * k
        pad = max(hi - lo, abs(hi) * 0.01, 1e-9) * 0.06
        fig.update_xaxes(
            range=[lo - pad, hi + pad],
            ticksuffix=" %" if pct else "",
            tickprefix="" if pct else fmt.symbol(currency),
            tickformat=".1f" if pct else "~s",
            row=row,
            col=1,
        )
        fig.update_yaxes(categoryorder="array", categoryarray=names[::-1], row=row, col=1)
    fig.update_layout(
        template=TEMPLATE,
        height=140 + 120 * len(metrics),
        title=(
            "Range under demand uncertainty, each draw through the plan's capacity: "
            "P10-P90 bar, P50 tick"
        ),
    )
    return fig


def overlay_chart(
    series: Mapping[str, pd.DataFrame], column: str, title: str, unit: str, currency: str
) -> go.Figure:
    """One line per scenario (name -> `sop.compare.monthly_totals`) of `column` by
    month; `unit` is "money" or "units"."""
    if not series:
        return _empty(title)
    money = unit == "money"
    sym = fmt.symbol(currency)
    hover = (
        f"%{{x|%b %Y}}: {sym}%{{y:,.0f}}" if money else "%{x|%b %Y}: %{y:,.0f} units"
    ) + "<extra>%{fullData.name}</extra>"
    fig = go.Figure()
    # the baseline (first) is drawn last, dashed on top: a scenario equal to it in some
    # months would otherwise hide it; legendrank keeps it first in the legend
    for i, (name, frame) in reversed(list(enumerate(series.items()))):
        fig.add_scatter(
            x=frame[schema.MONTH],
            y=frame[column],
            name=plain(name),
            mode="lines+markers",
            legendrank=i,
            line=dict(
                color=GREY if i == 0 else PALETTE[(i - 1) % len(PALETTE)],
                width=2.5,
                dash="dash" if i == 0 else "solid",
            ),
            hovertemplate=hover,
        )
    axis = f"{title.split(' by ')[0]} ({currency if money else 'units'})"
    fig.update_layout(
        template=TEMPLATE,
        title=plain(title),
        hovermode="x unified",
        xaxis=MONTH_AXIS,
        legend=LEGEND_BELOW,
        height=420,
        yaxis=dict(title=axis, tickprefix=sym if money else "", tickformat="~s"),
    )
    return fig
