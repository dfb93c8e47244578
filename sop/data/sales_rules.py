"""Rules about the sales history: actuals end at the as-of month, no gaps inside a
series, sales inside the product lifecycle, and one family per SKU in `sales.family`
(the family of a SKU not in `products`). Months outside 1900-2200, in sales as in
every month column, are refused when the file is read (`sop.data.columns.YEARS`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sop.core import fmt, schema
from sop.core.months import months_between
from sop.core.tables import TABLES
from sop.data import cells, keyorder
from sop.data.readers import WARNING
from sop.data.report import MAX_EXAMPLES, SHOWN, Run


def series_gaps(sales: pd.DataFrame) -> pd.DataFrame:
    """Months missing inside each SKU x region series: columns sku, region, month."""
    if sales.empty:
        return pd.DataFrame(columns=[schema.SKU, schema.REGION, schema.MONTH])
    starts = None
    if not sales[schema.MONTH].isna().any():
        starts = keyorder.runs(sales, [schema.SKU, schema.REGION])
    if starts is None:
        return _gaps_by_group(sales)
    # sorted by sku and region: each series is one run of rows, in the order of groupby
    ends = np.append(starts[1:], len(sales))
    month = sales[schema.MONTH]
    v = month.to_numpy()
    first, last = np.minimum.reduceat(v, starts), np.maximum.reduceat(v, starts)
    holed = np.flatnonzero(months_between(first, last) + 1 > ends - starts)
    out = []
    for i in holed:
        sku, region = sales[schema.SKU].iat[starts[i]], sales[schema.REGION].iat[starts[i]]
        out += _missing(sku, region, month.iloc[starts[i] : ends[i]])
    return pd.DataFrame(out, columns=[schema.SKU, schema.REGION, schema.MONTH])


def _missing(sku: object, region: object, months: pd.Series) -> list[tuple]:
    """(sku, region, month) of each month between the first and last of `months` that
    `months` lacks."""
    have = set(months)
    rng = pd.date_range(months.min(), months.max(), freq="MS")
    return [(sku, region, m) for m in rng if m not in have]


def _gaps_by_group(sales: pd.DataFrame) -> pd.DataFrame:
    """`series_gaps` of sales in any order (grouped by sku and region)."""
    span = sales.groupby([schema.SKU, schema.REGION])[schema.MONTH].agg(["min", "max", "count"])
    months = months_between(span["min"], span["max"]) + 1
    holed = span[months > span["count"]]
    out = []
    for sku, region in holed.index:
        rows = (sales[schema.SKU] == sku) & (sales[schema.REGION] == region)
        out += _missing(sku, region, sales.loc[rows, schema.MONTH])
    return pd.DataFrame(out, columns=[schema.SKU, schema.REGION, schema.MONTH])


def _outside_lifecycle(s: pd.DataFrame, p: pd.DataFrame) -> pd.Series:
    """Sales rows (with units) before their SKU's launch or after its phase-out."""
    ref = p[[schema.SKU, schema.LAUNCH_MONTH, schema.PHASE_OUT_MONTH]].drop_duplicates(schema.SKU)
    dates = (s[schema.MONTH], ref[schema.LAUNCH_MONTH], ref[schema.PHASE_OUT_MONTH])
    if (
        len(ref)
        and cells.arrow_text(s[schema.SKU])
        and cells.arrow_text(ref[schema.SKU])
        and all(d.dtype.kind == "M" for d in dates)
    ):
        # each row's product by Arrow's lookup (a merge hashes millions of SKUs again)
        pos = pc.index_in(pa.array(s[schema.SKU].array), value_set=pa.array(ref[schema.SKU].array))
        pos = pos.fill_null(-1).to_numpy(zero_copy_only=False)  # -1: the NaT added last

        def looked_up(col: str) -> np.ndarray:
            v = ref[col].to_numpy()
            return np.append(v, np.array(["NaT"], dtype=v.dtype))[pos]

        month, launch = s[schema.MONTH].to_numpy(), looked_up(schema.LAUNCH_MONTH)
        phase_out = looked_up(schema.PHASE_OUT_MONTH)
        out = (~np.isnat(launch) & (month < launch)) | (~np.isnat(phase_out) & (month > phase_out))
        return pd.Series(out & (s[schema.UNITS] > 0).to_numpy(), index=s.index)
    life = s.merge(ref, on=schema.SKU, how="left")
    out = (
        (life[schema.LAUNCH_MONTH].notna() & (life[schema.MONTH] < life[schema.LAUNCH_MONTH]))
        | (
            life[schema.PHASE_OUT_MONTH].notna()
            & (life[schema.MONTH] > life[schema.PHASE_OUT_MONTH])
        )
    ) & (life[schema.UNITS] > 0)
    return pd.Series(out.to_numpy(), index=s.index)


def sales_rules(
    tables: dict[str, pd.DataFrame],
    files: dict[str, str],
    s: pd.DataFrame,
    as_of: pd.Timestamp,
    run: Run,
) -> None:
    T, f = TABLES, files[schema.SALES]
    run.rows(
        "Actuals end at the as-of month",
        T[schema.SALES],
        s,
        f,
        s[schema.MONTH] > as_of,
        schema.MONTH,
        f"are after the as-of month {as_of:%Y-%m}",
        "Remove them, or move the company's as_of_month forward.",
    )
    gaps = series_gaps(s)
    run.ran("History has no gaps", schema.SALES)
    if len(gaps):
        series = gaps.groupby([schema.SKU, schema.REGION])[schema.MONTH].agg(
            ["count", "min", "max"]
        )
        quoted = "; ".join(
            f"{sku}/{reg}: {fmt.count(r['count'], 'month')} ({r['min']:%Y-%m}..{r['max']:%Y-%m})"
            for (sku, reg), r in series.head(SHOWN).iterrows()
        )
        more = f" and {len(series) - SHOWN} more series" if len(series) > SHOWN else ""
        ex = gaps.head(MAX_EXAMPLES).copy()
        run.flag(
            "History has no gaps",
            schema.SALES,
            WARNING,
            f"{f}: {fmt.count(len(gaps), 'month')} missing inside "
            f"{len(series)} series: {quoted}{more}. They are treated as missing data, "
            "not zero demand; if there were truly no orders, add rows with units 0.",
            len(gaps),
            f,
            schema.MONTH,
            ex,
        )
    p = tables.get(schema.PRODUCTS)
    if p is not None:
        run.rows(
            "Sales fall inside the product lifecycle",
            T[schema.SALES],
            s,
            f,
            _outside_lifecycle(s, p),
            schema.MONTH,
            "sell a SKU before its launch or after its phase-out",
            "Check the SKU's launch_month and phase_out_month in products.",
            WARNING,
        )
    _one_family_per_sku(s, f, run)


def _one_family_per_sku(s: pd.DataFrame, f: str, run: Run) -> None:
    """`sales.family` names one family per SKU."""
    named = s[s[schema.FAMILY].notna()] if schema.FAMILY in s else s.iloc[0:0]
    run.ran("One family per SKU", schema.SALES)
    if named.empty:
        return
    count = named.groupby(schema.SKU)[schema.FAMILY].nunique()
    torn = count[count > 1].index
    run.rows(
        "One family per SKU",
        TABLES[schema.SALES],
        named,
        f,
        named[schema.SKU].isin(torn),
        schema.FAMILY,
        f"give SKU{'s' * (len(torn) > 1)} {', '.join(map(str, torn[:5]))} more than one family",
        "A SKU belongs to one family: use the same family on every row of the SKU "
        "(the latest month's family is used until then).",
    )


def as_of_follows_sales(
    tables: dict[str, pd.DataFrame], files: dict[str, str], as_of: pd.Timestamp, run: Run
) -> None:
    """The company's as-of month (the last month of actuals) is at most one month after
    the last sales month: later, the plan would start with months of no actuals and
    every calendar and budget would be judged from the wrong month."""
    c, s = tables.get(schema.COMPANY), tables.get(schema.SALES)
    if c is None or s is None or s[schema.MONTH].dropna().empty:
        return
    last = pd.Timestamp(s[schema.MONTH].max())
    gap = int(months_between(last, as_of))
    run.rows(
        "Actuals reach the as-of month",
        TABLES[schema.COMPANY],
        c,
        files[schema.COMPANY],
        (c[schema.AS_OF_MONTH] == as_of) & (gap > 1),
        schema.AS_OF_MONTH,
        f"are an as-of month {fmt.count(gap, 'month')} after the last sales month "
        f"{last:%Y-%m} in {files[schema.SALES]}: the plan would start in "
        f"{as_of + pd.DateOffset(months=1):%Y-%m} with no actuals for the months between, "
        "and capacity and budget are judged from there",
        f"Set as_of_month to {last:%Y-%m} (the last month of actuals), or add the sales of "
        f"the months up to {as_of:%Y-%m}.",
    )
