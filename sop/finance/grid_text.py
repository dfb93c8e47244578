"""The S&OP grid as text for a screen or a report: cells with their unit, gap cells signed
with an arrow as well as coloured (colour is never the only signal), row labels with their
unit, and a scenario's change against the baseline as a grid of its own."""

from __future__ import annotations

import pandas as pd

from sop.core import fmt
from sop.finance.grid import Grid

ROW = "Row"
UNIT_WORD = {"units": "units", "days": "days", "hours": "h", "pct": "%"}
UP, DOWN, LEVEL = "▲", "▼", "="


def _number(v: float, unit: str, currency: str) -> str:
    if unit == "money":
        return fmt.money(v, currency)
    if unit == "pct":
        return fmt.pct(v)
    return f"{v:,.1f}" if unit == "days" else f"{v:,.0f}"


def cell_text(v: object, unit: str, currency: str, signed: bool = False) -> str:
    """A grid cell: 1,234 (units, hours), €1.25M (money), 42.0 (days), 95.3 % (pct);
    – when blank. `signed`: with an arrow and a sign, ▲ +1,234 / ▼ -1,234 / = 0."""
    if v is None or pd.isna(v):
        return "–"
    v = float(v)
    if not signed:
        return _number(v, unit, currency)
    shown = _number(abs(v), unit, currency)
    if shown == _number(0.0, unit, currency):
        return f"{LEVEL} {shown}"
    return f"{UP} +{shown}" if v > 0 else f"{DOWN} -{shown}"


def row_label(label: str, unit: str, currency: str) -> str:
    """The row's label with its unit: Consensus demand (units), Revenue (EUR)."""
    return f"{label} ({currency if unit == 'money' else UNIT_WORD.get(unit, unit)})"


def display_frame(grid: Grid, currency: str) -> pd.DataFrame:
    """The grid as text: column `Row` (label with its unit), then one column per month
    (header "Oct 2026", actual months "Oct 2025 (actual)"); the gap rows (`grid.gaps`)
    carry their sign and an arrow. Index: the row keys. What binds the family's
    shortfalls when it is not a line is said under the grid (`limits_note`): in the
    row's label it was wider than the label column on a 1280 px screen."""
    f = grid.frame
    heads = grid.month_labels()
    out = pd.DataFrame(
        {ROW: [row_label(lb, u, currency) for lb, u in zip(f["label"], f["unit"])]},
        index=f.index,
    )
    for m in grid.months:
        out[heads[m]] = [
            cell_text(v, u, currency, key in grid.gaps)
            for key, v, u in zip(f.index, f[m], f["unit"])
        ]
    return out


def change_grid(scenario: Grid, baseline: Grid) -> Grid:
    """Scenario minus baseline, row by row and month by month (the months both have);
    every row is a gap row, so each change is drawn signed."""
    months = [m for m in scenario.months if m in baseline.frame.columns]
    frame = scenario.frame[["label", "unit"]].copy()
    for m in months:
        frame[m] = scenario.frame[m].astype(float) - baseline.frame[m].astype(float)
    return Grid(
        scenario.family,
        frame,
        tuple(m for m in scenario.actual if m in months),
        tuple(m for m in scenario.plan if m in months),
        tuple(frame.index),
    )


def limits_note(grid: Grid) -> str:
    """The sentence under a grid whose lines sit idle behind another limit (`Grid.limits`:
    a supplier cap, a family's units a month): '' when the lines are the limit."""
    if not grid.limits:
        return ""
    return (
        f" Utilisation counts line hours; what limits this plan instead: {', '.join(grid.limits)}."
    )
