"""Months and percentages read as the rest of the app writes them: goal targets and a
link's out-of-range warnings say 'Nov 2026' (the levers keep '2026-11'), the Demand
page's accuracy shares read '12.3 %' and still sort as numbers."""

from __future__ import annotations

import pandas as pd

from sop.scenario import lever_space, wording
from sop.scenario import url as scenario_url
from sop.scenario.levers import Levers
from sop.supply.targets import AT_LEAST, Target
from sop.ui import columns

SPACE = lever_space.LeverSpace(
    ("Alpha", "Beta"),
    ("North", "South"),
    ("L1", "L2"),
    ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"),
)


def test_a_target_describes_its_months_by_name_and_keeps_them_as_typed() -> None:
    budget = Target("revenue", AT_LEAST, 26_553_642.0, "Cooling", "2026-11", "2027-12")
    assert budget.describe("EUR") == (
        "Revenue at least EUR 26,553,642 (Nov 2026 to Dec 2027, Cooling)"
    )
    assert (budget.start, budget.end) == ("2026-11", "2027-12")
    open_start = Target("on_time_rate", AT_LEAST, 0.98, "", "", "2027-03")
    assert open_start.describe() == "On-time rate at least 98.0 % (start to Mar 2027)"
    assert Target("revenue", AT_LEAST, 1.0).describe() == "Revenue at least 1"
    # text that is no month (a file's typo, checked elsewhere) is shown as typed
    assert "(2026-13 to end)" in Target("revenue", AT_LEAST, 1.0, "", "2026-13").describe()


def test_the_moved_line_names_a_targets_months() -> None:
    levers = Levers(targets=(Target("revenue", AT_LEAST, 5.0, "", "2026-01", "2026-12"),))
    assert "target: Revenue at least 5 (Jan 2026 to Dec 2026)" in wording.moved_text(levers)


def test_a_links_out_of_range_warning_names_the_months() -> None:
    query = {
        "scn_capacity_changes": "L1:2099-01:2099-02:50",
        "scn_promo_family": "Alpha",
        "scn_promo_start": "2025-09",
        "scn_promo_months": "3",
        "scn_targets": "revenue:>=:1::2020-01:2020-06",
    }
    _, problems = scenario_url.levers_from_url(query, SPACE)
    assert len(problems) == 3, problems
    assert any("2099-01 to 2099-02 is outside the plan's months (2026-01" in p for p in problems)
    text = scenario_url.link_warning(problems).replace("\\", "")
    assert (
        "L1: Jan 2099 to Feb 2099 is outside the plan's months (Jan 2026 to Jun 2026) (left out)"
    ) in text
    assert "the promotion (Sep 2025 to Nov 2025) is outside the plan's months (Jan 2026" in text
    assert "revenue >= 1 Jan 2020 to Jun 2020 is outside the plan's months" in text
    assert "2026-01" not in text and "2099-01" not in text


def test_levers_on_screen_outside_the_plan_are_worded_with_month_names() -> None:
    late = Levers(capacity_changes=(("L2", "2030-01", "2030-03", 20.0),))
    text = scenario_url.lever_warning(late, SPACE).replace("\\", "")
    assert "for L2: Jan 2030 to Mar 2030 is outside the plan's months (Jan 2026 to Jun 2026)" in (
        text
    )


def test_only_the_warnings_ending_is_reworded_a_typed_name_stays() -> None:
    typed = (
        "scn_targets: revenue >= 1 for 2026-01 to 2026-02, 2020-01 to 2020-06 is outside "
        "the plan's months (2026-11 to 2028-04)"
    )
    assert scenario_url.in_words(typed) == (
        "scn_targets: revenue >= 1 for 2026-01 to 2026-02, Jan 2020 to Jun 2020 is outside "
        "the plan's months (Nov 2026 to Apr 2028)"
    )
    other = "scn_capacity_changes for L1: 2026-02 is before 2026-05"
    assert scenario_url.in_words(other) == other
    assert scenario_url.in_words("start to 2026-01") == "start to 2026-01"


def test_accuracy_shares_read_as_percent_and_sort_as_numbers() -> None:
    acc = pd.DataFrame(
        {
            "family": ["Alpha", "Beta", "ALL"],
            "n_series": [3, 4, 7],
            "wape": [0.12345, 0.0912, 0.105],
            "bias": [-0.031, 0.2, None],
            "mase": [0.91, 1.2, 1.0],
            "fva_vs_snaive": [0.25, -0.1, 0.08],
            "coverage_80": [0.8, 0.755, 0.78],
        }
    )
    kept = acc.copy()
    rows = columns.demand_rows(acc)
    pd.testing.assert_frame_equal(acc, kept)  # the table itself (and its CSV) unchanged
    assert rows["wape"].round(6).tolist() == [12.345, 9.12, 10.5]
    assert round(rows["bias"].iloc[0], 6) == -3.1 and pd.isna(rows["bias"].iloc[2])
    assert rows["coverage_80"].round(6).tolist() == [80.0, 75.5, 78.0]
    assert rows["mase"].tolist() == [0.91, 1.2, 1.0] and rows["n_series"].tolist() == [3, 4, 7]
    assert pd.api.types.is_float_dtype(rows["wape"])  # numbers: the grid sorts them so
    config = columns.demand_columns()
    for col in ("wape", "bias", "fva_vs_snaive", "coverage_80", "mape", "share_overridden"):
        assert config[col]["type_config"]["format"] == "%.1f %%", col
        assert "(%" in config[col]["label"]
    assert config["mase"]["type_config"]["format"] == "%.2f"
    # the grid writes 12.345 as '12.3 %'; `fit` sizes the column by that text
    assert columns.NUMBER_TEXT[columns.PERCENT](12.345) == "12.3 %"
    assert "width" in columns.fit(rows, config)["wape"]
