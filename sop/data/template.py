"""Excel templates of the data model: an empty workbook to fill in, and the demo
dataset in the same layout.

The workbook's first sheet, "Read me", says how to fill it in and lists every table
in load order: required or optional, what it is for, its key and its columns. Then
one sheet per table of `sop.core.tables.TABLES`, in load order, named after the
table: its header row, and on every header cell a note (an Excel comment) with the
column's type, unit, whether it is required and may be empty, and its rules (bounds,
allowed values, the table it refers to). The demo workbook fills each sheet with the
demo tables (`sop.data.demo.build_demo`); months are dates shown as YYYY-MM.

Every cell goes through `sop.core.xlsx.put`: text that starts like a formula is kept
as text, never evaluated. The Data page and `python -m sop load` read the workbook
back as an upload (a sheet per table; the "Read me" sheet is skipped).
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sop.core import schema, xlsx
from sop.core.schema import Column, Table
from sop.core.tables import TABLES
from sop.data.demo import build_demo

READ_ME = "Read me"
NOTE_AUTHOR = "S&OP Studio"
TYPE_TEXT = {
    schema.STR: "text",
    schema.INT: "whole number",
    schema.FLOAT: "number",
    schema.DATE: "month: its first day (2026-03-01) or YYYY-MM (2026-03)",
    schema.BOOL: "TRUE or FALSE",
}
MONTH_FORMAT = "yyyy-mm"
INTRO = (
    "How to fill in this workbook",
    "Each sheet after this one is one table of the data model, named after it. Keep the "
    "sheet names and the header row; put one record per row under it, from row 2. Hover "
    "over a header cell for its note: type, unit, required or optional, and its rules.",
    "Only the `sales` table is required; leave an optional sheet empty (header only) or "
    "delete it, and the defaults described on the Data page apply. Months are calendar "
    "months: write their first day (2026-03-01) or 2026-03.",
    "Upload the workbook on the Data page (Load data), or run `python -m sop load "
    "FILE.xlsx`. Nothing is loaded unless every check passes; the checks say which "
    "sheet, column, row and value to fix.",
)
README_SPEC = [
    ("table", "Sheet (table)", "text"),
    ("need", "Required or optional", "text"),
    ("meaning", "What it is for", "text"),
    ("key", "One row per", "text"),
    ("columns", "Columns", "text"),
]


def column_rules(t: Table, c: Column) -> list[str]:
    """The rules a value of column `c` of table `t` must meet, in words."""
    rules = []
    if c.positive:
        rules.append("greater than 0")
    if c.min is not None:
        rules.append(f"at least {c.min:g}")
    if c.max is not None:
        rules.append(f"at most {c.max:g}")
    if c.allowed:
        rules.append("one of " + ", ".join(c.allowed))
    rules += [
        f"must be a {fk.ref_column} of the {fk.ref_table} table"
        for fk in t.foreign_keys
        if fk.column == c.name
    ]
    return rules


def column_note(t: Table, c: Column) -> str:
    """The note on the header cell of column `c`: meaning, type, unit, required or
    optional, empty or not, rules."""
    lines = [f"{c.name}: {c.meaning}", f"Type: {TYPE_TEXT[c.dtype]}"]
    if c.unit and c.unit != "-" and c.dtype != schema.DATE:
        lines.append(f"Unit: {c.unit}")
    lines.append(
        "Required column" if c.required else "Optional column: the whole column may be left out"
    )
    lines.append("May be empty" if c.nullable else "Never empty")
    if rules := column_rules(t, c):
        lines.append("Rules: " + "; ".join(rules))
    if c.name in t.key:
        lines.append(f"Part of the key: one row per {', '.join(t.key)}")
    return "\n".join(lines)


def readme_rows() -> pd.DataFrame:
    """One row per table, in load order: table, need, meaning, key, columns."""
    return pd.DataFrame(
        [
            {
                "table": t.name,
                "need": "required" if t.required else "optional",
                "meaning": t.meaning + ("".join(f" {r}" for r in t.rules)),
                "key": ", ".join(t.key),
                "columns": ", ".join(t.column_names),
            }
            for t in TABLES.values()
        ]
    )


def _readme(ws: Worksheet) -> None:
    ws.title = READ_ME
    xlsx.put(ws, 1, 1, "S&OP Studio: data template").font = xlsx.TITLE_FONT
    for row, text in enumerate(INTRO[1:], start=3):
        cell = xlsx.put(ws, row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(README_SPEC))
        ws.row_dimensions[row].height = 48
    xlsx.put(ws, 2, 1, INTRO[0]).font = xlsx.BOLD
    xlsx.write_table(ws, readme_rows(), README_SPEC, "EUR", start_row=len(INTRO) + 3)
    for letter, width in zip("ABCDE", (20, 12, 70, 28, 50)):
        ws.column_dimensions[letter].width = width


def _header(ws: Worksheet, t: Table) -> None:
    for j, c in enumerate(t.columns, start=1):
        cell = xlsx.put(ws, 1, j, c.name)
        cell.fill, cell.font = xlsx.HEADER_FILL, xlsx.HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center")
        note = Comment(column_note(t, c), NOTE_AUTHOR)
        note.width, note.height = 320, 30 + 18 * column_note(t, c).count("\n")
        cell.comment = note
        ws.column_dimensions[get_column_letter(j)].width = max(len(c.name) + 4, 12)
    ws.freeze_panes = "A2"


def _rows(ws: Worksheet, t: Table, df: pd.DataFrame) -> None:
    for i, values in enumerate(df[t.column_names].itertuples(index=False), start=2):
        for j, (c, v) in enumerate(zip(t.columns, values), start=1):
            if c.dtype == schema.DATE:
                cell = xlsx.put(ws, i, j, None if pd.isna(v) else pd.Timestamp(v))
                cell.number_format = MONTH_FORMAT
            elif c.dtype == schema.STR:
                xlsx.put(ws, i, j, None if pd.isna(v) else str(v))
            else:
                xlsx.put(ws, i, j, None if pd.isna(v) else v)


def workbook(tables: dict[str, pd.DataFrame] | None = None) -> bytes:
    """The template workbook as .xlsx bytes: "Read me", then a sheet per table in load
    order with its annotated header; filled with `tables` where given (a table not in
    `tables` keeps only its header)."""
    wb = Workbook()
    _readme(wb.active)
    for t in TABLES.values():
        ws = wb.create_sheet(t.name)
        _header(ws, t)
        if tables is not None and t.name in tables:
            _rows(ws, t, tables[t.name])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def empty_template() -> bytes:
    """The empty template: every table's header and notes, no rows."""
    return workbook()


def demo_workbook(seed: int = 7) -> bytes:
    """The demo dataset (`sop.data.demo.build_demo`) in the template's layout."""
    return workbook(build_demo(seed))
