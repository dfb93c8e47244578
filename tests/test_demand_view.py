"""What the Demand page shows: series of a selection, override marks, levels, the chart."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import tiny_tables
from demand_helpers import MONTHS, P50, fake_frames, fake_values
from sop import demand_view as V
from sop import overrides as O
from sop import schema as S
from sop.charts_demand import demand_chart

T = tiny_tables()
PRODUCTS, SALES = T[S.PRODUCTS], T[S.SALES]
FITTED = fake_frames(fake_values())["fitted"]


def _overrides(*rows: dict) -> pd.DataFrame:
    base = {O.CREATED_AT: pd.Timestamp("2026-01-01"), O.AUTHOR: "Ana", O.REASON: "why",
            S.FAMILY: "Alpha", S.SKU: None, S.REGION: None, S.START_MONTH: MONTHS[0],
            S.END_MONTH: MONTHS[1], S.KIND: O.KIND_UNITS, O.VALUE: 1000.0}
    return pd.DataFrame([{**base, O.OVERRIDE_ID: i + 1, **r} for i, r in enumerate(rows)],
                        columns=O.OVERRIDE_COLUMNS)


CONS = O.apply_overrides(fake_values(), PRODUCTS, _overrides(
    {O.LEVEL: O.LEVEL_FAMILY}, {O.LEVEL: O.LEVEL_SKU_REGION, S.FAMILY: "Beta", S.SKU: "B1",
                                S.REGION: "North", S.KIND: O.KIND_PCT, O.VALUE: 50.0}))


@pytest.mark.parametrize("pick, level", [
    ((None, None, None), None), (("Alpha", None, None), O.LEVEL_FAMILY),
    (("Alpha", "A1", None), O.LEVEL_SKU), (("Alpha", "A1", "North"), O.LEVEL_SKU_REGION),
    (("Alpha", None, "North"), None), ((None, "A1", None), O.LEVEL_SKU)])
def test_the_selection_decides_the_override_level(pick, level) -> None:
    assert V.override_level(*pick) == level


def test_series_of_a_family_adds_up_its_skus_and_the_band_holds_the_consensus() -> None:
    fam = V.demand_series(SALES, FITTED, CONS, PRODUCTS, "Alpha", None, None)
    assert list(fam.columns) == V.SERIES_COLUMNS
    fc = fam[fam[V.CONSENSUS].notna()].set_index(S.MONTH)
    skus = [V.demand_series(SALES, FITTED, CONS, PRODUCTS, "Alpha", s, None)
            .set_index(S.MONTH) for s in ("A1", "A2")]
    np.testing.assert_allclose(fc[V.CONSENSUS], sum(s.loc[fc.index, V.CONSENSUS]
                                                     for s in skus))
    assert fc.loc[MONTHS[0], V.CONSENSUS] == pytest.approx(1000.0)
    assert fc.loc[MONTHS[0], S.P50] == pytest.approx(500.0)           # statistical
    assert (fc[S.P10] <= fc[V.CONSENSUS]).all() and (fc[V.CONSENSUS] <= fc[S.P90]).all()
    hist = fam[fam[V.ACTUAL].notna()]
    alpha_sales = SALES[SALES[S.SKU].isin(["A1", "A2"])].groupby(S.MONTH)[S.UNITS].sum()
    np.testing.assert_allclose(hist.set_index(S.MONTH)[V.ACTUAL], alpha_sales)
    assert (hist[V.FITTED] == 400.0).all()                             # 4 series x 100


def test_fitted_sum_is_blank_where_a_series_has_no_fit() -> None:
    fitted = FITTED.copy()
    fitted.loc[(fitted[S.SKU] == "A2") & (fitted[S.REGION] == "North"), "fitted"] = np.nan
    fam = V.demand_series(SALES, fitted, CONS, PRODUCTS, "Alpha", None, None)
    assert fam[V.FITTED].isna().all()
    one = V.demand_series(SALES, fitted, CONS, PRODUCTS, "Alpha", "A1", None)
    assert one[V.FITTED].notna().sum() == 24


def test_override_marks_show_what_touches_the_selection() -> None:
    ovs = _overrides({O.LEVEL: O.LEVEL_FAMILY},
                     {O.LEVEL: O.LEVEL_SKU_REGION, S.FAMILY: "Beta", S.SKU: "B1",
                      S.REGION: "North", S.KIND: O.KIND_PCT, O.VALUE: 50.0})
    assert V.override_marks(ovs, None, None, None, PRODUCTS)[O.OVERRIDE_ID].tolist() == [1, 2]
    assert V.override_marks(ovs, "Alpha", "A2", "South", PRODUCTS)[O.OVERRIDE_ID].tolist() \
        == [1]
    beta = V.override_marks(ovs, "Beta", None, None, PRODUCTS)
    assert beta["label"].tolist() == ["#2 B1/North +50 % (why)"]
    assert V.override_marks(ovs, "Beta", "B1", "South", PRODUCTS).empty


def test_horizon_totals_and_labels() -> None:
    tot = V.horizon_totals(CONS, "Beta", None, None, months=3)
    assert tot == {V.CONSENSUS: pytest.approx(300 * 2 + 200), S.FORECAST_UNITS: 600.0,
                   "months": 3}
    assert V.selection_label("Alpha", "A1", None) == "A1 (all regions)"
    assert V.selection_label(None, None, "North") == "All families in North"


def test_chart_has_every_trace_and_marks_the_overrides() -> None:
    series = V.demand_series(SALES, FITTED, CONS, PRODUCTS, None, None, None)
    marks = V.override_marks(_overrides({O.LEVEL: O.LEVEL_FAMILY}), None, None, None,
                             PRODUCTS)
    fig = demand_chart(series, marks, "Demand", "#123456")
    names = [t.name for t in fig.data]
    assert {"Actual demand", "Fitted (model)", "Statistical forecast (P50)",
            "Consensus demand", "P10-P90 range"} <= set(names)
    assert fig.layout.template.layout.font.family.startswith("Inter")
    assert [a.text for a in fig.layout.annotations] == ["#1 Alpha = 1,000 units/month (why)"]
    assert len(fig.layout.shapes) == 1
    cons = next(t for t in fig.data if t.name == "Consensus demand")
    assert cons.y[0] == pytest.approx(sum(P50.values()) + 500 + 100)   # Alpha set, B1 +50 %


def test_history_view_words_and_empty_columns_dropped() -> None:
    hist = _overrides({}, {S.SKU: "A1", S.KIND: O.KIND_PCT, O.VALUE: 10.0}).assign(
        **{O.LEVEL: [O.LEVEL_FAMILY, O.LEVEL_SKU], O.STATUS: O.STATUS_ACTIVE,
           O.WITHDRAWN_AT: [pd.NaT, pd.Timestamp("2026-02-03 14:05:09")],
           O.WITHDRAWN_BY: None, O.WITHDRAW_NOTE: None})
    view = V.history_view(hist)
    assert view[O.WITHDRAWN_AT].tolist() == ["", "2026-02-03 14:05"]     # never "None"
    assert view[O.LEVEL].tolist() == ["Family", "SKU"]
    assert view[S.KIND].tolist() == ["= units/month", "% change"]
    assert view[S.SKU].tolist() == ["", "A1"] and view[O.WITHDRAWN_BY].tolist() == ["", ""]
    assert hist[O.LEVEL].tolist() == [O.LEVEL_FAMILY, O.LEVEL_SKU]       # input untouched
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, np.nan]})
    assert list(V.without_empty_columns(df).columns) == ["a"]


@pytest.mark.parametrize("fva, words", [
    (0.25, "removes **25.0 %** of the naive error"),
    (-0.073, "**adds 7.3 %** to the naive error: worse than naive"),
    (float("nan"), "cannot be compared with it"),
])
def test_fva_sentence_says_better_or_worse(fva: float, words: str) -> None:
    text = V.fva_sentence(pd.Series({"wape": 0.3, "snaive_wape": 0.4, "fva_vs_snaive": fva}))
    assert words in text and "WAPE 30.0 % vs 40.0 %" in text
