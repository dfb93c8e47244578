"""From dataset tables to per-series jobs, and from level forecasts back to SKU x region.

`build_jobs` turns the sales history into numpy series at the forecast level (with
promotions, family seasonal profiles and phase-out months) and forecasts the new
products, which get no job (`sop.demand.newproducts`); `disaggregate` splits the
level forecasts to SKU x region by recent shares. Both are pure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import add_months, month_starts, months_between, next_month
from sop.demand import newproducts
from sop.demand.hierarchy import shares
from sop.demand.selection import Job

NO_FAMILY = "(no family)"
PROFILE_MONTHS = 36


@dataclass
class Prepared:
    """Jobs plus what is needed to assemble the result.

    extra: selection rows of the new products (`sop.demand.newproducts`), which get
    no model; family: sku -> family; children: level key columns, sku, region, share,
    stop (index into the horizon from which the child sells nothing, or -1);
    new: the new products' forecasts (sku, region, month, p50, sigma, band_group).
    """

    jobs: list[Job]
    extra: pd.DataFrame
    family: pd.Series
    children: pd.DataFrame
    new: pd.DataFrame


def _promo_factors(
    tables: dict[str, pd.DataFrame],
    series: pd.DataFrame,
    fam: pd.Series,
    origin: pd.Timestamp,
    n: int,
) -> dict[tuple, np.ndarray]:
    """(sku, region) -> product of (1 + uplift) of the promotions running each month."""
    promos = tables.get(schema.PROMOTIONS)
    out: dict[tuple, np.ndarray] = {}
    if promos is None or promos.empty:
        return out
    keys = list(zip(series[schema.SKU], series[schema.REGION]))
    by_sku: dict[str, list[str]] = {}
    for sku, region in keys:
        by_sku.setdefault(sku, []).append(region)
    fam_skus = fam.groupby(fam).groups if len(fam) else {}
    for p in promos.itertuples(index=False):
        sku, family = getattr(p, schema.SKU), getattr(p, schema.FAMILY)
        region, up = getattr(p, schema.REGION), getattr(p, schema.UPLIFT_PCT)
        if (
            pd.isna(up)
            or pd.isna(getattr(p, schema.START_MONTH))
            or pd.isna(getattr(p, schema.END_MONTH))
        ):
            continue
        skus = [sku] if pd.notna(sku) else list(fam_skus.get(family, []))
        lo = max(0, int(months_between(origin, [getattr(p, schema.START_MONTH)])[0]))
        hi = min(n - 1, int(months_between(origin, [getattr(p, schema.END_MONTH)])[0]))
        if hi < lo:
            continue
        for s in skus:
            for r in by_sku.get(s, []):
                if pd.notna(region) and r != region:
                    continue
                f = out.setdefault((s, r), np.ones(n))
                f[lo : hi + 1] *= 1 + float(up) / 100
    return out


def _profiles(
    wide: np.ndarray, fam_of_col: list[str], n_hist: int, origin: pd.Timestamp
) -> dict[str, np.ndarray]:
    """family -> seasonal index by calendar month (mean 1), from its last 36 months with
    data (a month where none of its series has a value is missing, not zero)."""
    out: dict[str, np.ndarray] = {}
    cal = (origin.month - 1 + np.arange(n_hist)) % 12
    fams = np.array(fam_of_col, dtype=object)
    for f in dict.fromkeys(fam_of_col):
        cols = wide[:, fams == f]
        tot = np.nansum(cols, axis=1)
        tot[np.isnan(cols).all(axis=1)] = np.nan
        have = np.flatnonzero(~np.isnan(tot))
        if not len(have):
            continue
        end = have[-1] + 1
        lo = max(0, end - PROFILE_MONTHS)
        seg, c = tot[lo:end], cal[lo:end]
        nz = np.flatnonzero(seg > 0)
        if len(nz) == 0 or len(seg) - nz[0] < 24:
            continue
        seg, c = seg[nz[0] :], c[nz[0] :]
        idx = np.array(
            [
                np.nanmean(seg[c == k]) if np.any(~np.isnan(seg[c == k])) else np.nan
                for k in range(12)
            ]
        )
        if np.isnan(idx).any() or idx.mean() <= 0:
            continue
        out[f] = np.maximum(idx / idx.mean(), 0.05)
    return out


def _history(
    tables: dict[str, pd.DataFrame], as_of: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.Series, pd.Index]:
    """(sales up to `as_of` with month starts and numeric units, products, sku ->
    family (`NO_FAMILY` for SKUs sold but not in products), the SKUs sold)."""
    sales = tables[schema.SALES][[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS]]
    sales = sales[sales[schema.MONTH] <= as_of].copy()
    sales[schema.MONTH] = month_starts(sales[schema.MONTH])
    sales[schema.UNITS] = pd.to_numeric(sales[schema.UNITS], errors="coerce").astype(float)
    products = tables.get(schema.PRODUCTS)
    fam = (
        products.drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY].astype(str)
        if products is not None
        else pd.Series(dtype=str)
    )
    skus = pd.Index(sales[schema.SKU].unique())
    fam = pd.concat([fam, pd.Series(NO_FAMILY, index=skus.difference(fam.index))])
    return sales, products, fam, skus


def _wide(
    sales: pd.DataFrame, origin: pd.Timestamp, n_hist: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """(span: sku, region, min, max month of each SKU x region series; wide: units as
    months x series from `origin`, NaN where a series has no row)."""
    g = sales.groupby([schema.SKU, schema.REGION], sort=True)
    span = g[schema.MONTH].agg(["min", "max"]).reset_index()
    units = (
        g.apply(
            lambda d: d.groupby(schema.MONTH)[schema.UNITS].sum(min_count=1), include_groups=False
        )
        if len(sales)
        else None
    )
    wide = np.full((n_hist, len(span)), np.nan)
    for j, (sku, region) in enumerate(zip(span[schema.SKU], span[schema.REGION])):
        u = units.loc[(sku, region)] if isinstance(units.index, pd.MultiIndex) else units
        wide[months_between(origin, u.index), j] = u.to_numpy()
    return span, wide


def _promo_uplift(
    tables: dict[str, pd.DataFrame],
    span: pd.DataFrame,
    fam: pd.Series,
    origin: pd.Timestamp,
    n_all: int,
    use_promotions: bool,
) -> np.ndarray:
    """Planned promotion uplift (a fraction) as months (history + horizon) x series."""
    factors = _promo_factors(tables, span, fam, origin, n_all) if use_promotions else {}
    promo = np.ones((n_all, len(span)))
    for j, k in enumerate(zip(span[schema.SKU], span[schema.REGION])):
        if k in factors:
            promo[:, j] = factors[k]
    promo -= 1.0
    return promo


def _stops(
    products: pd.DataFrame | None, span: pd.DataFrame, as_of: pd.Timestamp, horizon: int
) -> np.ndarray:
    """Per series, the index into the horizon from which its SKU is phased out (-1: never
    within the horizon)."""
    start = next_month(as_of)
    stop = np.full(len(span), -1)
    if products is not None and schema.PHASE_OUT_MONTH in products:
        po = products.drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.PHASE_OUT_MONTH]
        for j, s in enumerate(span[schema.SKU]):
            if s in po.index and pd.notna(po[s]):
                stop[j] = max(0, int(months_between(start, [po[s]])[0]) + 1)
    return np.where(stop >= horizon, -1, stop)


def _children(
    span: pd.DataFrame,
    wide: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    origin: pd.Timestamp,
    level: str,
    keys: list[str],
) -> tuple[np.ndarray, pd.DataFrame]:
    """(agg: `wide` with 0 before each series' first and after its last row, for
    aggregation; children: `span` with each series' share of its level key)."""
    n_hist = len(wide)
    agg = wide.copy()
    rows = np.arange(n_hist)[:, None]
    agg[(rows < first[None, :]) | (rows > last[None, :])] = 0.0
    hist = pd.DataFrame(
        {
            schema.MONTH: np.repeat(pd.date_range(origin, periods=n_hist, freq="MS"), len(span)),
            schema.UNITS: np.nan_to_num(agg).ravel(),
        }
    )
    for c in (schema.SKU, schema.REGION, schema.FAMILY):
        hist[c] = np.tile(span[c].to_numpy(), n_hist)
    if level == "sku_region":
        sh = span[[schema.SKU, schema.REGION]].assign(share=1.0)
    else:
        sh = shares(hist, keys, [c for c in (schema.SKU, schema.REGION) if c not in keys])
    children = span.merge(
        sh, on=list(dict.fromkeys([*keys, schema.SKU, schema.REGION])), how="left"
    )
    return agg, children


def _unsold(products: pd.DataFrame | None, skus: pd.Index) -> pd.DataFrame:
    """sku, family of the products without any sales history."""
    if products is None:
        return pd.DataFrame(columns=[schema.SKU, schema.FAMILY])
    p = products.drop_duplicates(schema.SKU)
    p = p[~p[schema.SKU].isin(skus)]
    return pd.DataFrame({schema.SKU: p[schema.SKU], schema.FAMILY: p[schema.FAMILY].astype(str)})


def build_jobs(
    tables: dict[str, pd.DataFrame],
    level: str,
    as_of: pd.Timestamp,
    horizon: int,
    use_promotions: bool = True,
) -> Prepared:
    """One `Job` per series at `level` ("sku_region", "sku" or "family")."""
    sales, products, fam, skus = _history(tables, as_of)
    origin = sales[schema.MONTH].min()
    n_hist = int(months_between(origin, [as_of])[0]) + 1
    n_all = n_hist + horizon
    span, wide = _wide(sales, origin, n_hist)
    first = months_between(origin, span["min"])
    last = months_between(origin, span["max"])
    fam_of_col = [fam.get(s, NO_FAMILY) for s in span[schema.SKU]]
    # new products (sku_region and sku levels) get the family-profile forecast, no job
    new = np.zeros(len(span), dtype=bool)
    if level != "family":
        new = newproducts.new_columns(span, wide, products, as_of)
    old = [f for f, m in zip(fam_of_col, new) if not m]
    profiles = _profiles(wide[:, ~new], old, n_hist, origin)
    new_values, new_rows = newproducts.forecast_new(
        span.assign(**{schema.FAMILY: fam_of_col}),
        wide,
        new,
        _unsold(products, skus) if level != "family" else _unsold(None, skus),
        profiles,
        origin,
        as_of,
        horizon,
        products,
    )
    span, wide, first, last = (
        span[~new].reset_index(drop=True),
        wide[:, ~new],
        first[~new],
        last[~new],
    )
    fam_of_col = old
    promo = _promo_uplift(tables, span, fam, origin, n_all, use_promotions)
    stop = _stops(products, span, as_of, horizon)
    span = span.assign(**{schema.FAMILY: fam_of_col, "stop": stop})
    keys = {
        "sku_region": [schema.SKU, schema.REGION],
        "sku": [schema.SKU],
        "family": [schema.FAMILY],
    }[level]
    agg, children = _children(span, wide, first, last, origin, level, keys)
    jobs: list[Job] = []
    for key, idx in children.groupby(keys, sort=True).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        cols = np.asarray(idx)
        lo = int(first[cols].min())
        # NaN (a gap) in any child -> missing
        y = wide[lo:, cols[0]] if level == "sku_region" else agg[lo:, cols].sum(axis=1)
        w = children["share"].to_numpy()[cols]
        u = promo[lo:, cols] @ (w / w.sum()) if w.sum() > 0 else promo[lo:, cols].mean(axis=1)
        fam_k = fam_of_col[cols[0]]
        st = int(stop[cols].min()) if (stop[cols] >= 0).all() and level != "family" else -1
        jobs.append(
            Job(
                key,
                y,
                np.datetime64(add_months(origin, lo), "M"),
                horizon,
                u if np.any(u != 0) else None,
                profiles.get(fam_k),
                None if st < 0 else st,
            )
        )
    extra = newproducts.selection_rows(new_rows, level)
    if level == "sku":
        extra = extra.drop(columns=schema.REGION, errors="ignore")
    return Prepared(jobs, extra, fam, children, new_values)


def disaggregate(
    lv: pd.DataFrame, lf: pd.DataFrame, prep: Prepared, level: str, plan: pd.DatetimeIndex
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Level forecasts (key, month, p50, sigma) and fits -> SKU x region frames.

    Returns (values: sku, region, month, p50, sigma, band_group;
    fitted: sku, region, month, fitted).
    """
    if level == "sku_region":
        v = lv.assign(
            **{schema.BAND_GROUP: lv[schema.SKU].astype(str) + "|" + lv[schema.REGION].astype(str)}
        )
        return v, lf
    keys = [schema.SKU] if level == "sku" else [schema.FAMILY]
    ch = prep.children[list(dict.fromkeys([*keys, schema.SKU, schema.REGION, "share", "stop"]))]
    m = lv.merge(ch, on=keys, how="inner")
    step = months_between(plan[0], m[schema.MONTH])
    alive = (m["stop"] < 0) | (step < m["stop"])
    m["w"] = np.where(alive, m["share"], 0.0)
    tot = m.groupby([*keys, schema.MONTH])["w"].transform("sum")
    m["w"] = np.where(tot > 0, m["w"] / tot.where(tot > 0, 1), 0.0)
    parent = m[keys[0]].astype(str)
    v = pd.DataFrame(
        {
            schema.SKU: m[schema.SKU],
            schema.REGION: m[schema.REGION],
            schema.MONTH: m[schema.MONTH],
            schema.P50: m["w"] * m[schema.P50],
            "sigma": m["w"] * m["sigma"],
            schema.BAND_GROUP: parent.to_numpy(),
        }
    )
    f = lf.merge(ch, on=keys, how="inner")
    fitted = pd.DataFrame(
        {
            schema.SKU: f[schema.SKU],
            schema.REGION: f[schema.REGION],
            schema.MONTH: f[schema.MONTH],
            "fitted": f["share"] * f["fitted"],
        }
    )
    return v, fitted
