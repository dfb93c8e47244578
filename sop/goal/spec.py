"""What the goal solver is asked: targets, and the levers it may move within ranges.

A `GoalSpec` holds the targets (`sop.supply.targets.Target`) and one `LeverRange` per
lever the user allows, with its range and (for bought capacity) its cost. The solver
(`sop.goal.solve`) starts from `start`, a scenario whose other levers it keeps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sop.scenario.levers import Levers
from sop.supply.targets import Target

# name -> (label, unit of low/high, smallest low, largest high, what cost means)
LEVERS: dict[str, tuple[str, str, float, float, str]] = {
    "overtime": ("Overtime", "% of today's caps", 0, 300, ""),
    "subcontract": ("Subcontracting", "% of today's caps", 0, 500, ""),
    "hiring": ("Hiring", "people/month", 0, 1000, ""),
    "extra_capacity": ("Extra line capacity", "% of regular hours", 0, 200, "money per hour"),
    "safety_stock": ("Safety stock", "months of cover", 0, 12, ""),
    "price": ("Price per family", "% change", -50, 100, ""),
    "promotion": ("Promotion", "months", 1, 12, "money per month"),
    # a supplier change's range (`Levers.supplier_changes`: at most +200 %)
    "supplier": ("Supplier caps", "% of today's caps", 0, 200, ""),
}
UPLIFT_MAX = 300.0  # a promotion's demand uplift, % (as `Levers.promo_uplift_pct`)
LINEAR = ("overtime", "subcontract", "hiring", "extra_capacity", "supplier")  # inside the LP
SEARCHED = ("safety_stock", "price", "promotion")  # by the outer search (`sop.goal.search`)


@dataclass(frozen=True)
class LeverRange:
    """A lever the solver may move, between `low` and `high` (units in `LEVERS`).

    `cost`: money per hour of extra line capacity, money per month a promotion runs.
    `names`: the lines extra capacity may be bought on, the families whose price may
    move or that may be promoted, the supplier (material) caps that may be raised
    (() = all). `uplift`: a promotion's demand uplift in
    its months, % (0 < uplift <= 300); its `low`..`high` is its length in months."""

    name: str
    low: float
    high: float
    cost: float = 0.0
    names: tuple[str, ...] = ()
    uplift: float = 0.0

    def problems(self) -> list[str]:
        if self.name not in LEVERS:
            return [f"unknown lever {self.name[:60]!r}; known: {', '.join(LEVERS)}"]
        label, unit, lo, hi, _ = LEVERS[self.name]
        out = []
        checked = (("low", self.low), ("high", self.high), ("cost", self.cost))
        for what, v in (*checked, ("uplift", self.uplift)):
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                out.append(f"{self.name}.{what}: {v!r} is not a number")
        if out:
            return out
        if self.low < lo or self.high > hi:
            out.append(
                f"{self.name}: {self.low:g} .. {self.high:g} is outside {lo:g} .. {hi:g} {unit}"
            )
        if self.high < self.low:
            out.append(f"{self.name}: high {self.high:g} is below low {self.low:g}")
        if self.cost < 0:
            out.append(f"{self.name}.cost = {self.cost:g} cannot be negative")
        if self.name == "promotion":
            if not 0 < self.uplift <= UPLIFT_MAX:
                why = f"must be above 0, at most {UPLIFT_MAX:g}"
                out.append(f"promotion: the uplift {self.uplift:g} % {why}")
            if not (float(self.low).is_integer() and float(self.high).is_integer()):
                out.append(f"promotion: {self.low:g} .. {self.high:g} months must be whole months")
        return out


@dataclass(frozen=True)
class GoalSpec:
    """Targets to meet, the levers allowed, and the scenario to start from."""

    targets: tuple[Target, ...]
    levers: tuple[LeverRange, ...]
    start: Levers = field(default_factory=Levers)

    def lever(self, name: str) -> LeverRange | None:
        return next((lv for lv in self.levers if lv.name == name), None)

    def problems(self) -> list[str]:
        out = [why for t in self.targets for why in t.problems()]
        out += [why for lv in self.levers for why in lv.problems()]
        names = [lv.name for lv in self.levers]
        out += [f"lever {n!r} is given more than once" for n in set(names) if names.count(n) > 1]
        return out
