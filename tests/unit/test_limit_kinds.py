"""One vocabulary for what limits a plan (`sop.supply.limit_kinds`): every resource or cap
that can bind has one kind (line, labour pool, family capacity, supplier cap, subcontract
cap, in that order) and one display name, and the Supply summary's count, the S&OP
grid's limits and the Scenarios utilisation table all say it in those words; the
Scenarios "Moved:" line names a supplier cap as its picker does (code · name)."""

from __future__ import annotations

import pandas as pd
import pytest
from supply_helpers import family_capacity, frame, one_product, sales_before

from sop.core import schema
from sop.data import defaults
from sop.finance import kpis
from sop.finance.grid import TOTAL, binding_limits, sop_grids
from sop.scenario import wording
from sop.scenario.levers import ALL_SUPPLIERS, Levers
from sop.scenario.utilisation_view import utilisation_display
from sop.supply.limit_kinds import CAP_KINDS, CAPACITY, KIND_ORDER, plan_limits
from sop.supply.plan import PlanResult, SupplyPolicy, solve_plan

DEMAND = [150.0, 150.0]


def _solve(tables: dict[str, pd.DataFrame], demand: pd.DataFrame) -> PlanResult:
    plan = solve_plan(demand, defaults.complete(tables), SupplyPolicy())
    assert plan.ok, plan.explanation
    return plan


@pytest.fixture(scope="module")
def plans() -> dict[str, tuple[dict, pd.DataFrame, PlanResult]]:
    """Short plans, one per kind of limit: a supplier's 60 units a month behind a line of
    200 h; a crew of one (100 h, no hires) beside that line; the family held to 80 units
    a month; a line of 100 h with a subcontract offer capped at 50 units a month."""
    out = {}
    t, d = one_product(DEMAND, line_hours=200.0)
    sup = frame(
        schema.SUPPLY_OPTIONS,
        [
            {
                schema.OPTION: "CAP-MOTOR",
                schema.OPTION_TYPE: schema.OPTION_MATERIAL_CAP,
                schema.FAMILY: "Fam",
                schema.MONTHLY_CAP_UNITS: 60.0,
            }
        ],
    )
    out["supplier"] = ({**t, schema.SUPPLY_OPTIONS: sup}, d)
    out["crew"] = one_product(
        DEMAND, line_hours=200.0, labour={"workers": 1.0, "hpw": 100.0, "max_hires": 0.0}
    )
    fc = family_capacity(d[schema.MONTH].unique())
    out["units"] = ({**t, schema.FAMILY_CAPACITY: fc}, d)
    out["subcontract"] = one_product(DEMAND, line_hours=100.0, subcontract=(60.0, 50.0))
    out = {k: ({**t, schema.SALES: sales_before()}, d) for k, (t, d) in out.items()}
    return {k: (defaults.complete(t), d, _solve(t, d)) for k, (t, d) in out.items()}


def test_each_limit_has_one_kind_and_one_name(plans) -> None:
    said = {k: plan_limits(p).set_index(schema.RESOURCE) for k, (_, _, p) in plans.items()}
    sup = said["supplier"]
    assert sup.loc["CAP-MOTOR", ["kind", "label", schema.NAME]].tolist() == [
        "supplier cap",
        "supplier cap CAP-MOTOR",
        "Fam material cap",
    ]
    assert sup.loc["L1", ["kind", "label"]].tolist() == ["line", "line L1"]
    assert said["crew"].loc["LAB", ["kind", "label"]].tolist() == [
        "labour pool",
        "labour pool LAB",
    ]
    fam = said["units"].loc[defaults.family_resource("Fam")]
    assert (fam["kind"], fam["label"]) == ("family capacity", "family capacity (Fam)")
    assert said["subcontract"].loc["SUB", ["kind", "label"]].tolist() == [
        "subcontract cap",
        "subcontract cap SUB",
    ]
    # in the one order: line, labour pool, family capacity, supplier cap, subcontract cap
    assert list(said["crew"]["kind"]) == ["line", "labour pool"]
    assert list(said["supplier"]["kind"]) == ["line", "supplier cap"]
    assert list(said["subcontract"]["kind"]) == ["line", "subcontract cap"]


def test_the_count_the_grid_and_the_utilisation_table_say_the_same_words(plans) -> None:
    for key, (t, d, plan) in plans.items():
        lim = plan_limits(plan)
        kinds = kpis.binding_kinds(plan)
        # every binding limit-month counted once, under a kind of the one vocabulary
        assert sum(kinds.values()) == len(plan.bottlenecks) > 0, key
        assert set(kinds) <= set(KIND_ORDER), (key, kinds)
        util = utilisation_display(plan, plan)
        assert list(util["Kind"]) == list(lim["kind"]), key
        assert list(util["Resource"]) == list(lim[schema.RESOURCE]), key
        grids = sop_grids(plan, d, t)
        assert set(grids[TOTAL].limits) <= set(lim["label"]) - set(
            lim.loc[lim.kind == "line", "label"]
        )
    assert kpis.binding_kinds(plans["supplier"][2]) == {"supplier cap": 2}
    assert kpis.binding_kinds(plans["crew"][2]) == {"labour pool": 2}
    assert kpis.binding_kinds(plans["units"][2]) == {"family capacity": 2}
    assert kpis.binding_kinds(plans["subcontract"][2]) == {"line": 2, "subcontract cap": 1}
    assert binding_limits(plans["supplier"][2]) == {"Fam": ("supplier cap CAP-MOTOR",)}
    assert binding_limits(plans["crew"][2]) == {"Fam": ("labour pool LAB",)}
    assert binding_limits(plans["subcontract"][2]) == {}  # 100 made + 50 bought: none short


def test_a_limits_label_sits_beside_the_bottleneck_tables_numeric_limit(plans) -> None:
    for key, (_, _, plan) in plans.items():
        b, lim = plan.bottlenecks, plan_limits(plan)
        # the constraint words the bottleneck table writes are the ones kinds are read from
        assert set(b["constraint"]) <= {CAPACITY, *CAP_KINDS}, key
        both = b.merge(lim, on=["constraint", schema.RESOURCE], how="left")
        # was limit_x / limit_y: the display name and the numeric limit shared a column name
        assert both["limit"].tolist() == b["limit"].tolist(), key
        assert both["label"].notna().all() and both["label"].map(type).eq(str).all(), key


def _plan(resources: list[tuple[str, str, str]], binding: list[tuple[str, str]]) -> PlanResult:
    """A plan of (resource, kind, per) resources whose (constraint, resource) bind."""
    ru = pd.DataFrame(
        {
            schema.RESOURCE: [r for r, _, _ in resources],
            schema.KIND: [k for _, k, _ in resources],
            "per": [p for _, _, p in resources],
            schema.NAME: [f"{r} name" for r, _, _ in resources],
            schema.PLANT: "Plant",
        }
    )
    b = pd.DataFrame(
        {
            "constraint": [c for c, _ in binding],
            "resource": [r for _, r in binding],
            "name": [f"{r} name" for _, r in binding],
        }
    )
    return PlanResult("optimal", "", SupplyPolicy(), resource_use=ru, bottlenecks=b)


def test_kinds_tie_in_the_one_order_and_a_cap_is_told_from_a_resource_of_its_code() -> None:
    plan = _plan(
        [("L1", schema.KIND_LINE, "hour"), ("POOL", schema.KIND_LABOUR, "hour")],
        [
            ("capacity", "POOL"),
            ("capacity", "L1"),
            ("subcontract cap", "X"),
            ("material cap", "X"),
            ("material cap", "L1"),  # a supplier cap whose code is a line's
        ],
    )
    # ties follow the one order, not the alphabet ("labour" before "line" was)
    assert kpis.binding_kinds(plan) == {
        "line": 1,
        "labour pool": 1,
        "supplier cap": 2,
        "subcontract cap": 1,
    } and list(kpis.binding_kinds(plan)) == [
        "supplier cap",
        "line",
        "labour pool",
        "subcontract cap",
    ]
    lim = plan_limits(plan)
    assert list(lim["label"]) == [
        "line L1",
        "labour pool POOL",
        "supplier cap L1",
        "supplier cap X",
        "subcontract cap X",
    ]
    assert plan_limits(PlanResult("infeasible", "", SupplyPolicy())).empty
    assert kpis.binding_kinds(PlanResult("infeasible", "", SupplyPolicy())) == {}


def test_the_moved_line_names_a_supplier_cap_as_its_picker_does() -> None:
    lev = Levers(
        supplier_changes=(
            ("CAP-A", "2026-12", "2027-01", 20.0),
            (ALL_SUPPLIERS, "2027-02", "2027-03", -10.0),
        )
    )
    named = wording.moved_text(lev, {"CAP-A": "Alpha material cap"})
    assert named == (
        "supplier cap CAP-A · Alpha material cap Dec 2026 to Jan 2027 +20 %; "
        "every supplier cap Feb 2027 to Mar 2027 -10 %"
    )
    # without the data's names (a saved list, a cap only the lever names): the code alone
    assert wording.moved_text(lev).startswith("supplier cap CAP-A Dec 2026 to Jan 2027 +20 %;")
    assert wording.moved_text(lev, {"CAP-B": "Beta material cap"}) == wording.moved_text(lev)
