"""`fmt.count`: a count and its noun, written in one place (the plural the app used to
write by hand in each sentence read "1 months", "0 query" or "1 workers")."""

from __future__ import annotations

import pandas as pd
import pytest

from sop.core import fmt


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((1, "month"), "1 month"),
        ((1.0, "month"), "1 month"),
        ((3, "month"), "3 months"),
        ((0, "day"), "0 days"),
        ((0.5, "month"), "0.5 months"),
        ((1.5, "month"), "1.5 months"),
        ((1234, "SKU"), "1,234 SKUs"),
        ((1, "family", "families"), "1 family"),
        ((2, "family", "families"), "2 families"),
        ((0, "saved query", "saved queries"), "0 saved queries"),
    ],
)
def test_a_count_is_singular_only_when_it_reads_one(args: tuple, text: str) -> None:
    assert fmt.count(*args) == text


def test_fixed_decimals_decide_the_plural_as_shown() -> None:
    # 1.04 workers show as "1.0": one worker; 0.96 too; 1.4 limit-months round to 1
    assert fmt.count(1.04, "worker", digits=1) == "1.0 worker"
    assert fmt.count(0.96, "worker", digits=1) == "1.0 worker"
    assert fmt.count(2.5, "worker", digits=1) == "2.5 workers"
    assert fmt.count(1.4, "binding limit-month", digits=0) == "1 binding limit-month"
    assert fmt.count(1.6, "binding limit-month", digits=0) == "2 binding limit-months"
    assert fmt.count(1234.0, "hour", digits=0) == "1,234 hours"


def test_a_count_never_shows_an_exponent_and_keeps_its_decimals() -> None:
    # `:g` wrote "1.23457e+06 months" and cut 12,345.25 to "12,345.2"
    assert fmt.count(1234567.5, "month") == "1,234,567.5 months"
    assert fmt.count(12345.25, "month") == "12,345.25 months"
    assert fmt.count(1e7, "unit-month") == "10,000,000 unit-months"
    assert fmt.count(2.50, "month") == "2.5 months"
    assert fmt.count(1 / 3, "month") == "0.33 months"
    assert "e" not in fmt.count(1.5e-9, "month").split()[0]


def test_a_negative_count_is_singular_at_minus_one_and_zero_has_no_sign() -> None:
    assert fmt.count(-1, "day") == "-1 day"
    assert fmt.count(-1.0, "worker", digits=1) == "-1.0 worker"
    assert fmt.count(-2, "day") == "-2 days"
    assert fmt.count(-0.001, "day") == "0 days"
    assert fmt.count(-0.01, "worker", digits=1) == "0.0 workers"


def test_no_count_is_a_dash() -> None:
    assert fmt.count(None, "month") == fmt.count(float("nan"), "month") == "–"


def test_sentences_write_their_counts_through_it() -> None:
    from datetime import datetime, timedelta

    from sop.executive.approval import setting_change
    from sop.executive.comments import age
    from sop.finance.kpis import binding_text

    assert setting_change("horizon", 12, 1) == "horizon 12 months, now 1 month"
    assert binding_text(1.0) == "1 binding limit-month"
    assert binding_text(0.0) == "0 binding limit-months"
    now = datetime(2027, 1, 10, 12)
    assert age(now - timedelta(days=1, hours=2), now) == "1 day"
    assert age(now - timedelta(days=3), now) == "3 days"


def test_month_runs_keep_gaps_apart() -> None:
    m = pd.to_datetime(["2027-01-01", "2026-11-01", "2026-12-01", "2027-03-01", "2028-01-01"])
    assert fmt.month_runs(m) == "Nov 2026 to Jan 2027, Mar 2027 and Jan 2028"
    assert fmt.month_runs(m[:1]) == "Jan 2027"
    assert fmt.month_runs([pd.Timestamp("2027-01-01"), pd.Timestamp("2027-03-01")]) == (
        "Jan 2027 and Mar 2027"
    )
    assert fmt.month_runs([]) == ""
