"""Supply-plan inputs: a demand plan and the supply tables turned into arrays.

`prepare(demand, tables, policy)` aggregates demand to the planning level (an
*item* is a family x plant, or a SKU). Per item it computes the hours per unit
on every resource, the material and holding cost per unit as averages over its
SKUs weighted by their demand over the whole horizon (a planning bill of
resources: constant over the months, so the plan has no incentive to shift
production into months whose mix happens to be lighter), and the unit price
per month weighted by that month's mix (revenue is tied to the month of the
order, so it creates no such incentive and stays exact when the plan is split
back to SKU and region in the month's demand shares). The standard rate of every
resource (`sop.supply.absorption`: labour at the budget's absorption rate) prices
the standard cost per unit, on which the holding cost is charged. Everything is
vectorised (numpy / scipy.sparse): no Python loop runs over SKUs or variables.

The per-SKU values are in `sop.supply.sku_values`. A SKU with no price loaded keeps
an unknown (NaN) price, so its revenue and margin stay unknown; the LP values serving
it at `PlanInputs.worth` instead. `PlanInputs.per` says what a resource's capacity
counts: hours, or units for a family's capacity (`sop.data.defaults`).

A scenario that adds line hours at a cost (`sop.scenario.apply`) gives the capacity
table a column `ADDED_COST` (money per row); `PlanInputs.added_cost` holds it per line
and month, read like the regular hours (`sop.supply.limits.line_hours`), and the plan
books it as a fixed cost (`sop.supply.lp` objective, `sop.supply.results` costs).
A promotion with a cost leaves the frame `PROMOTION_COST` (family, month, amount) in
the tables; `PlanInputs.promo_cost` books each plan month's amount on the family's
items in proportion to their demand that month (equally when it has none), as a
fixed cost the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sop.core import schema
from sop.supply import absorption, sku_values
from sop.supply.limits import (
    INF,
    labour_pools,
    line_hours,
    subcontract_prices,
    supply_options,
)
from sop.supply.notes import PlanNote
from sop.supply.policy import SupplyPolicy
from sop.supply.rows import RowLayout, row_layout
from sop.supply.rows import SupplyInputError as SupplyInputError  # where callers import it
from sop.supply.sku_values import PER_HOUR

ADDED_COST = "added_cost"  # capacity-table column: money paid for a row's added hours
# a scenario's promotion cost (`sop.scenario.apply.promotion_cost`): not a dataset table,
# a frame of family, month and AMOUNT (money) left in the tables dict under this key
PROMOTION_COST, AMOUNT = "promotion_cost", "amount"


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
    std_rate: np.ndarray  # (m,) standard money/hour (`sop.supply.absorption`)
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
    sku_price: pd.Series  # price per SKU (list or net), money/unit; NaN: no price loaded
    worth: np.ndarray | None = None  # (n, T) what the LP counts a unit served as worth
    per: np.ndarray | None = None  # (m,) what a resource's capacity counts: hour or unit
    added_cost: np.ndarray | None = None  # (m, T) money paid for added line hours (fixed)
    promo_cost: np.ndarray | None = None  # (n, T) money an added promotion costs (fixed)
    notes: list[PlanNote] = field(default_factory=list)  # `sop.supply.notes`

    def __post_init__(self) -> None:
        if self.worth is None:
            self.worth = self.price
        if self.per is None:
            self.per = np.full(len(self.res), PER_HOUR, dtype=object)

    @property
    def priced(self) -> bool:
        """Every item has a price: revenue, margin and shadow prices are money."""
        return bool(np.isfinite(self.price).all())

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


def _item_weights(
    item_of_sku: np.ndarray, n: int, dsku: np.ndarray, onhand_s: np.ndarray
) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    """(P: n x ns, sums SKUs into items; Wh: each SKU's share of its item over the
    horizon, by demand, else on hand, else equal; the item totals of that basis)."""
    ns = len(item_of_sku)
    P = sp.csr_matrix((np.ones(ns), (item_of_sku, np.arange(ns))), shape=(n, ns))
    basis = dsku.sum(axis=1)
    for fallback in (onhand_s, np.ones(ns)):
        empty = (P @ basis)[item_of_sku] <= 0
        basis = np.where(empty, fallback, basis)
    wh = basis / (P @ basis)[item_of_sku]
    Wh = sp.csr_matrix((wh, (item_of_sku, np.arange(ns))), shape=(n, ns))
    return P, Wh, np.asarray(P @ basis)


def _standard_rates(
    tables: dict[str, pd.DataFrame],
    res: pd.DataFrame,
    fam_item: np.ndarray,
    hours: sp.csr_matrix,
    item_w: np.ndarray,
    notes: list[PlanNote],
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """(positions of the labour pools in `res`, their workforce rows, the standard rate
    of every resource: `sop.supply.absorption`, the items' hours weighted by `item_w`)."""
    lab, workforce = labour_pools(tables, res, notes)
    fam_hours = absorption.family_hours(fam_item, hours, item_w)
    budget = tables.get(schema.BUDGET)
    return lab, workforce, absorption.standard_rates(res, lab, workforce, budget, fam_hours)


def prepare(
    demand: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    policy: SupplyPolicy,
    layout: RowLayout | None = None,
) -> PlanInputs:
    """Arrays for `sop.supply.lp` from a demand plan (month, sku, region, units).

    `layout`: the demand plan's `row_layout`, made earlier from a plan with the same
    rows in the same order on the same products, routing and policy (a scenario's);
    None makes it here. Raises SupplyInputError with a planner-facing message when
    nothing can be planned.
    """
    lay = layout if layout is not None else row_layout(demand, tables, policy)
    notes: list[PlanNote] = list(lay.notes)
    products = tables[schema.PRODUCTS].drop_duplicates(schema.SKU).set_index(schema.SKU)
    months, rows, sku_code, skus, t = lay.months, lay.rows, lay.sku_code, lay.skus, lay.t
    units = demand[schema.UNITS].to_numpy(dtype=float, na_value=0.0)[lay.pos]
    units = np.clip(units, 0, None)
    T, ns = len(months), len(skus)
    res = tables[schema.RESOURCES].reset_index(drop=True)
    hpu, fam, item_of_sku, items = lay.hpu, lay.fam, lay.item_of_sku, lay.items
    n = len(items)
    row_item = item_of_sku[sku_code]
    region_code, regions = lay.region_code, lay.regions
    series = sku_code * max(len(regions), 1) + region_code
    share = _shares(row_item, t, series, units, n, T)
    wsku = _bincount(sku_code * T + t, share, ns * T).reshape(ns, T)
    dsku = _bincount(sku_code * T + t, units, ns * T).reshape(ns, T)
    price_s, mat_s, H = sku_values.sku_prices(tables, products, skus, res, hpu, policy)
    worth_s = sku_values.planning_worth(price_s, notes, skus)
    hold_share, onhand_s, ss_s = sku_values.sku_stock(tables, skus, dsku)
    # item aggregates: month mixes for price, horizon mixes for costs and hours
    P, Wh, item_w = _item_weights(item_of_sku, n, dsku, onhand_s)
    hours = (Wh @ H).tocsr()
    fam_item = items[schema.FAMILY].to_numpy(dtype=object)
    lab, workforce, std_rate = _standard_rates(tables, res, fam_item, hours, item_w, notes)
    std_s = mat_s + H @ std_rate  # standard cost per unit of each SKU

    def const(v: np.ndarray) -> np.ndarray:
        return np.repeat(np.asarray(Wh @ v)[:, None], T, axis=1)

    cap, ot_cap = line_hours(tables, months, res, notes)
    added_cost = _added_cost(tables, months, res)
    sub, sub_cap, sub_pairs = supply_options(
        tables, schema.OPTION_SUBCONTRACT, months, fam_item, 0.0
    )
    sub_price = subcontract_prices(sub, sub_pairs, fam_item, np.asarray(Wh @ std_s), item_w)
    mat, mat_cap, mat_pairs = supply_options(
        tables, schema.OPTION_MATERIAL_CAP, months, fam_item, INF
    )
    item_demand = _bincount(row_item * T + t, units, n * T).reshape(n, T)
    return PlanInputs(
        months=months,
        items=items,
        demand=item_demand,
        price=P @ (wsku * price_s[:, None]),
        worth=P @ (wsku * worth_s[:, None]),
        material=const(mat_s),
        hold=const(hold_share * std_s),
        ss=P @ ss_s,
        onhand=P @ onhand_s,
        hours=hours,
        res=res,
        std_rate=std_rate,
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
        per=sku_values.per(tables, res),
        added_cost=added_cost,
        promo_cost=_promotion_cost(tables, months, fam_item, item_demand),
        notes=notes,
    )


def _added_cost(
    tables: dict[str, pd.DataFrame], months: pd.DatetimeIndex, res: pd.DataFrame
) -> np.ndarray | None:
    """(m, T) money paid for added line hours: the capacity table's `ADDED_COST` column
    read the way its hours are (`line_hours`: lines only, a month the calendar lacks
    takes its nearest month's), so the cost follows the hours the plan gets. None when
    the column is absent."""
    cap = tables.get(schema.CAPACITY)
    if cap is None or ADDED_COST not in cap.columns:
        return None
    cost = cap[ADDED_COST].to_numpy(dtype=float, na_value=0.0)
    as_hours = {**tables, schema.CAPACITY: cap.assign(**{schema.AVAILABLE_HOURS: cost})}
    return np.nan_to_num(line_hours(as_hours, months, res, [])[0])


def _promotion_cost(
    tables: dict[str, pd.DataFrame],
    months: pd.DatetimeIndex,
    fam_item: np.ndarray,
    demand: np.ndarray,
) -> np.ndarray | None:
    """(n, T) money an added promotion costs: each `PROMOTION_COST` row's amount in its
    plan month, split over its family's items by their demand that month (equally when
    the family has none). Months outside the plan and families not planned book nothing.
    None without such a frame or when nothing of it falls in the plan."""
    frame = tables.get(PROMOTION_COST)
    if frame is None or frame.empty:
        return None
    out = np.zeros(demand.shape)
    at = months.get_indexer(pd.DatetimeIndex(frame[schema.MONTH]).as_unit(months.unit))
    amounts = frame[AMOUNT].to_numpy(dtype=float, na_value=0.0)
    for family, t, amount in zip(frame[schema.FAMILY], at, amounts):  # a row a month
        hit = fam_item == family
        if t < 0 or not hit.any():
            continue
        d = demand[hit, t]
        out[hit, t] += amount * (d / d.sum() if d.sum() > 0 else np.full(len(d), 1 / len(d)))
    return out if out.any() else None
