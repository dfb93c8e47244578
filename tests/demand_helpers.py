"""Helpers for the demand tests: a hand-made stored forecast over the tiny dataset."""

from __future__ import annotations

import dataclasses

import pandas as pd
from tiny import AS_OF, tiny_tables

from sop.core import schema
from sop.data.validate import check_tables
from sop.demand.engine import ForecastSettings
from sop.store import Store
from sop.store import forecasts as forecast_store

# P50 per SKU x region and month of the hand-made forecast (units/month)
P50 = {
    ("A1", "North"): 100.0,
    ("A1", "South"): 300.0,
    ("A2", "North"): 50.0,
    ("A2", "South"): 50.0,
    ("B1", "North"): 200.0,
    ("B1", "South"): 0.0,
}
MONTHS = pd.date_range(AS_OF + pd.offsets.MonthBegin(1), periods=6, freq="MS")
SETTINGS = ForecastSettings(horizon=len(MONTHS))
# the 18 months of the stored run the scenario pages plan with (`tests/app` fixture `forecast`)
PLAN_MONTHS = pd.date_range(AS_OF + pd.offsets.MonthBegin(1), periods=18, freq="MS")
FAMILY = {"A1": "Alpha", "A2": "Alpha", "B1": "Beta"}


def fake_values(p50: dict | None = None, months: pd.DatetimeIndex = MONTHS) -> pd.DataFrame:
    """sku, region, month, p10, p50, p90 with p10 = 0.8 x p50 and p90 = 1.3 x p50."""
    rows = [
        (sku, region, m, 0.8 * v, v, 1.3 * v, f"{sku}|{region}")
        for (sku, region), v in (p50 or P50).items()
        for m in months
    ]
    return pd.DataFrame(
        rows,
        columns=[
            schema.SKU,
            schema.REGION,
            schema.MONTH,
            schema.P10,
            schema.P50,
            schema.P90,
            schema.BAND_GROUP,
        ],
    )


def fake_frames(values: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The other frames of a ForecastResult, in the engine's shape (SKU x region level).

    Series WAPE: A1 10 %, A2 20 %, B1 30 % (North) / 40 % (South); seasonal naive 20 %
    everywhere; B1/South is flagged intermittent.
    """
    keys = values[[schema.SKU, schema.REGION]].drop_duplicates().reset_index(drop=True)
    fitted = keys.merge(
        pd.DataFrame({schema.MONTH: pd.date_range("2024-01-01", AS_OF, freq="MS")}), how="cross"
    )
    fitted[forecast_store.FITTED] = 100.0
    wape = {"A1": 0.1, "A2": 0.2, "B1": 0.3}
    sel = keys.assign(
        **{
            schema.FAMILY: keys[schema.SKU].map(FAMILY),
            "method": "ets",
            "flag": "ok",
            "n_months": 24,
            "wape": keys[schema.SKU].map(wape),
            "mase": 0.8,
            "bias": 0.05,
            "snaive_wape": 0.2,
        }
    )
    sel.loc[(sel[schema.SKU] == "B1") & (sel[schema.REGION] == "South"), ["flag", "wape"]] = [
        "intermittent",
        0.4,
    ]
    sel = sel[
        [
            schema.FAMILY,
            schema.SKU,
            schema.REGION,
            "method",
            "flag",
            "n_months",
            "wape",
            "mase",
            "bias",
            "snaive_wape",
        ]
    ]
    backtest = sel[[schema.SKU, schema.REGION, "method", "wape", "mase", "bias"]].assign(mape=0.15)
    return {"values": values, "fitted": fitted, "selection": sel, "backtest": backtest}


def loaded_store(store: Store, tables: dict | None = None) -> int:
    return store.load(check_tables(tables or tiny_tables()).tables, name="tiny")


def store_fake_run(
    store: Store,
    version: int = 1,
    settings: ForecastSettings = SETTINGS,
    values: pd.DataFrame | None = None,
) -> int:
    """Store the hand-made forecast as a run of `version`; returns its run_id."""
    values = fake_values() if values is None else values
    return forecast_store.save_run(
        store,
        version,
        settings.key(),
        dataclasses.asdict(settings),
        fake_frames(values),
        seconds=0.1,
        n_series=6,
        as_of=AS_OF,
    )


def banded_budget_store(store: Store) -> Store:
    """The tiny dataset with a stored forecast with a band (P10 0.8x, P90 1.3x P50), so
    a risk run's outcomes spread; Alpha's budget doubled (out of reach), Beta's halved
    (in reach): the chance of meeting the budget tests' case."""
    tables = tiny_tables()
    b = tables[schema.BUDGET]
    cols = [schema.REVENUE, schema.MARGIN]
    alpha = b[schema.FAMILY] == "Alpha"
    b.loc[alpha, cols] = 2 * b.loc[alpha, cols]
    b.loc[~alpha, cols] = 0.5 * b.loc[~alpha, cols]
    loaded_store(store, tables)
    months = pd.date_range("2026-01-01", periods=18, freq="MS")
    store_fake_run(store, settings=ForecastSettings(horizon=18), values=fake_values(months=months))
    return store
