"""The Data page's history and missing-data matrix, counted on integer codes of the SKUs
(`sop.data.dataview`), give exactly what the join-and-groupby versions they replace gave:
those are kept here as the reference and run on made-up sales with every awkward case
(SKUs missing from products or without a family, unknown revenue, a SKU launched late or
phased out, sales after the as-of month, regions a SKU never sold in)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sop.core import schema
from sop.data import dataview


def _reference_history(sales, products, measure):
    df = sales.merge(products[[schema.SKU, schema.FAMILY]], on=schema.SKU, how="left")
    out = (
        df.groupby([schema.MONTH, schema.FAMILY], as_index=False)[measure]
        .sum(min_count=1)
        .rename(columns={measure: "value"})
    )
    return out.sort_values([schema.FAMILY, schema.MONTH]).reset_index(drop=True)


def _reference_missing(sales, products, as_of):
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
    keys = pd.DataFrame(
        {"family": life[schema.FAMILY].fillna("").to_numpy(), "sku": life.index.to_numpy()}
    )
    return out.iloc[keys.sort_values(["family", "sku"], kind="stable").index]


def _made_up(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """Sales with holes, as typed by validation (text `str`, months datetime64[us]), and a
    product master that lacks some SKUs and some families."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2024-01-01", periods=20, freq="MS").as_unit("us")
    skus = [f"S{i:03d}" for i in rng.permutation(60)]
    rows = [
        (m, s, f"R{r}")
        for s in skus
        for r in range(int(rng.integers(1, 5)))
        for m in months[int(rng.integers(0, 6)) :]
        if rng.random() > 0.15
    ]
    sales = pd.DataFrame(rows, columns=[schema.MONTH, schema.SKU, schema.REGION])
    sales[schema.SKU] = sales[schema.SKU].astype("str")
    sales[schema.REGION] = sales[schema.REGION].astype("str")
    sales[schema.UNITS] = rng.gamma(2.0, 30.0, len(sales)).round(3)
    revenue = sales[schema.UNITS] * rng.uniform(1, 99, len(sales))
    sales[schema.REVENUE] = revenue.where(rng.random(len(sales)) > 0.2)
    sales = sales.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    known = sorted(skus)[:-5]  # five SKUs sold but not in products
    products = pd.DataFrame({schema.SKU: pd.Series(known, dtype="str")})
    fam = pd.Series(rng.choice(["Bikes", "Helmets", "Zeta", "Ämter"], len(known)), dtype="str")
    products[schema.FAMILY] = fam.where(rng.random(len(known)) > 0.1)
    launch = pd.Series(rng.choice(months, len(known))).where(rng.random(len(known)) > 0.6)
    phase = pd.Series(rng.choice(months, len(known))).where(rng.random(len(known)) > 0.7)
    products[schema.LAUNCH_MONTH] = launch.astype("datetime64[us]")
    products[schema.PHASE_OUT_MONTH] = phase.astype("datetime64[us]")
    return sales, products, months[-4]  # the last three months are after as-of


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("measure", [schema.UNITS, schema.REVENUE])
def test_history_by_family_sums_as_the_join_did(seed: int, measure: str) -> None:
    sales, products, _ = _made_up(seed)
    got = dataview.history_by_family(sales, products, measure)
    want = _reference_history(sales, products, measure)
    assert got[schema.FAMILY].isna().sum() == 0 and len(got) > 20
    assert got["value"].isna().any() == want["value"].isna().any()
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_missing_matrix_counts_as_the_groupbys_did(seed: int) -> None:
    sales, products, as_of = _made_up(seed)
    got = dataview.missing_matrix(sales, products, as_of)
    want = _reference_missing(sales, products, as_of)
    assert got.notna().to_numpy().any() and got.isna().to_numpy().any()
    assert (got.fillna(0).to_numpy() > 0).any()
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_both_on_no_sales() -> None:
    sales, products, as_of = _made_up(0)
    none = sales.iloc[0:0]
    assert dataview.missing_matrix(none, products, as_of).empty
    got = dataview.history_by_family(none, products.iloc[0:0])
    assert got.empty and list(got.columns) == [schema.MONTH, schema.FAMILY, "value"]
