"""The gap to budget split into demand and supply wherever a budget gap is read, as the
Finance Budget tab splits it (`sop.finance.view.budget_split`): the Executive "Budget
gap" risk items (`sop.executive.risks.budget_gaps`) say how much of a family's revenue
gap is supply and how much demand when supply is a real part of it
(`view.supply_material`), the Finance workbook's Summary sheet carries both parts beside
the budget figure (adding up to the gap to the cent), and what supply is reads by the
plan setting `revenue_recognition` (booked when ordered, a late order is not supply:
only orders lost or still owed at the plan's end are)."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from supply_helpers import START, frame, one_product, tiny_with_consensus

from sop.core import fmt, schema
from sop.executive import risks
from sop.finance import export as finance_export
from sop.finance import statement
from sop.finance import view as finance_view
from sop.scenario.evaluate import evaluate
from sop.scenario.levers import Levers
from sop.supply.plan import OPTIMAL, solve_plan
from sop.supply.policy import RECOGNISE_ORDER, RECOGNISE_SHIP, SupplyPolicy

CENT = 0.005
MONTHS = pd.date_range(START, periods=3, freq="MS")
# booked when shipped, the cause names the budget's last month compared (review: "after
# these months" named none)
SHIPPED = f"orders lost or shipped after {fmt.month(MONTHS[-1])}"
ORDERED = "orders lost or still unshipped at the plan's end"
WORDS = {RECOGNISE_SHIP: SHIPPED, RECOGNISE_ORDER: ORDERED}


def _words(recognition: str, last: pd.Timestamp) -> str:
    """What supply is, by the setting, the budget's months ending in `last`."""
    return finance_view.supply_cause(recognition, last)


SETTINGS = pytest.mark.parametrize("recognition", [RECOGNISE_SHIP, RECOGNISE_ORDER])


def _budget(monthly: float) -> pd.DataFrame:
    return frame(
        schema.BUDGET,
        [
            {
                schema.FAMILY: "Fam",
                schema.MONTH: m,
                schema.UNITS: monthly / 100,
                schema.REVENUE: monthly,
                schema.MARGIN: monthly / 2,
            }
            for m in MONTHS
        ],
    )


def _short(recognition: str = RECOGNISE_SHIP, order_values: bool = True):
    """Demand 150 a month on a line making 100 (price 100): 50 units lost a month, so
    revenue 30,000 against orders worth 45,000. (plan, pnl, products)."""
    tables, demand = one_product([150.0, 150.0, 150.0])
    plan = solve_plan(demand, tables, SupplyPolicy(revenue_recognition=recognition))
    assert plan.status == OPTIMAL
    if not order_values:  # a plan made before orders were valued
        plan.family_plan = plan.family_plan.drop(columns="order_value")
    return plan, statement.family_pnl(plan), tables[schema.PRODUCTS]


def _budget_item(plan, pnl, products, monthly: float) -> pd.Series:
    items = risks.ranked(plan, pnl, _budget(monthly), products, "EUR")
    found = items[items["category"] == risks.BUDGET]
    assert len(found) == 1
    return found.iloc[0]


# --- the Executive risk item ----------------------------------------------------------------
@SETTINGS
def test_a_short_familys_budget_gap_says_how_much_is_supply(recognition) -> None:
    # budget 16,000 a month: 18,000 below = demand -3,000 (orders 45,000) + supply -15,000
    plan, pnl, products = _short(recognition)
    item = _budget_item(plan, pnl, products, 16_000.0)
    assert item["what"].startswith(
        "Fam revenue below budget by €18k (37.5 %), €15k of it supply "
        f"({WORDS[recognition]}) and €3,000 demand and price (orders at plan prices below "
        "budget); margin below it by "
    )
    # only the sentence changes: the item is the same item (kind, subject, months, money)
    vb = statement.versus_budget(pnl, _budget(16_000.0))
    assert (item["kind"], item["subject"], item["when"]) == (
        risks.RISK,
        "Fam",
        risks.when(MONTHS),
    )
    assert item["money"] == pytest.approx(vb["margin_gap"].sum())


def test_orders_above_budget_and_supply_too_small_to_name() -> None:
    plan, pnl, products = _short()
    # budget 14,000 a month: 12,000 below although the orders are 3,000 above it
    item = _budget_item(plan, pnl, products, 14_000.0)
    assert item["what"].startswith(
        "Fam revenue below budget by €12k (28.6 %) although orders at plan prices are €3,000 "
        f"above it: supply takes €15k off ({SHIPPED}); margin "
    )
    # budget 60,000 a month: supply's 15,000 is under a quarter of the 150,000 gap
    item = _budget_item(plan, pnl, products, 60_000.0)
    assert item["what"].startswith("Fam revenue below budget by €150k (83.3 %); margin")
    assert "supply" not in item["what"]


def test_a_plan_without_order_values_says_no_split() -> None:
    plan, pnl, products = _short(order_values=False)
    item = _budget_item(plan, pnl, products, 16_000.0)
    assert item["what"].startswith("Fam revenue below budget by €18k (37.5 %); margin")


def test_the_clause_reads_the_setting_passed() -> None:
    _, pnl, _ = _short()
    for recognition, words in WORDS.items():
        rows = risks.budget_gaps(pnl, _budget(16_000.0), "EUR", recognition=recognition)
        assert f"€15k of it supply ({words})" in rows[0]["what"]


# --- the Budget tab's sentence, by the setting ----------------------------------------------
def test_the_finance_sentence_is_worded_by_the_setting() -> None:
    _, pnl, _ = _short(RECOGNISE_ORDER)
    vs = statement.versus_budget(pnl, _budget(16_000.0))
    split, last = finance_view.budget_split(vs), finance_view.compared_end(vs)
    assert last == MONTHS[-1]
    assert finance_view.split_note(split, "EUR", RECOGNISE_ORDER, last) == (
        f"Of the €18k below budget, €15k is supply: {ORDERED}; €3,000 is demand and price "
        "(orders at plan prices below budget)."
    )
    assert finance_view.split_note(split, "EUR", RECOGNISE_SHIP, last) == (
        f"Of the €18k below budget, €15k is supply: {SHIPPED}; €3,000 is demand and price "
        "(orders at plan prices below budget)."
    )
    # without the months known, the sentence still reads (no month named)
    assert "shipped after these months;" in finance_view.split_note(split, "EUR")
    split = finance_view.budget_split(statement.versus_budget(pnl, _budget(14_000.0)))
    assert finance_view.split_note(split, "EUR", RECOGNISE_ORDER, last).endswith(
        f"supply takes €15k off, {ORDERED}."
    )


# --- a real plan cut short: the view, the risk items and the workbook's Summary ----------------
def _cut(recognition: str, budget_times: float = 3.0):
    """The Finance tests' short plan (tiny, demand +40 %, every resource -60 %, no
    overtime or subcontracting) against its budget x `budget_times` (so the whole plan
    is below it): (evaluation, tables)."""
    tables, demand = tiny_with_consensus(12)
    bud = tables[schema.BUDGET].copy()
    bud[[schema.REVENUE, schema.MARGIN]] *= budget_times
    tables = {**tables, schema.BUDGET: bud}
    months = sorted(demand[schema.MONTH].unique())
    first, last = (pd.Timestamp(m).strftime("%Y-%m") for m in (months[0], months[-1]))
    levers = Levers(
        demand_pct=40.0,
        capacity_changes=tuple((r, first, last, -60.0) for r in ("L1", "L2", "LAB")),
        overtime_allowed=False,
        subcontract_allowed=False,
    )
    ev = evaluate(demand, tables, levers, SupplyPolicy(revenue_recognition=recognition), False)
    assert ev.ok
    return ev, tables


@pytest.fixture(scope="module", params=[RECOGNISE_SHIP, RECOGNISE_ORDER])
def cut(request):
    ev, tables = _cut(request.param)
    return request.param, ev, tables, finance_view.build(ev, tables)


def _summary(view) -> tuple[dict, list[str]]:
    meta = finance_export.ExportMeta("Tiny Co", "tiny", 1, "Short", "cut", "EUR")
    wb = load_workbook(io.BytesIO(finance_export.workbook(view, meta)))
    rows = [r[:2] for r in wb["Summary"].iter_rows(values_only=True)]
    return dict(rows), [v for k, v in rows if k == "Note"]


DEMAND = "Of which demand and price (orders at plan prices - budget)"
SUPPLY = "Of which supply (revenue - orders at plan prices)"


def test_the_summary_sheet_splits_the_gap_to_the_cent(cut) -> None:
    recognition, _, _, view = cut
    assert view.recognition == recognition
    summary, notes = _summary(view)
    labels = list(summary)
    gap = summary["Revenue gap (projection - budget)"]
    assert labels.index(DEMAND) == labels.index("Revenue gap (projection - budget)") + 1
    assert labels.index(SUPPLY) == labels.index(DEMAND) + 1
    assert round(summary[DEMAND] + summary[SUPPLY], 2) == round(gap, 2)
    total = view.split.iloc[-1]
    assert summary[DEMAND] == pytest.approx(total["demand_gap"], abs=CENT)
    assert summary[SUPPLY] == pytest.approx(total["supply_gap"], abs=CENT)
    assert summary[SUPPLY] < -1.0 and gap < 0
    # the Budget tab's sentence, worded by the setting, is among the notes
    last = finance_view.compared_end(view.vs_budget)
    note = finance_view.split_note(view.split, "EUR", recognition, last)
    assert note is not None and _words(recognition, last) in note and note in notes
    assert "these months" not in note


def test_the_cut_plans_risk_items_split_where_supply_is_material(cut) -> None:
    recognition, ev, tables, view = cut
    items = risks.ranked(ev.plan, ev.pnl, tables[schema.BUDGET], tables[schema.PRODUCTS], "EUR")
    budget_items = items[items["category"] == risks.BUDGET].set_index("subject")
    fams = view.split.iloc[:-1].set_index(schema.FAMILY)
    said = 0
    for fam, row in fams.iterrows():
        if fam not in budget_items.index:
            continue
        what = budget_items.at[fam, "what"]
        if finance_view.supply_material(row["revenue_gap"], row["supply_gap"]):
            said += 1
            last = view.vs_budget.loc[view.vs_budget[schema.FAMILY] == fam, schema.MONTH].max()
            clause = finance_view.split_clause(
                row["revenue_gap"], row["demand_gap"], row["supply_gap"], "EUR", recognition, last
            )
            assert clause in what and _words(recognition, last) in what
        else:
            assert "supply" not in what
    assert said >= 1


def test_no_budget_leaves_the_split_cells_blank(cut) -> None:
    _, ev, tables, _ = cut
    view = finance_view.build(ev, {**tables, schema.BUDGET: tables[schema.BUDGET].iloc[:0]})
    assert np.isnan(view.totals["supply_gap"]) and np.isnan(view.totals["demand_gap"])
    summary, notes = _summary(view)
    assert summary[DEMAND] is None and summary[SUPPLY] is None
    assert not any("supply" in n for n in notes)


def test_a_plan_above_budget_has_no_supply_note(cut) -> None:
    _, _, _, view = cut
    above = dataclasses.replace(view, split=view.split.assign(revenue_gap=1.0))
    _, notes = _summary(above)
    assert not any("is supply" in n or "supply takes" in n for n in notes)
