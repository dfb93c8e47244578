"""A shut line is not "100 % used, at its limit every month".

Review (demo, RS-ASM1 shut Jan-Oct 2027, demand +30 %, no overtime or subcontracting,
18 months): the Scenarios utilisation table read RS-ASM1 "Average 100.0 %", "Months at
limit 18 of 18 months" and the Executive binding tile "line RS-ASM1 18 months", though
the line had no hours in 10 of those months. Now the average says it is over the open
months, the months at limit are the open ones, the shut ones are counted apart, and the
months said still add up to the binding tile's count (the bottleneck table's rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from supply_helpers import one_product

from sop.core import schema
from sop.data import defaults
from sop.executive import headline as exec_headline
from sop.finance import kpis
from sop.finance.kpis import binding_names, plan_kpis
from sop.scenario.utilisation_view import utilisation_display
from sop.supply import capacity
from sop.supply.plan import PlanResult, SupplyPolicy, solve_plan

DEMAND = [150.0] * 4  # against a line of 100 h a month, 1 h a unit: it binds when open


def _plan(shut: slice) -> tuple[dict[str, pd.DataFrame], PlanResult]:
    """The one-product plan with line L1 at 0 h in the calendar months `shut`."""
    t, d = one_product(DEMAND)
    cap = t[schema.CAPACITY].copy()
    months = cap[schema.MONTH].iloc[shut]
    cap.loc[cap[schema.MONTH].isin(months), schema.AVAILABLE_HOURS] = 0.0
    tables = defaults.complete({**t, schema.CAPACITY: cap})
    plan = solve_plan(d, tables, SupplyPolicy())
    assert plan.ok, plan.explanation
    return tables, plan


@pytest.fixture(scope="module")
def plans() -> dict[str, tuple[dict, PlanResult]]:
    """L1 open all along; shut in months 2 and 3; shut all along."""
    return {
        "open": _plan(slice(0, 0)),
        "half": _plan(slice(1, 3)),
        "shut": _plan(slice(0, 4)),
    }


def test_the_line_utilisation_is_over_its_open_months_with_the_shut_ones_counted() -> None:
    months = pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"])
    use = pd.DataFrame(
        {
            schema.RESOURCE: ["L1"] * 3 + ["L2"] * 3,
            schema.PLANT: "P",
            schema.NAME: ["one"] * 3 + ["two"] * 3,
            schema.KIND: schema.KIND_LINE,
            schema.MONTH: list(months) * 2,
            # L1 runs 50 of 100 h, then is shut (a rough-cut still loads it 20 h), then
            # runs 100 of 100 h; L2 is open all along
            capacity.LOAD_HOURS: [50.0, 20.0, 100.0, 30.0, 30.0, 30.0],
            schema.AVAILABLE_HOURS: [100.0, 0.0, 100.0, 60.0, 60.0, 60.0],
        }
    )
    use[capacity.UTILISATION] = capacity.utilisation(
        use[capacity.LOAD_HOURS], use[schema.AVAILABLE_HOURS]
    )
    lines = capacity.line_utilisation(use).set_index(schema.RESOURCE)
    # 150 h used of the 200 h of its two open months: the shut month's load has no hours
    assert lines.at["L1", "avg"] == pytest.approx(0.75)
    assert lines.at["L1", "peak"] == pytest.approx(1.0)
    assert lines.loc["L1", ["open_months", "shut_months"]].tolist() == [2, 1]
    assert lines.loc["L2", ["open_months", "shut_months"]].tolist() == [3, 0]
    assert lines.at["L2", "avg"] == pytest.approx(0.5)


def test_the_utilisation_table_counts_shut_months_apart_from_months_at_limit(plans) -> None:
    _, half = plans["half"]
    row = utilisation_display(half, plans["open"][1]).set_index("Resource").loc["L1"]
    # it runs full in the two months it is open, and has no hours in the other two
    assert row["Months at limit"] == "2 of 4 months"
    assert row["Shut"] == "2 of 4 months"
    assert row["Average (open months)"] == "100.0 %"
    assert row["Peak"] == "100.0 %"
    assert row["Baseline average (open months)"] == "100.0 %"
    # the months said add up to the bottleneck table's rows of the line
    assert len(half.bottlenecks[half.bottlenecks[schema.RESOURCE] == "L1"]) == 4
    # a line open all along: nothing shut
    full = utilisation_display(*[plans["open"][1]] * 2).set_index("Resource").loc["L1"]
    assert (full["Months at limit"], full["Shut"]) == ("4 of 4 months", "0 of 4 months")


def test_a_line_shut_all_along_has_no_average_and_no_month_at_limit(plans) -> None:
    _, shut = plans["shut"]
    row = utilisation_display(shut, plans["open"][1]).set_index("Resource").loc["L1"]
    assert row["Months at limit"] == "0 of 4 months"
    assert row["Shut"] == "4 of 4 months"
    # no open month: no utilisation to give (not 0 %, not 100 %)
    assert (row["Average (open months)"], row["Peak"]) == ("–", "–")


def test_the_binding_tile_names_shut_months_apart_and_adds_up_to_its_count(plans) -> None:
    tables, half = plans["half"]
    k = plan_kpis(half, tables[schema.PRODUCTS])
    names = binding_names(half)
    assert names == "line L1 2 months + 2 shut"
    assert binding_names(plans["shut"][1]) == "line L1 4 months shut"
    assert binding_names(plans["open"][1]) == "line L1 4 months"
    # the tile's count is every binding limit-month, the words split it: 2 + 2
    assert k["binding_resource_months"] == 4.0
    head = exec_headline.headline(k, {}, None, "EUR", None, None, names).set_index("key")
    row = head.loc["binding_resource_months"]
    assert row["text"] == "4" and row["detail"] == names
    assert "shut" in row["help"] and "reopening it is the lever" in row["help"]
    # the Supply page's summary counts the same months
    assert kpis.binding_text(k["binding_resource_months"], kpis.binding_kinds(half)) == (
        "4 binding limit-months: line 4"
    )
    # the average utilisation KPI: the line over its open months (full), not 50 %
    assert k["avg_utilisation"] == pytest.approx(1.0)
    assert np.isfinite(k["peak_utilisation"])
