"""The Scenarios page's utilisation table: every resource that can bind (lines, labour
pools, family capacities, and the supplier and subcontract caps that bind), its kind,
its utilisation in the scenario and the baseline and the months its limit binds.

Pure: plans in, a text DataFrame out.
"""

from __future__ import annotations

import pandas as pd

from sop.core import fmt, schema
from sop.supply.capacity import line_utilisation
from sop.supply.limit_kinds import CAPACITY, kind_rank, plan_limits
from sop.supply.plan import PlanResult


def _use_by_resource(plan: PlanResult) -> pd.DataFrame:
    """Every limit of a plan that can bind (`sop.supply.limit_kinds.plan_limits`: its
    resources, and the supplier and subcontract caps that bind): resource, kind, name,
    plant, avg, peak (fractions; a cap's are undefined, NaN, its peak 1 where it binds)
    and binding (months its limit binds, `PlanResult.bottlenecks`)."""
    ru, b = plan.resource_use, plan.bottlenecks
    # `line_utilisation` is the one definition (load / regular hours or units a month);
    # applied to every kind, plants kept even where a family capacity has none
    u = line_utilisation(ru.assign(**{schema.KIND: schema.KIND_LINE, schema.PLANT: ""}))
    u = u.set_index(schema.RESOURCE)
    first = ru.drop_duplicates(schema.RESOURCE).set_index(schema.RESOURCE)
    lim = plan_limits(plan)
    res = lim["constraint"].eq(CAPACITY).to_numpy()
    code = lim[schema.RESOURCE]
    out = lim[[schema.RESOURCE, "kind", schema.NAME]].assign(
        **{schema.PLANT: code.map(first[schema.PLANT]).where(res)},
        avg=code.map(u["avg"]).where(res),
        peak=code.map(u["peak"]).where(res, 1.0),
    )
    n_binding = b.groupby("resource").size() if len(b) else pd.Series(dtype=int)
    out["binding"] = out[schema.RESOURCE].map(n_binding).fillna(0).astype(int)
    return out


def utilisation_display(scenario: PlanResult, baseline: PlanResult) -> pd.DataFrame:
    """Every resource that can bind, as text: Resource, Kind (line, labour pool, family
    capacity, supplier cap, subcontract cap), Name, Plant, Average, Peak, Baseline
    average, Baseline peak (percent of regular hours, or of the units a month a family
    may make; a supplier's or subcontractor's cap only where it binds, its average
    "–": the plan holds its cap only there) and Months at limit (the scenario's months
    in the bottleneck table, of the plan's months)."""
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
        ("avg", "Average", scen),
        ("peak", "Peak", scen),
        ("avg", "Baseline average", base),
        ("peak", "Baseline peak", base),
    ):
        out[label] = [fmt.pct(v) for v in u[schema.RESOURCE].map(frame[col])]
    binding = u[schema.RESOURCE].map(scen["binding"]).fillna(0).astype(int)
    out["Months at limit"] = [f"{n} of {months} months" for n in binding]
    return out
