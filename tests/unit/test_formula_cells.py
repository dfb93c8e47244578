"""A workbook written by a script (openpyxl, pandas) holds formulas with no saved value:
read as values, such a cell is empty. It is refused with the file, sheet, column, rows
and formulas named, on the Data page's upload path and on the command line, and nothing
is loaded; a formula whose value was saved (as Excel does) reads as that value."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from tiny import tiny_tables

from sop.cli.main import main
from sop.core import schema
from sop.data.formulas import Unsaved, unsaved_formulas
from sop.data.readers import read_parts
from sop.data.validate import check_tables, validate_files
from sop.store import Store
from sop.ui import readers

SHEET = "xl/worksheets/sheet{}.xml"
ADVICE = "open and save the workbook in Excel (or LibreOffice)"


def _book(formulas: dict[int, str] | None = None, column: str = schema.UNITS) -> bytes:
    """The tiny tables, a sheet each, written by openpyxl (through pandas); `formulas`
    {sheet row: formula} typed into `column` of the sales sheet (row 1: the header)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for name, df in tiny_tables().items():
            df.to_excel(w, sheet_name=name, index=False)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb[schema.SALES]
    letter = openpyxl.utils.get_column_letter([c.value for c in ws[1]].index(column) + 1)
    for row, formula in (formulas or {}).items():
        ws[f"{letter}{row}"] = formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sales_part(data: bytes) -> str:
    """The zip part holding the sales sheet."""
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return SHEET.format(wb.sheetnames.index(schema.SALES) + 1)


def _rewrite(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one part's XML changed (what another program would write)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info, change(body) if info.filename == part else body)
    return out.getvalue()


def _errors(report) -> str:
    return " ".join(f.message for f in report.errors)


def test_a_formula_with_no_saved_value_is_named_not_called_empty() -> None:
    report = validate_files({"plan.xlsx": _book({2: "=D3*2"})})
    errors = _errors(report)
    assert not report.ok
    assert (
        "plan.xlsx (sheet sales), column `units`: row 1 (cell D2: `=D3*2`) holds a formula "
        "with no saved value: " + ADVICE in errors
    )
    assert "empty or NaN" not in errors and "= empty" not in errors
    assert schema.SALES not in report.tables


def test_many_rows_are_counted_and_a_few_quoted_per_column() -> None:
    data = _book({r: f"=1+{r}" for r in range(2, 9)} | {1: '=CONCAT("un","its")'})
    errors = _errors(validate_files({"plan.xlsx": data}))
    assert "column D: 8 rows hold formulas with no saved value" in errors
    assert 'the header (cell D1: `=CONCAT("un","its")`); row 1 (cell D2: `=1+2`)' in errors
    assert "; and 5 more: " + ADVICE in errors


def test_a_formula_whose_value_was_saved_reads_as_that_value() -> None:
    data = _book({2: "=D3*2"})
    part = _sales_part(data)
    units = tiny_tables()[schema.SALES][schema.UNITS]
    saved = _rewrite(data, part, lambda x: x.replace(b"<f>D3*2</f><v />", b"<f>D3*2</f><v>7</v>"))
    report = validate_files({"plan.xlsx": saved})
    assert report.ok, _errors(report)
    assert list(report.tables[schema.SALES][schema.UNITS][:2]) == [7, units.iloc[1]]


def test_a_saved_empty_text_result_is_no_unsaved_formula() -> None:
    """Excel saves a formula whose result is "" as a text cell with an empty value."""
    data = _book({2: "=D3*2"})
    part = _sales_part(data)
    text = _rewrite(data, part, lambda x: x.replace(b'<c r="D2"', b'<c r="D2" t="str"'))
    assert unsaved_formulas(data) == {schema.SALES: [Unsaved("D2", 2, 4, "=D3*2")]}
    assert unsaved_formulas(text) == {}


def test_a_shared_formula_and_prefixed_elements_are_read() -> None:
    """Excel writes a formula filled down once (`t="shared"`); some tools put a prefix on
    every element (`<x:c>`). The formula of each cell is quoted as Excel shows it."""
    data = _book()
    part = _sales_part(data)

    def shared(xml: bytes) -> bytes:
        xml = re.sub(
            rb'(<c r="D2"[^>]*>)<v>[^<]*</v>',
            rb'\1<f t="shared" ref="D2:D4" si="0">'
            rb"C2&amp;&quot;x&quot;</f><v>1</v>",
            xml,
        )
        xml = re.sub(rb'(<c r="D([34])"[^>]*>)<v>[^<]*</v>', rb'\1<f t="shared" si="0"/>', xml)
        return re.sub(rb"<(/?)(?=[a-zA-Z])", rb"<\1x:", xml).replace(b"xmlns=", b"xmlns:x=")

    got = unsaved_formulas(_rewrite(data, part, shared))
    assert got == {schema.SALES: [Unsaved("D3", 3, 4, '=C3&"x"'), Unsaved("D4", 4, 4, '=C4&"x"')]}


def test_the_data_page_upload_path_refuses_it(store: Store) -> None:
    store.load(check_tables(tiny_tables()).tables, name="tiny")
    files = {"plan.xlsx": _book({5: "=SUM(D2:D4)"})}
    report = readers.validate_upload(files, 1, None, read_parts(files))
    assert not report.ok
    assert "column `units`: row 4 (cell D5: `=SUM(D2:D4)`) holds a formula" in _errors(report)


@pytest.mark.parametrize("command", ["validate", "load"])
def test_the_command_line_refuses_it_and_loads_nothing(
    tmp_path: Path, store: Store, capsys, command: str
) -> None:
    store.load(check_tables(tiny_tables()).tables, name="tiny")
    path = tmp_path / "plan.xlsx"
    path.write_bytes(_book({2: "=D3*2"}))
    assert main(["--store", str(store.path), command, str(path)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "plan.xlsx (sheet sales), column `units`: row 1 (cell D2: `=D3*2`)" in out
    assert "holds a formula with no saved value: " + ADVICE in out
    assert len(store.datasets()) == 1 and store.active().name == "tiny"
