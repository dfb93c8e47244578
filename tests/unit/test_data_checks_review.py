"""Checks a demanding planner expects of a bad dataset (review of `sop validate/load`):
a calendar for a code resources does not list, a SKU written in another case, an old
Excel file, two company rows, an empty optional file, an as-of month far after the
actuals. Each names file, column, rows and values and says what to do; a refused load
leaves the store as it was."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from tiny import snapshot, tiny_tables, write_tables

from sop.__main__ import main
from sop.core import schema
from sop.data.nearcode import near_codes
from sop.data.readers import read_dir
from sop.data.validate import validate_dir, validate_files
from sop.store import Store

Tables = dict[str, pd.DataFrame]


def _load(store: Store, folder: Path) -> int:
    return main(["--store", str(store.path), "load", str(folder)])


def _loaded_tiny(store: Store, tmp_path: Path) -> tuple:
    assert _load(store, write_tables(tiny_tables(), tmp_path / "good")) == 0
    return snapshot(store)


def _company(as_of: str, names: tuple[str, ...] = ("Tiny",)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.COMPANY_NAME: list(names),
            schema.CURRENCY: ["EUR"] * len(names),
            schema.AS_OF_MONTH: [pd.Timestamp(as_of)] * len(names),
        }
    )


def _messages(report, check: str, severity: str) -> list[str]:
    return [f.message for f in report.findings if f.check == check and f.severity == severity]


# a. capacity / workforce rows for a code resources does not list -------------------


def test_near_codes_prefer_case_then_look_alike_characters() -> None:
    codes = ["RS-ASM1", "RS-ASM2", "RS-PNT", "LAB"]
    assert near_codes("rs-asm1", codes) == ["RS-ASM1"]
    assert near_codes("RS-ASMl", codes) == ["RS-ASM1"]  # l for 1, not RS-ASM2
    assert near_codes("RS-PNTT", codes) == ["RS-PNT"]
    assert near_codes("RS-GHOST", codes) == []
    assert near_codes("RS-ASM3", codes) == ["RS-ASM1", "RS-ASM2"]


def test_a_calendar_for_a_typo_code_is_a_warning_naming_rows_and_the_near_code(
    tmp_path: Path, store: Store, capsys
) -> None:
    tables = tiny_tables()
    cap = tables[schema.CAPACITY]
    typo = cap[cap[schema.RESOURCE] == "L1"].assign(**{schema.RESOURCE: "Ll"})
    tables[schema.CAPACITY] = pd.concat([cap, typo], ignore_index=True)
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    hits = _messages(report, "Hours are for listed resources", "warning")
    assert len(hits) == 1, [f.message for f in report.findings]
    msg = hits[0]
    for frag in (
        "capacity.csv, column `resource`",
        "12 rows name line Ll",
        "resources.csv does not list",
        "row 25 (month 2026-01-01) = 'Ll'",
        "Add it to resources or correct the code",
        "`Ll` looks like `L1`",
    ):
        assert frag in msg, msg
    assert report.ok
    assert _load(store, tmp_path / "d") == 0
    assert "resources.csv does not list" in capsys.readouterr().out


def test_an_unlisted_line_is_named_before_its_horizon_and_the_load_refused(
    tmp_path: Path, store: Store
) -> None:
    before = _loaded_tiny(store, tmp_path)
    tables = tiny_tables()
    cap = tables[schema.CAPACITY]
    tables[schema.CAPACITY] = pd.concat(
        [cap, cap.iloc[[0]].assign(**{schema.RESOURCE: "L-GHOST"})], ignore_index=True
    )
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    checks = [f.check for f in report.findings]
    listed = checks.index("Hours are for listed resources")
    horizon = [f for f in report.errors if f.check == "Capacity covers the plan horizon"]
    assert horizon and listed < checks.index("Capacity covers the plan horizon")
    assert "line L-GHOST (not in resources.csv: correct the code if it is a typo)" in (
        horizon[0].message
    )
    assert _load(store, tmp_path / "d") == 1
    assert snapshot(store) == before


def test_a_workforce_row_in_another_case_names_the_pool(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables[schema.WORKFORCE] = tables[schema.WORKFORCE].assign(**{schema.RESOURCE: "lab"})
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    msg = " ".join(_messages(report, "Hours are for listed resources", "warning"))
    assert "workforce.csv, column `resource`: 1 row names labour pool lab" in msg
    assert "`lab` differs only in case or spaces from `LAB`" in msg


def test_without_a_resources_table_calendars_define_the_lines(tmp_path: Path) -> None:
    tables = tiny_tables()
    del tables[schema.RESOURCES]
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    assert not _messages(report, "Hours are for listed resources", "warning")


# b. a SKU that differs only in case or spaces from a product ------------------------


def test_a_sku_in_another_case_says_so(tmp_path: Path) -> None:
    tables = tiny_tables()
    s = tables[schema.SALES]
    tables[schema.SALES] = s.assign(**{schema.SKU: s[schema.SKU].replace("A1", "a1")})
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    msg = " ".join(_messages(report, "References exist", "warning"))
    assert "sales.csv, column `sku`: 48 rows refer to sku a1" in msg
    assert "differs only in case or spaces from `A1` in products.csv" in msg
    assert "row 1 (month 2024-01-01, region 'North') = 'a1'" in msg
    assert "Write it the same way" in msg


def test_an_inventory_sku_in_another_case_stays_an_error_with_the_hint(tmp_path: Path) -> None:
    tables = tiny_tables()
    inv = tables[schema.INVENTORY]
    tables[schema.INVENTORY] = inv.assign(**{schema.SKU: ["A1", "a 2", "B1"]})
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    msg = " ".join(_messages(report, "References exist", "error"))
    assert "inventory.csv, column `sku`: 1 row refers to sku a 2" in msg
    assert "differs only in case or spaces from `A2`" in msg


# c. an old Excel or OpenDocument file in a folder -----------------------------------


def test_an_xls_file_is_named_not_reported_missing(tmp_path: Path, store: Store, capsys) -> None:
    before = _loaded_tiny(store, tmp_path)
    folder = write_tables(tiny_tables(), tmp_path / "d")
    (folder / "sales.csv").unlink()
    (folder / "sales.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    (folder / "budget.csv").unlink()
    (folder / "budget.ods").write_bytes(b"PK\x03\x04junk")
    raw, found = read_dir(folder)
    errors = [f.message for f in found if f.severity == "error"]
    assert any(
        m.startswith("sales.xls:") and "save it as .xlsx or .csv" in m.lower() for m in errors
    ), errors
    assert any(m.startswith("budget.ods:") for m in errors), errors
    assert not any("sales.parquet / sales.csv: missing" in m for m in errors), errors
    assert _load(store, folder) == 1
    assert "sales.xls" in capsys.readouterr().out
    assert snapshot(store) == before


def test_a_stale_or_unnamed_old_workbook_beside_the_tables_is_only_a_warning(
    tmp_path: Path,
) -> None:
    """Review: any .xls in the folder refused the whole load, even a stale sales.xls
    beside sales.csv or an old_report.xls that names no table."""
    folder = write_tables(tiny_tables(), tmp_path / "d")
    (folder / "sales.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    (folder / "old_report.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    raw, found = read_dir(folder)
    books = [f for f in found if f.check == "Files can be opened"]
    assert len(books) == 2 and all(f.severity == "warning" for f in books), books
    assert all("left out" in f.message for f in books)
    assert "sales" in raw


# d. two company rows ---------------------------------------------------------------


def test_two_company_rows_are_named_with_what_to_do(tmp_path: Path, store: Store) -> None:
    before = _loaded_tiny(store, tmp_path)
    tables = tiny_tables()
    tables[schema.COMPANY] = _company("2025-12-01", ("Tiny", "Other"))
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    msg = " ".join(_messages(report, "Company has one row", "error"))
    assert "company.csv, column `company_name`: 2 rows" in msg
    assert "row 1 = 'Tiny'; row 2 = 'Other'" in msg
    assert "Keep the row of the company you plan; delete the others." in msg
    assert _load(store, tmp_path / "d") == 1
    assert snapshot(store) == before


# e. a 0-byte optional file ----------------------------------------------------------


def test_a_zero_byte_optional_file_is_left_out_with_a_warning(tmp_path: Path, store: Store) -> None:
    folder = write_tables(tiny_tables(), tmp_path / "d")
    (folder / "promotions.csv").write_bytes(b"")
    report = validate_dir(folder)
    assert report.ok, [f.message for f in report.errors]
    msg = " ".join(_messages(report, "Table is not empty", "warning"))
    assert "promotions.csv: the file is empty (0 bytes)" in msg
    assert "It is left out, as if there were no `promotions` file" in msg
    assert schema.PROMOTIONS not in report.tables
    assert _load(store, folder) == 0


def test_a_zero_byte_required_file_stays_an_error(tmp_path: Path) -> None:
    folder = write_tables(tiny_tables(), tmp_path / "d")
    (folder / "sales.csv").write_bytes(b"")
    report = validate_dir(folder)
    assert any("sales.csv: the file is empty (0 bytes)" in f.message for f in report.errors)
    upload = validate_files({"promotions.csv": b"", "sales.csv": b""})
    assert any(f.file == "promotions.csv" for f in upload.warnings)
    assert any(f.file == "sales.csv" and f.table == schema.SALES for f in upload.errors)


# f. an as-of month far after the last sales month ------------------------------------


def test_an_as_of_month_far_after_the_actuals_is_named_first(tmp_path: Path, store: Store) -> None:
    before = _loaded_tiny(store, tmp_path)
    tables = tiny_tables()
    tables[schema.COMPANY] = _company("2030-01-01")
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    hits = _messages(report, "Actuals reach the as-of month", "error")
    assert len(hits) == 1
    for frag in (
        "company.csv, column `as_of_month`",
        "row 1 (company_name 'Tiny') = 2030-01-01",
        "is an as-of month 49 months after the last sales month 2025-12 in sales.csv",
        "Set as_of_month to 2025-12",
    ):
        assert frag in hits[0], hits[0]
    assert report.errors[0].check == "Actuals reach the as-of month"
    assert _load(store, tmp_path / "d") == 1
    assert snapshot(store) == before


def test_an_as_of_month_one_after_the_actuals_is_fine(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables[schema.COMPANY] = _company("2026-01-01")
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    assert not _messages(report, "Actuals reach the as-of month", "error")


# g. a line without a calendar, worded right, with the near code of capacity ----------


def test_a_line_without_a_calendar_reads_right_and_names_the_case_twin(tmp_path: Path) -> None:
    tables = tiny_tables()
    cap = tables[schema.CAPACITY]
    tables[schema.CAPACITY] = cap.assign(
        **{schema.RESOURCE: cap[schema.RESOURCE].replace("L1", "l1")}
    )
    report = validate_dir(write_tables(tables, tmp_path / "d"))
    msg = " ".join(_messages(report, "Every resource has hours", "error"))
    assert "resources.csv, column `resource`: 1 row is a line without a capacity calendar" in msg
    assert "row 1 = 'L1'" in msg
    assert "capacity.csv has `l1`, which differs only in case or spaces from `L1`" in msg
    assert "lines without" not in msg
