"""The plans on the table side by side, for the Executive page and the meeting pack:
their figures (`scenario_board`) and the same as text, with the best value of each
column and the plan of record marked (`board_text`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.finance.catalogue import KPI_BY_KEY
from sop.finance.kpi_text import delta_text, value_text
from sop.scenario import compare, stars
from sop.scenario.evaluate import Evaluation

BOARD = (
    "revenue",
    "gross_margin",
    "margin_vs_budget",
    "fill_rate",
    "on_time_rate",
    "late_value",
    "lost_units",
    "lost_value",
    "ending_inventory_value",
    "avg_utilisation",
)
DEMAND = "demand_units"
# not shown either: whether a plan runs below safety stock, which keeps its stock from
# the ★ (`stars.competitors`), as on Compare
BELOW_SAFETY = "below_safety_stock"
# the board's columns (`BOARD` figures) as the screen names them
LABELS = {
    "revenue": "Revenue",
    "gross_margin": "Gross margin",
    "margin_vs_budget": "Margin vs budget",
    "fill_rate": "Fill rate",
    "on_time_rate": "On-time fill rate",
    "late_value": "Late deliveries (value)",
    # what a short plan never serves, in units and worth (the Executive tiles' names)
    "lost_units": "Lost sales (units)",
    "lost_value": "Lost sales (value)",
    "ending_inventory_value": "Inventory value (end)",
    "avg_utilisation": "Line utilisation (avg)",
}


def scenario_board(evaluations: dict[str, Evaluation]) -> pd.DataFrame:
    """The plans on the table side by side, one row each: plan, `BOARD` figures
    (margin_vs_budget over the budget's months; NaN without a budget), demand_units
    (units demanded: not shown, it tells `board_text` whether the demands differ) and
    below_safety_stock (unit-months: not shown, it keeps a plan that runs below safety
    stock from the stock ★)."""
    rows = []
    for name, ev in evaluations.items():
        if not ev.ok:
            continue
        k, b = ev.kpis, ev.budget
        rows.append(
            {
                "plan": name,
                **{key: k.get(key, np.nan) for key in BOARD},
                "margin_vs_budget": b.get("plan_gross_margin", np.nan)
                - b.get("gross_margin", np.nan),
                DEMAND: k.get(DEMAND, np.nan),
                BELOW_SAFETY: k.get(BELOW_SAFETY, np.nan),
            }
        )
    return pd.DataFrame(rows, columns=["plan", *BOARD, DEMAND, BELOW_SAFETY])


# the `board_text` columns that need a price: "–" there when none is loaded
PRICED_COLUMNS = (
    "Revenue",
    "Gross margin",
    "Margin vs budget",
    "Late deliveries (value)",
    "Lost sales (value)",
)


def board_help(board: pd.DataFrame) -> dict[str, str]:
    """`board_text` column -> help saying why it reads "–" (no price loaded), for the
    columns that need a price when some plan of `board` has no money; else empty."""
    figures = {str(r["plan"]): r for r in board.to_dict("records")}
    return compare.no_price_help(figures, PRICED_COLUMNS)


def board_note(board: pd.DataFrame) -> str:
    """The sentence under the board when the plans' demands differ (else ''): revenue,
    gross margin and margin vs budget carry no ★, the fill rate and on-time fill rate
    compare the plans like for like (`stars.star_note`, naming the board's columns)."""
    figures = {str(r["plan"]): r for r in board.to_dict("records")}
    kpis = {k: KPI_BY_KEY[_kpi(k)] for k in BOARD}
    return stars.star_note(
        figures,
        [LABELS[k] for k, kpi in kpis.items() if stars.demand_driven(kpi)],
        [LABELS[k] for k, kpi in kpis.items() if stars.like_for_like(kpi)],
    )


def _kpi(key: str) -> str:
    """The KPI a board column stars by: margin vs budget by the gross margin's rule."""
    return "gross_margin" if key == "margin_vs_budget" else key


def board_text(board: pd.DataFrame, currency: str, plan_of_record: str = "") -> pd.DataFrame:
    """`scenario_board` as text with units; ★ marks the best value of each column (as
    shown: values that read the same tie, and a column where all do has none; among
    the plans `stars.competitors` names, as on the Compare page: stock only among the
    plans that serve every order on time and run no further below safety stock than the
    least of the on-time plans (a board without that column, or a plan without the figure,
    is not judged on it), no
    revenue or margin star when the plans' demands differ, `board_note`) and ✔ the plan
    of record."""
    out = pd.DataFrame({"Plan": [("✔ " if p == plan_of_record else "") + p for p in board["plan"]]})
    figures = {str(r["plan"]): r for r in board.to_dict("records")}
    for key, label in LABELS.items():
        kpi = _kpi(key)
        better = "up" if key == "margin_vs_budget" else KPI_BY_KEY[key].better
        # compared as shown: "★ €9.57M" next to an unstarred "€9.57M" would mislead
        among = stars.competitors(KPI_BY_KEY[kpi], figures, currency)
        best = stars.best_in_row(dict(zip(board["plan"], board[key])), better, kpi, currency, among)
        out[label] = [
            (stars.BEST if p in best else "")
            + (
                (delta_text(kpi, v, None, currency) or "on budget")
                if key == "margin_vs_budget" and np.isfinite(v)
                else value_text(kpi, v, currency)
            )
            for p, v in zip(board["plan"], board[key])
        ]
    return out
