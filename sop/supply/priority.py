"""What a short plan gives up first: safety stock before orders.

Safety stock exists to be drawn down when supply is short: a planner serves orders
on time first, then late, and rebuilds safety stock after. The plan's LP
(`sop.supply.lp`) holds to that order with these pieces:

- Backlog against stock. Shipping a unit from stock instead of owing it a month
  costs at most the safety-stock penalty of that month and saves the backlog cost
  and the unit's holding cost, so with `safety_stock_penalty_pct` below
  `backlog_cost_pct` (the defaults: 2 % against 3 % a month) the plan never makes a
  customer wait while it has the unit in stock. A setting that inverts them is
  allowed and warned about (`SupplyPolicy.cautions`).
- Lost sales against stock. Keeping a unit in safety stock avoids the penalty in
  every month it stays, so over enough months it would outweigh any lost sale, and
  even a small penalty above the holding cost makes the LP lose this month's order
  to serve next month's instead (the same units lost, stock kept meanwhile). A
  dearer later month does the same without safety stock: a short plan would lose
  this month's orders to sell the units next month at a higher price (the demo's
  prices move a few % a month with the mix; a severe squeeze of it shipped nothing to
  Cooling in June 2027, 4,982 units kept in stock, to sell them in July at 1.3 %
  more). `serve_first` closes both: in the LP, a lost order also costs the
  safety-stock penalty of every month from its own to the end, and the price premium
  of the dearest later month (`later_premium`). A unit drawn from stock to serve it
  can cost no more than the first, and losing a later order instead costs no more
  than the second saves, so serving the order comes out ahead (by the holding cost)
  whatever the penalty and the prices: orders are served in the order they come
  while the units are there. The weight orders the choices only: the plan's figures
  (lost-sale goodwill, the objective in `stats`) are money, without it. It does make
  an early lost order dearer to the LP than its price and goodwill, so the plan may
  spend more (overtime, subcontracting) to avoid one than the sale alone is worth:
  at most the penalty times the months left (2 % x 18 = 36 % of the price at the
  defaults) plus (1 + goodwill %) times the gap to the dearest later price. And
  when a short plan loses orders, it loses the later, dearer ones: the margin given
  up is at most that gap per unit (0.25 % of the margin less penalties on the demo's
  severe squeeze).
- Backlog against later orders needs no premium: a late order is still served at
  its own month's price, so shipping the unit in stock to it now instead of to a
  later order (which then waits in its place) changes no revenue and saves backlog
  and holding costs while the penalty stays below the backlog cost.
"""

from __future__ import annotations

import numpy as np

from sop.supply import notes as plan_notes
from sop.supply.inputs import PlanInputs
from sop.supply.notes import PlanNote
from sop.supply.policy import SupplyPolicy


def serve_first(inp: PlanInputs, policy: SupplyPolicy) -> np.ndarray:
    """(n, T) the LP's extra cost of a unit lost in month t: the safety-stock penalty of
    a unit in every month from t to the end where the item has a safety stock, plus the
    price premium of any later month (`later_premium`).

    Why that much: serving the order from stock instead leaves the stock at most one
    unit lower in each of those months, so the penalty it adds is at most the first
    part, while the lost sale's own price and goodwill are saved; and losing a later
    order instead of this one saves the first part's months between, which is at least
    what keeping the unit in stock meanwhile avoids, and the second part's difference,
    which is at least what the later order's dearer price and goodwill add. So keeping
    a unit in stock while an order of the month is lost never pays: serving it now and
    losing the later order instead costs the LP no more, and saves the holding cost."""
    penalty = policy.safety_stock_penalty_pct / 100 * inp.worth * (inp.ss > 1e-9)
    return np.cumsum(penalty[:, ::-1], axis=1)[:, ::-1] + later_premium(inp, policy)


def later_premium(inp: PlanInputs, policy: SupplyPolicy) -> np.ndarray:
    """(n, T) how much more a unit lost in a later month costs at most than one lost in
    month t: (1 + goodwill %) x (the highest worth from t to the end - the worth in t).
    Added to a lost order's cost, it makes that cost (price and goodwill) the same as
    the dearest later month's, so the LP's cost of a lost unit never rises with the
    month: losing a later order is never dearer than losing this month's."""
    worth = np.asarray(inp.worth, dtype=float)
    dearest = np.maximum.accumulate(worth[:, ::-1], axis=1)[:, ::-1]
    return (1 + policy.lost_sales_penalty_pct / 100) * (dearest - worth)


def unkept(inp: PlanInputs, policy: SupplyPolicy) -> list[PlanNote]:
    """A note (empty when none; its subject: the items) naming the items whose safety
    stock the plan will not keep: holding a unit there costs as much a month as running
    it below safety stock (`safety_stock_penalty_pct` of its price), so the LP is better
    off below. The penalty has to sit above the holding cost for stock to be kept, and
    below the backlog cost for it to be drawn first (`SupplyPolicy.cautions`)."""
    pct = policy.safety_stock_penalty_pct
    worth = np.asarray(inp.worth, dtype=float)
    has_ss = inp.ss > 1e-9
    costly = (inp.hold >= pct / 100 * worth) & has_ss & (worth > 0)
    bad = costly.any(axis=1)
    if not bad.any():
        return []
    items = inp.items.loc[bad]
    names = [" / ".join(str(v) for v in row) for row in items.itertuples(index=False)]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    top = float(np.max(np.where(costly, inp.hold / np.where(worth > 0, worth, 1.0), 0.0)))
    text = (
        f"Holding a unit costs as much a month as running it below safety stock "
        f"({pct:g} % of the price) for {len(names):,} item(s) ({shown}): the plan keeps "
        "no safety stock for them. To keep it, set the safety-stock penalty above their "
        f"holding cost (up to {100 * top:.1f} % of the price a month)."
    )
    return [PlanNote(plan_notes.UNKEPT_SAFETY_STOCK, names, text)]
