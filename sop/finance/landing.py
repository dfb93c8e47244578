"""Actuals and the year-end landing: where each fiscal year ends against its budget.

A fiscal year is a calendar year. Its landing is one figure: the actuals up to
the as-of month plus the projection for the months after. It is compared with
the budget over the months the budget covers (the landing's own figure over
those months against the budget's). Months the budget covers but neither the
actuals nor the projection do (beyond the plan horizon) are left out of both
sides, and the note says so, so a comparison never sets part of a year against a
whole one.

The projection is the P&L (`sop.finance.statement.family_pnl`): revenue in the month
it books (shipped, by default), so a backlog shipped after the year end lands in the
next year. The sales history holds revenue but no costs: the margin of an actual
month is estimated as actual revenue - actual units x the family's standard cost per
unit in the projection (`unit_costs`; no production variances: they are not known).
"""

from __future__ import annotations

import pandas as pd

from sop.core import fmt, schema
from sop.finance.tiles import Tile

ACTUAL_COLUMNS = [
    schema.MONTH,
    schema.FAMILY,
    schema.UNITS,
    schema.REVENUE,
    schema.MARGIN,
    "estimated_rows",
]
LANDING_COLUMNS = [
    "year",
    "year_months",
    "actual_months",
    "projected_months",
    "first_month",
    "last_month",
    "actual_revenue",
    "projected_revenue",
    "landing_revenue",
    "actual_margin",
    "projected_margin",
    "landing_margin",
    "budget_months",
    "compared_months",
    "compared_revenue",
    "budget_revenue",
    "revenue_gap",
    "revenue_gap_pct",
    "compared_margin",
    "budget_margin",
    "margin_gap",
    "full_year",
    "note",
]


def unit_costs(pnl: pd.DataFrame, products: pd.DataFrame) -> pd.Series:
    """Standard cost per unit sold by family (standard_cost / units of the projection);
    families that sell nothing fall back to their SKUs' average material cost."""
    g = pnl.groupby(schema.FAMILY)[["standard_cost", schema.UNITS]].sum()
    cost = g["standard_cost"] / g[schema.UNITS].where(g[schema.UNITS] > 0)
    fallback = products.groupby(schema.FAMILY)[schema.MATERIAL_COST].mean()
    return cost.reindex(cost.index.union(fallback.index)).fillna(fallback).rename("unit_cost")


def actuals_by_family(
    sales: pd.DataFrame, products: pd.DataFrame, unit_cost: pd.Series
) -> pd.DataFrame:
    """Actual units, revenue and estimated margin by month and family.

    Columns `ACTUAL_COLUMNS`: month, family, units, revenue, margin, estimated_rows.
    Sales rows with no revenue are valued at the SKU's realised price (its known
    revenue / units), else its list price; `estimated_rows` counts them. Margin =
    revenue - units x `unit_cost` of the family (see the module docstring).
    """
    p = products.drop_duplicates(schema.SKU).set_index(schema.SKU)
    known = (
        sales[sales[schema.REVENUE].notna()]
        .groupby(schema.SKU)[[schema.UNITS, schema.REVENUE]]
        .sum()
    )
    realised = known[schema.REVENUE] / known[schema.UNITS].where(known[schema.UNITS] > 0)
    price = realised.reindex(p.index).fillna(p[schema.LIST_PRICE])
    missing = sales[schema.REVENUE].isna()
    revenue = sales[schema.REVENUE].where(
        ~missing, sales[schema.UNITS] * sales[schema.SKU].map(price)
    )
    df = pd.DataFrame(
        {
            schema.MONTH: sales[schema.MONTH],
            schema.FAMILY: sales[schema.SKU].map(p[schema.FAMILY]),
            schema.UNITS: sales[schema.UNITS],
            schema.REVENUE: revenue.fillna(0.0),
            "estimated_rows": missing.astype(int),
        }
    )
    out = df.groupby([schema.MONTH, schema.FAMILY], as_index=False)[
        [schema.UNITS, schema.REVENUE, "estimated_rows"]
    ].sum()
    out[schema.MARGIN] = out[schema.REVENUE] - out[schema.UNITS] * out[schema.FAMILY].map(
        unit_cost
    ).fillna(0.0)
    return out[ACTUAL_COLUMNS].sort_values([schema.FAMILY, schema.MONTH], ignore_index=True)


def _span(months: list[pd.Timestamp]) -> str:
    if not months:
        return "no months"
    first, last = min(months), max(months)
    return fmt.month(first) if first == last else f"{fmt.month(first)} to {fmt.month(last)}"


def _note(year: int, budget: list, actual: list, projected: list, missing: list) -> str:
    """What a year's landing is made of, in words (shown on screen)."""
    known = sorted(actual + projected)
    sources = ([f"actuals {_span(actual)}"] if actual else []) + (
        [f"projection {_span(projected)}"] if projected else []
    )
    head = (
        f"{year}: "
        + (" + ".join(sources) or "no actuals or projection")
        + ("" if len(known) == 12 else f" ({len(known)} of 12 months known)")
    )
    if not budget:
        return f"{head}. No budget for {year}: nothing to compare with."
    if len(budget) == 12 and not missing:
        return f"{head}, against the full-year budget."
    tail = (
        f"The budget covers {_span(budget)} only ({len(budget)} of 12 months): the "
        "landing is compared with it over those months"
        if len(budget) < 12
        else "Compared with the full-year budget"
    )
    if missing:
        tail += (
            f"; budget months with no actuals or projection ({_span(missing)}, beyond "
            "the plan horizon) are left out of both sides"
        )
    return f"{head}. {tail}."


def year_end_landing(
    actuals: pd.DataFrame, projection: pd.DataFrame, budget: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Each calendar year the projection touches: actuals + projection against budget.

    actuals: month, family, revenue, margin (months up to `as_of`; months from the
    first actual month to `as_of` with no row count as zero); projection: month,
    family, revenue, margin (months after `as_of`; earlier rows are ignored);
    budget: family, month, revenue, margin.

    One landing per year, whatever the budget covers. Columns `LANDING_COLUMNS`:
    year; year_months (months known: actuals or projection), actual_months,
    projected_months, first_month, last_month (of the known months); actual_,
    projected_ and landing_ (= actual + projected) revenue and margin over every
    known month of the year; budget_months; compared_months (budget months that are
    known); compared_revenue / compared_margin (the landing over those months, of the
    families the budget has in each of them: a family without budget is left out) and
    budget_revenue / budget_margin (all NaN without a budget), revenue_gap, margin_gap
    (compared - budget, = landing - budget when the budget covers the whole year),
    revenue_gap_pct (gap / budget); full_year (the budget covers all 12 months and
    all of them are known); note (on screen).
    """
    as_of = pd.Timestamp(as_of)
    projection = projection[projection[schema.MONTH] > as_of]
    actuals = actuals[actuals[schema.MONTH] <= as_of]
    cols = [schema.REVENUE, schema.MARGIN]
    act = actuals.groupby(schema.MONTH)[cols].sum()
    pro = projection.groupby(schema.MONTH)[cols].sum()
    bud = budget.groupby(schema.MONTH)[cols].sum()
    actual_months = list(pd.date_range(act.index.min(), as_of, freq="MS")) if len(act) else []
    act = act.reindex(actual_months, fill_value=0.0)
    # the budget is compared with the landing of the families it covers, month by month
    pairs = budget[[schema.MONTH, schema.FAMILY]].drop_duplicates()
    act_b = actuals.merge(pairs, on=[schema.MONTH, schema.FAMILY]).groupby(schema.MONTH)[cols].sum()
    pro_b = (
        projection.merge(pairs, on=[schema.MONTH, schema.FAMILY]).groupby(schema.MONTH)[cols].sum()
    )
    rows = []
    for year in sorted({m.year for m in pro.index}):

        def in_year(ms, year: int = year) -> list[pd.Timestamp]:
            return sorted(m for m in ms if m.year == year)

        b, a, p = in_year(bud.index), in_year(act.index), in_year(pro.index)
        known = sorted(set(a) | set(p))
        compared = [m for m in b if m in known]
        missing = [m for m in b if m not in known]
        ca, cp = [m for m in a if m in compared], [m for m in p if m in compared]
        row = {
            "year": year,
            "year_months": len(known),
            "actual_months": len(a),
            "projected_months": len(p),
            "first_month": min(known) if known else pd.NaT,
            "last_month": max(known) if known else pd.NaT,
            "budget_months": len(b),
            "compared_months": len(compared),
            "full_year": len(b) == 12 and not missing,
            "note": _note(year, b, a, p, missing),
        }
        for c in cols:
            name = "revenue" if c == schema.REVENUE else "margin"
            row[f"actual_{name}"] = float(act.loc[a, c].sum())
            row[f"projected_{name}"] = float(pro.loc[p, c].sum())
            row[f"landing_{name}"] = row[f"actual_{name}"] + row[f"projected_{name}"]
            row[f"compared_{name}"] = (
                (
                    float(act_b[c].reindex(ca, fill_value=0.0).sum())
                    + float(pro_b[c].reindex(cp, fill_value=0.0).sum())
                )
                if b
                else float("nan")
            )
            row[f"budget_{name}"] = float(bud.loc[compared, c].sum()) if b else float("nan")
            row[f"{name}_gap"] = row[f"compared_{name}"] - row[f"budget_{name}"]
        br = row["budget_revenue"]
        row["revenue_gap_pct"] = row["revenue_gap"] / br if br else float("nan")
        rows.append(row)
    return pd.DataFrame(rows, columns=LANDING_COLUMNS)


LANDING_HELP = (
    "Revenue: actuals to the as-of month + the projection after it. "
    "Against the budget over the months it covers."
)


def tiles(landing: pd.DataFrame, currency: str) -> list[Tile]:
    """One screen tile per year of `year_end_landing`: the landing (actuals +
    projection), its gap to the budget over the budget's months (signed, coloured
    unless it rounds to nothing; "no budget" without one) and the year's note under it
    (a warning when the year is not full)."""
    out = []
    for _, r in landing.iterrows():
        has_budget = r["budget_months"] > 0
        basis = "" if r["full_year"] else f" ({r['compared_months']} budget months)"
        quiet = not has_budget or abs(float(r["revenue_gap"])) < 0.5
        out.append(
            Tile(
                f"{r['year']} landing (actuals + projection)",
                fmt.money(r["landing_revenue"], currency),
                (
                    f"{fmt.money_delta(r['revenue_gap'], currency)} vs budget{basis}"
                    if has_budget
                    else "no budget"
                ),
                "off" if quiet else "normal",
                "off" if quiet else "auto",
                LANDING_HELP,
                (r["note"],),
                warn=not r["full_year"],
            )
        )
    return out
