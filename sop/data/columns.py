"""Checks of the values of one file (its header row is checked by
`sop.data.headers`): values of the right type, plausible and allowed, keys unique.
`type_columns` turns raw text into typed columns (numbers, months), flagging what
cannot be read."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema
from sop.data import cells, keyorder
from sop.data.csvtext import code
from sop.data.dates import DAY_FIRST, is_day_month, read_months
from sop.data.readers import ERROR, WARNING, RawTable
from sop.data.report import Run

DATE_ORDER = "Date order is known"
DATES_READ = "Dates can be read"
PERIODS = "Periods are calendar months"
SIZES = "Numbers are finite and of a sane size"
YEARS = "Years are plausible"
# No quantity, amount, rate or count of a plan is this large: a larger number (1e308,
# inf, an exponent typed by mistake) would wreck every sum and the solver's scaling.
LARGEST = 1e12
YEAR_RANGE = (1900, 2200)  # a month outside these years is a typing error


_NO_VALUE = frozenset(["nan", "na", "n/a", "null", "none"])


def _no_value(v: object) -> bool:
    """A word for "no value" where a number is expected (left empty, not an error)."""
    return str(v).strip().lower() in _NO_VALUE


def _date_order(
    raw: RawTable,
    t: schema.Table,
    c: schema.Column,
    orig: pd.Series,
    dayfirst: bool | None,
    run: Run,
) -> tuple[pd.Series, pd.Series]:
    """(the column read as dates, rows left unread because the day/month order is not
    known); the order found or chosen is noted, an unknown order is one error."""
    f, where = raw.file, code(f"{t.name}.{c.name}")
    read = read_months(orig, dayfirst)
    unordered = pd.Series(False, index=orig.index)
    run.ran(DATE_ORDER, t.name)
    if read.serial:
        read_from, read_to = read.values.min(), read.values.max()
        run.flag(
            DATES_READ,
            t.name,
            WARNING,
            f"{f}: {where} holds Excel serial day numbers, not dates (a date column "
            f"formatted as General); they were read as dates ({read.serial}, months "
            f"{read_from:%Y-%m} to {read_to:%Y-%m}). Check the months, and format the "
            "column as dates in Excel next time.",
            int(read.values.notna().sum()),
            f,
            c.name,
        )
    elif read.ambiguous or read.mixed:
        unordered = cells.matches(orig, is_day_month)
        what = (
            f"could be day/month or month/day (e.g. {read.example})"
            if read.ambiguous
            else f"mix day/month ({read.day_only}) and month/day ({read.month_only})"
        )
        starts = (
            f" Read {read.month_starts_if}, every date is the first of a month."
            if read.month_starts_if
            else ""
        )
        run.flag(
            DATE_ORDER,
            t.name,
            ERROR,
            f"{f}: dates in {where} {what}; choose the order: on the Data page, or pass "
            f"--dayfirst or --monthfirst.{starts}",
            int(unordered.sum()),
            f,
            c.name,
        )
    elif read.order is not None:
        pattern = "dd/mm/yyyy" if read.order == DAY_FIRST else "mm/dd/yyyy"
        why = (
            f"{code(read.decided_by)} can only be read that way" if read.decided_by else "as chosen"
        )
        run.flag(
            DATE_ORDER,
            t.name,
            WARNING,
            f"{f}: dates in {where} were read {read.order} ({pattern}): {why}.",
            1,
            f,
            c.name,
        )
    return read.values, unordered


def _month_ends_as_months(
    raw: RawTable,
    t: schema.Table,
    c: schema.Column,
    month: pd.Series,
    orig: pd.Series,
    run: Run,
) -> pd.Series:
    """`month` with month-end dates as their months, when every date of the column is
    the last day of its month (an export of period ends, `2024-01-31`), with a note;
    otherwise as it was (a mix of days stays an error: daily data is never summed)."""
    read = month.dropna()
    if read.empty or not _month_end(read.iloc[0]):  # the first date decides most columns
        return month
    if not (read.dt.is_month_end & (read == read.dt.normalize())).all():
        return month
    first = orig[month.notna()].iloc[0]
    run.flag(
        PERIODS,
        t.name,
        WARNING,
        f"{raw.file}: every date in {code(f'{t.name}.{c.name}')} is the last day of its "
        f"month (e.g. {code(str(first).strip())}); each was read as its month "
        f"({read.iloc[0]:%Y-%m}).",
        len(read),
        raw.file,
        c.name,
    )
    return month - pd.to_timedelta(month.dt.day - 1, unit="D")


def _month_end(d: pd.Timestamp) -> bool:
    """`d` is the last day of its month, at midnight."""
    return bool(d.is_month_end and d == d.normalize())


def _month_parts(month: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(is the first day of its month at midnight, its year) of each date, worked out
    once per distinct date: a column of millions of rows holds a few dozen months.
    False and -1 where the date is missing."""
    codes, uniques = pd.factorize(month)
    u = pd.Series(uniques, dtype=month.dtype)
    starts = ((u.dt.day == 1) & (u == u.dt.normalize())).to_numpy(dtype=bool)
    years = u.dt.year.to_numpy(dtype="int64")
    return (
        pd.Series(np.append(starts, False)[codes], index=month.index),
        pd.Series(np.append(years, -1)[codes], index=month.index),
    )


def _read_values(
    raw: RawTable,
    t: schema.Table,
    c: schema.Column,
    df: pd.DataFrame,
    run: Run,
    dayfirst: bool | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Convert column `c` of `df` to its type in place, flagging values that cannot be
    read and months that are not a month's first day; returns (the rows flagged, the
    rows whose dates wait for the day/month order)."""
    f = raw.file
    orig = df[c.name]
    flagged = unordered = pd.Series(False, index=df.index)
    if c.dtype == schema.STR:
        df[c.name] = cells.to_text(orig)
    elif c.dtype in (schema.FLOAT, schema.INT):
        num = cells.to_number(orig)
        unread = cells.given(orig) & num.isna()  # text, or a word for "no value"
        bad = unread.copy()
        if unread.any():
            bad[unread] = ~cells.matches(orig[unread], _no_value)
        run.rows(
            "Values have the right type",
            t,
            df,
            f,
            bad,
            c.name,
            "hold text where a number is expected",
            f"Write `{c.name}` as plain numbers ({c.unit}) without units or thousands separators.",
            shown=orig,
        )
        huge = num.notna() & ~(num.abs() <= LARGEST)  # inf, -inf and absurd sizes
        run.rows(
            SIZES,
            t,
            df,
            f,
            huge,
            c.name,
            f"hold infinite or absurdly large numbers (beyond ±{LARGEST:,.0f})",
            f"Write `{c.name}` as the real amount ({c.unit}), at most {LARGEST:,.0f} in size: "
            "inf, 1e308 and the like are not amounts (an exponent typed by mistake?).",
            shown=orig,
        )
        df[c.name], flagged = num.where(~bad & ~huge), bad | huge
    elif c.dtype == schema.DATE:
        month, unordered = _date_order(raw, t, c, orig, dayfirst, run)
        bad = cells.given(orig) & month.isna() & ~unordered
        run.rows(
            DATES_READ,
            t,
            df,
            f,
            bad,
            c.name,
            "have dates that cannot be read",
            "Write months as YYYY-MM or YYYY-MM-DD (e.g. 2026-03), or as Mar 2026 or 03/2026.",
            shown=orig,
        )
        month = _month_ends_as_months(raw, t, c, month, orig, run)
        given = month.notna()
        starts, year = _month_parts(month)
        off = given & ~starts
        run.rows(
            PERIODS,
            t,
            df,
            f,
            off,
            c.name,
            "are not the first day of a month",
            "Data must be monthly: give each "
            "month as its first day (2026-03-01). If the data is weekly or daily, "
            "add it up by calendar month first.",
            shown=orig,
        )
        lo, hi = YEAR_RANGE
        far = given & ((year < lo) | (year > hi))
        run.rows(
            YEARS,
            t,
            df,
            f,
            far,
            c.name,
            f"have years outside {lo}-{hi}",
            f"Correct the year of `{c.name}` (a typing error?): months run from {lo} to {hi}.",
            shown=orig,
        )
        df[c.name], flagged = month.where(~bad & ~off & ~far), bad | off | far | unordered
    return flagged, unordered


def type_columns(
    raw: RawTable,
    t: schema.Table,
    df: pd.DataFrame,
    run: Run,
    absent: tuple[str, ...] = (),
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """(the columns of `t` in `df` converted to their types, in place: what cannot be
    read becomes empty; the rows with a key value that could not be read; the date
    columns waiting for the day/month order), each then checked for missing,
    implausible and disallowed values. Columns in `absent` are skipped."""
    f = raw.file
    unread_keys = pd.Series(False, index=df.index)
    unordered: list[str] = []
    for c in t.columns:
        if c.name in absent:  # already reported missing: check the others
            continue
        orig = df[c.name]
        flagged, waiting = _read_values(raw, t, c, df, run, dayfirst)
        if waiting.any():
            unordered.append(c.name)
        if c.name in t.key:
            unread_keys |= flagged & orig.notna()
        typed = df[c.name]
        if not c.nullable:
            run.rows(
                "No missing values",
                t,
                df,
                f,
                typed.isna() & ~flagged,
                c.name,
                "are empty or NaN",
                f"Fill in `{c.name}` ({c.meaning.rstrip('.')}) or remove the rows.",
                shown=orig,
            )
        if c.dtype in (schema.FLOAT, schema.INT):
            _bounds(c, t, df, f, run)
        if c.allowed:
            bad = typed.notna() & ~typed.isin(c.allowed)
            run.rows(
                "Values are allowed",
                t,
                df,
                f,
                bad,
                c.name,
                f"have values outside {', '.join(c.allowed)}",
                f"Use one of: {', '.join(c.allowed)}.",
                shown=orig,
            )
    return df, unread_keys, unordered


def _bounds(c: schema.Column, t: schema.Table, df: pd.DataFrame, f: str, run: Run) -> None:
    x = df[c.name]
    if c.positive:
        run.rows(
            "Values are plausible",
            t,
            df,
            f,
            x.notna() & (x <= 0),
            c.name,
            f"are zero or negative ({c.unit})",
            f"`{c.name}` must be above 0: correct it, or remove the rows.",
        )
    if c.min is not None:
        what = "negative" if c.min == 0 else f"below {c.min:g}"
        action = (
            "Demand cannot be negative: net returns into the month's demand or set them to 0."
            if c.unit == "units"
            else f"`{c.name}` must be at least {c.min:g} {c.unit}."
        )
        run.rows(
            "Values are plausible", t, df, f, x.notna() & (x < c.min), c.name, f"are {what}", action
        )
    if c.max is not None:
        run.rows(
            "Values are plausible",
            t,
            df,
            f,
            x.notna() & (x > c.max),
            c.name,
            f"are above {c.max:g} {c.unit}",
            f"`{c.name}` must be at most {c.max:g} "
            f"{c.unit}; check the unit (e.g. a fraction, not a percentage).",
        )


def check_keys(
    t: schema.Table, df: pd.DataFrame, f: str, run: Run, unread: pd.Series | None = None
) -> None:
    """No key repeats (for monthly tables: each month appears once per series). Rows
    whose key could not be read (`unread`, flagged already) are not compared: two
    unreadable months are not the same month."""
    keys = df[list(t.key)]
    if unread is not None and unread.any():
        keys = keys[~unread]
    if keyorder.unique_in_order(keys, list(t.key)):  # a stored table, in key order
        dup = pd.Series(False, index=df.index)
    else:
        dup = keys.duplicated(keep=False).reindex(df.index, fill_value=False)
    periods = schema.MONTH in t.key
    run.rows(
        "Periods are not duplicated" if periods else "Keys are unique",
        t,
        df,
        f,
        dup,
        None,
        f"repeat the same {' + '.join(t.key)}",
        "Each month must appear once per series: add the duplicates together or remove the repeat."
        if periods
        else "Remove or merge the duplicated rows.",
    )
