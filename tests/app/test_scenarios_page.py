"""The Scenarios and Compare pages through AppTest: levers by key, KPI tiles, the URL,
save, list, compare, open and archive.

Setup stores a hand-made 18-month forecast for the tiny dataset (no model is fitted),
so the pages plan the same consensus demand as in the app.
"""

from __future__ import annotations

import math
import re

import pytest
from demand_helpers import PLAN_MONTHS, loaded_store
from streamlit.testing.v1 import AppTest

from sop.core.access import Actor
from sop.finance.catalogue import KPIS
from sop.scenario import lever_space, lever_widgets, wording
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

PAGE = "pages/scenarios.py"
N_TILES = 21  # the service row has late units, unit-months and value
NASTY = 'Q1 "best" case\'); DROP TABLE scenarios; -- *bold* _x_ $5 <b>ünïcødé</b> 🚀 ' + "y" * 1950


def _tiles(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def _money(text: str) -> float:
    """€274k / -€1.25M / €980 -> a number."""
    m = re.fullmatch(r"(-?)€([\d,.]+)([kMB]?)", text)
    assert m, text
    scale = {"": 1, "k": 1e3, "M": 1e6, "B": 1e9}[m.group(3)]
    return (-1 if m.group(1) else 1) * float(m.group(2).replace(",", "")) * scale


def test_baseline_tiles_then_a_slider_moves_them_and_the_url(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    tiles = _tiles(at)
    assert len(tiles) == N_TILES and tiles["Revenue"][1] == "no change"
    assert at.slider(key="scn_demand_pct").value == 0.0
    revenue = _money(tiles["Revenue"][0])
    at.slider(key="scn_demand_pct").set_value(20.0).run()
    assert not at.exception
    value, delta = _tiles(at)["Revenue"]
    assert _money(value) > revenue and delta.startswith("+€")
    assert at.query_params["scn_demand_pct"] == "20"
    assert any("demand, all families +20 %" in c.value.replace("\\", "") for c in at.caption)
    # a per-family slider is encoded into the one URL parameter
    at.slider(key="scn_demand_family_pct__Beta").set_value(-30.0).run()
    assert at.query_params["scn_demand_family_pct"] == "Beta:-30"
    _save(at, "Beta downturn", "Beta -30 %")
    at.button(key="scn_reset").click().run()
    assert _tiles(at)["Revenue"][1] == "no change"
    # the old name would now describe the baseline: it goes
    assert at.text_input(key="scn_save_name").value == ""
    assert at.text_area(key="scn_save_description").value == ""
    assert not any(k.startswith("scn_") for k in at.query_params)


def test_a_link_opens_the_same_scenario_and_keeps_other_parameters(
    forecast: Store, open_app
) -> None:
    lev = Levers(
        demand_pct=15.0,
        demand_family_pct=(("Alpha", 10.0),),
        capacity_changes=(("L1", "2026-02", "2026-03", -100.0),),
        overtime_allowed=False,
        safety_stock_months=2.0,
    )
    at = open_app(PAGE, query={**lev.to_query(), "theme": "dark"})
    assert at.slider(key="scn_demand_pct").value == 15.0
    assert at.slider(key="scn_demand_family_pct__Alpha").value == 10.0
    assert at.selectbox(key="scn_capacity_changes__0_resource").value == "L1"
    assert at.toggle(key="scn_overtime_allowed").value is False
    assert lever_widgets.levers_from_state(at.session_state, _space(at)) == lev
    assert at.query_params["theme"] == "dark"
    assert Levers.from_query(dict(at.query_params)) == lev
    assert _tiles(at)["Revenue"][1] != "no change"


def _space(at: AppTest) -> lever_space.LeverSpace:
    slots = sum(1 for k in at.session_state if k.endswith("_resource"))  # noqa: SIM118
    return lever_space.LeverSpace(
        ("Alpha", "Beta"),
        ("North", "South"),
        ("L1", "L2"),
        tuple(f"{m:%Y-%m}" for m in PLAN_MONTHS),
        slots,
    )


@pytest.mark.parametrize(
    "query, warning",
    [
        ({"scn_demand_pct": "lots"}, "scn_demand_pct: 'lots' is not a number"),
        ({"scn_demand_pct": "900"}, "outside -100 .. 200"),
    ],
)
def test_a_bad_link_warns_and_still_renders(
    forecast: Store, query: dict, warning: str, open_app
) -> None:
    at = open_app(PAGE, query=query)
    assert any(warning in _plain(w.value) for w in at.warning)
    assert at.slider(key="scn_demand_pct").value in (0.0, 200.0)
    assert len(at.metric) == N_TILES


def _plain(markdown: str) -> str:
    return markdown.replace("\\", "")


@pytest.mark.parametrize(
    "query, kept, why",
    [
        ({"scn_demand_pct": "nan"}, Levers(), ["scn_demand_pct: 'nan' is not a number"]),
        (
            {"scn_demand_pct": "inf", "scn_labour_cost_pct": "5"},
            Levers(labour_cost_pct=5.0),
            ["scn_demand_pct: 'inf' is not a number"],
        ),
        (
            {"scn_price_elasticity": "nan", "scn_price_family_pct": "Alpha:10"},
            Levers(price_family_pct=(("Alpha", 10.0),)),
            ["scn_price_elasticity: 'nan' is not"],
        ),
        (
            {
                "scn_demand_family_pct": "Toasters:20,Beta:-10",
                "scn_capacity_changes": "XX-9:2026-06:2026-07:50",
            },
            Levers(demand_family_pct=(("Beta", -10.0),)),
            ["no family 'Toasters'", "no line 'XX-9'"],
        ),
        (
            {"scn_capacity_changes": "L1:2099-13:2026-07:-100"},
            Levers(),
            ["'2099-13' is not a month"],
        ),
        (
            {"scn_demand_pct": "abc", "scn_capacity_changes": "zzz"},
            Levers(),
            ["scn_demand_pct: 'abc' is not a number", "scn_capacity_changes: 'zzz' is not"],
        ),
    ],
)
def test_bad_levers_in_a_link_are_left_out_in_one_warning(
    forecast: Store, query: dict, kept: Levers, why: list, open_app
) -> None:
    at = open_app(PAGE, query=query)
    assert not at.exception and not at.error
    assert len(at.warning) == 1, [w.value for w in at.warning]
    text = _plain(at.warning[0].value)
    assert all(w in text for w in why) and text.count("\n- ") == len(why), text
    assert "could not convert" not in text and "nearest allowed" not in text.split("\n- ", 1)[1]
    assert lever_widgets.levers_from_state(at.session_state, _space(at)) == kept
    assert Levers.from_query(dict(at.query_params)) == kept  # the address bar too
    assert not any("Toasters" in str(s.label) for s in at.slider)
    moved = next(c.value for c in at.caption if "Moved:" in c.value)
    assert _plain(moved).startswith("**Moved:** " + wording.moved_text(kept))
    assert len(at.metric) == N_TILES


@pytest.mark.parametrize(
    "moves",
    [
        {"scn_demand_pct": -100.0},
        {"scn_demand_pct": 200.0},
        {
            "scn_capacity_changes__0_resource": "L1",
            "scn_capacity_changes__0_from": "2026-01",
            "scn_capacity_changes__0_to": "2027-06",
            "scn_capacity_changes__0_pct": -100.0,
            "scn_capacity_changes__1_resource": "L2",
            "scn_capacity_changes__1_from": "2026-01",
            "scn_capacity_changes__1_to": "2027-06",
            "scn_capacity_changes__1_pct": -100.0,
            "scn_overtime_allowed": False,
            "scn_subcontract_allowed": False,
        },
    ],
)
def test_extreme_levers_give_valid_figures(forecast: Store, moves: dict, open_app) -> None:
    at = open_app(PAGE)
    for key, value in moves.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception and not at.error
    tiles = _tiles(at)
    assert len(tiles) == N_TILES
    assert all("nan" not in v and "inf" not in v for v, _ in tiles.values())
    undefined = {"Fill rate", "On-time fill rate", "Gross margin %", "Days of supply"}
    if moves.get("scn_demand_pct") == -100.0:  # no demand: ratios are not defined
        assert tiles["Revenue"][0] == "€0"
        assert {k for k, (v, _) in tiles.items() if v == "–"} == undefined
        helps = {m.label: m.help for m in at.metric}
        assert "there is no demand" in helps["Fill rate"]
        assert "there is no revenue" in helps["Gross margin %"]
        assert all(tiles[k][1] == "not defined" for k in undefined)  # not "no change"
    else:  # short everywhere: the plan ships every unit it has (safety stock first), so
        # it holds no stock and only inventory turns (cost of sales / stock) are undefined
        assert {k for k, (v, _) in tiles.items() if v == "–"} == {"Inventory turns a year"}
        helps = {m.label: m.help for m in at.metric}
        assert "there is no inventory" in helps["Inventory turns a year"]
    if "scn_capacity_changes__0_pct" in moves:  # no line hours: every unit is lost
        assert tiles["Fill rate"][0] != "100.0 %"


def test_tabs_draw_bridge_risk_and_tables(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    at.slider(key="scn_price_family_pct__Alpha").set_value(10.0).run()
    for tab in ("Margin bridge", "Risk (P10 / P50 / P90)", "All KPIs"):
        at.session_state["scn_tab"] = tab
        at.run()
        assert not at.exception, tab
    frames = [d.value for d in at.dataframe]
    kpis = next(f for f in frames if "KPI" in f.columns)
    assert len(kpis) == len(KPIS) and {"Baseline", "Change vs baseline", "vs budget"} <= set(kpis)
    assert "Below safety stock" in set(kpis["KPI"])
    assert kpis.set_index("KPI").at["Revenue", "Change vs baseline"].startswith("+€")
    util = next(f for f in frames if "Resource" in f.columns)
    assert set(util.loc[util["Kind"] == "line", "Resource"]) == {"L1", "L2"}


def _save(at: AppTest, name: str, description: str) -> None:
    at.session_state["scn_tab"] = "Save"
    at.run()
    at.text_input(key="scn_save_name").input(name)
    at.text_area(key="scn_save_description").input(description)
    at.button(key="FormSubmitter:scn_save_form-Save scenario").click().run()
    assert not at.exception


def test_save_list_compare_open_and_archive(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    at.slider(key="scn_demand_pct").set_value(30.0).run()
    _save(at, NASTY, NASTY[::-1])
    assert at.success and "Saved as scenario #1" in at.success[0].value
    saved = saved_scenarios.list_scenarios(Store(forecast.path))
    assert saved["name"].tolist() == [NASTY] and saved["description"].tolist() == [NASTY[::-1]]
    assert saved["author"].tolist() == [Actor.local_user().signature]
    _save(at, "", "")
    assert at.error and "name" in at.error[0].value
    at.slider(key="scn_demand_pct").set_value(-40.0).run()
    _save(at, "Downturn", "")

    at.switch_page("pages/compare.py").run()
    assert not at.exception
    listed = next(d.value for d in at.dataframe if "levers" in d.value.columns)
    assert NASTY in listed["name"].tolist() and NASTY[::-1] in listed["description"].tolist()
    assert "demand, all families +30 %" in listed["levers"].tolist()
    table = next(d.value for d in at.dataframe if "KPI" in d.value.columns)
    assert list(table.columns[:3]) == ["KPI", "Better", "Baseline"] and len(table.columns) == 5
    rows = table.set_index("KPI")
    # +30 % demand earns most, only because it is asked more: no revenue star
    assert not any(rows.loc["Revenue"].str.startswith("★"))
    assert any("carry no ★, as the plans' demands differ" in c.value for c in at.caption)
    assert not any(rows.loc["Demand"].str.startswith("★"))  # no better direction

    at.selectbox(key="cmp_target").set_value(2)
    at.button(key="cmp_archive").click().run()
    assert saved_scenarios.list_scenarios(Store(forecast.path))["scenario_id"].tolist() == [1]
    at.toggle(key="cmp_show_archived").set_value(True).run()
    listed = next(d.value for d in at.dataframe if "levers" in d.value.columns)
    assert listed.set_index("scenario_id").at[2, "archived"]

    at.selectbox(key="cmp_target").set_value(1)
    at.button(key="cmp_open").click().run()
    assert not at.exception
    assert at.slider(key="scn_demand_pct").value == 30.0
    assert at.query_params["scn_demand_pct"] == "30"


def test_levers_survive_a_visit_to_another_page(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    at.slider(key="scn_material_inflation_pct").set_value(12.0).run()
    at.switch_page("pages/supply.py").run()
    at.query_params.clear()
    at.switch_page("pages/scenarios.py").run()
    assert at.slider(key="scn_material_inflation_pct").value == 12.0
    assert _tiles(at)["Cost of goods sold"][1].startswith("+€")


def test_without_demand_the_pages_link_to_demand_planning(store: Store, open_app) -> None:
    loaded_store(store)
    for page in ("pages/scenarios.py", "pages/compare.py"):
        at = open_app(page)
        assert at.info and "forecast" in at.info[0].value
        assert not at.metric and not at.slider


def test_compare_without_saved_scenarios_says_how(forecast: Store, open_app) -> None:
    at = open_app("pages/compare.py")
    assert "No scenarios saved yet" in at.info[0].value


def test_figures_are_finite_numbers(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    for value, _ in _tiles(at).values():
        digits = re.sub(r"[^\d.]", "", value)
        assert digits and math.isfinite(float(digits))


def test_inconsistent_levers_are_explained_not_raised(forecast: Store, open_app) -> None:
    at = open_app(PAGE)
    at.session_state["scn_capacity_changes__0_resource"] = "L1"
    at.session_state["scn_capacity_changes__0_from"] = "2026-05"
    at.session_state["scn_capacity_changes__0_to"] = "2026-02"
    at.session_state["scn_capacity_changes__0_pct"] = 50.0
    at.session_state["scn_promo_family"] = "Beta"
    at.run()
    assert not at.exception
    assert any("2026-02 is before 2026-05" in _plain(w.value) for w in at.warning)
    assert len(at.warning) == 1
    assert at.error and "not valid" in at.error[0].value and not at.metric


def test_compare_ties_duplicate_names_and_names_in_charts(forecast: Store, open_app) -> None:
    import json

    name = "Same <b>bold</b> *x*"
    for _ in range(2):
        saved_scenarios.save(Store(forecast.path), name, Levers(demand_pct=10.0))
    saved_scenarios.save(Store(forecast.path), "Zero", Levers(demand_pct=-100.0))
    at = open_app("pages/compare.py")
    table = next(d.value for d in at.dataframe if "KPI" in d.value.columns).set_index("KPI")
    one, two = f"#1 {name}", f"#2 {name}"
    assert {one, two, "#3 Zero"} <= set(table.columns)
    # equal plans tie: they carry the same marks in every row; revenue none, as the
    # plans' demands differ (the baseline's, +10 % and none)
    for label in table.index:
        assert table.at[label, one].startswith("★") == table.at[label, two].startswith("★")
    assert not table.loc["Revenue"].str.startswith("★").any()
    for label in ("Cost of goods sold", "Overtime cost", "Subcontract cost"):
        assert not table.loc[label].str.startswith("★").any(), label
    assert table.at["Fill rate (served / demanded)", "#3 Zero"] == "–"
    assert any(
        "there is no demand" in c.value.replace("\\", "") and "#3 Zero" in c.value.replace("\\", "")
        for c in at.caption
    )
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t["name"] for t in fig["data"]]
    assert "#1 Same &lt;b&gt;bold&lt;/b&gt; *x*" in names
    assert not any("<b>" in n for n in names)


def test_enter_then_save_stores_one_scenario_and_the_form_comes_back_empty(
    forecast: Store, open_app
) -> None:
    at = open_app(PAGE)
    at.slider(key="scn_demand_pct").set_value(10.0).run()
    _save(at, "Ten up", "demand +10 %")  # Enter in the name field submits the form
    assert "Saved as scenario #1" in at.success[0].value
    assert at.text_input(key="scn_save_name").value == ""
    assert at.text_area(key="scn_save_description").value == ""
    at.button(key="FormSubmitter:scn_save_form-Save scenario").click().run()  # ... the click
    assert not at.exception
    assert len(saved_scenarios.list_scenarios(Store(forecast.path))) == 1
