"""The column rules of validation run on whole columns (`sop.data.cells`) and must give
exactly what the per-cell rules gave: every cell read, flagged and worded the same.

A small reference of the per-cell rules (as `sop.data.columns` applied them before they
were vectorised) is written here; many random mixes of hostile values (blanks, text in
numbers, inf, 1e308, decimal commas, odd whitespace, month spellings, years out of
range, mixed object cells) are read both ways and compared, cell by cell and then as
whole validation reports."""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import pandas as pd
import pytest

from sop.data import cells, dates
from sop.data.dates import is_day_month, read_months
from sop.data.validate import validate_files

# --- the per-cell rules, as they were --------------------------------------------


def ref_cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def ref_to_text(s: pd.Series) -> pd.Series:
    out = s.astype("object").where(s.notna(), None)
    out = out.map(lambda v: None if v is None else ref_cell_text(v) or None)
    return out.astype("str").where(out.notna(), None)


def ref_to_number(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return pd.Series(np.nan, index=s.index)
    if pd.api.types.is_numeric_dtype(s):
        return pd.to_numeric(s, errors="coerce").astype("float64")
    text = s.astype("object").map(
        lambda v: v.strip() if isinstance(v, str) else np.nan if isinstance(v, bool) else v
    )
    return pd.to_numeric(text, errors="coerce").astype("float64")


def ref_given(s: pd.Series) -> pd.Series:
    return s.notna() & (s.astype("object").map(lambda v: str(v).strip()) != "")


def ref_not_a_number(s: pd.Series) -> pd.Series:
    """Rows `columns` flags as text where a number is expected."""
    text = s.astype("object").map(lambda v: str(v).strip().lower())
    return ref_given(s) & ref_to_number(s).isna() & ~text.isin(["nan", "na", "n/a", "null", "none"])


def ref_looked_up(s: pd.Series, lookup: dict, errors: str = "coerce") -> pd.Series:
    values = s.map(lambda v: lookup.get(v, pd.NaT) if pd.notna(v) else pd.NaT)
    return pd.to_datetime(values, errors=errors).astype("datetime64[us]")


def ref_matches(s: pd.Series, rule) -> pd.Series:
    return s.map(rule).astype(bool)


# --- hostile values ------------------------------------------------------------------

NUMBERS = [
    "12",
    " 7 ",
    "1,5",
    "1.5",
    "inf",
    "-inf",
    "1e308",
    "1e400",
    "-1e308",
    "NaN",
    "nan",
    "n/a",
    "NA",
    "NULL",
    "none",
    "None",
    "  ",
    "",
    "12 kg",
    "0x10",
    "1_000",
    "\u22123",
    "\xa03\u3000",
    "\u0663",
    "True",
    "1e-5",
    "-0",
    "00012",
    "+4",
    "1 000",
    "1.000,50",
    "99999999999999999999",
    "\x1c5\x1f",
    "5\u200b",
    "3.",
    ".5",
    "1e12",
    "1000000000001",
]
MONTHS = [
    "2024-01",
    "2024-1-01",
    "Jan 2024",
    "jan-24",
    "Sept 2024",
    "Sep. 2024",
    "01/2024",
    "2024/01",
    "202401",
    "15-Jan-2024",
    "31/01/2024",
    "01/31/2024",
    "1.3.2024",
    "2024-02-30",
    "1899-12",
    "2201-01",
    "0001-01",
    "9999-12",
    "2024-01-31",
    "  2024-03 ",
    "M\xe4r 2024",
    "",
    " ",
    "garbage",
    "13/2024",
    "2024-03-01T00:00:00Z",
    "2024 March",
    "march 2024",
    "MARCH-2024",
    "2024-03-01 10:30",
    "1850-06",
    "2024-13",
    "\xa02024-05",
]
CODES = ["A1", " A1 ", "a1", "123", "\x1cX\x1f", "X\u200b", "\xe9", "", "  ", "\u3000B", "nan"]
OBJECTS = [
    1,
    2.0,
    1.5,
    -0.0,
    1e20,
    np.inf,
    -np.inf,
    1e308,
    float("nan"),
    None,
    True,
    False,
    np.int64(7),
    np.float64(2.5),
    pd.Timestamp("2024-02-01"),
    dt.date(2024, 3, 1),
    dt.datetime(2024, 4, 30),
    202401,
    45292,
    "2024-06",
    " 8 ",
    "x",
    "",
    "1,5",
]


def _draw(rng: np.random.Generator, pool: list, n: int, blanks: float) -> list:
    out = [pool[i] for i in rng.integers(0, len(pool), n)]
    return [None if rng.random() < blanks else v for v in out]


def _columns(rng: np.random.Generator, n: int) -> list[pd.Series]:
    """One column of every kind validation meets, filled with a random hostile mix."""
    blanks = rng.uniform(0, 0.3)
    pick = rng.choice
    floats = rng.choice([0.5, 1.0, 3.0, 1e20, -0.0, 2.25, 1e308, np.inf, np.nan, 12.0], n)
    stamps = pd.to_datetime(rng.choice(["2024-01-01", "2023-12-31", "2024-02-15", None], n))
    return [
        pd.Series(_draw(rng, NUMBERS, n, blanks), dtype="str"),
        pd.Series(_draw(rng, MONTHS, n, blanks), dtype="str"),
        pd.Series(_draw(rng, CODES, n, blanks), dtype="str"),
        pd.Series(_draw(rng, NUMBERS + CODES, n, blanks), dtype=object),  # text only
        pd.Series(_draw(rng, OBJECTS, n, blanks), dtype=object),  # a workbook's cells
        pd.Series([None] * n, dtype=object),  # an optional column left out
        pd.Series(floats),
        pd.Series(np.where(np.abs(floats) < 1e30, floats, 7.5).astype("float32")),
        pd.Series(rng.integers(-5, 202500, n)),
        pd.Series(pick([True, False], n)),
        pd.Series(stamps),
        pd.Series(pick(["45292", "45323", "45352"], n), dtype="str"),  # Excel serials
        pd.Series(pick([45292.0, 45323.0, np.nan], n)),
        pd.Series(pick(["31/01/2024", "01/02/2024", "02/01/2024"], n), dtype="str"),
        pd.Series(pick(["01/02/2024", "03/04/2024"], n), dtype="str"),  # ambiguous
    ]


@pytest.mark.parametrize("seed", range(40))
def test_column_rules_match_the_per_cell_rules(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for s in _columns(rng, int(rng.integers(1, 300))):
        s.index = s.index * 3 + 5  # a frame's index need not be 0..n-1
        pd.testing.assert_series_equal(cells.given(s), ref_given(s), check_names=False)
        pd.testing.assert_series_equal(cells.to_text(s), ref_to_text(s), check_names=False)
        pd.testing.assert_series_equal(cells.to_number(s), ref_to_number(s), check_names=False)
        got = cells.matches(s, is_day_month)
        pd.testing.assert_series_equal(got, ref_matches(s, is_day_month), check_names=False)
        unread = cells.given(s) & cells.to_number(s).isna()
        bad = unread & ~cells.matches(s, lambda v: str(v).strip().lower() in _NO_VALUE)
        pd.testing.assert_series_equal(bad, ref_not_a_number(s), check_names=False)
        for dayfirst in (None, True, False):
            _same_months(s, dayfirst)


_NO_VALUE = {"nan", "na", "n/a", "null", "none"}


def _same_months(s: pd.Series, dayfirst: bool | None) -> None:
    got = read_months(s, dayfirst)
    try:
        dates._looked_up = ref_looked_up
        want = read_months(s, dayfirst)
    except Exception as exc:  # the reference raised: so must the vectorised reading
        with pytest.raises(type(exc)):
            dates._looked_up = _LOOKED_UP
            read_months(s, dayfirst)
        return
    finally:
        dates._looked_up = _LOOKED_UP
    assert got.values.dtype == want.values.dtype
    pd.testing.assert_series_equal(got.values, want.values, check_names=False)
    assert (got.ambiguous, got.mixed, got.order, got.serial) == (
        want.ambiguous,
        want.mixed,
        want.order,
        want.serial,
    )


_LOOKED_UP = dates._looked_up


def test_whitespace_is_what_str_strip_removes() -> None:
    """Arrow strips exactly the characters Python's `str.strip()` strips."""
    every = [chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF]
    assert "".join(c for c in every if c.isspace()) == cells.WHITESPACE
    text = pd.Series([f"{c}x{c}" for c in every if c.isspace() or ord(c) < 0x3100], dtype="str")
    assert cells.strip(text).tolist() == [v.strip() for v in text]


# --- whole reports -------------------------------------------------------------------


def _csv(rng: np.random.Generator, n: int) -> dict[str, bytes]:
    skus = ["S1", "S2", " S3", "S4 ", "123", "", "S1"]
    months = [m for m in MONTHS if m.strip()] + ["2023-11", "2023-12", "2024-02"]
    rows = ["month,sku,region,units,revenue"]
    for _ in range(n):
        m, k = rng.choice(months), rng.choice(skus)
        u, r = rng.choice(NUMBERS), rng.choice(NUMBERS)
        rows.append(",".join(f'"{v}"' for v in (m, k, rng.choice(["EU", "US", " EU"]), u, r)))
    products = "sku,name,family,list_price,material_cost\nS1,a,F,10,4\nS2,b,F,1e308,inf\n"
    company = "company_name,currency,as_of_month\nAcme,EUR,2024-06\n"
    return {
        "sales.csv": "\n".join(rows).encode(),
        "products.csv": products.encode(),
        "company.csv": company.encode(),
    }


def _per_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation with the per-cell rules of the reference above."""
    monkeypatch.setattr(cells, "given", ref_given)
    monkeypatch.setattr(cells, "to_text", ref_to_text)
    monkeypatch.setattr(cells, "to_number", ref_to_number)
    monkeypatch.setattr(cells, "matches", ref_matches)
    monkeypatch.setattr(cells, "isin", lambda s, values: s.isin(set(values)))
    monkeypatch.setattr(dates, "_looked_up", ref_looked_up)


def _summary(report) -> list[tuple]:
    return [(f.check, f.table, f.severity, f.message, f.count, f.column) for f in report.findings]


@pytest.mark.parametrize("seed", range(12))
def test_reports_match_the_per_cell_rules(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(100 + seed)
    files = _csv(rng, int(rng.integers(5, 120)))
    got = validate_files(files)
    assert got.findings, "hostile data must be flagged"
    with monkeypatch.context() as m:
        _per_cell(m)
        want = validate_files(files)
    assert _summary(got) == _summary(want)
    assert got.checks == want.checks
    assert got.tables.keys() == want.tables.keys()
    for name in got.tables:
        pd.testing.assert_frame_equal(got.tables[name], want.tables[name])


# --- typed once: the store gives back what validation typed ---------------------------


def test_stored_tables_come_back_typed_as_validated(store) -> None:
    """`Store.tables` returns every column as validation typed it (text `str`, months
    datetime64[us], numbers float64), so re-checking it re-types nothing."""
    from tiny import tiny_tables

    from sop.core import schema
    from sop.core.tables import TABLES
    from sop.data.validate import check_tables

    tables = check_tables(tiny_tables()).tables
    store.load(tables, name="tiny")
    got = store.tables()
    for name, df in got.items():
        for c in TABLES[name].columns:
            kind = {schema.STR: "str", schema.DATE: "datetime64[us]"}.get(c.dtype)
            if kind is not None:
                assert str(df[c.name].dtype) == kind, (name, c.name)
        want = tables[name][TABLES[name].column_names].reset_index(drop=True)
        pd.testing.assert_frame_equal(df, want, check_dtype=False)
    again = check_tables(got)
    for name, df in again.tables.items():
        pd.testing.assert_frame_equal(df, got[name][TABLES[name].column_names])
