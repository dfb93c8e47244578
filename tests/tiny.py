"""The tiny valid dataset the tests share, written as files, and store snapshots."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pandas as pd

from sop.core import schema
from sop.store import Store

ROOT = Path(__file__).resolve().parent.parent
AS_OF = pd.Timestamp("2025-12-01")


def tiny_tables() -> dict[str, pd.DataFrame]:
    """A small, valid dataset: 3 SKUs in 2 families, 2 regions, 24 months of sales."""
    months = pd.date_range("2024-01-01", AS_OF, freq="MS")
    future = pd.date_range(AS_OF + pd.offsets.MonthBegin(1), periods=12, freq="MS")
    products = pd.DataFrame(
        {
            schema.SKU: ["A1", "A2", "B1"],
            schema.NAME: ["Alpha 1", "Alpha 2", "Beta 1"],
            schema.FAMILY: ["Alpha", "Alpha", "Beta"],
            schema.UOM: ["each"] * 3,
            schema.LIST_PRICE: [10.0, 12.0, 50.0],
            schema.MATERIAL_COST: [4.0, 5.0, 20.0],
            schema.LAUNCH_MONTH: [pd.NaT] * 3,
            schema.PHASE_OUT_MONTH: [pd.NaT] * 3,
        }
    )
    rows = []
    price = dict(zip(products[schema.SKU], products[schema.LIST_PRICE]))
    for i, sku in enumerate(products[schema.SKU]):
        for region in ("North", "South"):
            for k, m in enumerate(months):
                units = float(100 + 10 * i + 20 * np.sin(k / 12 * 2 * np.pi))
                rows.append((m, sku, region, round(units), round(units) * price[sku] * 0.95))
    sales = pd.DataFrame(
        rows, columns=[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS, schema.REVENUE]
    )
    resources = pd.DataFrame(
        {
            schema.RESOURCE: ["L1", "L2", "LAB"],
            schema.PLANT: ["P1", "P1", "P1"],
            schema.NAME: ["Line 1", "Line 2", "Crew"],
            schema.KIND: ["line", "line", "labour"],
            schema.REGULAR_COST_PER_HOUR: [30.0, 30.0, 25.0],
            schema.OVERTIME_COST_PER_HOUR: [45.0, 45.0, 37.5],
            schema.MAX_OVERTIME_HOURS: [40.0, 40.0, 0.0],
        }
    )
    capacity = pd.DataFrame(
        [(r, m, 21.0, 1.0, 8.0, 0.9, np.nan) for r in ("L1", "L2") for m in future],
        columns=[
            schema.RESOURCE,
            schema.MONTH,
            schema.WORKING_DAYS,
            schema.SHIFTS,
            schema.HOURS_PER_SHIFT,
            schema.EFFICIENCY,
            schema.AVAILABLE_HOURS,
        ],
    )
    workforce = pd.DataFrame(
        {
            schema.RESOURCE: ["LAB"],
            schema.WORKERS: [5.0],
            schema.HOURS_PER_WORKER: [140.0],
            schema.MAX_OVERTIME_PER_WORKER: [20.0],
            schema.HIRING_COST: [3000.0],
            schema.LAYOFF_COST: [5000.0],
            schema.MAX_HIRES_PER_MONTH: [np.nan],
        }
    )
    bor = pd.DataFrame(
        {
            schema.SKU: [None, None, None],
            schema.FAMILY: ["Alpha", "Beta", "Alpha"],
            schema.RESOURCE: ["L1", "L2", "LAB"],
            schema.HOURS_PER_UNIT: [0.2, 0.5, 0.1],
        }
    )
    inventory = pd.DataFrame(
        {
            schema.SKU: ["A1", "A2", "B1"],
            schema.ON_HAND_UNITS: [150.0, 160.0, 90.0],
            schema.SAFETY_STOCK_MONTHS: [0.5, 0.5, 1.0],
            schema.SAFETY_STOCK_UNITS: [np.nan] * 3,
            schema.HOLDING_COST_PCT: [20.0, 20.0, 25.0],
        }
    )
    budget = pd.DataFrame(
        [(f, m, 400.0, 4000.0, 1500.0) for f in ("Alpha", "Beta") for m in future],
        columns=[schema.FAMILY, schema.MONTH, schema.UNITS, schema.REVENUE, schema.MARGIN],
    )
    return {
        schema.PRODUCTS: products,
        schema.SALES: sales,
        schema.RESOURCES: resources,
        schema.CAPACITY: capacity,
        schema.WORKFORCE: workforce,
        schema.BILL_OF_RESOURCES: bor,
        schema.INVENTORY: inventory,
        schema.BUDGET: budget,
    }


def full_calendar(tables: dict[str, pd.DataFrame], months: int = 18) -> dict[str, pd.DataFrame]:
    """A copy of `tables` whose capacity calendar covers `months` months after the as-of
    month (the tiny calendar stops after 12: a Data warning), later months like the last."""
    out = dict(tables)
    cap = tables[schema.CAPACITY]
    last = cap[cap[schema.MONTH] == cap[schema.MONTH].max()]
    more = pd.date_range(cap[schema.MONTH].max(), AS_OF + pd.DateOffset(months=months), freq="MS")
    out[schema.CAPACITY] = pd.concat(
        [cap] + [last.assign(**{schema.MONTH: m}) for m in more[1:]], ignore_index=True
    )
    return out


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, fmt: str = "csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        if fmt == "csv":
            out = df.copy()
            for c in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[c]):
                    out[c] = out[c].dt.strftime("%Y-%m-%d")
            out.to_csv(folder / f"{name}.csv", index=False)
        else:
            df.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def snapshot(store: Store) -> tuple:
    """Everything a load could change, to assert a failed load changed nothing."""
    if not store.path.exists():
        return ("absent",)
    info = store.active()
    data = store.tables() if info else {}
    return (
        store.datasets().to_json(date_format="iso"),
        {k: v.to_json(date_format="iso") for k, v in data.items()},
        store.row_counts(),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
