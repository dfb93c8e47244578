"""What the Data page shows about a dataset, as pure functions over its tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.tables import TABLES

DATE_COLUMNS = {t: [c.name for c in TABLES[t].columns if c.dtype == schema.DATE] for t in TABLES}


def table_overview(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per table of the data model.

    Columns: table, required, rows, first_month, last_month, months, meaning.
    `first_month`/`last_month` ("YYYY-MM", "" for tables without months) span every
    month column of the table; tables the dataset lacks have 0 rows.
    """
    rows = []
    for name, t in TABLES.items():
        df = tables.get(name)
        n = 0 if df is None else len(df)
        dates = (
            pd.concat([df[c] for c in DATE_COLUMNS[name]]).dropna()
            if n and DATE_COLUMNS[name]
            else pd.Series(dtype="datetime64[us]")
        )
        rows.append(
            {
                "table": name,
                "required": t.required,
                "rows": n,
                "first_month": f"{dates.min():%Y-%m}" if len(dates) else "",
                "last_month": f"{dates.max():%Y-%m}" if len(dates) else "",
                "months": int(dates.nunique()) if len(dates) else 0,
                "meaning": t.meaning,
            }
        )
    return pd.DataFrame(rows)


def months_as_text(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every datetime column written as YYYY-MM ("" when empty), for
    tables shown to planners (example rows, versions)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m").fillna("")
    return out


def history_by_family(
    sales: pd.DataFrame, products: pd.DataFrame, measure: str = schema.UNITS
) -> pd.DataFrame:
    """Monthly actuals per family. Columns: month, family, value (units or revenue).

    Revenue rows that are unknown (empty) are left out of the revenue sum.
    """
    if measure not in (schema.UNITS, schema.REVENUE):
        raise ValueError(f"measure must be {schema.UNITS!r} or {schema.REVENUE!r}, not {measure!r}")
    df = sales.merge(products[[schema.SKU, schema.FAMILY]], on=schema.SKU, how="left")
    out = (
        df.groupby([schema.MONTH, schema.FAMILY], as_index=False)[measure]
        .sum(min_count=1)
        .rename(columns={measure: "value"})
    )
    return out.sort_values([schema.FAMILY, schema.MONTH]).reset_index(drop=True)


def missing_matrix(
    sales: pd.DataFrame, products: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Missing data by SKU (rows) and month (columns), over the whole history.

    A cell is the number of the SKU's regions with no sales row that month,
    counted only inside the SKU's life (from launch or first sale to phase-out
    or the as-of month); outside it the cell is NaN. A region counts for a SKU
    once the SKU has ever sold there. Rows are sorted by family, then SKU.
    """
    if sales.empty:
        return pd.DataFrame()
    months = pd.date_range(sales[schema.MONTH].min(), as_of, freq="MS")
    have = (
        sales.groupby([schema.SKU, schema.MONTH])
        .size()
        .unstack(schema.MONTH)
        .reindex(columns=months)
        .fillna(0)
    )
    regions = sales.groupby(schema.SKU)[schema.REGION].nunique()
    first = sales.groupby(schema.SKU)[schema.MONTH].min()
    life = products.set_index(schema.SKU).reindex(have.index)
    start = life[schema.LAUNCH_MONTH].fillna(first).clip(lower=first)
    end = life[schema.PHASE_OUT_MONTH].fillna(as_of).clip(upper=as_of)
    grid = np.asarray(months)[None, :]
    inside = (grid >= start.to_numpy()[:, None]) & (grid <= end.to_numpy()[:, None])
    gaps = regions.reindex(have.index).to_numpy()[:, None] - have.to_numpy()
    out = pd.DataFrame(
        np.where(inside, np.clip(gaps, 0, None), np.nan), index=have.index, columns=months
    )
    # by family, then SKU (as Python orders the strings), without a lookup per SKU
    keys = pd.DataFrame(
        {"family": life[schema.FAMILY].fillna("").to_numpy(), "sku": life.index.to_numpy()}
    )
    return out.iloc[keys.sort_values(["family", "sku"], kind="stable").index]


# a heat map row per SKU is readable (and light for the browser) up to about this many
HEATMAP_SKUS = 150


def worst_gaps(matrix: pd.DataFrame, limit: int = HEATMAP_SKUS) -> tuple[pd.DataFrame, int, int]:
    """(the rows of `missing_matrix` to draw, SKUs in all, SKUs with a gap): every SKU
    when there are at most `limit`, else the `limit` SKUs with the most missing
    region-months (ties by the matrix order), kept in the matrix order. A heat map of
    20,000 rows can be neither read nor sent to a browser quickly."""
    gaps = matrix.fillna(0).to_numpy().sum(axis=1) if len(matrix) else np.zeros(0)
    with_gaps = int((gaps > 0).sum())
    if len(matrix) <= limit:
        return matrix, len(matrix), with_gaps
    keep = np.sort(np.argsort(-gaps, kind="stable")[:limit])
    return matrix.iloc[keep], len(matrix), with_gaps
