"""`python -m sop pack`: the executive meeting pack, an Excel workbook and an HTML report.

`python -m sop pack [--data DIR] --out DIR [--cycle YYYY-MM]` packs the store's
active dataset (or the dataset folder DIR, validated first and read as `load` reads
it, `sop.cli.folder`; its demand is its loaded consensus, else a statistical forecast
is run) with the decisions and saved scenarios of the store. Both files carry the
dataset version, the cycle and the time they were made.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sop.cli import folder
from sop.core import schema
from sop.core.months import as_of_month
from sop.data.defaults import complete
from sop.demand import sources
from sop.executive import decisions
from sop.executive import service as executive
from sop.executive import view as exec_view
from sop.executive.service import Context
from sop.scenario.evaluate import prepare_demand
from sop.store import Store
from sop.store import comments as store_comments
from sop.store import decisions as decision_log
from sop.supply.policy import SupplyPolicy

HELP = (
    "the executive meeting pack: an Excel workbook and a "
    "self-contained HTML report of the cycle's plan, risks, scenarios "
    "and decisions"
)
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def add_arguments(s: argparse.ArgumentParser) -> None:
    """--data (and how to read it: `folder.add_options`), --out, --cycle."""
    s.add_argument(
        "--data",
        type=Path,
        default=None,
        help="dataset folder (validated first, read as `load` reads it; default: the active "
        "dataset of the store)",
    )
    folder.add_options(s)
    s.add_argument("--out", type=Path, required=True, help="folder to write the pack into")
    s.add_argument(
        "--cycle",
        default=None,
        help="cycle month YYYY-MM (default: the month after the dataset's as-of month)",
    )


def _folder_context(args: argparse.Namespace) -> tuple[Context, str]:
    """The context of the folder --data (read as `load` reads it: `sop.cli.folder`) and
    its company; ValueError when it has errors."""
    path = Path(args.data)
    tables, policy = complete(folder.tables(args, path)), SupplyPolicy()
    demand = sources.demand_from_tables(tables, policy.horizon)
    if demand is None:
        demand = sources.demand_by_forecasting(tables, policy.horizon)
    company = tables.get(schema.COMPANY)
    currency = (
        str(company[schema.CURRENCY].iloc[0]) if company is not None and len(company) else "EUR"
    )
    name = (
        str(company[schema.COMPANY_NAME].iloc[0])
        if company is not None and len(company)
        else path.resolve().name
    )
    ctx = Context(
        None,
        tables,
        prepare_demand(demand),
        policy,
        path.resolve().name,
        None,
        as_of_month(tables),
        currency,
        demand,
    )
    return ctx, name


def run(args: argparse.Namespace) -> int:
    """0 when written, 1 when there is nothing to pack, 2 bad input or data."""
    # lazy: the pack's writers (openpyxl, plotly) would add ~150 ms to `python -m sop --help`
    from sop.executive import pack

    if args.cycle is not None and not MONTH_RE.match(args.cycle):
        print(
            f"ERROR    --cycle must be a month written YYYY-MM (e.g. 2026-11), not {args.cycle!r}.",
            file=sys.stderr,
        )
        return 2
    t0 = time.perf_counter()
    store = Store(args.store)
    has_store = store.path.exists()
    try:
        if args.data is not None:
            ctx, company = _folder_context(args)
        else:
            if not has_store or store.active() is None:
                print(
                    "No dataset is loaded: run `python -m sop load DIR` or pass --data DIR.",
                    file=sys.stderr,
                )
                return 1
            ctx = executive.context(store)
            company = ctx.info.company
    except sources.NoDemand as exc:
        print(f"{exc} The pack needs a demand plan.", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"ERROR    {exc}", file=sys.stderr)
        return 2
    cycle = pd.Timestamp(args.cycle + "-01") if args.cycle else decisions.default_cycle(ctx.as_of)
    log = decision_log.log(store) if has_store else pd.DataFrame(columns=decision_log.LOG_COLUMNS)
    load = (
        exec_view.snapshot_loader(lambda i: decision_log.snapshot_json(store, i))
        if has_store
        else (lambda i: None)
    )
    saved = executive.saved_scenarios(store) if has_store else {}
    view = exec_view.build(
        ctx.tables,
        ctx.base,
        ctx.policy,
        ctx.evaluate,
        log,
        load,
        saved,
        cycle,
        ctx.as_of,
        ctx.currency,
        ctx.version,
    )
    meta = pack.PackMeta(company, ctx.name, ctx.version, cycle, ctx.as_of, ctx.currency, pack.now())
    # the store's open threads are about its active data, not a folder's
    threads = store_comments.open_threads(store) if has_store and args.data is None else None
    xlsx, page = pack.write(view, ctx.tables, meta, args.out, ctx.demand, threads)
    print(
        f"Wrote {xlsx} and {page} ({view.plan_name}, {exec_view.fmt_cycle(cycle)} cycle, data "
        f"{meta.version_text}) in {time.perf_counter() - t0:.2f} s."
    )
    return 0


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    s = add_parser("pack", help=HELP)
    add_arguments(s)
    s.set_defaults(func=run)
