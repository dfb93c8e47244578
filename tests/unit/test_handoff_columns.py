"""The Hand-off page's weekly table reads as the app writes figures: a week's share of
its month as 23.8 % (a space before the sign, one decimal), working days as a count
(5, not 5.0; 1.5 for a part week), weeks dated as the chart dates them."""

from __future__ import annotations

import pandas as pd
import pytest

from sop.core import fmt, schema
from sop.executive import weekly
from sop.ui import columns


def _weeks() -> pd.DataFrame:
    # December 2026 with 2.5 calendar days off at the end: weeks of 4, 5, 5, 5, 1.5 days
    return weekly.week_shares(pd.Timestamp("2026-12-01"), 20.5).assign(
        **{schema.MONTH: pd.Timestamp("2026-12-01")}
    )


def test_the_share_of_the_month_shows_as_the_app_writes_a_share() -> None:
    weeks = _weeks()
    rows = columns.soe_week_rows(weeks)
    config = columns.soe_weeks()[columns.SHARE]["type_config"]
    assert config["format"] == "%.1f %%"
    # the grid writes the value by that printf format: what fmt.pct writes for the fraction
    shown = [config["format"] % v for v in rows[columns.SHARE]]
    assert shown == [fmt.pct(v) for v in weeks[columns.SHARE]]
    assert shown[0] == "19.5 %"
    assert weeks[columns.SHARE].iloc[0] == pytest.approx(4 / 20.5)  # the frame is not changed


def test_working_days_show_as_a_count_and_weeks_as_dates() -> None:
    rows = columns.soe_week_rows(_weeks())
    assert rows[schema.WORKING_DAYS].tolist() == [4, 5, 5, 5, 1.5]
    config = columns.soe_weeks()
    # no number format: the grid writes 5 as 5 and 1.5 as 1.5 (a format of %.1f wrote 5.0)
    assert config[schema.WORKING_DAYS]["type_config"].get("format") is None
    assert config["week_start"]["label"] == "Week (Monday)"
    assert config["week_start"]["type_config"]["format"] == "DD MMM YYYY"
