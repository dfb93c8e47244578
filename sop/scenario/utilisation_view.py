"""The Scenarios page's utilisation table: every resource that can bind (lines, labour
pools, family capacities, and the supplier and subcontract caps that bind), its kind,
its utilisation in the scenario and the baseline over the months it is open, the months
its limit binds while open and the months it is shut.

Pure: plans in, a text DataFrame out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.supply.capacity import line_utilisation
from sop.supply.limit_kinds import CAPACITY, kind_rank, plan_limits
from sop.supply.plan import PlanResult

AVERAGE = "Average (open months)"
BASELINE_AVERAGE = "Baseline average (open months)"
AT_LIMIT = "Months at limit"
SHUT = "Shut"


def _use_by_resource(plan: PlanResult) -> pd.DataFrame:
    """Every limit of a plan that can bind (`sop.supply.limit_kinds.plan_limits`: its
    resources, and the supplier and subcontract caps that bind): resource, kind, name,
    plant, avg (over its open months), peak (fractions; a cap's are undefined, NaN, its
    peak 1 where it binds open; both NaN for a limit with no open month), binding (open
    months its limit binds: rows of `PlanResult.bottlenecks` with a limit above 0) and
    shut (months it has no hours or units at all: a resource's from its resource use, a
    cap's where it binds at 0)."""
    ru, b = plan.resource_use, plan.bottlenecks
    # `line_utilisation` is the one definition (load / regular hours or units a month,
    # over the open months); applied to every kind, plants kept where a family capacity
    # has none
    u = line_utilisation(ru.assign(**{schema.KIND: schema.KIND_LINE, schema.PLANT: ""}))
    u = u.set_index(schema.RESOURCE)
    first = ru.drop_duplicates(schema.RESOURCE).set_index(schema.RESOURCE)
    lim = plan_limits(plan)
    res = lim["constraint"].eq(CAPACITY).to_numpy()
    code = lim[schema.RESOURCE]
    key = ["constraint", schema.RESOURCE]
    if len(b):
        at_zero = b["limit"].astype(float).to_numpy() <= 0
        count = b.assign(_open=~at_zero, _shut=at_zero).groupby(key)[["_open", "_shut"]].sum()
        count = lim[key].merge(count, left_on=key, right_index=True, how="left").fillna(0)
    else:
        count = lim[key].assign(_open=0, _shut=0)
    binding = count["_open"].to_numpy(dtype=int)
    opened = code.map(u["open_months"]).to_numpy(dtype=float)
    has_open = np.where(res, opened > 0, binding > 0)
    out = lim[[schema.RESOURCE, "kind", schema.NAME]].assign(
        **{schema.PLANT: code.map(first[schema.PLANT]).where(res)},
        avg=code.map(u["avg"]).where(res & has_open),
        peak=code.map(u["peak"]).where(res, 1.0).where(has_open),
    )
    out["binding"] = binding
    out["shut"] = np.where(
        res, code.map(u["shut_months"]).fillna(0).to_numpy(dtype=int), count["_shut"]
    ).astype(int)
    return out


def utilisation_display(scenario: PlanResult, baseline: PlanResult) -> pd.DataFrame:
    """Every resource that can bind, as text: Resource, Kind (line, labour pool, family
    capacity, supplier cap, subcontract cap), Name, Plant, Average (open months), Peak,
    Baseline average (open months), Baseline peak (percent of regular hours, or of the
    units a month a family may make, over the months it has some: a shut month is no
    month at 100 % nor at 0 %; "–" with none; a supplier's or subcontractor's cap only
    where it binds, its average "–": the plan holds its cap only there), Months at
    limit (the scenario's open months in the bottleneck table) and Shut (the scenario's
    months with no hours or units at all), each "N of <plan months> months": the two
    add up to the bottleneck table's months of a limit shut only where it binds."""
    s, b = _use_by_resource(scenario), _use_by_resource(baseline)
    base = b.set_index(schema.RESOURCE)
    u = pd.concat([s, b[~b[schema.RESOURCE].isin(s[schema.RESOURCE])]], ignore_index=True)
    u = u.assign(_k=kind_rank(u["kind"]))
    u = u.sort_values(["_k", schema.RESOURCE], ignore_index=True)
    scen = s.set_index(schema.RESOURCE)
    months = scenario.resource_use[schema.MONTH].nunique()
    out = pd.DataFrame(
        {
            "Resource": u[schema.RESOURCE],
            "Kind": u["kind"],
            "Name": u[schema.NAME],
            "Plant": u[schema.PLANT].fillna("–"),
        }
    )
    for col, label, frame in (
        ("avg", AVERAGE, scen),
        ("peak", "Peak", scen),
        ("avg", BASELINE_AVERAGE, base),
        ("peak", "Baseline peak", base),
    ):
        out[label] = [fmt.pct(v) for v in u[schema.RESOURCE].map(frame[col])]
    for col, label in (("binding", AT_LIMIT), (SHUT.lower(), SHUT)):
        n = u[schema.RESOURCE].map(scen[col]).fillna(0).astype(int)
        out[label] = [f"{k} of {months} months" for k in n]
    return out
