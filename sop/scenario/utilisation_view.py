"""The Scenarios page's utilisation table: every resource that can bind (lines, labour
pools, family capacities, and the supplier and subcontract caps that bind), its kind,
its utilisation in the scenario and the baseline and the months its limit binds.

Pure: plans in, a text DataFrame out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.supply.capacity import line_utilisation
from sop.supply.plan import PlanResult
from sop.supply.results import PER
from sop.supply.sku_values import PER_UNIT

KIND_LABELS = {schema.KIND_LINE: "line", schema.KIND_LABOUR: "labour pool"}
CAP_KINDS = {"material cap": "supplier cap", "subcontract cap": "subcontract cap"}
KIND_ORDER = ("line", "labour pool", "family capacity", "supplier cap", "subcontract cap")


def _use_by_resource(plan: PlanResult) -> pd.DataFrame:
    """Every resource of a plan (lines, labour pools, family capacities) and every
    supplier or subcontract cap that binds: resource, kind (`KIND_ORDER`), name, plant,
    avg, peak (fractions; a cap's are undefined, NaN, its peak 1 where it binds) and
    binding (months its limit binds, `PlanResult.bottlenecks`)."""
    ru, b = plan.resource_use, plan.bottlenecks
    # `line_utilisation` is the one definition (load / regular hours or units a month);
    # applied to every kind, plants kept even where a family capacity has none
    u = line_utilisation(ru.assign(**{schema.KIND: schema.KIND_LINE, schema.PLANT: ""}))
    first = ru.drop_duplicates(schema.RESOURCE).set_index(schema.RESOURCE)
    kind = first[schema.KIND].map(KIND_LABELS).fillna("line")
    kind = kind.where(first[PER] != PER_UNIT, "family capacity")
    n_binding = b.groupby("resource").size() if len(b) else pd.Series(dtype=int)
    res = u.assign(
        kind=u[schema.RESOURCE].map(kind).to_numpy(),
        plant=u[schema.RESOURCE].map(first[schema.PLANT]).to_numpy(),
    )
    caps = b[b["constraint"].isin(list(CAP_KINDS))].drop_duplicates("resource") if len(b) else b
    cap_rows = pd.DataFrame(
        {
            schema.RESOURCE: caps["resource"].to_numpy() if len(caps) else [],
            "kind": caps["constraint"].map(CAP_KINDS).to_numpy() if len(caps) else [],
            schema.NAME: caps["name"].to_numpy() if len(caps) else [],
            schema.PLANT: np.nan,
            "avg": np.nan,
            "peak": 1.0,
        }
    )
    out = pd.concat(
        [res[[schema.RESOURCE, "kind", schema.NAME, schema.PLANT, "avg", "peak"]], cap_rows],
        ignore_index=True,
    )
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
    u = u.assign(_k=u["kind"].map({k: i for i, k in enumerate(KIND_ORDER)}))
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
