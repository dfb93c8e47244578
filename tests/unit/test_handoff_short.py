"""The hand-off's line on a short plan: when a week ships below demand, one line above
the weeks says how many units short, in how many weeks and on how many SKUs."""

from __future__ import annotations

import pandas as pd
import pytest

from sop.core import schema
from sop.executive import weekly

JAN, FEB = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")


def _plan(rows: list[tuple]) -> pd.DataFrame:
    """A monthly SKU plan: (month, sku, plant, demand, shipped); made = shipped."""
    df = pd.DataFrame(rows, columns=[schema.MONTH, schema.SKU, schema.PLANT, "demand", "shipped"])
    return df.assign(**{schema.FAMILY: "F", "production": df["shipped"], "subcontracted": 0.0})


def _weeks(month: pd.Timestamp) -> int:
    return len(weekly.week_shares(month))


def test_a_short_month_is_counted_in_units_weeks_and_skus() -> None:
    """A-1 ships 300 units short in January, B-2 serves all, C-3 ships 120 short in
    February and 50 more than demand in January (catching up does not offset the
    shortfall): 420 units short, every week of both months, 2 of 3 SKUs."""
    plan = _plan(
        [
            (JAN, "A-1", "P1", 1000.0, 700.0),
            (FEB, "A-1", "P1", 1000.0, 1000.0),
            (JAN, "B-2", "P1", 500.0, 500.0),
            (FEB, "B-2", "P1", 500.0, 500.0),
            (JAN, "C-3", "P2", 200.0, 250.0),
            (FEB, "C-3", "P2", 200.0, 80.0),
        ]
    )
    w = weekly.weekly_split(plan)
    s = weekly.shortfall(w)
    assert s["units"] == pytest.approx(420.0)
    assert (s["skus"], s["of_skus"]) == (2, 3)
    all_weeks = w["week_start"].nunique()
    assert s["of_weeks"] == all_weeks
    assert s["weeks"] == all_weeks  # January's weeks for A-1, February's for C-3
    assert s["top"][0] == ("A-1", pytest.approx(300.0))
    line = weekly.shortfall_line(w)
    assert line == (
        f"The plan is short: it ships 420 units below demand in {all_weeks} of {all_weeks} "
        "weeks, on 2 of 3 SKUs (most short: A-1 300 units, C-3 120 units); what is not "
        "shipped in its week ships late or is lost."
    )


def test_only_the_short_months_weeks_count() -> None:
    plan = _plan(
        [
            (JAN, "A-1", "P1", 1000.0, 1000.0),
            (FEB, "A-1", "P1", 1000.0, 990.0),
        ]
    )
    w = weekly.weekly_split(plan)
    s = weekly.shortfall(w)
    assert s["weeks"] == _weeks(FEB)
    assert s["of_weeks"] == w["week_start"].nunique() > s["weeks"]
    line = weekly.shortfall_line(w)
    assert f"ships 10 units below demand in {_weeks(FEB)} of {s['of_weeks']} weeks" in line
    assert "on 1 of 1 SKU (A-1 10 units)" in line


@pytest.mark.parametrize("shipped", [1000.0, 999.7, 1200.0])
def test_no_line_when_every_week_ships_its_demand(shipped: float) -> None:
    """Shipped equal to demand, short by less than half a unit (LP noise, reads as 0
    units) or above demand: no line."""
    w = weekly.weekly_split(_plan([(JAN, "A-1", "P1", 1000.0, shipped)]))
    assert weekly.shortfall_line(w) is None
    assert weekly.shortfall_line(w.iloc[0:0]) is None


def test_the_line_follows_the_plant_picked() -> None:
    plan = _plan(
        [
            (JAN, "A-1", "P1", 1000.0, 700.0),
            (JAN, "C-3", "P2", 200.0, 200.0),
        ]
    )
    w = weekly.weekly_split(plan)
    assert weekly.shortfall_line(weekly.select(w, "P2")) is None
    assert "A-1 300 units" in weekly.shortfall_line(weekly.select(w, "P1"))
