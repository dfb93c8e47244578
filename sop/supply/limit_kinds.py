"""The one vocabulary for what limits a plan: every resource or cap of a `PlanResult`
that can bind, its kind and the name a screen calls it by.

Kinds, in the one order every list of them follows (`KIND_ORDER`): line, labour pool,
family capacity (a family's units a month), supplier cap (a material cap of the supply
options), subcontract cap. A limit's display name is its kind and its code ("line
RS-ASM1", "labour pool RS-LAB", "supplier cap CAP-CL-MOTOR", "subcontract cap SUB-CL");
a family capacity, whose code only repeats its family, goes by its family ("family
capacity (Kitchen)").

Resources (lines, labour pools, family capacities) come from the plan's resource use;
a supplier's or subcontractor's cap is known to a plan only where it binds (its
bottleneck table), so only those caps are listed. Read by the Supply summary's count
of binding limit-months (`sop.finance.kpis.binding_kinds`), the S&OP grid's limits
(`sop.finance.grid.binding_limits`) and the Scenarios utilisation table
(`sop.scenario.utilisation_view`). Pure: a plan in, a DataFrame out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sop.core import schema
from sop.supply import explain
from sop.supply.results import PER
from sop.supply.sku_values import PER_UNIT

if TYPE_CHECKING:  # a plan is only read here; importing the solver is not needed
    from sop.supply.plan import PlanResult

LINE = "line"
LABOUR_POOL = "labour pool"
FAMILY_CAPACITY = "family capacity"
SUPPLIER_CAP = "supplier cap"
SUBCONTRACT_CAP = "subcontract cap"
KIND_ORDER = (LINE, LABOUR_POOL, FAMILY_CAPACITY, SUPPLIER_CAP, SUBCONTRACT_CAP)
# the bottleneck table's `constraint` of a cap (`sop.supply.explain.bottlenecks`) -> kind
CAP_KINDS = {explain.MATERIAL_CAP: SUPPLIER_CAP, explain.SUBCONTRACT_CAP: SUBCONTRACT_CAP}
CAPACITY = explain.CAPACITY  # the bottleneck table's `constraint` of a resource's hours or units
LABEL = "label"  # a limit's display name (not the bottleneck table's numeric `limit`)
COLUMNS = ["constraint", schema.RESOURCE, "kind", schema.NAME, LABEL]


def kind_rank(kinds: pd.Series) -> pd.Series:
    """Each kind's place in `KIND_ORDER` (an unknown kind after all of them)."""
    return kinds.map({k: i for i, k in enumerate(KIND_ORDER)}).fillna(len(KIND_ORDER))


def plan_limits(plan: PlanResult) -> pd.DataFrame:
    """Every limit of `plan` that can bind: each resource of its resource use and each
    supplier or subcontract cap that binds, in `KIND_ORDER`, then by code.

    Columns: constraint (as the bottleneck table says it: capacity, material cap,
    subcontract cap: with resource, the key of a bottleneck row), resource (the
    resource's or the cap's code), kind (`KIND_ORDER`), name (the resource's name; a
    cap's, as `sop.supply.explain.cap_name` gives it: 'Cooling material cap') and label
    (the display name: 'supplier cap CAP-CL-MOTOR', 'family capacity (Kitchen)')."""
    ru, b = plan.resource_use, plan.bottlenecks
    parts = []
    if not ru.empty:
        first = ru.drop_duplicates(schema.RESOURCE)
        per = first[PER] if PER in first else pd.Series("hour", index=first.index)
        kind = first[schema.KIND].eq(schema.KIND_LABOUR).map({True: LABOUR_POOL, False: LINE})
        kind = kind.where(per.ne(PER_UNIT), FAMILY_CAPACITY)
        parts.append(
            pd.DataFrame(
                {
                    "constraint": CAPACITY,
                    schema.RESOURCE: first[schema.RESOURCE].to_numpy(),
                    "kind": kind.to_numpy(),
                    schema.NAME: first[schema.NAME].to_numpy(),
                }
            )
        )
    if not b.empty:
        caps = b[b["constraint"].isin(list(CAP_KINDS))].drop_duplicates(["constraint", "resource"])
        parts.append(
            pd.DataFrame(
                {
                    "constraint": caps["constraint"].to_numpy(),
                    schema.RESOURCE: caps["resource"].to_numpy(),
                    "kind": caps["constraint"].map(CAP_KINDS).to_numpy(),
                    schema.NAME: caps["name"].to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    code = out[schema.RESOURCE].astype(str)
    out[LABEL] = (out["kind"] + " " + code).where(
        out["kind"].ne(FAMILY_CAPACITY), FAMILY_CAPACITY + " (" + out[schema.NAME].astype(str) + ")"
    )
    out = out.assign(_k=kind_rank(out["kind"]), _c=code)
    return out.sort_values(["_k", "_c"], ignore_index=True)[COLUMNS]
