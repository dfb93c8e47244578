"""Store build time and cold start to the first Data page render. Prints figures.

Run: .venv/bin/python bench/bench_startup.py   (needs Debian's chromium)
"""

from __future__ import annotations

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

from sop.data.demo import write_demo
from sop.data.validate import validate_dir
from sop.store import Store

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def store_build(tmp: Path, repeats: int = 5) -> None:
    gen, val, load = [], [], []
    for i in range(repeats):
        t0 = time.perf_counter()
        write_demo(tmp / f"demo{i}")
        t1 = time.perf_counter()
        report = validate_dir(tmp / f"demo{i}")
        t2 = time.perf_counter()
        Store(tmp / f"s{i}.duckdb").load(report.tables, name="demo")
        t3 = time.perf_counter()
        gen.append(t1 - t0), val.append(t2 - t1), load.append(t3 - t2)
    rows = sum(len(df) for df in report.tables.values())
    print(f"demo dataset: {rows:,} rows in {len(report.tables)} tables")
    for label, xs in (("generate demo", gen), ("validate", val), ("load into DuckDB", load)):
        print(
            f"  {label:18s} median {1000 * statistics.median(xs):7.1f} ms "
            f"(min {1000 * min(xs):.1f}, max {1000 * max(xs):.1f}, n={repeats})"
        )
    total = [a + b + c for a, b, c in zip(gen, val, load)]
    print(f"  {'store build total':18s} median {1000 * statistics.median(total):7.1f} ms")


def cold_start(tmp: Path) -> None:
    from playwright.sync_api import sync_playwright

    store = tmp / "s0.duckdb"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env={"SOP_STORE": str(store), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        t_server = time.perf_counter() - t0
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            t1 = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_role("heading", name="Data gathering").wait_for(timeout=60_000)
            page.get_by_text("checks pass").first.wait_for(state="attached", timeout=60_000)
            t_first = time.perf_counter() - t1
            t2 = time.perf_counter()
            page.reload()
            page.get_by_role("heading", name="Data gathering").wait_for(timeout=60_000)
            page.get_by_text("checks pass").first.wait_for(state="attached", timeout=60_000)
            t_warm = time.perf_counter() - t2
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(
        f"cold start: server up in {t_server:.2f} s; first Data page render "
        f"{t_first:.2f} s after the request ({t_server + t_first:.2f} s from launch); "
        f"warm reload {t_warm:.2f} s"
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        store_build(Path(d))
        cold_start(Path(d))
