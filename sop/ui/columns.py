"""`st.column_config` of the pages' tables: readable labels, the unit in the label,
whole numbers with thousands separators, months as months; and `fit`, which widens
a column to its longest text (the grid sizes a column by its first rows only)."""

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
# a share shown as the app writes one (23.8 %), its cell holding 23.8: the grid's own
# "percent" format writes 0.238 as 23.80% and cannot put the space before the sign
PERCENT = "%.1f %%"


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


# st.dataframe's grid sizes a column to its header and its first rows only, so a longer
# text further down is cut. `fit` widens such columns to their longest text. Source Sans
# at 14 px (the grid's font), measured in Chromium: capitals 7.9 px on average (W 11),
# digits 7.0, small letters 6.6, so a text is taken at CAPITAL_PX, DIGIT_PX and CHAR_PX
# a character, plus the cell's padding (16 px) and some. A column wider than WIDEST_PX
# keeps that width: its rows must wrap (`WRAP_ROW_PX`) or the text goes elsewhere.
CAPITAL_PX, DIGIT_PX, CHAR_PX, PAD_PX, WIDEST_PX = 8.0, 7.0, 6.7, 20, 480
NAMED_PX = {"small": 75, "medium": 200, "large": 400}  # Streamlit's named widths
WRAP_ROW_PX = 70  # a row taller than 4rem (64 px) wraps its text: three lines
NUMBER_TEXT = {  # how the grid writes a number in a format, at its longest
    "percent": lambda v: f"{100 * v:,.2f}%",
    PERCENT: lambda v: f"{v:,.1f} %",
    "%d": lambda v: f"{v:,.0f}",
    "%,.0f": lambda v: f"{v:,.0f}",
    "%.1f": lambda v: f"{v:,.1f}",
    "%.2f": lambda v: f"{v:,.2f}",
}


def text_px(texts) -> int:
    """The grid width the widest of `texts` needs, padding included (see above)."""

    def px(t: str) -> float:
        return sum(
            CAPITAL_PX if ch.isupper() else DIGIT_PX if ch.isdigit() else CHAR_PX for ch in t
        )

    return round(max((px(str(t)) for t in texts if not pd.isna(t)), default=0.0) + PAD_PX)


def _shown(col: pd.Series, cfg: dict) -> pd.Series | None:
    """The texts the grid shows for `col` under `cfg`, or None when not predictable."""
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        write = NUMBER_TEXT.get(str((cfg.get("type_config") or {}).get("format")))
        return None if write is None else col.dropna().map(write)
    if pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col):
        return col.dropna().astype(str)
    return None


def _as_dict(cfg) -> dict:
    return {"label": cfg} if isinstance(cfg, str) else dict(cfg or {})


def fit(df: pd.DataFrame, config: dict) -> dict:
    """`config` (a `column_config`) with each column of `df` as wide as its label and its
    longest text, when that is wider than set: text columns and numbers in a format of
    `NUMBER_TEXT`; at most `WIDEST_PX`."""
    out = dict(config)
    for c in df.columns:
        if c in out and out[c] is None:  # a hidden column
            continue
        cfg = _as_dict(out.get(c, c))  # no config: the grid shows the column's name
        texts = _shown(df[c], cfg)
        if texts is None:
            continue
        need = max(text_px([cfg.get("label") or c]), text_px(texts))
        have = cfg.get("width")
        have = NAMED_PX.get(have, have) if have is not None else 0
        if need > have:
            out[c] = cfg | {"width": min(need, WIDEST_PX)}
    return out


def too_wide(df: pd.DataFrame, config: dict) -> list[str]:
    """The columns of `df` with a text wider than `WIDEST_PX`: their rows must wrap, or
    the text goes under the grid."""
    return [
        c
        for c in df.columns
        if config.get(c, c) is not None
        and (t := _shown(df[c], _as_dict(config.get(c, c)))) is not None
        and text_px(t) > WIDEST_PX
    ]


def helped(helps: dict[str, str]) -> dict:
    """Text columns (a `column_config`) named as they are, with a help each: column ->
    help, e.g. why some cells read "–" (`sop.scenario.compare.no_price_help`). A help
    is Markdown: its money's "$" is escaped (`fmt.dollars`)."""
    return {c: Text(c, help=fmt.dollars(h)) for c, h in helps.items()}


def labels(config: dict) -> dict[str, str]:
    """Column -> the label a `column_config` gives it."""
    return {c: _as_dict(cfg).get("label") or c for c, cfg in config.items()}


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
    """`sop.data.validate.Report.check_table` (the message shows in the drill-down)."""
    return {
        "check": "Check",
        "table": "Table",
        "status": "Status",
        "count": Number("Rows affected", format="%d"),
    }


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
        "loaded_by": "Loaded by",
        "restored_by": "Last restored by",
        "restored_at": st.column_config.DatetimeColumn(
            "Last restored (UTC)", format="YYYY-MM-DD HH:mm"
        ),
    }


# --- Demand planning (step 2) ---------------------------------------------------------
def demand_rows(df: pd.DataFrame) -> pd.DataFrame:
    """A Demand accuracy table's rows for `demand_columns`: its shares (the columns in
    `PERCENT` there) in percent, 0.12345 -> 12.345 shown as 12.3 %, for the screen only;
    numbers stay numbers, so the columns sort as numbers. Other columns as they are."""
    out = df.copy()
    for c, cfg in demand_columns().items():
        if c in out.columns and (_as_dict(cfg).get("type_config") or {}).get("format") == PERCENT:
            out[c] = 100 * pd.to_numeric(out[c], errors="coerce").astype(float)
    return out


def demand_columns() -> dict:
    """Column labels and units shared by the Demand page's tables (accuracy shares
    through `demand_rows`: 12.3 %)."""
    pct = Number
    return {
        "wape": pct(
            "WAPE (%)",
            format=PERCENT,
            help="sum |forecast - actual| / sum actual over the backtest",
        ),
        "mape": pct(
            "MAPE (%)",
            format=PERCENT,
            help="mean |error| / actual, months with zero demand left out",
        ),
        "bias": pct("Bias (%)", format=PERCENT, help="> 0: over-forecast"),
        "mase": Number(
            "MASE",
            format="%.2f",
            help="error / in-sample seasonal-naive error; < 1 beats seasonal naive",
        ),
        "snaive_wape": pct("Seasonal naive WAPE (%)", format=PERCENT),
        "fva_vs_snaive": pct(
            "FVA vs seasonal naive (%)",
            format=PERCENT,
            help="share of the seasonal-naive error the forecast removes",
        ),
        "wape_statistical": pct("Statistical WAPE (%)", format=PERCENT),
        "wape_consensus": pct("Consensus WAPE (%)", format=PERCENT),
        "fva_consensus": pct(
            "FVA of consensus (%)",
            format=PERCENT,
            help="share of the statistical forecast's error the overrides "
            "removed (< 0: they added error)",
        ),
        "share_overridden": pct("Overridden (% of cells)", format=PERCENT),
        "n_months": Number("History (months)", format="%d"),
        "coverage_80": pct(
            "80 % band coverage (%)",
            format=PERCENT,
            help="share of held-out actuals inside P10-P90; 80 % when calibrated",
        ),
        "held_out_months": Number("Held-out months", format="%d"),
        "mase_snaive": Number(
            "Seasonal naive MASE", format="%.2f", help="the same months forecast by last year's"
        ),
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
    """`sop.scenario.saved.saved_view`."""
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
        "service": Text(
            "Service as approved",
            width="large",
            help="What the approved plan served when it was approved: units and value "
            "left unserved, value shipped late, fill and on-time rates.",
        ),
        "author": "By",
        "note": Text("Note", width="large"),
        "status": "Status",
    }


SHARE = "share"  # a week's share of its month's plan (a fraction in `weekly`)


def soe_weeks() -> dict:
    """`sop.executive.weekly` plan in weeks, as `soe_week_rows` shows it: weeks as the
    chart dates them (02 Nov 2026, a Monday), working days as a count (5, 4.5), the
    share of the month as the app writes a share (23.8 %)."""
    units = {
        "demand": "Demand",
        "production": "Make",
        "subcontracted": "Buy",
        "shipped": "Ship",
    }
    return {
        "week_start": Date("Week (Monday)", format="DD MMM YYYY"),
        "week_end": Date("Last day", format="DD MMM YYYY"),
        schema.MONTH: Date("Month", format="MMM YYYY"),
        schema.SKU: "SKU",
        schema.FAMILY: "Family",
        schema.PLANT: "Plant",
        # no format: a whole number shows bare (5), a part day with its decimals (4.5)
        schema.WORKING_DAYS: Number("Working days"),
        SHARE: Number("Share of the month", format=PERCENT),
    } | {col: Number(f"{label} (units)", format="%,.0f") for col, label in units.items()}


def soe_week_rows(weeks: pd.DataFrame) -> pd.DataFrame:
    """The weekly plan's rows for `soe_weeks`: the share of the month in percent (a
    grid's number format cannot scale 0.238 to 23.8 % with the app's space before the
    sign) and working days to a tenth of a day (5.227 -> 5.2)."""
    out = weeks.copy()
    out[SHARE] = 100 * out[SHARE].astype(float)
    out[schema.WORKING_DAYS] = out[schema.WORKING_DAYS].astype(float).round(1)
    return out


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
