"""Scenario evaluation speed: levers -> demand -> LP re-solve -> KPIs, bridge and risk.

Prints the median and spread of one evaluation on the demo company (demand from the
real forecast engine, fitted once before timing) and on a synthetic 5,000-SKU x
8-region x 24-month company; the risk ranges re-plan 500 demand paths through the
scenario's capacity (`sop.finance.risk`; their accuracy: bench/bench_risk.py).
Targets (issues 5 and 11): demo median < 150 ms with the re-planned ranges, 5,000 SKUs
< 1 s. Run: .venv/bin/python bench/bench_scenario.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop.core import schema
from sop.data.validate import validate_dir
from sop.demand.sources import demand_by_forecasting
from sop.finance.bridge import margin_bridge
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy
from sop.supply.synthetic import synthetic_company


def lever_sweep(n: int) -> list[Levers]:
    """Distinct lever sets, as a meeting would move them (no two alike: no cache hits)."""
    out = []
    for i in range(n):
        out.append(
            Levers(
                demand_pct=float(i % 21 - 10),
                capacity_changes=(("RS-ASM1", "2027-05", "2027-08", float(10 * (i % 7))),)
                if i % 2
                else (),
                material_inflation_pct=float(i % 5),
            )
        )
    return out


def time_evaluations(demand, tables, policy, levers: list[Levers], label: str) -> None:
    t0 = time.perf_counter()
    prepared = prepare_demand(demand)  # once per demand plan; the app caches it
    prep_ms = 1000 * (time.perf_counter() - t0)
    evaluate(prepared, tables, Levers(), policy)  # warm-up: imports, caches
    base = evaluate(prepared, tables, Levers(), policy)
    ms, bridge_ms = [], []
    for lv in levers:
        t0 = time.perf_counter()
        ev = evaluate(prepared, tables, lv, policy)
        t1 = time.perf_counter()
        margin_bridge(base.plan, ev.plan, tables[schema.PRODUCTS])
        ms.append(1000 * (t1 - t0))
        bridge_ms.append(1000 * (time.perf_counter() - t1))
        assert ev.ok, ev.plan.explanation
    k = base.plan.stats
    print(f"{label}: {len(demand):,} demand rows; LP {k['rows']} rows x {k['columns']} columns")
    print(
        f"  one evaluation (levers + re-solve + KPIs + P&L + re-planned risk ranges): median "
        f"{statistics.median(ms):.0f} ms, p90 {sorted(ms)[int(0.9 * len(ms))]:.0f} ms, "
        f"min {min(ms):.0f} ms (n={len(ms)})"
    )
    print(
        f"  margin bridge on top: median {statistics.median(bridge_ms):.1f} ms; demand "
        f"preparation once per demand plan (cached by the app): {prep_ms:.0f} ms"
    )


def main() -> None:
    report = validate_dir(ROOT / "data" / "demo")
    tables = report.tables
    t0 = time.perf_counter()
    demand = demand_by_forecasting(tables, 18)
    print(f"demo forecast fitted once for the bench in {time.perf_counter() - t0:.1f} s")
    time_evaluations(demand, tables, SupplyPolicy(), lever_sweep(40), "demo company")
    cut = [
        Levers(
            demand_pct=float(i % 5 - 2),
            capacity_changes=(("RS-ASM1", "2027-05", "2027-08", -30.0),),
            overtime_allowed=False,
        )
        for i in range(15)
    ]
    time_evaluations(
        demand,
        tables,
        SupplyPolicy(),
        cut,
        "demo company, RS-ASM1 -30 % May-Aug 2027 and overtime off (demand -2 .. +2 %)",
    )
    big_tables, big_demand = synthetic_company(5000, 8, 24)
    sweep = [Levers(demand_pct=float(i - 5)) for i in range(11)]
    time_evaluations(
        big_demand,
        big_tables,
        SupplyPolicy(horizon=24),
        sweep,
        "synthetic 5,000 SKUs x 8 regions x 24 months",
    )


if __name__ == "__main__":
    main()
