"""The meeting pack as a formatted Excel workbook.

Sheets: Summary (what the pack is, the plan on the table, headline KPIs), Demand,
Supply, Finance, Revenue ranges by family, Scenarios, Decisions, and Risks, What changed
and S&OE weeks, each
written by `sop.xlsx.write_table`; then the S&OP grid, a sheet per family and the
total (`sop.finance.grid_excel`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from sop.core.xlsx import ROW, TITLE_FONT, Spec, put, write_pairs, write_table
from sop.finance import grid_excel
from sop.finance.grid import Grid
from sop.finance.kpi_text import FULL, SERVICE_RATES

NOTE_FONT = Font(italic=True)
# a fill or on-time rate as the app words it (`sop.finance.kpi_text.service_pct`): "0.0%"
# would round 0.9996 up to "100.0%" with units short; >99.9% until nothing is short
SERVICE_FORMAT = f'[<0.9995]0.0%;[<{FULL!r}]">99.9%";0.0%'


def service_formats(ws: Worksheet, frame: pd.DataFrame, spec: Spec, start_row: int = 1) -> None:
    """Give the service-rate cells (`SERVICE_RATES`) of a table `write_table` wrote from
    `start_row` the `SERVICE_FORMAT`: a column named as one, or, in a table of mixed
    KPIs (a `ROW` column with a `key` column), the % cells of the rows keyed as one."""
    for j, (col, _, kind) in enumerate(spec, start=1):
        if col in SERVICE_RATES:
            rows = [True] * len(frame)
        elif kind == ROW and "key" in frame:
            rows = [
                key in SERVICE_RATES and k == "pct"
                for key, k in zip(frame["key"], frame[f"{col}_kind"])
            ]
        else:
            continue
        for i, hit in enumerate(rows):
            if hit:
                ws.cell(row=start_row + 1 + i, column=j).number_format = SERVICE_FORMAT


def workbook(
    sheets: list[tuple[str, pd.DataFrame, Spec, tuple[str, ...]]],
    summary: list[tuple[str, object, str]],
    headline: pd.DataFrame,
    headline_spec: Spec,
    currency: str,
    title: str,
    made_at: datetime,
    grids: Mapping[str, Grid] | None = None,
    notes: Mapping[str, str | Sequence[str]] | None = None,
) -> bytes:
    """The .xlsx as bytes: a Summary sheet (title, `summary` pairs, the headline
    table), then one sheet per (name, frame, spec, columns totalled[, part]): `part`,
    a `sop.xlsx.Part`, adds a total over some rows (e.g. the months with a budget);
    then a sheet per S&OP grid in `grids`. `notes`: sheet name -> a line written under
    that sheet's table (why some of its cells are blank), or lines, a cell each down
    the first column. Fill and on-time rates read as on screen (`SERVICE_FORMAT`)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    put(ws, 1, 1, title).font = TITLE_FONT
    last = write_pairs(ws, summary, currency, start_row=3)
    write_table(ws, headline, headline_spec, currency, start_row=last + 2)
    service_formats(ws, headline, headline_spec, start_row=last + 2)
    for name, frame, spec, total_of, *part in sheets:
        sheet = wb.create_sheet(name)
        write_table(sheet, frame, spec, currency, total_of, part=part[0] if part else None)
        service_formats(sheet, frame, spec)
    grid_excel.add_sheets(wb, grids or {}, currency)
    for name, note in (notes or {}).items():
        sheet = wb[name]
        row = sheet.max_row + 1
        for line in [note] if isinstance(note, str) else note:
            row += 1
            put(sheet, row, 1, line).font = NOTE_FONT
    wb.properties.creator = "S&OP Studio"
    wb.properties.title = title
    wb.properties.created = made_at.replace(tzinfo=None)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
