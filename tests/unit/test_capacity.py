"""Rough-cut capacity on the tiny dataset, worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tiny import AS_OF, tiny_tables

from sop.core import schema
from sop.supply import capacity

M1 = AS_OF + pd.offsets.MonthBegin(1)


def _demand(units: dict[str, float], month: pd.Timestamp = M1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.MONTH: month,
            schema.SKU: list(units),
            schema.REGION: "North",
            schema.UNITS: list(units.values()),
        }
    )


def test_sku_row_overrides_its_family_row() -> None:
    t = tiny_tables()
    bor = pd.concat(
        [
            t[schema.BILL_OF_RESOURCES],
            pd.DataFrame(
                {
                    schema.SKU: ["A2"],
                    schema.FAMILY: [None],
                    schema.RESOURCE: ["L1"],
                    schema.HOURS_PER_UNIT: [1.0],
                }
            ),
        ]
    )
    hpu = capacity.hours_per_unit(t[schema.PRODUCTS], bor).set_index([schema.SKU, schema.RESOURCE])
    assert hpu.at[("A1", "L1"), schema.HOURS_PER_UNIT] == 0.2  # family row
    assert hpu.at[("A2", "L1"), schema.HOURS_PER_UNIT] == 1.0  # overridden
    assert hpu.at[("A2", "LAB"), schema.HOURS_PER_UNIT] == 0.1  # family row kept
    assert ("B1", "L1") not in hpu.index
    assert len(hpu) == 5


def test_rough_cut_load_and_utilisation_by_hand() -> None:
    # A1 100 + A2 50 units on L1 at 0.2 h = 30 h of 21 d x 1 shift x 8 h x 0.9 = 151.2 h;
    # on LAB at 0.1 h = 15 h of 5 workers x 140 h = 700 h; B1 10 units x 0.5 h = 5 h on L2.
    # The second region's 100 units of A1 add 20 h on L1.
    t = tiny_tables()
    d = pd.concat(
        [
            _demand({"A1": 100.0, "A2": 50.0, "B1": 10.0}),
            _demand({"A1": 100.0}).assign(**{schema.REGION: "South"}),
        ]
    )
    rc = capacity.rough_cut(d, t).set_index(schema.RESOURCE)
    assert rc.at["L1", "load_hours"] == pytest.approx(50.0)
    assert rc.at["L1", schema.AVAILABLE_HOURS] == pytest.approx(151.2)
    assert rc.at["L1", "utilisation"] == pytest.approx(50 / 151.2)
    assert rc.at["LAB", "load_hours"] == pytest.approx(25.0)
    assert rc.at["LAB", schema.AVAILABLE_HOURS] == pytest.approx(700.0)
    assert rc.at["LAB", "overtime_hours"] == pytest.approx(100.0)  # 5 x 20 h
    assert rc.at["L2", "load_hours"] == pytest.approx(5.0)
    assert not rc["overloaded"].any()
    assert list(rc.columns[:5]) == [
        schema.PLANT,
        schema.MONTH,
        "load_hours",
        schema.AVAILABLE_HOURS,
        "utilisation",
    ]


def test_overload_and_beyond_overtime_flags() -> None:
    # 800 units of A1 need 160 h on L1: above 151.2 regular, within 151.2 + 40 overtime.
    # 1,000 units need 200 h: beyond both.
    t = tiny_tables()
    rc = capacity.rough_cut(_demand({"A1": 800.0}), t).set_index(schema.RESOURCE)
    assert rc.at["L1", "overloaded"] and not rc.at["L1", "beyond_overtime"]
    rc = capacity.rough_cut(_demand({"A1": 1000.0}), t).set_index(schema.RESOURCE)
    assert rc.at["L1", "beyond_overtime"]


def test_given_available_hours_win_and_missing_months_are_carried() -> None:
    t = tiny_tables()
    cap = t[schema.CAPACITY].copy()
    cap.loc[(cap[schema.RESOURCE] == "L1") & (cap[schema.MONTH] == M1), schema.AVAILABLE_HOURS] = (
        99.0
    )
    t[schema.CAPACITY] = cap
    late = cap[schema.MONTH].max() + pd.offsets.MonthBegin(1)  # beyond the calendar
    hours = capacity.resource_hours(t, pd.DatetimeIndex([M1, late])).set_index(
        [schema.RESOURCE, schema.MONTH]
    )
    assert hours.at[("L1", M1), schema.AVAILABLE_HOURS] == 99.0
    assert hours.at[("L1", late), schema.AVAILABLE_HOURS] == pytest.approx(151.2)
    assert hours.at[("L1", late), capacity.ESTIMATED]
    assert not hours.at[("L1", M1), capacity.ESTIMATED]
    assert not hours.at[("LAB", late), capacity.ESTIMATED]


def test_zero_hours_with_load_is_infinite_utilisation() -> None:
    t = tiny_tables()
    cap = t[schema.CAPACITY].copy()
    cap.loc[cap[schema.RESOURCE] == "L2", schema.WORKING_DAYS] = 0.0
    t[schema.CAPACITY] = cap
    rc = capacity.rough_cut(_demand({"B1": 10.0}), t).set_index(schema.RESOURCE)
    assert np.isinf(rc.at["L2", "utilisation"])
    assert rc.at["L1", "utilisation"] == 0.0


def test_one_utilisation_for_every_frame() -> None:
    # load / regular hours; inf for load without hours; 0 for a line shut and idle
    u = capacity.utilisation(np.array([50.0, 5.0, 0.0, 0.0]), np.array([100.0, 0.0, 0.0, 80.0]))
    assert u[0] == 0.5 and np.isinf(u[1]) and u[2] == 0.0 and u[3] == 0.0
    # per line over the months: L1 runs 50 of 100 h, then 150 of 100 h: average 100 %,
    # peak 150 %; L2 has load in a month without hours (left out of the peak, and no
    # average); L3 is shut all along and idle (0 %, not unknown); LAB is not a line
    months = pd.to_datetime(["2026-01-01", "2026-02-01"])
    use = pd.DataFrame(
        {
            schema.RESOURCE: ["L1", "L1", "L2", "L2", "L3", "L3", "LAB", "LAB"],
            schema.PLANT: "P",
            schema.NAME: ["one", "one", "two", "two", "three", "three", "crew", "crew"],
            schema.KIND: [schema.KIND_LINE] * 6 + [schema.KIND_LABOUR] * 2,
            schema.MONTH: list(months) * 4,
            capacity.LOAD_HOURS: [50.0, 150.0, 5.0, 0.0, 0.0, 0.0, 10.0, 10.0],
            schema.AVAILABLE_HOURS: [100.0, 100.0, 0.0, 0.0, 0.0, 0.0, 100.0, 100.0],
        }
    )
    use[capacity.UTILISATION] = capacity.utilisation(
        use[capacity.LOAD_HOURS], use[schema.AVAILABLE_HOURS]
    )
    lines = capacity.line_utilisation(use).set_index(schema.RESOURCE)
    assert list(lines.index) == ["L1", "L2", "L3"]
    assert lines.at["L1", "avg"] == pytest.approx(1.0) and lines.at["L1", "peak"] == 1.5
    assert np.isnan(lines.at["L2", "avg"]) and lines.at["L2", "peak"] == 0.0
    assert lines.at["L3", "avg"] == 0.0 and lines.at["L3", "peak"] == 0.0
    # the rough-cut and a plan's resource use share the same definition
    rc = capacity.rough_cut(_demand({"A1": 100.0}), tiny_tables())
    np.testing.assert_array_equal(
        rc[capacity.UTILISATION],
        capacity.utilisation(rc[capacity.LOAD_HOURS], rc[schema.AVAILABLE_HOURS]),
    )
