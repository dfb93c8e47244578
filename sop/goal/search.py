"""The outer search: the levers that are not linear in the plan.

Price moves demand through the elasticity (demand x (1 + change)^elasticity), a curve,
and safety stock sets the stock the plan must hold; both change the LP's data, not
just its variables. So for each candidate setting the whole goal LP is solved
(`sop.goal.model.solve_inner`, every linear lever inside it) and the search keeps the
setting whose LP is best: fewest targets missed (their slack costs the big penalty),
then the best margin less penalties.

- safety stock: the months of cover on a grid of 5 points over the allowed range,
  then twice halving the step around the best;
- price: coordinate search per family, from the starting scenario's change (clipped
  into the range): try +step and -step for each family in turn, keep what improves,
  repeat while anything improves, then halve the step; from a quarter of the range
  down to 0.5 percentage points. A coordinate search finds a local optimum: the
  margin is not concave in the prices in general (capacity can bind), which is why
  the bench checks it against a grid and random lever sets.
Every solve is remembered, so no setting is solved twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from sop.goal.model import Inner
from sop.goal.spec import GoalSpec
from sop.scenario.levers import Levers

MIN_PRICE_STEP = 0.5  # percentage points
Solver = Callable[[Levers], Inner]


class Search:
    """Remembered solves of the goal LP, by outer levers."""

    def __init__(self, solve: Solver, progress: Callable[[str], None] | None = None) -> None:
        self._solve = solve
        self.seen: dict[Levers, Inner] = {}
        self.progress = progress

    def __call__(self, levers: Levers) -> Inner:
        if levers not in self.seen:
            self.seen[levers] = self._solve(levers)
            if self.progress:
                self.progress(f"{len(self.seen)} plans solved")
        return self.seen[levers]

    def best(self, candidates: list[Levers]) -> Levers:
        return min(candidates, key=lambda lv: self(lv).score)


def _with_price(levers: Levers, family: str, pct: float) -> Levers:
    rest = tuple((f, v) for f, v in levers.price_family_pct if f != family)
    pairs = rest + (((family, float(pct)),) if abs(pct) > 1e-12 else ())
    return dataclasses.replace(levers, price_family_pct=tuple(sorted(pairs)))


def _price_of(levers: Levers, family: str) -> float:
    return dict(levers.price_family_pct).get(family, 0.0)


def safety_stock(search: Search, spec: GoalSpec, levers: Levers) -> Levers:
    lv = spec.lever("safety_stock")
    if lv is None:
        return levers

    def at(m: float) -> Levers:
        return dataclasses.replace(levers, safety_stock_months=float(round(m, 6)))

    grid = np.linspace(lv.low, lv.high, 5)
    best = search.best([at(m) for m in grid])
    step = (lv.high - lv.low) / 4
    for _ in range(2):
        step /= 2
        m = best.safety_stock_months
        near = [at(x) for x in (m - step, m, m + step) if lv.low <= x <= lv.high]
        best = search.best(near)
    return best


def prices(search: Search, spec: GoalSpec, levers: Levers, families: list[str]) -> Levers:
    lv = spec.lever("price")
    if lv is None or not families:
        return levers
    fams = [f for f in families if not lv.names or f in lv.names]
    best = levers
    for f in fams:  # start inside the range
        best = _with_price(best, f, min(max(_price_of(best, f), lv.low), lv.high))
    step = (lv.high - lv.low) / 4
    while step >= MIN_PRICE_STEP:
        improved = True
        while improved:
            improved = False
            for f in fams:
                x = _price_of(best, f)
                near = [
                    _with_price(best, f, x + d) for d in (step, -step) if lv.low <= x + d <= lv.high
                ]
                cand = search.best([best, *near])
                if search(cand).score < search(best).score - 1e-9 * max(
                    1.0, abs(search(best).score)
                ):
                    best, improved = cand, True
        step /= 2
    return best
