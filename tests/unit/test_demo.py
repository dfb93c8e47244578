"""The demo generator: deterministic, schema-valid, and telling the designed story.

The designed properties are measured from the frames with a deliberately simple
estimate (same month last year x the family's last-12 / previous-12 months ratio),
never read back from the generator's constants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sop.core import schema
from sop.core.tables import TABLES
from sop.data.demo import build_demo, write_demo

AS_OF = pd.Timestamp("2026-10-01")
NEXT_12 = pd.date_range("2026-11-01", periods=12, freq="MS")


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return build_demo()


def _family_of(t: dict[str, pd.DataFrame]) -> dict[str, str]:
    return dict(zip(t[schema.PRODUCTS][schema.SKU], t[schema.PRODUCTS][schema.FAMILY]))


def _family_months(t: dict[str, pd.DataFrame]) -> pd.Series:
    """Actual units by (family, month)."""
    s = t[schema.SALES]
    return s.groupby([s[schema.SKU].map(_family_of(t)).rename(schema.FAMILY), s[schema.MONTH]])[
        schema.UNITS
    ].sum()


def _trend_ratio(t: dict[str, pd.DataFrame]) -> pd.Series:
    """Per family: units of the last 12 months / units of the 12 months before."""
    fm = _family_months(t).unstack(schema.FAMILY)
    as_of = fm.index.max()
    last = fm[fm.index > as_of - pd.DateOffset(months=12)].sum()
    prev = fm[
        (fm.index > as_of - pd.DateOffset(months=24))
        & (fm.index <= as_of - pd.DateOffset(months=12))
    ].sum()
    return last / prev


def _sku_estimate(t: dict[str, pd.DataFrame], months: pd.DatetimeIndex) -> pd.DataFrame:
    """Per SKU and month: same month last year x its family's trend ratio (0 once phased out)."""
    ratio, fam = _trend_ratio(t), _family_of(t)
    p = t[schema.PRODUCTS].set_index(schema.SKU)
    sku_month = t[schema.SALES].groupby([schema.SKU, schema.MONTH])[schema.UNITS].sum()
    rows = []
    for m in months:
        for sku in p.index:
            gone = (
                pd.notna(p.at[sku, schema.PHASE_OUT_MONTH])
                and p.at[sku, schema.PHASE_OUT_MONTH] < m
            )
            units = sku_month.get((sku, m - pd.DateOffset(years=1)), 0.0) * ratio[fam[sku]]
            rows.append((sku, fam[sku], m, 0.0 if gone else units))
    return pd.DataFrame(rows, columns=[schema.SKU, schema.FAMILY, schema.MONTH, schema.UNITS])


def _utilisation(t: dict[str, pd.DataFrame], months: pd.DatetimeIndex) -> pd.DataFrame:
    """Load / regular hours by resource and month: columns resource, month, load, hours, util."""
    est, bor = _sku_estimate(t, months), t[schema.BILL_OF_RESOURCES]
    fam_rows = bor[bor[schema.FAMILY].notna()].drop(columns=schema.SKU)
    load = est.merge(fam_rows, on=schema.FAMILY)
    override = bor[bor[schema.SKU].notna()].set_index([schema.SKU, schema.RESOURCE])[
        schema.HOURS_PER_UNIT
    ]
    key = pd.MultiIndex.from_arrays([load[schema.SKU], load[schema.RESOURCE]])
    hours = override.reindex(key).fillna(pd.Series(load[schema.HOURS_PER_UNIT].to_numpy(), key))
    load["load"] = load[schema.UNITS] * hours.to_numpy()
    load = load.groupby([schema.RESOURCE, schema.MONTH], as_index=False)["load"].sum()
    cap = t[schema.CAPACITY]
    cap = cap.assign(
        hours=cap[schema.WORKING_DAYS]
        * cap[schema.SHIFTS]
        * cap[schema.HOURS_PER_SHIFT]
        * cap[schema.EFFICIENCY]
    )[[schema.RESOURCE, schema.MONTH, "hours"]]
    wf = t[schema.WORKFORCE]
    labour = pd.DataFrame(
        [
            (r, m, h)
            for r, h in zip(wf[schema.RESOURCE], wf[schema.WORKERS] * wf[schema.HOURS_PER_WORKER])
            for m in months
        ],
        columns=[schema.RESOURCE, schema.MONTH, "hours"],
    )
    out = load.merge(pd.concat([cap, labour]), on=[schema.RESOURCE, schema.MONTH], how="left")
    return out.assign(util=out["load"] / out["hours"])


# --- determinism ------------------------------------------------------------------


def test_same_seed_gives_equal_frames_and_other_seed_differs(demo):
    again = build_demo()
    assert list(again) == list(demo)
    for name in demo:
        pd.testing.assert_frame_equal(demo[name], again[name])
    other = build_demo(seed=8)[schema.SALES]
    assert not other[schema.UNITS].equals(demo[schema.SALES][schema.UNITS])


def test_write_demo_is_byte_identical(tmp_path):
    a, b = write_demo(tmp_path / "a"), write_demo(tmp_path / "b")
    assert set(a) == set(TABLES) - {schema.CONSENSUS, schema.FAMILY_CAPACITY}
    for name, path in a.items():
        assert path.name == f"{name}.parquet"
        assert path.read_bytes() == b[name].read_bytes(), name
    back = pd.read_parquet(a[schema.SALES])
    assert list(back.columns) == TABLES[schema.SALES].column_names


# --- the schema's rules -----------------------------------------------------------


def test_tables_follow_the_schema(demo):
    assert set(demo) == set(TABLES) - {schema.CONSENSUS, schema.FAMILY_CAPACITY}
    for name, df in demo.items():
        t = TABLES[name]
        assert list(df.columns) == t.column_names, name
        assert not df.duplicated(list(t.key)).any(), name
        for c in t.columns:
            col = df[c.name]
            if c.dtype == schema.DATE:
                assert pd.api.types.is_datetime64_dtype(col), (name, c.name)
                assert (col.dropna().dt.day == 1).all(), (name, c.name)
            elif c.dtype in (schema.FLOAT, schema.INT):
                assert pd.api.types.is_float_dtype(col), (name, c.name)
            if not c.nullable:
                assert col.notna().all(), (name, c.name)
            v = col.dropna()
            if c.min is not None:
                assert (v >= c.min).all(), (name, c.name)
            if c.max is not None:
                assert (v <= c.max).all(), (name, c.name)
            if c.positive:
                assert (v > 0).all(), (name, c.name)
            if c.allowed:
                assert v.isin(c.allowed).all(), (name, c.name)
        for fk in t.foreign_keys:
            ref = set(demo[fk.ref_table][fk.ref_column])
            assert df[fk.column].dropna().isin(ref).all(), (name, fk.column)


def test_cross_table_rules(demo):
    for name in (schema.PROMOTIONS, schema.BILL_OF_RESOURCES):
        df = demo[name]
        assert (df[schema.SKU].notna() ^ df[schema.FAMILY].notna()).all(), name
    pr, p = demo[schema.PROMOTIONS], demo[schema.PRODUCTS]
    assert (pr[schema.END_MONTH] >= pr[schema.START_MONTH]).all()
    both = p[schema.LAUNCH_MONTH].notna() & p[schema.PHASE_OUT_MONTH].notna()
    assert (p.loc[both, schema.PHASE_OUT_MONTH] >= p.loc[both, schema.LAUNCH_MONTH]).all()
    assert (p[schema.MATERIAL_COST] < p[schema.LIST_PRICE]).all()
    kind = dict(zip(demo[schema.RESOURCES][schema.RESOURCE], demo[schema.RESOURCES][schema.KIND]))
    assert set(demo[schema.CAPACITY][schema.RESOURCE].map(kind)) == {schema.KIND_LINE}
    assert set(demo[schema.WORKFORCE][schema.RESOURCE].map(kind)) == {schema.KIND_LABOUR}
    routed = set(demo[schema.BILL_OF_RESOURCES][schema.FAMILY].dropna())
    assert set(p[schema.FAMILY]) <= routed  # every SKU routed via its family
    sub = demo[schema.SUPPLY_OPTIONS]
    assert (
        sub.loc[sub[schema.OPTION_TYPE] == schema.OPTION_SUBCONTRACT, schema.COST_PER_UNIT]
        .notna()
        .all()
    )
    s = demo[schema.SALES]
    assert (s[schema.UNITS] == s[schema.UNITS].round()).all()
    life = s.merge(p, on=schema.SKU)
    assert not (life[schema.MONTH] < life[schema.LAUNCH_MONTH]).any()
    assert not (life[schema.MONTH] > life[schema.PHASE_OUT_MONTH]).any()


# --- shape of the business --------------------------------------------------------


def test_shape(demo):
    p, s, r = demo[schema.PRODUCTS], demo[schema.SALES], demo[schema.RESOURCES]
    assert 3 <= p[schema.FAMILY].nunique() <= 4
    assert 40 <= len(p) <= 80
    assert s[schema.REGION].nunique() == 4
    lines = r[r[schema.KIND] == schema.KIND_LINE].groupby(schema.PLANT).size()
    assert len(lines) == 2 and lines.between(2, 3).all()
    months = pd.DatetimeIndex(sorted(s[schema.MONTH].unique()))
    assert len(months) == 48 and months.max() == AS_OF
    assert demo[schema.COMPANY][schema.AS_OF_MONTH].iloc[0] == AS_OF
    assert (demo[schema.BUDGET][schema.MONTH] > AS_OF).sum() / p[schema.FAMILY].nunique() >= 12
    assert (demo[schema.PROMOTIONS][schema.START_MONTH] > AS_OF).any()
    cap = demo[schema.CAPACITY].groupby(schema.RESOURCE)[schema.MONTH].agg(["min", "count"])
    assert (cap["min"] == NEXT_12[0]).all() and (cap["count"] >= 12).all()
    total = s.groupby(schema.MONTH)[schema.UNITS].sum()
    assert total.between(10_000, 60_000).all()


# --- designed properties ----------------------------------------------------------


def test_cooling_assembly_binds_in_peak_season_only(demo):
    u = _utilisation(demo, NEXT_12)
    asm1 = u[u[schema.RESOURCE] == "RS-ASM1"].set_index(schema.MONTH)
    peak = asm1["util"].max()
    average = asm1["load"].sum() / asm1["hours"].sum()
    assert peak > 1.05 and average < 0.9
    assert asm1["util"].idxmax().month in (6, 7)
    others = u[u[schema.RESOURCE] != "RS-ASM1"]
    assert others["util"].max() < 1.0, others.loc[others["util"].idxmax()]


def test_budget_is_above_trend_for_kitchen_and_below_for_garden(demo):
    fm, ratio = _family_months(demo), _trend_ratio(demo)
    b = demo[schema.BUDGET]
    budget = b[b[schema.MONTH].isin(NEXT_12)].groupby(schema.FAMILY)[schema.UNITS].sum()
    trend = pd.Series(
        {
            f: sum(fm.get((f, m - pd.DateOffset(years=1)), 0.0) for m in NEXT_12) * ratio[f]
            for f in ratio.index
        }
    )
    gap = budget / trend
    assert gap["Kitchen"] > 1.08
    assert gap["Garden"] < 0.95
    margin = b[schema.MARGIN].sum() / b[schema.REVENUE].sum()
    assert 0.25 < margin < 0.45


def test_launch_and_phase_out(demo):
    p, s = demo[schema.PRODUCTS], demo[schema.SALES]
    months = s.groupby(schema.SKU)[schema.MONTH].nunique()
    launched = p.loc[p[schema.LAUNCH_MONTH].notna(), schema.SKU]
    assert (months[launched] < 12).any()
    assert (p[schema.PHASE_OUT_MONTH] > AS_OF).any()
    past = p.loc[p[schema.PHASE_OUT_MONTH] < AS_OF, [schema.SKU, schema.PHASE_OUT_MONTH]]
    for sku, end in past.itertuples(index=False):
        assert s.loc[s[schema.SKU] == sku, schema.MONTH].max() <= end


def test_intermittent_skus(demo):
    per_month = demo[schema.SALES].groupby([schema.SKU, schema.MONTH])[schema.UNITS].sum()
    zero_share = (per_month == 0).groupby(schema.SKU).mean()
    assert (zero_share >= 0.5).sum() >= 3


def test_price_increase_shows_in_net_price(demo):
    s = demo[schema.SALES]

    def net_price(start: str, end: str) -> pd.Series:
        w = s[s[schema.MONTH].between(pd.Timestamp(start), pd.Timestamp(end))]
        g = w.groupby(schema.SKU)[[schema.REVENUE, schema.UNITS]].sum()
        g = g[g[schema.UNITS] > 0]
        return g[schema.REVENUE] / g[schema.UNITS]

    before, after = net_price("2023-06-01", "2024-05-01"), net_price("2025-06-01", "2026-05-01")
    both = before.index.intersection(after.index)
    rise = (after[both] / before[both]).mean()
    assert 1.03 < rise < 1.10


def test_one_deliberate_gap(demo):
    s = demo[schema.SALES]
    span = s.groupby([schema.SKU, schema.REGION])[schema.MONTH].agg(["min", "max", "count"])
    expected = (
        (span["max"].dt.year - span["min"].dt.year) * 12
        + span["max"].dt.month
        - span["min"].dt.month
        + 1
    )
    holed = span[expected > span["count"]]
    assert len(holed) == 1
    (sku, region), row = next(holed.iterrows())
    assert region == "East" and expected[(sku, region)] - row["count"] == 2
    have = set(s.loc[(s[schema.SKU] == sku) & (s[schema.REGION] == region), schema.MONTH])
    missing = [m for m in pd.date_range(row["min"], row["max"], freq="MS") if m not in have]
    assert missing[0].year == 2024 and missing[1] == missing[0] + pd.DateOffset(months=1)


def test_promotions_lift_demand(demo):
    s, fam = demo[schema.SALES], _family_of(demo)
    s = s.assign(**{schema.FAMILY: s[schema.SKU].map(fam)})
    ratios = []
    for p in demo[schema.PROMOTIONS].itertuples(index=False):
        start, end = getattr(p, schema.START_MONTH), getattr(p, schema.END_MONTH)
        before, after = start - pd.DateOffset(months=1), end + pd.DateOffset(months=1)
        if after > AS_OF:
            continue
        scope = s[
            (s[schema.FAMILY] == getattr(p, schema.FAMILY))
            if pd.notna(getattr(p, schema.FAMILY))
            else (s[schema.SKU] == getattr(p, schema.SKU))
        ]
        if pd.notna(getattr(p, schema.REGION)):
            scope = scope[scope[schema.REGION] == getattr(p, schema.REGION)]
        by_month = scope.groupby(schema.MONTH)[schema.UNITS].sum()
        during = by_month[start:end].mean()
        around = np.mean([by_month.get(before, np.nan), by_month.get(after, np.nan)])
        if np.isfinite(around) and around > 0:
            ratios.append(during / around)
    assert len(ratios) >= 10
    assert np.mean(ratios) > 1.1
