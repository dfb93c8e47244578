"""The data commands: validate, load, demo, ensure-demo, datasets, restore, schema-doc."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sop.cli import forecast, saved_maps
from sop.cli.report import print_report
from sop.core import schema
from sop.core.tables import schema_markdown
from sop.data.demo import write_demo
from sop.data.mapping import ReadOptions, parse_maps
from sop.data.readers import read_dir, read_files
from sop.data.validate import Report, validate_raw
from sop.store import ROOT, Store
from sop.store import forecasts as forecast_store

DEMO_DIR = ROOT / "data" / "demo"
SCALE_REGIONS = 8  # `demo --skus N` without --regions
DIR_HELP = (
    "folder of table files named after the data model's tables (sales.csv, products.xlsx, "
    "capacity.parquet, .csv.gz, ...; see docs/data-model.md), or one file: a workbook with a "
    "sheet per table, or a .zip of table files"
)
MAP_HELP = (
    "read the file's column HEADER as the model's COLUMN of TABLE, e.g. --map sales.Date=month "
    "(repeat for more; headers compare without case and spaces)"
)
DOC_MARKER = "<!-- generated from sop/core/schema.py by `python -m sop schema-doc --write` -->"


def read_options(args: argparse.Namespace) -> ReadOptions:
    """The --map and --dayfirst / --monthfirst options (ValueError: a bad --map)."""
    return ReadOptions(
        maps=parse_maps(getattr(args, "map", None) or []),
        dayfirst=getattr(args, "dayfirst", None),
    )


def dataset_name(args: argparse.Namespace) -> str:
    """--name, else the folder's name (a file's name without its suffix)."""
    folder = Path(args.dir).resolve()
    return getattr(args, "name", None) or (folder.stem if folder.is_file() else folder.name)


def _read(path: Path) -> tuple[dict, list]:
    """The tables of a folder, or of one file (a workbook, a zip), as read (as
    `validate_dir` reads them), with the findings of the reading."""
    if path.is_file():
        return read_files({path.name: path.read_bytes()})
    return read_dir(path)


def _checked(args: argparse.Namespace) -> Report | None:
    """The folder (or file) validated as the options say, with the column mapping
    saved for the company (`sop.cli.saved_maps`); None after saying what is wrong with
    a --map or --mapping-of option. When columns are missing, says what to do."""
    try:
        options = read_options(args)
    except ValueError as exc:
        print(f"ERROR    {exc}", file=sys.stderr)
        return None
    raw, found = _read(Path(args.dir))
    try:
        saved = saved_maps.lookup(args, raw, dataset_name(args))
    except ValueError as exc:
        print(f"ERROR    {exc}", file=sys.stderr)
        return None
    options = replace(options, saved=saved.maps, saved_for=saved.company)
    report = validate_raw(raw, found, None, options)
    print_report(report, str(args.dir))
    for line in saved_maps.advice(report, raw, saved, options.maps, args):
        print(textwrap.fill(line, width=100, break_on_hyphens=False, break_long_words=False))
    return report


def validate(args: argparse.Namespace) -> int:
    report = _checked(args)
    if report is None:
        return 2
    return 0 if report.ok else 1


def load(args: argparse.Namespace) -> int:
    report = _checked(args)
    if report is None:
        return 2
    if not report.ok:
        print(
            "Nothing was loaded; the store is unchanged. Fix the errors above and run load again."
        )
        return 1
    store = Store(args.store)
    name = dataset_name(args)
    version = store.load(report.tables, name=name, source=str(Path(args.dir).resolve()))
    print(f"Loaded `{name}` as dataset version {version} into {store.path}; it is now active.")
    return 0


def write_scale(out: Path, n_skus: int, n_regions: int, seed: int) -> dict[str, Path]:
    """Write the made-up company of `sop.supply.synthetic.scale_dataset` (n_skus x
    n_regions, with a loaded consensus plan) to `<out>/<table>.parquet`; returns the paths.
    For trying the app and the benches at a size: `python -m sop demo --skus 20000`."""
    # Lazy: the supply package is not needed by the other data commands.
    from sop.supply.synthetic import scale_dataset

    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, df in scale_dataset(n_skus, n_regions, seed=seed).items():
        paths[name] = out / f"{name}.parquet"
        df.to_parquet(paths[name], engine="pyarrow", index=False, compression="zstd")
    return paths


def demo(args: argparse.Namespace) -> int:
    skus = getattr(args, "skus", None)
    regions = getattr(args, "regions", None)
    seed = getattr(args, "seed", None)
    if skus is None and regions is not None:
        print("ERROR    --regions needs --skus: the demo has its own 4 regions.", file=sys.stderr)
        return 2
    if skus is not None and (skus < 1 or (regions is not None and regions < 1)):
        print("ERROR    --skus and --regions must each be 1 or more.", file=sys.stderr)
        return 2
    out = args.out or (DEMO_DIR if skus is None else ROOT / "data" / f"scale-{skus}")
    if skus is None:
        paths = write_demo(out, seed=7 if seed is None else seed)
    else:
        regions = SCALE_REGIONS if regions is None else regions
        paths = write_scale(Path(out), skus, regions, 1 if seed is None else seed)
    size = sum(p.stat().st_size for p in paths.values())
    print(f"Wrote {len(paths)} tables ({size / 1e6:.2f} MB) to {out}.")
    if args.load:
        name = "demo" if skus is None else Path(out).name
        return load(argparse.Namespace(dir=out, name=name, store=args.store))
    return 0


def datasets(args: argparse.Namespace) -> int:
    df = Store(args.store).datasets()
    if df.empty:
        print("No dataset loaded yet.")
        return 0
    print(df.to_string(index=False))
    return 0


def restore(args: argparse.Namespace) -> int:
    Store(args.store).activate(args.version)
    print(f"Dataset version {args.version} is active again.")
    return 0


def ensure_demo(args: argparse.Namespace) -> int:
    """Used by `make run`: load the demo if no dataset is loaded, and forecast the
    active dataset if it has no stored forecast, so every page has data to show."""
    store = Store(args.store)
    if store.active() is None:
        if not (DEMO_DIR / f"{schema.SALES}.parquet").exists():
            demo(argparse.Namespace(out=DEMO_DIR, seed=7, load=False, store=args.store))
        code = load(argparse.Namespace(dir=DEMO_DIR, name="demo", store=args.store))
        if code:
            return code
    if forecast_store.find_run(store, store.active().version) is not None:
        return 0
    print("First start: forecasting the demand of the active dataset (about 20 s)…")
    defaults = argparse.ArgumentParser()
    forecast.add_arguments(defaults)
    return forecast.run(defaults.parse_args([], argparse.Namespace(store=store.path)))


def schema_doc(args: argparse.Namespace) -> int:
    body = schema_markdown()
    if not args.write:
        print(body)
        return 0
    doc = ROOT / "docs" / "data-model.md"
    head = doc.read_text().split(DOC_MARKER)[0] if doc.exists() else "# Data model\n\n"
    doc.write_text(f"{head}{DOC_MARKER}\n\n{body}")
    print(f"Wrote {doc}")
    return 0


def add_read_options(s: argparse.ArgumentParser) -> None:
    """--map TABLE.HEADER=COLUMN (repeatable) and --dayfirst / --monthfirst."""
    s.add_argument("--map", action="append", metavar="TABLE.HEADER=COLUMN", help=MAP_HELP)
    order = s.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="dayfirst",
        action="store_const",
        const=True,
        default=None,
        help="read dates like 03/04/2024 as day/month/year (3 April)",
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_const",
        const=False,
        help="read dates like 03/04/2024 as month/day/year (4 March)",
    )


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """The data commands, in the order `python -m sop --help` lists them."""
    s = add_parser("validate", help="check a folder of table files; change nothing")
    s.add_argument("dir", type=Path, help=DIR_HELP)
    add_read_options(s)
    saved_maps.add_options(s)
    s.set_defaults(func=validate)
    s = add_parser("load", help="validate a folder, then make it the active dataset")
    s.add_argument("dir", type=Path, help=DIR_HELP)
    s.add_argument("--name", help="dataset name (default: the folder or file name)")
    add_read_options(s)
    saved_maps.add_options(s)
    s.set_defaults(func=load)
    s = add_parser(
        "demo",
        help="write the deterministic demo dataset (--skus N: a made-up company of N SKUs)",
    )
    s.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder to write the table files into (default: data/demo; with --skus N: "
        "data/scale-N)",
    )
    s.add_argument(
        "--seed",
        type=int,
        default=None,
        help="random seed; the same seed writes the same data (default: 7; with --skus: 1)",
    )
    s.add_argument(
        "--skus",
        type=int,
        help="instead of the demo, write a made-up company of this many SKUs, 25 families, "
        "24 months of sales and a loaded consensus plan for the next 18 months (for "
        "trying the app at a size; 20000 SKUs: about 7 million rows)",
    )
    s.add_argument(
        "--regions",
        type=int,
        help=f"with --skus: the regions each SKU is sold in (default: {SCALE_REGIONS})",
    )
    s.add_argument("--load", action="store_true", help="also load it into the store")
    s.set_defaults(func=demo)
    s = add_parser(
        "ensure-demo",
        help="what `make run` does first: load the demo "
        "dataset if the store is empty, and forecast the active dataset if "
        "it has no stored forecast",
    )
    s.set_defaults(func=ensure_demo)
    s = add_parser("datasets", help="list the dataset versions kept in the store")
    s.set_defaults(func=datasets)
    s = add_parser("restore", help="make an earlier dataset version active again")
    s.add_argument(
        "version", type=int, help="the version number, as listed by `python -m sop datasets`"
    )
    s.set_defaults(func=restore)
    s = add_parser("schema-doc", help="print the data model as Markdown")
    s.add_argument("--write", action="store_true", help="refresh docs/data-model.md")
    s.set_defaults(func=schema_doc)
