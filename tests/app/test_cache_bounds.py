"""The app's caches through AppTest: shared read-only values are never changed by a
page, the per-lever-position cache stays within its bounds, and a lever move computes
each heavy step at most once (a repeated position: not at all).

Setup stores a hand-made 18-month forecast for the tiny dataset (no model is fitted),
as tests/app/test_scenarios_page.py does.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from sop.scenario import lever_space
from sop.scenario.levers import Levers
from sop.store import Store
from sop.ui import evalcache, readers, scenario_readers

SCENARIOS = "pages/scenarios.py"
PAGES = [
    "pages/data.py",
    "pages/demand.py",
    "pages/supply.py",
    SCENARIOS,
    "pages/compare.py",
    "pages/finance.py",
    "pages/executive.py",
    "pages/decisions.py",
    "pages/handoff.py",
]
SCENARIO_TABS = (
    "Demand vs supply",
    "S&OP grid",
    "Margin bridge",
    "Risk (P10 / P50 / P90)",
    "All KPIs",
    "Goal",
    "Save",
    "Comments",
)


def fingerprint(value) -> str:
    """A digest of everything `value` holds: frames by shape, columns, dtypes, index and
    cell hashes; arrays by bytes; dataclasses, dicts and sequences walked."""
    h = hashlib.sha256()

    def walk(v) -> None:
        if isinstance(v, pd.DataFrame | pd.Series | pd.Index):
            frame = v.to_frame() if isinstance(v, pd.Series) else v
            frame = frame.to_frame(index=False) if isinstance(frame, pd.Index) else frame
            head = (frame.shape, list(frame.columns), list(map(str, frame.dtypes)))
            h.update(repr(head).encode())
            h.update(repr(list(frame.index)).encode() if len(frame.index) < 1000 else b"")
            try:
                h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
            except TypeError:  # cells that do not hash (lists...): their text
                h.update(frame.to_csv().encode())
        elif isinstance(v, np.ndarray):
            h.update(repr((v.shape, str(v.dtype))).encode())
            h.update(v.tobytes() if v.dtype != object else repr(v.tolist()).encode())
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            for f in dataclasses.fields(v):
                h.update(f.name.encode())
                walk(getattr(v, f.name))
        elif isinstance(v, dict):
            h.update(repr(sorted(map(str, v))).encode())
            for k in sorted(v, key=str):
                walk(v[k])
        elif isinstance(v, list | tuple):
            for x in v:
                walk(x)
        else:
            h.update(repr(v).encode())

    walk(value)
    return h.hexdigest()


def shared_values(path: str, version: int) -> dict[str, object]:
    """What the readers share between sessions and reruns (not copies)."""
    policy = readers.plan_policy()[0]
    stamp = readers.demand_stamp(path, version)
    return {
        "loaded_tables": readers.loaded_tables(path, version),
        "tables": readers.tables(path, version),
        "consensus": readers.demand_consensus(path, version, stamp),
        "demand": readers.supply_demand(path, version, policy.horizon, stamp),
        "plan": readers.supply_plan(path, version, stamp, policy),
        "base": scenario_readers.scenario_base(path, version, policy.horizon, stamp),
        "baseline": scenario_readers.scenario(path, version, stamp, Levers(), policy),
        "finance": scenario_readers.finance_view(path, version, stamp, Levers(), policy),
        "grids": scenario_readers.grids(path, version, stamp, Levers(), policy),
        "report": readers.report(path, version),
        "fitted": readers.demand_fitted(path, stamp[0]),
        "accuracy": readers.demand_accuracy(path, version, stamp[0]),
        "space": scenario_readers.dataset_space(path, version, policy.horizon, stamp),
        "exe_view": scenario_readers.exe_view(
            path, version, stamp, scenario_readers.exe_log_stamp(path), policy
        ),
    }


def test_no_page_changes_the_shared_values(forecast: Store, open_app) -> None:
    path, version = str(forecast.path), forecast.active().version
    at = open_app()  # (it empties the caches first)
    before = shared_values(path, version)
    prints = {k: fingerprint(v) for k, v in before.items()}
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        if page == SCENARIOS:
            at.slider(key="scn_demand_pct").set_value(10.0).run()
            for tab in SCENARIO_TABS:
                at.session_state["scn_tab"] = tab
                at.run()
                assert not at.exception, tab
    after = shared_values(path, version)
    for name, value in before.items():
        assert after[name] is value, f"{name}: a new object, not the shared one"
        assert fingerprint(value) == prints[name], f"a page changed the shared {name}"


def test_the_evaluation_cache_stays_within_its_bounds(
    forecast: Store, open_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(evalcache.ENTRIES_ENV, "4")
    at = open_app(SCENARIOS)
    cache = evalcache.lru()
    assert cache.max_entries == 4 and cache.max_bytes == evalcache.DEFAULT_MB * 1024 * 1024
    for pct in (5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0):
        at.slider(key="scn_demand_pct").set_value(pct).run()
        assert not at.exception
        assert len(cache) <= 4 and 0 < cache.nbytes <= cache.max_bytes
    assert len(cache) == 4  # the baseline and the three newest positions


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Calls of the heavy steps the Scenarios page makes, counted by name."""
    calls: Counter = Counter()
    for owner, name in (
        (scenario_readers, "evaluate"),
        (scenario_readers, "prepare_demand"),
        (lever_space, "dataset_space"),
    ):
        real = getattr(owner, name)

        def wrapper(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)
    return calls


def test_a_lever_move_computes_each_step_once_and_a_repeat_none(
    forecast: Store, open_app, counted: Counter
) -> None:
    at = open_app(SCENARIOS)
    # first render: the demand prepared once, the baseline evaluated once, one space
    assert counted == Counter(prepare_demand=1, evaluate=1, dataset_space=1)
    counted.clear()
    at.slider(key="scn_demand_pct").set_value(20.0).run()
    assert counted == Counter(evaluate=1)  # the new position only
    counted.clear()
    at.slider(key="scn_demand_pct").set_value(0.0).run()
    at.slider(key="scn_demand_pct").set_value(20.0).run()
    assert not counted  # both positions were seen: nothing is computed again
    assert not at.exception
