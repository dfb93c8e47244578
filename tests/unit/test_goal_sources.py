"""The goal answer's sources line: the cost of the overtime it adds, per hour, counted
over the months the hours were added in, and months written as the app writes them."""

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
    assert lines == ["L1: 10 h more overtime (Feb 2027 to Feb 2027), EUR 10.00 an hour"]
