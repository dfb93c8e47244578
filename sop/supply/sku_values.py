"""Per-SKU values of the supply-plan inputs (`sop.supply.inputs.prepare`): the price
(list or net), what the LP counts a unit served as worth when no price is loaded, the
material cost and hours per unit, the holding rate, stock on hand and safety stock,
and what each resource's capacity counts (hours, or a family's units)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sop.core import schema
from sop.core.months import add_months, as_of_month
from sop.data import defaults
from sop.supply import notes as plan_notes
from sop.supply.notes import PlanNote
from sop.supply.policy import PRICE_NET, SupplyPolicy

DEFAULT_HOLDING_PCT = defaults.DEFAULT_HOLDING_PCT
PER_HOUR, PER_UNIT = "hour", "unit"  # a resource's capacity: hours, or units of a family


def net_prices(tables: dict[str, pd.DataFrame], list_price: pd.Series) -> pd.Series:
    """Per SKU: revenue / units of the last 12 months of sales, else the list price."""
    sales, as_of = tables.get(schema.SALES), as_of_month(tables)
    if sales is None or as_of is None or schema.REVENUE not in sales:
        return list_price
    last = sales[
        (sales[schema.MONTH] > add_months(as_of, -12))
        & sales[schema.REVENUE].notna()
        & (sales[schema.UNITS] > 0)
    ]
    g = last.groupby(schema.SKU)[[schema.REVENUE, schema.UNITS]].sum()
    net = (g[schema.REVENUE] / g[schema.UNITS]).reindex(list_price.index)
    return net.where(net > 0, list_price).fillna(list_price)


def planning_worth(price_s: np.ndarray, notes: list[PlanNote], skus: pd.Index) -> np.ndarray:
    """Per SKU, what a unit served counts for in the LP: its price; for a SKU with no
    price loaded, the median price of the others (1 when no SKU has one). It only ranks
    serving demand against the costs and is never reported: the revenue and margin of
    an unpriced SKU stay unknown (NaN)."""
    known = np.isfinite(price_s)
    if known.all():
        return price_s
    gone = skus[~known]
    notes.append(
        PlanNote(
            plan_notes.UNPRICED_SKU,
            gone,
            f"No price loaded for {len(gone)} SKU(s) ({', '.join(map(str, gone[:5]))}"
            f"{' ...' * (len(gone) > 5)}): the plan serves their demand as far as capacity "
            "allows, but revenue, margin and the value of capacity cannot be shown. Add "
            "list_price to products, or revenue to sales.",
        )
    )
    fill = float(np.median(price_s[known])) if known.any() else 1.0
    return np.where(known, price_s, fill)


def per(tables: dict[str, pd.DataFrame], res: pd.DataFrame) -> np.ndarray:
    """What each resource's capacity counts: units for the family lines of
    `family_capacity` (`sop.data.defaults`), hours for every other."""
    units = {defaults.family_resource(f) for f in defaults.family_capacity_families(tables)}
    return np.where(res[schema.RESOURCE].isin(units), PER_UNIT, PER_HOUR).astype(object)


def cover(dsku: np.ndarray, months_cover: np.ndarray) -> np.ndarray:
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


def sku_prices(
    tables: dict[str, pd.DataFrame],
    products: pd.DataFrame,
    skus: pd.Index,
    res: pd.DataFrame,
    hpu: pd.DataFrame,
    policy: SupplyPolicy,
) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
    """Per SKU: (price, material cost, hours per unit on each resource)."""
    list_price = products[schema.LIST_PRICE].reindex(skus).astype(float)
    price_s = (
        net_prices(tables, list_price) if policy.price_basis == PRICE_NET else list_price
    ).to_numpy(dtype=float)
    mat_s = products[schema.MATERIAL_COST].reindex(skus).to_numpy(dtype=float, na_value=0.0)
    r_idx = pd.Index(res[schema.RESOURCE]).get_indexer(hpu[schema.RESOURCE])
    H = sp.csr_matrix(
        (
            hpu[schema.HOURS_PER_UNIT].to_numpy(dtype=float),
            (pd.Index(skus).get_indexer(hpu[schema.SKU]), r_idx),
        ),
        shape=(len(skus), len(res)),
    )
    return price_s, mat_s, H


def sku_stock(
    tables: dict[str, pd.DataFrame], skus: pd.Index, dsku: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per SKU: (holding cost per unit-month as a share of its standard cost, units on
    hand, safety stock per month)."""
    inv = tables.get(schema.INVENTORY)
    inv = defaults.empty(schema.INVENTORY) if inv is None else inv  # no stock, no policy
    inv = inv.drop_duplicates(schema.SKU).set_index(schema.SKU).reindex(skus)
    hold_pct = inv[schema.HOLDING_COST_PCT].astype(float)
    hold_pct = hold_pct.fillna(
        hold_pct.median() if hold_pct.notna().any() else DEFAULT_HOLDING_PCT
    ).to_numpy(dtype=float)
    hold_share = hold_pct / 100 / 12
    onhand_s = inv[schema.ON_HAND_UNITS].to_numpy(dtype=float, na_value=0.0)
    ss_m = inv[schema.SAFETY_STOCK_MONTHS].to_numpy(dtype=float, na_value=np.nan)
    ss_u = (
        inv[schema.SAFETY_STOCK_UNITS].to_numpy(dtype=float, na_value=np.nan)
        if schema.SAFETY_STOCK_UNITS in inv
        else np.full(len(skus), np.nan)
    )
    ss_s = np.where(
        np.isfinite(ss_m)[:, None], cover(dsku, np.nan_to_num(ss_m)), np.nan_to_num(ss_u)[:, None]
    )
    return hold_share, onhand_s, ss_s
