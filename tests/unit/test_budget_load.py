"""Loading a new budget (`sop.store.budget.load_budget`): a new version with every other
table as it was, refused for a person without the role, the store unchanged on error."""

from __future__ import annotations

import pandas as pd
import pytest
from demand_helpers import loaded_store, store_fake_run
from tiny import snapshot, tiny_tables

from sop.core import access, schema
from sop.core.access import AccessDenied, Actor
from sop.data.validate import check_tables
from sop.store import KEEP_VERSIONS, Store, StoreError
from sop.store import forecasts as forecast_store
from sop.store.budget import load_budget


def _budget(scale: float) -> pd.DataFrame:
    old = tiny_tables()[schema.BUDGET]
    return old.assign(**{schema.REVENUE: old[schema.REVENUE] * scale})


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    key = list(a.columns)
    pd.testing.assert_frame_equal(
        a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    )


def test_a_new_version_holds_the_other_tables_and_the_new_budget(store: Store) -> None:
    v1 = loaded_store(store)
    before = store.tables(v1)
    new = check_tables({**tiny_tables(), schema.BUDGET: _budget(2.0)}).tables[schema.BUDGET]
    v2 = load_budget(store, new, "budget 2027", "budget.csv")
    assert v2 == v1 + 1
    info = store.active()
    assert info.version == v2 and info.name == "budget 2027"
    old_info = store.datasets().set_index("version").loc[v1]
    assert (info.company, info.currency) == (old_info["company"], old_info["currency"])
    assert info.as_of == pd.Timestamp(old_info["as_of"])
    after = store.tables(v2)
    assert set(after) == set(before)
    for name in before:
        if name != schema.BUDGET:
            _same(after[name], before[name])
    assert after[schema.BUDGET][schema.REVENUE].sum() == pytest.approx(
        2.0 * before[schema.BUDGET][schema.REVENUE].sum()
    )
    _same(store.tables(v1)[schema.BUDGET], before[schema.BUDGET])  # the old version kept


def test_the_forecast_runs_come_along(store: Store) -> None:
    v1 = loaded_store(store)
    run = store_fake_run(store, v1)
    v2 = load_budget(store, _budget(1.1), "budget")
    copied = forecast_store.find_run(store, v2)
    assert copied is not None and copied.run_id != run
    assert copied.settings_key == forecast_store.run_info(store, run).settings_key
    _same(forecast_store.values(store, copied.run_id), forecast_store.values(store, run))
    _same(forecast_store.fitted(store, copied.run_id), forecast_store.fitted(store, run))


def test_old_versions_are_pruned_as_on_a_load(store: Store) -> None:
    loaded_store(store)
    for k in range(KEEP_VERSIONS + 1):
        load_budget(store, _budget(1.0 + k / 10), f"b{k}")
    assert len(store.datasets()) == KEEP_VERSIONS
    assert store.active().name == f"b{KEEP_VERSIONS}"


@pytest.mark.parametrize("role", [access.DEMAND_PLANNER, access.VIEWER, access.SUPPLY_PLANNER])
def test_refused_without_the_role_and_nothing_changes(store: Store, role: str) -> None:
    loaded_store(store)
    before = snapshot(store)
    planner = store.as_actor(Actor("dp@example.com", "Dee", frozenset({role})))
    with pytest.raises(AccessDenied, match="may not load a new budget"):
        load_budget(planner, _budget(2.0), "budget")
    assert snapshot(store) == before


@pytest.mark.parametrize("role", [access.FINANCE, access.DATA_STEWARD])
def test_finance_and_a_data_steward_may(store: Store, role: str) -> None:
    v1 = loaded_store(store)
    who = store.as_actor(Actor("f@example.com", "Fay", frozenset({role})))
    assert load_budget(who, _budget(2.0), "budget") == v1 + 1


def test_a_failure_leaves_the_store_unchanged(store: Store) -> None:
    loaded_store(store)
    before = snapshot(store)
    bad = _budget(1.0).assign(**{schema.MONTH: "not a month"})
    with pytest.raises(Exception):  # noqa: B017  (DuckDB's conversion error)
        load_budget(store, bad, "budget")
    assert snapshot(store) == before


def test_nothing_loaded_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="No dataset is loaded"):
        load_budget(store, _budget(1.0), "budget")
