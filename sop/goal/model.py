"""The goal model: the plan's LP with the targets as rows and the linear levers inside.

One solve (`solve_inner`) takes the scenario levers the outer search chose (price,
safety stock: `sop.goal.search`) and lets the LP move the linear levers jointly with
the plan: overtime, subcontracting, hiring and supplier caps at the top of their ranges
(their hours, units and hires are already costed in the LP, a supplier ships at its
data price, so a higher cap costs nothing in itself: `sop.goal.supplier`), and extra
line hours as columns at the user's cost per hour. `answer` turns the solution back
into a scenario (`Levers`): the smallest caps the plan used, the extra hours as
capacity changes, the supplier caps raised where and by as much as the plan ships
beyond them, the targets; a switch the starting scenario had off (overtime,
subcontracting, hiring) stays off when the plan does not use its lever. Re-solved by
`sop.scenario.evaluate` that scenario's plan is this plan: same LP, the lever columns
fixed at their values. `settle` evaluates the answer and makes sure a switch left off
changed neither the targets met nor the margin, and that the answer's plan is the
goal LP's (same objective, every target the LP met met).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from sop.core import schema
from sop.goal import supplier
from sop.goal.spec import GoalSpec
from sop.scenario.evaluate import DemandBase, Evaluation, apply_levers, evaluate
from sop.scenario.levers import Levers
from sop.supply.inputs import PlanInputs, prepare
from sop.supply.lp import ExtraHours, LpSolution, build_and_solve
from sop.supply.policy import SupplyPolicy
from sop.supply.targets import AT_LEAST, Target, measure, met, row_units

EPS = 1e-6
ROOM = 1 + 1e-7  # a cap set from a plan's use keeps this much room (rounding)
# overtime hours, subcontracted units or hires over the whole horizon below which a
# lever counts as unused (solver noise, far below any figure shown)
UNUSED = 0.01
# goal lever -> the scenario's switch for it (`Levers`)
SWITCHES = {
    "overtime": "overtime_allowed",
    "subcontract": "subcontract_allowed",
    "hiring": "hiring_allowed",
}
SAME = 1e-6  # relative: the margin a switch left off may move (`settle`)


@dataclass
class Inner:
    """One goal solve: the levers it ran under, its inputs and solution."""

    levers: Levers  # the outer levers, linear levers at the top of their ranges
    start: Levers  # the outer levers as the search gave them (linear levers as started)
    inp: PlanInputs
    policy: SupplyPolicy
    sol: LpSolution
    extra: ExtraHours | None
    targets: tuple[Target, ...]

    @property
    def score(self) -> float:
        """What the LP minimises: -(margin less penalties) + big x the targets missed."""
        return self.sol.objective if self.sol.ok else float("inf")

    @property
    def plain(self) -> float:
        """`score` without the targets' penalty: -(margin less penalties)."""
        if not self.sol.ok:
            return float("inf")
        return self.sol.objective - self.sol.big * float(self.missed.sum())

    @property
    def missed(self) -> np.ndarray:
        """How far each target is missed (its own unit; 0 when met)."""
        ts = self.sol.values.get("TS", np.zeros((0, 1))) if self.sol.ok else np.zeros((0, 1))
        return np.asarray(ts).ravel()

    @property
    def meets(self) -> bool:
        scale = np.array([max(abs(t.value), 1.0) for t in self.targets])
        return bool(self.sol.ok and np.all(self.missed <= 1e-6 * scale))


def at_top(spec: GoalSpec, levers: Levers, span: tuple[str, str] = ("", "")) -> Levers:
    """`levers` with every allowed linear lever at the top of its range (`span`: the
    plan's first and last month, YYYY-MM, over which supplier caps are raised)."""
    ch: dict = {}
    if raised := supplier.top_changes(spec, span):
        ch |= dict(supplier_changes=tuple(levers.supplier_changes) + raised)
    if lv := spec.lever("overtime"):
        ch |= dict(overtime_allowed=True, overtime_cap_pct=float(lv.high))
    if lv := spec.lever("subcontract"):
        ch |= dict(subcontract_allowed=True, subcontract_cap_pct=float(lv.high))
    if lv := spec.lever("hiring"):
        ch |= dict(hiring_allowed=True, hiring_limit=float(lv.high))
    if lv := spec.lever("extra_capacity"):
        ch |= dict(added_hour_cost=float(lv.cost))
    return dataclasses.replace(levers, **ch)


def extra_hours(spec: GoalSpec, inp: PlanInputs) -> ExtraHours | None:
    """The extra line hours allowed: up to `high` % of each chosen line's regular hours
    (lines counted in hours only), at `cost` an hour."""
    lv = spec.lever("extra_capacity")
    if lv is None:
        return None
    res = inp.res
    ok = (res[schema.KIND] == schema.KIND_LINE).to_numpy() & (np.asarray(inp.per) == "hour")
    if lv.names:
        ok &= res[schema.RESOURCE].isin(lv.names).to_numpy()
    hi = np.where(ok[:, None], inp.cap * lv.high / 100, 0.0)
    return ExtraHours(hi=hi, cost=np.full(inp.cap.shape, float(lv.cost)))


def solve_inner(
    base: DemandBase,
    tables: dict,
    policy: SupplyPolicy,
    spec: GoalSpec,
    levers: Levers,
    targets: tuple[Target, ...] | None = None,
    repricer=None,
) -> Inner:
    """Solve the goal LP under the outer `levers` (ValueError for bad levers/targets).
    `repricer` (`sop.goal.reprice.Repricer`) prepares price moves fast when it can."""
    targets = spec.targets if targets is None else targets
    top = at_top(spec, dataclasses.replace(levers, targets=()), supplier.plan_span(base))
    if repricer is not None:
        inp, pol = repricer.inputs(top)
    else:
        si = apply_levers(base, tables, policy, top)
        inp, pol = prepare(si.demand, si.tables, si.policy), si.policy
    extra = extra_hours(spec, inp)
    sol = build_and_solve(inp, pol, targets, extra)
    return Inner(top, levers, inp, pol, sol, extra, targets)


def _share_used(used: np.ndarray, cap: np.ndarray) -> float:
    """The largest used / cap where a finite, positive cap applies (0 when none)."""
    ok = np.isfinite(cap) & (cap > EPS)
    return float(np.max(used[ok] / cap[ok], initial=0.0))


def _set(lv, need: float, start: float) -> float:
    """A cap the plan needs (`need`, with a little room), kept at the starting
    scenario's value when that is enough, within the lever's range."""
    want = max(need * ROOM, start if start >= 0 else 0.0)
    return float(min(max(want, lv.low), lv.high))


def used(inner: Inner, lever: str) -> float:
    """What the goal solve's plan uses of a switch lever over the horizon: overtime
    hours, subcontracted units or hires (0 when the data has none)."""
    v, inp = inner.sol.values, inner.inp
    if lever == "overtime":
        return float(np.sum(v["OT"]))
    if lever == "subcontract":
        return float(np.sum(v["SUB"])) if len(inp.sub_pairs) else 0.0
    return float(np.sum(v["H"])) if len(inp.labour) else 0.0


def kept_off(spec: GoalSpec, inner: Inner) -> set[str]:
    """The switch levers allowed whose switch the starting scenario had off and whose
    lever the plan does not use (`UNUSED`): the answer leaves them off."""
    return {
        name
        for name, switch in SWITCHES.items()
        if spec.lever(name) and not getattr(inner.start, switch) and used(inner, name) < UNUSED
    }


def answer(spec: GoalSpec, inner: Inner, keep_off: bool = True, loose: bool = False) -> Levers:
    """The scenario of a goal solve: its outer levers, the linear levers set to what the
    plan used (within their ranges), extra hours as capacity changes, supplier caps
    raised as the plan used them (`sop.goal.supplier.raises`), the targets.

    With `keep_off`, a switch the starting scenario had off stays off (its cap or limit
    as started) when the plan does not use its lever (`kept_off`); otherwise every
    allowed lever is on, as the goal LP had it. With `loose`, the supplier caps stay
    raised as the goal LP had them (the top of the range over every plan month)."""
    v, inp = inner.sol.values, inner.inp
    out = dict(targets=tuple(spec.targets))
    if spec.lever(supplier.NAME) and not loose:
        out["supplier_changes"] = tuple(inner.start.supplier_changes) + supplier.raises(
            spec, inner.inp, inner.sol
        )
    off = kept_off(spec, inner) if keep_off else set()
    for name in off:
        out[SWITCHES[name]] = False
    if "overtime" in off:
        out["overtime_cap_pct"] = inner.start.overtime_cap_pct
    elif lv := spec.lever("overtime"):
        lines = inp.ot_cap > EPS
        share = _share_used(v["OT"][lines], inp.ot_cap[lines])
        if len(inp.labour):
            motw = inp.workforce[schema.MAX_OVERTIME_PER_WORKER].to_numpy(float, na_value=0.0)
            share = max(share, _share_used(v["OT"][inp.labour], motw[:, None] * v["W"]))
        out["overtime_cap_pct"] = _set(lv, lv.high * share, inner.start.overtime_cap_pct)
    if "subcontract" in off:
        out["subcontract_cap_pct"] = inner.start.subcontract_cap_pct
    elif lv := spec.lever("subcontract"):
        used_cap = np.zeros_like(inp.sub_cap, dtype=float)
        if len(inp.sub_pairs):
            np.add.at(used_cap, inp.sub_pairs[:, 1], v["SUB"])
        need = lv.high * _share_used(used_cap, inp.sub_cap)
        out["subcontract_cap_pct"] = _set(lv, need, inner.start.subcontract_cap_pct)
    if "hiring" in off:
        out["hiring_limit"] = inner.start.hiring_limit
    elif lv := spec.lever("hiring"):
        need = float(np.max(v["H"], initial=0.0)) if len(inp.labour) else 0.0
        if need > EPS or inner.start.hiring_limit >= 0:
            out["hiring_limit"] = _set(lv, need, inner.start.hiring_limit)
        else:  # no hires: the data's limits stand
            out["hiring_limit"] = inner.start.hiring_limit
    if "XC" in v:
        months = inp.months.strftime("%Y-%m")
        names = inp.res[schema.RESOURCE].to_numpy(dtype=object)
        r, t = np.nonzero(v["XC"] > EPS)
        added = tuple(
            (str(names[i]), months[j], months[j], float(100 * v["XC"][i, j] / inp.cap[i, j]))
            for i, j in zip(r, t)
        )
        out["capacity_changes"] = tuple(inner.levers.capacity_changes) + added
        if not added:  # no hour bought: the starting scenario's cost per hour stands
            out["added_hour_cost"] = inner.start.added_hour_cost
    return dataclasses.replace(inner.levers, **out)


def _same(a: Evaluation, b: Evaluation, targets: tuple[Target, ...]) -> bool:
    """Both plans solved, the same targets met and the same margin (gross margin and
    the LP's margin less penalties) within `SAME` relative."""
    if not (a.ok and b.ok):
        return a.ok == b.ok
    for key in ("gross_margin", "objective"):
        x, y = float(a.kpis.get(key, 0.0)), float(b.kpis.get(key, 0.0))
        if math.isnan(x) and math.isnan(y):  # no price loaded: not known in both, alike
            continue
        if not abs(x - y) <= SAME * max(1.0, abs(x), abs(y)):
            return False
    return all(met(measure(a.plan, t), t) == met(measure(b.plan, t), t) for t in targets)


def as_lp(ev: Evaluation, inner: Inner) -> bool:
    """The evaluated answer's plan is the goal solve's: solved, the LP's objective
    (margin less penalties, less the big penalty on targets missed) within `SAME`
    relative, and every target met on its books when the LP met them all."""
    if not (ev.ok and inner.sol.ok):
        return False
    x, y = float(ev.plan.stats.get("lp_objective", math.nan)), -inner.sol.objective
    if not abs(x - y) <= SAME * max(1.0, abs(x), abs(y)):
        return False
    return not inner.meets or all(met(measure(ev.plan, t), t) for t in inner.targets)


def settle(
    base: DemandBase, tables: dict, policy: SupplyPolicy, spec: GoalSpec, inner: Inner
) -> tuple[Levers, Evaluation]:
    """The answer of a goal solve as a scenario and its plain evaluation
    (`sop.scenario.evaluate.evaluate`, the figures shown and saved). A switch left off
    (`kept_off`) stands only when the plan with every allowed lever on gives the same
    targets met and margin (`_same`); else the answer turns it on as the LP had it.
    With the supplier lever, the answer's plan must be the goal LP's (`as_lp`); when it
    is not, the supplier caps stay raised as the LP had them (`answer`'s `loose`)."""
    levers = answer(spec, inner)
    ev = evaluate(base, tables, levers, policy, with_risk=False)
    on = answer(spec, inner, keep_off=False)
    if on != levers:
        ev_on = evaluate(base, tables, on, policy, with_risk=False)
        if not _same(ev, ev_on, tuple(spec.targets)):
            levers, ev = on, ev_on
    if spec.lever(supplier.NAME) and not as_lp(ev, inner):
        loose = answer(spec, inner, keep_off=levers != on, loose=True)
        ev_loose = evaluate(base, tables, loose, policy, with_risk=False)
        if ev_loose.ok:
            return loose, ev_loose
    return levers, ev


def reach_bound(inp: PlanInputs, target: Target) -> float:
    """A value of `target`'s figure no plan can pass (the solver aims at it to find
    the best reachable value): every order served for money figures, 100 % on time,
    0 for the 'at most' figures, ten times all stock there could be for stock."""
    if target.sense != AT_LEAST:
        return 0.0
    if target.metric == "on_time_rate":
        return 1.0
    if target.metric in ("revenue", "gross_margin"):
        return 1.5 * float(np.sum(inp.price * inp.demand)) + 1.0
    total = float(inp.onhand.sum() + inp.demand.sum())
    if target.metric == "days_of_supply":
        return 10 * total / max(inp.demand.sum() / (inp.T * 30.4), 1e-9) + 1.0
    from sop.supply.standard import unit_cost

    return 10 * float(unit_cost(inp).max(initial=0.0)) * total + 1.0


def best_reachable(
    base: DemandBase, tables: dict, policy: SupplyPolicy, spec: GoalSpec, levers: Levers, t: Target
) -> tuple[float, Inner]:
    """The best value of `t`'s figure any plan reaches with every allowed lever at the
    top of its range (the other targets set aside), and the solve that reaches it."""
    probe = solve_inner(base, tables, policy, spec, levers, targets=())
    aim = dataclasses.replace(t, value=reach_bound(probe.inp, t))
    inner = solve_inner(base, tables, policy, spec, levers, targets=(aim,))
    miss = float(inner.missed[0]) / row_units(inner.inp, t) if inner.sol.ok else float("nan")
    value = aim.value - miss if t.sense == AT_LEAST else aim.value + miss
    return value, inner
