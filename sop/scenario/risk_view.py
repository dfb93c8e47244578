"""The Scenarios page's Risk tab in words and a table: P10 / P50 / P90 of revenue,
margin, fill rate and on-time fill rate per plan (`sop.finance.risk`: demand drawn 500
times, each draw re-planned through the plan's capacity), beside the plan's own figure
at the demand it was planned on, and the caption that says how the ranges are made.
Pure: DataFrames in, text out.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sop.core import schema
from sop.finance.kpi_text import value_text
from sop.finance.range_text import RANGE_BASIS, RANGE_POINT

# the risk table's column of the plan's own figure, at the demand it was planned on (the
# consensus, else the forecast: whichever the plan used), not at a drawn demand
AT_CONSENSUS = "Plan (at planned demand)"
RISK_MONEY_COLUMNS = (AT_CONSENSUS, "P10", "P50", "P90")  # `risk_table`'s value columns


def risk_note(summary: pd.DataFrame) -> str:
    """The caption under the risk ranges: how they are made, or why they are a point
    (a demand plan with no P10-P90 band, e.g. a loaded consensus before any
    statistical forecast is stored)."""
    flat = len(summary) > 0 and bool(np.allclose(summary["p10"], summary["p90"]))
    return RANGE_POINT if flat else RANGE_BASIS


def risk_table(
    ranges: Mapping[str, pd.DataFrame],
    currency: str = "EUR",
    figures: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """P10 / P50 / P90 as text per plan and metric (name -> `sop.risk.Risk.summary`).
    Columns: Plan, Measure, P10, P50, P90; with `figures` (name -> the plan's
    `plan_kpis`), first the plan's own figure at the demand it was planned on (`AT_CONSENSUS`,
    what its tile shows): capacity caps the upside of a short plan, so its P50 can sit
    well below that figure, and the table shows both."""
    labels = {
        "revenue": "Revenue",
        "gross_margin": "Gross margin",
        "fill_rate": "Fill rate",
        "on_time_rate": "On-time fill rate",
    }
    rows = []
    for name, summary in ranges.items():
        for r in summary.itertuples(index=False):
            key = str(r.metric)
            rows.append(
                {
                    "Plan": name,
                    "Measure": labels.get(key, key),
                    **(
                        {AT_CONSENSUS: value_text(key, figures[name].get(key), currency)}
                        if figures is not None and name in figures
                        else {}
                    ),
                    **{
                        q.upper(): value_text(key, getattr(r, q), currency)
                        for q in (schema.P10, schema.P50, schema.P90)
                    },
                }
            )
    return pd.DataFrame(rows)
