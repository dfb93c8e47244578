"""Every kind of bad input a refresh can meet, on a real PostgreSQL server: each one is
refused with a message naming the table and its query (the column and row when known)
and what to do, and leaves the store exactly as it was (same versions, same active
version, same tables) and the company database untouched."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pg_server import COMPANY, good_queries
from tiny import snapshot

from sop.core import schema
from sop.data import refresh as rf
from sop.store import source_queries

SALES_COLS = "item_code AS sku, period AS month, region, qty AS units, amount AS revenue"
SALES = f"SELECT {SALES_COLS} FROM erp_monthly_sales"
PRODUCTS = "SELECT sku, name, family, uom, list_price, material_cost FROM src_products"
CAPACITY = (
    "SELECT resource, month, working_days, shifts, hours_per_shift, efficiency, "
    "available_hours FROM src_capacity"
)

# id: (table, query, words the message must hold, besides the table's name)
CASES = {
    "syntax error": (
        schema.SALES,
        f"SELECT {SALES_COLS}\nFORM erp_monthly_sales",
        ["syntax error", "line 2", "Correct the SQL"],
    ),
    "missing table": (
        schema.SALES,
        f"SELECT {SALES_COLS} FROM erp_sales_2025",
        ["erp_sales_2025", "does not exist", "Check the table's name"],
    ),
    "missing column": (
        schema.SALES,
        "SELECT item_code AS sku, period AS month, region, quantity AS units "
        "FROM erp_monthly_sales",
        ["quantity", "column", "Check the column names"],
    ),
    "no rows for a required table": (
        schema.SALES,
        f"{SALES} WHERE false",
        ["no rows", "required"],
    ),
    "misspelled column": (
        schema.SALES,
        SALES.replace("qty AS units", "qty AS unit"),
        ["`units` is missing", "`unit`"],
    ),
    "text in units": (
        schema.SALES,
        SALES.replace(
            "qty AS units", "CASE WHEN item_code = 'A2' THEN 'lots' ELSE qty::text END AS units"
        ),
        ["column `units`", "text where a number is expected", "'lots'", "row "],
    ),
    "null key": (
        schema.SALES,
        f"{SALES} UNION ALL SELECT NULL, DATE '2025-06-01', 'North', 5, 50",
        ["column `sku`", "empty", "row 145"],
    ),
    "duplicate key": (
        schema.SALES,
        f"{SALES} UNION ALL ({SALES} LIMIT 1)",
        ["repeat the same", "month + sku + region", "remove the repeat"],
    ),
    "infinite value": (
        schema.SALES,
        SALES.replace(
            "qty AS units",
            "CASE WHEN item_code = 'B1' THEN 'Infinity'::float8 ELSE qty END AS units",
        ),
        ["column `units`", "infinite", "finite number"],
    ),
    "NaN value": (
        schema.SALES,
        SALES.replace(
            "qty AS units", "CASE WHEN item_code = 'B1' THEN 'NaN'::float8 ELSE qty END AS units"
        ),
        ["column `units`", "empty or NaN", "Fill in"],
    ),
    "unreadable month": (
        schema.SALES,
        SALES.replace("period AS month", "to_char(period, 'YYYY') || '-13' AS month"),
        ["column `month`", "cannot be read", "2024-13"],
    ),
    "daily dates": (
        schema.SALES,
        SALES.replace("period AS month", "period + 14 AS month"),
        ["column `month`", "first day of a month"],
    ),
    "negative units": (
        schema.SALES,
        SALES.replace("qty AS units", "-qty AS units"),
        ["column `units`", "negative"],
    ),
    "not a SELECT": (
        schema.SALES,
        "DELETE FROM erp_monthly_sales",
        ["starts with DELETE", "may only read"],
    ),
    "a second statement": (
        schema.PRODUCTS,
        f"{PRODUCTS}; DROP TABLE src_products",
        ["more than one statement", "one SELECT per table"],
    ),
    "a writing WITH": (
        schema.SALES,
        f"WITH gone AS (DELETE FROM erp_monthly_sales RETURNING *) SELECT {SALES_COLS} FROM gone",
        ["tries to change the database", "may only read"],
    ),
    "a function that writes": (
        schema.PRODUCTS,
        f"SELECT p.* FROM ({PRODUCTS}) p WHERE wipe_sales() > 0",
        ["tries to change the database", "read-only"],
    ),
    "a sequence step": (
        schema.PRODUCTS,
        f"SELECT p.*, nextval('order_numbers') AS n FROM ({PRODUCTS}) p",
        ["tries to change the database", "nextval"],
    ),
    "no permission": (
        schema.PRODUCTS,
        "SELECT sku, sku AS name, 'X' AS family, 'each' AS uom, cost AS list_price, "
        "cost AS material_cost FROM secret_costs",
        ["permission denied", "GRANT SELECT"],
    ),
    "division by zero": (
        schema.PRODUCTS,
        PRODUCTS.replace(
            "list_price,", "list_price / (material_cost - material_cost) AS list_price,"
        ),
        ["division by zero", "Check the values"],
    ),
    "no columns": (schema.PRODUCTS, "SELECT FROM src_products", ["returns no columns"]),
    "a column twice": (
        schema.PRODUCTS,
        PRODUCTS.replace("name,", "name, sku,"),
        ["column sku", "twice", "Keep one"],
    ),
    "efficiency as a percentage": (
        schema.CAPACITY,
        CAPACITY.replace("efficiency,", "efficiency * 100 AS efficiency,"),
        ["column `efficiency`", "above", "check the unit"],
    ),
    "a kind not allowed": (
        schema.RESOURCES,
        "SELECT resource, plant, name, 'robot' AS kind, regular_cost_per_hour, "
        "overtime_cost_per_hour, max_overtime_hours FROM src_resources",
        ["column `kind`", "'robot'", "Use one of"],
    ),
    "another company's name": (
        schema.COMPANY,
        "SELECT 'Other Ltd' AS company_name, 'EUR' AS currency, DATE '2025-12-01' AS as_of_month",
        ["company_name is `Other Ltd`", "saved for `tiny`", '--company "Other Ltd"'],
    ),
    "statement timeout": (
        schema.PRODUCTS,
        f"SELECT p.* FROM ({PRODUCTS}) p, pg_sleep(4)",
        ["statement timeout (1 s)", "raise the timeout"],
    ),
}


def _sales_rows(erp) -> int:
    return erp.execute("SELECT count(*) FROM erp_monthly_sales").fetchone()[0]


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_and_changes_nothing(case, loaded, source, erp) -> None:
    table, query, words = CASES[case]
    source_queries.save(loaded, COMPANY, table, query)
    rows_before, before = _sales_rows(erp), snapshot(loaded)
    config = replace(source, timeout_s=1.0) if case == "statement timeout" else source
    got = rf.refresh(loaded, config)
    assert got.status == rf.REFUSED
    assert snapshot(loaded) == before
    assert _sales_rows(erp) == rows_before
    assert "the store is unchanged" in got.message
    about = [f.message for f in got.errors if f.table == table]
    assert about, [f.message for f in got.errors]
    text = " ".join(about)
    assert f"`{table}`" in text and "query" in text
    for word in words:
        assert word in text, (word, text)


def test_a_refused_query_does_not_hide_the_others(loaded, source) -> None:
    """Two broken queries: both reported in one refresh."""
    source_queries.save(loaded, COMPANY, schema.SALES, CASES["missing table"][1])
    source_queries.save(loaded, COMPANY, schema.PRODUCTS, CASES["syntax error"][1])
    got = rf.refresh(loaded, source)
    assert got.status == rf.REFUSED
    assert {f.table for f in got.errors} == {schema.SALES, schema.PRODUCTS}
    assert "2 saved queries failed" in got.message


def test_no_saved_query_is_refused(store, source, tiny) -> None:
    from sop.data.validate import check_tables

    store.load(check_tables(tiny).tables, name=COMPANY)
    before = snapshot(store)
    got = rf.refresh(store, source)
    assert got.status == rf.REFUSED and "No saved query for the company `tiny`" in got.message
    assert "python -m sop source --queries FILE" in got.message
    assert snapshot(store) == before


def test_required_table_without_query_or_dataset_is_refused(store, source) -> None:
    """Another company, only a products query: sales has nowhere to come from."""
    source_queries.set_all(store, "Acme", {schema.PRODUCTS: PRODUCTS})
    got = rf.refresh(store, source, company="Acme")
    assert got.status == rf.REFUSED
    assert "`sales` table is required but has no saved query" in got.message
    assert snapshot(store) == ("absent",) or store.active() is None


def test_no_connection_settings_is_refused(loaded) -> None:
    before = snapshot(loaded)
    got = rf.refresh(loaded, None)
    assert got.status == rf.REFUSED and "SOP_SOURCE_DSN" in got.message
    assert snapshot(loaded) == before


def test_all_good_queries_still_pass(loaded, source) -> None:
    """The cases above fail because of their one bad query, not the setup."""
    source_queries.set_all(loaded, COMPANY, good_queries())
    assert rf.refresh(loaded, source).status == rf.UNCHANGED
