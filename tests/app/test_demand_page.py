"""The Demand page through AppTest: run, pick, override, withdraw, accuracy, export.

A hand-made forecast is stored directly (tests/demand_helpers.py) so the page never
fits a model here, except in the one test of the Run forecast button, which fits the
tiny dataset.
"""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pandas as pd
import pytest
from demand_helpers import MONTHS, P50, fake_values, loaded_store, store_fake_run
from streamlit.testing.v1 import AppTest
from tiny import tiny_tables

from sop.core import schema
from sop.core.access import Actor
from sop.demand import overrides
from sop.demand.plan import PLAN_COLUMNS
from sop.store import Store
from sop.store import forecasts as forecast_store
from sop.store import overrides as override_log
from sop.ui import readers

PAGE = "pages/demand.py"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def forecast(store: Store) -> Store:
    loaded_store(store)
    store_fake_run(store)
    return store


def _trace_y(fig: dict, name: str) -> np.ndarray:
    """The y values of a trace of a Plotly JSON spec (typed arrays are base64)."""
    y = next(t for t in fig["data"] if t.get("name") == name)["y"]
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
    return np.asarray(y, dtype=float)


LOCAL = Actor.local_user().signature  # who the app acts as without sign-in


def _fill_override(
    at: AppTest,
    value: float,
    reason: str = "key account win",
    kind: str = overrides.KIND_UNITS,
    start: int = 0,
    end: int = 1,
) -> AppTest:
    at.selectbox(key="dem_ov_start").set_value(MONTHS[start])
    at.selectbox(key="dem_ov_end").set_value(MONTHS[end])
    at.radio(key="dem_ov_kind").set_value(kind)
    at.number_input(key="dem_ov_value").set_value(value)
    at.text_input(key="dem_ov_reason").input(reason)
    return at.button(key="dem_ov_save").click().run()


def test_without_a_forecast_the_page_says_so_and_the_button_runs_it(store: Store, open_app) -> None:
    loaded_store(store)
    at = open_app(PAGE)
    assert "No statistical forecast is stored" in at.warning[0].value
    assert not at.metric
    at.number_input(key="dem_horizon").set_value(6)
    at.button(key="dem_run").click().run()
    assert not at.exception, at.exception
    assert "Forecast stored" in at.success[0].value
    run = forecast_store.find_run(store, 1)
    assert run is not None and run.settings["horizon"] == 6
    assert "Consensus, next 6 months" in _metrics(at)
    assert at.button(key="dem_run").label == "Refit the forecast"
    summary = forecast_store.frame(store, run.run_id, "reconciliation").iloc[0]
    assert summary["method"] in ("mint_shrink", "bottom_up") and summary["coherence"] < 1e-6
    levels = forecast_store.frame(store, run.run_id, "levels")
    assert {"sku", "family", "total"} <= set(levels["level"])
    said = " ".join(c.value for c in at.caption)
    assert "Levels add up by" in said and f"Stored run {run.run_id}" in said


def test_page_shows_the_stored_forecast_and_picks_a_selection(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    total = sum(P50.values()) * len(MONTHS)
    assert _metrics(at)["Consensus, next 6 months"] == f"{total:,.0f} units"
    assert _metrics(at)["Statistical P50, same months"] == f"{total:,.0f} units"
    assert "Pick a family" in at.info[0].value  # no override at company level
    at.selectbox(key="dem_family").set_value("Beta").run()
    assert at.selectbox(key="dem_sku").options == ["(all)", "B1"]
    assert _metrics(at)["Consensus, next 6 months"] == f"{200 * len(MONTHS):,.0f} units"
    at.selectbox(key="dem_sku").set_value("B1").run()
    at.selectbox(key="dem_region").set_value("South").run()
    assert not at.exception
    assert _metrics(at)["Consensus, next 6 months"] == "0 units"
    assert any("Override the forecast of B1 in South" in m for m in at.markdown.values)
    # a SKU of another family does not survive a change of family
    at.selectbox(key="dem_family").set_value("Alpha").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="dem_sku").value == "(all)"


def test_add_an_override_and_see_it_in_the_history_and_the_metrics(
    forecast: Store, open_app
) -> None:
    at = open_app(PAGE)
    at.selectbox(key="dem_family").set_value("Alpha").run()
    at = _fill_override(at, 1000.0)
    assert not at.exception, at.exception
    assert "saved" in at.success[0].value
    hist = next(d.value for d in at.dataframe if schema.STATUS in d.value.columns)
    assert hist[schema.AUTHOR].tolist() == [LOCAL]  # single-user mode: the local user
    assert hist[schema.REASON].tolist() == ["key account win"]
    assert hist[schema.STATUS].tolist() == [schema.STATUS_ACTIVE]
    # level and kind in words; a family override has no SKU or region: empty, not None
    assert (hist[schema.LEVEL].tolist(), hist[schema.KIND].tolist()) == (
        ["Family"],
        ["= units/month"],
    )
    assert hist[[schema.SKU, schema.REGION, schema.WITHDRAWN_BY]].iloc[0].tolist() == [
        "",
        "",
        "",
    ]
    assert any("(family level)" in m for m in at.markdown.values)
    m = _metrics(at)
    assert m["Consensus, next 6 months"] == f"{1000 * 2 + 500 * 4:,.0f} units"
    assert m["Statistical P50, same months"] == f"{500 * 6:,.0f} units"
    assert m["Active overrides on this selection"] == "1"
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [a["text"] for a in fig["layout"]["annotations"]] == [
        "#1 Alpha = 1,000 units/month (key account win)"
    ]
    assert list(_trace_y(fig, "Consensus demand")[:3]) == pytest.approx([1000, 1000, 500])
    assert list(_trace_y(fig, "Statistical forecast (P50)")[:3]) == pytest.approx([500] * 3)


@pytest.mark.parametrize(
    "fields, message",
    [
        (dict(value=-5.0), "cannot be negative"),
        (dict(value=100.0, reason=""), "Enter a reason"),
        (dict(value=100.0, start=3, end=1), "before the start month"),
    ],
)
def test_bad_input_in_the_editor_shows_what_is_wrong_and_stores_nothing(
    forecast: Store, fields: dict, message: str, open_app
) -> None:
    at = open_app(PAGE)
    at.selectbox(key="dem_family").set_value("Alpha").run()
    at = _fill_override(at, **fields)
    assert not at.exception, at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert override_log.counts(forecast) == (0, 0)
    assert not at.success


def test_saving_the_form_as_it_opens_changes_nothing(forecast: Store, open_app) -> None:
    """Typing only a reason must not wipe the selection's demand: the form opens on a %
    change of 0, which is refused."""
    at = open_app(PAGE)
    at.selectbox(key="dem_family").set_value("Alpha").run()
    assert at.radio(key="dem_ov_kind").value == overrides.KIND_PCT
    at.text_input(key="dem_ov_reason").input("just looking")
    at = at.button(key="dem_ov_save").click().run()
    assert any("leaves the forecast as it is" in e.value for e in at.error)
    assert override_log.counts(forecast) == (0, 0)


def test_withdraw_from_the_page_keeps_the_history(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    at.selectbox(key="dem_family").set_value("Alpha").run()
    at.selectbox(key="dem_sku").set_value("A1").run()
    at = _fill_override(at, 20.0, kind=overrides.KIND_PCT)
    assert override_log.counts(forecast) == (1, 0)
    at.text_input(key="dem_wd_note").input("customer cancelled")
    at.button(key="dem_wd_go").click().run()
    assert not at.exception
    assert "withdrawn" in at.success[0].value
    hist = next(d.value for d in at.dataframe if schema.STATUS in d.value.columns)
    assert hist[schema.STATUS].tolist() == [schema.STATUS_WITHDRAWN]
    assert hist[schema.WITHDRAWN_BY].tolist() == [LOCAL]
    assert _metrics(at)["Active overrides on this selection"] == "0"


def test_accuracy_tab_shows_families_and_says_fva_of_consensus_is_not_measurable(
    forecast: Store,
    open_app,
) -> None:
    at = open_app(PAGE)
    fam = next(
        d.value
        for d in at.dataframe
        if "fva_vs_snaive" in d.value.columns and "n_series" in d.value.columns
    )
    assert fam[schema.FAMILY].tolist() == ["Alpha", "Beta", "All families"]
    # shares shown in percent as the sentence above writes them (12.3 %), numbers to sort
    said = next(m for m in at.markdown.values if "vs seasonal naive" in m)
    assert f"WAPE {fam['wape'].iloc[-1]:.1f} %" in said, said
    grid = next(d for d in at.dataframe if d.value is not None and "n_series" in d.value.columns)
    assert json.loads(grid.proto.columns)["wape"]["type_config"]["format"] == "%.1f %%"
    assert any("Not measurable yet" in i.value for i in at.info)
    flagged = next(
        d.value
        for d in at.dataframe
        if "flag" in d.value.columns and (d.value["flag"] != "ok").all()
    )
    assert flagged[schema.SKU].tolist() == ["B1"]


def test_export_is_the_demand_plan_as_csv(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    at.selectbox(key="dem_family").set_value("Alpha").run()
    at = _fill_override(at, 900.0)
    button = at.get("download_button")[0]
    assert button.proto.label.startswith("Download the consensus demand plan")
    assert button.proto.url.endswith(".csv")
    # the bytes the button serves (AppTest keeps them in a mock media store)
    stamp = readers.demand_stamp(str(forecast.path), 1)
    got = pd.read_csv(io.BytesIO(readers.demand_plan_csv(str(forecast.path), 1, stamp)))
    assert list(got.columns) == PLAN_COLUMNS
    assert got[schema.UNITS].sum() == pytest.approx(900 * 2 + 500 * 4 + 200 * 6)
    assert got[schema.FORECAST_UNITS].sum() == pytest.approx(700 * 6)
    assert got[schema.MONTH].iloc[0] == f"{MONTHS[0]:%Y-%m}"


def test_a_loaded_consensus_is_used_and_the_page_says_so(store: Store, open_app) -> None:
    tables = tiny_tables()
    tables[schema.CONSENSUS] = pd.DataFrame(
        [(m, sku, region, 10.0) for m in MONTHS for sku, region in P50],
        columns=[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS],
    )
    loaded_store(store, tables)
    at = open_app(PAGE)
    assert any("brings its own consensus demand plan" in i.value for i in at.info)
    assert _metrics(at)["Consensus, next 6 months"] == f"{10 * 6 * 6:,.0f} units"
    assert not at.get("form")  # no override editor


def test_hold_out_check_scores_the_bands_out_of_sample(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    assert not any("Hold-out check" in m for m in at.markdown.values)
    at.button(key="dem_holdout_run").click().run(timeout=120)
    assert not at.exception, at.exception
    said = next(m for m in at.markdown.values if m.startswith("**Hold-out check**"))
    table = next(d.value for d in at.dataframe if "coverage_80" in d.value.columns)
    total = table.iloc[-1]
    assert total[schema.FAMILY] == "All families"
    assert 0 <= total["coverage_80"] <= 100 and total["held_out_months"] > 0  # in %
    assert f"of {int(total['held_out_months'])} held-out months" in said
    # the result stays on screen across reruns of the same run, without refitting
    at.run()
    assert any(m.startswith("**Hold-out check**") for m in at.markdown.values)


# --- a form stores once; a second override on the same months asks first ---------------
def test_enter_then_save_stores_one_override_and_the_form_comes_back_empty(
    forecast: Store, open_app
) -> None:
    at = open_app(PAGE)
    at.selectbox(key="dem_family").set_value("Alpha").run()
    # Enter in the Reason field submits the form: the same as pressing its button
    at = _fill_override(at, 25.0, kind=overrides.KIND_PCT)
    assert "Override #1 on Alpha saved" in at.success[0].value
    assert at.number_input(key="dem_ov_value").value == 0.0
    assert at.text_input(key="dem_ov_reason").value == ""
    # ... then the click on "Save override": the form it sends is the empty one
    at.button(key="dem_ov_save").click().run()
    assert not at.exception, at.exception
    assert any("Nothing to save" in i.value for i in at.info)
    assert not at.error
    assert override_log.counts(forecast) == (1, 0)


def test_a_second_override_on_the_same_months_asks_and_cancel_stores_nothing(
    forecast: Store, open_app
) -> None:
    at = open_app(PAGE)
    at.selectbox(key="dem_family").set_value("Alpha").run()
    at = _fill_override(at, 25.0, kind=overrides.KIND_PCT)
    at = _fill_override(at, 25.0, kind=overrides.KIND_PCT)
    assert not at.exception, at.exception
    asked = at.warning[0].value.replace("\\", "")  # as shown: Markdown, escaped
    assert f"An override of +25 % from {LOCAL} (#1" in asked and "together they make +56 %" in asked
    effect = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "consensus now 1,250 units" in effect and "1,562 units (+56 % on the forecast)" in effect
    assert override_log.counts(forecast) == (1, 0)
    assert at.text_input(key="dem_ov_reason").value == "key account win"  # kept while asking
    at.button(key="dem_ov_cancel").click().run()
    assert not at.exception, at.exception
    assert override_log.counts(forecast) == (1, 0)
    assert not _has(at, "dem_ov_stack")
    assert not any("together they make" in w.value for w in at.warning)
    # asked again, and this time stacked
    at = _fill_override(at, 25.0, kind=overrides.KIND_PCT)
    at.button(key="dem_ov_stack").click().run()
    assert not at.exception, at.exception
    assert "Override #2 on Alpha saved" in at.success[0].value
    assert override_log.active(forecast)[schema.AUTHOR].tolist() == [LOCAL, LOCAL]
    assert _metrics(at)["Active overrides on this selection"] == "2"


def _has(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


def test_company_b_does_not_see_company_as_overrides_and_orphans_are_listed(
    forecast: Store, open_app
) -> None:
    at = open_app(PAGE)
    at.selectbox(key="dem_family").set_value("Alpha").run()
    at.selectbox(key="dem_sku").set_value("A2").run()
    at = _fill_override(at, 50.0, kind=overrides.KIND_PCT)
    assert override_log.counts(forecast) == (1, 0)
    # another company (same data under another name): starts clean
    loaded_store(forecast, _as_company(tiny_tables(), "Bolt"))
    store_fake_run(forecast, version=2)
    at = open_app(PAGE)
    assert not any(schema.STATUS in d.value.columns for d in at.dataframe)
    assert any("No override has been made yet" in c.value for c in at.caption)
    # a new version of the first company without SKU A2: the override is orphaned
    tables = tiny_tables()
    for name, df in tables.items():
        if schema.SKU in df.columns:
            tables[name] = df[df[schema.SKU] != "A2"].reset_index(drop=True)
    loaded_store(forecast, tables)
    store_fake_run(forecast, version=3, values=_without("A2"))
    at = open_app(PAGE)
    assert not at.exception, at.exception
    assert any("not in the active dataset" in w.value for w in at.warning)
    orphans = next(d.value for d in at.dataframe if overrides.WHY in d.value.columns)
    assert orphans[schema.SKU].tolist() == ["A2"]
    assert "SKU A2 is not in the product master" in orphans[overrides.WHY].iloc[0]
    assert _metrics(at)["Consensus, next 6 months"] == _metrics(at)["Statistical P50, same months"]
    assert at.selectbox(key="dem_wd_id").options == ["#1"]  # it can be withdrawn


def _as_company(tables: dict, name: str) -> dict:
    return {
        **tables,
        schema.COMPANY: pd.DataFrame(
            {
                schema.COMPANY_NAME: [name],
                schema.CURRENCY: ["EUR"],
                schema.AS_OF_MONTH: [MONTHS[0] - pd.offsets.MonthBegin(1)],
            }
        ),
    }


def _without(sku: str) -> pd.DataFrame:
    return fake_values({k: v for k, v in P50.items() if k[0] != sku})
