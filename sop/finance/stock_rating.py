"""The stock-rating rule: whether a change in a plan's stock (inventory value, turns:
`Kpi.served_only`) may be rated better or worse. Less stock from running out is no
good news, so a plan's stock counts only when it serves every order (`serves_all`: its
fill rate reads 100.0 %), on time, and runs no further below safety stock than the
plans it is compared with (`below_floor`); `stock_faults` says why not, as words after
the plan's name, `serves_on_time` whether it competes, and `unserved_note` is the line
under a stock tile whose change is not rated. The tiles (`sop.finance.tiles`), the
Executive headline and the ★ of Compare and the board (`sop.scenario.stars`) rate
stock by this one rule.

Pure: numbers in, strings out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from sop.core import fmt
from sop.finance.catalogue import KPI_BY_KEY
from sop.finance.kpi_text import service_pct, value_text

BELOW_SAFETY = "below_safety_stock"


def serves_all(fill: float | None) -> bool:
    """Whether a plan with this fill rate serves all its demand: the rate reads 100.0 %
    (`service_pct`: a plan a unit short reads >99.9 %); no demand (NaN): False."""
    return not fmt.missing(fill) and service_pct(fill) == "100.0 %"


# a plan as the stock rule reads it: its KPIs (`sop.finance.kpis.plan_kpis`, a
# snapshot's) or its fill rate alone; None: not known
Service = float | Mapping[str, float] | None
NO_DEMAND_TO_SERVE = "has no demand to serve"


BELOW_TOLERANCE = 0.01  # runs "further" below safety stock: by more than 1 % (and a unit)


def _below(plan: Service) -> float:
    """A plan's unit-months below safety stock; NaN where not known."""
    v = plan.get(BELOW_SAFETY) if isinstance(plan, Mapping) else None
    return math.nan if fmt.missing(v) else float(v)


def below_floor(plans: Iterable[Service]) -> float:
    """The fewest unit-months below safety stock among the `plans` that serve every
    order on time (and know the figure): what each plan is held to (`stock_faults`); a
    late plan holding its safety stock sets no bar. 0 when none does."""
    on_time = [
        p
        for p in plans
        if p is not None and serves_on_time(p if isinstance(p, Mapping) else {"fill_rate": p})
    ]
    known = [b for b in map(_below, on_time) if not math.isnan(b)]
    return min(known) if known else 0.0


def stock_faults(plan: Service, floor: float = 0.0) -> tuple[str, ...] | None:
    """Why a plan's stock is no achievement, as words after its name: "leaves orders
    unserved (fill rate 90.2 %)", "ships orders late (on-time fill rate 86.8 %)" (said
    only where the on-time rate reads below the fill rate: lost units are not late),
    "runs below safety stock (130,700 unit-months)" or, against plans that run below it
    too (`floor`: the fewest unit-months among the plans compared, `below_floor`),
    "runs further below safety stock (130,700 unit-months, against 931)" where it runs
    more than 1 % and a unit-month further; "has no demand to serve" (fill rate NaN).
    () when it serves every order on time (`serves_all`) and runs no further below
    safety stock than `floor`; None when `plan` is. A figure the KPIs lack is not
    judged."""
    if plan is None:
        return None
    kpis = plan if isinstance(plan, Mapping) else {"fill_rate": plan}
    fill, on_time = kpis.get("fill_rate"), kpis.get("on_time_rate")
    if fill is not None and fmt.missing(fill):
        return (NO_DEMAND_TO_SERVE,)
    out = []
    if fill is not None and not serves_all(fill):
        out.append(f"leaves orders unserved (fill rate {service_pct(fill)})")
    if (
        not fmt.missing(on_time)
        and not serves_all(on_time)
        and service_pct(on_time) != service_pct(fill)
    ):
        out.append(f"ships orders late (on-time fill rate {service_pct(on_time)})")
    below = _below(kpis)
    if not math.isnan(below) and below > floor * (1 + BELOW_TOLERANCE) + 1.0:
        amount = value_text(BELOW_SAFETY, below)
        if floor >= 0.5:
            out.append(
                f"runs further below safety stock ({amount}, against "
                f"{value_text(BELOW_SAFETY, floor)})"
            )
        else:
            out.append(f"runs below safety stock ({amount})")
    return tuple(out)


def serves_on_time(kpis: Mapping[str, float], floor: float = math.inf) -> bool:
    """Whether a plan of these KPIs competes on stock (`Kpi.served_only`): its fill rate
    reads 100.0 % (`serves_all`; none known: False) and `stock_faults` finds nothing
    against `floor` (on time, no further below safety stock than `floor`: by default
    its safety stock is not judged; a figure the KPIs lack is not judged)."""
    return serves_all(kpis.get("fill_rate")) and not stock_faults(kpis, floor)


def _and(parts: tuple[str, ...]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def unserved_note(
    key: str,
    change: float,
    fill: tuple[Service, Service],
    name: str = "this plan",
    against: str = "baseline",
) -> str | None:
    """The line under the tile of a `served_only` KPI (stock) whose change between two
    plans is not rated because one of them runs short, ships late or runs below safety
    stock further than the other (`stock_faults` against `below_floor`); None when both
    serve every order on time and neither runs further below safety stock, or nothing
    is known of them (None). `fill`: `name`'s and the
    reference's KPIs (or fill rates alone, `Service`). "Lower because the scenario
    ships orders late (on-time fill rate 86.8 %) and runs below safety stock (130,700
    unit-months), not better"; "Higher because the previous plan leaves orders
    unserved (fill rate 95.0 %), not worse"; else "Not rated better or worse: ..."
    naming each plan at fault and why (or that it has no demand)."""
    plans = ((name, fill[0]), (f"the {against}", fill[1]))
    floor = below_floor(fill)
    short = [(who, why) for who, f in plans if (why := stock_faults(f, floor))]
    if not short:
        return None
    way = "Higher" if change > 0 else "Lower"
    good = (change > 0) == (KPI_BY_KEY[key].better == "up")
    (who, why), *more = short
    if not more and why != (NO_DEMAND_TO_SERVE,) and good == (who == name):
        # the change goes the way running short pushes stock: not to its credit
        verdict = "not better" if good else "not worse"
        return f"{way} because {who} {_and(why)}, {verdict}"
    return "Not rated better or worse: " + "; ".join(f"{w} {_and(y)}" for w, y in short)
