"""The goal's supplier lever: supplier (material) caps raised inside the goal LP.

`top_changes` gives the caps the goal LP may use: the chosen caps (every one when the
lever names none) raised by the lever's `high` % over the plan's months, as supplier
changes (`Levers.supplier_changes`) on top of the starting scenario's own. The
supplier ships at its data price, with no premium per unit, so a higher cap costs
nothing in itself and the LP ships only what pays.

`raises` turns the plan into the smallest changes it used, per supplier cap: from the
first to the last month the plan ships more than today's cap (the starting
scenario's), by the % over today's cap of the highest month's use in that range
(rounded up to 0.01 point, within the lever's range). Every month then holds what the
plan ships and no cap is above the goal LP's, so re-solved by
`sop.scenario.evaluate` the plan is the goal LP's (`sop.goal.model.settle` checks
it). A cap the plan does not use beyond today's stays as it was.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sop.core import schema
from sop.goal.spec import GoalSpec
from sop.scenario.levers import ALL_SUPPLIERS
from sop.supply.explain import cap_codes

if TYPE_CHECKING:
    from sop.scenario.evaluate import DemandBase
    from sop.supply.inputs import PlanInputs
    from sop.supply.lp import LpSolution

NAME = "supplier"
OVER = 1e-6  # relative: use above today's cap by less than this is solver noise
Change = tuple[str, str, str, float]  # supplier, from YYYY-MM, to YYYY-MM, %


def plan_span(base: DemandBase) -> tuple[str, str]:
    """(first, last) month of the demand plan, YYYY-MM (('', '') when it has none)."""
    if not len(base.months):
        return "", ""
    months = pd.DatetimeIndex(base.months)
    return f"{months.min():%Y-%m}", f"{months.max():%Y-%m}"


def top_changes(spec: GoalSpec, span: tuple[str, str]) -> tuple[Change, ...]:
    """The supplier changes of the goal LP: each chosen cap (or every supplier's) up by
    the lever's `high` % over `span` (the plan's first and last month)."""
    lv = spec.lever(NAME)
    if lv is None or lv.high <= 0:
        return ()
    first, last = span
    if not (first and last):
        raise ValueError("the supplier lever needs the plan's months (the demand has none)")
    return tuple((n, first, last, float(lv.high)) for n in (lv.names or (ALL_SUPPLIERS,)))


def refusals(spec: GoalSpec, tables: dict) -> list[str]:
    """Why the supplier lever cannot be used on this dataset (empty when it can): no
    supplier caps at all, or caps named that the data does not have."""
    lv = spec.lever(NAME)
    if lv is None:
        return []
    caps = cap_codes(tables)
    if not caps:
        return [
            "Supplier caps: this dataset has no supplier caps (no material_cap rows in "
            "supply_options), so there is no cap to raise; leave the lever out"
        ]
    return [
        f"Supplier caps: there is no supplier cap {n[:60]!r} in this dataset; "
        f"known: {', '.join(caps)}"
        for n in lv.names
        if n not in caps
    ]


def used(inp: PlanInputs, sol: LpSolution) -> np.ndarray:
    """Units each supplier cap row of the goal LP carries per month (caps x months)."""
    out = np.zeros(np.shape(inp.mat_cap), dtype=float)
    if len(inp.mat_pairs):
        np.add.at(out, inp.mat_pairs[:, 1], sol.values["X"][inp.mat_pairs[:, 0]])
    return out


def raises(spec: GoalSpec, inp: PlanInputs, sol: LpSolution) -> tuple[Change, ...]:
    """The smallest supplier changes the goal solve's plan (inputs `inp`, solution
    `sol`) used (module docstring), one per cap raised, in the caps' order."""
    lv = spec.lever(NAME)
    if lv is None or lv.high <= 0 or not sol.ok or not len(inp.mat):
        return ()
    names = inp.mat[schema.OPTION].astype(str).to_numpy()
    chosen = np.isin(names, lv.names) if lv.names else np.ones(len(names), dtype=bool)
    # today's cap: the goal LP's over the factor `top_changes` put on the chosen caps
    today = inp.mat_cap / np.where(chosen, 1 + lv.high / 100, 1.0)[:, None]
    ok = np.isfinite(today) & (today > 0)
    share = np.divide(used(inp, sol), today, out=np.zeros(today.shape), where=ok)
    months = inp.months.strftime("%Y-%m")
    out = []
    for name in dict.fromkeys(names[chosen]):
        s = share[names == name]
        over = np.flatnonzero((s > 1 + OVER).any(axis=0))
        if not len(over):
            continue
        a, b = int(over[0]), int(over[-1])
        need = 100 * (float(s[:, a : b + 1].max()) - 1)
        pct = math.ceil(round(need * 100, 6)) / 100  # up to 0.01 point: never below need
        out.append((str(name), months[a], months[b], float(min(max(pct, lv.low), lv.high))))
    return tuple(out)
