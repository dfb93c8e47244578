"""Lever widgets as data: keys, state <-> Levers; the URL (`sop.scenario_url`): round
trips, bad levers in a link, where levers start."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from sop.core import schema
from sop.scenario import lever_space, lever_widgets, wording
from sop.scenario import url as scenario_url
from sop.scenario.levers import PREFIX, Levers, lever_help
from sop.supply.targets import Target

SPACE = lever_space.LeverSpace(
    ("Alpha", "Beta"),
    ("North", "South"),
    ("L1", "L2"),
    ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"),
)
MOVED = Levers(
    demand_pct=10.0,
    demand_family_pct=(("Alpha", 5.0), ("Beta", -20.0)),
    demand_region_pct=(("North", 3.0),),
    price_family_pct=(("Beta", 4.0),),
    price_elasticity=-1.5,
    promo_family="Alpha",
    promo_start="2026-03",
    promo_months=2,
    promo_uplift_pct=25.0,
    capacity_changes=(("L2", "2026-04", "2026-05", -100.0), ("L1", "2026-02", "2026-03", 50.0)),
    overtime_allowed=False,
    overtime_cap_pct=150.0,
    subcontract_allowed=False,
    subcontract_cap_pct=0.0,
    hiring_allowed=False,
    hiring_limit=2.0,
    material_inflation_pct=8.0,
    labour_cost_pct=-5.0,
    holding_cost_rate=30.0,
    safety_stock_months=1.5,
    ending_units=(("Beta", 500.0),),
)


def test_scalar_levers_have_their_url_names_as_widget_keys() -> None:
    keys = {w.key for w in lever_widgets.lever_widgets(SPACE)}
    scalars = {
        PREFIX + f.name for f in dataclasses.fields(Levers) if not isinstance(f.default, tuple)
    }
    assert scalars <= keys
    assert {
        "scn_demand_family_pct__Alpha",
        "scn_demand_region_pct__South",
        "scn_price_family_pct__Beta",
        "scn_capacity_changes__1_pct",
    } <= keys
    assert len(keys) == len(lever_widgets.lever_widgets(SPACE))  # no key twice
    assert {w.group for w in lever_widgets.lever_widgets(SPACE)} == set(lever_widgets.GROUPS)


def test_widget_ranges_are_the_levers_ranges() -> None:
    meta = lever_help()
    for w in lever_widgets.lever_widgets(SPACE):
        name = w.key[len(PREFIX) :].split("__")[0]
        if w.kind in ("slider", "number") and meta[name]["min"] is not None:
            assert (w.lo, w.hi) == (meta[name]["min"], meta[name]["max"]), w.key


@pytest.mark.parametrize(
    "levers",
    [
        Levers(),
        MOVED,
        Levers(promo_family="Beta", promo_start="2026-06", promo_uplift_pct=50.0),
        Levers(targets=(Target("on_time_rate", ">=", 0.97, start="2026-06"),)),
    ],
)
def test_state_round_trip(levers: Levers) -> None:
    state = lever_widgets.widget_state(levers, SPACE)
    # every widget, and the targets (a lever with no widget, kept in the state)
    keys = {w.key for w in lever_widgets.lever_widgets(SPACE)} | {"scn_targets"}
    assert set(state) == keys
    assert lever_widgets.levers_from_state(state, SPACE) == levers


def test_url_to_widgets_to_url() -> None:
    url = {**MOVED.to_query(), "other": "kept"}
    levers, problems = scenario_url.levers_from_url(url)
    assert levers == MOVED and problems == []
    back = lever_widgets.levers_from_state(lever_widgets.widget_state(levers, SPACE), SPACE)
    assert back.to_query() == MOVED.to_query()


def test_zero_pairs_unused_slots_and_an_unchosen_promotion_are_not_moved() -> None:
    state = lever_widgets.widget_state(Levers(), SPACE)
    state |= {
        "scn_demand_family_pct__Alpha": 0.0,
        "scn_capacity_changes__0_pct": 40.0,
        "scn_capacity_changes__1_resource": "L1",
        "scn_promo_uplift_pct": 80.0,
        "scn_promo_months": 5,
    }
    assert lever_widgets.levers_from_state(state, SPACE) == Levers()


def test_out_of_range_values_are_clamped_and_named() -> None:
    levers, problems = scenario_url.levers_from_url(
        {"scn_demand_pct": "900", "scn_promo_months": "40"}
    )
    assert levers == Levers(demand_pct=200.0, promo_months=12)
    assert any("900 is outside -100 .. 200" in p and "nearest allowed value" in p for p in problems)
    state = lever_widgets.widget_state(levers, SPACE)
    assert state["scn_demand_pct"] == 200.0 and state["scn_promo_months"] == 12


def test_unreadable_or_absent_url_levers() -> None:
    assert scenario_url.levers_from_url({"page": "x"}) == (None, [])
    levers, problems = scenario_url.levers_from_url({"scn_demand_pct": "lots"})
    assert levers == Levers()
    assert problems == ["scn_demand_pct: 'lots' is not a number (left out)"]


@pytest.mark.parametrize(
    "query, why",
    [
        ({"scn_demand_pct": "nan"}, "scn_demand_pct: 'nan' is not a number"),
        ({"scn_demand_pct": "inf"}, "scn_demand_pct: 'inf' is not a number"),
        ({"scn_price_elasticity": "nan"}, "scn_price_elasticity: 'nan' is not a number"),
        (
            {"scn_demand_family_pct": "Alpha:-inf"},
            "scn_demand_family_pct for Alpha: '-inf' is not a number",
        ),
        ({"scn_demand_family_pct": "Toasters:20"}, "no family 'Toasters'"),
        ({"scn_demand_region_pct": "Mars:5"}, "no region 'Mars'"),
        ({"scn_price_family_pct": "Toasters:5"}, "no family 'Toasters'"),
        ({"scn_promo_family": "Toasters", "scn_promo_start": "2026-02"}, "no family 'Toasters'"),
        ({"scn_promo_family": "Alpha", "scn_promo_start": "2026-13"}, "'2026-13' is not a month"),
        ({"scn_capacity_changes": "XX-9:2026-02:2026-03:50"}, "no line 'XX-9'"),
        ({"scn_capacity_changes": "L1:2099-13:2026-03:-100"}, "'2099-13' is not a month"),
        ({"scn_capacity_changes": "L1:2026-3:2026-04:-100"}, "'2026-3' is not a month"),
        ({"scn_capacity_changes": "L1:2026-05:2026-02:10"}, "2026-02 is before 2026-05"),
        ({"scn_capacity_changes": "zzz"}, "'zzz' is not line:from:to:%"),
        (
            {"scn_capacity_changes": "L1:2099-01:2099-02:50"},
            "2099-01 to 2099-02 is outside the plan's months (2026-01 to 2026-06)",
        ),
        (
            {"scn_promo_family": "Alpha", "scn_promo_start": "2025-09", "scn_promo_months": "3"},
            "(2025-09 to 2025-11) is outside the plan's months",
        ),
        ({"scn_overtime_allowed": "maybe"}, "'maybe' is not on/off"),
        ({"scn_promo_months": "2.5"}, "'2.5' is not a whole number"),
        ({"scn_demnd_pct": "5"}, "unknown lever 'scn_demnd_pct' (did you mean scn_demand_pct?)"),
    ],
)
def test_a_bad_lever_in_a_link_is_left_out_and_the_good_ones_kept(query: dict, why: str) -> None:
    good = {"scn_labour_cost_pct": "5", "scn_demand_family_pct": "Beta:-10"}
    merged = {**query, **{k: v for k, v in good.items() if k not in query}}
    levers, problems = scenario_url.levers_from_url(merged, SPACE)
    kept = Levers.from_query({k: v for k, v in good.items() if k not in query})
    assert levers == kept, problems
    assert len(problems) == 1 and why in problems[0], problems
    assert "(set to the nearest" not in problems[0]
    assert (
        levers.problems() == []
        and levers.unknown_names(SPACE.families, SPACE.regions, SPACE.resources) == []
    )


def test_every_bad_lever_of_a_link_is_named_with_why() -> None:
    levers, problems = scenario_url.levers_from_url(
        {
            "scn_demand_pct": "abc",
            "scn_capacity_changes": "zzz,L1:2026-02:2026-03:50",
            "scn_price_family_pct": "Alpha:10,Toasters:5,Beta:x",
        },
        SPACE,
    )
    assert levers == Levers(
        capacity_changes=(("L1", "2026-02", "2026-03", 50.0),), price_family_pct=(("Alpha", 10.0),)
    )
    assert problems == [
        "scn_demand_pct: 'abc' is not a number (left out)",
        "scn_capacity_changes: 'zzz' is not line:from:to:% (e.g. "
        "RS-ASM1:2027-06:2027-07:50) (left out)",
        "scn_price_family_pct for Beta: 'x' is not a number (left out)",
        "scn_price_family_pct: there is no family 'Toasters' in this dataset (left out)",
    ]
    text = scenario_url.link_warning(problems)
    assert text.count("\n- ") == 4 and "could not convert" not in text
    assert "scn\\_demand\\_pct\\: 'abc' is not a number" in text  # Markdown-escaped


def test_levers_on_screen_naming_what_the_data_lacks_are_named() -> None:
    assert scenario_url.lever_warning(MOVED, SPACE) is None
    odd = Levers(
        demand_family_pct=(("Toasters", 20.0),),
        capacity_changes=(("XX-9", "2026-02", "2026-03", 50.0),),
    )
    text = scenario_url.lever_warning(odd, SPACE).replace("\\", "")
    assert "no family 'Toasters'" in text and "no line 'XX-9'" in text


def test_widget_labels_show_names_as_typed() -> None:
    space = lever_space.LeverSpace(("*Bold*",), ("North",), ("L1",), ("2026-01",))
    labels = {w.key: w.label for w in lever_widgets.lever_widgets(space)}
    assert labels["scn_demand_family_pct__*Bold*"] == "Demand: \\*Bold\\* (%)"


def test_query_update_sets_changes_and_drops_stale_levers_only() -> None:
    current = {"scn_demand_pct": "10", "scn_labour_cost_pct": "3", "theme": "dark"}
    changed, stale = scenario_url.query_update(
        current, Levers(demand_pct=10.0, price_elasticity=-1.0)
    )
    assert changed == {"scn_price_elasticity": "-1"} and stale == ["scn_labour_cost_pct"]
    assert scenario_url.query_update({}, Levers()) == ({}, [])


def test_space_makes_room_for_what_a_saved_scenario_names() -> None:
    demand = pd.DataFrame(
        {
            schema.MONTH: pd.to_datetime(["2026-01-01", "2026-02-01"]),
            schema.FAMILY: ["Alpha", "Beta"],
            schema.REGION: ["North", "North"],
        }
    )
    tables = {schema.CAPACITY: pd.DataFrame({schema.RESOURCE: ["L1"]})}
    space = lever_space.space_for(demand, tables, MOVED)
    assert "L2" in space.resources and "2026-05" in space.months and "South" not in space.regions
    assert space.slots == 2 and space.families == ("Alpha", "Beta")
    many = Levers(
        capacity_changes=tuple(("L1", "2026-01", "2026-01", 10.0 * i) for i in range(1, 5))
    )
    assert lever_space.space_for(demand, tables, many).slots == 4


def test_where_the_levers_start() -> None:
    url = {"scn_demand_pct": "7"}
    assert scenario_url.starting_levers(
        {}, {"scn_demand_family_pct": "Toasters:5", **url}, False, SPACE
    )[:2] == (Levers(demand_pct=7.0), True)
    stored = {scenario_url.CURRENT: Levers(demand_pct=3.0)}
    assert scenario_url.starting_levers({}, url, False) == (Levers(demand_pct=7.0), True, [])
    assert scenario_url.starting_levers(stored, {}, False) == (Levers(demand_pct=3.0), True, [])
    assert scenario_url.starting_levers(stored, url, True) == (Levers(demand_pct=3.0), True, [])
    live = stored | {lever_widgets.FIRST_KEY: 3.0}
    assert scenario_url.starting_levers(live, url, False) == (Levers(demand_pct=3.0), False, [])
    assert scenario_url.starting_levers({}, {}, False) == (Levers(), True, [])


def test_moved_text_speaks_plainly() -> None:
    assert wording.moved_text(Levers()) == "nothing (baseline)"
    text = wording.moved_text(MOVED)
    for part in (
        "demand, all families +10 %",
        "demand Beta -20 %",
        "price Beta +4 %",
        "promotion on Alpha from Mar 2026 for 2 month(s) +25 %",
        "capacity L2 Apr 2026 to May 2026 -100 %",
        "overtime off",
        "safety stock 1.5 months of cover",
    ):
        assert part in text
    assert "promo_" not in text
    assert "price elasticity -1.5;" in text and "ratio" not in text


def test_no_subcontract_or_hiring_levers_when_the_data_has_nothing_to_act_on() -> None:
    """QA (a non-demo dataset without supply_options and workforce): the Scenarios page
    offered subcontracting and hiring levers that could not change anything."""
    demand = pd.DataFrame(
        {
            schema.MONTH: pd.to_datetime(["2026-01-01"]),
            schema.FAMILY: ["Alpha"],
            schema.REGION: ["North"],
        }
    )
    bare = {schema.CAPACITY: pd.DataFrame({schema.RESOURCE: ["L1"]})}
    space = lever_space.space_for(demand, bare, Levers())
    keys = {w.key for w in lever_widgets.lever_widgets(space)}
    hidden = {
        PREFIX + k
        for k in ("subcontract_allowed", "subcontract_cap_pct", "hiring_allowed", "hiring_limit")
    }
    assert not keys & hidden and PREFIX + "overtime_allowed" in keys
    assert (
        lever_widgets.levers_from_state(lever_widgets.widget_state(Levers(), space), space)
        == Levers()
    )
    full = {
        **bare,
        schema.SUPPLY_OPTIONS: pd.DataFrame({schema.OPTION_TYPE: ["subcontract"]}),
        schema.WORKFORCE: pd.DataFrame({schema.RESOURCE: ["LAB"]}),
    }
    assert hidden <= {
        w.key for w in lever_widgets.lever_widgets(lever_space.space_for(demand, full, Levers()))
    }
    # a link or saved scenario that moves them still shows them, so they can be undone
    assert hidden <= {
        w.key for w in lever_widgets.lever_widgets(lever_space.space_for(demand, bare, MOVED))
    }
