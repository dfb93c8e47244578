"""`python -m sop goal`: the lever set with the best margin that meets a targets file.

Reads a goal file (targets and the levers allowed, `sop.goal.files`, docs/goal-seek.md),
solves it on the consensus demand and plan settings of the store's active dataset (or
the dataset named by --dataset, or the folder --data), the way `python -m sop scenario`
evaluates a levers file, and writes the answer as a levers file that `python -m sop
scenario --levers` accepts. The report goes to standard output, progress to standard
error.

Exit codes: 0 every target met; 4 not every target can be met (the report gives the
best value each can reach and the limits that bind; --out still gets the closest lever
set, its targets included); 1 nothing to solve (no dataset, no demand, no starting
plan: said why); 2 bad input (every problem of the targets file listed); 3 a bug.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from sop.cli import plan, scenario
from sop.core import configfile, schema
from sop.data.defaults import complete
from sop.demand import sources
from sop.goal import files, least, supplier
from sop.goal.solve import INFEASIBLE, MET, GoalResult, solve_goal
from sop.goal.spec import LEVERS, GoalSpec
from sop.scenario.evaluate import prepare_demand
from sop.store import Store
from sop.supply import settings
from sop.supply.explain import cap_codes
from sop.supply.policy import SupplyPolicy
from sop.supply.targets import METRICS, Target

EXIT_INFEASIBLE = 4
HELP = (
    "goal seek: the levers with the best margin that meet a targets file; writes them "
    "as a levers file (exit 4 when the targets cannot all be met)"
)
GOAL_DOC = "The targets file's format: docs/goal-seek.md."
OUT_HELP = (
    "write the answer here as a levers file (.toml or .json) for `python -m sop scenario --levers`"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """--targets, --out, --dataset, --json, and the plan's --data and settings flags."""
    p.add_argument(
        "--targets",
        type=Path,
        required=True,
        help="targets file, TOML or JSON: [[targets]], [levers.NAME] (NAME: "
        f"{', '.join(LEVERS)}) and [start] (docs/goal-seek.md)",
    )
    p.add_argument(
        "--dataset",
        help="the store's dataset of this name (its newest version; default: the active one)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON instead of text")
    plan.add_arguments(p, OUT_HELP, out_required=True)


def _dataset(store: Store, name: str) -> tuple[int, str]:
    """(version, company) of the newest kept version of dataset `name`."""
    kept = store.datasets()
    rows = kept[kept["name"] == name]
    if rows.empty:
        names = sorted(set(kept["name"].astype(str)))
        near = difflib.get_close_matches(name, names, n=1)
        raise ValueError(
            f"--dataset: there is no dataset {configfile.clip(name, 60)!r} in the store"
            + (f" (did you mean {near[0]}?)" if near else "")
            + f"; kept: {', '.join(names) or 'none (run `python -m sop load DIR`)'}"
        )
    row = rows.sort_values("version").iloc[-1]
    return int(row["version"]), str(row["company"] or row["name"])


def _policy(args: argparse.Namespace, company: str) -> SupplyPolicy:
    """The settings flags on top of `company`'s plan settings of record (as
    `plan.policy_from_args` does for the active dataset's company)."""
    given = plan.given_settings(args)
    return settings.current_policy(Store(args.store), company)[0].replace(**given)


def _inputs(
    args: argparse.Namespace,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, SupplyPolicy, dict[str, Any]]:
    """Tables, consensus demand, plan settings and where they came from; ValueError
    for bad input, sources.NoDemand / LookupError when there is nothing to plan."""
    if args.dataset is None:
        if args.data is None and Store(args.store).active() is None:
            raise LookupError(
                "No dataset is loaded: run `python -m sop load DIR` or pass --data DIR."
            )
        policy = plan.policy_from_args(args)
        tables, demand, meta = scenario._inputs(args, policy.horizon)
        return tables, demand, policy, meta
    if args.data is not None:
        raise ValueError("give --data DIR or --dataset NAME, not both")
    store = Store(args.store)
    version, company = _dataset(store, args.dataset)
    policy = _policy(args, company)
    tables = complete(store.tables(version))
    demand = sources.demand_from_store(store, version, policy.horizon)
    return tables, demand, policy, {"dataset": args.dataset, "dataset_version": version}


def _lines(tables: dict[str, pd.DataFrame]) -> set[str]:
    res = tables.get(schema.RESOURCES)
    if res is not None and schema.KIND in res:
        return set(res.loc[res[schema.KIND] == schema.KIND_LINE, schema.RESOURCE].astype(str))
    return set(tables[schema.CAPACITY][schema.RESOURCE].astype(str))


def unknown(spec: GoalSpec, demand: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list[str]:
    """What the goal names that the plan lacks (targets, lever lines, families and
    supplier caps, the starting levers); the supplier lever on data without supplier caps."""
    months = sorted({f"{m:%Y-%m}" for m in pd.to_datetime(demand[schema.MONTH].unique())})
    fams = set(demand[schema.FAMILY].astype(str))
    caps = cap_codes(tables)
    out = files.unknown_names(spec, fams, _lines(tables), months, set(caps))
    if spec.lever(supplier.NAME) and not caps:
        out += supplier.refusals(spec, tables)
    return out + [f"start: {why}" for why in scenario.unknown_names(spec.start, demand, tables)]


_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>$~:&])")


def plain(text: str) -> str:
    """A sentence written for Markdown (names escaped by `fmt.md`) as plain text."""
    return _MD_ESCAPE.sub(r"\1", text)


def value_text(t: Target, v: float, money: str) -> str:
    """A target's figure with its unit: 'EUR 24,912,630', '97.5 %', '41.0 days'."""
    unit = METRICS[t.metric][1]
    if v != v:  # NaN: the plan has none of the target's months or family
        return "not measured"
    if unit == "money":
        return f"{money} {v:,.0f}"
    if unit == "share":
        return f"{100 * v:.1f} %"
    return f"{v:,.1f} {unit}"


# what a target's row counts, when it is not the figure itself (sop.supply.targets.rows)
ROW_UNIT = {
    "on_time_rate": "units delivered on time",
    "days_of_supply": "units of ending stock",
    "overtime_hours": "hours of overtime",
}


def worth_text(t: Target, worth: float, money: str) -> str:
    """What one more hour or unit of a binding limit adds to a target's row."""
    if METRICS[t.metric][1] == "money":
        return f"{money} {worth:,.2f} of {METRICS[t.metric][0].lower()}"
    return f"{worth:,.4g} {ROW_UNIT.get(t.metric, METRICS[t.metric][1])}"


def report(result: GoalResult, money: str, out: Path) -> str:
    """The readable report: status, targets, levers moved, limits."""
    lines = [f"Status: {result.status} ({result.message})"]
    lines.append(f"Solved {result.solves} plans in {result.seconds:.1f} s.")
    lines.append("Targets:")
    for t, v, ok in result.reached:
        lines.append(
            f"  {'met    ' if ok else 'MISSED '} {t.describe(money)}: reached "
            f"{value_text(t, v, money)}"
        )
    lines.append("Levers moved:" if result.moves else "Levers moved: none")
    lines += [f"  - {plain(m)}" for m in result.moves]
    lines += [f"Note: {plain(n)}" for n in result.notes]
    if result.status == INFEASIBLE:
        lines.append("Best each target can reach alone (every lever at the top of its range):")
        limits_of = {id(t): limits for t, limits in result.binding}
        for t, v in result.best:
            lines.append(f"  {t.describe(money)}: at best {value_text(t, v, money)}")
            limits = limits_of.get(id(t), [])
            if not limits:
                lines.append("    no line, labour pool or supply cap binds")
            for b in limits:
                months = b.first if b.first == b.last else f"{b.first} to {b.last}"
                lines.append(
                    f"    {b.name} ({b.kind}) is full in {months}; one more {b.per} there "
                    f"adds {worth_text(t, b.worth, money)}"
                )
        lines.append(f"Wrote the closest lever set (its targets missed) to {out}.")
    else:
        lines.append(f"Wrote the answer to {out}: `python -m sop scenario --levers {out}`.")
    return "\n".join(lines)


def report_json(result: GoalResult, meta: dict[str, Any]) -> dict[str, Any]:
    def target(t: Target) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(t).items() if v != ""}

    def number(v: float) -> float | None:
        return None if v != v else float(v)

    return {
        **meta,
        "status": result.status,
        "message": result.message,
        "seconds": round(result.seconds, 3),
        "solves": result.solves,
        "targets": [
            {**target(t), "reached": number(v), "met": bool(ok)} for t, v, ok in result.reached
        ],
        "moves": [plain(m) for m in result.moves],
        "notes": [plain(n) for n in result.notes],
        # the least supplier raise the targets alone need (`sop.goal.least`), % of the
        # starting scenario's caps; null without the supplier lever or a raise
        "supplier_need": None if result.need is None else need_json(result.need),
        "best": [{**target(t), "best": number(v)} for t, v in result.best],
        "binding": [
            {**target(t), "limits": [dataclasses.asdict(b) for b in limits]}
            for t, limits in result.binding
        ],
        "levers": result.levers.to_dict(),
    }


def need_json(need: least.Need) -> dict[str, Any]:
    """The least supplier raise as data: % of the starting scenario's cap (uniform over
    the plan's months `from` .. `to`), per cap the raise that plan needs, the
    best-margin answer's %, the caps, and the starting scenario's factor on the data's
    cap where it changed them."""
    return {
        "targets_alone_pct": need.pct,
        "best_margin_pct": need.best,
        "caps": list(need.caps),
        "from": need.span[0],
        "to": need.span[1],
        "per_cap": [{"cap": c, "from": a, "to": b, "pct": p} for c, a, b, p in need.uses],
        "basis": [
            {"cap": cap, "start_factor": k, "from": a, "to": b} for cap, k, a, b in need.basis
        ],
    }


def plan_currency(tables: dict[str, pd.DataFrame]) -> str:
    c = tables.get(schema.COMPANY)
    return str(c[schema.CURRENCY].iloc[0]) if c is not None and len(c) else "EUR"


def run(args: argparse.Namespace) -> int:
    """0 targets met, 4 not all can be met, 1 nothing to solve, 2 bad input."""
    err = sys.stderr
    out = Path(args.out)
    if out.suffix.lower() not in configfile.SUFFIXES:
        print(f"ERROR    --out {out}: a levers file's name ends in .toml or .json.", file=err)
        return 2
    if why := plan.policy_problem(args):
        print(f"ERROR    {why}", file=err)
        return 2
    try:
        spec = files.read_goal(args.targets)
    except files.GoalFileError as exc:
        print(f"ERROR    --targets {args.targets}: fix these and run again:", file=err)
        print("  - " + configfile.bounded(exc.problems, "\n  - "), file=err)
        print(GOAL_DOC, file=err)
        return 2
    except ValueError as exc:
        print(f"ERROR    --targets {args.targets}: {exc}. {GOAL_DOC}", file=err)
        return 2
    try:
        tables, demand, policy, meta = _inputs(args)
    except sources.NoDemand as exc:
        print(f"{exc} Demand must be forecast before a goal can be sought.", file=err)
        return 1
    except LookupError as exc:
        print(str(exc), file=err)
        return 1
    except ValueError as exc:
        print(f"ERROR    {exc}", file=err)
        return 2
    if why := plan.ending_problem(policy, tables):
        print(f"ERROR    {why}", file=err)
        return 2
    if bad := unknown(spec, demand, tables):
        print(f"ERROR    --targets {args.targets}: fix these and run again:", file=err)
        print("  - " + configfile.bounded(bad, "\n  - "), file=err)
        return 2
    money = plan_currency(tables)
    with tqdm(total=100, desc="Goal seek", unit="%", file=err, leave=False) as bar:

        def progress(f: float, text: str) -> None:
            bar.set_postfix_str(text, refresh=False)
            bar.update(max(0, round(100 * f) - bar.n))

        result = solve_goal(prepare_demand(demand), tables, policy, spec, progress)
    if result.status not in (MET, INFEASIBLE):
        print(f"No goal plan: {result.message}", file=err)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(files.file_text(result.levers.to_dict(), out.suffix), encoding="utf-8")
    if args.json:
        blob = report_json(result, meta | {"currency": money, "out": str(out)})
        print(json.dumps(blob, indent=1, allow_nan=False, ensure_ascii=False))
    else:
        print(report(result, money, out))
    return 0 if result.ok else EXIT_INFEASIBLE


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    s = add_parser("goal", help=HELP)
    add_arguments(s)
    s.set_defaults(func=run)
