"""Browser fixtures: the real app on a free port, driven in Debian's Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from screens import WATCH
from tiny import ROOT, free_port

from sop.data.validate import validate_dir
from sop.executive import decisions
from sop.executive import service as executive
from sop.store import Store
from sop.store import decisions as decision_log

CHROMIUM = "/usr/bin/chromium"
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


@pytest.fixture(scope="session")
def demo_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the committed demo dataset, shared by the browser tests."""

    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    report = validate_dir(ROOT / "data" / "demo")
    assert report.ok, [f.message for f in report.errors]
    Store(path).load(report.tables, name="demo", source="data/demo")
    return path


@pytest.fixture(scope="session")
def demo_forecast(demo_store_path: Path) -> Path:
    """The demo store with its statistical forecast, fitted once per session through
    the real command line (`python -m sop forecast`, default settings)."""

    done = subprocess.run(
        [sys.executable, "-m", "sop", "--store", str(demo_store_path), "forecast"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return demo_store_path


@pytest.fixture(scope="session")
def plan_of_record(demo_forecast: Path) -> Path:
    """The demo with a plan of record this cycle (the baseline unless a test approved
    one), so that the Hand-off page draws its weeks and Executive its changes."""
    store = Store(demo_forecast)
    ctx = executive.context(store)
    cycle = decisions.default_cycle(ctx.as_of)
    if decisions.plan_of_record(decision_log.log(store), cycle) is None:
        executive.approve_saved(store, ctx, 0, "readable screens", cycle)
    return demo_forecast


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests save their screenshots: $SOP_SCREENSHOTS when set (`make screenshots`
    sets docs, to refresh the README's pictures on purpose), else a temporary folder, so
    that running the tests leaves the checkout as it was."""

    folder = os.environ.get("SOP_SCREENSHOTS")
    if not folder:
        return tmp_path_factory.mktemp("screenshots")
    path = ROOT / folder  # a relative folder is taken from the project root
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def serve_app(store_path: Path, port: int | None = None, args: Sequence[str] = ()) -> Iterator[str]:
    """`streamlit run app.py` against the store at `store_path` (`SOP_STORE`), on `port`
    (default: a free one) with more command-line `args` (say `--secrets.files`); yields
    its base URL and stops the server afterwards."""

    port = port or free_port()
    env = {**os.environ, "SOP_STORE": str(store_path)}
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
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            out = proc.stdout.read().decode() if proc.stdout else ""
            proc.kill()
            raise RuntimeError(f"the app did not start:\n{out[-3000:]}")
        time.sleep(0.3)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_server():
    """`serve_app`, for a test that runs the app on a store of its own."""
    return serve_app


@pytest.fixture(scope="session")
def live_app(demo_store_path: Path):
    """Start `streamlit run app.py` against the demo store; yield its base URL."""
    with serve_app(demo_store_path) as url:
        yield url


@pytest.fixture(scope="session")
def _browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_context(browser, **options):
    """A browser context whose pages note their reruns from the start (`screens.WATCH`,
    what `screens.settle` reads)."""
    context = browser.new_context(**options)
    context.add_init_script(f"({WATCH})()")
    return context


@pytest.fixture
def browser_page(_browser):
    """A fresh 1600x1000 Playwright page in Debian's Chromium."""
    context = new_context(_browser, viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
