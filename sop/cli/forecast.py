"""`python -m sop forecast`: the statistical forecast as a batch, stored for the app.

Without `--data` it forecasts the store's active dataset. With `--data DIR` it
first validates DIR and loads it as a new dataset version (it becomes active), read
as `load` reads it (`sop.cli.folder`: --map, the column mapping saved in the app),
then forecasts it: results are stored against a dataset version, so a folder
is only forecast into the store by loading it. A run already stored for the
dataset and settings is reused unless `--force` is given.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from sop.cli import folder
from sop.cli.report import print_report
from sop.core import schema
from sop.data.defaults import complete
from sop.demand import accuracy, consensus, metrics, reconcile
from sop.demand.engine import LEVELS, ForecastSettings
from sop.demand.executors import ClusterError, DaskCluster, Executor
from sop.store import Store
from sop.store import forecasts as forecast_store

HELP = (
    "fit the statistical forecast of every series and "
    "store it for the app (the active dataset, or --data DIR loaded first)"
)


ENGINES = ("local", "dask")


def workers(text: str) -> int:
    """`--workers`: a whole number of processes, 1 or more."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of processes: give 1 or "
            "more, or leave it out to use every core"
        )
    return n


def add_engine_arguments(s: argparse.ArgumentParser) -> None:
    """--workers, --engine, --scheduler (also `python -m sop backtest`'s)."""
    s.add_argument(
        "--workers",
        type=workers,
        default=None,
        help="processes, 1 or more (default: all cores); with --engine dask and no "
        "--scheduler, the processes of the local Dask cluster",
    )
    s.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="where the series are fitted: this machine's processes (local, the default) "
        "or a Dask cluster (dask; docs/scaling.md)",
    )
    s.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="with --engine dask: the Dask scheduler, e.g. tcp://host:8786 (default: a "
        "local Dask cluster of --workers processes)",
    )


def executor_from(args: argparse.Namespace) -> Executor | None:
    """The executor `--engine`/`--scheduler`/`--workers` ask for (None: the default local
    processes). Raises ClusterError for --scheduler without --engine dask."""
    engine = getattr(args, "engine", "local")
    scheduler = getattr(args, "scheduler", None)
    if engine == "local":
        if scheduler:
            raise ClusterError("--scheduler needs --engine dask")
        return None
    if scheduler and args.workers is not None:
        print("Note: --workers is ignored with --scheduler (the cluster's workers are used).")
    return DaskCluster(scheduler, args.workers)


def add_arguments(s: argparse.ArgumentParser) -> None:
    """--data (and how to read it: `folder.add_options`), --level, --horizon,
    --no-promotions, --reconcile, --workers, --engine, --scheduler, --force."""
    d = ForecastSettings()
    s.add_argument(
        "--data",
        type=Path,
        default=None,
        help="validate and load this folder first (a new active dataset version), read as "
        "`load` reads it",
    )
    folder.add_options(s)
    s.add_argument(
        "--level",
        choices=LEVELS,
        default=d.level,
        help=f"level the models are fitted at (default: {d.level})",
    )
    s.add_argument(
        "--horizon",
        type=int,
        default=d.horizon,
        help=f"months after the as-of month (default: {d.horizon})",
    )
    s.add_argument("--no-promotions", action="store_true", help="ignore the promotions table")
    s.add_argument(
        "--reconcile",
        choices=reconcile.METHODS,
        default=d.reconcile,
        help=f"how the levels are made to add up (default: {d.reconcile}; "
        "see docs/forecast-engine.md)",
    )
    add_engine_arguments(s)
    s.add_argument(
        "--force", action="store_true", help="refit even when a run with these settings is stored"
    )


def settings_from(args: argparse.Namespace) -> ForecastSettings:
    return ForecastSettings(
        level=args.level,
        horizon=args.horizon,
        use_promotions=not args.no_promotions,
        reconcile=args.reconcile,
    )


def _summary(store: Store, run: forecast_store.RunInfo) -> None:
    series, fam = consensus.accuracy_tables(
        store, run.run_id, complete(store.tables(run.dataset_version))
    )
    shown = fam[[schema.FAMILY, accuracy.N_SERIES, accuracy.N_BACKTESTED]].copy()
    for c in (metrics.WAPE, accuracy.SNAIVE_WAPE, metrics.BIAS, accuracy.FVA_SNAIVE):
        shown[c] = fam[c].map(lambda x: "-" if x != x else f"{100 * x:.1f}%")
    shown[metrics.MASE] = fam[metrics.MASE].map(lambda x: "-" if x != x else f"{x:.2f}")
    print(
        "\nBacktest accuracy (WAPE, bias: units-weighted; FVA = share of the seasonal-naive "
        "error removed):"
    )
    print(shown.to_string(index=False))
    flags = series[accuracy.FLAG].value_counts()
    print("\nSeries by flag: " + ", ".join(f"{k} {v}" for k, v in flags.items()))


def run(args: argparse.Namespace) -> int:
    """0 when a forecast is stored (or already was), 1 when it cannot be made (said why)."""
    store = Store(args.store)
    settings = settings_from(args)
    try:
        settings.check()
    except ValueError as exc:
        print(f"ERROR    {exc}")
        return 1
    try:
        executor = executor_from(args)
    except ClusterError as exc:
        print(f"ERROR    {exc}")
        return 2
    if args.data is not None:
        name = folder.name_of(args.data)
        try:  # as `load` reads a folder: --map, the mapping saved in the app
            got = folder.check(args, Path(args.data), name)
        except ValueError as exc:
            print(f"ERROR    {exc}")
            return 2
        print_report(got.report, str(args.data))
        for line in got.advice:
            print(folder.wrapped(line))
        if not got.report.ok:
            print("Nothing was loaded or forecast; the store is unchanged.")
            return 1
        version = store.load(got.report.tables, name=name, source=str(Path(args.data).resolve()))
        print(f"Loaded {args.data} as dataset version {version}; it is now active.")
    return fit_active(store, settings, args.workers, args.force, executor)


def fit_active(
    store: Store,
    settings: ForecastSettings,
    workers: int | None = None,
    force: bool = False,
    executor: Executor | None = None,
) -> int:
    """Fit and store the forecast of the store's active dataset with a tqdm bar (0), or
    say why it cannot be made (1) or why the cluster cannot run it (2); a run already
    stored with `settings` is reused unless `force`. `executor`: where the series run
    (default: `workers` processes of this machine)."""
    info = consensus.dataset(store)
    old = forecast_store.find_run(store, info.version, settings.key())
    if old is not None and not force:
        print(
            f"A forecast with these settings is already stored for `{info.name}` v"
            f"{info.version} (run {old.run_id}, made {old.created_at:%Y-%m-%d %H:%M} UTC); "
            "the app uses it. Add --force to fit it again."
        )
        return 0
    print(
        f"Forecasting `{info.name}` v{info.version} (actuals to {info.as_of:%b %Y}) at "
        f"level {settings.level}, {settings.horizon} months ahead…"
    )
    bars: list[tqdm] = []

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="series", desc="forecast"))
        bars[0].n = done
        bars[0].refresh()

    try:
        result = consensus.run_and_store(store, settings, info.version, workers, progress, executor)
    except ClusterError as exc:
        print(f"ERROR    {exc}")
        return 2
    except ValueError as exc:
        print(f"ERROR    {exc}")
        return 1
    finally:
        for b in bars:
            b.close()
    print(
        f"Stored run {result.run_id}: {result.n_series} series in {result.seconds:.1f} s "
        f"into {store.path}."
    )
    _summary(store, result)
    return 0


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    s = add_parser("forecast", help=HELP)
    add_arguments(s)
    s.set_defaults(func=run)
