"""The hold-out backtest forecasts from training data only: no held-out value of any
series reaches any forecast (family seasonal profiles, promotion lift, the series)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tiny import tiny_tables

from sop.core import schema
from sop.demand.backtest import holdout, training_tables

HORIZON = 3


def _tables() -> dict[str, pd.DataFrame]:
    """40 months of seasonal sales in families Alpha and Beta; A2/South is short (14
    months), so it is forecast with the help of the Alpha family's seasonal profile."""
    rng = np.random.default_rng(3)
    months = pd.date_range("2022-09-01", "2025-12-01", freq="MS")
    rows = []
    for sku, region, start, level in (
        ("A1", "North", 0, 100),
        ("A1", "South", 0, 80),
        ("A2", "North", 0, 60),
        ("A2", "South", len(months) - 14, 50),
        ("B1", "North", 0, 40),
    ):
        for m in months[start:]:
            season = 1 + 0.3 * np.sin(2 * np.pi * m.month / 12)
            rows.append((m, sku, region, float(round(level * season + rng.normal(0, 5)))))
    sales = pd.DataFrame(rows, columns=[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS])
    return {schema.SALES: sales, schema.PRODUCTS: tiny_tables()[schema.PRODUCTS]}


def test_training_tables_cut_the_last_months_of_each_series() -> None:
    tables = _tables()
    train, cuts = training_tables(tables, HORIZON)
    s = train[schema.SALES]
    assert s[schema.MONTH].max() == pd.Timestamp("2025-09-01")
    assert len(s) == len(tables[schema.SALES]) - 5 * HORIZON
    assert set(cuts["cut"]) == {pd.Timestamp("2025-10-01")}
    # a series with no more than HORIZON months is left out of the training data
    sales = tables[schema.SALES]
    short = sales[schema.SKU].eq("A2") & sales[schema.REGION].eq("South")
    few = pd.concat([sales[~short], sales[short].tail(HORIZON)])
    train, cuts = training_tables({**tables, schema.SALES: few}, HORIZON)
    kept = train[schema.SALES]
    assert not (kept[schema.SKU].eq("A2") & kept[schema.REGION].eq("South")).any()
    assert len(cuts) == 4


def test_changing_another_series_hold_out_moves_no_forecast() -> None:
    tables = _tables()
    before = holdout(tables, HORIZON, workers=1)
    sales = tables[schema.SALES].copy()
    held = (
        sales[schema.SKU].eq("A1")
        & sales[schema.REGION].eq("North")
        & (sales[schema.MONTH] >= "2025-10-01")
    )
    sales.loc[held, schema.UNITS] *= 20  # A1/North's held-out months, changed a lot
    after = holdout({**tables, schema.SALES: sales}, HORIZON, workers=1)
    chosen = before.chosen.set_index([schema.SKU, schema.REGION])
    assert chosen.loc[("A2", "South"), "flag"] == "short"  # the series a profile helps
    a, b = before.errors, after.errors
    assert list(a["series"]) == list(b["series"]) and list(a["method"]) == list(b["method"])
    np.testing.assert_array_equal(a["forecast"].to_numpy(), b["forecast"].to_numpy())
    np.testing.assert_array_equal(a["p90"].to_numpy(), b["p90"].to_numpy())
    # the changed actuals are scored, so the metrics of that series do move
    assert not np.array_equal(a["actual"].to_numpy(), b["actual"].to_numpy())
