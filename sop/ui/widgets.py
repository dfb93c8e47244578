"""Widgets the pages draw: KPI tiles, flash messages, the data-quality checks, the
Demand page's selection, the Finance page's scenario box, tables and downloads, and
the Executive page's screen styles. Forms are in `sop.ui.forms`. Every widget has a
key namespaced by page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from sop.core.fmt import dollars, safe_md
from sop.core.xlsx import Spec
from sop.data import assumptions as data_assumptions
from sop.data import dataview
from sop.data import report as data_report
from sop.data.validate import Report
from sop.demand import view as demand_view
from sop.finance import export as finance_export
from sop.finance.tiles import Tile
from sop.finance.view import FinanceView
from sop.scenario.levers import Levers
from sop.scenario.wording import escape_md
from sop.supply import view as supply_view
from sop.ui import columns, readers, say, scenario_readers

# A row of tiles wraps to fewer per row when a tile would be narrower than its figure
# (1280x720 with the sidebar open); labels and changes wrap instead of being cut. Notes
# and warnings wrap "pretty": no unit ("%", "pp") alone on their last line.
TILE_CSS = """<style>
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]){
flex-wrap:wrap}
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
> [data-testid="stColumn"]{min-width:11rem}
[data-testid="stMetricLabel"] .stMarkdownEllipsis,[data-testid="stMetricLabel"] p,
[data-testid="stMetricDelta"] .stMarkdownEllipsis,[data-testid="stMetricDelta"] div,
[data-testid="stMetricDelta"] p{
white-space:normal;overflow-wrap:anywhere}
[data-testid="stMetricValue"]{font-size:clamp(1.6rem,2.1vw,2.25rem)}
[data-testid="stCaptionContainer"] p,[data-testid="stAlert"] p{text-wrap:pretty}
</style>"""


def dollar_cells(df: pd.DataFrame) -> pd.DataFrame:
    """`df` for `st.table`, which renders each cell (and the index and column labels) as
    Markdown: every text's "$" escaped (`dollars`), so a cell with two dollar amounts
    ("overtime costs $15/h extra, more than the $4.42 an hour adds") is not LaTeX.
    Not for `st.dataframe`: a grid shows "$" as it is."""

    def esc(v: object) -> object:
        return dollars(v) if isinstance(v, str) else v

    return df.map(esc).rename(index=esc, columns=esc)


def tile_style() -> None:
    """Rows of tiles on this page wrap rather than cut their figures (`TILE_CSS`)."""
    st.html(TILE_CSS)


def tiles(row: Sequence[Tile]) -> None:
    """One row of bordered KPI tiles (`sop.finance.tiles`), each with its notes under it
    (one caption, a line each; a warning each when the tile warns); the row wraps to
    fewer tiles on a narrow screen (`TILE_CSS`). Label, value, delta, help and notes
    are Markdown: their money's "$" is escaped (`dollars`), never read as LaTeX."""
    tile_style()
    for box, tile in zip(st.columns(len(row)), row):
        box.metric(
            dollars(tile.label),
            dollars(tile.value),
            dollars(tile.delta) if tile.delta else tile.delta,
            delta_color=tile.delta_color,
            delta_arrow=tile.delta_arrow,
            help=dollars(tile.help) if tile.help else tile.help,
            border=True,
        )
        with box:
            if tile.warn:
                for note in tile.notes:
                    say.warning(note)
            elif tile.notes:  # one caption, a line per note: a row of tiles stays compact
                say.caption("  \n".join(tile.notes))


RESET = "_ui_reset"  # {widget key: value} a save asked for: `show_flash` / `fresh` apply it


def flash(key: str, message: str, clear: Mapping[str, object] | None = None) -> None:
    """Rerun the page and show `message` (a success) on it once: after a write. Each
    widget keyed in `clear` gets the value given there before it is drawn again
    (`show_flash`, else `fresh`), so a saved form comes back empty and a second press
    of its button (Enter, then a click) sends the empty form, not the saved item again.
    A refused form keeps what was typed, so nothing is lost or silently reset."""
    if clear:
        st.session_state[RESET] = {**st.session_state.get(RESET, {}), **clear}
    st.session_state[key] = message
    st.rerun()


def fresh(keys: Iterable[str]) -> None:
    """Call before a form's widgets are drawn: each widget of `keys` that a `flash`
    asked to clear takes its value. (Setting a widget's session-state value before it
    is drawn is the one way that reaches the browser, and it wins over the values a
    rerun request brings; removing the key does neither.)"""
    pending = st.session_state.get(RESET) or {}
    for k in keys:
        if k in pending:
            st.session_state[k] = pending.pop(k)


def show_flash(key: str) -> None:
    """The message `flash` left under `key`, if any; and the widgets a `flash` asked to
    clear take their values (one already drawn in this run waits for its `fresh`)."""
    pending = st.session_state.get(RESET) or {}
    for k in list(pending):
        try:
            st.session_state[k] = pending[k]
        except StreamlitAPIException:
            continue
        del pending[k]
    if message := st.session_state.pop(key, None):
        say.success(message)


# --- Data gathering (step 1) ----------------------------------------------------------
# the cell colour of a check's status (WCAG AA text); the status also reads as a mark
# and a word (`sop.data.report.status_text`)
STATUS_STYLE = {
    "pass": "background-color: #EAF2EA; color: #1E5631",
    "warning": "background-color: #FCE9C8; color: #7A4B00",
    "fail": "background-color: #F6D5D9; color: #8A1C2B",
}


SUPPLY_TOPICS = (data_assumptions.CAPACITY, data_assumptions.INVENTORY)
FINANCE_TOPICS = (data_assumptions.PRICES, data_assumptions.BUDGET)


def assumptions_note(path: str, version: int, topics: tuple[str, ...] | None = None) -> None:
    """What the dataset leaves out and what is assumed instead
    (`sop.data.assumptions`), as a short info list; nothing for a complete dataset.
    `topics` picks the ones that matter on a page (None: all, for the Data page)."""
    said = readers.assumptions(path, version, topics)
    if said:
        st.info(
            "**Assumed where the data is silent**\n" + "\n".join(f"- {escape_md(s)}" for s in said),
            icon=":material/rule:",
        )


def overview_table(overview: pd.DataFrame) -> None:
    """The Data page's tables (`sop.data.dataview.table_overview`) and what each holds,
    as a table whose descriptions wrap (a grid column would cut them at 1280x720)."""
    shown = overview.assign(
        required=overview["required"].map({True: "required", False: "optional"}),
        rows=[f"{n:,}" for n in overview["rows"]],
        months=[f"{n:,}" for n in overview["months"]],
    )
    st.table(
        dollar_cells(shown.rename(columns=columns.labels(columns.data_overview()))),
        hide_index=True,
    )


def status_style(text: str) -> str:
    """The CSS of a status cell as shown ("✖ fail"), by its word."""
    return STATUS_STYLE.get(str(text).split(" ")[-1], "")


def quality_checks(report: Report) -> None:
    """The Data page's checks: how many pass, warn and fail, every check marked and
    coloured by its status, and a drill-down into a flagged check's findings (its
    message, which would be cut in the grid) and examples."""
    checks = report.check_table()
    counts = checks["status"].value_counts()
    st.caption(
        f"{counts.get('pass', 0)} checks pass · {counts.get('warning', 0)} with "
        f"warnings · {counts.get('fail', 0)} failed"
    )
    marked = checks.assign(status=checks["status"].map(data_report.status_text))
    shown = marked.style.map(status_style, subset=["status"])
    st.dataframe(
        shown,
        hide_index=True,
        key="data_checks_table",
        column_order=("check", "table", "status", "count"),
        column_config=columns.fit(marked, columns.data_checks()),
    )
    flagged = checks[checks["status"] != "pass"]
    if flagged.empty:
        return
    pick = st.selectbox(
        "Drill down into a check",
        flagged.index,
        key="data_drill",
        format_func=lambda i: f"{checks.at[i, 'table']}: {checks.at[i, 'check']}",
    )
    for f in report.findings:
        if (f.check, f.table) == (checks.at[pick, "check"], checks.at[pick, "table"]):
            show = st.warning if f.severity == "warning" else st.error
            show(safe_md(f.message))  # names typed in the data show as typed
            if f.examples is not None and len(f.examples):
                st.dataframe(dataview.months_as_text(f.examples), hide_index=True)


# --- Demand planning (step 2) ---------------------------------------------------------
ALL = "(all)"


def demand_picker(products: pd.DataFrame, sales: pd.DataFrame) -> tuple:
    """The Demand page's selection: (family, sku, region), None for all."""
    c, chosen = st.columns(3), (lambda v: None if v == ALL else v)
    fams, _, regions = demand_view.picker_options(products, sales, None)
    family = chosen(c[0].selectbox("Family", [ALL, *fams], key="dem_family"))
    skus = demand_view.picker_options(products, sales, family)[1]
    sku = c[1].selectbox("SKU", [ALL, *skus], key="dem_sku")
    region = c[2].selectbox("Region", [ALL, *regions], key="dem_region")
    return family, chosen(sku), chosen(region)


# --- Supply planning (step 3) ---------------------------------------------------------
def bottleneck_table(bottlenecks: pd.DataFrame, currency: str) -> None:
    """The binding limits as a table whose lever sentences wrap (a grid cuts them), the
    first `SHOWN`; all of them in a grid under it when there are more."""
    st.table(
        dollar_cells(supply_view.bottleneck_text(bottlenecks.head(supply_view.SHOWN), currency))
    )
    if len(bottlenecks) > supply_view.SHOWN:
        with st.expander(f"All {len(bottlenecks)} binding limits (grid)"):
            config = columns.fit(bottlenecks, columns.bottleneck_columns(bottlenecks, currency))
            st.dataframe(
                bottlenecks,
                hide_index=True,
                key="sup_bottlenecks",
                column_order=supply_view.GRID_COLUMNS,
                column_config=config,
                row_height=columns.WRAP_ROW_PX,
            )


# --- Scenarios (step 4) and finance ---------------------------------------------------
def finance_pick(path: str, version: int) -> tuple[str, Levers]:
    """The Finance page's scenario box: baseline or a saved scenario, opening on the
    cycle's plan of record (marked ✔) when there is one. Returns (label, levers)."""
    choices = scenario_readers.finance_scenarios(path)
    labels = {i: n if i == 0 else f"#{i} {n}" for i, (n, _) in choices.items()}
    log_stamp = scenario_readers.exe_log_stamp(path)
    approved = scenario_readers.exe_records(path, version, log_stamp).approved
    por = int(approved["scenario_id"]) if approved is not None else None
    sid = st.columns([2, 3])[0].selectbox(
        "Scenario",
        list(choices),
        key="fin_scenario",
        index=list(choices).index(por) if por in choices else 0,
        format_func=lambda i: labels[i] + (" ✔ plan of record" if i == por else ""),
        help="The baseline or a scenario saved on the Scenarios page (#id: names can "
        "repeat); planned under the plan settings of record. ✔ marks the cycle's plan of "
        "record.",
    )
    return labels[sid], choices[sid][1]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_table(df: pd.DataFrame, spec: Spec, currency: str, key: str) -> None:
    """A Finance table as the export shows it (`sop.finance.export.screen_table`), every
    column as wide as its text; a note too long for a column is written under the
    grid, one line per row (named by the row's first cell)."""
    shown = finance_export.screen_table(df, spec, currency)
    config = columns.fit(shown, columns.finance_columns(spec, currency))
    prose = columns.too_wide(shown, config)
    st.dataframe(
        shown,
        hide_index=True,
        key=key,
        column_order=[c for c in shown.columns if c not in prose],
        column_config=config,
    )
    first = spec[0][1]
    for c in prose:
        st.caption(
            "  \n".join(
                escape_md(t if t.startswith(str(k)) else f"{first} {k}: {t}")
                for k, t in zip(shown.iloc[:, 0], shown[c])
                if isinstance(t, str) and t
            )
        )


def finance_downloads(view: FinanceView, meta: finance_export.ExportMeta) -> None:
    """The Finance page's downloads: the Excel workbook and the monthly P&L as CSV."""
    c = st.columns([1, 1, 3])
    c[0].download_button(
        "Excel workbook",
        data=lambda: finance_export.workbook(view, meta),
        file_name=finance_export.file_name(meta, "xlsx"),
        mime=XLSX,
        key="fin_xlsx",
        on_click="ignore",
        icon=":material/table_view:",
        help="Summary, monthly P&L by family, budget vs projection, "
        "price-volume-mix bridge, year-end landing, cash to P&L and inventory.",
    )
    c[1].download_button(
        "CSV (monthly P&L)",
        data=lambda: finance_export.pnl_csv(view, meta.currency),
        file_name=finance_export.file_name(meta, "csv"),
        mime="text/csv",
        key="fin_csv",
        on_click="ignore",
        icon=":material/download:",
    )


# --- Executive S&OP (step 5) ----------------------------------------------------------
COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"]{padding-top:1.6rem;padding-bottom:1rem}
[data-testid="stMainBlockContainer"] h1{padding-top:0.2rem;padding-bottom:0.2rem}
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"]{font-size:1.9rem}
</style>"""
PRESENT_CSS = """<style>
section[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"]{display:none !important}
[data-testid="stMainBlockContainer"]{padding-top:0.8rem;max-width:100%}
[data-testid="stAppViewContainer"] p,[data-testid="stAppViewContainer"] li,
[data-testid="stCaptionContainer"]{font-size:1.2rem !important}
[data-testid="stAppViewContainer"] [data-testid="stMetricValue"] *{font-size:2.7rem !important}
[data-testid="stAppViewContainer"] [data-testid="stMetricLabel"] p{font-size:1.25rem !important}
[data-testid="stMetricDelta"] div{font-size:1.05rem !important}
h1{font-size:2.4rem !important}
[data-testid="stTable"] th,[data-testid="stTable"] td{font-size:1.15rem !important}
</style>"""


def meeting_style(present: bool) -> None:
    """The Executive page's screen: compact, or for a shared screen (larger fonts, no
    sidebar)."""
    st.html(PRESENT_CSS if present else COMPACT_CSS)
