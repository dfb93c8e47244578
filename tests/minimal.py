"""A minimal dataset as a new user brings it: a monthly sales series (SKU, month,
region, units; no products, prices or costs) and, to plan, one capacity figure per
family in units a month. The SKUs and regions are the tiny dataset's, so the
hand-made forecast of `demand_helpers` fits it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tiny import AS_OF

MONTHS = 30  # of history, up to the as-of month
FAMILY = {"A1": "Alpha", "A2": "Alpha", "B1": "Beta"}
CAPACITY = {"Alpha": 400.0, "Beta": 150.0}  # units a month


def sales_csv(months: int = MONTHS, family: bool = False) -> bytes:
    """sales.csv as a user exports it: headers in their own case, months as YYYY-MM."""
    idx = pd.date_range(end=AS_OF, periods=months, freq="MS")
    rng = np.random.default_rng(3)
    rows = []
    for i, sku in enumerate(FAMILY):
        for region in ("North", "South"):
            for k, m in enumerate(idx):
                units = 100 + 15 * i + 25 * np.sin(2 * np.pi * k / 12) + rng.normal(0, 4)
                rows.append((sku, f"{m:%Y-%m}", region, round(units)))
    df = pd.DataFrame(rows, columns=["SKU", "Month", "Region", "Units"])
    if family:
        df["Family"] = df["SKU"].map(FAMILY)
    return df.to_csv(index=False).encode()


def family_capacity_csv(capacity: dict[str, float] | None = None) -> bytes:
    """One figure per family, no month: every month of the plan."""
    cap = capacity or CAPACITY
    return (
        pd.DataFrame({"family": list(cap), "units_per_month": list(cap.values())})
        .to_csv(index=False)
        .encode()
    )


def minimal_files(capacity: bool = True) -> dict[str, bytes]:
    """sales.csv (with a family column) and, with `capacity`, family_capacity.csv."""
    files = {"sales.csv": sales_csv(family=True)}
    if capacity:
        files["family_capacity.csv"] = family_capacity_csv()
    return files
