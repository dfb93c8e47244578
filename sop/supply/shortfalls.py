"""Why the plan falls short: every gap (lost sales, orders delivered late, stock below
safety stock) with the limit that binds it and the cheapest lever that would close it.

A lever's cost is the *extra* cost per unit over making it on regular time: the
overtime premium on the binding resources, the wages and hiring cost of new
workers, the subcontract price less the in-house cost, or pre-building in the
cheapest earlier month (the cheapest free hour there, regular or overtime, plus
holding; `_prebuild_lever`). A lever the data forbids says what to change (hiring
off, `max_hires_per_month` too low); a limit in units (a family's units a month)
has no known cost per unit and says so. Shadow prices and the shared helpers are in
`sop.supply.explain`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.supply.explain import (
    NO_PRICE_AMOUNT,
    TOL_UNITS,
    TOL_VALUE,
    cost_rates,
    money,
    resource_grid,
)
from sop.supply.inputs import INF, PlanInputs
from sop.supply.lp import LpSolution
from sop.supply.policy import SupplyPolicy
from sop.supply.results import (
    AVAILABLE,
    BACKLOG,
    BELOW_SS,
    DEMAND,
    LOAD,
    LOST,
    MAX_OVERTIME,
    OVERTIME,
)
from sop.supply.sku_values import PER_UNIT

MAX_SHORTFALL_ROWS = 300
SHORTFALL_COLUMNS = [
    schema.MONTH,
    schema.FAMILY,
    schema.PLANT,
    "kind",
    "units",
    "binding",
    "binding_month",
    "shadow_price",
    "lever",
    "lever_cost_per_unit",
    "why",
]
UNKNOWN_COST = "cost not known: a limit in units, not hours"
_NOT_WORTH = {
    "lost sales": "serving it would cost more than it earns",
    "backlog": "delivering it late costs less than making it in time",
    "below safety stock": "holding more stock would cost more than the safety-stock penalty",
}


def _levers(
    inp: PlanInputs,
    sol: LpSolution,
    ru_g: dict[str, np.ndarray],
    policy: SupplyPolicy,
    i: int,
    t: int,
    res_b: np.ndarray,
    units: float,
) -> list[tuple[float, str]]:
    """(extra cost per unit, text) of each lever that could close `units` of item i
    in month t, where the resources `res_b` bind."""
    reg, otr, line = cost_rates(inp)
    a = inp.hours[i].toarray().ravel()
    names, month = inp.res[schema.RESOURCE].to_numpy(), (lambda k: fmt.month(inp.months[k]))
    out: list[tuple[float, str]] = []
    in_units = res_b[inp.per[res_b] == PER_UNIT]
    if len(in_units):  # a family's units a month: no overtime, more capacity or sooner
        fams = ", ".join(str(inp.res[schema.NAME].iloc[r]) for r in in_units)
        out.append((INF, f"raise units_per_month of {fams} in family_capacity for {month(t)}"))
    # a shut line (no regular hours that month) can work no overtime either
    elif len(res_b) and (ru_g[AVAILABLE][res_b, t] > 1e-6).all():
        prem = np.where(line, np.maximum(otr - reg, 0), otr)[res_b]
        where = ", ".join(f"{names[r]} +{units * a[r]:,.0f} h" for r in res_b)
        maxed = (ru_g[OVERTIME][res_b, t] >= ru_g[MAX_OVERTIME][res_b, t] - 1e-6).any()
        verb = (
            "allow overtime"
            if not policy.overtime_allowed
            else "raise the overtime cap"
            if maxed
            else "add overtime"
        )
        out.append((float(prem @ a[res_b]), f"{verb} in {month(t)} ({where})"))
    for r in res_b[~line[res_b]]:  # a labour pool binds: more people from month t
        out.append(_people_lever(inp, ru_g, policy, (r, t), units, float(a[r]), float(reg[r])))
    fam = inp.items[schema.FAMILY].iloc[i]
    in_house = inp.material[i, t] + float(a[line] @ reg[line])
    for o in np.flatnonzero(inp.sub[schema.FAMILY].to_numpy() == fam):
        opt = inp.sub.iloc[o]
        cap, used = inp.sub_cap[o, t], sol.values["SUB"][inp.sub_pairs[:, 1] == o][:, t].sum()
        how = (
            "allow subcontracting"
            if not policy.subcontract_allowed
            else f"raise the cap of {opt[schema.OPTION]} ({cap:,.0f}/month)"
            if used >= cap - 1e-6
            else f"buy more from {opt[schema.OPTION]}"
        )
        price = inp.sub_price[(inp.sub_pairs[:, 0] == i) & (inp.sub_pairs[:, 1] == o)]
        out.append(
            (float(price[0] - in_house), f"subcontract {units:,.0f} units in {month(t)}: {how}")
        )
    prebuild = _prebuild_lever(inp, sol, ru_g, i, t, units)
    return out + ([prebuild] if prebuild else [])


def _prebuild_lever(
    inp: PlanInputs,
    sol: LpSolution,
    ru_g: dict[str, np.ndarray],
    i: int,
    t: int,
    units: float,
) -> tuple[float, str] | None:
    """(extra cost per unit, text) of making item i in the cheapest earlier month and
    holding it until month t; None when no earlier month has a free hour on the whole
    route (and free supplier capacity).

    A unit made in month v costs, over making it on regular time in month t, what the
    cheapest hour still free costs on each resource of its route that month: nothing
    extra while the resource has spare regular hours, the overtime premium (a line's
    overtime rate less its regular rate, a labour pool's whole overtime rate) once it is
    full on regular time and has overtime left; plus any change in the material cost,
    plus the holding cost for the t - v months it waits. The free quantity is what the
    dearest tier allows. The earlier month's shadow prices are not used: they price the
    hour at what the plan already makes with it, so taking it would move a gap, not
    close one; every other lever is likewise costed as extra money spent."""
    reg, otr, line = cost_rates(inp)
    prem = np.nan_to_num(np.where(line, np.maximum(otr - reg, 0.0), otr))
    a = inp.hours[i].toarray().ravel()
    route = np.flatnonzero(a > 0)
    fam = inp.items[schema.FAMILY].iloc[i]
    mats = np.flatnonzero(inp.mat[schema.FAMILY].to_numpy() == fam)
    best = None  # (cost, units free, month, on overtime)
    for v in range(t - 1, -1, -1):
        load = ru_g[LOAD][route, v]
        spare = np.nan_to_num(ru_g[AVAILABLE][route, v] - load)
        ot_left = np.nan_to_num(ru_g[MAX_OVERTIME][route, v] - ru_g[OVERTIME][route, v])
        regular = spare >= TOL_UNITS * a[route]  # a free regular hour, per resource
        free = float(np.min(np.where(regular, spare, ot_left) / a[route], initial=np.inf))
        if len(mats):
            made = sol.values["X"][inp.mat_pairs[np.isin(inp.mat_pairs[:, 1], mats), 0], v]
            free = min(free, float(np.min(inp.mat_cap[mats, v])) - float(made.sum()))
        if free < TOL_UNITS:
            continue
        hours = float(prem[route][~regular] @ a[route][~regular])
        cost = (
            hours + float(inp.material[i, v] - inp.material[i, t]) + float(inp.hold[i, v] * (t - v))
        )
        if best is None or cost < best[0] - 1e-9:  # ties: the latest month
            best = (cost, free, v, hours > 1e-9)
    if best is None:
        return None
    cost, free, v, overtime = best
    how = " on overtime" if overtime else ""
    return (
        cost,
        f"pre-build {min(units, free):,.0f} units in {fmt.month(inp.months[v])}{how} and hold them",
    )


def _people_lever(
    inp: PlanInputs,
    ru_g: dict[str, np.ndarray],
    policy: SupplyPolicy,
    cell: tuple[int, int],
    units: float,
    hours: float,
    rate: float,
) -> tuple[float, str]:
    """(extra cost per unit, text) of making `units` more with labour pool r in month t
    (`cell`), `hours` a unit at `rate` an hour: lay off fewer people in a month the
    plan lays off (never hire then), else hire, saying first what must change to allow
    it: hiring switched on, `max_hires_per_month` raised where the data caps it below
    the people the gap needs (the plan's own hires that month count against the cap)."""
    r, t = cell
    q = int(np.flatnonzero(inp.labour == r)[0])
    wf = inp.workforce.iloc[q]
    name, when = inp.res[schema.RESOURCE].iloc[r], fmt.month(inp.months[t])
    hpw, left = float(wf[schema.HOURS_PER_WORKER]), inp.T - t
    laid = float(np.nan_to_num(ru_g["layoffs"][r, t]))
    people = units * hours / hpw
    if laid > 1e-6:
        return (
            hours * rate,
            f"lay off {min(people, laid):,.1f} fewer worker(s) from {name} in {when} "
            f"(the plan lays off {laid:,.1f} then)",
        )
    per_hour = rate + float(np.nan_to_num(wf[schema.HIRING_COST])) / (hpw * left)
    steps = [] if policy.hiring_allowed else ["allow hiring"]
    cap = float(wf.get(schema.MAX_HIRES_PER_MONTH, np.nan))
    room = cap - float(np.nan_to_num(ru_g["hires"][r, t]))  # NaN cap: no limit
    if people > room + 1e-6:  # the data caps hiring below what the gap needs
        steps.append(f"raise max_hires_per_month of {name} ({cap:,g} today)")
    how = " and ".join(steps + ["hire"])
    return hours * per_hour, f"{how} {people:,.1f} worker(s) for {name} from {when}"


def _no_lever(inp: PlanInputs, ru_g: dict[str, np.ndarray], res_b: np.ndarray, t: int) -> str:
    """What to say when no lever can close a gap: a shut line must reopen."""
    names = inp.res[schema.RESOURCE].to_numpy()
    shut = [names[r] for r in res_b if ru_g[AVAILABLE][r, t] <= 1e-6]
    if shut:
        return (
            f"reopen {', '.join(shut)} in {fmt.month(inp.months[t])} (shut that month; "
            "no other lever is open)"
        )
    return "add capacity (no overtime, hiring, subcontracting or spare month is open)"


def _per_unit(cost: float, currency: str) -> str:
    """' (+€3.20/unit)': a lever's extra cost per unit; '' when it has none."""
    if not np.isfinite(cost):
        return ""
    return f" ({'+' if cost >= 0 else '-'}{fmt.symbol(currency)}{abs(cost):,.2f}/unit)"


def _gap_cost(
    inp: PlanInputs, policy: SupplyPolicy, kind: str, i: int, t: int, currency: str
) -> str:
    """What one unit of a gap costs the plan, as text."""
    p = float(inp.price[i, t])
    if not np.isfinite(p):
        return NO_PRICE_AMOUNT
    if kind == "below safety stock":
        return f"{money(policy.safety_stock_penalty_pct / 100 * p, currency)}/unit a month"
    if kind == "backlog":
        return f"{money(policy.backlog_cost_pct / 100 * p, currency)}/unit a month late"
    made = float(inp.material[i, t])
    return (
        f"its margin plus {money(policy.lost_sales_penalty_pct / 100 * p, currency)} "
        f"goodwill per unit (price {money(p, currency)}, material {money(made, currency)})"
    )


def _gap_cells(arr: dict[str, np.ndarray]) -> list[tuple[str, int, int, float]]:
    """(kind, item, month, units) of every gap of at least `TOL_UNITS`, largest first.

    A "backlog" gap is the units of the month's own orders not delivered in it: the
    month's orders less its lost sales, at most the backlog at the month end (deliveries
    serve the oldest orders first, `sop.supply.service`). So every month that ends with
    a backlog has a row, not only the months it grows, and the rows add up to the units
    ordered and delivered late: lost sales + backlog rows = units ordered - units
    delivered on time (the on-time KPI). At most `MAX_SHORTFALL_ROWS`, keeping the gaps
    customers feel (lost sales, then backlog) before stock below safety stock."""
    ordered = np.clip(arr[DEMAND] - arr[LOST], 0, None)
    gaps = {
        "lost sales": arr[LOST],
        "backlog": np.minimum(ordered, np.clip(arr[BACKLOG], 0, None)),
        "below safety stock": arr[BELOW_SS],
    }
    cells = [
        (kind, i, t, a[i, t])
        for kind, a in gaps.items()
        for i, t in zip(*np.nonzero(a >= TOL_UNITS))
    ]
    kept = sorted(cells, key=lambda c: (c[0] == "below safety stock", -c[3]))
    return sorted(kept[:MAX_SHORTFALL_ROWS], key=lambda c: -c[3])


def _full_or_shut(inp: PlanInputs, ru_g: dict[str, np.ndarray], r: int, t: int) -> str:
    """' is full', or why resource r has no hours in month t: a shut line, or a labour
    pool without workers."""
    if ru_g[AVAILABLE][r, t] > 1e-6:
        return " is full"
    if inp.res[schema.KIND].iloc[r] == schema.KIND_LINE:
        return " is shut that month (no hours)"
    return " has no workers that month (no hours)"


def _binding_limits(
    inp: PlanInputs,
    sol: LpSolution,
    ru_g: dict[str, np.ndarray],
    label: dict[str, str],
    i: int,
    t: int,
) -> tuple[np.ndarray, list[tuple[float, str, str, float, str]]]:
    """(the resources of item i's route that bind in month t, every binding limit as
    (value of a unit there, code, text, shadow price, per hour or unit)); a supplier
    cap of the item's family, when one binds, comes last."""
    shadow, mat_dual = sol.duals["CAP"], sol.duals["MATC"]
    names = inp.res[schema.RESOURCE].to_numpy()
    a = inp.hours[i].toarray().ravel()
    route = np.flatnonzero(a > 0)
    res_b = route[shadow[route, t] > TOL_VALUE]
    # without a price for every item the duals rank the limits but are not money
    shown = shadow if inp.priced else np.full_like(shadow, np.nan)
    cands = [
        (
            shadow[r, t] * a[r],
            names[r],
            f"{names[r]} ({label[names[r]]})" + _full_or_shut(inp, ru_g, r, t),
            shown[r, t],
            inp.per[r],
        )
        for r in res_b
    ]
    family = inp.items[schema.FAMILY].iloc[i]
    for o in np.flatnonzero(inp.mat[schema.FAMILY].to_numpy() == family):
        if mat_dual[o, t] > TOL_VALUE:
            opt = inp.mat[schema.OPTION].iloc[o]
            value = mat_dual[o, t] if inp.priced else np.nan
            cands.append((mat_dual[o, t], opt, f"the supplier cap {opt} is full", value, "unit"))
    return res_b, cands


def _economic_gap(inp: PlanInputs, kind: str, i: int, t: int, units: float, what: str) -> tuple:
    """The row of a gap no limit binds: the plan chose it as cheaper than closing it."""
    item = inp.items.iloc[i]
    return (
        inp.months[t],
        item[schema.FAMILY],
        item[schema.PLANT],
        kind,
        units,
        "",
        pd.NaT,
        0.0,
        "",
        np.nan,
        f"{what}: no limit binds that month; {_NOT_WORTH[kind]} under the current settings.",
    )


def shortfalls(
    inp: PlanInputs,
    sol: LpSolution,
    arr: dict[str, np.ndarray],
    ru: pd.DataFrame,
    policy: SupplyPolicy,
    currency: str = "EUR",
) -> pd.DataFrame:
    """Every item-month with lost sales, orders delivered late or stock below safety
    stock, and why.

    Columns: month, family, plant, kind (lost sales / backlog / below safety
    stock), units (for backlog: the month's orders delivered after it, `_gap_cells`;
    lost sales + backlog units = units ordered - units delivered on time), binding
    (the resource or supplier cap that binds that month; empty when none does and the
    gap is an economic choice), binding_month, shadow_price (money per hour, or per
    unit for a cap), lever (the cheapest one), lever_cost_per_unit (extra money per
    unit over making it on regular time, plus a month's holding for a safety-stock
    gap; NaN when not known: no lever, or only a limit in units to raise), why (a
    sentence). Largest
    first, at most `MAX_SHORTFALL_ROWS` rows.
    """
    cells = _gap_cells(arr)
    ru_g = {
        c: resource_grid(ru, inp, c)
        for c in (AVAILABLE, MAX_OVERTIME, LOAD, OVERTIME, "layoffs", "hires")
    }
    label = dict(zip(inp.res[schema.RESOURCE], inp.res[schema.NAME]))
    rows = []
    for kind, i, t, units in cells:
        item = inp.items.iloc[i]
        res_b, cands = _binding_limits(inp, sol, ru_g, label, i, t)
        what = f"{units:,.0f} units of {item[schema.FAMILY]} ({item[schema.PLANT]}) " + (
            f"ordered in {fmt.month(inp.months[t])} ship late (backlog)"
            if kind == "backlog"
            else f"{kind} in {fmt.month(inp.months[t])}"
        )
        if not cands:
            rows.append(_economic_gap(inp, kind, i, t, units, what))
            continue
        # a supplier cap binds (it comes last): overtime cannot help
        capped = len(cands) > len(res_b)
        _, code, text, sp_, per = cands[-1] if capped else max(cands, key=lambda c: c[0])
        levers = sorted(
            _levers(inp, sol, ru_g, policy, i, t, res_b[:0] if capped else res_b, units)
        )
        cost, lever = levers[0] if levers else (np.nan, _no_lever(inp, ru_g, res_b, t))
        if np.isinf(cost):  # a limit in units: what a unit more costs is not in the data
            cost, lever = np.nan, f"{lever} ({UNKNOWN_COST})"
        if kind == "below safety stock":  # closing it also means holding the unit
            cost += float(inp.hold[i, t])
        why = (
            f"{what}: {text}; one more {per} there is worth {money(sp_, currency)}. "
            f"Cheapest lever: {lever}{_per_unit(cost, currency)}; "
            f"the gap costs {_gap_cost(inp, policy, kind, i, t, currency)}."
        )
        rows.append(
            (
                inp.months[t],
                item[schema.FAMILY],
                item[schema.PLANT],
                kind,
                units,
                code,
                inp.months[t],
                sp_,
                lever,
                cost,
                why,
            )
        )
    return pd.DataFrame(rows, columns=SHORTFALL_COLUMNS)
