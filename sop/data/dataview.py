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


def _sku_codes(sales: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """(a code per sales row, the SKUs in sorted order): `codes[i]` is the position of row
    i's SKU in the SKUs, -1 for a row without one. The SKU strings are hashed once here;
    everything after works on the integer codes (at 20,000 SKUs sales has millions of rows)."""
    codes, skus = pd.factorize(sales[schema.SKU])
    order = skus.argsort()  # sorted as a groupby on the SKU sorts them
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return np.append(rank, -1)[codes], skus[order].rename(schema.SKU)  # -1 stays -1


def history_by_family(
    sales: pd.DataFrame, products: pd.DataFrame, measure: str = schema.UNITS
) -> pd.DataFrame:
    """Monthly actuals per family. Columns: month, family, value (units or revenue).

    Revenue rows that are unknown (empty) are left out of the revenue sum. `products`
    has one row per SKU (as validated); a SKU it lacks, or whose family is empty, is
    left out. Each sales row's family is looked up through its SKU's code (one lookup per
    SKU, not a join of every row on the SKU text), and the rows are summed per month and
    family in their order, so the sums are the ones a join then a groupby gives.
    """
    if measure not in (schema.UNITS, schema.REVENUE):
        raise ValueError(f"measure must be {schema.UNITS!r} or {schema.REVENUE!r}, not {measure!r}")
    codes, skus = pd.factorize(sales[schema.SKU])
    at = pd.Index(products[schema.SKU]).get_indexer(skus)
    fam_codes, families = pd.factorize(products[schema.FAMILY])
    # position -1 (no such product, no SKU) picks the -1 appended: no family
    of_sku = np.append(fam_codes, -1)[at]
    row_fam = np.append(of_sku, -1)[codes]
    rows = pd.DataFrame({schema.MONTH: sales[schema.MONTH], "f": row_fam, "value": sales[measure]})
    if (row_fam < 0).any():
        rows = rows[row_fam >= 0]
    out = rows.groupby([schema.MONTH, "f"], as_index=False)["value"].sum(min_count=1)
    out.insert(1, schema.FAMILY, families.take(out["f"].to_numpy()))
    out = out.drop(columns="f")
    return out.sort_values([schema.FAMILY, schema.MONTH]).reset_index(drop=True)


def missing_matrix(
    sales: pd.DataFrame, products: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Missing data by SKU (rows) and month (columns), over the whole history.

    A cell is the number of the SKU's regions with no sales row that month,
    counted only inside the SKU's life (from launch or first sale to phase-out
    or the as-of month); outside it the cell is NaN. A region counts for a SKU
    once the SKU has ever sold there. Rows are sorted by family, then SKU.
    Counted on integer codes of the SKUs, months and regions (`_sku_codes`): one pass
    over the sales rows for each of rows per SKU-month, regions per SKU and first month.
    """
    if sales.empty:
        return pd.DataFrame()
    months = pd.date_range(sales[schema.MONTH].min(), as_of, freq="MS")
    codes, skus = _sku_codes(sales)
    month = sales[schema.MONTH].to_numpy()
    dated = ~pd.isna(month)
    sold = (codes >= 0) & dated  # the rows a groupby on SKU and month keeps
    n, m = len(skus), len(months)
    col = months.get_indexer(sales[schema.MONTH])  # -1: after as_of (or not a month start)
    inr = sold & (col >= 0)
    have = np.bincount(codes[inr] * m + col[inr], minlength=n * m).reshape(n, m)
    region_codes, regions_seen = pd.factorize(sales[schema.REGION])
    r = len(regions_seen)
    with_region = (codes >= 0) & (region_codes >= 0)
    pairs = np.zeros(n * r, dtype=bool)
    pairs[codes[with_region] * r + region_codes[with_region]] = True
    regions = pairs.reshape(n, r).sum(axis=1)
    ticks = month.view(np.int64)
    first_tick = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_tick, codes[sold], ticks[sold])
    keep = first_tick < np.iinfo(np.int64).max  # SKUs with a dated sales row
    index = skus[keep]
    first = pd.Series(first_tick[keep].view(month.dtype), index=index)
    life = products.set_index(schema.SKU).reindex(index)
    start = life[schema.LAUNCH_MONTH].fillna(first).clip(lower=first)
    end = life[schema.PHASE_OUT_MONTH].fillna(as_of).clip(upper=as_of)
    grid = np.asarray(months)[None, :]
    inside = (grid >= start.to_numpy()[:, None]) & (grid <= end.to_numpy()[:, None])
    gaps = regions[keep][:, None] - have[keep].astype(float)
    out = pd.DataFrame(
        np.where(inside, np.clip(gaps, 0, None), np.nan), index=index, columns=months
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
