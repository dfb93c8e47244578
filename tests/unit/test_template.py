"""The Excel template of the data model: a Read me sheet, a sheet per table with noted
headers, the demo dataset in the same layout read back to the same tables, formula-like
text kept as text, and the `template` command."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from sop.cli.main import main
from sop.core import schema
from sop.core.tables import TABLES
from sop.data import template
from sop.data.demo import build_demo
from sop.data.validate import check_tables, validate_files


@pytest.fixture(scope="module")
def demo_bytes() -> bytes:
    return template.demo_workbook()


def test_the_empty_template_has_a_read_me_and_a_noted_sheet_per_table() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template.empty_template()))
    assert wb.sheetnames == [template.READ_ME, *TABLES]  # load order
    for name, t in TABLES.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == t.column_names
        assert ws.max_row == 1  # the header only
        for cell, col in zip(ws[1], t.columns):
            note = cell.comment.text
            assert note.startswith(f"{col.name}: {col.meaning}")
            assert "Type: " in note and ("Required column" in note or "Optional column" in note)
            assert ("May be empty" if col.nullable else "Never empty") in note
    sales = {c.value: c.comment.text for c in wb[schema.SALES][1]}
    assert "Type: month" in sales[schema.MONTH] and "Required column" in sales[schema.MONTH]
    assert "Optional column" in sales[schema.REVENUE]
    assert "Unit: units" in sales[schema.UNITS] and "Rules: at least 0" in sales[schema.UNITS]
    capacity = {c.value: c.comment.text for c in wb[schema.CAPACITY][1]}
    assert "must be a resource of the resources table" in capacity[schema.RESOURCE]
    assert "one row per resource, month" in capacity[schema.RESOURCE]
    resources = {c.value: c.comment.text for c in wb[schema.RESOURCES][1]}
    assert "one of line, labour" in resources[schema.KIND]
    read_me = pd.read_excel(io.BytesIO(template.empty_template()), sheet_name=template.READ_ME)
    text = read_me.astype(str).to_string()
    assert all(name in text for name in TABLES)
    listed = template.readme_rows().set_index("table")
    assert list(listed.index) == list(TABLES)
    assert listed.at[schema.SALES, "need"] == "required"
    assert listed.at[schema.BUDGET, "need"] == "optional"


def test_the_demo_workbook_reads_back_to_the_demo_tables(demo_bytes: bytes) -> None:
    expect = check_tables(build_demo()).tables
    # as an upload: the Data page's reader (a sheet per table, Read me skipped)
    report = validate_files({"demo.xlsx": demo_bytes})
    assert report.ok, [f.message for f in report.errors]
    assert sorted(report.tables) == sorted(expect)
    # and sheet by sheet with pandas, typed by the checks
    sheets = pd.read_excel(io.BytesIO(demo_bytes), sheet_name=None)
    raw = {n: df for n, df in sheets.items() if n != template.READ_ME and len(df)}
    typed = check_tables(raw).tables
    for name, df in expect.items():
        for got in (report.tables[name], typed[name]):
            pd.testing.assert_frame_equal(
                got[TABLES[name].column_names].reset_index(drop=True),
                df[TABLES[name].column_names].reset_index(drop=True),
                check_dtype=False,
            )


def test_text_that_starts_like_a_formula_is_written_as_text() -> None:
    products = build_demo()[schema.PRODUCTS].head(4).copy()
    names = ['=HYPERLINK("http://x","y")', "+1 call", "-2 units", "@team"]
    products[schema.NAME] = names
    data = template.workbook({schema.PRODUCTS: products})
    ws = openpyxl.load_workbook(io.BytesIO(data))[schema.PRODUCTS]
    col = TABLES[schema.PRODUCTS].column_names.index(schema.NAME) + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, 6)]
    assert [c.value for c in cells] == names
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    back = pd.read_excel(io.BytesIO(data), sheet_name=schema.PRODUCTS)
    assert back[schema.NAME].tolist() == names


def test_the_template_command_writes_both_workbooks(tmp_path, capsys) -> None:
    assert main(["template", "--out", str(tmp_path / "t.xlsx")]) == 0
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames[0] == template.READ_ME
    assert main(["template", "--out", str(tmp_path / "d.xlsx"), "--demo"]) == 0
    assert len(pd.read_excel(tmp_path / "d.xlsx", sheet_name=schema.SALES)) == len(
        build_demo()[schema.SALES]
    )
    assert "Wrote the demo dataset" in capsys.readouterr().out
    assert main(["template", "--out", str(tmp_path / "t.csv")]) == 2
    assert "ending in .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "t.csv").exists()
