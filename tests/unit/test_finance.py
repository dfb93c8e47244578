"""Finance: PVM bridge, year-end landing, versus budget, view frames, exports, charts."""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from supply_helpers import tiny_with_consensus

from sop.core import charts, fmt, schema, xlsx
from sop.core.xlsx import cell_value
from sop.finance import charts as finance_charts
from sop.finance import export as finance_export
from sop.finance import landing, margin_charts, pvm, statement
from sop.finance import view as finance_view
from sop.scenario.evaluate import evaluate
from sop.scenario.levers import Levers

NOV, DEC, JAN = (pd.Timestamp(m) for m in ("2026-11-01", "2026-12-01", "2027-01-01"))


def _proj(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=[schema.MONTH, schema.FAMILY, schema.UNITS, schema.REVENUE, schema.MARGIN]
    )


def _budget(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=[schema.FAMILY, schema.MONTH, schema.UNITS, schema.REVENUE, schema.MARGIN]
    )


# --- price-volume-mix bridge -------------------------------------------------------
def _two_families() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A: budget 100 u at 10, margin 4/u; projected 120 u at 11, cost 7/u.
    B: budget 100 u at 20, margin 10/u; projected 80 u at 19, cost 10/u.
    Each split over Nov and Dec; a January the budget lacks and a budget month the
    projection lacks must both be left out."""
    proj = _proj(
        [
            (NOV, "A", 60, 660, 240),
            (DEC, "A", 60, 660, 240),
            (NOV, "B", 40, 760, 360),
            (DEC, "B", 40, 760, 360),
            (JAN, "A", 999, 9999, 9999),
        ]
    )
    bud = _budget(
        [
            ("A", NOV, 50, 500, 200),
            ("A", DEC, 50, 500, 200),
            ("B", NOV, 50, 1000, 500),
            ("B", DEC, 50, 1000, 500),
            ("B", pd.Timestamp("2026-10-01"), 7, 70, 7),
        ]
    )
    return proj, bud


def test_pvm_two_families_by_hand() -> None:
    proj, bud = _two_families()
    b = pvm.pvm_bridge(proj, bud).set_index(schema.FAMILY)
    # average budget margin per unit = (400 + 1000) / 200 = 7
    # A: volume 20 x 7 = 140, mix 20 x (4 - 7) = -60, price (11 - 10) x 120 = 120,
    #    cost -(7 - 6) x 120 = -120 -> 400 + 80 = 480
    # B: volume -20 x 7 = -140, mix -20 x (10 - 7) = -60, price (19 - 20) x 80 = -80,
    #    cost -(10 - 10) x 80 = 0 -> 1000 - 280 = 720
    expected = {
        "A": (100, 120, 400, 140, -60, 120, -120, 480),
        "B": (100, 80, 1000, -140, -60, -80, 0, 720),
    }
    cols = [
        "budget_units",
        "units",
        "budget_margin",
        "volume",
        "mix",
        "price",
        "cost",
        schema.MARGIN,
    ]
    for fam, values in expected.items():
        assert tuple(b.loc[fam, cols]) == pytest.approx(values, abs=1e-9)
    steps = pvm.bridge_steps(pvm.pvm_bridge(proj, bud)).set_index("step")["amount"]
    assert steps["Budget margin"] == 1400 and steps["Projected margin"] == 1200
    assert (steps["Volume"], steps["Mix"], steps["Price"], steps["Cost"]) == pytest.approx(
        (0, -120, 40, -120), abs=1e-9
    )


def test_pvm_adds_up_exactly_on_random_data() -> None:
    rng = np.random.default_rng(7)
    months = pd.date_range("2027-01-01", periods=6, freq="MS")
    fams = [f"F{i}" for i in range(6)]
    proj = _proj(
        [
            (m, f, rng.uniform(0, 500), rng.uniform(0, 9e4), rng.uniform(-2e4, 4e4))
            for m in months
            for f in fams[:5]
        ]
    )  # F5 not projected
    bud = _budget(
        [
            (f, m, rng.uniform(1, 500), rng.uniform(0, 9e4), rng.uniform(-1e4, 3e4))
            for m in months[1:]
            for f in fams
            if f != "F0"
        ]
    )  # F0 not budgeted
    b = pvm.pvm_bridge(proj, bud)
    assert set(b[schema.FAMILY]) == set(fams)
    steps = b["budget_margin"] + b[list(pvm.EFFECTS)].sum(axis=1)
    np.testing.assert_allclose(steps, b[schema.MARGIN], rtol=1e-12, atol=1e-6)
    s = pvm.bridge_steps(b)
    assert s["amount"].iloc[0] + s["amount"].iloc[1:5].sum() == pytest.approx(
        s["amount"].iloc[-1], rel=1e-12
    )
    # totals are the projection and budget over the months both cover (Feb..Jun)
    covered = proj[proj[schema.MONTH] >= months[1]]
    assert b[schema.MARGIN].sum() == pytest.approx(covered[schema.MARGIN].sum())
    assert b["budget_margin"].sum() == pytest.approx(bud[schema.MARGIN].sum())
    new = b.set_index(schema.FAMILY).loc["F0"]  # unbudgeted: volume + mix = its margin
    assert new["volume"] + new["mix"] == pytest.approx(new[schema.MARGIN])
    assert new["price"] == 0 and new["cost"] == pytest.approx(0, abs=1e-6)
    gone = b.set_index(schema.FAMILY).loc["F5"]  # sells nothing: loses its budget margin
    assert gone["volume"] + gone["mix"] == pytest.approx(-gone["budget_margin"])


def test_pvm_is_empty_without_common_months() -> None:
    proj, bud = _two_families()
    assert pvm.pvm_bridge(proj[proj[schema.MONTH] == JAN], bud).empty


# --- year-end landing ----------------------------------------------------------------
def _landing_inputs():
    as_of = pd.Timestamp("2026-10-01")
    act = pd.DataFrame({schema.MONTH: pd.date_range("2026-01-01", as_of, freq="MS")})
    act = act.assign(**{schema.FAMILY: "A", schema.REVENUE: 100.0, schema.MARGIN: 30.0})
    act = act[act[schema.MONTH] != pd.Timestamp("2026-03-01")]  # a month with no sales: zero
    proj = _proj([(m, "A", 10, 200.0, 50.0) for m in pd.date_range(NOV, periods=8, freq="MS")])
    bud_months = list(pd.date_range("2026-01-01", "2027-12-01", freq="MS"))
    bud = _budget([("A", m, 10, 150.0, 40.0) for m in bud_months])
    return act, proj, bud, as_of


def test_landing_full_year_and_horizon_cut_by_hand() -> None:
    act, proj, bud, as_of = _landing_inputs()
    land = landing.year_end_landing(act, proj, bud, as_of).set_index("year")
    y26 = land.loc[2026]
    # 9 actual months of 100 (March missing = 0) + Nov, Dec projected at 200
    assert y26["actual_revenue"] == 900 and y26["projected_revenue"] == 400
    assert y26["landing_revenue"] == 1300 and y26["budget_revenue"] == 12 * 150
    assert y26["compared_revenue"] == 1300
    assert y26["revenue_gap"] == 1300 - 1800
    assert y26["revenue_gap_pct"] == pytest.approx(-500 / 1800)
    assert y26["landing_margin"] == 9 * 30 + 2 * 50 and y26["budget_margin"] == 480
    assert y26["full_year"] and y26["compared_months"] == 12 and y26["actual_months"] == 10
    y27 = land.loc[2027]  # projection Jan..Jun 2027: Jul..Dec budget left out
    assert y27["compared_months"] == 6 and not y27["full_year"]
    assert y27["landing_revenue"] == 6 * 200 and y27["budget_revenue"] == 6 * 150
    assert y27["year_months"] == 6
    assert "Jul 2027 to Dec 2027" in y27["note"] and "left out" in y27["note"]


def test_landing_is_one_figure_per_year_whatever_the_budget_covers() -> None:
    """QA: with a budget for Nov-Dec only, 2026 showed 0 actual months and a landing of
    Nov-Dec alone while its tile said actuals + projection: one landing per year."""
    act, proj, bud, as_of = _landing_inputs()
    bud = bud[bud[schema.MONTH] >= NOV]  # budget starts after the actuals
    bud = bud[bud[schema.MONTH] <= pd.Timestamp("2026-12-01")]  # and covers 2026 only
    land = landing.year_end_landing(act, proj, bud, as_of).set_index("year")
    y26 = land.loc[2026]
    assert y26["actual_months"] == 10 and y26["projected_months"] == 2
    assert y26["actual_revenue"] == 900 and y26["landing_revenue"] == 900 + 400
    # compared with the budget over the months it covers, Nov-Dec
    assert y26["compared_months"] == 2 and y26["compared_revenue"] == 400
    assert y26["budget_revenue"] == 300 and y26["revenue_gap"] == 100
    assert "only (2 of 12 months)" in y26["note"]
    y27 = land.loc[2027]
    assert np.isnan(y27["budget_revenue"]) and np.isnan(y27["revenue_gap"])
    assert np.isnan(y27["compared_revenue"])
    assert y27["landing_revenue"] == 1200 and "No budget for 2027" in y27["note"]
    tiles = landing.tiles(land.reset_index(), "EUR")
    assert tiles[0].value == "€1,300" and tiles[0].delta.startswith("+€100 vs budget")
    assert tiles[0].delta_color == "normal" and tiles[1].delta == "no budget"
    assert tiles[1].delta_color == "off" and tiles[1].notes == (y27["note"],)
    # the chart's bars per year add up to the same landing, actuals included
    fig = finance_charts.landing_chart(land.reset_index(), schema.REVENUE, "EUR")
    bars = [t for t in fig.data if t.type == "bar"]
    assert {t.name for t in bars} == {"Actuals", "Projection"}
    assert (
        sum(t.y[0] for t in bars) == 1300
        and next(t for t in bars if t.name == "Actuals").y[0] == 900
    )
    marker = next(t for t in fig.data if t.name == "Budget (same months)")
    assert list(marker.x) == ["2026"] and marker.y[0] == 1300 - 100
    # on screen, a year without budget reads "–", never None
    shown = finance_export.screen_table(land.reset_index(), finance_export.LANDING_SPEC, "EUR")
    assert shown.loc[1, "budget_revenue"] == "–" and shown.loc[0, "landing_revenue"] == "€1,300"


def test_actuals_value_missing_revenue_and_estimate_margin() -> None:
    products = pd.DataFrame(
        {
            schema.SKU: ["A1", "A2"],
            schema.FAMILY: ["A", "A"],
            schema.LIST_PRICE: [10.0, 30.0],
            schema.MATERIAL_COST: [4.0, 9.0],
        }
    )
    sales = pd.DataFrame(
        {
            schema.MONTH: [NOV, DEC, DEC],
            schema.SKU: ["A1", "A1", "A2"],
            schema.REGION: "N",
            schema.UNITS: [10.0, 5.0, 2.0],
            schema.REVENUE: [80.0, np.nan, np.nan],
        }
    )
    out = landing.actuals_by_family(sales, products, pd.Series({"A": 5.0})).set_index(schema.MONTH)
    # Dec: A1 at its realised 8/unit (80/10), A2 never priced: list price 30
    assert out.loc[DEC, schema.REVENUE] == 5 * 8 + 2 * 30
    assert out.loc[DEC, schema.MARGIN] == 100 - 7 * 5.0
    assert out.loc[DEC, "estimated_rows"] == 2 and out.loc[NOV, "estimated_rows"] == 0


# --- versus budget and view frames ---------------------------------------------------
def test_versus_budget_over_common_months() -> None:
    proj, bud = _two_families()
    pnl = proj.assign(demand_units=proj[schema.UNITS])
    vb = statement.versus_budget(pnl, bud)
    assert set(vb[schema.MONTH]) == {NOV, DEC}
    row = vb[(vb[schema.FAMILY] == "B") & (vb[schema.MONTH] == NOV)].iloc[0]
    assert (row["revenue_gap"], row["margin_gap"]) == (760 - 1000, 360 - 500)
    by_month = finance_view.budget_by_month(vb)
    assert list(by_month[schema.REVENUE]) == [1420, 1420]
    assert list(by_month["cum_margin_gap"]) == [-100, -200]
    assert list(by_month["cum_budget_revenue"]) == [1500, 3000]


def test_bands_add_the_risk_margin_change() -> None:
    pnl = _proj([(NOV, "A", 1, 100.0, 40.0)])
    risk = pd.DataFrame(
        {
            schema.FAMILY: ["A"],
            schema.MONTH: [NOV],
            "revenue_p10": [80.0],
            "revenue_p50": [99.0],
            "revenue_p90": [110.0],
            "margin_delta_p10": [-15.0],
            "margin_delta_p50": [0.0],
            "margin_delta_p90": [6.0],
        }
    )
    b = finance_view.monthly_bands(pnl, risk, _budget([("A", NOV, 1, 90.0, 30.0)])).iloc[0]
    assert (b["margin_p10"], b["margin_p90"], b["revenue_p10"]) == (25.0, 46.0, 80.0)
    assert b["budget_margin"] == 30.0
    flat = finance_view.monthly_bands(pnl, None, None).iloc[0]
    assert flat["margin_p10"] == flat["margin_p90"] == 40.0
    assert np.isnan(flat["budget_revenue"])


def test_landing_compares_the_budget_with_the_families_it_covers_only() -> None:
    """QA (a non-demo dataset): with a budget for family A only, the landing set A and
    B's projection against A's budget, so a family below budget read as above it."""
    act, proj, bud, as_of = _landing_inputs()
    other = proj.assign(**{schema.FAMILY: "B", schema.REVENUE: 1000.0, schema.MARGIN: 400.0})
    land = landing.year_end_landing(act, pd.concat([proj, other]), bud, as_of).set_index("year")
    y26 = land.loc[2026]
    assert y26["landing_revenue"] == 900 + 400 + 2000  # B is in the landing
    assert y26["compared_revenue"] == 1300 and y26["revenue_gap"] == 1300 - 1800
    assert y26["compared_margin"] == 9 * 30 + 2 * 50  # B's margin left out
    y27 = land.loc[2027]
    assert y27["compared_revenue"] == 6 * 200 and y27["revenue_gap"] == 6 * 200 - 6 * 150


def test_view_with_a_budget_for_one_family_reconciles_and_says_so() -> None:
    """QA: the PVM bridge counted the unbudgeted family as volume (bridge +, tiles -)
    and the landing compared every family with one family's budget."""
    tables, demand = tiny_with_consensus(12)
    tables = {
        **tables,
        schema.BUDGET: tables[schema.BUDGET][tables[schema.BUDGET][schema.FAMILY] == "Alpha"],
    }
    ev = evaluate(demand, tables, Levers())
    view = finance_view.build(ev, tables)
    t, b = view.totals, view.bridge
    assert list(b[schema.FAMILY]) == ["Alpha"]
    assert b[schema.MARGIN].sum() == pytest.approx(t["margin_over_budget_months"])
    assert b[schema.MARGIN].sum() - b["budget_margin"].sum() == pytest.approx(t["margin_gap"])
    alpha = ev.pnl[ev.pnl[schema.FAMILY] == "Alpha"]
    assert t["revenue_over_budget_months"] == pytest.approx(alpha[schema.REVENUE].sum())
    y = view.landing.iloc[0]
    assert y["compared_revenue"] == pytest.approx(alpha[schema.REVENUE].sum())
    assert y["revenue_gap"] == pytest.approx(t["revenue_gap"])
    assert any("The budget covers Alpha only: Beta has no budget" in n for n in view.notes)


@pytest.fixture(scope="module")
def tiny_view():
    tables, demand = tiny_with_consensus(12)
    ev = evaluate(demand, tables, Levers())
    assert ev.ok
    return ev, tables, finance_view.build(ev, tables)


def test_view_of_a_real_plan_reconciles(tiny_view) -> None:
    ev, tables, view = tiny_view
    assert view.totals["revenue"] == pytest.approx(ev.kpis["revenue"])
    assert view.totals["margin"] == pytest.approx(ev.kpis["gross_margin"])
    assert view.totals["budget_revenue"] == pytest.approx(ev.budget["revenue"])
    assert view.totals["revenue_over_budget_months"] == pytest.approx(ev.budget["plan_revenue"])
    inv = view.inventory
    assert inv["carrying_cost"].sum() == pytest.approx(ev.plan.family_plan["holding_cost"].sum())
    last = inv[inv[schema.MONTH] == inv[schema.MONTH].max()]
    assert last["inventory_value"].sum() == pytest.approx(ev.kpis["ending_inventory_value"])
    b = view.bridge
    assert (b["budget_margin"] + b[list(pvm.EFFECTS)].sum(axis=1)).to_numpy() == pytest.approx(
        b[schema.MARGIN].to_numpy()
    )
    assert list(view.landing["year"]) == [2026]  # tiny: plan and budget = 2026
    assert view.landing["full_year"].iloc[0]


# --- exports -------------------------------------------------------------------------
META = finance_export.ExportMeta(
    "Tiny Co",
    "tiny",
    3,
    "Price +10% Alpha",
    "price_family_pct Alpha:10",
    "EUR",
    pd.Timestamp("2025-12-01"),
)


def _sheet_frame(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_workbook_round_trip(tiny_view) -> None:
    _, _, view = tiny_view
    made = datetime(2026, 1, 15, 9, 30)
    wb = load_workbook(io.BytesIO(finance_export.workbook(view, META, made)))
    assert wb.sheetnames == [
        "Summary",
        "P&L by family",
        "Revenue ranges",
        "Budget vs projection",
        "PVM bridge",
        "Year-end landing",
        "Cash to P&L",
        "Inventory",
    ]
    summary = dict(ws_row[:2] for ws_row in wb["Summary"].iter_rows(values_only=True))
    assert summary["Dataset version"] == 3 and summary["Scenario"] == "Price +10% Alpha"
    assert summary["Made (UTC)"] == "2026-01-15 09:30" and summary["Currency"] == "EUR"
    assert summary["Revenue, plan horizon"] == pytest.approx(view.pnl[schema.REVENUE].sum())
    pnl = _sheet_frame(wb["P&L by family"])
    total = pnl[pnl["Month"] == finance_export.TOTAL].iloc[0]
    body = pnl[~pnl["Month"].astype(str).str.startswith(finance_export.TOTAL)]
    # QA: "Inventory costs" read -€217,666 in a month that builds stock: the stock change
    # is its own column, signed as stock built, outside the costs
    assert "Stock change at standard (+ built) (EUR)" in pnl.columns
    assert summary["Booking convention"] == view.convention
    assert len(body) == len(view.pnl)
    for col in (schema.REVENUE, "cogs", schema.MARGIN, schema.UNITS, "idle_time"):
        header = next(h for c, h, k in finance_export.PNL_SPEC if c == col)
        header += " (EUR)" if col != schema.UNITS else ""
        assert total[header] == pytest.approx(view.pnl[col].sum())
        assert body[header].sum() == pytest.approx(view.pnl[col].sum())
    bud = _sheet_frame(wb["Budget vs projection"])
    bud_total = bud[bud["Month"] == finance_export.TOTAL].iloc[0]
    assert bud_total["Budget revenue (EUR)"] == pytest.approx(view.by_month["budget_revenue"].sum())
    bridge = _sheet_frame(wb["PVM bridge"]).set_index("Family")
    effects = ["Volume effect (EUR)", "Mix effect (EUR)", "Price effect (EUR)", "Cost effect (EUR)"]
    assert bridge.loc[finance_export.TOTAL, "Budget margin (EUR)"] + bridge.loc[
        finance_export.TOTAL, effects
    ].sum() == pytest.approx(bridge.loc[finance_export.TOTAL, "Projected margin (EUR)"])
    ws = wb["P&L by family"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert "€" in ws["E2"].number_format and ws["A2"].number_format == finance_export.MONTH_FORMAT
    assert ws.column_dimensions["A"].width >= 10
    inv = _sheet_frame(wb["Inventory"])
    assert inv[inv["Month"] == finance_export.TOTAL]["Carrying cost (EUR)"].iloc[
        0
    ] == pytest.approx(view.inventory["carrying_cost"].sum())
    # the sheet says what the stock is for, as the Inventory tab does
    assert "Built ahead: stock above target (units)" in inv.columns
    assert inv[inv["Month"] == finance_export.TOTAL][
        "Carrying cost of built-ahead stock (EUR)"
    ].iloc[0] == pytest.approx(view.inventory["built_ahead_holding"].sum())


def test_landing_sheet_matches_the_screen(tiny_view) -> None:
    """The Excel "Year-end landing" sheet carries the same one landing per year as the
    tiles (actuals included) and leaves a year without budget blank."""
    _, _, view = tiny_view
    act, proj, bud, as_of = _landing_inputs()
    bud = bud[(bud[schema.MONTH] >= NOV) & (bud[schema.MONTH] <= pd.Timestamp("2026-12-01"))]
    land = landing.year_end_landing(act, proj, bud, as_of)
    wb = load_workbook(
        io.BytesIO(finance_export.workbook(dataclasses.replace(view, landing=land), META))
    )
    sheet = _sheet_frame(wb["Year-end landing"]).set_index("Fiscal year")
    assert sheet.loc[2026, "Actual months"] == 10
    assert sheet.loc[2026, "Landing revenue (actuals + projection) (EUR)"] == 1300
    assert sheet.loc[2026, "Revenue gap (landing - budget) (EUR)"] == 100
    assert pd.isna(sheet.loc[2027, "Budget revenue (EUR)"])  # a blank cell
    tile = landing.tiles(land, "EUR")[0].value
    assert tile == fmt_money(sheet.loc[2026, "Landing revenue (actuals + projection) (EUR)"])


def fmt_money(v: float) -> str:
    return fmt.money(v, "EUR")


def test_csv_round_trip(tiny_view) -> None:
    _, _, view = tiny_view
    df = pd.read_csv(io.BytesIO(finance_export.pnl_csv(view, "EUR")))
    assert list(df.columns[:3]) == [schema.MONTH, schema.FAMILY, schema.CURRENCY]
    assert df[schema.MONTH].iloc[0] == "2026-01" and set(df[schema.CURRENCY]) == {"EUR"}
    assert df[schema.REVENUE].sum() == pytest.approx(
        view.pnl[schema.REVENUE].sum(), abs=0.01 * len(df)
    )
    assert df[schema.MARGIN].sum() == pytest.approx(
        view.pnl[schema.MARGIN].sum(), abs=0.01 * len(df)
    )


def test_formats_and_file_names() -> None:
    assert finance_export.money_format("USD") == '"$"#,##0;-"$"#,##0'
    assert finance_export.money_format("CHF").startswith('"CHF "')
    assert finance_export.file_name(META, "xlsx") == "finance_v3_price-plus10-alpha.xlsx"
    assert (
        finance_export.file_name(finance_export.ExportMeta("c", "d", 1, "???", "", "EUR"), "csv")
        == "finance_v1_scenario.csv"
    )


# --- charts --------------------------------------------------------------------------
def test_charts_use_the_template_and_family_colours(tiny_view) -> None:
    _, _, view = tiny_view
    colors = {"Alpha": "#123456", "Beta": "#654321"}
    fig = finance_charts.band_chart(view.bands, view.actuals, schema.REVENUE, "EUR", colors)
    assert fig.layout.template.layout.font.family == charts.FONT  # the app's one template
    alpha = next(t for t in fig.data if t.name == "Alpha projection")
    assert alpha.line.color == "#123456"
    assert any(t.name == "Actual" for t in fig.data) and any(t.name == "Budget" for t in fig.data)
    assert fig.layout.yaxis.ticktext and all(
        t.startswith(("€", "-€")) for t in fig.layout.yaxis.ticktext
    )
    steps = pvm.bridge_steps(view.bridge)
    wf = margin_charts.bridge_waterfall(steps, "EUR").data[0]
    assert list(wf.y) == pytest.approx(list(steps["amount"]))
    assert wf.measure[0] == "absolute" and wf.measure[-1] == "total"
    for fig in (
        finance_charts.budget_chart(view.by_month, schema.MARGIN, "EUR", True),
        finance_charts.landing_chart(view.landing, schema.REVENUE, "EUR"),
        margin_charts.inventory_chart(view.inventory, "EUR", colors),
    ):
        assert fig.data and "€" in "".join(fig.layout.yaxis.ticktext)
    assert finance_charts.budget_chart(
        view.by_month.iloc[0:0], schema.REVENUE, "EUR", False
    ).layout.title.text.startswith("The budget covers none")


def test_money_reads_the_same_everywhere() -> None:
    """QA: "€-25,508" in a table vs "-€25,508" elsewhere, "-€0"/"+€0" on bridge bars,
    "€−800k" on a chart axis. One convention: the sign before the symbol, deltas
    signed, zero unsigned."""
    assert fmt.money(-25508, compact=False) == "-€25,508"
    assert fmt.money(-0.3) == fmt.money(0.2) == fmt.money_delta(-0.4) == "€0"
    assert fmt.money_delta(1.94e6) == "+€1.94M" and fmt.money_delta(-192e3) == "-€192k"
    assert fmt.money_delta(25508, compact=False) == "+€25,508"
    proj, bud = _two_families()
    bridge = pvm.pvm_bridge(proj, bud)
    shown = finance_export.screen_table(bridge, finance_export.BRIDGE_SPEC, "EUR").set_index(
        schema.FAMILY
    )
    assert shown.loc["A", "mix"] == "-€60" and shown.loc["B", "volume"] == "-€140"
    assert shown.loc["A", "price"] == "+€120" and shown.loc["B", "cost"] == "€0"
    assert shown.loc["A", "budget_margin"] == "€400"  # a level, not a change
    assert xlsx.delta_format("EUR") == '+"€"#,##0;-"€"#,##0;"€"0'
    steps = pd.DataFrame(
        {
            "step": ["Budget margin", "Volume", "Mix", "Price", "Cost", "Projected margin"],
            "amount": [900e3, -1.7e6, 0.3, -0.2, 50e3, -750e3],
            "kind": ["total", "delta", "delta", "delta", "delta", "total"],
        }
    )
    wf = margin_charts.bridge_waterfall(steps, "EUR")
    assert list(wf.data[0].text) == ["€900k", "-€1.70M", "€0", "€0", "+€50k", "-€750k"]
    ticks = list(wf.layout.yaxis.ticktext)
    assert any(t.startswith("-€") for t in ticks) and "€0" in ticks
    assert not any(c in t for t in ticks for c in ("€-", "€−", "−"))
    assert float(min(wf.layout.yaxis.tickvals)) <= -800e3  # covers the lowest level


def test_rounding_residues_never_read_minus_zero() -> None:
    """QA: the pack's Demand sheet showed "-0" units for -1e-12 differences."""
    assert cell_value(-1e-9, "units") == 0.0 and cell_value(-1e-9, "delta") == 0.0
    assert cell_value(-3.0, "units") == -3.0 and cell_value(0.2, "num") == 0.2
