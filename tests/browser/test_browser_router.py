"""A page opened by its own URL on a fresh server still goes through the router, and
every page answers at its own address (/data too: the root only forwards there)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from tiny import ROOT, free_port

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
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env={**os.environ, "SOP_STORE": str(demo_store_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the fresh app server did not start within 60 s")
        time.sleep(0.3)
    try:
        yield url
    finally:
        # as the shared server's fixture: a server slow to stop on a loaded machine is
        # killed, never left running (a CI run left one and failed the teardown)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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
