"""The Executive S&OP pages in Debian's Chromium: approve a saved scenario as the plan
of record, see it in the decision log and on the Executive page, switch presentation
mode, and save a screenshot (see the `screenshots` fixture).

Setup stores a quick forecast of the demo (seasonal naive, no backtest: ~2 s) in the
shared demo store unless another test stored one already, and saves one scenario.
The approval stays in the store's decision log (it is append-only).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sop.core.access import Actor
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store
from sop.store import decisions as decision_log

pytestmark = pytest.mark.browser
NAME = "Exec browser: summer overtime"
SIDEBAR_SHOWN = (
    "() => !!document.querySelector('section[data-testid=\"stSidebar\"]')"
    " && getComputedStyle(document.querySelector("
    "'section[data-testid=\"stSidebar\"]')).display !== 'none'"
)


@pytest.fixture(scope="module")
def scenario_id(demo_forecast: Path) -> int:
    store = Store(demo_forecast)
    return saved_scenarios.save(
        store,
        NAME,
        Levers(capacity_changes=(("RS-ASM1", "2027-05", "2027-08", 20.0),)),
        "overtime on the cooling line in the peak",
    )


def _open(page, url: str, link: str, heading: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Data gathering").wait_for(timeout=60_000)
    page.get_by_role("link", name=link, exact=True).click()
    page.get_by_role("heading", name=heading).wait_for(timeout=60_000)


def test_approve_a_scenario_and_see_it_in_the_log(
    scenario_id, demo_store_path, live_app, browser_page, screenshots
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    _open(page, live_app, "Decisions", "Decisions")
    page.get_by_role("heading", name="Approve the plan of record").wait_for(timeout=60_000)
    page.get_by_role("combobox", name="Plan").click()
    page.get_by_role("option", name=f"#{scenario_id} {NAME}").click()
    page.get_by_role("textbox", name="Note").fill("Peak cover for cooling; review in May")
    page.get_by_role("button", name="Approve for the").click()
    page.get_by_text("Approved as plan of record").wait_for(timeout=60_000)
    log = decision_log.log(Store(demo_store_path))
    mine = log[(log["kind"] == "approve") & (log["scenario_id"] == scenario_id)]
    assert list(mine["author"]) == [Actor.local_user().signature]  # single-user mode
    entry = int(mine["entry_id"].iloc[-1])
    page.get_by_role("heading", name="Decision log").wait_for()
    page.get_by_text("plan of record:").first.wait_for()
    assert NAME in page.get_by_text("plan of record:").first.inner_text()
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.wait_for(state="visible")
    # the grid draws on a canvas; its accessible table (text content) holds the cells
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
        ".some(g => g.textContent.includes(t))",
        arg=f"Approved #{scenario_id} {NAME}",
        timeout=30_000,
    )
    who = Actor.local_user().signature
    assert who in grid.text_content() and str(entry) in grid.text_content()

    page.get_by_role("link", name="Executive", exact=True).click()
    page.get_by_role("heading", name="Executive S&OP").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=60_000)
    caption = page.get_by_text("Plan of record:").first
    assert NAME in caption.inner_text() and who in caption.inner_text()
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert [t.strip() for t in labels[:7]] == [
        "Revenue",
        "Gross margin",
        "Inventory value (end)",
        "Line utilisation",
        "Binding (limit-months)",
        "Fill rate",
        "On-time fill rate",
    ]
    assert page.evaluate(SIDEBAR_SHOWN)
    # the summary fits one 1080p screen, KPIs to the end of the scenarios table
    # the risks are an HTML table (its text wraps); the first grid is the scenarios board
    page.locator(".exe-risks").wait_for(timeout=30_000)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stDataFrame\"]').length >= 1",
        timeout=30_000,
    )
    page.wait_for_timeout(1500)
    tiles = page.locator('[data-testid="stMetric"]').first.bounding_box()
    board = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    assert "Plan" in page.locator('[data-testid="stDataFrame"]').first.text_content()
    # every risk's "why" reads in full: no cell cuts its text
    assert page.evaluate(
        "() => [...document.querySelectorAll('.exe-risks td')]"
        ".every(td => td.scrollWidth <= td.clientWidth + 1)"
    )
    assert tiles is not None and tiles["y"] >= 0
    # the board holds the baseline, the 4 newest saved scenarios and the plan of record
    # when older: room for the rows this store lacks (a row is ~35 px) must be left
    shown = 1 + min(4, len(saved_scenarios.list_scenarios(Store(demo_store_path))))
    page.wait_for_timeout(1200)
    # the picture is saved before the fit is checked, so a page that does not fit leaves one
    page.screenshot(path=str(screenshots / "screenshot-executive.png"))
    assert board is not None and board["y"] + board["height"] + 35 * (6 - shown) <= 1080
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="HTML report").click()
    report = Path(dl.value.path()).read_text(encoding="utf-8")
    assert NAME in report and "Plotly.newPlot(" in report and "<script src" not in report
    page.get_by_text("Presentation mode").click()
    page.wait_for_function(f"() => !({SIDEBAR_SHOWN})()", timeout=30_000)
    size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector("
        "'[data-testid=\"stMetricValue\"] *')).fontSize)"
    )
    assert size >= 40
    # the charts' own text grows too (a page's CSS cannot reach inside a chart)
    page.wait_for_function(TICK_SIZE + " >= 16", timeout=30_000)


TICK_SIZE = (
    "parseFloat(getComputedStyle(document.querySelector('.js-plotly-plot .xtick text')).fontSize)"
)
CUT = """() => [...document.querySelectorAll(
    '[data-testid="stMetricLabel"] .stMarkdownEllipsis, '
    + '[data-testid="stMetricDelta"] .stMarkdownEllipsis')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""


def test_executive_tiles_are_not_cut_at_1600(
    scenario_id, demo_store_path, live_app, browser_page
) -> None:
    """Tile labels and their changes against the previous plan of record read in full
    on a 1600 px wide screen (definitions live in the help)."""
    from sop.executive import decisions
    from sop.executive import service as executive

    store = Store(demo_store_path)
    ctx = executive.context(store)
    cycle = decisions.default_cycle(ctx.as_of)
    if decisions.plan_of_record(decision_log.log(store), cycle) is None:  # this test run alone
        executive.approve_saved(store, ctx, scenario_id, "this cycle", cycle)
    executive.approve_saved(store, ctx, 0, "previous cycle", cycle - pd.offsets.MonthBegin(1))
    page = browser_page
    _open(page, live_app, "Executive", "Executive S&OP")
    page.locator('[data-testid="stMetricDelta"]').first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    assert page.evaluate(CUT) == []
    assert (
        page.locator('[data-testid="stMetricLabel"]').nth(3).inner_text().strip()
        == "Line utilisation"
    )
