"""The demo's supply and finance tables: resources, capacity calendar, workforce,
bill of resources, subcontracting and material caps, inventory and the budget,
built from Northwind's design (`sop.data.demo_company`) and its sales history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import add_months, next_month
from sop.data.demo_company import (
    AS_OF,
    BUDGET_MONTHS,
    EASTER_MONDAYS,
    FAMILIES,
    FAMILY,
    HOLIDAYS,
    HORIZON,
    HOURS_PER_WORKER,
    LABOUR,
    LABOUR_ABSORPTION,
    LINES,
    OVERHEAD,
    OVERRIDES,
    OVERTIME_SHARE,
    REALISATION,
    ROUTING,
    SHUTDOWN,
    table_frame,
)


def _working_days(month: pd.Timestamp) -> int:
    """Weekdays in the month minus public holidays falling on a weekday."""
    end = next_month(month)
    hol = [f"{month.year}-{d}" for d in HOLIDAYS] + list(EASTER_MONDAYS)
    return int(np.busday_count(month.date(), end.date(), holidays=hol))


def supply_tables() -> dict[str, pd.DataFrame]:
    """Resources, capacity calendar, workforce and bill of resources."""
    res = [
        {
            schema.RESOURCE: r,
            schema.PLANT: plant,
            schema.NAME: name,
            schema.KIND: schema.KIND_LINE,
            schema.REGULAR_COST_PER_HOUR: cost,
            schema.OVERTIME_COST_PER_HOUR: cost * 1.5,
            schema.MAX_OVERTIME_HOURS: round(OVERTIME_SHARE * 21 * shifts * 8),
        }
        for r, plant, name, shifts, _, cost in LINES
    ]
    res += [
        {
            schema.RESOURCE: r,
            schema.PLANT: plant,
            schema.NAME: name,
            schema.KIND: schema.KIND_LABOUR,
            schema.REGULAR_COST_PER_HOUR: cost,
            schema.OVERTIME_COST_PER_HOUR: cost * 1.5,
            schema.MAX_OVERTIME_HOURS: 0.0,
        }
        for r, plant, name, cost, _ in LABOUR
    ]
    cap = []
    for r, _, _, shifts, eff, _ in LINES:
        for m in HORIZON:
            days = _working_days(m) - (SHUTDOWN[2] if (r, m) == SHUTDOWN[:2] else 0)
            cap.append(
                {
                    schema.RESOURCE: r,
                    schema.MONTH: m,
                    schema.WORKING_DAYS: days,
                    schema.SHIFTS: shifts,
                    schema.HOURS_PER_SHIFT: 8.0,
                    schema.EFFICIENCY: eff,
                }
            )
    wf = [
        {
            schema.RESOURCE: r,
            schema.WORKERS: n,
            schema.HOURS_PER_WORKER: HOURS_PER_WORKER,
            schema.MAX_OVERTIME_PER_WORKER: 20.0,
            schema.HIRING_COST: 4000.0,
            schema.LAYOFF_COST: 6000.0,
            schema.MAX_HIRES_PER_MONTH: 5.0,
        }
        for r, _, _, _, n in LABOUR
    ]
    bor = [
        {schema.FAMILY: fam, schema.RESOURCE: r, schema.HOURS_PER_UNIT: h}
        for fam, route in ROUTING.items()
        for r, h in route
    ]
    bor += [
        {schema.SKU: sku, schema.RESOURCE: r, schema.HOURS_PER_UNIT: h} for sku, r, h in OVERRIDES
    ]
    return {
        schema.RESOURCES: table_frame(schema.RESOURCES, res),
        schema.CAPACITY: table_frame(schema.CAPACITY, cap),
        schema.WORKFORCE: table_frame(schema.WORKFORCE, wf),
        schema.BILL_OF_RESOURCES: table_frame(schema.BILL_OF_RESOURCES, bor),
    }


def family_costs(products: pd.DataFrame, sales: pd.DataFrame) -> pd.DataFrame:
    """Per family, unit-weighted over the last 12 months: price, material, conversion cost.

    Conversion = family routing hours x regular hourly cost (labour and line time);
    the budget's standard conversion charges labour hours at wage / `LABOUR_ABSORPTION`,
    as finance absorbs the wages of a workforce that is not busy every hour."""
    last = sales[sales[schema.MONTH] > add_months(AS_OF, -12)]
    units = last.groupby(schema.SKU)[schema.UNITS].sum()
    p = products.set_index(schema.SKU).assign(w=units).fillna({"w": 0.0})
    cost = {r[0]: r[-1] for r in LINES} | {r[0]: r[3] for r in LABOUR}
    conv = {f: sum(h * cost[r] for r, h in route) for f, route in ROUTING.items()}
    labour = {r[0] for r in LABOUR}
    std = {
        f: sum(h * cost[r] / (LABOUR_ABSORPTION if r in labour else 1.0) for r, h in route)
        for f, route in ROUTING.items()
    }
    g = p.groupby(schema.FAMILY)
    return pd.DataFrame(
        {
            "price": g.apply(lambda d: np.average(d[schema.LIST_PRICE], weights=d["w"])),
            "material": g.apply(lambda d: np.average(d[schema.MATERIAL_COST], weights=d["w"])),
            "conversion": pd.Series(conv),
            "standard_conversion": pd.Series(std),
        }
    )


def family_months(products: pd.DataFrame, sales: pd.DataFrame) -> pd.Series:
    """Actual units by family and month."""
    fam = sales[schema.SKU].map(dict(zip(products[schema.SKU], products[schema.FAMILY])))
    return sales.groupby([fam.rename(schema.FAMILY), sales[schema.MONTH]])[schema.UNITS].sum()


def budget(fam_months: pd.Series, costs: pd.DataFrame) -> pd.DataFrame:
    """Budget = same month of the last actual year x the growth finance assumed.

    Revenue at today's average price and realisation; margin after material, the
    standard conversion (labour and line) cost and an overhead allowance."""
    rows: list[dict] = []
    for fam in FAMILIES:
        c = costs.loc[fam.name]
        for m in BUDGET_MONTHS:
            years = 1 + int(m > AS_OF + pd.DateOffset(years=1))  # back to an actual month
            units = round(
                fam_months[(fam.name, m - pd.DateOffset(years=years))] * fam.budget_growth**years
            )
            revenue = units * c["price"] * REALISATION
            rows.append(
                {
                    schema.FAMILY: fam.name,
                    schema.MONTH: m,
                    schema.UNITS: units,
                    schema.REVENUE: round(revenue),
                    schema.MARGIN: round(
                        revenue * (1 - OVERHEAD)
                        - units * (c["material"] + c["standard_conversion"])
                    ),
                }
            )
    return table_frame(schema.BUDGET, rows)


def supply_options(fam_months: pd.Series, costs: pd.DataFrame) -> pd.DataFrame:
    """Subcontracting for Cooling and Garden, a motor-supplier cap for Cooling.

    Subcontracted units cost ~1.3x making them (material + conversion); the
    subcontractor takes ~18% of the coming peak month; the motor cap sits between the
    average and the peak month, so it bites only when the line runs flat out."""
    rows: list[dict] = []
    for name, code in (("Cooling", "CL"), ("Garden", "GD")):
        last = fam_months[name][-12:] * (1 + FAMILY[name].growth)
        c = costs.loc[name]
        rows.append(
            {
                schema.OPTION: f"SUB-{code}",
                schema.OPTION_TYPE: schema.OPTION_SUBCONTRACT,
                schema.FAMILY: name,
                schema.COST_PER_UNIT: round(1.3 * (c["material"] + c["conversion"]), 2),
                schema.MONTHLY_CAP_UNITS: round(0.18 * last.max(), -2),
            }
        )
        if name == "Cooling":
            rows.append(
                {
                    schema.OPTION: "CAP-CL-MOTOR",
                    schema.OPTION_TYPE: schema.OPTION_MATERIAL_CAP,
                    schema.FAMILY: name,
                    schema.MONTHLY_CAP_UNITS: round(0.95 * last.max(), -2),
                }
            )
    return table_frame(schema.SUPPLY_OPTIONS, rows)


def inventory(
    products: pd.DataFrame, sales: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """On hand = 0.8-1.5 months of the last 3 months' demand (0 once phased out)."""
    recent = sales[sales[schema.MONTH] > add_months(AS_OF, -3)]
    avg = recent.groupby([schema.SKU, schema.MONTH])[schema.UNITS].sum().groupby(schema.SKU).mean()
    rows: list[dict] = []
    for p in products.itertuples(index=False):
        sku, fam = getattr(p, schema.SKU), FAMILY[getattr(p, schema.FAMILY)]
        gone = (
            pd.notna(getattr(p, schema.PHASE_OUT_MONTH))
            and getattr(p, schema.PHASE_OUT_MONTH) <= AS_OF
        )
        rows.append(
            {
                schema.SKU: sku,
                schema.ON_HAND_UNITS: 0.0
                if gone
                else float(round(avg.get(sku, 0.0) * rng.uniform(0.8, 1.5))),
                schema.SAFETY_STOCK_MONTHS: 0.0 if gone else fam.safety_months,
                schema.HOLDING_COST_PCT: float(rng.choice([20, 22, 25])),
            }
        )
    return table_frame(schema.INVENTORY, rows)
