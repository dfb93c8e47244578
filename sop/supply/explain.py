"""Why the plan falls short: bottlenecks with shadow prices, shortfalls with their
binding resource and the cheapest lever that would close them, and the
explanation of settings that cannot all be met.

A shadow price is the margin one more unit of a limited thing would add: an hour
on a resource in a month (from the LP dual of its capacity row), a unit of a
supplier's or subcontractor's monthly cap. A lever's cost is the *extra* cost per
unit over making it on regular time: the overtime premium on the binding
resources, the subcontract price less the in-house cost, the holding cost of
pre-building in the latest month with spare hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.supply.inputs import PlanInputs
from sop.supply.lp import LpSolution
from sop.supply.policy import SupplyPolicy
from sop.supply.results import (
    AVAILABLE,
    BACKLOG,
    BELOW_SS,
    LOAD,
    LOST,
    MAX_OVERTIME,
    OVERTIME,
    SHADOW,
    _lag,
)

TOL_UNITS = 0.5  # shortfalls under half a unit are rounding, not gaps
TOL_VALUE = 1e-4  # shadow prices under this are zero
MAX_SHORTFALL_ROWS = 300
BOTTLENECK_COLUMNS = [
    "constraint",
    "resource",
    "name",
    "plant",
    "month",
    "shadow_price",
    "per",
    "used",
    "limit",
    "overtime_hours",
    "max_overtime_hours",
    "lever",
]
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


def money(x: float, currency: str = "EUR") -> str:
    """Money for unit prices: cents below 10 (€0.58), whole units above (€1,234)."""
    if abs(x) < 10:
        return f"{'-' if x < 0 else ''}{fmt.symbol(currency)}{abs(x):,.2f}"
    return fmt.money(x, currency, compact=False)


def _rates(inp: PlanInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    reg = inp.res[schema.REGULAR_COST_PER_HOUR].to_numpy(dtype=float)
    otr = inp.res[schema.OVERTIME_COST_PER_HOUR].to_numpy(dtype=float)
    line = (inp.res[schema.KIND] == schema.KIND_LINE).to_numpy()
    return reg, otr, line


def _grid(ru: pd.DataFrame, inp: PlanInputs, col: str) -> np.ndarray:
    """A resource_use column as an (m, T) array in `inp.res` order."""
    g = ru.pivot(index=schema.RESOURCE, columns=schema.MONTH, values=col)
    return g.reindex(index=inp.res[schema.RESOURCE], columns=inp.months).to_numpy(dtype=float)


def bottlenecks(
    inp: PlanInputs, sol: LpSolution, ru: pd.DataFrame, policy: SupplyPolicy, currency: str = "EUR"
) -> pd.DataFrame:
    """Every binding limit, highest shadow price first.

    Columns: constraint (capacity / material cap / subcontract cap), resource
    (or option), name, plant (or family), month, shadow_price (money), per (hour
    or unit), used, limit, overtime_hours, max_overtime_hours, lever (text).
    """

    def money_(x):
        return money(x, currency)

    reg, otr, line = _rates(inp)
    ot_val = sol.duals["OT"]
    rows = []
    hot = ru[ru[SHADOW] > TOL_VALUE]
    pos = pd.Index(inp.res[schema.RESOURCE])
    mpos = inp.months
    for r in hot.itertuples(index=False):
        k, t = pos.get_loc(r.resource), mpos.get_loc(r.month)
        sp_ = r.shadow_price
        prem = max(otr[k] - reg[k], 0.0) if line[k] else otr[k]
        maxed = r.overtime_hours >= r.max_overtime_hours - 1e-6
        if not policy.overtime_allowed:
            lever = (
                f"Overtime is off: an hour here adds {money_(sp_)}; overtime would cost "
                f"{money_(prem)}/h {'extra' if line[k] else ''}."
            )
        elif maxed and line[k]:
            lever = (
                f"Overtime is at its cap ({r.max_overtime_hours:,.0f} h); each extra "
                f"overtime hour would add {money_(max(ot_val[k, t], 0))}."
            )
        elif maxed and r.max_overtime_hours <= 0:
            lever = (
                "No overtime is available; hire (hiring is "
                f"{'off' if not policy.hiring_allowed else 'at its limit or dearer'})."
            )
        elif maxed:
            lever = (
                "Overtime is at its cap; hire (hiring is "
                f"{'off' if not policy.hiring_allowed else 'at its limit or dearer'}) "
                "or raise overtime per worker."
            )
        elif r.overtime_hours > 1e-6:
            lever = (
                f"Working {r.overtime_hours:,.0f} of {r.max_overtime_hours:,.0f} overtime "
                f"hours: one more regular hour saves the {money_(prem)}/h overtime cost."
            )
        else:
            lever = (
                f"Full on regular time; overtime costs {money_(prem)}/h "
                f"{'extra' if line[k] else ''}, more than the {money_(sp_)} an hour adds, "
                "so the plan pre-builds or falls short instead."
            )
        rows.append(
            (
                "capacity",
                r.resource,
                r.name,
                r.plant,
                r.month,
                sp_,
                "hour",
                r.load_hours,
                r.available_hours,
                r.overtime_hours,
                r.max_overtime_hours,
                lever,
            )
        )
    for kind, opts, caps, dual in (
        ("material cap", inp.mat, inp.mat_cap, sol.duals["MATC"]),
        ("subcontract cap", inp.sub, inp.sub_cap, sol.duals["SUBC"]),
    ):
        for o, t in zip(*np.nonzero(dual > TOL_VALUE)):
            opt = opts.iloc[o]
            what = (
                "more supply from the supplier"
                if kind == "material cap"
                else "a higher subcontract cap"
            )
            rows.append(
                (
                    kind,
                    opt[schema.OPTION],
                    f"{opt[schema.FAMILY]} {kind}",
                    opt[schema.FAMILY],
                    inp.months[t],
                    dual[o, t],
                    "unit",
                    caps[o, t],
                    caps[o, t],
                    np.nan,
                    np.nan,
                    f"Negotiate {what}: each unit adds {money_(dual[o, t])}.",
                )
            )
    out = pd.DataFrame(rows, columns=BOTTLENECK_COLUMNS)
    return out.sort_values(["shadow_price", "month"], ascending=[False, True], ignore_index=True)


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
    reg, otr, line = _rates(inp)
    a = inp.hours[i].toarray().ravel()
    route = np.flatnonzero(a > 0)
    names, month = inp.res[schema.RESOURCE].to_numpy(), (lambda k: fmt.month(inp.months[k]))
    out: list[tuple[float, str]] = []
    # a shut line (no regular hours that month) can work no overtime either
    if len(res_b) and (ru_g[AVAILABLE][res_b, t] > 1e-6).all():
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
    for r in res_b[~line[res_b]]:  # a labour pool binds: hire from month t
        q = int(np.flatnonzero(inp.labour == r)[0])
        wf = inp.workforce.iloc[q]
        hpw, left = float(wf[schema.HOURS_PER_WORKER]), inp.T - t
        per_hour = reg[r] + float(np.nan_to_num(wf[schema.HIRING_COST])) / (hpw * left)
        how = "allow hiring and hire" if not policy.hiring_allowed else "hire"
        out.append(
            (
                float(a[r] * per_hour),
                f"{how} {units * a[r] / hpw:,.1f} worker(s) for {names[r]} from {month(t)}",
            )
        )
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
    mats = np.flatnonzero(inp.mat[schema.FAMILY].to_numpy() == fam)
    for v in range(t - 1, -1, -1):
        slack = ru_g[AVAILABLE][route, v] + ru_g[MAX_OVERTIME][route, v] - ru_g[LOAD][route, v]
        free = float(np.min(slack / a[route], initial=np.inf))
        if len(mats):
            made = sol.values["X"][inp.mat_pairs[np.isin(inp.mat_pairs[:, 1], mats), 0], v]
            free = min(free, float(np.min(inp.mat_cap[mats, v])) - float(made.sum()))
        if free >= TOL_UNITS:
            out.append(
                (
                    float(inp.hold[i, v] * (t - v)),
                    f"pre-build {min(units, free):,.0f} units in {month(v)} and hold them",
                )
            )
            break
    return out


def _gap_cost(
    inp: PlanInputs, policy: SupplyPolicy, kind: str, i: int, t: int, currency: str
) -> str:
    """What one unit of a gap costs the plan, as text."""
    p = float(inp.price[i, t])
    if kind == "below safety stock":
        return f"{money(policy.safety_stock_penalty_pct / 100 * p, currency)}/unit a month"
    if kind == "backlog":
        return f"{money(policy.backlog_cost_pct / 100 * p, currency)}/unit a month late"
    made = float(inp.material[i, t])
    return (
        f"its margin plus {money(policy.lost_sales_penalty_pct / 100 * p, currency)} "
        f"goodwill per unit (price {money(p, currency)}, material {money(made, currency)})"
    )


_NOT_WORTH = {
    "lost sales": "serving it would cost more than it earns",
    "backlog": "delivering it late costs less than making it in time",
    "below safety stock": "holding more stock would cost more than the safety-stock penalty",
}


def shortfalls(
    inp: PlanInputs,
    sol: LpSolution,
    arr: dict[str, np.ndarray],
    ru: pd.DataFrame,
    policy: SupplyPolicy,
    currency: str = "EUR",
) -> pd.DataFrame:
    """Every item-month with lost sales, new backlog or stock below safety stock, and why.

    Columns: month, family, plant, kind (lost sales / backlog / below safety
    stock), units, binding (the resource or supplier cap that binds that month;
    empty when none does and the gap is an economic choice), binding_month,
    shadow_price (money per hour, or per unit for a cap), lever (the cheapest
    one), lever_cost_per_unit (extra money per unit over making it on regular time,
    plus a month's holding for a safety-stock gap), why (a sentence). Largest
    first, at most `MAX_SHORTFALL_ROWS` rows.
    """
    gaps = {
        "lost sales": arr[LOST],
        "backlog": np.clip(arr[BACKLOG] - _lag(arr[BACKLOG]), 0, None),
        "below safety stock": arr[BELOW_SS],
    }
    cells = [
        (kind, i, t, a[i, t])
        for kind, a in gaps.items()
        for i, t in zip(*np.nonzero(a >= TOL_UNITS))
    ]
    cells = sorted(cells, key=lambda c: -c[3])[:MAX_SHORTFALL_ROWS]
    ru_g = {c: _grid(ru, inp, c) for c in (AVAILABLE, MAX_OVERTIME, LOAD, OVERTIME)}
    shadow, mat_dual = sol.duals["CAP"], sol.duals["MATC"]
    names = inp.res[schema.RESOURCE].to_numpy()
    label = dict(zip(inp.res[schema.RESOURCE], inp.res[schema.NAME]))

    def money_(x):
        return money(x, currency)

    rows = []
    for kind, i, t, units in cells:
        item = inp.items.iloc[i]
        a = inp.hours[i].toarray().ravel()
        route = np.flatnonzero(a > 0)
        res_b = route[shadow[route, t] > TOL_VALUE]
        cands = [
            (
                shadow[r, t] * a[r],
                names[r],
                f"{names[r]} ({label[names[r]]})"
                + (
                    " is shut that month (no hours)"
                    if ru_g[AVAILABLE][r, t] <= 1e-6
                    else " is full"
                ),
                shadow[r, t],
                "hour",
            )
            for r in res_b
        ]
        for o in np.flatnonzero(inp.mat[schema.FAMILY].to_numpy() == item[schema.FAMILY]):
            if mat_dual[o, t] > TOL_VALUE:
                opt = inp.mat[schema.OPTION].iloc[o]
                cands.append(
                    (mat_dual[o, t], opt, f"the supplier cap {opt} is full", mat_dual[o, t], "unit")
                )
        what = (
            f"{units:,.0f} units of {item[schema.FAMILY]} ({item[schema.PLANT]}) {kind} in "
            f"{fmt.month(inp.months[t])}"
        )
        if not cands:
            rows.append(
                (
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
                    f"{what}: no limit binds that month; "
                    f"{_NOT_WORTH[kind]} under the current settings.",
                )
            )
            continue
        capped = cands[-1][4] == "unit"  # a supplier cap binds: overtime cannot help
        _, code, text, sp_, per = cands[-1] if capped else max(cands, key=lambda c: c[0])
        levers = sorted(
            _levers(inp, sol, ru_g, policy, i, t, res_b[:0] if capped else res_b, units)
        )
        cost, lever = levers[0] if levers else (np.nan, "add capacity")
        if kind == "below safety stock":  # closing it also means holding the unit
            cost += float(inp.hold[i, t])
        why = (
            f"{what}: {text}; one more {per} there is worth {money_(sp_)}. "
            f"Cheapest lever: {lever} (+{fmt.symbol(currency)}{cost:,.2f}/unit); "
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


def explain_infeasible(
    inp: PlanInputs, sol: LpSolution, policy: SupplyPolicy, currency: str = "EUR"
) -> tuple[str, pd.DataFrame]:
    """The settings that cannot be met (from the elastic variables), as text and rows."""
    E, L = sol.values["E"][:, 0], sol.values["L"]
    shadow = sol.duals["CAP"]
    names = inp.res[schema.RESOURCE].to_numpy()
    rows, lines = [], []

    def binding_text(i: int, upto: int) -> str:
        route = np.flatnonzero(inp.hours[i].toarray().ravel() > 0)
        hot = [
            (names[r], inp.months[t])
            for t in range(upto + 1)
            for r in route
            if shadow[r, t] > TOL_VALUE
        ]
        if not hot:
            return "no capacity is left to make more"
        res = sorted({r for r, _ in hot})
        months = sorted({m for _, m in hot})
        return (
            f"{', '.join(res)} {'is' if len(res) == 1 else 'are'} full in "
            f"{len(months)} month(s) ({fmt.month(months[0])} to {fmt.month(months[-1])}),"
            " including the overtime and subcontracting allowed"
        )

    for i in np.flatnonzero(E >= TOL_UNITS):
        item = inp.items.iloc[i]
        have = sol.values["I"][i, -1]
        lines.append(
            f"Minimum ending inventory (`ending_inventory = "
            f"{policy.ending_inventory}`): {item[schema.FAMILY]} ({item[schema.PLANT]}) can end "
            f"{fmt.month(inp.months[-1])} with at most {have:,.0f} units, "
            f"{E[i]:,.0f} short of the {have + E[i]:,.0f} required: "
            f"{binding_text(i, inp.T - 1)}."
        )
        rows.append(
            (inp.months[-1], item[schema.FAMILY], item[schema.PLANT], "ending inventory", E[i])
        )
    if not policy.lost_sales_allowed:
        for i in np.flatnonzero(L.sum(axis=1) >= TOL_UNITS):
            item = inp.items.iloc[i]
            ts = np.flatnonzero(L[i] >= TOL_UNITS)
            lines.append(
                f"No lost sales (`lost_sales_allowed = false`): {item[schema.FAMILY]} "
                f"({item[schema.PLANT]}) cannot serve {L[i].sum():,.0f} units of demand "
                f"({', '.join(fmt.month(inp.months[t]) for t in ts[:6])}"
                f"{' ...' if len(ts) > 6 else ''}): {binding_text(i, int(ts[-1]))}."
            )
            rows += [
                (inp.months[t], item[schema.FAMILY], item[schema.PLANT], "unmet demand", L[i, t])
                for t in ts
            ]
    text = (
        "These settings cannot all be met:\n"
        + "\n".join(f"- {s}" for s in lines)
        + "\nRelax the setting named above (or allow backlog, lost sales, overtime or "
        "subcontracting), or add capacity."
    )
    frame = pd.DataFrame(rows, columns=[schema.MONTH, schema.FAMILY, schema.PLANT, "kind", "units"])
    return text, frame


def is_infeasible(sol: LpSolution, policy: SupplyPolicy) -> bool:
    """True when an elastic (hard) setting had to be violated."""
    if (sol.values["E"] >= TOL_UNITS).any():
        return True
    return not policy.lost_sales_allowed and bool((sol.values["L"].sum(axis=1) >= TOL_UNITS).any())
