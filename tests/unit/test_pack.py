"""The meeting pack: the workbook opens with openpyxl and has every sheet with the
expected totals; the HTML report loads nothing from outside; the `pack` command."""

from __future__ import annotations

import io
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from exec_helpers import load

from sop.core import schema
from sop.executive import pack, pack_excel, pack_sheets
from sop.executive import service as executive
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store
from sop.store import decisions as decision_log
from sop.ui import readers, scenario_readers

ROOT = Path(__file__).resolve().parents[2]
SHEETS = [
    "Summary",
    "Demand",
    "Supply",
    "Finance",
    "Revenue ranges by family",
    "Scenarios",
    "Decisions",
    "Risks",
    "What changed",
    "S&OE weeks",
    "Grid Alpha",
    "Grid Beta",
    "Grid Total",
]


@pytest.fixture
def packed(store: Store):
    """A store with two cycles approved, a saved scenario and an open action."""
    load(store)
    ctx = executive.context(store)
    sid = saved_scenarios.save(store, "Beta push", Levers(demand_family_pct=(("Beta", 20.0),)))
    executive.approve_saved(store, ctx, 0, "December plan", pd.Timestamp("2025-12-01"))
    executive.approve_saved(store, ctx, sid, "<b>push</b> Beta & co", None)
    decision_log.add_item(
        store,
        pd.Timestamp("2026-01-01"),
        "action",
        "Confirm L2 overtime",
        "Cleo",
        "2026-01-15",
    )
    view = executive.view(store, ctx)
    meta = pack.PackMeta("Tiny Co", "tiny", 1, view.cycle, ctx.as_of, "EUR", pack.now())
    return view, ctx, meta


def _sheet(wb, name: str) -> pd.DataFrame:
    rows = list(wb[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def _total(df: pd.DataFrame, header: str) -> tuple[float, float]:
    """(sum of the data rows, the Total row's value) of a column."""
    totals = df.iloc[:, 0].astype(str).str.startswith("Total")
    body, total = df[~totals], df[df.iloc[:, 0] == "Total"]
    return float(pd.to_numeric(body[header]).sum()), float(total[header].iloc[0])


def test_workbook_has_every_sheet_and_the_totals(packed) -> None:
    view, ctx, meta = packed
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand)))
    assert wb.sheetnames == SHEETS
    k = view.current.kpis
    fin = _sheet(wb, "Finance")
    body, total = _total(fin, "Revenue (EUR)")
    assert body == pytest.approx(k["revenue"]) and total == pytest.approx(k["revenue"])
    assert _total(fin, "Gross margin (EUR)")[1] == pytest.approx(k["gross_margin"])
    dem = _sheet(wb, "Demand")
    assert _total(dem, "Consensus demand (units)")[1] == pytest.approx(
        ctx.demand[schema.UNITS].sum()
    )
    assert _total(dem, "Plan on the table: demand (units)")[1] == pytest.approx(k["demand_units"])
    # a loaded consensus has no statistical forecast: blank, not a copy of the consensus
    assert dem["Statistical forecast, P50 (units)"].isna().all()
    sup = _sheet(wb, "Supply")
    assert _total(sup, "Served (units)")[1] == pytest.approx(k["served_units"])
    assert _total(sup, "Lost sales (units)")[1] == pytest.approx(k["lost_units"], abs=1e-6)
    weeks = _sheet(wb, "S&OE weeks")
    assert _total(weeks, "Make (units)")[1] == pytest.approx(
        view.snapshot.sku_plan["production"].sum()
    )
    scen = _sheet(wb, "Scenarios")
    assert set(scen["Plan"]) == {"Baseline", "#1 Beta push"}
    grid = _sheet(wb, "Grid Total").set_index("Row")
    plan_months = [c for c in grid.columns if c != "Unit" and "(actual)" not in c]
    assert grid.loc["Shipments", plan_months].sum() == pytest.approx(k["served_units"])
    assert grid.loc["Revenue", plan_months].sum() == pytest.approx(k["revenue"], abs=0.005)
    dec = _sheet(wb, "Decisions")
    assert len(dec) == 3 and "<b>push</b> Beta & co" in set(dec["Note"])
    changed = _sheet(wb, "What changed")
    assert changed["Gross margin (EUR)"].iloc[-1] == pytest.approx(k["gross_margin"])
    # the ends as money, the steps as signed changes
    formats = [c.number_format for c in wb["What changed"]["B"][1:]]
    assert formats[0].startswith('"€"') and formats[-1].startswith('"€"')
    assert all(f.startswith('+"€"') for f in formats[1:-1]) and len(formats) > 2
    summary = {r[0]: r[1] for r in wb["Summary"].values if r[0]}
    assert summary["Dataset version"] == "v1" and summary["Cycle"] == "Jan 2026"
    assert summary["Made (UTC)"] == meta.made_at.strftime("%Y-%m-%d %H:%M")
    assert summary["Plan on the table"] == "#1 Beta push"
    assert wb["Finance"]["D2"].number_format.startswith('"€"')
    # the headline figures are numbers finance can use, formatted per KPI
    ws = wb["Summary"]
    head = {
        r[0].value: r
        for r in ws.iter_rows()
        if r[0].value in {"Revenue", "Fill rate", "Gross margin"}
        and isinstance(r[1].value, (int, float))
    }
    assert head["Revenue"][1].value == pytest.approx(k["revenue"])
    assert head["Revenue"][1].number_format.startswith('"€"')
    assert head["Revenue"][2].value == pytest.approx(
        view.headline.set_index("key").at["revenue", "vs_budget"]
    )
    assert head["Revenue"][2].number_format.startswith('+"€"')
    assert head["Fill rate"][1].value == pytest.approx(k["fill_rate"])
    # a rate short of full reads >99.9%, never 100.0% (tests/unit/test_pack_short_supply.py)
    assert head["Fill rate"][1].number_format == pack_excel.SERVICE_FORMAT


class _Refs(HTMLParser):
    """Every place a page can load something from: src/href/data/srcset/poster
    attributes, <link>, CSS url(...) and @import, meta refresh."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.scripts_with_src = 0
        self._style = False
        self.css = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        for name in ("src", "href", "data", "srcset", "poster", "action", "xlink:href"):
            if a.get(name):
                self.refs.append(a[name])
        if tag == "script" and a.get("src"):
            self.scripts_with_src += 1
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.refs.append(a.get("content", ""))
        if a.get("style"):
            self.css += a["style"]
        self._style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._style:
            self.css += data

    def handle_endtag(self, tag: str) -> None:
        self._style = False


def test_html_report_is_self_contained(packed) -> None:
    view, ctx, meta = packed
    page = pack.html(view, ctx.tables, meta)
    refs = _Refs()
    refs.feed(page)
    external = [r for r in refs.refs if r.strip().lower().startswith(("http:", "https:", "//"))]
    assert external == [] and refs.scripts_with_src == 0
    assert "url(" not in refs.css and "@import" not in refs.css
    assert page.count("Plotly.newPlot(") >= 3  # charts, drawn by embedded js
    assert page.count("<script") - page.count("Plotly.newPlot(") == 1  # the library, once
    assert "&lt;b&gt;push&lt;/b&gt; Beta &amp; co" in page and "<b>push</b>" not in page
    assert "Dataset tiny v1" in page and "cycle Jan 2026" in page
    assert "S&amp;OP grid: all families" in page and '<tr class="gap">' in page
    assert meta.made_at.strftime("%Y-%m-%d %H:%M") in page


def test_pack_command_writes_both_files(packed, tmp_path: Path) -> None:
    store_path = Store().path
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sop",
            "--store",
            str(store_path),
            "pack",
            "--out",
            str(tmp_path / "pack"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (tmp_path / "pack").iterdir())
    assert files == ["sop_pack_2026-01_v1.html", "sop_pack_2026-01_v1.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "pack" / "sop_pack_2026-01_v1.xlsx")
    # from a store, the open comment threads follow the table sheets (none open here)
    tables = SHEETS.index("Grid Alpha")
    assert wb.sheetnames == [*SHEETS[:tables], "Open comments", *SHEETS[tables:]]


def test_pack_command_on_a_folder_and_on_an_empty_store(tmp_path: Path) -> None:
    from exec_helpers import exec_tables
    from tiny import write_tables

    folder = write_tables(exec_tables(), tmp_path / "data")
    store = tmp_path / "none.duckdb"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sop",
            "--store",
            str(store),
            "pack",
            "--data",
            str(folder),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert not store.exists()  # a folder pack leaves no store behind
    wb = openpyxl.load_workbook(tmp_path / "out" / "sop_pack_2026-01_folder.xlsx")
    assert {"Summary", "Demand", "Finance", "Decisions"} <= set(wb.sheetnames)
    empty = subprocess.run(
        [sys.executable, "-m", "sop", "--store", str(store), "pack", "--out", str(tmp_path / "x")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert empty.returncode == 1 and "No dataset is loaded" in empty.stderr


def test_demand_sheet_has_the_real_forecast_consensus_and_plan(store: Store) -> None:
    """QA: after approving "Demand +10%" the Demand sheet's "Statistical forecast" was the
    scenario's demand (= consensus, difference 0 everywhere). The sheet must show the
    stored statistical P50, the consensus (forecast + overrides) and, in its own column,
    the plan of record's demand."""
    from demand_helpers import MONTHS, fake_values, loaded_store, store_fake_run

    from sop.demand import overrides
    from sop.demand.consensus import demand_plan
    from sop.demand.engine import ForecastSettings
    from sop.store import overrides as override_log

    loaded_store(store)
    store_fake_run(
        store,
        settings=ForecastSettings(horizon=18),
        values=fake_values(months=pd.date_range(MONTHS[0], periods=18, freq="MS")),
    )
    override_log.add(
        store,
        overrides.as_row(
            overrides.Override(
                level=overrides.LEVEL_FAMILY,
                start_month=MONTHS[0],
                end_month=MONTHS[1],
                kind=overrides.KIND_PCT,
                value=20.0,
                reason="key account",
                family="Alpha",
            )
        ),
    )
    ctx = executive.context(store)
    sid = saved_scenarios.save(store, "Demand +10%", Levers(demand_pct=10.0))
    executive.approve_saved(store, ctx, sid, "go")
    view = executive.view(store, ctx)
    meta = pack.PackMeta("Tiny Co", "tiny", 1, view.cycle, ctx.as_of, "EUR", pack.now())
    plan = (
        demand_plan(store)
        .groupby([schema.MONTH, schema.FAMILY])[[schema.UNITS, schema.FORECAST_UNITS]]
        .sum()
    )
    first = (MONTHS[0], "Alpha")
    assert plan.loc[first, schema.UNITS] > plan.loc[first, schema.FORECAST_UNITS]  # the override
    scenario = view.current.demand.groupby([schema.MONTH, schema.FAMILY])[schema.UNITS].sum()
    # the workbook from the command line's context and from the page's cached path
    books = [pack.excel(view, ctx.tables, meta, ctx.demand)]
    st_cache_clear()
    path, stamp = str(store.path), readers.demand_stamp(str(store.path), 1)
    log_stamp = scenario_readers.exe_log_stamp(path)
    books.append(scenario_readers.exe_pack(path, 1, stamp, log_stamp, ctx.policy, "xlsx"))
    for book in books:
        dem = _sheet(openpyxl.load_workbook(io.BytesIO(book)), "Demand")
        dem = dem[dem["Month"] != "Total"].set_index(["Month", "Family"])
        row = dem.loc[(MONTHS[0].to_pydatetime(), "Alpha")]
        assert row["Statistical forecast, P50 (units)"] == pytest.approx(
            plan.loc[first, schema.FORECAST_UNITS]
        )
        assert row["Consensus demand (units)"] == pytest.approx(plan.loc[first, schema.UNITS])
        assert row["Consensus - statistical (units)"] == pytest.approx(
            plan.loc[first, schema.UNITS] - plan.loc[first, schema.FORECAST_UNITS]
        )
        assert row["Plan on the table: demand (units)"] == pytest.approx(scenario.loc[first])
        assert row["Plan on the table: demand (units)"] == pytest.approx(
            1.1 * plan.loc[first, schema.UNITS]
        )


def st_cache_clear() -> None:
    import streamlit as st

    st.cache_data.clear()


def test_html_numbers_line_up_and_chart_labels_have_room(packed) -> None:
    """QA: in the HTML pack the revenue axis labels were clipped ("M") under the axis
    title, and the Make/Buy headers sat left of their right-aligned numbers."""
    from sop.executive import charts as exec_charts

    view, ctx, meta = packed
    page = pack.html(view, ctx.tables, meta)
    for header in ("Make (units)", "Buy (units)", "Ship (units)", "Margin at stake"):
        assert f"<th class=n>{header}</th>" in page
    assert "<th>Week (Monday)</th>" in page and "th.n{text-align:right}" in page
    # a risk's months stay on one line ("Nov 2026 – Dec\n2027" read badly)
    months = [w for w in view.risks["when"] if w]
    assert months and all(f"<td class=k>{w}</td>" in page for w in months)
    assert "td.k{white-space:nowrap}" in page
    made = view.log["made_at"].iloc[0].strftime("%Y-%m-%d %H:%M")
    assert f"<td class=k>{made}</td>" in page  # the log's times on one line
    fig = exec_charts.revenue_chart(view.band, "EUR", height=420)
    assert fig.layout.yaxis.automargin and fig.layout.xaxis.automargin
    assert fig.layout.yaxis.title.standoff and fig.layout.legend.yref == "container"
    assert all(t.startswith(("€", "-€")) for t in fig.layout.yaxis.ticktext)


def test_finance_sheet_totals_the_budget_months_apart(store: Store) -> None:
    """A budget shorter than the plan: the Total row leaves the budget blank (it covers
    fewer months) and a "Total, budget months" row compares like with like, so the
    sheet's gap is the headline's gap against budget."""
    from exec_helpers import exec_tables

    t = exec_tables()
    months = sorted(t[schema.BUDGET][schema.MONTH].unique())
    t[schema.BUDGET] = t[schema.BUDGET][t[schema.BUDGET][schema.MONTH].isin(months[:5])]
    load(store, t)
    ctx = executive.context(store)
    view = executive.view(store, ctx)
    meta = pack.PackMeta("Tiny Co", "tiny", 1, view.cycle, ctx.as_of, "EUR", pack.now())
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand)))
    fin = _sheet(wb, "Finance")
    total = fin[fin["Month"] == "Total"].iloc[0]
    assert pd.isna(total["Budget revenue (EUR)"]) and pd.isna(total["Budget margin (EUR)"])
    part = fin[fin["Month"] == "Total, budget months"].iloc[0]
    assert part["Family"] == f"{months[0]:%b %Y} – {months[4]:%b %Y}"
    head = view.headline.set_index("key")
    for col, key in (("Revenue", "revenue"), ("Gross margin", "gross_margin")):
        gap = part[f"{col} (EUR)"] - part[f"Budget {col.split()[-1].lower()} (EUR)"]
        assert gap == pytest.approx(head.at[key, "vs_budget"])
    assert total["Revenue (EUR)"] == pytest.approx(view.current.kpis["revenue"])
    assert wb["Finance"].column_dimensions["A"].width >= len("Total, budget months")


def _all_text(wb) -> str:
    return " ".join(str(v) for ws in wb for row in ws.values for v in row if v is not None)


def test_a_priced_pack_says_nothing_about_prices(packed) -> None:
    view, ctx, meta = packed
    assert pack.NO_PRICE not in [v for _, v, _ in pack.summary_pairs(view, meta)]
    table_sheets = pack_sheets.sheets(view, ctx.tables, ctx.demand)
    assert pack_sheets.no_price_notes(view, table_sheets, {}) == {}
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand)))
    assert "No price loaded" not in _all_text(wb)
    assert "No price loaded" not in pack.html(view, ctx.tables, meta)


def test_a_pack_without_prices_says_why_its_money_is_blank(store: Store) -> None:
    from demand_helpers import fake_values, store_fake_run
    from minimal import minimal_files
    from tiny import AS_OF

    from sop.data.validate import validate_files
    from sop.demand.engine import ForecastSettings

    report = validate_files(minimal_files())
    version = store.load(report.tables, name="mine")
    months = pd.date_range(AS_OF + pd.offsets.MonthBegin(1), periods=18, freq="MS")
    store_fake_run(store, version, ForecastSettings(horizon=18), fake_values(months=months))
    ctx = executive.context(store)
    view = executive.view(store, ctx)
    meta = pack.PackMeta("Mine", "mine", version, view.cycle, ctx.as_of, "EUR", pack.now())
    assert ("Note", pack.NO_PRICE, "text") in pack.summary_pairs(view, meta)
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand)))
    for name in ("Finance", "Scenarios", "Grid Alpha", "Grid Total"):
        ws = wb[name]
        last = [v for v in next(ws.iter_rows(min_row=ws.max_row, values_only=True)) if v]
        assert last == [pack.NO_PRICE], name  # the line under the table
    fin = _sheet(wb, "Finance")
    assert fin["Revenue (EUR)"].isna().all()  # blank, never 0
    summary = " ".join(str(v) for row in wb["Summary"].values for v in row if v is not None)
    assert pack.NO_PRICE in summary
    for name in ("Demand", "Supply", "Decisions"):  # no money there: nothing to explain
        assert "No price loaded" not in " ".join(
            str(v) for row in wb[name].values for v in row if v is not None
        ), name
    page = pack.html(view, ctx.tables, meta)
    assert "No price loaded for some SKUs" in page
