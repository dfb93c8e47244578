"""How the P10-P90 ranges are made, in one set of words.

The ranges come from `sop.finance.risk`: demand drawn `N_PATHS` times, each draw
re-planned through the plan's capacity. The Scenarios Risk tab's caption
(`sop.scenario.risk_view.risk_note`), the help of every tile with a range
(`sop.finance.tiles`, the Executive headline), the band charts, the Compare page's
caption under its table and the meeting pack say it in these words. Pure text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from sop.core import fmt
from sop.finance.catalogue import KPI_BY_KEY
from sop.finance.kpi_text import value_text

# how the ranges are made (`sop.finance.risk.N_PATHS` draws)
RANGE_BASIS = (
    "Demand is drawn 500 times from the forecast's uncertainty and each draw goes "
    "through the plan's capacity: more orders ship from the plan's stock, then are made "
    "in the hours, overtime and subcontracting the plan leaves, else wait as backlog or "
    "are lost; fewer orders make less."
)
# ... and why a range is a point (P10 = P90)
RANGE_POINT = (
    "The range is a point: the demand plan has no P10-P90 band (a loaded "
    "consensus with no statistical forecast stored). Run `python -m sop "
    "forecast`, or *Run forecast* on the Demand page, to draw one."
)
# ... and why a KPI's range is a point while demand varies
SAME_EVERYWHERE = "This figure is the same in every outcome: demand moves, this does not."
# what "P10-P90" under a figure means, before how the outcomes are made
RANGE_MEANING = "P10-P90: 8 in 10 demand outcomes land inside the range."
# the same in one line, for a chart too narrow for the sentence (the Executive page's
# half-width revenue chart); where the range is a point, why
RANGE_SHADED = (
    "Shaded: where 8 in 10 of 500 demand outcomes land, each re-planned through the plan's capacity"
)
POINT_SHADED = "Shaded: a point, the demand plan has no P10-P90 band"
# after a range the plan's own figure lies outside (review: on-time 97.4 % under
# "P10-P90: 97.5 % to 99.0 %" read as a bug; LP re-solves of the outcomes agree, it is not;
# "on the forecast itself" was lost on a CEO)
OUTSIDE = "{shown} if demand equals the forecast; 9 in 10 outcomes are {side}"
# ... and why, in the help
OUTSIDE_WHY = (
    "The figure itself is the plan if demand equals the forecast, not an outcome. A plan "
    "short of capacity can fare better on most outcomes than on the forecast (a busier "
    "outcome makes subcontracting or overtime worth its cost, a quieter one leaves fewer "
    "orders late), or worse."
)


def range_help(flat: bool = False, plain: bool = False) -> str:
    """The help of a figure shown with its P10-P90 range: what the range means and how
    it is made (`RANGE_BASIS`), or, when it is a point (`flat`: P10 = P90), why;
    `plain`: without Markdown marks (a chart's or a workbook's text)."""
    text = f"{RANGE_MEANING} {RANGE_POINT if flat else RANGE_BASIS}"
    return text.replace("`", "").replace("*", "") if plain else text


def range_lines(flat: bool = False, width: int = 110) -> list[str]:
    """How the ranges are made (`RANGE_BASIS`; `RANGE_POINT` when the range is a point),
    without Markdown marks, in lines of at most `width` characters: a chart's
    subtitle, which does not wrap by itself."""
    text = (RANGE_POINT if flat else RANGE_BASIS).replace("`", "").replace("*", "")
    return textwrap.wrap(text, width)


def ranged_help(
    key: str, ranges: Mapping[str, tuple[float, float]], value: float | None = None
) -> str | None:
    """`range_help` for the tile of KPI `key` with its range in `ranges`
    (`sop.finance.risk.p10_p90`); None where it has none. Whether the demand plan has a
    band is read from the revenue range (demand moves it); a KPI flat where demand
    varies (fill 100.0 % in every outcome) says so, not that there is no band (review:
    it told the user to run a forecast that existed). Where the plan's own figure
    `value` lies outside the range, why it can (`OUTSIDE_WHY`)."""
    if key not in ranges:
        return None
    no_band = is_point(*ranges.get("revenue", ranges[key]))
    text = range_help(no_band)
    if not no_band and is_point(*ranges[key]):
        text += f" {SAME_EVERYWHERE}"
    if outside(value, *ranges[key], key):
        text += f" {OUTSIDE_WHY}"
    return text


def outside(
    value: float | None, lo: float | None, hi: float | None, key: str | None = None
) -> str | None:
    """Where the plan's own figure `value` lies against its P10-P90 range [lo, hi]:
    "higher" (the outcomes are: it is below P10), "lower" (above P90), None inside or
    where a figure is unknown (a rounding's width, `is_point`'s tolerance, is inside).
    With the tile's KPI `key`, also None where the figure and the end it passes read the
    same on screen (`kpi_text.value_text`): "98.6 % to 99.8 % (98.6 % if demand equals
    the forecast ...)" contradicts itself (review: 98.555 % against a P10 of 98.563 %)."""
    if fmt.missing(value) or fmt.missing(lo) or fmt.missing(hi):
        return None
    side, end = None, None
    if value < lo and not is_point(value, lo):
        side, end = "higher", lo
    elif value > hi and not is_point(value, hi):
        side, end = "lower", hi
    if side and key in KPI_BY_KEY and value_text(key, value) == value_text(key, end):
        return None
    return side


def outside_note(
    shown: str, value: float | None, lo: float | None, hi: float | None, key: str | None = None
) -> str:
    """The words after a range the plan's own figure (`value`, on screen `shown`) lies
    outside, in brackets: " (97.4 % if demand equals the forecast; 9 in 10
    outcomes are higher)"; "" inside, or where it reads as the end it passes (`outside` with the
    KPI `key`). Below P10, 9 in 10 outcomes or more lie above the figure (and above P90,
    below it)."""
    side = outside(value, lo, hi, key)
    return f" ({OUTSIDE.format(shown=shown, side=side)})" if side else ""


def is_point(lo: float | None, hi: float | None) -> bool:
    """Whether a P10-P90 range is a point: both ends known and equal (as
    `risk_view.risk_note` tells, `numpy.allclose`'s tolerances)."""
    return not fmt.missing(lo) and not fmt.missing(hi) and abs(lo - hi) <= 1e-8 + 1e-5 * abs(hi)
