"""First visit of every page, and slider to updated KPI tile, in the browser on the demo
data. Prints figures.

First visits: on the freshly started server (cold caches), each page is opened at its own
address in a new browser tab, in the sidebar's order, and timed until its title is drawn
and the app has stopped running (Streamlit's status widget gone for 300 ms).

Starts `streamlit run app.py` (as tests/conftest.py's `live_app` does) against a temp
store with the demo loaded and forecast (`python -m sop forecast`, default settings),
opens the Scenarios page in Debian's Chromium and, for each move, presses ArrowRight
on the "Demand, all families" slider and times until the Revenue tile on screen shows
a new value. Every move is a lever value not evaluated before (a fresh LP solve);
moving back to an earlier value (served from the cache) is timed separately.

Run: .venv/bin/python bench/bench_scenario_browser.py [--moves 10] [--store PATH]
(--store reuses a store that already holds the demo and a forecast).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop.data.validate import validate_dir
from sop.store import Store

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
SLIDER = "Demand, all families (%)"
REVENUE = """() => {
    const tile = [...document.querySelectorAll('[data-testid="stMetric"]')]
        .find(m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim()
                   === 'Revenue');
    return tile ? tile.querySelector('[data-testid="stMetricValue"]').innerText : null;
}"""


def build_store(folder: Path) -> Path:
    path = folder / "demo.duckdb"
    t0 = time.perf_counter()
    report = validate_dir(ROOT / "data" / "demo")
    Store(path).load(report.tables, name="demo", source="data/demo")
    subprocess.run(
        [sys.executable, "-m", "sop", "--store", str(path), "forecast"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=900,
    )
    print(f"store with the demo and its forecast built in {time.perf_counter() - t0:.1f} s")
    return path


def start_app(store: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
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
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, "SOP_STORE": str(store)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the app did not start")


PAGES = ("data", "demand", "supply", "scenarios", "compare", "executive", "decisions",
         "handoff", "finance")  # fmt: skip
IDLE = """() => !document.querySelector('[data-testid="stStatusWidget"]')"""


def first_visit(browser, url: str, name: str, drawn: str | None = None) -> float:
    """Seconds from opening page `name`'s address in a new tab to its title (and the
    `drawn` JavaScript condition, if any) drawn and the app idle for 300 ms."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    t0 = time.perf_counter()
    page.goto(f"{url}/{name}")
    page.locator("h1").first.wait_for(timeout=120_000)
    if drawn:
        page.wait_for_function(drawn, timeout=120_000, polling=50)
    while True:
        page.wait_for_function(IDLE, timeout=120_000, polling=50)
        page.wait_for_timeout(300)
        if page.evaluate(IDLE):
            break
    sec = time.perf_counter() - t0 - 0.3
    page.close()
    return sec


def first_visits(browser, url: str) -> None:
    """Seconds from opening each page's address to the page drawn and idle."""
    times = {name: first_visit(browser, url, name) for name in PAGES}
    for name, sec in times.items():
        print(f"first visit /{name}: {sec:.1f} s")
    print(f"first visit, slowest page: {max(times.values()):.1f} s (/{max(times, key=times.get)})")


def move(page, key: str) -> float:
    """Press `key` on the focused slider; seconds until the Revenue tile changes."""
    before = page.evaluate(REVENUE)
    t0 = time.perf_counter()
    page.keyboard.press(key)
    page.wait_for_function(f"(b) => ({REVENUE})() !== b", arg=before, timeout=30_000, polling="raf")
    return time.perf_counter() - t0


def open_slider(browser, url: str):
    """A new tab on the Scenarios page (reached from the Data page's sidebar link) with
    the Revenue tile drawn and the "Demand, all families" slider focused."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(url)
    page.get_by_role("heading", name="Data gathering").wait_for(timeout=90_000)
    page.get_by_role("link", name="Scenarios", exact=True).click()
    page.wait_for_function(f"() => ({REVENUE})() !== null", timeout=90_000)
    page.wait_for_timeout(1000)
    page.get_by_role("slider", name=SLIDER).focus()
    return page


def measure(url: str, moves: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        first_visits(browser, url)
        page = open_slider(browser, url)
        warm = move(page, "ArrowRight")  # first solve in this process
        page.wait_for_timeout(400)
        fresh = []
        for _ in range(moves):
            fresh.append(move(page, "ArrowRight"))
            page.wait_for_timeout(400)
        cached = []
        for _ in range(min(moves, 5)):
            cached.append(move(page, "ArrowLeft"))
            page.wait_for_timeout(400)
        browser.close()
    print(f"first move after page load: {1000 * warm:.0f} ms")
    for label, xs in (
        ("new lever value (LP re-solved)", fresh),
        ("earlier lever value (cached)", cached),
    ):
        xs = sorted(xs)
        p90 = xs[min(len(xs) - 1, round(0.9 * (len(xs) - 1)))]
        print(
            f"slider -> updated Revenue tile, {label}: median {1000 * statistics.median(xs):.0f}"
            f" ms, p90 {1000 * p90:.0f} ms, max {1000 * xs[-1]:.0f} ms (n={len(xs)})"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=10)
    ap.add_argument("--store", type=Path, help="a store holding the demo and a forecast")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or build_store(Path(tmp))
        proc, url = start_app(store)
        try:
            measure(url, args.moves)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
