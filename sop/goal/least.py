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
bisection reuses the goal solve as it is, ~8 solves of ~0.1 s on the demo. A target
met at h is met at every larger h (a higher cap only adds plans), so it converges.

The h found is then checked as the answer is: its plan turned into a scenario
(`sop.goal.model.answer`: per cap, the raise the plan uses, `supplier.raises`) and
evaluated as any scenario (the caller's `holds`: `sop.scenario.evaluate` and each
target measured on the plan's books). When that misses a target the figure steps up
`STEP` point, at most `UP` times, and is the best-margin raise (evaluated and met as
the answer) past that. `sop.goal.explain.need_sentences` says it in words.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
from sop.goal import model, supplier
from sop.goal.spec import GoalSpec
from sop.scenario.levers import ALL_SUPPLIERS, Levers

STEP = 0.5  # % point: the bisection's resolution
UP = 4  # steps of STEP the evaluated check may add before the best-margin raise is taken


Segment = tuple[str, float, str, str]  # cap, starting factor on the data's cap, from, to


@dataclass(frozen=True)
class Need:
    """The least raise meeting every target (`pct`, % of today's cap, uniform over
    `caps`: codes, or (ALL_SUPPLIERS,), and over `span`: the plan's first and last
    month), per cap the raise its plan uses (`uses`: `supplier.raises`, cap, from, to,
    %), the best-margin answer's largest raise (`best`, %), where the starting
    scenario changed a cap over the months either raise ships beyond today's (`basis`:
    cap, factor on the data's cap, from, to), and the LP solves it took (`solves`:
    bisection, the evaluated check and any step up)."""

    pct: float
    best: float
    caps: tuple[str, ...]
    basis: tuple[Segment, ...] = ()
    solves: int = 0
    span: tuple[str, str] = ("", "")
    uses: tuple[supplier.Change, ...] = ()


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


def confirm(h: float, best: float, holds: Callable[[float], bool], step: float = STEP):
    """(the first of h, h + `step`, ... at most `UP` steps up that `holds`, and how
    many it tried); `best` (known to hold: the evaluated answer) when none does or
    the next step would reach it."""
    tried = 0
    while h < best and tried <= UP:
        tried += 1
        if holds(h):
            return h, tried
        h = round(h + step, 9)
    return best, tried


def smallest(
    spec: GoalSpec,
    answer: Levers,
    solve: Callable[[GoalSpec], model.Inner],
    span: tuple[str, str],
    holds: Callable[[Levers], bool],
    say: Callable[[int, str], None] | None = None,
) -> Need | None:
    """The least supplier raise meeting every target (module docstring), or None when
    the answer raises no cap. `solve(spec)`: the goal solve (`sop.goal.model.Inner`)
    under the answer's outer levers with `spec`'s levers; `span`: the plan's first and
    last month (YYYY-MM); `holds(levers)`: the scenario evaluated meets every target on
    its books; `say(step, text)`: progress (step 0, 1, ... of at most ~10)."""
    lv = spec.lever(supplier.NAME)
    added = answer.supplier_changes[len(spec.start.supplier_changes) :]
    if lv is None or not added:
        return None
    best = max(float(pct) for *_, pct in added)
    kept: dict[float, model.Inner] = {}  # the last solve that met the targets (one)
    checked: dict[float, tuple[supplier.Change, ...]] = {}
    calls = 0

    def inner_at(h: float) -> model.Inner:
        nonlocal calls
        if h in kept:
            return kept[h]
        if say:
            say(calls, f"Smallest supplier raise the targets need: trying +{h:,.1f} %")
        calls += 1
        inner = solve(with_high(spec, h))
        if inner.meets:
            kept.clear()
            kept[h] = inner
        return inner

    def evaluated(h: float) -> bool:  # the plan at h as a scenario, evaluated
        nonlocal calls
        inner = inner_at(h)
        if not inner.meets:
            return False
        if say:
            say(calls, f"Smallest supplier raise: evaluating +{h:,.1f} % as a scenario")
        calls += 1
        levers = model.answer(with_high(spec, h), inner)
        if not holds(levers):
            return False
        checked[h] = levers.supplier_changes[len(spec.start.supplier_changes) :]
        return True

    pct, _ = bisect(lambda h: inner_at(h).meets, float(lv.low), best)
    pct, _ = confirm(pct, best, evaluated)
    uses = checked.get(pct, tuple(added))  # at `best`: the answer's own raises
    ranges = [(n, a, b) for n, a, b, _ in (*added, *uses)]
    names: set[str] = set()
    if pct in kept:
        names = set(kept[pct].inp.mat[schema.OPTION].astype(str))
    caps = list(lv.names) or sorted(names | {n for n, *_ in ranges} - {ALL_SUPPLIERS})
    months = pd.date_range(f"{span[0]}-01", f"{span[1]}-01", freq="MS")
    chosen = tuple(lv.names) or (ALL_SUPPLIERS,)
    return Need(pct, best, chosen, basis(spec.start, caps, ranges, months), calls, span, uses)
