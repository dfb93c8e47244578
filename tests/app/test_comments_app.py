"""Comment threads through AppTest: a comment posted on the saved scenario on screen
shows on the Executive page's open comments (and leaves them once resolved); a
decision-log entry takes a thread; a signed-in viewer reads the threads but gets no
"Post comment" button, only the note saying which role may comment."""

from __future__ import annotations

import pandas as pd
import pytest
from exec_helpers import load
from streamlit.testing.v1 import AppTest

from sop.core import access
from sop.core.access import Actor
from sop.demand import overrides as demand_overrides
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store, comments
from sop.store import decisions as decision_log
from sop.store import overrides as store_overrides
from sop.ui import comments as comments_ui

NOTE = "Does **L2** [really](http://evil.example) need <b>overtime</b>?"


@pytest.fixture
def loaded(store: Store) -> Store:
    load(store)
    saved_scenarios.save(store, "Beta push", Levers(demand_family_pct=(("Beta", 20.0),)))
    saved_scenarios.save(store, "As is", Levers())
    return store


def _open_comments(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "last_body" in d.value.columns)


def _post(at: AppTest, kind: str, key: object, text: str) -> None:
    at.text_area(key=f"{comments_ui.prefix(kind, key)}_body").input(text)
    next(b for b in at.button if b.label == comments_ui.POST).click().run()
    assert not at.exception, at.exception


def test_a_comment_on_the_scenario_on_screen_shows_on_the_executive_page(
    loaded: Store, open_app
) -> None:
    at = open_app("pages/scenarios.py")
    at.session_state["scn_tab"] = "Comments"
    at.run()
    assert not at.exception, at.exception
    # the baseline levers are on screen: "As is" (#2) is the scenario being viewed
    assert not [s for s in at.selectbox if s.key == "scn_cmt_pick"]
    _post(at, comments.SCENARIO, 2, NOTE)
    assert "Comment posted." in [s.value for s in at.success]
    shown = " ".join(m.value for m in at.markdown)
    assert "\\[really\\]\\(http" in shown and "](http" not in shown  # escaped, no link
    stored = comments.thread(loaded, comments.SCENARIO, 2)
    assert stored["body"].tolist() == [NOTE]
    assert stored["author"].tolist() == [Actor.local_user().signature]
    assert at.text_area(key=f"{comments_ui.prefix(comments.SCENARIO, 2)}_body").value == ""

    at.switch_page("pages/executive.py").run()
    assert not at.exception, at.exception
    table = _open_comments(at)
    assert table["subject"].tolist() == ["Scenario: #2 As is"]
    assert table["last_body"].tolist() == [NOTE]
    assert table["last_author"].tolist() == [Actor.local_user().signature]
    assert table["age"].tolist() == ["just now"]

    # resolved (by its author), it leaves the open list
    comments.resolve(loaded, int(stored["comment_id"].iloc[0]))
    at.run()
    assert not [d for d in at.dataframe if "last_body" in d.value.columns]
    assert any("No open comments" in c.value for c in at.caption)


def test_a_decision_log_entry_takes_a_thread_and_resolve_closes_it(loaded: Store, open_app) -> None:
    eid = decision_log.add_item(
        loaded, "2026-01-01", "action", "Confirm L2 overtime", "Cleo", "2026-01-15"
    )
    at = open_app("pages/decisions.py")
    assert at.selectbox(key="dec_cmt_pick").value == eid
    _post(at, comments.DECISION, eid, "Cleo is on it")
    _post(at, comments.DECISION, eid, "done by Friday")  # replies to the open thread
    df = comments.thread(loaded, comments.DECISION, eid)
    assert df["thread_id"].nunique() == 1 and len(df) == 2
    next(b for b in at.button if b.label == comments_ui.RESOLVE).click().run()
    assert not at.exception, at.exception
    assert comments.open_threads(loaded).empty
    assert any("is resolved" in s.value for s in at.success)


def test_an_override_picked_from_the_history_takes_a_thread(loaded: Store, open_app) -> None:
    override = demand_overrides.Override(
        level=demand_overrides.LEVEL_FAMILY,
        start_month=pd.Timestamp("2026-01-01"),
        end_month=pd.Timestamp("2026-03-01"),
        kind=demand_overrides.KIND_PCT,
        value=10.0,
        reason="promo",
        family="Alpha",
    )
    oid = store_overrides.add(loaded, demand_overrides.as_row(override))
    at = open_app("pages/demand.py")
    pick = at.selectbox(key="dem_cmt_pick")
    assert pick.value == oid
    assert pick.options == [f"Override #{oid}: Alpha, Jan 2026–Mar 2026"]
    _post(at, comments.OVERRIDE, oid, "why 10 %?")
    assert comments.thread(loaded, comments.OVERRIDE, oid)["body"].tolist() == ["why 10 %?"]
    assert comments.open_threads(loaded)["subject_label"].tolist() == [pick.options[0]]


def test_a_viewer_reads_the_threads_but_sees_no_post_button(loaded: Store, open_as) -> None:
    comments.post(loaded, comments.SCENARIO, 2, "visible to everyone")
    at = open_as((), "pages/executive.py", email="vic@example.com", name="Vic Viewer")
    assert _open_comments(at)["last_body"].tolist() == ["visible to everyone"]
    at.switch_page("pages/scenarios.py").run()
    at.session_state["scn_tab"] = "Comments"
    at.run()
    assert not at.exception, at.exception
    assert any("visible to everyone" in m.value for m in at.markdown)
    assert comments_ui.POST not in [b.label for b in at.button]
    assert comments_ui.RESOLVE not in [b.label for b in at.button]
    assert not [t for t in at.text_area if t.key and t.key.startswith("cmt_")]
    viewer = Actor("vic@example.com", "Vic Viewer", frozenset())
    refusal = access.refusal(viewer, access.COMMENT)
    assert any("may not comment" in i.value and "Vic Viewer" in i.value for i in at.info), refusal
