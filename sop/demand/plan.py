"""The consensus demand plan: what supply planning, scenarios and finance consume.

`demand_plan` returns one frame with the columns in `PLAN_COLUMNS`:
month, sku, region, family, units (consensus), p10, p90 (range around it),
forecast_units (statistical P50 before overrides) and source
(`loaded consensus`, `forecast` or `forecast + override`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sop.core import schema
from sop.store import Store, StoreError

if TYPE_CHECKING:
    from sop.demand.engine import ForecastSettings

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


def plan_months(as_of: pd.Timestamp, horizon: int = DEFAULT_HORIZON) -> pd.DatetimeIndex:
    """The `horizon` calendar months after the as-of month."""
    if horizon < 1:
        raise ValueError(f"the horizon must be at least 1 month, not {horizon}")
    return pd.date_range(pd.Timestamp(as_of) + pd.offsets.MonthBegin(1), periods=horizon, freq="MS")


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


def demand_plan(
    store: Store,
    version: int | None = None,
    horizon: int | None = None,
    settings: ForecastSettings | None = None,
) -> pd.DataFrame:
    """The consensus demand plan of a dataset version (default: the active one).

    Columns `PLAN_COLUMNS`, one row per month x SKU x region, sorted by month,
    sku, region: units = consensus (statistical P50 + active overrides), p10/p90
    moved with it, forecast_units = statistical P50, source. When the dataset
    has a loaded `consensus` table, that plan is returned instead (source
    `loaded consensus`). `settings=None` takes the newest stored run of the
    version; `horizon=None` every month of that run (a loaded plan: 18 months).
    Reads stored results only, never fits. Raises `DemandNotReady` when no
    forecast is stored (and no consensus was loaded), `StoreError` when no
    dataset is loaded.
    """
    from sop.demand import consensus

    ctx = consensus.context(store, version, settings)
    if ctx.run is None and not has_loaded_consensus(ctx.tables):
        raise consensus.not_ready(ctx, settings)
    return consensus.plan_from(store, ctx, horizon)
