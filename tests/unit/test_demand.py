"""Forecast storage, the demand-plan contract, consensus snapshots, accuracy and FVA, CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from demand_helpers import (
    MONTHS,
    P50,
    SETTINGS,
    fake_frames,
    fake_values,
    loaded_store,
    store_fake_run,
)
from tiny import AS_OF, tiny_tables, write_tables

from sop.__main__ import main
from sop.core import access, schema
from sop.demand import accuracy, consensus, overrides
from sop.demand.consensus import demand_plan
from sop.demand.engine import ForecastSettings
from sop.demand.plan import PLAN_COLUMNS, DemandNotReady
from sop.store import Store, StoreError
from sop.store import forecasts as forecast_store
from sop.store import overrides as override_log

ALPHA_QTY = overrides.Override(
    level=overrides.LEVEL_FAMILY,
    family="Alpha",
    start_month=MONTHS[0],
    end_month=MONTHS[1],
    kind=overrides.KIND_UNITS,
    value=1000.0,
    reason="key account win",
)


# --- stored runs ------------------------------------------------------------------
def test_a_run_round_trips_and_replaces_the_same_settings(store: Store) -> None:
    loaded_store(store)
    first = store_fake_run(store)
    values = forecast_store.values(store, first)
    assert list(values.columns) == forecast_store.VALUE_COLUMNS
    assert len(values) == len(P50) * len(MONTHS)
    assert (
        values.set_index([schema.SKU, schema.REGION])
        .loc[("A1", "South"), schema.P50]
        .eq(300.0)
        .all()
    )
    sel = forecast_store.frame(store, first, "selection")
    pd.testing.assert_frame_equal(sel, fake_frames(fake_values())["selection"])
    assert forecast_store.fitted(store, first)[forecast_store.FITTED].eq(100.0).all()
    second = store_fake_run(store)
    assert second != first
    assert forecast_store.runs(store)["run_id"].tolist() == [second]  # replaced, not piled up
    assert forecast_store.values(store, first).empty
    other = store_fake_run(store, settings=ForecastSettings(level="family", horizon=6))
    assert forecast_store.find_run(store, 1).run_id == other  # newest wins by default
    assert forecast_store.find_run(store, 1, SETTINGS.key()).run_id == second


def test_runs_of_dropped_dataset_versions_are_dropped(store: Store) -> None:
    from sop.store import KEEP_VERSIONS

    loaded_store(store)
    store_fake_run(store, version=1)
    for _ in range(KEEP_VERSIONS):
        loaded_store(store)
    newest = store.active().version
    store_fake_run(store, version=newest)
    assert forecast_store.runs(store)["dataset_version"].tolist() == [newest]


# --- demand_plan ----------------------------------------------------------------------
def test_demand_plan_without_a_forecast_says_what_to_do(store: Store) -> None:
    loaded_store(store)
    with pytest.raises(DemandNotReady, match="python -m sop forecast") as err:
        demand_plan(store)
    assert isinstance(err.value, StoreError)
    assert "Demand page" in str(err.value)


def test_demand_plan_without_a_dataset_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="No dataset is loaded"):
        demand_plan(store)


def test_demand_plan_is_the_consensus_with_the_contract_columns(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    plain = demand_plan(store)
    assert list(plain.columns) == PLAN_COLUMNS
    assert len(plain) == len(P50) * len(MONTHS)
    assert (plain[schema.UNITS] == plain[schema.FORECAST_UNITS]).all()
    assert set(plain[schema.SOURCE]) == {"forecast"}
    assert plain[[schema.MONTH, schema.SKU, schema.REGION]].equals(
        plain[[schema.MONTH, schema.SKU, schema.REGION]].sort_values(
            [schema.MONTH, schema.SKU, schema.REGION]
        )
    )
    consensus.submit_override(store, ALPHA_QTY)
    plan = demand_plan(store)
    jan = plan[(plan[schema.MONTH] == MONTHS[0]) & (plan[schema.FAMILY] == "Alpha")]
    assert jan[schema.UNITS].sum() == pytest.approx(1000.0)
    assert jan[schema.FORECAST_UNITS].sum() == pytest.approx(500.0)
    assert set(jan[schema.SOURCE]) == {"forecast + override"}
    # the band moves with the consensus: P10/P90 keep their ratio to it
    np.testing.assert_allclose(jan[schema.P10] / jan[schema.UNITS], 0.8)
    np.testing.assert_allclose(jan[schema.P90] / jan[schema.UNITS], 1.3)
    assert (plan[schema.SOURCE] == "forecast + override").sum() == 4 * 2  # 4 Alpha cells x 2


def test_demand_plan_horizon_and_settings(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    assert demand_plan(store, horizon=3)[schema.MONTH].nunique() == 3
    with pytest.raises(DemandNotReady, match="covers 6 months"):
        demand_plan(store, horizon=12)
    with pytest.raises(DemandNotReady, match="with these settings"):
        demand_plan(store, settings=ForecastSettings(level="family"))
    assert len(demand_plan(store, version=1, settings=SETTINGS)) == len(P50) * len(MONTHS)


def test_demand_plan_uses_a_loaded_consensus_instead(store: Store) -> None:
    tables = tiny_tables()
    tables[schema.CONSENSUS] = pd.DataFrame(
        [(m, sku, region, 77.0) for m in MONTHS for sku, region in P50],
        columns=[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS],
    )
    loaded_store(store, tables)
    plan = demand_plan(store)  # no forecast needed
    assert list(plan.columns) == PLAN_COLUMNS
    assert set(plan[schema.SOURCE]) == {"loaded consensus"} and (plan[schema.UNITS] == 77.0).all()
    assert (plan[schema.P10] == 77.0).all()  # no forecast: no range
    store_fake_run(store)
    consensus.submit_override(store, ALPHA_QTY)  # stored, but not applied to a loaded plan
    plan = demand_plan(store).set_index([schema.MONTH, schema.SKU, schema.REGION])
    row = plan.loc[(MONTHS[0], "A1", "South")]
    assert row[schema.UNITS] == 77.0 and row[schema.FORECAST_UNITS] == 300.0
    assert row[schema.P10] == pytest.approx(0.8 * 77.0) and row[schema.P90] == pytest.approx(
        1.3 * 77.0
    )


# --- snapshots and the FVA of the consensus ------------------------------------------
def _next_cycle(actual: dict[tuple[str, str], float]) -> dict[str, pd.DataFrame]:
    """The tiny dataset two months later: actuals for MONTHS[0:2] as given."""
    tables = tiny_tables()
    new = pd.DataFrame(
        [(m, sku, region, v, v * 9.5) for m in MONTHS[:2] for (sku, region), v in actual.items()],
        columns=[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS, schema.REVENUE],
    )
    tables[schema.SALES] = pd.concat([tables[schema.SALES], new], ignore_index=True)
    return tables


def test_consensus_fva_is_not_measurable_before_a_later_cycle(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    assert consensus.snapshot(store, consensus.context(store), "test", access.FORECAST)
    fva = consensus.consensus_fva(store, store.tables())
    assert not fva.measurable and fva.table.empty
    assert "no consensus of an earlier planning cycle" in fva.message
    assert "Jan 2026" in fva.message


def test_consensus_fva_is_measured_when_the_actuals_arrive(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    consensus.submit_override(store, ALPHA_QTY)  # also snapshots the cycle (as-of Dec 2025)
    assert forecast_store.snapshot_cycles(store)["as_of"].tolist() == [AS_OF]
    # Alpha really sold 900 a month: the override (1000) beat the forecast (500)
    actual = {
        ("A1", "North"): 200.0,
        ("A1", "South"): 500.0,
        ("A2", "North"): 100.0,
        ("A2", "South"): 100.0,
        ("B1", "North"): 150.0,
        ("B1", "South"): 10.0,
    }
    loaded_store(store, _next_cycle(actual))
    fva = consensus.consensus_fva(store, store.tables())
    assert fva.measurable
    t = fva.table.set_index(schema.FAMILY)
    # Alpha, per month: forecast 100/300/50/50, consensus 200/600/100/100, actual 200/500/100/100
    assert t.at["Alpha", accuracy.WAPE_STAT] == pytest.approx(400 / 900)
    assert t.at["Alpha", accuracy.WAPE_CONSENSUS] == pytest.approx(100 / 900)
    assert t.at["Alpha", accuracy.FVA_CONSENSUS] == pytest.approx(0.75)
    assert t.at["Beta", accuracy.FVA_CONSENSUS] == pytest.approx(0.0)  # untouched
    assert (
        t.at[accuracy.ALL, accuracy.MONTHS_COMPARED] == 2
        and t.at[accuracy.ALL, accuracy.CYCLES] == 1
    )
    assert t.at["Beta", accuracy.SHARE_OVERRIDDEN] == 0.0


# --- accuracy ------------------------------------------------------------------------
def test_family_accuracy_weights_series_by_volume(store: Store) -> None:
    loaded_store(store)
    run = store_fake_run(store)
    series, fam = consensus.accuracy_tables(store, run, store.tables())
    assert len(series) == 6 and {"wape", "mape", "mase", "bias", accuracy.FVA_SNAIVE} <= set(series)
    assert series[accuracy.FVA_SNAIVE].iloc[0] == pytest.approx((0.2 - 0.1) / 0.2)
    fam = fam.set_index(schema.FAMILY)
    # Alpha: A2 sells 10 more a month than A1 in the tiny data, so its 20 % weighs more
    window = SETTINGS.backtest_horizon + (SETTINGS.backtest_origins - 1) * SETTINGS.backtest_step
    w = accuracy.backtest_weights(
        store.tables()[schema.SALES], tiny_tables()[schema.PRODUCTS], "sku_region", AS_OF, window
    ).set_index([schema.SKU, schema.REGION])[accuracy.WEIGHT]
    wa1, wa2 = w.loc["A1"].sum(), w.loc["A2"].sum()
    assert fam.at["Alpha", "wape"] == pytest.approx((0.1 * wa1 + 0.2 * wa2) / (wa1 + wa2))
    assert fam.at["Alpha", "wape"] > 0.15
    assert fam.index[-1] == accuracy.ALL and fam.at[accuracy.ALL, accuracy.N_SERIES] == 6
    assert fam.at["Beta", "fva_vs_snaive"] < 0  # worse than seasonal naive
    assert accuracy.flagged(series)[schema.SKU].tolist() == ["B1"]


def test_flagged_lists_every_non_ok_series() -> None:
    series = pd.DataFrame(
        {
            schema.SKU: ["a", "b", "c", "d"],
            accuracy.FLAG: ["ok", "short", "large bias", "intermittent"],
            "wape": [0.1, 0.5, 0.3, 0.9],
        }
    )
    assert sorted(accuracy.flagged(series)[schema.SKU]) == ["b", "c", "d"]


# --- the forecast command -------------------------------------------------------------
def test_forecast_cli_stores_a_run_and_reuses_it(store: Store, capsys) -> None:
    loaded_store(store)
    args = ["--store", str(store.path), "forecast", "--horizon", "6", "--workers", "1"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Stored run" in out and "All families" in out
    run = forecast_store.find_run(store, 1)
    assert run.settings["horizon"] == 6 and run.n_series == 6
    plan = demand_plan(store)
    assert plan[schema.MONTH].nunique() == 6 and (plan[schema.UNITS] >= 0).all()
    assert main(args) == 0
    assert "already stored" in capsys.readouterr().out
    assert forecast_store.find_run(store, 1).run_id == run.run_id
    assert main([*args, "--force"]) == 0
    assert forecast_store.find_run(store, 1).run_id != run.run_id
    assert forecast_store.snapshot_cycles(store)["as_of"].tolist() == [AS_OF]


def test_forecast_cli_with_data_loads_first_and_refuses_bad_data(
    store: Store, tmp_path: Path, capsys
) -> None:
    good = write_tables(tiny_tables(), tmp_path / "good")
    args = [
        "--store",
        str(store.path),
        "forecast",
        "--horizon",
        "3",
        "--level",
        "family",
        "--workers",
        "1",
    ]
    assert main([*args, "--data", str(good)]) == 0
    assert store.active().version == 1
    assert forecast_store.find_run(store, 1).settings["level"] == "family"
    (good / "products.csv").write_text("sku,name\nA1,Alpha 1\n")
    assert main([*args, "--data", str(good)]) == 1
    assert "Nothing was loaded or forecast" in capsys.readouterr().out
    assert store.active().version == 1 and len(forecast_store.runs(store)) == 1


def test_forecast_cli_rejects_bad_settings(store: Store, capsys) -> None:
    loaded_store(store)
    assert main(["--store", str(store.path), "forecast", "--horizon", "0"]) == 1
    assert "horizon" in capsys.readouterr().out
    assert forecast_store.runs(store).empty


def test_settings_dict_round_trips_to_the_key() -> None:
    s = ForecastSettings(level="sku", horizon=9)
    d = consensus.settings_dict(s)
    assert ForecastSettings(**{**d, "candidates": tuple(d["candidates"])}).key() == s.key()


def test_override_history_is_not_tied_to_a_dataset_version(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    oid = consensus.submit_override(store, ALPHA_QTY)
    loaded_store(store)  # a new version: the override still applies
    store_fake_run(store, version=2)
    assert override_log.active(store)[schema.OVERRIDE_ID].tolist() == [oid]
    jan = demand_plan(store)
    assert jan[(jan[schema.MONTH] == MONTHS[0]) & (jan[schema.FAMILY] == "Alpha")][
        schema.UNITS
    ].sum() == pytest.approx(1000.0)
    assert dataclasses.is_dataclass(consensus.context(store).run)
