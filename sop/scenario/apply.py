"""Levers applied to the inputs of a plan: demand, supply tables and policy.

`demand_factor` (one multiplier per demand row), `apply_tables` and `apply_policy`
are the steps `sop.scenario.evaluate.apply_levers` takes for every scenario. They are
pure: they return new arrays, frames and policies and never touch their inputs.
Every lever is a transformation of data the supply plan already reads, so a
scenario is re-solved by the same LP as the baseline (not rescaled after the fact).
The price lever's change per family is derived once, in `price_factors`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import add_months, month_start
from sop.scenario.levers import ALL_SUPPLIERS, Levers
from sop.supply.capacity import calendar_hours
from sop.supply.inputs import ADDED_COST, AMOUNT, PROMOTION_COST
from sop.supply.policy import END_UNITS, SupplyPolicy


def _factors(pairs: tuple[tuple[str, float], ...]) -> dict[str, float]:
    """Name -> 1 + pct/100 of a lever given per name (a name given twice: the last)."""
    return {k: 1 + v / 100 for k, v in pairs}


def price_factors(levers: Levers) -> dict[str, float]:
    """Family -> the price lever's multiplier (1 + pct/100) of every list and net price
    in it; families not named keep their prices (1)."""
    return _factors(levers.price_family_pct)


def price_change(base: Levers, levers: Levers) -> dict[str, float]:
    """Family -> price under `levers` / price under `base`, for the families either
    moves (the price lever's change from one scenario to another)."""
    k0, k1 = price_factors(base), price_factors(levers)
    return {f: k1.get(f, 1.0) / k0.get(f, 1.0) for f in k0.keys() | k1.keys()}


def _lookup(names: np.ndarray, factors: Mapping[str, float]) -> np.ndarray:
    """The factor of each name, 1 for names without one."""
    return np.array([factors.get(n, 1.0) for n in names], dtype=float)


def _factor(keys: pd.Series, factors: Mapping[str, float]) -> np.ndarray:
    codes, names = pd.factorize(keys)
    return _lookup(np.asarray(names), factors)[codes] if len(keys) else np.ones(0)


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
        f *= _lookup(families, _factors(levers.demand_family_pct))[fam_code]
    if levers.demand_region_pct:
        f *= _lookup(regions, _factors(levers.demand_region_pct))[reg_code]
    if levers.price_elasticity and levers.price_family_pct:
        f *= _lookup(families, price_factors(levers))[fam_code] ** levers.price_elasticity
    if levers.promo_family and levers.promo_uplift_pct:
        first = month_start(levers.promo_start)
        start = first.to_datetime64()
        end = add_months(first, levers.promo_months - 1).to_datetime64()
        promo = np.flatnonzero(families == levers.promo_family)
        hit = np.isin(fam_code, promo) & (months >= start) & (months <= end)
        f = np.where(hit, f * (1 + levers.promo_uplift_pct / 100), f)
    return np.clip(f, 0.0, None)


def _scale(df: pd.DataFrame, cols: list[str], factor: float | np.ndarray) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        out[c] = out[c].astype(float) * factor
    return out


def apply_tables(tables: dict[str, pd.DataFrame], levers: Levers) -> dict[str, pd.DataFrame]:
    """Supply and price tables with the cost, price, capacity and policy levers applied.

    Only the tables a lever touches are copied; the rest are shared (read-only). A
    promotion with a cost adds the frame `PROMOTION_COST` (`promotion_cost`).
    """
    t = dict(tables)
    p = t[schema.PRODUCTS]
    if levers.price_family_pct:
        price = price_factors(levers)
        t[schema.PRODUCTS] = p = _scale(p, [schema.LIST_PRICE], _factor(p[schema.FAMILY], price))
        fam = (
            tables[schema.PRODUCTS].drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
        )
        if schema.SALES in t:  # net prices are read from recent revenue / units: scaled too
            s = t[schema.SALES]
            t[schema.SALES] = _scale(s, [schema.REVENUE], _factor(s[schema.SKU].map(fam), price))
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
        k = max(0.0, levers.subcontract_cap_pct / 100)
        # an offer without a cap stays unlimited, unless the lever shuts it (0 %)
        caps = so.loc[sub, schema.MONTHLY_CAP_UNITS].astype(float)
        so.loc[sub, schema.MONTHLY_CAP_UNITS] = caps * k if k else 0.0
        t[schema.SUPPLY_OPTIONS] = so
    if levers.capacity_changes:
        t[schema.CAPACITY] = _capacity(t[schema.CAPACITY], levers)
    if levers.supplier_changes and schema.SUPPLY_OPTIONS in t:
        t[schema.SUPPLY_OPTIONS] = supplier_caps(t[schema.SUPPLY_OPTIONS], levers)
    if levers.promo_family and levers.promo_cost > 0:
        t[PROMOTION_COST] = promotion_cost(levers)
    inv = t[schema.INVENTORY]
    if levers.holding_cost_rate >= 0:
        inv = inv.assign(**{schema.HOLDING_COST_PCT: float(levers.holding_cost_rate)})
    if levers.safety_stock_months >= 0:
        inv = inv.assign(**{schema.SAFETY_STOCK_MONTHS: float(levers.safety_stock_months)})
    t[schema.INVENTORY] = inv
    return t


def _capacity(cap: pd.DataFrame, levers: Levers) -> pd.DataFrame:
    """Available hours of the named lines scaled over their month ranges.

    With a cost per added hour (`Levers.added_hour_cost` > 0), column `ADDED_COST`
    (money) holds what each row's added hours cost: max(0, new - old hours) x the cost,
    paid whether the hours are used or not (`sop.supply.inputs.PlanInputs.added_cost`
    books it)."""
    out = cap.copy()
    before = calendar_hours(out).to_numpy(dtype=float)
    hours = before
    for resource, start, end, pct in levers.capacity_changes:
        hit = (
            (out[schema.RESOURCE] == resource)
            & out[schema.MONTH].between(month_start(start), month_start(end))
        ).to_numpy()
        hours = np.where(hit, hours * max(0.0, 1 + pct / 100), hours)
    out[schema.AVAILABLE_HOURS] = hours
    if levers.added_hour_cost > 0:
        added = np.nan_to_num(np.clip(hours - before, 0.0, None))
        out[ADDED_COST] = added * float(levers.added_hour_cost)
    return out


def supplier_caps(options: pd.DataFrame, levers: Levers) -> pd.DataFrame:
    """Supply options with the supplier (material) caps `Levers.supplier_changes` names
    scaled over the changes' month ranges (changes that overlap multiply).

    A cap holds one number over its months, so a cap a change covers is split into rows
    by month range (before, during, after the change, each within the cap's own start
    and end months): `sop.supply.limits.supply_options` then reads each month's cap as
    it reads any option's, and every row keeps the supplier's name, so a shortfall
    names it. A blank cap (no limit) stays blank unless a change shuts it (-100 %)."""
    kinds = options[schema.OPTION_TYPE].to_numpy()
    names = options[schema.OPTION].to_numpy()
    bounds = [
        options[c] if c in options else pd.Series(pd.NaT, index=options.index)
        for c in (schema.START_MONTH, schema.END_MONTH)
    ]
    take, starts, ends, factors = [], [], [], []
    for i in range(len(options)):
        mine = [
            (month_start(a), add_months(month_start(b), 1), max(0.0, 1 + pct / 100))
            for name, a, b, pct in levers.supplier_changes
            if kinds[i] == schema.OPTION_MATERIAL_CAP and name in (ALL_SUPPLIERS, names[i])
        ]
        for start, end, k in _segments(bounds[0].iloc[i], bounds[1].iloc[i], mine):
            take.append(i)
            starts.append(start)
            ends.append(end)
            factors.append(k)
    if len(take) == len(options) and all(k == 1 for k in factors):
        return options  # no supplier cap named: nothing to copy
    out = options.iloc[take].reset_index(drop=True)
    out[schema.START_MONTH] = pd.to_datetime(pd.Series(starts, dtype=object))
    out[schema.END_MONTH] = pd.to_datetime(pd.Series(ends, dtype=object))
    k = np.array(factors)
    cap = out[schema.MONTHLY_CAP_UNITS].to_numpy(dtype=float, na_value=np.nan)
    out[schema.MONTHLY_CAP_UNITS] = np.where(np.isnan(cap) & (k == 0), 0.0, cap * k)
    return out


def _segments(
    first: pd.Timestamp, last: pd.Timestamp, changes: list[tuple[pd.Timestamp, pd.Timestamp, float]]
) -> list[tuple[pd.Timestamp, pd.Timestamp, float]]:
    """(first month, last month, factor) of the pieces of a cap applying from `first` to
    `last` (NaT: no bound) under `changes` (from, month after the last, factor): the
    cap's own range cut where a change starts or ends, each piece with the product of
    the factors of the changes covering it."""
    cuts = sorted({c[0] for c in changes} | {c[1] for c in changes})
    edges = [pd.NaT, *cuts, pd.NaT]  # half-open pieces [edges[j], edges[j + 1])
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        k = 1.0
        for a, b, f in changes:
            k *= f if pd.notna(lo) and a <= lo < b else 1.0
        start = lo if pd.isna(first) or (pd.notna(lo) and lo > first) else first
        end = add_months(hi, -1) if pd.notna(hi) else pd.NaT
        end = end if pd.isna(last) or (pd.notna(end) and end < last) else last
        if pd.isna(start) or pd.isna(end) or start <= end:
            out.append((start, end, k))
    return out


def promotion_cost(levers: Levers) -> pd.DataFrame:
    """The added promotion's cost: family, month, amount (money) for each month it runs
    (`Levers.promo_cost` a month). Not a dataset table: `apply_tables` leaves it under
    `PROMOTION_COST` for `sop.supply.inputs.prepare`, which books it in the plan months
    on the family's items."""
    first = month_start(levers.promo_start)
    months = pd.DatetimeIndex([add_months(first, k) for k in range(levers.promo_months)])
    return pd.DataFrame(
        {
            schema.FAMILY: levers.promo_family,
            schema.MONTH: months,
            AMOUNT: float(levers.promo_cost),
        }
    )


def apply_policy(policy: SupplyPolicy, levers: Levers) -> SupplyPolicy:
    """The plan settings with the on/off levers applied; ending units per family, when
    given, replace the settings' ending inventory."""
    out = policy.replace(
        overtime_allowed=policy.overtime_allowed and levers.overtime_allowed,
        subcontract_allowed=policy.subcontract_allowed and levers.subcontract_allowed,
        hiring_allowed=policy.hiring_allowed and levers.hiring_allowed,
    )
    if levers.ending_units:
        out = out.replace(ending_inventory=END_UNITS, ending_units=levers.ending_units)
    return out
