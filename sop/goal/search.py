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
  repeat while anything improves; when no single family's move helps, try two
  families moved against each other (one up, one down: the 4 pairs whose single
  moves gain most margin, targets aside) and all together (a binding revenue target
  blocks every single move that loses revenue, not a pair that keeps it); then halve
  the step, from a quarter of the range down to 0.5 percentage points; then 60
  seeded random moves of every family at once (up to 4 last steps each), and when
  one is better, the coordinate moves again at the last step. This finds a local
  optimum: the margin is not concave in the prices in general (capacity can bind),
  which is why the bench checks it against a grid and random lever sets.
- promotion: one promotion on an allowed family, of an allowed length, starting in
  any plan month, at the user's uplift and cost per month, or none: every candidate
  is valued to first order from the LP's shadow prices of demand (what one more unit
  ordered in an item-month adds), less its cost, and the 6 best are solved exactly
  beside "none" and the starting scenario's own promotion. Chosen after the prices.
Every solve is remembered, so no setting is solved twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from sop.core import schema
from sop.goal.model import Inner
from sop.goal.spec import GoalSpec
from sop.scenario.levers import Levers

MIN_PRICE_STEP = 0.5  # percentage points
PAIRS = 4  # pairs of families tried when no single move helps
POLISH = 60  # random moves of every family at once, after the coordinate search
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
    """`levers` with `family`'s price change at `pct` (to 1e-4 points: no float dust
    such as -4.978899999999999 in a scenario's text)."""
    pct = round(float(pct), 4)
    rest = tuple((f, v) for f, v in levers.price_family_pct if f != family)
    pairs = rest + (((family, pct),) if pct != 0 else ())
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


def _moves(
    search: Search, levers: Levers, fams: list[str], step: float, lo: float, hi: float
) -> list[Levers]:
    """Two families moved against each other (one up, one down by `step`), and every
    family together up or down: the moves that can keep a binding target's figure
    while the margin improves, which no single family's move can. Of the pairs, the
    `PAIRS` whose two single moves (already solved) gain most margin, targets aside."""
    here = search(levers).plain
    single: dict[tuple[str, int], float] = {}
    for f in fams:
        for sign in (1, -1):
            x = _price_of(levers, f) + sign * step
            if lo <= x <= hi:
                single[f, sign] = search(_with_price(levers, f, x)).plain - here
    pairs = sorted(
        (single[f, 1] + single[g, -1], f, g)
        for f in fams
        for g in fams
        if f != g and (f, 1) in single and (g, -1) in single
    )
    out = [
        _with_price(
            _with_price(levers, f, _price_of(levers, f) + step), g, _price_of(levers, g) - step
        )
        for _, f, g in pairs[:PAIRS]
    ]
    for d in (step, -step):
        if all(lo <= _price_of(levers, f) + d <= hi for f in fams):
            moved = levers
            for f in fams:
                moved = _with_price(moved, f, _price_of(levers, f) + d)
            out.append(moved)
    return out


def prices(
    search: Search, spec: GoalSpec, levers: Levers, families: list[str], first: float = 0.25
) -> Levers:
    """The coordinate search of the module docstring; the first step is `first` x the
    range (smaller to refine around prices already searched)."""
    lv = spec.lever("price")
    if lv is None or not families:
        return levers
    fams = [f for f in families if not lv.names or f in lv.names]
    best = levers
    for f in fams:  # start inside the range
        best = _with_price(best, f, min(max(_price_of(best, f), lv.low), lv.high))

    best = _coordinates(search, best, fams, (lv.high - lv.low) * first, lv.low, lv.high)
    last = (lv.high - lv.low) * first
    while last / 2 >= MIN_PRICE_STEP:
        last /= 2
    polished = _polish(search, best, fams, 4 * last, lv.low, lv.high)
    if polished != best:  # a random move found more: settle it at the last step
        best = _coordinates(search, polished, fams, last, lv.low, lv.high)
    return best


def _coordinates(
    search: Search, best: Levers, fams: list[str], step: float, lo: float, hi: float
) -> Levers:
    """Single, pair and all-together moves of `step`, halved down to `MIN_PRICE_STEP`."""

    def better(cand: Levers) -> bool:
        now = search(best).score
        return search(cand).score < now - 1e-9 * max(1.0, abs(now))

    while step >= MIN_PRICE_STEP:
        improved = True
        while improved:
            improved = False
            for f in fams:
                x = _price_of(best, f)
                near = [_with_price(best, f, x + d) for d in (step, -step) if lo <= x + d <= hi]
                cand = search.best([best, *near])
                if better(cand):
                    best, improved = cand, True
            if not improved and len(fams) > 1:  # no single move helps: pairs, all together
                cand = search.best([best, *_moves(search, best, fams, step, lo, hi)])
                if better(cand):
                    best, improved = cand, True
        step /= 2
    return best


def _polish(
    search: Search, best: Levers, fams: list[str], scale: float, lo: float, hi: float
) -> Levers:
    """Random moves of every family at once, up to `scale` points each, from the best
    so far (seeded, so a solve is repeatable): a binding target can leave the best
    direction between the coordinate, pair and all-together moves."""
    if len(fams) < 2:
        return best
    rng = np.random.default_rng(15)
    for _ in range(POLISH):
        moved = best
        for f in fams:
            x = _price_of(best, f) + float(rng.uniform(-scale, scale))
            moved = _with_price(moved, f, round(min(max(x, lo), hi), 4))
        now = search(best).score
        if search(moved).score < now - 1e-9 * max(1.0, abs(now)):
            best = moved
    return best


def promotion(search: Search, spec: GoalSpec, levers: Levers, top: int = 6) -> Levers:
    """The best promotion to add (or none): every family x start month x length is
    valued to first order from the LP's shadow prices of demand (one more unit ordered
    in an item-month is worth its balance row's dual), less its cost; the `top` best
    are solved exactly, beside no promotion and the starting scenario's own."""
    lv = spec.lever("promotion")
    if lv is None or lv.uplift <= 0:
        return levers
    here = search(levers)
    if not here.sol.ok:
        return levers
    inp = here.inp
    months = list(inp.months.strftime("%Y-%m"))
    fam = inp.items[schema.FAMILY].to_numpy(dtype=object)
    # first-order worth of the uplift in each family-month
    gain = here.sol.duals["BAL"] * inp.demand * (lv.uplift / 100)
    ranked = []
    for f in sorted(set(fam)):
        if lv.names and f not in lv.names:
            continue
        per_month = gain[fam == f].sum(axis=0)
        for length in range(int(lv.low), int(lv.high) + 1):
            for s in range(len(months) - length + 1):
                worth = float(per_month[s : s + length].sum()) - lv.cost * length
                ranked.append((worth, str(f), months[s], length))
    ranked.sort(key=lambda r: -r[0])
    none = dataclasses.replace(
        levers,
        promo_family="",
        promo_start="",
        promo_months=1,
        promo_uplift_pct=0.0,
        promo_cost=0.0,
    )
    candidates = [levers, none] + [
        dataclasses.replace(
            levers,
            promo_family=f,
            promo_start=start,
            promo_months=length,
            promo_uplift_pct=float(lv.uplift),
            promo_cost=float(lv.cost),
        )
        for _, f, start, length in ranked[:top]
    ]
    return search.best(candidates)
