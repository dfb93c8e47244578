"""The statsforecast candidates of sop.demand.library, as the engine calls them."""

from __future__ import annotations

import numpy as np
import pytest

from sop.demand import library, models

pytestmark = pytest.mark.unit

START = np.datetime64("2019-01", "M")
H = 12


def _series() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    t = np.arange(72)
    return {
        "seasonal": 200 + 60 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 4, len(t)),
        "trending": 50 + 2.5 * t + rng.normal(0, 3, len(t)),
        "intermittent": np.where(rng.random(len(t)) < 0.3, rng.poisson(6, len(t)), 0).astype(float),
        "short": np.array([12.0, 15, 11, 14, 13, 16, 12, 15]),
    }


def _ctx(memo: dict | None = None) -> models.Ctx:
    return models.Ctx(START, memo=memo)


@pytest.mark.parametrize("name", sorted(library.LIBRARY))
@pytest.mark.parametrize("kind", ["seasonal", "trending", "intermittent", "short"])
def test_every_candidate_gives_a_finite_forecast_and_fit(name: str, kind: str) -> None:
    y = _series()[kind]
    fc, fitted = models.METHODS[name](y, H, _ctx())
    assert fc.shape == (H,) and fitted.shape == y.shape
    assert np.all(np.isfinite(fc))
    # never far outside what the history has seen
    assert np.all(np.abs(fc) <= 3 * np.abs(y).max() + 1)


def test_registry_names_the_library_and_maps_retired_names() -> None:
    for name in ("auto_ets", "auto_arima", "auto_theta", "croston", "adida", "imapa"):
        assert models.METHODS[name] is library.LIBRARY[name]
    assert "ets" not in models.METHODS and "combo" not in models.METHODS
    assert models.resolve("ets_log") == "auto_ets"
    assert models.resolve("combo") == models.ENSEMBLE
    assert models.resolve("auto_arima") == "auto_arima"


def test_seasonal_naive_repeats_the_last_season_exactly() -> None:
    y = _series()["seasonal"]
    fc, _ = models.METHODS["seasonal naive"](y, 24, _ctx())
    np.testing.assert_array_equal(fc, np.r_[y[-12:], y[-12:]])


@pytest.mark.parametrize("name", ["auto_ets", "auto_arima", "auto_theta"])
def test_seasonal_models_beat_the_mean_on_a_sine(name: str) -> None:
    y = _series()["seasonal"]
    train, test = y[:-H], y[-H:]
    fc, _ = models.METHODS[name](train, H, _ctx())
    mae = np.mean(np.abs(fc - test))
    assert mae < 0.3 * np.mean(np.abs(train[-12:].mean() - test))


@pytest.mark.parametrize("name", ["auto_ets", "auto_arima", "auto_theta"])
def test_trending_models_follow_the_trend(name: str) -> None:
    y = _series()["trending"]
    fc, _ = models.METHODS[name](y[:-H], H, _ctx())
    assert fc[-1] > y[-H - 1] + 10  # still rising past the last training month
    assert np.mean(np.abs(fc - y[-H:])) < 15


@pytest.mark.parametrize("name", ["croston", "adida", "imapa"])
def test_intermittent_models_forecast_the_mean_rate(name: str) -> None:
    y = _series()["intermittent"]
    fc, _ = models.METHODS[name](y, H, _ctx())
    assert np.allclose(fc, fc[0])  # a flat rate
    assert 0.3 * y.mean() < fc[0] < 3 * y.mean()


def test_all_zero_history_forecasts_zero() -> None:
    for name in ("croston", "adida", "imapa"):
        fc, fitted = models.METHODS[name](np.zeros(30), H, _ctx())
        assert not fc.any() and not fitted.any()


def test_later_origin_reuses_the_first_origins_model() -> None:
    y = _series()["seasonal"]
    memo: dict = {}
    first, _ = models.METHODS["auto_arima"](y[:36], 6, _ctx(memo))
    model = memo["auto_arima"]
    later, fitted = models.METHODS["auto_arima"](y[:48], 6, _ctx(memo))
    assert memo["auto_arima"] is model  # not refitted
    assert fitted.shape == (48,) and np.all(np.isfinite(later))
    # the same model applied to the longer history: its forecast moves with the data
    refit, _ = models.METHODS["auto_arima"](y[:48], 6, _ctx())
    assert not np.allclose(later, first)
    assert np.mean(np.abs(later - refit)) < 0.2 * np.std(y)
