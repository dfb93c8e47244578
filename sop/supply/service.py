"""Service, defined once: what a plan, or a simulated demand path, delivers against orders.

Per item and month, with D the units ordered, L the units lost (never delivered) and
B the backlog at the month end (units ordered and still owed). Deliveries serve the
oldest orders first, so a month's shipments clear the backlog it opened with before
they serve its own orders:

- shipped = D - L + B[t-1] - B[t]: units delivered in the month (revenue books here);
- on time = max(0, D - L - B[t]): units of the month's own orders delivered in it;
- late unit-months = sum of B[t]: each unit counted once for every month-end it is owed;
- fill rate = (D - L - B[last]) / D: units ordered that are delivered within the horizon;
- on-time fill rate = sum(on time) / sum(D).

Rates are NaN when nothing is ordered (undefined, shown as "–"), never 0 or 100 %.
Every page, the command line, the pack and the risk simulation read these functions;
`plan_service` reads them off a plan's `family_plan` frame.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sop.core import schema

EPS = 1e-9


def lagged(backlog: np.ndarray) -> np.ndarray:
    """B[t-1] along the last axis, 0 before the first month."""
    out = np.zeros_like(backlog, dtype=float)
    out[..., 1:] = backlog[..., :-1]
    return out


def shipped(demand: np.ndarray, lost: np.ndarray, backlog: np.ndarray) -> np.ndarray:
    """Units delivered per month (same shape as the inputs; months on the last axis)."""
    return demand - lost + lagged(backlog) - backlog


def on_time(demand: np.ndarray, lost: np.ndarray, backlog: np.ndarray) -> np.ndarray:
    """Units of each month's orders delivered in that month (oldest orders served first)."""
    return np.clip(demand - lost - backlog, 0.0, None)


def rate(part: float, whole: float) -> float:
    """part / whole, NaN when there is nothing to measure against."""
    return part / whole if whole > EPS else float("nan")


def fill_rate(demand: np.ndarray, lost: np.ndarray, backlog: np.ndarray) -> float:
    """Units ordered in the horizon and delivered within it, over units ordered."""
    total = float(np.sum(demand))
    return rate(total - float(np.sum(lost)) - float(np.sum(backlog[..., -1])), total)


def on_time_rate(demand: np.ndarray, lost: np.ndarray, backlog: np.ndarray) -> float:
    """Units delivered in the month they were ordered, over units ordered."""
    return rate(float(np.sum(on_time(demand, lost, backlog))), float(np.sum(demand)))


def item_grid(fp: pd.DataFrame, columns: Iterable[str]) -> dict[str, np.ndarray]:
    """(items, months) arrays of family-plan `columns`, months in order; an item is a
    family x plant (x SKU) row of the plan. A missing item-month counts 0."""
    keys = [c for c in (schema.FAMILY, schema.PLANT, schema.SKU) if c in fp.columns]
    item = fp.groupby(keys, sort=False, dropna=False).ngroup().to_numpy() if len(fp) else []
    month, months = pd.factorize(fp[schema.MONTH], sort=True)
    n, T = (int(np.max(item)) + 1 if len(fp) else 0), len(months)
    cell = np.asarray(item, dtype=np.int64) * T + month
    return {
        c: np.bincount(cell, fp[c].to_numpy(dtype=float), minlength=n * T).reshape(n, T)
        for c in columns
    }


def plan_service(fp: pd.DataFrame) -> dict[str, float]:
    """The service of a plan's `family_plan` (or of some of its rows), as this module
    defines it: demand_units, served_units, lost_units, ending_backlog_units (units),
    fill_rate, on_time_units, on_time_rate, late_unit_months (`sop.finance.kpis`
    reads them as KPIs)."""
    g = item_grid(fp, ("demand", "lost_sales", "backlog"))
    d, lost, b = g["demand"], g["lost_sales"], g["backlog"]
    ending = float(b[:, -1].sum()) if b.size else 0.0
    timely = float(on_time(d, lost, b).sum())
    return {
        "demand_units": float(d.sum()),
        "served_units": float(d.sum() - lost.sum()) - ending,
        "lost_units": float(lost.sum()),
        "ending_backlog_units": ending,
        "fill_rate": fill_rate(d, lost, b),
        "on_time_units": timely,
        "on_time_rate": on_time_rate(d, lost, b),
        "late_unit_months": float(b.sum()),
    }
