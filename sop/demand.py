"""The consensus demand plan: what supply planning, scenarios and finance consume.

`demand_plan` returns one frame with the columns in `PLAN_COLUMNS`:
month, sku, region, family, units (consensus), p10, p90 (range around it),
forecast_units (statistical P50 before overrides) and source
(`loaded consensus`, `forecast` or `forecast + override`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sop import schema as S
from sop.store import Store, StoreError

if TYPE_CHECKING:
    from sop.engine import ForecastSettings

PLAN_COLUMNS = [S.MONTH, S.SKU, S.REGION, S.FAMILY, S.UNITS, S.P10, S.P90,
                S.FORECAST_UNITS, S.SOURCE]
SOURCE_LOADED = "loaded consensus"
SOURCE_FORECAST = "forecast"
SOURCE_OVERRIDE = "forecast + override"
DEFAULT_HORIZON = 18


def plan_months(as_of: pd.Timestamp, horizon: int = DEFAULT_HORIZON) -> pd.DatetimeIndex:
    """The `horizon` calendar months after the as-of month."""
    if horizon < 1:
        raise ValueError(f"the horizon must be at least 1 month, not {horizon}")
    return pd.date_range(pd.Timestamp(as_of) + pd.offsets.MonthBegin(1), periods=horizon,
                         freq="MS")


def loaded_consensus(tables: dict[str, pd.DataFrame],
                     months: pd.DatetimeIndex) -> pd.DataFrame:
    """The consensus table loaded as data, restricted to `months`, as a demand plan.

    A loaded plan carries no uncertainty, so p10 = p90 = units.
    """
    cons = tables[S.CONSENSUS]
    cons = cons[cons[S.MONTH].isin(months)]
    fam = tables[S.PRODUCTS].drop_duplicates(S.SKU).set_index(S.SKU)[S.FAMILY]
    out = cons.assign(**{S.FAMILY: cons[S.SKU].map(fam), S.P10: cons[S.UNITS],
                         S.P90: cons[S.UNITS], S.FORECAST_UNITS: cons[S.UNITS],
                         S.SOURCE: SOURCE_LOADED})
    return out[PLAN_COLUMNS].sort_values([S.MONTH, S.SKU, S.REGION]).reset_index(drop=True)


def has_loaded_consensus(tables: dict[str, pd.DataFrame]) -> bool:
    """True when the dataset brings its own consensus demand plan."""
    cons = tables.get(S.CONSENSUS)
    return cons is not None and len(cons) > 0


class DemandNotReady(StoreError):
    """No statistical forecast is stored for the dataset and settings asked for."""


def demand_plan(store: Store, version: int | None = None, horizon: int | None = None,
                settings: ForecastSettings | None = None) -> pd.DataFrame:
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
    from sop import consensus as C

    ctx = C.context(store, version, settings)
    if ctx.run is None and not has_loaded_consensus(ctx.tables):
        raise C.not_ready(ctx, settings)
    return C.plan_from(store, ctx, horizon)
