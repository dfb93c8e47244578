"""The Demand page in Debian's Chromium: add an override through the editor and see the
consensus line of the chart move.

Setup stores the demo's statistical forecast in the shared demo store through the
real command line (`python -m sop forecast`, default settings: 224 series, about
10-15 s on 2 cores; reused if another test stored it already). The override made
here is withdrawn at the end, so later tests see the statistical consensus again
(it stays in the audit history).
"""

from __future__ import annotations

import pytest
from screens import settle

from sop.core.access import Actor
from sop.demand import consensus
from sop.store import Store
from sop.store import overrides as override_log

pytestmark = pytest.mark.browser
CONSENSUS_Y = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const t = gd._fullData.find(d => d.name === 'Consensus demand');
    const s = gd._fullData.find(d => d.name === 'Statistical forecast (P50)');
    return {consensus: Array.from(t.y), statistical: Array.from(s.y),
            notes: (gd.layout.annotations || []).map(a => a.text)};
}"""


def test_override_in_the_editor_moves_the_consensus_line(
    demo_forecast, live_app, browser_page, screenshots
) -> None:
    page = browser_page
    page.goto(live_app)
    # wait for the router's navigation: until app.py has run once, a fresh server lists
    # pages/ as plain pages, and those links would run the page without the router
    page.get_by_role("heading", name="Data gathering").wait_for(timeout=60_000)
    page.get_by_role("link", name="Demand", exact=True).click()
    page.get_by_role("heading", name="Demand planning").wait_for(timeout=60_000)
    page.get_by_role("combobox", name="Family").click()
    page.get_by_role("option", name="Garden").click()
    page.get_by_text("Override the forecast of Garden").wait_for(timeout=30_000)
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(800)
    before = page.evaluate(CONSENSUS_Y)
    assert before["consensus"][0] == pytest.approx(before["statistical"][0])
    target = round(before["statistical"][0] * 2 + 1000)
    page.get_by_text("New quantity (units/month)").click()
    # each value is committed (Tab) and its run ended before the next: on a loaded
    # machine a click that overtakes the quantity's run saved the old value (CI)
    page.get_by_role("spinbutton", name="Value").fill(str(target))
    page.keyboard.press("Tab")
    settle(page)
    page.get_by_role("textbox", name="Reason").fill("garden centre chain listing")
    page.keyboard.press("Tab")
    settle(page)
    page.get_by_role("button", name="Save override").click()
    page.get_by_text("saved; the consensus is updated").wait_for(timeout=30_000)
    settle(page)
    after = page.evaluate(CONSENSUS_Y)
    assert after["consensus"][0] == pytest.approx(target, rel=1e-6)
    assert after["consensus"][1:] == pytest.approx(before["consensus"][1:])
    assert any(n.startswith("#") and "Garden" in n for n in after["notes"])
    assert page.get_by_text("Northwind Home Appliances").first.is_visible()  # the router ran
    page.screenshot(path=str(screenshots / "screenshot-demand.png"))
    store = Store(demo_forecast)
    mine = override_log.active(store)
    assert (mine["reason"] == "garden centre chain listing").sum() == 1  # audited
    mine = mine[mine["reason"] == "garden centre chain listing"]
    assert list(mine["author"]) == [Actor.local_user().signature]  # the app's one user
    for oid in mine["override_id"]:
        consensus.withdraw_override(store, int(oid), "test clean-up")
