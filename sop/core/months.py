"""Month arithmetic, one way for the whole package.

A month is a month-start `pd.Timestamp` in every frame (`2026-10-01`) and a
`pd.Period` while it is being moved: `month_start`, `add_months`, `next_month` and
`plan_months` go through Periods, so the day of the month can never leak in.
`months_between` counts calendar months elementwise for whole columns at once;
`month_text` writes a month as levers and links do ('2026-10'); `as_of_month` is a
dataset's last month of actuals, the month every plan starts after.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sop.core import schema

Months = pd.Series | pd.DatetimeIndex | pd.Timestamp
DEFAULT_HORIZON = 18  # months a supply plan covers unless set (SupplyPolicy.horizon)


def month_start(value: object) -> pd.Timestamp:
    """The first day of the month `value` falls in: a Timestamp, a date or text
    such as '2027-06' or '2027-06-15'. Raises ValueError when it is no month."""
    try:
        period = pd.Period(value, "M")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a month; write YYYY-MM") from exc
    if pd.isna(period):
        raise ValueError(f"{value!r} is not a month; write YYYY-MM")
    return period.to_timestamp()


def month_text(value: object) -> str:
    """The month `value` falls in as 'YYYY-MM', the way levers and URLs write months."""
    return str(pd.Period(month_start(value), "M"))


def month_starts(values: pd.Series | pd.DatetimeIndex) -> pd.DatetimeIndex:
    """`month_start` of many dates at once."""
    return pd.DatetimeIndex(values).to_period("M").to_timestamp()


def add_months(month: object, n: int) -> pd.Timestamp:
    """The month `n` calendar months after `month` (before it for n < 0), as its first
    day; NaT stays NaT, as in pandas' own date arithmetic."""
    if pd.isna(month):
        return pd.NaT
    return (pd.Period(month_start(month), "M") + n).to_timestamp()


def next_month(month: object) -> pd.Timestamp:
    """The month after `month`: after the as-of month, the first month of the plan."""
    return add_months(month, 1)


def plan_months(as_of: object, horizon: int) -> pd.DatetimeIndex:
    """The `horizon` calendar months after the as-of month (freq 'MS')."""
    if horizon < 1:
        raise ValueError(f"the horizon must be at least 1 month, not {horizon}")
    first = pd.Period(month_start(as_of), "M") + 1
    return pd.period_range(first, periods=horizon, freq="M").to_timestamp()


def months_between(start: Months, end: Months) -> np.ndarray:
    """Whole calendar months from `start` to `end` (scalars or equal-length columns,
    elementwise): 2026-01 to 2026-04 is 3."""
    a, b = _dates(start), _dates(end)
    return np.asarray((b.year - a.year) * 12 + (b.month - a.month))


def _dates(value: Months) -> pd.Timestamp | pd.DatetimeIndex:
    if isinstance(value, (pd.Series, pd.Index, np.ndarray, list)):
        return pd.DatetimeIndex(value)
    return pd.Timestamp(value)


def as_of_month(tables: Mapping[str, pd.DataFrame]) -> pd.Timestamp | None:
    """The last month of actuals: company.as_of_month, else the last sales month."""
    company = tables.get(schema.COMPANY)
    if company is not None and len(company) and pd.notna(company[schema.AS_OF_MONTH].iloc[0]):
        return pd.Timestamp(company[schema.AS_OF_MONTH].iloc[0])
    sales = tables.get(schema.SALES)
    if sales is None or sales[schema.MONTH].dropna().empty:
        return None
    return pd.Timestamp(sales[schema.MONTH].max())
