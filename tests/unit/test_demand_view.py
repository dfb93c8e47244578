"""What the Demand page shows: series of a selection, override marks, levels, the chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from demand_helpers import MONTHS, P50, fake_frames, fake_values
from tiny import tiny_tables

from sop.core import charts, schema
from sop.demand import overrides
from sop.demand import view as demand_view
from sop.demand.charts import demand_chart

T = tiny_tables()
PRODUCTS, SALES = T[schema.PRODUCTS], T[schema.SALES]
FITTED = fake_frames(fake_values())["fitted"]


def _overrides(*rows: dict) -> pd.DataFrame:
    base = {
        schema.CREATED_AT: pd.Timestamp("2026-01-01"),
        schema.AUTHOR: "Ana",
        schema.REASON: "why",
        schema.FAMILY: "Alpha",
        schema.SKU: None,
        schema.REGION: None,
        schema.START_MONTH: MONTHS[0],
        schema.END_MONTH: MONTHS[1],
        schema.KIND: overrides.KIND_UNITS,
        schema.VALUE: 1000.0,
    }
    return pd.DataFrame(
        [{**base, schema.OVERRIDE_ID: i + 1, **r} for i, r in enumerate(rows)],
        columns=schema.OVERRIDE_COLUMNS,
    )


CONS = overrides.apply_overrides(
    fake_values(),
    PRODUCTS,
    _overrides(
        {schema.LEVEL: overrides.LEVEL_FAMILY},
        {
            schema.LEVEL: overrides.LEVEL_SKU_REGION,
            schema.FAMILY: "Beta",
            schema.SKU: "B1",
            schema.REGION: "North",
            schema.KIND: overrides.KIND_PCT,
            schema.VALUE: 50.0,
        },
    ),
)


@pytest.mark.parametrize(
    "pick, level",
    [
        ((None, None, None), None),
        (("Alpha", None, None), overrides.LEVEL_FAMILY),
        (("Alpha", "A1", None), overrides.LEVEL_SKU),
        (("Alpha", "A1", "North"), overrides.LEVEL_SKU_REGION),
        (("Alpha", None, "North"), None),
        ((None, "A1", None), overrides.LEVEL_SKU),
    ],
)
def test_the_selection_decides_the_override_level(pick, level) -> None:
    assert demand_view.override_level(*pick) == level


def test_series_of_a_family_adds_up_its_skus_and_the_band_holds_the_consensus() -> None:
    fam = demand_view.demand_series(SALES, FITTED, CONS, PRODUCTS, "Alpha", None, None)
    assert list(fam.columns) == demand_view.SERIES_COLUMNS
    fc = fam[fam[demand_view.CONSENSUS].notna()].set_index(schema.MONTH)
    skus = [
        demand_view.demand_series(SALES, FITTED, CONS, PRODUCTS, "Alpha", s, None).set_index(
            schema.MONTH
        )
        for s in ("A1", "A2")
    ]
    np.testing.assert_allclose(
        fc[demand_view.CONSENSUS], sum(s.loc[fc.index, demand_view.CONSENSUS] for s in skus)
    )
    assert fc.loc[MONTHS[0], demand_view.CONSENSUS] == pytest.approx(1000.0)
    assert fc.loc[MONTHS[0], schema.P50] == pytest.approx(500.0)  # statistical
    assert (fc[schema.P10] <= fc[demand_view.CONSENSUS]).all() and (
        fc[demand_view.CONSENSUS] <= fc[schema.P90]
    ).all()
    hist = fam[fam[demand_view.ACTUAL].notna()]
    alpha_sales = (
        SALES[SALES[schema.SKU].isin(["A1", "A2"])].groupby(schema.MONTH)[schema.UNITS].sum()
    )
    np.testing.assert_allclose(hist.set_index(schema.MONTH)[demand_view.ACTUAL], alpha_sales)
    assert (hist[demand_view.FITTED] == 400.0).all()  # 4 series x 100


def test_fitted_sum_is_blank_where_a_series_has_no_fit() -> None:
    fitted = FITTED.copy()
    fitted.loc[(fitted[schema.SKU] == "A2") & (fitted[schema.REGION] == "North"), "fitted"] = np.nan
    fam = demand_view.demand_series(SALES, fitted, CONS, PRODUCTS, "Alpha", None, None)
    assert fam[demand_view.FITTED].isna().all()
    one = demand_view.demand_series(SALES, fitted, CONS, PRODUCTS, "Alpha", "A1", None)
    assert one[demand_view.FITTED].notna().sum() == 24


def test_override_marks_show_what_touches_the_selection() -> None:
    ovs = _overrides(
        {schema.LEVEL: overrides.LEVEL_FAMILY},
        {
            schema.LEVEL: overrides.LEVEL_SKU_REGION,
            schema.FAMILY: "Beta",
            schema.SKU: "B1",
            schema.REGION: "North",
            schema.KIND: overrides.KIND_PCT,
            schema.VALUE: 50.0,
        },
    )
    assert demand_view.override_marks(ovs, None, None, None, PRODUCTS)[
        schema.OVERRIDE_ID
    ].tolist() == [1, 2]
    assert demand_view.override_marks(ovs, "Alpha", "A2", "South", PRODUCTS)[
        schema.OVERRIDE_ID
    ].tolist() == [1]
    beta = demand_view.override_marks(ovs, "Beta", None, None, PRODUCTS)
    assert beta["label"].tolist() == ["#2 B1/North +50 % (why)"]
    assert demand_view.override_marks(ovs, "Beta", "B1", "South", PRODUCTS).empty


def test_horizon_totals_and_labels() -> None:
    tot = demand_view.horizon_totals(CONS, "Beta", None, None, months=3)
    assert tot == {
        demand_view.CONSENSUS: pytest.approx(300 * 2 + 200),
        schema.FORECAST_UNITS: 600.0,
        "months": 3,
    }
    assert demand_view.selection_label("Alpha", "A1", None) == "A1 (all regions)"
    assert demand_view.selection_label(None, None, "North") == "All families in North"


def test_chart_has_every_trace_and_marks_the_overrides() -> None:
    series = demand_view.demand_series(SALES, FITTED, CONS, PRODUCTS, None, None, None)
    marks = demand_view.override_marks(
        _overrides({schema.LEVEL: overrides.LEVEL_FAMILY}), None, None, None, PRODUCTS
    )
    fig = demand_chart(series, marks, "Demand", "#123456")
    names = [t.name for t in fig.data]
    assert {
        "Actual demand",
        "Fitted (model)",
        "Statistical forecast (P50)",
        "Consensus demand",
        "P10-P90 range",
    } <= set(names)
    assert fig.layout.template.layout.font.family == charts.FONT  # the app's one template
    assert [a.text for a in fig.layout.annotations] == ["#1 Alpha = 1,000 units/month (why)"]
    assert len(fig.layout.shapes) == 1
    cons = next(t for t in fig.data if t.name == "Consensus demand")
    assert cons.y[0] == pytest.approx(sum(P50.values()) + 500 + 100)  # Alpha set, B1 +50 %


def test_history_view_words_and_empty_columns_dropped() -> None:
    hist = _overrides(
        {}, {schema.SKU: "A1", schema.KIND: overrides.KIND_PCT, schema.VALUE: 10.0}
    ).assign(
        **{
            schema.LEVEL: [overrides.LEVEL_FAMILY, overrides.LEVEL_SKU],
            schema.STATUS: schema.STATUS_ACTIVE,
            schema.WITHDRAWN_AT: [pd.NaT, pd.Timestamp("2026-02-03 14:05:09")],
            schema.WITHDRAWN_BY: None,
            schema.WITHDRAW_NOTE: None,
        }
    )
    view = demand_view.history_view(hist)
    assert view[schema.WITHDRAWN_AT].tolist() == ["", "2026-02-03 14:05"]  # never "None"
    assert view[schema.LEVEL].tolist() == ["Family", "SKU"]
    assert view[schema.KIND].tolist() == ["= units/month", "% change"]
    assert view[schema.SKU].tolist() == ["", "A1"] and view[schema.WITHDRAWN_BY].tolist() == [
        "",
        "",
    ]
    assert hist[schema.LEVEL].tolist() == [
        overrides.LEVEL_FAMILY,
        overrides.LEVEL_SKU,
    ]  # input untouched
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, np.nan]})
    assert list(demand_view.without_empty_columns(df).columns) == ["a"]


@pytest.mark.parametrize(
    "fva, words",
    [
        (0.25, "removes **25.0 %** of the naive error"),
        (-0.073, "**adds 7.3 %** to the naive error: worse than naive"),
        (float("nan"), "cannot be compared with it"),
    ],
)
def test_fva_sentence_says_better_or_worse(fva: float, words: str) -> None:
    text = demand_view.fva_sentence(
        pd.Series({"wape": 0.3, "snaive_wape": 0.4, "fva_vs_snaive": fva})
    )
    assert words in text and "WAPE 30.0 % vs 40.0 %" in text


def test_override_marks_never_stretch_the_chart_past_its_months() -> None:
    m = pd.date_range("2026-01-01", periods=6, freq="MS")
    marks = pd.DataFrame(
        {
            schema.OVERRIDE_ID: [1, 2, 3],
            schema.START_MONTH: [m[4], pd.Timestamp("2036-01-01"), pd.Timestamp("2025-06-01")],
            schema.END_MONTH: [pd.Timestamp("2037-12-01"), pd.Timestamp("2037-12-01"), m[1]],
            "label": ["#1", "#2", "#3"],
        }
    )
    out = demand_view.clip_marks(marks, pd.Series(m))
    assert out[schema.OVERRIDE_ID].tolist() == [1, 3]  # #2 lies wholly after the data
    assert out[schema.START_MONTH].tolist() == [m[4], m[0]]
    assert out[schema.END_MONTH].tolist() == [m[5], m[1]]
