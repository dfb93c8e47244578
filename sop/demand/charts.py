"""Chart builders of the Demand page. Each returns a Figure and never displays it."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from sop.core import fmt, schema
from sop.core.charts import INK, TEMPLATE
from sop.demand.view import ACTUAL, CONSENSUS, FITTED

OVERRIDE_FILL = "rgba(224, 122, 31, 0.10)"
OVERRIDE_LINE = "#E07A1F"


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _add_band(fig: go.Figure, fc: pd.DataFrame, color: str) -> None:
    """The P10-P90 range of the forecast months, as a filled band."""
    fig.add_trace(
        go.Scatter(
            x=fc[schema.MONTH],
            y=fc[schema.P90],
            mode="lines",
            line=dict(width=0),
            showlegend=False,
            hoverinfo="skip",
            name="P90",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=fc[schema.MONTH],
            y=fc[schema.P10],
            mode="lines",
            line=dict(width=0),
            fill="tonexty",
            fillcolor=_rgba(color, 0.15),
            name="P10-P90 range",
            hoverinfo="skip",
        )
    )


def _add_history(fig: go.Figure, series: pd.DataFrame, unit: str) -> None:
    """Actual demand and the model's fitted values."""
    fig.add_trace(
        go.Scatter(
            x=series[schema.MONTH],
            y=series[ACTUAL],
            name="Actual demand",
            mode="lines",
            line=dict(color=INK, width=2),
            hovertemplate=f"Actual: {unit}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=series[schema.MONTH],
            y=series[FITTED],
            name="Fitted (model)",
            mode="lines",
            line=dict(color="#8A96A3", width=1, dash="dot"),
            hovertemplate=f"Fitted: {unit}<extra></extra>",
        )
    )


def _add_forecast(fig: go.Figure, fc: pd.DataFrame, color: str, unit: str) -> None:
    """The statistical P50 (dashed) and the consensus demand (solid, with its range)."""
    fig.add_trace(
        go.Scatter(
            x=fc[schema.MONTH],
            y=fc[schema.P50],
            name="Statistical forecast (P50)",
            mode="lines",
            line=dict(color=color, width=2, dash="dash"),
            hovertemplate=f"Statistical P50: {unit}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=fc[schema.MONTH],
            y=fc[CONSENSUS],
            name="Consensus demand",
            mode="lines+markers",
            line=dict(color=color, width=3),
            marker=dict(size=5),
            customdata=fc[[schema.P10, schema.P90]].to_numpy(),
            hovertemplate=(
                f"Consensus: {unit}<br>P10-P90: "
                "%{customdata[0]:,.0f} - %{customdata[1]:,.0f}"
                "<extra></extra>"
            ),
        )
    )


def _add_override_marks(fig: go.Figure, marks: pd.DataFrame) -> None:
    """Each active override's months shaded, with its label at the top."""
    for i, (_, m) in enumerate(marks.iterrows()):
        fig.add_vrect(
            x0=m[schema.START_MONTH] - pd.Timedelta(days=14),
            x1=m[schema.END_MONTH] + pd.Timedelta(days=14),
            fillcolor=OVERRIDE_FILL,
            line=dict(color=OVERRIDE_LINE, width=1, dash="dot"),
            layer="below",
        )
        fig.add_annotation(
            x=m[schema.START_MONTH],
            y=1 - 0.07 * (i % 5),
            yref="paper",
            text=fmt.plot_text(m["label"][:48]),
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font=dict(size=11, color=OVERRIDE_LINE),
        )


def demand_chart(
    series: pd.DataFrame, marks: pd.DataFrame, title: str, color: str = "#1F4E79"
) -> go.Figure:
    """History, fitted values, statistical P50, consensus with its P10-P90 band, and
    the months active overrides change (shaded, labelled), from
    `demand_view.demand_series` and `demand_view.override_marks`."""
    fig = go.Figure()
    fc = series[series[CONSENSUS].notna()]
    unit = "%{y:,.0f} units"
    if len(fc):
        _add_band(fig, fc, color)
    _add_history(fig, series, unit)
    if len(fc):
        _add_forecast(fig, fc, color, unit)
    _add_override_marks(fig, marks)
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        yaxis_title="Demand (units/month)",
        xaxis_title="Month",
        hovermode="x unified",
        height=440,
    )
    fig.update_yaxes(rangemode="tozero")
    return fig
