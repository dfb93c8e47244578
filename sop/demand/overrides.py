"""Consensus overrides: what a planner changes in the statistical forecast, and how.

An override targets a *scope* (a family, a SKU, or one SKU in one region) and an
inclusive month range, and is either a quantity (`units`: the scope's total
demand for each month of the range) or a percentage (`pct`: +10 scales the
scope by 1.10). Overrides combine **in creation order**, each on top of the
result of the earlier ones:

- a quantity sets the scope's monthly total and spreads it over the scope's
  SKU x region cells in proportion to their current (already overridden)
  demand; if that is all zero, in proportion to the statistical P50; if that is
  zero too, evenly;
- a percentage scales every cell of the scope.

So a later SKU override changes its family's total, and a later family quantity
resets everything below it for those months. The P10/P90 band of each cell
moves with its P50: scaled by consensus / P50 where P50 > 0, shifted by the
difference where P50 is 0. Everything here is pure: DataFrames in, new
DataFrames out.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import month_start
from sop.data.columns import LARGEST
from sop.demand.plan import SOURCE_FORECAST, SOURCE_OVERRIDE

LEVEL_FAMILY, LEVEL_SKU, LEVEL_SKU_REGION = "family", "sku", "sku_region"
OVERRIDE_LEVELS = (LEVEL_FAMILY, LEVEL_SKU, LEVEL_SKU_REGION)
KIND_UNITS, KIND_PCT = "units", "pct"
OVERRIDE_KINDS = (KIND_UNITS, KIND_PCT)
MIN_PCT = -100.0
MAX_TEXT = 200


class OverrideRejected(ValueError):
    """An override that cannot be stored; `problems` lists what to fix, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The override was not saved: " + " ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Override:
    """One planner judgement. `family` is filled in from the SKU for SKU-level ones. Who
    made it is not a field: the store records the acting person (`store.actor`)."""

    level: str
    start_month: pd.Timestamp
    end_month: pd.Timestamp
    kind: str
    value: float
    reason: str
    family: str | None = None
    sku: str | None = None
    region: str | None = None

    def scope_label(self) -> str:
        """Family Cooling / SKU CL-101 / SKU CL-101 in North."""
        if self.level == LEVEL_FAMILY:
            return f"family {self.family}"
        if self.level == LEVEL_SKU:
            return f"SKU {self.sku}"
        return f"SKU {self.sku} in {self.region}"


def _blank(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or str(x).strip() == ""


def check_override(
    ov: Override,
    products: pd.DataFrame,
    regions: list[str] | pd.Index,
    first_plan_month: pd.Timestamp | None = None,
) -> list[str]:
    """Every problem with `ov`, as planner-facing sentences (empty list: it is fine).

    `products` is the dataset's product master, `regions` its sales regions;
    `first_plan_month` (the month after the as-of month) rejects ranges that end
    in the past, where there is no forecast left to change.
    """
    problems: list[str] = []
    if _blank(ov.reason):
        problems.append(
            "Enter a reason (for example `key account win`), so others know "
            "why the forecast was changed."
        )
    if len(str(ov.reason or "")) > MAX_TEXT:
        problems.append(f"Keep the reason under {MAX_TEXT} characters.")
    if ov.level not in OVERRIDE_LEVELS:
        problems.append(f"The level must be one of {', '.join(OVERRIDE_LEVELS)}, not {ov.level!r}.")
    if ov.kind not in OVERRIDE_KINDS:
        problems.append(
            f"The change must be a quantity (`{KIND_UNITS}`) or a percentage "
            f"(`{KIND_PCT}`), not {ov.kind!r}."
        )
    value = ov.value
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append("Enter a number for the new quantity or the percentage.")
    elif abs(value) > LARGEST:  # 1e308 would wreck every sum and the plan
        problems.append(f"Enter a number of at most {LARGEST:,.0f}, not {value:g}.")
    elif ov.kind == KIND_UNITS and value < 0:
        problems.append(
            f"A quantity cannot be negative ({value:,.0f} units); enter the "
            "new monthly demand, 0 or more."
        )
    elif ov.kind == KIND_PCT and value == 0:
        problems.append(
            "A change of 0 % leaves the forecast as it is; enter the change "
            "in % (for example 10 or -15), or choose a new quantity."
        )
    elif ov.kind == KIND_PCT and value < MIN_PCT:
        problems.append(
            f"A change of {value:g} % would make demand negative; the lowest is -100 % (no demand)."
        )
    start, end = ov.start_month, ov.end_month
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        problems.append("Choose a start and an end month.")
    else:
        if pd.Timestamp(end) < pd.Timestamp(start):
            problems.append(
                f"The end month ({pd.Timestamp(end):%b %Y}) is before the start "
                f"month ({pd.Timestamp(start):%b %Y}); pick an end on or after "
                "the start."
            )
        elif first_plan_month is not None and pd.Timestamp(end) < first_plan_month:
            problems.append(
                f"The whole range ends before {first_plan_month:%b %Y}, the "
                "first month of the plan: those months are actuals already."
            )
    families = set(products[schema.FAMILY].dropna())
    skus = set(products[schema.SKU].dropna())
    if ov.level == LEVEL_FAMILY and ov.family not in families:
        problems.append(
            f"Unknown family {ov.family!r}; choose one of {', '.join(sorted(families))}."
        )
    if ov.level in (LEVEL_SKU, LEVEL_SKU_REGION) and ov.sku not in skus:
        problems.append(
            f"Unknown SKU {ov.sku!r}: it is not in the product master of the active dataset."
        )
    if ov.level == LEVEL_SKU_REGION and ov.region not in set(regions):
        problems.append(
            f"Unknown region {ov.region!r}; choose one of {', '.join(sorted(regions))}."
        )
    return problems


def normalise(ov: Override, products: pd.DataFrame) -> Override:
    """`ov` with months at month start, trimmed text, and only its level's keys set."""
    fam = products.drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
    family = ov.family if ov.level == LEVEL_FAMILY else fam.get(ov.sku)
    return Override(
        level=ov.level,
        kind=ov.kind,
        value=float(ov.value),
        start_month=month_start(ov.start_month),
        end_month=month_start(ov.end_month),
        reason=str(ov.reason).strip(),
        family=None if family is None else str(family),
        sku=ov.sku if ov.level != LEVEL_FAMILY else None,
        region=ov.region if ov.level == LEVEL_SKU_REGION else None,
    )


def as_row(ov: Override) -> dict[str, object]:
    """`ov` as the row `sop.store.overrides.add` stores, keyed by `schema.OVERRIDE_COLUMNS`
    names (the store adds the id, the time and the author)."""
    return dataclasses.asdict(ov)


WHY = "why"  # the column of `split_orphans` saying why an override does not apply


def split_orphans(
    overrides: pd.DataFrame, products: pd.DataFrame, regions: list[str] | pd.Index
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(overrides that apply, orphaned ones) of `overrides` (`schema.OVERRIDE_COLUMNS`)
    against a dataset's product master and sales regions.

    An override is orphaned when its family (family level), its SKU (SKU levels) or
    its region (SKU x region level) is not in the dataset: a later version dropped or
    renamed it. Orphans are not applied; they stay stored, for the planner to withdraw
    or keep for when the product comes back. The orphaned frame has a `WHY` column
    (a sentence); both keep the input's order and index."""
    families = set(products[schema.FAMILY].dropna().astype(str))
    skus = set(products[schema.SKU].dropna().astype(str))
    known = set(map(str, regions))
    why: list[str | None] = []
    for row in overrides.itertuples(index=False):
        level, fam, sku, region = (
            getattr(row, schema.LEVEL),
            getattr(row, schema.FAMILY),
            getattr(row, schema.SKU),
            getattr(row, schema.REGION),
        )
        if level == LEVEL_FAMILY and str(fam) not in families:
            why.append(f"family {fam} is not in the product master of the active dataset")
        elif level != LEVEL_FAMILY and str(sku) not in skus:
            why.append(f"SKU {sku} is not in the product master of the active dataset")
        elif level == LEVEL_SKU_REGION and str(region) not in known:
            why.append(f"region {region} has no sales in the active dataset")
        else:
            why.append(None)
    lost = pd.Series([w is not None for w in why], index=overrides.index, dtype=bool)
    orphans = overrides[lost].assign(**{WHY: [w for w in why if w is not None]})
    return overrides[~lost], orphans


def scope_mask(df: pd.DataFrame, row: pd.Series) -> np.ndarray:
    """Which rows of `df` (sku, region, month, family) override `row` (an `as_row` or
    `schema.OVERRIDE_COLUMNS` row) changes: its selection, in its months."""
    level = row[schema.LEVEL]
    mask = (
        (df[schema.MONTH] >= row[schema.START_MONTH]) & (df[schema.MONTH] <= row[schema.END_MONTH])
    ).to_numpy()
    if level == LEVEL_FAMILY:
        mask = mask & (df[schema.FAMILY] == row[schema.FAMILY]).to_numpy()
    else:
        mask = mask & (df[schema.SKU] == row[schema.SKU]).to_numpy()
        if level == LEVEL_SKU_REGION:
            mask = mask & (df[schema.REGION] == row[schema.REGION]).to_numpy()
    return mask


def _set_total(units: np.ndarray, p50: np.ndarray, months: np.ndarray, total: float) -> np.ndarray:
    """Spread `total` per month over cells in proportion to units, else p50, else evenly."""
    out = units.copy()
    for m in np.unique(months):
        at = months == m
        for weights in (units[at], p50[at], np.ones(at.sum())):
            w = np.clip(weights, 0, None)
            if w.sum() > 0:
                out[at] = total * w / w.sum()
                break
    return out


def apply_overrides(
    values: pd.DataFrame, products: pd.DataFrame, overrides: pd.DataFrame
) -> pd.DataFrame:
    """Consensus demand per SKU x region x month: the forecast with overrides applied.

    `values` has sku, region, month, p10, p50, p90 (the statistical forecast);
    `overrides` has `schema.OVERRIDE_COLUMNS` (active ones only, applied in
    `override_id` order). Returns sku, region, month, family, forecast_units
    (statistical P50), units (consensus), p10, p90 (band moved with the
    consensus), source (`forecast` or `forecast + override`) and band_group when
    `values` has it; sorted by month, sku, region. Overrides on SKUs or months
    outside `values` change nothing.
    """
    fam = products.drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
    keep = [c for c in (schema.BAND_GROUP,) if c in values.columns]
    df = values[
        [schema.SKU, schema.REGION, schema.MONTH, schema.P10, schema.P50, schema.P90, *keep]
    ].copy()
    df[schema.FAMILY] = df[schema.SKU].map(fam).astype("str")
    df = df.sort_values([schema.MONTH, schema.SKU, schema.REGION]).reset_index(drop=True)
    p50 = df[schema.P50].to_numpy(dtype=float)
    units = p50.copy()
    touched = np.zeros(len(df), dtype=bool)
    months = df[schema.MONTH].to_numpy()
    for _, row in overrides.sort_values(schema.OVERRIDE_ID).iterrows():
        mask = scope_mask(df, row)
        if not mask.any():
            continue
        touched |= mask
        if row[schema.KIND] == KIND_PCT:
            units[mask] = units[mask] * (1 + float(row[schema.VALUE]) / 100)
        else:
            units[mask] = _set_total(units[mask], p50[mask], months[mask], float(row[schema.VALUE]))
    ratio = np.divide(units, p50, out=np.ones_like(units), where=p50 > 0)
    shift = np.where(p50 > 0, 0.0, units - p50)
    out = df.assign(
        **{
            schema.FORECAST_UNITS: p50,
            schema.UNITS: units,
            schema.P10: np.clip(df[schema.P10].to_numpy(dtype=float) * ratio + shift, 0, None),
            schema.P90: np.clip(df[schema.P90].to_numpy(dtype=float) * ratio + shift, 0, None),
            schema.SOURCE: np.where(touched, SOURCE_OVERRIDE, SOURCE_FORECAST),
        }
    )
    return out[
        [
            schema.SKU,
            schema.REGION,
            schema.MONTH,
            schema.FAMILY,
            schema.FORECAST_UNITS,
            schema.UNITS,
            schema.P10,
            schema.P90,
            schema.SOURCE,
            *keep,
        ]
    ]


EDIT_EPSILON = 0.5  # units: an edit smaller than the shown rounding is no edit


def from_edited_row(
    family: str,
    before: pd.Series,
    after: pd.Series,
    reason: str,
) -> list[Override]:
    """The overrides an edit of a family's consensus row stands for: one per month whose
    value changed (by at least half a unit), each exactly what the Demand page saves for
    that family and month with "New quantity": level family, kind units, from = to = the
    month. `before` and `after` are indexed by month."""
    out = []
    for month, new in after.items():
        old = before.get(month)
        if new is None or pd.isna(new):  # a cell emptied: no edit
            continue
        if old is not None and not pd.isna(old) and abs(float(new) - float(old)) < EDIT_EPSILON:
            continue
        out.append(
            Override(
                level=LEVEL_FAMILY,
                start_month=pd.Timestamp(month),
                end_month=pd.Timestamp(month),
                kind=KIND_UNITS,
                value=float(new),
                reason=reason,
                family=family,
            )
        )
    return out
