"""A plan short of supply and below budget says both in every output (a planner's
review of one short case, the demo's RS-ASM1 shut Jan-Oct 2027: the figures agreed
everywhere, but some outputs left them out):
- the meeting pack's Summary and the Executive revenue tile's help say how much of the
  gap to budget is supply (`budget_lines.budget_supply`, Finance's sentence);
- the Finance workbook's Summary says the plan is short (`service_line.plan_line`, as
  the pack's Summary does);
- the Executive risks list says what its top 8 leave out, counted by category;
- "orders lost or shipped after these months" names the budget's last month."""

from __future__ import annotations

import html
import io

import openpyxl
import pandas as pd
import pytest
from exec_helpers import exec_tables, load

from sop.core import fmt, schema
from sop.executive import budget_lines, pack, risks
from sop.executive import service as executive
from sop.finance import export as finance_export
from sop.finance import statement
from sop.finance import view as finance_view
from sop.finance.risk import p10_p90
from sop.finance.service_line import plan_line
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

# Beta's line L2 cut by 55 % all year: the plan loses sales and ships late
CUT = Levers(capacity_changes=(("L2", "2026-01", "2026-12", -55.0),))
BETA = "Be*ta* [x](y)"  # a family name Markdown would mangle


def _tables() -> dict[str, pd.DataFrame]:
    """The tiny dataset, Beta renamed, with a budget three times the tiny one (the cut
    plan falls short of it, supply a real part of the gap)."""
    t = exec_tables()
    for name, df in t.items():
        if schema.FAMILY in df.columns:
            t[name] = df.assign(**{schema.FAMILY: df[schema.FAMILY].replace("Beta", BETA)})
    t[schema.BUDGET] = t[schema.BUDGET].assign(
        **{c: t[schema.BUDGET][c] * 3 for c in (schema.REVENUE, schema.MARGIN)}
    )
    return t


@pytest.fixture
def short(store: Store):
    """The cut plan approved: (view, ctx, meta, the budget's last month compared)."""
    load(store, _tables())
    ctx = executive.context(store)
    sid = saved_scenarios.save(store, "L2 cut", CUT)
    executive.approve_saved(store, ctx, sid, "short on purpose")
    view = executive.view(store, ctx)
    assert view.current.kpis["lost_units"] > 0  # the cut is short
    meta = pack.PackMeta("Tiny Co", "tiny", 1, view.cycle, ctx.as_of, "EUR", pack.now())
    vs = statement.versus_budget(view.current.pnl, ctx.tables[schema.BUDGET])
    return view, ctx, meta, finance_view.compared_end(vs)


def test_the_pack_and_the_revenue_help_say_the_gap_split(short) -> None:
    view, ctx, meta, last = short
    gap = budget_lines.budget_supply(
        view.current.pnl,
        ctx.tables[schema.BUDGET],
        "EUR",
        view.current.plan.policy.revenue_recognition,
    )
    assert gap is not None and gap.startswith("Of the ") and BETA in gap
    # the budget's last month named, not "these months"
    assert f"orders lost or shipped after {fmt.month(last)}" in gap
    assert "these months" not in gap
    assert view.budget_gap == gap
    # the pack's Summary, right after the booking convention
    pairs = [(label, value) for label, value, _ in pack.summary_pairs(view, meta)]
    labels = [label for label, _ in pairs]
    assert ("Gap to budget", gap) in pairs
    assert labels.index("Gap to budget") == labels.index("Booking convention") + 1
    # both files carry it: the workbook's Summary sheet and the HTML report
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand)))
    assert ("Gap to budget", gap) in [r[:2] for r in wb["Summary"].iter_rows(values_only=True)]
    assert html.escape(gap, quote=True) in pack.html(view, ctx.tables, meta, ctx.demand)
    # the revenue tile's help ends with it, the family name escaped for Markdown
    helps = view.headline.set_index("key")["help"]
    assert helps["revenue"].endswith(f" {fmt.safe_md(gap)}")
    assert BETA not in helps["revenue"] and "[x](y)" not in helps["revenue"]
    assert "is supply" not in helps["gross_margin"]


def test_no_gap_row_when_supply_is_no_part_of_it(store: Store) -> None:
    """The baseline serves every order: below the tripled budget too, but not for want
    of supply, so neither the pack nor the tile says a split."""
    load(store, _tables())
    ctx = executive.context(store)
    view = executive.view(store, ctx)
    assert view.budget_gap is None
    meta = pack.PackMeta("Tiny Co", "tiny", 1, view.cycle, ctx.as_of, "EUR", pack.now())
    assert "Gap to budget" not in [label for label, _, _ in pack.summary_pairs(view, meta)]
    assert "is supply" not in view.headline.set_index("key").at["revenue", "help"]


def _finance_summary(ev, tables) -> list[tuple]:
    view = finance_view.build(ev, tables)
    meta = finance_export.ExportMeta("Tiny Co", "tiny", 1, "L2 cut", "L2 -55 %", "EUR")
    wb = openpyxl.load_workbook(io.BytesIO(finance_export.workbook(view, meta)))
    return [r[:2] for r in wb["Summary"].iter_rows(values_only=True)]


def test_the_finance_workbook_says_the_plan_is_short(short) -> None:
    view, ctx, _, last = short
    ev = view.current
    line = plan_line(ev.kpis, "EUR", p10_p90(ev.risk))
    assert line is not None and line.startswith("This plan leaves ")
    rows = _finance_summary(ev, ctx.tables)
    assert ("Service shortfall", line) in rows
    labels = [label for label, _ in rows]
    assert labels.index("Service shortfall") == labels.index("Booking convention") + 1
    # the Budget tab's sentence among the notes names the budget's last month
    notes = [v for k, v in rows if k == "Note"]
    assert view.budget_gap in notes and f"shipped after {fmt.month(last)}" in view.budget_gap
    # the baseline serves every order on time: no such row
    base = ctx.evaluate(Levers())
    assert plan_line(base.kpis, "EUR", p10_p90(base.risk)) is None
    assert "Service shortfall" not in [label for label, _ in _finance_summary(base, ctx.tables)]


# --- the Executive risks list: what the top 8 leave out ----------------------------------------
def _items(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """Ranked items (largest first): (category, subject, money)."""
    return pd.DataFrame(
        [
            {
                "kind": risks.RISK if m < 0 else risks.OPPORTUNITY,
                "category": c,
                "subject": s,
                "when": "",
                "money": m,
                "what": "",
            }
            for c, s, m in rows
        ],
        columns=risks.COLUMNS,
    )


# the review case's 13 items, ranked as `risks.ranked` ranks them
REVIEW = [
    (risks.BUDGET, "Cooling", -1_224_299.0),
    (risks.BUDGET, "Kitchen", -998_591.0),
    (risks.SERVICE, "Cooling", -914_108.0),
    (risks.BUDGET, "Heating", -513_033.0),
    (risks.GAP, "Cooling", -500_297.0),
    (risks.BOTTLENECK, "RS-ASM1 (Cooling assembly)", 322_639.0),
    (risks.GAP, "Cooling", -225_583.0),
    (risks.GAP, "Heating", -152_521.0),
    (risks.STOCKOUT, "Cooling", -83_625.0),
    (risks.BUDGET, "Garden", 35_396.0),
    (risks.BOTTLENECK, "RS-LAB (Assembly workforce)", 7_932.0),
    (risks.STOCKOUT, "Heating", -4_430.0),
    (risks.BOTTLENECK, "RS-ASM2 (Heating assembly)", 561.0),
]


def test_the_risks_left_out_are_counted_by_category() -> None:
    items = _items(REVIEW)
    shown = risks.top(items, n=8, per_category=3)
    assert len(shown) == 8
    # a fourth budget gap and the stock-out risks are left out
    assert risks.STOCKOUT not in set(shown["category"])
    assert risks.rest_note(items, n=8, per_category=3) == (
        "5 more (2 stock-out risks, 2 bottlenecks, 1 budget gap) in the meeting pack"
    )
    # the counts add up to what the list leaves out
    assert len(shown) + 5 == len(items)


def test_no_word_when_the_list_shows_them_all() -> None:
    assert risks.rest_note(_items(REVIEW[:8]), n=8, per_category=3) is None
    assert risks.rest_note(_items([]), n=8, per_category=3) is None
    # one left out, said in the singular
    one = _items(REVIEW[:8] + [(risks.SERVICE, "Heating", -1_000.0)])
    assert risks.rest_note(one) == "1 more (1 family under service target) in the meeting pack"


# --- "shipped after these months" names the month ----------------------------------------------
def test_the_cause_names_the_budgets_last_month() -> None:
    dec = pd.Timestamp("2027-12-01")
    assert finance_view.supply_cause(last=dec) == "orders lost or shipped after Dec 2027"
    assert finance_view.supply_cause() == "orders lost or shipped after these months"
    clause = finance_view.split_clause(-100_000.0, -20_000.0, -80_000.0, "EUR", last=dec)
    assert clause == (
        ", €80k of it supply (orders lost or shipped after Dec 2027) and €20k demand and "
        "price (orders at plan prices below budget)"
    )
    vs = pd.DataFrame({schema.MONTH: pd.date_range("2026-11-01", dec, freq="MS")})
    assert finance_view.compared_end(vs) == dec
    assert finance_view.compared_end(vs.iloc[:0]) is None
