"""The checks of stored tables (`check_tables`) take fast paths at scale and must give
exactly the report they gave before: the same findings, messages, example rows and order.

The code as it was before the fast paths (keys compared by `DataFrame.duplicated`,
series grouped by sku and region, the product lifecycle by a merge, month starts and
years by pandas date fields, active SKUs in a Python set) is kept here as a reference.
Random hostile mutations of the demo (rows out of order or in key order, repeated keys,
gaps, missing SKUs and months, SKUs unknown to products, launches after sales, SKUs
without inventory or routing, month-end and off-month dates, years out of range,
non-ASCII codes) are checked both ways and compared."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sop.core import schema
from sop.core.months import months_between, next_month
from sop.core.tables import TABLES
from sop.data import cells, columns, keyorder, rules, sales_rules, validate
from sop.data.demo import build_demo
from sop.data.readers import WARNING
from sop.data.report import Report, Run
from sop.data.validate import check_tables

# --- the code as it was -----------------------------------------------------------


def ref_check_keys(t: schema.Table, df, f, run: Run, unread=None) -> None:
    keys = df[list(t.key)]
    if unread is not None and unread.any():
        keys = keys[~unread]
    dup = keys.duplicated(keep=False).reindex(df.index, fill_value=False)
    periods = schema.MONTH in t.key
    run.rows(
        "Periods are not duplicated" if periods else "Keys are unique",
        t,
        df,
        f,
        dup,
        None,
        f"repeat the same {' + '.join(t.key)}",
        "Each month must appear once per series: add the duplicates together or remove the repeat."
        if periods
        else "Remove or merge the duplicated rows.",
    )


def ref_series_gaps(sales: pd.DataFrame) -> pd.DataFrame:
    if sales.empty:
        return pd.DataFrame(columns=[schema.SKU, schema.REGION, schema.MONTH])
    span = sales.groupby([schema.SKU, schema.REGION])[schema.MONTH].agg(["min", "max", "count"])
    months = months_between(span["min"], span["max"]) + 1
    holed = span[months > span["count"]]
    out = []
    for (sku, region), r in holed.iterrows():
        have = set(
            sales.loc[(sales[schema.SKU] == sku) & (sales[schema.REGION] == region), schema.MONTH]
        )
        for m in pd.date_range(r["min"], r["max"], freq="MS"):
            if m not in have:
                out.append((sku, region, m))
    return pd.DataFrame(out, columns=[schema.SKU, schema.REGION, schema.MONTH])


def ref_outside_lifecycle(s: pd.DataFrame, p: pd.DataFrame) -> pd.Series:
    life = s.merge(
        p[[schema.SKU, schema.LAUNCH_MONTH, schema.PHASE_OUT_MONTH]].drop_duplicates(schema.SKU),
        on=schema.SKU,
        how="left",
    )
    out = (
        (life[schema.LAUNCH_MONTH].notna() & (life[schema.MONTH] < life[schema.LAUNCH_MONTH]))
        | (
            life[schema.PHASE_OUT_MONTH].notna()
            & (life[schema.MONTH] > life[schema.PHASE_OUT_MONTH])
        )
    ) & (life[schema.UNITS] > 0)
    return pd.Series(out.to_numpy(), index=s.index)


def ref_month_end(d: pd.Timestamp) -> bool:
    return True  # before: every column was looked at in full


def ref_month_parts(month: pd.Series) -> tuple[pd.Series, pd.Series]:
    return (month.dt.day == 1) & (month == month.dt.normalize()), month.dt.year


def ref_coverage_rules(
    full: dict[str, pd.DataFrame], p: pd.DataFrame, f: str, as_of: pd.Timestamp, run: Run
) -> None:
    T = TABLES
    active = set(rules.active_skus(p, next_month(as_of)))
    b = full[schema.BILL_OF_RESOURCES]
    if len(b):
        fams = set(b[schema.FAMILY].dropna())
        routed = p[schema.SKU].isin(set(b[schema.SKU].dropna())) | p[schema.FAMILY].isin(fams)
        run.rows(
            "Every SKU has a routing",
            T[schema.PRODUCTS],
            p,
            f,
            p[schema.SKU].isin(active) & ~routed,
            schema.SKU,
            "have no routing in bill_of_resources and no family_capacity",
            "Add hours per unit for these SKUs (or their "
            "family), or their family's units a month; until then they are planned as "
            "if capacity were unlimited.",
            WARNING,
        )
    if (inv := full.get(schema.INVENTORY)) is not None and len(inv):
        run.rows(
            "Every SKU has an inventory row",
            T[schema.PRODUCTS],
            p,
            f,
            p[schema.SKU].isin(active) & ~cells.isin(p[schema.SKU], inv[schema.SKU]),
            schema.SKU,
            "have no row in inventory",
            "They start the plan with 0 on hand and "
            "no safety stock; add rows to inventory if that is wrong.",
            WARNING,
        )


def reference_report(tables: dict[str, pd.DataFrame], monkeypatch) -> Report:
    with monkeypatch.context() as m:
        m.setattr(rules, "_coverage_rules", ref_coverage_rules)
        m.setattr(validate, "check_keys", ref_check_keys)
        m.setattr(sales_rules, "series_gaps", ref_series_gaps)
        m.setattr(sales_rules, "_outside_lifecycle", ref_outside_lifecycle)
        m.setattr(columns, "_month_end", ref_month_end)
        m.setattr(columns, "_month_parts", ref_month_parts)
        return check_tables(tables)


def assert_same_report(a: Report, b: Report) -> None:
    assert a.checks == b.checks
    assert [
        (f.check, f.table, f.severity, f.message, f.count, f.file, f.column) for f in a.findings
    ] == [(f.check, f.table, f.severity, f.message, f.count, f.file, f.column) for f in b.findings]
    for x, y in zip(a.findings, b.findings, strict=True):
        if x.examples is None or y.examples is None:
            assert x.examples is None and y.examples is None
        else:
            pd.testing.assert_frame_equal(x.examples, y.examples)
    assert a.tables.keys() == b.tables.keys()
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


# --- hostile inputs -----------------------------------------------------------------

SKU_ORDER = [schema.SKU, schema.REGION, schema.MONTH]


def _copy(t: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {n: df.copy() for n, df in t.items()}


def hostile(seed: int) -> dict[str, pd.DataFrame]:
    """The demo with random damage; sales and consensus in key order or shuffled."""
    rng = np.random.default_rng(seed)
    t = _copy(build_demo())
    s, p = t[schema.SALES], t[schema.PRODUCTS]
    n = len(s)

    def rows(k: int) -> np.ndarray:
        return rng.choice(n, size=k, replace=False)

    s = s.drop(s.index[rows(rng.integers(0, 40))])  # gaps inside series
    n = len(s)
    if rng.random() < 0.5:  # repeated keys
        s = pd.concat([s, s.iloc[rows(rng.integers(1, 4))]])
        n = len(s)
    s = s.reset_index(drop=True)
    month = s[schema.MONTH].copy()
    k = rng.integers(0, 4)
    month.iloc[rows(k)] = month.iloc[rows(k)] + pd.Timedelta(days=14)  # not a month start
    if rng.random() < 0.3:
        month.iloc[rows(1)] = pd.Timestamp("1850-03-01")  # a year out of range
    if rng.random() < 0.3:
        month.iloc[rows(2)] = pd.NaT
    if rng.random() < 0.3:
        month.iloc[rows(1)] = month.iloc[0] + pd.Timedelta(hours=6)  # a time of day
    s[schema.MONTH] = month
    sku = s[schema.SKU].copy()
    if rng.random() < 0.4:
        sku.iloc[rows(2)] = None
    if rng.random() < 0.5:
        sku.iloc[rows(5)] = rng.choice(["ÉCLAIR-1", "zz-9", "Ab-3", "ab-3"])  # unknown SKUs
    s[schema.SKU] = sku
    if rng.random() < 0.5:
        s.loc[rows(3), schema.REGION] = "Ñorth"
    order = rng.random()
    if order < 0.4:
        s = s.sort_values(SKU_ORDER, kind="stable", na_position="last")
    elif order < 0.7:
        s = s.sample(frac=1.0, random_state=seed)
    t[schema.SALES] = s.reset_index(drop=True)

    p = p.copy()
    some = rng.choice(len(p), size=4, replace=False)
    p.loc[p.index[some[:2]], schema.LAUNCH_MONTH] = pd.Timestamp("2024-06-01")
    p.loc[p.index[some[2:]], schema.PHASE_OUT_MONTH] = pd.Timestamp("2023-09-01")
    if rng.random() < 0.4:  # a repeated product (the first one counts)
        extra = p.iloc[[some[0]]].assign(**{schema.LAUNCH_MONTH: pd.Timestamp("2020-01-01")})
        p = pd.concat([p, extra], ignore_index=True)
    if rng.random() < 0.3:
        p = p.drop(p.index[some[3]]).reset_index(drop=True)  # sold but not in products
    if rng.random() < 0.3:
        p.loc[p.index[-1], schema.SKU] = None
    t[schema.PRODUCTS] = p

    if rng.random() < 0.6:  # SKUs without an inventory row or a routing
        inv = t[schema.INVENTORY]
        t[schema.INVENTORY] = inv.drop(inv.index[rng.choice(len(inv), 3, replace=False)])
        bor = t[schema.BILL_OF_RESOURCES]
        t[schema.BILL_OF_RESOURCES] = bor[bor[schema.SKU].isna() | (rng.random(len(bor)) < 0.8)]
    if rng.random() < 0.5:  # every capacity month a month end: read as months, with a note
        cap = t[schema.CAPACITY]
        cap[schema.MONTH] = cap[schema.MONTH] + pd.offsets.MonthEnd(0)
    if schema.CONSENSUS in t and rng.random() < 0.5:
        c = t[schema.CONSENSUS]
        t[schema.CONSENSUS] = pd.concat([c, c.iloc[[0]]], ignore_index=True)
    return t


@pytest.mark.parametrize("seed", range(24))
def test_hostile_tables_give_the_report_they_gave(seed: int, monkeypatch) -> None:
    t = hostile(seed)
    assert_same_report(check_tables(_copy(t)), reference_report(_copy(t), monkeypatch))


def test_the_demo_gives_the_report_it_gave_in_any_row_order(monkeypatch) -> None:
    demo = build_demo()
    for order in (None, SKU_ORDER, [schema.MONTH, schema.SKU, schema.REGION]):
        t = _copy(demo)
        if order:
            t[schema.SALES] = t[schema.SALES].sort_values(order).reset_index(drop=True)
        assert_same_report(check_tables(_copy(t)), reference_report(_copy(t), monkeypatch))


def test_the_fast_paths_are_taken_on_tables_in_key_order() -> None:
    """Not a timing: the comparisons above would prove little if the fast paths were
    never taken."""
    s = build_demo()[schema.SALES].sort_values(SKU_ORDER).reset_index(drop=True)
    assert keyorder.runs(s, [schema.SKU, schema.REGION]) is not None
    assert keyorder.unique_in_order(s[SKU_ORDER], SKU_ORDER)
    by_month = s.sort_values([schema.MONTH, schema.SKU, schema.REGION])
    assert keyorder.unique_in_order(by_month[SKU_ORDER], SKU_ORDER)  # any order of the key
    assert keyorder.runs(by_month, [schema.SKU, schema.REGION]) is None
    twice = pd.concat([s.iloc[:5], s.iloc[[4]]])
    assert not keyorder.unique_in_order(twice[SKU_ORDER], SKU_ORDER)


def test_gaps_found_in_key_order_are_the_gaps_found_by_grouping() -> None:
    s = build_demo()[schema.SALES]
    s = s.drop(s.index[::7]).sort_values(SKU_ORDER).reset_index(drop=True)
    fast = sales_rules.series_gaps(s)
    assert len(fast) > 0
    pd.testing.assert_frame_equal(fast, ref_series_gaps(s))
