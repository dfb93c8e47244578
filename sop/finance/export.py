"""Finance exports: a formatted Excel workbook and a CSV, both as bytes.

The workbook has one sheet each for the summary, the monthly P&L by family (at
standard cost, variances as their own columns), the revenue ranges by family over the
horizon with each family's chance of meeting the budget beside its budget and its
P10 / P50 / P90 over the budget's months (no Total row: quantiles do not add up;
`budget_odds.ranges_with_odds`), budget vs projection, the
price-volume-mix bridge, the year-end landing, the cash-to-P&L reconciliation and
inventory. Every sheet has a styled, frozen header row, money in the dataset's
currency format, sized columns and, where sums mean something, a Total row.
The summary names the company, dataset version, scenario and the time made, a short
plan's service shortfall (`sop.finance.service_line.plan_line`, as the meeting pack's
Summary says it), and beside the revenue gap to budget its demand-and-price and supply
parts (as the Budget tab splits it: `sop.finance.view.budget_split`), with the Budget
tab's sentence when supply is a real part of a gap below budget, and the chance of
meeting the budget revenue and gross margin in total over the plan's demand outcomes,
with the budget and the P10 / P50 / P90 over the same months (`budget_odds`, as the
Budget tab says it).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sop.core import csvout, fmt, schema
from sop.core.xlsx import TOTAL, Spec, budget_part, formats, money_format, write_pairs, write_table
from sop.finance import budget_odds, stock
from sop.finance.service_line import plan_line
from sop.finance.view import FinanceView

MONTH_FORMAT = formats("EUR")["month"]
__all__ = ["TOTAL", "money_format", "workbook", "pnl_csv", "file_name", "ExportMeta"]
PNL_SPEC: Spec = [
    (schema.MONTH, "Month", "month"),
    (schema.FAMILY, "Family", "text"),
    ("demand_units", "Demand (units)", "units"),
    (schema.UNITS, "Sold (units)", "units"),
    (schema.REVENUE, "Revenue", "money"),
    ("revenue_p10", "Revenue P10", "money"),
    ("revenue_p90", "Revenue P90", "money"),
    ("standard_cost", "Standard cost of sales", "money"),
    ("standard_margin", "Margin at standard", "money"),
    ("idle_time", "Idle time", "money"),
    ("overtime_premium", "Overtime premium", "money"),
    ("hiring", "Hiring", "money"),
    ("layoffs", "Layoffs", "money"),
    ("subcontract_variance", "Subcontract price variance", "money"),
    ("added_capacity", "Added capacity", "money"),
    ("cogs", "Cost of goods (standard + variances)", "money"),
    ("holding", "Holding", "money"),
    ("backlog", "Backlog", "money"),
    ("promotion", "Promotion", "money"),
    (schema.MARGIN, "Gross margin", "money"),
    ("margin_p10", "Gross margin P10", "money"),
    ("margin_p90", "Gross margin P90", "money"),
    ("budget_revenue", "Budget revenue", "money"),
    ("budget_margin", "Budget margin", "money"),
    ("stock_change", "Stock change at standard (+ built)", "money"),
    ("cash_margin", "Cash margin (gross margin - stock change)", "money"),
]
RECONCILIATION_SPEC: Spec = [
    ("step", "Over the plan horizon", "text"),
    ("amount", "Amount", "money"),
]
BUDGET_SPEC: Spec = [
    (schema.MONTH, "Month", "month"),
    (schema.REVENUE, "Projected revenue", "money"),
    ("budget_revenue", "Budget revenue", "money"),
    ("revenue_gap", "Revenue gap", "delta"),
    ("demand_gap", "Of which demand and price (orders at plan prices - budget)", "delta"),
    ("supply_gap", "Of which supply (revenue - orders at plan prices)", "delta"),
    (schema.MARGIN, "Projected margin", "money"),
    ("budget_margin", "Budget margin", "money"),
    ("margin_gap", "Margin gap", "delta"),
    ("cum_revenue", "Cumulative projected revenue", "money"),
    ("cum_budget_revenue", "Cumulative budget revenue", "money"),
    ("cum_revenue_gap", "Cumulative revenue gap", "delta"),
    ("cum_margin", "Cumulative projected margin", "money"),
    ("cum_budget_margin", "Cumulative budget margin", "money"),
    ("cum_margin_gap", "Cumulative margin gap", "delta"),
]
# the Budget tab's split of the revenue gap by family (`view.budget_split`, Total row in)
SPLIT_SPEC: Spec = [
    (schema.FAMILY, "Family", "text"),
    ("budget_revenue", "Budget revenue", "money"),
    ("order_value", "Orders at plan prices", "money"),
    (schema.REVENUE, "Revenue", "money"),
    ("revenue_gap", "Gap to budget", "delta"),
    ("demand_gap", "Of which demand and price", "delta"),
    ("supply_gap", "Of which supply", "delta"),
]
BRIDGE_SPEC: Spec = [
    (schema.FAMILY, "Family", "text"),
    ("budget_units", "Budget (units)", "units"),
    (schema.UNITS, "Projected (units)", "units"),
    ("budget_revenue", "Budget revenue", "money"),
    (schema.REVENUE, "Projected revenue", "money"),
    ("budget_margin", "Budget margin", "money"),
    ("volume", "Volume effect", "delta"),
    ("mix", "Mix effect", "delta"),
    ("price", "Price effect", "delta"),
    ("cost", "Cost effect", "delta"),
    (schema.MARGIN, "Projected margin", "money"),
]
LANDING_SPEC: Spec = [
    ("year", "Fiscal year", "int"),
    ("actual_months", "Actual months", "int"),
    ("projected_months", "Projected months", "int"),
    ("actual_revenue", "Actual revenue", "money"),
    ("projected_revenue", "Projected revenue", "money"),
    ("landing_revenue", "Landing revenue (actuals + projection)", "money"),
    ("budget_months", "Budget months", "int"),
    ("compared_months", "Months compared with budget", "int"),
    ("compared_revenue", "Landing revenue, budget months", "money"),
    ("budget_revenue", "Budget revenue", "money"),
    ("revenue_gap", "Revenue gap (landing - budget)", "delta"),
    ("revenue_gap_pct", "Revenue gap (% of budget)", "pct"),
    ("actual_margin", "Actual margin (estimated)", "money"),
    ("projected_margin", "Projected margin", "money"),
    ("landing_margin", "Landing margin (actuals + projection)", "money"),
    ("compared_margin", "Landing margin, budget months", "money"),
    ("budget_margin", "Budget margin", "money"),
    ("margin_gap", "Margin gap (landing - budget)", "delta"),
    ("note", "Note", "text"),
]
INVENTORY_SPEC: Spec = stock.STOCK_SPEC  # as the Finance page's Inventory tab shows it


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


def slug(name: str) -> str:
    """A file-name-safe slug that keeps the meaning of signs: "Demand +10%" ->
    "demand-plus10", "Price -5% Alpha" -> "price-minus5-alpha" (a hyphen between
    words stays a separator)."""
    text = re.sub(r"\+", " plus ", re.sub(r"\+(?=\d)", " plus", name))
    text = re.sub(r"(^|[\s(\[])[-\u2212](?=\d)", r"\1 minus", text).replace("\u2212", "-")
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40].strip("-") or "scenario"


def file_name(meta: ExportMeta, ext: str) -> str:
    """finance_v<version>_<scenario slug>.<ext> (`slug`), safe on every file system."""
    return f"finance_v{meta.version}_{slug(meta.scenario)}.{ext}"


def screen_table(df: pd.DataFrame, spec: Spec, currency: str) -> pd.DataFrame:
    """The `spec` columns of `df` for a screen table: money as exact text by
    `sop.fmt.money` (-€25,508: the sign before the symbol, which a number column's
    format cannot do; – for blanks), changes of money signed by `fmt.money_delta`,
    shares as text by `sop.fmt.pct`; other columns unchanged."""
    out = df[[c for c, _, _ in spec]].copy()
    for col, _, kind in spec:
        if kind in ("money", "delta"):
            f = fmt.money if kind == "money" else fmt.money_delta
            out[col] = [f(v, currency, compact=False) for v in out[col]]
        elif kind == "pct":
            out[col] = [fmt.pct(v) for v in out[col]]
    return out


def pnl_table(view: FinanceView) -> pd.DataFrame:
    """The monthly P&L by family with P10/P90 and budget (the P&L sheet and the CSV).

    Columns: the `PNL_SPEC` columns, in that order.
    """
    bands = view.bands[
        [
            schema.MONTH,
            schema.FAMILY,
            "revenue_p10",
            "revenue_p90",
            "margin_p10",
            "margin_p90",
            "budget_revenue",
            "budget_margin",
        ]
    ]
    out = view.pnl.merge(bands, on=[schema.MONTH, schema.FAMILY], how="left")
    return out[[c for c, _, _ in PNL_SPEC]].sort_values(
        [schema.MONTH, schema.FAMILY], ignore_index=True
    )


def _label(column: str) -> str:
    """The Budget vs projection sheet's header of `column` (one wording per figure)."""
    return next(label for c, label, _ in BUDGET_SPEC if c == column)


def _summary(ws: Worksheet, view: FinanceView, meta: ExportMeta, made_at: datetime) -> None:
    t, cur = view.totals, meta.currency
    rows: list[tuple[str, object, str]] = [
        ("Company", meta.company, "text"),
        ("Dataset", meta.dataset, "text"),
        ("Dataset version", meta.version, "int"),
        ("Scenario", meta.scenario, "text"),
        ("Levers moved", meta.levers, "text"),
        ("Actuals up to", fmt.month(meta.as_of) if meta.as_of is not None else "–", "text"),
        ("Currency", cur, "text"),
        ("Made (UTC)", made_at.strftime("%Y-%m-%d %H:%M"), "text"),
        ("Plan months", view.span, "text"),
        ("Booking convention", view.convention, "text"),
        # a short plan says so first, as the meeting pack's Summary does
        *(
            [("Service shortfall", short, "text")]
            if (short := plan_line(view.kpis, cur, view.kpi_ranges))
            else []
        ),
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
        ("Revenue gap (projection - budget)", t.get("revenue_gap"), "delta"),
        (_label("demand_gap"), t.get("demand_gap"), "delta"),
        (_label("supply_gap"), t.get("supply_gap"), "delta"),
        ("Projected margin, budget months", t.get("margin_over_budget_months"), "money"),
        ("Budget margin", t.get("budget_margin"), "money"),
        ("Margin gap (projection - budget)", t.get("margin_gap"), "delta"),
    ]
    for _, r in view.landing.iterrows():
        rows += [
            (f"Landing {r['year']} revenue (actuals + projection)", r["landing_revenue"], "money"),
            (f"Landing {r['year']} revenue vs budget", r["revenue_gap"], "delta"),
            (f"Landing {r['year']} margin vs budget", r["margin_gap"], "delta"),
            (f"Landing {r['year']}: basis", r["note"], "text"),
        ]
    if len(view.odds):  # the total's chances and, beside them, the figures over the same
        # months, as the Revenue ranges sheet heads them
        total = view.odds.iloc[-1]
        rows += [(label, total[c], kind) for c, label, kind in budget_odds.BUDGET_MONTHS_SPEC]
    rows += [("Note", n, "text") for n in view.notes]
    said = budget_odds.odds_lines(view.odds, view.n_paths, cur)
    rows += [("Note", line, "text") for line in said]
    if supply := view.split_text(cur):  # the Budget tab's
        rows += [("Note", supply, "text")]
    write_pairs(ws, rows, cur)


def workbook(view: FinanceView, meta: ExportMeta, made_at: datetime | None = None) -> bytes:
    """The formatted .xlsx (sheets in the module docstring) as bytes."""
    made_at = made_at or datetime.now(UTC)
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    _summary(ws, view, meta, made_at)
    summed = tuple(
        c for c, _, k in PNL_SPEC if k in ("money", "units") and not c.endswith(("_p10", "_p90"))
    )
    pnl = pnl_table(view)
    write_table(
        wb.create_sheet("P&L by family"),
        pnl,
        PNL_SPEC,
        meta.currency,
        summed,
        part=budget_part(pnl, ("budget_revenue", "budget_margin")),
    )
    write_table(
        wb.create_sheet("Revenue ranges"),
        budget_odds.ranges_with_odds(view.ranges, view.odds),
        budget_odds.RANGE_ODDS_SPEC,
        meta.currency,
    )
    write_table(
        wb.create_sheet("Budget vs projection"),
        view.by_month,
        BUDGET_SPEC,
        meta.currency,
        tuple(c for c, _, _ in BUDGET_SPEC[1:] if not c.startswith("cum_")),
    )
    write_table(
        wb.create_sheet("PVM bridge"),
        view.bridge,
        BRIDGE_SPEC,
        meta.currency,
        tuple(c for c, _, _ in BRIDGE_SPEC[1:]),
    )
    write_table(wb.create_sheet("Year-end landing"), view.landing, LANDING_SPEC, meta.currency)
    write_table(
        wb.create_sheet("Cash to P&L"), view.reconciliation, RECONCILIATION_SPEC, meta.currency
    )
    write_table(
        wb.create_sheet("Inventory"),
        view.inventory,
        INVENTORY_SPEC,
        meta.currency,
        ("carrying_cost", "built_ahead_holding"),
    )
    wb.properties.creator = "S&OP Studio"
    wb.properties.title = f"{meta.company}: finance, {meta.scenario}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pnl_csv(view: FinanceView, currency: str) -> bytes:
    """The monthly P&L by family (`pnl_table`, months as YYYY-MM, a currency column) as
    UTF-8 CSV bytes."""
    out = pnl_table(view)
    out[schema.MONTH] = out[schema.MONTH].dt.strftime("%Y-%m")
    out.insert(2, schema.CURRENCY, currency)
    return csvout.csv_bytes(out, float_format="%.2f")
