"""Targets a plan must meet, as rows of the plan's linear program (`sop.supply.lp`).

A target is a figure of the plan, at least or at most a value, over the horizon or a
range of months, for the company or one family:

- revenue (money): booked as the books book it (`sop.supply.standard.booked_revenue`:
  p[t] x (D - L - B[t]) + p[t-1] x B[t-1] when revenue books on shipping);
- gross_margin (money, the company only): the P&L margin of those months at standard
  cost (`sop.finance.statement.family_pnl`): revenue - standard cost of the units
  booked - the production variances - holding - backlog costs. Per month this is
  linear in the plan; a family's share of the labour pools' variances follows its
  hours (not linear), so a family's margin is no target;
- on_time_rate (share 0-1, at least only): units delivered in the month ordered /
  units ordered. The row asks sum(D - L - B) >= rate x sum(D), a lower bound of the
  books' sum(max(0, D - L - B)): exact when no month's backlog exceeds its own orders,
  never optimistic;
- ending_inventory_value (money): month-end stock of the last month x standard cost;
- days_of_supply (days): month-end stock of the last month / the average daily demand
  of the months (30.4 days a month, as `sop.finance.kpis`);
- overtime_hours (hours, the company only): overtime of every line and labour pool.

Rows are elastic: each has a slack column whose cost is the LP's big penalty, so the
LP always solves and a positive slack says by how much the target is missed.
`measure` reads the reached value off a solved plan, from the books, so a page or the
goal solver never trusts the row alone.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.supply.policy import RECOGNISE_ORDER, SupplyPolicy
from sop.supply.standard import VARIANCES

AT_LEAST, AT_MOST = ">=", "<="
SENSES = (AT_LEAST, AT_MOST)
DAYS_PER_MONTH = 30.4
# metric -> (label, unit, company only, senses allowed)
METRICS: dict[str, tuple[str, str, bool, tuple[str, ...]]] = {
    "revenue": ("Revenue", "money", False, SENSES),
    "gross_margin": ("Gross margin", "money", True, SENSES),
    "on_time_rate": ("On-time rate", "share", False, (AT_LEAST,)),
    "ending_inventory_value": ("Ending inventory value", "money", False, SENSES),
    "days_of_supply": ("Days of supply", "days", False, SENSES),
    "overtime_hours": ("Overtime hours", "hours", True, SENSES),
}


@dataclass(frozen=True)
class Target:
    """`metric` `sense` `value` over months `start`..`end` (YYYY-MM; "" = the horizon's
    first / last month) for `family` ("" = the company). on_time_rate is a share (0.98)."""

    metric: str
    sense: str
    value: float
    family: str = ""
    start: str = ""
    end: str = ""

    def problems(self) -> list[str]:
        """What makes this target unusable, worded for a planner (empty when fine)."""
        out = []
        if self.metric not in METRICS:
            near = difflib.get_close_matches(str(self.metric), list(METRICS), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            return [f"unknown target {str(self.metric)[:60]!r}{hint}; known: {', '.join(METRICS)}"]
        label, unit, company_only, senses = METRICS[self.metric]
        if self.sense not in senses:
            allowed = " or ".join("at least" if s == AT_LEAST else "at most" for s in senses)
            out.append(f"{self.metric}: the target can only be {allowed}")
        if not isinstance(self.value, (int, float)) or not math.isfinite(self.value):
            out.append(f"{self.metric}: {self.value!r} is not a number")
        elif unit == "share" and not 0 <= self.value <= 1:
            out.append(f"{self.metric} = {self.value:g} is outside 0 .. 1 (0.98 = 98 %)")
        elif unit != "share" and self.metric != "gross_margin" and self.value < 0:
            out.append(f"{self.metric} = {self.value:g} cannot be negative")
        if company_only and self.family:
            out.append(f"{self.metric} is a target for the company only, not one family")
        if self.start and self.end and self.end < self.start:
            out.append(f"{self.metric}: {self.end} is before {self.start}")
        return out

    def describe(self, money: str = "") -> str:
        """'Revenue at least EUR 26,553,642 (Nov 2026 to Dec 2027, Cooling)': months as
        the app writes them (`fmt.month_text`); the target keeps them as YYYY-MM."""
        label, unit, *_ = METRICS.get(self.metric, (self.metric, "", False, ()))
        how = "at least" if self.sense == AT_LEAST else "at most"
        v = self.value
        if unit == "money":
            amount = f"{money} {v:,.0f}".strip()
        elif unit == "share":
            amount = f"{100 * v:.1f} %"
        else:
            amount = f"{v:,.1f} {unit}"
        where = []
        if self.start or self.end:
            first, last = fmt.month_text(self.start) or "start", fmt.month_text(self.end) or "end"
            where.append(f"{first} to {last}")
        where += [self.family] if self.family else []
        return f"{label} {how} {amount}" + (f" ({', '.join(where)})" if where else "")


def window(months: pd.DatetimeIndex, target: Target) -> np.ndarray:
    """(T,) bool: the plan months the target covers."""
    ym = np.asarray(months.strftime("%Y-%m"), dtype=object)
    lo, hi = target.start or ym[0], target.end or ym[-1]
    return (ym >= lo) & (ym <= hi)


@dataclass
class TargetRow:
    """One target as a linear row over the LP's columns: lo <= sum(vals x cols) <= hi."""

    cols: np.ndarray
    vals: np.ndarray
    lo: float
    hi: float
    scale: float  # the target's size, for tolerances (money, units or hours)


def _lag_cols(a: np.ndarray) -> np.ndarray:
    """Columns of month t-1 aligned on month t (month 0 has none: -1)."""
    out = np.full_like(a, -1)
    out[:, 1:] = a[:, :-1]
    return out


def rows(
    inp,
    policy: SupplyPolicy,
    col: dict[str, np.ndarray],
    costs: dict[str, np.ndarray],
    targets: tuple[Target, ...],
    std: np.ndarray,
) -> list[TargetRow]:
    """Every target as a `TargetRow` over the LP columns `col` (see `sop.supply.lp`).

    `costs` are the LP's cost coefficients per block (for the labour and subcontract
    terms of the margin), `std` the standard unit cost per item. Raises ValueError for a
    target the data cannot express (a family it lacks, months outside the plan, money
    without prices)."""
    out = []
    for t in targets:
        if bad := t.problems():
            raise ValueError("; ".join(bad))
        out.append(_row(inp, policy, col, costs, t, std))
    return out


def _row(inp, policy, col, costs, t: Target, std: np.ndarray) -> TargetRow:
    n = inp.n
    w = window(inp.months, t)
    if not w.any():
        raise ValueError(f"{t.describe()}: no plan month falls in {t.start or '…'}..{t.end or '…'}")
    fam = inp.items[schema.FAMILY].to_numpy(dtype=object)
    items = np.ones(n, bool) if not t.family else fam == t.family
    if not items.any():
        raise ValueError(f"{t.describe()}: there is no family {t.family!r} in the plan")
    unit = METRICS[t.metric][1]
    if unit == "money" and not inp.priced:
        raise ValueError(f"{t.describe()}: some products have no price, so money is unknown")
    D = inp.demand
    cells = items[:, None] & w[None, :]
    c: list[np.ndarray] = []
    v: list[np.ndarray] = []

    def add(cols: np.ndarray, vals: np.ndarray | float) -> None:
        cols = np.asarray(cols)
        vals = np.broadcast_to(np.asarray(vals, dtype=float), cols.shape)
        keep = (cols >= 0) & (vals != 0)
        c.append(cols[keep])
        v.append(vals[keep])

    const = 0.0
    last = int(np.flatnonzero(w)[-1])
    if t.metric in ("revenue", "gross_margin"):
        const, rev_c, rev_v = _revenue(inp, policy, col, cells)
        add(rev_c, rev_v)
        if t.metric == "gross_margin":
            const += _margin_terms(inp, policy, col, costs, cells, w, std, add)
    elif t.metric == "on_time_rate":
        # sum(D - L - B) >= rate x sum(D)
        add(col["L"][cells], -1.0)
        add(col["B"][cells], -1.0)
        const = float(D[cells].sum())
        total = const
        lo = t.value * total
        return _done(c, v, const, t, lo, max(total, 1.0))
    elif t.metric == "ending_inventory_value":
        add(col["I"][items, last], std[items])
    elif t.metric == "days_of_supply":
        daily = D[cells].sum() / (w.sum() * DAYS_PER_MONTH)
        add(col["I"][items, last], 1.0)
        # stock <= (or >=) days x daily demand: the row is stock - days x daily
        const = -t.value * daily
        return _done(c, v, const, t, 0.0, max(daily * max(t.value, 1.0), 1.0))
    elif t.metric == "overtime_hours":
        add(col["OT"][:, w], 1.0)
    return _done(c, v, const, t, t.value, max(abs(t.value), 1.0))


def _done(c, v, const: float, t: Target, bound: float, scale: float) -> TargetRow:
    cols = np.concatenate(c) if c else np.zeros(0, int)
    vals = np.concatenate(v) if v else np.zeros(0)
    # figure = const + sum(vals x cols): the row bounds move the constant over
    lo, hi = (bound - const, math.inf) if t.sense == AT_LEAST else (-math.inf, bound - const)
    return TargetRow(cols.astype(np.int64), vals, lo, hi, scale)


def _revenue(inp, policy: SupplyPolicy, col, cells: np.ndarray):
    """(constant, columns, values) of revenue booked in `cells` (items x months)."""
    p, D = inp.price, inp.demand
    L, B = col["L"], col["B"]
    const = float((p * D)[cells].sum())
    cols, vals = [L[cells]], [-p[cells]]
    if policy.revenue_recognition == RECOGNISE_ORDER:
        # backlog left at the end never books: taken off the last month
        end = cells[:, -1]
        cols.append(B[end, -1])
        vals.append(-p[end, -1])
    else:
        # p[t] x (D - L - B[t]) + p[t-1] x B[t-1]
        cols.append(B[cells])
        vals.append(-p[cells])
        nxt = np.zeros_like(cells)
        nxt[:, :-1] = cells[:, 1:]  # B[t] books in month t+1 when t+1 is in the window
        cols.append(B[nxt])
        vals.append(p[nxt])
    return const, np.concatenate(cols), np.concatenate(vals)


def _margin_terms(inp, policy, col, costs, cells, w, std, add) -> float:
    """Add the margin's cost terms over months `w` (company: `cells` is every item in
    `w`) to the row; returns their constant. See the module docstring."""
    p = inp.price
    X, I, B, L, SUB = col["X"], col["I"], col["B"], col["L"], col["SUB"]  # noqa: E741
    const = 0.0
    # standard cost of units booked: std x (D - L - u + u[t-1]), u the unbooked backlog
    const -= float((std[:, None] * inp.demand)[cells].sum())
    add(L[cells], np.broadcast_to(std[:, None], cells.shape)[cells])
    if policy.revenue_recognition == RECOGNISE_ORDER:
        end = cells[:, -1]
        add(B[end, -1], std[end])
    else:
        add(B[cells], np.broadcast_to(std[:, None], cells.shape)[cells])
        nxt = np.zeros_like(cells)
        nxt[:, :-1] = cells[:, 1:]
        add(B[nxt], -np.broadcast_to(std[:, None], cells.shape)[nxt])
    # holding and backlog costs
    add(I[cells], -inp.hold[cells])
    add(B[cells], -(policy.backlog_cost_pct / 100 * p)[cells])
    # line overtime premium, labour wages and overtime, hires, layoffs
    add(col["OT"][:, w], -np.broadcast_to(costs["OT"], col["OT"].shape)[:, w])
    lab = inp.labour
    if len(lab):
        add(col["W"][:, w], -np.broadcast_to(costs["W"], col["W"].shape)[:, w])
        add(col["H"][:, w], -np.broadcast_to(costs["H"], col["H"].shape)[:, w])
        add(col["F"][:, w], -np.broadcast_to(costs["F"], col["F"].shape)[:, w])
        # a pool's idle time + overtime premium = wages + overtime at its full rate
        # (costs["OT"] of a pool) - the hours used at the standard rate (absorbed into
        # the standard cost of the units made)
        hp = inp.hours.tocsc()[:, lab]  # (n, q) hours per unit on each pool
        absorbed = np.asarray(hp @ inp.std_rate[lab]).ravel()  # money per unit made
        add(X[:, w], np.broadcast_to(absorbed[:, None], X.shape)[:, w])
    # subcontracting: price paid - standard cost of the units bought
    if len(inp.sub_pairs):
        item = inp.sub_pairs[:, 0]
        sub_cost = np.broadcast_to(costs["SUB"], SUB.shape)
        add(SUB[:, w], (std[item][:, None] - sub_cost)[:, w])
    added = getattr(inp, "added_cost", None)
    if added is not None and np.size(added):
        const -= float(np.asarray(added)[:, w].sum())
    promo = getattr(inp, "promo_cost", None)  # an added promotion's cost: fixed
    if promo is not None and np.size(promo):
        const -= float(np.asarray(promo)[cells].sum())
    if "XC" in col:
        add(col["XC"][:, w], -np.broadcast_to(costs["XC"], col["XC"].shape)[:, w])
    return const


def row_units(inp, target: Target) -> float:
    """How many of the row's units make one unit of the target's figure: the row of an
    on-time target counts units on time (the demand of its cells make 100 %), a
    days-of-supply row counts units of stock (a day's demand makes a day); else 1."""
    if target.metric not in ("on_time_rate", "days_of_supply"):
        return 1.0
    w = window(inp.months, target)
    fam = inp.items[schema.FAMILY].to_numpy(dtype=object)
    items = np.ones(inp.n, bool) if not target.family else fam == target.family
    d = float(inp.demand[items][:, w].sum())
    per = d if target.metric == "on_time_rate" else d / max(w.sum() * DAYS_PER_MONTH, 1.0)
    return per if per > 0 else 1.0


def measure(plan, target: Target) -> float:
    """The value of `target`'s figure in a solved plan (`sop.supply.plan.PlanResult`),
    read from the books: family_plan (and resource_use for overtime hours). NaN when the
    plan has none of the target's months or family."""
    from sop.supply import service

    fp = plan.family_plan
    if fp is None or fp.empty:
        return math.nan
    months = pd.DatetimeIndex(sorted(fp[schema.MONTH].unique()))
    w = window(months, target)
    if not w.any():
        return math.nan
    chosen = set(months[w])
    rows_ = fp[fp[schema.MONTH].isin(chosen)]
    if target.family:
        rows_ = rows_[rows_[schema.FAMILY] == target.family]
        if rows_.empty:
            return math.nan
    last = months[w][-1]
    if target.metric == "revenue":
        return float(rows_["revenue"].sum())
    if target.metric == "gross_margin":
        # the P&L margin (`sop.finance.statement.family_pnl`): revenue - standard cost of
        # the units booked - variances - holding - backlog costs - promotion cost
        cost = ["standard_cogs", *VARIANCES, "holding_cost", "backlog_cost"]
        cost += ["promotion_cost"] if "promotion_cost" in rows_ else []
        return float(rows_["revenue"].sum() - rows_[cost].to_numpy(float).sum())
    if target.metric == "on_time_rate":
        d = rows_["demand"].to_numpy(float)
        lost, back = rows_["lost_sales"].to_numpy(float), rows_["backlog"].to_numpy(float)
        ok = service.on_time(d, lost, back)
        return service.rate(float(ok.sum()), float(d.sum()))
    end = rows_[rows_[schema.MONTH] == last]
    if target.metric == "ending_inventory_value":
        return float(end["stock_value"].sum())
    if target.metric == "days_of_supply":
        daily = rows_["demand"].sum() / (w.sum() * DAYS_PER_MONTH)
        return float(end["inventory"].sum() / daily) if daily > 0 else math.nan
    ru = plan.resource_use
    return float(ru.loc[ru[schema.MONTH].isin(chosen), "overtime_hours"].sum())


def met(value: float, target: Target, scale: float | None = None) -> bool:
    """True when `value` meets `target` (within a relative 1e-6 of its size)."""
    if not math.isfinite(value):
        return False
    tol = 1e-6 * max(abs(target.value), scale or 1.0, 1.0)
    return value >= target.value - tol if target.sense == AT_LEAST else value <= target.value + tol
