"""The forecast engine: API shape, coherence, selection, fallbacks, promotions."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from tiny import AS_OF, tiny_tables, write_tables

from sop.__main__ import main
from sop.core import schema
from sop.demand import reconcile
from sop.demand.engine import LEVELS, ForecastSettings, run_forecast
from sop.demand.hierarchy import aggregate
from sop.demand.selection import Config, Job, forecast_series
from sop.demand.series import build_jobs

FAST = ForecastSettings(
    horizon=6, candidates=("seasonal naive", "auto_ets", "auto_theta", "prophet_mult")
)


def _series_tables(
    units: dict[tuple[str, str], np.ndarray],
    start: str = "2022-01-01",
    promotions: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """A minimal dataset: one product per SKU in family F, the given monthly units."""
    rows = []
    for (sku, region), y in units.items():
        months = pd.date_range(start, periods=len(y), freq="MS")
        rows += [(m, sku, region, v) for m, v in zip(months, y)]
    sales = pd.DataFrame(rows, columns=[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS])
    skus = sorted({k[0] for k in units})
    products = pd.DataFrame(
        {
            schema.SKU: skus,
            schema.NAME: skus,
            schema.FAMILY: "F",
            schema.UOM: "each",
            schema.LIST_PRICE: 10.0,
            schema.MATERIAL_COST: 5.0,
            schema.LAUNCH_MONTH: pd.NaT,
            schema.PHASE_OUT_MONTH: pd.NaT,
        }
    )
    t = {schema.SALES: sales, schema.PRODUCTS: products}
    if promotions is not None:
        t[schema.PROMOTIONS] = promotions
    return t


def _seasonal(n: int, level: float = 100.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    season = 1 + 0.5 * np.sin(np.arange(n) / 12 * 2 * np.pi)
    return np.round(level * season * rng.lognormal(0, 0.05, n))


@pytest.fixture(scope="module")
def tiny_result():
    return run_forecast(tiny_tables(), FAST, workers=1)


def test_values_shape_and_months(tiny_result) -> None:
    v = tiny_result.values
    assert list(v.columns[:6]) == [
        schema.SKU,
        schema.REGION,
        schema.MONTH,
        schema.P10,
        schema.P50,
        schema.P90,
    ]
    assert len(v) == 6 * 6  # 3 SKUs x 2 regions x 6 months
    first = AS_OF + pd.offsets.MonthBegin(1)
    assert v[schema.MONTH].min() == first
    assert v[schema.MONTH].max() == first + pd.DateOffset(months=5)
    assert (v[schema.P10] >= 0).all()
    assert ((v[schema.P10] <= v[schema.P50]) & (v[schema.P50] <= v[schema.P90])).all()
    assert (v[schema.P90] > v[schema.P10]).any()  # bands are not all empty


def test_selection_and_backtest_frames(tiny_result) -> None:
    sel, bt = tiny_result.selection, tiny_result.backtest
    assert len(sel) == 6
    for col in (
        schema.SKU,
        schema.REGION,
        schema.FAMILY,
        "method",
        "flag",
        "n_months",
        "wape",
        "mase",
        "bias",
        "snaive_wape",
    ):
        assert col in sel.columns
    assert (sel["n_months"] == 24).all()
    # each series' chosen method has the lowest backtest error among its candidates
    for _, row in sel.iterrows():
        cands = bt[(bt[schema.SKU] == row[schema.SKU]) & (bt[schema.REGION] == row[schema.REGION])]
        assert row["method"] in set(cands["method"])
    assert set(tiny_result.fitted.columns) == {schema.SKU, schema.REGION, schema.MONTH, "fitted"}


def test_aggregation_is_coherent_at_every_level(tiny_result) -> None:
    v, products = tiny_result.values, tiny_tables()[schema.PRODUCTS]
    sku = aggregate(v, products, "sku")
    fam = aggregate(v, products, "family")
    tot = aggregate(v, products, "total")
    assert sku[schema.P50].sum() == pytest.approx(v[schema.P50].sum(), rel=1e-12)
    by_fam = (
        v.assign(f=v[schema.SKU].map(products.set_index(schema.SKU)[schema.FAMILY]))
        .groupby(["f", schema.MONTH])[schema.P50]
        .sum()
    )
    got = fam.set_index([schema.FAMILY, schema.MONTH])[schema.P50]
    assert np.allclose(got.loc[by_fam.index].to_numpy(), by_fam.to_numpy(), rtol=1e-12)
    assert np.allclose(
        tot.set_index(schema.MONTH)[schema.P50],
        fam.groupby(schema.MONTH)[schema.P50].sum(),
        rtol=1e-12,
    )
    for df in (sku, fam, tot):
        assert ((df[schema.P10] <= df[schema.P50]) & (df[schema.P50] <= df[schema.P90])).all()
    # the total's band is narrower than the sum of the parts' bands (diversification)
    # and wider than the widest single part
    width = (tot[schema.P90] - tot[schema.P50]).to_numpy()
    parts = fam.assign(w=fam[schema.P90] - fam[schema.P50]).groupby(schema.MONTH)["w"]
    assert (width <= parts.sum().to_numpy() + 1e-9).all()
    assert (width >= parts.max().to_numpy() - 1e-9).all()


@pytest.mark.parametrize("level", ["sku", "family"])
def test_upper_levels_split_back_by_recent_shares(level: str) -> None:
    t = tiny_tables()
    res = run_forecast(t, replace(FAST, level=level), workers=1)
    v = res.values
    assert len(v) == 6 * 6
    key = schema.SKU if level == "sku" else schema.FAMILY
    fam = t[schema.PRODUCTS].set_index(schema.SKU)[schema.FAMILY]
    v = v.assign(**{schema.FAMILY: v[schema.SKU].map(fam)})
    # each child's share of its parent is constant over the horizon and equals its share
    # of the last 12 months of history
    share = v[schema.P50] / v.groupby([key, schema.MONTH])[schema.P50].transform("sum")
    sales = t[schema.SALES].assign(**{schema.FAMILY: t[schema.SALES][schema.SKU].map(fam)})
    recent = sales[sales[schema.MONTH] > AS_OF - pd.DateOffset(months=12)]
    hist = recent.groupby([schema.SKU, schema.REGION])[schema.UNITS].sum()
    hist_share = (
        hist
        / recent.groupby(key)[schema.UNITS]
        .sum()
        .reindex(
            hist.index.get_level_values(schema.SKU).map(fam)
            if key == schema.FAMILY
            else hist.index.get_level_values(schema.SKU)
        )
        .to_numpy()
    )
    expect = pd.Series(list(zip(v[schema.SKU], v[schema.REGION]))).map(hist_share.to_dict())
    assert np.allclose(share.to_numpy(), expect.to_numpy())
    assert set(res.selection.columns) >= {key, "method", "flag"}
    assert len(res.selection) == (3 if level == "sku" else 2)


def test_phase_out_forecasts_zero_after_the_month() -> None:
    t = tiny_tables()
    last = AS_OF + pd.DateOffset(months=2)
    t[schema.PRODUCTS].loc[t[schema.PRODUCTS][schema.SKU] == "A1", schema.PHASE_OUT_MONTH] = last
    for level in LEVELS:
        v = run_forecast(t, replace(FAST, level=level), workers=1).values
        a1 = v[v[schema.SKU] == "A1"]
        assert (
            (a1.loc[a1[schema.MONTH] > last, [schema.P10, schema.P50, schema.P90]] == 0).all().all()
        )
        assert (a1.loc[a1[schema.MONTH] <= last, schema.P50] > 0).all()


def test_selection_prefers_seasonal_methods_on_a_seasonal_series() -> None:
    y = _seasonal(60)
    job = Job(("s",), y, np.datetime64("2020-01", "M"), 12)
    cfg = Config(("drift", "naive", "seasonal naive", "auto_ets"), origins=3, top_k=2)
    out = forecast_series(job, cfg)
    assert out.method in ("seasonal naive", "auto_ets", "ensemble")
    if out.method == "ensemble":  # the two seasonal methods have the lowest CV errors
        assert set(out.members) == {"seasonal naive", "auto_ets"}
    assert out.backtest[out.method][1] < out.backtest["drift"][1] / 2  # MASE
    # and the forecast follows the season: the peak month beats the trough month
    assert out.p50.max() > 1.5 * out.p50.min()


def test_flags_short_zero_and_single_month_without_crash() -> None:
    units = {
        ("S1", "R"): np.array([5.0]),
        ("Z1", "R"): np.zeros(30),
        ("D1", "R"): np.r_[np.full(30, 50.0), np.full(14, np.nan)],
        ("N1", "R"): np.r_[np.full(6, 40.0), np.arange(10, 20.0)],
        ("I1", "R"): np.tile([0, 0, 0, 4.0, 0, 0], 6),
    }
    t = _series_tables(units, start="2022-01-01")
    # align every series' end with the as-of month
    t[schema.SALES] = pd.concat(
        [
            g.assign(**{schema.MONTH: pd.date_range(end="2024-12-01", periods=len(g), freq="MS")})
            for _, g in t[schema.SALES].groupby(schema.SKU)
        ]
    )
    res = run_forecast(t, FAST, workers=1)
    flags = res.selection.set_index(schema.SKU)["flag"]
    assert flags["S1"] == "short" and flags["N1"] == "short"
    assert flags["Z1"] == "zero" and flags["I1"] == "intermittent"
    assert flags["D1"] == "no recent sales"  # last row 14 months before as-of
    v = res.values.set_index(schema.SKU)
    assert (v.loc["Z1", schema.P50] == 0).all() and (v.loc["D1", schema.P90] == 0).all()
    assert np.isfinite(v[schema.P50]).all() and (v.loc["S1", schema.P50] == 5.0).all()  # naive
    assert res.selection.set_index(schema.SKU).loc["S1", "n_months"] == 1
    assert (v.loc["I1", schema.P50] > 0).all() and (v.loc["I1", schema.P50] < 4).all()


def test_nan_units_are_missing_not_zero() -> None:
    y = _seasonal(48, level=100)
    y_gap = y.copy()
    y_gap[37:40] = np.nan  # months 2-4 of the last year: no rows
    t = _series_tables({("A", "R"): y_gap})
    t[schema.SALES] = (
        t[schema.SALES].dropna(subset=[schema.UNITS]).iloc[:-1]
    )  # NaN rows and absent rows
    t[schema.SALES] = pd.concat(
        [
            t[schema.SALES],
            pd.DataFrame(
                {
                    schema.MONTH: [pd.Timestamp("2025-12-01")],
                    schema.SKU: ["A"],
                    schema.REGION: ["R"],
                    schema.UNITS: [np.nan],
                }
            ),
        ],
        ignore_index=True,
    )
    t[schema.SALES].loc[t[schema.SALES][schema.MONTH] == "2025-06-01", schema.UNITS] = np.nan
    res = run_forecast(t, replace(FAST, horizon=12), workers=1)
    assert res.selection["n_months"].iloc[0] == 48 - 3 - 2
    t0 = _series_tables({("A", "R"): np.where(np.isnan(y_gap), 0.0, y_gap)})
    zero_filled = run_forecast(t0, replace(FAST, horizon=12), workers=1)
    # read as zeros, the gap would sink the same months next year; read as missing it
    # does not: those months stay near last year's level
    gap_months = res.values[schema.P50].to_numpy()[1:4]
    assert (gap_months > 0.8 * y[25:28]).all()
    assert gap_months.sum() > 1.2 * zero_filled.values[schema.P50].to_numpy()[1:4].sum()


def test_bad_input_gives_a_clear_error() -> None:
    t = tiny_tables()
    with pytest.raises(ValueError, match="horizon"):
        run_forecast(t, replace(FAST, horizon=0))
    with pytest.raises(ValueError, match="horizon"):
        run_forecast(t, replace(FAST, horizon=61))
    with pytest.raises(ValueError, match="level"):
        run_forecast(t, replace(FAST, level="region"))
    with pytest.raises(ValueError, match="sales history"):
        run_forecast({**t, schema.SALES: t[schema.SALES].iloc[0:0]}, FAST)
    with pytest.raises(ValueError, match="candidate"):
        run_forecast(t, replace(FAST, candidates=("magic",)))


def test_promotions_lift_the_forecast_in_planned_months() -> None:
    n = 48
    rng = np.random.default_rng(3)
    base = 200 * (1 + 0.2 * np.sin(np.arange(n) / 12 * 2 * np.pi)) * rng.lognormal(0, 0.03, n)
    promo_months = [5, 14, 22, 31, 39]  # irregular months, +60%
    y = base.copy()
    y[promo_months] *= 1.6
    months = pd.date_range("2021-01-01", periods=n, freq="MS")
    planned = months[-1] + pd.DateOffset(months=3)  # a promotion 3 months ahead
    starts = [months[i] for i in promo_months] + [planned]
    promos = pd.DataFrame(
        {
            schema.PROMO_ID: [f"P{i}" for i in range(len(starts))],
            schema.SKU: "A",
            schema.FAMILY: None,
            schema.REGION: None,
            schema.START_MONTH: starts,
            schema.END_MONTH: starts,
            schema.UPLIFT_PCT: 60.0,
        }
    )
    t = _series_tables({("A", "R"): np.round(y)}, start="2021-01-01", promotions=promos)
    with_p = run_forecast(t, FAST, workers=1).values.set_index(schema.MONTH)[schema.P50]
    without = run_forecast(t, replace(FAST, use_promotions=False), workers=1).values.set_index(
        schema.MONTH
    )[schema.P50]
    assert with_p[planned] > 1.3 * without[planned]
    others = with_p.index != planned
    assert with_p[planned] > 1.3 * with_p[others].max()


def test_progress_is_reported_and_runs_are_deterministic() -> None:
    seen: list[tuple[int, int]] = []
    a = run_forecast(tiny_tables(), FAST, workers=2, progress=lambda d, t: seen.append((d, t)))
    b = run_forecast(tiny_tables(), FAST, workers=1)
    # the 6 SKU x region series, plus (for MinT) the upper series the tree fits
    prep = build_jobs(tiny_tables(), FAST.level, AS_OF, FAST.horizon, FAST.use_promotions)
    tree = reconcile.build_tree(prep.jobs, FAST.level, prep.family)
    assert len(prep.jobs) == 6 and len(tree.jobs) > 0
    assert seen[-1] == (6 + len(tree.jobs),) * 2 and seen[0][0] == 0
    flat: list[tuple[int, int]] = []
    bottom_up = replace(FAST, reconcile=reconcile.BOTTOM_UP)
    run_forecast(tiny_tables(), bottom_up, workers=1, progress=lambda d, t: flat.append((d, t)))
    assert flat[-1] == (6, 6)
    pd.testing.assert_frame_equal(a.values, b.values)
    pd.testing.assert_frame_equal(a.selection, b.selection)


def test_settings_key_is_stable_and_sensitive() -> None:
    assert ForecastSettings().key() == ForecastSettings().key()
    assert ForecastSettings().key() != ForecastSettings(horizon=12).key()
    assert len(ForecastSettings().key()) == 12


def test_fast_prophet_matches_the_prophet_package() -> None:
    from prophet import Prophet

    from sop.demand import prophet_fast as pf

    pf.quiet_prophet_package()
    y = _seasonal(48, seed=4) * np.linspace(1, 1.3, 48)
    ds = pd.date_range("2021-01-01", periods=48, freq="MS")
    for mode in ("additive", "multiplicative"):
        m = Prophet(seasonality_mode=mode, uncertainty_samples=0).fit(
            pd.DataFrame({"ds": ds, "y": y})
        )
        lib = m.predict(m.make_future_dataframe(12, freq="MS"))["yhat"].to_numpy()
        days = pf.month_days(np.datetime64("2021-01", "M"), 60)
        mine = pf.fit(days[:48], y, pf.ProphetSpec(mode=mode)).predict(days)
        assert np.max(np.abs(mine - lib)) / np.mean(np.abs(lib)) < 0.02


def test_backtest_cli_writes_metrics(tmp_path) -> None:
    t = tiny_tables()
    noise = np.random.default_rng(1).lognormal(0, 0.1, len(t[schema.SALES]))
    t[schema.SALES][schema.UNITS] = np.round(t[schema.SALES][schema.UNITS] * noise)
    folder = write_tables(t, tmp_path / "d")
    out = tmp_path / "bt.json"
    assert (
        main(
            [
                "backtest",
                "--data",
                str(folder),
                "--horizon",
                "3",
                "--out",
                str(out),
                "--workers",
                "1",
            ]
        )
        == 0
    )
    import json

    data = json.loads(out.read_text())
    methods = {r["method"] for r in data["overall"]}
    assert {"auto", "seasonal naive", "auto_ets", "auto_arima"} <= methods
    assert all(r["mase"] is not None and r["mase"] >= 0 for r in data["overall"])
    assert {r["family"] for r in data["by_family"]} == {"Alpha", "Beta"}


def test_ensemble_is_kept_unless_a_single_method_clearly_wins() -> None:
    cands = ("seasonal naive", "auto_ets", "auto_theta", "prophet_mult")
    cfg = Config(cands, origins=3, bt_horizon=12, step=6, margin=0.2, top_k=3)
    # an exactly repeating year: seasonal naive is perfect at every origin
    exact = np.tile(np.array([5, 6, 9, 14, 20, 25, 27, 24, 18, 12, 8, 6.0]) * 10, 5)
    out = forecast_series(Job(("s",), exact, np.datetime64("2020-01", "M"), 12), cfg)
    assert out.method == "seasonal naive" and out.members == ()
    # trend + season + noise: no single method beats the ensemble by 20%
    noisy = _seasonal(60, seed=5) * np.linspace(1, 1.6, 60)
    job = Job(("s",), noisy, np.datetime64("2020-01", "M"), 12)
    out = forecast_series(job, cfg)
    assert out.method == "ensemble"
    assert set(out.backtest) == {*cands, "ensemble"}
    # the members are the three candidates with the lowest CV error ...
    by_error = sorted(cands, key=lambda m: out.backtest[m][1])
    assert set(out.members) == set(by_error[:3])
    # ... and the forecast is the mean of their forecasts, each refitted on the history
    alone = [forecast_series(job, replace(cfg, force=m)).p50 for m in out.members]
    np.testing.assert_allclose(out.p50, np.mean(alone, axis=0), rtol=1e-9)


def test_selection_rule_margin() -> None:
    from sop.demand.selection import choose

    score = {"a": 8.0, "b": 10.0}
    assert choose(score, 10.0, margin=0.2) == "ensemble"  # a is only 20% better
    assert choose(score, 10.5, margin=0.2) == "a"  # more than 20% better
    assert choose(score, 1.0, margin=0.0) == "ensemble"
    assert choose(score, 100.0, margin=1.0) == "ensemble"  # margin 1: always the ensemble
    assert choose(score, None, margin=0.2) == "a"  # no ensemble (one candidate)
    assert choose({}, None, margin=0.2) is None


def test_cross_validation_stays_inside_the_given_history() -> None:
    """Changing the months after the history changes nothing: the CV origins and
    every fit use only what the job holds."""
    y = _seasonal(60, seed=3)
    cfg = Config(("seasonal naive", "auto_ets", "auto_theta"), origins=3, bt_horizon=12)
    a = forecast_series(Job(("s",), y[:48], np.datetime64("2020-01", "M"), 12), cfg)
    y2 = y.copy()
    y2[48:] *= 3
    b = forecast_series(Job(("s",), y2[:48], np.datetime64("2020-01", "M"), 12), cfg)
    np.testing.assert_array_equal(a.p50, b.p50)
    # the last origin is 12 months before the end of the history, the first 12 earlier
    from sop.demand.selection import _cuts

    assert _cuts(48, "ok", cfg) == [(24, 12), (30, 12), (36, 12)]
    assert _cuts(27, "ok", cfg) == [(18, 9)]  # too short for a full window: one origin


def test_band_is_the_conformal_quantile_of_cv_errors() -> None:
    from sop.demand import bands

    assert bands.conformal_quantile(np.arange(1.0, 10.0)) == 8.0  # ceil(0.8 x 10) = 8th
    # the same absolute error 5 at every step and origin: no growth, P90 - P50 = 5 x the
    # allowance for selection (1.1: the pick's CV errors understate its errors after)
    assert bands.ALLOWANCE == 1.1
    pairs = [(np.full(12, 100.0), np.full(12, 95.0)), (np.full(12, 100.0), np.full(12, 105.0))]
    sig = bands.sigma(np.full(18, 100.0), pairs, np.zeros(0), 100.0, 0)
    np.testing.assert_allclose(bands.Z90 * sig, 5.5)
    # errors growing like sqrt(step): the band keeps growing past the CV horizon
    s = np.arange(1, 13)
    pairs = [
        (np.full(12, 100.0), 100.0 + 4 * np.sqrt(s)),
        (np.full(12, 100.0), 100 - 4 * np.sqrt(s)),
    ]
    sig = bands.sigma(np.full(24, 100.0), pairs, np.zeros(0), 100.0, 0)
    np.testing.assert_allclose(bands.Z90 * sig, 4.4 * np.sqrt(np.arange(1, 25)), rtol=1e-6)
    # in-sample residuals (no cross-validation) get no allowance: nothing was selected
    sig = bands.sigma(np.full(6, 100.0), None, np.array([5.0, -5.0, 5.0]), 100.0, 0)
    np.testing.assert_allclose(bands.Z90 * sig, 5.0 * np.arange(1, 7) ** bands.DEFAULT_GROWTH)


def test_retired_method_names_still_read() -> None:
    old = ForecastSettings(candidates=("combo", "ets", "ets_log", "seasonal naive"))
    old.check()
    assert old.config().candidates == ("auto_ets", "seasonal naive")
