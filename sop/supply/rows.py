"""The demand rows a supply plan plans, and how they map to items.

`row_layout` reads which rows of a demand plan fall in the plan months and belong to
known SKUs, codes them (SKU, month, region), routes the SKUs (hours per unit, plants)
and groups them into items (`sop.supply.inputs` has what an item is). None of it
depends on units, prices or costs, so a scenario, whose every slider move plans the
same rows, makes it once and hands it to `sop.supply.inputs.prepare`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sop.core import schema
from sop.supply import capacity
from sop.supply import notes as plan_notes
from sop.supply.notes import PlanNote
from sop.supply.policy import END_UNITS, LEVEL_SKU, SupplyPolicy


class SupplyInputError(ValueError):
    """The inputs cannot be planned; the message says what is wrong and what to do."""


def _isin(col: pd.Series, values: pd.Index | pd.Series) -> np.ndarray:
    """`col.isin(values)` as a mask. Text matched against text is one Arrow call:
    pandas turns `values` into Arrow scalars one by one (a quarter of a second against
    20,000 SKUs, several times a scenario)."""
    vals = pd.Index(values)
    if (
        isinstance(col.dtype, pd.StringDtype)
        and col.dtype.storage == "pyarrow"
        and vals.dtype == col.dtype
    ):
        arr = pa.chunked_array(pa.array(col.array))
        value_set = pa.chunked_array(pa.array(vals.array)).combine_chunks().cast(arr.type)
        return np.asarray(pc.is_in(arr, value_set=value_set), dtype=bool)
    return col.isin(vals).to_numpy(dtype=bool)


def _plan_rows(
    demand: pd.DataFrame, products: pd.DataFrame, policy: SupplyPolicy, notes: list[PlanNote]
) -> tuple[pd.DatetimeIndex, pd.DataFrame]:
    """(the plan months, the demand rows of known SKUs in them); notes what is left out.
    Raises SupplyInputError when there is nothing to plan."""
    if demand is None or demand.empty:
        raise SupplyInputError(
            "The demand plan is empty: there is nothing to plan. "
            "Forecast demand first (`python -m sop forecast`)."
        )
    months = pd.DatetimeIndex(sorted(demand[schema.MONTH].unique()))[: policy.horizon]
    if len(months) < policy.horizon:
        notes.append(
            PlanNote(
                plan_notes.SHORT_DEMAND,
                (),
                f"The demand plan covers {len(months)} months, fewer than the "
                f"{policy.horizon}-month horizon; the plan covers those months.",
            )
        )
    d = demand[demand[schema.MONTH].isin(months)]
    known = _isin(d[schema.SKU], products.index)
    if not known.all():
        lost = sorted(d.loc[~known, schema.SKU].unique())
        notes.append(
            PlanNote(
                plan_notes.UNKNOWN_SKU,
                lost,
                f"{len(lost)} SKU(s) of the demand plan are not in products and are "
                f"left out: {', '.join(map(str, lost[:5]))}.",
            )
        )
        d = d[known]
    if d.empty:
        raise SupplyInputError("No SKU of the demand plan is in the product master.")
    fams = set(products.loc[d[schema.SKU].unique(), schema.FAMILY].astype(str))
    if policy.ending_inventory == END_UNITS and (gone := set(dict(policy.ending_units)) - fams):
        notes.append(
            PlanNote(
                plan_notes.UNKNOWN_ENDING_FAMILY,
                sorted(gone),
                f"The ending inventory of {', '.join(sorted(gone))} is left out: "
                "no such family in the demand plan.",
            )
        )
    return months, d


def _routing(
    products: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    skus: pd.Index,
    res: pd.DataFrame,
    notes: list[PlanNote],
) -> tuple[pd.DataFrame, np.ndarray]:
    """(hours per unit of the SKUs on known resources, the plant of each SKU)."""
    hpu = capacity.hours_per_unit(products.reset_index(), tables[schema.BILL_OF_RESOURCES])
    hpu = hpu[_isin(hpu[schema.SKU], skus) & _isin(hpu[schema.RESOURCE], res[schema.RESOURCE])]
    plant = (
        capacity.sku_plants(hpu, res).reindex(skus).fillna(capacity.UNROUTED).to_numpy(dtype=object)
    )
    unrouted = skus[plant == capacity.UNROUTED]
    if len(unrouted):
        notes.append(
            PlanNote(
                plan_notes.UNROUTED_SKU,
                unrouted,
                f"{len(unrouted)} SKU(s) have no routing and are planned without a "
                f"capacity limit: {', '.join(map(str, unrouted[:5]))}.",
            )
        )
    return hpu, plant


def _items(
    skus: pd.Index, fam: np.ndarray, plant: np.ndarray, level: str
) -> tuple[np.ndarray, pd.DataFrame]:
    """(the item of each SKU, the items): each SKU at SKU level, else family x plant."""
    if level == LEVEL_SKU:
        item_of_sku = np.arange(len(skus))
        items = pd.DataFrame(
            {schema.SKU: np.asarray(skus, dtype=object), schema.FAMILY: fam, schema.PLANT: plant}
        )
        return item_of_sku, items
    keys = pd.MultiIndex.from_arrays([fam, plant])
    item_of_sku, uniq = pd.factorize(keys, sort=True)
    items = pd.DataFrame(
        {
            schema.FAMILY: uniq.get_level_values(0).to_numpy(dtype=object),
            schema.PLANT: uniq.get_level_values(1).to_numpy(dtype=object),
        }
    )
    return item_of_sku, items


@dataclass(frozen=True)
class RowLayout:
    """What `prepare` makes of a demand plan's rows and the routing alone: the plan
    months, the rows planned (`pos`: their positions in the demand plan) and their SKU,
    month and region codes, hours per unit, families and items, and the notes on what was
    left out. It does not depend on the units, prices or costs, so a scenario, whose
    every move plans the same rows on the same routing, makes it once (`row_layout`)."""

    months: pd.DatetimeIndex
    pos: np.ndarray
    rows: pd.DataFrame
    sku_code: np.ndarray
    skus: pd.Index
    t: np.ndarray
    region_code: np.ndarray
    regions: pd.Index
    hpu: pd.DataFrame
    fam: np.ndarray
    item_of_sku: np.ndarray
    items: pd.DataFrame
    notes: tuple[PlanNote, ...]


def row_layout(
    demand: pd.DataFrame, tables: dict[str, pd.DataFrame], policy: SupplyPolicy
) -> RowLayout:
    """The `RowLayout` of a demand plan under the products' SKUs and families, the bill
    of resources, the resources' names and plants and the policy's horizon, level and
    ending units. Raises SupplyInputError when there is nothing to plan."""
    notes: list[PlanNote] = []
    products = tables[schema.PRODUCTS].drop_duplicates(schema.SKU).set_index(schema.SKU)
    months, d = _plan_rows(demand.reset_index(drop=True), products, policy, notes)
    rows = d[[schema.MONTH, schema.SKU, schema.REGION]].reset_index(drop=True)
    sku_code, skus = pd.factorize(rows[schema.SKU])
    res = tables[schema.RESOURCES].reset_index(drop=True)
    hpu, plant = _routing(products, tables, skus, res, notes)
    fam = products[schema.FAMILY].reindex(skus).to_numpy(dtype=object)
    item_of_sku, items = _items(skus, fam, plant, policy.level)
    region_code, regions = pd.factorize(rows[schema.REGION])
    return RowLayout(
        months,
        d.index.to_numpy(),
        rows,
        sku_code,
        skus,
        months.get_indexer(rows[schema.MONTH]),
        region_code,
        regions,
        hpu,
        fam,
        item_of_sku,
        items,
        tuple(notes),
    )
