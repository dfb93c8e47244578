"""Why the plan falls short: every gap (lost sales, orders delivered late, stock below
safety stock) with the limit that binds it and the cheapest lever that would close it.

This module finds the gaps (`_gap_cells`), the limits that bind them
(`_binding_limits`) and builds the frame with its `why` sentences; the levers and
what each costs are `sop.supply.remedies` (the rows claim free hours, layoffs to
forgo, hires, subcontract units and supplier capacity in `CLAIM_ORDER`, the frame keeps
its largest-first order: `remedies.Remedies.claim`). A limit in units (a
family's units a month) has no known cost per unit: the row says so and leaves the
cost blank.
Shadow prices and the shared helpers are in `sop.supply.explain`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.supply import remedies
from sop.supply.explain import (
    NO_PRICE_AMOUNT,
    TOL_UNITS,
    TOL_VALUE,
    money,
    resource_grid,
)
from sop.supply.inputs import PlanInputs
from sop.supply.lp import LpSolution
from sop.supply.policy import SupplyPolicy
from sop.supply.remedy_text import gap_label
from sop.supply.results import (
    AVAILABLE,
    BACKLOG,
    BELOW_SS,
    DEMAND,
    LOST,
)

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
# the order gaps claim room in (`remedies.Remedies.claim`): what customers feel first
# (lost sales, then orders delivered late), stock below safety stock last; larger first
# within a kind. The frame shows the gaps largest first whatever their kind.
CLAIM_ORDER = ("lost sales", "backlog", "below safety stock")
_NOT_WORTH = {
    "lost sales": "serving it would cost more than it earns",
    "backlog": "delivering it late costs less than making it in time",
    "below safety stock": "holding more stock would cost more than the safety-stock penalty",
}


def _per_unit(cost: float, currency: str) -> str:
    """' (+€3.20/unit)': a lever's extra cost per unit; '' when it has none. The `why`
    sentence puts it next to its label ("Cheapest lever (+€3.20/unit): ..."), never after
    the lever's own brackets."""
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
    sentence). Largest first (the gaps claim room in `CLAIM_ORDER`), at most
    `MAX_SHORTFALL_ROWS` rows.
    """
    cells = _gap_cells(arr)
    ru_g = {c: resource_grid(ru, inp, c) for c in remedies.GRID_COLUMNS}
    label = dict(zip(inp.res[schema.RESOURCE], inp.res[schema.NAME]))
    remedy = remedies.Remedies(inp, sol, ru_g, policy)
    rows: dict[int, tuple] = {}
    for n in sorted(range(len(cells)), key=lambda n: _claim_rank(cells[n])):
        rows[n] = _row(inp, sol, ru_g, label, remedy, policy, currency, *cells[n])
    return pd.DataFrame([rows[n] for n in range(len(cells))], columns=SHORTFALL_COLUMNS)


def _claim_rank(cell: tuple[str, int, int, float]) -> tuple[int, float]:
    """Where a gap (kind, item, month, units) claims room: `CLAIM_ORDER`, larger first."""
    return CLAIM_ORDER.index(cell[0]), -cell[3]


def _row(
    inp: PlanInputs,
    sol: LpSolution,
    ru_g: dict[str, np.ndarray],
    label: dict[str, str],
    remedy: remedies.Remedies,
    policy: SupplyPolicy,
    currency: str,
    kind: str,
    i: int,
    t: int,
    units: float,
) -> tuple:
    """One gap's row of the frame, its lever claimed from `remedy` (the gaps claimed
    before it took their share of the room: `CLAIM_ORDER`)."""
    item = inp.items.iloc[i]
    res_b, cands = _binding_limits(inp, sol, ru_g, label, i, t)
    what = f"{units:,.0f} units of {item[schema.FAMILY]} ({item[schema.PLANT]}) " + (
        f"ordered in {fmt.month(inp.months[t])} ship late (backlog)"
        if kind == "backlog"
        else f"{kind} in {fmt.month(inp.months[t])}"
    )
    if not cands:
        return _economic_gap(inp, kind, i, t, units, what)
    # a supplier cap binds (it comes last): overtime cannot help
    capped = len(cands) > len(res_b)
    _, code, text, sp_, per = cands[-1] if capped else max(cands, key=lambda c: c[0])
    binding = () if capped else tuple(int(r) for r in res_b)
    # the row's own name, as its sentence says it: 'Fam (P1)', a SKU at SKU level
    name = (
        item[schema.SKU]
        if schema.SKU in inp.items
        else f"{item[schema.FAMILY]} ({item[schema.PLANT]})"
    )
    label = gap_label(kind, name, fmt.month(inp.months[t]))
    cost, lever = remedy.claim(remedies.Gap(int(i), int(t), binding, float(units), label))
    if np.isinf(cost):  # a limit in units: what a unit more costs is not in the data
        cost, lever = np.nan, _in_brackets(lever, UNKNOWN_COST)
    if kind == "below safety stock":  # closing it also means holding the unit
        cost += float(inp.hold[i, t])
    why = (
        f"{what}: {text}; one more {per} there is worth {money(sp_, currency)}. "
        f"Cheapest lever{_per_unit(cost, currency)}: {lever}; "
        f"the gap costs {_gap_cost(inp, policy, kind, i, t, currency)}."
    )
    month = inp.months[t]
    fam, plant = item[schema.FAMILY], item[schema.PLANT]
    return (month, fam, plant, kind, units, code, month, sp_, lever, cost, why)


def _in_brackets(text: str, note: str) -> str:
    """`text` with `note` added in brackets: inside its closing bracket when it ends with
    one ('(units_per_month in family_capacity; cost not known ...)'), not a second
    bracket after it."""
    return f"{text[:-1]}; {note})" if text.endswith(")") else f"{text} ({note})"
