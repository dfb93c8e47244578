"""The value axis of bridges and waterfalls: one rule for every one of them.

When the steps are small against the totals (EUR 10k-400k steps on a EUR 9M margin)
an axis from zero turns the steps into slivers. Then the axis starts a little below
the smallest running total, at a round money value, and the break is marked: a
break mark (//) on the axis and a note "axis starts at €8.0M". When a total is near zero or
negative, or the steps are large, the axis keeps zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import plotly.graph_objects as go

from sop.core import fmt, money_axis
from sop.core.charts import INK

SMALL = 0.5  # steps spanning less than half the smallest total are "small"
PAD = 0.3  # room below the lowest level, as a share of the steps' span
HEAD = 0.18  # room above the highest level (bar labels sit outside), share of the axis
BREAK = "M -0.012,0.015 L 0.012,0.045 M -0.012,0.045 L 0.012,0.075"  # // across the axis
MUTED = "#6B7B8C"


@dataclass(frozen=True)
class ValueRange:
    """The axis range [lo, hi] and whether it is broken (starts above zero)."""

    lo: float
    hi: float
    broken: bool


def levels(amounts: Iterable[float], measures: Iterable[str]) -> list[float]:
    """The running level after each bar, as Plotly draws it: `absolute` sets the
    level, `relative` adds to it, `total` keeps it (its amount is ignored)."""
    level, out = 0.0, []
    for a, m in zip(amounts, measures):
        if m == "absolute":
            level = float(a)
        elif m == "relative":
            level += float(a)
        out.append(level)
    return out


def value_range(amounts: Iterable[float], measures: Iterable[str]) -> ValueRange:
    """Where the value axis of a waterfall starts and ends (see the module doc)."""
    lv = levels(amounts, measures)
    lo, hi = (min(lv), max(lv)) if lv else (0.0, 0.0)
    span = hi - lo
    if lo <= 0 or span >= SMALL * lo:
        low, high = min(lo, 0.0), max(hi, 0.0)
        room = HEAD * ((high - low) or 1.0)
        return ValueRange(low - (room if low < 0 else 0.0), high + room, False)
    pad = max(PAD * span, 0.02 * lo)
    ticks, _ = fmt.money_ticks(lo - pad, hi, include_zero=False)
    start = max(ticks[0], 0.0)
    top = hi + HEAD * (hi - start)
    return ValueRange(start, top, start > 0)


def apply(
    fig: go.Figure,
    amounts: Iterable[float],
    measures: Iterable[str],
    currency: str,
    title: str,
    font_size: int = 12,
) -> ValueRange:
    """Money ticks and the range of `value_range` on the figure's y axis; when the
    axis does not start at zero, the break mark (//) and the note that say so."""
    amounts, measures = list(amounts), list(measures)
    rng = value_range(amounts, measures)
    money_axis.axis(
        fig, currency, [rng.lo, rng.hi], title, include_zero=not rng.broken, range=[rng.lo, rng.hi]
    )
    if rng.broken:
        start = fmt.money_tick(rng.lo, currency)
        fig.add_shape(
            type="path",
            path=BREAK,
            xref="paper",
            yref="paper",
            line=dict(color=MUTED, width=2),
            name="axis break",
        )
        fig.add_annotation(
            text=f"≈ axis starts at {start}, not zero",
            xref="paper",
            yref="paper",
            x=0.0,
            y=0.0,
            xshift=12,
            yshift=2,
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=font_size, color=INK),
            bgcolor="rgba(255,255,255,0.9)",
            name="axis break",
        )
    return rng
