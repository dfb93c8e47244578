"""The goal answer's sources line: the overtime it adds and removes, with the months
(`fmt.month_span`: one month alone 'Feb 2027'), and the cost of an added hour counted
over the months the hours were added in, money as `fmt.money` writes it."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from sop.core import schema
from sop.goal import explain


def _evaluation(overtime: list[float], rate: float, load: list[float]) -> SimpleNamespace:
    months = pd.date_range("2027-01-01", periods=len(overtime), freq="MS")
    ru = pd.DataFrame(
        {
            schema.RESOURCE: "L1",
            schema.MONTH: months,
            "overtime_hours": overtime,
            "overtime_cost": [h * rate for h in overtime],
            "load_hours": load,
            schema.AVAILABLE_HOURS: 100.0,
        }
    )
    return SimpleNamespace(plan=SimpleNamespace(resource_use=ru))


def test_added_overtime_is_costed_over_the_months_it_was_added() -> None:
    # the answer moves 50 h of January overtime into 10 h in February at 10 an hour:
    # the net cost change (-400) over the added hours (10) read "EUR -40.00 an hour"
    start = _evaluation([50.0, 0.0], 10.0, [150.0, 100.0])
    answer = _evaluation([0.0, 10.0], 10.0, [100.0, 160.0])
    lines = explain._sources(start, answer, "EUR")
    assert lines == ["L1: overtime +10 h in Feb 2027, -50 h in Jan 2027; €10 an added hour"]


def test_added_overtime_in_months_apart_names_them_and_removed_hours_are_said() -> None:
    start = _evaluation([0.0, 0.0, 0.0], 40.0, [100.0, 100.0, 100.0])
    answer = _evaluation([5.0, 0.0, 20.0], 40.0, [105.0, 100.0, 120.0])
    lines = explain._sources(start, answer, "USD")
    # Markdown: the dollar sign escaped (`fmt.md`), the CLI text unescapes it
    # February has none: the months are named, not a range ("Jan 2027 to Mar 2027"
    # read as hours in every month)
    assert lines == ["L1: overtime +25 h in Jan 2027 and Mar 2027; \\$40 an added hour"]
    # overtime only removed is said too, with no rate (it was left out)
    assert explain._sources(answer, start, "USD") == ["L1: overtime -25 h in Jan 2027 and Mar 2027"]


def test_added_overtime_in_every_month_of_a_range_is_a_range() -> None:
    start = _evaluation([0.0, 0.0, 0.0], 40.0, [100.0, 100.0, 100.0])
    answer = _evaluation([5.0, 5.0, 20.0], 40.0, [105.0, 105.0, 120.0])
    assert explain._sources(start, answer, "EUR") == [
        "L1: overtime +30 h in Jan 2027 to Mar 2027; €40 an added hour"
    ]
