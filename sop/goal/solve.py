"""Goal seek: the lever set with the best margin that meets every target.

`solve_goal` runs the outer search (`sop.goal.search`: safety stock, price, a
promotion) around the goal LP (`sop.goal.model`: the plan with the targets as rows,
overtime, subcontracting, hiring, extra line hours and supplier caps inside), turns
the best solve into a scenario (`model.settle`: a switch the starting scenario had
off stays off when the plan does not use its lever, and the message says it was not
needed; a supplier cap is raised only where the plan ships beyond it) and evaluates it
as any scenario is evaluated (`sop.scenario.evaluate.evaluate`), so the figures shown,
the moves listed and the scenario saved are the one scenario's, and each target is
checked on its books (`sop.supply.targets.measure`). With the supplier lever, the
result also gives the smallest supplier raise the targets alone need (`sop.goal.least`,
a bisection of a few more goal solves, the raise found evaluated as a scenario and its
targets checked on its books as the answer's are), since the best-margin answer raises
a cap as far as shipping pays.

When no lever set within the ranges meets every target, the result says so with the
best value each target reaches alone (every lever at the top of its range) and the
limits that bind there, with what one more hour or unit of each is worth.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sop.goal import explain, least, search, supplier
from sop.goal.model import SWITCHES, at_top, best_reachable, settle, solve_inner
from sop.goal.reprice import Repricer
from sop.goal.spec import GoalSpec
from sop.scenario import wording
from sop.scenario.evaluate import DemandBase, Evaluation, evaluate
from sop.scenario.levers import Levers
from sop.supply.explain import cap_names
from sop.supply.policy import SupplyPolicy
from sop.supply.targets import Target, measure, met

MET, INFEASIBLE, INVALID = "met", "infeasible", "invalid"
Progress = Callable[[float, str], None]


@dataclass
class GoalResult:
    """The answer of a goal solve (see the module docstring)."""

    status: str
    levers: Levers
    evaluation: Evaluation | None
    start: Evaluation | None
    reached: list[tuple[Target, float, bool]] = field(default_factory=list)
    best: list[tuple[Target, float]] = field(default_factory=list)
    binding: list[tuple[Target, list[explain.Binding]]] = field(default_factory=list)
    moves: list[str] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0
    solves: int = 0
    # with the supplier lever: the least raise the targets alone need (`sop.goal.least`)
    need: least.Need | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == MET


def _money(tables: dict) -> str:
    from sop.supply.plan import _currency

    return _currency(tables)


def check(ev: Evaluation, targets: tuple[Target, ...]) -> list[tuple[Target, float, bool]]:
    """Each target's value in an evaluated plan and whether it is met."""
    if not ev.ok:
        return [(t, float("nan"), False) for t in targets]
    out = []
    for t in targets:
        v = measure(ev.plan, t)
        out.append((t, v, met(v, t)))
    return out


def not_needed(spec: GoalSpec, levers: Levers) -> str:
    """The switch levers the goal was allowed to turn on that the answer leaves off
    (its plan does not use them: `sop.goal.model.kept_off`), in the scenario's words:
    'overtime, subcontracting' ('' when none)."""
    names = [
        wording.LABELS[switch]
        for name, switch in SWITCHES.items()
        if spec.lever(name) and not getattr(spec.start, switch) and not getattr(levers, switch)
    ]
    return ", ".join(names)


def solve_goal(
    base: DemandBase,
    tables: dict,
    policy: SupplyPolicy,
    spec: GoalSpec,
    progress: Progress | None = None,
) -> GoalResult:
    """The best-margin lever set meeting `spec`'s targets, as a scenario (module doc)."""
    t0 = time.perf_counter()
    money = _money(tables)

    def say(f: float, text: str) -> None:
        if progress:
            progress(min(max(f, 0.0), 1.0), text)

    if bad := spec.problems() + supplier.refusals(spec, tables):
        return GoalResult(INVALID, spec.start, None, None, message="; ".join(bad))
    say(0.02, "Solving the starting scenario")
    start_ev = evaluate(base, tables, spec.start, policy, with_risk=False)
    if not start_ev.ok:
        return GoalResult(INVALID, spec.start, None, start_ev, message=start_ev.plan.explanation)

    names = cap_names(tables)  # a supplier cap as code · name, in the sentences
    repricer = Repricer(base, tables, policy)
    families = [str(f) for f in base.families]

    def one(levers: Levers):
        return solve_inner(base, tables, policy, spec, levers, repricer=repricer)

    s = search.Search(one, lambda text: say(0.1 + min(0.7, len(s.seen) / 150), text))
    try:
        if price := spec.lever("price"):  # price moves without preparing again, if exact
            span = supplier.plan_span(base)
            top = at_top(spec, dataclasses.replace(spec.start, targets=()), span)
            repricer.check(top, [f for f in families if not price.names or f in price.names])
        outer = search.safety_stock(s, spec, spec.start)
        # a promotion first (it moves demand most), then the prices around it; the
        # promotion is checked again at the new prices, and the prices refined if it moved
        outer = search.prices(s, spec, search.promotion(s, spec, outer), families)
        promoted = search.promotion(s, spec, outer)
        if promoted != outer:
            outer = search.prices(s, spec, promoted, families, first=1 / 16)
        best = s(outer)
    except ValueError as exc:
        return GoalResult(INVALID, spec.start, None, start_ev, message=str(exc))
    if not best.sol.ok:
        text = f"The goal plan could not be solved ({best.sol.message})."
        return GoalResult(INVALID, spec.start, None, start_ev, message=text)
    say(0.85, "Evaluating the answer as a scenario")
    levers, ev = settle(base, tables, policy, spec, best)
    reached = check(ev, spec.targets)
    result = GoalResult(
        MET if best.meets and all(ok for *_, ok in reached) else INFEASIBLE,
        levers,
        ev,
        start_ev,
        reached,
        solves=len(s.seen),
    )
    if result.ok:
        result.moves = explain.moves(start_ev, ev, money, names) + explain.prices_of_targets(
            best, money
        )
        result.message = "Every target is met: " + "; ".join(
            t.describe(money) for t in spec.targets
        )
        if idle := not_needed(spec, levers):
            result.message += (
                f". Allowed but not needed, so left off as in the starting scenario: {idle}"
            )
        if spec.lever(supplier.NAME) and levers.supplier_changes == spec.start.supplier_changes:
            result.message += ". Supplier caps allowed but not needed: kept as they were"

        def holds(scenario: Levers) -> bool:  # evaluated as the answer: targets on its books
            found = evaluate(base, tables, scenario, policy, with_risk=False)
            return all(ok for *_, ok in check(found, spec.targets))

        result.need = least.smallest(
            spec,
            levers,
            lambda sp: solve_inner(base, tables, policy, sp, best.start, repricer=repricer),
            supplier.plan_span(base),
            holds,
            lambda step, text: say(0.87 + 0.011 * step, text),
        )
        if result.need is not None:
            result.solves += result.need.solves
            result.notes.append(explain.need_sentences(result.need, names))
    else:
        say(0.9, "Finding the best reachable value of each target")
        for t in spec.targets:
            value, inner = best_reachable(base, tables, policy, spec, outer, t)
            result.best.append((t, value))
            result.binding.append((t, explain.binding(inner, inner.sol.big)))
            result.solves += 2
        result.moves = explain.moves(start_ev, ev, money, names) if ev.ok else []
        result.message = "Not every target can be met with the levers and ranges allowed."
        for t, found in result.binding:
            if not found:
                result.message += (
                    f" {t.describe(money)}: no capacity or supply limit binds, the demand "
                    "of those months is the limit."
                )
    result.seconds = time.perf_counter() - t0
    say(1.0, "Done")
    return result
