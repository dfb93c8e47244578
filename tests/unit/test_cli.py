"""The command line: exit codes, the demo build used by `make run`, restore."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from supply_helpers import with_consensus
from tiny import AS_OF, tiny_tables, write_tables

from sop.cli import backtest as backtest_command
from sop.cli import pack as pack_command
from sop.cli.main import main
from sop.core import schema
from sop.core.tables import TABLES
from sop.store import Store, forecasts


def test_validate_exit_codes(tmp_path: Path, capsys) -> None:
    good = write_tables(tiny_tables(), tmp_path / "good")
    assert main(["validate", str(good)]) == 0
    assert "0 error(s)" in capsys.readouterr().out
    (good / "budget.csv").unlink()  # optional: no budget comparison, said on screen
    assert main(["validate", str(good)]) == 0
    (good / "sales.csv").unlink()  # the one table every dataset needs
    assert main(["validate", str(good)]) == 1
    assert "sales.parquet / sales.csv: missing" in capsys.readouterr().out


def test_validate_missing_folder(tmp_path: Path, capsys) -> None:
    assert main(["validate", str(tmp_path / "nope")]) == 1
    assert "no such folder" in capsys.readouterr().out
    good = write_tables(tiny_tables(), tmp_path / "good")
    (good / "sales.pdf").write_bytes(b"%PDF-1.7\n")  # one file is read as a dataset
    assert main(["validate", str(good / "sales.pdf")]) == 1
    assert "sales.pdf: this is a PDF document, not a table." in " ".join(
        capsys.readouterr().out.split()
    )


def test_ensure_demo_loads_and_forecasts_once(store: Store, capsys) -> None:
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
    assert names == set(TABLES) - {schema.CONSENSUS, schema.FAMILY_CAPACITY}


# --- bad input: one plain line saying what is wrong and what to do, never a traceback ----


def _err(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_an_out_that_cannot_be_written_is_refused_before_any_work(
    tmp_path: Path, store: Store, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(backtest_command, "run", lambda *a: pytest.fail("ran the backtest"))
    folder = write_tables(tiny_tables(), tmp_path / "t")
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    bt = ["backtest", "--data", str(folder), "--horizon", "3", "--out"]
    assert main(bt + [str(a_file / "acc.json")]) == 2
    assert "cannot create the folder" in _err(capsys)
    assert main(bt + [str(tmp_path)]) == 2
    assert "is a folder; give a file name" in _err(capsys)
    assert main(["plan", "--data", str(folder), "--out", str(a_file / "p.json")]) == 2
    assert "Choose a folder you can write to" in _err(capsys)
    assert main(["demo", "--out", str(a_file)]) == 2
    assert "is a file; give a folder" in _err(capsys)
    assert main(["pack", "--out", str(a_file)]) == 2
    assert "is a file; give a folder" in _err(capsys)


def test_missing_out_folders_are_created(tmp_path: Path, store: Store, capsys) -> None:
    folder = write_tables(with_consensus(tiny_tables(), 12), tmp_path / "t")
    out = tmp_path / "new" / "deeper" / "plan.json"
    assert main(["plan", "--data", str(folder), "--horizon", "12", "--out", str(out)]) == 0
    assert out.exists() and f"Wrote {out}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "flags, said",
    [
        (["--horizon", "0"], "--horizon must be 1 to 60 months, not 0"),
        (["--horizon", "-3"], "--horizon must be 1 to 60 months, not -3"),
        (["--horizon", "500"], "--horizon must be 1 to 60 months, not 500"),
        (["--backlog-cost-pct", "-5"], "--backlog-cost-pct must be between 0 and 1000 %"),
        (["--on-time-target-pct", "120"], "--on-time-target-pct must be between 0 and 100 %"),
    ],
)
def test_plan_settings_out_of_range_are_refused(
    tmp_path: Path, store: Store, capsys, flags: list[str], said: str
) -> None:
    folder = write_tables(with_consensus(tiny_tables(), 12), tmp_path / "t")
    for command in ("plan", "scenario"):
        assert main([command, "--data", str(folder)] + flags) == 2
        captured = capsys.readouterr()
        assert said in captured.err and "Traceback" not in captured.err
        assert captured.out == ""  # no JSON of an "invalid" plan


@pytest.mark.parametrize(
    "name, text, said",
    [
        ("bad.toml", "scn_demand_pct = = 5\n", "is not valid TOML"),
        ("bad.json", '{"scn_demand_pct": 5', "is not valid JSON"),
        (
            "unknown.toml",
            "scn_demand_pcnt = 5\n",
            "unknown lever 'scn_demand_pcnt' (did you mean scn_demand_pct?)",
        ),
        ("range.toml", "scn_demand_pct = 5000\n", "scn_demand_pct = 5000 is outside -100 .. 200 %"),
        ("text.toml", 'scn_demand_pct = "abc"\n', "'abc' is not a number"),
        ("levers.yaml", "scn_demand_pct: 5\n", "ends in .toml or .json"),
        (
            "family.toml",
            "[scn_demand_family_pct]\nNope = 5\n",
            "there is no family 'Nope' in this dataset",
        ),
    ],
)
def test_a_bad_levers_file_is_refused_with_what_to_fix(
    tmp_path: Path, store: Store, capsys, name: str, text: str, said: str
) -> None:
    folder = write_tables(with_consensus(tiny_tables(), 12), tmp_path / "t")
    levers = tmp_path / name
    levers.write_text(text)
    assert main(["scenario", "--data", str(folder), "--levers", str(levers), "--no-risk"]) == 2
    captured = capsys.readouterr()
    assert said in captured.err and str(levers) in captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert main(["scenario", "--data", str(folder), "--levers", str(tmp_path / "none.toml")]) == 2
    assert "cannot read it" in _err(capsys)


@pytest.mark.parametrize("cycle", ["nov", "2026-13", "2026-1", "11-2026"])
def test_pack_cycle_must_be_a_month(tmp_path: Path, store: Store, capsys, cycle: str) -> None:
    assert main(["pack", "--out", str(tmp_path / "p"), "--cycle", cycle]) == 2
    assert "--cycle must be a month written YYYY-MM" in _err(capsys)


def test_backtest_says_what_is_wrong_with_the_sales_file(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "only_sales"
    folder.mkdir()
    sales = tiny_tables()[schema.SALES].rename(columns={schema.UNITS: "qty"})
    sales.to_csv(folder / "sales.csv", index=False)
    assert main(["backtest", "--data", str(folder), "--horizon", "3"]) == 1
    out = capsys.readouterr().out
    assert "column `units` is missing" in out and "products" not in out.split("(")[0]
    assert "products.parquet" not in out
    good = write_tables({schema.SALES: tiny_tables()[schema.SALES]}, tmp_path / "s")
    assert main(["backtest", "--data", str(good), "--horizon", "60"]) == 1
    assert "give a shorter --horizon" in capsys.readouterr().out


def test_store_is_accepted_after_the_command(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.duckdb"
    folder = write_tables(tiny_tables(), tmp_path / "t")
    assert main(["load", str(folder), "--store", str(path)]) == 0
    assert main(["datasets", "--store", str(path)]) == 0
    assert "t " in capsys.readouterr().out and Store(path).active().name == "t"


def test_an_unexpected_failure_is_one_line_not_a_traceback(
    tmp_path: Path, store: Store, capsys, monkeypatch
) -> None:
    def boom(args):
        raise KeyError("surprise")

    monkeypatch.setattr(pack_command, "run", boom)
    assert main(["pack", "--out", str(tmp_path / "p")]) == 3
    err = _err(capsys)
    assert "`pack` failed: KeyError" in err and "SOP_DEBUG=1" in err
    monkeypatch.setenv("SOP_DEBUG", "1")
    with pytest.raises(KeyError):
        main(["pack", "--out", str(tmp_path / "p")])


@pytest.mark.parametrize("command", [["forecast"], ["backtest", "--data", ".", "--horizon", "3"]])
@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_workers_must_be_one_or_more(capsys, command: list[str], value: str) -> None:
    with pytest.raises(SystemExit) as stop:
        main([*command, "--workers", value])
    assert stop.value.code == 2
    assert "is not a number of processes: give 1 or more" in capsys.readouterr().err


# --- new products and a one-row sales table forecast; the backtest reads the store ----


def _with_new_sku(tables: dict, launch: pd.Timestamp | None) -> dict:
    """`tables` plus SKU A9 (family Alpha) without any sales, launched at `launch`."""
    out = dict(tables)
    p = tables[schema.PRODUCTS]
    new = p.iloc[[0]].assign(
        **{schema.SKU: "A9", schema.NAME: "Alpha 9", schema.LAUNCH_MONTH: launch}
    )
    out[schema.PRODUCTS] = pd.concat([p, new], ignore_index=True)
    inv = tables[schema.INVENTORY]
    out[schema.INVENTORY] = pd.concat(
        [inv, inv.iloc[[0]].assign(**{schema.SKU: "A9"})], ignore_index=True
    )
    return out


@pytest.mark.parametrize(
    "tables",
    [
        _with_new_sku(tiny_tables(), AS_OF + pd.offsets.MonthBegin(1)),  # launches next month
        _with_new_sku(tiny_tables(), AS_OF),  # launched last month (the as-of month)
        {**tiny_tables(), schema.SALES: tiny_tables()[schema.SALES].tail(1)},  # one sales row
    ],
    ids=["launch-next-month", "launched-last-month", "one-sales-row"],
)
def test_forecast_command_with_new_products(
    tmp_path: Path, store: Store, capsys, tables: dict
) -> None:
    folder = write_tables(tables, tmp_path / "t")
    assert (
        main(["--store", str(store.path), "forecast", "--data", str(folder), "--workers", "1"]) == 0
    )
    run = forecasts.find_run(store, store.active().version)
    assert run is not None
    assert "new product" in capsys.readouterr().out  # the summary's count by flag
    values = forecasts.values(store, run.run_id)
    new = {"A9"} if "A9" in set(tables[schema.PRODUCTS][schema.SKU]) else {"A2", "B1"}
    assert new <= set(values[schema.SKU])  # the new products have forecast rows
    assert (values[schema.P50] >= 0).all() and values[schema.P50].sum() > 0


def test_backtest_reads_the_store_and_writes_per_series_rows(
    tmp_path: Path, store: Store, capsys
) -> None:
    bt = ["--store", str(store.path), "backtest", "--horizon", "3", "--workers", "1"]
    assert main(bt) == 2  # nothing loaded yet: said so, no traceback
    assert "No dataset is loaded yet" in _err(capsys)
    folder = write_tables(tiny_tables(), tmp_path / "t")
    assert main(["--store", str(store.path), "load", str(folder), "--name", "tiny"]) == 0
    assert main([*bt, "--out", str(tmp_path / "store.json")]) == 0
    assert "Backtesting `tiny` v1" in capsys.readouterr().out
    assert main([*bt, "--data", str(folder), "--out", str(tmp_path / "folder.json")]) == 0
    from_store = json.loads((tmp_path / "store.json").read_text())
    from_folder = json.loads((tmp_path / "folder.json").read_text())
    assert from_store["per_series"] == from_folder["per_series"]  # the same dataset
    assert from_store["holdout"]["origins"] == 1
    assert "last H calendar months" in from_store["holdout"]["convention"]
    rows = from_store["per_series"]
    assert len(rows) == 6 and {r["series"] for r in rows} >= {"A1|North", "B1|South"}
    for r in rows:
        assert set(r) >= {"series", "method", "mase", "wape", "bias", "coverage_80"}
        assert r["method"] and 0 <= r["coverage_80"] <= 1 and r["wape"] >= 0


def test_forecast_command_chooses_how_levels_add_up(tmp_path: Path, store: Store) -> None:
    folder = write_tables(tiny_tables(), tmp_path / "t")
    base = ["--store", str(store.path), "forecast", "--workers", "1"]
    assert main([*base, "--data", str(folder), "--reconcile", "bottom_up"]) == 0
    version = store.active().version
    assert forecasts.find_run(store, version).settings["reconcile"] == "bottom_up"
    assert main([*base]) == 0  # the default is MinT: another run, stored beside the first
    assert forecasts.find_run(store, version).settings["reconcile"] == "mint_shrink"
    with pytest.raises(SystemExit):
        main([*base, "--reconcile", "average"])
