"""Roles in the app (AppTest, sign-in configured, the person's roles given in the store):
a viewer sees why and no write control on any page; a demand planner's override
carries their signature; the Admin page gives and takes roles, for an admin only."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from demand_helpers import SETTINGS, fake_values, loaded_store, store_fake_run
from streamlit.testing.v1 import AppTest
from tiny import AS_OF

from sop.core import access, schema
from sop.demand import consensus
from sop.demand.overrides import KIND_PCT, LEVEL_FAMILY, Override
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store, users
from sop.store import overrides as override_log

MONTHS = pd.date_range(AS_OF + pd.offsets.MonthBegin(1), periods=18, freq="MS")
# every write control of the pages (common.md's action -> control table), by label
WRITES = {
    "Save override",
    "Withdraw",
    "Save consensus",
    "Run forecast",
    "Refit the forecast",
    "Use these settings on every page",
    "Save finance settings",
    "Load budget",
    "Save scenario",
    "Archive",
    "Restore",
    "Add to the log",
    "Close it",
    "Reverse",
    "Validate and load",
    "Make this version active",
    "Refresh now",
    "Save query",
    "Remove query",
    "Save roles",
    "Add person",
    "Remove person",
}


@pytest.fixture
def team(store: Store) -> Store:
    """A dataset with a forecast, a live override and a saved scenario."""
    loaded_store(store)
    store_fake_run(
        store, settings=dataclasses.replace(SETTINGS, horizon=18), values=fake_values(months=MONTHS)
    )
    consensus.submit_override(
        store,
        Override(LEVEL_FAMILY, MONTHS[0], MONTHS[1], KIND_PCT, 10.0, "promo", family="Alpha"),
    )
    saved_scenarios.save(store, "Push", Levers(demand_pct=10.0))
    return store


def _writes(at: AppTest) -> set[str]:
    labels = {b.label for b in at.button}
    return {w for w in labels if w in WRITES or w.startswith("Approve for the")}


def _refused(at: AppTest) -> str:
    return "\n".join(i.value for i in at.info)


# (page, what to do before looking, the actions refused there)
PAGES = [
    ("pages/demand.py", {"dem_family": "Alpha"}, [access.OVERRIDE, access.FORECAST]),
    ("pages/supply.py", {}, [access.PLAN_SETTINGS]),
    ("pages/scenarios.py", {"scn_tab": "Save"}, [access.SCENARIO]),
    ("pages/compare.py", {}, [access.SCENARIO]),
    ("pages/decisions.py", {}, [access.APPROVE, access.ACTION_ITEM]),
    ("pages/data.py", {}, [access.LOAD]),
    ("pages/finance.py", {}, [access.FINANCE_SETTINGS, access.BUDGET]),
    ("pages/admin.py", {}, [access.USERS]),
]


@pytest.mark.parametrize("page, state, refused", PAGES, ids=[p[0][6:-3] for p in PAGES])
def test_a_viewer_sees_why_and_no_write_control(
    team: Store, open_as, page: str, state: dict, refused: list[str]
) -> None:
    at = open_as(set(), page)
    if state:
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        assert not at.exception, at.exception
    assert not _writes(at), _writes(at)
    notes = _refused(at)
    for action in refused:
        assert f"may not {access.ACTIONS[action]}" in notes, (action, notes)
    assert "Pat Doe" in notes and "viewer" in notes and "Admin page" in notes


def test_the_viewers_page_still_reads(team: Store, open_as) -> None:
    at = open_as(set(), "pages/demand.py")
    assert any(m.label.startswith("Consensus, next") for m in at.metric)
    assert any(schema.STATUS in d.value.columns for d in at.dataframe)  # the history


def test_a_demand_planners_override_carries_their_signature(team: Store, open_as) -> None:
    at = open_as({access.DEMAND_PLANNER}, "pages/demand.py", "dee@example.com", "Dee Planner")
    at.selectbox(key="dem_family").set_value("Beta").run()
    assert any("Recorded as Dee Planner" in c.value for c in at.caption)
    assert [t.label for t in at.text_input] == ["Reason", "Why (optional)"]  # no name field
    at.selectbox(key="dem_ov_start").set_value(MONTHS[0])
    at.selectbox(key="dem_ov_end").set_value(MONTHS[1])
    at.number_input(key="dem_ov_value").set_value(20.0)
    at.text_input(key="dem_ov_reason").input("tender won")
    at.button(key="dem_ov_save").click().run()
    assert not at.exception, at.exception
    hist = next(d.value for d in at.dataframe if schema.STATUS in d.value.columns)
    mine = hist[hist[schema.REASON] == "tender won"]
    assert mine[schema.AUTHOR].tolist() == ["Dee Planner <dee@example.com>"]
    stored = override_log.history(team)
    assert stored[stored[schema.REASON] == "tender won"][schema.AUTHOR].tolist() == [
        "Dee Planner <dee@example.com>"
    ]
    # a demand planner approves nothing
    at.switch_page("pages/decisions.py").run()
    assert "may not approve" in _refused(at) and not _writes(at)


# --- Admin --------------------------------------------------------------------------------
def test_an_admin_changes_adds_and_removes_people(store: Store, open_as) -> None:
    users.set_roles(store, "bob@example.com", [], "Bob")
    at = open_as({access.ADMIN}, "pages/admin.py", "ada@example.com", "Ada Admin")
    people = next(d.value for d in at.dataframe if "email" in d.value.columns)
    assert set(people["email"]) == {"ada@example.com", "bob@example.com"}
    at.selectbox(key="adm_person").set_value("bob@example.com").run()
    at.multiselect(key="adm_roles_bob@example.com").set_value([access.FINANCE])
    at.button(key="adm_roles_save").click().run()
    assert not at.exception, at.exception
    assert users.roles_of(store, "bob@example.com") == {access.FINANCE}
    log = users.changes(store)
    assert log.loc[0, "email"] == "bob@example.com" and log.loc[0, "roles_after"] == "finance"
    assert log.loc[0, "changed_by"] == "Ada Admin <ada@example.com>"
    shown = next(d.value for d in at.dataframe if "roles after" in d.value.columns)
    assert shown.iloc[0]["roles after"] == "finance"
    # add a person by e-mail, then remove them
    at.text_input(key="adm_add_email").input("Carl@Example.com")
    at.multiselect(key="adm_add_roles").set_value([access.SUPPLY_PLANNER, access.SOP_OWNER])
    at.button(key="adm_add_go").click().run()
    assert users.roles_of(store, "carl@example.com") == {access.SUPPLY_PLANNER, access.SOP_OWNER}
    assert at.text_input(key="adm_add_email").value == ""  # the form is empty again
    at.selectbox(key="adm_person").set_value("carl@example.com").run()
    at.button(key="adm_remove").click().run()
    assert "carl@example.com" not in set(users.people(store)["email"])
    # the last admin cannot drop their own role: said, nothing changed
    at.selectbox(key="adm_person").set_value("ada@example.com").run()
    at.multiselect(key="adm_roles_ada@example.com").set_value([access.VIEWER])
    at.button(key="adm_roles_save").click().run()
    assert any("last admin" in e.value for e in at.error)
    assert users.roles_of(store, "ada@example.com") == {access.ADMIN}


def test_a_non_admin_sees_no_people_and_cannot_change_a_role(store: Store, open_as) -> None:
    users.set_roles(store, "bob@example.com", [], "Bob")
    at = open_as({access.FINANCE, access.SOP_OWNER}, "pages/admin.py")
    assert "may not give people their roles" in _refused(at)
    assert not _writes(at) and not at.multiselect
    assert not any("email" in d.value.columns for d in at.dataframe)
    assert users.roles_of(store, "bob@example.com") == frozenset()


def test_single_user_mode_says_roles_wait_for_sign_in_and_is_editable(
    store: Store, open_app
) -> None:
    at = open_app("pages/admin.py")
    said = _refused(at)
    assert "Single-user mode" in said and "docs/security.md" in said
    at.text_input(key="adm_add_email").input("eve@example.com")
    at.multiselect(key="adm_add_roles").set_value([access.EXECUTIVE])
    at.button(key="adm_add_go").click().run()
    assert not at.exception, at.exception
    assert users.roles_of(store, "eve@example.com") == {access.EXECUTIVE}
