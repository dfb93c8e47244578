"""A minimal dataset (issue 13): sales alone forecasts, sales + one capacity figure per
family plans, capacity may be just available hours, and every default the app fills
in is said in words (`sop.data.assumptions`)."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from minimal import CAPACITY, FAMILY, family_capacity_csv, minimal_files, sales_csv
from tiny import AS_OF, tiny_tables

from sop.core import schema
from sop.core.months import plan_months
from sop.data import assumptions as data_assumptions
from sop.data import defaults
from sop.data.validate import check_tables, validate_files
from sop.demand.engine import ForecastSettings, run_forecast
from sop.demand.plan import PLAN_COLUMNS, SOURCE_LOADED
from sop.finance.kpis import plan_kpis, priced
from sop.finance.statement import family_pnl
from sop.finance.tiles import kpi_tile
from sop.store import Store
from sop.store import connection as store_connection
from sop.supply.charts import capacity_chart
from sop.supply.plan import solve_plan
from sop.supply.policy import SupplyPolicy

HORIZON = 6


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()


def _demand(units: dict[str, float], months: int = HORIZON) -> pd.DataFrame:
    """A demand plan (`PLAN_COLUMNS`): `units` per SKU and month, split over 2 regions."""
    rows = [
        (m, sku, region, FAMILY[sku], u / 2)
        for m in plan_months(AS_OF, months)
        for sku, u in units.items()
        for region in ("North", "South")
    ]
    df = pd.DataFrame(
        rows, columns=[schema.MONTH, schema.SKU, schema.REGION, schema.FAMILY, schema.UNITS]
    )
    return df.assign(
        **{
            schema.P10: df[schema.UNITS],
            schema.P90: df[schema.UNITS],
            schema.FORECAST_UNITS: df[schema.UNITS],
            schema.SOURCE: SOURCE_LOADED,
        }
    )[PLAN_COLUMNS]


# --- (a) sales alone --------------------------------------------------------------------


def test_sales_alone_validates_loads_and_forecasts(tmp_path) -> None:
    report = validate_files({"sales.csv": sales_csv()})
    assert report.ok and not report.findings, [f.message for f in report.findings]
    assert set(report.tables) == {schema.SALES}
    store = Store(tmp_path / "s.duckdb")
    store.load(report.tables, name="mine")
    assert set(store.tables()) == {schema.SALES}  # the store keeps what was loaded
    full = defaults.complete(store.tables())
    p = full[schema.PRODUCTS].set_index(schema.SKU)
    assert sorted(p.index) == sorted(FAMILY)
    assert (p[schema.FAMILY] == defaults.DEFAULT_FAMILY).all()
    assert (p[schema.NAME] == p.index).all() and p[schema.LIST_PRICE].isna().all()
    assert schema.FAMILY not in full[schema.SALES]  # the family lives in products
    result = run_forecast(full, ForecastSettings(horizon=HORIZON))
    v = result.values
    assert len(v) == len(FAMILY) * 2 * HORIZON
    assert set(v[schema.MONTH]) == set(plan_months(AS_OF, HORIZON))
    assert np.isfinite(v[schema.P50]).all() and (v[schema.P50] >= 0).all()
    # the forecast follows the history's level (about 100-130 units a month a series)
    assert 50 < v[schema.P50].mean() < 200


def test_products_are_derived_from_sales_family_and_revenue() -> None:
    sales = pd.read_csv(io.BytesIO(sales_csv(family=True)))
    last12 = sales["Month"] > "2024-12"
    # A1 sells at 9.5 over the last 12 months (and at 5 before: not counted); A2 has
    # no revenue at all; B1 is in products with a list price, which wins
    sales["Revenue"] = np.where(sales["SKU"] == "A1", sales["Units"] * np.where(last12, 9.5, 5), "")
    products = pd.DataFrame({"sku": ["B1"], "list_price": [40.0]})
    report = validate_files({"sales.csv": _csv(sales), "products.csv": _csv(products)})
    assert report.ok, [f.message for f in report.errors]
    # SKUs of sales missing from products are planned, with a warning naming them
    warned = " ".join(f.message for f in report.warnings if f.check == "References exist")
    assert "unknown skus A1, A2" in warned and "planned" in warned
    p = defaults.complete(report.tables)[schema.PRODUCTS].set_index(schema.SKU)
    assert p.loc["A1", schema.FAMILY] == "Alpha" and p.loc["B1", schema.FAMILY] == "Beta"
    assert p.loc["A1", schema.LIST_PRICE] == pytest.approx(9.5)
    assert math.isnan(p.loc["A2", schema.LIST_PRICE])
    assert p.loc["B1", schema.LIST_PRICE] == 40.0
    assert (p[schema.MATERIAL_COST] == 0.0).all()


def test_a_sku_with_two_families_in_sales_is_an_error() -> None:
    sales = pd.read_csv(io.BytesIO(sales_csv(family=True)))
    sales.loc[0, "Family"] = "Beta"  # A1 is Alpha everywhere else
    report = validate_files({"sales.csv": _csv(sales)})
    msg = " ".join(f.message for f in report.errors if f.check == "One family per SKU")
    assert "sales.csv, column `family`" in msg and "A1" in msg and "row 1" in msg


def test_a_full_dataset_is_completed_unchanged() -> None:
    tables = check_tables(tiny_tables()).tables
    full = defaults.complete(tables)
    for name, df in tables.items():
        want = df.drop(columns=[schema.FAMILY]) if name == schema.SALES else df
        pd.testing.assert_frame_equal(full[name], want)
    assert set(full) == set(tables)


# --- (b) sales + one capacity figure per family ------------------------------------------


def test_family_capacity_validates_and_the_plan_keeps_within_it() -> None:
    files = minimal_files()
    fc = pd.DataFrame(
        {
            "family": ["Alpha", "Beta", "Beta"],
            "units_per_month": [CAPACITY["Alpha"], CAPACITY["Beta"], 100.0],
            "month": ["", "", f"{plan_months(AS_OF, 3)[-1]:%Y-%m}"],  # Beta's 3rd month: 100
        }
    )
    files["family_capacity.csv"] = _csv(fc)
    report = validate_files(files)
    assert report.ok and not report.warnings, [f.message for f in report.findings]
    tables = defaults.complete(report.tables)
    # Alpha asks 2 x 150 = 300 (< 400), Beta 260 (> 150, and > 100 in the 3rd month)
    plan = solve_plan(
        _demand({"A1": 150.0, "A2": 150.0, "B1": 260.0}), tables, SupplyPolicy(horizon=HORIZON)
    )
    assert plan.ok, plan.explanation
    fp = plan.family_plan.groupby([schema.FAMILY, schema.MONTH])["production"].sum()
    months = plan_months(AS_OF, HORIZON)
    limit = {
        (f, m): (100.0 if f == "Beta" and m == months[2] else CAPACITY[f]) for f, m in fp.index
    }
    assert all(fp[k] <= limit[k] + 1e-6 for k in fp.index)
    assert fp[("Beta", months[2])] == pytest.approx(100.0)  # the month's own figure binds
    assert fp[("Alpha", months[0])] == pytest.approx(300.0)  # Alpha's demand fits
    ru = plan.resource_use.set_index(schema.RESOURCE)
    assert set(ru["per"]) == {"unit"}  # counted in units, shown in units
    assert ru.loc[defaults.family_resource("Beta"), schema.AVAILABLE_HOURS].max() == 150.0
    assert set(plan.bottlenecks["per"]) == {"unit"}
    assert "units_per_month" in plan.bottlenecks["lever"].iloc[0]
    fig = capacity_chart(plan.resource_use, plan.resource_use, defaults.family_resource("Beta"))
    assert fig.layout.yaxis.title.text == "Units per month"
    assert "units" in fig.layout.title.text and "hours" not in fig.layout.title.text


def test_without_prices_money_is_unknown_not_zero() -> None:
    report = validate_files(minimal_files())
    tables = defaults.complete(report.tables)
    plan = solve_plan(
        _demand({"A1": 150.0, "A2": 150.0, "B1": 260.0}), tables, SupplyPolicy(horizon=HORIZON)
    )
    assert plan.ok
    k = plan_kpis(plan, tables[schema.PRODUCTS])
    assert not priced(k)
    for key in ("revenue", "gross_margin", "lost_value"):
        assert math.isnan(k[key]), key  # lost units of unpriced SKUs: value unknown, not 0
    assert k["lost_units"] == pytest.approx(HORIZON * (260.0 - 150.0))
    assert k["binding_resource_months"] == HORIZON  # Beta binds every month
    assert plan.bottlenecks["shadow_price"].isna().all()
    assert any("No price loaded" in n.text for n in plan.notes)
    assert all("no price loaded" in why for why in plan.shortfalls["why"])
    # on screen: "no price loaded", never 0 (a priced figure reads as money)
    assert kpi_tile("revenue", k["revenue"]).delta == "no price loaded"
    assert kpi_tile("revenue", k["revenue"], reference=1e6).delta == "no price loaded"
    assert kpi_tile("revenue", 1e6, reference=k["revenue"]).delta == "baseline: no price loaded"
    assert kpi_tile("fill_rate", np.nan, reference=0.9).delta == "not defined"
    pnl = family_pnl(plan)  # the books: unknown revenue and margin, not 0
    assert pnl[schema.REVENUE].isna().all() and pnl[schema.MARGIN].isna().all()
    assert (pnl["units"] > 0).any() and pnl["units"].notna().all()


def test_family_capacity_that_misses_plan_months_is_an_error() -> None:
    fc = pd.DataFrame(
        {
            "family": ["Alpha"] * 3,
            "units_per_month": [400.0] * 3,
            "month": ["2026-01", "2026-02", "2026-03"],
        }
    )
    report = validate_files({"sales.csv": sales_csv(family=True), "family_capacity.csv": _csv(fc)})
    msg = " ".join(
        f.message for f in report.errors if f.check == "Capacity covers the plan horizon"
    )
    assert "family Alpha has no units a month for 9 of the 12 months" in msg
    unknown = pd.DataFrame({"family": ["Gamma"], "units_per_month": [10.0]})
    report = validate_files(
        {"sales.csv": sales_csv(family=True), "family_capacity.csv": _csv(unknown)}
    )
    assert any("unknown family Gamma" in f.message for f in report.errors)


# --- (c) capacity as available hours alone -------------------------------------------------


def _hours_files(hours: float = 100.0, drop: tuple[str, ...] = ()) -> dict[str, bytes]:
    months = plan_months(AS_OF, 18)
    cap = pd.DataFrame(
        {"resource": "L1", "month": [f"{m:%Y-%m}" for m in months], "available_hours": hours}
    )
    bor = pd.DataFrame(
        {"family": ["Alpha", "Beta"], "resource": ["L1", "L1"], "hours_per_unit": [0.5, 0.5]}
    )
    files = {
        "sales.csv": sales_csv(family=True),
        "capacity.csv": _csv(cap),
        "bill_of_resources.csv": _csv(bor),
    }
    return {k: v for k, v in files.items() if k not in drop}


def test_capacity_with_available_hours_alone_validates_and_binds() -> None:
    report = validate_files(_hours_files())
    assert report.ok and not report.findings, [f.message for f in report.findings]
    tables = defaults.complete(report.tables)
    r = tables[schema.RESOURCES].set_index(schema.RESOURCE)
    assert r.loc["L1", schema.KIND] == schema.KIND_LINE
    assert r.loc["L1", schema.PLANT] == defaults.DEFAULT_PLANT
    assert r.loc["L1", schema.REGULAR_COST_PER_HOUR] == 0.0  # no cost per hour: no labour cost
    assert r.loc["L1", schema.MAX_OVERTIME_HOURS] == 0.0  # no overtime cap: no overtime
    plan = solve_plan(
        _demand({"A1": 150.0, "A2": 150.0, "B1": 100.0}), tables, SupplyPolicy(horizon=HORIZON)
    )
    assert plan.ok
    made = plan.family_plan.groupby(schema.MONTH)["production"].sum()
    assert (made <= 100.0 / 0.5 + 1e-6).all() and made.max() == pytest.approx(200.0)
    assert set(plan.resource_use["per"]) == {"hour"}


def test_capacity_rows_still_need_their_hours_and_a_bill_of_resources() -> None:
    files = _hours_files()
    cap = pd.read_csv(io.BytesIO(files["capacity.csv"]))
    cap["working_days"], cap["shifts"], cap["hours_per_shift"], cap["efficiency"] = 21, 1, 8, 0.9
    cap.loc[0, "available_hours"] = np.nan  # the four factors give it
    cap.loc[1, ["available_hours", "shifts"]] = np.nan  # neither
    cap.loc[2, "efficiency"] = 85  # given, so still checked
    report = validate_files({**files, "capacity.csv": _csv(cap)})
    errors = {f.check: f.message for f in report.errors}
    assert "row 2" in errors["Capacity rows give their hours"]
    assert "row 1" not in errors["Capacity rows give their hours"]
    assert (
        "efficiency" in errors["Values are plausible"]
        and "above 1" in errors["Values are plausible"]
    )
    report = validate_files(_hours_files(drop=("bill_of_resources.csv",)))
    assert any(
        f.check == "Hours come with a bill of resources" and "family_capacity" in f.message
        for f in report.errors
    )


# --- (d) the assumptions, in words -------------------------------------------------------


def test_assumptions_name_every_default_and_what_to_add() -> None:
    said = data_assumptions.assumptions(validate_files({"sales.csv": sales_csv()}).tables)
    text = "\n".join(said)
    for what, fix in (
        ("No company table", "company.csv"),
        ("No products table", "products.csv"),
        ("'All products'", "products.csv"),
        ("No price loaded for 3 SKUs", "list_price"),
        ("No material cost", "material_cost"),
        ("No capacity loaded", "family_capacity.csv"),
        ("No inventory table", "inventory.csv"),
        ("20 % a year", "holding_cost_pct"),
        ("No budget table", "budget.csv"),
    ):
        line = next((s for s in said if what in s), "")
        assert line and fix in line, (what, text)
    by_topic = data_assumptions.assumptions(
        validate_files(minimal_files()).tables, (data_assumptions.CAPACITY,)
    )
    assert len(by_topic) == 1 and "units a month (family_capacity.csv)" in by_topic[0]
    assert "no overtime and no labour cost" in by_topic[0]


def test_assumptions_of_partial_tables() -> None:
    t = check_tables(tiny_tables()).tables
    assert data_assumptions.assumptions(t) == [data_assumptions.assumptions(t)[0]]  # company
    assert "No company table" in data_assumptions.assumptions(t)[0]
    inv = t[schema.INVENTORY]
    t[schema.INVENTORY] = inv[inv[schema.SKU] != "B1"].assign(**{schema.HOLDING_COST_PCT: np.nan})
    r = t[schema.RESOURCES].copy()
    r.loc[0, schema.REGULAR_COST_PER_HOUR] = np.nan
    t[schema.RESOURCES] = r
    del t[schema.BUDGET]
    said = data_assumptions.assumptions(t, data_assumptions.TOPICS[3:])
    assert any("1 SKU has no inventory row (B1)" in s for s in said)
    assert any("No holding_cost_pct" in s and "20 %" in s for s in said)
    assert any("No regular_cost_per_hour for 1 resource (L1)" in s for s in said)
    assert any("No budget table" in s for s in said)


# --- the store ---------------------------------------------------------------------------


def test_a_store_written_before_a_column_joined_gains_it(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    Store(path).load(check_tables(tiny_tables()).tables, name="old")
    with Store(path).connect() as con:  # the store as an earlier version wrote it
        con.execute('ALTER TABLE "ds_sales" DROP COLUMN "family"')
    store_connection._READY.clear()
    store = Store(path)
    assert schema.FAMILY in store.tables()[schema.SALES]
    report = validate_files(
        {"sales.csv": sales_csv(family=True), "family_capacity.csv": family_capacity_csv()}
    )
    store.load(report.tables, name="new")
    got = store.tables()
    assert set(got[schema.SALES][schema.FAMILY]) == {"Alpha", "Beta"}
    assert len(got[schema.FAMILY_CAPACITY]) == 2
