"""Fast answers for tables already in key order (a stored table, a database export).

The checks of a stored table at 20,000 SKUs look at millions of rows: hashing every
(month, sku, region) to find repeated keys, or grouping every SKU x region series,
takes seconds. Most tables are stored sorted by their key in some column order
(sales by sku, region, month; a consensus plan by month, sku, region), and then the
same answers come from comparing each row with the next, which is cheap:

- rows strictly increasing by the key columns (in any order of the columns) have no
  repeated key;
- rows non-decreasing by sku and region hold each series as one run of rows.

Only columns of text (Arrow-backed `str`), whole numbers and dates without missing
values take part: for them "equal" means the same as it does to pandas. Anything
else (missing values, object or float columns, rows out of order) answers "not known", and
the caller does the work as before.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _neighbours(s: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(each row equals the next, each row is less than the next) for a column of
    text, whole numbers or dates without missing values; else None."""
    if isinstance(s.dtype, pd.StringDtype):
        if s.dtype.storage != "pyarrow" or s.isna().any():
            return None
        a = pa.array(s.array)
        head, tail = a[:-1], a[1:]
        eq = pc.equal(head, tail).to_numpy(zero_copy_only=False)
        lt = pc.less(head, tail).to_numpy(zero_copy_only=False)
        return eq, lt
    if s.dtype.kind in "iuM" and not s.isna().any():
        v = s.to_numpy()
        return v[:-1] == v[1:], v[:-1] < v[1:]
    return None


def _increasing(parts: list[tuple[np.ndarray, np.ndarray]], strict: bool) -> bool:
    """Every row is below (strict) or at most (not strict) the next row, comparing
    column by column in the order of `parts`."""
    eq, lt = parts[-1]
    ok = lt.copy() if strict else lt | eq
    for eq, lt in reversed(parts[:-1]):
        ok = lt | (eq & ok)
    return bool(ok.all())


def unique_in_order(df: pd.DataFrame, cols: list[str]) -> bool:
    """True when the rows of `df` are strictly increasing by `cols` taken in some
    order, so that no two rows share the values of `cols`; False when that is not
    known (the caller must look)."""
    if len(df) < 2 or not cols:
        return len(df) < 2
    parts = {}
    for c in cols:
        got = _neighbours(df[c])
        if got is None:
            return False
        parts[c] = got
    return any(_increasing([parts[c] for c in order], True) for order in permutations(cols))


def runs(df: pd.DataFrame, cols: list[str]) -> np.ndarray | None:
    """The first row of each run of equal `cols` when `df` is sorted by `cols` in that
    order (each group is then one run, in sorted order), as positions; None when it is
    not (or a column cannot take part)."""
    if len(df) < 2:
        return None  # nothing to gain
    parts = []
    for c in cols:
        got = _neighbours(df[c])
        if got is None:
            return None
        parts.append(got)
    if not _increasing(parts, False):
        return None
    same = np.logical_and.reduce([eq for eq, _ in parts])
    return np.concatenate([[0], np.flatnonzero(~same) + 1])
