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


def ranged_help(key: str, ranges: Mapping[str, tuple[float, float]]) -> str | None:
    """`range_help` for the tile of KPI `key` with its range in `ranges`
    (`sop.finance.risk.p10_p90`); None where it has none. Whether the demand plan has a
    band is read from the revenue range (demand moves it); a KPI flat where demand
    varies (fill 100.0 % in every outcome) says so, not that there is no band (review:
    it told the user to run a forecast that existed)."""
    if key not in ranges:
        return None
    no_band = is_point(*ranges.get("revenue", ranges[key]))
    text = range_help(no_band)
    if not no_band and is_point(*ranges[key]):
        text += f" {SAME_EVERYWHERE}"
    return text


def is_point(lo: float | None, hi: float | None) -> bool:
    """Whether a P10-P90 range is a point: both ends known and equal (as
    `risk_view.risk_note` tells, `numpy.allclose`'s tolerances)."""
    return not fmt.missing(lo) and not fmt.missing(hi) and abs(lo - hi) <= 1e-8 + 1e-5 * abs(hi)
