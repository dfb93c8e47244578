"""The forecast on a Dask cluster gives the numbers of the local worker pool.

One local Dask cluster of two worker processes serves the module (closed on every
path); the demo forecast and a generated set of 200 series are each fitted once per
engine in module fixtures, then compared column by column.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny import tiny_tables, write_tables

from sop.cli.main import main
from sop.core import schema
from sop.data.defaults import complete
from sop.data.demo import build_demo
from sop.demand import executors
from sop.demand.engine import ForecastResult, ForecastSettings, run_forecast
from sop.demand.executors import ClusterError, DaskCluster, LocalPool
from sop.store import Store, forecasts
from sop.supply.synthetic import scale_dataset

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-9
# the generated set: cheaper candidates than the defaults (the demo uses the defaults)
FAST = ForecastSettings(candidates=("seasonal naive", "auto_ets", "auto_theta", "airline"))


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c


def _max_rel_diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Largest relative difference of the numeric columns; every other column equal,
    NaN where the other is NaN (AssertionError otherwise)."""
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    num = a.select_dtypes("number").columns
    pd.testing.assert_frame_equal(
        a.drop(columns=num).reset_index(drop=True), b.drop(columns=num).reset_index(drop=True)
    )
    x, y = a[num].to_numpy(float), b[num].to_numpy(float)
    assert (np.isnan(x) == np.isnan(y)).all()
    ok = ~np.isnan(x)
    if not ok.any():
        return 0.0
    return float(np.max(np.abs(x[ok] - y[ok]) / np.maximum(np.abs(x[ok]), 1e-12)))


def _compare(local: ForecastResult, dask: ForecastResult, name: str) -> None:
    diffs = {f: _max_rel_diff(getattr(local, f), getattr(dask, f)) for f in FRAMES}
    print(f"{name}: max relative difference dask vs local {diffs}")
    assert max(diffs.values()) < TOLERANCE


FRAMES = ("values", "fitted", "selection", "backtest")


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return build_demo()


@pytest.fixture(scope="module")
def demo_runs(demo, cluster) -> tuple[ForecastResult, ForecastResult]:
    local = run_forecast(demo, ForecastSettings(), executor=LocalPool(2))
    ticks: list[tuple[int, int]] = []
    dask = run_forecast(
        demo,
        ForecastSettings(),
        progress=lambda d, t: ticks.append((d, t)),
        executor=DaskCluster(address=cluster.scheduler_address),
    )
    return local, dask, ticks


def test_demo_forecast_on_dask_equals_the_local_pool(demo_runs) -> None:
    local, dask, ticks = demo_runs
    assert len(local.selection) > 200 and len(local.values) > 0
    _compare(local, dask, "demo")
    # progress rises from 0 to every series, as the chunks end
    done = [d for d, _ in ticks]
    assert done[0] == 0 and done == sorted(done) and done[-1] == ticks[-1][1] > 200


def test_two_hundred_generated_series_on_dask_equal_the_local_pool(cluster) -> None:
    tables = scale_dataset(n_skus=25, n_regions=8)
    local = run_forecast(tables, FAST, executor=LocalPool(2))
    dask = run_forecast(tables, FAST, executor=DaskCluster(address=cluster.scheduler_address))
    assert len(local.selection) == 200
    _compare(local, dask, "200 series")


def test_results_come_back_in_chunk_order(cluster) -> None:
    chunks = [[i] * (5 - i % 5) for i in range(23)]  # uneven work: finishes out of order
    with DaskCluster(address=cluster.scheduler_address) as ex:
        seen: list[int] = []
        out = ex.map_chunks(_scaled_sum, chunks, {"factor": 3}, seen.append)
        again = ex.map_chunks(_scaled_sum, chunks, {"factor": 1})  # one client, two runs
    assert out == [3 * sum(c) for c in chunks] and again == [sum(c) for c in chunks]
    assert sorted(seen) == list(range(len(chunks)))


def _scaled_sum(chunk: list[int], shared: dict) -> int:
    return shared["factor"] * sum(chunk)


def test_the_cli_forecasts_on_a_local_dask_cluster(tmp_path: Path) -> None:
    """`python -m sop forecast --engine dask --workers 2` on a demo store stores the run
    the local engine makes (level family keeps the subprocess short)."""
    store_path = tmp_path / "s.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    base = [sys.executable, "-m", "sop", "--store", str(store_path)]
    demo = subprocess.run(
        [*base, "demo", "--out", str(tmp_path / "demo"), "--load"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert demo.returncode == 0, demo.stderr
    cmd = [*base, "forecast", "--engine", "dask", "--workers", "2", "--level", "family"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    store = Store(store_path)
    settings = ForecastSettings(level="family")
    run = forecasts.find_run(store, store.active().version, settings.key())
    assert run is not None
    local = run_forecast(complete(store.tables()), settings, executor=LocalPool(1))
    stored = forecasts.values(store, run.run_id)
    keys = [schema.SKU, schema.REGION, schema.MONTH]
    stored = stored.sort_values(keys, ignore_index=True)[list(local.values.columns)]
    mine = local.values.astype({schema.MONTH: stored[schema.MONTH].dtype})
    diff = _max_rel_diff(mine, stored)
    print(f"CLI dask run vs local: max relative difference {diff}")
    assert diff < TOLERANCE


def test_the_backtest_command_on_dask_equals_the_local_one(tmp_path: Path, cluster, capsys) -> None:
    folder = write_tables(tiny_tables(), tmp_path / "t")
    bt = ["backtest", "--data", str(folder), "--horizon", "3"]
    assert main([*bt, "--workers", "1", "--out", str(tmp_path / "local.json")]) == 0
    dask = ["--engine", "dask", "--scheduler", cluster.scheduler_address]
    assert main([*bt, *dask, "--out", str(tmp_path / "dask.json")]) == 0
    local = json.loads((tmp_path / "local.json").read_text())
    remote = json.loads((tmp_path / "dask.json").read_text())
    assert local["per_series"] == remote["per_series"] and len(local["per_series"]) == 6


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_readable_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "2s")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    folder = write_tables(tiny_tables(), tmp_path / "t")
    store = ["--store", str(tmp_path / "s.duckdb")]
    code = main(
        [*store, "forecast", "--data", str(folder), "--engine", "dask", "--scheduler", address]
    )
    out = capsys.readouterr()
    assert code == 2 and "Traceback" not in out.out + out.err
    assert f"cannot reach the Dask scheduler at {address}" in out.out
    assert "dask scheduler" in out.out  # what to do
    bt = ["backtest", "--data", str(folder), "--horizon", "3", "--engine", "dask"]
    assert main([*bt, "--scheduler", address]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().out
    assert main([*bt[:-2], "--scheduler", address]) == 2  # no --engine dask
    assert "--scheduler needs --engine dask" in capsys.readouterr().out


def test_without_dask_installed_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if missing
    with pytest.raises(ClusterError, match="pip install dask distributed"):
        DaskCluster(workers=1).map_chunks(_scaled_sum, [[1]], {"factor": 1})


def test_the_app_and_cli_start_without_importing_dask() -> None:
    code = (
        "import sys, sop.cli.main, sop.demand.engine, sop.demand.backtest;"
        "print('distributed' in sys.modules or 'dask' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "False"
