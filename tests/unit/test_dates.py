"""Month columns in the ways planners write them; day/month order never guessed; no
misleading duplicate-key error when months cannot be read."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from tiny import tiny_tables

from sop.__main__ import main
from sop.core import schema
from sop.data.dates import DAY_FIRST, MONTH_FIRST, read_months
from sop.data.mapping import ReadOptions
from sop.data.validate import validate_files

JAN = pd.Timestamp("2024-01-01")


@pytest.mark.parametrize(
    "text",
    [
        "2024-01",
        "2024-01-01",
        "2024-1",
        "2024-01-01 00:00:00",
        "2024-01-01T00:00:00",
        "Jan 2024",
        "January 2024",
        "jan-24",
        "Jan. 2024",
        "01/2024",
        "1/2024",
        "2024/01",
        "2024.01",
        "202401",
        "2024 Jan",
        "01-Jan-2024",
    ],
)
def test_every_common_way_to_write_a_month(text: str) -> None:
    read = read_months(pd.Series([text]))
    assert read.values.iloc[0] == JAN and not read.ambiguous


def test_excel_date_cells_and_numbers() -> None:
    read = read_months(pd.Series([pd.Timestamp("2024-01-01"), 202402, "2024-03"], dtype=object))
    assert list(read.values) == list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
    # a serial day number among other dates is not guessed at
    assert read_months(pd.Series([45292.0, "2024-02"], dtype=object)).values.iloc[0] is pd.NaT


def test_excel_serial_day_numbers_are_read_when_every_value_is_one() -> None:
    read = read_months(pd.Series([45292, 45323.0, "45352", None], dtype=object))
    assert list(read.values.iloc[:3]) == list(pd.to_datetime(["2024-01", "2024-02", "2024-03"]))
    assert read.values.iloc[3] is pd.NaT and read.serial == "45292 = 2024-01-01"
    assert read_months(pd.Series([18264])).values.iloc[0] == pd.Timestamp("1950-01-01")
    for not_serials in ([1, 2, 12], [2024, 2025], [45292.5], [18263], [109940], [45292, "x"]):
        read = read_months(pd.Series(not_serials, dtype=object))
        assert read.serial is None and read.values.isna().all(), not_serials
    read = read_months(pd.Series([202401, 202402]))  # yyyymm, not days
    assert read.serial is None and read.values.iloc[1] == pd.Timestamp("2024-02-01")


def test_ambiguous_day_month_is_not_guessed() -> None:
    read = read_months(pd.Series(["01/03/2024", "01/04/2024", "01/05/2024"]))
    assert read.ambiguous and read.values.isna().all()
    assert read.example == "01/03/2024"
    assert read.month_starts_if == DAY_FIRST  # read day first, each is the 1st of a month
    chosen = read_months(pd.Series(["01/03/2024", "01/04/2024"]), dayfirst=True)
    assert list(chosen.values) == list(pd.to_datetime(["2024-03-01", "2024-04-01"]))
    chosen = read_months(pd.Series(["03/01/2024"]), dayfirst=False)
    assert chosen.values.iloc[0] == pd.Timestamp("2024-03-01")


def test_a_day_above_12_settles_the_order_and_says_which_value_did() -> None:
    read = read_months(pd.Series(["01/03/2024", "13/03/2024"]))
    assert read.order == DAY_FIRST and read.decided_by == "13/03/2024"
    assert list(read.values) == list(pd.to_datetime(["2024-03-01", "2024-03-13"]))
    read = read_months(pd.Series(["03/01/2024", "03/13/2024"]))
    assert read.order == MONTH_FIRST and read.values.iloc[1] == pd.Timestamp("2024-03-13")
    mixed = read_months(pd.Series(["13/03/2024", "03/13/2024"]))
    assert mixed.mixed and mixed.day_only == "13/03/2024" and mixed.month_only == "03/13/2024"


def _sales_files(fmt: str) -> tuple[dict[str, bytes], dict[str, pd.DataFrame]]:
    tables = tiny_tables()
    sales = tables[schema.SALES].copy()
    text = sales.assign(**{schema.MONTH: sales[schema.MONTH].dt.strftime(fmt)})
    files = {}
    for name, df in tables.items():
        out = df.copy()
        for c in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[c]):
                out[c] = out[c].dt.strftime("%Y-%m")
        files[f"{name}.csv"] = out.to_csv(index=False).encode()
    files["sales.csv"] = text.to_csv(index=False).encode()
    return files, tables


def test_ambiguous_dates_are_one_error_then_read_as_chosen() -> None:
    files, tables = _sales_files("%d/%m/%Y")  # 01/03/2024: every value could be either
    report = validate_files(files)
    assert not report.ok
    assert [f.message for f in report.errors] == [
        "sales.csv: dates in `sales.month` could be day/month or month/day (e.g. 01/01/2024); "
        "choose the order: on the Data page, or pass --dayfirst or --monthfirst. Read day "
        "first, every date is the first of a month."
    ]  # no "cannot be read", no duplicated periods
    report = validate_files(files, options=ReadOptions(dayfirst=True))
    assert report.ok, [f.message for f in report.errors]
    assert list(report.tables[schema.SALES][schema.MONTH]) == list(
        tables[schema.SALES][schema.MONTH]
    )
    assert any("read day first (dd/mm/yyyy): as chosen" in f.message for f in report.warnings)
    wrong = validate_files(files, options=ReadOptions(dayfirst=False))
    assert "not the first day of a month" in " ".join(f.message for f in wrong.errors)


def test_an_unambiguous_order_is_read_and_noted() -> None:
    files, _ = _sales_files("%m/%d/%Y")
    text = files["sales.csv"].decode().replace("01/01/2024", "01/31/2024", 1)
    report = validate_files({**files, "sales.csv": text.encode()})
    said = " ".join(f.message for f in report.findings)
    assert "dates in `sales.month` were read month first (mm/dd/yyyy): `01/31/2024`" in said
    errors = [f for f in report.errors]
    assert len(errors) == 1 and "not the first day of a month: row 1" in errors[0].message


def test_unreadable_months_give_no_second_duplicate_key_error() -> None:
    files, _ = _sales_files("%Y-%m")
    lines = files["sales.csv"].decode().splitlines()
    lines[1] = lines[1].replace("2024-01", "sometime", 1)
    lines[2] = lines[2].replace("2024-02", "later", 1)  # same SKU and region as row 1
    report = validate_files({**files, "sales.csv": "\n".join(lines).encode()})
    checks = {f.check for f in report.errors}
    assert checks == {"Dates can be read"}, [f.message for f in report.errors]


def test_dates_from_a_workbook_with_date_cells() -> None:
    tables = tiny_tables()
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for name, df in tables.items():
            df.to_excel(w, sheet_name=name, index=False)  # months as Excel date cells
    report = validate_files({"plan.xlsx": buf.getvalue()})
    assert report.ok, [f.message for f in report.errors]
    assert list(report.tables[schema.SALES][schema.MONTH]) == list(
        tables[schema.SALES][schema.MONTH]
    )


def test_the_command_line_takes_the_order(tmp_path, capsys) -> None:
    files, _ = _sales_files("%d/%m/%Y")
    folder = tmp_path / "d"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    assert main(["--store", str(tmp_path / "s.duckdb"), "validate", str(folder)]) == 1
    assert "could be day/month or month/day" in capsys.readouterr().out
    assert main(["--store", str(tmp_path / "s.duckdb"), "validate", str(folder), "--dayfirst"]) == 0
    args = ["validate", str(folder), "--dayfirst", "--monthfirst"]
    with pytest.raises(SystemExit):
        main(args)


def _serial_workbook(sales_month: list) -> tuple[bytes, dict[str, pd.DataFrame]]:
    tables = tiny_tables()
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for name, df in tables.items():
            if name == schema.SALES:
                df = df.assign(**{schema.MONTH: sales_month})  # General-format number cells
            df.to_excel(w, sheet_name=name, index=False)
    return buf.getvalue(), tables


def test_a_workbook_month_column_of_serial_numbers_is_read_with_a_note() -> None:
    tables = tiny_tables()
    months = tables[schema.SALES][schema.MONTH]
    serials = [(m - pd.Timestamp("1899-12-30")).days for m in months]
    data, _ = _serial_workbook(serials)
    report = validate_files({"plan.xlsx": data})
    assert report.ok, [f.message for f in report.errors]
    assert list(report.tables[schema.SALES][schema.MONTH]) == list(months)
    notes = [f for f in report.warnings if "Excel serial day numbers" in f.message]
    assert len(notes) == 1 and notes[0].column == schema.MONTH
    first, last = months.min(), months.max()
    assert f"{serials[0]} = {months.iloc[0]:%Y-%m-%d}" in notes[0].message
    assert f"months {first:%Y-%m} to {last:%Y-%m}" in notes[0].message
    assert "`sales.month`" in notes[0].message


def test_a_csv_exported_from_excel_with_serial_months_is_read() -> None:
    files, tables = _sales_files("%Y-%m")
    sales = tables[schema.SALES]
    days = (sales[schema.MONTH] - pd.Timestamp("1899-12-30")).dt.days
    files["sales.csv"] = sales.assign(**{schema.MONTH: days}).to_csv(index=False).encode()
    report = validate_files(files)
    assert report.ok, [f.message for f in report.errors]
    assert list(report.tables[schema.SALES][schema.MONTH]) == list(sales[schema.MONTH])
    assert any("Excel serial day numbers" in f.message for f in report.warnings)


def test_one_value_that_is_no_serial_keeps_the_column_unreadable() -> None:
    tables = tiny_tables()
    serials = [(m - pd.Timestamp("1899-12-30")).days for m in tables[schema.SALES][schema.MONTH]]
    data, _ = _serial_workbook([*serials[:-1], 7])  # a stray small number
    report = validate_files({"plan.xlsx": data})
    assert not report.ok
    assert {f.check for f in report.errors} == {"Dates can be read"}
    assert not any("serial" in f.message for f in report.findings)
