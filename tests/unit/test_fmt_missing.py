"""`fmt.missing`: the one test for "no number here" (None, pandas' NA, NaN, ±inf), which
the formatters show as "–" and the KPI texts, tiles, stars and budget lines read as not
known. It was written five times as `_bad` (which raised on pandas' NA) and once as
`fmt._blank` (which let ±inf and a NumPy float32 NaN through: "€infB", "€nan")."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from sop.core import fmt
from sop.finance.range_text import is_point
from sop.scenario import stars
from sop.scenario.compare import budget_text

MISSING = [
    None,
    math.nan,
    math.inf,
    -math.inf,
    np.nan,
    np.float64("nan"),
    np.float32("nan"),
    np.float64("inf"),
    np.float32("-inf"),
    pd.NA,
]
KNOWN = [0, 0.0, -0.0, 1, -3.5, 1e300, np.float64(1.5), np.float32(2.0), np.int64(0), True]


@pytest.mark.parametrize("x", MISSING, ids=repr)
def test_no_number_is_missing(x: object) -> None:
    assert fmt.missing(x)


@pytest.mark.parametrize("x", KNOWN, ids=repr)
def test_a_finite_number_is_not_missing_zero_included(x: object) -> None:
    assert not fmt.missing(x)


@pytest.mark.parametrize("x", [math.inf, -math.inf, np.float32("nan"), pd.NA], ids=repr)
def test_the_formatters_show_a_dash_for_every_missing_number(x: object) -> None:
    # before: money(inf) read "€infB", units(-inf) "-inf units", money(float32 nan) "€nan"
    assert fmt.money(x) == "–"
    assert fmt.money_delta(x) == "–"
    assert fmt.units(x) == "–"
    assert fmt.count(x, "month") == "–"
    assert fmt.pct(x) == "–"


def test_a_null_count_read_from_the_store_is_missing() -> None:
    # DuckDB hands an INTEGER column with a NULL to pandas as Int32 holding pandas' NA
    frame = duckdb.sql("SELECT * FROM (VALUES (3), (NULL)) t(months)").df()
    three, null = frame["months"]
    assert null is pd.NA
    assert fmt.missing(null) and not fmt.missing(three)
    assert fmt.count(null, "month") == "–"


def test_pandas_na_reads_as_not_known_where_it_used_to_raise() -> None:
    # `_bad` called float(pd.NA): TypeError
    assert stars.best_in_row({"A": 10.0, "B": pd.NA, "C": 12.0}, "up") == {"C"}
    assert not is_point(pd.NA, 1.0)
    budget = {"revenue": 100.0, "plan_revenue": pd.NA, "months": 12.0}
    assert budget_text("revenue", budget, "EUR", "this plan") is None
