"""Shared fixtures: a tiny valid dataset, written as files, a scratch store, and clean
Streamlit caches for every test (they survive across AppTest instances)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from tiny import tiny_tables, write_tables

from sop.store import Store

os.environ.setdefault("CMDSTANPY_LOG", "WARNING")

KINDS = ("unit", "app", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its folder's kind: unit, app (AppTest) or browser."""
    for item in items:
        kind = Path(item.fspath).parent.name
        if kind in KINDS:
            item.add_marker(getattr(pytest.mark, kind))


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: `make test` runs on 2 workers
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadfile`, but every browser test goes to one worker: each starts an app
    server and a Chromium, and two at once on two shared cores made one wait time out.
    (xdist's own `--dist loadgroup` marks do not take with pytest 9: it renames
    `item._nodeid`, which pytest 9 no longer has.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserTestsTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/browser/"):
                return "tests/browser"
            return super()._split_scope(nodeid)

    return BrowserTestsTogether(config, log)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def tiny() -> dict[str, pd.DataFrame]:
    return tiny_tables()


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    return write_tables(tiny_tables(), tmp_path / "tiny")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("SOP_STORE", str(path))
    return Store(path)
