"""The limits of a supply plan as arrays over the plan months: line hours, labour
pools, subcontracting offers and material caps, read from the supply tables for
`sop.supply.inputs.prepare`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.tables import TABLES
from sop.supply import capacity
from sop.supply import notes as plan_notes
from sop.supply.notes import PlanNote

INF = float("inf")


def line_hours(
    tables: dict[str, pd.DataFrame],
    months: pd.DatetimeIndex,
    res: pd.DataFrame,
    notes: list[PlanNote],
) -> tuple[np.ndarray, np.ndarray]:
    """(regular hours, most overtime hours) of each line per month; 0 for labour pools."""
    T = len(months)
    hrs = capacity.resource_hours(tables, months).set_index([schema.RESOURCE, schema.MONTH])
    idx = pd.MultiIndex.from_product([res[schema.RESOURCE], months])
    line = (res[schema.KIND] == schema.KIND_LINE).to_numpy()[:, None]
    cap = np.where(line, hrs[schema.AVAILABLE_HOURS].reindex(idx).to_numpy(float).reshape(-1, T), 0)
    ot_cap = np.where(
        line, hrs[capacity.OVERTIME_HOURS].reindex(idx).to_numpy(float).reshape(-1, T), 0
    )
    est = hrs[capacity.ESTIMATED].reindex(idx).to_numpy(bool).reshape(-1, T)
    for r in np.flatnonzero(est.any(axis=1)):
        gone, line = months[est[r]], res[schema.RESOURCE].iloc[r]
        notes.append(
            PlanNote(
                plan_notes.ESTIMATED_LINE_HOURS,
                (line,),
                f"The capacity calendar of line {line} has no hours for "
                f"{len(gone)} plan month(s) ({', '.join(gone[:6].strftime('%Y-%m'))}"
                f"{' ...' * (len(gone) > 6)}): the nearest month's hours were used. Add "
                "those months to the capacity table (0 working days for a shutdown), or "
                "plan a shorter horizon.",
            )
        )
    return cap, ot_cap


def labour_pools(
    tables: dict[str, pd.DataFrame], res: pd.DataFrame, notes: list[PlanNote]
) -> tuple[np.ndarray, pd.DataFrame]:
    """(positions of the labour pools in `res`, their workforce rows in that order)."""
    wf = tables.get(schema.WORKFORCE)
    lab = np.flatnonzero((res[schema.KIND] == schema.KIND_LABOUR).to_numpy())
    wf_cols = TABLES[schema.WORKFORCE].column_names
    workforce = (
        res.iloc[lab][[schema.RESOURCE]]
        .merge(
            wf if wf is not None else pd.DataFrame(columns=wf_cols), on=schema.RESOURCE, how="left"
        )
        .reset_index(drop=True)
    )
    missing_wf = workforce.loc[workforce[schema.WORKERS].isna(), schema.RESOURCE]
    if len(missing_wf):
        notes.append(
            PlanNote(
                plan_notes.NO_WORKFORCE,
                missing_wf,
                f"Labour pool(s) {', '.join(missing_wf)} have no workforce row and "
                "are planned with no hours.",
            )
        )
    return lab, workforce


def supply_options(
    tables: dict[str, pd.DataFrame],
    kind: str,
    months: pd.DatetimeIndex,
    fam_of_item: np.ndarray,
    off: float,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The supply options of `kind` (option, family, cost_per_unit), their monthly caps
    (inf where `monthly_cap_units` is blank, `off` in months an option does not apply)
    and the (item, option) pairs of the items whose family it covers."""
    so = tables.get(schema.SUPPLY_OPTIONS)
    cols = [schema.OPTION, schema.FAMILY, schema.COST_PER_UNIT]
    if so is None or so.empty:
        return pd.DataFrame(columns=cols), np.zeros((0, len(months))), np.zeros((0, 2), int)
    o = so[so[schema.OPTION_TYPE] == kind].reset_index(drop=True)
    m = months.to_numpy()[None, :]
    start = (
        o[schema.START_MONTH].to_numpy(dtype="datetime64[ns]")[:, None]
        if schema.START_MONTH in o
        else np.full((len(o), 1), np.datetime64("NaT"))
    )
    end = (
        o[schema.END_MONTH].to_numpy(dtype="datetime64[ns]")[:, None]
        if schema.END_MONTH in o
        else np.full((len(o), 1), np.datetime64("NaT"))
    )
    active = (np.isnat(start) | (start <= m)) & (np.isnat(end) | (end >= m))
    # a blank cap is no cap: the option gives as many units as the plan wants
    cap = o[schema.MONTHLY_CAP_UNITS].to_numpy(dtype=float, na_value=np.nan)
    caps = np.where(active, np.where(np.isnan(cap), INF, cap)[:, None], off)
    fam_opt = o[schema.FAMILY].to_numpy(dtype=object)
    ii, oo = np.nonzero(fam_of_item[:, None] == fam_opt[None, :])
    return o[cols], caps, np.column_stack([ii, oo]).astype(int)


def subcontract_prices(
    sub: pd.DataFrame,
    sub_pairs: np.ndarray,
    fam_item: np.ndarray,
    item_std: np.ndarray,
    item_w: np.ndarray,
) -> np.ndarray:
    """The price each (item, offer) pair pays per unit."""
    # an offer's price is for a unit of the family's mix: an item (a SKU, or a family at
    # one plant) pays it in proportion to its standard cost against its family's
    fam_code = pd.factorize(fam_item)[0]
    fam_std = np.bincount(fam_code, item_std * item_w) / np.bincount(fam_code, item_w)
    ratio = np.divide(
        item_std, fam_std[fam_code], out=np.ones(len(fam_item)), where=fam_std[fam_code] > 0
    )
    return (
        (
            sub[schema.COST_PER_UNIT].to_numpy(dtype=float, na_value=0.0)[sub_pairs[:, 1]]
            * ratio[sub_pairs[:, 0]]
        )
        if len(sub_pairs)
        else np.zeros(0)
    )
