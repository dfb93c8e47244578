"""The chance of meeting the budget where finance and executives read it: the Finance
workbook's "Revenue ranges" sheet carries each family's chances and its Summary the
total's (`sop.finance.budget_odds`, as the Budget tab); the Executive revenue and gross
margin tiles' help says the total's chance in the Budget tab's sentence, the same figure
as Finance's for the same plan; and the Executive list of open comments marks a thread
whose item is gone as the picker places it ("Earlier item", "now under Stock-out risk:
<family>").

The tiny dataset with a stored forecast whose band spreads the outcomes; Alpha's budget
doubled (met in no outcome), Beta's halved (met in all)."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from demand_helpers import banded_budget_store
from exec_helpers import exec_tables, load
from streamlit.testing.v1 import AppTest

from sop.core import schema
from sop.core.xlsx import TOTAL
from sop.executive import comments as exec_comments
from sop.executive import headline as exec_headline
from sop.executive import service as executive
from sop.executive import view as exec_view
from sop.executive.risks import BOTTLENECK, BUDGET, STOCKOUT
from sop.finance import budget_odds, export, statement
from sop.finance import view as finance_view
from sop.scenario.levers import Levers
from sop.store import Store, comments

OLD_SKU = comments.risk_key(STOCKOUT, "A1 (Alpha 1)")  # per SKU, as it was
ALPHA = comments.risk_key(STOCKOUT, "Alpha")  # its family's item now
GONE = comments.risk_key(BOTTLENECK, "L9 (Old line)")  # no longer binds
LIVE = comments.risk_key(BUDGET, "Beta")


@pytest.fixture
def alpha_short(store: Store) -> Store:
    """The tiny dataset with a stored forecast with a band (P10 0.8x, P90 1.3x P50), so
    the outcomes spread; Alpha's budget doubled (out of reach), Beta's halved (in
    reach)."""
    return banded_budget_store(store)


def _finance(store: Store) -> finance_view.FinanceView:
    """The Finance page's view of the baseline (its own evaluation)."""
    ctx = executive.context(store)
    return finance_view.build(ctx.evaluate(Levers()), ctx.tables)


def _sheet(wb, name: str) -> pd.DataFrame:
    rows = list(wb[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_the_finance_workbook_carries_budget_odds_chances(alpha_short: Store) -> None:
    fin = _finance(alpha_short)
    meta = export.ExportMeta("Tiny Co", "tiny", 1, "Baseline", "none", "EUR")
    wb = openpyxl.load_workbook(io.BytesIO(export.workbook(fin, meta)))
    # figured here from the plan's risk run, not read from the view
    ctx = executive.context(alpha_short)
    ev = ctx.evaluate(Levers())
    compared = statement.versus_budget(ev.pnl, ctx.tables[schema.BUDGET])
    odds = budget_odds.budget_odds(ev.risk, compared).set_index(schema.FAMILY)
    assert not odds.attrs[budget_odds.NO_BAND]
    assert odds.loc[["Alpha", "Beta"], "revenue_chance"].tolist() == [0.0, 1.0]
    sheet = _sheet(wb, "Revenue ranges").dropna(subset=["Family"]).set_index("Family")
    # each chance with the budget, the plan and the P10 / P50 / P90 over the budget's
    # months beside it (review: a chance over 14 months beside a range over 18)
    heads = {c: (f"{h} (EUR)" if k == "money" else h) for c, h, k in budget_odds.BUDGET_MONTHS_SPEC}
    assert sheet.index.tolist() == ["Alpha", "Beta"]  # no Total row: quantiles do not add
    for family in ("Alpha", "Beta"):
        for col, head in heads.items():
            want = odds.at[family, col]
            assert sheet.at[family, head] == (
                want if isinstance(want, str) else pytest.approx(want)
            ), (family, col)
    assert "Revenue P10 (plan horizon) (EUR)" in sheet.columns
    fmt_cell = next(c for c in wb["Revenue ranges"][1] if c.value == heads["revenue_chance"])
    assert wb["Revenue ranges"].cell(row=2, column=fmt_cell.column).number_format == "0%"
    # the Summary: the total's chances and figures, labelled as the sheet's columns, and
    # the Budget tab's sentences
    pairs = [(r[0], r[1]) for r in wb["Summary"].values]
    summary = dict(p for p in pairs if p[0] != "Note")
    for col, kind_head in ((c, h) for c, h, _ in budget_odds.BUDGET_MONTHS_SPEC):
        want = odds.at[TOTAL, col]
        assert summary[kind_head] == (want if isinstance(want, str) else pytest.approx(want)), col
    summary_sheet = wb["Summary"]
    chance_row = next(r for r in summary_sheet.iter_rows() if r[0].value == heads["revenue_chance"])
    assert chance_row[1].number_format == "0%"
    lines = budget_odds.odds_lines(odds.reset_index(), ev.risk.n_paths, "EUR")
    assert len(lines) == 2 and lines[1].startswith("Chance of meeting budget gross margin (€")
    assert [v for k, v in pairs if k == "Note" and str(v).startswith("Chance")] == lines


def test_the_executive_tiles_say_finances_chance_for_the_same_plan(alpha_short: Store) -> None:
    fin = _finance(alpha_short)  # the Finance page's figures, evaluated apart
    lines = budget_odds.odds_lines(fin.odds, fin.n_paths, "EUR")  # its Budget tab's sentences
    assert [line.split(" (")[0] for line in lines] == [
        "Chance of meeting budget revenue",
        "Chance of meeting budget gross margin",
    ]
    assert "(Alpha 0 %, Beta 100 %)" in lines[0] and "; P10-P90 there €" in lines[0]
    view = executive.view(alpha_short, executive.context(alpha_short))
    tiles = {t.label: t for t in exec_view.headline_tiles(view, 12)}
    revenue, margin = tiles["Revenue"], tiles["Gross margin"]
    # each tile's help says its own measure's chance, in Finance's words
    assert lines[0] in revenue.help and lines[1] not in revenue.help
    assert lines[1] in margin.help and lines[0] not in margin.help
    others = [t for label, t in tiles.items() if label not in ("Revenue", "Gross margin")]
    assert not any("Chance of meeting" in (t.help or "") for t in others)
    # no line more under the tiles: the summary fits a 1080p screen
    assert not any("outcome" in n for t in tiles.values() for n in t.notes)
    head = view.headline.set_index("key")
    total = fin.odds.set_index(schema.FAMILY).loc[TOTAL]
    assert head.at["revenue", "chance"] == total["revenue_chance"]
    assert head.at["gross_margin", "chance"] == total["margin_chance"]


def test_no_risk_run_no_chance() -> None:
    head = exec_headline.headline({"revenue": 1.0, "gross_margin": 0.5}, {}, None, "EUR")
    assert head["chance"].isna().all()
    assert not head["help"].str.contains("Chance of meeting").any()
    empty = pd.DataFrame(columns=budget_odds.ODDS_COLUMNS)
    assert exec_headline.chance_sentence("revenue", empty, 500, "EUR") == ""


def _threads(keys: list[str], kinds: list[str] | None = None) -> pd.DataFrame:
    n = len(keys)
    at = pd.Timestamp("2026-03-01")
    return pd.DataFrame(
        {
            "thread_id": range(1, n + 1),
            "subject_kind": kinds or [comments.RISK] * n,
            "subject_key": keys,
            "subject_label": keys,
            "started_by": ["a"] * n,
            "started_at": [at] * n,
            "comments": [1] * n,
            "last_author": ["Ann"] * n,
            "last_at": [at] * n,
            "last_body": ["x"] * n,
        }
    )


def test_open_comments_mark_threads_whose_item_is_gone() -> None:
    products = exec_tables()[schema.PRODUCTS]
    threads = _threads([OLD_SKU, GONE, LIVE, "3"], [*[comments.RISK] * 3, comments.SCENARIO])
    marks = exec_comments.open_marks(threads, [ALPHA, LIVE], products)
    assert marks == {OLD_SKU: f"now under {ALPHA}", GONE: exec_comments.EARLIER}
    table = exec_comments.open_table(threads, datetime(2026, 3, 2), marks)
    assert table["subject"].tolist() == [
        f"Earlier item · Risk: {OLD_SKU} · now under {ALPHA}",
        f"Earlier item · Risk: {GONE}",
        f"Risk: {LIVE}",
        "Scenario: 3",
    ]
    # no family item on screen: the old SKU thread is an earlier item, as in the picker
    assert exec_comments.open_marks(threads, [LIVE], products)[OLD_SKU] == "Earlier item"
    assert exec_comments.open_table(threads, datetime(2026, 3, 2))["subject"][0] == (
        f"Risk: {OLD_SKU}"
    )


def _page() -> None:
    import pandas as pd

    from sop.ui import comments as comments_ui

    risks = pd.DataFrame(
        {"category": ["Stock-out risk", "Budget gap"], "subject": ["Alpha", "Beta"]}
    )
    comments_ui.open_comments(risks)


def test_the_executive_open_comments_list_marks_them(store: Store) -> None:
    load(store)
    for key in (OLD_SKU, GONE, LIVE):
        comments.post(store, comments.RISK, key, f"on {key}", key)
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "last_body" in d.value.columns)
    by_body = dict(zip(table["last_body"], table["subject"]))
    assert by_body == {
        f"on {OLD_SKU}": f"Earlier item · Risk: {OLD_SKU} · now under {ALPHA}",
        f"on {GONE}": f"Earlier item · Risk: {GONE}",
        f"on {LIVE}": f"Risk: {LIVE}",
    }
