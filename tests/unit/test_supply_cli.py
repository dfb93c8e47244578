"""`python -m sop plan`: demand -> plan on a folder or the store, JSON out, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from supply_helpers import tiny_with_consensus, with_consensus
from tiny import tiny_tables, write_tables

from sop.cli.main import main
from sop.core import schema
from sop.data.validate import check_tables
from sop.demand import sources as demand_sources
from sop.store import Store


@pytest.fixture
def cons_dir(tmp_path: Path) -> Path:
    return write_tables(with_consensus(tiny_tables(), 12), tmp_path / "tiny_cons")


def test_plan_a_folder_with_a_loaded_consensus(
    cons_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "plan.json"
    assert main(["plan", "--data", str(cons_dir), "--out", str(out), "--horizon", "12"]) == 0
    assert "Status: optimal" in capsys.readouterr().out
    blob = json.loads(out.read_text())
    assert blob["status"] == "optimal" and blob["demand_source"] == "loaded consensus"
    assert blob["policy"]["horizon"] == 12
    months = {r[schema.MONTH] for r in blob["family_plan"]}
    assert len(months) == 12 and min(months) == "2026-01"
    costs = {c["term"]: c for c in blob["costs"]}
    margin = costs["revenue"]["amount"] - sum(
        c["amount"] for c in blob["costs"] if c["kind"] == "cost"
    )
    assert blob["kpis"]["gross_margin"] == pytest.approx(margin, abs=1e-3)
    assert {"resource_use", "bottlenecks", "shortfalls", "sku_plan"} <= set(blob)
    assert sum(r["demand"] for r in blob["sku_plan"]) == pytest.approx(
        sum(r["demand"] for r in blob["family_plan"])
    )


def test_policy_flags_reach_the_plan_and_json_goes_to_stdout(
    cons_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    assert (
        main(
            [
                "plan",
                "--data",
                str(cons_dir),
                "--horizon",
                "6",
                "--no-backlog-allowed",
                "--backlog-cost-pct",
                "7.5",
                "--level",
                "sku",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    blob = json.loads(captured.out)
    assert blob["policy"]["backlog_allowed"] is False
    assert blob["policy"]["backlog_cost_pct"] == 7.5 and blob["policy"]["level"] == "sku"
    assert {r[schema.SKU] for r in blob["family_plan"]} == {"A1", "A2", "B1"}
    assert "Status: optimal" in captured.err


def test_impossible_settings_are_explained_with_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    tables = with_consensus(tiny_tables(), 12)
    tables[schema.CAPACITY] = tables[schema.CAPACITY].assign(**{schema.WORKING_DAYS: 2.0})
    folder = write_tables(tables, tmp_path / "tight")
    out = tmp_path / "plan.json"
    code = main(
        [
            "plan",
            "--data",
            str(folder),
            "--out",
            str(out),
            "--horizon",
            "12",
            "--no-lost-sales-allowed",
            "--no-backlog-allowed",
        ]
    )
    assert code == 1
    text = capsys.readouterr().out
    assert "Status: infeasible" in text and "No lost sales" in text
    assert "Traceback" not in text
    blob = json.loads(out.read_text())
    assert blob["status"] == "infeasible" and blob["family_plan"] == []
    assert blob["shortfalls"] and blob["shortfalls"][0]["kind"] == "unmet demand"


def test_a_folder_with_errors_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    tables = tiny_tables()
    del tables[schema.PRODUCTS]
    folder = write_tables(tables, tmp_path / "broken")
    assert main(["plan", "--data", str(folder)]) == 2
    assert "fix them" in capsys.readouterr().err


def test_a_folder_without_consensus_is_forecast_first(
    tiny_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    _, demand = tiny_with_consensus(12)
    asked = []
    monkeypatch.setattr(
        demand_sources,
        "demand_by_forecasting",
        lambda tables, horizon: (
            asked.append(horizon) or demand.assign(**{schema.SOURCE: "forecast"})
        ),
    )
    assert main(["plan", "--data", str(tiny_dir), "--horizon", "12"]) == 0
    assert asked == [12]
    assert json.loads(capsys.readouterr().out)["demand_source"] == "forecast"


def test_the_store_dataset_with_a_loaded_consensus(
    store: Store, capsys: pytest.CaptureFixture
) -> None:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    assert main(["plan", "--horizon", "12"]) == 0
    blob = json.loads(capsys.readouterr().out)
    assert blob["dataset"] == "tiny" and blob["dataset_version"] == 1
    assert blob["status"] == "optimal"


def test_the_store_without_demand_says_to_forecast_first(
    store: Store, capsys: pytest.CaptureFixture
) -> None:
    assert main(["plan"]) == 1
    assert "No dataset is loaded" in capsys.readouterr().err
    store.load(check_tables(tiny_tables()).tables, name="tiny")
    assert main(["plan"]) == 1
    err = capsys.readouterr().err
    assert "python -m sop forecast" in err and "Demand must be forecast" in err
