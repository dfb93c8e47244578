"""The real app in Debian's Chromium, clicked and read like a person would."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_data_page_renders_title_and_chart_and_saves_screenshot(
    live_app, browser_page, screenshots
):
    page = browser_page
    page.goto(live_app)
    page.get_by_role("heading", name="Data gathering").wait_for(timeout=60_000)
    page.get_by_text("Northwind Home Appliances").first.wait_for()
    page.get_by_role("tab", name="History").click()
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(state="visible", timeout=30_000)
    assert "Cooling" in chart.inner_text()
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "screenshot-data.png"))
    page.get_by_role("tab", name="Quality checks").click()
    summary = page.get_by_text("checks pass").first
    summary.wait_for()
    assert "1 with warnings" in summary.inner_text()


def test_supply_page_shows_the_plan_and_the_bottleneck(demo_forecast, live_app, browser_page):
    page = browser_page
    page.goto(live_app)
    page.get_by_role("heading", name="Data gathering").wait_for(timeout=60_000)
    page.get_by_role("link", name="Supply", exact=True).click()
    page.get_by_role("heading", name="Supply planning").wait_for(timeout=60_000)
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(state="visible", timeout=60_000)
    assert "RS-ASM1" in chart.inner_text()  # the peak-season bottleneck line
    page.get_by_text("Gross margin", exact=True).first.wait_for()
    page.get_by_role("tab", name="Bottlenecks & gaps").click()
    panel = page.locator("[role=tabpanel]:visible")
    panel.get_by_text("Every limit that binds").first.wait_for()
    # the bottleneck table: an HTML table, its lever sentences whole
    panel.locator('[data-testid="stTable"] td', has_text="RS-ASM1").first.wait_for()
    assert panel.locator('[data-testid="stTable"] td', has_text="overtime hours").count() >= 1
