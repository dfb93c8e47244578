"""Twenty sessions of the running app writing at once lose nothing and refuse nothing.

One Chromium, 20 browser contexts (20 Streamlit sessions of one server), each on the
Admin page, the lightest page with a write (single-user mode: the local user holds
every role). In each of 4 rounds every session types a new person's e-mail into "Add a
person" and all 20 press "Add person" together; each then waits until its form comes
back empty (the write landed) or an error shows. Afterwards the store holds the 80
people, each session's 4 by their address, 80 role changes in the log, and no page
showed an error (every round is 20 writes at once; 4 rounds, not 10, keep the suite
under its time: 10 rounds took 185 s in CI and found nothing more). The app serves a
store of its own (the demo), so the shared demo store stays as it was.
(tests/unit/test_store_concurrency.py does the same with 20 processes; the Decisions
page's "Add to the log" was measured the same way, 200 of 200 present, at about twice
the run time.)
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tiny import ROOT

from sop.data.validate import validate_dir
from sop.store import Store, users

pytestmark = pytest.mark.browser
SESSIONS, WRITES = 20, 4
WAIT_MS = 300_000
TEXT = ".st-key-adm_add_email input"
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
                page.goto(f"{url}/admin")  # all sessions start before any waits
            for page in pages:
                page.locator(TEXT).wait_for(timeout=WAIT_MS)
            rounds = []
            for k in range(WRITES):
                for i, page in enumerate(pages):
                    page.locator(TEXT).fill(f"s{i}.w{k}@example.com")
                start = time.monotonic()
                for page in pages:  # together
                    page.get_by_role("button", name="Add person").click()
                for page in pages:
                    page.wait_for_function(LANDED_OR_REFUSED, timeout=WAIT_MS)
                rounds.append(time.monotonic() - start)
                shown = [p.locator(ERRORS).all_inner_texts() for p in pages]
                assert shown == [[]] * SESSIONS, f"round {k}: {shown}"
        finally:
            for c in contexts:
                c.close()
    people = users.people(Store(own_store))
    wanted = {f"s{i}.w{k}@example.com" for i in range(SESSIONS) for k in range(WRITES)}
    assert len(people) == SESSIONS * WRITES  # every write present
    assert set(people["email"]) == wanted  # none lost, none twice
    assert len(users.changes(Store(own_store))) == SESSIONS * WRITES
    print(f"{SESSIONS} sessions x {WRITES} writes: rounds took {[round(r, 1) for r in rounds]} s")
