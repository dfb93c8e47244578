"""Revenue P10-P90 by family over the horizon, and which families supply caps
(`sop.finance.family_range`): the Finance page showed the total's range only, so a
family whose high demand the plan cannot make was not said to be capped."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from supply_helpers import one_product, tiny_with_consensus

from sop.core import fmt, schema
from sop.finance import export as finance_export
from sop.finance import family_range, risk
from sop.finance import view as finance_view
from sop.scenario.evaluate import evaluate
from sop.scenario.levers import Levers
from sop.supply.plan import solve_plan_and_inputs
from sop.supply.policy import SupplyPolicy


def _ranges(line_hours: float, sigma: float = 20.0) -> pd.DataFrame:
    tables, demand = one_product([100.0] * 4, line_hours=line_hours)
    plan, inp = solve_plan_and_inputs(demand, tables, SupplyPolicy(horizon=4))
    s = pd.DataFrame({schema.FAMILY: "Fam", schema.MONTH: inp.months, "sigma": sigma})
    return family_range.family_ranges(risk.plan_risk(plan, inp, s).family)


def test_a_full_line_caps_the_familys_revenue_upside() -> None:
    r = _ranges(line_hours=100.0).iloc[0]
    # orders above 100 a month cannot be made: lost at the horizon's end, or waiting
    assert r["orders_p90"] > r["orders_p50"] + 1_000.0
    # the line makes 100 a month at most: revenue stops at 4 x 100 x €100
    assert r["revenue_p90"] == pytest.approx(40_000.0)
    assert r["upside_shipped"] < 0.25 and r["supply"] == family_range.CAPPED
    assert r["revenue_p10"] <= r["revenue_p50"] <= r["revenue_p90"]
    (note,) = family_range.capped_notes(pd.DataFrame([r]), "EUR")
    assert note.startswith("Fam: at P90, orders are worth €")
    more = fmt.money(r["revenue_p90"] - r["revenue_p50"], "EUR")
    assert f"only {more} more: the plan's capacity ships" in note
    assert f"ships {round(100 * r['upside_shipped'])} % of the extra orders" in note


def test_spare_hours_ship_the_upside() -> None:
    r = _ranges(line_hours=200.0).iloc[0]
    assert r["upside_shipped"] == pytest.approx(1.0)
    assert r["revenue_p90"] == pytest.approx(r["orders_p90"])  # price 100 on every order
    assert r["supply"] == family_range.OPEN
    assert family_range.capped_notes(_ranges(200.0), "EUR") == []


def test_no_band_is_no_range() -> None:
    r = _ranges(line_hours=100.0, sigma=0.0).iloc[0]
    assert r["supply"] == family_range.NO_RANGE and np.isnan(r["upside_shipped"])
    assert r["revenue_p10"] == pytest.approx(r["plan_revenue"]) == r["revenue_p90"]
    assert family_range.family_ranges(None).empty


def test_finance_view_and_workbook_carry_the_ranges() -> None:
    tables, demand = tiny_with_consensus(12)
    ev = evaluate(demand, tables, Levers(capacity_changes=(("L2", "2026-01", "2026-12", -55.0),)))
    view = finance_view.build(ev, tables)
    assert sorted(view.ranges[schema.FAMILY]) == sorted(view.pnl[schema.FAMILY].unique())
    plan_rev = view.pnl.groupby(schema.FAMILY)[schema.REVENUE].sum()
    got = view.ranges.set_index(schema.FAMILY)["plan_revenue"]
    assert got.to_dict() == pytest.approx(plan_rev.to_dict())
    meta = finance_export.ExportMeta("Co", "c", 1, "Cut", "", "EUR", pd.Timestamp("2025-12-01"))
    wb = load_workbook(io.BytesIO(finance_export.workbook(view, meta)))
    rows = list(wb["Revenue ranges"].iter_rows(values_only=True))
    assert rows[0][0] == "Family" and len(rows) == 1 + len(view.ranges)  # no Total row


def test_no_price_and_a_re_plan_error_are_not_read_as_capped() -> None:
    row = {
        schema.FAMILY: "Fam",
        "plan_revenue": 100.0,
        "plan_orders": 100.0,
        "revenue_p10": 80.0,
        "revenue_p50": 100.0,
        "revenue_p90": 130.0,
        "orders_p50": 100.0,
        "orders_p90": 125.0,
    }
    # revenue rising more than orders (a re-plan's rounding) reads as all shipped
    r = family_range.family_ranges(pd.DataFrame([row])).iloc[0]
    assert r["upside_shipped"] == 1.0 and r["supply"] == family_range.OPEN
    unpriced = {**row, "orders_p90": np.nan, "revenue_p90": np.nan}
    r = family_range.family_ranges(pd.DataFrame([unpriced])).iloc[0]
    assert r["supply"] == family_range.NO_PRICE and np.isnan(r["upside_shipped"])
