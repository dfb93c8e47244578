"""Overrides on top of overrides: a new override on the same selection as an earlier
active one, over overlapping months, combines with it (`sop.demand.overrides`: in
creation order, +25 % then +25 % is +56 %). That is easy to do by mistake (a form
sent twice), so it is stored only once the planner has seen the combined effect and
said "stack". Pure functions: overrides in, a `Stacking` (or None) out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sop.core import fmt, schema
from sop.demand import overrides as rules


class StackingNeedsConsent(Exception):
    """A new override would stack on earlier ones; nothing was stored. `stacking`
    says on which and what they make together."""

    def __init__(self, stacking: Stacking) -> None:
        super().__init__(stacking.question)
        self.stacking = stacking


@dataclass(frozen=True)
class Stacking:
    """What a new override would stack on.

    `earlier`: the active overrides of the same selection whose months overlap
    (`schema.OVERRIDE_COLUMNS`, oldest first); `question`: the sentence to ask, with
    the combined effect ("... together they make +56 %"); `totals`: the selection's
    units over the new override's months, {"forecast", "now", "after"} (statistical
    P50, consensus now, consensus with the new override), empty when unknown."""

    earlier: pd.DataFrame
    question: str
    totals: dict[str, float]


def change_text(kind: str, value: float) -> str:
    """+25 % / = 1,200 units/month."""
    if kind == rules.KIND_PCT:
        return f"{value:+g} %"
    return f"= {value:,.0f} units/month"


def _combined_text(fixed: float | None, factor: float) -> str:
    if fixed is not None:
        return f"= {fixed * factor:,.0f} units/month"
    pct = (factor - 1) * 100
    return f"{pct:+.0f} %" if abs(pct) >= 10 else f"{pct:+.1f} %"


def combined(changes: list[tuple[str, float]]) -> str:
    """What `changes` (kind, value), applied in order, make together: "+56 %" for
    +25 % then +25 %; "= 1,100 units/month" for 1,000 units then +10 %; a later
    quantity replaces whatever came before it."""
    fixed: float | None = None
    factor = 1.0
    for kind, value in changes:
        if kind == rules.KIND_PCT:
            factor *= 1 + float(value) / 100
        else:
            fixed, factor = float(value), 1.0
    return _combined_text(fixed, factor)


def same_selection(active: pd.DataFrame, ov: rules.Override) -> pd.Series:
    """Which rows of `active` target exactly `ov`'s selection (level and keys)."""
    same = active[schema.LEVEL] == ov.level
    if ov.level == rules.LEVEL_FAMILY:
        return same & (active[schema.FAMILY] == ov.family)
    same = same & (active[schema.SKU] == ov.sku)
    if ov.level == rules.LEVEL_SKU_REGION:
        same = same & (active[schema.REGION] == ov.region)
    return same


def _ranges(months: list[pd.Timestamp], texts: list[str]) -> list[tuple[str, str]]:
    """Consecutive months with the same text as (month range, text)."""
    out: list[tuple[pd.Timestamp, pd.Timestamp, str]] = []
    for m, t in zip(months, texts):
        if out and out[-1][2] == t and out[-1][1] + pd.offsets.MonthBegin(1) == m:
            out[-1] = (out[-1][0], m, t)
        else:
            out.append((m, m, t))
    return [(fmt.month(a) if a == b else f"{fmt.month(a)} – {fmt.month(b)}", t) for a, b, t in out]


def _who(row: pd.Series) -> str:
    return (
        f"{change_text(row[schema.KIND], row[schema.VALUE])} from {row[schema.AUTHOR]} "
        f"(#{int(row[schema.OVERRIDE_ID])}, {fmt.month(row[schema.START_MONTH])} – "
        f"{fmt.month(row[schema.END_MONTH])})"
    )


def check(
    active: pd.DataFrame, ov: rules.Override, totals: dict[str, float] | None = None
) -> Stacking | None:
    """The `Stacking` of normalised override `ov` on the active overrides `active`
    (`schema.OVERRIDE_COLUMNS`), or None when no active override has the same selection
    and an overlapping month range. The question names each earlier override (change,
    author, id, months) and what they make together, month range by month range."""
    start, end = pd.Timestamp(ov.start_month), pd.Timestamp(ov.end_month)
    hit = (
        same_selection(active, ov)
        & (active[schema.START_MONTH] <= end)
        & (active[schema.END_MONTH] >= start)
    )
    earlier = active[hit].sort_values(schema.OVERRIDE_ID).reset_index(drop=True)
    if earlier.empty:
        return None
    months, texts = [], []
    for m in pd.date_range(start, end, freq="MS"):
        on = earlier[(earlier[schema.START_MONTH] <= m) & (earlier[schema.END_MONTH] >= m)]
        if on.empty:
            continue
        chain = list(zip(on[schema.KIND], on[schema.VALUE])) + [(ov.kind, ov.value)]
        months.append(m)
        texts.append(combined(chain))
    whose = " and ".join(_who(r) for _, r in earlier.iterrows())
    lead = "An override of " if len(earlier) == 1 else "Overrides of "
    verb = "applies" if len(earlier) == 1 else "apply"
    spans = _ranges(months, texts)
    together = (
        spans[0][1]
        if len(spans) == 1 and len(months) == len(pd.date_range(start, end, freq="MS"))
        else "; ".join(f"{t} in {span}" for span, t in spans)
    )
    question = (
        f"{lead}{whose} already {verb} to these months; with this one "
        f"({change_text(ov.kind, ov.value)}) together they make {together}. "
        "Stack them, or cancel?"
    )
    return Stacking(earlier, question, dict(totals or {}))


def totals(now: pd.DataFrame, after: pd.DataFrame, ov: rules.Override) -> dict[str, float]:
    """{"forecast", "now", "after"}: units of `ov`'s selection over its months in the
    consensus `now` (statistical P50 and consensus) and `after` (with `ov` stacked);
    both frames have the `apply_overrides` columns."""
    row = pd.Series(rules.as_row(ov))
    a, b = rules.scope_mask(now, row), rules.scope_mask(after, row)
    return {
        "forecast": float(now.loc[a, schema.FORECAST_UNITS].sum()),
        "now": float(now.loc[a, schema.UNITS].sum()),
        "after": float(after.loc[b, schema.UNITS].sum()),
    }


def totals_text(stacking: Stacking, ov: rules.Override) -> str:
    """The combined effect in units, for under the question: "Jan 2026 – Feb 2026,
    family Alpha: statistical forecast 1,000 units; consensus now 1,250 units; with
    this override stacked 1,563 units (+56 % on the forecast)." ('' without totals)."""
    t = stacking.totals
    if not t:
        return ""
    change = ""
    if t["forecast"] > 0:
        change = f" ({(t['after'] / t['forecast'] - 1) * 100:+.0f} % on the forecast)"
    return (
        f"{fmt.month(ov.start_month)} – {fmt.month(ov.end_month)}, {ov.scope_label()}: "
        f"statistical forecast {fmt.units(t['forecast'])}; consensus now "
        f"{fmt.units(t['now'])}; with this override stacked {fmt.units(t['after'])}{change}."
    )
