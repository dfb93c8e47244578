"""Shared set-up for the Executive S&OP tests: the tiny dataset with a loaded consensus
demand plan (so no forecast has to be fitted) in a scratch store."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tiny import AS_OF, tiny_tables

from sop.core import schema
from sop.data.validate import check_tables
from sop.store import Store


def consensus(tables: dict[str, pd.DataFrame], scale: float = 1.0) -> pd.DataFrame:
    """12 months of planned demand per SKU and region after the as-of month."""
    months = pd.date_range(AS_OF + pd.offsets.MonthBegin(1), periods=12, freq="MS")
    rows = [
        (m, sku, region, scale * (110.0 + 15 * i + 25 * np.sin(k / 2)))
        for k, m in enumerate(months)
        for i, sku in enumerate(tables[schema.PRODUCTS][schema.SKU])
        for region in ("North", "South")
    ]
    return pd.DataFrame(rows, columns=[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS])


def exec_tables(scale: float = 1.0) -> dict[str, pd.DataFrame]:
    t = tiny_tables()
    t[schema.CONSENSUS] = consensus(t, scale)
    return t


def load(store: Store, tables: dict[str, pd.DataFrame] | None = None, name: str = "tiny") -> int:
    report = check_tables(tables if tables is not None else exec_tables())
    assert report.ok, [f.message for f in report.errors]
    return store.load(report.tables, name=name)
