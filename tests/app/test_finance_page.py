"""The Finance page through AppTest: baseline, a saved scenario, budget notes, exports.

The tiny dataset with a loaded consensus plan is used, so no forecast is fitted.
"""

from __future__ import annotations

import pandas as pd
import pytest
from demand_helpers import fake_values, loaded_store, store_fake_run
from streamlit.testing.v1 import AppTest
from supply_helpers import with_consensus
from tiny import tiny_tables

from sop.core import fmt, schema
from sop.data.validate import check_tables
from sop.demand.engine import ForecastSettings
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

PAGE = "pages/finance.py"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _money(text: str) -> float:
    """€1.25M / €980k / -€12,345 -> a number."""
    sign = -1 if text.startswith("-") else 1
    v = text.lstrip("-€").replace(",", "")
    scale = {"M": 1e6, "k": 1e3, "B": 1e9}.get(v[-1], 1)
    return sign * float(v.rstrip("MkB")) * scale


@pytest.fixture
def loaded(store: Store) -> Store:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    return store


def test_baseline_renders_with_money_and_exports(loaded: Store, open_app) -> None:
    at = open_app(PAGE)
    assert at.title[0].value == "Finance"
    m = _metrics(at)
    assert m["Revenue (plan horizon)"].startswith("€")
    assert m["Gross margin (plan horizon)"].startswith(("€", "-€"))
    assert m["Gross margin % of revenue"].endswith("%")
    # the service row, against the baseline (the baseline itself: no change)
    assert m["On-time fill rate"].endswith("%") and "Late deliveries (value)" in m
    assert {t.label: t.delta for t in at.metric}["On-time fill rate"] == "no change vs baseline"
    assert "2026 landing (actuals + projection)" in m
    assert at.selectbox(key="fin_scenario").value == 0
    buttons = {b.key: b for b in at.get("download_button")}
    assert set(buttons) == {"fin_xlsx", "fin_csv"}
    assert [t.label for t in at.tabs] == [
        "Revenue & margin",
        "Budget vs projection",
        "Year-end landing",
        "Price-volume-mix",
        "Inventory",
    ]
    assert any("Baseline" in c.value and "money in EUR" in c.value for c in at.caption)
    bridge = next(d.value for d in at.dataframe if "mix" in d.value.columns)
    assert set(bridge[schema.FAMILY]) == {"Alpha", "Beta"}


def test_a_saved_scenario_changes_the_projection(loaded: Store, open_app) -> None:
    base = _money(_metrics(open_app(PAGE))["Revenue (plan horizon)"])
    sid = saved_scenarios.save(
        loaded,
        "Alpha price up",
        Levers(price_family_pct=(("Alpha", 20.0),)),
    )
    at = open_app(PAGE)
    at.selectbox(key="fin_scenario").set_value(sid).run()
    assert not at.exception, at.exception
    # what moved in planner's words, not the lever's field name (QA)
    assert any(
        "Alpha price up" in c.value
        and "price Alpha" in c.value
        and "20 %" in c.value
        and "price_family_pct" not in c.value
        for c in at.caption
    )
    assert _money(_metrics(at)["Revenue (plan horizon)"]) > base
    bridge = next(d.value for d in at.dataframe if "price" in d.value.columns)
    price = bridge.set_index(schema.FAMILY).at["Alpha", "price"]
    assert price.startswith("+€") or _money(price) > 0  # money as text, sign first
    assert not bridge["mix"].str.contains("€-").any()
    assert {b.key for b in at.get("download_button")} == {"fin_xlsx", "fin_csv"}


def test_scenarios_with_the_same_name_are_told_apart(loaded: Store, open_app) -> None:
    """QA: two saved scenarios both called "Demand +10%" looked the same in the picker,
    and the export file name read "demand-10" (minus ten)."""
    first = saved_scenarios.save(loaded, "Demand +10%", Levers(demand_pct=10.0))
    second = saved_scenarios.save(loaded, "Demand +10%", Levers(demand_pct=10.0), "Bob")
    at = open_app(PAGE)
    box = at.selectbox(key="fin_scenario")
    assert {f"#{first} Demand +10%", f"#{second} Demand +10%"} <= set(box.options)
    box.set_value(second).run()
    assert not at.exception, at.exception
    # the caption is Markdown: the typed name is escaped there (sop.core.fmt.md)
    assert any(fmt.md(f"#{second} Demand +10%") in c.value for c in at.caption)
    from sop.finance import export as finance_export

    meta = finance_export.ExportMeta("c", "d", 1, f"#{second} Demand +10%", "", "EUR")
    assert finance_export.file_name(meta, "xlsx") == f"finance_v1_{second}-demand-plus10.xlsx"


def test_partial_budget_year_is_said_on_screen(store: Store, open_app) -> None:
    tables = with_consensus(tiny_tables(), 12)
    tables[schema.BUDGET] = tables[schema.BUDGET][
        tables[schema.BUDGET][schema.MONTH] >= pd.Timestamp("2026-07-01")
    ]
    store.load(check_tables(tables).tables, name="half budget")
    at = open_app(PAGE)
    notes = " ".join(w.value for w in at.warning)
    assert "The budget covers Jul 2026 to Dec 2026 only (6 of 12 months)" in notes
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["2026 landing (actuals + projection)"].endswith("vs budget (6 budget months)")


def test_views_switch_without_error(loaded: Store, open_app) -> None:
    at = open_app(PAGE)
    at.segmented_control(key="fin_measure").set_value(schema.MARGIN)
    at.segmented_control(key="fin_bud_measure").set_value(schema.MARGIN)
    at.segmented_control(key="fin_bud_view").set_value("Cumulative").run()
    assert not at.exception, at.exception
    assert at.segmented_control(key="fin_bud_view").value == "Cumulative"


def test_a_stored_forecast_gives_ranges_and_cuts_the_budget_year(store: Store, open_app) -> None:
    tables = tiny_tables()  # budget for 2026 and 2027
    later = tables[schema.BUDGET].assign(
        **{schema.MONTH: tables[schema.BUDGET][schema.MONTH] + pd.DateOffset(years=1)}
    )
    tables[schema.BUDGET] = pd.concat([tables[schema.BUDGET], later], ignore_index=True)
    loaded_store(store, tables)
    months = pd.date_range("2026-01-01", periods=18, freq="MS")  # P10 0.8x, P90 1.3x P50
    store_fake_run(store, settings=ForecastSettings(horizon=18), values=fake_values(months=months))
    at = open_app(PAGE)
    deltas = {m.label: m.delta for m in at.metric}
    low, high = deltas["Revenue (plan horizon)"].removeprefix("P10-P90: ").split(" to ")
    revenue = _money(_metrics(at)["Revenue (plan horizon)"])
    assert _money(low) < revenue <= _money(high)
    notes = " ".join(w.value for w in at.warning)
    assert "Jul 2027 to Dec 2027, beyond the plan horizon" in notes
    assert deltas["2027 landing (actuals + projection)"].endswith("(6 budget months)")
    assert deltas["2026 landing (actuals + projection)"].endswith("vs budget")


def test_without_demand_the_page_says_to_forecast(store: Store, open_app) -> None:
    store.load(check_tables(tiny_tables()).tables, name="tiny")
    at = open_app(PAGE)
    text = " ".join(i.value for i in at.info)
    assert "python -m sop forecast" in text
    assert not at.metric


def test_opens_on_the_plan_of_record(loaded: Store, open_app) -> None:
    """QA: after the meeting approved a scenario, Finance still opened on the baseline,
    so its figures differed from the Executive page's."""
    from sop.executive import service as executive

    sid = saved_scenarios.save(
        loaded,
        "Alpha price up",
        Levers(price_family_pct=(("Alpha", 20.0),)),
    )
    at = open_app(PAGE)
    assert at.selectbox(key="fin_scenario").value == 0  # nothing approved yet
    executive.approve_saved(loaded, executive.context(loaded), sid, "go")
    at = open_app(PAGE)
    box = at.selectbox(key="fin_scenario")
    assert box.value == sid and f"#{sid} Alpha price up ✔ plan of record" in box.options
    assert any("Alpha price up" in c.value for c in at.caption)


def test_the_page_states_the_convention_and_reconciles_cash_to_the_pnl(
    loaded: Store, open_app
) -> None:
    at = open_app(PAGE)
    assert any("book in the month the units ship" in c.value for c in at.caption)
    assert any("labour at the budget's absorption rate" in c.value for c in at.caption)
    rec = next(d.value for d in at.dataframe if "step" in d.value.columns)
    assert [s.split(" (")[0] for s in rec["step"]] == [
        "Cash margin",
        "+ Change in stock at standard cost",
        "= P&L margin",
    ]
    cash, stock, pnl = (_money(v) for v in rec["amount"])
    assert abs(cash + stock - pnl) <= 1.0  # shown to the unit: equal up to rounding
    assert _money(_metrics(at)["Gross margin (plan horizon)"]) == pytest.approx(pnl, rel=0.01)


def test_the_service_tiles_show_the_ranges_through_the_constrained_plan(
    store: Store, open_app
) -> None:
    """A squeeze (Beta's line L2 cut by 55 %) on a stored forecast with a P10-P90 band:
    under the fill and on-time tiles, the simulation's P10-P90 of that scenario, from
    the same run as the revenue range."""
    from sop.executive import service as executive
    from sop.finance.kpi_text import service_pct

    loaded_store(store, tiny_tables())
    months = pd.date_range("2026-01-01", periods=18, freq="MS")  # P10 0.8x, P90 1.3x P50
    store_fake_run(store, settings=ForecastSettings(horizon=18), values=fake_values(months=months))
    cut = Levers(capacity_changes=(("L2", "2026-01", "2027-06", -55.0),))
    sid = saved_scenarios.save(store, "L2 cut", cut)
    at = open_app(PAGE)
    at.selectbox(key="fin_scenario").set_value(sid).run()
    assert not at.exception, at.exception
    summary = executive.context(store).evaluate(cut).risk.summary.set_index("metric")
    lo, hi = summary.at["on_time_rate", "p10"], summary.at["on_time_rate", "p90"]
    assert lo < hi  # the band makes service a range, not a point
    # a tile's notes are one caption, a line each
    captions = [line for c in at.caption for line in c.value.split("  \n")]
    for key in ("fill_rate", "on_time_rate"):
        lo, hi = summary.at[key, "p10"], summary.at[key, "p90"]
        assert f"P10-P90: {service_pct(lo)} to {service_pct(hi)}" in captions, key
    revenue = {m.label: m.delta for m in at.metric}["Revenue (plan horizon)"]
    assert revenue == (
        f"P10-P90: {fmt.money(summary.at['revenue', 'p10'], 'EUR')} to "
        f"{fmt.money(summary.at['revenue', 'p90'], 'EUR')}"
    )
    # by family: the cut family's high demand cannot be made, and the page says so
    ranges = next(d.value for d in at.dataframe if "upside_shipped" in d.value)
    supply = dict(zip(ranges[schema.FAMILY], ranges["supply"]))
    assert supply["Beta"] == "Capped by supply" and supply["Alpha"] != "Capped by supply"
    capped = [w.value.replace("\\", "") for w in at.warning if "of the extra orders" in w.value]
    assert len(capped) == 1 and capped[0].startswith("Beta: at P90, orders are worth")
    # the budget tab splits the gap to budget into demand and supply, adding up
    split = next(d.value for d in at.dataframe if "supply_gap" in d.value)
    assert list(split[schema.FAMILY])[-1].startswith("Total")
    assert "Beta" in set(split[schema.FAMILY])
