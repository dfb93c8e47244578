"""The Data page's missing-data heat map shows at most `HEATMAP_SKUS` rows: the SKUs
with the most missing region-months, in the matrix order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.data.dataview import worst_gaps


def test_worst_gaps_keeps_the_skus_with_the_most_missing_months_in_order() -> None:
    months = pd.date_range("2025-01-01", periods=4, freq="MS")
    gaps = {"A": [0, 0, 0, 0], "B": [2, 1, 0, 0], "C": [np.nan, 0, 1, 0], "D": [3, 3, 0, 0]}
    matrix = pd.DataFrame.from_dict(gaps, orient="index", columns=months)
    shown, n, with_gaps = worst_gaps(matrix, limit=2)
    assert list(shown.index) == ["B", "D"] and (n, with_gaps) == (4, 3)
    same, n, _ = worst_gaps(matrix, limit=4)
    assert same is matrix and n == 4
    empty, n, with_gaps = worst_gaps(pd.DataFrame())
    assert empty.empty and (n, with_gaps) == (0, 0)
