"""Demand planning speed on the demo: the forecast batch, the demand-plan read, the page.

Prints figures; asserts nothing.
Run: .venv/bin/python bench/bench_demand.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop.data.validate import validate_dir
from sop.demand import consensus, overrides
from sop.demand.consensus import demand_plan
from sop.store import Store


def _ms(xs: list[float]) -> str:
    return (
        f"median {1000 * statistics.median(xs):.0f} ms (min {1000 * min(xs):.0f}, "
        f"max {1000 * max(xs):.0f}, n={len(xs)})"
    )


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-demand-"))
    path = tmp / "store.duckdb"
    store = Store(path)
    store.load(validate_dir(ROOT / "data" / "demo").tables, name="demo")
    print(f"cores: {os.cpu_count()}")
    for level in ("family", "sku", "sku_region"):
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "sop", "--store", str(path), "forecast", "--level", level],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t0
        assert done.returncode == 0, done.stderr
        run = consensus.context(store).run
        print(
            f"python -m sop forecast --level {level:<10}: {wall:5.1f} s wall "
            f"({run.seconds:.1f} s fitting {run.n_series} series)"
        )
    reads = []
    for _ in range(10):
        t0 = time.perf_counter()
        plan = demand_plan(store)
        reads.append(time.perf_counter() - t0)
    print(f"demand_plan(): {len(plan):,} rows, {_ms(reads)}")
    months = sorted(plan["month"].unique())
    for i in range(20):
        consensus.submit_override(
            store,
            overrides.Override(
                level=overrides.LEVEL_FAMILY,
                family=("Cooling", "Heating", "Kitchen", "Garden")[i % 4],
                start_month=months[i % 6],
                end_month=months[i % 6 + 3],
                kind=overrides.KIND_PCT,
                value=5.0,
                reason="bench",
            ),
        )
    reads = []
    for _ in range(10):
        t0 = time.perf_counter()
        demand_plan(store)
        reads.append(time.perf_counter() - t0)
    print(f"demand_plan() with 20 active overrides: {_ms(reads)}")
    writes = []
    for i in range(5):
        t0 = time.perf_counter()
        consensus.submit_override(
            store,
            overrides.Override(
                level=overrides.LEVEL_SKU,
                sku="CL-101",
                start_month=months[0],
                end_month=months[2],
                kind=overrides.KIND_UNITS,
                value=100.0 + i,
                reason="bench",
            ),
        )
        writes.append(time.perf_counter() - t0)
    print(f"save an override (check + write + cycle snapshot): {_ms(writes)}")
    page(path)


def page(path: Path) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["SOP_STORE"] = str(path)
    st.cache_data.clear()
    t0 = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/demand.py").run()
    cold = time.perf_counter() - t0
    assert not at.exception, at.exception
    warm = []
    for fam in ("Cooling", "Heating", "Kitchen", "Garden", "(all)"):
        t0 = time.perf_counter()
        at.selectbox(key="dem_family").set_value(fam).run()
        warm.append(time.perf_counter() - t0)
    again = []
    for fam in ("Cooling", "Heating", "Kitchen", "Garden"):
        t0 = time.perf_counter()
        at.selectbox(key="dem_family").set_value(fam).run()
        again.append(time.perf_counter() - t0)
    print(
        f"Demand page (AppTest, server side): first render {cold:.2f} s; pick a family "
        f"{_ms(warm)}; pick it again (cached) {_ms(again)}"
    )


if __name__ == "__main__":
    main()
