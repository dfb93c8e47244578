"""Levers: hashable, round-trip through JSON/TOML/URL, validated, applied purely."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tiny import tiny_tables

from sop.core import schema
from sop.scenario.apply import apply_tables, price_change, price_factors
from sop.scenario.evaluate import apply_levers, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy

MOVED = Levers(
    demand_pct=10.0,
    demand_family_pct=(("Alpha", 5.0), ("Beta", -20.0)),
    demand_region_pct=(("North", 3.0),),
    price_family_pct=(("Beta", 4.0),),
    capacity_changes=(("L1", "2026-06", "2026-07", 50.0),),
    overtime_allowed=False,
    promo_family="Alpha",
    promo_start="2026-03",
    promo_months=2,
    promo_uplift_pct=25.0,
    hiring_limit=2.0,
    safety_stock_months=1.5,
)


def _demand() -> pd.DataFrame:
    months = pd.date_range("2026-01-01", periods=6, freq="MS")
    rows = [
        (m, sku, reg, fam, 100.0, 80.0, 120.0, 100.0, "forecast")
        for m in months
        for sku, fam in (("A1", "Alpha"), ("B1", "Beta"))
        for reg in ("North", "South")
    ]
    return pd.DataFrame(
        rows,
        columns=[
            schema.MONTH,
            schema.SKU,
            schema.REGION,
            schema.FAMILY,
            schema.UNITS,
            schema.P10,
            schema.P90,
            schema.FORECAST_UNITS,
            schema.SOURCE,
        ],
    )


def test_levers_are_hashable_values() -> None:
    again = Levers.from_dict(MOVED.to_dict())
    assert again == MOVED and hash(again) == hash(MOVED)
    assert {MOVED: 1}[again] == 1
    assert Levers() != MOVED


@pytest.mark.parametrize("route", ["json", "query", "toml"])
def test_round_trips(route: str) -> None:
    if route == "json":
        back = Levers.from_file_text(MOVED.to_json(), ".json")
    elif route == "query":
        back = Levers.from_query({**MOVED.to_query(), "other": "ignored"})
    else:
        toml = (
            "[levers]\nscn_demand_pct = 10\nscn_overtime_allowed = false\n"
            'scn_promo_family = "Alpha"\nscn_promo_start = "2026-03"\nscn_promo_months = 2\n'
            "scn_promo_uplift_pct = 25\nscn_hiring_limit = 2\nscn_safety_stock_months = 1.5\n"
            'scn_capacity_changes = [["L1", "2026-06", "2026-07", 50]]\n'
            "[levers.scn_demand_family_pct]\nAlpha = 5\nBeta = -20\n"
            "[levers.scn_demand_region_pct]\nNorth = 3\n"
            "[levers.scn_price_family_pct]\nBeta = 4\n"
        )
        back = Levers.from_file_text(toml, ".toml")
    assert back == MOVED


def test_baseline_has_nothing_moved() -> None:
    assert Levers().moved() == {} and Levers().to_query() == {}
    assert Levers().describe() == "baseline"
    assert "demand_pct +10" in MOVED.describe()


def test_bad_levers_are_named() -> None:
    with pytest.raises(ValueError, match="unknown lever 'scn_demnd_pct'"):
        Levers.from_dict({"scn_demnd_pct": 3})
    with pytest.raises(ValueError, match="scn_demand_pct"):
        Levers.from_query({"scn_demand_pct": "lots"})
    problems = Levers(
        demand_pct=-150, capacity_changes=(("L1", "2026-05", "2026-02", 10.0),)
    ).problems()
    assert any("-150 is outside -100 .. 200 %" in p for p in problems)
    assert any("2026-02 is before 2026-05" in p for p in problems)


def test_from_dict_names_every_bad_entry_in_plain_words() -> None:
    with pytest.raises(ValueError) as info:
        Levers.from_dict(
            {
                "scn_demand_pct": "abc",
                "scn_capacity_changes": "zzz",
                "scn_demnd_pct": 3,
                "scn_price_family_pct": {"Alpha": "x"},
            }
        )
    text = str(info.value)
    for part in (
        "scn_demand_pct: 'abc' is not a number",
        "scn_capacity_changes: 'zzz' is not line:from:to:%",
        "unknown lever 'scn_demnd_pct' (did you mean scn_demand_pct?)",
        "scn_price_family_pct for Alpha: 'x' is not a number",
    ):
        assert part in text
    assert "could not convert" not in text
    levers, errors = Levers.parse({"scn_demand_pct": "nan", "scn_labour_cost_pct": "4"})
    assert levers == Levers(labour_cost_pct=4.0) and len(errors) == 1


@pytest.mark.parametrize(
    "levers, why",
    [
        (Levers(demand_pct=float("nan")), "scn_demand_pct: nan is not a number"),
        (Levers(price_elasticity=float("nan")), "scn_price_elasticity: nan is not a number"),
        (Levers(material_inflation_pct=float("inf")), "inf is not a number"),
        (Levers(price_family_pct=(("Beta", float("nan")),)), "price_family_pct for Beta: nan"),
        (
            Levers(capacity_changes=(("L1", "2026-02", "2026-03", float("-inf")),)),
            "capacity_changes for L1: -inf is not a number",
        ),
        (
            Levers(capacity_changes=(("L1", "2099-13", "2027-07", -100.0),)),
            "'2099-13' is not a month (YYYY-MM)",
        ),
        (Levers(capacity_changes=(("L1", "2026-02", "July", -100.0),)), "'July' is not a month"),
        (Levers(promo_family="Alpha", promo_start="2026-00"), "'2026-00' is not a month"),
        (Levers(demand_family_pct=(("Alpha", 5.0), ("Alpha", 7.0))), "'Alpha' is given more"),
    ],
)
def test_problems_reject_non_numbers_and_bad_months(levers: Levers, why: str) -> None:
    problems = levers.problems()
    assert any(why in p for p in problems), problems
    cleaned, dropped = levers.without_bad()
    assert cleaned.problems() == [] and dropped == problems


def test_bad_levers_are_not_applied_to_the_plan() -> None:
    # NaN elasticity used to wipe out the demand of a family whose price moved
    with pytest.raises(ValueError, match="not a number"):
        apply_levers(
            prepare_demand(_demand()),
            tiny_tables(),
            SupplyPolicy(),
            Levers(price_elasticity=float("nan"), price_family_pct=(("Beta", 10.0),)),
        )
    with pytest.raises(ValueError, match="not a month"):
        apply_levers(
            prepare_demand(_demand()),
            tiny_tables(),
            SupplyPolicy(),
            Levers(capacity_changes=(("L1", "2026-13", "2026-14", 50.0),)),
        )


def test_unknown_names_against_the_dataset() -> None:
    fams, regions, lines = ("Alpha", "Beta"), ("North", "South"), ("L1", "L2")
    assert MOVED.unknown_names(fams, regions, lines) == []
    odd = Levers(
        demand_family_pct=(("Alpha", 5.0), ("Toasters", 20.0)),
        demand_region_pct=(("Mars", 1.0),),
        price_family_pct=(("Gadgets", 3.0),),
        promo_family="Toys",
        promo_start="2026-02",
        capacity_changes=(("XX-9", "2026-02", "2026-03", 50.0),),
    )
    names = odd.unknown_names(fams, regions, lines)
    assert len(names) == 5
    for part in (
        "no family 'Toasters'",
        "no region 'Mars'",
        "no family 'Gadgets'",
        "no family 'Toys'",
        "no line 'XX-9'",
    ):
        assert any(part in n for n in names), part
    kept, dropped = odd.without_bad(fams, regions, lines)
    assert kept == Levers(demand_family_pct=(("Alpha", 5.0),)) and len(dropped) == 5
    months = ("2026-01", "2026-02", "2026-03")
    late = Levers(
        capacity_changes=(("L1", "2026-03", "2026-05", 50.0), ("L2", "2026-04", "2026-05", 50.0)),
        promo_family="Alpha",
        promo_start="2025-11",
        promo_months=3,
    )
    assert late.unknown_names(fams, regions, lines) == []  # no months: not checked
    assert late.unknown_names(fams, regions, lines, months) == [
        "scn_capacity_changes for L2: 2026-04 to 2026-05 is outside the plan's months "
        "(2026-01 to 2026-03)"
    ]  # the promotion reaches 2026-01: kept
    assert (
        Levers(promo_family="Alpha", promo_start="2025-11")
        .unknown_names(fams, regions, lines, months)[0]
        .startswith("scn_promo_start: the promotion")
    )


def test_clamped_moves_numbers_into_range() -> None:
    lev = Levers(
        demand_pct=900.0,
        price_family_pct=(("Beta", 500.0),),
        promo_months=40,
        capacity_changes=(("L1", "2026-01", "2026-02", -300.0),),
    )
    out = lev.clamped()
    assert out == Levers(
        demand_pct=200.0,
        price_family_pct=(("Beta", 100.0),),
        promo_months=12,
        capacity_changes=(("L1", "2026-01", "2026-02", -100.0),),
    )
    assert out.problems() == [] and MOVED.clamped() == MOVED


def _scenario_demand(levers: Levers) -> pd.DataFrame:
    """The demand a scenario is planned on: by SKU x month, the two regions summed."""
    return apply_levers(prepare_demand(_demand()), tiny_tables(), SupplyPolicy(), levers).demand


def test_demand_levers_multiply_and_promo_hits_only_its_months() -> None:
    d = _demand()
    out = apply_levers(prepare_demand(d), tiny_tables(), SupplyPolicy(), MOVED).demand
    a1 = out[out[schema.SKU] == "A1"].set_index(schema.MONTH)
    # North 100 x 1.10 (all) x 1.05 (Alpha) x 1.03 (North) = 118.965, South 100 x 1.10
    # x 1.05 = 115.5: 234.465 a month; the promotion adds x 1.25 in Mar-Apr
    assert a1.loc["2026-01-01", schema.UNITS] == pytest.approx(234.465)
    assert a1.loc["2026-03-01", schema.UNITS] == pytest.approx(234.465 * 1.25)
    assert a1.loc["2026-05-01", schema.UNITS] == pytest.approx(234.465)
    b = out[out[schema.SKU] == "B1"]
    # 100 x 1.1 x 0.8 = 88 in the South, x 1.03 = 90.64 in the North
    assert b[schema.UNITS].tolist() == pytest.approx([88 + 90.64] * 6)
    assert (out[schema.P10] <= out[schema.UNITS]).all() and (
        out[schema.UNITS] <= out[schema.P90]
    ).all()
    assert (out[schema.FORECAST_UNITS] == 200).all()  # the forecast stays as forecast
    pd.testing.assert_frame_equal(d, _demand())  # input untouched


def test_demand_minus_100_is_zero_not_negative() -> None:
    out = _scenario_demand(Levers(demand_pct=-100.0))
    assert (out[schema.UNITS] == 0).all() and (out[schema.P90] == 0).all()


def test_price_elasticity_lowers_demand_when_price_rises() -> None:
    out = _scenario_demand(Levers(price_family_pct=(("Beta", 10.0),), price_elasticity=-2.0))
    beta = out[out[schema.FAMILY] == "Beta"][schema.UNITS]
    assert beta.tolist() == pytest.approx([200 * 1.1**-2] * len(beta))
    assert (out[out[schema.FAMILY] == "Alpha"][schema.UNITS] == 200).all()


def test_the_price_change_is_derived_once() -> None:
    # the multiplier that moves list and net prices (and demand, through the
    # elasticity) also tells the margin bridge how much of a price move the lever made
    up = Levers(price_family_pct=(("Beta", 10.0),))
    assert price_factors(up) == pytest.approx({"Beta": 1.1}) and price_factors(Levers()) == {}
    both = Levers(price_family_pct=(("Alpha", -20.0), ("Beta", 10.0)))
    assert price_change(up, both) == pytest.approx({"Alpha": 0.8, "Beta": 1.0})
    assert price_change(both, Levers()) == pytest.approx({"Alpha": 1.25, "Beta": 1 / 1.1})


def test_table_levers() -> None:
    t = tiny_tables()
    lev = Levers(
        price_family_pct=(("Beta", 10.0),),
        material_inflation_pct=20.0,
        labour_cost_pct=-10.0,
        overtime_cap_pct=50.0,
        holding_cost_rate=30.0,
        capacity_changes=(("L1", "2026-02", "2026-03", -100.0),),
    )
    out = apply_tables(t, lev)
    p = out[schema.PRODUCTS].set_index(schema.SKU)
    assert p.loc["B1", schema.LIST_PRICE] == pytest.approx(55.0)
    assert p.loc["A1", schema.LIST_PRICE] == pytest.approx(10.0)
    assert p.loc["A1", schema.MATERIAL_COST] == pytest.approx(4.8)
    r = out[schema.RESOURCES].set_index(schema.RESOURCE)
    assert r.loc["L1", schema.REGULAR_COST_PER_HOUR] == pytest.approx(27.0)
    assert r.loc["L1", schema.MAX_OVERTIME_HOURS] == pytest.approx(20.0)
    assert out[schema.WORKFORCE][schema.MAX_OVERTIME_PER_WORKER].iloc[0] == pytest.approx(10.0)
    cap = out[schema.CAPACITY]
    shut = (cap[schema.RESOURCE] == "L1") & cap[schema.MONTH].isin(
        pd.to_datetime(["2026-02-01", "2026-03-01"])
    )
    assert (cap.loc[shut, schema.AVAILABLE_HOURS] == 0).all()
    assert np.allclose(cap.loc[~shut, schema.AVAILABLE_HOURS], 21 * 1 * 8 * 0.9)
    assert (out[schema.INVENTORY][schema.HOLDING_COST_PCT] == 30.0).all()
    assert (
        t[schema.PRODUCTS].set_index(schema.SKU).loc["B1", schema.LIST_PRICE] == 50.0
    )  # untouched


def test_on_off_levers_reach_the_policy_and_bad_levers_raise() -> None:
    pol = apply_levers(
        prepare_demand(_demand()),
        tiny_tables(),
        SupplyPolicy(),
        Levers(overtime_allowed=False, hiring_allowed=False),
    ).policy
    assert not pol.overtime_allowed and not pol.hiring_allowed and pol.subcontract_allowed
    with pytest.raises(ValueError, match="outside"):
        apply_levers(
            prepare_demand(_demand()), tiny_tables(), SupplyPolicy(), Levers(demand_pct=500.0)
        )


def test_every_lever_is_documented() -> None:
    from pathlib import Path

    from sop.scenario.levers import PREFIX, lever_help

    doc = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text()
    for name in lever_help():
        assert f"`{PREFIX}{name}`" in doc, name
