"""Month columns as planners' files write them: `2024-01`, `2024-01-01`, `Jan 2024`,
`January 2024`, `Jan-24`, `01/2024`, `2024/01`, `202401`, `15-Jan-2024`, Excel date
cells, and day/month/year or month/day/year (`31/01/2024`, `01/31/2024`,
`1.3.2024`).

Excel serial day numbers (`45292` = 2024-01-01: a date cell formatted as General, or
a CSV exported from such a sheet) are read as dates only when every value of the
column is one: a whole number between 1950-01-01 and 2200-12-31 (`SERIAL_YEARS`),
so that month numbers (1..12), years (2024) and yyyymm numbers (202401) are never
taken for days of 1900. `MonthsRead.serial` says so, for a note.

Day and month are never guessed: a column whose every `a/b/yyyy` value could be either
is `ambiguous` and nothing of it is read until the planner chooses the order
(`dayfirst`). A value with 13..31 in one place settles the order for the column,
and the result says which value did.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

DAY_FIRST, MONTH_FIRST = "day first", "month first"
_TIME = r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?" + _TIME + "$")
_YYYYMM = re.compile(r"^(\d{4})(\d{2})$")
_MY = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_NAMED = re.compile(r"^(?:(\d{1,2})[-\s/.]+)?([A-Za-z]{3,9})\.?[-\s/.,']*(\d{4}|\d{2})$")
_YEAR_NAMED = re.compile(r"^(\d{4})[-\s/.]+([A-Za-z]{3,9})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})" + _TIME + "$")
MONTHS = {
    **{
        m: i
        for i, m in enumerate(
            ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
        )
    },
    **{
        m: i
        for i, m in enumerate(
            (
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ),
            1,
        )
    },
    "sept": 9,
}
SERIAL_YEARS = (1950, 2200)
# Excel counts days from 1899-12-31 as day 1 and keeps Lotus's 29 Feb 1900, so from
# March 1900 on, serial n is 1899-12-30 + n days
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_RANGE = tuple(
    (pd.Timestamp(d) - _EXCEL_EPOCH).days
    for d in (f"{SERIAL_YEARS[0]}-01-01", f"{SERIAL_YEARS[1]}-12-31")
)
_WHOLE = re.compile(r"^\d+(?:\.0*)?$")


@dataclass(frozen=True)
class MonthsRead:
    """A column read as dates.

    `values`: datetime64[us], NaT where a value cannot be read (or, while `ambiguous`,
    is a day/month value); `ambiguous`: every a/b/yyyy value could be either order and
    none was chosen; `mixed`: some values can only be day first and others only month
    first; `order`: DAY_FIRST / MONTH_FIRST when a/b/yyyy values were read; `decided_by`:
    the value that settled the order (None when the planner chose it); `example`: an
    a/b/yyyy value as written; `day_only` / `month_only`: a value that can only be day
    first / month first; `month_starts_if`: the order under which every a/b/yyyy value
    is the first of a month, when only one is; `serial`: the column held Excel serial
    day numbers and was read as dates, with an example (`45292 = 2024-01-01`)."""

    values: pd.Series
    ambiguous: bool = False
    mixed: bool = False
    order: str | None = None
    decided_by: str | None = None
    example: str | None = None
    day_only: str | None = None
    month_only: str | None = None
    month_starts_if: str | None = None
    serial: str | None = None


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if len(text) == 2 else y


def _stamp(
    y: int, m: int, d: int = 1, hh: str | None = None, mm: str | None = None, ss: str | None = None
) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(dt.datetime(y, m, d, int(hh or 0), int(mm or 0), int(ss or 0)))
    except (ValueError, OverflowError):
        return None


def _plain(value: object) -> pd.Timestamp | tuple | None:
    """A Timestamp, a (a, b, year, time...) tuple still to be ordered, or None."""
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date, np.datetime64)):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else stamp.tz_localize(None) if stamp.tz else stamp
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (float, np.floating)) and not float(value).is_integer():
        return None  # a fraction, NaN or infinity
    if isinstance(value, (int, float, np.integer, np.floating)):
        value = str(int(value))  # 202401 typed as a number
    text = str(value).strip()
    if m := _ISO.match(text):
        return _stamp(int(m[1]), int(m[2]), int(m[3] or 1), m[4], m[5], m[6])
    if m := _YYYYMM.match(text):
        return _stamp(int(m[1]), int(m[2])) if 1800 <= int(m[1]) <= 2200 else None
    if m := _MY.match(text):
        return _stamp(int(m[2]), int(m[1]))
    if m := _NAMED.match(text):
        month = MONTHS.get(m[2].lower())
        return _stamp(_year(m[3]), month, int(m[1] or 1)) if month else None
    if m := _YEAR_NAMED.match(text):
        month = MONTHS.get(m[2].lower())
        return _stamp(int(m[1]), month) if month else None
    if m := _DMY.match(text):
        return (int(m[1]), int(m[2]), _year(m[3]), m[4], m[5], m[6], text)
    return None


def _serial(value: object) -> int | None:
    """`value` as an Excel serial day number in the plausible range, else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, str):
        if not _WHOLE.match(value := value.strip()):
            return None
        number = float(value)  # stripped: float() keeps \x1c..\x1f, str.strip() does not
    elif isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    else:
        return None
    if not number.is_integer() or not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        return None
    return int(number)


def _looked_up(s: pd.Series, lookup: dict, errors: str = "coerce") -> pd.Series:
    """The date `lookup` gives each cell of `s` (NaT when missing or not in it), as
    datetime64[us]: looked up and converted once per distinct value, then spread over
    the rows (a column of millions of cells holds a few hundred months)."""
    codes, uniques = pd.factorize(s)
    found = [lookup.get(v, pd.NaT) for v in uniques] + [pd.NaT]
    dates = pd.to_datetime(pd.Series(found, dtype=object), errors=errors)
    return pd.Series(dates.astype("datetime64[us]").to_numpy()[codes], index=s.index, name=s.name)


def _from_serials(s: pd.Series, uniques: np.ndarray) -> MonthsRead | None:
    """`s` read as Excel serial day numbers when every value is one, else None."""
    days = {v: _serial(v) for v in uniques}
    if not days or any(d is None for d in days.values()):
        return None
    lookup = {v: _EXCEL_EPOCH + pd.Timedelta(days=d) for v, d in days.items()}
    first = next(iter(days))
    shown = str(first).strip() if isinstance(first, str) else str(days[first])
    return MonthsRead(
        _looked_up(s, lookup, errors="raise"),
        serial=f"{shown} = {lookup[first]:%Y-%m-%d}",
    )


def read_months(s: pd.Series, dayfirst: bool | None = None) -> MonthsRead:
    """`s` as dates (see the module docstring); `dayfirst` the planner's choice of order
    for a/b/yyyy values, None to read it from the values or leave them unread."""
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s
        return MonthsRead(out.astype("datetime64[us]"))
    uniques = s.dropna().unique()
    if (serials := _from_serials(s, uniques)) is not None:
        return serials
    parsed = {v: _plain(v) for v in uniques}
    pending = {v: p for v, p in parsed.items() if isinstance(p, tuple)}
    result = MonthsRead(pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]"))
    order, decided_by = None, None
    if pending:
        day = [p[6] for p in pending.values() if p[0] > 12 and p[1] <= 12]
        month = [p[6] for p in pending.values() if p[1] > 12 and p[0] <= 12]
        example = next(iter(pending.values()))[6]
        starts = {
            o: all(p[k] == 1 for p in pending.values())
            for o, k in ((DAY_FIRST, 0), (MONTH_FIRST, 1))
        }
        only = [o for o, yes in starts.items() if yes]
        if dayfirst is not None:
            order = DAY_FIRST if dayfirst else MONTH_FIRST
        elif day and not month:
            order, decided_by = DAY_FIRST, day[0]
        elif month and not day:
            order, decided_by = MONTH_FIRST, month[0]
        result = MonthsRead(
            result.values,
            ambiguous=order is None and not (day and month),
            mixed=order is None and bool(day and month),
            order=order,
            decided_by=decided_by,
            example=example if order is None else (decided_by or example),
            day_only=day[0] if day else None,
            month_only=month[0] if month else None,
            month_starts_if=only[0] if len(only) == 1 else None,
        )
    for v, p in pending.items():
        if order is None:
            parsed[v] = None
            continue
        d, m = (p[0], p[1]) if order == DAY_FIRST else (p[1], p[0])
        parsed[v] = _stamp(p[2], m, d, p[3], p[4], p[5])
    lookup = {v: p for v, p in parsed.items() if p is not None}
    return replace(result, values=_looked_up(s, lookup))


def is_day_month(value: object) -> bool:
    """True for an a/b/yyyy value (whose order matters)."""
    return isinstance(value, str) and bool(_DMY.match(value.strip()))
