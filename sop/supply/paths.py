"""Demand paths pushed through a plan's capacity: the plan re-planned per path, fast.

The risk ranges (`sop.finance.risk`) need, for hundreds of demand paths, what the
constrained plan would deliver on each and what it would cost. A re-solve of the LP per
path takes milliseconds, too slow for a slider, so every path re-plans the plan's own
decisions by one vectorised rule (all paths at once, month by month), checked against
LP re-solves in `bench/bench_risk.py` (docs/scenarios.md states the error):

- the plan's quantities serve the plan's demand exactly: a path equal to the plan's
  demand is the plan;
- a month that orders fewer units first shrinks the plan's lost sales and backlog, then
  replaces stock drawn earlier (below), then makes less (subcontracting first, the
  dearest offer first, then in-house production); what was already made is stock that
  serves later orders or replaces later production;
- a month that orders more is served from that stock, then from the plan's own stock
  (`sop.supply.priority`'s order: the units built ahead first, then safety stock, which
  is drawn before an order waits while its penalty is below the backlog cost, and
  always before an order is lost; never below a minimum ending stock), then from what
  the plan leaves of its limits: regular hours that month, then in earlier months
  (built ahead and held), then overtime the same way, then subcontract offers (the
  cheapest first, within their caps). Hours of a line or labour pool several items use
  are shared in proportion to what each asks; material caps bound in-house units; the
  workforce stays the plan's;
- stock drawn is owed to the later months the plan held it for: in the first month
  whose plan stock falls below what is owed, the difference is that month's orders
  short, served as above (spare or built-ahead capacity) or late / lost; safety stock
  drawn is made again on regular hours left spare, that month or in earlier months
  while holding the unit costs less than a month below safety stock;
- the plan's own lost sales in a month are served from what fewer orders freed: stock
  made for orders that did not come, then regular hours, overtime and subcontract
  offers left that month or before (while they cost less than the sale lost);
- what still cannot be served is backlog, served first in later months, while regular
  hours free up within the horizon (`sop.supply.spare.months_to_spare`); it is lost
  where they never do (the LP loses such a unit rather than make every later order
  wait behind it), where backlog is not allowed, and at the horizon's end when no
  backlog may be left.

Units are re-planned per item (family x plant, or SKU) and month, as the LP plans them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
from sop.supply import service, spare
from sop.supply.inputs import PlanInputs
from sop.supply.lp import ending_target
from sop.supply.plan import PlanResult
from sop.supply.policy import END_NONE, SupplyPolicy

EPS = 1e-9
PLAN_QUANTITIES = ("demand", "production", "subcontracted", "backlog", "lost_sales", "inventory")


@dataclass
class Paths:
    """The re-planned paths: (P, n, T) arrays over the items x months of the plan's inputs
    (`subcontract`: (P, k, T) units per subcontract pair of `limits`). `plan`: the plan's
    own (n, T) arrays (`plan_arrays`, and `subcontract` per pair); `opening`: (n,) units
    on hand at the start."""

    demand: np.ndarray
    production: np.ndarray
    subcontract: np.ndarray
    backlog: np.ndarray
    lost: np.ndarray
    plan: dict[str, np.ndarray]
    limits: spare.Limits
    opening: np.ndarray

    @property
    def shipped(self) -> np.ndarray:
        return service.shipped(self.demand, self.lost, self.backlog)

    @property
    def subcontracted(self) -> np.ndarray:
        """(P, n, T) subcontracted units per item."""
        out = np.zeros_like(self.production)
        np.add.at(out, (slice(None), self.limits.sub_item), self.subcontract)
        return out

    @property
    def inventory(self) -> np.ndarray:
        """(P, n, T) month-end stock: opening + made + bought - shipped, month by month."""
        flow = self.production + self.subcontracted - self.shipped
        return self.opening[None, :, None] + np.cumsum(flow, axis=2)


def plan_arrays(
    plan: PlanResult, inp: PlanInputs, columns: tuple[str, ...] = PLAN_QUANTITIES
) -> dict[str, np.ndarray]:
    """(n, T) arrays of the plan's `columns` (of `family_plan`), items in the order of
    `inp.items`."""
    keys = [schema.SKU] if schema.SKU in inp.items else [schema.FAMILY, schema.PLANT]
    fp = plan.family_plan
    idx = pd.MultiIndex.from_frame(inp.items[keys]).get_indexer(pd.MultiIndex.from_frame(fp[keys]))
    t = inp.months.get_indexer(fp[schema.MONTH])
    cell = idx * inp.T + t
    return {
        c: np.bincount(cell, fp[c].to_numpy(dtype=float), minlength=inp.n * inp.T).reshape(
            inp.n, inp.T
        )
        for c in columns
    }


@dataclass(frozen=True)
class _Costs:
    """What decides how a unit short is made: late (P, n, T) the backlog cost of waiting
    for capacity to free (backlog cost x `sop.supply.spare.months_to_spare`, or the lost
    margin and goodwill when it cannot wait: lost (n, T)); waits (P, n, T) whether it
    can wait (regular hours free up within the horizon and backlog is allowed); hold
    (n, T) per unit-month held; premium (R,) overtime's extra cost per hour (0 on
    material caps); sub_extra (k, T) a subcontracted unit's cost above making it
    in-house."""

    late: np.ndarray
    lost: np.ndarray
    waits: np.ndarray
    hold: np.ndarray
    premium: np.ndarray
    sub_extra: np.ndarray


def _costs(
    lim: spare.Limits,
    inp: PlanInputs,
    policy: SupplyPolicy,
    plan_load: np.ndarray,
    extra: np.ndarray,
) -> _Costs:
    run, ot = spare.hour_rates(inp)
    premium = np.zeros(lim.hours.shape[1])
    premium[: len(ot)] = ot
    make_cost = inp.material + (inp.hours @ run)[:, None]
    waiting = spare.months_to_spare(lim, plan_load, extra)
    # a unit that cannot wait (no capacity left in the horizon, or no backlog allowed) is
    # lost: its margin and the goodwill
    # what the plan counts a unit as worth (its price; `PlanInputs.worth` without one)
    lost = inp.worth * (1 + policy.lost_sales_penalty_pct / 100) - make_cost
    waits = np.isfinite(waiting) & policy.backlog_allowed
    return _Costs(
        late=np.where(
            waits, policy.backlog_cost_pct / 100 * inp.worth * np.where(waits, waiting, 0), lost
        ),
        lost=lost,
        waits=waits,
        hold=inp.hold,
        premium=premium,
        sub_extra=np.clip(lim.sub_price[:, None] - make_cost[lim.sub_item], 0.0, None),
    )


class _Replan:
    """The month-by-month state of every path (see the module docstring)."""

    def __init__(
        self,
        lim: spare.Limits,
        plan: dict[str, np.ndarray],
        extra: np.ndarray,
        inp: PlanInputs,
        policy: SupplyPolicy,
    ) -> None:
        self.lim = lim
        P = extra.shape[0]

        def each(a: np.ndarray) -> np.ndarray:
            # month first: every step reads and writes one month of every path
            return np.broadcast_to(a.T[:, None], (a.shape[1], P, a.shape[0])).copy()

        self.S0 = spare.plan_pairs(lim, plan["subcontracted"])
        use = np.zeros_like(lim.sub_cap)
        np.add.at(use, lim.sub_option, self.S0)
        plan_load = lim.hours.T @ plan["production"]
        self.X = each(plan["production"])  # (T, P, n)
        self.S = each(self.S0)  # (T, P, k)
        self.load = each(plan_load)  # (T, P, R)
        self.sub_use = each(use)  # (T, P, o)
        self.costs = _costs(lim, inp, policy, plan_load, extra)
        self.overtime = bool((lim.most > lim.regular).any())
        # (n, R) money per unit made on overtime, per resource that is in overtime
        self.ot_rate = lim.hours * self.costs.premium[None]

    def unmake(self, units: np.ndarray, t: int) -> np.ndarray:
        """Make up to `units` (P, n) fewer in month t, dearest subcontracting first; the
        units unmade."""
        want = units.copy()
        for k in range(len(self.lim.sub_item) - 1, -1, -1):
            i, o = self.lim.sub_item[k], self.lim.sub_option[k]
            c = np.minimum(want[:, i], self.S[t, :, k])
            self.S[t, :, k] -= c
            self.sub_use[t, :, o] -= c
            want[:, i] -= c
        c = np.minimum(want, self.X[t])
        self.X[t] -= c
        self.load[t] -= c @ self.lim.hours
        return units - (want - c)

    def make(
        self, want: np.ndarray, t_need: int, late: np.ndarray, ahead: bool, regular: bool = False
    ) -> np.ndarray:
        """Units (P, n) made for month t_need from what the limits leave: regular hours,
        then (unless `regular` only) overtime, then subcontract offers, each in t_need and
        (`ahead`) the months before it, latest first, while holding the unit and
        overtime's or subcontracting's extra cost stay within `late` (P, n), the most a
        unit may cost: the backlog it saves, the sale it wins, or a month below safety
        stock."""
        out = np.zeros_like(want)
        rows = np.flatnonzero((want > EPS).any(axis=1))
        if not len(rows):
            return out
        rem, late = want[rows], late[rows]
        months = range(t_need, (0 if ahead else t_need) - 1, -1)
        self._hours(rows, rem, late, t_need, months, False)
        if self.overtime and not regular:
            self._hours(rows, rem, late, t_need, months, True)
        if not regular:
            self._buy(rows, rem, late, t_need, months)
        out[rows] = want[rows] - rem
        return out

    def _hours(
        self,
        rows: np.ndarray,
        rem: np.ndarray,
        late: np.ndarray,
        t_need: int,
        months: range,
        overtime: bool,
    ) -> None:
        """Make what `rem` (the paths `rows` x n; lowered in place) asks for month t_need
        on regular hours, or on overtime too, in `months` (latest first)."""
        cap = self.lim.most if overtime else self.lim.regular
        hold = self.costs.hold[:, t_need]
        for t in months:
            if not (rem > EPS).any():
                return
            load = self.load[t, rows]
            cost = (t_need - t) * hold[None]
            if overtime:
                busy = self.lim.regular[None, :, t] - load <= EPS
                cost = cost + busy.astype(float) @ self.ot_rate.T
            worth = cost <= late
            if not worth.any():
                return
            g = spare.grant(
                self.lim, np.where(worth, rem, 0.0), np.clip(cap[:, t] - load, 0.0, None)
            )
            self.X[t, rows] += g
            self.load[t, rows] = load + g @ self.lim.hours
            rem -= g

    def _buy(
        self, rows: np.ndarray, rem: np.ndarray, late: np.ndarray, t_need: int, months: range
    ) -> None:
        """Buy what `rem` still asks from subcontract offers, cheapest first, in `months`."""
        hold = self.costs.hold[:, t_need]
        for t in months:
            for k, (i, o) in enumerate(zip(self.lim.sub_item, self.lim.sub_option)):
                worth = (t_need - t) * hold[i] + self.costs.sub_extra[k, t] <= late[:, i]
                if not worth.any():
                    continue
                left = np.clip(self.lim.sub_cap[o, t] - self.sub_use[t, rows, o], 0.0, None)
                got = np.where(worth, np.minimum(rem[:, i], left), 0.0)
                self.S[t, rows, k] += got
                self.sub_use[t, rows, o] += got
                rem[:, i] -= got


class _Stock:
    """The plan's own stock as each path draws it (see the module docstring): `owed`
    (P, n) units drawn and not yet replaced."""

    def __init__(self, plan: dict[str, np.ndarray], inp: PlanInputs, policy: SupplyPolicy, P: int):
        floor = np.zeros((inp.n, inp.T))  # the minimum ending stock, in the last month
        if policy.ending_inventory != END_NONE:
            floor[:, -1] = ending_target(inp, policy)
        stock = plan["inventory"]
        self.all = np.clip(stock - floor, 0.0, None)  # (n, T) units a path may draw
        self.ahead = np.clip(stock - np.maximum(inp.ss, floor), 0.0, None)  # above safety stock
        # shipping from safety stock beats making an order wait (`sop.supply.priority`)
        self.ss_first = policy.safety_stock_penalty_pct < policy.backlog_cost_pct
        # (n, T) the cost of a unit a month below safety stock, as the LP counts it
        self.penalty = policy.safety_stock_penalty_pct / 100 * inp.worth
        self.owed = np.zeros((P, inp.n))

    def room(self, t: int, waits: np.ndarray) -> np.ndarray:
        """(P, n) units of the plan's stock at month t's end a path may lack: the units
        built ahead, and safety stock where it goes before an order waits or is lost."""
        return np.where(self.ss_first | ~waits, self.all[None, :, t], self.ahead[None, :, t])

    def due(self, t: int, waits: np.ndarray) -> np.ndarray:
        """(P, n) units owed that month t's plan stock no longer covers: its orders short."""
        out = np.clip(self.owed - self.room(t, waits), 0.0, None)
        self.owed -= out
        return out

    def draw(self, want: np.ndarray, t: int, waits: np.ndarray) -> np.ndarray:
        """Units of `want` (P, n) shipped from the plan's stock in month t."""
        got = np.minimum(want, np.clip(self.room(t, waits) - self.owed, 0.0, None))
        self.owed += got
        return got

    def below(self, t: int) -> np.ndarray:
        """(P, n) units owed below month t's safety stock (drawn from it)."""
        return np.clip(self.owed - self.ahead[None, :, t], 0.0, None)

    def replace(self, units: np.ndarray) -> np.ndarray:
        """Units of `units` (P, n) that replace stock drawn; the rest is returned."""
        got = np.minimum(units, self.owed)
        self.owed -= got
        return units - got


def replan(plan: PlanResult, inp: PlanInputs, demand: np.ndarray) -> Paths:
    """The plan re-planned for each demand path, `demand` (P, n, T) units per item and
    month in the order of `inp.items` (see the module docstring)."""
    q = plan_arrays(plan, inp)
    lim = spare.limits(plan, inp)
    P, n, T = demand.shape
    policy = plan.policy
    delta = demand - q["demand"][None]
    state = _Replan(lim, q, delta, inp, policy)
    stock = _Stock(q, inp, policy, P)
    d_backlog = np.zeros((P, n, T))
    d_lost = np.zeros((P, n, T))
    pool = np.zeros((P, n))  # made for orders that did not come: stock to use first
    carry = np.zeros((P, n))  # backlog above (+) or below (-) the plan's at the last month end
    for t in range(T):
        late = state.costs.late[:, :, t]
        late_ok = policy.backlog_allowed and not (t == T - 1 and policy.zero_ending_backlog)
        waits = state.costs.waits[:, :, t] & late_ok
        e = delta[:, :, t] + carry + stock.due(t, waits)
        fewer = np.clip(-e, 0.0, None)
        less_lost = np.minimum(fewer, q["lost_sales"][None, :, t])
        less_late = np.minimum(fewer - less_lost, q["backlog"][None, :, t])
        fewer = stock.replace(fewer - less_lost - less_late)
        pool += fewer - state.unmake(fewer, t)
        # the backlog carried in is served first, with what this month can still give
        old = np.minimum(np.clip(carry, 0.0, None), np.clip(e, 0.0, None))
        new = np.clip(e, 0.0, None) - old
        short = np.zeros((P, n))
        for want, ahead in ((old, False), (new, True)):
            from_pool = np.minimum(pool, want)
            pool -= from_pool
            want = want - from_pool
            want = want - stock.draw(want, t, waits)
            short += want - state.make(want, t, late, ahead)
        # the plan's own lost sales, with what fewer orders freed (stock, hours before)
        lost = q["lost_sales"][None, :, t] - less_lost
        won = np.minimum(pool, lost)
        pool -= won
        won += state.make(lost - won, t, np.broadcast_to(state.costs.lost[:, t], lost.shape), True)
        d_backlog[:, :, t] = np.where(waits, short, 0.0) - less_late
        d_lost[:, :, t] = np.where(waits, 0.0, short) - less_lost - won
        pool = stock.replace(pool)
        pool -= state.unmake(pool, t)
        # safety stock drawn is made again on the regular hours left this month, or in
        # earlier months while holding it costs less than a month below safety stock
        stock.owed -= state.make(
            stock.below(t), t, np.broadcast_to(stock.penalty[:, t], (P, n)), True, True
        )
        carry = d_backlog[:, :, t]
    return Paths(
        demand=demand,
        production=np.moveaxis(state.X, 0, 2),
        subcontract=np.moveaxis(state.S, 0, 2),
        backlog=np.clip(q["backlog"][None] + d_backlog, 0.0, None),
        lost=np.clip(q["lost_sales"][None] + d_lost, 0.0, None),
        plan=q | {"subcontract": state.S0},
        limits=lim,
        opening=inp.onhand,
    )


def making_cost(paths: Paths, inp: PlanInputs) -> np.ndarray:
    """(P, n, T) cash each path spends on making and buying above the plan's, per item and
    month: material and line hours of the units made, overtime (lines' premium, labour
    pools' whole rate; a resource-month's overtime shared by the items' hours on it that
    month) and subcontracted units at their offer's price. Wages, hires and layoffs are
    the plan's on every path."""
    m = len(inp.res)
    run, ot_rate = spare.hour_rates(inp)
    H = paths.limits.hours[:, :m]
    regular = paths.limits.regular[:m]
    dX = paths.production - paths.plan["production"][None]
    out = (inp.material + (H @ run)[:, None])[None] * dX
    used = np.einsum("pnt,nr->prt", paths.production, H)
    used0 = H.T @ paths.plan["production"]
    extra_ot = np.clip(used - regular[None], 0.0, None) - np.clip(used0 - regular, 0.0, None)
    per_hour = np.divide(
        ot_rate[None, :, None] * extra_ot, used, out=np.zeros_like(used), where=used > EPS
    )
    out += paths.production * np.einsum("nr,prt->pnt", H, per_hour)
    # overtime given up where nothing is made any more: on the items that made it in the plan
    gone = np.where(used > EPS, 0.0, ot_rate[None, :, None] * extra_ot)
    share0 = np.divide(
        H[:, :, None] * paths.plan["production"][:, None],
        used0[None],
        out=np.zeros((len(H), m, used0.shape[1])),
        where=used0[None] > EPS,
    )
    out += np.einsum("nrt,prt->pnt", share0, gone)
    d_sub = (paths.subcontract - paths.plan["subcontract"][None]) * paths.limits.sub_price[
        None, :, None
    ]
    np.add.at(out, (slice(None), paths.limits.sub_item), d_sub)
    return out
