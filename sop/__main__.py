"""Command line: `python -m sop <command>`; `python -m sop --help` lists them."""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from pathlib import Path

from sop.core import schema
from sop.data.readers import ERROR
from sop.data.validate import Report, validate_dir
from sop.store import ROOT, Store, StoreError

DEMO_DIR = ROOT / "data" / "demo"


def _print_report(report: Report, source: str) -> None:
    errors, warnings = report.errors, report.warnings
    for f in errors + warnings:
        label = "ERROR  " if f.severity == ERROR else "WARNING"
        body = textwrap.fill(f.message, width=100, subsequent_indent=" " * 9)
        print(f"{label}  {body}")
    n_rows = sum(len(df) for df in report.tables.values())
    print(
        f"\n{source}: {len(report.tables)} tables, {n_rows:,} rows; "
        f"{len(errors)} error(s), {len(warnings)} warning(s)."
    )


def cmd_validate(args: argparse.Namespace) -> int:
    report = validate_dir(args.dir)
    _print_report(report, str(args.dir))
    return 0 if report.ok else 1


def cmd_load(args: argparse.Namespace) -> int:
    report = validate_dir(args.dir)
    _print_report(report, str(args.dir))
    if not report.ok:
        print(
            "Nothing was loaded; the store is unchanged. Fix the errors above and run load again."
        )
        return 1
    store = Store(args.store)
    name = args.name or Path(args.dir).resolve().name
    version = store.load(report.tables, name=name, source=str(Path(args.dir).resolve()))
    print(f"Loaded `{name}` as dataset version {version} into {store.path}; it is now active.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from sop.data.demo import write_demo

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
    from sop.cli import forecast as forecast_cli
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


def out_problem(path: Path, folder: bool) -> str | None:
    """Why `--out path` cannot be written (None when it can): checked before any work,
    so a long run never ends on a traceback. Creates the missing folders."""
    target = path if folder else path.parent
    if folder and path.exists() and not path.is_dir():
        return f"--out {path} is a file; give a folder to write into."
    if not folder and path.is_dir():
        return f"--out {path} is a folder; give a file name, e.g. {path / 'out.json'}."
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return (
            f"--out {path}: cannot create the folder {target} "
            f"({exc.strerror or exc}). Choose a folder you can write to."
        )
    if not os.access(target, os.W_OK | os.X_OK):
        return f"--out {path}: cannot write into {target}. Choose a folder you can write to."
    return None


def policy_problem(args: argparse.Namespace) -> str | None:
    """The plan settings flags that are out of range, worded with the flags' names."""
    from sop.supply.plan_io import policy_from_args
    from sop.supply.policy import field_help

    problems = policy_from_args(args).problems()
    if not problems:
        return None
    for name in field_help():
        problems = [re.sub(rf"^{name}\b", "--" + name.replace("_", "-"), p) for p in problems]
    return "Invalid plan settings: " + "; ".join(problems) + ". See `python -m sop plan --help`."


MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def cmd_backtest(args: argparse.Namespace) -> int:
    from sop.demand.backtest import cli

    return cli(args.data, args.horizon, args.out, args.workers)


def cmd_forecast(args: argparse.Namespace) -> int:
    from sop.cli.forecast import run

    return run(args)


def cmd_plan(args: argparse.Namespace) -> int:
    from sop.supply.plan_io import run_plan

    if why := policy_problem(args):
        print(f"ERROR    {why}", file=sys.stderr)
        return 2

    return run_plan(args)


def cmd_scenario(args: argparse.Namespace) -> int:
    from sop.cli.scenario import run_scenario

    if why := policy_problem(args):
        print(f"ERROR    {why}", file=sys.stderr)
        return 2

    return run_scenario(args)


def cmd_pack(args: argparse.Namespace) -> int:
    from sop.executive.pack import run_pack

    if args.cycle is not None and not MONTH_RE.match(args.cycle):
        print(
            f"ERROR    --cycle must be a month written YYYY-MM (e.g. 2026-11), not {args.cycle!r}.",
            file=sys.stderr,
        )
        return 2

    return run_pack(args)


STORE_HELP = "DuckDB store file (default: $SOP_STORE, else data/sop.duckdb)"
DIR_HELP = (
    "folder of table files named after the data model's tables (products.csv or "
    ".parquet, sales, ...; see docs/data-model.md)"
)


class _Subparsers:
    """Every command also takes --store after its name (`python -m sop plan --store
    x.duckdb`), not only before it."""

    def __init__(self, action: argparse._SubParsersAction) -> None:
        self.action = action

    def add_parser(self, name: str, **kw) -> argparse.ArgumentParser:
        s = self.action.add_parser(name, description=kw.get("help"), **kw)
        s.add_argument("--store", type=Path, default=argparse.SUPPRESS, help=STORE_HELP)
        return s


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m sop",
        description="S&OP Studio command line.",
        epilog="`python -m sop COMMAND --help` describes a command. Exit code 0 when it "
        "is done; otherwise the reason is printed and the code is not 0.",
    )
    p.add_argument("--store", type=Path, default=None, help=STORE_HELP)
    sub = _Subparsers(p.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    s = sub.add_parser("validate", help="check a folder of table files; change nothing")
    s.add_argument("dir", type=Path, help=DIR_HELP)
    s.set_defaults(func=cmd_validate)
    s = sub.add_parser("load", help="validate a folder, then make it the active dataset")
    s.add_argument("dir", type=Path, help=DIR_HELP)
    s.add_argument("--name", help="dataset name (default: the folder name)")
    s.set_defaults(func=cmd_load)
    s = sub.add_parser("demo", help="write the deterministic demo dataset")
    s.add_argument(
        "--out",
        type=Path,
        default=DEMO_DIR,
        help="folder to write the table files into (default: data/demo)",
    )
    s.add_argument(
        "--seed",
        type=int,
        default=7,
        help="random seed; the same seed writes the same data (default: 7)",
    )
    s.add_argument("--load", action="store_true", help="also load it into the store")
    s.set_defaults(func=cmd_demo)
    s = sub.add_parser(
        "ensure-demo",
        help="what `make run` does first: load the demo "
        "dataset if the store is empty, and forecast the active dataset if "
        "it has no stored forecast",
    )
    s.set_defaults(func=cmd_ensure_demo)
    s = sub.add_parser("datasets", help="list the dataset versions kept in the store")
    s.set_defaults(func=cmd_datasets)
    s = sub.add_parser("restore", help="make an earlier dataset version active again")
    s.add_argument(
        "version", type=int, help="the version number, as listed by `python -m sop datasets`"
    )
    s.set_defaults(func=cmd_restore)
    s = sub.add_parser("schema-doc", help="print the data model as Markdown")
    s.add_argument("--write", action="store_true", help="refresh docs/data-model.md")
    s.set_defaults(func=cmd_schema_doc)
    s = sub.add_parser(
        "backtest",
        help="hold out the last H months of every series and "
        "score the engine's choice and the baselines",
    )
    s.add_argument("--data", type=Path, required=True, help="dataset folder (sales required)")
    s.add_argument("--horizon", type=int, required=True, help="months held out")
    s.add_argument("--out", type=Path, default=None, help="also write the results as JSON")
    from sop.cli.forecast import workers

    s.add_argument(
        "--workers", type=workers, default=None, help="processes, 1 or more (default: all cores)"
    )
    s.set_defaults(func=cmd_backtest)
    s = sub.add_parser(
        "forecast",
        help="fit the statistical forecast of every series and "
        "store it for the app (the active dataset, or --data DIR loaded first)",
    )
    from sop.cli.forecast import add_arguments as add_forecast_arguments

    add_forecast_arguments(s)
    s.set_defaults(func=cmd_forecast)
    s = sub.add_parser(
        "plan",
        help="demand -> constrained supply plan (LP with HiGHS); "
        "writes the plan, cost breakdown and KPIs as JSON",
    )
    from sop.supply.plan_io import add_plan_arguments

    add_plan_arguments(s)
    s.set_defaults(func=cmd_plan)
    s = sub.add_parser(
        "scenario",
        help="evaluate a levers file (TOML or JSON) against the "
        "baseline; writes the KPIs, margin bridge and risk ranges as JSON",
    )
    from sop.cli.scenario import add_arguments

    add_arguments(s)
    s.set_defaults(func=cmd_scenario)
    s = sub.add_parser(
        "pack",
        help="the executive meeting pack: an Excel workbook and a "
        "self-contained HTML report of the cycle's plan, risks, scenarios "
        "and decisions",
    )
    from sop.executive.pack import add_arguments as add_pack_arguments

    add_pack_arguments(s)
    s.set_defaults(func=cmd_pack)
    return p


OUT_IS_FOLDER = {"demo", "pack"}  # the other commands' --out is a file


def main(argv: list[str] | None = None) -> int:
    """Run one command: 0 done, 1 refused or nothing to do (said why), 2 bad input,
    3 an unexpected failure (a bug), 130 interrupted. A failure is one plain line on
    standard error, never a traceback (set SOP_DEBUG=1 to see one)."""
    args = build_parser().parse_args(argv)
    out = getattr(args, "out", None)
    why = None if out is None else out_problem(Path(out), args.command in OUT_IS_FOLDER)
    if why:
        print(f"ERROR    {why}", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except StoreError as exc:
        print(f"ERROR    {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except OSError as exc:
        if os.environ.get("SOP_DEBUG"):
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        print(
            f"ERROR    {exc.strerror or exc}{where}. Check the path and its permissions.",
            file=sys.stderr,
        )
        return 2
    except Exception as exc:  # noqa: BLE001 - a command line never shows a traceback
        if os.environ.get("SOP_DEBUG"):
            raise
        print(
            f"ERROR    `{args.command}` failed: {type(exc).__name__}: {exc}. This is a "
            "bug, please report it with the command; SOP_DEBUG=1 shows the traceback.",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
