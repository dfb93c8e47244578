"""Goal files (`sop.goal.files`): targets and lever ranges read, checked and written back."""

from __future__ import annotations

import json
import time
import tomllib

import pytest

from sop.goal import files
from sop.goal.spec import GoalSpec, LeverRange
from sop.scenario.levers import Levers
from sop.supply.targets import AT_LEAST, AT_MOST, Target

EXAMPLE = """
[[targets]]
metric = "revenue"        # revenue, gross_margin, ...
at_least = 26553642       # or at_most = ...
start = "2026-11"
end = "2027-12"
family = "Cooling"
[[targets]]
metric = "ending_inventory_value"
at_most = 4500000
[levers.overtime]
low = 0
high = 200
[levers.extra_capacity]
high = 50
cost_per_hour = 60
lines = ["RS-ASM1"]
[levers.price]
low = -10
high = 10
families = ["Cooling"]
[start]
scn_price_elasticity = -1.5
"""


def _problems(text: str, suffix: str = ".toml") -> list[str]:
    with pytest.raises(files.GoalFileError) as caught:
        files.parse_goal(text, suffix)
    return caught.value.problems


def test_the_documented_example_is_read() -> None:
    spec = files.parse_goal(EXAMPLE, ".toml")
    assert spec.targets == (
        Target("revenue", AT_LEAST, 26553642.0, "Cooling", "2026-11", "2027-12"),
        Target("ending_inventory_value", AT_MOST, 4500000.0),
    )
    assert spec.lever("overtime") == LeverRange("overtime", 0.0, 200.0)
    # low left out: the bottom of the lever's range
    assert spec.lever("extra_capacity") == LeverRange(
        "extra_capacity", 0.0, 50.0, 60.0, ("RS-ASM1",)
    )
    assert spec.lever("price") == LeverRange("price", -10.0, 10.0, 0.0, ("Cooling",))
    assert spec.start == Levers(price_elasticity=-1.5)
    assert spec.problems() == []


def test_json_with_a_byte_order_mark_is_read() -> None:
    blob = {
        "targets": [{"metric": "on_time_rate", "at_least": 0.97}],
        "levers": {"hiring": {"high": 5}, "safety_stock": {"low": 0.5, "high": 2}},
    }
    spec = files.parse_goal("\ufeff".encode() + json.dumps(blob).encode(), ".json")
    assert spec.targets == (Target("on_time_rate", AT_LEAST, 0.97),)
    assert spec.lever("hiring") == LeverRange("hiring", 0.0, 5.0)
    assert spec.lever("safety_stock") == LeverRange("safety_stock", 0.5, 2.0)
    assert spec.start == Levers()


def test_a_typo_anywhere_is_named_with_the_nearest_name() -> None:
    text = """
[[targets]]
metric = "revnue"
at_least = 5
[[targets]]
metric = "revenue"
atleast = 5
[levers.overtme]
high = 100
[levers.price]
famlies = ["Cooling"]
[levers.extra_capacity]
cost_per_hr = 5
[strat]
x = 1
[start]
scn_demand_pcnt = 5
"""
    got = _problems(text)
    joined = "\n".join(got)
    assert "target 1: unknown metric 'revnue' (did you mean revenue?)" in joined
    assert "target 2: unknown field 'atleast' (did you mean at_least?)" in joined
    assert "target 2: give exactly one of at_least or at_most" in joined
    assert "unknown lever 'overtme' (did you mean overtime?)" in joined
    assert "levers.price: unknown field 'famlies' (did you mean families?)" in joined
    assert (
        "levers.extra_capacity: unknown field 'cost_per_hr' (did you mean cost_per_hour?)" in joined
    )
    assert "unknown section 'strat' (did you mean start?)" in joined
    assert "start: unknown lever 'scn_demand_pcnt' (did you mean scn_demand_pct?)" in joined
    assert len(got) == 8  # every problem, each once


@pytest.mark.parametrize(
    "text, said",
    [
        (
            '[[targets]]\nmetric = "revenue"\nat_least = 1\n[levers.overtime]\nhigh = 400\n',
            "overtime: 0 .. 400 is outside 0 .. 300 % of today's caps",
        ),
        (
            '[[targets]]\nmetric = "revenue"\nat_least = 1\n[levers.price]\nlow = 5\nhigh = -5\n',
            "price: high -5 is below low 5",
        ),
        (
            '[[targets]]\nmetric = "revenue"\nat_least = 1\nat_most = 2\n',
            "target 1: give exactly one of at_least or at_most (both are given)",
        ),
        ('[[targets]]\nmetric = "revenue"\n', "target 1: give exactly one of at_least or at_most"),
        (
            '[[targets]]\nmetric = "on_time_rate"\nat_most = 0.9\n',
            "target 1: on_time_rate: the target can only be at least",
        ),
        (
            '[[targets]]\nmetric = "on_time_rate"\nat_least = 98\n',
            "on_time_rate = 98 is outside 0 .. 1 (0.98 = 98 %)",
        ),
        (
            '[[targets]]\nmetric = "revenue"\nat_least = "lots"\n',
            "target 1.at_least: 'lots' is not a number",
        ),
        (
            '[[targets]]\nmetric = "revenue"\nat_least = nan\n',
            "target 1.at_least: nan is not a finite number",
        ),
        (
            '[[targets]]\nmetric = "revenue"\nat_least = 1\nstart = "2027-13"\n',
            "target 1.start: '2027-13' is not a month (YYYY-MM)",
        ),
        (
            '[[targets]]\nmetric = "overtime_hours"\nat_most = 10\nfamily = "Cooling"\n',
            "overtime_hours is a target for the company only",
        ),
        (
            '[[targets]]\nmetric = "revenue"\nat_least = 1\n'
            "[levers.extra_capacity]\ncost_per_hour = -3\n",
            "extra_capacity.cost = -3 cannot be negative",
        ),
        (
            '[[targets]]\nmetric = "revenue"\nat_least = 1\n[levers.price]\nfamilies = [1, 2]\n',
            "levers.price.families: write a list of names",
        ),
        ("[levers.overtime]\nhigh = 100\n", "no target: add a [[targets]] table"),
        (
            '[[targets]]\nmetric = "revenue"\nat_least = 1\n[start]\n'
            '[[start.scn_targets]]\nmetric = "revenue"\nsense = ">="\nvalue = 2\n',
            "start: write the targets as [[targets]] tables",
        ),
    ],
)
def test_bad_entries_are_refused_saying_what_to_fix(text: str, said: str) -> None:
    assert any(said in p for p in _problems(text)), _problems(text)


def test_a_key_given_twice_is_named() -> None:
    text = '[[targets]]\nmetric = "revenue"\nat_least = 1\nat_least = 2\n'
    with pytest.raises(ValueError, match="'at_least' is given more than once"):
        files.parse_goal(text, ".toml")
    blob = '{"targets": [{"metric": "revenue", "at_least": 1, "at_least": 2}]}'
    with pytest.raises(ValueError, match="'at_least' is given more than once"):
        files.parse_goal(blob, ".json")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path) -> None:
    path = tmp_path / "big.toml"
    path.write_bytes(b"# padding\n" * 200_000)  # 2 MB
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"the targets file is 2.0 MB; a targets file is at most"):
        files.read_goal(path)
    assert time.perf_counter() - t0 < 0.5
    with pytest.raises(ValueError, match="ends in .toml or .json"):
        files.parse_goal("x = 1", ".yaml")


def test_many_problems_make_a_bounded_message() -> None:
    text = "".join(f'[[targets]]\nmetric = "bad{i}"\nat_least = 1\n' for i in range(60))
    with pytest.raises(files.GoalFileError) as caught:
        files.parse_goal(text, ".toml")
    assert len(caught.value.problems) == 60
    assert str(caught.value).endswith("and 40 more")


def test_round_trip_through_toml_and_json() -> None:
    spec = GoalSpec(
        (
            Target("revenue", AT_LEAST, 26553642.5, 'Cool "ing" \\ ä', "2026-11", "2027-12"),
            Target("on_time_rate", AT_LEAST, 0.975),
            Target("overtime_hours", AT_MOST, 1200.0),
        ),
        (
            LeverRange("overtime", 0.0, 200.0),
            LeverRange("extra_capacity", 0.0, 50.0, 60.0, ("RS-ASM1", "line two")),
            LeverRange("price", -10.0, 10.0, 0.0, ("Cooling",)),
            LeverRange("safety_stock", 0.5, 3.0),
        ),
        Levers(price_elasticity=-1.5, price_family_pct=(("Garden", 3.0),), demand_pct=2.0),
    )
    for suffix in (".toml", ".json"):
        text = files.spec_text(spec, suffix)
        assert files.parse_goal(text, suffix) == spec, text
    toml = tomllib.loads(files.spec_text(spec))
    assert toml["targets"][0]["at_least"] == 26553642.5
    assert toml["levers"]["extra_capacity"]["lines"] == ["RS-ASM1", "line two"]


def test_an_answer_is_written_as_a_levers_file_the_scenario_command_reads() -> None:
    levers = Levers(
        overtime_cap_pct=137.25,
        price_family_pct=(("Cooling", 10.0), ("Odd name", -2.5)),
        capacity_changes=(("RS-ASM1", "2026-11", "2026-11", 12.5),),
        added_hour_cost=60.0,
        targets=(Target("revenue", AT_LEAST, 26553642.0, "", "2026-11", "2027-12"),),
    )
    for suffix in (".toml", ".json"):
        text = files.file_text(levers.to_dict(), suffix)
        assert Levers.from_file_text(text, suffix) == levers, text


def test_names_the_dataset_lacks_are_found() -> None:
    spec = files.parse_goal(
        '[[targets]]\nmetric = "revenue"\nat_least = 1\nfamily = "Coolng"\n'
        '[[targets]]\nmetric = "revenue"\nat_least = 1\nstart = "2030-01"\n'
        '[levers.extra_capacity]\nlines = ["RS-ASM9"]\n[levers.price]\nfamilies = ["Cooling"]\n',
        ".toml",
    )
    got = files.unknown_names(spec, {"Cooling", "Heating"}, {"RS-ASM1"}, ["2026-11", "2027-12"])
    assert got[0] == "target 1: there is no family 'Coolng' in this dataset (did you mean Cooling?)"
    assert "target 2: " in got[1] and "outside the plan's months (2026-11 to 2027-12)" in got[1]
    assert got[2].startswith("levers.extra_capacity: there is no line 'RS-ASM9'")
    assert len(got) == 3


PROMOTION = """
[[targets]]
metric = "revenue"
at_least = 1
[levers.promotion]
low = 1
high = 3
uplift_pct = 20
cost_per_month = 50000
families = ["Cooling", "Garden"]
"""


def test_the_promotion_lever_is_read_and_round_trips() -> None:
    spec = files.parse_goal(PROMOTION, ".toml")
    lv = spec.lever("promotion")
    assert lv == LeverRange("promotion", 1.0, 3.0, 50000.0, ("Cooling", "Garden"), 20.0)
    assert spec.problems() == []
    # low and high left out: 1 to 12 months; no cost: a free promotion
    bare = files.parse_goal(
        '[[targets]]\nmetric = "revenue"\nat_least = 1\n[levers.promotion]\nuplift_pct = 10\n',
        ".toml",
    )
    assert bare.lever("promotion") == LeverRange("promotion", 1.0, 12.0, 0.0, (), 10.0)
    for suffix in (".toml", ".json"):
        text = files.spec_text(spec, suffix)
        assert files.parse_goal(text, suffix) == spec, text
    row = tomllib.loads(files.spec_text(spec))["levers"]["promotion"]
    assert row == {
        "low": 1.0,
        "high": 3.0,
        "uplift_pct": 20.0,
        "cost_per_month": 50000.0,
        "families": ["Cooling", "Garden"],
    }
    got = files.unknown_names(spec, {"Cooling"}, set(), [])
    assert got == ["levers.promotion: there is no family 'Garden' in this dataset"]


@pytest.mark.parametrize(
    "body, said",
    [
        ("low = 1\nhigh = 3\n", "levers.promotion: give uplift_pct"),
        ("uplift_pct = 0\n", "promotion: the uplift 0 % must be above 0, at most 300"),
        ("uplift_pct = 400\n", "promotion: the uplift 400 % must be above 0, at most 300"),
        ("uplift_pct = 10\nhigh = 13\n", "promotion: 1 .. 13 is outside 1 .. 12 months"),
        ("uplift_pct = 10\nlow = 0\n", "promotion: 0 .. 12 is outside 1 .. 12 months"),
        ("uplift_pct = 10\nhigh = 2.5\n", "promotion: 1 .. 2.5 months must be whole months"),
        ("uplift_pct = 10\ncost_per_month = -1\n", "promotion.cost = -1 cannot be negative"),
        ("uplift_pct = 10\ncost_per_hour = 5\n", "unknown field 'cost_per_hour'"),
        ('uplift_pct = "big"\n', "levers.promotion.uplift_pct: 'big' is not a number"),
    ],
)
def test_a_bad_promotion_lever_is_refused(body: str, said: str) -> None:
    text = '[[targets]]\nmetric = "revenue"\nat_least = 1\n[levers.promotion]\n' + body
    got = _problems(text)
    assert any(said in p for p in got), got
    assert len(got) == len(set(got))  # each problem once
    if "give uplift_pct" in said:  # said once, not again as an uplift of 0
        assert not any("must be above 0" in p for p in got), got
