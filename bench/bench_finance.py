"""Finance view speed on the demo company: evaluation, the view's frames, the exports.

Uses a naive consensus (same month last year x 1.05) so no forecast is fitted; with
a stored Prophet forecast the figures after the evaluation are the same.
Prints figures; asserts nothing.
Run: .venv/bin/python bench/bench_finance.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.validate import validate_dir
from sop.demand.plan import loaded_consensus
from sop.finance import export as finance_export
from sop.finance import view as finance_view
from sop.scenario.evaluate import evaluate
from sop.scenario.levers import Levers
from sop.supply.synthetic import naive_consensus

RUNS = 5


def _time(fn) -> tuple[object, str]:
    times, out = [], None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, (
        f"median {1000 * statistics.median(times):.0f} ms (min "
        f"{1000 * min(times):.0f}, max {1000 * max(times):.0f}, n={RUNS})"
    )


def main() -> None:
    tables = validate_dir(ROOT / "data" / "demo").tables
    tables[schema.CONSENSUS] = naive_consensus(tables, 18)
    demand = loaded_consensus(tables, plan_months(as_of_month(tables), 18))
    ev, t_eval = _time(lambda: evaluate(demand, tables, Levers()))
    view, t_view = _time(lambda: finance_view.build(ev, tables))
    meta = finance_export.ExportMeta("Northwind", "demo", 1, "Baseline", "baseline", "EUR")
    xlsx, t_xlsx = _time(lambda: finance_export.workbook(view, meta))
    csv, t_csv = _time(lambda: finance_export.pnl_csv(view, "EUR"))
    print(f"demo: {len(view.pnl)} family-months, {view.pnl[schema.FAMILY].nunique()} families")
    for label, figure in (
        ("evaluate (LP + KPIs + P&L + risk)", t_eval),
        ("finance view (bands, landing, PVM)", t_view),
        (f"Excel workbook ({len(xlsx) / 1024:.0f} KiB)", t_xlsx),
        (f"CSV ({len(csv) / 1024:.0f} KiB)", t_csv),
    ):
        print(f"{label:<36} {figure}")


if __name__ == "__main__":
    main()
