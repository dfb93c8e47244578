"""What could close a gap in the supply plan, and what it costs: the levers a shortfall
row compares (`sop.supply.shortfalls` finds the gaps and builds the frame).

A lever's cost is the *extra* cost per unit over making it on regular time: the
overtime premium on the binding resources, the wages and hiring cost of new
workers, the subcontract price less the in-house cost, or pre-building in the
cheapest earlier month (the cheapest free hour there, regular or overtime, plus
holding; `_prebuild_lever`). A lever the data forbids says what to change (hiring
off, the hiring limit too low, more overtime hours than the cap leaves:
`_overtime_text`) in plain words first, then in brackets the data field and table to
edit ("raise the overtime cap of L1 from 20 to 50 h (max_overtime_hours in
resources)"); a limit in units (a family's units a month) has no known cost per unit
(cost inf: the caller says so). A gap is a `Gap` record; `Remedies` holds one plan's
inputs, solution, resource grids and settings, and its `claim` books what each gap's
cheapest lever takes of the room the plan leaves (free hours, hires under the hiring
limit, subcontract units under an option's cap), so later gaps see only what is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sop.core import fmt, schema
from sop.supply.explain import TOL_UNITS, cost_rates
from sop.supply.inputs import INF, PlanInputs
from sop.supply.lp import LpSolution
from sop.supply.policy import SupplyPolicy
from sop.supply.results import AVAILABLE, LOAD, MAX_OVERTIME, OVERTIME
from sop.supply.sku_values import PER_UNIT

# the resource_use columns the levers read, as (m, T) grids (`explain.resource_grid`)
GRID_COLUMNS = (AVAILABLE, MAX_OVERTIME, LOAD, OVERTIME, "layoffs", "hires", "workers")

Lever = tuple[float, str]  # (extra cost per unit, text)


# the ledgers `Remedies.claim` books into: overtime and spare regular hours per resource
# row of `inp.res`, hires per labour pool's resource row, units per subcontract option
OVERTIME_H, REGULAR_H, HIRES, SUB_UNITS = "overtime", "regular", "hires", "subcontract"


class _Take(NamedTuple):
    """What a lever takes in one month of one ledger row (`OVERTIME_H` ...): hours
    (within the cap or past it), people hired or units bought."""

    ledger: str
    row: int
    month: int
    amount: float


class _Option(NamedTuple):
    """A lever with what it takes of the plan's room (none: it takes nothing)."""

    cost: float
    text: str
    takes: tuple[_Take, ...] = ()


@dataclass(frozen=True)
class Gap:
    """One shortfall row's gap: `units` of item `item` (row of `inp.items`) short in
    month `month`, where the resources `binding` (rows of `inp.res`) bind; empty when a
    supplier cap binds (then overtime cannot help)."""

    item: int
    month: int
    binding: tuple[int, ...]
    units: float

    @property
    def res_b(self) -> np.ndarray:
        """The binding resources as an index array."""
        return np.asarray(self.binding, dtype=int)


class Remedies:
    """The levers of one plan's gaps: the plan's inputs and solution, its resource_use
    columns as (m, T) grids (`GRID_COLUMNS`, `explain.resource_grid`) and the settings.

    Room is claimed once: `claim` books what the cheapest lever of a gap takes (overtime
    in its month, a pre-build's hours in the earlier month, the people a hire adds in
    its month, the units bought from a subcontract option that month), and every later
    gap's levers see only what is left, so two gaps never both count the same free
    hours, hires or subcontract units."""

    def __init__(
        self,
        inp: PlanInputs,
        sol: LpSolution,
        ru_g: dict[str, np.ndarray],
        policy: SupplyPolicy,
    ) -> None:
        self.inp, self.sol, self.ru_g, self.policy = inp, sol, ru_g, policy
        self.reg, self.otr, self.line = cost_rates(inp)
        # what the levers of the gaps claimed so far take, per ledger row and month
        per_res = np.zeros_like(ru_g[AVAILABLE], dtype=float)
        self.taken = {k: per_res.copy() for k in (OVERTIME_H, REGULAR_H, HIRES)}
        self.taken[SUB_UNITS] = np.zeros_like(inp.sub_cap, dtype=float)

    def levers(self, gap: Gap) -> list[Lever]:
        """(extra cost per unit, text) of each lever that could close the gap, with the
        hours, hires and subcontract units earlier `claim`s left."""
        return [(o.cost, o.text) for o in self._options(gap)]

    def cheapest(self, gap: Gap) -> Lever:
        """The cheapest of `levers` (ties: by text); (NaN, what must change) when none is
        open (`no_lever`). Cost inf: a limit in units, whose cost is not in the data."""
        best = self._best(gap)
        return (best.cost, best.text) if best else self._none(gap)

    def claim(self, gap: Gap) -> Lever:
        """`cheapest`, booking what its lever takes: later gaps see only the rest."""
        best = self._best(gap)
        if best is None:
            return self._none(gap)
        for take in best.takes:
            self.taken[take.ledger][take.row, take.month] += take.amount
        return best.cost, best.text

    def _best(self, gap: Gap) -> _Option | None:
        found = sorted(self._options(gap), key=lambda o: (o.cost, o.text))
        return found[0] if found else None

    def _none(self, gap: Gap) -> Lever:
        return np.nan, no_lever(self.inp, self.ru_g, gap.res_b, gap.month)

    @staticmethod
    def _hours(ledger: str, month: int, rows: np.ndarray, hours: np.ndarray) -> list[_Take]:
        """The `hours` (> 0) a lever takes on resource rows `rows` in `month`."""
        return [_Take(ledger, int(r), month, float(h)) for r, h in zip(rows, hours) if h > 0]

    def _options(self, gap: Gap) -> list[_Option]:
        """Every lever that could close the gap, with the hours each takes."""
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
            text = _overtime_text(inp, ru_g, policy, t, res_b, need, a[res_b], taken)
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
        and the units larger gaps claimed): past it the lever buys what is left and says
        how far to raise the cap, the units larger gaps need past it counted in."""
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
            if gap.units > left + TOL_UNITS:  # past the cap: what is left, then raise it
                field = f"{schema.MONTHLY_CAP_UNITS} in {schema.SUPPLY_OPTIONS}"
                raise_ = f"from {cap:,.0f} to {used + taken + gap.units:,.0f} units a month"
                earlier = max(taken - max(cap - used, 0.0), 0.0)  # larger gaps' units past it
                more = f", {earlier:,.0f} units of the raise for larger gaps that month"
                buy = f"buy {left:,.0f} more units from {name} and raise its cap"
                head = buy if left > TOL_UNITS else f"raise the cap of {name}"
                steps.append(f"{head} {raise_} ({field}){more * (earlier > TOL_UNITS)}")
            elif self.policy.subcontract_allowed:
                steps.append(f"buy more from {name}")
            price = inp.sub_price[(inp.sub_pairs[:, 0] == i) & (inp.sub_pairs[:, 1] == o)]
            text = f"subcontract {gap.units:,.0f} units in {when}: {' and '.join(steps)}"
            take = _Take(SUB_UNITS, int(o), t, gap.units)
            out.append(_Option(float(price[0] - in_house), text, (take,)))
        return out

    def _prebuild_lever(self, gap: Gap, a: np.ndarray) -> _Option | None:
        """(extra cost per unit, text) of making the gap's item in the cheapest earlier
        month and holding it until the gap's month; None when no earlier month has a free
        hour on the whole route (and free supplier capacity).

        A unit made in month v costs, over making it on regular time in month t, what the
        cheapest hour still free costs on each resource of its route that month: nothing
        extra while the resource has spare regular hours, the overtime premium (a line's
        overtime rate less its regular rate, a labour pool's whole overtime rate) once it
        is full on regular time and has overtime left; plus any change in the material
        cost, plus the holding cost for the t - v months it waits. The free quantity is
        what the dearest tier allows. The earlier month's shadow prices are not used: they
        price the hour at what the plan already makes with it, so taking it would move a
        gap, not close one; every other lever is likewise costed as extra money spent.
        Hours earlier gaps claimed (`claim`) are not free."""
        inp, ru_g, i, t = self.inp, self.ru_g, gap.item, gap.month
        prem = np.nan_to_num(np.where(self.line, np.maximum(self.otr - self.reg, 0.0), self.otr))
        route = np.flatnonzero(a > 0)
        fam = inp.items[schema.FAMILY].iloc[i]
        mats = np.flatnonzero(inp.mat[schema.FAMILY].to_numpy() == fam)
        best = None  # (cost, units free, month, on overtime)
        for v in range(t - 1, -1, -1):
            load = ru_g[LOAD][route, v]
            spare = np.nan_to_num(ru_g[AVAILABLE][route, v] - load)
            spare = spare - self.taken[REGULAR_H][route, v]
            ot_left = np.nan_to_num(ru_g[MAX_OVERTIME][route, v] - ru_g[OVERTIME][route, v])
            ot_left = ot_left - self.taken[OVERTIME_H][route, v]
            regular = spare >= TOL_UNITS * a[route]  # a free regular hour, per resource
            free = float(np.min(np.where(regular, spare, ot_left) / a[route], initial=np.inf))
            if len(mats):
                pairs = inp.mat_pairs[np.isin(inp.mat_pairs[:, 1], mats), 0]
                made = self.sol.values["X"][pairs, v]
                free = min(free, float(np.min(inp.mat_cap[mats, v])) - float(made.sum()))
            if free < TOL_UNITS:
                continue
            hours = float(prem[route][~regular] @ a[route][~regular])
            cost = (
                hours
                + float(inp.material[i, v] - inp.material[i, t])
                + float(inp.hold[i, v] * (t - v))
            )
            if best is None or cost < best[0] - 1e-9:  # ties: the latest month
                best = (cost, free, v, hours > 1e-9, regular)
        if best is None:
            return None
        cost, free, v, overtime, regular = best
        made = min(gap.units, free)
        how = " on overtime" if overtime else ""
        when = fmt.month(inp.months[v])
        need = made * a[route]
        on_ot, on_reg = np.where(regular, 0.0, need), np.where(regular, need, 0.0)
        hours = self._hours(OVERTIME_H, v, route, on_ot) + self._hours(REGULAR_H, v, route, on_reg)
        text = f"pre-build {made:,.0f} units in {when}{how} and hold them"
        return _Option(cost, text, tuple(hours))

    def _people_lever(self, gap: Gap, r: int, hours: float) -> _Option:
        """Making the gap with labour pool r, `hours` a unit at its regular rate: lay off
        fewer people in a month the plan lays off (never hire then), else hire, saying
        first what must change to allow it: hiring switched on, the hiring limit
        (`max_hires_per_month`) raised where what it leaves is below the people the gap
        needs (the plan's own hires that month and those larger gaps claimed count
        against it). A hire in month t stays on the payroll in the months after (W[t] =
        W[t-1] + H[t] - F[t]) but the limit caps each month's new hires H, so the lever
        takes its people from month t's limit only."""
        inp, ru_g, t = self.inp, self.ru_g, gap.month
        q = int(np.flatnonzero(inp.labour == r)[0])
        wf = inp.workforce.iloc[q]
        name, when = inp.res[schema.RESOURCE].iloc[r], fmt.month(inp.months[t])
        hpw, left, rate = float(wf[schema.HOURS_PER_WORKER]), inp.T - t, float(self.reg[r])
        laid = float(np.nan_to_num(ru_g["layoffs"][r, t]))
        people = gap.units * hours / hpw
        if laid > 1e-6:
            return _Option(
                hours * rate,
                f"lay off {min(people, laid):,.1f} fewer worker(s) from {name} in {when} "
                f"(the plan lays off {laid:,.1f} then)",
            )
        per_hour = rate + float(np.nan_to_num(wf[schema.HIRING_COST])) / (hpw * left)
        steps = [] if self.policy.hiring_allowed else ["allow hiring"]
        cap = float(wf.get(schema.MAX_HIRES_PER_MONTH, np.nan))
        hired, taken = float(np.nan_to_num(ru_g["hires"][r, t])), float(self.taken[HIRES][r, t])
        if people + taken > cap - hired + 1e-6:  # the limit leaves fewer (NaN cap: no limit)
            field = f"{schema.MAX_HIRES_PER_MONTH} in {schema.WORKFORCE}"
            more = f"; {hired + taken + people:,.1f} a month with the {taken:,.1f} hired for "
            more += "larger gaps that month"
            today = f"{cap:,g} a month today{more * (taken > 1e-6)}"
            steps.append(f"raise the hiring limit of {name} ({today}; {field})")
        how = " and ".join(steps + ["hire"])
        text = f"{how} {people:,.1f} worker(s) for {name} from {when}"
        return _Option(hours * per_hour, text, (_Take(HIRES, r, t, people),))


def _overtime_text(
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
    month t takes, held against the overtime the data still allows there: the hours
    up to each cap, and how far to raise a cap the gap needs more than (today's figure,
    the one needed and the data field: `_cap_field`). A line's cap is `max_overtime_hours`; a
    labour pool's is `max_overtime_per_worker` x the plan's workers that month. Hours
    within half a unit's worth of the cap count as fitting. `taken`: the hours earlier
    gaps claimed there (`Remedies.claim`): they are not free, and what they need past
    the cap is part of the raise (said in the text)."""
    names = inp.res[schema.RESOURCE].to_numpy()
    free = np.clip(_overtime_caps(inp, ru_g, res_b, t) - ru_g[OVERTIME][res_b, t], 0, None)
    free = np.nan_to_num(free)
    if taken is None:
        taken = np.zeros(len(res_b))
    earlier = np.clip(taken - free, 0, None)  # earlier gaps' hours past the cap
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
        raise_.append(f"of {names[r]} {_cap_field(inp, ru_g, r, t, over + earlier[k])}")
        if earlier[k] > tol[k]:
            raise_[-1] += f", {earlier[k]:,.0f} h of the raise for larger gaps that month"
    when, allow = fmt.month(inp.months[t]), not policy.overtime_allowed
    caps = " and ".join(raise_)
    if not work:  # no overtime left on any binding resource
        return f"{'allow overtime and ' * allow}raise the {when} overtime cap {caps}"
    text = f"{'allow' if allow else 'add'} overtime in {when} ({', '.join(work)})"
    return f"{text} and raise the overtime cap {caps}" if raise_ else text


def _overtime_caps(
    inp: PlanInputs, ru_g: dict[str, np.ndarray], res_b: np.ndarray, t: int
) -> np.ndarray:
    """The most overtime hours the data allows each resource `res_b` in month t, with
    overtime on or off in the settings: a line's cap; a labour pool's
    `max_overtime_per_worker` x the plan's workers that month."""
    caps = inp.ot_cap[res_b, t].astype(float)
    for k, r in enumerate(res_b):
        if r in inp.labour:
            caps[k] = _per_worker(inp, r) * float(np.nan_to_num(ru_g["workers"][r, t]))
    return caps


def _per_worker(inp: PlanInputs, r: int) -> float:
    """A labour pool's `max_overtime_per_worker` (0 when blank)."""
    q = int(np.flatnonzero(inp.labour == r)[0])
    return float(np.nan_to_num(inp.workforce[schema.MAX_OVERTIME_PER_WORKER].iloc[q]))


def _cap_field(inp: PlanInputs, ru_g: dict[str, np.ndarray], r: int, t: int, over: float) -> str:
    """Today's overtime cap of resource r in month t, the one that allows `over` more
    hours and the data field that holds it: 'from 54 to 72 h (max_overtime_hours in
    resources)', or per worker 'from 20.0 to 93.4 h a worker at 17 workers
    (max_overtime_per_worker in workforce)'."""
    if r not in inp.labour:
        cap = float(inp.ot_cap[r, t])
        field = f"{schema.MAX_OVERTIME_HOURS} in {schema.RESOURCES}"
        return f"from {cap:,.0f} to {cap + over:,.0f} h ({field})"
    now, workers = _per_worker(inp, r), float(ru_g["workers"][r, t])
    field = f"{schema.MAX_OVERTIME_PER_WORKER} in {schema.WORKFORCE}"
    return (
        f"from {now:,.1f} to {now + over / workers:,.1f} h a worker at {workers:,.1f}".removesuffix(
            ".0"
        )
        + f" workers ({field})"
    )


def no_lever(inp: PlanInputs, ru_g: dict[str, np.ndarray], res_b: np.ndarray, t: int) -> str:
    """What to say when no lever can close a gap: a shut line must reopen."""
    names = inp.res[schema.RESOURCE].to_numpy()
    shut = [names[r] for r in res_b if ru_g[AVAILABLE][r, t] <= 1e-6]
    if shut:
        return (
            f"reopen {', '.join(shut)} in {fmt.month(inp.months[t])} (shut that month; "
            "no other lever is open)"
        )
    return "add capacity (no overtime, hiring, subcontracting or spare month is open)"
