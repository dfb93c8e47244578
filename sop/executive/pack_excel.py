"""The meeting pack as a formatted Excel workbook.

Sheets: Summary (what the pack is, the plan on the table, headline KPIs), Demand,
Supply, Finance, Scenarios, Decisions, and Risks, What changed and S&OE weeks, each
written by `sop.xlsx.write_table`; then the S&OP grid, a sheet per family and the
total (`sop.finance.grid_excel`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from sop.core.xlsx import TITLE_FONT, Spec, put, write_pairs, write_table
from sop.finance import grid_excel
from sop.finance.grid import Grid

NOTE_FONT = Font(italic=True)


def workbook(
    sheets: list[tuple[str, pd.DataFrame, Spec, tuple[str, ...]]],
    summary: list[tuple[str, object, str]],
    headline: pd.DataFrame,
    headline_spec: Spec,
    currency: str,
    title: str,
    made_at: datetime,
    grids: Mapping[str, Grid] | None = None,
    notes: Mapping[str, str] | None = None,
) -> bytes:
    """The .xlsx as bytes: a Summary sheet (title, `summary` pairs, the headline
    table), then one sheet per (name, frame, spec, columns totalled[, part]): `part`,
    a `sop.xlsx.Part`, adds a total over some rows (e.g. the months with a budget);
    then a sheet per S&OP grid in `grids`. `notes`: sheet name -> a line written under
    that sheet's table (why some of its cells are blank)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    put(ws, 1, 1, title).font = TITLE_FONT
    last = write_pairs(ws, summary, currency, start_row=3)
    write_table(ws, headline, headline_spec, currency, start_row=last + 2)
    for name, frame, spec, total_of, *part in sheets:
        write_table(
            wb.create_sheet(name), frame, spec, currency, total_of, part=part[0] if part else None
        )
    grid_excel.add_sheets(wb, grids or {}, currency)
    for name, note in (notes or {}).items():
        sheet = wb[name]
        put(sheet, sheet.max_row + 2, 1, note).font = NOTE_FONT
    wb.properties.creator = "S&OP Studio"
    wb.properties.title = title
    wb.properties.created = made_at.replace(tzinfo=None)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
