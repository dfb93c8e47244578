"""The Executive S&OP pages in Debian's Chromium: approve a saved scenario as the plan
of record, see it in the decision log and on the Executive page, switch presentation
mode, and save the screenshot in docs/.

Setup stores a quick forecast of the demo (seasonal naive, no backtest: ~2 s) in the
shared demo store unless another test stored one already, and saves one scenario.
The approval stays in the store's decision log (it is append-only).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from sop.levers import Levers
from sop.store import Store
from sop.store import decisions as DS
from sop.store import scenarios as SC

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parent.parent / "docs"
NAME = "Exec browser: summer overtime"
SIDEBAR_SHOWN = "() => !!document.querySelector('section[data-testid=\"stSidebar\"]')" \
                " && getComputedStyle(document.querySelector(" \
                "'section[data-testid=\"stSidebar\"]')).display !== 'none'"


@pytest.fixture(scope="module")
def scenario_id(demo_forecast: Path) -> int:
    store = Store(demo_forecast)
    return SC.save(store, NAME, Levers(capacity_changes=(("RS-ASM1", "2027-05", "2027-08",
                                                          20.0),)), "Browser Bot",
                   "overtime on the cooling line in the peak")


def _open(page, url: str, link: str, heading: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Data gathering").wait_for(timeout=60_000)
    page.get_by_role("link", name=link, exact=True).click()
    page.get_by_role("heading", name=heading).wait_for(timeout=60_000)


def test_approve_a_scenario_and_see_it_in_the_log(scenario_id, demo_store_path, live_app,
                                                  browser_page) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    _open(page, live_app, "Decisions", "Decisions")
    page.get_by_role("heading", name="Approve the plan of record").wait_for(timeout=60_000)
    page.get_by_role("combobox", name="Plan").click()
    page.get_by_role("option", name=f"#{scenario_id} {NAME}").click()
    page.get_by_role("textbox", name="Approver").fill("Erin Executive")
    page.get_by_role("textbox", name="Note").fill("Peak cover for cooling; review in May")
    page.get_by_role("button", name="Approve for the").click()
    page.get_by_text("Approved as plan of record").wait_for(timeout=60_000)
    log = DS.log(Store(demo_store_path))
    mine = log[(log["kind"] == "approve") & (log["scenario_id"] == scenario_id)]
    assert list(mine["author"]) == ["Erin Executive"]
    entry = int(mine["entry_id"].iloc[-1])
    page.get_by_role("heading", name="Decision log").wait_for()
    page.get_by_text("plan of record:").first.wait_for()
    assert NAME in page.get_by_text("plan of record:").first.inner_text()
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.wait_for(state="visible")
    # the grid draws on a canvas; its accessible table (text content) holds the cells
    page.wait_for_function("(t) => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
                           ".some(g => g.textContent.includes(t))",
                           arg=f"Approved #{scenario_id} {NAME}", timeout=30_000)
    assert "Erin Executive" in grid.text_content() and str(entry) in grid.text_content()

    page.get_by_role("link", name="Executive", exact=True).click()
    page.get_by_role("heading", name="Executive S&OP").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=60_000)
    caption = page.get_by_text("Plan of record:").first
    assert NAME in caption.inner_text() and "Erin Executive" in caption.inner_text()
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert [t.strip() for t in labels[:5]] == [
        "Revenue", "Gross margin", "Fill rate", "Inventory value (end)",
        "Capacity utilisation (lines, avg)"]
    assert page.evaluate(SIDEBAR_SHOWN)
    # the summary fits one 1080p screen: the scenarios table ends above the fold
    board = page.get_by_text("Scenarios on the table").first.bounding_box()
    assert board is not None and board["y"] < 1080 - 150
    page.wait_for_timeout(1200)
    page.screenshot(path=str(DOCS / "screenshot-executive.png"))
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="HTML report").click()
    report = Path(dl.value.path()).read_text(encoding="utf-8")
    assert NAME in report and "Plotly.newPlot(" in report and "<script src" not in report
    page.get_by_text("Presentation mode").click()
    page.wait_for_function(f"() => !({SIDEBAR_SHOWN})()", timeout=30_000)
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector("
                         "'[data-testid=\"stMetricValue\"] *')).fontSize)")
    assert size >= 40
