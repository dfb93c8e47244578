"""Command line: `python -m sop <command>`; `python -m sop --help` lists them."""
from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from sop import schema
from sop.readers import ERROR
from sop.store import ROOT, Store, StoreError
from sop.validate import Report, validate_dir

DEMO_DIR = ROOT / "data" / "demo"


def _print_report(report: Report, source: str) -> None:
    errors, warnings = report.errors, report.warnings
    for f in errors + warnings:
        label = "ERROR  " if f.severity == ERROR else "WARNING"
        body = textwrap.fill(f.message, width=100, subsequent_indent=" " * 9)
        print(f"{label}  {body}")
    n_rows = sum(len(df) for df in report.tables.values())
    print(f"\n{source}: {len(report.tables)} tables, {n_rows:,} rows; "
          f"{len(errors)} error(s), {len(warnings)} warning(s).")


def cmd_validate(args: argparse.Namespace) -> int:
    report = validate_dir(args.dir)
    _print_report(report, str(args.dir))
    return 0 if report.ok else 1


def cmd_load(args: argparse.Namespace) -> int:
    report = validate_dir(args.dir)
    _print_report(report, str(args.dir))
    if not report.ok:
        print("Nothing was loaded; the store is unchanged. Fix the errors above and run "
              "load again.")
        return 1
    store = Store(args.store)
    name = args.name or Path(args.dir).resolve().name
    version = store.load(report.tables, name=name, source=str(Path(args.dir).resolve()))
    print(f"Loaded `{name}` as dataset version {version} into {store.path}; it is now active.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from sop.demo import write_demo

    paths = write_demo(args.out, seed=args.seed)
    size = sum(p.stat().st_size for p in paths.values())
    print(f"Wrote {len(paths)} tables ({size / 1e6:.2f} MB) to {args.out}.")
    if args.load:
        return cmd_load(argparse.Namespace(dir=args.out, name="demo", store=args.store))
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    df = Store(args.store).datasets()
    if df.empty:
        print("No dataset loaded yet.")
        return 0
    print(df.to_string(index=False))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    Store(args.store).activate(args.version)
    print(f"Dataset version {args.version} is active again.")
    return 0


def cmd_ensure_demo(args: argparse.Namespace) -> int:
    """Used by `make run`: load the demo if no dataset is loaded, and forecast the
    active dataset if it has no stored forecast, so every page has data to show."""
    from sop import forecast_cli
    from sop.store import forecasts

    store = Store(args.store)
    if store.active() is None:
        if not (DEMO_DIR / f"{schema.SALES}.parquet").exists():
            cmd_demo(argparse.Namespace(out=DEMO_DIR, seed=7, load=False, store=args.store))
        code = cmd_load(argparse.Namespace(dir=DEMO_DIR, name="demo", store=args.store))
        if code:
            return code
    if forecasts.find_run(store, store.active().version) is not None:
        return 0
    print("First start: forecasting the demand of the active dataset (about 20 s)…")
    parser = build_parser()
    return forecast_cli.run(parser.parse_args(["--store", str(store.path), "forecast"]))


DOC_MARKER = "<!-- generated from sop/schema.py by `python -m sop schema-doc --write` -->"


def cmd_schema_doc(args: argparse.Namespace) -> int:
    body = schema.schema_markdown()
    if not args.write:
        print(body)
        return 0
    doc = ROOT / "docs" / "data-model.md"
    head = doc.read_text().split(DOC_MARKER)[0] if doc.exists() else "# Data model\n\n"
    doc.write_text(f"{head}{DOC_MARKER}\n\n{body}")
    print(f"Wrote {doc}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from sop.backtest import cli

    return cli(args.data, args.horizon, args.out, args.workers)


def cmd_forecast(args: argparse.Namespace) -> int:
    from sop.forecast_cli import run

    return run(args)


def cmd_plan(args: argparse.Namespace) -> int:
    from sop.supply_io import run_plan

    return run_plan(args)


def cmd_scenario(args: argparse.Namespace) -> int:
    from sop.scenario_cli import run_scenario

    return run_scenario(args)


def cmd_pack(args: argparse.Namespace) -> int:
    from sop.pack import run_pack

    return run_pack(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sop", description="S&OP Studio command line.")
    p.add_argument("--store", type=Path, default=None,
                   help="DuckDB store file (default: $SOP_STORE or data/sop.duckdb)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("validate", help="check a folder of table files; change nothing")
    s.add_argument("dir", type=Path)
    s.set_defaults(func=cmd_validate)
    s = sub.add_parser("load", help="validate a folder, then make it the active dataset")
    s.add_argument("dir", type=Path)
    s.add_argument("--name", help="dataset name (default: the folder name)")
    s.set_defaults(func=cmd_load)
    s = sub.add_parser("demo", help="write the deterministic demo dataset")
    s.add_argument("--out", type=Path, default=DEMO_DIR)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--load", action="store_true", help="also load it into the store")
    s.set_defaults(func=cmd_demo)
    s = sub.add_parser("ensure-demo", help="load the demo dataset if the store is empty")
    s.set_defaults(func=cmd_ensure_demo)
    s = sub.add_parser("datasets", help="list the dataset versions kept in the store")
    s.set_defaults(func=cmd_datasets)
    s = sub.add_parser("restore", help="make an earlier dataset version active again")
    s.add_argument("version", type=int)
    s.set_defaults(func=cmd_restore)
    s = sub.add_parser("schema-doc", help="print the data model as Markdown")
    s.add_argument("--write", action="store_true", help="refresh docs/data-model.md")
    s.set_defaults(func=cmd_schema_doc)
    s = sub.add_parser("backtest", help="hold out the last H months of every series and "
                       "score the engine's choice and the baselines")
    s.add_argument("--data", type=Path, required=True, help="dataset folder (sales required)")
    s.add_argument("--horizon", type=int, required=True, help="months held out")
    s.add_argument("--out", type=Path, default=None, help="also write the results as JSON")
    s.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    s.set_defaults(func=cmd_backtest)
    s = sub.add_parser("forecast", help="fit the statistical forecast of every series and "
                       "store it for the app (the active dataset, or --data DIR loaded first)")
    from sop.forecast_cli import add_arguments as add_forecast_arguments
    add_forecast_arguments(s)
    s.set_defaults(func=cmd_forecast)
    s = sub.add_parser("plan", help="demand -> constrained supply plan (LP with HiGHS); "
                       "writes the plan, cost breakdown and KPIs as JSON")
    from sop.supply_io import add_plan_arguments
    add_plan_arguments(s)
    s.set_defaults(func=cmd_plan)
    s = sub.add_parser("scenario", help="evaluate a levers file (TOML or JSON) against the "
                       "baseline; writes the KPIs, margin bridge and risk ranges as JSON")
    from sop.scenario_cli import add_arguments
    add_arguments(s)
    s.set_defaults(func=cmd_scenario)
    s = sub.add_parser("pack", help="the executive meeting pack: an Excel workbook and a "
                       "self-contained HTML report of the cycle's plan, risks, scenarios "
                       "and decisions")
    from sop.pack import add_arguments as add_pack_arguments
    add_pack_arguments(s)
    s.set_defaults(func=cmd_pack)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except StoreError as exc:
        print(f"ERROR    {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
