"""Supply-plan speed: the demo company and a synthetic 5,000-SKU company.

Prints wall-clock figures (median of repeated runs) for the whole `solve_plan`
call, i.e. aggregation to family x plant, building the LP, solving it with
HiGHS, and the result frames including the SKU x region split, plus the
problem size. Targets: demo < 200 ms, 5,000 SKUs x 8 regions x 24 months < 2 s.

    .venv/bin/python bench/bench_supply.py [--repeat N] [--sku-level]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.finance.kpis import plan_kpis
from sop.supply.plan import OPTIMAL, SupplyPolicy, solve_plan
from sop.supply.synthetic import naive_consensus, synthetic_company


def run(
    label: str, demand, tables, policy: SupplyPolicy, repeat: int, target_ms: float | None
) -> None:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = solve_plan(demand, tables, policy)
        times.append(1000 * (time.perf_counter() - t0))
    assert result.status == OPTIMAL, result.explanation
    k = result.stats | plan_kpis(result, tables[schema.PRODUCTS])
    med = statistics.median(times)
    verdict = (
        ""
        if target_ms is None
        else (f"  target < {target_ms:,.0f} ms: {'met' if med < target_ms else 'MISSED'}")
    )
    print(
        f"{label}\n  demand rows {len(demand):,}  items {k['items']:,} x {k['months']} "
        f"months  ({policy.level} level)\n"
        f"  LP: {k['rows']:,} rows, {k['columns']:,} columns, {k['nonzeros']:,} nonzeros\n"
        f"  solve_plan median {med:,.1f} ms (min {min(times):,.1f}, max {max(times):,.1f},"
        f" n={repeat}){verdict}\n"
        f"  last run: prepare {k['prepare_ms']:,.1f} ms, build LP {k['build_ms']:,.1f} ms, "
        f"HiGHS {k['solve_ms']:,.1f} ms, results {k['results_ms']:,.1f} ms\n"
        f"  gross margin {k['gross_margin']:,.0f}, fill rate {100 * k['fill_rate']:.1f} %, "
        f"binding resource-months {k['binding_resource_months']}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument(
        "--sku-level",
        action="store_true",
        help="also time the 5,000-SKU company planned at SKU level (slow)",
    )
    args = ap.parse_args()
    tables = check_tables(build_demo()).tables
    tables[schema.CONSENSUS] = naive_consensus(tables, 18)
    demand = loaded_consensus(tables, plan_months(as_of_month(tables), 18))
    solve_plan(demand, tables)  # warm-up: imports, first HiGHS
    run("Demo company (Northwind), 18 months", demand, tables, SupplyPolicy(), args.repeat, 200)
    run("Demo company at SKU level", demand, tables, SupplyPolicy(level="sku"), args.repeat, None)
    t0 = time.perf_counter()
    big_tables, big_demand = synthetic_company(5000, 8, 24)
    print(f"(synthetic company generated in {time.perf_counter() - t0:.1f} s, not timed)")
    run(
        "Synthetic company: 5,000 SKUs x 8 regions x 24 months",
        big_demand,
        big_tables,
        SupplyPolicy(horizon=24),
        max(3, args.repeat // 2),
        2000,
    )
    if args.sku_level:
        run(
            "Synthetic company at SKU level",
            big_demand,
            big_tables,
            SupplyPolicy(horizon=24, level="sku"),
            1,
            None,
        )


if __name__ == "__main__":
    main()
