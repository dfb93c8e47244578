"""`python -m sop backtest`: hold out the last months of every series, score the engine.

The dataset is a folder (`--data DIR`, read as `load` reads it: `sop.cli.folder`) or,
without `--data`, the active dataset of the store (`--store`, default $SOP_STORE, else
data/sop.duckdb). Only sales, products and promotions are used; the store is only read.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from sop.cli import folder
from sop.cli.forecast import add_engine_arguments, executor_from
from sop.core import schema
from sop.data.defaults import complete
from sop.demand.backtest import format_table, holdout, to_json
from sop.demand.executors import ClusterError
from sop.store import Store

USED = (schema.SALES, schema.PRODUCTS, schema.PROMOTIONS)  # the tables a backtest reads
HELP = "hold out the last H months of every series and score the engine's choice and the baselines"


def add_arguments(s: argparse.ArgumentParser) -> None:
    """--data (and how to read it: `folder.add_options`), --horizon, --out, --workers,
    --engine, --scheduler (and --store, added by `sop.cli.main`)."""
    s.add_argument(
        "--data",
        type=Path,
        default=None,
        help="dataset folder (sales required), read as `load` reads it; without it, the "
        "store's active dataset",
    )
    folder.add_options(s)
    s.add_argument("--horizon", type=int, required=True, help="months held out")
    s.add_argument("--out", type=Path, default=None, help="also write the results as JSON")
    add_engine_arguments(s)


def _folder_tables(args: argparse.Namespace) -> dict[str, pd.DataFrame]:
    """Sales, products and promotions of --data DIR, read as `load` reads a folder
    (`sop.cli.folder`); ValueError when it has no usable sales table (the only one the
    backtest needs), folder.OptionError for a reading option that cannot be honoured."""
    path = Path(args.data)
    got = folder.check(args, path)
    for note in got.notes:
        print(f"WARNING  {note}")
    if schema.SALES not in got.report.tables:
        raise ValueError(
            f"{path}: no usable sales table (the backtest needs only sales; products and "
            f"promotions are optional). {got.problem(path, {schema.SALES, '-'})}"
        )
    return {k: v for k, v in got.report.tables.items() if k in USED}


def run(args: argparse.Namespace) -> int:
    """Print the hold-out metrics (tqdm progress) and write them as JSON with --out:
    0 when scored, 1 when the data cannot be backtested, 2 when the cluster cannot run
    it (said why)."""
    horizon, out = args.horizon, args.out
    bar = None
    try:
        executor = executor_from(args)
        if args.data is not None:
            tables = _folder_tables(args)
        else:
            store = Store(getattr(args, "store", None))
            tables = complete(store.tables())  # StoreError (exit 2) when nothing is loaded
            info = store.active()
            tables = {k: v for k, v in tables.items() if k in USED}
            print(f"Backtesting `{info.name}` v{info.version} from {store.path}.")
        bar = tqdm(total=1, unit="series", desc="Backtest")

        def tick(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        result = holdout(tables, horizon, workers=args.workers, progress=tick, executor=executor)
        bar.close()
    except (ClusterError, folder.OptionError) as exc:
        if bar is not None:
            bar.close()
        print(f"ERROR    {exc}")
        return 2
    except ValueError as exc:
        print(f"ERROR    {exc}")
        return 1
    summary = to_json(result)
    print(
        f"\nHold-out of the last {horizon} months of {summary['series']} series "
        f"(MASE scaled by the in-sample seasonal naive error, lag 12)."
    )
    print("\nOverall\n" + format_table(result.overall))
    print("\nBy family\n" + format_table(result.by_family))
    print(
        f"\nMAPE skips months with zero actual demand ({summary['mape_zero_actuals_skipped']}"
        " per method)."
    )
    print(
        "Automatic choice per series: "
        + ", ".join(f"{k} {v}" for k, v in summary["chosen_methods"].items())
    )
    if summary["mase_undefined_series"]:
        print(
            f"MASE is undefined for {summary['mase_undefined_series']} series (their in-sample "
            "seasonal naive error is zero or rounding noise); they are left out of MASE."
        )
    if out:
        with open(out, "w") as fh:
            json.dump(summary, fh, indent=2, default=str)
        print(f"Wrote {out}")
    return 0


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    s = add_parser("backtest", help=HELP)
    add_arguments(s)
    s.set_defaults(func=run)
