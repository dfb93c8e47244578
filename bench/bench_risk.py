"""Risk ranges that re-plan: the fast path re-plan checked against LP re-solves.

On the demo company (demand from the real forecast engine, fitted once), for the
baseline, the issue's capacity cut (RS-ASM1 -30 % May-Aug 2027, overtime off), a
stress case (that cut with demand +10 %) and a long cut (RS-ASM1 -50 % over the whole
horizon, overtime and subcontracting off: the plan builds stock ahead for a later
shortage and still loses sales), draws the 500 demand paths of the risk ranges and
re-plans them as `sop.finance.risk` does (`sop.supply.paths.replan`). For 40 of them
(every 12th path), it also re-solves the full LP on the path's demand (same inputs,
settings and safety-stock targets; the LP sees the whole path, so it is the best a
planner who knew the demand could do) and reads revenue, gross margin and on-time
fill rate with the plan's own KPIs (`sop.finance.kpis.plan_kpis`).

Prints, per case: the error per path (mean absolute error; money also as % of the
mean), P10 / P50 / P90 over those 40 paths, fast and LP, and their error (fast - LP),
the bands over all 500 paths, the time of the re-plan (per path too) and of one
scenario evaluation with and without the ranges.
Asserts nothing; takes no options (the demo forecast is fitted first, about a minute,
then four cases of LP re-solves and timings). Run: .venv/bin/python bench/bench_risk.py
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop.core import schema
from sop.data.validate import validate_dir
from sop.demand.sources import demand_by_forecasting
from sop.finance import kpis, risk
from sop.scenario.evaluate import apply_levers, evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.plan import solve_inputs, solve_plan_and_inputs
from sop.supply.policy import SupplyPolicy

CUT = Levers(capacity_changes=(("RS-ASM1", "2027-05", "2027-08", -30.0),), overtime_allowed=False)
# the whole horizon of the demo (18 months from Nov 2026)
LONG_CUT = Levers(
    capacity_changes=(("RS-ASM1", "2026-11", "2028-04", -50.0),),
    overtime_allowed=False,
    subcontract_allowed=False,
)
CASES = {
    "baseline": Levers(),
    "RS-ASM1 -30 % May-Aug 2027, overtime off": CUT,
    "the cut with demand +10 %": dataclasses.replace(CUT, demand_pct=10.0),
    "RS-ASM1 -50 % Nov 2026-Apr 2028, overtime and subcontracting off": LONG_CUT,
}
SAMPLED = np.arange(0, risk.N_PATHS, 12)[:40]
METRICS = {"revenue": "money", "gross_margin": "money", "on_time_rate": "rate"}
RUNS = 15


def lp_figures(inp, policy, demand: np.ndarray, products) -> dict[str, float]:
    """Revenue, gross margin and on-time rate of the LP re-solved on one demand path."""
    plan = solve_inputs(dataclasses.replace(inp, demand=demand), policy, sku_detail=False)
    assert plan.ok, plan.explanation
    k = kpis.plan_kpis(plan, products)
    return {m: k[m] for m in METRICS}


def show(name: str, unit: str, fast: np.ndarray, lp: np.ndarray, all_fast: np.ndarray) -> None:
    def text(v: float) -> str:
        return f"{100 * v:.2f} %" if unit == "rate" else f"EUR {v / 1e6:,.3f}m"

    def gap(v: float) -> str:
        return f"{100 * v:+.2f} pp" if unit == "rate" else f"EUR {v:+,.0f}"

    mae = float(np.mean(np.abs(fast - lp)))
    rel = "" if unit == "rate" else f" ({100 * mae / abs(float(np.mean(lp))):.3f} % of the mean)"
    q = (0.1, 0.5, 0.9)
    qf, ql, qa = (np.quantile(v, q) for v in (fast, lp, all_fast))
    print(
        f"  {name}: mean absolute error per path {gap(mae).replace('+', '')}{rel}; "
        f"P10 / P50 / P90 error (fast - LP) {' / '.join(gap(a - b) for a, b in zip(qf, ql))}"
    )
    print(
        f"    P10 / P50 / P90 on the {len(lp)} paths: fast {' / '.join(text(v) for v in qf)}, "
        f"LP {' / '.join(text(v) for v in ql)}; "
        f"fast on all {len(all_fast)} paths {' / '.join(text(v) for v in qa)}"
    )


def check(label: str, prepared, tables, levers: Levers) -> None:
    inputs = apply_levers(prepared, tables, SupplyPolicy(), levers)
    plan, inp = solve_plan_and_inputs(inputs.demand, inputs.tables, inputs.policy, sku_detail=False)
    draws = risk.demand_paths(inp, inputs.sigma)
    t0 = time.perf_counter()
    fast = risk.path_figures(plan, inp, draws)
    fast_ms = 1000 * (time.perf_counter() - t0)
    products = inputs.tables[schema.PRODUCTS]
    t0 = time.perf_counter()
    lp = [lp_figures(inp, inputs.policy, draws[p], products) for p in SAMPLED]
    lp_ms = 1000 * (time.perf_counter() - t0) / len(SAMPLED)
    print(
        f"{label}: 500 paths re-planned in {fast_ms:.0f} ms "
        f"({fast_ms / len(draws):.3f} ms a path); an LP re-solve takes "
        f"{lp_ms:.0f} ms a path ({len(SAMPLED)} compared)"
    )
    for m, unit in METRICS.items():
        all_fast = getattr(fast, m)
        lp_m = np.array([r[m] for r in lp])
        show(m, unit, all_fast[SAMPLED], lp_m, all_fast)


def timing(prepared, tables) -> None:
    for label, levers in CASES.items():
        evaluate(prepared, tables, levers)  # warm-up
        with_risk, without = [], []
        for _ in range(RUNS):
            with_risk.append(evaluate(prepared, tables, levers).ms)
            without.append(evaluate(prepared, tables, levers, with_risk=False).ms)
        print(
            f"  {label}: one evaluation median {statistics.median(with_risk):.0f} ms with "
            f"the re-planned ranges, {statistics.median(without):.0f} ms without (n={RUNS})"
        )


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    tables = validate_dir(ROOT / "data" / "demo").tables
    t0 = time.perf_counter()
    demand = demand_by_forecasting(tables, 18)
    print(f"demo forecast fitted once for the bench in {time.perf_counter() - t0:.1f} s")
    prepared = prepare_demand(demand)
    for label, levers in CASES.items():
        check(label, prepared, tables, levers)
    print("scenario evaluation (levers + re-solve + KPIs + P&L + ranges):")
    timing(prepared, tables)


if __name__ == "__main__":
    main()
