"""`st.column_config` of the pages' tables: readable labels, the unit in the label,
whole numbers with thousands separators, months as months."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sop.core import fmt, schema
from sop.core.xlsx import Spec
from sop.supply.results import PLAN_UNITS

Number = st.column_config.NumberColumn
Text = st.column_config.TextColumn
Date = st.column_config.DateColumn
Made = st.column_config.DatetimeColumn("Made (UTC)", format="YYYY-MM-DD HH:mm")


def columns(
    df: pd.DataFrame,
    currency: str = "",
    money: tuple[str, ...] = (),
    units: tuple[str, ...] = (),
    hours: tuple[str, ...] = (),
) -> dict:
    """Readable labels for every column, with the unit in the label and whole numbers
    with thousands separators for money, units, hours."""
    out: dict = {}
    for c in df.columns:
        if c in money:
            out[c] = Number(f"{fmt.label(c)} ({currency})", format="%,.0f")
        elif c in units:
            out[c] = Number(f"{fmt.label(c)} (units)", format="%,.0f")
        elif c in hours:
            out[c] = Number(f"{fmt.label(c)} (h)", format="%,.0f")
        elif c == schema.MONTH or c.endswith("_month"):
            out[c] = Date(fmt.label(c), format="YYYY-MM")
        else:
            out[c] = fmt.label(c)
    return out


# --- Data gathering (step 1) ----------------------------------------------------------
def data_overview() -> dict:
    """`sop.data.dataview.table_overview`."""
    return {
        "table": "Table",
        "required": "Required",
        "first_month": "First month",
        "last_month": "Last month",
        "months": Number("Months", format="%d"),
        "rows": Number("Rows", format="%d"),
        "meaning": Text("What it holds", width="large"),
    }


def data_checks() -> dict:
    """`sop.data.validate.Report.check_table`."""
    return {"count": Number("rows affected"), "message": Text(width="large")}


def data_versions() -> dict:
    """`sop.store.Store.datasets`."""
    return {
        "version": Number("Version", format="%d"),
        "name": "Name",
        "source": "Loaded from",
        "loaded_at": st.column_config.DatetimeColumn("Loaded (UTC)", format="YYYY-MM-DD HH:mm"),
        "as_of": Date("Actuals up to", format="YYYY-MM"),
        "company": "Company",
        "currency": "Currency",
        "active": "Active",
    }


# --- Demand planning (step 2) ---------------------------------------------------------
def demand_columns() -> dict:
    """Column labels and units shared by the Demand page's tables."""
    pct = Number
    return {
        "wape": pct(
            "WAPE (%)",
            format="percent",
            help="sum |forecast - actual| / sum actual over the backtest",
        ),
        "mape": pct(
            "MAPE (%)",
            format="percent",
            help="mean |error| / actual, months with zero demand left out",
        ),
        "bias": pct("Bias (%)", format="percent", help="> 0: over-forecast"),
        "mase": Number(
            "MASE",
            format="%.2f",
            help="error / in-sample seasonal-naive error; < 1 beats seasonal naive",
        ),
        "snaive_wape": pct("Seasonal naive WAPE (%)", format="percent"),
        "fva_vs_snaive": pct(
            "FVA vs seasonal naive (%)",
            format="percent",
            help="share of the seasonal-naive error the forecast removes",
        ),
        "wape_statistical": pct("Statistical WAPE (%)", format="percent"),
        "wape_consensus": pct("Consensus WAPE (%)", format="percent"),
        "fva_consensus": pct(
            "FVA of consensus (%)",
            format="percent",
            help="share of the statistical forecast's error the overrides "
            "removed (< 0: they added error)",
        ),
        "share_overridden": pct("Overridden (% of cells)", format="percent"),
        "n_months": Number("History (months)", format="%d"),
        "n_series": Number("Series", format="%d"),
        "n_backtested": Number("Series vs seasonal naive", format="%d"),
        "value": Number("Value (units/month or %)", format="%.1f"),
        "created_at": Made,
        "withdrawn_at": "Withdrawn (UTC)",  # text: blank while active
        "start_month": Date("From", format="MMM YYYY"),
        "end_month": Date("To", format="MMM YYYY"),
        "family": "Family",
        "sku": "SKU",
        "region": "Region",
        "method": "Method",
        "flag": "Flag",
        "override_id": Number("#", format="%d"),
        "author": "Author",
        "reason": "Reason",
        "level": "Level",
        "kind": "Change",
        "status": "Status",
        "withdrawn_by": "Withdrawn by",
        "withdraw_note": "Withdrawal note",
    }


# --- Supply planning (step 3) ---------------------------------------------------------
def plan_columns(fp: pd.DataFrame, currency: str) -> dict:
    """`columns` for a supply plan by item and month: units, then money."""
    units = (*PLAN_UNITS, "safety_stock", "below_safety_stock")
    money = tuple(c for c in fp.select_dtypes("number").columns if c not in units)
    return columns(fp, currency, money=money, units=units)


def bottleneck_columns(df: pd.DataFrame, currency: str) -> dict:
    """`columns` for `PlanResult.bottlenecks` and `.shortfalls`."""
    return columns(df, hours=("overtime_hours", "max_overtime_hours")) | {
        "shadow_price": Number(f"Shadow price ({currency})", format="%.2f"),
        "used": Number("Used", format="%,.0f"),
        "limit": Number("Limit", format="%,.0f"),
        "units": Number("Units", format="%,.0f"),
        "lever_cost_per_unit": Number(f"Lever cost ({currency}/unit)", format="%.2f"),
        "lever": Text("Lever", width="large"),
        "why": Text("Why", width="large"),
    }


# --- Scenarios (step 4) and finance ---------------------------------------------------
def saved_scenarios() -> dict:
    """`sop.scenario.compare.saved_view`."""
    return {
        "scenario_id": Number("#", format="%d"),
        "name": Text("Name", width="medium"),
        "description": Text("Description", width="large"),
        "author": Text("Author"),
        "levers": Text("Levers moved", width="large"),
        "created_at": st.column_config.DatetimeColumn("Saved (UTC)", format="YYYY-MM-DD HH:mm"),
        "dataset_version": Number("Data version", format="%d"),
        "archived": st.column_config.CheckboxColumn("Archived"),
    }


def finance_columns(spec: Spec, currency: str) -> dict:
    """Column configs from an export spec (`sop.finance.export`, (column, label, kind))
    for a frame made by `export.screen_table`: money and shares are text there
    (right-aligned; money labelled with the currency code), units and months labelled."""
    formats = {"units": "%,.0f", "int": "%d"}
    out = {}
    for col, label, kind in spec:
        if kind == "month":
            out[col] = Date(label, format="MMM YYYY")
        elif kind == "text":
            out[col] = Text(label, width="large" if col == "note" else None)
        elif kind in ("money", "delta", "pct"):
            out[col] = Text(label if kind == "pct" else f"{label} ({currency})", alignment="right")
        else:
            out[col] = Number(label, format=formats.get(kind))
    return out


# --- Executive S&OP (step 5) ----------------------------------------------------------
def plan_bridge(currency: str) -> dict:
    """`sop.executive.view.ExecView.bridge`: step, amount_text, detail."""
    return {
        "step": "Step",
        "detail": Text("Made of", width="large"),
        "amount_text": Text(f"Gross margin ({currency})", alignment="right"),
    }


def decision_items() -> dict:
    """`sop.executive.records.Records.items`."""
    return {
        "entry_id": Number("#", format="%d"),
        "status": "Status",
        "kind": "Kind",
        "text": Text("What", width="large"),
        "owner": "Owner",
        "due": Date("Due", format="YYYY-MM-DD"),
        "raised_by": "Raised by",
        "closed_note": "How it was closed",
    }


def decision_log() -> dict:
    """`sop.executive.records.Records.log`."""
    return {
        "entry_id": Number("#", format="%d"),
        "made_at": Made,
        "cycle": Date("Cycle", format="MMM YYYY"),
        "entry": Text("Entry", width="large"),
        "author": "By",
        "note": Text("Note", width="large"),
        "status": "Status",
    }


def soe_weeks() -> dict:
    """`sop.executive.weekly` plan in weeks."""
    units = {
        "demand": "Demand",
        "production": "Make",
        "subcontracted": "Buy",
        "shipped": "Ship",
    }
    return {
        "week_start": Date("Week (Monday)", format="YYYY-MM-DD"),
        "week_end": Date("Last day", format="YYYY-MM-DD"),
        schema.MONTH: Date("Month", format="MMM YYYY"),
        schema.SKU: "SKU",
        schema.FAMILY: "Family",
        schema.PLANT: "Plant",
        schema.WORKING_DAYS: Number("Working days", format="%.1f"),
        "share": Number("Share of the month", format="percent"),
    } | {col: Number(f"{label} (units)", format="%,.0f") for col, label in units.items()}


def soe_actuals() -> dict:
    """`sop.executive.records.Records.actuals`: the month's actuals against plan."""
    return {
        schema.SKU: "SKU",
        schema.FAMILY: "Family",
        "planned_demand": Number("Planned demand (units)", format="%,.0f"),
        "planned_shipped": Number("Planned shipments (units)", format="%,.0f"),
        "actual_units": Number("Actual demand (units)", format="%,.0f"),
        "gap_units": Number("Actual - plan (units)", format="%,.0f"),
        "gap_pct": Number("Actual - plan (%)", format="percent"),
    }
