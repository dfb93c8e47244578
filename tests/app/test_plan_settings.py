"""The plan settings of record: saved on the Supply page, used by every later page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from supply_helpers import with_consensus
from tiny import tiny_tables

from sop.core import access
from sop.core.access import Actor
from sop.data.validate import check_tables
from sop.scenario.wording import escape_md
from sop.store import Store, StoreError
from sop.store import settings as settings_store
from sop.supply import settings as plan_settings
from sop.supply.policy import SupplyPolicy

ANA = Actor("ana@example.com", "Ana", frozenset({access.SUPPLY_PLANNER}))
BO = Actor("bo@example.com", "Bo", frozenset({access.SUPPLY_PLANNER}))


def test_newest_save_applies_and_history_keeps_every_save(store: Store) -> None:
    assert plan_settings.current_policy(store) == (SupplyPolicy(), "")
    plan_settings.save_policy(store.as_actor(ANA), SupplyPolicy(backlog_allowed=False))
    plan_settings.save_policy(store.as_actor(BO), SupplyPolicy(horizon=12, overtime_allowed=False))
    policy, who = plan_settings.current_policy(Store(store.path))  # as after a restart
    assert policy == SupplyPolicy(horizon=12, overtime_allowed=False)
    assert who.startswith("set by Bo <bo@example.com> on ")
    hist = plan_settings.history(store)
    assert hist["author"].tolist() == ["Bo <bo@example.com>", "Ana <ana@example.com>"]
    assert json.loads(hist["policy_json"].iloc[1])["backlog_allowed"] is False


def test_invalid_settings_store_nothing(store: Store) -> None:
    with pytest.raises(StoreError, match="horizon must be 1 to 60"):
        plan_settings.save_policy(store, SupplyPolicy(horizon=0))
    assert plan_settings.history(store).empty


def test_the_store_keeps_the_policy_as_json_text(store: Store) -> None:
    assert settings_store.current_policy(store) == (None, "")
    settings_store.save_policy(store.as_actor(ANA), '{"horizon": 12}')
    text, who = settings_store.current_policy(store)
    assert text == '{"horizon": 12}' and who.startswith("set by Ana <ana@example.com> on ")
    assert len(settings_store.history(store)) == 1


def test_settings_from_a_newer_version_still_load() -> None:
    data = {**SupplyPolicy(backlog_allowed=False).as_dict(), "a_future_setting": 3}
    assert SupplyPolicy.from_dict(data) == SupplyPolicy(backlog_allowed=False)


def test_supply_page_saves_settings_that_scenarios_then_use(store: Store, open_app) -> None:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    at = open_app("pages/supply.py")
    assert at.toggle(key="sup_backlog_allowed").value is True
    assert at.button(key="sup_settings_save").disabled  # nothing changed yet
    at.toggle(key="sup_backlog_allowed").set_value(False).run()
    assert any("differ" in c.value for c in at.caption)
    assert any("Recorded as" in c.value for c in at.caption)  # no name to type
    at.button(key="sup_settings_save").click().run()
    assert not at.exception, at.exception
    assert plan_settings.current_policy(store)[0] == SupplyPolicy(backlog_allowed=False)
    again = open_app("pages/supply.py")
    assert again.toggle(key="sup_backlog_allowed").value is False  # starts from the record
    again.switch_page("pages/scenarios.py").run()
    assert not again.exception, again.exception
    local = Actor.local_user().signature
    assert plan_settings.history(store)["author"].tolist() == [local]
    assert any(f"set by {escape_md(local)}" in c.value for c in again.caption)


def test_the_command_line_plans_with_the_settings_of_record(
    store: Store, tmp_path: Path, capsys
) -> None:
    from sop.__main__ import main

    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    plan_settings.save_policy(store, SupplyPolicy(horizon=12, backlog_allowed=False))
    out = tmp_path / "plan.json"
    assert main(["--store", str(store.path), "plan", "--out", str(out)]) == 0
    policy = json.loads(out.read_text())["policy"]
    assert policy["backlog_allowed"] is False and policy["horizon"] == 12
    assert (
        main(["--store", str(store.path), "plan", "--out", str(out), "--backlog-allowed"]) == 0
    )  # a flag still wins
    assert json.loads(out.read_text())["policy"]["backlog_allowed"] is True


def test_ending_units_are_typed_on_the_supply_page(store: Store, open_app) -> None:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    at = open_app("pages/supply.py")
    assert at.text_input(key="sup_ending_units").value == ""
    at.selectbox(key="sup_ending_inventory").set_value("units")
    at.text_input(key="sup_ending_units").set_value("Alpha").run()
    assert not at.exception, at.exception
    assert any("is not family=units" in e.value for e in at.error)
    at.text_input(key="sup_ending_units").set_value("Alpha=300").run()
    assert not at.exception and not any("family=units" in e.value for e in at.error)
    at.button(key="sup_settings_save").click().run()
    assert plan_settings.current_policy(store)[0] == SupplyPolicy(
        ending_inventory="units", ending_units=(("Alpha", 300.0),)
    )
    again = open_app("pages/supply.py")  # the saved pairs come back as typed
    assert again.text_input(key="sup_ending_units").value == "Alpha=300"
