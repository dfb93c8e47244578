"""The chance the plan meets its budget, from the plan's risk run.

`sop.finance.risk` draws demand 500 times around the forecast band and re-plans each
draw through the plan's capacity. Here: the share of those outcomes whose revenue, and
gross margin, over the budget's months is at or above the budget, per family and in
total. The scope is every budget comparison's (`sop.finance.statement.versus_budget`):
the family-months both the plan and the budget cover whose revenue is known, so a
family with no price loaded, or no budget, is left out of the total too. An outcome's
margin in a family-month is the plan's margin plus the outcome's change of margin (as
the Finance page's margin band reads it). A family's chance is over its own budget
months; the total's adds the families up outcome by outcome (it is not an average of
the families' chances). Revenue ranges by family carry the chance beside them
(`ranges_with_odds`, the pack's "Revenue ranges by family"). Pure pandas / numpy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.core.xlsx import TOTAL, Spec
from sop.finance import family_range
from sop.finance.range_text import is_point
from sop.finance.risk import Risk, p10_p90

ODDS_COLUMNS = [
    schema.FAMILY,
    "budget_revenue",
    schema.REVENUE,
    "revenue_chance",
    "budget_margin",
    schema.MARGIN,
    "margin_chance",
]
AT_BUDGET = 0.5  # half a unit of money: an outcome this close to the budget meets it
CHANCE_SPEC: Spec = [
    ("revenue_chance", "Chance of meeting budget revenue (budget months)", "pct"),
    ("margin_chance", "Chance of meeting budget gross margin (budget months)", "pct"),
]
RANGE_ODDS_SPEC: Spec = [*family_range.RANGE_SPEC, *CHANCE_SPEC]
MEASURES = {"revenue_chance": "revenue", "margin_chance": "gross margin"}
NO_BAND = "no_band"  # `budget_odds`' frame attribute: the run's outcomes are all the plan
NO_BAND_LINE = (
    "No chance of meeting the budget to give: the demand plan has no P10-P90 band, so "
    "all {n} demand outcomes are the plan itself."
)
HELP = (
    "Each of the {n} outcomes draws demand around the forecast band (the P10-P90 of "
    "the demand plan; families and months move together as forecast errors do) and "
    "re-plans it through this plan's capacity: stock, hours, overtime and "
    "subcontracting within their limits, the rest lost or late. The chance is the share "
    "of outcomes whose revenue (or gross margin) over the budget's months, for the "
    "families with a budget and a price, is at or above the budget. It is only as good "
    "as the band: a band too narrow makes it too sure. Prices, costs and capacity are "
    "the plan's in every outcome: only demand varies."
)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=ODDS_COLUMNS)


def _chance(outcomes: np.ndarray, budget: float) -> float:
    """The share of `outcomes` (one value per path) at or above `budget`; NaN where an
    outcome is unknown (no price) or there is no budget figure."""
    if not np.isfinite(budget) or np.isnan(outcomes).any():
        return np.nan
    return float((outcomes >= budget - AT_BUDGET).mean())


def budget_odds(risk: Risk | None, vs_budget: pd.DataFrame) -> pd.DataFrame:
    """Per family with a budget, then a `TOTAL` row: `ODDS_COLUMNS` (money over the
    budget's months; revenue and margin are the plan's, the chances fractions of the
    risk run's outcomes). `vs_budget`: `statement.versus_budget` of the plan. Empty
    without a risk run that kept its paths, or without a month to compare."""
    if risk is None or risk.path_revenue is None or vs_budget.empty:
        return _empty()
    f = pd.Index(risk.family[schema.FAMILY]).get_indexer(vs_budget[schema.FAMILY])
    t = pd.Index(risk.total[schema.MONTH]).get_indexer(vs_budget[schema.MONTH])
    keep = (f >= 0) & (t >= 0)
    vs, f, t = vs_budget[keep].reset_index(drop=True), f[keep], t[keep]
    if vs.empty:
        return _empty()
    revenue = risk.path_revenue[:, f, t]  # (paths, rows compared)
    margin = vs[schema.MARGIN].to_numpy(float)[None] + risk.path_margin_delta[:, f, t]
    # the families, then the total last: a list, not a dict, as a family may be named
    # "Total" (review: a dict key let the total overwrite that family's row)
    groups = [(str(k), v) for k, v in vs.groupby(schema.FAMILY, sort=True).indices.items()]
    groups.append((TOTAL, np.arange(len(vs))))
    flat = no_band(risk)
    rows = []
    for family, idx in groups:
        part = vs.iloc[idx]
        bud_rev = float(part["budget_revenue"].sum(min_count=1))
        bud_mar = float(part["budget_margin"].sum(min_count=1))
        rows.append(
            {
                schema.FAMILY: family,
                "budget_revenue": bud_rev,
                schema.REVENUE: float(part[schema.REVENUE].sum()),
                "revenue_chance": np.nan if flat else _chance(revenue[:, idx].sum(1), bud_rev),
                "budget_margin": bud_mar,
                schema.MARGIN: float(part[schema.MARGIN].sum()),
                "margin_chance": np.nan if flat else _chance(margin[:, idx].sum(1), bud_mar),
            }
        )
    out = pd.DataFrame(rows, columns=ODDS_COLUMNS)
    out.attrs[NO_BAND] = flat
    return out


def no_band(risk: Risk) -> bool:
    """Whether the run's outcomes are all the plan itself: its revenue P10-P90 is a point
    (the demand plan has no P10-P90 band, e.g. a consensus loaded as data). Its chances
    would read 0 % or 100 %, a certainty drawn from one outcome (review), so there are
    none (`NO_BAND_LINE` says why)."""
    lo, hi = p10_p90(risk).get(schema.REVENUE, (np.nan, np.nan))
    return is_point(lo, hi)


def chance_text(x: float) -> str:
    """A chance in whole %, never rounded to a certainty it is not: '<1 %' for one
    outcome in 500, '>99 %' for all but one; '–' when unknown."""
    if fmt.missing(x):
        return "–"
    if 0 < x < 0.005:
        return "<1 %"
    if 0.995 <= x < 1:
        return ">99 %"
    return fmt.pct(x, 0)


def odds_lines(odds: pd.DataFrame, n_paths: int) -> list[str]:
    """One sentence per measure whose total chance is known, e.g. "Chance of meeting
    budget revenue: 38 % of 500 demand outcomes re-planned through this plan's capacity
    (Cooling 2 %, Garden 71 %)." (the families only when there are two or more).
    Family names as typed (escape them where shown)."""
    if odds.empty:
        return []
    if odds.attrs.get(NO_BAND):
        return [NO_BAND_LINE.format(n=f"{n_paths:,}")]
    total, fams = odds.iloc[-1], odds.iloc[:-1]
    out = []
    for col, measure in MEASURES.items():
        if fmt.missing(total[col]):
            continue
        each = ", ".join(f"{f} {chance_text(c)}" for f, c in zip(fams[schema.FAMILY], fams[col]))
        each = f" ({each})" if len(fams) > 1 else ""
        out.append(
            f"Chance of meeting budget {measure}: {chance_text(total[col])} of {n_paths:,} "
            f"demand outcomes re-planned through this plan's capacity{each}."
        )
    return out


def ranges_with_odds(ranges: pd.DataFrame, odds: pd.DataFrame) -> pd.DataFrame:
    """`family_range.family_ranges` with each family's chances (`CHANCE_SPEC` columns:
    NaN for a family the budget does not cover): the `RANGE_ODDS_SPEC` columns."""
    chances = odds.iloc[:-1][[schema.FAMILY, *MEASURES]] if len(odds) else None
    if chances is None or ranges.empty:
        return ranges.assign(**{c: np.nan for c in MEASURES})
    return ranges.merge(chances, on=schema.FAMILY, how="left")[[c for c, _, _ in RANGE_ODDS_SPEC]]


def plan_ranges(risk: Risk | None, vs_budget: pd.DataFrame) -> pd.DataFrame:
    """The revenue ranges by family of a plan's risk run with its chances of meeting the
    budget (`ranges_with_odds`); empty without a run."""
    ranges = family_range.family_ranges(risk.family if risk is not None else None)
    return ranges_with_odds(ranges, budget_odds(risk, vs_budget))
