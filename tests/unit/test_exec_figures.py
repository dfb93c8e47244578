"""Executive figures: the plan-vs-plan bridge adds up, plans of record per cycle, the
weekly S&OE split sums back, risks are ranked by money, snapshots round-trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from exec_helpers import exec_tables, load

from sop.core import schema
from sop.executive import board as exec_board
from sop.executive import decisions, snapshots, weekly
from sop.executive import risks as exec_risks
from sop.executive import service as executive
from sop.executive import view as exec_view
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store
from sop.store import decisions as decision_log


@pytest.fixture
def ctx(store: Store) -> executive.Context:
    load(store)
    return executive.context(store)


def _snap(ctx: executive.Context, levers: Levers, cycle: str) -> snapshots.PlanSnapshot:
    ev = ctx.evaluate(levers)
    sku = exec_view.plan_detail(ctx.base, ctx.tables, levers, ctx.policy)
    return snapshots.make_snapshot(
        ev, pd.Timestamp(cycle), 0, levers.describe(), 1, ctx.as_of, "EUR", sku
    )


@pytest.mark.parametrize(
    "levers",
    [
        Levers(demand_pct=12.0, price_family_pct=(("Alpha", 4.0),)),
        Levers(
            demand_family_pct=(("Beta", 60.0),),
            capacity_changes=(("L2", "2026-01", "2026-06", -40.0),),
        ),
        Levers(material_inflation_pct=8.0, labour_cost_pct=5.0, overtime_allowed=False),
    ],
)
def test_plan_bridge_adds_up_exactly(ctx: executive.Context, levers: Levers) -> None:
    prev, cur = _snap(ctx, Levers(), "2025-12-01"), _snap(ctx, levers, "2026-01-01")
    prev = snapshots.PlanSnapshot.from_json(prev.to_json())  # as read back from the store
    b = decisions.plan_bridge(prev, cur, ctx.tables[schema.PRODUCTS])
    assert list(b["step"]) == ["Previous plan of record", *decisions.GROUPS, "New plan of record"]
    assert b["amount"].iloc[0] == pytest.approx(prev.kpis["gross_margin"])
    assert b["amount"].iloc[-1] == pytest.approx(cur.kpis["gross_margin"])
    steps = b.loc[b["kind"] == "delta", "amount"].sum()
    assert steps == pytest.approx(b["amount"].iloc[-1] - b["amount"].iloc[0], abs=1e-6)
    assert abs(b["amount"].iloc[-1] - b["amount"].iloc[0]) > 1.0  # something moved


def test_bridge_of_a_price_change_lands_on_price(ctx: executive.Context) -> None:
    cur = _snap(ctx, Levers(price_family_pct=(("Beta", 10.0),)), "2026-01-01")
    b = decisions.plan_bridge(
        _snap(ctx, Levers(), "2025-12-01"), cur, ctx.tables[schema.PRODUCTS]
    ).set_index("step")["amount"]
    assert b["Price"] > 0 and abs(b["Price"]) > abs(b["Demand"])


def test_snapshot_round_trip_keeps_every_frame(ctx: executive.Context) -> None:
    snap = _snap(ctx, Levers(demand_pct=3.0), "2026-01-01")
    back = snapshots.PlanSnapshot.from_json(snap.to_json())
    for name in ("family_plan", "pnl", "sku_plan"):
        a, b = getattr(snap, name), getattr(back, name)
        assert len(a) == len(b)
        num = [c for c in a.columns if pd.api.types.is_numeric_dtype(a[c])]
        assert np.allclose(a[num].to_numpy(float), b[num].to_numpy(float), atol=1e-5)
    assert back.kpis == pytest.approx(snap.kpis) and back.levers == {"scn_demand_pct": 3.0}


def test_previous_cycle_and_reversal_fall_back(store: Store, ctx: executive.Context) -> None:
    a = executive.approve_saved(store, ctx, 0, "Dec plan", pd.Timestamp("2025-12-01"))
    b = executive.approve_saved(store, ctx, 0, "Jan plan", pd.Timestamp("2026-01-01"))
    c = executive.approve_saved(store, ctx, 0, "Jan plan, again", pd.Timestamp("2026-01-01"))
    log = decision_log.log(store)
    assert int(decisions.plan_of_record(log, pd.Timestamp("2026-01-01"))["entry_id"]) == c
    assert int(decisions.previous_plan_of_record(log, pd.Timestamp("2026-01-01"))["entry_id"]) == a
    decision_log.revoke(store, c, "mistake")
    assert (
        int(
            decisions.plan_of_record(decision_log.log(store), pd.Timestamp("2026-01-01"))[
                "entry_id"
            ]
        )
        == b
    )
    decision_log.revoke(store, b, "no plan yet")
    assert decisions.plan_of_record(decision_log.log(store), pd.Timestamp("2026-01-01")) is None


def test_view_compares_with_the_previous_plan_of_record(store: Store, ctx) -> None:
    executive.approve_saved(store, ctx, 0, "Dec plan", pd.Timestamp("2025-12-01"))
    v = executive.view(store, ctx)  # Jan 2026 cycle, not approved yet
    assert v.approved is None and v.plan_name == exec_view.BASELINE
    assert v.previous is not None and v.bridge is not None
    h = v.headline.set_index("key")
    assert h.at["revenue", "vs_previous"] == pytest.approx(0.0, abs=1e-6)
    assert v.band["revenue"].sum() == pytest.approx(v.current.kpis["revenue"])
    assert (v.band["revenue_p10"] <= v.band["revenue_p90"] + 1e-9).all()
    assert v.band["previous_revenue"].notna().all()
    assert v.weekly.empty  # no plan of record: nothing handed off


def test_weekly_split_sums_back_to_the_monthly_plan(store: Store, ctx) -> None:
    executive.approve_saved(store, ctx, 0, "go", pd.Timestamp("2026-01-01"))
    v = executive.view(store, ctx)
    monthly = v.snapshot.sku_plan.groupby([schema.MONTH, schema.SKU, schema.PLANT])[
        weekly.QUANTITIES
    ].sum()
    weeks = v.weekly.groupby([schema.MONTH, schema.SKU, schema.PLANT])[weekly.QUANTITIES].sum()
    pd.testing.assert_frame_equal(weeks.sort_index(), monthly.sort_index(), rtol=1e-9)
    assert (v.weekly["week_start"].dt.day_of_week == 0).all()
    assert (v.weekly["week_end"].dt.month == v.weekly[schema.MONTH].dt.month).all()
    assert v.weekly["production"].sum() > 0


def test_week_shares_follow_the_working_days() -> None:
    plain = weekly.week_shares(pd.Timestamp("2026-12-01"))  # 23 weekdays
    assert plain["working_days"].tolist() == [4, 5, 5, 5, 4]
    assert plain["share"].sum() == pytest.approx(1.0)
    cal = weekly.week_shares(pd.Timestamp("2026-12-01"), 20.5)  # 2.5 days off at the end
    assert cal["working_days"].tolist() == [4, 5, 5, 5, 1.5]
    assert cal["share"].iloc[-1] == pytest.approx(1.5 / 20.5)
    same = weekly.week_shares(pd.Timestamp("2026-12-01"), 25)  # Saturday shifts: spread
    assert np.allclose(same["share"], plain["share"])


def test_calendar_days_of_the_route_shift_the_split() -> None:
    t = exec_tables()
    months = pd.date_range("2026-01-01", periods=2, freq="MS")
    cap = t[schema.CAPACITY]
    cap.loc[
        (cap[schema.RESOURCE] == "L2") & (cap[schema.MONTH] == months[0]), schema.WORKING_DAYS
    ] = 10.0
    days = weekly.route_days(t, months).set_index([schema.SKU, schema.MONTH])[schema.WORKING_DAYS]
    assert days[("B1", months[0])] == 10.0 and days[("A1", months[0])] == 21.0
    plan = pd.DataFrame(
        {
            schema.MONTH: [months[0]] * 2,
            schema.SKU: ["A1", "B1"],
            schema.FAMILY: ["Alpha", "Beta"],
            schema.PLANT: ["P1", "P1"],
            "demand": [100.0, 100.0],
            "production": [210.0, 100.0],
            "subcontracted": [0.0, 0.0],
            "shipped": [100.0, 100.0],
        }
    )
    w = weekly.weekly_split(plan, weekly.route_days(t, months))
    b1 = w[w[schema.SKU] == "B1"]
    assert b1["production"].sum() == pytest.approx(100.0)
    assert b1.loc[b1["week_start"] >= "2026-01-19", "production"].sum() == 0.0
    assert w[w[schema.SKU] == "A1"]["production"].sum() == pytest.approx(210.0)


def test_actuals_against_an_earlier_plan_of_record(store: Store, ctx) -> None:
    executive.approve_saved(store, ctx, 0, "Jan plan", pd.Timestamp("2026-01-01"))
    t = exec_tables()
    jan = t[schema.CONSENSUS][t[schema.CONSENSUS][schema.MONTH] == "2026-01-01"].copy()
    jan[schema.UNITS] = jan[schema.UNITS] * 1.1  # January came in 10 % high
    t[schema.SALES] = pd.concat(
        [t[schema.SALES], jan.assign(**{schema.REVENUE: jan[schema.UNITS] * 9.5})],
        ignore_index=True,
    )
    t[schema.CONSENSUS] = t[schema.CONSENSUS][t[schema.CONSENSUS][schema.MONTH] > "2026-01-01"]
    cap = t[schema.CAPACITY]
    t[schema.CAPACITY] = pd.concat(
        [
            cap,
            cap[cap[schema.MONTH] == cap[schema.MONTH].max()].assign(
                **{schema.MONTH: pd.Timestamp("2027-01-01")}
            ),
        ],
        ignore_index=True,
    )
    load(store, t)  # a new version of the same company ("tiny": it has no company table)
    v = executive.view(store, executive.context(store))
    assert v.actuals_month == pd.Timestamp("2026-01-01")
    tot = weekly.actual_totals(v.actuals)
    assert tot["actual_units"] == pytest.approx(jan[schema.UNITS].sum())
    assert tot["gap_pct"] == pytest.approx(0.1, rel=1e-6)
    assert "Baseline" in v.actuals_plan


def test_risks_are_ranked_by_money_and_signed(ctx: executive.Context) -> None:
    lv = Levers(demand_pct=80.0)  # more than the lines can make
    ev = ctx.evaluate(lv)
    r = exec_risks.ranked(
        ev.plan, ev.pnl, ctx.tables[schema.BUDGET], ctx.tables[schema.PRODUCTS], "EUR", risk=ev.risk
    )
    assert list(r.columns) == exec_risks.COLUMNS and len(r) > 0
    assert (np.diff(r["money"].abs().to_numpy()) <= 1e-9).all()
    assert ((r["kind"] == exec_risks.RISK) == (r["money"] < 0)).all()
    assert {exec_risks.BOTTLENECK, exec_risks.BUDGET} <= set(r["category"])
    lost = ev.plan.family_plan["lost_sales"].sum()
    if lost > 0.5:
        assert (r["category"] == exec_risks.GAP).any()
    top = exec_risks.top(r, n=4, per_category=1)
    assert top["category"].is_unique and len(top) <= 4


def test_bridge_says_when_the_plan_on_the_table_is_not_approved(store: Store, ctx) -> None:
    """QA: before anything was approved the bridge ended at "New plan of record", and its
    table read "Lost sales -0" and "11,526,076" without a currency."""
    from sop.executive import records as exec_records

    executive.approve_saved(store, ctx, 0, "Dec plan", pd.Timestamp("2025-12-01"))
    sid = saved_scenarios.save(store, "Beta push", Levers(demand_family_pct=(("Beta", 20.0),)))
    v = executive.view(store, ctx)  # Jan 2026: nothing approved
    assert v.bridge["step"].iloc[-1] == f"{exec_view.BASELINE} (not approved)"
    assert "New plan of record" not in set(v.bridge["step"])
    assert v.bridge["amount_text"].iloc[0].startswith(("€", "-€"))
    detail = " ".join(v.bridge["detail"])
    assert "€" in detail and not any(t in detail for t in ("-0;", "+0;", "-€0", "+€0"))
    executive.approve_saved(store, ctx, sid, "Jan plan", pd.Timestamp("2026-01-01"))
    v = executive.view(store, ctx)
    assert v.bridge["step"].iloc[-1] == exec_records.NEW_STEP
    deltas = v.bridge[v.bridge["kind"] == "delta"]
    assert all(t[0] in "+-€" and "€" in t for t in deltas["amount_text"])
    from sop.executive import charts as exec_charts

    fig = exec_charts.plan_bridge_chart(v.bridge, "EUR")
    assert all(t == "€0" or t[0] in "+-" for t in fig.data[0].text[1:-1])
    assert not any(t in ("-€0", "+€0") for t in fig.data[0].text)


def test_records_need_no_demand_plan(store: Store, ctx) -> None:
    """The log, items and the plan of record's weeks come from the log and snapshots."""
    from sop.executive import records as exec_records

    executive.approve_saved(store, ctx, 0, "go", pd.Timestamp("2026-01-01"))
    decision_log.add_item(
        store, pd.Timestamp("2026-01-01"), "action", "Book shifts", "Olga", "2026-01-15"
    )
    rec = exec_records.records(
        ctx.tables,
        decision_log.log(store),
        exec_view.snapshot_loader(lambda i: decision_log.snapshot_json(store, i)),
        pd.Timestamp("2026-01-01"),
        ctx.as_of,
    )
    v = executive.view(store, ctx)
    assert rec.plan_name == v.plan_name and len(rec.log) == len(v.log) == 2
    assert list(rec.items["text"]) == ["Book shifts"]
    pd.testing.assert_frame_equal(rec.weekly, v.weekly)


def test_chart_fonts_follow_the_presentation_size(store: Store, ctx) -> None:
    """Presentation mode passes a larger font size: ticks, legend and title follow it
    (the page's CSS cannot reach inside a Plotly chart)."""
    from sop.executive import charts as exec_charts

    executive.approve_saved(store, ctx, 0, "Dec plan", pd.Timestamp("2025-12-01"))
    v = executive.view(store, ctx)
    for fig in (
        exec_charts.revenue_chart(v.band, "EUR", font_size=18),
        exec_charts.plan_bridge_chart(v.bridge, "EUR", font_size=18),
    ):
        assert fig.layout.xaxis.tickfont.size == fig.layout.yaxis.tickfont.size == 18
        assert fig.layout.font.size == 18 and fig.layout.title.font.size > 18
    assert exec_charts.revenue_chart(v.band, "EUR").layout.yaxis.tickfont.size == 13


def test_risk_sentences_read_right_and_the_screen_table_wraps() -> None:
    """QA: "revenue above budget ...; margin -€26k" listed as a risk read as a
    contradiction, "1 units" and "1 month(s)" read as machine text, and the screen grid
    cut every "Why" after a few words."""
    m = pd.Timestamp("2026-11-01")
    pnl = pd.DataFrame(
        {
            schema.MONTH: [m, m],
            schema.FAMILY: ["Garden", "Kitchen"],
            "units": [110.0, 80.0],
            schema.REVENUE: [1100.0, 800.0],
            schema.MARGIN: [300.0, 200.0],
        }
    )
    bud = pd.DataFrame(
        {
            schema.FAMILY: ["Garden", "Kitchen"],
            schema.MONTH: [m, m],
            schema.UNITS: [100.0, 100.0],
            schema.REVENUE: [1000.0, 1000.0],
            schema.MARGIN: [350.0, 400.0],
        }
    )
    rows = {r["subject"]: r for r in exec_risks.budget_gaps(pnl, bud, "EUR")}
    assert rows["Garden"]["what"] == (
        "Garden revenue above budget by €100 (10.0 %) but margin below it by €50."
    )
    assert rows["Kitchen"]["what"].startswith(
        "Kitchen revenue below budget by €200 (20.0 %); margin below it by €200"
    )
    from sop.core import fmt

    assert fmt.units(1.2) == "1 unit" and fmt.units(2) == "2 units"
    items = pd.DataFrame(
        [
            exec_risks._row(
                exec_risks.RISK,
                exec_risks.STOCKOUT,
                "X-1 (<Fan> & co)",
                [m],
                -12.0,
                "At P90 ... 1 unit short.",
            ),
            exec_risks._row(exec_risks.OPPORTUNITY, exec_risks.BUDGET, "Garden", [m], 5.0, "w"),
        ]
    )
    out = exec_risks.html_table(items, "EUR", height=200)
    assert "&lt;Fan&gt; &amp; co" in out and "<Fan>" not in out
    assert out.count("<tr>") == 3 and "max-height:200px" in out
    assert 'class="m risk">-€12<' in out and 'class="m opportunity">+€5<' in out


def test_board_stars_values_as_shown() -> None:
    """QA: "★ €9.57M" stood next to an unstarred "€9.57M" (9,569,906 vs 9,568,189): a
    star must not pick between values that read the same."""
    board = pd.DataFrame(
        {
            "plan": ["Baseline", "#1 Overtime", "#2 Price"],
            "revenue": [31_129_726.0, 31_129_726.0, 30_000_000.0],
            "gross_margin": [9_568_189.0, 9_569_906.0, 9_000_000.0],
            "margin_vs_budget": [-1_249_434.0, -1_247_717.0, -1_800_000.0],
            "fill_rate": [1.0, 1.0, 1.0],
            "on_time_rate": [1.0, 0.987, 1.0],
            "late_value": [0.0, 351_737.0, 0.0],
            "lost_units": [0.0, 0.0, 0.0],
            "lost_value": [0.0, 0.0, 0.0],
            "ending_inventory_value": [1_238_088.0, 1_237_988.0, 1_300_000.0],
            "avg_utilisation": [0.4434, 0.4389, 0.40],
        }
    )
    out = exec_board.board_text(board, "EUR", "#1 Overtime").set_index("Plan")
    for col in ("Revenue", "Gross margin", "Margin vs budget"):
        assert out[col].iloc[:2].str.startswith("★").all(), col
        assert not out[col].iloc[2].startswith("★"), col
    # the plan that delivers late does not compete on stock (`stars.competitors`)
    assert [v.startswith("★") for v in out["Inventory value (end)"]] == [True, False, False]
    assert not out["Fill rate"].str.startswith("★").any()  # all the same
    # service: the plan that delivers late is not the best on time or late value
    for col in ("On-time fill rate", "Late deliveries (value)"):
        assert [v.startswith("★") for v in out[col]] == [True, False, True], col
    assert out.index[1] == "✔ #1 Overtime"


def test_view_says_when_the_budget_covers_only_some_families(store: Store) -> None:
    """QA (a non-demo dataset): with a budget for one family of two, the revenue chart
    drew all families' plan against one family's budget, and no note said so."""
    t = exec_tables()
    t[schema.BUDGET] = t[schema.BUDGET][t[schema.BUDGET][schema.FAMILY] == "Alpha"]
    load(store, t)
    v = executive.view(store, executive.context(store))
    assert any("The budget covers Alpha only: Beta has no budget" in n for n in v.notes)
    load(store, exec_tables(), name="full")  # every family budgeted: no such note
    assert not any(
        "budget covers" in n for n in executive.view(store, executive.context(store)).notes
    )


def test_bridge_text_names_its_columns_with_the_currency() -> None:
    bridge = pd.DataFrame(
        {"step": ["Demand"], "amount": [1.0], "amount_text": ["+€1"], "detail": ["Volume €1"]}
    )
    out = exec_view.bridge_text(bridge, "EUR")
    assert list(out.columns) == ["Step", "Gross margin (EUR)", "Made of"]
    assert out.iloc[0].tolist() == ["Demand", "+€1", "Volume €1"]


def test_stock_is_starred_only_among_plans_that_serve_all_demand() -> None:
    """A plan that runs out of stock ends with little of it: that is no achievement, so
    the lowest inventory value (and the highest turns) are starred only among the plans
    that serve every order, on the board and in Compare's table."""
    from sop.scenario import compare, stars

    board = pd.DataFrame(
        {
            "plan": ["Baseline", "#1 Squeeze", "#2 Lean"],
            "revenue": [31.7e6, 40.6e6, 31.7e6],
            "gross_margin": [9.77e6, 13.67e6, 9.8e6],
            "margin_vs_budget": [-1.15e6, 1.83e6, -1.1e6],
            "fill_rate": [1.0, 0.902, 1.0],
            "on_time_rate": [1.0, 0.773, 1.0],
            "late_value": [0.0, 6.96e6, 0.0],
            "lost_units": [0.0, 52_497.0, 0.0],
            "lost_value": [0.0, 3.86e6, 0.0],
            "ending_inventory_value": [1.19e6, 246e3, 1.0e6],
            "avg_utilisation": [0.45, 0.82, 0.45],
        }
    )
    out = exec_board.board_text(board, "EUR").set_index("Plan")
    stock = [v.startswith("★") for v in out["Inventory value (end)"]]
    assert stock == [False, False, True]  # #2 Lean, not the squeeze that ran out
    assert out.loc["#1 Squeeze", "Revenue"].startswith("★")  # other columns as before
    figures = {
        r["plan"]: {**r, "inventory_turns": t}
        for r, t in zip(board.to_dict("records"), [5.0, 27.9, 6.0])
    }
    table = compare.compare_table(figures).set_index("KPI")
    for label in ("Ending inventory value", "Inventory turns"):
        assert [v.startswith("★") for v in table.loc[label, list(figures)]] == [
            False,
            False,
            True,
        ], label
    # a plan one unit short (>99.9 %) does not serve all demand either
    assert stars.served_all({"a": 1.0, "b": 0.99999, "c": float("nan")}) == {"a"}
