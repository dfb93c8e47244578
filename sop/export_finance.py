"""Finance exports: a formatted Excel workbook and a CSV, both as bytes.

The workbook has one sheet each for the summary, the monthly P&L by family,
budget vs projection, the price-volume-mix bridge, the year-end landing and
inventory. Every sheet has a styled, frozen header row, money in the dataset's
currency format, sized columns and, where sums mean something, a Total row.
The summary names the company, dataset version, scenario and the time made.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sop import fmt
from sop import schema as S
from sop.finance_view import FinanceView

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
TOTAL_BORDER = Border(top=Side(style="thin", color="1B1F24"))
UNITS_FORMAT, PCT_FORMAT, MONTH_FORMAT = "#,##0", "0.0%", "mmm yyyy"
TOTAL = "Total"

# (column, header, kind); kind: money, units, pct, month, int, text
Spec = list[tuple[str, str, str]]
PNL_SPEC: Spec = [
    (S.MONTH, "Month", "month"), (S.FAMILY, "Family", "text"),
    ("demand_units", "Demand (units)", "units"), (S.UNITS, "Served (units)", "units"),
    (S.REVENUE, "Revenue", "money"), ("revenue_p10", "Revenue P10", "money"),
    ("revenue_p90", "Revenue P90", "money"), ("material", "Material", "money"),
    ("conversion", "Conversion, allocated", "money"), ("subcontract", "Subcontract", "money"),
    ("inventory", "Inventory costs", "money"), ("cogs", "Cost of goods", "money"),
    (S.MARGIN, "Gross margin", "money"), ("margin_p10", "Gross margin P10", "money"),
    ("margin_p90", "Gross margin P90", "money"),
    ("budget_revenue", "Budget revenue", "money"), ("budget_margin", "Budget margin", "money")]
BUDGET_SPEC: Spec = [
    (S.MONTH, "Month", "month"), (S.REVENUE, "Projected revenue", "money"),
    ("budget_revenue", "Budget revenue", "money"), ("revenue_gap", "Revenue gap", "money"),
    (S.MARGIN, "Projected margin", "money"), ("budget_margin", "Budget margin", "money"),
    ("margin_gap", "Margin gap", "money"),
    ("cum_revenue", "Cumulative projected revenue", "money"),
    ("cum_budget_revenue", "Cumulative budget revenue", "money"),
    ("cum_revenue_gap", "Cumulative revenue gap", "money"),
    ("cum_margin", "Cumulative projected margin", "money"),
    ("cum_budget_margin", "Cumulative budget margin", "money"),
    ("cum_margin_gap", "Cumulative margin gap", "money")]
BRIDGE_SPEC: Spec = [
    (S.FAMILY, "Family", "text"), ("budget_units", "Budget (units)", "units"),
    (S.UNITS, "Projected (units)", "units"), ("budget_revenue", "Budget revenue", "money"),
    (S.REVENUE, "Projected revenue", "money"), ("budget_margin", "Budget margin", "money"),
    ("volume", "Volume effect", "money"), ("mix", "Mix effect", "money"),
    ("price", "Price effect", "money"), ("cost", "Cost effect", "money"),
    (S.MARGIN, "Projected margin", "money")]
LANDING_SPEC: Spec = [
    ("year", "Fiscal year", "int"), ("budget_months", "Budget months", "int"),
    ("compared_months", "Months compared", "int"), ("actual_months", "Actual months", "int"),
    ("projected_months", "Projected months", "int"),
    ("actual_revenue", "Actual revenue", "money"),
    ("projected_revenue", "Projected revenue", "money"),
    ("landing_revenue", "Landing revenue", "money"),
    ("budget_revenue", "Budget revenue", "money"), ("revenue_gap", "Revenue gap", "money"),
    ("revenue_gap_pct", "Revenue gap (% of budget)", "pct"),
    ("actual_margin", "Actual margin (estimated)", "money"),
    ("projected_margin", "Projected margin", "money"),
    ("landing_margin", "Landing margin", "money"), ("budget_margin", "Budget margin", "money"),
    ("margin_gap", "Margin gap", "money"), ("year_months", "Months known in the year", "int"),
    ("year_revenue", "Year revenue (actuals + projection)", "money"),
    ("year_margin", "Year margin (actuals + projection)", "money"), ("note", "Note", "text")]
INVENTORY_SPEC: Spec = [
    (S.MONTH, "Month", "month"), (S.FAMILY, "Family", "text"),
    ("inventory_units", "Stock at month end (units)", "units"),
    ("inventory_value", "Stock value at cost", "money"),
    ("carrying_cost", "Carrying cost", "money")]


@dataclass(frozen=True)
class ExportMeta:
    """Who and what an export is about (shown on the summary sheet)."""

    company: str
    dataset: str
    version: int
    scenario: str
    levers: str
    currency: str
    as_of: pd.Timestamp | None = None


def file_name(meta: ExportMeta, ext: str) -> str:
    """finance_v<version>_<scenario slug>.<ext>, safe on every file system."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", meta.scenario).strip("-").lower()[:40] or "scenario"
    return f"finance_v{meta.version}_{slug}.{ext}"


def money_format(currency: str) -> str:
    """Excel number format for whole amounts with the currency, e.g. "€"#,##0."""
    sym = fmt.symbol(currency).replace('"', "")
    return f'"{sym}"#,##0;-"{sym}"#,##0'


def pnl_table(view: FinanceView) -> pd.DataFrame:
    """The monthly P&L by family with P10/P90 and budget (the P&L sheet and the CSV).

    Columns: the `PNL_SPEC` columns, in that order.
    """
    bands = view.bands[[S.MONTH, S.FAMILY, "revenue_p10", "revenue_p90", "margin_p10",
                        "margin_p90", "budget_revenue", "budget_margin"]]
    out = view.pnl.merge(bands, on=[S.MONTH, S.FAMILY], how="left")
    return out[[c for c, _, _ in PNL_SPEC]].sort_values([S.MONTH, S.FAMILY],
                                                        ignore_index=True)


def _formats(currency: str) -> dict[str, str | None]:
    return {"money": money_format(currency), "units": UNITS_FORMAT, "pct": PCT_FORMAT,
            "month": MONTH_FORMAT, "int": "0", "text": None}


def _cell_value(v):
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v.item() if hasattr(v, "item") else v


def _write_table(ws: Worksheet, df: pd.DataFrame, spec: Spec, currency: str,
                 total_of: tuple[str, ...] = ()) -> None:
    """Header row 1 (styled, frozen, filtered), data rows, a Total row summing
    `total_of`, number formats by kind and column widths from the content."""
    formats = _formats(currency)
    for j, (col, header, kind) in enumerate(spec, start=1):
        unit = f" ({currency})" if kind == "money" else ""
        cell = ws.cell(row=1, column=j, value=header + unit)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for i, row in enumerate(df[[c for c, _, _ in spec]].itertuples(index=False), start=2):
        for j, ((_, _, kind), v) in enumerate(zip(spec, row), start=1):
            cell = ws.cell(row=i, column=j, value=_cell_value(v))
            if formats[kind]:
                cell.number_format = formats[kind]
    last = len(df) + 1
    if total_of:
        last += 1
        for j, (col, _, kind) in enumerate(spec, start=1):
            value = TOTAL if j == 1 else (float(df[col].sum()) if col in total_of else None)
            cell = ws.cell(row=last, column=j, value=value)
            cell.font, cell.border = TOTAL_FONT, TOTAL_BORDER
            if j > 1 and formats[kind]:
                cell.number_format = formats[kind]
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(spec))}{max(len(df) + 1, 1)}"
    ws.row_dimensions[1].height = 32
    for j, (col, header, kind) in enumerate(spec, start=1):
        longest = {"money": 14, "units": 12, "pct": 9, "month": 10, "int": 6}.get(kind, 0)
        if kind == "text":
            longest = max((len(str(v)) for v in df[col] if isinstance(v, str)), default=0)
        width = max(min(len(header) + 6 if kind == "money" else len(header) + 2, 24), longest)
        ws.column_dimensions[get_column_letter(j)].width = min(width + 2, 60)


def _summary(ws: Worksheet, view: FinanceView, meta: ExportMeta, made_at: datetime) -> None:
    t, cur = view.totals, meta.currency
    rows: list[tuple[str, object, str]] = [
        ("Company", meta.company, "text"), ("Dataset", meta.dataset, "text"),
        ("Dataset version", meta.version, "int"), ("Scenario", meta.scenario, "text"),
        ("Levers moved", meta.levers, "text"),
        ("Actuals up to", fmt.month(meta.as_of) if meta.as_of is not None else "–", "text"),
        ("Currency", cur, "text"), ("Made (UTC)", made_at.strftime("%Y-%m-%d %H:%M"), "text"),
        ("Plan months", view.span, "text"),
        ("Revenue, plan horizon", t.get("revenue"), "money"),
        ("Revenue P10", t.get("revenue_p10"), "money"),
        ("Revenue P90", t.get("revenue_p90"), "money"),
        ("Gross margin, plan horizon", t.get("margin"), "money"),
        ("Gross margin P10", t.get("margin_p10"), "money"),
        ("Gross margin P90", t.get("margin_p90"), "money"),
        ("Gross margin % of revenue", t.get("margin_pct"), "pct"),
        ("Units served, plan horizon", t.get("units"), "units"),
        ("Months compared with budget", t.get("budget_months"), "int"),
        ("Projected revenue, budget months", t.get("revenue_over_budget_months"), "money"),
        ("Budget revenue", t.get("budget_revenue"), "money"),
        ("Revenue gap (projection - budget)", t.get("revenue_gap"), "money"),
        ("Projected margin, budget months", t.get("margin_over_budget_months"), "money"),
        ("Budget margin", t.get("budget_margin"), "money"),
        ("Margin gap (projection - budget)", t.get("margin_gap"), "money")]
    for _, r in view.landing.iterrows():
        rows += [(f"Landing {r['year']} revenue vs budget", r["revenue_gap"], "money"),
                 (f"Landing {r['year']} margin vs budget", r["margin_gap"], "money"),
                 (f"Landing {r['year']}: basis", r["note"], "text")]
    rows += [("Note", n, "text") for n in view.notes]
    frame = pd.DataFrame({"item": [r[0] for r in rows], "value": [None] * len(rows)})
    _write_table(ws, frame, [("item", "Item", "text"), ("value", "Value", "text")], cur)
    formats = _formats(cur)
    for i, (_, value, kind) in enumerate(rows, start=2):
        cell = ws.cell(row=i, column=2, value=_cell_value(value))
        if formats[kind]:
            cell.number_format = formats[kind]
        cell.alignment = Alignment(horizontal="left" if kind == "text" else "right",
                                   wrap_text=kind == "text")
    ws.column_dimensions["B"].width = 70
    ws.auto_filter.ref = None


def workbook(view: FinanceView, meta: ExportMeta, made_at: datetime | None = None) -> bytes:
    """The formatted .xlsx (sheets in the module docstring) as bytes."""
    made_at = made_at or datetime.now(UTC)
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    _summary(ws, view, meta, made_at)
    summed = tuple(c for c, _, k in PNL_SPEC if k in ("money", "units")
                   and not c.endswith(("_p10", "_p90")))
    _write_table(wb.create_sheet("P&L by family"), pnl_table(view), PNL_SPEC, meta.currency,
                 summed)
    _write_table(wb.create_sheet("Budget vs projection"), view.by_month, BUDGET_SPEC,
                 meta.currency, tuple(c for c, _, _ in BUDGET_SPEC[1:7]))
    _write_table(wb.create_sheet("PVM bridge"), view.bridge, BRIDGE_SPEC, meta.currency,
                 tuple(c for c, _, _ in BRIDGE_SPEC[1:]))
    _write_table(wb.create_sheet("Year-end landing"), view.landing, LANDING_SPEC,
                 meta.currency)
    _write_table(wb.create_sheet("Inventory"), view.inventory, INVENTORY_SPEC, meta.currency,
                 ("carrying_cost",))
    wb.properties.creator = "S&OP Studio"
    wb.properties.title = f"{meta.company}: finance, {meta.scenario}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pnl_csv(view: FinanceView, currency: str) -> bytes:
    """The monthly P&L by family (`pnl_table`, months as YYYY-MM, a currency column) as
    UTF-8 CSV bytes."""
    out = pnl_table(view)
    out[S.MONTH] = out[S.MONTH].dt.strftime("%Y-%m")
    out.insert(2, S.CURRENCY, currency)
    return out.to_csv(index=False, float_format="%.2f").encode("utf-8")
