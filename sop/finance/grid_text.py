"""The S&OP grid as text for a screen or a report: cells with their unit, gap cells signed
with an arrow as well as coloured (colour is never the only signal), row labels with their
unit, a scenario's change against the baseline as a grid of its own, and the note under
a grid: what limits its plan (lines shut or full, with their months, before any other
limit), after the tightest line each month when that list does not name it already. The
note is short enough to read out on a screen-share: a handful of lines at most."""

from __future__ import annotations

import pandas as pd

from sop.core import fmt
from sop.finance.grid import Grid
from sop.finance.grid_lines import LineLimit

ROW = "Row"
UNIT_WORD = {"units": "units", "days": "days", "hours": "h", "pct": "%"}
UP, DOWN, LEVEL = "▲", "▼", "="
# the tightest lines the note names by their months; the others are counted
MOST_LINES = 3


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
    carry their sign and an arrow. Index: the row keys. Which line the capacity rows
    show and what limits the plan are said under the grid (`limits_note`): in the
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


def line_text(line: LineLimit, label: str | None = None) -> str:
    """'line RS-ASM1 shut Nov 2026 to Mar 2027', 'line HC-ASM1 full Feb 2027 and Jun 2027',
    both when it is both: '... shut Nov 2026, full Dec 2026'; `label` in place of the
    line's own."""
    said = [
        f"{word} {fmt.month_runs(ms)}"
        for word, ms in (("shut", line.shut), ("full", line.full))
        if ms
    ]
    return f"{line.label if label is None else label} {', '.join(said)}"


def lines_text(lines: tuple[LineLimit, ...]) -> list[str]:
    """`line_text` of each line, the lines shut and full in the same months said once, at
    the first of them: 'lines HC-ASM1, RS-ASM1 and RS-ASM2 full Nov 2026 to Apr 2028'."""
    same: dict[tuple, list[LineLimit]] = {}
    for ln in lines:
        same.setdefault((ln.shut, ln.full), []).append(ln)
    out = []
    for group in same.values():
        codes = [ln.resource for ln in group]
        if len(group) == 1 or not all(codes):
            out += [line_text(ln) for ln in group]
            continue
        names = ", ".join(codes[:-1]) + " and " + codes[-1]
        out.append(line_text(group[0], f"lines {names}"))
    return out


def tightest_text(grid: Grid, most: int = MOST_LINES) -> str:
    """Which line the capacity and utilisation rows show, by line in order of its first
    month: 'RS-ASM1 Nov 2026 to Mar 2027; RS-PNT Apr 2027 to Apr 2028' ('' for none);
    the `most` lines shown the most months, the others counted: '...; 2 more lines in
    the other months'."""
    by: dict[str, list[pd.Timestamp]] = {}
    for m, code in zip(grid.plan, grid.tightest):
        if code:
            by.setdefault(code, []).append(m)
    kept = sorted(by, key=lambda c: -len(by[c]))[:most]
    said = [f"{code} {fmt.month_runs(ms)}" for code, ms in by.items() if code in kept]
    rest = len(by) - len(kept)
    if rest:
        said.append(f"{fmt.count(rest, 'more line')} in the other months")
    return "; ".join(said)


def limits_note(grid: Grid) -> str:
    """The sentences under a grid: what limits the plan: the lines shut or full, with
    their months (`Grid.lines`, `lines_text`), and the other limits that bind its shortfalls
    (`Grid.limits`); when no line limits it, those others limit it *instead* (its lines
    have room). Before them, which line the capacity and utilisation rows show each
    month (`Grid.tightest`, `tightest_text`), unless every such line is a line that
    limits the plan: the list names it then. '' when there is nothing to say."""
    out = ""
    shown = {code for code in grid.tightest if code}
    named = {ln.resource for ln in grid.lines}
    if shown - named:
        out += f" Tightest line shown: {tightest_text(grid)}."
    if grid.lines:
        said = lines_text(grid.lines) + list(grid.limits)
        return out + f" What limits this plan: {'; '.join(said)}."
    if grid.limits:
        said = ", ".join(grid.limits)
        out += f" Utilisation counts line hours; what limits this plan instead: {said}."
    return out
