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

from sop import export_finance as EX  # noqa: E402
from sop import finance_view  # noqa: E402
from sop import schema as S  # noqa: E402
from sop.demand import loaded_consensus, plan_months  # noqa: E402
from sop.levers import Levers  # noqa: E402
from sop.scenario import evaluate  # noqa: E402
from sop.synthetic import naive_consensus  # noqa: E402
from sop.validate import as_of_month, validate_dir  # noqa: E402

RUNS = 5


def _time(fn) -> tuple[object, str]:
    times, out = [], None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, (f"median {1000 * statistics.median(times):.0f} ms (min "
                 f"{1000 * min(times):.0f}, max {1000 * max(times):.0f}, n={RUNS})")


def main() -> None:
    tables = validate_dir(ROOT / "data" / "demo").tables
    tables[S.CONSENSUS] = naive_consensus(tables, 18)
    demand = loaded_consensus(tables, plan_months(as_of_month(tables), 18))
    ev, t_eval = _time(lambda: evaluate(demand, tables, Levers()))
    view, t_view = _time(lambda: finance_view.build(ev, tables))
    meta = EX.ExportMeta("Northwind", "demo", 1, "Baseline", "baseline", "EUR")
    xlsx, t_xlsx = _time(lambda: EX.workbook(view, meta))
    csv, t_csv = _time(lambda: EX.pnl_csv(view, "EUR"))
    print(f"demo: {len(view.pnl)} family-months, {view.pnl[S.FAMILY].nunique()} families")
    for label, figure in (("evaluate (LP + KPIs + P&L + risk)", t_eval),
                          ("finance view (bands, landing, PVM)", t_view),
                          (f"Excel workbook ({len(xlsx) / 1024:.0f} KiB)", t_xlsx),
                          (f"CSV ({len(csv) / 1024:.0f} KiB)", t_csv)):
        print(f"{label:<36} {figure}")


if __name__ == "__main__":
    main()
