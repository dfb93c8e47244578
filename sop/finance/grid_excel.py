"""The S&OP grid (`sop.finance.grid`) as Excel sheets: one sheet per family and the total.

Row labels and units first, then one column per month (actual months headed
"Oct 2025 (actual)" on a grey header); numbers formatted by the row's unit (money in
the dataset's currency); gap rows shaded, signed (+/-), negatives in red.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping

from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sop.core import fmt
from sop.core.xlsx import BOLD, HEADER_FILL, HEADER_FONT, money_format, put
from sop.finance.grid import Grid

ACTUAL_FILL = PatternFill("solid", fgColor="5A6572")
GAP_FILL = PatternFill("solid", fgColor="FFF6E5")
UNIT_TEXT = {"units": "units", "money": "", "days": "days", "hours": "hours", "pct": "%"}


def _formats(currency: str) -> dict[str, str]:
    sym = fmt.symbol(currency).replace('"', "")
    return {
        "units": "#,##0",
        "money": money_format(currency),
        "days": "#,##0.0",
        "hours": "#,##0",
        "pct": "0.0%",
        "gap_units": "+#,##0;[Red]-#,##0;0",
        "gap_money": f'+"{sym}"#,##0;[Red]-"{sym}"#,##0;"{sym}"0',
    }


def sheet_name(family: str, taken: Collection[str] = ()) -> str:
    """A valid, at most 31-character sheet name for `family`'s grid, unlike the names in
    `taken` whatever the case (Excel repairs a workbook with two sheets that differ
    only in case, or a name ending in an apostrophe)."""
    name = "".join("-" if ch in "[]:*?/\\" else ch for ch in f"Grid {family}")[:31].rstrip("'")
    used = {t.lower() for t in taken}
    n, unique = 1, name
    while unique.lower() in used:
        n += 1
        unique = f"{name[: 31 - len(str(n)) - 1].rstrip(chr(39))} {n}"
    return unique


def write_grid(ws: Worksheet, grid: Grid, currency: str, start_row: int = 1) -> int:
    """Write `grid` from `start_row` (header row, then one row per grid row); returns
    the last row written."""
    f = _formats(currency)
    labels = grid.month_labels()
    headers = ["Row", "Unit", *(labels[m] for m in grid.months)]
    for j, text in enumerate(headers, start=1):
        cell = put(ws, start_row, j, text)
        actual = j > 2 and grid.months[j - 3] in grid.actual
        cell.fill, cell.font = (ACTUAL_FILL if actual else HEADER_FILL), HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    row = start_row
    for i, (key, r) in enumerate(grid.frame.iterrows(), start=1):
        row = start_row + i
        gap = key in grid.gaps
        kind = (f"gap_{r['unit']}" if gap else r["unit"]) if r["unit"] in f else "units"
        unit = currency if r["unit"] == "money" else UNIT_TEXT.get(r["unit"], r["unit"])
        put(ws, row, 1, r["label"]).font = BOLD
        put(ws, row, 2, unit)
        for j, m in enumerate(grid.months, start=3):
            v = r[m]
            cell = put(ws, row, j, v, r["unit"])
            cell.number_format = f.get(kind, f["units"])
            if gap:
                cell.fill = GAP_FILL
        if gap:
            ws.cell(row=row, column=1).fill = ws.cell(row=row, column=2).fill = GAP_FILL
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 8
    for j in range(3, len(headers) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 13
    ws.row_dimensions[start_row].height = 32
    if start_row == 1:
        ws.freeze_panes = "C2"
    return row


def add_sheets(wb: Workbook, grids: Mapping[str, Grid], currency: str) -> None:
    """One sheet per grid (`sheet_name`), in the order of `grids`."""
    for name, grid in grids.items():
        write_grid(wb.create_sheet(sheet_name(name, wb.sheetnames)), grid, currency)


def workbook(grids: Mapping[str, Grid], currency: str) -> bytes:
    """A workbook of the grids (a sheet each) as bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    add_sheets(wb, grids, currency)
    wb.properties.creator = "S&OP Studio"
    wb.properties.title = "S&OP grid"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
