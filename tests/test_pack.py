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
from sop import executive as X
from sop import pack as P
from sop.levers import Levers
from sop.store import Store
from sop.store import decisions as DS
from sop.store import scenarios as SC

ROOT = Path(__file__).resolve().parent.parent
SHEETS = ["Summary", "Demand", "Supply", "Finance", "Scenarios", "Decisions", "Risks",
          "What changed", "S&OE weeks"]


@pytest.fixture
def packed(store: Store):
    """A store with two cycles approved, a saved scenario and an open action."""
    load(store)
    ctx = X.context(store)
    sid = SC.save(store, "Beta push", Levers(demand_family_pct=(("Beta", 20.0),)), "Ann")
    X.approve_saved(store, ctx, 0, "Ann", "December plan", pd.Timestamp("2025-12-01"))
    X.approve_saved(store, ctx, sid, "Bob", "<b>push</b> Beta & co", None)
    DS.add_item(store, pd.Timestamp("2026-01-01"), "action", "Confirm L2 overtime", "Cleo",
                "2026-01-15", "Bob")
    view = X.view(store, ctx)
    meta = P.PackMeta("Tiny Co", "tiny", 1, view.cycle, ctx.as_of, "EUR", P.now())
    return view, ctx, meta


def _sheet(wb, name: str) -> pd.DataFrame:
    rows = list(wb[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def _total(df: pd.DataFrame, header: str) -> tuple[float, float]:
    """(sum of the data rows, the Total row's value) of a column."""
    body, total = df[df.iloc[:, 0] != "Total"], df[df.iloc[:, 0] == "Total"]
    return float(pd.to_numeric(body[header]).sum()), float(total[header].iloc[0])


def test_workbook_has_every_sheet_and_the_totals(packed) -> None:
    view, ctx, meta = packed
    wb = openpyxl.load_workbook(io.BytesIO(P.excel(view, ctx.tables, meta)))
    assert wb.sheetnames == SHEETS
    k = view.current.kpis
    fin = _sheet(wb, "Finance")
    body, total = _total(fin, "Revenue (EUR)")
    assert body == pytest.approx(k["revenue"]) and total == pytest.approx(k["revenue"])
    assert _total(fin, "Gross margin (EUR)")[1] == pytest.approx(k["gross_margin"])
    dem = _sheet(wb, "Demand")
    assert _total(dem, "Consensus demand (units)")[1] == pytest.approx(k["demand_units"])
    sup = _sheet(wb, "Supply")
    assert _total(sup, "Served (units)")[1] == pytest.approx(k["served_units"])
    assert _total(sup, "Lost sales (units)")[1] == pytest.approx(k["lost_units"], abs=1e-6)
    weeks = _sheet(wb, "S&OE weeks")
    assert _total(weeks, "Make (units)")[1] == pytest.approx(
        view.snapshot.sku_plan["production"].sum())
    scen = _sheet(wb, "Scenarios")
    assert set(scen["Plan"]) == {"Baseline", "#1 Beta push"}
    dec = _sheet(wb, "Decisions")
    assert len(dec) == 3 and "<b>push</b> Beta & co" in set(dec["Note"])
    changed = _sheet(wb, "What changed")
    assert changed["Gross margin (EUR)"].iloc[-1] == pytest.approx(k["gross_margin"])
    summary = {r[0]: r[1] for r in wb["Summary"].values if r[0]}
    assert summary["Dataset version"] == "v1" and summary["Cycle"] == "Jan 2026"
    assert summary["Made (UTC)"] == meta.made_at.strftime("%Y-%m-%d %H:%M")
    assert summary["Plan on the table"] == "#1 Beta push"
    assert wb["Finance"]["D2"].number_format.startswith('"€"')


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
    page = P.html(view, ctx.tables, meta)
    refs = _Refs()
    refs.feed(page)
    external = [r for r in refs.refs if r.strip().lower().startswith(("http:", "https:", "//"))]
    assert external == [] and refs.scripts_with_src == 0
    assert "url(" not in refs.css and "@import" not in refs.css
    assert page.count("Plotly.newPlot(") >= 3            # charts, drawn by embedded js
    assert page.count("<script") - page.count("Plotly.newPlot(") == 1   # the library, once
    assert "&lt;b&gt;push&lt;/b&gt; Beta &amp; co" in page and "<b>push</b>" not in page
    assert "Dataset tiny v1" in page and "cycle Jan 2026" in page
    assert meta.made_at.strftime("%Y-%m-%d %H:%M") in page


def test_pack_command_writes_both_files(packed, tmp_path: Path) -> None:
    store_path = Store().path
    done = subprocess.run([sys.executable, "-m", "sop", "--store", str(store_path), "pack",
                           "--out", str(tmp_path / "pack")], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (tmp_path / "pack").iterdir())
    assert files == ["sop_pack_2026-01_v1.html", "sop_pack_2026-01_v1.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "pack" / "sop_pack_2026-01_v1.xlsx")
    assert wb.sheetnames == SHEETS


def test_pack_command_on_a_folder_and_on_an_empty_store(tmp_path: Path) -> None:
    from conftest import write_tables
    from exec_helpers import exec_tables
    folder = write_tables(exec_tables(), tmp_path / "data")
    store = tmp_path / "none.duckdb"
    done = subprocess.run([sys.executable, "-m", "sop", "--store", str(store), "pack",
                           "--data", str(folder), "--out", str(tmp_path / "out")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not store.exists()                         # a folder pack leaves no store behind
    wb = openpyxl.load_workbook(tmp_path / "out" / "sop_pack_2026-01_folder.xlsx")
    assert {"Summary", "Demand", "Finance", "Decisions"} <= set(wb.sheetnames)
    empty = subprocess.run([sys.executable, "-m", "sop", "--store", str(store), "pack",
                            "--out", str(tmp_path / "x")], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert empty.returncode == 1 and "No dataset is loaded" in empty.stderr
