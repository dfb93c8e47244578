"""Where a demand plan comes from: a dataset's loaded consensus, the store's consensus
demand plan (forecast + overrides), or a statistical forecast run on the spot.

Each returns a frame with the columns of `sop.demand.plan.PLAN_COLUMNS`.
"""

from __future__ import annotations

import sys

import pandas as pd
from tqdm import tqdm

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.demand.consensus import demand_plan
from sop.demand.plan import (
    PLAN_COLUMNS,
    SOURCE_FORECAST,
    DemandNotReady,
    has_loaded_consensus,
    loaded_consensus,
)
from sop.store import Store


class NoDemand(RuntimeError):
    """No demand plan can be had for the dataset; the message says what to run."""


def demand_from_tables(tables: dict[str, pd.DataFrame], horizon: int) -> pd.DataFrame | None:
    """The dataset's loaded consensus as a demand plan, or None when it has none."""
    if not has_loaded_consensus(tables):
        return None
    return loaded_consensus(tables, plan_months(as_of_month(tables), horizon))


def demand_from_store(
    store: Store,
    version: int | None,
    horizon: int,
    tables: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The store's consensus demand plan; NoDemand (with what to run) when there is none.
    `tables`: the version's completed tables when the caller has them (else read)."""
    try:
        return demand_plan(store, version, horizon, tables=tables)
    except DemandNotReady as exc:
        raise NoDemand(str(exc)) from exc


def demand_by_forecasting(tables: dict[str, pd.DataFrame], horizon: int) -> pd.DataFrame:
    """Run the statistical forecast (no overrides) and return it as a demand plan, with
    a progress bar on standard error."""
    # Lazy, as in `consensus.run_and_store`: the engine pulls in statsmodels and scipy
    # (~0.75 s), which every page that only reads a stored plan would otherwise pay.
    from sop.demand.engine import ForecastSettings, run_forecast

    with tqdm(desc="Forecasting demand", unit="series", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        values = run_forecast(tables, ForecastSettings(horizon=horizon), progress=progress).values
    fam = tables[schema.PRODUCTS].drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
    plan = values.assign(
        **{
            schema.UNITS: values[schema.P50],
            schema.FORECAST_UNITS: values[schema.P50],
            schema.FAMILY: values[schema.SKU].map(fam),
            schema.SOURCE: SOURCE_FORECAST,
        }
    )
    return plan[PLAN_COLUMNS].sort_values(
        [schema.MONTH, schema.SKU, schema.REGION], ignore_index=True
    )
