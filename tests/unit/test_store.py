"""The store: versions, restore, one transaction per load, bound parameters."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pandas as pd
import pytest
from tiny import snapshot, tiny_tables

import sop.store
from sop.core import access, schema
from sop.core.access import Actor
from sop.core.tables import TABLES
from sop.data.validate import check_tables
from sop.store import KEEP_VERSIONS, Store, StoreError


def test_load_round_trips_every_table(store: Store) -> None:
    tables = check_tables(tiny_tables()).tables
    version = store.load(tables, name="tiny", source="test")
    assert version == 1
    got = store.tables()
    assert set(got) == set(tables)
    for name, df in tables.items():
        pd.testing.assert_frame_equal(
            got[name].reset_index(drop=True),
            df[TABLES[name].column_names].reset_index(drop=True),
            check_dtype=False,
        )
    info = store.active()
    assert (info.version, info.name, info.as_of) == (1, "tiny", pd.Timestamp("2025-12-01"))


def test_new_load_is_a_new_version_and_old_one_can_be_restored(store: Store) -> None:
    first = tiny_tables()
    store.load(first, name="one")
    second = tiny_tables()
    second[schema.SALES][schema.UNITS] = second[schema.SALES][schema.UNITS] * 2
    store.load(second, name="two")
    assert store.active().name == "two"
    assert (
        store.tables()[schema.SALES][schema.UNITS].sum()
        == 2 * first[schema.SALES][schema.UNITS].sum()
    )
    store.activate(1)
    assert store.active().name == "one"
    assert (
        store.tables()[schema.SALES][schema.UNITS].sum() == first[schema.SALES][schema.UNITS].sum()
    )
    assert store.datasets()["active"].sum() == 1


def test_the_versions_say_who_loaded_and_who_restored_them(store: Store) -> None:
    loader = Actor("lee@example.com", "Lee Loader", frozenset({access.DATA_STEWARD}))
    store.as_actor(loader).load(tiny_tables(), name="one")
    store.load(tiny_tables(), name="two")
    store.as_actor(loader).activate(1)
    rows = store.datasets().set_index("version")
    assert rows.at[1, "loaded_by"] == "Lee Loader <lee@example.com>"
    assert rows.at[2, "loaded_by"] == store.actor.signature
    assert rows.at[1, "restored_by"] == "Lee Loader <lee@example.com>"
    assert pd.notna(rows.at[1, "restored_at"]) and pd.isna(rows.at[2, "restored_at"])


def test_only_the_last_versions_are_kept(store: Store) -> None:
    for i in range(KEEP_VERSIONS + 2):
        store.load(tiny_tables(), name=f"v{i}")
    kept = store.datasets()["version"].tolist()
    assert kept == list(range(KEEP_VERSIONS + 2, 2, -1))
    assert set(store.row_counts()) == set(kept)


def test_restore_unknown_version_says_which_exist(store: Store) -> None:
    store.load(tiny_tables(), name="one")
    before = snapshot(store)
    with pytest.raises(StoreError, match="no dataset version 9; kept versions: 1"):
        store.activate(9)
    assert snapshot(store) == before


def test_failure_mid_load_leaves_the_store_as_it_was(store: Store, monkeypatch) -> None:
    store.load(tiny_tables(), name="good")
    before = snapshot(store)
    calls = {"n": 0}
    original = Store._insert

    def failing(con, name, df, version):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("disk full")
        return original(con, name, df, version)

    monkeypatch.setattr(Store, "_insert", staticmethod(failing))
    with pytest.raises(RuntimeError, match="disk full"):
        store.load(tiny_tables(), name="bad")
    assert calls["n"] == 4
    assert snapshot(store) == before


def test_names_with_quotes_and_sql_are_stored_verbatim(store: Store) -> None:
    name = 'Robert\'); DROP TABLE datasets; -- «ünïcode» "q"'
    tables = tiny_tables()
    tables[schema.PRODUCTS].at[0, schema.NAME] = name
    store.load(tables, name=name, source=name)
    assert store.active().name == name
    assert store.tables()[schema.PRODUCTS].at[0, schema.NAME] == name
    assert len(store.datasets()) == 1


def test_data_survives_a_new_store_object(store: Store) -> None:
    store.load(tiny_tables(), name="persist")
    again = Store(store.path)
    assert again.active().name == "persist"
    assert len(again.tables()[schema.SALES]) == len(tiny_tables()[schema.SALES])


def test_empty_store_explains_what_to_do(store: Store) -> None:
    assert store.active() is None
    with pytest.raises(StoreError, match="python -m sop load"):
        store.tables()


def test_missing_required_table_is_refused(store: Store) -> None:
    tables = tiny_tables()
    del tables[schema.SALES]
    with pytest.raises(StoreError, match="sales"):
        store.load(tables, name="x")
    assert store.active() is None


def test_concurrent_loads_from_threads_both_land(store: Store) -> None:
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            Store(store.path).load(tiny_tables(), name=f"t{i}")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(store.datasets()["name"]) == ["t0", "t1"]


def test_the_store_imports_only_sop_core() -> None:
    """The foundation stays one: rows, frames and JSON text in and out, no domain types."""
    for path in sorted(Path(sop.store.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            bad = [
                n
                for n in names
                if n.split(".")[0] == "sop" and not n.startswith(("sop.core", "sop.store"))
            ]
            assert not bad, f"sop/store/{path.name} imports {bad}"
