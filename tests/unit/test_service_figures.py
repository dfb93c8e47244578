"""Service on every figure: on-time fill rate, late unit-months and late value, read
from `sop.supply.service` by the KPI catalogue, shown with their change against the
baseline on the tiles, in the `scenario` JSON and the meeting pack; the Executive
risks of service under target and margin off budget."""

from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from exec_helpers import load
from supply_helpers import one_product, with_consensus

from sop.cli import scenario as scenario_cli
from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.executive import headline as exec_headline
from sop.executive import pack
from sop.executive import risks as exec_risks
from sop.executive import service as executive
from sop.executive import view as exec_view
from sop.finance import kpi_text, tiles
from sop.finance.catalogue import KPIS
from sop.finance.kpis import family_unit_values, kpi_table, plan_kpis, summary
from sop.scenario import compare
from sop.scenario import saved as saved_scenarios
from sop.scenario.evaluate import evaluate
from sop.scenario.levers import Levers
from sop.store import Store
from sop.supply import service
from sop.supply.plan import OPTIMAL, solve_plan
from sop.supply.policy import SupplyPolicy, field_labels

HORIZON = 18
# the demo scenario: the Cooling assembly line cut by 30 % over the summer
# peak, no overtime
CUT = Levers(capacity_changes=(("RS-ASM1", "2027-05", "2027-08", -30.0),), overtime_allowed=False)


def _grid(fp: pd.DataFrame, col: str) -> np.ndarray:
    """(items, months) of a family-plan column, independently of the KPI code."""
    keys = [schema.FAMILY, schema.PLANT]
    return fp.pivot_table(index=keys, columns=schema.MONTH, values=col, aggfunc="sum").to_numpy()


def test_on_time_counts_new_backlog_even_when_old_backlog_is_cleared() -> None:
    # 100 h a month, 1 h a unit, demand 100, 150, 100, 50: month 2 leaves 50 owed;
    # month 3 ships 100 = the 50 owed + 50 of its own 100, so 50 are owed again;
    # month 4 ships the 50 owed and its own 50. Backlog 0, 50, 50, 0: on time
    # 100 + 100 + 50 + 50 = 300 of 400 (counting only backlog increases said 350).
    tables, demand = one_product([100, 150, 100, 50])
    r = solve_plan(demand, tables)
    assert r.status == OPTIMAL
    assert list(r.family_plan["backlog"].round(6)) == [0, 50, 50, 0]
    k = plan_kpis(r, tables[schema.PRODUCTS])
    assert k["on_time_units"] == pytest.approx(300.0)
    assert k["on_time_rate"] == pytest.approx(0.75)
    assert k["fill_rate"] == pytest.approx(1.0)
    assert k["late_unit_months"] == pytest.approx(100.0)
    # 50 of month 2's orders and 50 of month 3's ship a month late: 100 units, each once
    assert k["late_units"] == pytest.approx(100.0)
    assert k["late_value"] == pytest.approx(100 * 100.0)  # late units x price 100
    text = summary(k)
    assert "75.0 % on time" in text
    assert "100 units (€10k) late, 100 unit-months in all" in text


def test_late_value_is_the_units_that_ship_late_each_counted_once() -> None:
    """Review: "late deliveries hold back €2.71M" priced unit-months, so a unit two
    months late was counted twice. 300 ordered in month 1 on a line of 100 a month:
    100 ship on time, 100 a month late, 100 two months late. Backlog 200, 100, 0:
    300 unit-months; late units 300 - 0 lost - 100 on time = 200, worth 200 x 100 =
    20,000 (unit-months x price said 30,000)."""
    tables, demand = one_product([300, 0, 0])
    r = solve_plan(demand, tables)
    assert r.status == OPTIMAL
    assert list(r.family_plan["backlog"].round(6)) == [200, 100, 0]
    k = plan_kpis(r, tables[schema.PRODUCTS])
    assert k["on_time_units"] == pytest.approx(100.0)
    assert k["late_unit_months"] == pytest.approx(300.0)
    assert k["late_units"] == pytest.approx(200.0)
    assert k["late_value"] == pytest.approx(20_000.0)
    assert "200 units (€20k) late, 300 unit-months in all" in summary(k)
    fin = _by_label(tiles.service_tiles(k, "EUR"))
    assert (fin["Late (units)"].value, fin["Late (unit-months)"].value) == ("200", "300")
    assert fin["Late deliveries (value)"].value == "€20k"


def test_below_safety_stock_is_read_from_the_stock_whatever_the_penalty() -> None:
    # no penalty: the LP's slack for safety stock is free, so it says nothing; the
    # report is max(0, target - stock) per month
    tables, demand = one_product([100, 100, 100], on_hand=2000, ss_units=500)
    r = solve_plan(demand, tables, SupplyPolicy(safety_stock_penalty_pct=0.0))
    fp = r.family_plan
    assert (fp["inventory"] >= 1500).all()
    assert (fp["below_safety_stock"] == 0).all()
    tables, demand = one_product([100, 100, 100], ss_units=500)
    r = solve_plan(demand, tables, SupplyPolicy(safety_stock_penalty_pct=0.0))
    fp = r.family_plan
    assert np.allclose(fp["below_safety_stock"], np.clip(500 - fp["inventory"], 0, None))
    assert plan_kpis(r, tables[schema.PRODUCTS])["below_safety_stock"] == pytest.approx(
        float(np.clip(500 - fp["inventory"], 0, None).sum())
    )


@pytest.fixture(scope="module")
def demo():
    tables = with_consensus(check_tables(build_demo()).tables, HORIZON)
    demand = loaded_consensus(tables, plan_months(as_of_month(tables), HORIZON))
    policy = SupplyPolicy(horizon=HORIZON)
    base = evaluate(demand, tables, Levers(), policy, with_risk=False)
    cut = evaluate(demand, tables, CUT, policy, with_risk=False)
    assert base.ok and cut.ok
    return tables, base, cut


def test_the_cut_delays_deliveries_and_the_kpis_are_the_service_definition(demo) -> None:
    tables, base, cut = demo
    k, b = cut.kpis, base.kpis
    assert k["on_time_rate"] < 1.0 and k["on_time_rate"] < b["on_time_rate"]
    assert k["late_unit_months"] > b["late_unit_months"] and k["late_value"] > b["late_value"]
    fp = cut.plan.family_plan
    d, lost, owed = (_grid(fp, c) for c in ("demand", "lost_sales", "backlog"))
    assert k["on_time_rate"] == pytest.approx(service.on_time_rate(d, lost, owed))
    assert k["fill_rate"] == pytest.approx(service.fill_rate(d, lost, owed))
    assert 0.0 <= k["on_time_rate"] <= k["fill_rate"] <= 1.0
    price = family_unit_values(cut.plan, tables[schema.PRODUCTS]).set_index(schema.FAMILY)
    # late units per family, independently: demanded - lost - on time (oldest first)
    on_time = np.clip(d - lost - owed, 0, None)
    fams = fp.pivot_table(
        index=[schema.FAMILY, schema.PLANT], columns=schema.MONTH, values="demand", aggfunc="sum"
    ).index.get_level_values(schema.FAMILY)
    late = pd.Series((d - lost - on_time).sum(axis=1), index=fams).groupby(level=0).sum()
    assert k["late_units"] == pytest.approx(float(late.sum()))
    assert k["late_units"] < k["late_unit_months"]  # some wait more than a month
    assert k["late_value"] == pytest.approx(float((late * price["price"]).sum()))
    # every service figure is a scenario KPI, so every KPI table and comparison has it
    assert {
        "fill_rate",
        "on_time_rate",
        "late_units",
        "late_unit_months",
        "late_value",
        "lost_units",
    } <= {kpi.key for kpi in KPIS}


def _by_label(row: list[tiles.Tile]) -> dict[str, tiles.Tile]:
    return {t.label: t for t in row}


def test_the_delay_shows_on_every_tile_set_with_its_change(demo) -> None:
    tables, base, cut = demo
    table = kpi_table(cut.kpis, base.kpis, cut.budget).set_index("key")
    scen = _by_label([t for row in compare.scenario_tiles(table, cut.budget) for t in row])
    fin = _by_label(tiles.service_tiles(cut.kpis, "EUR", base.kpis))
    for shown in (scen, fin):
        on_time = shown["On-time fill rate"]
        assert on_time.value == kpi_text.value_text("on_time_rate", cut.kpis["on_time_rate"])
        assert on_time.value != "100.0 %"
        assert on_time.delta.startswith("-") and " pp" in on_time.delta
        assert on_time.delta_color == "normal"  # up is better: a fall shows red
        late = shown["Late deliveries (value)"]
        assert late.delta.startswith("+€") and late.delta_color == "inverse"
        assert shown["Late (unit-months)"].delta.startswith("+")
    supply = _by_label([t for row in tiles.plan_tiles(cut.kpis, "EUR") for t in row])
    assert supply["On-time fill rate"].value == scen["On-time fill rate"].value
    assert {"Fill rate", "Late (unit-months)", "Lost sales (units)"} <= set(supply)
    head = exec_headline.headline(cut.kpis, cut.budget, None, "EUR", base.kpis).set_index("key")
    assert head.at["on_time_rate", "vs_baseline"] == pytest.approx(
        cut.kpis["on_time_rate"] - base.kpis["on_time_rate"]
    )
    assert head.at["on_time_rate", "vs_baseline_text"].endswith("pp vs baseline")
    assert head.at["late_value", "vs_baseline"] > 0


def test_the_scenario_json_carries_service_and_its_change(demo) -> None:
    tables, base, cut = demo
    blob = json.loads(
        json.dumps(
            scenario_cli.result_json(cut, base, tables[schema.PRODUCTS], {}), allow_nan=False
        )
    )
    k = {r["key"]: r for r in blob["kpis"]}
    assert k["on_time_rate"]["scenario"] < 1.0 and k["on_time_rate"]["delta"] < 0
    assert k["late_unit_months"]["delta"] > 0 and k["late_value"]["delta"] > 0
    assert k["on_time_rate"]["scenario"] == pytest.approx(cut.kpis["on_time_rate"], abs=1e-6)


def test_the_pack_shows_the_delay_against_the_baseline(store: Store) -> None:
    tables = with_consensus(check_tables(build_demo()).tables, HORIZON)
    load(store, tables, name="demo")
    ctx = executive.context(store)
    sid = saved_scenarios.save(store, "Cooling line cut", CUT)
    executive.approve_saved(store, ctx, sid, "the summer cut")
    view = executive.view(store, ctx)
    meta = pack.PackMeta("Demo Co", "demo", 1, view.cycle, ctx.as_of, "EUR", pack.now())
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand)))
    ws = wb["Summary"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "KPI")
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(values_only=True) if r[0]}
    on_time = rows["On-time fill rate"]
    k, base = view.current.kpis, ctx.evaluate(Levers()).kpis
    assert on_time["Plan on the table"] == pytest.approx(k["on_time_rate"])
    assert k["on_time_rate"] < 1.0
    assert on_time["Against the baseline"] == pytest.approx(
        k["on_time_rate"] - base["on_time_rate"]
    )
    assert on_time["Against the baseline"] < 0
    assert on_time["Baseline comparison"].endswith("pp vs baseline")
    assert rows["Late deliveries (value)"]["Against the baseline"] > 0
    scen = pd.DataFrame(list(wb["Scenarios"].values)[1:], columns=list(wb["Scenarios"].values)[0])
    assert "On-time fill rate" in scen.columns
    page = pack.html(view, ctx.tables, meta)
    assert "On-time fill rate" in page and "pp vs baseline" in page
    tile = _by_label(exec_view.headline_tiles(view, HORIZON))["On-time fill rate"]
    assert any(n.endswith("pp vs baseline") for n in tile.notes)


def _pnl_budget(margin: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    m = pd.Timestamp("2027-01-01")
    pnl = pd.DataFrame(
        {
            schema.MONTH: [m],
            schema.FAMILY: ["Garden"],
            "units": [100.0],
            schema.REVENUE: [1000.0],
            schema.MARGIN: [margin],
        }
    )
    bud = pd.DataFrame(
        {
            schema.FAMILY: ["Garden"],
            schema.MONTH: [m],
            schema.UNITS: [100.0],
            schema.REVENUE: [1000.0],
            schema.MARGIN: [400.0],
        }
    )
    return pnl, bud


def test_a_margin_gap_with_revenue_on_budget_is_a_risk() -> None:
    # revenue on budget, margin 378 against 400: 5.5 % under (the company)
    pnl, bud = _pnl_budget(378.0)
    rows = exec_risks.budget_gaps(pnl, bud, "EUR")
    assert len(rows) == 1 and rows[0]["kind"] == exec_risks.RISK
    assert rows[0]["money"] == pytest.approx(-22.0)
    assert "margin below it by €22 (5.5 %)" in rows[0]["what"]
    # the threshold is a plan setting
    assert exec_risks.budget_gaps(pnl, bud, "EUR", margin_pct=6.0) == []
    assert exec_risks.budget_gaps(*_pnl_budget(396.0), "EUR") == []  # 1 % off: no risk


def test_service_under_target_is_a_risk_valued_at_the_late_units_margin(demo) -> None:
    tables, base, cut = demo
    products = tables[schema.PRODUCTS]

    def ranked(target: float) -> pd.DataFrame:
        return exec_risks.ranked(
            cut.plan,
            cut.pnl,
            None,
            products,
            "EUR",
            SupplyPolicy(on_time_target_pct=target),
        )

    strict = ranked(99.9)
    svc = strict[strict["category"] == exec_risks.SERVICE].set_index("subject")
    assert len(svc) > 0 and (svc["kind"] == exec_risks.RISK).all()
    unit = family_unit_values(cut.plan, products).set_index(schema.FAMILY)
    for fam, row in svc.iterrows():
        fp = cut.plan.family_plan[cut.plan.family_plan[schema.FAMILY] == fam]
        d, lost, owed = (_grid(fp, c) for c in ("demand", "lost_sales", "backlog"))
        assert service.on_time_rate(d, lost, owed) < 0.999
        late = d.sum() - lost.sum() - service.on_time(d, lost, owed).sum()
        margin = max(unit.at[fam, "price"] - unit.at[fam, "unit_cost"], 0.0)
        assert row["money"] == pytest.approx(-late * margin, rel=1e-9)
        assert "under the 99.9 % target" in row["what"] and "if those orders cancel" in row["what"]
        # one item per family for late deliveries: the service item replaces the backlog one
        gaps = strict[(strict["category"] == exec_risks.GAP) & (strict["subject"] == fam)]
        assert not gaps["what"].str.contains("delivers late").any()
    assert (np.diff(strict["money"].abs().to_numpy()) <= 1e-9).all()
    assert not (ranked(0.0)["category"] == exec_risks.SERVICE).any()


def test_risk_thresholds_are_plan_settings_checked_and_labelled() -> None:
    labels = field_labels()
    for name in ("risk_revenue_gap_pct", "risk_margin_gap_pct", "on_time_target_pct"):
        assert labels[name]
        assert SupplyPolicy(**{name: 150.0}).problems() == [
            f"{name} must be between 0 and 100 %, not 150.0"
        ]
        assert SupplyPolicy(**{name: -1.0}).problems()
    assert SupplyPolicy().on_time_target_pct == 95.0 and SupplyPolicy().problems() == []
