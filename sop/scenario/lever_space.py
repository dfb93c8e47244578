"""The lever space of a dataset: which families, regions, lines, supplier caps and plan
months the scenario levers can name, how many capacity- and supplier-change rows there
are, and whether the subcontracting and hiring levers have anything to act on.

`dataset_space` is the only part that reads the data (cache it once per dataset);
`widen_space` adds whatever a `Levers` value names that the data lacks, so a saved
scenario or a shared link always fits. The widgets drawn over a space are in
`sop.scenario.lever_widgets`. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from sop.core import schema
from sop.scenario.levers import ALL_SUPPLIERS, Levers
from sop.supply.explain import cap_codes, cap_names

MIN_SLOTS = 2  # capacity-change rows shown even when no lever uses them
MIN_SUPPLIER_SLOTS = 2  # supplier-change rows shown when the data has supplier caps


@dataclass(frozen=True)
class LeverSpace:
    """What the levers can name, so what the widgets offer: families, regions, line
    resources and plan months (YYYY-MM); `slots` capacity-change rows; `subcontract` /
    `labour`: whether the subcontracting and hiring levers can do anything (the data has
    subcontract offers / labour pools, or the levers already move them); `suppliers`:
    the data's supplier caps (`sop.supply.explain.cap_codes`) and `supplier_slots`
    supplier-change rows (none without supplier caps, unless the levers already change one);
    `supplier_names`: (code, name) of each of the data's caps, named as the Supply page
    names them (`sop.supply.explain.cap_names`: 'Cooling material cap'; a cap only a
    lever names has none)."""

    families: tuple[str, ...]
    regions: tuple[str, ...]
    resources: tuple[str, ...]
    months: tuple[str, ...]
    slots: int = MIN_SLOTS
    subcontract: bool = True
    labour: bool = True
    suppliers: tuple[str, ...] = ()
    supplier_slots: int = 0
    supplier_names: tuple[tuple[str, str], ...] = ()


def _names(column: pd.Series) -> set[str]:
    """The distinct values of a name column as text (each distinct value read once)."""
    return set(pd.Series(column.unique()).astype(str))


def dataset_space(
    demand: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    names: Mapping[str, str] | None = None,
) -> LeverSpace:
    """The lever space of a demand plan and dataset alone (nothing moved): its families,
    regions, lines, supplier caps and plan months, and whether subcontracting and hiring
    have anything to act on. The only part that reads the data: cache it once per dataset and widen
    it per levers with `widen_space`. `names`: the dataset's supplier cap names
    (`sop.supply.explain.cap_names` of `tables`) when the caller has them already read
    (the app: `sop.ui.readers.cap_names`), else read here."""
    opts, crew = tables.get(schema.SUPPLY_OPTIONS), tables.get(schema.WORKFORCE)
    kinds = opts[schema.OPTION_TYPE] if opts is not None and schema.OPTION_TYPE in opts else None
    subcontract = kinds is not None and (kinds == schema.OPTION_SUBCONTRACT).any()
    suppliers = tuple(cap_codes(tables))
    return LeverSpace(
        tuple(sorted(_names(demand[schema.FAMILY]))),
        tuple(sorted(_names(demand[schema.REGION]))),
        tuple(sorted(_names(tables[schema.CAPACITY][schema.RESOURCE]))),
        tuple(sorted({f"{m:%Y-%m}" for m in pd.to_datetime(demand[schema.MONTH].unique())})),
        MIN_SLOTS,
        bool(subcontract),
        bool(crew is not None and len(crew) > 0),
        suppliers,
        MIN_SUPPLIER_SLOTS if suppliers else 0,
        tuple((cap_names(tables) if names is None else names).items()),  # code order
    )


def widen_space(known: LeverSpace, levers: Levers) -> LeverSpace:
    """`known` (a `dataset_space`) widened by anything `levers` names that the data
    lacks, so a saved scenario always fits its widgets. Cheap: no data is read."""
    months = set(known.months) | ({levers.promo_start} - {""})
    months |= {m for c in levers.capacity_changes for m in c[1:3]}
    months |= {m for c in levers.supplier_changes for m in c[1:3]}
    lines = set(known.resources) | {c[0] for c in levers.capacity_changes}
    suppliers = set(known.suppliers) | {c[0] for c in levers.supplier_changes} - {ALL_SUPPLIERS}
    fams = (
        set(known.families)
        | {k for k, _ in levers.demand_family_pct}
        | {k for k, _ in levers.price_family_pct}
        | {k for k, _ in levers.ending_units}
        | ({levers.promo_family} - {""})
    )
    regions = set(known.regions) | {k for k, _ in levers.demand_region_pct}
    base = Levers()
    subcontract = known.subcontract or (
        levers.subcontract_allowed,
        levers.subcontract_cap_pct,
    ) != (base.subcontract_allowed, base.subcontract_cap_pct)
    labour = known.labour or (levers.hiring_allowed, levers.hiring_limit) != (
        base.hiring_allowed,
        base.hiring_limit,
    )
    return LeverSpace(
        tuple(sorted(fams)),
        tuple(sorted(regions)),
        tuple(sorted(lines)),
        tuple(sorted(months)),
        max(MIN_SLOTS, len(levers.capacity_changes)),
        bool(subcontract),
        bool(labour),
        tuple(sorted(suppliers)),
        max(known.supplier_slots, len(levers.supplier_changes)),
        known.supplier_names,
    )


def space_for(demand: pd.DataFrame, tables: dict[str, pd.DataFrame], levers: Levers) -> LeverSpace:
    """The lever space of a demand plan and dataset, widened by anything `levers`
    names that the data lacks (`dataset_space`, then `widen_space`)."""
    return widen_space(dataset_space(demand, tables), levers)
