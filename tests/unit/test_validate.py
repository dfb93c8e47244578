"""One test per validation rule: the planner's message, and the store left as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny import snapshot, tiny_tables, write_tables

from sop.__main__ import main
from sop.core import schema
from sop.core.months import as_of_month
from sop.data.demo import build_demo
from sop.data.report import status_text
from sop.data.rules import series_gaps
from sop.data.validate import check_tables, validate_dir, validate_files
from sop.store import Store
from sop.ui.widgets import STATUS_STYLE, status_style

Tables = dict[str, pd.DataFrame]


def _set(table: str, row: int, col: str, value: object) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        df = t[table].astype({col: "object"})
        df.at[row, col] = value
        t[table] = df

    return mutate


def _drop_col(table: str, col: str, rename: str | None = None) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        t[table] = (
            t[table].rename(columns={col: rename}) if rename else t[table].drop(columns=[col])
        )

    return mutate


def _dup_row(table: str, row: int) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        t[table] = pd.concat([t[table], t[table].iloc[[row]]], ignore_index=True)

    return mutate


def _empty(table: str) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        t[table] = t[table].iloc[0:0]

    return mutate


def _drop_capacity_month(t: Tables) -> None:
    cap = t[schema.CAPACITY]
    t[schema.CAPACITY] = cap[
        ~((cap[schema.RESOURCE] == "L2") & (cap[schema.MONTH] == cap[schema.MONTH].max()))
    ]


def _gap(t: Tables) -> None:
    s = t[schema.SALES]
    hole = (
        (s[schema.SKU] == "A1")
        & (s[schema.REGION] == "North")
        & s[schema.MONTH].isin(pd.to_datetime(["2024-06-01", "2024-07-01"]))
    )
    t[schema.SALES] = s[~hole]


def _year(t: Tables, row: int, year: int) -> None:
    """Sales row `row` (0-based; the report's `row row + 1`) typed in year `year`."""
    s = t[schema.SALES].copy()
    s[schema.MONTH] = s[schema.MONTH].astype("datetime64[us]")
    s.loc[row, schema.MONTH] = s.loc[row, schema.MONTH].replace(year=year)
    t[schema.SALES] = s


def _unrouted(t: Tables) -> None:
    p = t[schema.PRODUCTS]
    t[schema.PRODUCTS] = pd.concat(
        [
            p,
            pd.DataFrame(
                {
                    schema.SKU: ["C1"],
                    schema.NAME: ["Gamma"],
                    schema.FAMILY: ["Gamma"],
                    schema.UOM: ["each"],
                    schema.LIST_PRICE: [9.0],
                    schema.MATERIAL_COST: [3.0],
                    schema.LAUNCH_MONTH: [pd.NaT],
                    schema.PHASE_OUT_MONTH: [pd.NaT],
                }
            ),
        ],
        ignore_index=True,
    )
    inv = t[schema.INVENTORY]
    t[schema.INVENTORY] = pd.concat(
        [
            inv,
            pd.DataFrame(
                {
                    schema.SKU: ["C1"],
                    schema.ON_HAND_UNITS: [0.0],
                    schema.SAFETY_STOCK_MONTHS: [0.5],
                    schema.SAFETY_STOCK_UNITS: [np.nan],
                    schema.HOLDING_COST_PCT: [20.0],
                }
            ),
        ],
        ignore_index=True,
    )


def _both_sku_and_family(t: Tables) -> None:
    t[schema.BILL_OF_RESOURCES].at[0, schema.SKU] = "A1"


# (id, mutation, severity, check, fragments the message must contain)
CASES = [
    (
        "missing column",
        _drop_col(schema.SALES, schema.UNITS),
        "error",
        "Columns are present and spelled right",
        ["sales.csv", "column `units` is missing"],
    ),
    (
        "misspelled column",
        _drop_col(schema.SALES, schema.UNITS, "untis"),
        "error",
        "Columns are present and spelled right",
        ["`units` is missing", "misspelled as `untis`"],
    ),
    (
        "wrong type",
        _set(schema.SALES, 4, schema.UNITS, "12 pcs"),
        "error",
        "Values have the right type",
        [
            "sales.csv, column `units`",
            "1 row holds text where a number is expected",
            "row 5",
            "'12 pcs'",
        ],
    ),
    (
        "unparseable date",
        _set(schema.SALES, 2, schema.MONTH, "2024-13-01"),
        "error",
        "Dates can be read",
        ["column `month`", "cannot be read", "row 3", "YYYY-MM"],
    ),
    (
        "non-monthly period",
        _set(schema.SALES, 2, schema.MONTH, "2024-03-15"),
        "error",
        "Periods are calendar months",
        ["not the first day of a month", "row 3", "weekly"],
    ),
    (
        "duplicated period",
        _dup_row(schema.SALES, 7),
        "error",
        "Periods are not duplicated",
        ["sales.csv", "2 rows repeat the same month + sku + region", "sku 'A1'"],
    ),
    (
        "duplicate key",
        _dup_row(schema.PRODUCTS, 1),
        "error",
        "Keys are unique",
        ["products.csv", "repeat the same sku", "row 2", "row 4"],
    ),
    (
        "negative quantity",
        _set(schema.SALES, 10, schema.UNITS, -5),
        "error",
        "Values are plausible",
        ["column `units`", "1 row is negative", "row 11", "= -5", "net returns"],
    ),
    (
        "NaN quantity",
        _set(schema.SALES, 10, schema.UNITS, "NaN"),
        "error",
        "No missing values",
        ["column `units`", "empty or NaN", "row 11"],
    ),
    (  # planned with a derived name, family and price (sop.data.defaults)
        "unknown SKU in sales",
        _set(schema.SALES, 0, schema.SKU, "ZZ9"),
        "warning",
        "References exist",
        ["sales.csv, column `sku`", "unknown sku ZZ9", "Add it to products"],
    ),
    (
        "routing to unknown resource",
        _set(schema.BILL_OF_RESOURCES, 1, schema.RESOURCE, "L9"),
        "error",
        "References exist",
        ["bill_of_resources.csv", "unknown resource L9", "resources"],
    ),
    (
        "empty table",
        _empty(schema.SALES),
        "error",
        "Table is not empty",
        ["sales.csv", "header but no rows", "required"],
    ),
    (
        "price zero",
        _set(schema.PRODUCTS, 2, schema.LIST_PRICE, 0),
        "error",
        "Values are plausible",
        ["column `list_price`", "zero or negative", "row 3 (sku 'B1') = 0"],
    ),
    (
        "capacity negative",
        _set(schema.CAPACITY, 0, schema.WORKING_DAYS, -3),
        "error",
        "Values are plausible",
        ["capacity.csv, column `working_days`", "negative", "= -3"],
    ),
    (
        "efficiency as a percentage",
        _set(schema.CAPACITY, 1, schema.EFFICIENCY, 85),
        "error",
        "Values are plausible",
        ["column `efficiency`", "above 1", "fraction"],
    ),
    (
        "bad allowed value",
        _set(schema.RESOURCES, 0, schema.KIND, "machine"),
        "error",
        "Values are allowed",
        ["column `kind`", "'machine'", "line, labour"],
    ),
    (
        "capacity short of horizon",
        _drop_capacity_month,
        "error",
        "Capacity covers the plan horizon",
        ["line L2 has no capacity for 1 of the 12 months", "2026-12"],
    ),
    (
        "sku and family both given",
        _both_sku_and_family,
        "error",
        "Rows name a SKU or a family",
        ["bill_of_resources.csv", "both a SKU and a family"],
    ),
    (
        "actuals after as-of",
        lambda t: t.__setitem__(
            schema.COMPANY,
            pd.DataFrame(
                {
                    schema.COMPANY_NAME: ["Tiny"],
                    schema.CURRENCY: ["EUR"],
                    schema.AS_OF_MONTH: [pd.Timestamp("2025-10-01")],
                }
            ),
        ),
        "error",
        "Actuals end at the as-of month",
        ["after the as-of month 2025-10"],
    ),
    (
        "sales year before 1900",
        lambda t: _year(t, 3, 1000),
        "error",
        "Years are plausible",
        [
            "sales.csv, column `month`",
            "1 row has years outside 1900-2200",
            "row 4 (sku 'A1'",
            "1000-04-01",
        ],
    ),
    (
        "sales year after the as-of month",
        lambda t: (
            _year(t, 3, 2052),
            t.__setitem__(
                schema.COMPANY,
                pd.DataFrame(
                    {
                        schema.COMPANY_NAME: ["Tiny"],
                        schema.CURRENCY: ["EUR"],
                        schema.AS_OF_MONTH: [pd.Timestamp("2025-12-01")],
                    }
                ),
            ),
        ),
        "error",
        "Actuals end at the as-of month",
        [
            "sales.csv, column `month`",
            "after the as-of month 2025-12",
            "row 4 (sku 'A1'",
            "= 2052-04-01",
        ],
    ),
    (
        "history with gaps",
        _gap,
        "warning",
        "History has no gaps",
        ["2 months missing inside 1 series", "A1/North", "2024-06..2024-07", "units 0"],
    ),
    (
        "SKU without routing",
        _unrouted,
        "warning",
        "Every SKU has a routing",
        ["products.csv, column `sku`", "no routing", "'C1'"],
    ),
]


def _load_into(store: Store, folder: Path) -> int:
    return main(["--store", str(store.path), "load", str(folder)])


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule(case, tmp_path: Path, store: Store, capsys) -> None:
    _, mutate, severity, check, fragments = case
    assert _load_into(store, write_tables(tiny_tables(), tmp_path / "good")) == 0
    before = snapshot(store)
    tables = tiny_tables()
    mutate(tables)
    folder = write_tables(tables, tmp_path / "bad")
    report = validate_dir(folder)
    hits = [f for f in report.findings if f.check == check and f.severity == severity]
    assert hits, [f.message for f in report.findings]
    message = " ".join(f.message for f in hits)
    for frag in fragments:
        assert frag in message
    code = _load_into(store, folder)
    out = capsys.readouterr().out
    assert message.split(":")[0] in out
    if severity == "error":
        assert code == 1 and "store is unchanged" in out
        assert snapshot(store) == before
    else:
        assert code == 0 and report.ok
        assert store.active().version == 2


def test_missing_file(tmp_path: Path, store: Store) -> None:
    folder = write_tables(tiny_tables(), tmp_path / "d")
    (folder / "sales.csv").unlink()
    report = validate_dir(folder)
    assert any("sales.parquet / sales.csv: missing" in f.message for f in report.errors)
    assert _load_into(store, folder) == 1
    assert snapshot(store) == ("absent",) or store.active() is None


def test_unknown_file_is_named_with_a_suggestion(tmp_path: Path) -> None:
    folder = write_tables(tiny_tables(), tmp_path / "d")
    (folder / "sales.csv").rename(folder / "salse.csv")
    report = validate_dir(folder)
    assert any(
        "`salse` is not a table" in f.message and "Did you mean `sales`" in f.message
        for f in report.warnings
    )
    assert any(f.table == schema.SALES and f.severity == "error" for f in report.findings)


def test_corrupt_parquet(tmp_path: Path, store: Store) -> None:
    assert _load_into(store, write_tables(tiny_tables(), tmp_path / "good", "parquet")) == 0
    before = snapshot(store)
    folder = write_tables(tiny_tables(), tmp_path / "bad", "parquet")
    data = (folder / "sales.parquet").read_bytes()
    (folder / "sales.parquet").write_bytes(data[: len(data) // 2])
    report = validate_dir(folder)
    msg = " ".join(f.message for f in report.errors)
    assert "sales.parquet" in msg and "corrupt or truncated" in msg
    assert _load_into(store, folder) == 1
    assert snapshot(store) == before


def test_semicolon_csv_with_decimal_commas_reads_the_same(tmp_path: Path) -> None:
    tables = tiny_tables()
    folder = write_tables(tables, tmp_path / "d")
    sales = tables[schema.SALES].copy()
    sales[schema.REVENUE] = sales[schema.REVENUE] + 0.25
    text = sales.assign(**{schema.MONTH: sales[schema.MONTH].dt.strftime("%Y-%m")}).to_csv(
        index=False, sep=";", decimal=","
    )
    (folder / "sales.csv").write_text(text)
    report = validate_dir(folder)
    assert report.ok, [f.message for f in report.errors]
    assert any("semicolons" in f.message for f in report.warnings)
    got = report.tables[schema.SALES]
    np.testing.assert_allclose(got[schema.REVENUE].to_numpy(), sales[schema.REVENUE].to_numpy())


def test_windows_encoding_is_read_and_named(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables[schema.PRODUCTS].at[0, schema.NAME] = "Crème brûlée maker"
    folder = write_tables(tables, tmp_path / "d")
    (folder / "products.csv").write_bytes(
        tables[schema.PRODUCTS].to_csv(index=False).encode("cp1252")
    )
    report = validate_dir(folder)
    assert report.ok
    assert any("not UTF-8" in f.message and "Windows-1252" in f.message for f in report.warnings)
    assert report.tables[schema.PRODUCTS].at[0, schema.NAME] == "Crème brûlée maker"


def test_header_names_are_forgiving_about_case_and_spaces(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables[schema.PRODUCTS] = tables[schema.PRODUCTS].rename(
        columns={schema.LIST_PRICE: " List Price "}
    )
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    assert report.ok
    assert report.tables[schema.PRODUCTS][schema.LIST_PRICE].tolist() == [10.0, 12.0, 50.0]


def test_many_errors_are_all_reported_at_once(tmp_path: Path) -> None:
    tables = tiny_tables()
    _set(schema.SALES, 0, schema.UNITS, -1)(tables)
    _set(schema.PRODUCTS, 0, schema.LIST_PRICE, 0)(tables)
    (tmp_path / "d").mkdir()
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    tables_hit = {f.table for f in report.errors}
    assert {schema.SALES, schema.PRODUCTS} <= tables_hit


def test_series_gaps_lists_the_missing_months() -> None:
    s = pd.DataFrame(
        {
            schema.SKU: ["A"] * 3 + ["B"] * 2,
            schema.REGION: ["N"] * 5,
            schema.MONTH: pd.to_datetime(
                ["2024-01-01", "2024-02-01", "2024-05-01", "2024-01-01", "2024-02-01"]
            ),
            schema.UNITS: [1.0] * 5,
        }
    )
    gaps = series_gaps(s)
    assert gaps[schema.SKU].tolist() == ["A", "A"]
    assert gaps[schema.MONTH].dt.strftime("%Y-%m").tolist() == ["2024-03", "2024-04"]


def test_check_table_lists_passes_and_failures(tmp_path: Path) -> None:
    tables = tiny_tables()
    _set(schema.SALES, 0, schema.UNITS, -1)(tables)
    checks = validate_dir(write_tables(tables, tmp_path / "d")).check_table()
    row = checks[(checks["check"] == "Values are plausible") & (checks["table"] == schema.SALES)]
    assert row["status"].tolist() == ["fail"] and row["count"].tolist() == [1]
    assert checks["status"].iloc[0] == "fail"
    assert (checks["status"] == "pass").sum() > 40
    # on screen a status is a mark and a word, not only a colour (issue 17)
    shown = checks["status"].map(status_text)
    assert shown.iloc[0] == "✖ fail"
    assert all(t.endswith(" " + s) for t, s in zip(shown, checks["status"]))
    marks = {status_text(s).split(" ")[0] for s in ("pass", "warning", "fail")}
    assert len(marks) == 3  # three different marks
    for status in ("pass", "warning", "fail"):  # each coloured status keeps its colour
        assert status_style(status_text(status)) == STATUS_STYLE[status]
    assert status_style("count") == ""


def test_a_yearly_promotion_that_stops_is_flagged() -> None:
    t = build_demo()
    promos = t[schema.PROMOTIONS]
    t[schema.PROMOTIONS] = promos[promos[schema.START_MONTH] < pd.Timestamp("2027-11-01")]
    report = check_tables(t)
    hits = [f for f in report.warnings if f.check == "Yearly promotions continue"]
    assert hits, [f.message for f in report.findings]
    assert "Kitchen (all regions) in Nov 2027" in hits[0].message
    assert "Black Friday" in hits[0].message
    assert not [
        f for f in check_tables(build_demo()).warnings if f.check == "Yearly promotions continue"
    ]


def test_a_sales_only_refresh_moves_the_as_of_month_forward() -> None:
    base = tiny_tables()
    base[schema.COMPANY] = pd.DataFrame(
        {
            schema.COMPANY_NAME: ["Tiny"],
            schema.CURRENCY: ["EUR"],
            schema.AS_OF_MONTH: [pd.Timestamp("2025-12-01")],
        }
    )
    cap = base[schema.CAPACITY]
    extra = cap[cap[schema.MONTH] == cap[schema.MONTH].max()].assign(
        **{schema.MONTH: pd.Timestamp("2027-01-01")}
    )
    base[schema.CAPACITY] = pd.concat([cap, extra], ignore_index=True)
    sales = base[schema.SALES]
    jan = sales[sales[schema.MONTH] == sales[schema.MONTH].max()].assign(
        **{schema.MONTH: pd.Timestamp("2026-01-01")}
    )
    new = pd.concat([sales, jan], ignore_index=True)
    text = new.assign(**{schema.MONTH: new[schema.MONTH].dt.strftime("%Y-%m")}).to_csv(index=False)
    report = validate_files({"sales.csv": text.encode()}, base)
    assert report.ok, [f.message for f in report.errors]
    assert as_of_month(report.tables) == pd.Timestamp("2026-01-01")
    moved = [f for f in report.warnings if f.check == "As-of month follows the actuals"]
    assert "moves from 2025-12 to 2026-01" in moved[0].message


def test_the_count_of_further_rows_adds_up(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables[schema.SALES][schema.UNITS] = -1.0
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    msg = next(f.message for f in report.errors if f.column == schema.UNITS)
    n = len(tables[schema.SALES])
    assert f"{n} rows are negative" in msg and f"and {n - 3} more" in msg


def test_a_missing_column_does_not_hide_other_problems_in_the_file(tmp_path: Path) -> None:
    tables = tiny_tables()
    _set(schema.SALES, 4, schema.UNITS, -3)(tables)
    tables[schema.SALES] = tables[schema.SALES].rename(columns={schema.REGION: "regoin"})
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    messages = " ".join(f.message for f in report.errors)
    assert "column `region` is missing" in messages and "misspelled as `regoin`" in messages
    assert "column `units`: 1 row is negative: row 5" in messages


def test_columns_a_company_does_not_use_may_be_left_out(tmp_path: Path) -> None:
    """A bill of resources by family only needs no `sku` column; safety stock in units
    needs no `safety_stock_months` column. A missing required column names the optional
    ones apart."""
    tables = tiny_tables()
    tables[schema.BILL_OF_RESOURCES] = tables[schema.BILL_OF_RESOURCES].drop(columns=[schema.SKU])
    inv = tables[schema.INVENTORY]
    tables[schema.INVENTORY] = inv.assign(**{schema.SAFETY_STOCK_UNITS: [40.0, 50.0, 30.0]}).drop(
        columns=[schema.SAFETY_STOCK_MONTHS]
    )
    report = validate_dir(write_tables(tables, tmp_path / "ok"))
    assert not report.errors, [f.message for f in report.errors]
    tables[schema.INVENTORY] = tables[schema.INVENTORY].drop(columns=[schema.ON_HAND_UNITS])
    report = validate_dir(write_tables(tables, tmp_path / "bad"))
    msg = next(f.message for f in report.errors if f.column == schema.ON_HAND_UNITS)
    # holding_cost_pct may be left out too (a stated default rate, sop.data.defaults)
    assert "needs columns: sku, on_hand_units (optional: " in msg
    assert "safety_stock_months" in msg.split("optional:")[1]
    assert "holding_cost_pct" in msg.split("optional:")[1]
