"""Plotly chart builders. Each returns a Figure and never displays it.

Every chart uses the `sop` template and the same colour per family on every
page (`family_colors`), so "Cooling" is the same blue everywhere. The template's
text (titles, legends, tick labels, axis titles) is `INK` on `PAPER`: WCAG AA
contrast, checked in tests/unit/test_contrast.py. Pages draw the figures with
`st.plotly_chart(..., theme=None)`: Streamlit's own chart theme would grey the tick
labels to #808495 (3.6:1 on white, measured in Chromium).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from sop.core import fmt, schema

PALETTE = ("#1F4E79", "#E07A1F", "#2E8B57", "#B23A48", "#7B5EA7", "#3A9BB8", "#C9A227", "#6B7B8C")
GRID = "#E3E7ED"
INK = "#1B1F24"  # every chart text, on PAPER
PAPER = "#FFFFFF"
# the app's own font first (Streamlit serves Source Sans), then what a saved pack finds
FONT = "Source Sans, Inter, Segoe UI, Helvetica, Arial, sans-serif"
_TEXT = dict(color=INK)

pio.templates["sop"] = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color=INK),
        colorway=list(PALETTE),
        paper_bgcolor=PAPER,
        plot_bgcolor=PAPER,
        margin=dict(l=10, r=10, t=50, b=10),
        title=dict(font=dict(size=16, color=INK), x=0, xanchor="left"),
        xaxis=dict(
            showgrid=False,
            linecolor=GRID,
            ticks="outside",
            tickcolor=GRID,
            tickfont=_TEXT,
            title_font=_TEXT,
            automargin=True,
        ),
        yaxis=dict(
            gridcolor=GRID,
            zeroline=False,
            linecolor=GRID,
            tickfont=_TEXT,
            title_font=_TEXT,
            automargin=True,
        ),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1, font=_TEXT),
        hoverlabel=dict(font_size=12),
    )
)
TEMPLATE = "sop"


def family_colors(families: list[str] | pd.Index | pd.Series) -> dict[str, str]:
    """A stable colour per family: sorted family names take the palette in order."""
    return {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(sorted(set(families)))}


def history_chart(
    hist: pd.DataFrame, measure: str, currency: str, colors: dict[str, str]
) -> go.Figure:
    """Stacked monthly actuals by family, from `dataview.history_by_family`."""
    money = measure == schema.REVENUE
    fig = go.Figure()
    for family, part in hist.groupby(schema.FAMILY, sort=True):
        fig.add_trace(
            go.Scatter(
                x=part[schema.MONTH],
                y=part["value"],
                name=fmt.plot_text(family),
                mode="lines",
                stackgroup="one",
                line=dict(width=1, color=colors.get(family)),
                hovertemplate=(
                    f"{fmt.plot_text(family)}<br>%{{x|%b %Y}}: "
                    + (f"{fmt.symbol(currency)}%{{y:,.0f}}" if money else "%{y:,.0f} units")
                    + "<extra></extra>"
                ),
            )
        )
    unit = f"Revenue ({currency})" if money else "Demand (units)"
    fig.update_layout(
        template=TEMPLATE,
        title=f"Actual {'revenue' if money else 'demand'} by family, per month",
        yaxis_title=unit,
        xaxis_title="Month",
        hovermode="x unified",
    )
    if money:
        fig.update_yaxes(tickprefix=fmt.symbol(currency), tickformat="~s")
    return fig


MISSING_KEY = (
    "A number is how many regions have no sales row that month (also in red); a "
    "complete month is green and blank; no box: before launch or after phase-out."
)


def _cells(z: np.ndarray, show: Callable[[float], str]) -> np.ndarray:
    """`show(v)` for every number of `z` ("" for NaN), called once per distinct value: a
    heat map holds a few counts over thousands of cells. Values are told apart by their
    bits, so 0.0 and -0.0 each keep their own text."""
    seen = ~np.isnan(z)
    bits, where = np.unique(z[seen].view(np.int64), return_inverse=True)
    out = np.full(z.shape, "", dtype=object)
    out[seen] = np.array([show(v) for v in bits.view(np.float64).tolist()], dtype=object)[where]
    return out


def missing_heatmap(matrix: pd.DataFrame, families: pd.Series) -> go.Figure:
    """Heat map of `dataview.missing_matrix`: regions missing per SKU and month; a
    month with a gap also shows how many regions are missing (colour is never the only
    signal), a complete month shows nothing (`MISSING_KEY` says so under the chart).

    `families` maps SKU -> family for the hover text.
    """
    if matrix.empty:
        return go.Figure(layout=dict(template=TEMPLATE, title="No sales history"))
    z = matrix.to_numpy()
    counts = np.ascontiguousarray(z, dtype=np.float64)
    skus = [fmt.plot_text(sku) for sku in matrix.index]
    rows = np.array(
        [f"{s} ({fmt.plot_text(families.get(sku, ''))})<br>" for s, sku in zip(skus, matrix.index)],
        dtype=object,
    )
    months = np.array([f"{m:%b %Y}: " for m in matrix.columns], dtype=object)
    count = _cells(counts, lambda v: f"{v:.0f}")
    missing = np.where(np.isnan(counts), "outside the SKU's life", count + " region(s) missing")
    hover = rows[:, None] + months[None, :] + missing
    text = np.where(counts > 0, count, "")
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(matrix.columns),
            y=skus,
            colorscale=[[0, "#EAF2EA"], [0.001, "#FCE3C2"], [1, "#B23A48"]],
            zmin=0,
            zmax=max(1.0, float(pd.DataFrame(matrix).max().max())),
            hoverinfo="text",
            hovertext=hover,
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=9),
            colorbar=dict(title="Regions<br>missing", dtick=1, tickformat="d"),
            xgap=1,
            ygap=1,
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title="Missing sales rows by SKU and month",
        height=max(360, 14 * len(matrix) + 120),
        xaxis_title="Month",
        yaxis=dict(autorange="reversed", title="SKU", tickfont=dict(size=10)),
    )
    return fig
