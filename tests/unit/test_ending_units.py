"""An ending inventory in units per family: the plan setting, the LP's split over a
family's items, the command line, and the scenario lever."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from supply_helpers import one_product, tiny_with_consensus, with_consensus
from tiny import tiny_tables, write_tables

from sop.cli.main import main
from sop.core import schema
from sop.scenario import wording
from sop.scenario.apply import apply_policy
from sop.scenario.evaluate import evaluate
from sop.scenario.levers import Levers
from sop.supply.inputs import prepare
from sop.supply.lp import ending_target
from sop.supply.plan import solve_plan
from sop.supply.policy import (
    END_SAFETY,
    END_UNITS,
    LEVEL_SKU,
    SupplyPolicy,
    parse_units,
    units_text,
)

ALPHA = SupplyPolicy(horizon=12, ending_inventory=END_UNITS, ending_units=(("Alpha", 300.0),))


# --- the setting ----------------------------------------------------------------------
def test_units_are_read_written_and_kept_hashable() -> None:
    assert parse_units("Heating=200, Cooling:500") == (("Cooling", 500.0), ("Heating", 200.0))
    assert parse_units("") == ()
    assert parse_units(units_text((("Cooling", 1234567.5),))) == (("Cooling", 1234567.5),)
    saved = json.loads(json.dumps(ALPHA.as_dict()))  # as the store keeps it
    back = SupplyPolicy.from_dict(saved)
    assert back == ALPHA and hash(back) == hash(ALPHA)
    assert SupplyPolicy(ending_units={"B": 1, "A": 2}).ending_units == (("A", 2.0), ("B", 1.0))


@pytest.mark.parametrize(
    "text, why",
    [
        ("Cooling", "'Cooling' is not family=units"),
        ("Cooling=-5", "'Cooling=-5' is not family=units with units 0 or more"),
        ("Cooling=lots", "is not family=units"),
        ("=5", "is not family=units"),
        ("Cooling=1,Cooling=2", "'Cooling' is given more than once"),
    ],
)
def test_bad_units_say_what_is_wrong_and_how_to_write_them(text: str, why: str) -> None:
    with pytest.raises(ValueError, match="Cooling=500,Heating=200") as err:
        parse_units(text)
    assert why in str(err.value)


def test_settings_problems() -> None:
    assert ALPHA.problems() == []
    assert "needs the units per family" in SupplyPolicy(ending_inventory=END_UNITS).problems()[0]
    assert SupplyPolicy(ending_units=(("A", -1.0),)).problems() == [
        "ending_units for 'A' must be 0 or more units, not -1.0"
    ]
    assert "must be one of none, safety_stock, opening, units" in " ".join(
        SupplyPolicy(ending_inventory="lots").problems()
    )


# --- the LP -------------------------------------------------------------------------
def test_a_family_target_is_split_over_its_items_by_demand() -> None:
    tables, demand = tiny_with_consensus(12)
    inp = prepare(demand, tables, ALPHA.replace(level=LEVEL_SKU))
    target = ending_target(inp, ALPHA)
    sku = inp.items[schema.SKU].to_numpy()
    horizon = inp.demand.sum(axis=1)
    alpha = np.isin(sku, ["A1", "A2"])
    assert target[alpha].sum() == pytest.approx(300)
    assert target[alpha] == pytest.approx(300 * horizon[alpha] / horizon[alpha].sum())
    assert target[sku == "B1"] == pytest.approx(0)  # a family not named: no minimum
    # a family without demand splits its target equally
    quiet = prepare(demand.assign(**{schema.UNITS: 0.0}), tables, ALPHA.replace(level=LEVEL_SKU))
    assert ending_target(quiet, ALPHA)[alpha] == pytest.approx([150, 150])
    # at family level the family's one item carries it all; other choices are unchanged
    fam = prepare(demand, tables, ALPHA)
    assert ending_target(fam, ALPHA) == pytest.approx(
        np.where(fam.items[schema.FAMILY] == "Alpha", 300, 0)
    )
    safety = ALPHA.replace(ending_inventory=END_SAFETY)
    assert ending_target(fam, safety) == pytest.approx(fam.ss[:, -1])


@pytest.mark.parametrize("level", ["family", "sku"])
def test_the_plan_ends_with_at_least_the_units(level: str) -> None:
    tables, demand = tiny_with_consensus(12)
    plain = solve_plan(demand, tables, SupplyPolicy(horizon=12, level=level))
    r = solve_plan(demand, tables, ALPHA.replace(level=level))
    assert r.ok, r.explanation
    last = r.family_plan[r.family_plan[schema.MONTH] == r.family_plan[schema.MONTH].max()]
    ending = last.groupby(schema.FAMILY)["inventory"].sum()
    plain_last = plain.family_plan[plain.family_plan[schema.MONTH] == last[schema.MONTH].max()]
    before = plain_last.groupby(schema.FAMILY)["inventory"].sum()
    assert before["Alpha"] < 300 - 1  # without the target it ends lower ...
    assert ending["Alpha"] == pytest.approx(300)  # ... with it, at the target exactly
    assert ending["Beta"] == pytest.approx(before["Beta"])  # a family not named: unchanged


def test_hand_checked_the_ending_stock_is_bought_with_lost_sales() -> None:
    # 100 units a month of capacity, 80 + 80 ordered: ending with 50 needs 210 units,
    # so 10 orders are lost (cheaper than breaking the hard minimum)
    tables, demand = one_product([80, 80], line_hours=100.0)
    free = solve_plan(demand, tables, SupplyPolicy(horizon=2))
    assert free.family_plan["lost_sales"].sum() == pytest.approx(0)
    assert free.family_plan["inventory"].iloc[-1] == pytest.approx(0)
    pol = SupplyPolicy(horizon=2, ending_inventory=END_UNITS, ending_units=(("Fam", 50.0),))
    r = solve_plan(demand, tables, pol)
    assert r.ok
    assert r.family_plan["inventory"].iloc[-1] == pytest.approx(50)
    assert r.family_plan["lost_sales"].sum() == pytest.approx(10)
    assert r.family_plan["production"].sum() == pytest.approx(200)


def test_units_that_cannot_be_reached_are_explained() -> None:
    tables, demand = one_product([80, 80], line_hours=100.0)
    pol = SupplyPolicy(
        horizon=2,
        ending_inventory=END_UNITS,
        ending_units=(("Fam", 500.0),),
        lost_sales_allowed=False,
    )
    r = solve_plan(demand, tables, pol)
    assert r.status == "infeasible"
    assert "`ending_inventory = units`" in r.explanation and "short of the 500" in r.explanation


def test_a_family_the_plan_lacks_is_noted() -> None:
    tables, demand = one_product([80, 80], line_hours=100.0)
    pol = SupplyPolicy(horizon=2, ending_inventory=END_UNITS, ending_units=(("Gamma", 5.0),))
    r = solve_plan(demand, tables, pol)
    assert r.ok and any("ending inventory of Gamma is left out" in n.text for n in r.notes)


# --- the command line ------------------------------------------------------------------
@pytest.fixture
def cons_dir(tmp_path: Path) -> Path:
    return write_tables(with_consensus(tiny_tables(), 12), tmp_path / "tiny_cons")


def test_plan_with_ending_units_on_the_command_line(cons_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    args = ["plan", "--data", str(cons_dir), "--horizon", "12", "--out", str(out)]
    assert main(args + ["--ending-units", "Alpha=300"]) == 0
    blob = json.loads(out.read_text())
    assert blob["policy"]["ending_inventory"] == "units"  # implied by --ending-units
    assert blob["policy"]["ending_units"] == [["Alpha", 300.0]]
    last = max(r[schema.MONTH] for r in blob["family_plan"])
    alpha = [r for r in blob["family_plan"] if r[schema.MONTH] == last and r["family"] == "Alpha"]
    assert sum(r["inventory"] for r in alpha) >= 300 - 1e-6


@pytest.mark.parametrize(
    "flags, said",
    [
        (["--ending-units", "Alpha"], "'Alpha' is not family=units"),
        (["--ending-units", "Alpha=-3"], "with units 0 or more"),
        (["--ending-inventory", "units"], "--ending-inventory = units needs"),
        (["--ending-units", "Gamma=5"], "there is no family 'Gamma' in this dataset"),
    ],
)
def test_bad_ending_units_are_refused_with_exit_code_2(
    cons_dir: Path, capsys, flags: list[str], said: str
) -> None:
    for command in ("plan", "scenario"):
        try:
            code = main([command, "--data", str(cons_dir), "--horizon", "12", *flags])
        except SystemExit as stop:  # argparse refuses what it cannot read
            code = stop.code
        err = capsys.readouterr().err
        assert code == 2 and said in err and "Traceback" not in err, (command, err)


# --- the scenario lever ---------------------------------------------------------------
def test_the_lever_reads_from_files_and_links_and_sets_the_policy() -> None:
    toml = Levers.from_file_text("[scn_ending_units]\nAlpha = 300\n", ".toml")
    link = Levers.from_query({"scn_ending_units": "Alpha:300"})
    assert toml == link == Levers(ending_units=(("Alpha", 300.0),))
    assert Levers.from_query(link.to_query()) == link
    pol = apply_policy(SupplyPolicy(ending_inventory=END_SAFETY), link)
    assert (pol.ending_inventory, pol.ending_units) == (END_UNITS, (("Alpha", 300.0),))
    assert apply_policy(SupplyPolicy(), Levers()) == SupplyPolicy()  # nothing moved
    assert wording.moved_text(link) == "ending stock Alpha 300 units"
    assert Levers(ending_units=(("Alpha", -5.0),)).problems() == [
        "scn_ending_units for Alpha = -5 is outside 0 .. 10000000 units"
    ]
    assert link.unknown_names(["Beta"], [], []) == [
        "scn_ending_units: there is no family 'Alpha' in this dataset"
    ]
    _, bad = Levers.parse({"scn_ending_units": "Alpha"})
    assert bad == ["scn_ending_units: 'Alpha' is not name:units (e.g. Cooling:500)"]


def test_a_scenario_with_ending_stock_ends_with_it() -> None:
    tables, demand = tiny_with_consensus(12)
    ev = evaluate(
        demand, tables, Levers(ending_units=(("Beta", 400.0),)), SupplyPolicy(horizon=12), False
    )
    assert ev.ok, ev.plan.explanation
    fp = ev.plan.family_plan
    last = fp[fp[schema.MONTH] == fp[schema.MONTH].max()]
    assert last.loc[last[schema.FAMILY] == "Beta", "inventory"].sum() >= 400 - 1e-6
