"""Twenty sessions of the running app writing at once lose nothing and refuse nothing.

One Chromium, 20 browser contexts (20 Streamlit sessions of one server), each on the
Decisions page. In each of 10 rounds every session fills the "Open questions and
actions" form and all 20 press "Add to the log" together; each then waits until its
form comes back empty (the write landed) or an error shows. Afterwards the store holds
the 200 actions, each session's 10 by their text, and no page showed an error. The app
serves a store of its own (the demo), so the shared demo store's log stays as it was.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tiny import ROOT

from sop.data.validate import validate_dir
from sop.store import Store
from sop.store import decisions as decision_log

pytestmark = pytest.mark.browser
SESSIONS, WRITES = 20, 10
WAIT_MS = 300_000
TEXT = ".st-key-dec_item_text input"
OWNER = ".st-key-dec_item_owner input"
DUE = ".st-key-dec_item_due input"
ERRORS = '[data-testid="stAlertContentError"], [data-testid="stException"]'
LANDED_OR_REFUSED = f"""() => {{
    const text = document.querySelector('{TEXT}');
    return document.querySelector('{ERRORS}') !== null || (text !== null && text.value === '');
}}"""


@pytest.fixture
def own_store(tmp_path: Path) -> Path:
    path = tmp_path / "sessions.duckdb"
    report = validate_dir(ROOT / "data" / "demo")
    assert report.ok, [f.message for f in report.errors]
    Store(path).load(report.tables, name="demo", source="data/demo")
    return path


def test_twenty_sessions_writing_at_once_lose_nothing_and_refuse_nothing(
    own_store, app_server, _browser
) -> None:
    with app_server(own_store) as url:
        contexts = [
            _browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(SESSIONS)
        ]
        try:
            pages = [c.new_page() for c in contexts]
            for page in pages:
                page.goto(f"{url}/decisions")  # all sessions start before any waits
            for page in pages:
                page.locator(TEXT).wait_for(timeout=WAIT_MS)
            rounds = []
            for k in range(WRITES):
                for i, page in enumerate(pages):
                    page.locator(TEXT).fill(f"session {i} write {k}")
                    page.locator(OWNER).fill("ops")
                    page.locator(DUE).fill("2026-01-31")
                    page.locator(DUE).press("Escape")
                start = time.monotonic()
                for page in pages:  # together
                    page.get_by_role("button", name="Add to the log").click()
                for page in pages:
                    page.wait_for_function(LANDED_OR_REFUSED, timeout=WAIT_MS)
                rounds.append(time.monotonic() - start)
                shown = [p.locator(ERRORS).all_inner_texts() for p in pages]
                assert shown == [[]] * SESSIONS, f"round {k}: {shown}"
        finally:
            for c in contexts:
                c.close()
    log = decision_log.log(Store(own_store))
    actions = log[log["kind"] == "action"]
    wanted = {f"session {i} write {k}" for i in range(SESSIONS) for k in range(WRITES)}
    assert len(actions) == SESSIONS * WRITES  # 200 writes present
    assert set(actions["note"]) == wanted  # none lost, none twice
    print(f"{SESSIONS} sessions x {WRITES} writes: rounds took {[round(r, 1) for r in rounds]} s")
