"""What could close a gap in the supply plan, and what it costs: the levers a shortfall
row compares (`sop.supply.shortfalls` finds the gaps and builds the frame).

A lever's cost is the *extra* cost per unit over making it on regular time: the
overtime premium on the binding resources, the wages (and hiring cost) of the people
kept or hired, the subcontract price less the in-house cost, or pre-building in the
cheapest earlier month (the cheapest free hour there, regular or overtime, plus
holding; `_prebuild_lever`, costed by `sop.supply.prebuild`). A lever the data
forbids says what to change (hiring off, the hiring limit too low, more overtime hours
than the cap leaves: `overtime_text`) in plain words first, then in brackets the data
field and table to edit ("raise the overtime cap of L1 from 20 to 50 h (max_overtime_hours in
resources)"); a limit in units (a family's units a month) has no known cost per unit
(cost inf: the caller says so). A gap is a `Gap` record; `Remedies` holds one plan's
inputs, solution, resource grids and settings, and its `claim` books what each gap's
cheapest lever takes of the room the plan leaves (free hours, layoffs to forgo, hires
under the hiring limit, subcontract units under an option's cap, material under a
supplier cap), each claim with the gap's short label ("lost sales of Fam in Jan
2027"), so later gaps see only what is left. A raise other rows share breaks the new
figure down and names them ("(max_overtime_hours in resources; 50 h for this gap on top
of 30 h for the lost sales of Fam in Jan 2027)", `remedy_text.share`). A pre-build whose
month's spare regular hours make part of the gap makes the rest on overtime there when
the plan leaves overtime free that month ("pre-build 30 units in Jan 2027 (10 on spare
regular hours, 20 on overtime) and hold them", costed at the average over the gap's
units); without free overtime it says how much of the gap it makes and that the rest
needs another lever.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sop.core import fmt, schema
from sop.supply.explain import TOL_UNITS, cost_rates
from sop.supply.inputs import INF, PlanInputs
from sop.supply.lp import LpSolution
from sop.supply.policy import SupplyPolicy
from sop.supply.prebuild import Prebuild
from sop.supply.remedy_text import (
    FIELD_UNITS,
    OTHER_GAP,
    PEOPLE_TOL,
    carried_use,
    headcount,
    hiring_raise,
    no_lever,
    overtime_parts,
    overtime_text,
    part_of,
    people_had,
    pooled,
    prebuild_split,
    rows_named,
    share,
    supplier_raise,
    whole_people,
)
from sop.supply.results import AVAILABLE, LOAD, MAX_OVERTIME, OVERTIME
from sop.supply.sku_values import PER_UNIT

# the resource_use columns the levers read, as (m, T) grids (`explain.resource_grid`)
GRID_COLUMNS = (AVAILABLE, MAX_OVERTIME, LOAD, OVERTIME, "layoffs", "hires", "workers")

Lever = tuple[float, str]  # (extra cost per unit, text)

# the ledgers `Remedies.claim` books into: overtime and spare regular hours per resource
# row of `inp.res`, hires and layoffs forgone (whole people) and the people's worth of
# work they are for (fractions, pooled: `Remedies._people_lever`) per labour pool's
# resource row, the people's worth of work of earlier months' hires and people kept on
# used in a month (they stay on: `Remedies._carried`), units per subcontract option (row
# of `inp.sub`) and per supplier cap (row of `inp.mat`)
OVERTIME_H, REGULAR_H, HIRES, LAYOFFS = "overtime", "regular", "hires", "layoffs"
NEED, CARRIED = "people_need", "carried_need"
SUB_UNITS, MATERIAL = "subcontract", "material"


class _Take(NamedTuple):
    """What a lever takes in one month of one ledger row (`OVERTIME_H` ...): hours
    (within the cap or past it), people hired or kept, or units bought."""

    ledger: str
    row: int
    month: int
    amount: float


class _Option(NamedTuple):
    """A lever with what it takes of the plan's room (none: it takes nothing)."""

    cost: float
    text: str
    takes: tuple[_Take, ...] = ()
    partial: bool = False  # it makes only part of the gap (a pre-build short of room)


@dataclass(frozen=True)
class Gap:
    """One shortfall row's gap: `units` of item `item` (row of `inp.items`) short in
    month `month`, where the resources `binding` (rows of `inp.res`) bind; empty when a
    supplier cap binds (then overtime cannot help). `label`: how the raises of later
    rows name it ('lost sales of Fam in Jan 2027', `remedy_text.gap_label`)."""

    item: int
    month: int
    binding: tuple[int, ...]
    units: float
    label: str = OTHER_GAP

    @property
    def res_b(self) -> np.ndarray:
        """The binding resources as an index array."""
        return np.asarray(self.binding, dtype=int)


class Remedies:
    """The levers of one plan's gaps: the plan's inputs and solution, its resource_use
    columns as (m, T) grids (`GRID_COLUMNS`, `explain.resource_grid`) and the settings.

    Room is claimed once: `claim` books what the cheapest lever of a gap takes (overtime
    in its month, a pre-build's hours and material in the earlier month, the people a
    hire adds or a forgone layoff keeps in its month, the units bought from a
    subcontract option that month), and every later gap's levers see only what is
    left, so two gaps never both count the same free hours, layoffs, hires or units.
    Room the gaps before took never closes a lever: past what is left the lever says
    which limit to raise, counting their share in."""

    def __init__(
        self,
        inp: PlanInputs,
        sol: LpSolution,
        ru_g: dict[str, np.ndarray],
        policy: SupplyPolicy,
    ) -> None:
        self.inp, self.sol, self.ru_g, self.policy = inp, sol, ru_g, policy
        self.reg, self.otr, self.line = cost_rates(inp)
        # an overtime hour's extra cost: a line's premium, a labour pool's whole rate
        line, reg, otr = self.line, self.reg, self.otr
        prem = np.nan_to_num(np.where(line, np.maximum(otr - reg, 0.0), otr))
        self.pre = Prebuild(inp, sol, ru_g, prem)  # where and at what cost to pre-build
        # what the levers of the gaps claimed so far take, per ledger row and month
        per_res = np.zeros_like(ru_g[AVAILABLE], dtype=float)
        ledgers = (OVERTIME_H, REGULAR_H, HIRES, LAYOFFS, NEED, CARRIED)
        self.taken = {k: per_res.copy() for k in ledgers}
        self.taken[SUB_UNITS] = np.zeros_like(inp.sub_cap, dtype=float)
        self.taken[MATERIAL] = np.zeros_like(inp.mat_cap, dtype=float)
        # the labels of the gaps that claimed each (ledger, row, month), in claim order
        self.who: defaultdict[tuple[str, int, int], list[str]] = defaultdict(list)

    def claim(self, gap: Gap) -> Lever:
        """(extra cost per unit, text) of the cheapest lever that closes the gap with
        the room earlier claims left (ties: by text; a pre-build that makes only part of
        it only when no lever closes it), booking what it takes: later gaps
        see only the rest. (NaN, what must change) when none is open (`no_lever`); cost
        inf: a limit in units, whose cost is not in the data."""
        # a lever that makes only part of the gap ranks after those that close it
        found = sorted(self._options(gap), key=lambda o: (o.partial, o.cost, o.text))
        if not found:
            return np.nan, no_lever(self.inp, self.ru_g, gap.res_b, gap.month)
        for take in found[0].takes:
            self.taken[take.ledger][take.row, take.month] += take.amount
            self.who[take.ledger, take.row, take.month].append(gap.label)
        return found[0].cost, found[0].text

    def _who(self, ledger: str, rows: np.ndarray | int, month: int) -> list:
        """The labels of the gaps claimed before on `ledger` in `month`: a list for one
        row, a list of lists for an array of rows."""
        if np.ndim(rows) == 0:
            return list(self.who.get((ledger, int(rows), month), []))
        return [self._who(ledger, int(r), month) for r in rows]

    @staticmethod
    def _hours(ledger: str, month: int, rows: np.ndarray, hours: np.ndarray) -> list[_Take]:
        """The `hours` (> 0) a lever takes on resource rows `rows` in `month`."""
        return [_Take(ledger, int(r), month, float(h)) for r, h in zip(rows, hours) if h > 0]

    def _options(self, gap: Gap) -> list[_Option]:
        """Every lever that could close the gap, with what each takes."""
        inp, ru_g, policy = self.inp, self.ru_g, self.policy
        i, t, res_b, units = gap.item, gap.month, gap.res_b, gap.units
        reg, otr, line = self.reg, self.otr, self.line
        a = inp.hours[i].toarray().ravel()
        when = fmt.month(inp.months[t])
        out: list[_Option] = []
        in_units = res_b[inp.per[res_b] == PER_UNIT]
        if len(in_units):  # a family's units a month: no overtime, more capacity or sooner
            fams = ", ".join(str(inp.res[schema.NAME].iloc[r]) for r in in_units)
            out.append(
                _Option(
                    INF,
                    f"raise the monthly unit limit of {fams} for {when} "
                    f"({schema.UNITS_PER_MONTH} in {schema.FAMILY_CAPACITY})",
                )
            )
        # a shut line (no regular hours that month) can work no overtime either
        elif len(res_b) and (ru_g[AVAILABLE][res_b, t] > 1e-6).all():
            prem = np.where(line, np.maximum(otr - reg, 0), otr)[res_b]
            need = units * a[res_b]
            taken = self.taken[OVERTIME_H][res_b, t]
            who = self._who(OVERTIME_H, res_b, t)
            text = overtime_text(inp, ru_g, policy, t, res_b, need, a[res_b], taken, who)
            hours = self._hours(OVERTIME_H, t, res_b, need)
            out.append(_Option(float(prem @ a[res_b]), text, tuple(hours)))
        for r in res_b[~line[res_b]]:  # a labour pool binds: more people from month t
            out.append(self._people_lever(gap, int(r), float(a[r])))
        out += self._subcontract_levers(gap, a)
        prebuild = self._prebuild_lever(gap, a)
        return out + ([prebuild] if prebuild else [])

    def _subcontract_levers(self, gap: Gap, a: np.ndarray) -> list[_Option]:
        """Buying the gap from each subcontract option of the item's family: its price less
        the in-house cost (material + regular hours on the lines). The units are held
        against what the option's cap leaves that month (the cap less the plan's own buys
        and the units gaps claimed before): past it the lever says how far to raise the
        cap to hold the gap too, the units claimed before counted in and named. An offer
        the plan buys nothing from is raised, never bought "more" from ("raise the cap of
        SUB from 40 to 50 units a month"); one it buys from says on top of what ("buy 10
        more units from SUB on top of the 40 the plan buys and raise its cap from 40 to
        50 units a month")."""
        inp, i, t, line = self.inp, gap.item, gap.month, self.line
        when = fmt.month(inp.months[t])
        fam = inp.items[schema.FAMILY].iloc[i]
        in_house = inp.material[i, t] + float(a[line] @ self.reg[line])
        out: list[_Option] = []
        for o in np.flatnonzero(inp.sub[schema.FAMILY].to_numpy() == fam):
            name, cap = inp.sub[schema.OPTION].iloc[o], float(inp.sub_cap[o, t])
            used = float(self.sol.values["SUB"][inp.sub_pairs[:, 1] == o][:, t].sum())
            taken = float(self.taken[SUB_UNITS][o, t])
            left = max(cap - used - taken, 0.0)
            steps = [] if self.policy.subcontract_allowed else ["allow subcontracting"]
            bought = used > TOL_UNITS  # the plan buys from it that month
            if gap.units > left + TOL_UNITS:  # past the cap: raise it to hold the gap too
                who = self._who(SUB_UNITS, int(o), t)
                new, parts = share(used + taken + gap.units, taken, used, who, "subcontract")
                note = f"; {parts}" if parts else ""
                to = f"from {cap:,.0f} to {new} units a month ({FIELD_UNITS}{note})"
                if bought and not parts:  # the brackets do not name the plan's own buys
                    steps.append(
                        f"buy {gap.units:,.0f} more units from {name} on top of the "
                        f"{used:,.0f} the plan buys and raise its cap {to}"
                    )
                else:
                    steps.append(f"raise the cap of {name} {to}")
            elif bought:
                steps.append(f"buy them from {name} on top of the {used:,.0f} units the plan buys")
            else:
                steps.append(f"buy them from {name}")
            price = inp.sub_price[(inp.sub_pairs[:, 0] == i) & (inp.sub_pairs[:, 1] == o)]
            text = f"subcontract {gap.units:,.0f} units in {when}: {' and '.join(steps)}"
            take = _Take(SUB_UNITS, int(o), t, gap.units)
            out.append(_Option(float(price[0] - in_house), text, (take,)))
        return out

    def _prebuild_lever(self, gap: Gap, a: np.ndarray) -> _Option | None:
        """The lever (`_Option`: extra cost per unit, text, the hours and supplier room it
        takes, whether it makes only part of the gap) of making the gap's item in the
        cheapest earlier month and holding it until the gap's month (`Prebuild.month`; a
        month that makes the whole gap before one that makes part; ties: the latest);
        None when no earlier month is open. It says on which hours (`prebuild_split`: '',
        'on overtime', '(10 on spare regular hours, 20 on overtime)'), raising the
        overtime cap (and a supplier cap) past what is left, and short of the gap how
        much it makes (`part_of`). Its regular and overtime hours are booked apart (`claim`)."""
        inp, i, t = self.inp, gap.item, gap.month
        route = np.flatnonzero(a > 0)
        best = None
        for v in range(t - 1, -1, -1):
            build = self.pre.month(i, t, gap.units, a[route], route, v, self.taken[REGULAR_H])
            if build and (best is None or (build.partial, build.cost + 1e-9) < best[:2]):
                best = build
        if best is None:
            return None
        v, made, when = best.month, best.made, fmt.month(inp.months[best.month])
        ot, off = best.ot_h > 0, not self.policy.overtime_allowed
        hours = self._hours(OVERTIME_H, v, route, best.ot_h)
        hours += self._hours(REGULAR_H, v, route, best.reg_h)
        raises = []
        if ot.any():
            rows, taken = route[ot], self.taken[OVERTIME_H][route[ot], v]
            who = self._who(OVERTIME_H, rows, v)
            _, raise_ = overtime_parts(inp, self.ru_g, v, rows, best.ot_h[ot], a[rows], taken, who)
            raises += [f"the {when} overtime cap {c}" for c in raise_]
        takes = []
        for o, cap, used in zip(*self.pre.material_room(i, v)):
            taken = float(self.taken[MATERIAL][o, v])
            takes.append(_Take(MATERIAL, int(o), v, made))
            if made > cap - used - taken + TOL_UNITS:
                name, who = inp.mat[schema.OPTION].iloc[o], self._who(MATERIAL, int(o), v)
                raises.append(supplier_raise(when, name, cap, made, (taken, used, who)))
        allow = f"allow overtime in {when} and " * bool(off and ot.any())
        units, rest = part_of(made, gap.units)
        how = prebuild_split(best.on_regular, made)
        text = f"{allow}pre-build {units} in {when}{how}{rest}"
        text += f" and raise {' and '.join(raises)}" if raises else " and hold them"
        return _Option(best.cost, text, tuple(hours + takes), best.partial)

    def _people_lever(self, gap: Gap, r: int, hours: float) -> _Option:
        """Making the gap with labour pool r, `hours` a unit at its regular rate: first
        on the hours of the people rows claimed before hired or kept on in earlier months
        (they stay on: W[t] = W[t-1] + H[t] - F[t]) that the month's rows before left, at the
        wage an hour, no hiring cost again (`_carried`), the rest as follows: lay off
        fewer people in a month the plan lays off (the layoffs gaps claimed before are
        gone: forgo what is left), hiring the rest (`_hire`), at the wage of the people
        kept and the wage and hiring cost of those hired. People are whole, and pooled
        per labour pool and month: the people's worth of work of this gap and of the
        gaps claimed before on the pool that month is rounded up to whole people once
        (`whole_people`; 14.4 workers' worth hires 15; 0.6 and 0.4 for two gaps, one
        worker, not two), and this gap adds only the whole people the pool lacks (none:
        it uses the spare hours of those hired or kept on before, at no extra cost, and
        says which: `people_had`; else the text says how the pool adds up, `pooled`,
        unless the hiring limit's raise already names the rows before: review, the
        split of the hires read twice). No more kept than the plan's layoffs left hold
        whole; the cost is that of the hours used of earlier hires and of the people this
        gap adds, over its units: across the rows, each person's hiring cost once."""
        inp, ru_g, t = self.inp, self.ru_g, gap.month
        wf = inp.workforce.iloc[int(np.flatnonzero(inp.labour == r)[0])]
        name, when = inp.res[schema.RESOURCE].iloc[r], fmt.month(inp.months[t])
        hpw, rate = float(wf[schema.HOURS_PER_WORKER]), float(self.reg[r])
        carried, carry, need = self._carried(gap, r, hpw, gap.units * hours / hpw)
        if carry and need <= PEOPLE_TOL:  # the earlier hires cover it
            return _Option(carry[0].amount * hpw * rate / gap.units, carried, tuple(carry))
        taken = float(self.taken[NEED][r, t])
        had = (float(self.taken[HIRES][r, t]), float(self.taken[LAYOFFS][r, t]))
        before = round(sum(had))
        alone = max(whole_people(need), 1)  # a gap needs someone
        people = max(whole_people(taken + need) - before, 0) if before else alone
        pool = self._who(NEED, r, t)
        note = pooled(had, taken, need, hpw, pool) if people < alone else ""
        steps, takes = [carried] if carried else [], [*carry, _Take(NEED, r, t, need)]
        money = sum(c.amount for c in carry) * hpw * rate
        if not people:
            text = f"use the spare hours of the {people_had(*had)} for {name} in {when}"
            steps.append(f"{text} ({note})")
            return _Option(money / gap.units, " and ".join(steps), tuple(takes))
        laid, kept = float(np.nan_to_num(ru_g["layoffs"][r, t])), float(self.taken[LAYOFFS][r, t])
        keep = min(people, math.floor(max(laid - kept, 0.0) + PEOPLE_TOL))
        if keep > 0:
            who = self._who(LAYOFFS, r, t)
            kept_note = (
                f"; {fmt.count(keep, 'worker')} kept for this gap on top of {kept:,.0f} "
                f"for {rows_named(who)}"
                if kept > PEOPLE_TOL and who
                else ""
            )
            steps.append(
                f"lay off {keep:,.0f} fewer workers from {name} in {when} "
                f"(the plan lays off {headcount(laid)} then{kept_note})"
            )
            takes.append(_Take(LAYOFFS, r, t, float(keep)))
            money += keep * hpw * rate
        if people > keep:
            text, per_hour, named = self._hire(r, t, people - keep)
            if named and set(pool) <= set(named):  # the raise names the rows pooled
                note = ""
            steps.append(text)
            takes.append(_Take(HIRES, r, t, float(people - keep)))
            money += (people - keep) * hpw * per_hour
        text = " and ".join(steps) + (f" (pooled: {note})" if note else "")
        return _Option(money / gap.units, text, tuple(takes))

    def _carried(self, gap: Gap, r: int, hpw: float, need: float) -> tuple[str, list[_Take], float]:
        """(the words, the take (`CARRIED`) and the people's worth of work left) of a gap
        on labour pool r working first the hours of the people rows claimed before hired
        or kept on in months before the gap's, who stay on (`carried_use`; '' and none
        without them): at most their hours that month less what the month's rows before
        used of them. Not the plan's own workforce: the plan already works its hours."""
        t, inp = gap.month, self.inp
        had = [(v, n, "hired") for v, n in enumerate(self.taken[HIRES][r, :t])]
        had += [(v, n, "kept on") for v, n in enumerate(self.taken[LAYOFFS][r, :t])]
        staff = sorted((v, round(n), verb) for v, n, verb in had if n > PEOPLE_TOL)
        used = float(self.taken[CARRIED][r, t])
        carry = min(need, max(sum(n for _, n, _ in staff) - used, 0.0))
        if carry <= PEOPLE_TOL:
            return "", [], need
        months = [(fmt.month(inp.months[v]), n, verb) for v, n, verb in staff]
        name, when = inp.res[schema.RESOURCE].iloc[r], fmt.month(inp.months[t])
        text = carried_use(
            name, months, when, hpw, (carry * hpw, used * hpw, self._who(CARRIED, r, t))
        )
        return text, [_Take(CARRIED, r, t, carry)], need - carry

    def _hire(self, r: int, t: int, people: int) -> tuple[str, float, list[str]]:
        """(the text of hiring `people` (whole) for labour pool r from month t, what an
        hour of theirs costs: the wage plus the hiring cost spread over the months left,
        the labels of the rows before that the raise of the limit names: [] for none),
        saying first what must change to allow it: hiring switched on, the hiring limit
        (`max_hires_per_month`) raised, in whole people, to the hires that month needs
        when what it leaves is below them (the plan's own hires that month and those
        gaps claimed before count against it, and are named: `hiring_raise`). A hire in
        month t stays on the payroll in the months after (W[t] = W[t-1] + H[t] - F[t])
        but the limit caps each month's new hires H, so the lever takes its people from
        month t's limit only."""
        inp, t_left = self.inp, self.inp.T - t
        wf = inp.workforce.iloc[int(np.flatnonzero(inp.labour == r)[0])]
        name, when = inp.res[schema.RESOURCE].iloc[r], fmt.month(inp.months[t])
        hpw = float(wf[schema.HOURS_PER_WORKER])
        per_hour = float(self.reg[r]) + float(np.nan_to_num(wf[schema.HIRING_COST])) / (
            hpw * t_left
        )
        steps = [] if self.policy.hiring_allowed else ["allow hiring"]
        cap = float(wf.get(schema.MAX_HIRES_PER_MONTH, np.nan))
        hired = float(np.nan_to_num(self.ru_g["hires"][r, t]))
        taken = float(self.taken[HIRES][r, t])
        named: list[str] = []
        if people + taken > cap - hired + PEOPLE_TOL:  # the limit leaves fewer (NaN: none)
            who = self._who(HIRES, r, t)
            steps.append(hiring_raise(name, cap, people, (taken, hired, who)))
            named = who if taken > PEOPLE_TOL else []  # as `hiring_raise` names them
        hire = f"hire {fmt.count(people, 'worker')} for {name} from {when}"
        text = " and ".join([*steps, hire])
        return text, per_hour, named
