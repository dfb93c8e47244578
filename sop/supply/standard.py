"""Standard costing of a plan: revenue when it books, cost of goods sold and stock at
standard cost, and the production variances, per item and month.

Standard cost of a unit = material + the hours it takes on every resource (lines and
labour pools) x that resource's standard rate (`PlanInputs` holds them: the item's
material and hours per unit are its SKUs' averages over the horizon, so the standard
is one figure per item for the whole horizon). The standard rate of a line is its
regular rate; of a labour pool, the budget's absorption rate (`sop.supply.absorption`:
the pool's wages over the hours the budget's units need, never below the regular
rate; the regular rate where no budget covers the pool's families), so the wages of
the budget's volume are in the standard cost and the idle-time variance is what the
plan's volume leaves unabsorbed. A labour cost lever scales both rates.

Revenue books per `SupplyPolicy.revenue_recognition`:
- `ship` (default): in the month the units ship (`sop.supply.service.shipped`), each
  at the price of the month it was ordered. Orders ship oldest first, as the service
  figures count them (`sop.supply.service.on_time`: the backlog at a month end is the
  newest orders), so per item the units booked by month t are the first C[t] - B[t]
  units ordered (C = cumulative orders not lost, D - L) and revenue[t] = V(C[t] -
  B[t]) - V(C[t-1] - B[t-1]), V(x) the value of the first x units ordered, each at its
  month's price. A month that ships nothing books nothing (valuing the backlog at
  each month's price booked the price change on it: -€8,310 in a month with no
  shipments). Over the horizon this is p x (D - L) less the ending backlog at its
  order months' prices. The LP (`sop.supply.lp`) takes the ending backlog at the last
  month's price, so the two agree to the cent whenever the backlog left at the end is
  no more than the last month's orders: always by default (no backlog may be left);
  where the plan setting lets backlog older than that be left, the books differ from
  the LP's objective by that backlog's price change (EUR 31,396 of EUR 13.7M on a
  stress case of the demo), and the books are the figures shown.
- `order`: in the month ordered, p[t] x (D - L); backlog left at the end never books
  (taken off the last month, the newest orders first, as with `ship`).
Lost sales never book. Units booked = units whose revenue books in the month.

Cost of goods sold = standard cost x units booked. Stock is valued at standard; with
`order`, units booked but not yet shipped (backlog, not at the end) are a cost owed,
so the stock position is stock - those units. The production variances:
- idle time: labour paid - hours used x standard rate, with overtime hours counted at
  the regular rate (the premium is its own line): (regular + overtime hours paid) x
  regular rate - hours used x standard rate. Favourable (negative) in a month that
  uses more hours than the budget's average; lines are paid by the hour they run at
  their standard rate: no idle time;
- overtime premium: overtime cost - overtime hours x regular rate;
- hiring, layoffs: as the plan books them;
- subcontract price variance: subcontract cost - units bought x standard cost;
- added capacity: what the line hours a scenario adds cost (`PlanInputs.added_cost`,
  paid whether the hours are used or not: no unit's standard cost holds it).
A resource-month's variances are shared among items by their standard hours on it:
overtime premium and added capacity (caused by the load) by the hours made that
month; idle time, hiring
and layoffs (the cost of keeping a capacity) by the hours of the units booked (sold)
that month, so they follow the sales they serve, as a surcharge on the standard hours
sold. In a month with no such hours, by the items' hours over the horizon.

So, per item and month, cash spent on making and buying = standard cost x (units
made + bought) + variances, and margin at standard = cash margin + the change of the
stock position at standard (`inventory_change` is that change as a cost: stock drawn).
"""

from __future__ import annotations

import numpy as np

from sop.core import schema
from sop.supply.inputs import PlanInputs
from sop.supply.policy import RECOGNISE_ORDER, SupplyPolicy
from sop.supply.service import lagged

EPS = 1e-9
VARIANCES = (
    "idle_time",
    "overtime_premium",
    "hiring_cost",
    "layoff_cost",
    "subcontract_variance",
    "added_capacity",
)


def unit_cost(inp: PlanInputs) -> np.ndarray:
    """(n,) standard cost per unit of each item: material + hours x standard rates."""
    material = inp.material[:, 0] if inp.T else np.zeros(inp.n)
    return material + np.asarray(inp.hours @ inp.std_rate).ravel()


def unbooked(backlog: np.ndarray, policy: SupplyPolicy) -> np.ndarray:
    """(n, T) units owed whose revenue has not booked: the backlog with `ship`; with
    `order` only the backlog left at the end (it never books)."""
    if policy.revenue_recognition != RECOGNISE_ORDER:
        return backlog
    out = np.zeros_like(backlog)
    out[:, -1:] = backlog[:, -1:]
    return out


def _keys(inp: PlanInputs, X: np.ndarray) -> np.ndarray:
    """(n, m) each item's share of each resource: its standard hours over the horizon;
    for a resource nobody used, its routing hours x demand; for one nobody is routed
    on, demand; else equal shares. Every column sums to 1."""
    H = inp.hours.toarray()
    demand = inp.demand.sum(axis=1)
    key = H * X.sum(axis=1)[:, None]
    for w in (H * demand[:, None], np.repeat(demand[:, None], H.shape[1], 1), np.ones_like(H)):
        empty = key.sum(axis=0) <= EPS
        key[:, empty] = w[:, empty]
    total = key.sum(axis=0)
    return key / np.where(total > EPS, total, 1.0)


def _share(inp: PlanInputs, units: np.ndarray, cost: np.ndarray, key: np.ndarray) -> np.ndarray:
    """(n, T) the (m, T) `cost` of each resource-month shared among the items by their
    standard hours on it in `units` (n, T) that month; by `key` where they have none."""
    hours = np.asarray(inp.hours.T @ units)
    some = hours > EPS
    rate = np.divide(cost, hours, out=np.zeros_like(cost), where=some)
    return units * np.asarray(inp.hours @ rate) + key @ np.where(some, 0.0, cost)


def variances(
    inp: PlanInputs, X: np.ndarray, sold: np.ndarray, ru: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """(n, T) idle time, overtime premium, hiring, layoff and added capacity costs of the
    items, from the (m, T) resource arrays `ru` (`sop.supply.results.resource_arrays`:
    load_hours, overtime_hours, regular_cost, overtime_cost, hiring_cost, layoff_cost,
    added_cost when a scenario adds hours at a cost).

    Overtime premium and added capacity follow the month's production (`X`, the load
    calls for them);
    idle time, hiring and layoffs (keeping a capacity) follow what sells in the month
    (`sold`), like a surcharge on the standard hours sold; both by the items' standard
    hours on the resource, and by their hours over the horizon in a month with none."""
    reg = inp.res[schema.REGULAR_COST_PER_HOUR].to_numpy(dtype=float, na_value=0.0)[:, None]
    std = inp.std_rate[:, None]
    used, ot = ru["load_hours"], ru["overtime_hours"]
    key = _keys(inp, X)
    sold = np.clip(sold, 0.0, None)
    return {
        "idle_time": _share(inp, sold, ru["regular_cost"] + reg * ot - std * used, key),
        "overtime_premium": _share(inp, X, ru["overtime_cost"] - reg * ot, key),
        "hiring_cost": _share(inp, sold, ru["hiring_cost"], key),
        "layoff_cost": _share(inp, sold, ru["layoff_cost"], key),
        "added_capacity": _share(inp, X, ru.get("added_cost", np.zeros_like(used)), key),
    }


def _value_of_first(x: np.ndarray, price: np.ndarray, units: np.ndarray) -> np.ndarray:
    """V(x): the value of the first `x` units of an order stream (months on the last
    axis), `units` ordered in each month at that month's `price`; x per month."""
    before = np.cumsum(units, axis=-1) - units  # units ordered before each month
    out = np.zeros(np.broadcast_shapes(x.shape, (price * units).shape))
    for s in range(units.shape[-1]):
        taken = np.clip(x - before[..., s : s + 1], 0.0, units[..., s : s + 1])
        out += price[..., s : s + 1] * taken
    return out


def booked_revenue(
    price: np.ndarray,
    demand: np.ndarray,
    lost: np.ndarray,
    backlog: np.ndarray,
    policy: SupplyPolicy,
) -> tuple[np.ndarray, np.ndarray]:
    """(revenue, units booked) per the recognition rule (module docstring), months on
    the last axis: the plan's books, and every simulated demand path of the risk view."""
    shape = backlog.shape
    u = unbooked(backlog.reshape(-1, shape[-1]), policy).reshape(shape)
    p = np.broadcast_to(price, shape)
    orders = np.clip(demand - lost, 0.0, None)
    # owing no more than the month's own orders, the units owed are that month's: they
    # book at its price a month on (most rows; a closed form, fast for the 500 paths)
    revenue = p * (orders - u) + lagged(p * u)
    older = ~np.all(u <= orders + EPS, axis=-1)
    if older.any():  # older orders wait too: the first units ordered book first
        o = orders[older]
        value = _value_of_first(np.clip(np.cumsum(o, axis=-1) - u[older], 0.0, None), p[older], o)
        revenue[older] = value - lagged(value)
    return revenue, demand - lost - u + lagged(u)


def books(
    inp: PlanInputs,
    v: dict[str, np.ndarray],
    subcontracted: np.ndarray,
    subcontract_cost: np.ndarray,
    ru: dict[str, np.ndarray],
    policy: SupplyPolicy,
) -> dict[str, np.ndarray]:
    """(n, T) arrays of the plan's books (module docstring): revenue, booked_units,
    standard_cogs, stock_value (month-end stock x standard cost), inventory_change (the
    stock position drawn, at standard: a cost) and the `VARIANCES`."""
    p, D, L, B, I = inp.price, inp.demand, v["L"], v["B"], v["I"]  # noqa: E741
    std = unit_cost(inp)
    u = unbooked(B, policy)
    position = I - (B - u)  # stock less units booked and still owed
    opening = np.zeros_like(position)
    opening[:, 0] = inp.onhand
    revenue, booked = booked_revenue(p, D, L, B, policy)
    return {
        "revenue": revenue,
        "booked_units": booked,
        "standard_cogs": std[:, None] * booked,
        "stock_value": std[:, None] * I,
        "inventory_change": std[:, None] * (lagged(position) + opening - position),
        **variances(inp, v["X"], booked, ru),
        "subcontract_variance": subcontract_cost - std[:, None] * subcontracted,
    }
