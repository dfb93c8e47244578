"""The Executive board in presentation mode is an `st.table`, whose cells are Markdown:
a scenario named like a link or emphasis shows as typed (it was drawn raw)."""

from __future__ import annotations

from exec_helpers import load

from sop.core import fmt
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

NAME = "[x](http://evil.example) **push**"


def test_the_presentation_board_escapes_plan_names(store: Store, open_app) -> None:
    load(store)
    saved_scenarios.save(store, NAME, Levers(demand_family_pct=(("Beta", 20.0),)))
    at = open_app("pages/executive.py")
    at.toggle(key="exe_present").set_value(True).run()
    assert not at.exception, at.exception
    (board,) = [t for t in at.table if "Revenue" in list(t.value.columns)]
    plans = [str(p) for p in board.value.index]
    assert any(fmt.md(NAME) in p for p in plans), plans
    assert not any(NAME in p for p in plans)  # never the raw, live text
