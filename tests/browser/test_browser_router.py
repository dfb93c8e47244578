"""A page opened by its own URL on a fresh server still goes through the router, and
every page answers at its own address (/data too: the root only forwards there)."""

from __future__ import annotations

import pytest
from conftest import serve_app

pytestmark = pytest.mark.browser

PAGES = [  # address, heading, sidebar link
    ("data", "Data gathering", "Data"),
    ("demand", "Demand planning", "Demand"),
    ("supply", "Supply planning", "Supply"),
    ("scenarios", "Scenarios", "Scenarios"),
    ("compare", "Compare scenarios", "Compare"),
    ("executive", "Executive S&OP", "Executive"),
    ("decisions", "Decisions", "Decisions"),
    ("handoff", "Hand-off to execution (S&OE)", "Hand-off (S&OE)"),
    ("finance", "Finance", "Finance"),
]


@pytest.fixture
def fresh_app(demo_store_path):
    """A server of its own, started for the test (`conftest.serve_app`: it fails when
    the app does not start and kills a server slow to stop)."""
    with serve_app(demo_store_path) as url:
        yield url


def test_deep_link_on_a_fresh_server_shows_the_app_around_the_page(fresh_app, browser_page):
    page = browser_page
    page.goto(f"{fresh_app}/supply")
    page.get_by_role("heading", name="Supply planning").wait_for(timeout=60_000)
    page.get_by_text("Northwind Home Appliances").first.wait_for(timeout=30_000)
    nav = page.get_by_test_id("stSidebarNav")
    assert "Data" in nav.inner_text() and "Demand" in nav.inner_text()


@pytest.mark.parametrize(("address", "heading", "link"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_answers_at_its_own_address_on_a_fresh_server(
    fresh_app, browser_page, address, heading, link
):
    page = browser_page
    page.goto(f"{fresh_app}/{address}")
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    page.get_by_text("Northwind Home Appliances").first.wait_for(timeout=30_000)
    assert page.url.rstrip("/").endswith(f"/{address}")
    assert page.get_by_text("Page not found").count() == 0
    current = page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True)
    assert current.get_attribute("aria-current") == "page"


def test_the_root_forwards_to_the_data_page(fresh_app, browser_page):
    page = browser_page
    page.goto(fresh_app)
    page.get_by_role("heading", name="Data gathering").wait_for(timeout=60_000)
    page.wait_for_url("**/data", timeout=30_000)
    assert page.get_by_text("Page not found").count() == 0
