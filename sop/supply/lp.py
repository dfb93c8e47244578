"""The aggregate production plan as a linear program, built in bulk and solved by HiGHS.

Minimise  -(revenue) + material + line hours + overtime + wages + hiring + layoffs
          + subcontract + holding + backlog + lost-sales goodwill + safety-stock penalty
i.e. maximise gross margin less the two penalties. Per item i and month t:

  inventory  I[i,t] - B[i,t] = I[i,t-1] - B[i,t-1] + X + sum(SUB) + L - D   (I[i,-1] = on hand)
  safety     I[i,t] + Z[i,t] >= SS[i,t]                  (soft: Z costs the penalty)
  lines      sum_i a[i,r,t] X[i,t] - OT[r,t] <= regular hours[r,t];  OT <= overtime cap
  labour     sum_i a[i,p,t] X[i,t] - OT[p,t] - hpw W[p,t] <= 0;  OT <= ot/worker x W
  workforce  W[p,t] = W[p,t-1] + H[p,t] - F[p,t]         (W[p,-1] = today's headcount)
  subcontract sum SUB[., o, t] <= cap[o,t];   material  sum X[family of o, t] <= cap[o,t]
  ending     I[i,T-1] + E[i] >= minimum ending stock     (E is elastic, see below)

X production on regular time and overtime (units), SUB subcontracted units, I
inventory, B backlog, L lost sales (0 <= L <= D), Z safety-stock shortfall, OT
overtime hours, W/H/F workers, hires, layoffs. Revenue is earned on every order
served (on time or from backlog) at the price of the month it was ordered;
orders still in backlog at the end earn nothing. Stock is valued at what it costs
to make or buy (at most its price): the change from opening to ending stock is a
cost term, so the plan neither dumps stock nor builds it for its own sake at the
horizon's end. A line's hours cost its regular
rate, overtime hours the overtime rate; a labour pool's regular hours are wages
paid whether used or not (W x hours_per_worker x rate).

Hard settings that may be impossible (a minimum ending stock, no lost sales) are
elastic: their violation costs BIG per unit, far above any margin, so the LP
always solves and a positive violation names the setting that cannot be met.
The shadow price of a resource-month is minus the dual of its capacity row: the
margin one more regular hour there would add.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from sop.core import schema
from sop.supply.inputs import INF, PlanInputs
from sop.supply.policy import END_NONE, END_SAFETY, SupplyPolicy

_QUIET = threading.Lock()
_BANNER_DONE = False


def _highs() -> highspy.Highs:
    """A silent HiGHS instance (the first one in a process prints a banner on stdout)."""
    global _BANNER_DONE
    with _QUIET:
        if not _BANNER_DONE:
            sys.stdout.flush()
            saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            try:
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(null)
                os.close(saved)
            _BANNER_DONE = True
        else:
            h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


class _Space:
    """Consecutive index blocks (for columns or rows) with bounds."""

    def __init__(self) -> None:
        self.size = 0
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []

    def block(
        self,
        shape: tuple[int, int],
        lo: float | np.ndarray = 0.0,
        hi: float | np.ndarray = INF,
        cost: float | np.ndarray = 0.0,
    ) -> np.ndarray:
        k = shape[0] * shape[1]
        idx = np.arange(self.size, self.size + k).reshape(shape)
        self.size += k
        for lst, v in ((self.lo, lo), (self.hi, hi), (self.cost, cost)):
            lst.append(np.broadcast_to(np.asarray(v, dtype=float), shape).ravel())
        return idx

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        def cat(x):
            return np.concatenate(x) if x else np.zeros(0)

        return cat(self.lo), cat(self.hi), cat(self.cost)


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


def build_and_solve(inp: PlanInputs, policy: SupplyPolicy) -> LpSolution:
    """Build the LP of `inp` under `policy` with numpy/scipy.sparse and solve it."""
    t0 = time.perf_counter()
    n, T, m = inp.n, inp.T, len(inp.res)
    q, k = len(inp.labour), len(inp.sub_pairs)
    res, wf = inp.res, inp.workforce
    is_line = (res[schema.KIND] == schema.KIND_LINE).to_numpy()
    reg = res[schema.REGULAR_COST_PER_HOUR].to_numpy(dtype=float)
    otr = res[schema.OVERTIME_COST_PER_HOUR].to_numpy(dtype=float)
    price = inp.price
    sub_cost = inp.sub[schema.COST_PER_UNIT].to_numpy(dtype=float, na_value=0.0)
    big = 100.0 * (
        1.0
        + float(np.max(price, initial=0))
        + float(np.max(sub_cost, initial=0))
        + float(np.max(inp.material, initial=0))
    )
    line_cost = inp.hours @ (reg * is_line)
    # ending stock is worth what it costs to get (make or buy, at most its price), so
    # stock left at the end is neither a loss nor a profit in itself
    acquire = inp.material[:, -1] + line_cost
    if k:
        cheapest = np.full(n, INF)
        np.minimum.at(cheapest, inp.sub_pairs[:, 0], inp.sub_price)
        acquire = np.minimum(acquire, cheapest)
    value = np.clip(np.minimum(acquire, price[:, -1]), 0, None)
    hold = inp.hold.copy()
    hold[:, -1] -= value
    bc = policy.backlog_cost_pct / 100 * price
    b_cost = bc.copy()
    b_cost[:, -1] += price[:, -1]
    l_cost = price + (
        policy.lost_sales_penalty_pct / 100 * price if policy.lost_sales_allowed else big
    )
    b_hi = np.full((n, T), INF if policy.backlog_allowed else 0.0)
    if policy.zero_ending_backlog:
        b_hi[:, -1] = 0.0
    hpw = wf[schema.HOURS_PER_WORKER].to_numpy(dtype=float, na_value=0.0)
    motw = wf[schema.MAX_OVERTIME_PER_WORKER].to_numpy(dtype=float, na_value=0.0)
    w0 = wf[schema.WORKERS].to_numpy(dtype=float, na_value=0.0)
    max_h = (
        wf[schema.MAX_HIRES_PER_MONTH].to_numpy(dtype=float, na_value=np.nan)
        if schema.MAX_HIRES_PER_MONTH in wf
        else np.full(q, np.nan)
    )
    ot_hi = np.where(is_line[:, None], inp.ot_cap, INF) if policy.overtime_allowed else 0.0
    ot_cost = np.where(is_line, np.maximum(otr - reg, 0.0), otr)
    end_on = policy.ending_inventory != END_NONE
    sub_pair_cost = inp.sub_price

    c = _Space()
    X = c.block((n, T), cost=inp.material + line_cost[:, None])
    SUB = c.block(
        (k, T),
        hi=INF if policy.subcontract_allowed else 0.0,
        cost=np.repeat(sub_pair_cost[:, None], T, axis=1),
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

    r = _Space()
    ent_r: list[np.ndarray] = []
    ent_c: list[np.ndarray] = []
    ent_v: list[np.ndarray] = []

    def put(rows: np.ndarray, cols: np.ndarray, val: float | np.ndarray) -> None:
        rows, cols = np.asarray(rows), np.asarray(cols)
        ent_r.append(rows.ravel())
        ent_c.append(cols.ravel())
        ent_v.append(np.broadcast_to(np.asarray(val, dtype=float), rows.shape).ravel())

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
    if q:
        put(CAP[inp.labour], W, -hpw[:, None])
        LOT = r.block((q, T), lo=-INF, hi=0.0)
        put(LOT, OT[inp.labour], 1.0), put(LOT, W, -motw[:, None])
        wrhs = np.zeros((q, T))
        wrhs[:, 0] = w0
        WFR = r.block((q, T), lo=wrhs, hi=wrhs)
        put(WFR, W, 1.0), put(WFR, H, -1.0), put(WFR, F, 1.0)
        put(WFR[:, 1:], W[:, :-1], -1.0)
    SUBC = r.block((len(inp.sub), T), lo=-INF, hi=inp.sub_cap)
    if k:
        put(SUBC[inp.sub_pairs[:, 1]], SUB, 1.0)
    MATC = r.block((len(inp.mat), T), lo=-INF, hi=inp.mat_cap)
    if len(inp.mat_pairs):
        put(MATC[inp.mat_pairs[:, 1]], X[inp.mat_pairs[:, 0]], 1.0)
    target = inp.ss[:, -1] if policy.ending_inventory == END_SAFETY else inp.onhand
    ENDR = r.block((n, 1), lo=target[:, None] if end_on else -INF, hi=INF)
    put(ENDR, I[:, -1:], 1.0), put(ENDR, E, 1.0)

    col_lo, col_hi, cost = c.arrays()
    row_lo, row_hi, _ = r.arrays()
    A = sp.csc_matrix(
        (np.concatenate(ent_v), (np.concatenate(ent_r), np.concatenate(ent_c))),
        shape=(r.size, c.size),
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = c.size, r.size
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, col_lo, col_hi
    lp.row_lower_, lp.row_upper_ = row_lo, row_hi
    lp.offset_ = float(np.sum(value * inp.onhand) - np.sum(price * inp.demand))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    h = _highs()
    h.passModel(lp)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    status = h.getModelStatus()
    ok = status == highspy.HighsModelStatus.kOptimal
    blocks = dict(X=X, SUB=SUB, I=I, B=B, L=L, Z=Z, OT=OT, W=W, H=H, F=F, E=E)
    costs = {name: cost[idx] for name, idx in blocks.items()} | {"VALUE": value}
    values, duals = {}, {}
    if ok:
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        x = np.where(np.abs(x) < 1e-7, 0.0, x)
        y = -np.asarray(sol.row_dual)
        rc = -np.asarray(sol.col_dual)
        values = {name: x[idx] for name, idx in blocks.items()}
        duals = dict(
            CAP=y[CAP],
            LOT=y[LOT] if q else np.zeros((0, T)),
            SUBC=y[SUBC],
            MATC=y[MATC],
            OT=rc[OT],
            END=y[ENDR][:, 0],
        )
    return LpSolution(
        ok=ok,
        message=h.modelStatusToString(status),
        objective=h.getInfo().objective_function_value if ok else float("nan"),
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
