"""A supplier cap is named the same way wherever a supplier change is said: 'code ·
name' (`sop.supply.explain.cap_label`, names from the dataset's supply_options by
`cap_names`), the code alone when no name is known: the lever picker, the Scenarios
and Finance 'moved' line, the Compare page's saved-scenario list and the Goal answer.
The data validation refuses an option coded as the lever's '(all suppliers)'."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tiny import tiny_tables

from sop.core import schema
from sop.data.validate import check_tables
from sop.goal import explain as goal_explain
from sop.goal import supplier as goal_supplier
from sop.goal.spec import GoalSpec, LeverRange
from sop.scenario import lever_space, lever_widgets, wording
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import ALL_SUPPLIERS, Levers
from sop.supply.explain import cap_codes, cap_label, cap_names
from sop.supply.targets import Target

MOTOR, PUMP, SUB = "CAP-CL-MOTOR", "CAP-PUMP", "SUB-CL"
NAMED = f"{MOTOR} · Cooling material cap"
CHECK = "Option codes are not the lever's 'all suppliers'"


def _options(codes: list, families: list, kinds: list | None = None) -> pd.DataFrame:
    n = len(codes)
    return pd.DataFrame(
        {
            schema.OPTION: codes,
            schema.OPTION_TYPE: kinds or [schema.OPTION_MATERIAL_CAP] * n,
            schema.FAMILY: families,
            schema.COST_PER_UNIT: [np.nan] * n,
            schema.MONTHLY_CAP_UNITS: [100.0] * n,
            schema.START_MONTH: [pd.NaT] * n,
            schema.END_MONTH: [pd.NaT] * n,
        }
    )


TABLES = {
    schema.SUPPLY_OPTIONS: _options(
        [MOTOR, SUB, PUMP],
        ["Cooling", "Cooling", None],
        [schema.OPTION_MATERIAL_CAP, schema.OPTION_SUBCONTRACT, schema.OPTION_MATERIAL_CAP],
    )
}
NAMES = cap_names(TABLES)
CUT = Levers(supplier_changes=((MOTOR, "2027-03", "2027-12", -50.0),))


def test_the_names_come_from_the_material_caps_of_supply_options() -> None:
    # a subcontract offer is no supplier cap; a cap without a family has no name
    assert NAMES == {MOTOR: "Cooling material cap"}
    assert cap_names({}) == {} and cap_names({schema.CAPACITY: pd.DataFrame()}) == {}
    assert cap_label(MOTOR, NAMES) == NAMED
    assert cap_label(PUMP, NAMES) == PUMP and cap_label(MOTOR) == MOTOR
    assert cap_label(ALL_SUPPLIERS, NAMES) == ALL_SUPPLIERS


def test_one_list_of_cap_codes_for_the_levers_the_goal_and_the_names() -> None:
    # a cap listed last comes first: the codes are sorted, wherever they are read
    tables = {
        schema.CAPACITY: pd.DataFrame({schema.RESOURCE: ["L1"]}),
        schema.SUPPLY_OPTIONS: pd.concat(
            [TABLES[schema.SUPPLY_OPTIONS], _options(["CAP-A"], ["Alpha"])], ignore_index=True
        ),
    }
    codes = cap_codes(tables)
    assert codes == ["CAP-A", MOTOR, PUMP]  # no subcontract offer
    assert list(cap_names(tables)) == ["CAP-A", MOTOR]  # in code order, the named ones
    assert cap_codes({}) == [] and cap_codes({schema.SUPPLY_OPTIONS: pd.DataFrame()}) == []
    demand = pd.DataFrame(
        {schema.FAMILY: ["Alpha"], schema.REGION: ["North"], schema.MONTH: ["2027-03-01"]}
    )
    space = lever_space.dataset_space(demand, tables)
    assert space.suppliers == tuple(codes)
    assert space.supplier_names == tuple(cap_names(tables).items())
    lever = GoalSpec(
        (Target("on_time_rate", ">=", 0.9),), (LeverRange("supplier", 0, 20, names=("X",)),)
    )
    (why,) = goal_supplier.refusals(lever, tables)
    assert why.endswith(f"known: {', '.join(codes)}")


def test_the_lever_picker_shows_code_and_name() -> None:
    demand = pd.DataFrame(
        {
            schema.FAMILY: ["Cooling"],
            schema.REGION: ["North"],
            schema.MONTH: pd.to_datetime(["2027-03-01"]),
        }
    )
    tables = {schema.CAPACITY: pd.DataFrame({schema.RESOURCE: ["L1"]}), **TABLES}
    space = lever_space.dataset_space(demand, tables)
    assert space.supplier_names == ((MOTOR, "Cooling material cap"),)
    picker = next(
        w
        for w in lever_widgets.lever_widgets(space)
        if w.key.endswith("supplier_changes__0_supplier")
    )
    assert dict(zip(picker.options, picker.option_labels)) == {
        "": "(none)",
        ALL_SUPPLIERS: ALL_SUPPLIERS,
        MOTOR: NAMED,
        PUMP: PUMP,
    }


def test_the_moved_line_names_the_cap() -> None:
    said = "supplier cap {} Mar 2027 to Dec 2027 -50 %"
    assert wording.moved_text(CUT, NAMES) == said.format(NAMED)
    assert wording.moved_text(CUT) == said.format(MOTOR)
    every = Levers(supplier_changes=((ALL_SUPPLIERS, "2027-03", "2027-03", 10.0),))
    assert wording.moved_text(every, NAMES) == "every supplier cap Mar 2027 +10 %"


def test_the_compare_list_names_the_cap() -> None:
    saved = pd.DataFrame(
        {
            "scenario_id": [1],
            "name": ["Motor at half"],
            "description": [""],
            "author": ["me"],
            "created_at": pd.to_datetime(["2026-01-02"]),
            "levers_json": [CUT.to_json()],
            "dataset_version": [1],
            "archived": [False],
        }
    )
    named = saved_scenarios.saved_view(saved, NAMES)["levers"].tolist()
    assert named == [f"supplier cap {NAMED} Mar 2027 to Dec 2027 -50 %"]
    bare = saved_scenarios.saved_view(saved)["levers"].tolist()
    assert bare == [f"supplier cap {MOTOR} Mar 2027 to Dec 2027 -50 %"]


def test_the_goal_answer_names_the_cap() -> None:
    answer = Levers(
        supplier_changes=(
            *CUT.supplier_changes,
            (MOTOR, "2027-03", "2028-04", 105.46),
            (ALL_SUPPLIERS, "2027-02", "2027-02", 5.0),
        )
    )
    assert goal_explain.supplier_moves(CUT, answer, NAMES) == [
        "Supplier cap CAP\\-CL\\-MOTOR · Cooling material cap +105.5 % Mar 2027 to Apr 2028",
        "Every supplier cap +5.0 % Feb 2027",
    ]
    assert goal_explain.supplier_moves(CUT, answer)[0] == (
        "Supplier cap CAP\\-CL\\-MOTOR +105.5 % Mar 2027 to Apr 2028"
    )


def _findings(tables: dict) -> list:
    return [f for f in check_tables(tables).findings if f.check == CHECK]


def test_the_validation_refuses_an_option_coded_as_every_supplier() -> None:
    t = tiny_tables()
    t[schema.SUPPLY_OPTIONS] = _options([MOTOR], ["Alpha"])
    assert _findings(t) == [] and check_tables(t).ok
    t[schema.SUPPLY_OPTIONS] = _options([MOTOR, f" {ALL_SUPPLIERS} "], ["Alpha", "Beta"])
    report = check_tables(t)
    (hit,) = _findings(t)
    assert not report.ok and hit.severity == "error"
    # file, column, row, value and what to do
    assert hit.message.startswith("supply_options") and "column `option`" in hit.message
    assert "row 2 = " in hit.message and f"'{ALL_SUPPLIERS}'" in hit.message, hit.message
    assert "every supplier cap" in hit.message and "Rename the option" in hit.message
