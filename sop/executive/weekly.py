"""Hand-off to execution (S&OE): the first months of the plan of record in weeks, and
the month's actuals against that plan.

Weeks run Monday to Friday and are cut at month ends: a week's days belong to their
own month, so a week across two months appears once in each. A month's quantity is
split over its weeks in proportion to that month's working days in each week.

Working days: Monday to Friday, unless the capacity calendar says otherwise. The
calendar gives a count per line and month, not the dates, so for a SKU the month has
the fewest working days of the lines it is routed through (the line that stops stops
the SKU), and the days missing against Monday-Friday are taken off the end of the
month (the year-end break, a shutdown; a fraction of a day comes off the last
working day). More calendar days than weekdays (Saturday shifts) are spread evenly,
which leaves the weekly shares as Monday-Friday gives them. A month with no working
day at all is split by weekdays, so the plan still sums back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import csvout, fmt, schema
from sop.core.months import month_start
from sop.supply import capacity

QUANTITIES = ["demand", "production", "subcontracted", "shipped"]
WEEK_COLUMNS = [
    "week_start",
    "week_end",
    schema.MONTH,
    schema.SKU,
    schema.FAMILY,
    schema.PLANT,
    schema.WORKING_DAYS,
    "share",
    *QUANTITIES,
]
ACTUAL_COLUMNS = [
    schema.SKU,
    schema.FAMILY,
    "planned_demand",
    "planned_shipped",
    "actual_units",
    "gap_units",
    "gap_pct",
]


def day_weights(month: pd.Timestamp, working_days: float | None = None) -> pd.Series:
    """Weight of each Monday-Friday date of `month` (1 = a full working day), with
    `working_days` from the calendar applied as in the module docstring."""
    start = month_start(month)
    days = pd.bdate_range(start, start + pd.offsets.MonthEnd(0))
    n = len(days)
    if fmt.missing(working_days) or working_days <= 0:
        w = np.ones(n)
    elif working_days >= n:
        w = np.full(n, working_days / n)
    else:
        w = np.clip(working_days - np.arange(n), 0.0, 1.0)
    return pd.Series(w, index=days)


def week_shares(month: pd.Timestamp, working_days: float | None = None) -> pd.DataFrame:
    """The weeks of `month`: week_start (Monday), week_end (Friday, or the month's last
    weekday), working_days (of this month in the week) and share (sums to 1)."""
    w = day_weights(month, working_days)
    monday = w.index - pd.to_timedelta(w.index.day_of_week, unit="D")
    g = pd.DataFrame({"week_start": monday, "day": w.index, "w": w.to_numpy()})
    out = g.groupby("week_start", as_index=False).agg(
        week_end=("day", "max"), working_days=("w", "sum")
    )
    total = out[schema.WORKING_DAYS].sum()
    out["share"] = out[schema.WORKING_DAYS] / total
    return out


def route_days(tables: dict[str, pd.DataFrame], months: list | pd.Index) -> pd.DataFrame:
    """Working days per SKU and month from the capacity calendar: sku, month,
    working_days (the fewest of the SKU's lines); empty without a calendar."""
    cols = [schema.SKU, schema.MONTH, schema.WORKING_DAYS]
    cap = tables.get(schema.CAPACITY)
    if cap is None or cap.empty or schema.BILL_OF_RESOURCES not in tables:
        return pd.DataFrame(columns=cols)
    hpu = capacity.hours_per_unit(tables[schema.PRODUCTS], tables[schema.BILL_OF_RESOURCES])
    cal = cap[cap[schema.MONTH].isin(pd.Index(months))][
        [schema.RESOURCE, schema.MONTH, schema.WORKING_DAYS]
    ]
    m = hpu[[schema.SKU, schema.RESOURCE]].merge(cal, on=schema.RESOURCE)
    return m.groupby([schema.SKU, schema.MONTH], as_index=False)[schema.WORKING_DAYS].min()[cols]


def weekly_split(sku_plan: pd.DataFrame, days: pd.DataFrame | None = None) -> pd.DataFrame:
    """The monthly SKU x plant plan in weeks. sku_plan: month, sku, family, plant and
    `QUANTITIES`; days: `route_days` (None: Monday-Friday). Columns `WEEK_COLUMNS`;
    per month, SKU and plant the weeks sum back to the monthly plan."""
    if sku_plan.empty:
        return pd.DataFrame(columns=WEEK_COLUMNS)
    plan = sku_plan.groupby(
        [schema.MONTH, schema.SKU, schema.FAMILY, schema.PLANT], as_index=False
    )[QUANTITIES].sum()
    d = (
        days
        if days is not None
        else pd.DataFrame(columns=[schema.SKU, schema.MONTH, schema.WORKING_DAYS])
    )
    plan = plan.merge(
        d.rename(columns={schema.WORKING_DAYS: "_cal"}), on=[schema.SKU, schema.MONTH], how="left"
    )
    plan["_cal"] = plan["_cal"].astype(float).fillna(-1.0)  # -1: no calendar
    keys = plan[[schema.MONTH, "_cal"]].drop_duplicates()
    weeks = pd.concat(
        [
            week_shares(m, None if c < 0 else c).assign(**{schema.MONTH: m, "_cal": c})
            for m, c in keys.itertuples(index=False)
        ],
        ignore_index=True,
    )
    out = plan.merge(weeks, on=[schema.MONTH, "_cal"], how="left")
    for q in QUANTITIES:
        out[q] = out[q] * out["share"]
    return out.sort_values(
        ["week_start", schema.MONTH, schema.PLANT, schema.SKU], ignore_index=True
    )[WEEK_COLUMNS]


def weekly_csv(weekly: pd.DataFrame) -> bytes:
    """The weekly plan as UTF-8 CSV: dates as YYYY-MM-DD, months as YYYY-MM."""
    out = weekly.copy()
    for c in ("week_start", "week_end"):
        out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
    out[schema.MONTH] = pd.to_datetime(out[schema.MONTH]).dt.strftime("%Y-%m")
    return csvout.csv_bytes(out, float_format="%.3f")


def actuals_vs_plan(
    sales: pd.DataFrame, sku_plan: pd.DataFrame, month: pd.Timestamp
) -> pd.DataFrame:
    """Actual demand of `month` against the plan, per SKU (regions summed).

    Columns `ACTUAL_COLUMNS`: planned_demand and planned_shipped (units), actual_units
    (sales), gap_units (actual - planned demand), gap_pct (of planned demand). Empty
    when the plan does not cover `month`; largest absolute gap first.
    """
    month = pd.Timestamp(month)
    plan = sku_plan[sku_plan[schema.MONTH] == month]
    if plan.empty:
        return pd.DataFrame(columns=ACTUAL_COLUMNS)
    p = plan.groupby([schema.SKU, schema.FAMILY], as_index=False)[["demand", "shipped"]].sum()
    act = sales[sales[schema.MONTH] == month].groupby(schema.SKU)[schema.UNITS].sum()
    out = p.rename(columns={"demand": "planned_demand", "shipped": "planned_shipped"})
    out["actual_units"] = out[schema.SKU].map(act).fillna(0.0).astype(float)
    out["gap_units"] = out["actual_units"] - out["planned_demand"]
    pd_ = out["planned_demand"].where(out["planned_demand"] > 0)
    out["gap_pct"] = out["gap_units"] / pd_
    order = out["gap_units"].abs().sort_values(ascending=False).index
    return out.loc[order, ACTUAL_COLUMNS].reset_index(drop=True)


def select(
    weekly: pd.DataFrame, plant: str | None = None, family: str | None = None
) -> pd.DataFrame:
    """The rows of one plant and/or family (None: all)."""
    keep = pd.Series(True, index=weekly.index)
    if plant:
        keep &= weekly[schema.PLANT] == plant
    if family:
        keep &= weekly[schema.FAMILY] == family
    return weekly[keep].reset_index(drop=True)


def by_week(weekly: pd.DataFrame) -> pd.DataFrame:
    """Totals per week part and plant: week_start, month, plant, working_days and
    `QUANTITIES` (units)."""
    g = weekly.groupby(["week_start", schema.MONTH, schema.PLANT], as_index=False)
    return g.agg(
        **{schema.WORKING_DAYS: (schema.WORKING_DAYS, "max")}, **{q: (q, "sum") for q in QUANTITIES}
    )


def actual_totals(actuals: pd.DataFrame) -> dict[str, float]:
    """planned_demand, actual_units, gap_units and gap_pct over all SKUs."""
    plan, act = float(actuals["planned_demand"].sum()), float(actuals["actual_units"].sum())
    return {
        "planned_demand": plan,
        "actual_units": act,
        "gap_units": act - plan,
        "gap_pct": (act - plan) / plan if plan > 0 else np.nan,
    }


SHORT_UNITS = 0.5  # a month of a SKU and plant shipping fewer units short than this is not short
TOP_SHORT = 3  # SKUs named in the shortfall line


def shortfall(weekly: pd.DataFrame) -> dict[str, object]:
    """Where the weekly plan ships below demand. A SKU's month at a plant is short when
    it ships at least `SHORT_UNITS` fewer units than its demand (a month's weeks are
    shares of it, so its weeks are short together). units: units short, summed over
    the short months; weeks / of_weeks: weeks (by their Monday) with a short row / all
    weeks; skus / of_skus: likewise for SKUs; top: [(sku, units short)], most short
    first."""
    keys = [schema.MONTH, schema.SKU, schema.PLANT]
    month = weekly.groupby(keys, as_index=False)[["demand", "shipped"]].sum()
    month["short"] = month["demand"] - month["shipped"]
    short = month[month["short"] >= SHORT_UNITS]
    rows = weekly.merge(short[keys], on=keys)
    by_sku = short.groupby(schema.SKU)["short"].sum().sort_values(ascending=False, kind="stable")
    return {
        "units": float(short["short"].sum()),
        "weeks": int(rows["week_start"].nunique()),
        "of_weeks": int(weekly["week_start"].nunique()),
        "skus": int(short[schema.SKU].nunique()),
        "of_skus": int(weekly[schema.SKU].nunique()),
        "top": [(str(s), float(u)) for s, u in by_sku.items()],
    }


def shortfall_line(weekly: pd.DataFrame) -> str | None:
    """One line when the weekly plan ships below demand, else None: "The plan is short:
    it ships 3,120 units below demand in 9 of 13 weeks, on 4 of 12 SKUs (most short:
    A-1 1,800 units, B-2 900 units, C-3 300 units); what is not shipped in its week
    ships late or is lost." Plain text: escape it for Markdown (`fmt.md`)."""
    if weekly.empty:
        return None
    s = shortfall(weekly)
    if not s["skus"]:
        return None
    top = ", ".join(f"{sku} {fmt.units(u)}" for sku, u in s["top"][:TOP_SHORT])
    return (
        f"The plan is short: it ships {fmt.units(s['units'])} below demand in "
        f"{s['weeks']} of {s['of_weeks']} weeks, on {s['skus']} of "
        f"{fmt.count(s['of_skus'], 'SKU')} "
        f"({'most short: ' if s['skus'] > 1 else ''}{top}); what is not shipped in its "
        "week ships late or is lost."
    )
