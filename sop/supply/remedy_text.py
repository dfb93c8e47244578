"""The words of a shortfall's remedy (`sop.supply.remedies`): how much overtime a gap
takes and which cap to raise, in plain words first and the data field in brackets
("raise the overtime cap of L1 from 20 to 50 h (max_overtime_hours in resources)"),
a number of people (pooled per labour pool and month: `pooled`; the people rows of
earlier months hired or kept on, who stay on: `carried_use`), who shares a
raised cap, how much of a gap a pre-build makes and
on which hours (`part_of`, `prebuild_split`), and what to say when no lever is open.

A raise other rows share breaks the new figure down in its brackets into parts that add
up to it, naming the rows (`share`): "from 30 to 80 h (max_overtime_hours in
resources; 50 h for this gap on top of 30 h for the lost sales of Fam in Jan 2027)",
and the plan's own use when it has some ("... and the 20 h the plan works"): this
gap's part + the other rows' + the plan's own = the new figure.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from sop.core import fmt, schema
from sop.supply.explain import TOL_UNITS
from sop.supply.inputs import PlanInputs
from sop.supply.policy import SupplyPolicy
from sop.supply.results import AVAILABLE, OVERTIME

FIELD_UNITS = f"{schema.MONTHLY_CAP_UNITS} in {schema.SUPPLY_OPTIONS}"
# a gap as another row's raise names it: "lost sales of Fam in Jan 2027"
_KIND_WORDS = {
    "lost sales": "lost sales",
    "backlog": "late orders",
    "below safety stock": "safety-stock gap",
}
OTHER_GAP = "other gap"  # a gap without a label (`remedies.Gap`)
MAX_NAMED = 3  # the other rows a raise names; past these it counts them ("and 2 more")
# the limits a raise breaks down (`share`), each with its unit and the words for what
# the plan itself uses of it: "the 20 h the plan works" (the hiring limit, in whole
# people: `hiring_raise`)
OwnUse = Literal["overtime", "subcontract", "supplier cap"]
OWN_USE: dict[OwnUse, tuple[str, str]] = {
    "overtime": ("h", "works"),
    "subcontract": ("units", "buys"),
    "supplier cap": ("units", "makes"),
}


def gap_label(kind: str, family: object, month: str) -> str:
    """The short name of a gap other rows' raises use: 'lost sales of Fam in Jan 2027'
    (kind: lost sales, backlog (late orders), below safety stock)."""
    return f"{_KIND_WORDS.get(kind, kind)} of {family} in {month}"


def rows_named(labels: list[str]) -> str:
    """Who took room before this gap: 'the lost sales of Fam in Jan 2027', or '2 other
    rows (lost sales of Fam in Jan 2027, late orders of Fam2 in Feb 2027)'; past
    `MAX_NAMED` labels '(..., ... and 2 more)'. The same label twice is named once."""
    if len(labels) == 1:
        return f"the {labels[0]}"
    named = list(dict.fromkeys(labels))
    listed = ", ".join(named[:MAX_NAMED])
    if len(named) > MAX_NAMED:
        listed += f" and {len(named) - MAX_NAMED} more"
    return f"{len(labels)} other rows ({listed})"


def share(
    new: float,
    taken: float,
    own: float,
    who: list[str],
    limit: OwnUse,
    digits: int = 0,
) -> tuple[str, str]:
    """(the new figure of a raised `limit`, the parts it holds) as text with `digits`
    decimals, in the limit's unit (`OWN_USE`): '20 h for this gap on top of 30 h for the
    lost sales of Fam in Jan 2027 and the 10 h the plan works' (`own`, what the plan
    itself uses, named when > 0 in the limit's words). This gap's part is what is left of
    the new figure after the others' `taken` and the plan's own, as shown, so the parts
    add up to the new figure. No parts ('') when the rows before took none of it."""
    unit, verb = OWN_USE[limit]
    n, t, o = (round(max(float(x), 0.0), digits) for x in (new, taken, own))
    if t <= 0 or not who:
        return _num(n, digits), ""
    u = f" {unit}"
    text = (
        f"{_num(n - t - o, digits)}{u} for this gap on top of {_num(t, digits)}{u} "
        f"for {rows_named(who)}"
    )
    if o > 0:
        text += f" and the {_num(o, digits)}{u} the plan {verb}"
    return _num(n, digits), text


def _num(x: float, digits: int) -> str:
    """x with `digits` decimals and thousands separators (never '-0')."""
    return f"{(round(x, digits) or 0.0):,.{digits}f}"


def headcount(x: float) -> str:
    """A number of people as the plan has it (the LP's figures may be fractions): one
    decimal, '.0' dropped ('0.8', '12', '2.5'), two below one person when one would
    round them ('0.25'), '0' for none. A lever's own hires and people kept are whole
    (`whole_people`)."""
    if abs(x) < 5e-3:
        return "0"
    fine = abs(x) < 1 and abs(x - round(x, 1)) > 5e-3
    return f"{x:,.2f}" if fine else f"{x:,.1f}".removesuffix(".0")


PEOPLE_TOL = 1e-3  # a fraction of a person this small is the solver's rounding


def whole_people(x: float) -> int:
    """The whole people `x` people's worth of work needs: rounded up (a part of a
    person cannot be hired, and fewer would not close the gap), 14.4 -> 15; 0 for none."""
    return max(math.ceil(x - PEOPLE_TOL), 0)


def people_had(hired: float, kept: float) -> str:
    """The whole people the rows claimed before took on a labour pool's month, as the
    case is: '2 workers hired', '1 worker kept on' (a layoff forgone), '3 workers (2
    hired, 1 kept on)' (review: "hired or kept" left the reader to guess)."""
    h, k = round(hired), round(kept)
    if h and k:
        return f"{fmt.count(h + k, 'worker')} ({h:,} hired, {k:,} kept on)"
    return f"{fmt.count(h, 'worker')} hired" if h else f"{fmt.count(k, 'worker')} kept on"


def pooled(
    before: tuple[float, float], taken: float, need: float, hpw: float, who: list[str]
) -> str:
    """How the people lever pools a labour pool's month, in hours (people are whole):
    '60 h for the lost sales of Fam in Jan 2027 and 40 h for this gap, 100 h in all: 1
    worker at 100 h a month' (`taken`, `need`: the people's worth of work the rows
    claimed before took and this gap needs, `hpw` a worker's hours a month, `who` the
    rows' labels; `before`: the whole people they hired and kept on, said after the rows
    they are for when this gap adds some: '60 h for the lost sales of Fam in Jan 2027,
    which hired 1 worker, and ...'). The pooled need is rounded up to whole people once
    (`whole_people`), so this gap adds only the people the pool lacks."""
    h, k = (round(x) for x in before)
    whole = whole_people(taken + need)
    had = ""
    if whole > h + k:  # this gap adds people: say whom the rows before have
        if h and k:
            had = f", which hired {fmt.count(h, 'worker')} and kept {k:,} on,"
        elif h or k:
            had = f", which {'hired' if h else 'kept'} {fmt.count(h or k, 'worker')}"
            had += "," if h else " on,"
    return (
        f"{taken * hpw:,.0f} h for {rows_named(who)}{had} and {need * hpw:,.0f} h for this "
        f"gap, {(taken + need) * hpw:,.0f} h in all: {fmt.count(whole, 'worker')} at "
        f"{hpw:,.0f} h a month"
    )


def carried_use(
    name: str,
    staff: list[tuple[str, int, str]],
    when: str,
    hpw: float,
    hours: tuple[float, float, list[str]],
) -> str:
    """'use the 15 workers hired for RS-LAB from Nov 2027 (1,236 h of their 2,400 h in Dec
    2027)': a row working hours of the people rows of earlier months hired or kept on (a
    layoff forgone) for labour pool `name`, who stay on (`staff`: (month, whole people,
    'hired' or 'kept on') in month order; `hpw` a worker's hours a month). `hours`: (this
    row's, those rows claimed before in the month `when` use of them, their labels)
    against all of theirs that month ('..., on top of 900 h for the late orders of ...':
    the parts never add up past theirs). From several months: 'the 23 workers hired for
    RS-LAB earlier (10 from Nov 2026 and 13 from Dec 2026; ...)' ('hired or kept on' and
    '10 kept on from ...' when both), past `MAX_NAMED` + 1 months '... and 7 from 2 more
    months'."""
    this, others, who = hours
    people = sum(n for _, n, _ in staff)
    verbs = list(dict.fromkeys(v for _, _, v in staff))
    head = f"the {fmt.count(people, 'worker')} {' or '.join(verbs)} for {name}"
    split = ""
    if len(staff) == 1:
        head += f" from {staff[0][0]}"
    else:
        head += " earlier"
        both = len(verbs) > 1
        listed = [f"{n:,} {v + ' ' if both else ''}from {m}" for m, n, v in staff]
        if len(staff) > MAX_NAMED + 1:  # 'and 1 from 1 more month' would save nothing
            listed, more = listed[:MAX_NAMED], staff[MAX_NAMED:]
            listed.append(
                f"{sum(n for _, n, _ in more):,} from {fmt.count(len(more), 'more month')}"
            )
        split = f"{', '.join(listed[:-1])} and {listed[-1]}; "
    used = f"{this:,.0f} h of their {people * hpw:,.0f} h in {when}"
    if others > PEOPLE_TOL * hpw and who:
        used += f", on top of {others:,.0f} h for {rows_named(who)}"
    return f"use {head} ({split}{used})"


def _fraction(x: float) -> str:
    """People as a sum of whole hires and the plan's fractions reads: up to two decimals,
    trailing zeros dropped ('0.25', '1.25', '5')."""
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def hiring_raise(name: str, cap: float, hires: int, shared: tuple[float, float, list[str]]) -> str:
    """'raise the hiring limit of LAB from 5 to 15 hires a month (max_hires_per_month in
    workforce; ...)': the limit `cap` raised to whole people, to hold this gap's `hires`
    on top of `shared` (the whole hires gaps claimed before took that month, the plan's
    own hires then, their labels). The brackets break the new limit down when other
    rows took some (naming them and the plan's own hires), or when the plan's own hires
    are a fraction of a person and the sum is rounded up: '1 hire for this gap and the
    0.25 hires the plan has that month, 1.25 in all, rounded up to whole people'."""
    taken, own, who = shared
    total = own + taken + hires
    new = whole_people(total)
    fraction = abs(own - round(own)) > PEOPLE_TOL
    parts = ""
    if (taken > PEOPLE_TOL and who) or fraction:
        parts = f"{fmt.count(hires, 'hire')} for this gap"
        if taken > PEOPLE_TOL and who:
            parts += f" on top of {fmt.count(round(taken), 'hire')} for {rows_named(who)}"
        if own > PEOPLE_TOL:
            parts += f" and the {_fraction(own)} hires the plan has that month"
        if new != round(total):
            parts += f", {_fraction(total)} in all, rounded up to whole people"
    field = f"{schema.MAX_HIRES_PER_MONTH} in {schema.WORKFORCE}"
    note = f"; {parts}" if parts else ""
    return (
        f"raise the hiring limit of {name} from {headcount(cap)} to "
        f"{fmt.count(new, 'hire')} a month ({field}{note})"
    )


def overtime_parts(
    inp: PlanInputs,
    ru_g: dict[str, np.ndarray],
    t: int,
    res_b: np.ndarray,
    need: np.ndarray,
    per_unit: np.ndarray,
    taken: np.ndarray,
    who: list[list[str]] | None = None,
) -> tuple[list[str], list[str]]:
    """(the overtime worked within each cap: 'L1 +20 h' or 'L1 +20 h to its cap', the
    caps to raise: 'of L1 from 20 to 50 h (max_overtime_hours in resources)') of
    working `need` more hours on each resource `res_b` in month t, held against the
    overtime the data still allows there less the hours `taken` by gaps claimed before
    (`Remedies.claim`; `who`: their labels, per resource). The new cap holds the plan's
    own overtime, theirs and this gap's, and a raise they share says so (`share`).
    Hours within half a unit's worth of the cap count as fitting."""
    names = inp.res[schema.RESOURCE].to_numpy()
    who = [[] for _ in res_b] if who is None else who
    caps = np.nan_to_num(overtime_caps(inp, ru_g, res_b, t))
    free = np.nan_to_num(np.clip(caps - ru_g[OVERTIME][res_b, t], 0, None))
    own = np.clip(caps - free, 0, None)  # the overtime the plan works, within the cap
    free = np.clip(free - taken, 0, None)  # what the gaps claimed before left
    tol = TOL_UNITS * per_unit
    work, raise_ = [], []
    for k, r in enumerate(res_b):
        if need[k] - free[k] <= tol[k]:
            work.append(f"{names[r]} +{need[k]:,.0f} h")
            continue
        if free[k] > tol[k]:
            work.append(f"{names[r]} +{free[k]:,.0f} h to its cap")
        new = own[k] + taken[k] + need[k]
        field = cap_field(inp, ru_g, r, t, new, (taken[k], own[k], who[k]))
        raise_.append(f"of {names[r]} {field}")
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
    who: list[list[str]] | None = None,
) -> str:
    """What working `need` more overtime hours on each binding resource `res_b` in
    month t takes (`overtime_parts`): the hours up to each cap, and how far to raise
    a cap the gap needs more than (today's figure, the one needed and the data field:
    `cap_field`). A line's cap is `max_overtime_hours`; a labour pool's is
    `max_overtime_per_worker` x the plan's workers that month. `taken`: the hours gaps
    claimed before took there (`Remedies.claim`), `who` their labels per resource."""
    taken = np.zeros(len(res_b)) if taken is None else taken
    work, raise_ = overtime_parts(inp, ru_g, t, res_b, need, per_unit, taken, who)
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
    inp: PlanInputs,
    ru_g: dict[str, np.ndarray],
    r: int,
    t: int,
    new: float,
    shared: tuple[float, float, list[str]] = (0.0, 0.0, []),
) -> str:
    """Today's overtime cap of resource r in month t, the one that allows `new` hours in
    all and the data field that holds it: 'from 54 to 72 h (max_overtime_hours in
    resources)', or per worker 'from 20.0 to 93.4 h a worker at 17 workers
    (max_overtime_per_worker in workforce)'. `shared`: (the hours gaps claimed before
    took there, the plan's own overtime, their labels): when they took some, the
    brackets break `new` down (`share`): '(...; 20 h for this gap on top of 30 h for the
    lost sales of Fam in Jan 2027)', per worker in hours in all ('1,588 h in all: ...')."""
    taken, own, who = shared
    new_h, parts = share(new, taken, own, who, "overtime")
    if r not in inp.labour:
        field = f"{schema.MAX_OVERTIME_HOURS} in {schema.RESOURCES}"
        note = f"; {parts}" if parts else ""
        return f"from {float(inp.ot_cap[r, t]):,.0f} to {new_h} h ({field}{note})"
    now, workers = per_worker(inp, r), float(ru_g["workers"][r, t])
    field = f"{schema.MAX_OVERTIME_PER_WORKER} in {schema.WORKFORCE}"
    note = f"; {new_h} h in all: {parts}" if parts else ""
    at = f"{workers:,.1f}".removesuffix(".0")
    return f"from {now:,.1f} to {new / workers:,.1f} h a worker at {at} workers ({field}{note})"


def supplier_raise(
    when: str, name: str, cap: float, units: float, shared: tuple[float, float, list[str]]
) -> str:
    """'the Jan 2027 supplier cap MAT from 70 to 100 units a month (monthly_cap_units in
    supply_options; ...)': a supplier cap of `cap` raised to hold this gap's `units` on
    top of `shared` (the units gaps claimed before took, the plan's own, their labels:
    `share`)."""
    taken, used, who = shared
    new, parts = share(used + taken + units, taken, used, who, "supplier cap")
    note = f"; {parts}" if parts else ""
    to = f"to {new} units a month ({FIELD_UNITS}{note})"
    return f"the {when} supplier cap {name} from {cap:,.0f} {to}"


def part_of(made: float, units: float) -> tuple[str, str]:
    """('30 units', '') of a pre-build that makes the whole gap; ('10 of the 30 units',
    ' (the other 20 units need another lever)') of one that makes part of it (the parts
    add up as shown)."""
    if made >= units - TOL_UNITS:
        return f"{made:,.0f} units", ""
    m, u = round(made), round(units)
    rest = u - m
    need = f"{rest:,.0f} unit needs" if rest == 1 else f"{rest:,.0f} units need"
    return f"{m:,.0f} of the {u:,.0f} units", f" (the other {need} another lever)"


def prebuild_split(regular: float, made: float) -> str:
    """How a pre-build's `made` units are made, `regular` of them on spare regular hours
    alone: '' all of them, ' on overtime' none, ' (10 on spare regular hours, 20 on
    overtime)' part (the parts add up to the units shown, `part_of`)."""
    if regular >= made - TOL_UNITS:
        return ""
    m, u = round(regular), round(made)
    if m < 1:
        return " on overtime"
    return f" ({m:,.0f} on spare regular hours, {u - m:,.0f} on overtime)"


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
