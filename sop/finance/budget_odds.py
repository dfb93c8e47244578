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
the families' chances). Beside each chance, the figures over the same months: the
budget, the plan's own figure and the outcomes' P10 / P50 / P90 (review: a chance over
the budget's 14 months beside a range over the plan's 18 read as wrong; Kitchen's
€7.70M-€9.04M over the horizon holds its €8.89M budget, over the budget's months its
P90 is €7.44M, hence 0 %). Revenue ranges by family carry them (`ranges_with_odds`, the
pack's "Revenue ranges by family"). Pure pandas / numpy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.core.xlsx import TOTAL, Spec
from sop.finance import family_range
from sop.finance.range_text import is_point
from sop.finance.risk import QUANTILES, Risk, p10_p90

# chance column -> the measure in words; -> (its column of the plan, of the budget, the
# stem of its outcomes' P10 / P50 / P90 over the budget's months)
MEASURES = {"revenue_chance": "revenue", "margin_chance": "gross margin"}
FIGURES = {
    "revenue_chance": (schema.REVENUE, "budget_revenue", "revenue_bm"),
    "margin_chance": (schema.MARGIN, "budget_margin", "margin_bm"),
}
ODDS_COLUMNS = [
    schema.FAMILY,
    "budget_months",  # the budget's months, in words ('Nov 2026 to Dec 2027')
    "budget_revenue",
    schema.REVENUE,
    *(f"revenue_bm_{q}" for q in QUANTILES),
    "revenue_chance",
    "budget_margin",
    schema.MARGIN,
    *(f"margin_bm_{q}" for q in QUANTILES),
    "margin_chance",
    "capped",  # whether supply caps the upside of a family of the row (`family_range.CAPPED`)
]
CAPPED = "capped"
AT_BUDGET = 0.5  # half a unit of money: an outcome this close to the budget meets it
BM = "(budget months)"
CHANCE_SPEC: Spec = [
    ("revenue_chance", f"Chance of meeting budget revenue {BM}", "pct_whole"),
    ("margin_chance", f"Chance of meeting budget gross margin {BM}", "pct_whole"),
]
_chance_spec = dict((c, (h, k)) for c, h, k in CHANCE_SPEC)
# each chance with the figures over the same months beside it
BUDGET_MONTHS_SPEC: Spec = [
    ("budget_months", "Budget months", "text"),
    *(
        row
        for col, (plan, budget, bm) in FIGURES.items()
        for row in (
            (budget, f"Budget {MEASURES[col]} {BM}", "money"),
            (plan, f"{MEASURES[col].capitalize()}, plan {BM}", "money"),
            *(
                (f"{bm}_{q}", f"{MEASURES[col].capitalize()} {q.upper()} {BM}", "money")
                for q in QUANTILES
            ),
            (col, *_chance_spec[col]),
        )
    ),
]
# the ranges' own columns are over the plan's horizon: said so beside the budget months'
HORIZON = "(plan horizon)"
_AS_PLAIN = {" (plan, value)": ", plan value", " (plan)": ", plan", " (value)": ", value"}


def _horizon(header: str) -> str:
    """'Orders (plan, value)' -> 'Orders, plan value (plan horizon)'."""
    for old, new in _AS_PLAIN.items():
        header = header.replace(old, new)
    return f"{header} {HORIZON}"


HORIZON_SPEC: Spec = [
    (c, h if c in (schema.FAMILY, "supply") else _horizon(h), k)
    for c, h, k in family_range.RANGE_SPEC
]
RANGE_ODDS_SPEC: Spec = [*HORIZON_SPEC, *BUDGET_MONTHS_SPEC]
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
    "families with a budget and a price, is at or above the budget; the P10-P90 beside "
    "it is over the same months. Capacity caps the upside: demand above what the plan "
    "can make is lost or late while low demand lowers revenue, so the median outcome "
    "can sit below the plan, and a plan just above its budget can still meet it in "
    "fewer than half the outcomes (the draws scatter around the plan too). It is only "
    "as good as the band: a band too narrow makes it too sure. Prices, costs and "
    "capacity are the plan's in every outcome: only demand varies."
)


def _quantiles(outcomes: np.ndarray) -> dict[str, float]:
    """P10 / P50 / P90 of `outcomes` (one value per path), as the risk run's; NaN where
    an outcome is unknown (no price)."""
    if np.isnan(outcomes).any():
        return dict.fromkeys(QUANTILES, np.nan)
    return dict(zip(QUANTILES, np.quantile(outcomes, list(QUANTILES.values())).tolist()))


def empty() -> pd.DataFrame:
    """No chance of meeting the budget figured (no risk run, or no month to compare):
    the `ODDS_COLUMNS`, no row (the Finance and Executive views' default)."""
    return pd.DataFrame(columns=ODDS_COLUMNS)


def _chance(outcomes: np.ndarray, budget: float) -> float:
    """The share of `outcomes` (one value per path) at or above `budget`; NaN where an
    outcome is unknown (no price) or there is no budget figure."""
    if not np.isfinite(budget) or np.isnan(outcomes).any():
        return np.nan
    return float((outcomes >= budget - AT_BUDGET).mean())


def budget_odds(risk: Risk | None, vs_budget: pd.DataFrame) -> pd.DataFrame:
    """Per family with a budget, then a `TOTAL` row: `ODDS_COLUMNS` (money over the
    budget's months, named in budget_months; revenue and margin are the plan's,
    revenue_bm_p10 / _p50 / _p90 and margin_bm_* the outcomes' quantiles of their sum
    over those months, the chances fractions of the risk run's outcomes). `vs_budget`:
    `statement.versus_budget` of the plan. Empty without a risk run that kept its
    paths, or without a month to compare."""
    if risk is None or risk.path_revenue is None or vs_budget.empty:
        return empty()
    f = pd.Index(risk.family[schema.FAMILY]).get_indexer(vs_budget[schema.FAMILY])
    t = pd.Index(risk.total[schema.MONTH]).get_indexer(vs_budget[schema.MONTH])
    keep = (f >= 0) & (t >= 0)
    vs, f, t = vs_budget[keep].reset_index(drop=True), f[keep], t[keep]
    if vs.empty:
        return empty()
    revenue = risk.path_revenue[:, f, t]  # (paths, rows compared)
    margin = vs[schema.MARGIN].to_numpy(float)[None] + risk.path_margin_delta[:, f, t]
    # the families, then the total last: a list, not a dict, as a family may be named
    # "Total" (review: a dict key let the total overwrite that family's row)
    groups = [(str(k), v) for k, v in vs.groupby(schema.FAMILY, sort=True).indices.items()]
    groups.append((TOTAL, np.arange(len(vs))))
    flat = no_band(risk)
    capped = _capped(risk)
    rows = []
    for family, idx in groups:
        part = vs.iloc[idx]
        row = {
            schema.FAMILY: family,
            "budget_months": fmt.month_runs(part[schema.MONTH]),
            CAPPED: bool(part[schema.FAMILY].isin(capped).any()),
        }
        for col, paths in (("revenue_chance", revenue), ("margin_chance", margin)):
            plan, budget, bm = FIGURES[col]
            outcomes = paths[:, idx].sum(1)
            row[budget] = float(part[budget].sum(min_count=1))
            row[plan] = float(part[plan].sum())
            row |= {f"{bm}_{q}": v for q, v in _quantiles(outcomes).items()}
            row[col] = np.nan if flat else _chance(outcomes, row[budget])
        rows.append(row)
    out = pd.DataFrame(rows, columns=ODDS_COLUMNS)
    out.attrs[NO_BAND] = flat
    return out


def _capped(risk: Risk) -> set[str]:
    """The families whose upside the plan's capacity caps over the horizon
    (`family_range.family_ranges`: "Capped by supply"); none where the run holds no
    ranges."""
    needed = {"orders_p50", "orders_p90", "revenue_p50", "revenue_p90"}
    if not needed <= set(risk.family.columns):
        return set()
    ranges = family_range.family_ranges(risk.family)
    return set(ranges.loc[ranges["supply"] == family_range.CAPPED, schema.FAMILY])


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


def _disagreement(row: pd.Series, col: str, currency: str) -> str:
    """Where the plan's own figure over the budget's months and the chance disagree (the
    plan at or above the budget met in under half the outcomes, or below it met in
    over half), what the reader needs: the outcomes' median is on the other side of
    the budget, and why where the run shows it ("; the plan itself is above budget
    (€26.66M), but capacity caps high demand: half the outcomes land below €26.35M"
    where a family's upside is capped, `family_range.CAPPED`; else "the outcomes
    centre lower": demand drawn around the plan scatters, and a plan just above its
    budget lands below it in about half the draws); '' where they agree."""
    plan, budget, bm = FIGURES[col]
    chance, median = row[col], row[f"{bm}_{schema.P50}"]
    if fmt.missing(row[plan]) or fmt.missing(row[budget]) or fmt.missing(median):
        return ""
    above = row[plan] >= row[budget] - AT_BUDGET  # as an outcome meets it
    if not ((above and chance < 0.5) or (not above and chance > 0.5)):
        return ""
    figure, half = fmt.money(row[plan], currency), fmt.money(median, currency)
    if not above:
        return (
            f"; the plan itself is below budget ({figure}), but the outcomes centre higher: "
            f"half the outcomes land above {half}"
        )
    at = "at" if abs(row[plan] - row[budget]) < AT_BUDGET else "above"
    why = "capacity caps high demand" if row[CAPPED] else "the outcomes centre lower"
    return (
        f"; the plan itself is {at} budget ({figure}), but {why}: half the outcomes land "
        f"below {half}"
    )


def odds_lines(odds: pd.DataFrame, n_paths: int, currency: str) -> list[str]:
    """One sentence per measure whose total chance is known, naming the budget and its
    months, with the outcomes' P10-P90 over the same months, e.g. "Chance of meeting
    budget revenue (€26.55M over Nov 2026 to Dec 2027): 14 % of 500 demand outcomes
    re-planned through this plan's capacity (Cooling 37 %, Garden 66 %); P10-P90 there
    €22.80M to €26.86M." (the families only when there are two or more), and why where
    the plan and the chance disagree (`_disagreement`). Family names as typed (escape
    them where shown)."""
    if odds.empty:
        return []
    if odds.attrs.get(NO_BAND):
        return [NO_BAND_LINE.format(n=f"{n_paths:,}")]
    total, fams = odds.iloc[-1], odds.iloc[:-1]
    out = []
    for col, measure in MEASURES.items():
        if fmt.missing(total[col]):
            continue
        _, budget, bm = FIGURES[col]
        each = ", ".join(f"{f} {chance_text(c)}" for f, c in zip(fams[schema.FAMILY], fams[col]))
        each = f" ({each})" if len(fams) > 1 else ""
        lo, hi = (fmt.money(total[f"{bm}_{q}"], currency) for q in (schema.P10, schema.P90))
        out.append(
            f"Chance of meeting budget {measure} ({fmt.money(total[budget], currency)} over "
            f"{total['budget_months']}): {chance_text(total[col])} of {n_paths:,} demand "
            f"outcomes re-planned through this plan's capacity{each}; P10-P90 there {lo} "
            f"to {hi}{_disagreement(total, col, currency)}."
        )
    return out


def ranges_with_odds(ranges: pd.DataFrame, odds: pd.DataFrame) -> pd.DataFrame:
    """`family_range.family_ranges` (over the plan horizon) with each family's chances
    and the figures over the budget's months beside them (`BUDGET_MONTHS_SPEC` columns
    of `budget_odds`: NaN, and budget_months '', for a family the budget does not
    cover): the `RANGE_ODDS_SPEC` columns."""
    cols = [c for c, _, _ in RANGE_ODDS_SPEC]
    budgeted = [c for c, _, _ in BUDGET_MONTHS_SPEC]
    if not len(odds) or ranges.empty:
        out = ranges.assign(**{c: np.nan for c in budgeted})
    else:
        out = ranges.merge(odds.iloc[:-1][[schema.FAMILY, *budgeted]], on=schema.FAMILY, how="left")
    return out.assign(budget_months=out["budget_months"].astype(object).fillna(""))[cols]


def plan_ranges(risk: Risk | None, vs_budget: pd.DataFrame) -> pd.DataFrame:
    """The revenue ranges by family of a plan's risk run with its chances of meeting the
    budget and the figures over the budget's months (`ranges_with_odds`); empty without
    a run."""
    ranges = family_range.family_ranges(risk.family if risk is not None else None)
    return ranges_with_odds(ranges, budget_odds(risk, vs_budget))
