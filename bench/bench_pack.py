"""Meeting-pack speed: `python -m sop pack` on the demo company, in process.

Builds a scratch store with the demo data and a quick statistical forecast (not
timed), saves three scenarios and approves plans for two cycles, then times the
pack: read the dataset and demand plan, evaluate the plan of record, the baseline
and the saved scenarios, rank the risks, split the S&OE weeks, and write the Excel
workbook and the self-contained HTML report. Target (issue 6): under 5 s.
Run: .venv/bin/python bench/bench_pack.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from sop.cli import pack
from sop.data.validate import validate_dir
from sop.demand import consensus
from sop.demand.engine import ForecastSettings
from sop.executive import service as executive
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store


def setup(folder: Path) -> Store:
    store = Store(folder / "bench.duckdb")
    report = validate_dir(ROOT / "data" / "demo")
    store.load(report.tables, name="demo")
    t0 = time.perf_counter()
    consensus.run_and_store(
        store, ForecastSettings(candidates=("seasonal naive", "ets"), backtest_origins=1)
    )
    print(f"set-up: demo loaded and forecast in {time.perf_counter() - t0:.1f} s (not timed)")
    ctx = executive.context(store)
    ids = [
        saved_scenarios.save(store, name, lv)
        for name, lv in (
            (
                "Summer overtime",
                Levers(capacity_changes=(("RS-ASM1", "2027-05", "2027-08", 20.0),)),
            ),
            ("Kitchen push", Levers(demand_family_pct=(("Kitchen", 10.0),))),
            ("Price +3 %", Levers(price_family_pct=(("Cooling", 3.0), ("Heating", 3.0)))),
        )
    ]
    executive.approve_saved(store, ctx, 0, "last cycle", pd.Timestamp("2026-10-01"))
    executive.approve_saved(store, ctx, ids[1], "this cycle")
    return store


def one_pack(store: Store, out: Path) -> float:
    t0 = time.perf_counter()
    args = argparse.Namespace(store=store.path, data=None, out=out, cycle=None)
    assert pack.run(args) == 0
    return time.perf_counter() - t0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = setup(Path(tmp))
        times = [one_pack(store, Path(tmp) / f"pack{i}") for i in range(3)]
        size = sum(p.stat().st_size for p in (Path(tmp) / "pack0").iterdir())
    print(
        f"pack on the demo data: median {statistics.median(times):.2f} s, "
        f"first {times[0]:.2f} s, runs {', '.join(f'{t:.2f}' for t in times)} s "
        f"(target < 5 s); files {size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
