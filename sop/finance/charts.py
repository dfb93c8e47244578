"""Finance charts of the projection against budget: ranges by family, monthly and
cumulative gaps, the year-end landing. Each builder returns a Figure and never
displays it (the margin bridge and inventory: `sop.finance.margin_charts`).

Inputs are the frames of `sop.finance.view.FinanceView`; money axes carry the
dataset's currency, families keep their colour (`sop.core.charts.family_colors`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sop.core import fmt, money_axis, schema
from sop.core.charts import GRID, INK, PALETTE, TEMPLATE
from sop.core.months import add_months
from sop.finance.range_text import range_lines

GREY, RED, GREEN = "#8A96A3", "#B23A48", "#2E8B57"
GAP_UP, GAP_DOWN = "triangle-up", "triangle-down"  # a gap's marker by its sign
LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.16, xanchor="left", x=0)
LABELS = {schema.REVENUE: "Revenue", schema.MARGIN: "Gross margin"}


def empty(title: str) -> go.Figure:
    """A blank figure saying why there is nothing to draw."""
    return go.Figure(layout=dict(template=TEMPLATE, title=title))


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _add_actuals(
    fig: go.Figure, actual: pd.DataFrame, currency: str, first: bool, cell: dict
) -> None:
    """The family's actual revenue (grey), one legend entry for all panels."""
    fig.add_scatter(
        x=actual[schema.MONTH],
        y=actual[schema.REVENUE],
        name="Actual",
        mode="lines",
        line=dict(color=GREY, width=1.5),
        legendgroup="actual",
        showlegend=first,
        customdata=money_axis.texts(actual[schema.REVENUE], currency),
        hovertemplate=money_axis.hover(),
        **cell,
    )


def _add_range(
    fig: go.Figure, b: pd.DataFrame, measure: str, fam: str, colour: str, currency: str, cell: dict
) -> None:
    """The P10-P90 band: an invisible P90 line, then the P10 line filled up to it."""
    lo, hi = b[f"{measure}_{schema.P10}"], b[f"{measure}_{schema.P90}"]
    fig.add_scatter(
        x=b[schema.MONTH],
        y=hi,
        mode="lines",
        line=dict(width=0),
        showlegend=False,
        hoverinfo="skip",
        legendgroup=f"band-{fmt.plot_text(fam)}",
        **cell,
    )
    fig.add_scatter(
        x=b[schema.MONTH],
        y=lo,
        mode="lines",
        line=dict(width=0),
        fill="tonexty",
        fillcolor=_rgba(colour, 0.18),
        name=f"{fmt.plot_text(fam)} P10-P90",
        legendgroup=f"band-{fmt.plot_text(fam)}",
        showlegend=False,
        customdata=[
            f"{x} to {y}"
            for x, y in zip(money_axis.texts(lo, currency), money_axis.texts(hi, currency))
        ],
        hovertemplate=money_axis.hover(),
        **cell,
    )


def _add_projection(
    fig: go.Figure,
    b: pd.DataFrame,
    measure: str,
    fam: str,
    colour: str,
    currency: str,
    first: bool,
    cell: dict,
) -> None:
    """The family's projection (line) and, where the budget has figures, the budget
    (dashed, one legend entry for all panels)."""
    hover = money_axis.hover()
    fig.add_scatter(
        x=b[schema.MONTH],
        y=b[measure],
        name=f"{fmt.plot_text(fam)} projection",
        mode="lines",
        line=dict(color=colour, width=2.5),
        customdata=money_axis.texts(b[measure], currency),
        hovertemplate=hover,
        **cell,
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
            **cell,
        )


def band_chart(
    bands: pd.DataFrame,
    actuals: pd.DataFrame,
    measure: str,
    currency: str,
    colors: dict[str, str],
    history_months: int = 12,
) -> go.Figure:
    """One panel per family: the projection (line) with its P10-P90 band, the budget
    (dashed) and, for revenue, the last `history_months` of actuals (grey); the
    subtitle says how the band is made (`band_subtitle`)."""
    if bands.empty:
        return empty("No projection")
    label, lines = LABELS[measure], band_subtitle(bands, measure)
    fams = sorted(bands[schema.FAMILY].unique())
    cols = 2 if len(fams) > 1 else 1
    rows = math.ceil(len(fams) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[fmt.plot_text(f) for f in fams],
        shared_xaxes=True,
        vertical_spacing=0.12 if rows > 1 else 0.08,
        horizontal_spacing=0.07,
    )
    start = add_months(bands[schema.MONTH].min(), -history_months)
    for i, fam in enumerate(fams):
        cell = dict(row=i // cols + 1, col=i % cols + 1)
        b = bands[bands[schema.FAMILY] == fam].sort_values(schema.MONTH)
        colour = colors.get(fam, PALETTE[i % len(PALETTE)])
        seen = [
            b[f"{measure}_{schema.P90}"],
            b[f"{measure}_{schema.P10}"],
            b[measure],
            b[f"budget_{measure}"],
        ]
        if measure == schema.REVENUE and len(actuals):
            a = actuals[(actuals[schema.FAMILY] == fam) & (actuals[schema.MONTH] >= start)]
            _add_actuals(fig, a, currency, i == 0, cell)
            seen.append(a[schema.REVENUE])
        _add_range(fig, b, measure, fam, colour, currency, cell)
        _add_projection(fig, b, measure, fam, colour, currency, i == 0, cell)
        money_axis.axis(
            fig,
            currency,
            pd.concat(seen),
            f"{label} ({currency}/month)",
            include_zero=False,
            target=5,
            **cell,
        )
    fig.update_xaxes(tickformat="%b %Y", showgrid=False, linecolor=GRID)
    fig.update_layout(
        template=TEMPLATE,
        height=330 * rows + 90,
        legend=LEGEND_BELOW,
        title=dict(
            text=f"{label} by family and month: projection with its P10-P90 range",
            subtitle=dict(text="<br>".join(lines)),
        ),
        margin=dict(t=100 + 18 * len(lines)),
    )
    return fig


def band_subtitle(bands: pd.DataFrame, measure: str) -> list[str]:
    """The band chart's subtitle lines: what is shaded and dashed, then how the range is
    made, as the Scenarios Risk tab says it (`range_text.range_lines`); where P10 = P90
    everywhere nothing is shaded: the budget, then why the range is a point
    (`range_text.RANGE_POINT`); the budget alone where no month has a range."""
    lo, hi = bands[f"{measure}_{schema.P10}"], bands[f"{measure}_{schema.P90}"]
    if lo.isna().all():
        return ["Dashed: budget (no P10-P90 range)"]
    if np.allclose(lo.fillna(hi), hi.fillna(lo)):
        return ["Dashed: budget", *range_lines(flat=True)]
    return ["Shaded: 8 in 10 demand outcomes land inside; dashed: budget", *range_lines()]


def _add_cumulative(
    fig: go.Figure, x: pd.Series, pro: pd.Series, bud: pd.Series, currency: str
) -> None:
    """Running totals: the budget (dashed), then the projection with the gap to it shaded."""
    hover = money_axis.hover()
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


def _add_monthly(
    fig: go.Figure, x: pd.Series, pro: pd.Series, bud: pd.Series, currency: str
) -> None:
    """Monthly bars: the projection beside the budget."""
    hover = money_axis.hover()
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


def budget_chart(
    by_month: pd.DataFrame, measure: str, currency: str, cumulative: bool
) -> go.Figure:
    """Projection against budget, all families: monthly bars, or running totals as lines
    with the gap shaded."""
    if by_month.empty:
        return empty("The budget covers none of the plan's months")
    label, pre = LABELS[measure], "cum_" if cumulative else ""
    x, pro, bud = (
        by_month[schema.MONTH],
        by_month[f"{pre}{measure}"],
        by_month[f"{pre}budget_{measure}"],
    )
    fig = go.Figure()
    if cumulative:
        _add_cumulative(fig, x, pro, bud, currency)
    else:
        _add_monthly(fig, x, pro, bud, currency)
    gap = by_month[f"{pre}{measure}_gap"]
    fig.add_scatter(
        x=x,
        y=gap,
        name="Gap (projection - budget)",
        mode="markers",
        # above budget: a green triangle up; below: a red triangle down (not colour alone)
        marker=dict(
            symbol=[GAP_UP if g >= 0 else GAP_DOWN for g in gap],
            size=9,
            color=[GREEN if g >= 0 else RED for g in gap],
        ),
        customdata=money_axis.texts(gap, currency, delta=True),
        hovertemplate=money_axis.hover(),
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


def _add_gap_notes(fig: go.Figure, landing: pd.DataFrame, name: str, currency: str) -> pd.Series:
    """The gap to budget as text above each year's bar (or its budget marker, if
    higher); returns that height per year."""
    total, gap = landing[f"landing_{name}"], landing[f"{name}_gap"]
    has = landing["budget_months"] > 0
    notes = [
        f"{fmt.money_delta(g, currency)} vs budget" if b else "no budget" for g, b in zip(gap, has)
    ]
    top = pd.concat([total, (total - gap).fillna(total)], axis=1).max(axis=1)
    fig.add_scatter(
        x=landing["year"].astype(str),
        y=top,
        mode="text",
        text=notes,
        textposition="top center",
        showlegend=False,
        hoverinfo="skip",
        textfont=dict(color=INK),
    )
    return top


def _add_budget_marker(fig: go.Figure, landing: pd.DataFrame, name: str, currency: str) -> None:
    """A bar-wide marker where the budget would put each year that has one."""
    has = landing["budget_months"] > 0
    if not has.any():
        return
    ref = (landing[f"landing_{name}"] - landing[f"{name}_gap"])[has]
    months = [
        f"budget {int(c)} of 12 months" + ("" if f else ", landing for the rest")
        for c, f in zip(landing["compared_months"][has], landing["full_year"][has])
    ]
    fig.add_scatter(
        x=landing["year"].astype(str)[has],
        y=ref,
        name="Budget (same months)",
        mode="markers",
        marker=dict(symbol="line-ew-open", size=60, color=INK, line=dict(width=3, color=INK)),
        customdata=[f"{t} ({m})" for t, m in zip(money_axis.texts(ref, currency), months)],
        hovertemplate=money_axis.hover("%{x}"),
    )


def landing_chart(landing: pd.DataFrame, measure: str, currency: str) -> go.Figure:
    """Per fiscal year, one landing bar: actuals (grey) + projection (blue) stacked; a
    bar-wide marker where the budget would put the year (the budget over the months
    it covers, the landing for the others), so the distance from the bar's top to
    the marker is the gap shown on the tiles and in the table; the gap as text."""
    if landing.empty:
        return empty("No year to land")
    label = LABELS[measure]
    name = "revenue" if measure == schema.REVENUE else "margin"
    years = landing["year"].astype(str)
    actual, projected = landing[f"actual_{name}"], landing[f"projected_{name}"]
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
    top = _add_gap_notes(fig, landing, name, currency)
    _add_budget_marker(fig, landing, name, currency)
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
