"""The command line: exit codes, the demo build used by `make run`, restore."""
from __future__ import annotations

from pathlib import Path

from conftest import tiny_tables, write_tables
from sop import schema as S
from sop.__main__ import main
from sop.store import Store


def test_validate_exit_codes(tmp_path: Path, capsys) -> None:
    good = write_tables(tiny_tables(), tmp_path / "good")
    assert main(["validate", str(good)]) == 0
    assert "0 error(s)" in capsys.readouterr().out
    (good / "budget.csv").unlink()
    assert main(["validate", str(good)]) == 1
    assert "budget.parquet / budget.csv: missing" in capsys.readouterr().out


def test_validate_missing_folder(tmp_path: Path, capsys) -> None:
    assert main(["validate", str(tmp_path / "nope")]) == 1
    assert "no such folder" in capsys.readouterr().out


def test_ensure_demo_loads_and_forecasts_once(store: Store, capsys) -> None:
    from sop.store import forecasts

    assert main(["--store", str(store.path), "ensure-demo"]) == 0
    info = store.active()
    assert info.name == "demo" and info.company == "Northwind Home Appliances"
    run = forecasts.find_run(store, info.version)
    assert run is not None and run.n_series > 200
    assert main(["--store", str(store.path), "ensure-demo"]) == 0
    assert len(store.datasets()) == 1
    assert forecasts.find_run(store, info.version).run_id == run.run_id


def test_load_restore_and_list(tmp_path: Path, store: Store, capsys) -> None:
    folder = write_tables(tiny_tables(), tmp_path / "t")
    args = ["--store", str(store.path)]
    assert main(args + ["load", str(folder), "--name", "first"]) == 0
    assert main(args + ["load", str(folder), "--name", "second"]) == 0
    assert main(args + ["restore", "1"]) == 0
    assert store.active().name == "first"
    assert main(args + ["restore", "7"]) == 2
    assert "no dataset version 7" in capsys.readouterr().err
    assert main(args + ["datasets"]) == 0
    out = capsys.readouterr().out
    assert "first" in out and "second" in out


def test_demo_command_writes_every_table(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--out", str(tmp_path / "d")]) == 0
    names = {p.stem for p in (tmp_path / "d").glob("*.parquet")}
    assert names == set(S.TABLES) - {S.CONSENSUS}
