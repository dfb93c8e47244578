"""Helpers for the supply tests: one-product datasets small enough to solve on paper."""
from __future__ import annotations

import numpy as np
import pandas as pd

from conftest import tiny_tables
from sop import schema as S
from sop.demand import PLAN_COLUMNS, SOURCE_LOADED, loaded_consensus, plan_months
from sop.synthetic import naive_consensus
from sop.validate import as_of_month

START = pd.Timestamp("2027-01-01")


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    cols = S.TABLES[table].column_names
    return pd.DataFrame([{c: r.get(c, np.nan) for c in cols} for r in rows], columns=cols)


def demand_frame(units: list[float], sku: str = "P1", family: str = "Fam",
                 start: pd.Timestamp = START) -> pd.DataFrame:
    months = pd.date_range(start, periods=len(units), freq="MS")
    df = pd.DataFrame({S.MONTH: months, S.SKU: sku, S.REGION: "All", S.FAMILY: family,
                       S.UNITS: [float(u) for u in units]})
    return df.assign(**{S.P10: df[S.UNITS], S.P90: df[S.UNITS],
                        S.FORECAST_UNITS: df[S.UNITS], S.SOURCE: SOURCE_LOADED})[PLAN_COLUMNS]


def one_product(units: list[float], *, line_hours: float | None = 100.0, hpu: float = 1.0,
                price: float = 100.0, material: float = 40.0, line_rate: float = 10.0,
                ot_rate: float = 25.0, max_ot: float = 0.0, on_hand: float = 0.0,
                ss_units: float = 0.0, holding_pct: float = 12.0,
                subcontract: tuple[float, float] | None = None,
                labour: dict | None = None) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """(tables, demand) for product P1 (family Fam) on line L1 and/or labour pool LAB.

    Defaults: price 100, material 40, 1 hour/unit on a line of 100 h/month at 10/h,
    no overtime, nothing on hand, no safety stock, holding 12 %/year of unit cost
    (material + hours x regular rate), so 0.5/unit-month at the default costs.
    """
    months = pd.date_range(START, periods=len(units), freq="MS")
    res, bor, cap = [], [], []
    if line_hours is not None:
        res.append({S.RESOURCE: "L1", S.PLANT: "Plant", S.NAME: "Line 1", S.KIND: S.KIND_LINE,
                    S.REGULAR_COST_PER_HOUR: line_rate, S.OVERTIME_COST_PER_HOUR: ot_rate,
                    S.MAX_OVERTIME_HOURS: max_ot})
        bor.append({S.FAMILY: "Fam", S.RESOURCE: "L1", S.HOURS_PER_UNIT: hpu})
        cap += [{S.RESOURCE: "L1", S.MONTH: m, S.WORKING_DAYS: 20.0, S.SHIFTS: 1.0,
                 S.HOURS_PER_SHIFT: 8.0, S.EFFICIENCY: 1.0, S.AVAILABLE_HOURS: line_hours}
                for m in months]
    wf = []
    if labour is not None:
        res.append({S.RESOURCE: "LAB", S.PLANT: "Plant", S.NAME: "Crew", S.KIND: S.KIND_LABOUR,
                    S.REGULAR_COST_PER_HOUR: labour.get("rate", 10.0),
                    S.OVERTIME_COST_PER_HOUR: labour.get("ot_rate", 15.0),
                    S.MAX_OVERTIME_HOURS: 0.0})
        bor.append({S.FAMILY: "Fam", S.RESOURCE: "LAB", S.HOURS_PER_UNIT: labour.get("hpu", 1.0)})
        wf.append({S.RESOURCE: "LAB", S.WORKERS: labour["workers"],
                   S.HOURS_PER_WORKER: labour["hpw"],
                   S.MAX_OVERTIME_PER_WORKER: labour.get("max_ot", 0.0),
                   S.HIRING_COST: labour.get("hiring", 0.0),
                   S.LAYOFF_COST: labour.get("layoff", 0.0),
                   S.MAX_HIRES_PER_MONTH: labour.get("max_hires", np.nan)})
    options = []
    if subcontract is not None:
        options.append({S.OPTION: "SUB", S.OPTION_TYPE: S.OPTION_SUBCONTRACT, S.FAMILY: "Fam",
                        S.COST_PER_UNIT: subcontract[0], S.MONTHLY_CAP_UNITS: subcontract[1],
                        S.START_MONTH: pd.NaT, S.END_MONTH: pd.NaT})
    tables = {
        S.PRODUCTS: frame(S.PRODUCTS, [{S.SKU: "P1", S.NAME: "Product 1", S.FAMILY: "Fam",
                                        S.UOM: "each", S.LIST_PRICE: price,
                                        S.MATERIAL_COST: material}]),
        S.RESOURCES: frame(S.RESOURCES, res), S.CAPACITY: frame(S.CAPACITY, cap),
        S.WORKFORCE: frame(S.WORKFORCE, wf), S.BILL_OF_RESOURCES: frame(S.BILL_OF_RESOURCES, bor),
        S.SUPPLY_OPTIONS: frame(S.SUPPLY_OPTIONS, options),
        S.INVENTORY: frame(S.INVENTORY, [{S.SKU: "P1", S.ON_HAND_UNITS: on_hand,
                                          S.SAFETY_STOCK_MONTHS: np.nan,
                                          S.SAFETY_STOCK_UNITS: ss_units,
                                          S.HOLDING_COST_PCT: holding_pct}]),
    }
    return tables, demand_frame(units)


def with_consensus(tables: dict[str, pd.DataFrame], horizon: int = 12,
                   growth: float = 1.05) -> dict[str, pd.DataFrame]:
    """A copy of `tables` carrying a naive consensus (same month last year x growth)."""
    out = dict(tables)
    out[S.CONSENSUS] = naive_consensus(tables, horizon, growth)
    return out


def tiny_with_consensus(horizon: int = 12) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    tables = with_consensus(tiny_tables(), horizon)
    return tables, loaded_consensus(tables, plan_months(as_of_month(tables), horizon))
