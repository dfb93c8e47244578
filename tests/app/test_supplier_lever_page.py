"""The supplier-capacity lever on the Scenarios and Compare pages through AppTest: a
dataset with a supplier cap offers it, a cut makes the plan short and the shortfall
text names the supplier, the URL and a saved scenario keep it, the summary words it;
a dataset without supplier caps offers no such lever and a link naming one warns."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from demand_helpers import PLAN_MONTHS, SETTINGS, fake_values, loaded_store, store_fake_run
from streamlit.testing.v1 import AppTest
from tiny import tiny_tables

from sop.core import schema
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import ALL_SUPPLIERS, Levers
from sop.store import Store

PAGE = "pages/scenarios.py"
CAP = "CAP-ALPHA"  # Alpha sells 500 units a month (tests/demand_helpers.P50)
SLOT = "scn_supplier_changes__0_"


@pytest.fixture
def capped(store: Store) -> Store:
    """The tiny dataset with a 600 units/month supplier cap on Alpha, and a stored
    18-month forecast (as the `forecast` fixture)."""
    tables = tiny_tables()
    tables[schema.SUPPLY_OPTIONS] = pd.DataFrame(
        {
            schema.OPTION: [CAP],
            schema.OPTION_TYPE: [schema.OPTION_MATERIAL_CAP],
            schema.FAMILY: ["Alpha"],
            schema.COST_PER_UNIT: [float("nan")],
            schema.MONTHLY_CAP_UNITS: [600.0],
        }
    )
    loaded_store(store, tables)
    store_fake_run(
        store,
        settings=dataclasses.replace(SETTINGS, horizon=18),
        values=fake_values(months=PLAN_MONTHS),
    )
    return store


def _plain(markdown: str) -> str:
    return markdown.replace("\\", "")


def _tile(at: AppTest, label: str) -> float:
    value = next(m.value for m in at.metric if m.label == label)
    return float(value.rstrip(" %"))


def test_a_supplier_cut_shorts_the_plan_names_the_supplier_and_round_trips(
    capped: Store, open_app
) -> None:
    at = open_app(PAGE)
    # the cap is named as the Supply page names it; months read as on the charts
    named = f"{CAP} · Alpha material cap"
    assert at.selectbox(key=SLOT + "supplier").options == ["(none)", ALL_SUPPLIERS, named]
    fill = _tile(at, "Fill rate")
    first, last = f"{PLAN_MONTHS[2]:%Y-%m}", f"{PLAN_MONTHS[-1]:%Y-%m}"
    span = f"{PLAN_MONTHS[2]:%b %Y} to {PLAN_MONTHS[-1]:%b %Y}"
    at.selectbox(key=SLOT + "supplier").set_value(CAP)
    at.selectbox(key=SLOT + "from").set_value(first)
    at.selectbox(key=SLOT + "to").set_value(last)
    at.slider(key=SLOT + "pct").set_value(-50.0).run()
    assert not at.exception
    assert at.query_params["scn_supplier_changes"] == f"{CAP}:{first}:{last}:-50"
    assert _tile(at, "Fill rate") < fill
    said = " ".join(_plain(c.value) for c in at.caption)
    # the Moved line names the cap as the picker does: code · name
    assert f"supplier cap {named} {span} -50 %" in said
    text = " ".join(_plain(m.value) for m in at.markdown)
    assert f"the supplier cap {CAP} is full" in text
    lev = Levers(supplier_changes=((CAP, first, last, -50.0),))

    at.session_state["scn_tab"] = "Save"
    at.run()
    at.text_input(key="scn_save_name").input("Alpha supplier at half")
    at.button(key="FormSubmitter:scn_save_form-Save scenario").click().run()
    assert not at.exception
    assert saved_scenarios.get(Store(capped.path), 1) == ("Alpha supplier at half", lev)
    at.switch_page("pages/compare.py").run()
    listed = next(d.value for d in at.dataframe if "levers" in d.value.columns)
    assert listed["levers"].tolist() == [f"supplier cap {named} {span} -50 %"]
    # the Finance page says what the saved scenario moved in the same words
    at.switch_page("pages/finance.py").run()
    at.selectbox(key="fin_scenario").set_value(1).run()
    assert not at.exception
    said = " ".join(_plain(c.value) for c in at.caption)
    assert f"moved: supplier cap {named} {span} -50 %" in said

    # a link opens the same scenario on another screen
    again = open_app(PAGE, query=lev.to_query())
    assert again.selectbox(key=SLOT + "supplier").value == CAP
    assert again.slider(key=SLOT + "pct").value == -50.0
    assert Levers.from_query(dict(again.query_params)) == lev
    assert _tile(again, "Fill rate") < fill


def test_no_supplier_lever_without_supplier_caps_and_a_link_naming_one_warns(
    forecast: Store, open_app
) -> None:
    at = open_app(PAGE)
    assert not any(k.startswith("scn_supplier_changes") for k in at.session_state)  # noqa: SIM118
    link = Levers(supplier_changes=(("CAP-CL-MOTOR", "2026-03", "2026-05", -50.0),))
    at = open_app(PAGE, query=link.to_query())
    warned = " ".join(_plain(w.value) for w in at.warning)
    assert "there is no supplier cap 'CAP-CL-MOTOR' in this dataset (left out)" in warned
    assert not any(k.startswith("scn_supplier_changes") for k in at.query_params)
