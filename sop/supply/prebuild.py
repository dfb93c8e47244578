"""Where the plan leaves room to pre-build a gap's units in an earlier month, and what a
unit made there costs: the cost model of the pre-build lever (`sop.supply.remedies`
words the lever, picks its month and books what it takes).

A month opens when the plan itself leaves every resource of the item's route a free
hour there (spare regular hours or overtime under the cap: `Prebuild.room`) and its
supplier caps a unit (`Prebuild.material_room`). `Prebuild.month` makes the gap on the
spare regular hours gaps claimed before left, and the rest on overtime where the plan
leaves some free (a whole `Build`), else what the spare hours allow (a partial one); a
unit costs what its hours cost extra over regular time in the gap's month, plus any
change in material cost and the holding cost while it waits.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sop.supply.explain import TOL_UNITS
from sop.supply.inputs import PlanInputs
from sop.supply.lp import LpSolution
from sop.supply.results import AVAILABLE, LOAD, MAX_OVERTIME, OVERTIME


class Build(NamedTuple):
    """A pre-build in one month (`Prebuild.month`): whether it makes only part of
    the gap, its cost per unit, the month, the units it makes, how many of them on spare
    regular hours alone, and the regular and overtime hours it takes per route resource."""

    partial: bool
    cost: float
    month: int
    made: float
    on_regular: float
    reg_h: np.ndarray
    ot_h: np.ndarray


class Prebuild:
    """The room one plan leaves for pre-builds: its inputs and solution, its resource_use
    columns as (m, T) grids (`remedies.GRID_COLUMNS`) and the extra cost of an overtime
    hour per resource row (`prem`: a line's premium, a labour pool's whole rate)."""

    def __init__(
        self, inp: PlanInputs, sol: LpSolution, ru_g: dict[str, np.ndarray], prem: np.ndarray
    ) -> None:
        self.inp, self.sol, self.ru_g, self.prem = inp, sol, ru_g, prem

    def material_room(self, i: int, v: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(the supplier caps that hold item i (rows of `inp.mat`), each one's cap and
        the units the plan makes under it in month v)."""
        inp = self.inp
        caps = np.unique(inp.mat_pairs[inp.mat_pairs[:, 0] == i, 1]) if len(inp.mat_pairs) else []
        caps = np.asarray(caps, dtype=int)
        made = [
            float(self.sol.values["X"][inp.mat_pairs[inp.mat_pairs[:, 1] == o, 0], v].sum())
            for o in caps
        ]
        return caps, inp.mat_cap[caps, v].astype(float), np.asarray(made, dtype=float)

    def month(
        self,
        i: int,
        t: int,
        units: float,
        a: np.ndarray,
        route: np.ndarray,
        v: int,
        regular_taken: np.ndarray,
    ) -> Build | None:
        """Pre-building the gap of `units` of item i in month t in month v on the
        resources `route` (`a`: hours a unit on each; `regular_taken`: the regular hours
        per resource row and month gaps claimed before, `remedies.Remedies.claim`); None
        when the plan itself leaves v no free hour on one of them (spare regular or
        overtime: `room`) or no supplier room, or it would make under a unit.

        A unit costs, over making it on regular time in month t, what its hours cost
        extra: nothing on spare regular hours, the overtime premium (a line's overtime
        rate less its regular rate, a labour pool's whole overtime rate) on overtime; plus
        any change in the material cost and the holding cost for the t - v months it
        waits. What the spare regular hours cannot make, overtime makes when the plan
        leaves some free there (`room`, the test that opens the month), and the cost is
        the average over the gap's units, what closing the gap costs a unit: (10 x hold +
        20 x (premium + hold)) / 30 for 10 on regular hours and 20 on overtime. Without
        it the pre-build makes what the spare hours allow, at the cost of its first unit,
        and is partial. The earlier month's shadow prices are not used: they price the
        hour at what the plan already makes with it, so taking it would move a gap, not
        close one. The hours and material gaps claimed before (`claim`) are not free:
        they move a resource to overtime or make the lever raise a cap, never close v."""
        inp = self.inp
        tol = TOL_UNITS * a
        spare, ot_open = self.room(route, v, tol)
        _, cap, made = self.material_room(i, v)
        if not ((spare >= tol) | ot_open).all() or (cap - made < TOL_UNITS).any():
            return None  # the plan itself leaves no free hour or unit here
        spare = spare - regular_taken[route, v]
        regular = spare >= tol  # a free regular hour, per resource
        held = float(inp.material[i, v] - inp.material[i, t]) + float(inp.hold[i, v] * (t - v))
        # the units made on spare regular hours alone (none if a resource is on overtime)
        first = min(units, float(np.min(spare[regular] / a[regular], initial=units)))
        on_regular = first if regular.all() else 0.0
        need, prem = units * a, self.prem[route]
        short = regular & (need - spare > tol)  # spare regular hours short of the gap
        if ot_open[short].all():  # overtime makes the rest: the whole gap
            reg_h = np.where(regular, np.minimum(need, spare), 0.0)
            ot_h = np.where(short, need - spare, np.where(regular, 0.0, need))
            cost = float(prem @ ot_h) / units + held
            return Build(False, cost, v, units, on_regular, reg_h, ot_h)
        if round(first) < 1:  # it would read "pre-build 0 of the 30 units"
            return None
        cost, h = float(prem[~regular] @ a[~regular]) + held, first * a
        return Build(True, cost, v, first, on_regular, h * regular, h * ~regular)

    def room(self, route: np.ndarray, v: int, tol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the spare regular hours the plan itself leaves each resource of `route` in
        month v, whether it leaves one `tol` of overtime free there (none with overtime
        off in the settings or a cap of 0)): what opens a pre-build month and lets its
        overtime make what the spare regular hours cannot."""
        ru_g = self.ru_g
        spare = np.nan_to_num(ru_g[AVAILABLE][route, v] - ru_g[LOAD][route, v])
        ot_left = np.nan_to_num(ru_g[MAX_OVERTIME][route, v] - ru_g[OVERTIME][route, v])
        return spare, ot_left >= tol
