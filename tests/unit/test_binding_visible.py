"""What binds shows wherever capacity shows: supply short for a supplier's cap, a labour
pool or a family's units a month is counted in the Supply summary as the bottleneck
table counts it, listed with its kind in the utilisation table, named beside the S&OP
grid's utilisation; a family capacity adds no plant; demand is labelled as what it is."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from supply_helpers import family_capacity, frame, material_cap, one_product, sales_before

from sop.core import schema
from sop.data import defaults
from sop.finance import grid_text, kpis
from sop.finance.grid import TOTAL, sop_grids
from sop.scenario import risk_view
from sop.scenario.utilisation_view import utilisation_display as util_table
from sop.supply import charts as supply_charts
from sop.supply.plan import SupplyPolicy, solve_plan

DEMAND = [150.0, 150.0]


@pytest.fixture(scope="module")
def supplier_short():
    """A line of 200 h (never full) behind a supplier's 60 units a month."""
    tables, demand = one_product(DEMAND, line_hours=200.0)
    t = defaults.complete(
        {**tables, schema.SUPPLY_OPTIONS: material_cap(60.0), schema.SALES: sales_before()}
    )
    plan = solve_plan(demand, t, SupplyPolicy())
    assert plan.ok
    return t, demand, plan


@pytest.fixture(scope="module")
def crew_short():
    """A crew of one (100 h a month, no hires) on a line of 200 h."""
    tables, demand = one_product(
        DEMAND, line_hours=200.0, labour={"workers": 1.0, "hpw": 100.0, "max_hires": 0.0}
    )
    t = defaults.complete(tables)
    plan = solve_plan(demand, t, SupplyPolicy())
    assert plan.ok
    return t, demand, plan


@pytest.fixture(scope="module")
def units_short():
    """A line of 200 h at plant "Plant", the family held to 80 units a month."""
    tables, demand = one_product(DEMAND, line_hours=200.0)
    fc = family_capacity(demand[schema.MONTH].unique())
    t = defaults.complete({**tables, schema.FAMILY_CAPACITY: fc, schema.SALES: sales_before()})
    plan = solve_plan(demand, t, SupplyPolicy())
    assert plan.ok
    return t, demand, plan


# --- 1. the summary counts every binding limit, as the bottleneck table does --------------
def test_a_supplier_cap_that_binds_is_counted_in_the_summary(supplier_short) -> None:
    t, _, plan = supplier_short
    assert list(plan.bottlenecks["constraint"]) == ["material cap", "material cap"]
    k = kpis.plan_kpis(plan, t[schema.PRODUCTS])
    assert k["binding_resource_months"] == len(plan.bottlenecks) == 2  # was 0: lines only
    assert kpis.binding_kinds(plan) == {"supplier cap": 2}
    text = kpis.summary(k, "EUR", kpis.binding_kinds(plan))
    assert text.endswith("; 2 binding limit-months: supplier cap 2.")
    assert "resource-month" not in text


def test_the_count_names_each_kind(crew_short, units_short) -> None:
    _, _, crew = crew_short
    assert kpis.binding_kinds(crew) == {"labour pool": 2}
    _, _, units = units_short
    assert kpis.binding_kinds(units) == {"family capacity": 2}
    assert kpis.binding_text(3, {"supplier cap": 2, "labour pool": 1}) == (
        "3 binding limit-months: supplier cap 2, labour pool 1"
    )
    assert kpis.binding_text(1, {"line": 1}) == "1 binding limit-month: line 1"
    assert kpis.binding_text(0, {}) == "0 binding limit-months"


# --- 2. the utilisation table lists every kind ---------------------------------------------
def test_the_utilisation_table_lists_labour_pools_family_capacities_and_suppliers(
    supplier_short, crew_short, units_short
) -> None:
    crew = util_table(crew_short[2], crew_short[2]).set_index("Resource")
    assert crew.loc["LAB", "Kind"] == "labour pool"
    assert crew.loc["LAB", "Peak"] == "100.0 %"
    assert crew.loc["LAB", "Months at limit"] == "2 of 2 months"
    assert crew.loc["L1", ["Kind", "Peak", "Months at limit"]].tolist() == [
        "line",
        "50.0 %",
        "0 of 2 months",
    ]
    units = util_table(units_short[2], units_short[2]).set_index("Resource")
    fam = units.loc[defaults.family_resource("Fam")]
    avg = "Average (open months)"
    assert (fam["Kind"], fam["Plant"], fam[avg]) == ("family capacity", "Plant", "100.0 %")
    sup = util_table(supplier_short[2], supplier_short[2]).set_index("Resource")
    assert sup.loc["CAP-MOTOR", "Kind"] == "supplier cap"
    assert sup.loc["CAP-MOTOR", "Months at limit"] == "2 of 2 months"
    assert sup.loc["CAP-MOTOR", avg] == "–"  # its cap is known only where it binds
    assert list(sup["Kind"]) == ["line", "supplier cap"]


# --- 3. a family capacity is not a plant ---------------------------------------------------
def test_a_family_capacity_takes_its_family_plant_and_adds_none(units_short) -> None:
    t, _, plan = units_short
    res = t[schema.RESOURCES].set_index(schema.RESOURCE)
    assert res.loc[defaults.family_resource("Fam"), schema.PLANT] == "Plant"
    assert set(plan.family_plan[schema.PLANT]) == {"Plant"}  # was "Main plant + Plant"
    assert set(plan.sku_plan[schema.PLANT]) == {"Plant"}
    assert "Main plant" not in " ".join(plan.shortfalls["why"])


def test_a_family_capacity_alone_or_across_plants() -> None:
    tables, demand = one_product(DEMAND, line_hours=200.0)
    fc = family_capacity(demand[schema.MONTH].unique())
    alone = {k: v for k, v in tables.items() if k != schema.BILL_OF_RESOURCES}
    res = defaults.resources({**alone, schema.FAMILY_CAPACITY: fc})
    assert res[schema.PLANT].iloc[-1] == defaults.DEFAULT_PLANT  # no other routing
    # P1 on L1 (Plant), P2 of the same family on L2 (Other): the capacity spans both
    p2 = tables[schema.PRODUCTS].assign(**{schema.SKU: "P2"})
    l2 = tables[schema.RESOURCES].assign(**{schema.RESOURCE: "L2", schema.PLANT: "Other"})
    bor = frame(
        schema.BILL_OF_RESOURCES,
        [
            {schema.SKU: "P1", schema.RESOURCE: "L1", schema.HOURS_PER_UNIT: 1.0},
            {schema.SKU: "P2", schema.RESOURCE: "L2", schema.HOURS_PER_UNIT: 1.0},
        ],
    )
    two = {
        **tables,
        schema.PRODUCTS: pd.concat([tables[schema.PRODUCTS], p2], ignore_index=True),
        schema.RESOURCES: pd.concat([tables[schema.RESOURCES], l2], ignore_index=True),
        schema.BILL_OF_RESOURCES: bor,
        schema.FAMILY_CAPACITY: fc,
    }
    res = defaults.resources(two).set_index(schema.RESOURCE)
    assert np.isnan(res.loc[defaults.family_resource("Fam"), schema.PLANT])


# --- 4. demand labelled as what it is ------------------------------------------------------
def test_the_demand_line_and_risk_column_do_not_claim_a_consensus(supplier_short) -> None:
    _, _, plan = supplier_short
    name = supply_charts.demand_name(pd.Series(["forecast", "forecast"]))
    assert name == "Demand (forecast)"
    fig = supply_charts.plan_chart(plan.family_plan, None, "#000000", name)
    names = [tr.name for tr in fig.data]
    assert "Demand (forecast)" in names and not any("consensus" in n for n in names)
    assert supply_charts.demand_name(["forecast", "forecast + override"]) == (
        "Demand (forecast, forecast + override)"
    )
    assert supply_charts.demand_name(None) == "Demand"
    assert "consensus" not in risk_view.AT_CONSENSUS


# --- 5. the grid names a non-line limit beside utilisation ---------------------------------
def test_the_grid_names_the_supplier_cap_beside_idle_lines(supplier_short, units_short) -> None:
    t, demand, plan = supplier_short
    grids = sop_grids(plan, demand, t)
    assert grids["Fam"].limits == ("supplier cap CAP-MOTOR",)
    row = grid_text.display_frame(grids["Fam"], "EUR").loc["utilisation", grid_text.ROW]
    assert row == "Utilisation (%)"  # said under the grid: the label column stays narrow
    assert grid_text.limits_note(grids["Fam"]).endswith("instead: supplier cap CAP-MOTOR.")
    assert grids[TOTAL].limits == ("supplier cap CAP-MOTOR",)
    t, demand, plan = units_short
    assert sop_grids(plan, demand, t)["Fam"].limits == ("family capacity (Fam)",)


def test_a_grid_held_by_its_line_names_no_other_limit() -> None:
    tables, demand = one_product(DEMAND)  # the 100 h line binds
    t = defaults.complete({**tables, schema.SALES: sales_before()})
    plan = solve_plan(demand, t, SupplyPolicy())
    grids = sop_grids(plan, demand, t)
    assert grids["Fam"].limits == ()
    row = grid_text.display_frame(grids["Fam"], "EUR").loc["utilisation", grid_text.ROW]
    assert row == "Utilisation (%)"
