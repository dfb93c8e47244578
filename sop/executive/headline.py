"""The Executive headline: the KPIs the meeting decides on (`HEADLINE`), each with its
value, its P10-P90 through the constrained plan and its changes against the budget,
the previous plan of record and the baseline (`headline`). `sop.executive.view` puts
it in the `ExecView` and makes the page's tiles of it (`headline_tiles`); the pack's
Summary sheet and HTML cards read the same frame.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.executive.snapshots import kpis_as_kept
from sop.finance import budget_odds
from sop.finance.catalogue import KPI_BY_KEY
from sop.finance.kpi_text import delta_text, value_text
from sop.finance.range_text import ranged_help
from sop.finance.stock_rating import unserved_note
from sop.finance.tiles import range_note
from sop.scenario import compare

HEADLINE = (
    ("revenue", "Revenue"),
    ("gross_margin", "Gross margin"),
    ("ending_inventory_value", "Inventory value (end)"),
    ("avg_utilisation", "Line utilisation"),
    # an average hides a short plan's limits: how often one binds, and which (`detail`)
    # the unit in the label, the value bare: "3 limit-months" was cut by a tile five a row
    ("binding_resource_months", "Binding (limit-months)"),
    ("fill_rate", "Fill rate"),
    ("on_time_rate", "On-time fill rate"),
    ("late_units", "Late (units)"),
    ("late_value", "Late deliveries (value)"),
    # units never served: a short plan's fill rate says how many, this what they are worth
    ("lost_value", "Lost sales (value)"),
)
# the page draws the headline in rows of five: money and capacity, then service
HEADLINE_ROW = 5
DEFINITIONS = {
    "revenue": "Revenue of the units sold over the plan horizon, booked in the month "
    "they ship (or are ordered, as the plan settings say).",
    "gross_margin": "Revenue - cost of goods at standard cost - production variances "
    "(idle time, overtime premium, hiring, layoffs, subcontract price) - holding and "
    "backlog costs, over the plan horizon.",
    "fill_rate": "Share of demand served over the plan horizon.",
    "on_time_rate": "Share of demand delivered in the month it was ordered, over the plan "
    "horizon (oldest orders served first).",
    "late_units": "Units ordered in the plan horizon that ship after the month ordered, or "
    "are still owed at the end (each unit once, however long it waits).",
    "late_value": "Units ordered in the plan horizon that ship after the month ordered "
    "(or are still owed at the end) x the family's average price: the revenue that ships "
    "late, each unit once however long it waits.",
    "lost_value": "Units ordered in the plan horizon and never served x the family's "
    "average price: revenue lost to the shortage.",
    "ending_inventory_value": "Stock at the end of the plan horizon, at standard cost.",
    "avg_utilisation": "Capacity utilisation of the production lines: hours used / "
    "regular hours, averaged over the lines' open months: a month a line is shut (no "
    "hours) is left out, so a shutdown can raise it (the open months run fuller).",
    "binding_resource_months": "Months a limit binds (a line's or labour pool's hours, a "
    "family's units, a supplier's or subcontractor's cap), summed over the limits: one "
    "more hour or unit there would improve the plan (its objective). The Supply page's "
    "bottleneck table lists them. A month a limit binds while shut (a line with no hours, "
    "a cap at nothing) counts too, named apart under the tile ('line RS-ASM1 8 months + "
    "10 shut'): more of it adds nothing there, reopening it is the lever.",
}


# the previous plan of record lacks the figure: a snapshot saved by an older version
# (`sop.executive.snapshots.kpis_as_kept`), never read as 'no change' or as 0
NO_PREVIOUS_FIGURE = "the previous plan of record holds no figure (saved by an older version)"
# the KPIs whose tile value is bare: the label names the unit
BARE = ("binding_resource_months",)
# the tiles whose help says the chance of meeting the budget: KPI -> `budget_odds` column
CHANCES = {"revenue": "revenue_chance", "gross_margin": "margin_chance"}


def chance_sentence(key: str, odds: pd.DataFrame | None, n_paths: int, currency: str) -> str:
    """Finance's sentence for the chance of KPI `key` meeting the budget
    (`budget_odds.odds_lines` of that measure alone: "Chance of meeting budget revenue
    (€26.55M over Nov 2026 to Dec 2027): 14 % of 500 demand outcomes re-planned through
    this plan's capacity (Cooling 37 %, ...); P10-P90 there €22.80M to €26.86M.", for a
    tile's help: family names escaped for Markdown, `fmt.md`); '' without one."""
    if key not in CHANCES or odds is None or odds.empty:
        return ""
    others = {c: np.nan for c in CHANCES.values() if c != CHANCES[key]}
    named = odds.assign(**others, **{schema.FAMILY: odds[schema.FAMILY].map(fmt.md)})
    return " ".join(budget_odds.odds_lines(named, n_paths, currency))


def _vs_previous(
    key: str, value: float, previous: Mapping[str, float] | None, currency: str
) -> tuple[float, str]:
    """(this plan - the previous plan of record, the change as a short text)."""
    if previous is None:
        return np.nan, "no previous plan of record"
    if key not in previous:
        return np.nan, NO_PREVIOUS_FIGURE
    ref = previous[key]
    d = value - ref
    if not np.isfinite(d):
        return np.nan, "previous plan not defined"
    return d, f"{delta_text(key, d, ref, currency) or 'no change'} vs previous plan"


def _vs_baseline(
    key: str,
    value: float,
    baseline: dict[str, float] | None,
    currency: str,
    fill: Mapping[str, float] | None = None,
) -> tuple[float, str]:
    """(this plan - the baseline, the change as a short text). A stock KPI
    (`Kpi.served_only`) that moved while this plan (KPIs `fill`) or the baseline runs
    short, ships late or runs below safety stock says so, as the Scenarios tile does
    (`unserved_note`): "-€329k (-9.6 %)
    vs baseline; lower because this plan leaves orders unserved (fill rate 93.1 %), not
    better"."""
    if baseline is None:
        return np.nan, "no baseline"
    ref = baseline.get(key, np.nan)
    d = value - ref
    if not np.isfinite(d):
        return np.nan, "baseline not defined"
    change = delta_text(key, d, ref, currency)
    text = f"{change or 'no change'} vs baseline"
    if change and KPI_BY_KEY[key].served_only:
        why = unserved_note(key, d, (fill, baseline), "this plan", "baseline")
        text += f"; {why[0].lower()}{why[1:]}" if why else ""
    return d, text


def headline(
    kpis: dict[str, float],
    budget: dict[str, float],
    previous: Mapping[str, float] | None,
    currency: str,
    baseline: dict[str, float] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    binding: str = "",
    odds: pd.DataFrame | None = None,
    n_paths: int = 0,
    gap: str = "",
) -> pd.DataFrame:
    """The headline KPIs (`HEADLINE`). Columns: key, label (short, fits a tile), value,
    text, p10, p90 and range_text (the KPI's P10-P90 through the constrained plan, from
    `ranges` = `sop.finance.risk.p10_p90`: NaN and '' where it has none), vs_budget
    (plan - budget over the budget's months; NaN where the budget has no such figure),
    vs_budget_text, budget_short (one line for under a tile naming the figure compared,
    this plan's over the budget's months, as the Scenarios tiles do
    (`compare.budget_text`): the tile's value covers the whole horizon; '' without a
    budget figure),
    vs_previous (this plan - the previous plan of record; NaN where either lacks the
    figure), vs_previous_text ('no previous plan of record' without one,
    `NO_PREVIOUS_FIGURE` where its snapshot lacks the KPI),
    vs_baseline (this plan - the baseline, nothing moved; NaN without one),
    vs_baseline_text (for stock, why it is lower or higher where a plan runs short:
    `_vs_baseline`), help (what the KPI is, the comparisons in full, then what its
    range is and how it is made, `range_text.ranged_help`), detail (a
    line for under the tile: the limits that bind most, `binding` from
    `sop.finance.kpis.binding_names`, their shut months apart, on the binding tile; ''
    elsewhere; plain text), chance (revenue and gross margin: the share of the risk
    run's `n_paths` demand outcomes meeting the budget in total, from `odds` =
    `budget_odds.budget_odds` of the plan, as the Finance page's budget tab reads it;
    NaN elsewhere or without it; the help then says it as Finance does,
    `chance_sentence`; revenue's help then says `gap`, how much of a gap below budget
    is supply, `sop.executive.budget_lines.budget_supply`, escaped for Markdown).
    `headline_tiles` makes the page's tiles of it. text is bare (no unit word) for the
    KPIs in `BARE`, whose label names the unit."""
    # as the snapshot reader reads it: an older version's late value is no figure
    previous = None if previous is None else kpis_as_kept(dict(previous))
    rows = []
    for key, label in HEADLINE:
        v = kpis.get(key, np.nan)
        vb = (
            budget.get(f"plan_{key}", np.nan) - budget.get(key, np.nan) if key in budget else np.nan
        )
        # the figure compared named, as under the tile: the tile shows the horizon
        said = "" if np.isnan(vb) else compare.budget_text(key, budget, currency, "this plan")
        row = {
            "key": key,
            "label": label,
            "value": v,
            "text": value_text(key, v, currency, bare=key in BARE),
            "vs_budget": vb,
            "vs_budget_text": said or "no budget figure",
            # under a tile only where the budget has the figure (the help says it has
            # not), short so the summary fits one screen; the help and pack name the
            # figure compared (`vs_budget_text`)
            "budget_short": (
                ""
                if np.isnan(vb)
                else f"{delta_text(key, vb, budget.get(key), currency) or 'on budget'} vs "
                f"budget over its {int(budget.get('months', 0) or 0)} months"
            ),
        }
        row["vs_previous"], row["vs_previous_text"] = _vs_previous(key, v, previous, currency)
        row["p10"], row["p90"] = (ranges or {}).get(key, (np.nan, np.nan))
        row["range_text"] = range_note(key, ranges or {}, currency, v) or ""
        row["vs_baseline"], row["vs_baseline_text"] = _vs_baseline(key, v, baseline, currency, kpis)
        row["detail"] = binding if key == "binding_resource_months" else ""
        row["help"] = (
            f"{DEFINITIONS[key]} Against the budget: {row['vs_budget_text']}; "
            f"against the previous plan of record: {row['vs_previous_text']}; against "
            f"the baseline: {row['vs_baseline_text']}."
        )
        if key in (ranges or {}):  # what the P10-P90 under the tile is, how it is made
            row["help"] += f" {ranged_help(key, ranges, v)}"
        total = odds.iloc[-1] if odds is not None and len(odds) else None
        row["chance"] = np.nan if total is None or key not in CHANCES else total[CHANCES[key]]
        if said := chance_sentence(key, odds, n_paths, currency):  # as Finance's budget tab
            row["help"] += f" {said}"
        if key == "revenue" and gap:  # names as typed: escaped, as the chance sentence's
            row["help"] += f" {fmt.safe_md(gap)}"
        rows.append(row)
    return pd.DataFrame(rows)
