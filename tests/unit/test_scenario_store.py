"""Saved scenarios: verbatim text, append-only archive, concurrent saves, restart."""

from __future__ import annotations

import threading

import pytest
from people import person

from sop.core import access
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store, StoreError
from sop.store import scenarios as scenario_store

NASTY = 'Q1 push "best" case\'); DROP TABLE scenarios; -- ünïcødé 🚀 ' + "x" * 1900


def test_save_and_load_verbatim(store: Store) -> None:
    lev = Levers(demand_pct=5.0, capacity_changes=(("RS-ASM1", "2027-06", "2027-07", 50.0),))
    ana = person("Ana O'Neil", access.SOP_OWNER)
    sid = saved_scenarios.save(store.as_actor(ana), NASTY, lev, description=NASTY[::-1])
    df = saved_scenarios.list_scenarios(Store(store.path))
    assert df["name"].tolist() == [NASTY]
    assert df["description"].tolist() == [NASTY[::-1]]
    assert df["author"].tolist() == ["Ana O'Neil <ana.o'neil@example.com>"]
    name, back = saved_scenarios.get(store, sid)
    assert name == NASTY and back == lev


def test_the_store_keeps_levers_as_json_text(store: Store) -> None:
    text = Levers(demand_pct=5.0).to_json()
    sid = scenario_store.save(store, "A", text)
    assert scenario_store.get(store, sid) == ("A", text)
    assert scenario_store.list_scenarios(store)["levers_json"].tolist() == [text]
    assert saved_scenarios.get(store, sid) == ("A", Levers(demand_pct=5.0))


def test_archive_is_an_event_not_a_delete(store: Store) -> None:
    a = saved_scenarios.save(store, "A", Levers())
    b = saved_scenarios.save(store, "B", Levers(demand_pct=3.0))
    boss = store.as_actor(person("Boss", access.SOP_OWNER))
    saved_scenarios.archive(boss, a)
    assert saved_scenarios.list_scenarios(store)["scenario_id"].tolist() == [b]
    everything = saved_scenarios.list_scenarios(store, include_archived=True)
    assert everything.set_index("scenario_id").loc[a, "archived"]
    saved_scenarios.unarchive(boss, a)
    assert sorted(saved_scenarios.list_scenarios(store)["scenario_id"]) == [a, b]
    history = saved_scenarios.history(store)
    assert history["action"].tolist() == ["archive", "unarchive"]
    assert set(history["author"]) == {boss.actor.signature}


def test_blank_name_bad_levers_or_no_role_store_nothing(store: Store) -> None:
    for name, lev, msg in [
        (" ", Levers(), "name"),
        ("ok", Levers(demand_pct=900.0), "out of range"),
    ]:
        with pytest.raises(StoreError, match=msg):
            saved_scenarios.save(store, name, lev)
    planner = store.as_actor(person("Dee", access.DEMAND_PLANNER))
    with pytest.raises(access.AccessDenied, match="may not save or archive a scenario"):
        saved_scenarios.save(planner, "ok", Levers())
    assert saved_scenarios.list_scenarios(store, include_archived=True).empty
    with pytest.raises(StoreError, match="no scenario #42"):
        saved_scenarios.archive(store, 42)


def test_two_sessions_saving_at_once_both_keep_theirs(store: Store) -> None:
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for k in range(5):
                saved_scenarios.save(Store(store.path), f"s{i}-{k}", Levers(demand_pct=float(i)))
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    names = set(saved_scenarios.list_scenarios(store)["name"])
    assert names == {f"s{i}-{k}" for i in range(2) for k in range(5)}
