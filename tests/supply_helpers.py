"""Helpers for the supply tests: one-product datasets small enough to solve on paper."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tiny import tiny_tables

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.core.tables import TABLES
from sop.demand.plan import PLAN_COLUMNS, SOURCE_LOADED, loaded_consensus
from sop.supply.synthetic import naive_consensus

START = pd.Timestamp("2027-01-01")


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    cols = TABLES[table].column_names
    return pd.DataFrame([{c: r.get(c, np.nan) for c in cols} for r in rows], columns=cols)


def sales_before(units: float = 140.0, months: int = 3, sku: str = "P1") -> pd.DataFrame:
    """`months` months of actuals of `sku` just before START (the S&OP grid shows them)."""
    when = pd.date_range(START - pd.DateOffset(months=months), periods=months, freq="MS")
    return frame(
        schema.SALES,
        [
            {schema.MONTH: m, schema.SKU: sku, schema.REGION: "All", schema.UNITS: units}
            for m in when
        ],
    )


def family_capacity(months, units: float = 80.0, family: str = "Fam") -> pd.DataFrame:
    """A family_capacity table: `family` may make at most `units` a month in `months`."""
    return frame(
        schema.FAMILY_CAPACITY,
        [{schema.FAMILY: family, schema.UNITS_PER_MONTH: units, schema.MONTH: m} for m in months],
    )


def material_cap(cap: float, family: str = "Fam", code: str = "CAP-MOTOR") -> pd.DataFrame:
    """A supply_options table: one material cap `code` of `cap` units a month on
    `family`, every month."""
    return frame(
        schema.SUPPLY_OPTIONS,
        [
            {
                schema.OPTION: code,
                schema.OPTION_TYPE: schema.OPTION_MATERIAL_CAP,
                schema.FAMILY: family,
                schema.MONTHLY_CAP_UNITS: cap,
                schema.START_MONTH: pd.NaT,
                schema.END_MONTH: pd.NaT,
            }
        ],
    )


def demand_frame(
    units: list[float], sku: str = "P1", family: str = "Fam", start: pd.Timestamp = START
) -> pd.DataFrame:
    months = pd.date_range(start, periods=len(units), freq="MS")
    df = pd.DataFrame(
        {
            schema.MONTH: months,
            schema.SKU: sku,
            schema.REGION: "All",
            schema.FAMILY: family,
            schema.UNITS: [float(u) for u in units],
        }
    )
    return df.assign(
        **{
            schema.P10: df[schema.UNITS],
            schema.P90: df[schema.UNITS],
            schema.FORECAST_UNITS: df[schema.UNITS],
            schema.SOURCE: SOURCE_LOADED,
        }
    )[PLAN_COLUMNS]


def one_product(
    units: list[float],
    *,
    line_hours: float | None = 100.0,
    hpu: float = 1.0,
    price: float = 100.0,
    material: float = 40.0,
    line_rate: float = 10.0,
    ot_rate: float = 25.0,
    max_ot: float = 0.0,
    on_hand: float = 0.0,
    ss_units: float = 0.0,
    holding_pct: float = 12.0,
    subcontract: tuple[float, float] | None = None,
    labour: dict | None = None,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """(tables, demand) for product P1 (family Fam) on line L1 and/or labour pool LAB.

    Defaults: price 100, material 40, 1 hour/unit on a line of 100 h/month at 10/h,
    no overtime, nothing on hand, no safety stock, holding 12 %/year of unit cost
    (material + hours x regular rate), so 0.5/unit-month at the default costs.
    """
    months = pd.date_range(START, periods=len(units), freq="MS")
    res, bor, cap = [], [], []
    if line_hours is not None:
        res.append(
            {
                schema.RESOURCE: "L1",
                schema.PLANT: "Plant",
                schema.NAME: "Line 1",
                schema.KIND: schema.KIND_LINE,
                schema.REGULAR_COST_PER_HOUR: line_rate,
                schema.OVERTIME_COST_PER_HOUR: ot_rate,
                schema.MAX_OVERTIME_HOURS: max_ot,
            }
        )
        bor.append({schema.FAMILY: "Fam", schema.RESOURCE: "L1", schema.HOURS_PER_UNIT: hpu})
        cap += [
            {
                schema.RESOURCE: "L1",
                schema.MONTH: m,
                schema.WORKING_DAYS: 20.0,
                schema.SHIFTS: 1.0,
                schema.HOURS_PER_SHIFT: 8.0,
                schema.EFFICIENCY: 1.0,
                schema.AVAILABLE_HOURS: line_hours,
            }
            for m in months
        ]
    wf = []
    if labour is not None:
        res.append(
            {
                schema.RESOURCE: "LAB",
                schema.PLANT: "Plant",
                schema.NAME: "Crew",
                schema.KIND: schema.KIND_LABOUR,
                schema.REGULAR_COST_PER_HOUR: labour.get("rate", 10.0),
                schema.OVERTIME_COST_PER_HOUR: labour.get("ot_rate", 15.0),
                schema.MAX_OVERTIME_HOURS: 0.0,
            }
        )
        bor.append(
            {
                schema.FAMILY: "Fam",
                schema.RESOURCE: "LAB",
                schema.HOURS_PER_UNIT: labour.get("hpu", 1.0),
            }
        )
        wf.append(
            {
                schema.RESOURCE: "LAB",
                schema.WORKERS: labour["workers"],
                schema.HOURS_PER_WORKER: labour["hpw"],
                schema.MAX_OVERTIME_PER_WORKER: labour.get("max_ot", 0.0),
                schema.HIRING_COST: labour.get("hiring", 0.0),
                schema.LAYOFF_COST: labour.get("layoff", 0.0),
                schema.MAX_HIRES_PER_MONTH: labour.get("max_hires", np.nan),
            }
        )
    options = []
    if subcontract is not None:
        options.append(
            {
                schema.OPTION: "SUB",
                schema.OPTION_TYPE: schema.OPTION_SUBCONTRACT,
                schema.FAMILY: "Fam",
                schema.COST_PER_UNIT: subcontract[0],
                schema.MONTHLY_CAP_UNITS: subcontract[1],
                schema.START_MONTH: pd.NaT,
                schema.END_MONTH: pd.NaT,
            }
        )
    tables = {
        schema.PRODUCTS: frame(
            schema.PRODUCTS,
            [
                {
                    schema.SKU: "P1",
                    schema.NAME: "Product 1",
                    schema.FAMILY: "Fam",
                    schema.UOM: "each",
                    schema.LIST_PRICE: price,
                    schema.MATERIAL_COST: material,
                }
            ],
        ),
        schema.RESOURCES: frame(schema.RESOURCES, res),
        schema.CAPACITY: frame(schema.CAPACITY, cap),
        schema.WORKFORCE: frame(schema.WORKFORCE, wf),
        schema.BILL_OF_RESOURCES: frame(schema.BILL_OF_RESOURCES, bor),
        schema.SUPPLY_OPTIONS: frame(schema.SUPPLY_OPTIONS, options),
        schema.INVENTORY: frame(
            schema.INVENTORY,
            [
                {
                    schema.SKU: "P1",
                    schema.ON_HAND_UNITS: on_hand,
                    schema.SAFETY_STOCK_MONTHS: np.nan,
                    schema.SAFETY_STOCK_UNITS: ss_units,
                    schema.HOLDING_COST_PCT: holding_pct,
                }
            ],
        ),
    }
    return tables, demand_frame(units)


def shut_in(tables: dict[str, pd.DataFrame], hours: list[float]) -> dict[str, pd.DataFrame]:
    """A copy of `tables` (as `one_product` builds them) whose line L1 has `hours`
    available in its months, one figure a month in order: `[100.0, 0.0]` shuts it in
    the second month."""
    cap = tables[schema.CAPACITY]
    assert len(hours) == len(cap), f"{len(hours)} figures for {len(cap)} months of L1"
    return {**tables, schema.CAPACITY: cap.assign(**{schema.AVAILABLE_HOURS: hours})}


def first_gap(demand: pd.DataFrame, tables: dict[str, pd.DataFrame], policy) -> pd.Series:
    """The first shortfall row of the plan `solve_plan` makes (asserted optimal)."""
    from sop.supply.plan import OPTIMAL, solve_plan

    plan = solve_plan(demand, tables, policy)
    assert plan.status == OPTIMAL, plan.explanation
    return plan.shortfalls.iloc[0]


def with_consensus(
    tables: dict[str, pd.DataFrame], horizon: int = 12, growth: float = 1.05
) -> dict[str, pd.DataFrame]:
    """A copy of `tables` carrying a naive consensus (same month last year x growth)."""
    out = dict(tables)
    out[schema.CONSENSUS] = naive_consensus(tables, horizon, growth)
    return out


def tiny_with_consensus(horizon: int = 12) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    tables = with_consensus(tiny_tables(), horizon)
    return tables, loaded_consensus(tables, plan_months(as_of_month(tables), horizon))


# the demo's four assembly lines: the "severe squeeze" cuts them all
DEMO_LINES = ("RS-ASM1", "RS-ASM2", "HC-ASM1", "HC-ASM2")


def severe_squeeze(horizon: int = 18):
    """The demo's "severe squeeze" as the reviews played it: demand +40 %, the four
    assembly lines -45 % over the horizon, no overtime, no subcontracting. Returns
    (demand, tables, policy, the baseline's evaluation, the squeeze's evaluation)."""
    from sop.data.demo import build_demo
    from sop.data.validate import check_tables
    from sop.scenario.evaluate import evaluate, prepare_demand
    from sop.scenario.levers import Levers
    from sop.supply.policy import SupplyPolicy

    tables = with_consensus(check_tables(build_demo()).tables, horizon)
    months = plan_months(as_of_month(tables), horizon)
    demand = prepare_demand(loaded_consensus(tables, months))
    first, last = months[0].strftime("%Y-%m"), months[-1].strftime("%Y-%m")
    levers = Levers(
        demand_pct=40.0,
        capacity_changes=tuple((r, first, last, -45.0) for r in DEMO_LINES),
        overtime_allowed=False,
        subcontract_allowed=False,
    )
    policy = SupplyPolicy(horizon=horizon)
    base = evaluate(demand, tables, Levers(), policy)
    ev = evaluate(demand, tables, levers, policy)
    assert base.ok and ev.ok
    return demand, tables, policy, base, ev


def two_products(p1: list[float], p2: list[float], **kw):
    """(tables, demand): P1 (family Fam) as `one_product` builds it and P2 of family Fam2
    on the same resources (line L1 and/or labour pool LAB) at a price of 90 instead of
    100: the plan serves P1 first."""
    tables, _ = one_product(p1, **kw)
    prod, inv, bor = (
        tables[k] for k in (schema.PRODUCTS, schema.INVENTORY, schema.BILL_OF_RESOURCES)
    )
    fam2 = {schema.SKU: "P2", schema.NAME: "Product 2", schema.FAMILY: "Fam2"}
    tables = {
        **tables,
        schema.PRODUCTS: pd.concat(
            [prod, prod.assign(**fam2, **{schema.LIST_PRICE: 90.0})], ignore_index=True
        ),
        schema.INVENTORY: pd.concat([inv, inv.assign(**{schema.SKU: "P2"})], ignore_index=True),
        schema.BILL_OF_RESOURCES: pd.concat(
            [bor, bor.assign(**{schema.FAMILY: "Fam2"})], ignore_index=True
        ),
    }
    demand = pd.concat(
        [demand_frame(p1), demand_frame(p2, sku="P2", family="Fam2")], ignore_index=True
    )
    return tables, demand
