"""The Scenarios page in Debian's Chromium: move the demand slider and read the changed
Revenue tile; open a shared link and get the same scenario.

Setup stores a quick forecast of the demo (seasonal naive, no backtest: ~2 s) in the
shared demo store unless another test stored one already.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
SLIDER = "Demand, all families (%)"
TILE_VALUE = """(label) => {
    const tile = [...document.querySelectorAll('[data-testid="stMetric"]')]
        .find(m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === label);
    return tile ? [tile.querySelector('[data-testid="stMetricValue"]').innerText,
                   (tile.querySelector('[data-testid="stMetricDelta"]') || {}).innerText || '']
                : null;
}"""


def _money(text: str) -> float:
    m = re.fullmatch(r"(-?)€([\d,.]+)([kM]?)", text.strip())
    assert m, text
    return float(m.group(2).replace(",", "")) * {"": 1, "k": 1e3, "M": 1e6}[m.group(3)]


def _open_scenarios(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Data gathering").wait_for(timeout=60_000)
    page.get_by_role("link", name="Scenarios", exact=True).click()
    page.get_by_role("heading", name="Scenarios").wait_for(timeout=60_000)
    page.wait_for_function(f"() => ({TILE_VALUE})('Revenue') !== null", timeout=60_000)


def test_moving_the_demand_slider_changes_the_revenue_tile(
    demo_forecast, live_app, browser_page, screenshots
) -> None:
    page = browser_page
    _open_scenarios(page, live_app)
    before, delta = page.evaluate(TILE_VALUE, "Revenue")
    assert delta.strip() == "no change"
    page.get_by_role("slider", name=SLIDER).focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({TILE_VALUE})('Revenue')[1].includes('+3.0 %')", timeout=30_000)
    after, delta = page.evaluate(TILE_VALUE, "Revenue")
    assert _money(after) > _money(before) and delta.startswith("+€")
    page.wait_for_function("() => location.search.includes('scn_demand_pct=3')", timeout=10_000)
    page.get_by_text("demand, all families +3 %").first.wait_for(timeout=10_000)
    page.screenshot(path=str(screenshots / "screenshot-scenarios.png"))


def test_a_shared_link_opens_the_same_scenario(demo_forecast, live_app, browser_page) -> None:
    page = browser_page
    _open_scenarios(page, live_app)  # the router has run: now use a deep link
    page.goto(f"{live_app}/scenarios?scn_demand_pct=-20&scn_overtime_allowed=0")
    page.wait_for_function(
        f"() => (({TILE_VALUE})('Revenue') || ['', ''])[1].startsWith('-€')", timeout=60_000
    )
    page.get_by_text("demand, all families -20 %; overtime off").first.wait_for(timeout=10_000)
    assert "scn_demand_pct=-20" in page.url and "scn_overtime_allowed=0" in page.url


CUT_LABELS = """() => [...document.querySelectorAll(
    '[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"]')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""


def test_zero_demand_link_shows_undefined_ratios_and_every_tile_label_fits(
    demo_forecast, live_app, browser_page
) -> None:
    page = browser_page  # 1600 px wide, as on a meeting-room screen
    _open_scenarios(page, live_app)
    page.goto(f"{live_app}/scenarios?scn_demand_pct=-100&scn_demand_family_pct=Toasters:20")
    for tile in ("Fill rate", "Days of supply"):  # every tile redrawn, not only the first
        page.wait_for_function(
            f"() => (({TILE_VALUE})('{tile}') || [''])[0] === '–'", timeout=60_000
        )
    assert page.evaluate(TILE_VALUE, "Below safety stock") is not None
    assert page.evaluate(CUT_LABELS) == []
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert len(alerts) == 1 and "no family 'Toasters'" in alerts[0], alerts
    page.wait_for_function("() => !location.search.includes('Toasters')", timeout=10_000)
    assert "scn_demand_pct=-100" in page.url
