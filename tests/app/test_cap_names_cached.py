"""Every page says a supplier cap as 'code · name' from one cached read of the
dataset's cap names (`sop.ui.readers.cap_names`): Finance and Compare directly,
Scenarios and Goal through their cached lever space, built from it. A rerun (a widget
click) does not read the names again, and the next page reuses the first page's.

The tiny dataset with a loaded consensus plan and one saved scenario is used, so no
forecast is fitted.
"""

from __future__ import annotations

from collections import Counter

import pytest
from supply_helpers import with_consensus
from tiny import tiny_tables

from sop.data.validate import check_tables
from sop.scenario import lever_space
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store
from sop.supply import explain


@pytest.fixture
def loaded(store: Store) -> Store:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    saved_scenarios.save(store, "Up 10%", Levers(demand_pct=10.0))
    return store


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Calls of `sop.supply.explain.cap_names`, through the module (the pages and the
    readers) and through the lever space's own import of it, counted."""
    calls: Counter = Counter()
    real = explain.cap_names

    def wrapper(*args, **kwargs):
        calls["cap_names"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(explain, "cap_names", wrapper)
    monkeypatch.setattr(lever_space, "cap_names", wrapper)
    return calls


def test_finance_and_compare_read_the_cap_names_once(loaded, open_app, counted) -> None:
    at = open_app("pages/finance.py")
    assert at.title[0].value == "Finance"
    at.run()
    at.run()
    assert not at.exception
    assert counted["cap_names"] == 1  # was 3: once a run
    at.switch_page("pages/compare.py").run()
    at.run()
    assert not at.exception
    assert any("Up 10%" in " ".join(map(str, d.value.columns)) for d in at.dataframe)
    assert counted["cap_names"] == 1  # same store and dataset version: the cached names


def test_scenarios_and_finance_share_the_one_read_of_the_cap_names(
    loaded, open_app, counted
) -> None:
    # the Scenarios page's lever space read the names itself: 2 reads for the two pages
    at = open_app("pages/scenarios.py")
    at.run()
    assert not at.exception
    assert counted["cap_names"] == 1
    at.switch_page("pages/finance.py").run()
    assert not at.exception
    assert counted["cap_names"] == 1
