"""`Store.listing`: the active dataset and the kept versions the Data page shows, read
through one connection, are what `Store.active` and `Store.datasets` read one by one."""

from __future__ import annotations

import pandas as pd
from tiny import tiny_tables

from sop.store import Store, connection


def _opens(store: Store, monkeypatch) -> list[int]:
    """Counts the DuckDB files opened through `store` from now on."""
    opened: list[int] = []
    real = connection.open_file

    def counted(path, wait):
        opened.append(1)
        return real(path, wait)

    monkeypatch.setattr(connection, "open_file", counted)
    return opened


def test_listing_is_active_and_datasets_in_one_open(store: Store, monkeypatch) -> None:
    assert store.listing()[0] is None and store.listing()[1].empty
    store.load(tiny_tables(), name="one")
    store.load(tiny_tables(), name="two")
    store.activate(1)  # the active one is not the newest
    opened = _opens(store, monkeypatch)
    info, versions = store.listing()
    assert len(opened) == 1
    assert info == store.active() and info.version == 1 and info.name == "one"
    pd.testing.assert_frame_equal(versions, store.datasets())
    assert list(versions["version"]) == [2, 1] and len(opened) == 3
