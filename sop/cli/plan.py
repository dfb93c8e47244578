"""`python -m sop plan`: demand -> constrained supply plan, written as JSON.

`python -m sop plan [--data DIR] [--out FILE] [--<policy setting> ...]` plans the
dataset in DIR (validated first, read as `load` reads it: `sop.cli.folder`) or,
without --data, the active dataset of the store. Demand is the consensus demand
plan: the dataset's loaded `consensus` table when it has one; otherwise the store's
stored forecast + overrides (`sop.demand.consensus.demand_plan`); for a folder
without a consensus, a statistical forecast is run first
(`sop.demand.engine.run_forecast`, minutes on a real dataset).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sop.cli import folder
from sop.core import schema
from sop.data.defaults import complete
from sop.demand import sources
from sop.finance import kpis
from sop.store import Store
from sop.supply import settings
from sop.supply.export import result_json, summary
from sop.supply.plan import solve_plan
from sop.supply.policy import END_UNITS, SupplyPolicy, UnitPairs, field_help, parse_units

HELP = (
    "demand -> constrained supply plan (LP with HiGHS); "
    "writes the plan, cost breakdown and KPIs as JSON"
)


OUT_HELP = (
    "write the plan as JSON here (default: JSON on standard output, the summary on standard error)"
)


def add_arguments(
    p: argparse.ArgumentParser, out_help: str = OUT_HELP, out_required: bool = False
) -> None:
    """--data (and how to read it: `folder.add_options`), --out and one option per
    `SupplyPolicy` field (`--backlog-cost-pct 5`). `scenario` and `goal` take the same
    options, with --out saying what they write (`out_help`; `goal` needs it:
    `out_required`)."""
    p.add_argument(
        "--data",
        type=Path,
        help="dataset folder, read as `load` reads it (default: the active dataset of the store)",
    )
    folder.add_options(p)
    p.add_argument("--out", type=Path, required=out_required, help=out_help)
    g = p.add_argument_group("plan settings (SupplyPolicy)")
    for name, (text, choices, default) in field_help().items():
        flag = "--" + name.replace("_", "-")
        help_ = (
            f"{text} Default: the store's plan settings of record (set on the Supply "
            f"page), else {default}."
        ).replace("%", "%%")
        if isinstance(default, tuple):
            g.add_argument(
                flag, dest=name, type=_units, default=None, metavar="FAMILY=UNITS,...", help=help_
            )
        elif isinstance(default, bool):
            g.add_argument(
                flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_
            )
        else:
            g.add_argument(
                flag,
                dest=name,
                type=type(default),
                default=None,
                choices=choices or None,
                help=help_,
            )


def _units(text: str) -> UnitPairs:
    """--ending-units Cooling=500,Heating=200, refused by argparse (exit 2) with why."""
    try:
        return parse_units(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def given_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The plan settings flags given on the command line, as `SupplyPolicy` fields
    (`plan`, `scenario` and `goal` lay them over the settings of record).
    --ending-units without --ending-inventory means `--ending-inventory units`."""
    given = {k: getattr(args, k) for k in field_help() if getattr(args, k, None) is not None}
    if given.get("ending_units") and "ending_inventory" not in given:
        given["ending_inventory"] = END_UNITS
    return given


def policy_from_args(args: argparse.Namespace) -> SupplyPolicy:
    """The settings flags given, on top of the store's plan settings of record (the
    defaults with --data, which plans a folder outside the store)."""
    base = SupplyPolicy()
    if getattr(args, "data", None) is None:
        base = settings.current_policy(Store(getattr(args, "store", None)))[0]
    return base.replace(**given_settings(args))


def policy_problem(args: argparse.Namespace) -> str | None:
    """The plan settings flags that are out of range, worded with the flags' names."""
    problems = policy_from_args(args).problems()
    if not problems:
        return None
    for name in field_help():
        problems = [re.sub(rf"\b{name}\b", "--" + name.replace("_", "-"), p) for p in problems]
    return "Invalid plan settings: " + "; ".join(problems) + ". See `python -m sop plan --help`."


def ending_problem(policy: SupplyPolicy, tables: dict) -> str | None:
    """--ending-units naming a family the dataset does not have (it would change nothing)."""
    if policy.ending_inventory != END_UNITS:
        return None
    known = set(tables[schema.PRODUCTS][schema.FAMILY].astype(str))
    gone = sorted(set(dict(policy.ending_units)) - known)
    if not gone:
        return None
    return (
        f"--ending-units: there is no family {', '.join(map(repr, gone))} in this dataset "
        f"(families: {', '.join(sorted(known))})."
    )


def run(args: argparse.Namespace) -> int:
    """0 with a plan, 1 when there is none (said why), 2 bad settings or data."""
    err = sys.stderr
    if why := policy_problem(args):
        print(f"ERROR    {why}", file=err)
        return 2
    policy = policy_from_args(args)
    t0 = time.perf_counter()
    if args.data is not None:
        try:  # as `load` reads a folder: --map, the mapping saved in the app
            got = folder.check(args, Path(args.data))
        except ValueError as exc:
            print(f"ERROR    {exc}", file=err)
            return 2
        for note in got.notes:
            print(f"WARNING  {note}", file=err)
        if not got.report.ok:
            for f in got.report.errors:
                print(f"ERROR    {f.message}", file=err)
            for line in got.advice:
                print(folder.wrapped(line), file=err)
            print(f"{args.data} has errors; fix them and run plan again.", file=err)
            return 2
        tables = complete(got.report.tables)
        if why := ending_problem(policy, tables):
            print(f"ERROR    {why}", file=err)
            return 2
        meta = {"dataset": str(Path(args.data).resolve())}
        demand = sources.demand_from_tables(tables, policy.horizon)
        source = "loaded consensus"
        if demand is None:
            demand, source = sources.demand_by_forecasting(tables, policy.horizon), "forecast"
    else:
        store = Store(args.store)
        info = store.active()
        if info is None:
            print(
                "No dataset is loaded: run `python -m sop load DIR` or pass --data DIR.", file=err
            )
            return 1
        tables = complete(store.tables(info.version))
        if why := ending_problem(policy, tables):
            print(f"ERROR    {why}", file=err)
            return 2
        meta = {"dataset": info.name, "dataset_version": info.version}
        try:
            demand = sources.demand_from_store(store, info.version, policy.horizon)
        except sources.NoDemand as exc:
            print(f"{exc} Demand must be forecast before supply can be planned.", file=err)
            return 1
        source = str(demand[schema.SOURCE].iloc[0]) if len(demand) else "empty"
    currency = (
        str(tables[schema.COMPANY][schema.CURRENCY].iloc[0])
        if schema.COMPANY in tables and len(tables[schema.COMPANY])
        else "EUR"
    )
    result = solve_plan(demand, tables, policy)
    meta |= {
        "currency": currency,
        "demand_source": source,
        "demand_rows": len(demand),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    k = kpis.plan_kpis(result, tables[schema.PRODUCTS]) if result.ok else {}
    blob = json.dumps(result_json(result, meta, k), indent=1, allow_nan=False)
    said = kpis.summary(k, currency, kpis.binding_kinds(result)) if result.ok else ""
    text = summary(result, currency, k, said)
    if args.out is not None:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(blob)
        print(text + f"\nWrote {args.out}.")
    else:
        print(blob)
        print(text, file=err)
    return 0 if result.ok else 1


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    s = add_parser("plan", help=HELP)
    add_arguments(s)
    s.set_defaults(func=run)
