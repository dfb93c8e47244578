"""Supply-plan inputs: a demand plan and the supply tables turned into arrays.

`prepare(demand, tables, policy)` aggregates demand to the planning level (an
*item* is a family x plant, or a SKU). Per item it computes the hours per unit
on every resource, the material and holding cost per unit as averages over its
SKUs weighted by their demand over the whole horizon (a planning bill of
resources: constant over the months, so the plan has no incentive to shift
production into months whose mix happens to be lighter), and the unit price
per month weighted by that month's mix (revenue is tied to the month of the
order, so it creates no such incentive and stays exact when the plan is split
back to SKU and region in the month's demand shares). Everything is vectorised
(numpy / scipy.sparse): no Python loop runs over SKUs or variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sop.core import schema
from sop.data.validate import as_of_month
from sop.supply import capacity
from sop.supply.policy import LEVEL_SKU, PRICE_NET, SupplyPolicy

DEFAULT_HOLDING_PCT = 20.0
INF = float("inf")


class SupplyInputError(ValueError):
    """The inputs cannot be planned; the message says what is wrong and what to do."""


@dataclass
class PlanInputs:
    """Arrays for the LP: n items, T months, m resources (q of them labour pools)."""

    months: pd.DatetimeIndex
    items: pd.DataFrame  # item order: family, plant (and sku at SKU level)
    demand: np.ndarray  # (n, T) units
    price: np.ndarray  # (n, T) money/unit
    material: np.ndarray  # (n, T) money/unit (constant over T)
    hold: np.ndarray  # (n, T) money per unit-month held (constant over T)
    ss: np.ndarray  # (n, T) safety stock target at month end, units
    onhand: np.ndarray  # (n,) units at the start
    hours: sp.csr_matrix  # (n, m) hours per unit
    res: pd.DataFrame  # m resources: resource, plant, name, kind, costs
    cap: np.ndarray  # (m, T) regular hours of lines (0 for labour)
    ot_cap: np.ndarray  # (m, T) most overtime hours of lines (0 for labour)
    labour: np.ndarray  # (q,) positions in `res` of the labour pools
    workforce: pd.DataFrame  # q rows: workers, hours_per_worker, ... (schema)
    sub: pd.DataFrame  # subcontract options: option, family, cost_per_unit
    sub_cap: np.ndarray  # (o, T)
    sub_pairs: np.ndarray  # (k, 2) item, option: who may buy from whom
    sub_price: np.ndarray  # (k,) money/unit of each pair (see `prepare`)
    mat: pd.DataFrame  # material caps: option, family
    mat_cap: np.ndarray  # (c, T), inf where the cap does not apply
    mat_pairs: np.ndarray  # (k, 2) item, option
    row_item: np.ndarray  # per demand row: item
    row_sku: np.ndarray  # per demand row: position in `sku_price`
    row_month: np.ndarray  # per demand row: month position
    row_share: np.ndarray  # per demand row: share of its item-month
    rows: pd.DataFrame  # the demand rows planned (month, sku, region, family)
    sku_price: pd.Series  # price per SKU (list or net), money/unit
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.items)

    @property
    def T(self) -> int:
        return len(self.months)


def _bincount(idx: np.ndarray, w: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(idx, weights=w, minlength=size)


def _shares(
    item: np.ndarray, t: np.ndarray, series: np.ndarray, units: np.ndarray, n: int, T: int
) -> np.ndarray:
    """Each row's share of its item-month: by units; by the series' horizon units
    where the item-month has none; equal where neither has any."""
    cell = item * T + t
    tot = _bincount(cell, units, n * T)
    horizon = _bincount(series, units, series.max() + 1)[series]
    htot = _bincount(cell, horizon, n * T)
    count = _bincount(cell, np.ones_like(units), n * T)
    return np.where(
        tot[cell] > 0,
        units / np.where(tot[cell] > 0, tot[cell], 1.0),
        np.where(
            htot[cell] > 0, horizon / np.where(htot[cell] > 0, htot[cell], 1.0), 1.0 / count[cell]
        ),
    )


def _net_prices(tables: dict[str, pd.DataFrame], list_price: pd.Series) -> pd.Series:
    sales, as_of = tables.get(schema.SALES), as_of_month(tables)
    if sales is None or as_of is None or schema.REVENUE not in sales:
        return list_price
    last = sales[
        (sales[schema.MONTH] > as_of - pd.DateOffset(months=12))
        & sales[schema.REVENUE].notna()
        & (sales[schema.UNITS] > 0)
    ]
    g = last.groupby(schema.SKU)[[schema.REVENUE, schema.UNITS]].sum()
    net = (g[schema.REVENUE] / g[schema.UNITS]).reindex(list_price.index)
    return net.where(net > 0, list_price).fillna(list_price)


def _cover(dsku: np.ndarray, months_cover: np.ndarray) -> np.ndarray:
    """Units covering `months_cover` months of forward demand after each month end.

    Demand beyond the horizon is taken equal to the last month's."""
    n, T = dsku.shape
    pad = int(np.ceil(np.nanmax(months_cover, initial=0.0))) + 2
    ext = np.concatenate([dsku, np.repeat(dsku[:, -1:], pad, axis=1)], axis=1)
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(ext, axis=1)], axis=1)
    start = np.arange(1, T + 1)[None, :]  # demand from month t+1 on
    end = start + months_cover[:, None]
    lo = np.floor(end).astype(int)
    frac = end - lo
    upto = np.take_along_axis(cum, lo, 1) + frac * np.take_along_axis(ext, lo, 1)
    return upto - np.take_along_axis(cum, np.broadcast_to(start, (n, T)), 1)


def _options(
    tables: dict[str, pd.DataFrame],
    kind: str,
    months: pd.DatetimeIndex,
    fam_of_item: np.ndarray,
    off: float,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    so = tables.get(schema.SUPPLY_OPTIONS)
    cols = [schema.OPTION, schema.FAMILY, schema.COST_PER_UNIT]
    if so is None or so.empty:
        return pd.DataFrame(columns=cols), np.zeros((0, len(months))), np.zeros((0, 2), int)
    o = so[so[schema.OPTION_TYPE] == kind].reset_index(drop=True)
    m = months.to_numpy()[None, :]
    start = (
        o[schema.START_MONTH].to_numpy(dtype="datetime64[ns]")[:, None]
        if schema.START_MONTH in o
        else np.full((len(o), 1), np.datetime64("NaT"))
    )
    end = (
        o[schema.END_MONTH].to_numpy(dtype="datetime64[ns]")[:, None]
        if schema.END_MONTH in o
        else np.full((len(o), 1), np.datetime64("NaT"))
    )
    active = (np.isnat(start) | (start <= m)) & (np.isnat(end) | (end >= m))
    caps = np.where(active, o[schema.MONTHLY_CAP_UNITS].to_numpy(dtype=float)[:, None], off)
    fam_opt = o[schema.FAMILY].to_numpy(dtype=object)
    ii, oo = np.nonzero(fam_of_item[:, None] == fam_opt[None, :])
    return o[cols], caps, np.column_stack([ii, oo]).astype(int)


def prepare(
    demand: pd.DataFrame, tables: dict[str, pd.DataFrame], policy: SupplyPolicy
) -> PlanInputs:
    """Arrays for `sop.supply_lp` from a demand plan (month, sku, region, units).

    Raises SupplyInputError with a planner-facing message when nothing can be planned.
    """
    notes: list[str] = []
    if demand is None or demand.empty:
        raise SupplyInputError(
            "The demand plan is empty: there is nothing to plan. "
            "Forecast demand first (`python -m sop forecast`)."
        )
    products = tables[schema.PRODUCTS].drop_duplicates(schema.SKU).set_index(schema.SKU)
    months = pd.DatetimeIndex(sorted(demand[schema.MONTH].unique()))[: policy.horizon]
    if len(months) < policy.horizon:
        notes.append(
            f"The demand plan covers {len(months)} months, fewer than the "
            f"{policy.horizon}-month horizon; the plan covers those months."
        )
    d = demand[demand[schema.MONTH].isin(months)]
    known = d[schema.SKU].isin(products.index)
    if not known.all():
        lost = sorted(d.loc[~known, schema.SKU].unique())
        notes.append(
            f"{len(lost)} SKU(s) of the demand plan are not in products and are "
            f"left out: {', '.join(map(str, lost[:5]))}."
        )
        d = d[known]
    if d.empty:
        raise SupplyInputError("No SKU of the demand plan is in the product master.")
    rows = d[[schema.MONTH, schema.SKU, schema.REGION]].reset_index(drop=True)
    units = np.clip(d[schema.UNITS].to_numpy(dtype=float, na_value=0.0), 0, None)
    sku_code, skus = pd.factorize(rows[schema.SKU])
    t = months.get_indexer(rows[schema.MONTH])
    T, ns = len(months), len(skus)
    res = tables[schema.RESOURCES].reset_index(drop=True)
    hpu = capacity.hours_per_unit(products.reset_index(), tables[schema.BILL_OF_RESOURCES])
    hpu = hpu[hpu[schema.SKU].isin(skus) & hpu[schema.RESOURCE].isin(res[schema.RESOURCE])]
    fam = products[schema.FAMILY].reindex(skus).to_numpy(dtype=object)
    plant = (
        capacity.sku_plants(hpu, res).reindex(skus).fillna(capacity.UNROUTED).to_numpy(dtype=object)
    )
    unrouted = skus[plant == capacity.UNROUTED]
    if len(unrouted):
        notes.append(
            f"{len(unrouted)} SKU(s) have no routing and are planned without a "
            f"capacity limit: {', '.join(map(str, unrouted[:5]))}."
        )
    if policy.level == LEVEL_SKU:
        item_of_sku = np.arange(ns)
        items = pd.DataFrame(
            {schema.SKU: np.asarray(skus, dtype=object), schema.FAMILY: fam, schema.PLANT: plant}
        )
    else:
        keys = pd.MultiIndex.from_arrays([fam, plant])
        item_of_sku, uniq = pd.factorize(keys, sort=True)
        items = pd.DataFrame(
            {
                schema.FAMILY: uniq.get_level_values(0).to_numpy(dtype=object),
                schema.PLANT: uniq.get_level_values(1).to_numpy(dtype=object),
            }
        )
    n = len(items)
    row_item = item_of_sku[sku_code]
    region_code, regions = pd.factorize(rows[schema.REGION])
    series = sku_code * max(len(regions), 1) + region_code
    share = _shares(row_item, t, series, units, n, T)
    wsku = _bincount(sku_code * T + t, share, ns * T).reshape(ns, T)
    dsku = _bincount(sku_code * T + t, units, ns * T).reshape(ns, T)
    # SKU attributes
    list_price = products[schema.LIST_PRICE].reindex(skus).astype(float)
    price_s = (
        _net_prices(tables, list_price) if policy.price_basis == PRICE_NET else list_price
    ).to_numpy(dtype=float)
    mat_s = products[schema.MATERIAL_COST].reindex(skus).to_numpy(dtype=float, na_value=0.0)
    r_idx = pd.Index(res[schema.RESOURCE]).get_indexer(hpu[schema.RESOURCE])
    H = sp.csr_matrix(
        (
            hpu[schema.HOURS_PER_UNIT].to_numpy(dtype=float),
            (pd.Index(skus).get_indexer(hpu[schema.SKU]), r_idx),
        ),
        shape=(ns, len(res)),
    )
    std_s = mat_s + H @ res[schema.REGULAR_COST_PER_HOUR].to_numpy(dtype=float)
    inv = tables[schema.INVENTORY].drop_duplicates(schema.SKU).set_index(schema.SKU).reindex(skus)
    hold_pct = inv[schema.HOLDING_COST_PCT].astype(float)
    hold_pct = hold_pct.fillna(
        hold_pct.median() if hold_pct.notna().any() else DEFAULT_HOLDING_PCT
    ).to_numpy(dtype=float)
    hold_s = hold_pct / 100 / 12 * std_s
    onhand_s = inv[schema.ON_HAND_UNITS].to_numpy(dtype=float, na_value=0.0)
    ss_m = inv[schema.SAFETY_STOCK_MONTHS].to_numpy(dtype=float, na_value=np.nan)
    ss_u = (
        inv[schema.SAFETY_STOCK_UNITS].to_numpy(dtype=float, na_value=np.nan)
        if schema.SAFETY_STOCK_UNITS in inv
        else np.full(ns, np.nan)
    )
    ss_s = np.where(
        np.isfinite(ss_m)[:, None], _cover(dsku, np.nan_to_num(ss_m)), np.nan_to_num(ss_u)[:, None]
    )
    # item aggregates: P (n x ns) sums SKUs into items; month mixes for price, horizon
    # mixes (by demand, else on hand, else equal) for costs and hours
    P = sp.csr_matrix((np.ones(ns), (item_of_sku, np.arange(ns))), shape=(n, ns))
    basis = dsku.sum(axis=1)
    for fallback in (onhand_s, np.ones(ns)):
        empty = (P @ basis)[item_of_sku] <= 0
        basis = np.where(empty, fallback, basis)
    wh = basis / (P @ basis)[item_of_sku]
    Wh = sp.csr_matrix((wh, (item_of_sku, np.arange(ns))), shape=(n, ns))
    hours = (Wh @ H).tocsr()

    def const(v):
        return np.repeat(np.asarray(Wh @ v)[:, None], T, axis=1)

    wf = tables.get(schema.WORKFORCE)
    lab = np.flatnonzero((res[schema.KIND] == schema.KIND_LABOUR).to_numpy())
    wf_cols = schema.TABLES[schema.WORKFORCE].column_names
    workforce = (
        res.iloc[lab][[schema.RESOURCE]]
        .merge(
            wf if wf is not None else pd.DataFrame(columns=wf_cols), on=schema.RESOURCE, how="left"
        )
        .reset_index(drop=True)
    )
    missing_wf = workforce.loc[workforce[schema.WORKERS].isna(), schema.RESOURCE]
    if len(missing_wf):
        notes.append(
            f"Labour pool(s) {', '.join(missing_wf)} have no workforce row and "
            "are planned with no hours."
        )
    hrs = capacity.resource_hours(tables, months).set_index([schema.RESOURCE, schema.MONTH])
    idx = pd.MultiIndex.from_product([res[schema.RESOURCE], months])
    line = (res[schema.KIND] == schema.KIND_LINE).to_numpy()[:, None]
    cap = np.where(line, hrs[schema.AVAILABLE_HOURS].reindex(idx).to_numpy(float).reshape(-1, T), 0)
    ot_cap = np.where(
        line, hrs[capacity.OVERTIME_HOURS].reindex(idx).to_numpy(float).reshape(-1, T), 0
    )
    est = hrs[capacity.ESTIMATED].reindex(idx).to_numpy(bool).reshape(-1, T)
    if est.any():
        gone = res[schema.RESOURCE].to_numpy()[est.any(axis=1)]
        notes.append(
            f"The capacity calendar of {', '.join(gone)} does not cover every "
            "plan month; the nearest month's hours were used."
        )
    fam_item = items[schema.FAMILY].to_numpy(dtype=object)
    sub, sub_cap, sub_pairs = _options(tables, schema.OPTION_SUBCONTRACT, months, fam_item, 0.0)
    # an offer's price is for a unit of the family's mix: an item (a SKU, or a family at
    # one plant) pays it in proportion to its standard cost against its family's
    fam_code = pd.factorize(fam_item)[0]
    item_std = np.asarray(Wh @ std_s)
    item_w = np.asarray(P @ basis)
    fam_std = np.bincount(fam_code, item_std * item_w) / np.bincount(fam_code, item_w)
    ratio = np.divide(item_std, fam_std[fam_code], out=np.ones(n), where=fam_std[fam_code] > 0)
    sub_price = (
        (
            sub[schema.COST_PER_UNIT].to_numpy(dtype=float, na_value=0.0)[sub_pairs[:, 1]]
            * ratio[sub_pairs[:, 0]]
        )
        if len(sub_pairs)
        else np.zeros(0)
    )
    mat, mat_cap, mat_pairs = _options(tables, schema.OPTION_MATERIAL_CAP, months, fam_item, INF)
    return PlanInputs(
        months=months,
        items=items,
        demand=_bincount(row_item * T + t, units, n * T).reshape(n, T),
        price=P @ (wsku * price_s[:, None]),
        material=const(mat_s),
        hold=const(hold_s),
        ss=P @ ss_s,
        onhand=P @ onhand_s,
        hours=hours,
        res=res,
        cap=np.nan_to_num(cap),
        ot_cap=np.nan_to_num(ot_cap),
        labour=lab,
        workforce=workforce,
        sub=sub,
        sub_cap=sub_cap,
        sub_pairs=sub_pairs,
        sub_price=sub_price,
        mat=mat,
        mat_cap=mat_cap,
        mat_pairs=mat_pairs,
        row_item=row_item,
        row_sku=sku_code,
        row_month=t,
        row_share=share,
        rows=rows.assign(**{schema.FAMILY: fam[sku_code], schema.UNITS: units}),
        sku_price=pd.Series(price_s, index=skus),
        notes=notes,
    )
