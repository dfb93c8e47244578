"""The data commands: validate, load, demo, ensure-demo, datasets, restore, schema-doc."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sop.cli import folder, forecast, saved_maps
from sop.cli.report import print_report
from sop.core import schema
from sop.core.tables import schema_markdown
from sop.data.demo import write_demo
from sop.data.validate import Report
from sop.store import ROOT, Store
from sop.store import forecasts as forecast_store

DEMO_DIR = ROOT / "data" / "demo"
SCALE_REGIONS = 8  # `demo --skus N` without --regions
DIR_HELP = (
    "folder of table files named after the data model's tables (sales.csv, products.xlsx, "
    "capacity.parquet, .csv.gz, ...; see docs/data-model.md), or one file: a workbook with a "
    "sheet per table, or a .zip of table files"
)
DOC_MARKER = "<!-- generated from sop/core/schema.py by `python -m sop schema-doc --write` -->"


def dataset_name(args: argparse.Namespace) -> str:
    """--name, else the folder's name (a file's name without its suffix)."""
    return folder.name_of(args.dir, getattr(args, "name", None))


def _checked(args: argparse.Namespace) -> Report | None:
    """The folder (or file) validated as the options say, with the column mapping
    saved for the company (`sop.cli.folder.check`); None after saying what is wrong
    with a --map or --mapping-of option. When columns are missing, says what to do."""
    try:
        got = folder.check(args, Path(args.dir), dataset_name(args))
    except ValueError as exc:
        print(f"ERROR    {exc}", file=sys.stderr)
        return None
    print_report(got.report, str(args.dir))
    for line in got.advice:
        print(folder.wrapped(line))
    return got.report


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


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """The data commands, in the order `python -m sop --help` lists them."""
    s = add_parser("validate", help="check a folder of table files; change nothing")
    s.add_argument("dir", type=Path, help=DIR_HELP)
    folder.add_read_options(s)
    saved_maps.add_options(s)
    s.set_defaults(func=validate)
    s = add_parser("load", help="validate a folder, then make it the active dataset")
    s.add_argument("dir", type=Path, help=DIR_HELP)
    s.add_argument("--name", help="dataset name (default: the folder or file name)")
    folder.add_read_options(s)
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
