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
    cons = cons[cons[schema.MONTH].isin(months)]
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
    return (
        out[PLAN_COLUMNS]
        .sort_values([schema.MONTH, schema.SKU, schema.REGION])
        .reset_index(drop=True)
    )


def has_loaded_consensus(tables: dict[str, pd.DataFrame]) -> bool:
    """True when the dataset brings its own consensus demand plan."""
    cons = tables.get(schema.CONSENSUS)
    return cons is not None and len(cons) > 0


class DemandNotReady(StoreError):
    """No statistical forecast is stored for the dataset and settings asked for."""
