"""Accuracy metrics against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sop.demand import metrics

A = [10.0, 20.0, 30.0]
F = [12.0, 18.0, 33.0]  # errors F - A: +2, -2, +3


def test_wape_is_total_absolute_error_over_total_actual() -> None:
    # (2 + 2 + 3) / (10 + 20 + 30) = 7 / 60
    assert metrics.wape(A, F) == pytest.approx(7 / 60)


def test_bias_sign_and_value() -> None:
    # (2 - 2 + 3) / 60 = +0.05: over-forecast is positive
    assert metrics.bias(A, F) == pytest.approx(0.05)
    assert metrics.bias(A, [8.0, 18.0, 30.0]) == pytest.approx(-4 / 60)


def test_mape_skips_zero_actuals_and_counts_them() -> None:
    a, f = [0.0, 10.0, 20.0], [1.0, 12.0, 15.0]
    # only months 2 and 3: (2/10 + 5/20) / 2 = (0.2 + 0.25) / 2 = 0.225
    assert metrics.mape(a, f) == pytest.approx(0.225)
    assert metrics.zero_actuals(a) == 1
    assert math.isnan(metrics.mape([0.0, 0.0], [1.0, 2.0]))


def test_missing_actuals_are_skipped() -> None:
    # only the pair (20, 18) is scored: |2| / 20
    assert metrics.wape([np.nan, 20.0], [5.0, 18.0]) == pytest.approx(0.1)


def test_mase_scales_by_seasonal_naive_lag_12() -> None:
    y = list(range(1, 13)) + [3.0, 5.0]  # 14 months
    # lag-12 differences: y13 - y1 = 3 - 1 = 2, y14 - y2 = 5 - 2 = 3 -> scale 2.5
    assert metrics.mase_scale(y) == pytest.approx(2.5)
    # forecast errors |5 - 4| = 1, |4 - 6| = 2 -> MAE 1.5 -> MASE 1.5 / 2.5 = 0.6
    assert metrics.mase([4.0, 6.0], [5.0, 4.0], y) == pytest.approx(0.6)
    # the lag-1 scale would differ: mean |diff| = (11 * 1 + |3 - 12| + |5 - 3|) / 13 = 22/13
    assert metrics.mase_scale(y, season=1) == pytest.approx(22 / 13)
    assert metrics.mase([4.0, 6.0], [5.0, 4.0], y, season=1) != pytest.approx(0.6)


def test_mase_undefined_for_flat_history() -> None:
    assert math.isnan(metrics.mase([1.0], [2.0], [5.0] * 24))


def test_mase_scale_that_is_only_rounding_noise_is_undefined() -> None:
    # a level of 1000 that repeats itself to within 1 unit: seasonal naive error 0.5,
    # 0.05 % of the level -> rounding noise, MASE undefined (not 1000 / 0.5 = 2000x)
    y = np.r_[np.full(12, 1000.0), np.tile([1000.0, 1001.0], 6)]
    assert math.isnan(metrics.mase_scale(y))
    assert math.isnan(metrics.mase([1100.0], [1000.0], y))
    # the same repeat error on a level of 20 is 2.5 % of it: a real scale
    small = np.r_[np.full(12, 20.0), np.tile([20.0, 21.0], 6)]
    assert metrics.mase_scale(small) == pytest.approx(0.5)
    assert metrics.mase([22.0], [21.0], small) == pytest.approx(2.0)
    assert math.isnan(metrics.mase_scale(np.zeros(24)))  # zero scale


def test_series_without_a_mase_scale_are_counted_apart() -> None:
    errors = pd.DataFrame(
        {
            "series": ["s1", "s2", "s3"],
            "method": "m",
            "actual": [10.0, 30.0, 5.0],
            "forecast": [12.0, 27.0, 5.0],
            "scale": [4.0, np.nan, np.nan],
        }
    )
    t = metrics.accuracy_table(errors).iloc[0]
    assert t["mase"] == pytest.approx(0.5)  # s1 only: 2 / 4
    assert t["mase_undefined"] == 2
    assert t["n_series"] == 3 and t["wape"] == pytest.approx(5 / 45)  # WAPE keeps them


def test_fva_sign() -> None:
    # statistical WAPE 15% vs seasonal naive 20%: removes (20 - 15) / 20 = 25% of the error
    assert metrics.fva(0.20, 0.15) == pytest.approx(0.25)
    # a worse forecast destroys value
    assert metrics.fva(0.20, 0.30) == pytest.approx(-0.5)
    assert math.isnan(metrics.fva(0.0, 0.1))


def test_accuracy_table_overall_and_by_family() -> None:
    rows = []
    # series s1 (family X): actual 10, 20; method m forecasts 12, 18 -> |e| 2, 2
    # series s2 (family Y): actual 30;     method m forecasts 27     -> |e| 3
    for s, fam, a, f, scale in (
        ("s1", "X", 10.0, 12.0, 4.0),
        ("s1", "X", 20.0, 18.0, 4.0),
        ("s2", "Y", 30.0, 27.0, 1.5),
    ):
        rows.append(
            {"series": s, "family": fam, "method": "m", "actual": a, "forecast": f, "scale": scale}
        )
    errors = pd.DataFrame(rows)
    t = metrics.accuracy_table(errors).iloc[0]
    assert t["wape"] == pytest.approx(7 / 60)  # (2+2+3)/(10+20+30)
    assert t["bias"] == pytest.approx((2 - 2 - 3) / 60)
    assert t["mape"] == pytest.approx((0.2 + 0.1 + 0.1) / 3)  # 2/10, 2/20, 3/30
    # per-series MASE: s1 = mean(2, 2) / 4 = 0.5; s2 = 3 / 1.5 = 2 -> mean 1.25
    assert t["mase"] == pytest.approx(1.25)
    fam = metrics.accuracy_table(errors, ["family"]).set_index("family")
    assert fam.loc["X", "wape"] == pytest.approx(4 / 30)
    assert fam.loc["Y", "mase"] == pytest.approx(2.0)


def test_add_fva_against_a_base_method() -> None:
    table = pd.DataFrame({"method": ["seasonal naive", "auto"], "wape": [0.2, 0.15]})
    out = metrics.add_fva(table, "seasonal naive").set_index("method")
    assert out.loc["auto", "fva"] == pytest.approx(0.25)
    assert out.loc["seasonal naive", "fva"] == pytest.approx(0.0)
