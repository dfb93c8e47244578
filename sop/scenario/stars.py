"""The ★ rules: which plan holds the best value of a KPI row, and which plans compete
for it. `best_in_row` marks the best (ties all; compared as shown); `competitors` is the
one rule of who competes, for Compare (`sop.scenario.compare.compare_table`) and the
Executive board: stock only among plans that serve every order on time and run no
further below safety stock than the others (`served_all`, by the stock-rating rule
`sop.finance.stock_rating`), a volume that grows with demand (`demand_driven`) only
among plans of the same demand (`same_demand`, `demands_differ`); `star_note` is the
sentence under a table whose volume rows carry no ★.

Pure: dicts in, sets and strings out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from sop.core import fmt
from sop.finance.catalogue import KPIS, Kpi
from sop.finance.kpi_text import value_text
from sop.finance.stock_rating import below_floor, serves_on_time

BEST = "★ "


def served_all(plans: Mapping[str, float | Mapping[str, float]]) -> set[str]:
    """Names of the plans that compete on stock (`serves_on_time`): each plan its KPIs
    (or its fill rate alone), those that serve every order on time (fill and on-time
    fill rates read 100.0 %: a plan a unit short reads >99.9 %) and run no further
    below safety stock than the least of them does (`below_floor`: a plan that holds
    its stock only by drawing more of its safety stock wins nothing); a figure a plan's
    KPIs lack is not judged, but its fill rate is needed."""
    kpis = {k: v if isinstance(v, Mapping) else {"fill_rate": v} for k, v in plans.items()}
    floor = below_floor(kpis.values())
    return {k for k, v in kpis.items() if serves_on_time(v, floor)}


def same_demand(demands: Mapping[str, float]) -> set[str]:
    """Every name when all the plans' demands are the same (within half a unit), else
    none: units served is like for like only then (the fill rate compares the others)."""
    values = list(demands.values())
    if not values or any(map(fmt.missing, values)):
        return set()
    return set(demands) if max(values) - min(values) < 0.5 else set()


# money that grows with demand, like units served (`Kpi.same_demand`): a plan asked for
# 30 % more earns more revenue and margin even when it serves less of it, so these are
# better only between plans with the same demand (the ratios compare the others)
DEMAND_DRIVEN = ("revenue", "gross_margin")


def demand_driven(kpi: Kpi) -> bool:
    """Whether `kpi` is a volume that grows with demand (units served, revenue, gross
    margin): starred only among plans with the same demand (`competitors`)."""
    return kpi.same_demand or kpi.key in DEMAND_DRIVEN


def demands_differ(figures: Mapping[str, Mapping[str, float]]) -> bool:
    """Whether the plans of `figures` (name -> KPIs) have other demands: two or more
    plans, some demand known, and not all the same (`same_demand`; a plan whose demand
    is not known among plans whose is counts as other). Plans none of which has a
    demand figure are not known to differ."""
    demands = {n: f.get("demand_units", np.nan) for n, f in figures.items()}
    if len(demands) < 2 or all(map(fmt.missing, demands.values())):
        return False
    return not same_demand(demands)


def competitors(
    kpi: Kpi, figures: Mapping[str, Mapping[str, float]], currency: str = "EUR"
) -> set[str] | None:
    """The plans of `figures` (name -> KPIs) that compete for `kpi`'s ★ (`best_in_row`'s
    `among`): for stock (`Kpi.served_only`), those that serve every order on time and
    run no further below safety stock than the least of the on-time plans (`served_all`);
    for a volume that grows with demand (`demand_driven`: units served, revenue, gross
    margin), none when the plans'
    demands differ (`demands_differ`), else all of them; None: every plan. Compare and
    the Executive board star by this one rule."""
    if kpi.served_only:
        return served_all({n: dict(f) for n, f in figures.items()})
    if demand_driven(kpi):
        return set() if demands_differ(figures) else set(figures)
    return None


def like_for_like(kpi: Kpi) -> bool:
    """Whether `kpi` compares plans of other demands like for like: a rate with a better
    direction (fill rate, on-time fill rate, gross margin %), not a volume."""
    return kpi.unit == "pct" and bool(kpi.better) and not demand_driven(kpi)


def star_note(
    figures: Mapping[str, Mapping[str, float]],
    rows: Sequence[str] = (),
    like: Sequence[str] | None = None,
) -> str:
    """The sentence under a table starred by `competitors` when the plans' demands
    differ (else ''): which rows carry no ★, why, and which rows of the table compare
    the plans like for like. `rows` and `like`: those rows' labels as the table names
    them (default: the `KPIS` labels of the `demand_driven` and the `like_for_like`
    KPIs, as on Compare); with no `like` row the sentence names none."""
    if not demands_differ(figures):
        return ""
    unstarred = list(rows) or [k.label for k in KPIS if demand_driven(k)]
    names, carry = _listed(unstarred), "carries" if len(unstarred) == 1 else "carry"
    likes = [k.label for k in KPIS if like_for_like(k)] if like is None else list(like)
    verb = "compares" if len(likes) == 1 else "compare"
    ratios = f" (the {_listed(likes)} {verb} them like for like)" if likes else ""
    return (
        f"{names[:1].upper()}{names[1:]} {carry} no ★, as the plans' demands differ: a "
        f"plan asked for more earns more even when it serves less{ratios}."
    )


def _listed(labels: list[str]) -> str:
    """'revenue, gross margin and units served': labels in a sentence, a definition in
    brackets left out ('Fill rate (served / demanded)' reads 'fill rate')."""
    words = [re.sub(r" \(.*\)$", "", w) for w in labels]
    words = [w if w[1:2].isupper() else w[:1].lower() + w[1:] for w in words]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def best_in_row(
    values: Mapping[str, float],
    better: str,
    key: str | None = None,
    currency: str = "EUR",
    among: set[str] | None = None,
) -> set[str]:
    """Names holding the best value (ties all marked); empty when `better` is '' or
    every value is the same. With a KPI `key`, values are compared as shown
    (`value_text`), so two values that read the same are a tie. `among`: only these
    names compete (`competitors`)."""
    ok = {
        k: float(v)
        for k, v in values.items()
        if not fmt.missing(v) and (among is None or k in among)
    }
    if not better or len(ok) < 2:
        return set()
    best = max(ok.values()) if better == "up" else min(ok.values())
    if key is not None:
        shown = {k: value_text(key, v, currency) for k, v in ok.items()}
        top = value_text(key, best, currency)
        same = {k for k, t in shown.items() if t == top}
    else:
        same = {k for k, v in ok.items() if np.isclose(v, best, rtol=1e-9, atol=1e-6)}
    return set() if len(same) == len(ok) else same
