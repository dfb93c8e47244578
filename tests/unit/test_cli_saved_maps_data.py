"""The commands that read a dataset folder with --data (forecast, backtest, plan,
scenario, goal, pack, grid) read it as `load` does (`sop.cli.folder`): with the column
mapping saved in the app for the company, --mapping-of / --no-saved-mapping, --map and
--dayfirst; a file that still lacks a column gets the same line as `load`, and the
store is left as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from supply_helpers import with_consensus
from tiny import snapshot, tiny_tables, write_tables

from sop.cli import forecast as forecast_cli
from sop.cli.main import main
from sop.core import schema
from sop.store import Store, column_maps

RENAMED = {schema.MONTH: "Posting Date", schema.UNITS: "Qty Shipped"}
MAPPING = {schema.SALES: {header: column for column, header in RENAMED.items()}}
FOLDER = "export"  # the company a folder without a company table loads as
ADVICE = (
    "sales.csv (the `sales` table) lacks `month`, `units`; its other columns: "
    "`Posting Date`, `Qty Shipped`. Name the file's header of each: "
    "--map 'sales.HEADER=month' --map 'sales.HEADER=units'."
)
APPLIED = "column `Posting Date` was read as `month` (the mapping saved for `export`)"
TIMING = ("_ms", "seconds")  # figures that differ from run to run


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    """(the tiny dataset with a consensus, the same with the sales' month and units
    under other headers, in a folder named `export`)."""
    tables = with_consensus(tiny_tables(), 12)
    good = write_tables(tables, tmp_path / "good")
    renamed = dict(tables)
    renamed[schema.SALES] = tables[schema.SALES].rename(columns=RENAMED)
    return good, write_tables(renamed, tmp_path / FOLDER)


def _run(store: Store, *args: str) -> int:
    return main(["--store", str(store.path), *args])


def _text(capsys) -> str:
    got = capsys.readouterr()
    assert "Traceback" not in got.out + got.err
    return " ".join((got.out + got.err).split())


@pytest.fixture
def saved(store: Store) -> Store:
    """A store holding the mapping saved for `export` (as the Data page saves it) and
    no dataset."""
    column_maps.save(store, FOLDER, MAPPING)
    return store


def _kpis(path: Path) -> dict:
    got = json.loads(path.read_text())
    return {k: v for k, v in got["kpis"].items() if not k.endswith(TIMING)}


def test_plan_reads_the_folder_with_the_saved_mapping(tmp_path, saved: Store, capsys) -> None:
    good, renamed = _folders(tmp_path)
    before = snapshot(saved)
    out = tmp_path / "refused.json"
    assert _run(saved, "plan", "--data", str(renamed), "--no-saved-mapping", "--out", str(out)) == 2
    said = _text(capsys)
    assert "sales.csv: column `month` is missing." in said
    assert ADVICE in said
    assert "The mappings saved in the app were not used (--no-saved-mapping)." in said
    assert not out.exists()
    assert snapshot(saved) == before

    mapped, plain = tmp_path / "mapped.json", tmp_path / "plain.json"
    assert _run(saved, "plan", "--data", str(renamed), "--horizon", "12", "--out", str(mapped)) == 0
    assert APPLIED in _text(capsys)
    assert _run(saved, "plan", "--data", str(good), "--horizon", "12", "--out", str(plain)) == 0
    assert _kpis(mapped) == _kpis(plain)  # the same plan as from the model's own headers
    assert _kpis(mapped)["revenue"] > 0
    assert snapshot(saved) == before  # plan --data only reads the store
    assert column_maps.for_company(saved, FOLDER) == MAPPING


def test_forecast_loads_the_folder_with_the_saved_mapping(
    tmp_path, saved: Store, capsys, monkeypatch
) -> None:
    """The reading path of `forecast --data` (the fit itself is covered elsewhere)."""
    fitted = []
    monkeypatch.setattr(forecast_cli, "fit_active", lambda store, *a, **k: fitted.append(1) or 0)
    good, renamed = _folders(tmp_path)
    before = snapshot(saved)
    assert _run(saved, "forecast", "--data", str(renamed), "--no-saved-mapping") == 1
    said = _text(capsys)
    assert ADVICE in said
    assert "Nothing was loaded or forecast; the store is unchanged." in said
    assert snapshot(saved) == before and not fitted

    assert _run(saved, "forecast", "--data", str(renamed)) == 0
    assert APPLIED in _text(capsys)
    info = saved.active()
    assert info.version == 1 and info.name == FOLDER and fitted == [1]
    assert _run(saved, "load", str(good), "--name", "plain") == 0
    pd.testing.assert_frame_equal(saved.tables(1)[schema.SALES], saved.tables(2)[schema.SALES])


def test_mapping_of_another_company_for_a_folder(tmp_path, store: Store, capsys) -> None:
    column_maps.save(store, "Other Co", MAPPING)
    _, renamed = _folders(tmp_path)
    before = snapshot(store)
    out = tmp_path / "p.json"
    args = ["plan", "--data", str(renamed), "--horizon", "12", "--out", str(out)]
    assert _run(store, *args) == 2
    said = _text(capsys)
    assert "No column mapping for `sales` is saved for `export`" in said
    assert _run(store, *args, "--mapping-of", "Nobody") == 2
    assert "--mapping-of Nobody: no column mapping is saved for `Nobody`" in _text(capsys)
    assert _run(store, *args, "--mapping-of", "Other Co") == 0
    assert "(the mapping saved for `Other Co`)" in _text(capsys)
    assert snapshot(store) == before


def test_map_options_read_a_folder_without_a_store(tmp_path: Path, capsys) -> None:
    """--map works for --data as for `load`; with no store file none is created."""
    path = tmp_path / "none.duckdb"
    _, renamed = _folders(tmp_path)
    out = tmp_path / "p.json"
    args = ["--store", str(path), "plan", "--data", str(renamed), "--out", str(out)]
    assert main(args) == 2
    assert ADVICE in _text(capsys)
    maps = ["--map", "sales.Posting Date=month", "--map", "sales.qty shipped=units"]
    assert main([*args, "--horizon", "12", *maps]) == 0
    assert "column `Posting Date` was read as `month` (as mapped)" in _text(capsys)
    assert not path.exists()


@pytest.mark.parametrize(
    "command, code",
    [
        (["scenario", "--no-risk"], 2),
        (["goal", "--targets", "{targets}", "--out", "{tmp}/answer.toml"], 2),
        (["pack", "--out", "{tmp}/pack"], 2),
        (["grid", "--out", "{tmp}/grid.csv"], 2),
        (["backtest", "--horizon", "3"], 1),
    ],
)
def test_every_data_command_says_which_columns_to_map(
    tmp_path, saved: Store, capsys, command: list[str], code: int
) -> None:
    targets = tmp_path / "goal.toml"
    targets.write_text(
        '[[targets]]\nmetric = "revenue"\nat_least = 1\nstart = "2026-01"\nend = "2026-06"\n'
    )
    command = [c.format(targets=targets, tmp=tmp_path) for c in command]
    _, renamed = _folders(tmp_path)
    before = snapshot(saved)
    assert _run(saved, *command, "--data", str(renamed), "--no-saved-mapping") == code
    said = _text(capsys)
    assert ADVICE in said
    assert "were not used (--no-saved-mapping)" in said
    assert snapshot(saved) == before


@pytest.mark.parametrize(
    "given, named",
    [
        (["--mapping-of", "acme"], "--mapping-of"),
        (["--no-saved-mapping"], "--no-saved-mapping"),
        (["--monthfirst"], "--dayfirst / --monthfirst"),
        (["--map", "sales.Date=month"], "--map"),
    ],
)
def test_reading_options_without_data_are_refused(
    tmp_path, store: Store, capsys, given: list[str], named: str
) -> None:
    out = tmp_path / "never" / "p.json"
    assert _run(store, "plan", "--out", str(out), *given) == 2
    said = _text(capsys)
    assert f"{named} reads the files of --data DIR" in said
    assert not out.parent.exists()  # refused before any work
    assert not store.path.exists()
