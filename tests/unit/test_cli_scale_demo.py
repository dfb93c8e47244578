"""`python -m sop demo --skus N`: a made-up company of N SKUs written, valid, loadable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sop.cli import data as data_command
from sop.cli.main import main
from sop.core import schema
from sop.demand.sources import demand_from_store
from sop.store import Store
from sop.supply.synthetic import scale_dataset


def test_scale_demo_writes_valid_tables_and_loads(tmp_path: Path, store: Store, capsys) -> None:
    # 100 SKUs: every one of the 25 families has a SKU (scale_dataset draws families
    # at random, so a smaller company can name a family in lines no product has)
    out = tmp_path / "s100"
    args = ["--store", str(store.path), "demo", "--skus", "100", "--regions", "3", "--out"]
    assert main(args + [str(out), "--load"]) == 0
    said = capsys.readouterr().out
    assert f"to {out}." in said and "0 error(s)" in said
    assert {p.stem for p in out.glob("*.parquet")} == set(scale_dataset(100, 3))
    sales = pd.read_parquet(out / f"{schema.SALES}.parquet")
    assert sales[schema.SKU].nunique() == 100 and sales[schema.REGION].nunique() == 3
    assert main(["validate", str(out)]) == 0
    info = store.active()
    assert info.name == "s100"
    assert len(store.tables(info.version)[schema.SALES]) == len(sales) == 100 * 3 * 24
    plan = demand_from_store(store, info.version, 18)  # the loaded consensus: no forecast
    assert len(plan) == 100 * 3 * 18 and plan[schema.SKU].nunique() == 100


def test_scale_demo_default_folder_and_seed(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(data_command, "ROOT", tmp_path)
    assert main(["demo", "--skus", "12", "--regions", "2"]) == 0
    folder = tmp_path / "data" / "scale-12"
    sales = pd.read_parquet(folder / f"{schema.SALES}.parquet")
    expected = scale_dataset(12, 2, seed=1)[schema.SALES]
    pd.testing.assert_frame_equal(sales, expected, check_dtype=False)
    assert main(["demo", "--skus", "12", "--regions", "2", "--seed", "5"]) == 0
    other = pd.read_parquet(folder / f"{schema.SALES}.parquet")
    assert not other[schema.UNITS].equals(sales[schema.UNITS])


def test_scale_demo_refuses_bad_sizes(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--regions", "3", "--out", str(tmp_path / "a")]) == 2
    assert "--regions needs --skus" in capsys.readouterr().err
    assert main(["demo", "--skus", "0", "--out", str(tmp_path / "b")]) == 2
    assert "must each be 1 or more" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() or not list((tmp_path / "a").iterdir())
