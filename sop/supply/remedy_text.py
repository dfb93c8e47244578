"""The words of a shortfall's remedy (`sop.supply.remedies`): how much overtime a gap
takes and which cap to raise, in plain words first and the data field in brackets
("raise the overtime cap of L1 from 20 to 50 h (max_overtime_hours in resources)"),
a number of people, the note naming what gaps claimed before took of a raise, and what
to say when no lever is open.
"""

from __future__ import annotations

import numpy as np

from sop.core import fmt, schema
from sop.supply.explain import TOL_UNITS
from sop.supply.inputs import PlanInputs
from sop.supply.policy import SupplyPolicy
from sop.supply.results import AVAILABLE, OVERTIME

# who took the room a claim note counts: the gaps claimed first (`shortfalls` claims
# lost sales, then late orders, then stock below safety stock, larger first in each)
AHEAD = "for gaps ranked ahead"
FIELD_UNITS = f"{schema.MONTHLY_CAP_UNITS} in {schema.SUPPLY_OPTIONS}"


def claim_note(amount: float, unit: str, tol: float) -> str:
    """'; 20 h of it for gaps ranked ahead' inside a raise's brackets ('' when the gaps
    claimed first took none of it)."""
    return f"; {amount:,.0f} {unit} of it {AHEAD}" if amount > tol else ""


def headcount(x: float) -> str:
    """A number of people: one decimal ('0.8', '12.0'), two below one person when one
    would round them ('0.25'), '0' for none."""
    if abs(x) < 5e-3:
        return "0"
    fine = abs(x) < 1 and abs(x - round(x, 1)) > 5e-3
    return f"{x:,.2f}" if fine else f"{x:,.1f}"


def overtime_parts(
    inp: PlanInputs,
    ru_g: dict[str, np.ndarray],
    t: int,
    res_b: np.ndarray,
    need: np.ndarray,
    per_unit: np.ndarray,
    taken: np.ndarray,
) -> tuple[list[str], list[str]]:
    """(the overtime worked within each cap: 'L1 +20 h' or 'L1 +20 h to its cap', the
    caps to raise: 'of L1 from 20 to 50 h (max_overtime_hours in resources)') of
    working `need` more hours on each resource `res_b` in month t, held against the
    overtime the data still allows there less the hours `taken` by gaps claimed before
    (`Remedies.claim`): those count in the raise and are named in its brackets. Hours
    within half a unit's worth of the cap count as fitting."""
    names = inp.res[schema.RESOURCE].to_numpy()
    free = np.clip(overtime_caps(inp, ru_g, res_b, t) - ru_g[OVERTIME][res_b, t], 0, None)
    free = np.nan_to_num(free)
    earlier = np.clip(taken - free, 0, None)  # what gaps claimed before need past the cap
    free = np.clip(free - taken, 0, None)
    tol = TOL_UNITS * per_unit
    work, raise_ = [], []
    for k, r in enumerate(res_b):
        over = need[k] - free[k]
        if over <= tol[k]:
            work.append(f"{names[r]} +{need[k]:,.0f} h")
            continue
        if free[k] > tol[k]:
            work.append(f"{names[r]} +{free[k]:,.0f} h to its cap")
        note = claim_note(taken[k], "h", tol[k])
        raise_.append(f"of {names[r]} {cap_field(inp, ru_g, r, t, over + earlier[k], note)}")
    return work, raise_


def overtime_text(
    inp: PlanInputs,
    ru_g: dict[str, np.ndarray],
    policy: SupplyPolicy,
    t: int,
    res_b: np.ndarray,
    need: np.ndarray,
    per_unit: np.ndarray,
    taken: np.ndarray | None = None,
) -> str:
    """What working `need` more overtime hours on each binding resource `res_b` in
    month t takes (`overtime_parts`): the hours up to each cap, and how far to raise
    a cap the gap needs more than (today's figure, the one needed and the data field:
    `cap_field`). A line's cap is `max_overtime_hours`; a labour pool's is
    `max_overtime_per_worker` x the plan's workers that month. `taken`: the hours gaps
    claimed before took there (`Remedies.claim`)."""
    taken = np.zeros(len(res_b)) if taken is None else taken
    work, raise_ = overtime_parts(inp, ru_g, t, res_b, need, per_unit, taken)
    when, allow = fmt.month(inp.months[t]), not policy.overtime_allowed
    caps = " and ".join(raise_)
    if not work:  # no overtime left on any binding resource
        return f"{'allow overtime and ' * allow}raise the {when} overtime cap {caps}"
    text = f"{'allow' if allow else 'add'} overtime in {when} ({', '.join(work)})"
    return f"{text} and raise the overtime cap {caps}" if raise_ else text


def overtime_caps(
    inp: PlanInputs, ru_g: dict[str, np.ndarray], res_b: np.ndarray, t: int
) -> np.ndarray:
    """The most overtime hours the data allows each resource `res_b` in month t, with
    overtime on or off in the settings: a line's cap; a labour pool's
    `max_overtime_per_worker` x the plan's workers that month."""
    caps = inp.ot_cap[res_b, t].astype(float)
    for k, r in enumerate(res_b):
        if r in inp.labour:
            caps[k] = per_worker(inp, r) * float(np.nan_to_num(ru_g["workers"][r, t]))
    return caps


def per_worker(inp: PlanInputs, r: int) -> float:
    """A labour pool's `max_overtime_per_worker` (0 when blank)."""
    q = int(np.flatnonzero(inp.labour == r)[0])
    return float(np.nan_to_num(inp.workforce[schema.MAX_OVERTIME_PER_WORKER].iloc[q]))


def cap_field(
    inp: PlanInputs, ru_g: dict[str, np.ndarray], r: int, t: int, over: float, note: str = ""
) -> str:
    """Today's overtime cap of resource r in month t, the one that allows `over` more
    hours and the data field that holds it, `note` (`claim_note`) inside its brackets: 'from
    54 to 72 h (max_overtime_hours in resources)', or per worker 'from 20.0 to 93.4 h a
    worker at 17 workers (max_overtime_per_worker in workforce)'."""
    if r not in inp.labour:
        cap = float(inp.ot_cap[r, t])
        field = f"{schema.MAX_OVERTIME_HOURS} in {schema.RESOURCES}"
        return f"from {cap:,.0f} to {cap + over:,.0f} h ({field}{note})"
    now, workers = per_worker(inp, r), float(ru_g["workers"][r, t])
    field = f"{schema.MAX_OVERTIME_PER_WORKER} in {schema.WORKFORCE}"
    at = f"{workers:,.1f}".removesuffix(".0")
    return (
        f"from {now:,.1f} to {now + over / workers:,.1f} h a worker at {at} workers ({field}{note})"
    )


def no_lever(inp: PlanInputs, ru_g: dict[str, np.ndarray], res_b: np.ndarray, t: int) -> str:
    """What to say when no lever can close a gap: a shut line must reopen. Only the
    plan's own room closes a lever (room claimed by other gaps makes it raise a limit
    instead, `Remedies`), so 'no other lever is open' holds whatever was claimed."""
    names = inp.res[schema.RESOURCE].to_numpy()
    shut = [names[r] for r in res_b if ru_g[AVAILABLE][r, t] <= 1e-6]
    if shut:
        return (
            f"reopen {', '.join(shut)} in {fmt.month(inp.months[t])} (shut that month; "
            "no other lever is open)"
        )
    return "add capacity (no overtime, hiring, subcontracting or spare month is open)"
