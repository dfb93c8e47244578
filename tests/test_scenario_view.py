"""Lever widgets as data: keys, state <-> Levers, URL round trips, where levers start."""
from __future__ import annotations

import dataclasses

import pytest

from sop import scenario_view as SV
from sop.levers import PREFIX, Levers, lever_help

SPACE = SV.LeverSpace(("Alpha", "Beta"), ("North", "South"), ("L1", "L2"),
                      ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"))
MOVED = Levers(demand_pct=10.0, demand_family_pct=(("Alpha", 5.0), ("Beta", -20.0)),
               demand_region_pct=(("North", 3.0),), price_family_pct=(("Beta", 4.0),),
               price_elasticity=-1.5, promo_family="Alpha", promo_start="2026-03",
               promo_months=2, promo_uplift_pct=25.0,
               capacity_changes=(("L2", "2026-04", "2026-05", -100.0),
                                 ("L1", "2026-02", "2026-03", 50.0)),
               overtime_allowed=False, overtime_cap_pct=150.0, subcontract_allowed=False,
               subcontract_cap_pct=0.0, hiring_allowed=False, hiring_limit=2.0,
               material_inflation_pct=8.0, labour_cost_pct=-5.0, holding_cost_rate=30.0,
               safety_stock_months=1.5)


def test_scalar_levers_have_their_url_names_as_widget_keys() -> None:
    keys = {w.key for w in SV.lever_widgets(SPACE)}
    scalars = {PREFIX + f.name for f in dataclasses.fields(Levers)
               if not isinstance(f.default, tuple)}
    assert scalars <= keys
    assert {"scn_demand_family_pct__Alpha", "scn_demand_region_pct__South",
            "scn_price_family_pct__Beta", "scn_capacity_changes__1_pct"} <= keys
    assert len(keys) == len(SV.lever_widgets(SPACE))              # no key twice
    assert {w.group for w in SV.lever_widgets(SPACE)} == set(SV.GROUPS)


def test_widget_ranges_are_the_levers_ranges() -> None:
    meta = lever_help()
    for w in SV.lever_widgets(SPACE):
        name = w.key[len(PREFIX):].split("__")[0]
        if w.kind in ("slider", "number") and meta[name]["min"] is not None:
            assert (w.lo, w.hi) == (meta[name]["min"], meta[name]["max"]), w.key


@pytest.mark.parametrize("levers", [Levers(), MOVED, Levers(promo_family="Beta",
                                                            promo_start="2026-06",
                                                            promo_uplift_pct=50.0)])
def test_state_round_trip(levers: Levers) -> None:
    state = SV.widget_state(levers, SPACE)
    assert set(state) == {w.key for w in SV.lever_widgets(SPACE)}
    assert SV.levers_from_state(state, SPACE) == levers


def test_url_to_widgets_to_url() -> None:
    url = {**MOVED.to_query(), "other": "kept"}
    levers, problems = SV.levers_from_url(url)
    assert levers == MOVED and problems == []
    back = SV.levers_from_state(SV.widget_state(levers, SPACE), SPACE)
    assert back.to_query() == MOVED.to_query()


def test_zero_pairs_unused_slots_and_an_unchosen_promotion_are_not_moved() -> None:
    state = SV.widget_state(Levers(), SPACE)
    state |= {"scn_demand_family_pct__Alpha": 0.0, "scn_capacity_changes__0_pct": 40.0,
              "scn_capacity_changes__1_resource": "L1", "scn_promo_uplift_pct": 80.0,
              "scn_promo_months": 5}
    assert SV.levers_from_state(state, SPACE) == Levers()


def test_out_of_range_values_are_clamped_and_named() -> None:
    levers, problems = SV.levers_from_url({"scn_demand_pct": "900", "scn_promo_months": "40"})
    assert levers == Levers(demand_pct=900.0, promo_months=40)
    assert any("900 is outside -100 .. 200" in p for p in problems)
    state = SV.widget_state(levers, SPACE)
    assert state["scn_demand_pct"] == 200.0 and state["scn_promo_months"] == 12


def test_unreadable_or_absent_url_levers() -> None:
    assert SV.levers_from_url({"page": "x"}) == (None, [])
    levers, problems = SV.levers_from_url({"scn_demand_pct": "lots"})
    assert levers == Levers() and "could not be read" in problems[0]


def test_query_update_sets_changes_and_drops_stale_levers_only() -> None:
    current = {"scn_demand_pct": "10", "scn_labour_cost_pct": "3", "theme": "dark"}
    changed, stale = SV.query_update(current, Levers(demand_pct=10.0, price_elasticity=-1.0))
    assert changed == {"scn_price_elasticity": "-1"} and stale == ["scn_labour_cost_pct"]
    assert SV.query_update({}, Levers()) == ({}, [])


def test_space_makes_room_for_what_a_saved_scenario_names() -> None:
    import pandas as pd

    from sop import schema as S
    demand = pd.DataFrame({S.MONTH: pd.to_datetime(["2026-01-01", "2026-02-01"]),
                           S.FAMILY: ["Alpha", "Beta"], S.REGION: ["North", "North"]})
    tables = {S.CAPACITY: pd.DataFrame({S.RESOURCE: ["L1"]})}
    space = SV.space_for(demand, tables, MOVED)
    assert "L2" in space.resources and "2026-05" in space.months and "South" not in \
        space.regions
    assert space.slots == 2 and space.families == ("Alpha", "Beta")
    many = Levers(capacity_changes=tuple(("L1", "2026-01", "2026-01", 10.0 * i)
                                         for i in range(1, 5)))
    assert SV.space_for(demand, tables, many).slots == 4


def test_where_the_levers_start() -> None:
    url = {"scn_demand_pct": "7"}
    stored = {SV.CURRENT: Levers(demand_pct=3.0)}
    assert SV.starting_levers({}, url, False) == (Levers(demand_pct=7.0), True, [])
    assert SV.starting_levers(stored, {}, False) == (Levers(demand_pct=3.0), True, [])
    assert SV.starting_levers(stored, url, True) == (Levers(demand_pct=3.0), True, [])
    live = stored | {SV.FIRST_KEY: 3.0}
    assert SV.starting_levers(live, url, False) == (Levers(demand_pct=3.0), False, [])
    assert SV.starting_levers({}, {}, False) == (Levers(), True, [])


def test_moved_text_speaks_plainly() -> None:
    assert SV.moved_text(Levers()) == "nothing (baseline)"
    text = SV.moved_text(MOVED)
    for part in ("demand, all families +10 %", "demand Beta -20 %", "price Beta +4 %",
                 "promotion on Alpha from 2026-03 for 2 month(s) +25 %",
                 "capacity L2 2026-04 to 2026-05 -100 %", "overtime off",
                 "safety stock 1.5 months of cover"):
        assert part in text
    assert "promo_" not in text
