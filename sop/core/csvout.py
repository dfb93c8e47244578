"""CSV files the app and the command line write, safe to open in a spreadsheet.

A text cell that starts like a formula (`xlsx.FORMULA_START`: a family named
`=HYPERLINK(...)`, `+1 call`, `@team`) is written with a leading apostrophe, as
Excel and LibreOffice write a typed apostrophe, so opening the CSV never runs it
(the OWASP advice against CSV injection). Numbers are left alone: a negative number
stays a number. `unguard` takes the apostrophe off again when such a file is read
back (`sop.data.csvtext.read_csv_text`), so a download uploads to the same values.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sop.core.xlsx import FORMULA_START

GUARD = "'"


def _guard(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return GUARD + value
    return value


def guarded(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose formula-like text cells carry the leading apostrophe."""
    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            if pd.api.types.is_datetime64_any_dtype(out[col]):
                continue
            out[col] = out[col].map(_guard).astype(object)
    return out.rename(columns=lambda c: _guard(c) if isinstance(c, str) else c)


def csv_bytes(df: pd.DataFrame, **to_csv) -> bytes:
    """`df` as UTF-8 CSV bytes (no index), formula-like text guarded."""
    return guarded(df).to_csv(index=False, **to_csv).encode("utf-8")


def write_csv(df: pd.DataFrame, path: str | Path, **to_csv) -> None:
    """Write `df` as a UTF-8 CSV file (no index), formula-like text guarded."""
    Path(path).write_bytes(csv_bytes(df, **to_csv))


def unguard(column: pd.Series) -> pd.Series:
    """Text read from a CSV with the guarding apostrophe taken off the cells that have
    it in front of a formula-like start (other apostrophes are kept)."""
    text = column.astype("string")
    guarded_cells = text.str.startswith(GUARD) & text.str[1:2].isin(
        [c for c in FORMULA_START]
    ).fillna(False)
    if not guarded_cells.any():
        return column
    out = column.copy()
    out[guarded_cells.fillna(False)] = text[guarded_cells.fillna(False)].str[1:]
    return out
