"""A plan on time only because it draws its safety stock says so (`service_line.
buffer_line`). Review: on the demo with demand +30 % and no overtime or subcontracting,
Scenarios showed no amber line (on-time 100 %) while stock sat 68,141 unit-months
below safety stock and the page's own risk run put on-time P10 at 93.4 %."""

from __future__ import annotations

import pytest
from supply_helpers import one_product, with_consensus

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.finance import risk, service_line
from sop.finance.kpi_text import service_pct
from sop.finance.kpis import plan_kpis
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.plan import SupplyPolicy, solve_plan

LOW = {"on_time_rate": (0.934, 1.0), "fill_rate": (0.986, 1.0)}
FULL = {"on_time_rate": (1.0, 1.0), "fill_rate": (1.0, 1.0)}


@pytest.fixture(scope="module")
def drawn() -> dict[str, float]:
    # 10 on hand, all safety stock; 110 ordered in month 2 on a line making 100: the
    # plan ships the 10 from safety stock and cannot make them again (20 unit-months)
    tables, demand = one_product([100.0, 110.0, 100.0], on_hand=10.0, ss_units=10.0)
    k = plan_kpis(solve_plan(demand, tables, SupplyPolicy(horizon=3)), tables["products"])
    assert k["on_time_rate"] == 1.0 and k["below_safety_stock"] == pytest.approx(20.0)
    return k


def test_a_plan_on_time_from_its_safety_stock_says_so_with_its_p10(drawn) -> None:
    assert service_line.shortfall_line(drawn, "EUR") is None
    assert service_line.buffer_line(drawn, LOW) == (
        "This plan serves every order on time, but runs 20 unit-months below safety "
        "stock: if demand runs high, on-time P10 93.4 %, fill P10 98.6 %"
    )


def test_nothing_to_say_when_high_demand_is_served_or_stock_is_kept(drawn) -> None:
    assert service_line.buffer_line(drawn, FULL) is None  # the buffer is not needed
    assert service_line.buffer_line(drawn, {}) is None  # no risk run: nothing to quote
    kept = {**drawn, "below_safety_stock": 0.2}
    assert service_line.buffer_line(kept, LOW) is None
    late = {**drawn, "on_time_rate": 0.9, "late_units": 30.0}  # the short line says it
    assert service_line.buffer_line(late, LOW) is None


def test_the_reviews_plan_says_its_buffer_is_spent() -> None:
    horizon = 18
    tables = with_consensus(check_tables(build_demo()).tables, horizon)
    demand = loaded_consensus(tables, plan_months(as_of_month(tables), horizon))
    banded = demand.assign(
        **{schema.P10: demand[schema.UNITS] * 0.8, schema.P90: demand[schema.UNITS] * 1.25}
    )
    levers = Levers(demand_pct=30.0, overtime_allowed=False, subcontract_allowed=False)
    ev = evaluate(prepare_demand(banded), tables, levers, SupplyPolicy(horizon=horizon))
    assert service_line.shortfall_line(ev.kpis, "EUR") is None  # on time at P50
    ranges = risk.p10_p90(ev.risk)
    line = service_line.buffer_line(ev.kpis, ranges)
    assert line is not None and "below safety stock" in line
    assert f"on-time P10 {service_pct(ranges['on_time_rate'][0])}" in line
    assert ranges["on_time_rate"][0] < 0.999


def test_the_plan_line_is_the_short_line_else_the_buffer_line(drawn) -> None:
    # Executive, Decisions and the pack say the buffer line too (review: a plan on time
    # only by drawing safety stock was approved with no warning outside Scenarios)
    assert service_line.plan_line(drawn, "EUR", LOW) == service_line.buffer_line(drawn, LOW)
    assert service_line.plan_line(drawn, "EUR", None) is None
    late = {**drawn, "on_time_rate": 0.9, "late_units": 30.0, "lost_units": 0.0}
    assert service_line.plan_line(late, "EUR", LOW) == service_line.shortfall_line(late, "EUR")
