"""A page opened by its own URL on a fresh server still goes through the router."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from tiny import ROOT, free_port

pytestmark = pytest.mark.browser


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
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_deep_link_on_a_fresh_server_shows_the_app_around_the_page(fresh_app, browser_page):
    page = browser_page
    page.goto(f"{fresh_app}/supply")
    page.get_by_role("heading", name="Supply planning").wait_for(timeout=60_000)
    page.get_by_text("Northwind Home Appliances").first.wait_for(timeout=30_000)
    nav = page.get_by_test_id("stSidebarNav")
    assert "Data" in nav.inner_text() and "Demand" in nav.inner_text()
