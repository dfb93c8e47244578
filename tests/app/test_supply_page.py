"""The Supply page through Streamlit's AppTest: renders, re-plans on settings, explains."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from supply_helpers import with_consensus
from tiny import tiny_tables

from sop.core import schema
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.store import Store

PAGE = "pages/supply.py"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _tight(store: Store) -> None:
    """Tiny dataset with a consensus and lines at a quarter of their hours."""
    tables = with_consensus(tiny_tables(), 12)
    tables[schema.CAPACITY] = tables[schema.CAPACITY].assign(**{schema.WORKING_DAYS: 5.0})
    store.load(check_tables(tables).tables, name="tight")


def test_page_plans_the_loaded_consensus(store: Store, open_app) -> None:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    at = open_app(PAGE)
    assert at.title[0].value == "Supply planning"
    m = _metrics(at)
    assert m["Revenue (horizon)"].startswith("€") and m["Fill rate"].endswith("%")
    assert m["On-time fill rate"].endswith("%") and m["Late deliveries (value)"].startswith("€")
    # counts are bare on the service row: the label names the unit
    assert m["Overtime"].endswith(" h") and "Late (unit-months)" in m
    assert m["Lost sales (units)"].replace(",", "").isdigit()
    assert any("Demand: loaded consensus" in c.value for c in at.caption)
    assert [t.label for t in at.tabs] == [
        "Capacity",
        "Plan vs demand",
        "Bottlenecks & gaps",
        "Costs",
    ]
    costs = next(d.value for d in at.dataframe if "term" in d.value.columns)
    assert "revenue" in set(costs["term"])
    assert at.selectbox(key="sup_resource").value in {"L1", "L2", "LAB"}


def test_without_demand_the_page_says_to_forecast_first(store: Store, open_app) -> None:
    store.load(check_tables(tiny_tables()).tables, name="tiny")
    at = open_app(PAGE)
    text = " ".join(i.value for i in at.info)
    assert "python -m sop forecast" in text and "Demand must be forecast" in text
    assert not at.metric


def test_settings_replan_and_shortfalls_are_explained(store: Store, open_app) -> None:
    _tight(store)
    at = open_app(PAGE)
    lost_with_backlog = _metrics(at)["Lost sales (units)"]
    at.toggle(key="sup_backlog_allowed").set_value(False).run()
    assert not at.exception
    lost_without = _metrics(at)["Lost sales (units)"]
    assert lost_without != "0"
    assert float(lost_without.replace(",", "")) >= float(lost_with_backlog.replace(",", ""))
    whys = " ".join(md.value for md in at.markdown)
    assert "lost sales" in whys and "Cheapest lever" in whys


def test_impossible_settings_show_the_explanation(store: Store, open_app) -> None:
    _tight(store)
    at = open_app(PAGE)
    at.toggle(key="sup_backlog_allowed").set_value(False)
    at.toggle(key="sup_lost_sales_allowed").set_value(False).run()
    assert not at.exception
    assert at.error and "No lost sales" in at.error[0].value
    assert not at.metric


def test_horizon_level_and_views_switch(store: Store, open_app) -> None:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    at = open_app(PAGE)
    at.number_input(key="sup_horizon").set_value(6)
    at.selectbox(key="sup_level").set_value("sku").run()
    assert not at.exception
    assert any("Jan 2026 to Jun 2026" in c.value for c in at.caption)
    at.selectbox(key="sup_resource").set_value("L2")
    at.segmented_control(key="sup_heat").set_value("Planned load")
    at.selectbox(key="sup_family").set_value("Beta").run()
    assert not at.exception


@pytest.mark.parametrize("with_consensus_table", [True, False])
def test_demo_store_renders(store: Store, with_consensus_table: bool, open_app) -> None:
    tables = check_tables(build_demo()).tables
    if with_consensus_table:
        tables = with_consensus(tables, 18)
    store.load(tables, name="demo")
    at = open_app(PAGE)
    if with_consensus_table:
        assert _metrics(at)["On-time fill rate"].endswith("%")
        limits = next(t.value for t in at.table if "Lever" in t.value.columns)
        assert any(s.startswith("RS-ASM1 · ") for s in limits["Binding limit"])
        assert limits["Lever"].str.len().gt(0).all()  # each lever sentence whole
    else:
        assert at.info


def test_resource_box_shows_the_resource_the_chart_draws(store: Store, open_app) -> None:
    # L2 is roomy for 3 months, then short of hours: over 12 months it binds and is the
    # resource shown first; over 2 months nothing binds. A default index that moved with
    # the plan while the kept value stayed made the browser show L1 above the L2 chart:
    # the box must send its value, or keep its default, on every run.
    tables = with_consensus(tiny_tables(), 12)
    cap = tables[schema.CAPACITY]
    late = (cap[schema.RESOURCE] == "L2") & (
        cap[schema.MONTH] >= cap[schema.MONTH].min() + pd.offsets.MonthBegin(3)
    )
    early = (cap[schema.RESOURCE] == "L2") & ~late
    days = cap[schema.WORKING_DAYS].where(~late, 2.0).where(~early, 60.0)
    tables[schema.CAPACITY] = cap.assign(**{schema.WORKING_DAYS: days})
    store.load(check_tables(tables).tables, name="late")
    at = open_app(PAGE)
    box = at.selectbox(key="sup_resource")
    assert box.value == "L2"
    default = box.proto.default
    at.number_input(key="sup_horizon").set_value(2).run()
    assert not at.exception
    assert any("demand fits" in s.value for s in at.success)
    box = at.selectbox(key="sup_resource")
    assert box.value == "L2"
    assert box.proto.set_value or box.proto.default == default


def test_a_horizon_beyond_the_forecast_says_so_without_asking_to_forecast(
    store: Store, open_app
) -> None:
    from demand_helpers import store_fake_run

    version = store.load(check_tables(tiny_tables()).tables, name="tiny")
    store_fake_run(store, version)  # a 6-month forecast is stored
    at = open_app(PAGE)  # plans 18 months by default
    text = " ".join(i.value for i in at.info)
    assert "covers 6 months" in text and "Shorten the horizon" in text
    assert "Demand must be forecast" not in text and not at.metric
    at.number_input(key="sup_horizon").set_value(6).run()
    assert not at.exception and at.metric
