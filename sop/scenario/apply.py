"""Levers applied to the inputs of a plan: demand, supply tables and policy.

`apply_levers` is pure: it returns new frames and a new policy and never
touches its inputs. Every lever is a transformation of data the supply plan
already reads, so a scenario is re-solved by the same LP as the baseline (not
rescaled after the fact).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy

DEMAND_COLS = (schema.UNITS, schema.P10, schema.P90)  # the statistical forecast stays as forecast


def _month(text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(f"{text}-01") if len(text) == 7 else pd.Timestamp(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a month; write YYYY-MM") from exc


def _lookup(names: np.ndarray, pairs: tuple[tuple[str, float], ...]) -> np.ndarray:
    """Factor 1 + pct/100 for each name that a lever names, 1 for the others."""
    table = {k: 1 + v / 100 for k, v in pairs}
    return np.array([table.get(n, 1.0) for n in names], dtype=float)


def _factor(keys: pd.Series, pairs: tuple[tuple[str, float], ...]) -> np.ndarray:
    codes, names = pd.factorize(keys)
    return _lookup(np.asarray(names), pairs)[codes] if len(keys) else np.ones(0)


def demand_factor(
    months: np.ndarray,
    fam_code: np.ndarray,
    families: np.ndarray,
    reg_code: np.ndarray,
    regions: np.ndarray,
    levers: Levers,
) -> np.ndarray:
    """Multiplier of each demand row (>= 0) from the demand, elasticity and promotion
    levers; rows are given as month values and family / region codes into the
    `families` / `regions` name arrays (as `pd.factorize` returns them)."""
    f = np.full(len(months), max(0.0, 1 + levers.demand_pct / 100))
    if levers.demand_family_pct:
        f *= _lookup(families, levers.demand_family_pct)[fam_code]
    if levers.demand_region_pct:
        f *= _lookup(regions, levers.demand_region_pct)[reg_code]
    if levers.price_elasticity and levers.price_family_pct:
        f *= _lookup(families, levers.price_family_pct)[fam_code] ** levers.price_elasticity
    if levers.promo_family and levers.promo_uplift_pct:
        start = _month(levers.promo_start).to_datetime64()
        end = (
            _month(levers.promo_start) + pd.DateOffset(months=levers.promo_months - 1)
        ).to_datetime64()
        promo = np.flatnonzero(families == levers.promo_family)
        hit = np.isin(fam_code, promo) & (months >= start) & (months <= end)
        f = np.where(hit, f * (1 + levers.promo_uplift_pct / 100), f)
    return np.clip(f, 0.0, None)


def apply_demand(demand: pd.DataFrame, levers: Levers) -> pd.DataFrame:
    """The demand plan with demand, price-elasticity and promotion levers applied.

    Columns as the input (`sop.demand.PLAN_COLUMNS`); units, p10 and p90 scale
    together (forecast_units, the statistical forecast, does not); nothing goes
    below zero.
    """
    fam_code, families = pd.factorize(demand[schema.FAMILY])
    reg_code, regions = pd.factorize(demand[schema.REGION])
    f = demand_factor(
        demand[schema.MONTH].to_numpy(),
        fam_code,
        np.asarray(families),
        reg_code,
        np.asarray(regions),
        levers,
    )
    out = demand.copy()
    for c in DEMAND_COLS:
        if c in out:
            out[c] = out[c].to_numpy(dtype=float) * f
    return out


def _scale(df: pd.DataFrame, cols: list[str], factor: float | np.ndarray) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        out[c] = out[c].astype(float) * factor
    return out


def apply_tables(tables: dict[str, pd.DataFrame], levers: Levers) -> dict[str, pd.DataFrame]:
    """Supply and price tables with the cost, price, capacity and policy levers applied.

    Only the tables a lever touches are copied; the rest are shared (read-only).
    """
    t = dict(tables)
    p = t[schema.PRODUCTS]
    if levers.price_family_pct:
        t[schema.PRODUCTS] = p = _scale(
            p, [schema.LIST_PRICE], _factor(p[schema.FAMILY], levers.price_family_pct)
        )
        fam = (
            tables[schema.PRODUCTS].drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
        )
        s = t[schema.SALES]
        # net prices are read from recent revenue / units: scale them the same way
        t[schema.SALES] = _scale(
            s, [schema.REVENUE], _factor(s[schema.SKU].map(fam), levers.price_family_pct)
        )
    if levers.material_inflation_pct:
        k = max(0.0, 1 + levers.material_inflation_pct / 100)
        t[schema.PRODUCTS] = _scale(t[schema.PRODUCTS], [schema.MATERIAL_COST], k)
        if schema.SUPPLY_OPTIONS in t:
            t[schema.SUPPLY_OPTIONS] = _scale(t[schema.SUPPLY_OPTIONS], [schema.COST_PER_UNIT], k)
    r = t[schema.RESOURCES]
    if levers.labour_cost_pct:
        k = max(0.0, 1 + levers.labour_cost_pct / 100)
        r = _scale(r, [schema.REGULAR_COST_PER_HOUR, schema.OVERTIME_COST_PER_HOUR], k)
    if levers.overtime_cap_pct != 100:
        k = max(0.0, levers.overtime_cap_pct / 100)
        r = _scale(r, [schema.MAX_OVERTIME_HOURS], k)
        if schema.WORKFORCE in t:
            t[schema.WORKFORCE] = _scale(t[schema.WORKFORCE], [schema.MAX_OVERTIME_PER_WORKER], k)
    t[schema.RESOURCES] = r
    if levers.hiring_limit >= 0 and schema.WORKFORCE in t:
        wf = t[schema.WORKFORCE].copy()
        wf[schema.MAX_HIRES_PER_MONTH] = float(levers.hiring_limit)
        t[schema.WORKFORCE] = wf
    if levers.subcontract_cap_pct != 100 and schema.SUPPLY_OPTIONS in t:
        so = t[schema.SUPPLY_OPTIONS].copy()
        sub = (so[schema.OPTION_TYPE] == schema.OPTION_SUBCONTRACT).to_numpy()
        so.loc[sub, schema.MONTHLY_CAP_UNITS] = so.loc[sub, schema.MONTHLY_CAP_UNITS] * max(
            0.0, levers.subcontract_cap_pct / 100
        )
        t[schema.SUPPLY_OPTIONS] = so
    if levers.capacity_changes:
        t[schema.CAPACITY] = _capacity(t[schema.CAPACITY], levers)
    inv = t[schema.INVENTORY]
    if levers.holding_cost_rate >= 0:
        inv = inv.assign(**{schema.HOLDING_COST_PCT: float(levers.holding_cost_rate)})
    if levers.safety_stock_months >= 0:
        inv = inv.assign(**{schema.SAFETY_STOCK_MONTHS: float(levers.safety_stock_months)})
    t[schema.INVENTORY] = inv
    return t


def _capacity(cap: pd.DataFrame, levers: Levers) -> pd.DataFrame:
    """Available hours of the named lines scaled over their month ranges."""
    out = cap.copy()
    computed = (
        out[schema.WORKING_DAYS]
        * out[schema.SHIFTS]
        * out[schema.HOURS_PER_SHIFT]
        * out[schema.EFFICIENCY]
    )
    hours = out[schema.AVAILABLE_HOURS].astype(float).fillna(computed).to_numpy(dtype=float)
    for resource, start, end, pct in levers.capacity_changes:
        hit = (
            (out[schema.RESOURCE] == resource)
            & out[schema.MONTH].between(_month(start), _month(end))
        ).to_numpy()
        hours = np.where(hit, hours * max(0.0, 1 + pct / 100), hours)
    out[schema.AVAILABLE_HOURS] = hours
    return out


def apply_policy(policy: SupplyPolicy, levers: Levers) -> SupplyPolicy:
    """The plan settings with the on/off levers applied."""
    return policy.replace(
        overtime_allowed=policy.overtime_allowed and levers.overtime_allowed,
        subcontract_allowed=policy.subcontract_allowed and levers.subcontract_allowed,
        hiring_allowed=policy.hiring_allowed and levers.hiring_allowed,
    )


def apply_levers(
    demand: pd.DataFrame, tables: dict[str, pd.DataFrame], policy: SupplyPolicy, levers: Levers
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], SupplyPolicy]:
    """Demand, tables and policy of a scenario. Raises ValueError for bad levers."""
    problems = levers.problems()
    if problems:
        raise ValueError("; ".join(problems))
    return (
        apply_demand(demand, levers),
        apply_tables(tables, levers),
        apply_policy(policy, levers),
    )
