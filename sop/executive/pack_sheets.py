"""The meeting pack's table sheets: what each sheet holds (its columns, `*_SPEC`) and
the frames behind them (demand, supply, finance by family and month; the revenue ranges
by family with the chance of meeting the budget; the board, the decision log, the risks,
the margin bridge, the S&OE weeks), and the line under a sheet whose money is blank
because a price is missing, or that says what its ranges are. `sop.executive.pack` puts them with
the Summary and the S&OP grids into the workbook and the HTML report.
"""

from __future__ import annotations

import re

import pandas as pd

from sop.core import schema
from sop.core.xlsx import ROW, Spec, budget_part
from sop.demand.plan import SOURCE_LOADED
from sop.executive import view as exec_view
from sop.finance import budget_odds, family_range, grid_excel
from sop.finance import export as finance_export
from sop.finance import grid as sop_grid
from sop.finance.catalogue import KPI_BY_KEY
from sop.finance.kpis import priced
from sop.finance.range_text import is_point, range_help

DEMAND_SPEC: Spec = [
    (schema.MONTH, "Month", "month"),
    (schema.FAMILY, "Family", "text"),
    (schema.FORECAST_UNITS, "Statistical forecast, P50 (units)", "units"),
    (schema.UNITS, "Consensus demand (units)", "units"),
    ("override_units", "Consensus - statistical (units)", "units"),
    ("plan_units", "Plan on the table: demand (units)", "units"),
    ("lever_units", "Plan - consensus, levers (units)", "units"),
]
SUPPLY_SPEC: Spec = [
    (schema.MONTH, "Month", "month"),
    (schema.FAMILY, "Family", "text"),
    (schema.PLANT, "Plant", "text"),
    ("demand", "Demand (units)", "units"),
    ("production", "Made in-house (units)", "units"),
    ("subcontracted", "Subcontracted (units)", "units"),
    ("shipped", "Served (units)", "units"),
    ("lost_sales", "Lost sales (units)", "units"),
    ("backlog", "Backlog, month end (units)", "units"),
    ("inventory", "Stock, month end (units)", "units"),
]
PNL_BELOW_COGS = ("holding", "backlog", "promotion")  # `statement.family_pnl`'s other costs
FINANCE_SPEC: Spec = [
    (schema.MONTH, "Month", "month"),
    (schema.FAMILY, "Family", "text"),
    ("units", "Sold (units)", "units"),
    (schema.REVENUE, "Revenue", "money"),
    ("standard_cost", "Standard cost of sales", "money"),
    ("variances", "Production variances", "money"),
    ("cogs", "Cost of goods", "money"),
    # the costs between cost of goods and gross margin, headed as the Finance page's P&L
    # export heads them: revenue - cogs - holding - backlog - promotion = gross margin
    *(c for c in finance_export.PNL_SPEC if c[0] in PNL_BELOW_COGS),
    (schema.MARGIN, "Gross margin", "money"),
    ("budget_revenue", "Budget revenue", "money"),
    ("budget_margin", "Budget margin", "money"),
]
SCENARIO_SPEC: Spec = [
    ("plan", "Plan", "text"),
    ("revenue", "Revenue", "money"),
    ("gross_margin", "Gross margin", "money"),
    ("margin_vs_budget", "Margin vs budget (budget months)", "delta"),
    ("fill_rate", "Fill rate", "pct"),
    ("on_time_rate", "On-time fill rate", "pct"),
    ("late_value", "Late deliveries (value)", "money"),
    ("lost_units", "Lost sales (units)", "units"),
    ("lost_value", "Lost sales (value)", "money"),
    ("ending_inventory_value", "Inventory value (end)", "money"),
    ("avg_utilisation", "Line utilisation (avg)", "pct"),
]
DECISION_SPEC: Spec = [
    ("entry_id", "#", "int"),
    ("made_at", "Made (UTC)", "datetime"),
    ("cycle", "Cycle", "month"),
    ("entry", "Entry", "text"),
    # what each approved plan serves, from its snapshot (`records.log_service`)
    ("service", "Service as approved", "text"),
    ("author", "By", "text"),
    ("note", "Note", "text"),
    ("status", "Status", "text"),
]
RISK_SPEC: Spec = [
    ("kind", "Risk or opportunity", "text"),
    ("category", "Category", "text"),
    ("subject", "Subject", "text"),
    ("when", "When", "text"),
    ("money", "Gross margin at stake", "delta"),
    ("what", "What", "text"),
]
BRIDGE_SPEC: Spec = [
    ("step", "Step", "text"),
    ("amount", "Gross margin", ROW),
    ("kind", "Kind", "text"),
    ("detail", "Made of", "text"),
]
WEEK_SPEC: Spec = [
    ("week_start", "Week (Monday)", "date"),
    ("week_end", "Last day", "date"),
    (schema.MONTH, "Month", "month"),
    (schema.SKU, "SKU", "text"),
    (schema.FAMILY, "Family", "text"),
    (schema.PLANT, "Plant", "text"),
    (schema.WORKING_DAYS, "Working days", "num"),
    ("production", "Make (units)", "units"),
    ("subcontracted", "Buy (units)", "units"),
    ("shipped", "Ship (units)", "units"),
    ("demand", "Demand (units)", "units"),
]
# figures as numbers (money or % per row), then the comparisons as the screen words them
HEADLINE_SPEC: Spec = [
    ("label", "KPI", "text"),
    ("value", "Plan on the table", ROW),
    ("vs_budget", "Against budget", ROW),
    ("vs_previous", "Against the previous plan of record", ROW),
    ("vs_baseline", "Against the baseline", ROW),
    ("vs_budget_text", "Budget comparison", "text"),
    ("vs_previous_text", "Previous plan comparison", "text"),
    ("vs_baseline_text", "Baseline comparison", "text"),
    ("range_text", "Range through the constrained plan", "text"),
    ("detail", "Limits that bind most", "text"),
]

# why money cells are blank in a pack made without prices (the demo has them all)
NO_PRICE = (
    "No price loaded for some SKUs: the money that needs a price (revenue, gross margin, "
    "late deliveries, lost sales, margin at stake) is blank in this pack (– on screen): "
    "unknown, not 0. "
    "Add list_price to the products table, or revenue to sales."
)
# per table sheet: the columns that are blank when a price is missing
NEEDS_PRICE = {
    "Finance": (schema.REVENUE, schema.MARGIN),
    "Scenarios": ("revenue", "gross_margin", "late_value", "lost_value"),
    "Risks": ("money",),
}


# a headline KPI's unit (`KPI_BY_KEY`) -> (the cell kind of its value, of its changes)
HEADLINE_KINDS = {
    "money": ("money", "delta"),
    "pct": ("pct", "pct_delta"),
    "units": ("units", "units"),
    "limit-months": ("units", "units"),
}


def headline_table(headline: pd.DataFrame) -> pd.DataFrame:
    """`ExecView.headline` with the `<column>_kind` columns `HEADLINE_SPEC` reads (by
    `HEADLINE_KINDS`): money KPIs as money and their changes as signed money, rates as
    % and signed %, counts (late units, binding limit-months) as whole numbers."""
    kinds = headline["key"].map(lambda k: HEADLINE_KINDS[KPI_BY_KEY[k].unit])
    value, change = kinds.str[0], kinds.str[1]
    out = headline.assign(
        value_kind=value, vs_budget_kind=change, vs_previous_kind=change, vs_baseline_kind=change
    )
    return out if "detail" in out else out.assign(detail="")


def range_sentence(headline: pd.DataFrame) -> str:
    """What the P10-P90 beside the headline figures is and how it is made, as the
    Scenarios Risk tab says it (`range_text.range_help`, plain text; why it is a point
    where every range is); '' where no figure has a range."""
    ranged = headline[headline["range_text"].astype(bool)]
    if ranged.empty:
        return ""
    flat = all(is_point(lo, hi) for lo, hi in zip(ranged["p10"], ranged["p90"]))
    return range_help(flat, plain=True)


def range_notes(view: exec_view.ExecView) -> dict[str, str]:
    """Sheet name -> a line under its table: under the Summary's headline table, what
    its "Range through the constrained plan" column is (`range_sentence`); empty where
    there is no range."""
    text = range_sentence(view.headline)
    return {"Summary": text} if text else {}


RANGES = "Revenue ranges by family"  # the sheet and the HTML section


def revenue_ranges(view: exec_view.ExecView) -> tuple[pd.DataFrame, list[str]]:
    """The plan on the table's revenue ranges by family over the plan horizon (the
    Finance page's `family_range.family_ranges`) with each family's chance of meeting
    the budget and, beside it, the budget, the plan and the outcomes' P10 / P50 / P90
    over the budget's months (`budget_odds.ranges_with_odds`,
    `budget_odds.RANGE_ODDS_SPEC` columns), and the chance in total as the Finance
    page's budget tab words it (`budget_odds.odds_lines`: [] without a budget to
    compare). Empty without a risk run."""
    run = view.current.risk
    odds = view.odds  # the view's, made from the same budget table (`exec_view.build`)
    ranges = family_range.family_ranges(run.family if run is not None else None)
    lines = budget_odds.odds_lines(odds, run.n_paths, view.currency) if run is not None else []
    return budget_odds.ranges_with_odds(ranges, odds), lines


def ranges_help(view: exec_view.ExecView) -> str:
    """What the revenue ranges and the chances are (plain text, as the Finance page's
    help says it)."""
    run = view.current.risk
    n = f"{run.n_paths:,}" if run is not None else "the"
    return f"{family_range.RANGES_HELP} {budget_odds.HELP.format(n=n)}"


def sentences(text: str) -> list[str]:
    """`text` cut into its sentences (at a full stop, question or exclamation mark
    followed by a space and a capital letter)."""
    return [t for t in re.split(r"(?<=[.?!])\s+(?=[A-Z])", text.strip()) if t]


def ranges_notes(view: exec_view.ExecView) -> dict[str, list[str]]:
    """`RANGES` -> the lines under its sheet, one a cell: the chance of meeting the
    budget in total (a sentence per measure), then what the figures are, a sentence a
    line (review: one cell of ~1,300 characters); empty where the plan has no ranges."""
    ranges, lines = revenue_ranges(view)
    return {} if ranges.empty else {RANGES: [*lines, *sentences(ranges_help(view))]}


def demand_frame(view: exec_view.ExecView, consensus: pd.DataFrame | None) -> pd.DataFrame:
    """Demand by family and month: `DEMAND_SPEC` columns. forecast_units and units are
    the statistical P50 and the consensus (forecast + overrides) of the consensus
    demand plan the pack was made from (`sop.demand.consensus.demand_plan`; a loaded consensus
    has no statistical forecast: NaN); plan_units the demand of the plan on the
    table (the consensus under its levers); lever_units = plan_units - units."""
    keys = [schema.MONTH, schema.FAMILY]
    plan = view.current.demand.groupby(keys)[schema.UNITS].sum().rename("plan_units")
    if consensus is None:
        consensus = pd.DataFrame(
            columns=[*keys, schema.UNITS, schema.FORECAST_UNITS, schema.SOURCE]
        )
    stat = (
        consensus[schema.FORECAST_UNITS]
        .astype(float)
        .where(consensus[schema.SOURCE] != SOURCE_LOADED)
    )
    g = (
        consensus.assign(**{schema.FORECAST_UNITS: stat})
        .groupby(keys)[[schema.UNITS, schema.FORECAST_UNITS]]
        .sum(min_count=1)
    )
    out = g.join(plan, how="outer").reset_index().sort_values(keys, ignore_index=True)
    return out.assign(
        override_units=out[schema.UNITS] - out[schema.FORECAST_UNITS],
        lever_units=out["plan_units"] - out[schema.UNITS],
    )


def supply_frame(view: exec_view.ExecView) -> pd.DataFrame:
    """The plan by family, plant and month: `SUPPLY_SPEC` columns."""
    cols = [c for c, _, k in SUPPLY_SPEC if k == "units"]
    return view.current.plan.family_plan.groupby(
        [schema.MONTH, schema.FAMILY, schema.PLANT], as_index=False
    )[cols].sum()


def finance_frame(view: exec_view.ExecView, budget: pd.DataFrame | None) -> pd.DataFrame:
    """P&L by family and month with the budget (NaN where it has none): `FINANCE_SPEC`
    (revenue - cogs - holding - backlog - promotion = margin on every row).
    Revenue and margin are NaN where the plan's revenue is unknown (no price loaded):
    the P&L adds them up as 0, a figure nobody should read."""
    cols = [schema.MONTH, schema.FAMILY, "units", schema.REVENUE]
    cols += ["standard_cost", "variances", "cogs", *PNL_BELOW_COGS, schema.MARGIN]
    fp = view.current.plan.family_plan
    keys = [schema.MONTH, schema.FAMILY]
    unknown = fp[schema.REVENUE].isna().groupby([fp[k] for k in keys]).any()
    p = view.current.pnl[cols].copy()
    blank = pd.MultiIndex.from_frame(p[keys]).isin(unknown.index[unknown.to_numpy()])
    p.loc[blank, [schema.REVENUE, schema.MARGIN]] = float("nan")
    b = (
        budget
        if budget is not None
        else pd.DataFrame(columns=[schema.FAMILY, schema.MONTH, schema.REVENUE, schema.MARGIN])
    )
    b = b[[schema.FAMILY, schema.MONTH, schema.REVENUE, schema.MARGIN]].rename(
        columns={schema.REVENUE: "budget_revenue", schema.MARGIN: "budget_margin"}
    )
    return p.merge(b, on=[schema.FAMILY, schema.MONTH], how="left").sort_values(
        [schema.MONTH, schema.FAMILY], ignore_index=True
    )


def no_price_notes(
    view: exec_view.ExecView, table_sheets: list, grid_map: dict[str, sop_grid.Grid]
) -> dict[str, str]:
    """Sheet name -> `NO_PRICE`, written under the table of each sheet whose money is
    blank because a price is missing (`NEEDS_PRICE`; a grid sheet's revenue row); the
    Summary says it among its notes. Empty when every SKU planned has a price."""
    if priced(view.current.kpis):
        return {}
    out = {}
    for name, frame, *_ in table_sheets:
        cols = [c for c in NEEDS_PRICE.get(name, ()) if c in frame]
        if cols and frame[cols].isna().any().any():
            out[name] = NO_PRICE
    for family, g in grid_map.items():
        if g.frame.loc["revenue", list(g.plan)].isna().any():
            out[grid_excel.sheet_name(family)] = NO_PRICE
    return out


def sheets(
    view: exec_view.ExecView, tables: dict[str, pd.DataFrame], consensus: pd.DataFrame | None
) -> list:
    """(sheet name, frame, spec, totalled columns[, part]) of every table sheet (the
    Finance sheet totals the months with a budget apart, `sop.xlsx.budget_part`); `consensus`
    is the consensus demand plan the view was made from (`demand_frame`)."""
    units = lambda spec: tuple(c for c, _, k in spec if k in ("units", "money"))  # noqa: E731
    fin = finance_frame(view, tables.get(schema.BUDGET))
    out = [
        ("Demand", demand_frame(view, consensus), DEMAND_SPEC, units(DEMAND_SPEC)),
        (
            "Supply",
            supply_frame(view),
            SUPPLY_SPEC,
            tuple(c for c in units(SUPPLY_SPEC) if c not in ("backlog", "inventory")),
        ),
        (
            "Finance",
            fin,
            FINANCE_SPEC,
            units(FINANCE_SPEC),
            budget_part(fin, ("budget_revenue", "budget_margin")),
        ),
    ]
    ranges, _ = revenue_ranges(view)
    if len(ranges):  # a plan evaluated without a risk run has none
        out.append((RANGES, ranges, budget_odds.RANGE_ODDS_SPEC, ()))
    out += [
        ("Scenarios", view.board, SCENARIO_SPEC, ()),
        ("Decisions", view.log, DECISION_SPEC, ()),
        ("Risks", view.risks, RISK_SPEC, ()),
    ]
    if view.bridge is not None:
        steps = view.bridge["kind"].eq("total").map({True: "money", False: "delta"})
        out.append(("What changed", view.bridge.assign(amount_kind=steps), BRIDGE_SPEC, ()))
    if len(view.weekly):
        out.append(
            (
                "S&OE weeks",
                view.weekly,
                WEEK_SPEC,
                ("production", "subcontracted", "shipped", "demand"),
            )
        )
    return out
