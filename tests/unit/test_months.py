"""Month arithmetic (`sop.core.months`): month starts in, month starts out."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

from sop.core import schema
from sop.core.months import (
    add_months,
    as_of_month,
    month_start,
    month_starts,
    month_text,
    months_between,
    next_month,
    plan_months,
)

JAN = pd.Timestamp("2026-01-01")


def test_month_start_takes_timestamps_dates_and_text() -> None:
    for value in (pd.Timestamp("2026-01-17 13:05"), datetime.date(2026, 1, 31), "2026-01"):
        assert month_start(value) == JAN
    for bad in ("2026-13", "", None, "soon"):
        with pytest.raises(ValueError, match="is not a month; write YYYY-MM"):
            month_start(bad)
    assert list(month_starts(pd.Series(pd.to_datetime(["2026-01-09", "2026-02-28"])))) == [
        JAN,
        pd.Timestamp("2026-02-01"),
    ]


def test_adding_months_crosses_years_both_ways() -> None:
    assert add_months("2027-11", 3) == pd.Timestamp("2028-02-01")
    assert add_months(JAN, -1) == pd.Timestamp("2025-12-01")
    assert add_months(JAN, -12) == pd.Timestamp("2025-01-01")
    assert pd.isna(add_months(pd.NaT, 1))
    assert next_month(pd.Timestamp("2026-12-01")) == pd.Timestamp("2027-01-01")
    assert month_text(add_months("9999-12", 3)) == "10000-03"  # as the lever text compares
    assert month_text(JAN) == "2026-01"


def test_plan_months_are_the_months_after_the_as_of_month() -> None:
    months = plan_months(pd.Timestamp("2026-11-01"), 3)
    assert list(months) == [pd.Timestamp(m) for m in ("2026-12-01", "2027-01-01", "2027-02-01")]
    assert months.freqstr == "MS"
    assert months.equals(pd.date_range("2026-12-01", periods=3, freq="MS"))
    with pytest.raises(ValueError, match="at least 1 month"):
        plan_months(JAN, 0)


def test_months_between_counts_calendar_months_elementwise() -> None:
    assert int(months_between(JAN, pd.Timestamp("2026-04-01"))) == 3
    ends = pd.DatetimeIndex(["2025-12-01", "2026-01-01", "2027-01-01"])
    assert months_between(JAN, ends).tolist() == [-1, 0, 12]
    assert months_between(pd.Series(ends), JAN).tolist() == [1, 0, -12]


def test_as_of_month_is_the_company_month_else_the_last_sale() -> None:
    sales = pd.DataFrame({schema.MONTH: pd.to_datetime(["2026-01-01", "2026-03-01"])})
    company = pd.DataFrame({schema.AS_OF_MONTH: [pd.Timestamp("2026-02-01")]})
    assert as_of_month({schema.SALES: sales}) == pd.Timestamp("2026-03-01")
    assert as_of_month({schema.SALES: sales, schema.COMPANY: company}) == pd.Timestamp("2026-02-01")
    assert as_of_month({}) is None
