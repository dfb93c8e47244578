"""The trade-off frontier: the best margin at each level of on-time service (or of
ending inventory value).

Each point is a goal solve (`sop.goal.model.solve_inner`) with one more target, the
axis figure at that level, on top of the user's targets; the linear levers move
inside the LP, the searched ones (price, safety stock) stay as in `spec.start` (give
the goal's answer as the start to draw the frontier around it). The levels run
evenly from where the starting scenario is to the best any lever set reaches:
on-time service up to its best reachable rate; ending inventory value down to its
lowest reachable value. Every point is a scenario (`levers`) that opens as any other.
The frontier is drawn in what the plan maximises, margin less penalties (lost-sale
goodwill, stock below safety stock) and the LP's own stock valuation
(`sop.finance.kpis` "objective"): that figure can only fall as the level rises. The
books' gross margin is given too; it can move either way, because holding more
stock or fewer late orders also changes the penalties it leaves out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sop.goal.model import best_reachable, settle, solve_inner
from sop.goal.spec import GoalSpec
from sop.scenario.evaluate import DemandBase, evaluate
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy
from sop.supply.targets import AT_LEAST, AT_MOST, Target, measure, met

AXES = {"on_time_rate": AT_LEAST, "ending_inventory_value": AT_MOST}


@dataclass
class FrontierPoint:
    """One level of the axis: the best margin there and the scenario that makes it."""

    x: float  # the axis figure asked (on-time share, or stock value in money)
    reached: float  # the axis figure the scenario's plan reaches
    margin: float  # gross margin of the scenario (money)
    objective: float  # what the plan maximises: margin less penalties (`sop.finance.kpis`)
    revenue: float
    levers: Levers
    met: bool  # every target met, the axis one included


def frontier(
    base: DemandBase,
    tables: dict,
    policy: SupplyPolicy,
    spec: GoalSpec,
    axis: str = "on_time_rate",
    points: int = 12,
    progress: Callable[[float, str], None] | None = None,
) -> list[FrontierPoint]:
    """`points` levels of `axis` from the starting scenario's value to the best
    reachable one, each with its best-margin scenario (module docstring)."""
    if axis not in AXES:
        raise ValueError(f"axis must be one of {', '.join(AXES)}, not {axis!r}")
    if bad := spec.problems():
        raise ValueError("; ".join(bad))
    sense = AXES[axis]
    probe = Target(axis, sense, 0.0)
    start_ev = evaluate(base, tables, spec.start, policy, with_risk=False)
    if not start_ev.ok:
        raise ValueError(start_ev.plan.explanation)
    here = measure(start_ev.plan, probe)
    best, _ = best_reachable(base, tables, policy, spec, spec.start, probe)
    levels = np.linspace(here, best, max(2, int(points)))
    out = []
    for k, x in enumerate(levels):
        if progress:
            progress(k / len(levels), f"Point {k + 1} of {len(levels)}")
        target = Target(axis, sense, float(x))
        point = dataclasses.replace(spec, targets=(*spec.targets, target))
        inner = solve_inner(base, tables, policy, point, spec.start)
        if not inner.sol.ok:
            continue
        levers, ev = settle(base, tables, policy, point, inner)
        if not ev.ok:
            continue
        reached = measure(ev.plan, target)
        ok = inner.meets and all(met(measure(ev.plan, t), t) for t in point.targets)
        out.append(
            FrontierPoint(
                float(x),
                reached,
                float(ev.kpis.get("gross_margin", np.nan)),
                float(ev.kpis.get("objective", np.nan)),
                float(ev.kpis.get("revenue", np.nan)),
                levers,
                ok,
            )
        )
    if progress:
        progress(1.0, "Done")
    return out
