"""Short supply from a labour pool, a family's units a month, a supplier's cap or a shut
line reads right on the Supply page: the lever names what can really be done (no "hire"
when hiring is capped at 0), a limit in units shows units and no overtime, and a month
with load but no hours is the worst cell of the heat map, not a blank one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from supply_helpers import family_capacity, frame, one_product

from sop.core import schema
from sop.data import defaults
from sop.supply import capacity
from sop.supply import view as supply_view
from sop.supply.charts import utilisation_heatmap
from sop.supply.plan import SupplyPolicy, solve_plan


def _crew(**labour) -> pd.DataFrame:
    """The bottlenecks of one product made by a crew of one (100 h a month) alone."""
    tables, demand = one_product([150.0, 150.0], line_hours=None, labour=labour)
    plan = solve_plan(demand, tables, SupplyPolicy())
    assert plan.ok and (plan.bottlenecks["resource"] == "LAB").all()
    return plan.bottlenecks


def test_a_full_pool_whose_overtime_costs_too_much_reads_without_a_stray_space() -> None:
    b = _crew(workers=1.0, hpw=100.0, max_ot=20.0, ot_rate=200.0)
    lever = b["lever"].iloc[0]
    assert lever.startswith("Full on regular time; overtime costs €200/h, more than the ")
    assert " ," not in lever and " ." not in lever


def test_a_pool_that_may_not_hire_is_not_told_to_hire() -> None:
    capped = _crew(workers=1.0, hpw=100.0, max_hires=0.0)["lever"].iloc[0]
    assert capped == (
        "No overtime is available; hiring is capped at 0 people a month: raise the hiring "
        "limit (max_hires_per_month in workforce)."
    )
    tables, demand = one_product(
        [150.0, 150.0], line_hours=None, labour={"workers": 1.0, "hpw": 100.0, "max_ot": 10.0}
    )
    off = solve_plan(demand, tables, SupplyPolicy(hiring_allowed=False)).bottlenecks
    assert off["lever"].iloc[0] == (
        "Overtime is at its cap; allow hiring (hiring is off), or raise the overtime a worker "
        "may work (max_overtime_per_worker in workforce)."
    )


def test_a_pool_that_could_hire_but_finds_it_dear_is_told_so() -> None:
    # hiring costs 100,000 a person: dearer than the 60 margin of the units it adds
    lever = _crew(workers=1.0, hpw=100.0, hiring=100_000.0)["lever"].iloc[0]
    assert lever == (
        "No overtime is available; hire (the plan finds a hire dearer than the hours it adds)."
    )


@pytest.fixture(scope="module")
def units_and_caps() -> pd.DataFrame:
    """The bottleneck text of a plan held by a family's 80 units a month and, in the
    second run, a supplier's 60 units a month (the line has 100 h, one hour a unit)."""
    tables, demand = one_product([150.0, 150.0], max_ot=10.0)
    fam_cap = family_capacity(demand[schema.MONTH].unique())
    with_units = defaults.complete({**tables, schema.FAMILY_CAPACITY: fam_cap})
    by_units = solve_plan(demand, with_units, SupplyPolicy())
    supplier = frame(
        schema.SUPPLY_OPTIONS,
        [
            {
                schema.OPTION: "CAP-MOTOR",
                schema.OPTION_TYPE: schema.OPTION_MATERIAL_CAP,
                schema.FAMILY: "Fam",
                schema.MONTHLY_CAP_UNITS: 60.0,
                schema.START_MONTH: pd.NaT,
                schema.END_MONTH: pd.NaT,
            }
        ],
    )
    by_supplier = solve_plan(demand, {**tables, schema.SUPPLY_OPTIONS: supplier}, SupplyPolicy())
    line = solve_plan(demand, tables, SupplyPolicy())
    both = pd.concat([by_units.bottlenecks, by_supplier.bottlenecks, line.bottlenecks])
    return supply_view.bottleneck_text(both.reset_index(drop=True), "EUR").assign(
        per=both["per"].to_numpy(), resource=both["resource"].to_numpy()
    )


def test_a_family_capacity_in_units_has_no_overtime_and_says_units(units_and_caps) -> None:
    fam = units_and_caps[units_and_caps["Binding limit"].str.endswith("· Fam")]
    assert len(fam) and (fam["per"] == "unit").all()
    assert (fam["Overtime (h)"] == "–").all()  # it was "0 of 0": units have no overtime
    assert (fam["Used"] == "80 units").all() and (fam["Limit"] == "80 units").all()


def test_a_supplier_cap_says_units_and_a_line_says_hours(units_and_caps) -> None:
    cap = units_and_caps[units_and_caps["resource"] == "CAP-MOTOR"]
    assert len(cap) and (cap["Limit"] == "60 units").all() and (cap["Overtime (h)"] == "–").all()
    line = units_and_caps[units_and_caps["resource"] == "L1"]
    assert len(line) and (line["Limit"] == "100 h").all()
    assert (line["Overtime (h)"] == "10 of 10").all()


def test_a_month_with_load_but_no_hours_is_the_worst_cell_of_the_heat_map() -> None:
    months = pd.date_range("2027-01-01", periods=3, freq="MS")
    load, hours = np.array([50.0, 40.0, 0.0]), np.array([100.0, 0.0, 0.0])
    rough = pd.DataFrame(
        {
            schema.RESOURCE: "L1",
            schema.NAME: "Line 1",
            schema.MONTH: months,
            "load_hours": load,
            "available_hours": hours,
            "utilisation": capacity.utilisation(load, hours),
        }
    )
    heat = utilisation_heatmap(rough, "Utilisation").data[0]
    text, z = list(np.asarray(heat.text)[0]), np.asarray(heat.z, dtype=float)[0]
    # shut with 40 h to make: drawn at the top of the scale, not left blank
    assert text == ["50%", "0 h", "0 h"]
    assert z[1] == heat.zmax and np.isnan(z[2])
    hover = list(np.asarray(heat.customdata)[0])
    assert hover[1] == "load but no regular hours (shut or no workers)"
    assert hover[0] == "50 % of regular capacity"
