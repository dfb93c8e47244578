"""The smallest supplier raise the targets alone need, beside the best-margin answer.

The goal's supplier lever (`sop.goal.supplier`) costs nothing per unit, so the
best-margin answer raises a cap as far as shipping pays, not as far as the targets
need. A planner takes the figure to the supplier, so `smallest` also finds the least
raise that meets every target: the same goal solve (the answer's outer levers: price,
safety stock, promotion), the chosen caps raised by at most h % of today's (uniform
over the caps and the plan's months, `supplier.top_changes` with `high` = h), the
smallest h at which the goal LP meets every target, by bisection to `STEP` point
between the lever's `low` and the answer's largest raise (which meets them).

Bisection, not a second LP that minimises the raise: that LP needs one more column
(h) in every supplier cap row and its own objective, inside `sop.supply.lp`; the
bisection reuses the goal solve as it is, ~8 solves of ~1 s on the demo. A target
met at h is met at every larger h (a higher cap only adds plans), so it converges.

`Need.sentences` says it with its basis: % of the starting scenario's cap, and, when
the starting scenario changed the cap, what that is as a share of the data's cap.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.goal import supplier
from sop.goal.spec import GoalSpec
from sop.scenario import wording
from sop.scenario.levers import ALL_SUPPLIERS, Levers
from sop.supply.explain import cap_label

STEP = 0.5  # % point: the bisection's resolution


Segment = tuple[str, float, str, str]  # cap, starting factor on the data's cap, from, to


@dataclass(frozen=True)
class Need:
    """The least raise meeting every target (`pct`, % of today's cap, uniform over
    `caps`: codes, or (ALL_SUPPLIERS,)), the best-margin answer's largest raise
    (`best`, %), and where the starting scenario changed a cap over the months either
    raise ships beyond today's (`basis`: cap, factor on the data's cap, from, to)."""

    pct: float
    best: float
    caps: tuple[str, ...]
    basis: tuple[Segment, ...] = ()
    solves: int = 0

    def sentences(self, cap_names: Mapping[str, str] | None = None) -> str:
        """'The targets alone need supplier caps +52.5 % (CAP-CL-MOTOR · Cooling material
        cap); the best-margin plan raises them +105.5 % because the extra units earn
        margin.' and the % basis. Markdown: names escaped (`fmt.md`)."""
        caps = ", ".join(
            wording.supplier_text(c, cap_names) if c == ALL_SUPPLIERS else cap_label(c, cap_names)
            for c in self.caps
        )
        if self.pct <= 0:
            need = f"no raise of supplier caps ({fmt.md(caps)}): they are met at today's caps"
        else:
            need = f"supplier caps {self.pct:+,.1f} % ({fmt.md(caps)})"
        out = (
            f"The targets alone need {need}; the best-margin plan raises them "
            f"{self.best:+,.1f} % because the extra units earn margin."
        )
        if not self.basis:
            return out + " Percentages are of today's cap, the data's."
        parts = []
        for cap, k, a, b in self.basis:
            who = f"{fmt.md(cap)}: " if self.caps != (cap,) else ""
            said = [p for p in (self.pct, self.best) if p > 0]
            shares = ", ".join(f"{p:+,.1f} % = {100 * k * (1 + p / 100):,.1f} %" for p in said)
            months = fmt.month_text(a) if a == b else f"{fmt.month_text(a)} to {fmt.month_text(b)}"
            word = "percentages" if who else "Percentages"
            parts.append(
                f"{who}{word} are of the starting scenario's cap (itself "
                f"{100 * (k - 1):+,.0f} % of the data's in {months}): {shares} of the data's cap"
            )
        return out + " " + "; ".join(parts) + "."


def with_high(spec: GoalSpec, high: float) -> GoalSpec:
    """`spec` with the supplier lever's top at `high` % (its low kept at most that)."""
    levers = tuple(
        dataclasses.replace(lv, low=min(lv.low, high), high=high)
        if lv.name == supplier.NAME
        else lv
        for lv in spec.levers
    )
    return dataclasses.replace(spec, levers=levers)


def bisect(meets: Callable[[float], bool], low: float, high: float, step: float = STEP):
    """(the smallest h in [low, high] with `meets(h)`, to `step`, and how many calls
    it took); `meets(high)` is taken as known true, `meets` as monotone. The answer is
    `low` when that meets, else a multiple of `step` (or `high`)."""
    if high <= low:
        return high, 0
    if meets(low):
        return low, 1
    calls = 1
    lo_k = math.floor(low / step)  # low fails, so every grid point up to it fails
    hi_k = math.ceil(round(high / step, 9))
    best = high
    while hi_k - lo_k > 1:
        mid = (lo_k + hi_k) // 2
        calls += 1
        if meets(mid * step):
            hi_k, best = mid, mid * step
        else:
            lo_k = mid
    return min(best, high), calls


def factors(start: Levers, cap: str, months: pd.DatetimeIndex) -> np.ndarray:
    """The starting scenario's factor on `cap`'s data cap in each of `months` (the
    product of the supplier changes naming it or every cap, as `apply.supplier_caps`)."""
    ym = np.asarray(months.strftime("%Y-%m"))
    out = np.ones(len(ym))
    for name, a, b, pct in start.supplier_changes:
        if name in (ALL_SUPPLIERS, cap):
            out[(ym >= a) & (ym <= b)] *= max(0.0, 1 + pct / 100)
    return out


def basis(
    start: Levers, caps: list[str], ranges: list[tuple[str, str, str]], months: pd.DatetimeIndex
) -> tuple[Segment, ...]:
    """Per cap, the runs of months inside `ranges` (cap or every cap, from, to) where
    the starting scenario has the cap at other than the data's: (cap, factor, from, to)."""
    ym = np.asarray(months.strftime("%Y-%m"))
    out: list[Segment] = []
    for cap in caps:
        k = factors(start, cap, months)
        inside = np.zeros(len(ym), dtype=bool)
        for name, a, b in ranges:
            if name in (cap, ALL_SUPPLIERS):
                inside |= (ym >= a) & (ym <= b)
        run: list[int] = []
        for i in [*range(len(ym)), -1]:
            if i >= 0 and inside[i] and abs(k[i] - 1) > 1e-9 and (not run or k[i] == k[run[0]]):
                run.append(i)
                continue
            if run:
                out.append((cap, float(k[run[0]]), str(ym[run[0]]), str(ym[run[-1]])))
                run = []
            if i >= 0 and inside[i] and abs(k[i] - 1) > 1e-9:
                run = [i]
    return tuple(out)


def smallest(
    spec: GoalSpec,
    answer: Levers,
    solve: Callable[[GoalSpec], object],
    span: tuple[str, str],
    say: Callable[[int, str], None] | None = None,
) -> Need | None:
    """The least supplier raise meeting every target (module docstring), or None when
    the answer raises no cap. `solve(spec)`: the goal solve (`sop.goal.model.Inner`)
    under the answer's outer levers with `spec`'s levers; `span`: the plan's first and
    last month (YYYY-MM); `say(step, text)`: progress
    (step 0, 1, ... of at most ~9)."""
    lv = spec.lever(supplier.NAME)
    added = answer.supplier_changes[len(spec.start.supplier_changes) :]
    if lv is None or not added:
        return None
    best = max(float(pct) for *_, pct in added)
    last: list = []
    tried: list[float] = []

    def meets(h: float) -> bool:
        if say:
            say(len(tried), f"Smallest supplier raise the targets need: trying +{h:,.1f} %")
        tried.append(h)
        inner = solve(with_high(spec, h))
        if inner.meets:
            last[:] = [h, (inner.inp, inner.sol)]
        return bool(inner.meets)

    pct, calls = bisect(meets, float(lv.low), best)
    ranges = [(n, a, b) for n, a, b, _ in added]
    names: set[str] = set()
    if last and last[0] == pct:  # the months the least raise's plan ships beyond today's
        inp, sol = last[1]
        ranges += [(n, a, b) for n, a, b, _ in supplier.raises(with_high(spec, pct), inp, sol)]
        names = set(inp.mat[schema.OPTION].astype(str))
    caps = list(lv.names) or sorted(names | {n for n, *_ in added} - {ALL_SUPPLIERS})
    months = pd.date_range(f"{span[0]}-01", f"{span[1]}-01", freq="MS")
    chosen = tuple(lv.names) or (ALL_SUPPLIERS,)
    return Need(pct, best, chosen, basis(spec.start, caps, ranges, months), calls)
