"""`python -m sop scenario`: evaluate a levers file headlessly and write the KPIs as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sop.cli import folder, plan
from sop.core import configfile, fmt, schema
from sop.data.defaults import complete
from sop.demand import sources
from sop.finance.kpi_text import delta_text
from sop.finance.kpis import kpi_table
from sop.scenario.evaluate import Evaluation, evaluate, scenario_bridge
from sop.scenario.lever_space import space_for
from sop.scenario.levers import Levers
from sop.store import Store
from sop.supply.export import records

HELP = (
    "evaluate a levers file (TOML or JSON) against the "
    "baseline; writes the KPIs, margin bridge and risk ranges as JSON"
)


OUT_HELP = (
    "write the scenario's KPIs, margin bridge and risk ranges as JSON here (default: JSON "
    "on standard output, the summary on standard error)"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """--levers, --no-risk, and the plan's --data, --out and policy flags."""
    p.add_argument(
        "--levers",
        type=Path,
        help="levers file, TOML or JSON, with the Scenarios "
        "page's names (scn_demand_pct = 5, ...); default: the baseline",
    )
    p.add_argument("--no-risk", action="store_true", help="skip the P10/P50/P90 ranges")
    plan.add_arguments(p, OUT_HELP)


LEVERS_DOC = "Lever names, units and ranges: docs/scenarios.md."


def read_levers(path: Path) -> Levers:
    """The levers of a .toml or .json file; ValueError with a plain message (the file,
    what is wrong, what to do) when it cannot be read or a lever is not valid."""
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ValueError(
            f"--levers {path}: a levers file's name ends in .toml or .json. {LEVERS_DOC}"
        )
    try:  # size, encoding, syntax, keys given twice, nesting: sop.core.configfile
        levers = Levers.from_file_text(configfile.read_bytes(path), suffix)
    except ValueError as exc:
        raise ValueError(f"--levers {path}: {exc}. {LEVERS_DOC}") from exc
    if problems := levers.problems():
        raise ValueError(f"--levers {path}: {configfile.bounded(problems)}. {LEVERS_DOC}")
    return levers


def unknown_names(
    levers: Levers, demand: pd.DataFrame, tables: dict[str, pd.DataFrame]
) -> list[str]:
    """Families, regions, lines, supplier caps and months the levers name that the plan
    lacks: such a lever would silently change nothing."""
    if levers == Levers() or demand.empty:
        return []
    s = space_for(demand, tables, Levers())
    return levers.unknown_names(s.families, s.regions, s.resources, s.months, s.suppliers)


def _inputs(
    args: argparse.Namespace, horizon: int
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict[str, Any]]:
    if args.data is not None:
        tables = complete(folder.tables(args, Path(args.data)))  # as `load` reads a folder
        demand = sources.demand_from_tables(tables, horizon)
        if demand is None:
            demand = sources.demand_by_forecasting(tables, horizon)
        return tables, demand, {"dataset": str(Path(args.data).resolve())}
    store = Store(args.store)
    info = store.active()
    if info is None:
        raise ValueError("No dataset is loaded: run `python -m sop load DIR` or pass --data.")
    tables = complete(store.tables(info.version))
    return (
        tables,
        sources.demand_from_store(store, info.version, horizon),
        {"dataset": info.name, "dataset_version": info.version},
    )


def result_json(
    ev: Evaluation, base: Evaluation, products: pd.DataFrame, meta: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        **meta,
        "levers": ev.levers.to_dict(),
        "levers_summary": ev.levers.describe(),
        "status": ev.plan.status,
        "explanation": ev.plan.explanation,
        "ms": round(ev.ms, 1),
    }
    if ev.ok and base.ok:
        out["kpis"] = records(kpi_table(ev.kpis, base.kpis, ev.budget))
        out["budget_months"] = ev.budget.get("months")
        out["margin_bridge"] = records(scenario_bridge(ev, base, products))
        if ev.risk is not None:
            out["risk"] = records(ev.risk.summary)
    return out


def run(args: argparse.Namespace) -> int:
    """0 with KPIs, 1 when the scenario has no plan (said why), 2 for bad input."""
    err = sys.stderr
    if why := plan.policy_problem(args):
        print(f"ERROR    {why}", file=err)
        return 2
    policy = plan.policy_from_args(args)
    try:
        levers = read_levers(args.levers) if args.levers else Levers()
        tables, demand, meta = _inputs(args, policy.horizon)
    except (OSError, ValueError, sources.NoDemand) as exc:
        print(f"ERROR    {exc}", file=err)
        return 2
    if why := plan.ending_problem(policy, tables):
        print(f"ERROR    {why}", file=err)
        return 2
    if unknown := unknown_names(levers, demand, tables):
        print(
            f"ERROR    --levers {args.levers}: {configfile.bounded(unknown)}. Such a lever "
            "would change nothing; fix the name or remove it.",
            file=err,
        )
        return 2
    base = evaluate(demand, tables, Levers(), policy, with_risk=False)
    ev = evaluate(demand, tables, levers, policy, with_risk=not args.no_risk)
    currency = (
        str(tables[schema.COMPANY][schema.CURRENCY].iloc[0])
        if schema.COMPANY in tables and len(tables[schema.COMPANY])
        else "EUR"
    )
    blob = json.dumps(
        result_json(ev, base, tables[schema.PRODUCTS], meta | {"currency": currency}),
        indent=1,
        allow_nan=False,
        default=str,
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(blob)
    else:
        print(blob)
    if not ev.ok:
        print(f"No plan for this scenario: {ev.plan.explanation}", file=err)
        return 1
    k = ev.kpis
    on_time_change = delta_text("on_time_rate", k["on_time_rate"] - base.kpis["on_time_rate"])
    print(
        f"Scenario ({levers.describe()}): revenue {fmt.money(k['revenue'], currency)} "
        f"({fmt.money_delta(k['revenue'] - base.kpis['revenue'], currency)} vs baseline), "
        f"gross margin {fmt.money(k['gross_margin'], currency)} "
        f"({fmt.money_delta(k['gross_margin'] - base.kpis['gross_margin'], currency)}), "
        f"fill rate {fmt.pct(k['fill_rate'])}, on time {fmt.pct(k['on_time_rate'])} "
        f"({on_time_change or 'no change'} vs baseline), "
        f"late {fmt.units(k['late_units'])} ({fmt.money(k['late_value'], currency)}), "
        f"{fmt.units(k['late_unit_months'], 'unit-months')} in all; "
        f"evaluated in {ev.ms:.0f} ms" + (f"; wrote {args.out}" if args.out else "") + ".",
        file=err,
    )
    return 0


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    s = add_parser("scenario", help=HELP)
    add_arguments(s)
    s.set_defaults(func=run)
