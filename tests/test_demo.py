"""The demo generator: deterministic, schema-valid, and telling the designed story.

The designed properties are measured from the frames with a deliberately simple
estimate (same month last year x the family's last-12 / previous-12 months ratio),
never read back from the generator's constants.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sop import schema as S
from sop.demo import build_demo, write_demo

AS_OF = pd.Timestamp("2026-10-01")
NEXT_12 = pd.date_range("2026-11-01", periods=12, freq="MS")


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return build_demo()


def _family_of(t: dict[str, pd.DataFrame]) -> dict[str, str]:
    return dict(zip(t[S.PRODUCTS][S.SKU], t[S.PRODUCTS][S.FAMILY]))


def _family_months(t: dict[str, pd.DataFrame]) -> pd.Series:
    """Actual units by (family, month)."""
    s = t[S.SALES]
    return s.groupby([s[S.SKU].map(_family_of(t)).rename(S.FAMILY), s[S.MONTH]])[S.UNITS].sum()


def _trend_ratio(t: dict[str, pd.DataFrame]) -> pd.Series:
    """Per family: units of the last 12 months / units of the 12 months before."""
    fm = _family_months(t).unstack(S.FAMILY)
    as_of = fm.index.max()
    last = fm[fm.index > as_of - pd.DateOffset(months=12)].sum()
    prev = fm[(fm.index > as_of - pd.DateOffset(months=24))
              & (fm.index <= as_of - pd.DateOffset(months=12))].sum()
    return last / prev


def _sku_estimate(t: dict[str, pd.DataFrame], months: pd.DatetimeIndex) -> pd.DataFrame:
    """Per SKU and month: same month last year x its family's trend ratio (0 once phased out)."""
    ratio, fam = _trend_ratio(t), _family_of(t)
    p = t[S.PRODUCTS].set_index(S.SKU)
    sku_month = t[S.SALES].groupby([S.SKU, S.MONTH])[S.UNITS].sum()
    rows = []
    for m in months:
        for sku in p.index:
            gone = pd.notna(p.at[sku, S.PHASE_OUT_MONTH]) and p.at[sku, S.PHASE_OUT_MONTH] < m
            units = sku_month.get((sku, m - pd.DateOffset(years=1)), 0.0) * ratio[fam[sku]]
            rows.append((sku, fam[sku], m, 0.0 if gone else units))
    return pd.DataFrame(rows, columns=[S.SKU, S.FAMILY, S.MONTH, S.UNITS])


def _utilisation(t: dict[str, pd.DataFrame], months: pd.DatetimeIndex) -> pd.DataFrame:
    """Load / regular hours by resource and month: columns resource, month, load, hours, util."""
    est, bor = _sku_estimate(t, months), t[S.BILL_OF_RESOURCES]
    fam_rows = bor[bor[S.FAMILY].notna()].drop(columns=S.SKU)
    load = est.merge(fam_rows, on=S.FAMILY)
    override = bor[bor[S.SKU].notna()].set_index([S.SKU, S.RESOURCE])[S.HOURS_PER_UNIT]
    key = pd.MultiIndex.from_arrays([load[S.SKU], load[S.RESOURCE]])
    hours = override.reindex(key).fillna(pd.Series(load[S.HOURS_PER_UNIT].to_numpy(), key))
    load["load"] = load[S.UNITS] * hours.to_numpy()
    load = load.groupby([S.RESOURCE, S.MONTH], as_index=False)["load"].sum()
    cap = t[S.CAPACITY]
    cap = cap.assign(hours=cap[S.WORKING_DAYS] * cap[S.SHIFTS] * cap[S.HOURS_PER_SHIFT]
                     * cap[S.EFFICIENCY])[[S.RESOURCE, S.MONTH, "hours"]]
    wf = t[S.WORKFORCE]
    labour = pd.DataFrame([(r, m, h) for r, h in zip(wf[S.RESOURCE], wf[S.WORKERS]
                                                      * wf[S.HOURS_PER_WORKER]) for m in months],
                          columns=[S.RESOURCE, S.MONTH, "hours"])
    out = load.merge(pd.concat([cap, labour]), on=[S.RESOURCE, S.MONTH], how="left")
    return out.assign(util=out["load"] / out["hours"])


# --- determinism ------------------------------------------------------------------

def test_same_seed_gives_equal_frames_and_other_seed_differs(demo):
    again = build_demo()
    assert list(again) == list(demo)
    for name in demo:
        pd.testing.assert_frame_equal(demo[name], again[name])
    other = build_demo(seed=8)[S.SALES]
    assert not other[S.UNITS].equals(demo[S.SALES][S.UNITS])


def test_write_demo_is_byte_identical(tmp_path):
    a, b = write_demo(tmp_path / "a"), write_demo(tmp_path / "b")
    assert set(a) == set(S.TABLES) - {S.CONSENSUS}
    for name, path in a.items():
        assert path.name == f"{name}.parquet"
        assert path.read_bytes() == b[name].read_bytes(), name
    back = pd.read_parquet(a[S.SALES])
    assert list(back.columns) == S.TABLES[S.SALES].column_names


# --- the schema's rules -----------------------------------------------------------

def test_tables_follow_the_schema(demo):
    assert set(demo) == set(S.TABLES) - {S.CONSENSUS}
    for name, df in demo.items():
        t = S.TABLES[name]
        assert list(df.columns) == t.column_names, name
        assert not df.duplicated(list(t.key)).any(), name
        for c in t.columns:
            col = df[c.name]
            if c.dtype == S.DATE:
                assert pd.api.types.is_datetime64_dtype(col), (name, c.name)
                assert (col.dropna().dt.day == 1).all(), (name, c.name)
            elif c.dtype in (S.FLOAT, S.INT):
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
    for name in (S.PROMOTIONS, S.BILL_OF_RESOURCES):
        df = demo[name]
        assert (df[S.SKU].notna() ^ df[S.FAMILY].notna()).all(), name
    pr, p = demo[S.PROMOTIONS], demo[S.PRODUCTS]
    assert (pr[S.END_MONTH] >= pr[S.START_MONTH]).all()
    both = p[S.LAUNCH_MONTH].notna() & p[S.PHASE_OUT_MONTH].notna()
    assert (p.loc[both, S.PHASE_OUT_MONTH] >= p.loc[both, S.LAUNCH_MONTH]).all()
    assert (p[S.MATERIAL_COST] < p[S.LIST_PRICE]).all()
    kind = dict(zip(demo[S.RESOURCES][S.RESOURCE], demo[S.RESOURCES][S.KIND]))
    assert set(demo[S.CAPACITY][S.RESOURCE].map(kind)) == {S.KIND_LINE}
    assert set(demo[S.WORKFORCE][S.RESOURCE].map(kind)) == {S.KIND_LABOUR}
    routed = set(demo[S.BILL_OF_RESOURCES][S.FAMILY].dropna())
    assert set(p[S.FAMILY]) <= routed                    # every SKU routed via its family
    sub = demo[S.SUPPLY_OPTIONS]
    assert sub.loc[sub[S.OPTION_TYPE] == S.OPTION_SUBCONTRACT, S.COST_PER_UNIT].notna().all()
    s = demo[S.SALES]
    assert (s[S.UNITS] == s[S.UNITS].round()).all()
    life = s.merge(p, on=S.SKU)
    assert not (life[S.MONTH] < life[S.LAUNCH_MONTH]).any()
    assert not (life[S.MONTH] > life[S.PHASE_OUT_MONTH]).any()


# --- shape of the business --------------------------------------------------------

def test_shape(demo):
    p, s, r = demo[S.PRODUCTS], demo[S.SALES], demo[S.RESOURCES]
    assert 3 <= p[S.FAMILY].nunique() <= 4
    assert 40 <= len(p) <= 80
    assert s[S.REGION].nunique() == 4
    lines = r[r[S.KIND] == S.KIND_LINE].groupby(S.PLANT).size()
    assert len(lines) == 2 and lines.between(2, 3).all()
    months = pd.DatetimeIndex(sorted(s[S.MONTH].unique()))
    assert len(months) == 48 and months.max() == AS_OF
    assert demo[S.COMPANY][S.AS_OF_MONTH].iloc[0] == AS_OF
    assert (demo[S.BUDGET][S.MONTH] > AS_OF).sum() / p[S.FAMILY].nunique() >= 12
    assert (demo[S.PROMOTIONS][S.START_MONTH] > AS_OF).any()
    cap = demo[S.CAPACITY].groupby(S.RESOURCE)[S.MONTH].agg(["min", "count"])
    assert (cap["min"] == NEXT_12[0]).all() and (cap["count"] >= 12).all()
    total = s.groupby(S.MONTH)[S.UNITS].sum()
    assert total.between(10_000, 60_000).all()


# --- designed properties ----------------------------------------------------------

def test_cooling_assembly_binds_in_peak_season_only(demo):
    u = _utilisation(demo, NEXT_12)
    asm1 = u[u[S.RESOURCE] == "RS-ASM1"].set_index(S.MONTH)
    peak = asm1["util"].max()
    average = asm1["load"].sum() / asm1["hours"].sum()
    assert peak > 1.05 and average < 0.9
    assert asm1["util"].idxmax().month in (6, 7)
    others = u[u[S.RESOURCE] != "RS-ASM1"]
    assert others["util"].max() < 1.0, others.loc[others["util"].idxmax()]


def test_budget_is_above_trend_for_kitchen_and_below_for_garden(demo):
    fm, ratio = _family_months(demo), _trend_ratio(demo)
    b = demo[S.BUDGET]
    budget = b[b[S.MONTH].isin(NEXT_12)].groupby(S.FAMILY)[S.UNITS].sum()
    trend = pd.Series({f: sum(fm.get((f, m - pd.DateOffset(years=1)), 0.0)
                              for m in NEXT_12) * ratio[f] for f in ratio.index})
    gap = budget / trend
    assert gap["Kitchen"] > 1.08
    assert gap["Garden"] < 0.95
    margin = b[S.MARGIN].sum() / b[S.REVENUE].sum()
    assert 0.25 < margin < 0.45


def test_launch_and_phase_out(demo):
    p, s = demo[S.PRODUCTS], demo[S.SALES]
    months = s.groupby(S.SKU)[S.MONTH].nunique()
    launched = p.loc[p[S.LAUNCH_MONTH].notna(), S.SKU]
    assert (months[launched] < 12).any()
    assert (p[S.PHASE_OUT_MONTH] > AS_OF).any()
    past = p.loc[p[S.PHASE_OUT_MONTH] < AS_OF, [S.SKU, S.PHASE_OUT_MONTH]]
    for sku, end in past.itertuples(index=False):
        assert s.loc[s[S.SKU] == sku, S.MONTH].max() <= end


def test_intermittent_skus(demo):
    per_month = demo[S.SALES].groupby([S.SKU, S.MONTH])[S.UNITS].sum()
    zero_share = (per_month == 0).groupby(S.SKU).mean()
    assert (zero_share >= 0.5).sum() >= 3


def test_price_increase_shows_in_net_price(demo):
    s = demo[S.SALES]

    def net_price(start: str, end: str) -> pd.Series:
        w = s[s[S.MONTH].between(pd.Timestamp(start), pd.Timestamp(end))]
        g = w.groupby(S.SKU)[[S.REVENUE, S.UNITS]].sum()
        g = g[g[S.UNITS] > 0]
        return g[S.REVENUE] / g[S.UNITS]

    before, after = net_price("2023-06-01", "2024-05-01"), net_price("2025-06-01", "2026-05-01")
    both = before.index.intersection(after.index)
    rise = (after[both] / before[both]).mean()
    assert 1.03 < rise < 1.10


def test_one_deliberate_gap(demo):
    s = demo[S.SALES]
    span = s.groupby([S.SKU, S.REGION])[S.MONTH].agg(["min", "max", "count"])
    expected = ((span["max"].dt.year - span["min"].dt.year) * 12
                + span["max"].dt.month - span["min"].dt.month + 1)
    holed = span[expected > span["count"]]
    assert len(holed) == 1
    (sku, region), row = next(holed.iterrows())
    assert region == "East" and expected[(sku, region)] - row["count"] == 2
    have = set(s.loc[(s[S.SKU] == sku) & (s[S.REGION] == region), S.MONTH])
    missing = [m for m in pd.date_range(row["min"], row["max"], freq="MS") if m not in have]
    assert missing[0].year == 2024 and missing[1] == missing[0] + pd.DateOffset(months=1)


def test_promotions_lift_demand(demo):
    s, fam = demo[S.SALES], _family_of(demo)
    s = s.assign(**{S.FAMILY: s[S.SKU].map(fam)})
    ratios = []
    for p in demo[S.PROMOTIONS].itertuples(index=False):
        start, end = getattr(p, S.START_MONTH), getattr(p, S.END_MONTH)
        before, after = start - pd.DateOffset(months=1), end + pd.DateOffset(months=1)
        if after > AS_OF:
            continue
        scope = s[(s[S.FAMILY] == getattr(p, S.FAMILY)) if pd.notna(getattr(p, S.FAMILY))
                  else (s[S.SKU] == getattr(p, S.SKU))]
        if pd.notna(getattr(p, S.REGION)):
            scope = scope[scope[S.REGION] == getattr(p, S.REGION)]
        by_month = scope.groupby(S.MONTH)[S.UNITS].sum()
        during = by_month[start:end].mean()
        around = np.mean([by_month.get(before, np.nan), by_month.get(after, np.nan)])
        if np.isfinite(around) and around > 0:
            ratios.append(during / around)
    assert len(ratios) >= 10
    assert np.mean(ratios) > 1.1
