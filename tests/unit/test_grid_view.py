"""How the S&OP grid reads on screen (`sop.finance.grid_text`): cells with their sign and arrow,
row labels with their unit, and the overrides a consensus edit stands for."""

from __future__ import annotations

import pandas as pd
import pytest

from sop.demand import overrides
from sop.demand.overrides import Override
from sop.finance import grid_text as grid_view
from sop.ui import grid

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


def test_a_coloured_gap_cell_also_carries_its_arrow_and_sign() -> None:
    """Colour is never the only signal (issue 17): the grid colours exactly the cells
    that read ▲ + or ▼ -, green above and red below."""
    cells = [
        grid_view.cell_text(v, u, "EUR", signed)
        for v, u, signed in [
            (1234.4, "units", True),
            (-1_250_000.0, "money", True),
            (0.3, "units", True),
            (1234.4, "units", False),
            (float("nan"), "units", True),
        ]
    ]
    styles = grid.gap_styles(pd.DataFrame([cells]))
    coloured = [c for c, css in zip(cells, styles.iloc[0]) if css]
    assert coloured == ["▲ +1,234", "▼ -€1.25M"]
    assert styles.iloc[0, 0] == grid.GAP_STYLE[grid_view.UP] != grid.GAP_STYLE[grid_view.DOWN]
    assert styles.iloc[0, 1] == grid.GAP_STYLE[grid_view.DOWN]
    assert "▲" in grid.GRID_NOTE and "▼" in grid.GRID_NOTE  # the key says what they mean


def test_a_row_label_carries_its_unit() -> None:
    assert grid_view.row_label("Revenue", "money", "USD") == "Revenue (USD)"
    assert grid_view.row_label("Capacity", "hours", "EUR") == "Capacity (h)"
    assert grid_view.row_label("Utilisation", "pct", "EUR") == "Utilisation (%)"


def test_each_changed_month_is_one_family_quantity_override() -> None:
    before = pd.Series([500.0, 500.0, 500.0], index=M)
    after = pd.Series([500.3, 1000.0, 0.0], index=M)  # under half a unit: no edit
    got = overrides.from_edited_row("Alpha", before, after, "key account")
    assert got == [
        Override(overrides.LEVEL_FAMILY, m, m, overrides.KIND_UNITS, v, "key account", "Alpha")
        for m, v in ((M[1], 1000.0), (M[2], 0.0))
    ]
    assert overrides.from_edited_row("Alpha", before, before, "r") == []
