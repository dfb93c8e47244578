"""Goal seek (issue 15): is the answer the best lever set, and how fast is it?

On the demo company (demand from the real forecast engine, fitted once) with the
target "revenue at least the budget" over the budget's months:

a. (i) the linear levers only (overtime 0..200 % of today's caps, subcontracting
   0..300 %, hiring 0..20 people a month, extra line hours 0..50 % at 60 an hour):
   status, and when the target cannot be met the best reachable revenue and the
   limits that bind; (ii) the same plus price -15..+15 % per family, starting from a
   price elasticity of -1.5 (price moves demand); (iii) plus one promotion (+25 %
   for 1-3 months on any family from any month, 50,000 a month). A met answer's gross margin and LP
   objective (margin less penalties, what the plan maximises) are compared with the
   best of 2,000 random lever sets drawn within the same ranges, and of 500 with the
   prices near the answer's, that also meet the target (each evaluated as a scenario
   with the target as its own, so its plan is the best meeting it at those levers, and
   checked on the books);
b. a grid over three levers (overtime cap, price of Cooling, price of Heating; a
   coarse grid, then a fine one around its best point; each point a scenario with the
   target): the goal with only those levers allowed must be within 0.1 % of the best
   grid point or above it;
c. timing: the goal solve on the demo (median of 5), on a synthetic 5,000-SKU x
   8-region x 24-month company with a binding on-time target, and the trade-off
   frontier (12 points) on the demo for both axes.

Run: .venv/bin/python bench/bench_goal.py (about 10 minutes on 2 cores). The output is
kept in bench/results/goal.txt.
"""

from __future__ import annotations

import dataclasses
import itertools
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop.core import schema
from sop.core.tables import TABLES
from sop.data.validate import validate_dir
from sop.demand.sources import demand_by_forecasting
from sop.goal.frontier import frontier
from sop.goal.solve import check, solve_goal
from sop.goal.spec import GoalSpec, LeverRange
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy
from sop.supply.synthetic import synthetic_company
from sop.supply.targets import AT_LEAST, Target

RESULTS = ROOT / "bench" / "results" / "goal.txt"
RANDOM_SETS = 2000
LOCAL_SETS = 500
HOUR_COST = 60.0
LINEAR = (
    LeverRange("overtime", 0, 200),
    LeverRange("subcontract", 0, 300),
    LeverRange("hiring", 0, 20),
    LeverRange("extra_capacity", 0, 50, cost=HOUR_COST),
)
PRICE = LeverRange("price", -15, 15)
PROMO = LeverRange("promotion", 1, 3, cost=50_000.0, uplift=25.0)
ELASTIC = Levers(price_elasticity=-1.5)


class Tee:
    """Writes to the terminal and to the results file at once."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = path.open("w", encoding="utf-8")
        self.out = sys.stdout

    def write(self, text: str) -> int:
        self.file.write(text)
        self.file.flush()
        return self.out.write(text)

    def flush(self) -> None:
        self.file.flush()
        self.out.flush()


def money(v: float) -> str:
    return f"EUR {v:,.0f}"


def budget_target(tables: dict) -> Target:
    b = tables[schema.BUDGET]
    months = pd.DatetimeIndex(b[schema.MONTH])
    return Target(
        "revenue",
        AT_LEAST,
        float(b[schema.REVENUE].sum()),
        start=months.min().strftime("%Y-%m"),
        end=months.max().strftime("%Y-%m"),
    )


def show_result(label: str, r) -> None:
    print(f"  {label}: status {r.status}, {r.seconds:.2f} s, {r.solves} LP solves")
    for t, value, ok in r.reached:
        print(f"    {t.describe('EUR')}: reached {value:,.0f} ({'met' if ok else 'missed'})")
    for _t, value in r.best:
        print(f"    best reachable with every lever at the top of its range: {value:,.0f}")
    for _t, limits in r.binding:
        if not limits:
            print("    no capacity limit binds there: demand itself is the limit")
        for b in limits:
            print(f"    binding: {b.text('revenue', 'EUR')}")
    if r.ok:
        k = r.evaluation.kpis
        print(f"    answer: {r.levers.describe()}")
        print(f"    gross margin {money(k['gross_margin'])}; LP objective {money(k['objective'])}")


def random_levers(
    rng, start: Levers, lines: list[str], months: list[str], fams: list[str], promo: bool = False
):
    """A lever set drawn uniformly within the goal's ranges. Extra line hours: each
    line-month gets a change drawn from 0..50 % with a probability itself drawn from
    0..1 per set (so sparse and dense purchases are both tried), at 60 an hour. With
    `promo`, half the sets add a promotion (family, start month, 1-3 months) at the
    goal's uplift and cost."""
    density = rng.uniform()
    changes = tuple(
        (line, m, m, float(rng.uniform(0, 50)))
        for line in lines
        for m in months
        if rng.uniform() < density
    )
    return dataclasses.replace(
        start,
        overtime_cap_pct=float(rng.uniform(0, 200)),
        subcontract_cap_pct=float(rng.uniform(0, 300)),
        hiring_limit=float(rng.uniform(0, 20)),
        capacity_changes=changes,
        added_hour_cost=HOUR_COST,
        price_family_pct=tuple((f, float(rng.uniform(-15, 15))) for f in fams),
        **(_random_promo(rng, months, fams) if promo and rng.uniform() < 0.5 else {}),
    )


def _random_promo(rng, months: list[str], fams: list[str]) -> dict:
    length = int(rng.integers(1, 4))
    return dict(
        promo_family=str(rng.choice(fams)),
        promo_start=str(rng.choice(months[: len(months) - length + 1])),
        promo_months=length,
        promo_uplift_pct=PROMO.uplift,
        promo_cost=PROMO.cost,
    )


def best_of(levers_list, base, tables, policy, target: Target, label: str):
    """(how many meet `target`, best margin, best objective) over the lever sets."""
    n, margin, objective = 0, -np.inf, -np.inf
    for lv in tqdm(levers_list, desc=label, mininterval=5):
        lv = dataclasses.replace(lv, targets=(target,))
        ev = evaluate(base, tables, lv, policy, with_risk=False)
        if ev.ok and all(ok for *_, ok in check(ev, (target,))):
            n += 1
            margin = max(margin, ev.kpis["gross_margin"])
            objective = max(objective, ev.kpis["objective"])
    return n, margin, objective


def compare(what: str, goal: float, other: float) -> None:
    rel = (goal - other) / abs(other) if np.isfinite(other) else np.nan
    print(
        f"    {what}: goal {money(goal)}, best of the others {money(other)}, "
        f"difference {money(goal - other)} ({100 * rel:+.4f} %) -> "
        f"{'OK' if goal >= other - 1e-3 * abs(other) else 'GOAL BEATEN'}"
    )


def part_a(base, tables, policy, target: Target) -> None:
    print(f"\na. {target.describe('EUR')}")
    lines = tables[schema.RESOURCES]
    lines = lines.loc[lines[schema.KIND] == schema.KIND_LINE, schema.RESOURCE].tolist()
    months = sorted(pd.DatetimeIndex(base.fm[schema.MONTH]).strftime("%Y-%m").unique())
    fams = [str(f) for f in base.families]
    for label, levers, start in (
        ("(i) linear levers only", LINEAR, Levers()),
        (
            "(ii) linear levers + price -15..+15 % per family, elasticity -1.5",
            (*LINEAR, PRICE),
            ELASTIC,
        ),
        (
            "(iii) linear levers + price + one promotion (+25 % for 1-3 months at "
            "50,000 a month), elasticity -1.5",
            (*LINEAR, PRICE, PROMO),
            ELASTIC,
        ),
    ):
        r = solve_goal(base, tables, policy, GoalSpec((target,), levers, start))
        show_result(label, r)
        if not r.ok:
            continue
        rng = np.random.default_rng(15)
        promo = any(lv.name == "promotion" for lv in levers)
        sets = [random_levers(rng, start, lines, months, fams, promo) for _ in range(RANDOM_SETS)]
        n, margin, objective = best_of(sets, base, tables, policy, target, "random sets")
        print(f"    {n} of {RANDOM_SETS} random lever sets meet the target")
        if n:
            k = r.evaluation.kpis
            compare("gross margin", k["gross_margin"], margin)
            compare("LP objective", k["objective"], objective)
        if not any(lv.name == "price" for lv in levers):
            continue
        # near the answer: each price moved by up to 4 points (within the range)
        near = []
        for lv in sets[:LOCAL_SETS]:
            moved = dict(r.levers.price_family_pct)
            near.append(
                dataclasses.replace(
                    lv,
                    price_family_pct=tuple(
                        (f, float(np.clip(moved.get(f, 0.0) + rng.uniform(-4, 4), -15, 15)))
                        for f in fams
                    ),
                )
            )
        n, margin, objective = best_of(near, base, tables, policy, target, "near the answer")
        print(
            f"    {n} of {len(near)} lever sets near the answer (prices within 4 points of "
            "its own, the other levers random) meet the target"
        )
        if n:
            k = r.evaluation.kpis
            compare("gross margin", k["gross_margin"], margin)
            compare("LP objective", k["objective"], objective)


def part_b(base, tables, policy, target: Target) -> None:
    lo, hi = -30.0, 6.0
    fams = ("Cooling", "Heating")
    print(
        f"\nb. Grid over overtime cap 0..200 %, price of {' and '.join(fams)} {lo:g}..{hi:g} % "
        f"(elasticity -1.5, other levers as today); {target.describe('EUR')}"
    )
    spec = GoalSpec(
        (target,),
        (LeverRange("overtime", 0, 200), LeverRange("price", lo, hi, names=fams)),
        ELASTIC,
    )
    r = solve_goal(base, tables, policy, spec)
    show_result("goal, these three levers only", r)

    def point(ot: float, pc: float, ph: float) -> Levers:
        return dataclasses.replace(
            ELASTIC,
            overtime_cap_pct=float(ot),
            price_family_pct=((fams[0], float(pc)), (fams[1], float(ph))),
        )

    def run(ots, pcs, phs, label):
        best, best_at, n, seen = -np.inf, None, 0, 0
        for ot, pc, ph in tqdm(list(itertools.product(ots, pcs, phs)), desc=label, mininterval=5):
            seen += 1
            lv = dataclasses.replace(point(ot, pc, ph), targets=(target,))
            ev = evaluate(base, tables, lv, policy, with_risk=False)
            if ev.ok and all(ok for *_, ok in check(ev, (target,))):
                n += 1
                if ev.kpis["gross_margin"] > best:
                    best, best_at = ev.kpis["gross_margin"], (ot, pc, ph)
        print(
            f"    {label}: {seen} points, {n} meet the target; best margin {money(best)} at "
            f"overtime {best_at[0]:g} %, {fams[0]} {best_at[1]:+g} %, {fams[1]} {best_at[2]:+g} %"
            if best_at
            else f"    {label}: {seen} points, none meets the target"
        )
        return best, best_at

    coarse, at = run(
        np.linspace(0, 200, 9),
        np.arange(lo, hi + 1e-9, 3),
        np.arange(lo, hi + 1e-9, 3),
        "coarse grid",
    )
    if at is None:
        return
    ots = np.clip(np.linspace(at[0] - 25, at[0] + 25, 9), 0, 200)
    pcs = np.clip(np.linspace(at[1] - 3, at[1] + 3, 9), lo, hi)
    phs = np.clip(np.linspace(at[2] - 3, at[2] + 3, 9), lo, hi)
    fine, _ = run(np.unique(ots), np.unique(pcs), np.unique(phs), "fine local grid")
    if r.ok:
        compare(
            "gross margin vs the best grid point",
            r.evaluation.kpis["gross_margin"],
            max(coarse, fine),
        )


def timed(base, tables, policy, spec, runs: int = 1) -> tuple[float, object]:
    secs, r = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        r = solve_goal(base, tables, policy, spec)
        secs.append(time.perf_counter() - t0)
    return statistics.median(secs), r


def part_c(base, tables, policy, target: Target) -> None:
    print("\nc. Timing")
    for label, levers, start in (("(i)", LINEAR, Levers()), ("(ii)", (*LINEAR, PRICE), ELASTIC)):
        s, r = timed(base, tables, policy, GoalSpec((target,), levers, start), runs=5)
        print(f"  demo, case {label}: median of 5 {s:.2f} s ({r.status}, {r.solves} LP solves)")
    big, big_demand = synthetic_company(5000, 8, 24)
    # the synthetic company has no sales table; the price lever scales the sales revenue
    # (net prices), so it gets an empty one (prices are then the list prices, as before)
    big = {**big, schema.SALES: pd.DataFrame(columns=TABLES[schema.SALES].column_names)}
    big_base, big_policy = prepare_demand(big_demand), SupplyPolicy(horizon=24)
    on_time = Target("on_time_rate", AT_LEAST, 0.99)
    start = Levers(demand_pct=40.0)
    ev = evaluate(big_base, big, start, big_policy, with_risk=False)
    print(
        "  5,000 SKUs x 8 regions x 24 months, demand +40 %: on-time "
        f"{100 * ev.kpis['on_time_rate']:.1f} % before; target {on_time.describe()}"
    )
    for label, levers, st in (
        ("linear levers", LINEAR, start),
        (
            "linear levers + price -15..+15 % on F00 and F01 (elasticity -1.5)",
            (*LINEAR, LeverRange("price", -15, 15, names=("F00", "F01"))),
            dataclasses.replace(start, price_elasticity=-1.5),
        ),
    ):
        s, r = timed(big_base, big, big_policy, GoalSpec((on_time,), levers, st))
        print(f"    {label}: {s:.1f} s ({r.status}, {r.solves} LP solves); {r.levers.describe()}")
    # the demo is 100 % on time as forecast: the service frontier starts from demand +25 %
    for axis, start in (
        ("on_time_rate", Levers(demand_pct=25.0)),
        ("ending_inventory_value", Levers()),
    ):
        spec = GoalSpec((), LINEAR, start)
        t0 = time.perf_counter()
        pts = frontier(base, tables, policy, spec, axis=axis, points=12)
        print(
            f"  frontier on the demo ({start.describe()}), axis {axis}, linear levers: "
            f"{time.perf_counter() - t0:.1f} s, {len(pts)} points"
        )
        for p in pts:
            x = f"{100 * p.x:.2f} %" if axis == "on_time_rate" else money(p.x)
            print(
                f"    x {x}: margin less penalties {money(p.objective)}, gross margin "
                f"{money(p.margin)}, {'met' if p.met else 'missed'}"
            )


def main() -> None:
    sys.stdout = Tee(RESULTS)
    tables = validate_dir(ROOT / "data" / "demo").tables
    t0 = time.perf_counter()
    demand = demand_by_forecasting(tables, 18)
    print(f"demo forecast fitted once for the bench in {time.perf_counter() - t0:.1f} s")
    base, policy = prepare_demand(demand), SupplyPolicy()
    target = budget_target(tables)
    part_a(base, tables, policy, target)
    part_b(base, tables, policy, target)
    part_c(base, tables, policy, target)


if __name__ == "__main__":
    main()
