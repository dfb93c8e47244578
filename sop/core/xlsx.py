"""Formatted Excel tables with openpyxl, shared by every workbook the app writes.

A table has a styled, frozen, filtered header, number formats by kind (money in
the dataset's currency), sized columns and, where a sum means something, a Total
row. Used by the Finance export (`sop.export_finance`) and the meeting pack
(`sop.pack_excel`).
"""

from __future__ import annotations

import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sop.core import fmt

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
TOP_LINE = Border(top=Side(style="thin", color="1B1F24"))
TOTAL = "Total"
# A second total row over some of the rows: (label, row mask, columns totalled only
# there, a note for the second column)
Part = tuple[str, pd.Series, tuple[str, ...], str]
BUDGET_MONTHS = f"{TOTAL}, budget months"
# (column, header, kind); kind: money, delta (a change of money: +€1,234 / -€1,234),
# units, pct (95.3%), pct_whole (a chance in whole %, 66%, as the screen's "66 %"),
# pct_delta (+0.5%), month, date, datetime, int, num, text, or `ROW`: each
# row names its own kind in the column `<column>_kind` (a table of mixed KPIs)
MONEY_KINDS = ("money", "delta")
ROW = "row"
Spec = list[tuple[str, str, str]]


def money_format(currency: str) -> str:
    """Excel number format for whole amounts with the currency, e.g. "€"#,##0."""
    sym = fmt.symbol(currency).replace('"', "")
    return f'"{sym}"#,##0;-"{sym}"#,##0'


def delta_format(currency: str) -> str:
    """Excel number format for a change of money: +"€"#,##0, -"€"#,##0, "€"0."""
    sym = fmt.symbol(currency).replace('"', "")
    return f'+"{sym}"#,##0;-"{sym}"#,##0;"{sym}"0'


def formats(currency: str) -> dict[str, str | None]:
    """Number format per column kind."""
    return {
        "money": money_format(currency),
        "delta": delta_format(currency),
        "units": "#,##0",
        "pct": "0.0%",
        "pct_whole": "0%",
        "pct_delta": "+0.0%;-0.0%;0.0%",
        "month": "mmm yyyy",
        "date": "yyyy-mm-dd",
        "datetime": "yyyy-mm-dd hh:mm",
        "int": "0",
        "num": "#,##0.00",
        "text": None,
    }


def cell_value(v: object, kind: str = "") -> object:
    """A value openpyxl can write: None for blanks, datetimes for timestamps; money
    that rounds to zero is written as 0 (so Excel never shows -€0)."""
    if v is None or v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    v = v.item() if hasattr(v, "item") else v
    if kind in MONEY_KINDS + ("units",) and isinstance(v, float) and abs(v) < 0.5:
        return 0.0  # a rounding residue must not read "-0" or "-€0"
    return v


# what Excel (or a CSV import) would read as the start of a formula: OWASP's list
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def put(ws: Worksheet, row: int, column: int, value: object, kind: str = ""):
    """Write one cell (`cell_value(value, kind)`) and return it. Text that starts like a
    formula (`FORMULA_START`: a name typed as `=HYPERLINK(...)`, `+1 call`, `@team`)
    is kept as text, quote-prefixed as Excel does for a typed apostrophe: it is never
    evaluated, on opening or when the cell is edited. Every cell a workbook of the app
    gets is written through here (tests/unit/test_hostile_excel.py reads them back)."""
    cell = ws.cell(row=row, column=column)
    v = cell_value(value, kind)
    cell.value = v
    if isinstance(v, str) and v.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def budget_part(
    df: pd.DataFrame, budget_cols: tuple[str, ...], month_col: str = "month"
) -> Part | None:
    """The `write_table` part for a table whose budget covers fewer months than the
    plan: a "Total, budget months" row (noted "Nov 2026 – Dec 2027") over the rows that
    have one, the `budget_cols` totalled only there (a plan total over more months next
    to the budget total would compare different periods). None when every row has
    one or none has."""
    has = df[budget_cols[0]].notna()
    if has.all() or not has.any():
        return None
    m = pd.to_datetime(df.loc[has, month_col])
    span = (
        fmt.month(m.min()) if m.min() == m.max() else f"{fmt.month(m.min())} – {fmt.month(m.max())}"
    )
    return BUDGET_MONTHS, has, budget_cols, span


def _total_row(
    ws: Worksheet,
    row: int,
    df: pd.DataFrame,
    spec: Spec,
    f: dict,
    label: str,
    columns: tuple[str, ...],
    note: str = "",
) -> None:
    for j, (col, _, kind) in enumerate(spec, start=1):
        value = (
            label
            if j == 1
            else (float(df[col].sum()) if col in columns and df[col].notna().any() else None)
        )
        if j == 2 and value is None and note:
            value, kind = note, "text"
        cell = put(ws, row, j, value, kind)
        cell.font, cell.border = BOLD, TOP_LINE
        if j > 1 and f[kind]:
            cell.number_format = f[kind]


def write_table(
    ws: Worksheet,
    df: pd.DataFrame,
    spec: Spec,
    currency: str,
    total_of: tuple[str, ...] = (),
    start_row: int = 1,
    part: Part | None = None,
) -> int:
    """Write `df` as a table from `start_row`; returns the last row written. A Total row
    sums the columns in `total_of`; `part` = (label, rows, columns, note) adds a second
    total row, `label` (and `note` in the second column), over the rows where `rows` is
    True, and its `columns` are totalled there only (blank in the Total row)."""
    f = formats(currency)
    kinds = {c: df[f"{c}_kind"].tolist() for c, _, k in spec if k == ROW}
    for j, (col, header, kind) in enumerate(spec, start=1):
        money = kind in MONEY_KINDS or (
            kind == ROW and len(df) > 0 and set(kinds[col]) <= set(MONEY_KINDS)
        )
        cell = put(ws, start_row, j, header + (f" ({currency})" if money else ""))
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    cols = [c for c, _, _ in spec]
    row = start_row
    for i, values in enumerate(df[cols].itertuples(index=False)):
        row = start_row + 1 + i
        for j, ((col, _, kind), v) in enumerate(zip(spec, values), start=1):
            kind = kinds[col][i] if kind == ROW else kind
            cell = put(ws, row, j, v, kind)
            if f[kind]:
                cell.number_format = f[kind]
            if kind == "text":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if total_of:
        only = part[2] if part is not None else ()
        row += 1
        _total_row(ws, row, df, spec, f, TOTAL, tuple(c for c in total_of if c not in only))
        if part is not None:
            row += 1
            _total_row(ws, row, df[part[1].to_numpy()], spec, f, part[0], total_of, part[3])
    if start_row == 1:
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(spec))}{max(len(df) + 1, 1)}"
    ws.row_dimensions[start_row].height = 32
    for j, (col, header, kind) in enumerate(spec, start=1):
        width = {
            "money": 15,
            "delta": 15,
            ROW: 15,
            "units": 12,
            "pct": 9,
            "pct_whole": 9,
            "month": 10,
            "date": 11,
            "datetime": 16,
            "int": 7,
            "num": 10,
        }.get(kind, 10)
        if kind == "text" and len(df):
            width = min(int(df[col].astype(str).str.len().max()), 70)
        if j == 1 and total_of:
            width = max(width, len(part[0] if part is not None else TOTAL) + 1)
        if j == 2 and total_of and part is not None:
            width = max(width, len(part[3]) + 1)
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(
            ws.column_dimensions[letter].width or 0, min(max(width, len(header) + 3), 72)
        )
    return row


def write_pairs(
    ws: Worksheet, rows: list[tuple[str, object, str]], currency: str, start_row: int = 1
) -> int:
    """Label / value rows (bold labels), formatted by kind; returns the last row."""
    f = formats(currency)
    row = start_row
    for row, (label, value, kind) in enumerate(rows, start=start_row):
        put(ws, row, 1, label).font = BOLD
        cell = put(ws, row, 2, value, kind)
        if f.get(kind):
            cell.number_format = f[kind]
        cell.alignment = Alignment(horizontal="left", wrap_text=True)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 34)
    ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width or 0, 60)
    return row
