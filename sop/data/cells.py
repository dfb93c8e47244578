"""Cell rules of `sop.data.columns` applied to whole columns at once.

Each function gives exactly what the per-cell rule (`cell_text`, `cell_given`, ...)
gives for every cell, but without a Python call per cell, so that a company of
millions of rows is typed in seconds:

- a column already of a number, boolean or date type (a Parquet file, a stored table)
  takes a fast path: no cell of it can be blank text;
- a text column (the `str` type CSV files are read as, or an object column holding
  only text) is stripped with Arrow, removing exactly what Python's `str.strip()`
  removes (`WHITESPACE`);
- a rule that needs Python runs once per distinct value (`per_unique`), which is
  exact because equal values of one type give equal results;
- an object column of mixed types (a workbook's cells) keeps the per-cell rule: it
  is small, and 1, 1.0 and True are equal keys that the rules tell apart.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# every character `str.strip()` removes (none lies above U+3000)
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
# columns of these kinds hold numbers, booleans or dates: never blank text
_TYPED_KINDS = "biufcmM"


def cell_text(v: object) -> str:
    """A code as text: 123 (a workbook's number cell) is '123', not '123.0'."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def cell_given(v: object) -> bool:
    """A non-missing cell holds something other than blanks."""
    return str(v).strip() != ""


def cell_number_text(v: object) -> object:
    """A cell as `pd.to_numeric` should see it: text stripped, booleans not numbers."""
    return v.strip() if isinstance(v, str) else np.nan if isinstance(v, bool) else v


def typed(s: pd.Series) -> bool:
    """`s` holds numbers, booleans or dates (not text, not mixed objects)."""
    return s.dtype.kind in _TYPED_KINDS and not isinstance(s.dtype, pd.StringDtype)


def textual(s: pd.Series) -> bool:
    """`s` is of the text type, or an object column whose every value is text (or
    that is empty: an optional column the file left out)."""
    if isinstance(s.dtype, pd.StringDtype):
        return True
    return s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")


def strip(s: pd.Series) -> pd.Series:
    """The text of a `textual` column stripped as `str.strip()` strips it, as `str`
    (missing stays missing)."""
    if s.dtype == object:
        s = s.astype("str")
    if getattr(s.dtype, "storage", None) == "pyarrow":
        arr = pa.array(s.array)
    else:
        arr = pa.array(s.to_numpy(dtype=object, na_value=None), type=pa.large_string())
    out = pc.utf8_trim(arr, characters=WHITESPACE)
    return pd.Series(out, index=s.index, dtype="str", name=s.name)


def per_unique(s: pd.Series, fn: Callable[[object], object], missing: object = None) -> pd.Series:
    """`fn` of every cell of `s` (a column of one type), computed once per distinct
    value; `missing` for missing cells. An object Series."""
    codes, uniques = pd.factorize(s)
    # values as `s.astype(object)` gives them (float32 as Python floats, Timestamps)
    values = pd.Series(uniques).astype("object").tolist()
    out = np.empty(len(values) + 1, dtype=object)
    out[:-1] = [fn(v) for v in values]
    out[-1] = missing
    return pd.Series(out[codes], index=s.index, name=s.name)


def _per_cell(s: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    return s.astype("object").map(fn)


def given(s: pd.Series) -> pd.Series:
    """Cells holding a value: not missing and not blank text."""
    if typed(s):
        return s.notna()
    if textual(s):
        return s.notna() & (strip(s) != "")
    return s.notna() & _per_cell(s, cell_given).astype(bool)


def to_text(s: pd.Series) -> pd.Series:
    """The column as codes (`cell_text` of each cell; blank and missing cells empty),
    of the `str` type."""
    if textual(s):
        out = strip(s)
        return out.mask(out == "")
    if typed(s):
        out = per_unique(s, lambda v: cell_text(v) or None)
    else:
        out = s.astype("object").where(s.notna(), None)
        out = out.map(lambda v: None if v is None else cell_text(v) or None)
    return out.astype("str").where(out.notna(), None)


def to_number(s: pd.Series) -> pd.Series:
    """The column as float64: what cannot be read as a number is NaN."""
    if pd.api.types.is_bool_dtype(s):
        return pd.Series(np.nan, index=s.index)
    if pd.api.types.is_numeric_dtype(s):
        return pd.to_numeric(s, errors="coerce").astype("float64")
    if textual(s):
        values = s.to_numpy(dtype=object, na_value=np.nan) if s.dtype != object else s.to_numpy()
        values = values.copy()
        present = s.notna().to_numpy()
        values[present] = strip(s[present]).to_numpy(dtype=object)
        return pd.Series(pd.to_numeric(values, errors="coerce"), index=s.index).astype("float64")
    text = _per_cell(s, cell_number_text)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def matches(s: pd.Series, rule: Callable[[object], bool]) -> pd.Series:
    """`rule` of every present cell as a boolean Series, missing cells False (once per
    distinct value when `s` is of one type or all text; per cell for mixed objects)."""
    if s.dtype != object or textual(s):
        return per_unique(s, rule, missing=False).astype(bool)
    return s.notna() & _per_cell(s, rule).astype(bool)


def isin(s: pd.Series, values: pd.Series) -> pd.Series:
    """`s.isin(set(values))`; for two Arrow text columns by Arrow's `is_in`, without
    making a Python string of every value (a sales column of millions of SKUs)."""
    if arrow_text(s) and arrow_text(values):
        found = pc.is_in(pa.array(s.array), value_set=pa.array(values.array).unique())
        return pd.Series(np.asarray(found.fill_null(False)), index=s.index, name=s.name)
    return s.isin(set(values))


def arrow_text(s: pd.Series) -> bool:
    """`s` is text held by Arrow (pandas' default `str` dtype)."""
    return isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"
