"""Colour is never the only signal in a chart (issue 17): where a colour says "missing",
"above" or "below", a number, a sign or a marker shape says it too. (The S&OP grid's
gap cells and the Data page's check status are tested with their views, in
test_grid_view.py and test_validate.py; the Executive risk table in
test_exec_figures.py.)"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import charts, schema
from sop.executive import charts as exec_charts
from sop.finance import charts as finance_charts
from sop.supply import charts as supply_charts

M = pd.date_range("2027-01-01", periods=3, freq="MS")


def test_a_month_with_missing_rows_shows_how_many() -> None:
    matrix = pd.DataFrame([[0.0, 2.0, np.nan], [1.0, 0.0, 0.0]], index=["A1", "B1"], columns=M)
    fig = charts.missing_heatmap(matrix, pd.Series({"A1": "Alpha", "B1": "Beta"}))
    hm = fig.data[0]
    assert [list(r) for r in hm.text] == [["", "2", ""], ["1", "", ""]]
    assert hm.texttemplate == "%{text}"
    assert hm.hovertext[0][1] == "A1 (Alpha)<br>Feb 2027: 2 region(s) missing"
    assert hm.hovertext[0][2].endswith("outside the SKU's life")
    assert "number is how many regions" in charts.MISSING_KEY  # the key under the chart


def test_a_gap_to_budget_is_a_triangle_pointing_its_way() -> None:
    by_month = pd.DataFrame(
        {
            schema.MONTH: M,
            schema.REVENUE: [110.0, 90.0, 100.0],
            f"budget_{schema.REVENUE}": [100.0, 100.0, 100.0],
            f"{schema.REVENUE}_gap": [10.0, -10.0, 0.0],
        }
    )
    fig = finance_charts.budget_chart(by_month, schema.REVENUE, "EUR", cumulative=False)
    (gap,) = [t for t in fig.data if t.name.startswith("Gap")]
    up, down = finance_charts.GAP_UP, finance_charts.GAP_DOWN
    assert list(gap.marker.symbol) == [up, down, up]
    assert list(gap.marker.color) == [
        finance_charts.GREEN,
        finance_charts.RED,
        finance_charts.GREEN,
    ]
    assert list(gap.y) == [10.0, -10.0, 0.0]  # and the marker sits above or below zero


def test_a_heat_map_of_load_prints_each_percentage() -> None:
    frame = pd.DataFrame(
        {
            schema.RESOURCE: ["R1"] * 3,
            schema.NAME: ["Line 1"] * 3,
            schema.MONTH: M,
            "utilisation": [0.5, 0.95, 1.2],
        }
    )
    hm = supply_charts.utilisation_heatmap(frame, "Load").data[0]
    assert list(hm.text[0]) == ["50%", "95%", "120%"]


def test_a_risk_bar_reads_with_its_sign() -> None:
    risks = pd.DataFrame(
        {
            "category": ["Budget", "Capacity"],
            "subject": ["Garden", "Line 1"],
            "money": [5000.0, -12000.0],
            "what": ["ahead", "short"],
        }
    )
    bar = exec_charts.risks_chart(risks, "EUR").data[0]
    assert [t[0] for t in bar.text] == ["-", "+"]  # drawn bottom-up: the largest on top
