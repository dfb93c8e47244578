"""New products (no sales history, or launched in the last year) get the family-profile
forecast of `sop.demand.newproducts`, marked as such, never an error."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from tiny import AS_OF, tiny_tables

from sop.core import schema
from sop.demand import newproducts
from sop.demand.engine import ForecastSettings, run_forecast

ORIGIN = pd.Timestamp("2025-01-01")
PLAN_START = pd.Timestamp("2026-01-01")  # as-of 2025-12: 12 months of history


def _span(new_y: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Family F in region R: two established series at 100 and 140 a month; with
    `new_y`, a third column E (a recent launch) with those units."""
    cols = [("S1", 100.0), ("S2", 140.0)]
    wide = np.column_stack([np.full(12, v) for _, v in cols])
    skus = [s for s, _ in cols]
    if new_y is not None:
        wide = np.column_stack([wide, new_y])
        skus.append("E")
    span = pd.DataFrame({schema.SKU: skus, schema.REGION: "R", schema.FAMILY: "F"})
    return span, wide, np.array([s == "E" for s in skus])


def _products(**launch: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.SKU: list(launch),
            schema.FAMILY: "F",
            schema.LAUNCH_MONTH: [pd.Timestamp(m) for m in launch.values()],
            schema.PHASE_OUT_MONTH: pd.NaT,
        }
    )


def test_a_product_without_history_ramps_up_to_the_family_level() -> None:
    span, wide, new = _span()
    unsold = pd.DataFrame({schema.SKU: ["N"], schema.FAMILY: ["F"]})
    values, rows = newproducts.forecast_new(
        span, wide, new, unsold, {}, ORIGIN, AS_OF, 8, _products(N="2026-01")
    )
    # like-products' level (100 + 140) / 2 = 120; launch in the first plan month:
    # ramp 1/6, 2/6, ... 6/6, then full; no seasonal profile (flat)
    expected = 120 * np.minimum(1, np.arange(1, 9) / 6)
    np.testing.assert_allclose(values[schema.P50], expected)
    # sigma: the like-products' spread, std(100, 140) / 120 = 0.236, at least 0.25
    np.testing.assert_allclose(values["sigma"], 0.25 * expected)
    assert rows.to_dict("records") == [
        {schema.SKU: "N", schema.REGION: "R", schema.FAMILY: "F", "n_months": 0}
    ]


def test_a_launch_later_in_the_plan_forecasts_zero_before_it() -> None:
    span, wide, new = _span()
    unsold = pd.DataFrame({schema.SKU: ["N"], schema.FAMILY: ["F"]})
    values, _ = newproducts.forecast_new(
        span, wide, new, unsold, {}, ORIGIN, AS_OF, 4, _products(N="2026-03")
    )
    np.testing.assert_allclose(values[schema.P50], [0, 0, 20, 40])


def test_a_recent_launch_blends_its_own_level_with_the_family() -> None:
    y = np.r_[np.full(8, np.nan), np.full(4, 60.0)]  # sold 60 a month since 2025-09
    span, wide, new = _span(y)
    products = _products(E="2025-09")
    assert list(newproducts.new_columns(span, wide, products, AS_OF)) == [False, False, True]
    values, rows = newproducts.forecast_new(
        span,
        wide,
        new,
        pd.DataFrame(columns=[schema.SKU, schema.FAMILY]),
        {},
        ORIGIN,
        AS_OF,
        3,
        products,
    )
    # w = 4 / 12 on its own level 60, the rest on the family's 120 ramped (month 4, 5, 6
    # since launch: 5/6, 1, 1)
    expected = [60 / 3 + 2 / 3 * 120 * r for r in (5 / 6, 1, 1)]
    np.testing.assert_allclose(values[schema.P50], expected)
    assert rows["n_months"].tolist() == [4]


def _with_new(launch: pd.Timestamp | None) -> dict[str, pd.DataFrame]:
    t = tiny_tables()
    p = t[schema.PRODUCTS]
    new = p.iloc[[0]].assign(**{schema.SKU: "A9", schema.LAUNCH_MONTH: launch})
    t[schema.PRODUCTS] = pd.concat([p, new], ignore_index=True)
    return t


FAST = ForecastSettings(horizon=6, backtest_origins=1)


@pytest.mark.parametrize("level", ["sku_region", "sku"])
@pytest.mark.parametrize(
    "launch", [AS_OF + pd.offsets.MonthBegin(1), AS_OF, None], ids=["next", "last", "none"]
)
def test_run_forecast_forecasts_a_sku_without_history(level: str, launch) -> None:
    r = run_forecast(_with_new(launch), replace(FAST, level=level), workers=1)
    sel = r.selection[r.selection[schema.SKU] == "A9"]
    assert len(sel) == (2 if level == "sku_region" else 1)
    assert set(sel["method"]) == {newproducts.METHOD} and set(sel["flag"]) == {"new product"}
    assert (sel[schema.FAMILY] == "Alpha").all()
    v = r.values[r.values[schema.SKU] == "A9"]
    assert set(v[schema.REGION]) == {"North", "South"} and len(v) == 12
    assert (v[schema.P10] <= v[schema.P50]).all() and (v[schema.P50] <= v[schema.P90]).all()
    first = v.sort_values(schema.MONTH).groupby(schema.REGION)[schema.P50]
    # ramping up from launch (month 0 or 1 of six) to the family level
    assert (first.first() > 0).all() and (first.first() * 2.5 < first.last()).all()


def test_run_forecast_with_one_sales_row() -> None:
    t = tiny_tables()
    t[schema.SALES] = t[schema.SALES].tail(1)  # B1 South, the as-of month
    r = run_forecast(t, FAST, workers=1)
    flags = r.selection.set_index([schema.SKU, schema.REGION])["flag"]
    assert flags[("B1", "South")] != "new product"
    assert (flags.drop(("B1", "South")) == "new product").all()  # A1 and A2: no history
    assert set(r.values[schema.SKU]) == {"A1", "A2", "B1"}
    assert np.isfinite(r.values[schema.P50]).all()


def test_run_forecast_when_every_series_is_a_new_product() -> None:
    """Every SKU launched two months ago: no series gets a model, none is left out."""
    t = tiny_tables()
    launch = AS_OF - pd.DateOffset(months=2)
    t[schema.SALES] = t[schema.SALES][t[schema.SALES][schema.MONTH] >= launch]
    t[schema.PRODUCTS] = t[schema.PRODUCTS].assign(**{schema.LAUNCH_MONTH: launch})
    r = run_forecast(t, ForecastSettings(horizon=6), workers=1)
    assert set(r.selection["flag"]) == {"new product"}
    sold = t[schema.SALES][[schema.SKU, schema.REGION]].drop_duplicates()
    got = r.values[[schema.SKU, schema.REGION]].drop_duplicates()
    assert len(sold.merge(got)) == len(sold)
    assert (r.values.groupby(schema.SKU)[schema.P50].sum() > 0).all()
    assert r.reconciliation.reason == "no series with a model"
