"""Late and lost in units and money on every page's tiles, through AppTest (planner
review of a short plan): Supply and Finance show lost sales in money, every service row
has late units beside the unit-months, Finance's deltas say they are against the
baseline, and the Executive headline has a tile for the limits that bind, naming them."""

from __future__ import annotations

from exec_helpers import load
from page_helpers import SERVICE_TILES
from streamlit.testing.v1 import AppTest
from supply_helpers import with_consensus
from tiny import tiny_tables

from sop.core import fmt, schema
from sop.executive import service as executive
from sop.finance.kpi_text import value_text
from sop.finance.kpis import binding_names
from sop.scenario.levers import Levers
from sop.store import Store

SERVICE = SERVICE_TILES


def _short(store: Store) -> None:
    """The tiny dataset with its lines at half their days: lost sales and late orders."""
    tables = with_consensus(tiny_tables(), 12)
    tables[schema.CAPACITY] = tables[schema.CAPACITY].assign(**{schema.WORKING_DAYS: 10.0})
    load(store, tables, name="short")


def _tiles(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_supply_and_finance_show_late_units_and_lost_sales_in_money(store: Store, open_app) -> None:
    _short(store)
    k = executive.context(store).evaluate(Levers()).kpis
    assert k["lost_units"] >= 1 and k["late_units"] >= 1  # the case is short both ways
    lost, late = (
        value_text("lost_value", k["lost_value"]),
        value_text("late_units", k["late_units"]),
    )
    supply = _tiles(open_app("pages/supply.py"))
    finance = _tiles(open_app("pages/finance.py"))
    for shown in (supply, finance):
        assert set(SERVICE) <= set(shown)
        assert shown["Lost sales (value)"][0] == lost and lost.startswith("€")
        assert shown["Late (units)"][0] == value_text("late_units", k["late_units"], bare=True)
        assert f"{shown['Late (units)'][0]} units" == late
    # Finance compares with the baseline (here the baseline itself) and says so
    assert finance["Lost sales (value)"][1] == "no change vs baseline"
    assert finance["Fill rate"][1] == "no change vs baseline"


def test_scenarios_show_late_units(store: Store, open_app) -> None:
    _short(store)
    shown = _tiles(open_app("pages/scenarios.py"))
    assert {"Late (units)", "Late (unit-months)", "Late deliveries (value)"} <= set(shown)
    assert shown["Late (units)"][0].replace(",", "").isdigit()


def test_the_executive_shows_the_limits_that_bind(store: Store, open_app) -> None:
    _short(store)
    ctx = executive.context(store)
    ev = ctx.evaluate(Levers())
    n = int(ev.kpis["binding_resource_months"])
    assert n >= 1
    at = open_app("pages/executive.py")
    shown = _tiles(at)
    assert shown["Binding (limit-months)"][0] == str(n)  # bare: the label names the unit
    labels = list(shown)
    assert labels.index("Binding (limit-months)") == labels.index("Line utilisation") + 1
    names = binding_names(ev.plan)
    assert names.startswith("line ")
    assert any(c.value.startswith(fmt.md(names)) for c in at.caption), names
