"""`python -m sop goal`: a targets file solved on the store's demo dataset, the answer
written as a levers file the scenario command accepts, clear exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from supply_helpers import with_consensus

from sop.cli.goal import EXIT_INFEASIBLE
from sop.cli.main import main
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.scenario.levers import Levers
from sop.store import Store
from sop.supply.targets import AT_LEAST, Target

BUDGET = 26553642  # the demo's revenue budget, 2026-11 .. 2027-12 (EUR)
REVENUE = (
    '[[targets]]\nmetric = "revenue"\nat_least = {value}\nstart = "2026-11"\nend = "2027-12"\n'
)
LINEAR = "[levers.overtime]\nhigh = 200\n[levers.extra_capacity]\nhigh = 50\ncost_per_hour = 60\n"
PRICE = "[levers.price]\nlow = -10\nhigh = 10\n"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("goal") / "store.duckdb"
    Store(path).load(check_tables(with_consensus(build_demo(), 18)).tables, name="demo")
    return path


def _goal(store: Path, targets: Path, out: Path, *more: str) -> int:
    return main(
        ["goal", "--store", str(store), "--targets", str(targets), "--out", str(out)]
        + ["--horizon", "18", *more]
    )


def test_a_reachable_budget_is_met_and_the_answer_is_a_levers_file(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    targets = tmp_path / "goal.toml"
    targets.write_text(REVENUE.format(value=BUDGET) + LINEAR + PRICE)
    out = tmp_path / "answer.toml"
    assert _goal(demo_store, targets, out) == 0
    text = capsys.readouterr().out
    assert "Status: met" in text
    assert "met     Revenue at least EUR 26,553,642 (Nov 2026 to Dec 2027): reached EUR" in text
    assert "Price of Cooling: +" in text  # demand is the limit: price is what moves
    levers = Levers.from_file_text(out.read_bytes(), ".toml")
    assert levers.targets == (Target("revenue", AT_LEAST, float(BUDGET), "", "2026-11", "2027-12"),)
    assert dict(levers.price_family_pct)["Cooling"] > 0
    # the scenario command accepts the answer, and its plan meets the budget
    kpis = tmp_path / "kpis.json"
    scn = ["scenario", "--store", str(demo_store), "--levers", str(out), "--no-risk"]
    assert main(scn + ["--horizon", "18", "--out", str(kpis)]) == 0
    revenue = next(k for k in json.loads(kpis.read_text())["kpis"] if k["key"] == "revenue")
    assert revenue["plan_in_budget_months"] >= BUDGET - 1


def test_the_answer_can_be_json_and_the_report_too(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    targets = tmp_path / "goal.json"
    targets.write_text(
        json.dumps(
            {
                "targets": [{"metric": "on_time_rate", "at_least": 0.95}],
                "levers": {"overtime": {"high": 150}},
            }
        )
    )
    out = tmp_path / "answer.json"
    assert _goal(demo_store, targets, out, "--json", "--dataset", "demo") == 0
    blob = json.loads(capsys.readouterr().out)
    assert blob["status"] == "met" and blob["dataset"] == "demo"
    assert blob["targets"][0]["met"] is True and blob["targets"][0]["reached"] >= 0.95
    assert Levers.from_file_text(out.read_text(), ".json").targets == (
        Target("on_time_rate", AT_LEAST, 0.95),
    )


def test_an_unreachable_target_exits_with_the_infeasible_code(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    targets = tmp_path / "goal.toml"
    targets.write_text(REVENUE.format(value=10 * BUDGET) + LINEAR)
    out = tmp_path / "answer.toml"
    assert _goal(demo_store, targets, out) == EXIT_INFEASIBLE == 4
    text = capsys.readouterr().out
    assert "Status: infeasible" in text and "MISSED " in text
    best = next(line for line in text.splitlines() if "at best EUR " in line)
    value = float(best.rsplit("EUR ", 1)[1].replace(",", ""))
    assert 0.5 * BUDGET < value < 2 * BUDGET  # the demand, not the target, is the limit
    assert Levers.from_file_text(out.read_bytes(), ".toml").targets[0].value == 10 * BUDGET


def test_a_bad_targets_file_lists_every_problem(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    targets = tmp_path / "goal.toml"
    targets.write_text(
        '[[targets]]\nmetric = "revnue"\nat_least = 5\n[levers.overtime]\nhigh = 900\n'
    )
    out = tmp_path / "answer.toml"
    assert _goal(demo_store, targets, out) == 2
    cap = capsys.readouterr()
    assert "unknown metric 'revnue' (did you mean revenue?)" in cap.err
    assert "overtime: 0 .. 900 is outside 0 .. 300" in cap.err
    assert str(targets) in cap.err and "Traceback" not in cap.err
    assert cap.out == "" and not out.exists()
    # names the dataset lacks are refused too, with the nearest name
    targets.write_text(
        REVENUE.format(value=1).replace("[[targets]]\n", '[[targets]]\nfamily = "Coolng"\n')
    )
    assert _goal(demo_store, targets, out) == 2
    assert (
        "there is no family 'Coolng' in this dataset (did you mean Cooling?)"
        in capsys.readouterr().err
    )
    assert _goal(demo_store, tmp_path / "none.toml", out) == 2
    assert "cannot read it" in capsys.readouterr().err


def test_a_missing_dataset_is_said(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    targets = tmp_path / "goal.toml"
    targets.write_text(REVENUE.format(value=1))
    out = tmp_path / "answer.toml"
    assert _goal(demo_store, targets, out, "--dataset", "dmeo") == 2
    assert "no dataset 'dmeo' in the store (did you mean demo?)" in capsys.readouterr().err
    assert _goal(tmp_path / "empty.duckdb", targets, out) == 1
    assert "No dataset is loaded" in capsys.readouterr().err
    assert _goal(demo_store, targets, tmp_path / "answer.yaml") == 2
    assert "ends in .toml or .json" in capsys.readouterr().err
