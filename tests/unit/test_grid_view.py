"""How the S&OP grid reads on screen (`sop.finance.grid_text`): cells with their sign and arrow,
row labels with their unit, and the overrides a consensus edit stands for."""

from __future__ import annotations

import pandas as pd
import pytest

from sop.demand import overrides
from sop.demand.overrides import Override
from sop.finance import grid_text as grid_view

M = pd.date_range("2027-01-01", periods=3, freq="MS")


@pytest.mark.parametrize(
    "value, unit, signed, text",
    [
        (1234.4, "units", False, "1,234"),
        (1234.4, "units", True, "▲ +1,234"),
        (-1234.4, "units", True, "▼ -1,234"),
        (0.3, "units", True, "= 0"),
        (-0.3, "units", True, "= 0"),  # never "▼ -0"
        (-1_250_000.0, "money", True, "▼ -€1.25M"),
        (980.0, "money", False, "€980"),
        (0.953, "pct", False, "95.3 %"),
        (12.34, "days", False, "12.3"),
        (float("nan"), "units", True, "–"),
    ],
)
def test_a_cell_reads_with_its_sign_and_arrow(value, unit, signed, text) -> None:
    assert grid_view.cell_text(value, unit, "EUR", signed) == text


def test_a_row_label_carries_its_unit() -> None:
    assert grid_view.row_label("Revenue", "money", "USD") == "Revenue (USD)"
    assert grid_view.row_label("Capacity", "hours", "EUR") == "Capacity (h)"
    assert grid_view.row_label("Utilisation", "pct", "EUR") == "Utilisation (%)"


def test_each_changed_month_is_one_family_quantity_override() -> None:
    before = pd.Series([500.0, 500.0, 500.0], index=M)
    after = pd.Series([500.3, 1000.0, 0.0], index=M)  # under half a unit: no edit
    got = overrides.from_edited_row("Alpha", before, after, "key account", "Ana")
    assert got == [
        Override(
            overrides.LEVEL_FAMILY, m, m, overrides.KIND_UNITS, v, "key account", "Ana", "Alpha"
        )
        for m, v in ((M[1], 1000.0), (M[2], 0.0))
    ]
    assert overrides.from_edited_row("Alpha", before, before, "r", "a") == []
