"""Loaders: the public real datasets as data-model tables. They live next to the project,
in ../shared/realdata (REALDATA below), or in the folder named by $SOP_REALDATA.

Each series becomes one SKU (region "all"); the family column carries a grouping of
the source's hierarchy, so per-family figures are meaningful.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from sop.core import schema

ROOT = Path(__file__).resolve().parent.parent
REALDATA = Path(os.environ.get("SOP_REALDATA", ROOT.parent / "shared" / "realdata"))


def _tables(
    df: pd.DataFrame, month: str, sid: str, value: str, family: str | None
) -> dict[str, pd.DataFrame]:
    sales = pd.DataFrame(
        {
            schema.MONTH: pd.to_datetime(df[month]),
            schema.SKU: df[sid].astype(str),
            schema.REGION: "all",
            schema.UNITS: df[value].astype(float),
        }
    )
    fam = (
        df.drop_duplicates(sid).set_index(sid)[family].astype(str)
        if family
        else pd.Series("all", index=df[sid].unique())
    )
    products = pd.DataFrame(
        {
            schema.SKU: fam.index.astype(str),
            schema.NAME: fam.index.astype(str),
            schema.FAMILY: fam.to_numpy(),
            schema.UOM: "each",
            schema.LIST_PRICE: 1.0,
            schema.MATERIAL_COST: 0.5,
            schema.LAUNCH_MONTH: pd.NaT,
            schema.PHASE_OUT_MONTH: pd.NaT,
        }
    )
    return {schema.SALES: sales, schema.PRODUCTS: products}


def tourism() -> dict[str, pd.DataFrame]:
    """Tourism competition, monthly: 366 series, train + the official 24-month test."""
    df = pd.read_csv(REALDATA / "tourism_comp_monthly.csv.gz")
    return _tables(df, "ds", "unique_id", "y", None)


def pbs() -> dict[str, pd.DataFrame]:
    """PBS prescriptions (Scripts), family = ATC1 group."""
    df = pd.read_csv(REALDATA / "pbs_monthly.csv.gz")
    return _tables(df, "Month", "unique_id", "Scripts", "ATC1")


def aus_retail() -> dict[str, pd.DataFrame]:
    """Australian retail turnover, family = State."""
    df = pd.read_csv(REALDATA / "aus_retail_monthly.csv.gz")
    return _tables(df, "Month", "unique_id", "Turnover", "State")
