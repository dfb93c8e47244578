"""The meeting pack's Finance sheet adds up: revenue - every cost column = gross margin
on each row (holding, backlog and promotion have their own columns, as in the Finance
page's P&L export). A plan of the tiny data with demand +40 % and a promotion on Alpha
holds stock, owes backlog and pays for the promotion, so none of those costs is 0."""

from __future__ import annotations

import html
import io

import openpyxl
import pandas as pd
import pytest
from exec_helpers import load

from sop.executive import pack, pack_sheets
from sop.executive import service as executive
from sop.finance import export as finance_export
from sop.finance import range_text
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

PUSH = Levers(
    demand_pct=40.0,
    promo_family="Alpha",
    promo_start="2026-03",
    promo_months=2,
    promo_uplift_pct=10.0,
    promo_cost=5000.0,
)


@pytest.fixture
def pushed(store: Store):
    load(store)
    ctx = executive.context(store)
    sid = saved_scenarios.save(store, "Push", PUSH)
    executive.approve_saved(store, ctx, sid, "push with a promotion")
    view = executive.view(store, ctx)
    meta = pack.PackMeta("Tiny Co", "tiny", 1, view.cycle, ctx.as_of, "EUR", pack.now())
    return view, ctx, meta


def _sheet(wb: openpyxl.Workbook, name: str) -> pd.DataFrame:
    rows = list(wb[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_the_finance_sheet_adds_up_on_every_row(pushed) -> None:
    view, ctx, meta = pushed
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand)))
    fin = _sheet(wb, "Finance")
    rows = fin[fin["Family"].notna() & fin["Month"].notna()]
    money = [h for h in fin.columns if h.endswith("(EUR)")]
    # the cost columns between cost of goods and gross margin: named as in the P&L export
    heads = {c: h for c, h, _ in finance_export.PNL_SPEC}
    costs = ["Cost of goods", *(heads[c] for c in pack_sheets.PNL_BELOW_COGS)]
    assert [f"{c} (EUR)" for c in costs] == money[3:7], money
    cost = rows[[f"{c} (EUR)" for c in costs]].astype(float)
    revenue, margin = rows["Revenue (EUR)"].astype(float), rows["Gross margin (EUR)"].astype(float)
    # the plan holds stock, owes backlog and pays for a promotion: each cost column counts
    assert (cost[[f"{heads[c]} (EUR)" for c in pack_sheets.PNL_BELOW_COGS]].sum() > 100).all()
    assert (revenue - cost.sum(axis=1) - margin).abs().max() < 0.01
    # cost of goods is standard cost + variances
    parts = rows[["Standard cost of sales (EUR)", "Production variances (EUR)"]].astype(float)
    assert (parts.sum(axis=1) - cost["Cost of goods (EUR)"]).abs().max() < 0.01
    # the Total row adds the new columns up too, to the plan's figures
    total = fin[fin["Month"] == "Total"].iloc[0]
    assert total["Holding (EUR)"] == pytest.approx(view.current.pnl["holding"].sum())
    assert total["Gross margin (EUR)"] == pytest.approx(view.current.kpis["gross_margin"])


def test_the_pack_says_how_its_ranges_are_made(pushed) -> None:
    """Under the Summary's headline table and under the HTML cards: the sentence the
    Scenarios Risk tab's caption uses (`range_text`), plain text."""
    view, ctx, meta = pushed
    head = view.headline
    assert head["range_text"].str.startswith("P10-P90: ").sum() == 4  # revenue to on-time
    sentence = pack_sheets.range_sentence(head)
    assert sentence.startswith(range_text.RANGE_MEANING) and "`" not in sentence
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand)))
    ws = wb["Summary"]
    last = [v for v in next(ws.iter_rows(min_row=ws.max_row, values_only=True)) if v]
    assert last == [sentence]  # the line under the headline table
    page = pack.html(view, ctx.tables, meta)
    assert f'<p class="meta">{html.escape(sentence)}</p>' in page
    assert page.index('class="cards"') < page.index(html.escape(sentence))
    # said once: the chart's subtitle under it leaves it out (the tiny data's consensus
    # has no band, so here it is why the range is a point)
    how = sentence.removeprefix(range_text.RANGE_MEANING).strip()[:40]
    assert page.count(how) == 1, how
