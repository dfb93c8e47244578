"""The aggregate production plan as a linear program, built in bulk and solved by HiGHS.

Minimise  -(revenue) + material + line hours + overtime + wages + hiring + layoffs
          + subcontract + holding + backlog + lost-sales goodwill + safety-stock penalty
i.e. maximise gross margin less the two penalties. Per item i and month t:

  inventory  I[i,t] - B[i,t] = I[i,t-1] - B[i,t-1] + X + sum(SUB) + L - D   (I[i,-1] = on hand)
  shipped    B[i,t] - B[i,t-1] + L[i,t] <= D[i,t]       (shipments never negative)
  safety     I[i,t] + Z[i,t] >= SS[i,t]                  (soft: Z costs the penalty)
  lines      sum_i a[i,r,t] X[i,t] - OT[r,t] <= regular hours[r,t];  OT <= overtime cap
  labour     sum_i a[i,p,t] X[i,t] - OT[p,t] - hpw W[p,t] <= 0;  OT <= ot/worker x W
  workforce  W[p,t] = W[p,t-1] + H[p,t] - F[p,t]         (W[p,-1] = today's headcount)
  subcontract sum SUB[., o, t] <= cap[o,t];   material  sum X[family of o, t] <= cap[o,t]
  ending     I[i,T-1] + E[i] >= minimum ending stock     (E is elastic, see below;
             `ending_target`: safety stock, on hand, or a family's units by demand)

X production on regular time and overtime (units), SUB subcontracted units, I
inventory, B backlog, L lost sales (0 <= L <= D), Z safety-stock shortfall, OT
overtime hours, W/H/F workers, hires, layoffs. Revenue is earned on every order
served (on time or from backlog) at the price of the month it was ordered;
orders still in backlog at the end earn nothing. The books (`sop.supply.standard`)
book it in the month it ships (or is ordered): over the horizon the same sum, so
no coefficient depends on the month revenue books in. Stock is valued at what it costs
to make or buy (at most its price): the change from opening to ending stock is a
cost term, so the plan neither dumps stock nor builds it for its own sake at the
horizon's end. A line's hours cost its regular
rate, overtime hours the overtime rate; a labour pool's regular hours are wages
paid whether used or not (W x hours_per_worker x rate).

Safety stock gives way to orders (`sop.supply.priority`): with the default penalty
(2 % a month) below the backlog cost (3 %), shipping from stock beats making an order
wait; and a lost order also carries, in the LP only, the safety-stock penalty of every
month left, so no penalty, however high, keeps a unit in stock while a sale is lost
(the reported objective and costs leave that weight out).

Hard settings that may be impossible (a minimum ending stock, no lost sales) are
elastic: their violation costs BIG per unit, far above any margin, so the LP
always solves and a positive violation names the setting that cannot be met.
The shadow price of a resource-month is minus the dual of its capacity row: the
margin one more regular hour there would add.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from sop.core import schema
from sop.supply.inputs import INF, PlanInputs
from sop.supply.lp_model import Blocks, Entries, highs_lp, quiet_highs
from sop.supply.policy import END_NONE, END_OPENING, END_SAFETY, END_UNITS, SupplyPolicy
from sop.supply.priority import serve_first
from sop.supply.standard import unit_cost
from sop.supply.targets import Target
from sop.supply.targets import rows as target_rows

TOKEN_HOLD = 1e-4  # share of a unit's worth a month held, for items with no costs at all


@dataclass(frozen=True)
class ExtraHours:
    """Line hours the plan may buy on top of the regular hours (the goal solver's
    "extra capacity" lever): at most `hi` (m, T) hours, at `cost` (m, T) money an hour
    (on top of the line's regular rate, which the units made pay as usual)."""

    hi: np.ndarray
    cost: np.ndarray


@dataclass
class LpSolution:
    """Values (arrays shaped like the variables), duals and the size of the LP."""

    ok: bool
    message: str
    objective: float
    values: dict[str, np.ndarray]
    duals: dict[str, np.ndarray]
    costs: dict[str, np.ndarray]  # objective coefficient of each variable block
    big: float
    rows: int
    cols: int
    nonzeros: int
    build_s: float
    solve_s: float


def _line_cost(inp: PlanInputs) -> np.ndarray:
    """Cost of the regular line hours one unit of each item takes (labour is paid as wages)."""
    res = inp.res
    is_line = (res[schema.KIND] == schema.KIND_LINE).to_numpy()
    reg = res[schema.REGULAR_COST_PER_HOUR].to_numpy(dtype=float)
    return inp.hours @ (reg * is_line)


def _big_penalty(inp: PlanInputs) -> float:
    """The cost per unit of violating an elastic setting: far above any margin."""
    sub_cost = inp.sub[schema.COST_PER_UNIT].to_numpy(dtype=float, na_value=0.0)
    return 100.0 * (
        1.0
        + float(np.max(inp.worth, initial=0))
        + float(np.max(sub_cost, initial=0))
        + float(np.max(inp.material, initial=0))
    )


def _ending_value(inp: PlanInputs, line_cost: np.ndarray) -> np.ndarray:
    """What a unit of each item left in stock at the end is worth."""
    # ending stock is worth what it costs to get (make or buy, at most its price), so
    # stock left at the end is neither a loss nor a profit in itself
    acquire = inp.material[:, -1] + line_cost
    if len(inp.sub_pairs):
        cheapest = np.full(inp.n, INF)
        np.minimum.at(cheapest, inp.sub_pairs[:, 0], inp.sub_price)
        acquire = np.minimum(acquire, cheapest)
    return np.clip(np.minimum(acquire, inp.worth[:, -1]), 0, None)


def ending_target(inp: PlanInputs, policy: SupplyPolicy) -> np.ndarray:
    """The minimum stock of each item at the end of the horizon (units; 0 without one).

    A family's `ending_units` are split over its items (plants or SKUs) in proportion
    to their demand over the horizon (equally when the family has no demand)."""
    if policy.ending_inventory == END_SAFETY:
        return inp.ss[:, -1].copy()
    if policy.ending_inventory == END_OPENING:
        return inp.onhand.copy()
    if policy.ending_inventory != END_UNITS:
        return np.zeros(inp.n)
    fam = inp.items[schema.FAMILY].to_numpy(dtype=object)
    code, fams = pd.factorize(fam)
    want = pd.Series(dict(policy.ending_units), dtype=float).reindex(fams).fillna(0.0)
    d = inp.demand.sum(axis=1)
    total = np.bincount(code, d, len(fams))[code]
    count = np.bincount(code, minlength=len(fams))[code]
    share = np.where(total > 0, d / np.where(total > 0, total, 1.0), 1.0 / count)
    return want.to_numpy()[code] * share


def _columns(
    inp: PlanInputs,
    policy: SupplyPolicy,
    line_cost: np.ndarray,
    value: np.ndarray,
    big: float,
    hpw: np.ndarray,
    extra: ExtraHours | None = None,
    n_targets: int = 0,
) -> tuple[Blocks, dict[str, np.ndarray]]:
    """The variable blocks (X, SUB, I, B, L, Z, OT, W, H, F, E) with bounds and costs."""
    n, T, m = inp.n, inp.T, len(inp.res)
    q, k = len(inp.labour), len(inp.sub_pairs)
    res, wf, price = inp.res, inp.workforce, inp.worth
    is_line = (res[schema.KIND] == schema.KIND_LINE).to_numpy()
    reg = res[schema.REGULAR_COST_PER_HOUR].to_numpy(dtype=float)
    otr = res[schema.OVERTIME_COST_PER_HOUR].to_numpy(dtype=float)
    hold = inp.hold.copy()
    serve = serve_first(inp, policy)  # orders before safety stock (`sop.supply.priority`)
    # an item that costs nothing to make or hold (no costs loaded) would leave the LP
    # indifferent to making more than it needs: a token holding cost keeps stock lean
    free = (inp.hold == 0).all(axis=1) & ((inp.material[:, 0] + line_cost) <= 0)
    hold[free] += TOKEN_HOLD * np.maximum(price[free], 1.0)
    hold[:, -1] -= value
    bc = policy.backlog_cost_pct / 100 * price
    b_cost = bc.copy()
    b_cost[:, -1] += price[:, -1]
    l_cost = price + (
        policy.lost_sales_penalty_pct / 100 * price + serve if policy.lost_sales_allowed else big
    )
    b_hi = np.full((n, T), INF if policy.backlog_allowed else 0.0)
    if policy.zero_ending_backlog:
        b_hi[:, -1] = 0.0
    max_h = (
        wf[schema.MAX_HIRES_PER_MONTH].to_numpy(dtype=float, na_value=np.nan)
        if schema.MAX_HIRES_PER_MONTH in wf
        else np.full(q, np.nan)
    )
    ot_hi = np.where(is_line[:, None], inp.ot_cap, INF) if policy.overtime_allowed else 0.0
    ot_cost = np.where(is_line, np.maximum(otr - reg, 0.0), otr)
    end_on = policy.ending_inventory != END_NONE

    c = Blocks()
    X = c.block((n, T), cost=inp.material + line_cost[:, None])
    SUB = c.block(
        (k, T),
        hi=INF if policy.subcontract_allowed else 0.0,
        cost=np.repeat(inp.sub_price[:, None], T, axis=1),
    )
    I = c.block((n, T), cost=hold)  # noqa: E741 -- I is inventory, as in the model above
    B = c.block((n, T), hi=b_hi, cost=b_cost)
    L = c.block((n, T), hi=inp.demand, cost=l_cost)
    Z = c.block((n, T), hi=inp.ss, cost=policy.safety_stock_penalty_pct / 100 * price)
    OT = c.block((m, T), hi=ot_hi, cost=ot_cost[:, None])
    W = c.block((q, T), cost=(reg[inp.labour] * hpw)[:, None])
    H = c.block(
        (q, T),
        hi=np.where(np.isfinite(max_h), max_h, INF)[:, None] if policy.hiring_allowed else 0.0,
        cost=wf[schema.HIRING_COST].to_numpy(dtype=float, na_value=0.0)[:, None],
    )
    F = c.block(
        (q, T),
        hi=INF if policy.layoffs_allowed else 0.0,
        cost=wf[schema.LAYOFF_COST].to_numpy(dtype=float, na_value=0.0)[:, None],
    )
    E = c.block((n, 1), hi=INF if end_on else 0.0, cost=big)
    blocks = dict(X=X, SUB=SUB, I=I, B=B, L=L, Z=Z, OT=OT, W=W, H=H, F=F, E=E)
    if extra is not None:  # line hours that may be bought (the goal solver's lever)
        blocks["XC"] = c.block((m, T), hi=extra.hi, cost=extra.cost)
    if n_targets:  # how far each target is missed, at a big cost
        blocks["TS"] = c.block((n_targets, 1), cost=big)
    return c, blocks


def _rows(
    inp: PlanInputs,
    policy: SupplyPolicy,
    col: dict[str, np.ndarray],
    n_cols: int,
    hpw: np.ndarray,
) -> tuple[Blocks, sp.csc_matrix, dict[str, np.ndarray]]:
    """The constraint rows (see the module docstring), the matrix and the row blocks
    whose duals are read (BAL, CAP, LOT, SUBC, MATC, ENDR)."""
    n, T, m = inp.n, inp.T, len(inp.res)
    q, k = len(inp.labour), len(inp.sub_pairs)
    wf = inp.workforce
    motw = wf[schema.MAX_OVERTIME_PER_WORKER].to_numpy(dtype=float, na_value=0.0)
    w0 = wf[schema.WORKERS].to_numpy(dtype=float, na_value=0.0)
    end_on = policy.ending_inventory != END_NONE
    X, SUB, B, L, Z = col["X"], col["SUB"], col["B"], col["L"], col["Z"]
    I = col["I"]  # noqa: E741 -- I is inventory, as in the model above
    OT, W, H, F, E = col["OT"], col["W"], col["H"], col["F"], col["E"]
    r = Blocks()
    entries = Entries()
    put = entries.put
    rhs = -inp.demand.copy()
    rhs[:, 0] += inp.onhand
    BAL = r.block((n, T), lo=rhs, hi=rhs)
    put(BAL, I, 1.0), put(BAL, B, -1.0), put(BAL, X, -1.0), put(BAL, L, -1.0)
    put(BAL[:, 1:], I[:, :-1], -1.0), put(BAL[:, 1:], B[:, :-1], 1.0)
    if k:
        put(BAL[inp.sub_pairs[:, 0]], SUB, -1.0)
    has_ss = inp.ss > 1e-9
    SSR = r.block((int(has_ss.sum()), 1), lo=inp.ss[has_ss][:, None], hi=INF)
    put(SSR[:, 0], I[has_ss], 1.0), put(SSR[:, 0], Z[has_ss], 1.0)
    CAP = r.block((m, T), lo=-INF, hi=inp.cap)
    hc = inp.hours.tocoo()
    put(CAP[hc.col], X[hc.row], hc.data[:, None])
    put(CAP, OT, -1.0)
    if "XC" in col:
        put(CAP, col["XC"], -1.0)
    blocks = dict(CAP=CAP)
    if q:
        put(CAP[inp.labour], W, -hpw[:, None])
        LOT = r.block((q, T), lo=-INF, hi=0.0)
        put(LOT, OT[inp.labour], 1.0), put(LOT, W, -motw[:, None])
        wrhs = np.zeros((q, T))
        wrhs[:, 0] = w0
        WFR = r.block((q, T), lo=wrhs, hi=wrhs)
        put(WFR, W, 1.0), put(WFR, H, -1.0), put(WFR, F, 1.0)
        put(WFR[:, 1:], W[:, :-1], -1.0)
        blocks["LOT"] = LOT
    SUBC = r.block((len(inp.sub), T), lo=-INF, hi=inp.sub_cap)
    if k:
        put(SUBC[inp.sub_pairs[:, 1]], SUB, 1.0)
    MATC = r.block((len(inp.mat), T), lo=-INF, hi=inp.mat_cap)
    if len(inp.mat_pairs):
        put(MATC[inp.mat_pairs[:, 1]], X[inp.mat_pairs[:, 0]], 1.0)
    ENDR = r.block((n, 1), lo=ending_target(inp, policy)[:, None] if end_on else -INF, hi=INF)
    put(ENDR, I[:, -1:], 1.0), put(ENDR, E, 1.0)
    if policy.backlog_allowed:
        # shipped = D - L + B[t-1] - B[t] >= 0: without it the balance only ties I - B,
        # so a short plan could owe customers more than they ordered to keep stock up
        # (a negative shipment, negative revenue that month)
        SHIP = r.block((n, T), lo=-INF, hi=inp.demand)
        put(SHIP, B, 1.0), put(SHIP, L, 1.0), put(SHIP[:, 1:], B[:, :-1], -1.0)
    blocks |= dict(BAL=BAL, SUBC=SUBC, MATC=MATC, ENDR=ENDR)
    return r, entries.matrix((r.size, n_cols)), blocks


def _solution(
    h: highspy.Highs, col: dict[str, np.ndarray], row: dict[str, np.ndarray], T: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(values, duals) of a solved model, shaped like the variable and row blocks."""
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    x = np.where(np.abs(x) < 1e-7, 0.0, x)
    y = -np.asarray(sol.row_dual)
    rc = -np.asarray(sol.col_dual)
    values = {name: x[idx] for name, idx in col.items()}
    duals = dict(
        TGT=y[row["TGT"]] if "TGT" in row else np.zeros(0),
        BAL=y[row["BAL"]],
        CAP=y[row["CAP"]],
        LOT=y[row["LOT"]] if "LOT" in row else np.zeros((0, T)),
        SUBC=y[row["SUBC"]],
        MATC=y[row["MATC"]],
        OT=rc[col["OT"]],
        END=y[row["ENDR"]][:, 0],
    )
    return values, duals


def _target_rows(
    inp: PlanInputs,
    policy: SupplyPolicy,
    c: Blocks,
    col: dict[str, np.ndarray],
    targets: tuple[Target, ...],
) -> tuple[Blocks, sp.csc_matrix]:
    """The targets' rows (`sop.supply.targets`), each with its slack column TS."""
    cost = c.arrays()[2]
    costs = {name: cost[idx] for name, idx in col.items()}
    found = target_rows(inp, policy, col, costs, targets, unit_cost(inp))
    r = Blocks()
    entries = Entries()
    for k, tr in enumerate(found):
        ROW = r.block((1, 1), lo=tr.lo, hi=tr.hi)
        entries.put(np.full(len(tr.cols), ROW[0, 0]), tr.cols, tr.vals)
        # the slack moves the figure towards the target: + for at least, - for at most
        entries.put(ROW[0], col["TS"][k], 1.0 if math.isfinite(tr.lo) else -1.0)
    return r, entries.matrix((r.size, c.size))


def build_and_solve(
    inp: PlanInputs,
    policy: SupplyPolicy,
    targets: tuple[Target, ...] = (),
    extra: ExtraHours | None = None,
) -> LpSolution:
    """Build the LP of `inp` under `policy` with numpy/scipy.sparse and solve it.

    `targets` become elastic rows (`sop.supply.targets`: values["TS"] is how far each
    is missed, duals["TGT"] the margin one more unit of it costs); `extra` adds the
    line hours the plan may buy (values["XC"]). Raises ValueError for a target the
    data cannot express."""
    t0 = time.perf_counter()
    big = _big_penalty(inp)
    line_cost = _line_cost(inp)
    value = _ending_value(inp, line_cost)
    hpw = inp.workforce[schema.HOURS_PER_WORKER].to_numpy(dtype=float, na_value=0.0)
    c, col = _columns(inp, policy, line_cost, value, big, hpw, extra, len(targets))
    r, A, row = _rows(inp, policy, col, c.size, hpw)
    if targets:
        rt, At = _target_rows(inp, policy, c, col, targets)
        row["TGT"] = np.arange(r.size, r.size + rt.size)
        r.size += rt.size
        r.lo, r.hi, r.cost = r.lo + rt.lo, r.hi + rt.hi, r.cost + rt.cost
        A = sp.vstack([A, At], format="csc")
    offset = float(np.sum(value * inp.onhand) - np.sum(inp.worth * inp.demand))
    offset += float(np.sum(inp.added_cost)) if inp.added_cost is not None else 0.0
    offset += float(np.sum(inp.promo_cost)) if inp.promo_cost is not None else 0.0
    lp = highs_lp(c, r, A, offset)
    h = quiet_highs()
    h.passModel(lp)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    status = h.getModelStatus()
    ok = status == highspy.HighsModelStatus.kOptimal
    cost = c.arrays()[2]
    costs = {name: cost[idx] for name, idx in col.items()} | {"VALUE": value}
    values, duals = _solution(h, col, row, inp.T) if ok else ({}, {})
    served = ok and policy.lost_sales_allowed
    # the serve-first weight only orders the choices: the objective reported is money
    weight = float(np.sum(serve_first(inp, policy) * values["L"])) if served else 0.0
    return LpSolution(
        ok=ok,
        message=h.modelStatusToString(status),
        objective=h.getInfo().objective_function_value - weight if ok else float("nan"),
        values=values,
        duals=duals,
        costs=costs,
        big=big,
        rows=r.size,
        cols=c.size,
        nonzeros=int(A.nnz),
        build_s=t1 - t0,
        solve_s=t2 - t1,
    )
