"""The `targets` and `added_hour_cost` levers: targets round-trip through files, links
and saved scenarios whatever their family names, bad targets are named and left out,
and hours a capacity change adds at a cost are booked in the plan's books."""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd
import pytest
from supply_helpers import with_consensus

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.finance import kpis, statement
from sop.scenario import url as scenario_url
from sop.scenario.apply import apply_tables
from sop.scenario.evaluate import evaluate
from sop.scenario.lever_space import LeverSpace
from sop.scenario.levers import Levers
from sop.supply.capacity import calendar_hours
from sop.supply.inputs import ADDED_COST, prepare
from sop.supply.policy import SupplyPolicy
from sop.supply.targets import AT_LEAST, AT_MOST, Target

HOSTILE = (
    'Fans, 12":A',
    "a:b,c%d=e&f#g",
    "%2C%3A%25 literally",
    "Ünïcødé 冷却 🌀",
    'it\'s "quoted"',
    " spaced ",
)
TARGETS = (
    Target("revenue", AT_LEAST, 26_553_642.123456789, HOSTILE[0], "2027-01", "2027-06"),
    Target("on_time_rate", AT_LEAST, 0.98),
    Target("gross_margin", AT_MOST, -5.5, "", "", "2027-03"),
    Target("ending_inventory_value", AT_MOST, 1e7, HOSTILE[1], "2026-12"),
    Target("days_of_supply", AT_LEAST, 12.25, HOSTILE[2]),
    Target("overtime_hours", AT_MOST, 0.0),
    *(Target("revenue", AT_LEAST, 1.0 + i, f) for i, f in enumerate(HOSTILE[3:])),
)
WITH_TARGETS = Levers(
    demand_pct=5.0,
    capacity_changes=(("RS-ASM1", "2027-06", "2027-08", 20.0),),
    added_hour_cost=50.0,
    targets=TARGETS,
)


def _toml_text(levers: Levers) -> str:
    """A TOML levers file written by hand: scalars, then one [[scn_targets]] table per
    target (strings as TOML basic strings, which JSON's escapes are)."""
    lines = ["[levers]"]
    tables = []
    for key, value in levers.to_dict().items():
        if key == "scn_targets":
            for t in value:
                body = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in t.items())
                tables.append(f"[[levers.scn_targets]]\n{body}")
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n" + "\n".join(tables) + "\n"


@pytest.mark.parametrize("route", ["json", "toml", "query", "link", "dict", "saved"])
def test_targets_round_trip_exactly(route: str) -> None:
    levers = WITH_TARGETS
    if route == "json":
        back = Levers.from_file_text(levers.to_json(), ".json")
    elif route == "toml":
        back = Levers.from_file_text(_toml_text(levers), ".toml")
    elif route == "query":
        back = Levers.from_query(levers.to_query())
    elif route == "link":
        query = urlencode(levers.to_query())
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        space = LeverSpace(HOSTILE, (), ("RS-ASM1",), ("2026-11", "2027-12"))
        back, problems = scenario_url.levers_from_url(params, space)
        assert problems == []
    elif route == "dict":
        back = Levers.from_dict(levers.to_dict())
    else:  # a saved scenario's record is its JSON
        back = Levers.from_dict(json.loads(levers.to_json()))
    assert back == levers and hash(back) == hash(levers)
    assert back.targets == TARGETS  # order, values and names exactly
    assert back.moved() == levers.moved()
    assert back.describe() == levers.describe()


def test_the_url_form_is_readable_and_escapes_names() -> None:
    q = Levers(targets=TARGETS[:3]).to_query()["scn_targets"]
    first, second, third = q.split(",")
    assert first == 'revenue:>=:26553642.123456787:Fans%2C 12"%3AA:2027-01:2027-06'
    assert second == "on_time_rate:>=:0.98"  # empty family and months left out
    assert third == "gross_margin:<=:-5.5:::2027-03"
    # written by hand, and in a file as a list of URL entries too
    assert Levers.from_query({"scn_targets": "on_time_rate:>=:0.98"}).targets == (TARGETS[1],)
    from_file = Levers.from_dict({"scn_targets": ["on_time_rate:>=:0.98"]})
    assert from_file.targets == (TARGETS[1],)


def test_describe_and_moved_name_every_target() -> None:
    levers = Levers(targets=TARGETS[:2], added_hour_cost=50.0)
    assert levers.moved() == {"added_hour_cost": 50.0, "targets": TARGETS[:2]}
    text = levers.describe()
    assert "added_hour_cost +50" in text
    assert f"revenue >= 26553642.123456787 for {HOSTILE[0]}, 2027-01 to 2027-06" in text
    assert "on_time_rate >= 0.98" in text
    assert Levers().describe() == "baseline" and Levers().to_query() == {}


@pytest.mark.parametrize(
    ("target", "words"),
    [
        (Target("on_time", AT_LEAST, 0.9), "unknown target 'on_time' (did you mean on_time_rate?)"),
        (Target("on_time_rate", AT_LEAST, 1.2), "on_time_rate = 1.2 is outside 0 .. 1"),
        (Target("on_time_rate", AT_MOST, 0.5), "on_time_rate: the target can only be at least"),
        (
            Target("gross_margin", AT_LEAST, 1.0, "Cooling"),
            "gross_margin is a target for the company only, not one family",
        ),
        (Target("revenue", AT_LEAST, 1.0, "", "2027-13"), "'2027-13' is not a month (YYYY-MM)"),
        (Target("revenue", AT_LEAST, 1.0, "", "", "27-01"), "'27-01' is not a month (YYYY-MM)"),
        (Target("revenue", AT_LEAST, 1.0, "", "2027-05", "2027-02"), "2027-02 is before 2027-05"),
        (Target("revenue", "=", 1.0), "revenue: the target can only be at least or at most"),
        (Target("revenue", AT_LEAST, float("nan")), "revenue: nan is not a number"),
    ],
)
def test_bad_targets_are_fatal_problems(target: Target, words: str) -> None:
    good = Target("on_time_rate", AT_LEAST, 0.95)
    levers = Levers(targets=(good, target))
    problems = levers.problems()
    assert any(p.startswith("scn_targets: ") and words in p for p in problems), problems
    kept, why = levers.without_bad()
    assert kept.targets == (good,) and kept.problems() == []
    assert any(words in w for w in why)
    assert kept.clamped() == kept
    if np.isfinite(target.value):  # read as written (a NaN is unreadable), then refused
        assert Levers.from_dict(levers.to_dict()) == levers


def test_a_bad_month_does_not_also_claim_an_order() -> None:
    problems = Levers(targets=(Target("revenue", AT_LEAST, 1.0, "", "zz", "2027-01"),)).problems()
    assert problems == ["scn_targets: revenue: 'zz' is not a month (YYYY-MM)"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("revenue:>=", "is not metric:sense:value"),
        ("revenue:>=:lots", "'lots' is not a number"),
        ([{"metric": "revenue", "sense": ">="}], "a target needs value"),
        ([{"metric": "revenue", "sense": ">=", "value": 1, "famly": "X"}], "'famly' is not a part"),
        ([{"metric": "revenue", "sense": ">=", "value": 1, "family": 3}], "family '3' is not text"),
        ([{"metric": "revenue", "sense": ">=", "value": True}], "'True' is not a number"),
        (5, "is not a list of targets"),
    ],
)
def test_unreadable_targets_are_named(raw, words: str) -> None:
    levers, errors = Levers.parse({"scn_targets": raw})
    assert levers.targets == ()
    assert any(e.startswith("scn_targets") and words in e for e in errors), errors
    with pytest.raises(ValueError, match="scn_targets"):
        Levers.from_dict({"scn_targets": raw})


def test_a_target_on_an_unknown_family_is_left_out() -> None:
    cooling = Target("revenue", AT_LEAST, 1.0, "Cooling")
    ghost = Target("revenue", AT_LEAST, 1.0, "Ghost")
    early = Target("revenue", AT_LEAST, 1.0, "", "2020-01", "2020-06")
    levers = Levers(targets=(cooling, ghost, early))
    assert levers.problems() == []
    unknown = levers.unknown_names(["Cooling"], [], [], ["2026-11", "2028-04"])
    assert unknown == [
        "scn_targets: there is no family 'Ghost' in this dataset",
        "scn_targets: revenue >= 1 2020-01 to 2020-06 is outside the plan's months "
        "(2026-11 to 2028-04)",
    ]
    kept, why = levers.without_bad(["Cooling"], [], [], ["2026-11", "2028-04"])
    assert kept.targets == (cooling,) and len(why) == 2
    assert levers.without_bad(["Cooling"], [], [])[0].targets == (cooling, early)


def test_added_hour_cost_is_checked_and_clamped() -> None:
    bad = Levers(added_hour_cost=-5.0)
    assert any("outside 0 .. 100000 money/hour" in p for p in bad.problems())
    assert bad.clamped().added_hour_cost == 0.0
    assert Levers.from_query({"scn_added_hour_cost": "12.5"}).added_hour_cost == 12.5


# --- booking the added hours -------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    tables = with_consensus(check_tables(build_demo()).tables, 18)
    return tables, loaded_consensus(tables, plan_months(as_of_month(tables), 18))


def _added_hours(tables: dict[str, pd.DataFrame], levers: Levers) -> float:
    """Hours the capacity changes add, from the calendar by hand."""
    cap = tables[schema.CAPACITY]
    (res, a, b, pct), *_ = levers.capacity_changes
    hit = (cap[schema.RESOURCE] == res) & cap[schema.MONTH].between(
        pd.Timestamp(f"{a}-01"), pd.Timestamp(f"{b}-01")
    )
    return float(calendar_hours(cap)[hit].sum() * pct / 100)


def test_the_capacity_table_carries_the_cost_of_added_hours(demo) -> None:
    tables, demand = demo
    levers = Levers(capacity_changes=WITH_TARGETS.capacity_changes, added_hour_cost=50.0)
    hours = _added_hours(tables, levers)
    assert hours > 0
    cap = apply_tables(tables, levers)[schema.CAPACITY]
    assert cap[ADDED_COST].sum() == pytest.approx(hours * 50.0, rel=1e-12)
    assert (cap.loc[cap[schema.RESOURCE] != "RS-ASM1", ADDED_COST] == 0).all()
    # a cut adds nothing to pay; a free change writes no column
    cut = dataclasses.replace(levers, capacity_changes=(("RS-ASM1", "2027-06", "2027-08", -30.0),))
    assert apply_tables(tables, cut)[schema.CAPACITY][ADDED_COST].sum() == 0
    free = apply_tables(tables, dataclasses.replace(levers, added_hour_cost=0.0))
    assert ADDED_COST not in free[schema.CAPACITY]
    inp = prepare(demand, apply_tables(tables, levers), SupplyPolicy())
    assert inp.added_cost.shape == (len(inp.res), inp.T)
    assert inp.added_cost.sum() == pytest.approx(hours * 50.0, rel=1e-12)
    assert prepare(demand, free, SupplyPolicy()).added_cost is None


def test_added_hours_are_booked_in_the_books(demo) -> None:
    tables, demand = demo
    changes = WITH_TARGETS.capacity_changes
    free = evaluate(demand, tables, Levers(capacity_changes=changes), with_risk=False)
    paid = evaluate(
        demand, tables, Levers(capacity_changes=changes, added_hour_cost=50.0), with_risk=False
    )
    assert free.ok and paid.ok
    cost = _added_hours(tables, paid.levers) * 50.0
    c0, c1 = (e.plan.costs.set_index("term")["amount"] for e in (free, paid))
    assert c0["added_capacity"] == 0.0
    assert c1["added_capacity"] == pytest.approx(cost, rel=1e-9)
    assert paid.plan.resource_use["added_cost"].sum() == pytest.approx(cost, rel=1e-9)
    # a fixed cost moves no decision: the objective and the margin drop by exactly it
    k0, k1 = free.kpis, paid.kpis
    assert k1["objective"] == pytest.approx(paid.plan.stats["lp_objective"], abs=1e-3)
    assert k0["objective"] - k1["objective"] == pytest.approx(cost, rel=1e-6)
    assert k0["gross_margin"] - k1["gross_margin"] == pytest.approx(cost, rel=1e-6)
    # the P&L: a variance of its own, shared among the months' production
    pnl = paid.pnl
    assert pnl["added_capacity"].sum() == pytest.approx(cost, rel=1e-9)
    assert paid.plan.family_plan["added_capacity"].sum() == pytest.approx(cost, rel=1e-9)
    summer = pnl[pnl[schema.MONTH].between("2027-06-01", "2027-08-01")]
    assert summer["added_capacity"].sum() == pytest.approx(cost, rel=1e-9)
    margin = pnl[schema.REVENUE] - pnl["cogs"] - pnl["holding"] - pnl["backlog"]
    np.testing.assert_allclose(pnl[schema.MARGIN], margin, rtol=1e-12, atol=1e-6)
    assert pnl[schema.MARGIN].sum() == pytest.approx(k1["gross_margin"], rel=1e-9)
    assert kpis.gross_margin(paid.plan) == pytest.approx(k1["gross_margin"], rel=1e-12)
    rec = statement.reconciliation(paid.plan, pnl)["amount"].to_numpy()
    assert rec[0] + rec[1] == pytest.approx(rec[2], rel=1e-9)
