"""Late and lost in units and money on every tile (planner review of a short plan):
Supply and Finance show lost sales in money, every service row has late units beside
the late unit-months, their deltas say what they compare with, days read "1 day",
and the Executive headline has a tile for the limits that bind, naming them."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from page_helpers import SERVICE_TILES
from supply_helpers import one_product

from sop.core import schema
from sop.core.xlsx import write_table
from sop.executive import headline as exec_headline
from sop.executive.pack_sheets import HEADLINE_SPEC, headline_table
from sop.finance import kpi_text, tiles
from sop.finance.kpis import binding_names, kpi_table, plan_kpis
from sop.scenario import compare
from sop.supply.plan import OPTIMAL, solve_plan

# a short plan's figures (as `plan_kpis` gives them) and its baseline's
SHORT = {
    "fill_rate": 0.891,
    "on_time_rate": 0.70,
    "late_units": 29_175.0,
    "late_unit_months": 37_020.0,
    "late_value": 2_135_610.0,
    "lost_units": 54_072.0,
    "lost_value": 3_960_000.0,
}
BASE = {k: 0.0 for k in SHORT} | {"fill_rate": 1.0, "on_time_rate": 1.0}


def _by_label(row: list[tiles.Tile]) -> dict[str, tiles.Tile]:
    return {t.label: t for t in row}


def test_the_service_row_shows_late_units_and_lost_sales_in_money() -> None:
    row = _by_label(tiles.service_tiles(SHORT, "EUR"))
    assert list(row) == list(SERVICE_TILES)
    assert row["Late (units)"].value == "29,175"  # bare: the label names the unit
    assert row["Late (unit-months)"].value == "37,020"
    assert row["Lost sales (value)"].value == "€3.96M"
    assert "each unit once" in row["Late (units)"].help
    # the Supply page's service row is the same one
    supply = _by_label(tiles.plan_tiles(SHORT | {k: 0.0 for k in PLAN_KEYS}, "EUR")[1])
    assert supply["Lost sales (value)"].value == "€3.96M"
    assert supply["Late (units)"].value == "29,175"


PLAN_KEYS = ("revenue", "gross_margin", "gross_margin_pct", "overtime_hours", "subcontract_units")


def test_finance_deltas_say_they_are_against_the_baseline() -> None:
    row = _by_label(tiles.service_tiles(SHORT, "EUR", BASE))
    assert row["Fill rate"].delta == "-10.9 pp vs baseline"
    assert row["Late deliveries (value)"].delta == "+€2.14M vs baseline"
    assert row["Lost sales (value)"].delta == "+€3.96M vs baseline"
    assert row["Late (units)"].delta == "+29,175 units vs baseline"
    same = _by_label(tiles.service_tiles(BASE, "EUR", BASE))
    assert same["Fill rate"].delta == "no change vs baseline"
    assert same["Fill rate"].delta_arrow == "off"
    # without a reference there is nothing to compare with, and nothing is said
    assert _by_label(tiles.service_tiles(SHORT, "EUR"))["Fill rate"].delta is None


def test_days_read_in_the_singular_when_one() -> None:
    assert kpi_text.delta_text("days_of_supply", -1.0) == "-1 day"
    assert kpi_text.delta_text("days_of_supply", -3.2) == "-3 days"
    assert kpi_text.delta_text("days_of_supply", 1.4) == "+1 day"
    assert kpi_text.value_text("days_of_supply", 1.0) == "1 day"
    assert kpi_text.value_text("days_of_supply", 41.0) == "41 days"


def test_the_scenarios_tiles_carry_late_units() -> None:
    table = kpi_table(SHORT, BASE).set_index("key")
    shown = _by_label([t for row in compare.scenario_tiles(table, {}) for t in row])
    assert shown["Late (units)"].value == "29,175"
    assert shown["Late (units)"].delta.startswith("+29,175 units")


def test_binding_limits_are_named_with_their_months() -> None:
    # a line of 100 a month against demand 150, 150, 50: it binds in months 1 and 2
    # (made 100 each), not in month 3 (50 owed + 50 ordered = 100: just fits, or not)
    tables, demand = one_product([150, 150, 0])
    r = solve_plan(demand, tables)
    assert r.status == OPTIMAL
    months = len(r.bottlenecks)
    assert months >= 2
    assert binding_names(r) == f"line L1 {months} months"
    # nothing binds: nothing to name
    easy, demand = one_product([50, 50])
    assert binding_names(solve_plan(demand, easy)) == ""


def test_binding_names_list_the_most_binding_first_and_count_the_rest() -> None:
    class Plan:  # what `binding_names` reads of a plan: its bottlenecks and resources
        bottlenecks = pd.DataFrame(
            {
                "constraint": ["capacity"] * 6,
                schema.RESOURCE: ["A", "B", "B", "C", "C", "C"],
                schema.MONTH: pd.to_datetime(["2026-01-01"] * 6),
                "name": ["a", "b", "b", "c", "c", "c"],
            }
        )
        resource_use = pd.DataFrame(
            {
                schema.RESOURCE: ["A", "B", "C"],
                schema.NAME: ["a", "b", "c"],
                schema.KIND: [schema.KIND_LINE] * 3,
                "per": ["hour"] * 3,
            }
        )

    assert binding_names(Plan(), top=2) == "line C 3 months, line B 2 months; 1 more limit"


def test_the_executive_headline_has_a_binding_tile_naming_the_limits() -> None:
    kpis = {"avg_utilisation": 0.542, "binding_resource_months": 29.0}
    base = {"avg_utilisation": 0.451, "binding_resource_months": 6.0}
    names = "supplier cap CAP-CL-MOTOR 12 months, line RS-ASM1 5 months"
    head = exec_headline.headline(kpis, {}, None, "EUR", base, None, names).set_index("key")
    row = head.loc["binding_resource_months"]
    assert row["label"] == "Binding (limit-months)"
    assert row["text"] == "29"  # bare: the label names the unit
    assert row["vs_baseline_text"] == "+23 limit-months vs baseline"
    assert row["detail"] == names
    assert "Months a limit binds" in row["help"]
    assert head.loc["avg_utilisation", "detail"] == ""
    keys = [k for k, _ in exec_headline.HEADLINE]
    # money and capacity, then service: two rows of five
    assert keys[: exec_headline.HEADLINE_ROW].count("binding_resource_months") == 1
    assert len(keys) == 2 * exec_headline.HEADLINE_ROW
    assert head.loc["late_units", "text"] == "–"  # not given: not defined, never 0


def test_the_pack_writes_counts_as_counts_not_percentages() -> None:
    kpis = SHORT | {"binding_resource_months": 29.0, "revenue": 1e6}
    head = exec_headline.headline(kpis, {}, None, "EUR", None, None, "line L1 29 months")
    table = headline_table(head).set_index("key")
    assert table.at["late_units", "value_kind"] == "units"
    assert table.at["binding_resource_months", "value_kind"] == "units"
    assert table.at["fill_rate", "value_kind"] == "pct"
    assert table.at["late_value", "vs_baseline_kind"] == "delta"
    wb = openpyxl.Workbook()
    write_table(wb.active, table.reset_index(), HEADLINE_SPEC, "EUR")
    buf = io.BytesIO()
    wb.save(buf)
    rows = list(openpyxl.load_workbook(buf).active.values)
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["Binding (limit-months)"][1] == 29
    assert by_label["Binding (limit-months)"][-1] == "line L1 29 months"
    assert by_label["Late (units)"][1] == pytest.approx(29_175)


def test_late_value_prices_late_units_not_unit_months() -> None:
    # 300 ordered in month 1 on a line of 100 a month: 200 late (100 a month, 100 two),
    # 300 unit-months; at the price of 100, 20,000 of revenue ships late
    tables, demand = one_product([300, 0, 0])
    k = plan_kpis(solve_plan(demand, tables), tables[schema.PRODUCTS])
    assert (k["late_units"], k["late_unit_months"]) == (pytest.approx(200), pytest.approx(300))
    assert k["late_value"] == pytest.approx(20_000.0)
