"""Checks of one file at a time: headers present and spelled right, values of the
right type, plausible and allowed, keys unique. `type_columns` turns raw text into
typed columns (numbers, months), flagging what cannot be read."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sop.core import schema
from sop.data.readers import ERROR, WARNING, RawTable, _suggest
from sop.data.report import ROW, Run

_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


def normalise_headers(
    raw: RawTable, t: schema.Table, run: Run
) -> tuple[pd.DataFrame | None, list[str]]:
    """(the frame with the model's columns and a `row` number, required columns that
    are missing); None when the header cannot be read at all."""
    df = raw.frame.copy()
    df.columns = [str(c).strip().lower().replace(" ", "_") for c in df.columns]
    run.ran("Columns are present and spelled right", t.name)
    if df.columns.duplicated().any():
        dup = sorted(set(df.columns[df.columns.duplicated()]))
        run.flag(
            "Columns are present and spelled right",
            t.name,
            ERROR,
            f"{raw.file}: column{'s' * (len(dup) > 1)} {', '.join(dup)} appear twice. "
            "Keep one of each.",
            len(dup),
            raw.file,
        )
        return None, []
    extra = [c for c in df.columns if c not in t.column_names]
    missing = [c.name for c in t.columns if c.required and c.name not in df.columns]
    for m in missing:
        hint = _suggest(m, extra)
        hint = hint.replace("Did you mean", "Is it misspelled as") if hint else ""
        run.flag(
            "Columns are present and spelled right",
            t.name,
            ERROR,
            f"{raw.file}: column `{m}` is missing.{hint} The `{t.name}` table needs "
            f"columns: {', '.join(c.name for c in t.columns if c.required)}"
            + (
                f" (optional: {', '.join(opt)})"
                if (opt := [c.name for c in t.columns if not c.required])
                else ""
            )
            + ".",
            1,
            raw.file,
            m,
        )
    if extra:
        run.flag(
            "Columns are present and spelled right",
            t.name,
            WARNING,
            f"{raw.file}: column{'s' * (len(extra) > 1)} {', '.join(extra)} "
            f"{'are' if len(extra) > 1 else 'is'} not in the data model and "
            f"{'were' if len(extra) > 1 else 'was'} ignored.",
            len(extra),
            raw.file,
        )
    for c in t.columns:
        if c.name not in df.columns:
            df[c.name] = pd.NA
    df = df[t.column_names].reset_index(drop=True)
    df.insert(0, ROW, np.arange(1, len(df) + 1))
    return df, missing


def _to_text(s: pd.Series) -> pd.Series:
    out = s.astype("object").where(s.notna(), None)
    out = out.map(lambda v: None if v is None else str(v).strip() or None)
    return out.astype("str").where(out.notna(), None)


def _to_number(s: pd.Series, decimal_comma: bool) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return pd.Series(np.nan, index=s.index)
    if pd.api.types.is_numeric_dtype(s):
        return pd.to_numeric(s, errors="coerce").astype("float64")
    text = s.astype("object").map(lambda v: v.strip() if isinstance(v, str) else v)
    if decimal_comma:
        text = text.map(
            lambda v: v.replace(",", ".") if isinstance(v, str) and _DECIMAL_COMMA.match(v) else v
        )
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _to_month(s: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s
        return out.astype("datetime64[us]")
    text = s.astype("object").map(lambda v: v.strip() if isinstance(v, str) else v)
    return pd.to_datetime(text, errors="coerce", format="ISO8601").astype("datetime64[us]")


def _read_values(
    raw: RawTable, t: schema.Table, c: schema.Column, df: pd.DataFrame, run: Run
) -> pd.Series:
    """Convert column `c` of `df` to its type in place, flagging values that cannot be
    read and months that are not a month's first day; returns the rows flagged."""
    f = raw.file
    orig = df[c.name]
    given = orig.notna() & (orig.astype("object").map(lambda v: str(v).strip()) != "")
    flagged = pd.Series(False, index=df.index)
    if c.dtype == schema.STR:
        df[c.name] = _to_text(orig)
    elif c.dtype in (schema.FLOAT, schema.INT):
        num = _to_number(orig, raw.decimal_comma)
        text = orig.astype("object").map(lambda v: str(v).strip().lower())
        bad = given & num.isna() & ~text.isin(["nan", "na", "n/a", "null", "none"])
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
        df[c.name], flagged = num.where(~bad), bad
    elif c.dtype == schema.DATE:
        month = _to_month(orig)
        bad = given & month.isna()
        run.rows(
            "Dates can be read",
            t,
            df,
            f,
            bad,
            c.name,
            "have dates that cannot be read",
            "Write months as YYYY-MM or YYYY-MM-DD (e.g. 2026-03).",
            shown=orig,
        )
        off = month.notna() & ((month.dt.day != 1) | (month != month.dt.normalize()))
        run.rows(
            "Periods are calendar months",
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
        df[c.name], flagged = month.where(~bad & ~off), bad | off
    return flagged


def type_columns(
    raw: RawTable, t: schema.Table, df: pd.DataFrame, run: Run, absent: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The columns of `t` in `df` converted to their types (in place; what cannot be read
    becomes empty), then checked for missing, implausible and disallowed values.
    Columns in `absent` are skipped."""
    f = raw.file
    for c in t.columns:
        if c.name in absent:  # already reported missing: check the others
            continue
        orig = df[c.name]
        flagged = _read_values(raw, t, c, df, run)
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
    return df


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


def check_keys(t: schema.Table, df: pd.DataFrame, f: str, run: Run) -> None:
    """No key repeats (for monthly tables: each month appears once per series)."""
    dup = df.duplicated(subset=list(t.key), keep=False)
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
