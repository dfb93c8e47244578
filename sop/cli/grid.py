"""`python -m sop grid`: the time-phased S&OP grid, per family and the total.

`python -m sop grid [--data DIR] --out FILE [--family F]` plans the store's active
dataset (or the dataset folder DIR, validated first and read as `load` reads it), as
`python -m sop pack` does, and writes the grid (`sop.finance.grid`) of every family
and the total (or of one family): FILE.xlsx has a sheet per grid; FILE.csv is long
format, one row per cell (family, row, label, unit, month, actual, gap, value).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sop.cli import folder
from sop.cli import pack as pack_cli
from sop.core import csvout
from sop.demand import sources
from sop.executive import service as executive
from sop.finance import grid as sop_grid
from sop.scenario.levers import Levers
from sop.store import Store

HELP = (
    "the time-phased S&OP grid per family and the total (actuals, forecast, consensus, "
    "budget, supply, inventory, capacity, gaps) as .xlsx or .csv"
)
SUFFIXES = (".xlsx", ".csv")


def add_arguments(s: argparse.ArgumentParser) -> None:
    """--data (and how to read it: `folder.add_options`), --out, --family."""
    s.add_argument(
        "--data",
        type=Path,
        default=None,
        help="dataset folder (validated first, read as `load` reads it; default: the active "
        "dataset of the store)",
    )
    folder.add_options(s)
    s.add_argument(
        "--out", type=Path, required=True, help="file to write: .xlsx (a sheet a family) or .csv"
    )
    s.add_argument("--family", default=None, help="one family only (default: every family)")


def _context(args: argparse.Namespace) -> executive.Context | None:
    if args.data is not None:
        return pack_cli._folder_context(args)[0]
    store = Store(args.store)
    if not store.path.exists() or store.active() is None:
        return None
    return executive.context(store)


def run(args: argparse.Namespace) -> int:
    """0 when written, 1 nothing to plan (said why), 2 bad input or data."""
    from sop.finance import grid_excel  # lazy: openpyxl slows `python -m sop --help`

    suffix = Path(args.out).suffix.lower()
    if suffix not in SUFFIXES:
        print(f"ERROR    --out must end in .xlsx or .csv, not {args.out}.", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        ctx = _context(args)
    except sources.NoDemand as exc:
        print(f"{exc} The grid needs a demand plan.", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"ERROR    {exc}", file=sys.stderr)
        return 2
    if ctx is None:
        print(
            "No dataset is loaded: run `python -m sop load DIR` or pass --data DIR.",
            file=sys.stderr,
        )
        return 1
    ev = ctx.evaluate(Levers())
    if not ev.ok:
        print(f"No plan: {ev.plan.explanation}", file=sys.stderr)
        return 1
    demand = ctx.demand if ctx.demand is not None else ev.demand
    grids = sop_grid.sop_grids(ev.plan, demand, ctx.tables)
    if args.family is not None:
        if args.family not in grids or args.family == sop_grid.TOTAL:
            names = ", ".join(k for k in grids if k != sop_grid.TOTAL)
            print(
                f"ERROR    --family: no family {args.family!r} (families: {names}).",
                file=sys.stderr,
            )
            return 2
        grids = {args.family: grids[args.family]}
    if suffix == ".xlsx":
        Path(args.out).write_bytes(grid_excel.workbook(grids, ctx.currency))
    else:
        csvout.write_csv(sop_grid.long_format(grids), args.out, date_format="%Y-%m")
    first = next(iter(grids.values()))
    print(
        f"Wrote {args.out}: {len(grids)} grid(s), {len(first.actual)} actual + "
        f"{len(first.plan)} plan months, in {time.perf_counter() - t0:.2f} s."
    )
    return 0


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    s = add_parser("grid", help=HELP)
    add_arguments(s)
    s.set_defaults(func=run)
