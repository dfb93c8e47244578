"""Why the plan is what it is: bottlenecks with shadow prices, and the explanation
of settings that cannot all be met. Shortfalls with their binding limit and the
cheapest lever that would close them are in `sop.supply.shortfalls`.

A shadow price is the margin one more unit of a limited thing would add: an hour
on a resource in a month (from the LP dual of its capacity row), a unit of a
supplier's or subcontractor's monthly cap. The helpers here (unit prices as
money, cost rates, resource-month grids, tolerances) are shared with
`sop.supply.shortfalls`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.supply.inputs import PlanInputs
from sop.supply.lp import LpSolution
from sop.supply.policy import SupplyPolicy
from sop.supply.results import SHADOW

TOL_UNITS = 0.5  # shortfalls under half a unit are rounding, not gaps
TOL_VALUE = 1e-4  # shadow prices under this are zero
NO_PRICE_AMOUNT = "an unknown amount (no price loaded)"
# the bottleneck table's `constraint` (`bottlenecks`): a resource's hours or units a
# month, a supplier's (material) cap, a subcontractor's cap
CAPACITY = "capacity"
MATERIAL_CAP = "material cap"
SUBCONTRACT_CAP = "subcontract cap"
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


def money(x: float, currency: str = "EUR") -> str:
    """Money for unit prices: cents below 10 (€0.58), whole units above (€1,234); NaN
    (a value that needs a price no SKU has) as "an unknown amount (no price loaded)"."""
    if not np.isfinite(x):
        return NO_PRICE_AMOUNT
    if abs(x) < 10:
        return f"{'-' if x < 0 else ''}{fmt.symbol(currency)}{abs(x):,.2f}"
    return fmt.money(x, currency, compact=False)


def binding(ru: pd.DataFrame) -> pd.Series:
    """The resource-months whose limit binds: a positive shadow price, or an unknown
    one (NaN: no price loaded, `sop.supply.results.shadow_prices`)."""
    return (ru[SHADOW] > TOL_VALUE) | ru[SHADOW].isna()


def cost_rates(inp: PlanInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(regular, overtime cost per hour, is a line) of each resource, in `inp.res` order."""
    reg = inp.res[schema.REGULAR_COST_PER_HOUR].to_numpy(dtype=float)
    otr = inp.res[schema.OVERTIME_COST_PER_HOUR].to_numpy(dtype=float)
    line = (inp.res[schema.KIND] == schema.KIND_LINE).to_numpy()
    return reg, otr, line


def resource_grid(ru: pd.DataFrame, inp: PlanInputs, col: str) -> np.ndarray:
    """A resource_use column as an (m, T) array in `inp.res` order."""
    g = ru.pivot(index=schema.RESOURCE, columns=schema.MONTH, values=col)
    return g.reindex(index=inp.res[schema.RESOURCE], columns=inp.months).to_numpy(dtype=float)


# where a labour pool's hiring limit is set in the data
_HIRES = f"{schema.MAX_HIRES_PER_MONTH} in {schema.WORKFORCE}"


def _hiring_text(policy: SupplyPolicy, max_hires: float, hires: float) -> str:
    """What hiring can do for a full labour pool this month: allow it (off), raise its
    cap (`max_hires_per_month` is 0, or all used), or hire (the plan found it dearer)."""
    if not policy.hiring_allowed:
        return "allow hiring (hiring is off)"
    if np.isfinite(max_hires) and max_hires <= 1e-9:
        return f"hiring is capped at 0 people a month: raise the hiring limit ({_HIRES})"
    if np.isfinite(max_hires) and hires >= max_hires - 1e-6:
        return (
            f"hiring is at its cap of {max_hires:,.1f} people a month: raise the hiring "
            f"limit ({_HIRES})"
        )
    return "hire (the plan finds a hire dearer than the hours it adds)"


def _capacity_lever(
    r: Any,
    prem: float,
    line: bool,
    ot_value: float,
    policy: SupplyPolicy,
    currency: str,
    max_hires: float = np.inf,
) -> str:
    """What would relieve a full resource-month `r` (a resource_use row), as text;
    `prem` is what an overtime hour costs over a regular one, `ot_value` the value
    of one more overtime hour, `max_hires` a labour pool's hiring cap a month (inf:
    none)."""
    sp_ = r.shadow_price
    extra = " extra" if line else ""  # a line's overtime costs its premium; a pool's, all
    if getattr(r, "per", "hour") == "unit":
        return (
            f"The family makes at most {r.available_hours:,.0f} units this month; a unit "
            f"more would add {money(sp_, currency)}. Raise its monthly unit limit "
            f"({schema.UNITS_PER_MONTH} in {schema.FAMILY_CAPACITY}), or make the units in "
            "an earlier month."
        )
    maxed = r.overtime_hours >= r.max_overtime_hours - 1e-6
    if r.available_hours <= 1e-6 and line:
        return (
            f"The line is shut this month (no regular hours, so no overtime): an hour here "
            f"would add {money(sp_, currency)}; reopen it or make the units in another month."
        )
    if not line and r.layoffs > 1e-6:  # never advise hiring in a month that lays off
        return (
            f"The plan lays off {fmt.count(r.layoffs, 'worker', digits=1)} here this month: "
            "laying off "
            f"fewer would add hours, each worth {money(sp_, currency)}, at the wages of "
            "those kept."
        )
    if not policy.overtime_allowed:
        return (
            f"Overtime is off: an hour here adds {money(sp_, currency)}; overtime would cost "
            f"{money(prem, currency)}/h{extra}."
        )
    if maxed and line:
        return (
            f"Overtime is at its cap ({r.max_overtime_hours:,.0f} h); each extra "
            f"overtime hour would add {money(max(ot_value, 0), currency)}."
        )
    if maxed:
        hiring = _hiring_text(policy, max_hires, float(np.nan_to_num(r.hires)))
        if r.max_overtime_hours <= 0:
            return f"No overtime is available; {hiring}."
        return (
            f"Overtime is at its cap; {hiring}, or raise the overtime a worker may work "
            f"({schema.MAX_OVERTIME_PER_WORKER} in {schema.WORKFORCE})."
        )
    if r.overtime_hours > 1e-6:
        return (
            f"Working {r.overtime_hours:,.0f} of {r.max_overtime_hours:,.0f} overtime "
            f"hours: one more regular hour saves the {money(prem, currency)}/h overtime cost."
        )
    return (
        f"Full on regular time; overtime costs {money(prem, currency)}/h{extra}, more than "
        f"the {money(sp_, currency)} an hour adds, so the plan pre-builds or falls short "
        "instead."
    )


def _hire_caps(inp: PlanInputs) -> np.ndarray:
    """Each resource's `max_hires_per_month` in `inp.res` order (inf: no cap, or a line)."""
    caps = np.full(len(inp.res), np.inf)
    wf = inp.workforce
    if schema.MAX_HIRES_PER_MONTH in wf and len(inp.labour):
        given = wf[schema.MAX_HIRES_PER_MONTH].to_numpy(dtype=float, na_value=np.nan)
        caps[inp.labour] = np.where(np.isnan(given), np.inf, given)
    return caps


def _capacity_rows(
    inp: PlanInputs, sol: LpSolution, ru: pd.DataFrame, policy: SupplyPolicy, currency: str
) -> list[tuple]:
    """A bottleneck row per resource-month with a positive shadow price."""
    reg, otr, line = cost_rates(inp)
    ot_val = sol.duals["OT"]
    rows = []
    hot = ru[binding(ru)]
    pos = pd.Index(inp.res[schema.RESOURCE])
    mpos = inp.months
    hire_caps = _hire_caps(inp)
    for r in hot.itertuples(index=False):
        k, t = pos.get_loc(r.resource), mpos.get_loc(r.month)
        prem = max(otr[k] - reg[k], 0.0) if line[k] else otr[k]
        ot_value = ot_val[k, t] if inp.priced else np.nan
        lever = _capacity_lever(r, prem, line[k], ot_value, policy, currency, hire_caps[k])
        rows.append(
            (
                CAPACITY,
                r.resource,
                r.name,
                r.plant,
                r.month,
                r.shadow_price,
                inp.per[k],
                r.load_hours,
                r.available_hours,
                r.overtime_hours,
                r.max_overtime_hours,
                lever,
            )
        )
    return rows


def cap_name(family: object, kind: str = MATERIAL_CAP) -> str:
    """The name a supplier's or subcontractor's cap goes by on screen: its family and
    kind ('Cooling material cap'), as the binding limits and the lever pickers show it."""
    return f"{family} {kind}".strip()


def _material_caps(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The material-cap rows of the dataset's supply_options that have a code (none
    without supply options, or without an option or option_type column)."""
    so = tables.get(schema.SUPPLY_OPTIONS)
    if so is None or schema.OPTION not in so or schema.OPTION_TYPE not in so:
        return pd.DataFrame({schema.OPTION: []})
    return so.loc[
        (so[schema.OPTION_TYPE] == schema.OPTION_MATERIAL_CAP) & so[schema.OPTION].notna()
    ]


def cap_codes(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The dataset's supplier caps: the codes of its material-cap supply options, as
    text, sorted (empty without any). The one list the lever pickers, the goal's
    supplier lever and the cap names read."""
    return sorted(set(_material_caps(tables)[schema.OPTION].astype(str)))


def cap_names(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Supplier cap code (`cap_codes`) -> its name (`cap_name`: 'Cooling material cap'),
    in code order (empty without any caps; a cap without a family has no name, so it
    goes by its code alone)."""
    caps = _material_caps(tables)
    if schema.FAMILY not in caps:
        return {}
    family = dict(zip(caps[schema.OPTION].astype(str), caps[schema.FAMILY]))
    return {
        code: cap_name(family[code])
        for code in cap_codes(tables)
        if pd.notna(family[code]) and str(family[code]).strip()
    }


def cap_label(code: object, names: Mapping[str, str] | None = None) -> str:
    """A supplier cap as every screen says it: 'CAP-CL-MOTOR · Cooling material cap'
    (code · name, `names` from `cap_names`), the code alone when its name is not known.
    Plain text: escape it (`fmt.md`) where Markdown shows it."""
    code = str(code)
    return f"{code} · {names[code]}" if names and code in names else code


def _option_cap_rows(inp: PlanInputs, sol: LpSolution, currency: str) -> list[tuple]:
    """A bottleneck row per month a supplier's or subcontractor's cap binds."""
    rows = []
    for kind, opts, caps, dual in (
        (MATERIAL_CAP, inp.mat, inp.mat_cap, sol.duals["MATC"]),
        (SUBCONTRACT_CAP, inp.sub, inp.sub_cap, sol.duals["SUBC"]),
    ):
        for o, t in zip(*np.nonzero(dual > TOL_VALUE)):
            opt = opts.iloc[o]
            value = dual[o, t] if inp.priced else np.nan
            what = (
                "more supply from the supplier"
                if kind == MATERIAL_CAP
                else "a higher subcontract cap"
            )
            rows.append(
                (
                    kind,
                    opt[schema.OPTION],
                    cap_name(opt[schema.FAMILY], kind),
                    opt[schema.FAMILY],
                    inp.months[t],
                    value,
                    "unit",
                    caps[o, t],
                    caps[o, t],
                    np.nan,
                    np.nan,
                    f"Negotiate {what}: each unit adds {money(value, currency)}.",
                )
            )
    return rows


def bottlenecks(
    inp: PlanInputs, sol: LpSolution, ru: pd.DataFrame, policy: SupplyPolicy, currency: str = "EUR"
) -> pd.DataFrame:
    """Every binding limit, highest shadow price first.

    Columns: constraint (capacity / material cap / subcontract cap), resource
    (or option), name, plant (or family), month, shadow_price (money), per (hour
    or unit), used, limit, overtime_hours, max_overtime_hours, lever (text).
    """
    rows = _capacity_rows(inp, sol, ru, policy, currency) + _option_cap_rows(inp, sol, currency)
    out = pd.DataFrame(rows, columns=BOTTLENECK_COLUMNS)
    return out.sort_values(["shadow_price", "month"], ascending=[False, True], ignore_index=True)


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
