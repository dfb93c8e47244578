"""A supply plan out of the program: JSON-ready records and a few lines of text."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sop.core import fmt
from sop.supply import explain as supply_explain
from sop.supply.notes import texts
from sop.supply.plan import PlanResult

FRAMES = ("costs", "family_plan", "resource_use", "bottlenecks", "shortfalls", "sku_plan")


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


def result_json(
    result: PlanResult, meta: dict[str, Any], kpis: Mapping[str, float]
) -> dict[str, Any]:
    """Everything about a plan as one JSON-ready dict (meta first: dataset, demand source).
    "kpis" holds `kpis` (the plan's KPIs, `sop.finance.kpis.plan_kpis`; {} without a
    plan) and the solver's figures (`PlanResult.stats`)."""
    out = dict(meta)
    out |= {
        "status": result.status,
        "explanation": result.explanation,
        "notes": texts(result.notes),
        "policy": result.policy.as_dict(),
        "kpis": {k: _clean(v) for k, v in {**kpis, **result.stats}.items()},
    }
    out |= {name: records(getattr(result, name)) for name in FRAMES}
    return out


def summary(
    result: PlanResult, currency: str, kpis: Mapping[str, float], headline: str = ""
) -> str:
    """A few lines for the terminal: status, `headline` (a sentence on the KPIs,
    `sop.finance.kpis.summary`), KPIs, top bottlenecks and shortfalls."""
    lines = [f"Status: {result.status}. {result.explanation}"]
    if result.ok:
        k, s = kpis, result.stats
        lines += [headline] if headline else []
        lines.append(
            f"Overtime {k['overtime_hours']:,.0f} h; subcontracted "
            f"{fmt.units(k['subcontract_units'])}; hires {k['hires']:,.1f}; "
            f"LP {s['rows']:,} rows x {s['columns']:,} columns, solved in "
            f"{s['solve_ms']:,.0f} ms."
        )
        for b in result.bottlenecks.head(5).itertuples(index=False):
            lines.append(
                f"  bottleneck {b.resource} {fmt.month(b.month)}: "
                + (
                    f"{supply_explain.money(b.shadow_price, currency)}/{b.per}. "
                    if b.shadow_price == b.shadow_price  # NaN: no price loaded
                    else "value unknown (no price loaded). "
                )
                + f"{b.lever}"
            )
        for why in result.shortfalls["why"].head(5):
            lines.append(f"  shortfall: {why}")
    lines += [f"  note: {n}" for n in texts(result.notes)]
    return "\n".join(lines)
