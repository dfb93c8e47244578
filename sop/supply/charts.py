"""Supply-planning charts. Each builder returns a Figure and never displays it.

Inputs are the frames of `sop.capacity.rough_cut` and `sop.supply.PlanResult`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sop.core import fmt, money_axis, schema, waterfall_axis
from sop.core.charts import GRID, INK, PALETTE, TEMPLATE

RED, AMBER, GREEN = "#B23A48", "#E0A21F", "#2E8B57"
MONTH_AXIS = dict(tickformat="%b %Y", dtick="M2", title="Month")
LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0)


def _empty(title: str) -> go.Figure:
    return go.Figure(layout=dict(template=TEMPLATE, title=title))


def _add_month_bar(
    fig: go.Figure,
    frame: pd.DataFrame,
    y: pd.Series,
    name: str,
    color: str,
    hover: str,
    customdata: pd.Series | None = None,
) -> None:
    """One bar trace over `frame`'s months: every bar of these charts has this shape."""
    extra = {} if customdata is None else {"customdata": customdata}
    fig.add_bar(
        x=frame[schema.MONTH], y=y, name=name, marker_color=color, hovertemplate=hover, **extra
    )


def _add_load(
    fig: go.Figure, u: pd.DataFrame, r: pd.DataFrame, hover: str, units: bool = False
) -> None:
    """Planned hours as stacked bars (regular + overtime), the rough-cut as markers.
    `units`: a family's capacity in units, which has no overtime: one bar, the units
    planned."""
    regular = u["load_hours"] - u["overtime_hours"]
    name = "Planned" if units else "Planned on regular time"
    _add_month_bar(fig, u, regular, name, PALETTE[0], hover)
    if not units:
        _add_month_bar(fig, u, u["overtime_hours"], "Planned overtime", PALETTE[1], hover)
    fig.add_scatter(
        x=r[schema.MONTH],
        y=r["load_hours"],
        name="Needed by demand (rough-cut)",
        mode="markers",
        marker=dict(symbol="diamond", size=9, color=INK),
        hovertemplate=hover,
    )


def _add_capacity(fig: go.Figure, u: pd.DataFrame, hover: str, units: bool = False) -> None:
    """Regular hours and regular + most overtime as step lines (`units`: the most units
    a month alone, as there is no overtime)."""

    # one month has no line to draw: show the capacity as a wide tick instead
    def lines(width: float) -> dict:
        return (
            dict(mode="lines")
            if len(u) > 1
            else dict(
                mode="markers",
                marker=dict(
                    symbol="line-ew-open", size=60, color=RED, line=dict(color=RED, width=width)
                ),
            )
        )

    fig.add_scatter(
        x=u[schema.MONTH],
        y=u["available_hours"],
        name="Capacity" if units else "Regular capacity",
        line=dict(color=RED, width=2.5, shape="hvh"),
        hovertemplate=hover,
        **lines(2.5),
    )
    if units:
        return
    fig.add_scatter(
        x=u[schema.MONTH],
        y=u["available_hours"] + u["max_overtime_hours"],
        name="Regular + overtime cap",
        line=dict(color=RED, width=1.5, dash="dash", shape="hvh"),
        hovertemplate=hover,
        **lines(1),
    )


def capacity_chart(use: pd.DataFrame, rough: pd.DataFrame, resource: str) -> go.Figure:
    """Hours of one resource per month: planned load as bars (regular + overtime),
    the demand's unconstrained load (rough-cut) as markers, regular hours and
    regular + most overtime as capacity lines. A family's capacity in units (`per` =
    unit in `use`) is drawn and labelled in units, without the overtime bar and line
    (units a month have no overtime)."""
    u = use[use[schema.RESOURCE] == resource].sort_values(schema.MONTH)
    if u.empty:
        return _empty(f"No hours for {fmt.plot_text(resource)}")
    r = rough[rough[schema.RESOURCE] == resource].sort_values(schema.MONTH)
    first = u.iloc[0]
    units = first.get("per", "hour") == "unit"  # a family's capacity in units a month
    hover = (
        f"%{{x|%b %Y}}: %{{y:,.0f}} {'units' if units else 'h'}<extra>%{{fullData.name}}</extra>"
    )
    fig = go.Figure()
    _add_load(fig, u, r, hover, units)
    _add_capacity(fig, u, hover, units)
    kind = (
        "planned workers x hours per worker"
        if first[schema.KIND] == schema.KIND_LABOUR
        else "the capacity calendar"
    )
    what, subtitle = (
        ("units made vs the most units a month", "Capacity from family_capacity; units per month")
        if units
        else ("load vs available hours", f"Regular hours from {kind}; hours per month")
    )
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        hovermode="x unified",
        title=dict(
            text=fmt.plot_text(f"{resource} · {first[schema.NAME]} ({first[schema.PLANT]}): ")
            + what,
            subtitle=dict(text=subtitle),
        ),
        margin=dict(t=80),
        legend=LEGEND_BELOW,
        yaxis_title="Units per month" if units else "Hours per month",
        xaxis=MONTH_AXIS,
        height=480,
    )
    return fig


def _no_hours_idle(frame: pd.DataFrame, grid: pd.DataFrame) -> np.ndarray:
    """Cells of `grid` (resource x month) whose resource has no regular hours that month;
    all False when `frame` carries no available_hours."""
    if "available_hours" not in frame:
        return np.zeros(grid.shape, dtype=bool)
    hours = frame.pivot_table(
        index=schema.RESOURCE, columns=schema.MONTH, values="available_hours", aggfunc="first"
    ).reindex(index=grid.index, columns=grid.columns)
    return (hours.to_numpy(dtype=float) <= 1e-9) & ~np.isnan(grid.to_numpy(dtype=float))


def utilisation_heatmap(frame: pd.DataFrame, title: str) -> go.Figure:
    """Resource x month heat map of `utilisation` (load / regular hours, or units for a
    family's capacity in units) in %.

    `frame` is a rough-cut or a plan's resource_use (resource, name, month, utilisation).
    """
    if frame.empty:
        return _empty("No resources")
    names = dict(zip(frame[schema.RESOURCE], frame[schema.NAME]))
    grid = frame.pivot_table(
        index=schema.RESOURCE, columns=schema.MONTH, values="utilisation", aggfunc="first"
    )
    z = 100 * grid.to_numpy(dtype=float)
    # load in a month with no regular hours (a shut line, a pool without workers) is the
    # worst cell, not a blank one: drawn at the top of the scale and written "0 h"
    no_hours = np.isinf(z)
    idle = _no_hours_idle(frame, grid) & ~no_hours  # no hours and nothing to make
    z = np.where(no_hours | idle, np.nan, z)
    top = max(125.0, float(np.nanmax(z, initial=0)))
    z = np.where(no_hours, top, z)
    text = np.where(np.isnan(z), "", np.char.mod("%.0f%%", np.nan_to_num(z)))
    text = np.where(no_hours | idle, "0 h", text)
    hover = np.where(
        no_hours,
        "load but no regular hours (shut or no workers)",
        np.where(
            idle,
            "no regular hours",
            np.where(
                np.isnan(z),
                "no figure",
                np.char.mod("%.0f %% of regular capacity", np.nan_to_num(z)),
            ),
        ),
    )
    stops = [
        [0, "#EAF2EA"],
        [70 / top, "#CFE6CF"],
        [85 / top, "#FCE3C2"],
        [100 / top, "#F4A259"],
        [min(1.0, 100.01 / top), RED],
        [1, "#7A1F2B"],
    ]
    labels = [fmt.plot_text(f"{r} · {names.get(r, '')}") for r in grid.index]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(grid.columns),
            y=labels,
            zmin=0,
            zmax=top,
            colorscale=stops,
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            textfont=dict(size=10),
            xgap=1,
            ygap=1,
            colorbar=dict(title="Load /<br>regular<br>capacity (%)"),
            hovertemplate="%{y}<br>%{x|%b %Y}: %{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        xaxis=MONTH_AXIS,
        yaxis=dict(autorange="reversed", title=""),
        height=max(320, 36 * len(labels) + 140),
    )
    return fig


def _add_supply_bars(fig: go.Figure, m: pd.DataFrame, color: str, hover: str) -> None:
    """Made in-house and subcontracted as bars up, lost sales as a bar below zero."""
    _add_month_bar(fig, m, m["production"], "Made in-house", color, hover)
    _add_month_bar(fig, m, m["subcontracted"], "Subcontracted", PALETTE[6], hover)
    lost_hover = "%{x|%b %Y}: %{customdata:,.0f} units lost<extra></extra>"
    _add_month_bar(
        fig, m, -m["lost_sales"], "Lost sales (below zero)", RED, lost_hover, m["lost_sales"]
    )


def demand_name(sources: Iterable[str] | None = None) -> str:
    """The demand line's legend: "Demand (forecast)", by the demand plan's `source`
    values ("Demand (forecast, forecast + override)" when mixed); "Demand" unknown."""
    given = list(dict.fromkeys(str(s) for s in sources)) if sources is not None else []
    return f"Demand ({', '.join(given)})" if given else "Demand"


def _add_stock_lines(fig: go.Figure, m: pd.DataFrame, hover: str, demand: str) -> None:
    """Demand (legend `demand`), inventory, safety stock and backlog as lines."""
    fig.add_scatter(
        x=m[schema.MONTH],
        y=m["demand"],
        name=demand,
        mode="lines+markers",
        line=dict(color=INK, width=2.5),
        hovertemplate=hover,
    )
    fig.add_scatter(
        x=m[schema.MONTH],
        y=m["inventory"],
        name="Inventory (month end)",
        mode="lines",
        line=dict(color=PALETTE[5], width=2),
        hovertemplate=hover,
    )
    fig.add_scatter(
        x=m[schema.MONTH],
        y=m["safety_stock"],
        name="Safety stock target",
        mode="lines",
        line=dict(color=PALETTE[5], width=1, dash="dot"),
        hovertemplate=hover,
    )
    fig.add_scatter(
        x=m[schema.MONTH],
        y=m["backlog"],
        name="Backlog (month end)",
        mode="lines",
        line=dict(color=AMBER, width=2, dash="dash"),
        hovertemplate=hover,
    )


def plan_chart(
    family_plan: pd.DataFrame, family: str | None, color: str, demand: str = "Demand"
) -> go.Figure:
    """Plan vs demand per month for one family (None: all families): production and
    subcontracting as bars, lost sales below zero, demand (legend `demand`, e.g.
    `demand_name` of the plan's sources), inventory, safety stock and backlog as lines
    (units)."""
    fp = family_plan if family is None else family_plan[family_plan[schema.FAMILY] == family]
    cols = [
        "demand",
        "production",
        "subcontracted",
        "lost_sales",
        "backlog",
        "inventory",
        "safety_stock",
    ]
    m = fp.groupby(schema.MONTH, as_index=False)[cols].sum()
    hover = "%{x|%b %Y}: %{y:,.0f} units<extra>%{fullData.name}</extra>"
    fig = go.Figure()
    _add_supply_bars(fig, m, color, hover)
    _add_stock_lines(fig, m, hover, demand)
    fig.update_layout(
        template=TEMPLATE,
        barmode="relative",
        hovermode="x unified",
        title=f"{fmt.plot_text(family or 'All families')}: supply plan vs demand (units per month)",
        yaxis_title="Units",
        xaxis=MONTH_AXIS,
        legend=LEGEND_BELOW,
        height=480,
    )
    fig.add_hline(y=0, line_color=GRID)
    return fig


def cost_waterfall(costs: pd.DataFrame, currency: str) -> go.Figure:
    """Revenue down to gross margin, then penalties (and the plan's own stock valuation,
    `sop.supply.results.cost_table`) down to the plan's objective."""
    if costs.empty:
        return _empty("No costs")
    rev = costs[costs["kind"] == "revenue"]
    cost = costs[(costs["kind"] == "cost") & (costs["amount"].abs() > 0.5)]
    pen = costs[costs["kind"].isin(("penalty", "plan")) & (costs["amount"].abs() > 0.5)]
    margin = float(rev["amount"].sum() - cost["amount"].sum())
    labels = list(rev["label"]) + list(cost["label"]) + ["Gross margin"]
    values = list(rev["amount"]) + list(-cost["amount"]) + [0.0]
    measure = ["relative"] * (len(rev) + len(cost)) + ["total"]
    shown = [*values[:-1], margin]
    if len(pen):  # a second total only when penalties make it differ
        labels += list(pen["label"]) + ["Plan objective"]
        values += list(-pen["amount"]) + [0.0]
        measure += ["relative"] * len(pen) + ["total"]
        shown += list(-pen["amount"]) + [margin - float(pen["amount"].sum())]
    fig = go.Figure(
        go.Waterfall(
            x=labels,
            y=values,
            measure=measure,
            textposition="outside",
            text=[fmt.money(v, currency) for v in shown],
            increasing=dict(marker_color=GREEN),
            decreasing=dict(marker_color=RED),
            totals=dict(marker_color=PALETTE[0]),
            connector=dict(line=dict(color=GRID)),
            customdata=money_axis.texts(shown, currency),
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"From revenue to gross margin over the horizon ({currency})",
        showlegend=False,
    )
    waterfall_axis.apply(fig, values, measure, currency, f"Money ({currency})")
    return fig
