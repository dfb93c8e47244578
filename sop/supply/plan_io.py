"""Supply plans in and out: where the demand comes from, JSON export, the `plan` command.

`python -m sop plan [--data DIR] [--out FILE] [--<policy setting> ...]` plans the
dataset in DIR (validated first) or, without --data, the active dataset of the
store. Demand is the consensus demand plan: the dataset's loaded `consensus`
table when it has one; otherwise the store's stored forecast + overrides
(`sop.demand.demand_plan`); for a folder without a consensus, a statistical
forecast is run first (`sop.engine.run_forecast`, minutes on a real dataset).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.data.validate import as_of_month
from sop.demand.plan import (
    PLAN_COLUMNS,
    SOURCE_FORECAST,
    has_loaded_consensus,
    loaded_consensus,
    plan_months,
)
from sop.supply import explain as supply_explain
from sop.supply.plan import PlanResult, solve_plan
from sop.supply.policy import SupplyPolicy, field_help

FRAMES = ("costs", "family_plan", "resource_use", "bottlenecks", "shortfalls", "sku_plan")


class NoDemand(RuntimeError):
    """No demand plan can be had for the dataset; the message says what to run."""


def demand_from_tables(tables: dict[str, pd.DataFrame], horizon: int) -> pd.DataFrame | None:
    """The dataset's loaded consensus as a demand plan, or None when it has none."""
    if not has_loaded_consensus(tables):
        return None
    return loaded_consensus(tables, plan_months(as_of_month(tables), horizon))


def demand_from_store(store: Any, version: int | None, horizon: int) -> pd.DataFrame:
    """The store's consensus demand plan; NoDemand (with what to run) when there is none."""
    from sop.demand.plan import DemandNotReady, demand_plan

    try:
        return demand_plan(store, version, horizon)
    except DemandNotReady as exc:
        raise NoDemand(str(exc)) from exc


def demand_by_forecasting(tables: dict[str, pd.DataFrame], horizon: int) -> pd.DataFrame:
    """Run the statistical forecast (no overrides) and return it as a demand plan."""
    from tqdm import tqdm

    from sop.demand.engine import ForecastSettings, run_forecast

    with tqdm(desc="Forecasting demand", unit="series", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        values = run_forecast(tables, ForecastSettings(horizon=horizon), progress=progress).values
    fam = tables[schema.PRODUCTS].drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
    plan = values.assign(
        **{
            schema.UNITS: values[schema.P50],
            schema.FORECAST_UNITS: values[schema.P50],
            schema.FAMILY: values[schema.SKU].map(fam),
            schema.SOURCE: SOURCE_FORECAST,
        }
    )
    return plan[PLAN_COLUMNS].sort_values(
        [schema.MONTH, schema.SKU, schema.REGION], ignore_index=True
    )


def _clean(v: Any) -> Any:
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        return None if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m")
    if isinstance(v, (np.floating, float)):
        return None if not math.isfinite(float(v)) else round(float(v), 6)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: months as YYYY-MM, NaN/inf as null."""
    cols = list(df.columns)
    return [{c: _clean(v) for c, v in zip(cols, row)} for row in df.itertuples(index=False)]


def result_json(result: PlanResult, meta: dict[str, Any]) -> dict[str, Any]:
    """Everything about a plan as one JSON-ready dict (meta first: dataset, demand source)."""
    out = dict(meta)
    out |= {
        "status": result.status,
        "explanation": result.explanation,
        "notes": result.notes,
        "policy": result.policy.as_dict(),
        "kpis": {k: _clean(v) for k, v in result.kpis.items()},
    }
    out |= {name: records(getattr(result, name)) for name in FRAMES}
    return out


def add_plan_arguments(p: argparse.ArgumentParser) -> None:
    """--data, --out and one option per `SupplyPolicy` field (`--backlog-cost-pct 5`)."""
    p.add_argument(
        "--data", type=Path, help="dataset folder (default: the active dataset of the store)"
    )
    p.add_argument(
        "--out",
        type=Path,
        help="write the plan as JSON here (default: JSON on "
        "standard output, the summary on standard error)",
    )
    g = p.add_argument_group("plan settings (SupplyPolicy)")
    for name, (text, choices, default) in field_help().items():
        flag = "--" + name.replace("_", "-")
        help_ = (
            f"{text} Default: the store's plan settings of record (set on the Supply "
            f"page), else {default}."
        ).replace("%", "%%")
        if isinstance(default, bool):
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


def policy_from_args(args: argparse.Namespace) -> SupplyPolicy:
    """The settings flags given, on top of the store's plan settings of record (the
    defaults with --data, which plans a folder outside the store)."""
    given = {k: getattr(args, k) for k in field_help() if getattr(args, k, None) is not None}
    base = SupplyPolicy()
    if getattr(args, "data", None) is None:
        from sop.store import Store, settings

        base = settings.current_policy(Store(getattr(args, "store", None)))[0]
    return base.replace(**given)


def summary(result: PlanResult, currency: str) -> str:
    """A few lines for the terminal: status, KPIs, top bottlenecks and shortfalls."""
    lines = [f"Status: {result.status}. {result.explanation}"]
    if result.ok:
        k = result.kpis
        lines.append(
            f"Overtime {k['overtime_hours']:,.0f} h; subcontracted "
            f"{fmt.units(k['subcontract_units'])}; hires {k['hires']:,.1f}; "
            f"LP {k['rows']:,} rows x {k['columns']:,} columns, solved in "
            f"{k['solve_ms']:,.0f} ms."
        )
        for b in result.bottlenecks.head(5).itertuples(index=False):
            lines.append(
                f"  bottleneck {b.resource} {fmt.month(b.month)}: "
                f"{supply_explain.money(b.shadow_price, currency)}/{b.per}. "
                f"{b.lever}"
            )
        for why in result.shortfalls["why"].head(5):
            lines.append(f"  shortfall: {why}")
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(lines)


def run_plan(args: argparse.Namespace) -> int:
    """The `plan` command: 0 with a plan, 1 when there is none (said why), 2 bad data."""
    from sop.data.validate import validate_dir
    from sop.store import Store

    err = sys.stderr
    policy = policy_from_args(args)
    t0 = time.perf_counter()
    if args.data is not None:
        report = validate_dir(args.data)
        if not report.ok:
            for f in report.errors:
                print(f"ERROR    {f.message}", file=err)
            print(f"{args.data} has errors; fix them and run plan again.", file=err)
            return 2
        tables = report.tables
        meta = {"dataset": str(Path(args.data).resolve())}
        demand = demand_from_tables(tables, policy.horizon)
        source = "loaded consensus"
        if demand is None:
            demand, source = demand_by_forecasting(tables, policy.horizon), "forecast"
    else:
        store = Store(args.store)
        info = store.active()
        if info is None:
            print(
                "No dataset is loaded: run `python -m sop load DIR` or pass --data DIR.", file=err
            )
            return 1
        tables = store.tables(info.version)
        meta = {"dataset": info.name, "dataset_version": info.version}
        try:
            demand = demand_from_store(store, info.version, policy.horizon)
        except NoDemand as exc:
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
    blob = json.dumps(result_json(result, meta), indent=1, allow_nan=False)
    text = summary(result, currency)
    if args.out is not None:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(blob)
        print(text + f"\nWrote {args.out}.")
    else:
        print(blob)
        print(text, file=err)
    return 0 if result.ok else 1
