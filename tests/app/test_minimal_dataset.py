"""Every page on a minimal dataset (issue 13): sales (with a family column, no prices,
no products) and one capacity figure per family, with a hand-made 18-month forecast
stored (no model is fitted). Nothing raises; the Data page says what is assumed; money
that needs a price says "no price loaded", never 0; capacity in units reads in units."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from demand_helpers import fake_values, store_fake_run
from minimal import minimal_files
from page_helpers import PAGES as ALL_PAGES
from tiny import AS_OF

from sop.data.validate import validate_files
from sop.demand.engine import ForecastSettings
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

PAGES = [p for p in ALL_PAGES if p != "pages/admin.py"]  # a minimal dataset: no admin
MONTHS = pd.date_range(AS_OF + pd.offsets.MonthBegin(1), periods=18, freq="MS")


def _load(store: Store, files: dict[str, bytes]) -> Store:
    report = validate_files(files)
    assert report.ok, [f.message for f in report.errors]
    version = store.load(report.tables, name="mine")
    store_fake_run(store, version, ForecastSettings(horizon=18), fake_values(months=MONTHS))
    return store


@pytest.fixture
def minimal(store: Store) -> Store:
    return _load(store, minimal_files())


@pytest.fixture
def priced(store: Store) -> Store:
    """The same with revenue in sales: prices come from it; still no budget."""
    files = minimal_files()
    sales = pd.read_csv(io.BytesIO(files["sales.csv"]))
    sales["Revenue"] = sales["Units"] * 9.5
    return _load(store, {**files, "sales.csv": sales.to_csv(index=False).encode()})


def _metrics(at) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_a_minimal_dataset(minimal: Store, page: str, open_app) -> None:
    open_app(page)  # it checks that nothing raised


def test_the_data_page_says_what_is_assumed(minimal: Store, open_app) -> None:
    at = open_app()
    said = next(i.value for i in at.info if "Assumed where the data is silent" in i.value)
    for what in ("No products table", "No price loaded", "No inventory table", "No budget table"):
        assert what in said, what
    assert "family\\_capacity\\.csv" in said  # user text is escaped for Markdown


def test_supply_says_no_price_and_counts_capacity_in_units(minimal: Store, open_app) -> None:
    at = open_app("pages/supply.py")
    m = _metrics(at)
    assert m["Revenue (horizon)"] == ("–", "no price loaded")
    assert any("No price loaded" in w.value for w in at.warning)
    assert any("in units a month" in i.value for i in at.info)
    shown = " ".join(str(v) for t in at.table for v in t.value.to_numpy().ravel())
    assert "no price loaded" in shown and "units_per_month" in shown


def test_finance_without_a_price_shows_no_made_up_money(minimal: Store, open_app) -> None:
    at = open_app("pages/finance.py")
    assert any("No price loaded for some SKUs" in i.value for i in at.info)
    assert not [m for m in at.metric if m.value.startswith("€")]


def test_finance_and_executive_without_a_budget(priced: Store, open_app) -> None:
    at = open_app("pages/finance.py")
    m = _metrics(at)
    assert m["Revenue (plan horizon)"][0].startswith("€")
    assert m["Revenue vs budget"][0] == "no budget"
    at = open_app("pages/executive.py")
    assert _metrics(at)["Revenue"][0].startswith("€")


def test_the_grid_shows_the_family_capacity_in_units(minimal: Store, open_app) -> None:
    at = open_app("pages/executive.py")
    at.selectbox(key="exe_grid_family").set_value("Beta").run()
    assert not at.exception, at.exception
    (grid,) = [d.value for d in at.dataframe if "Row" in d.value.columns]
    rows = grid.set_index("Row")
    plan = [f"{m:%b %Y}" for m in MONTHS]
    assert set(rows.loc["Family capacity (units)", plan]) == {"150"}  # minimal.CAPACITY
    assert set(rows.loc["Tightest line (regular hours) (h)", plan]) == {"–"}  # no hours here
    assert any("counted in units, not hours" in c.value for c in at.caption)


def _column_help(at, column: str) -> dict[str, str]:
    """Column -> its help in the column config of the one table with `column` (a table
    without selection keeps no key)."""
    (table,) = [d for d in at.dataframe if column in d.value.columns]
    config = json.loads(table.proto.columns or "{}")
    return {c: v["help"] for c, v in config.items() if v.get("help")}


def test_the_scenario_tables_say_why_money_reads_a_dash(minimal: Store, open_app) -> None:
    at = open_app("pages/executive.py")
    board = next(d.value for d in at.dataframe if "Plan" in d.value.columns)
    assert board.loc[0, "Revenue"] == "–"
    helps = _column_help(at, "Plan")
    assert set(helps) == {
        "Revenue",
        "Gross margin",
        "Margin vs budget",
        "Late deliveries (value)",
        "Lost sales (value)",
    }
    assert all("no price loaded" in h for h in helps.values())
    at = open_app("pages/scenarios.py")
    at.session_state["scn_tab"] = "All KPIs"
    at.run()
    helps = _column_help(at, "Change vs baseline")
    assert {"Scenario", "Baseline", "Change vs baseline"} <= set(helps)
    assert "no price loaded" in helps["Scenario"]
    saved_scenarios.save(minimal, "Push", Levers(demand_pct=10.0))
    at = open_app("pages/compare.py")
    helps = _column_help(at, "Better")
    assert set(helps) == {"Baseline", "#1 Push"} and "no price loaded" in helps["#1 Push"]


def test_priced_scenario_tables_carry_no_price_help(priced: Store, open_app) -> None:
    at = open_app("pages/executive.py")
    assert _column_help(at, "Plan") == {}
