"""Scenario figures as text and tables: the Scenarios page's KPI tiles and their
budget lines, the KPI table against baseline and budget, side-by-side comparisons with
the best scenario in each row marked (the ★ rules: `sop.scenario.stars`), and monthly
totals for overlaid charts.

Pure: dicts and DataFrames in, strings and new DataFrames out.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.finance import statement
from sop.finance.catalogue import KPIS, NO_PRICE
from sop.finance.kpi_text import delta_text, value_text
from sop.finance.range_text import ranged_help
from sop.finance.tiles import SERVICE_TILES, Tile, kpi_tile, range_note
from sop.scenario.stars import BEST, best_in_row, competitors
from sop.scenario.wording import escape_md
from sop.supply.capacity import line_utilisation
from sop.supply.plan import PlanResult

ARROWS = {"up": "↑ higher", "down": "↓ lower", "": ""}
BUDGET_KEYS = ("revenue", "gross_margin", "gross_margin_pct", "served_units")


# Short tile labels (the definition is in the tooltip), in rows; counts are shown bare,
# so their labels name the unit.
TILE_ROWS = (
    (
        ("revenue", "Revenue"),
        ("cogs", "Cost of goods sold"),
        ("gross_margin", "Gross margin"),
        ("gross_margin_pct", "Gross margin %"),
    ),
    SERVICE_TILES,
    (
        ("lost_units", "Lost sales (units)"),
        ("lost_value", "Lost sales (value)"),
        ("ending_backlog_units", "Backlog at end (units)"),
    ),
    (
        ("ending_inventory_value", "Ending inventory (value)"),
        ("days_of_supply", "Days of supply"),
        ("inventory_turns", "Inventory turns a year"),
        ("below_safety_stock", "Below safety stock"),
    ),
    (
        ("peak_utilisation", "Peak utilisation"),
        ("overtime_cost", "Overtime cost"),
        ("subcontract_cost", "Subcontract cost"),
        ("hires", "Hires (people)"),
        ("layoffs", "Layoffs (people)"),
    ),
)
TILES = tuple(t for row in TILE_ROWS for t in row)
TILE_UNITS = {"below_safety_stock": "in unit-months"}


def scenario_tiles(
    table: pd.DataFrame,
    budget: Mapping[str, float],
    currency: str = "EUR",
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> list[list[Tile]]:
    """The Scenarios page's tiles in `TILE_ROWS`: each KPI of `table` (`kpi_table`
    indexed by key) against the baseline, the budget line, the P10-P90 range through
    the scenario's plan (`ranges`: `sop.finance.risk.p10_p90`; revenue, margin, fill and
    on-time, worded as on the Executive and Finance pages; the help says what the range
    is and how it is made, and why the scenario's own figure can lie outside it:
    `range_text.ranged_help`) and the unit under it.
    Counts are bare (the label names the unit); the change in % only where a row has
    room for it (four tiles or fewer). Stock is coloured only when the scenario and the
    baseline both serve every order on time and run no further below safety stock than the
    least of the on-time plans (`kpi_tile`'s `fill`: their KPIs). The budget line names the
    scenario's figure over
    the budget's months, which it compares (`budget_text`)."""
    fill = (table["scenario"].to_dict(), table["baseline"].to_dict())
    return [
        [
            kpi_tile(
                key,
                table.at[key, "scenario"],
                currency,
                reference=table.at[key, "baseline"],
                label=label,
                share=len(row) <= 4,
                bare=True,
                fill=fill,
                name="the scenario",
                more_help=ranged_help(key, ranges or {}, table.at[key, "scenario"]),
                notes=tuple(
                    filter(
                        None,
                        (
                            # the range is the tile's, over the horizon: right under it,
                            # before the budget's months (review: under the budget line
                            # it read as that figure's range, and excluded it)
                            range_note(key, ranges or {}, currency, table.at[key, "scenario"]),
                            budget_text(key, budget, currency),
                            TILE_UNITS.get(key),
                        ),
                    )
                ),
            )
            for key, label in row
        ]
        for row in TILE_ROWS
    ]


def undefined_note(figures: Mapping[str, Mapping[str, float]]) -> str | None:
    """Markdown: which KPIs show "–" for which plans, and why (None when none do)."""
    parts = []
    for kpi in KPIS:
        names = [n for n, f in figures.items() if kpi.undefined and fmt.missing(f.get(kpi.key))]
        if names:
            parts.append(f"{kpi.label} for {', '.join(names)}: {kpi.undefined}")
    if not parts:
        return None
    return escape_md("– = not defined. " + "; ".join(parts) + ".")


NO_PRICE_HELP = (
    "– = no price loaded for some SKU planned: money that needs a price (revenue, margin, "
    "values at price) is unknown, not 0. Add list_price to products or revenue to sales."
)


def no_price_help(
    figures: Mapping[str, Mapping[str, float]], columns: tuple[str, ...] | list[str]
) -> dict[str, str]:
    """`NO_PRICE_HELP` as the help of each of a table's `columns` when a KPI that needs
    a price (revenue, margin...) is unknown in any of `figures` (plan -> figures);
    empty when every plan has its money (nothing to explain)."""
    unknown = any(
        kpi.undefined == NO_PRICE and kpi.key in f and fmt.missing(f[kpi.key])
        for f in figures.values()
        for kpi in KPIS
    )
    return dict.fromkeys(columns, NO_PRICE_HELP) if unknown else {}


def budget_text(
    key: str, budget: Mapping[str, float], currency: str = "EUR", name: str = "the scenario"
) -> str | None:
    """The budget line under a tile, naming the figure it compares: the budget covers
    fewer months than the tile's horizon, so the gap is `name`'s figure over the
    budget's months (`plan_<key>`), which the tile does not show: "Budget €26.55M over
    its 12 months: the scenario €27.75M there, +€1.20M (+4.5 %)"; None for KPIs the
    budget has no figure for."""
    if (
        key not in BUDGET_KEYS
        or fmt.missing(budget.get(key))
        or fmt.missing(budget.get(f"plan_{key}"))
    ):
        return None
    bud, plan = float(budget[key]), float(budget[f"plan_{key}"])
    gap = delta_text(key, plan - bud, bud, currency) or "on budget"
    months = budget.get("months")
    span = (
        "its months" if fmt.missing(months) or not months else fmt.count(months, "month", digits=0)
    )
    span = span if span == "its months" else f"its {span}"
    shown = value_text(key, plan, currency)
    return f"Budget {value_text(key, bud, currency)} over {span}: {name} {shown} there, {gap}"


def budget_window(
    pnl: pd.DataFrame, budget: pd.DataFrame
) -> tuple[pd.Timestamp, pd.Timestamp, int] | None:
    """(first month, last month, months) the budget and the plan both cover, or None."""
    if pnl.empty or budget is None or budget.empty:
        return None
    months = statement.versus_budget(pnl, budget)[schema.MONTH]
    if months.empty:
        return None
    return months.min(), months.max(), int(months.nunique())


def kpi_display(table: pd.DataFrame, currency: str = "EUR") -> pd.DataFrame:
    """`sop.kpis.kpi_table` as text with units. Columns: KPI, Better, Scenario,
    Baseline, Change vs baseline, Budget, Scenario in budget months, vs budget."""
    rows = []
    for r in table.itertuples(index=False):
        rows.append(
            {
                "KPI": r.label,
                "Better": ARROWS[r.better],
                "Scenario": value_text(r.key, r.scenario, currency),
                "Baseline": value_text(r.key, r.baseline, currency),
                "Change vs baseline": delta_text(r.key, r.delta, r.baseline, currency)
                or ("–" if fmt.missing(r.scenario) or fmt.missing(r.baseline) else "no change"),
                "Budget": value_text(r.key, r.budget, currency),
                "Scenario in budget months": value_text(r.key, r.plan_in_budget_months, currency),
                "vs budget": ""
                if fmt.missing(r.vs_budget)
                else (delta_text(r.key, r.vs_budget, r.budget, currency) or "on budget"),
            }
        )
    return pd.DataFrame(rows)


# the KPIs with a P10-P90 range through the constrained plan (`sop.finance.risk.METRICS`),
# each as the label of its range row in `compare_table`
RANGE_ROWS = {
    "revenue": "Revenue, P10-P90",
    "gross_margin": "Gross margin, P10-P90",
    "fill_rate": "Fill rate, P10-P90",
    "on_time_rate": "On-time fill rate, P10-P90",
}


def range_text(key: str, ranges: Mapping[str, tuple[float, float]], currency: str = "EUR") -> str:
    """A KPI's P10-P90 range as a cell: "€37.18M to €42.17M", "84.7 % to 91.6 %"; "–"
    where the plan has none (`sop.finance.risk.p10_p90` of an evaluation without a run)."""
    lo, hi = ranges.get(key, (np.nan, np.nan))
    if fmt.missing(lo) or fmt.missing(hi):
        return "–"
    return f"{value_text(key, lo, currency)} to {value_text(key, hi, currency)}"


def compare_table(
    figures: Mapping[str, Mapping[str, float]],
    currency: str = "EUR",
    ranges: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
) -> pd.DataFrame:
    """KPIs side by side: one row per `KPIS` entry, columns KPI, Better and one per
    scenario (in the order given), as text with units; the best value in each row
    (by the KPI's `better` direction, compared as shown; all tied best values) starts
    with ★, among the plans `competitors` names (stock only among the plans that serve
    every order on time and run no further below safety stock than the least of the on-time
    plans; units served, revenue and gross margin only when the plans' demands do not
    differ: `star_note` says so under
    the table).
    `ranges`: plan -> `sop.finance.risk.p10_p90`; when some plan has one, a row
    "Revenue, P10-P90" (`RANGE_ROWS`) follows each KPI with a range, never starred."""
    rows = []
    ranged = any(ranges.get(n) for n in figures) if ranges else False
    for kpi in KPIS:
        vals = {name: f.get(kpi.key, np.nan) for name, f in figures.items()}
        among = competitors(kpi, figures, currency)
        best = best_in_row(vals, kpi.better, kpi.key, currency, among)
        rows.append(
            {
                "KPI": kpi.label,
                "Better": ARROWS[kpi.better],
                **{
                    n: (BEST if n in best else "") + value_text(kpi.key, v, currency)
                    for n, v in vals.items()
                },
            }
        )
        if ranged and kpi.key in RANGE_ROWS:
            rows.append(
                {
                    "KPI": RANGE_ROWS[kpi.key],
                    "Better": "",
                    **{n: range_text(kpi.key, ranges.get(n) or {}, currency) for n in figures},
                }
            )
    return pd.DataFrame(rows)


def utilisation_compare(scenario: PlanResult, baseline: PlanResult) -> pd.DataFrame:
    """Per line: resource, name, plant, avg, peak (scenario) and base_avg, base_peak
    (fractions of regular hours)."""
    s, b = line_utilisation(scenario.resource_use), line_utilisation(baseline.resource_use)
    b = b.rename(columns={"avg": "base_avg", "peak": "base_peak"})[
        [schema.RESOURCE, "base_avg", "base_peak"]
    ]
    out = s.merge(b, on=schema.RESOURCE, how="outer")
    return out[[schema.RESOURCE, schema.NAME, schema.PLANT, "avg", "peak", "base_avg", "base_peak"]]


def gap_by_month(family_plan: pd.DataFrame, family: str | None = None) -> pd.DataFrame:
    """Demand against supply per month (one family, or all): month, demand, served,
    lost, backlog (month end), inventory (month end), in units."""
    fp = family_plan if family is None else family_plan[family_plan[schema.FAMILY] == family]
    g = fp.groupby(schema.MONTH, as_index=False)[
        ["demand", "shipped", "lost_sales", "backlog", "inventory"]
    ].sum()
    return g.rename(columns={"shipped": "served", "lost_sales": "lost"})


def monthly_totals(plan: PlanResult, pnl: pd.DataFrame) -> pd.DataFrame:
    """Per month: month, revenue, margin (money) and inventory (month-end units)."""
    money = pnl.groupby(schema.MONTH)[[schema.REVENUE, schema.MARGIN]].sum()
    inv = plan.family_plan.groupby(schema.MONTH)["inventory"].sum()
    return money.join(inv, how="outer").fillna(0.0).reset_index()


def budget_note(pnl: pd.DataFrame, budget: pd.DataFrame | None) -> str | None:
    """The sentence explaining the budget lines: which months they cover."""
    window = budget_window(pnl, budget) if budget is not None else None
    if window is None:
        return None
    first, last, n = window
    scope = " ".join(
        filter(
            None,
            (
                statement.budget_scope_note(pnl[schema.FAMILY].unique(), budget),
                statement.unpriced_note(pnl, budget),
            ),
        )
    )
    return (
        f"Changes are against the baseline (nothing moved). Budget lines compare with the "
        f"budget over the {n} months it covers ({fmt.month(first)} to {fmt.month(last)})."
        + (f" {scope}" if scope else "")
    )
