"""The demand plan's shape: what supply planning, scenarios and finance consume.

A demand plan is one frame with the columns in `PLAN_COLUMNS`: month, sku, region,
family, units (consensus), p10, p90 (range around it), forecast_units (statistical
P50 before overrides) and source (`loaded consensus`, `forecast` or
`forecast + override`). This module holds that shape and the plan a dataset brings
as data (`loaded_consensus`); `sop.demand.consensus.demand_plan` builds the plan
from the store.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sop.core import schema
from sop.store import StoreError

PLAN_COLUMNS = [
    schema.MONTH,
    schema.SKU,
    schema.REGION,
    schema.FAMILY,
    schema.UNITS,
    schema.P10,
    schema.P90,
    schema.FORECAST_UNITS,
    schema.SOURCE,
]
SOURCE_LOADED = "loaded consensus"
SOURCE_FORECAST = "forecast"
SOURCE_OVERRIDE = "forecast + override"
DEFAULT_HORIZON = 18


def loaded_consensus(tables: dict[str, pd.DataFrame], months: pd.DatetimeIndex) -> pd.DataFrame:
    """The consensus table loaded as data, restricted to `months`, as a demand plan.

    A loaded plan carries no uncertainty, so p10 = p90 = units.
    """
    cons = tables[schema.CONSENSUS]
    inside = cons[schema.MONTH].isin(months)
    if not inside.all():  # (a copy of millions of rows only when some fall outside)
        cons = cons[inside]
    fam = tables[schema.PRODUCTS].drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
    out = cons.assign(
        **{
            schema.FAMILY: cons[schema.SKU].map(fam),
            schema.P10: cons[schema.UNITS],
            schema.P90: cons[schema.UNITS],
            schema.FORECAST_UNITS: cons[schema.UNITS],
            schema.SOURCE: SOURCE_LOADED,
        }
    )
    keys = [schema.MONTH, schema.SKU, schema.REGION]
    out = out[PLAN_COLUMNS]
    # the store keeps a loaded plan in this order: sorting millions of rows again is skipped
    return (out if in_key_order(out, keys) else out.sort_values(keys)).reset_index(drop=True)


def in_key_order(df: pd.DataFrame, keys: list[str]) -> bool:
    """True when the rows of `df` are sorted by `keys` (each ascending, the next key
    breaking ties), checked on adjacent rows in Arrow (a few ms for millions of rows)."""
    if len(df) < 2:
        return True
    tied = None  # adjacent rows equal on the keys so far
    for k in keys:
        col = pa.Array.from_pandas(df[k])
        a, b = col.slice(0, len(col) - 1), col.slice(1)
        down = pc.greater(a, b)  # a null key compares as null: never "in order"
        if tied is not None:
            down = pc.and_(tied, down)
        if pc.any(pc.fill_null(down, True)).as_py():
            return False
        eq = pc.equal(a, b)
        tied = eq if tied is None else pc.and_(tied, eq)
    return True


def has_loaded_consensus(tables: dict[str, pd.DataFrame]) -> bool:
    """True when the dataset brings its own consensus demand plan."""
    cons = tables.get(schema.CONSENSUS)
    return cons is not None and len(cons) > 0


class DemandNotReady(StoreError):
    """No statistical forecast is stored for the dataset and settings asked for."""
