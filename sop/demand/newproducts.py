"""Forecasts of new products: SKUs without sales history, or launched in the last year.

A new product has too little history of its own for a model, so its forecast borrows
from its family (products may not name a like-product, so the family is the like-product):

    P50_t = S_f(calendar month of t) x (w x O + (1 - w) x L x R(k_t))

- L, the like-products' level: the family's average per-SKU-region level in the same
  region, where the level of one established series is the mean of its last 12 months
  each divided by the family seasonal index S_f of its calendar month (a
  deseasonalised recent level). A family without an established series in the region
  uses the average over every family in that region.
- O, the SKU's own level: the mean of its last 3 months sold, each divided by S_f, and
  w = n / 12 for n months sold (0 without history; 1 when there is no reference L).
- S_f: the family seasonal profile (`series._profiles`, mean 1; flat when the family
  has under two years of history).
- R, the launch ramp: k = months since launch (0 in the launch month), R = 0 before the
  launch, (k + 1) / 6 during the first six months, 1 after. A SKU without history and
  without a launch_month is taken to launch in the first month of the plan.
- sigma_t = c x P50_t, c the coefficient of variation of the family's per-SKU-region
  levels (how far like-products differ from their average), clipped to 0.25..1.

Regions: the SKU's own regions when it has sold, else every region where its family
(or, without one, any family) sells. Phase-out months apply as for any series.
A SKU is "new" when it has no sales history, or its launch_month is within the
`NEW_MONTHS` months up to the as-of month (or later) and a series has fewer than
`NEW_MONTHS` observed months. Pure functions over numpy and pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import add_months, months_between, next_month

METHOD = "new product (family profile)"
FLAG = "new product"
NEW_MONTHS = 12  # launched within this many months: a new product
RAMP_MONTHS = 6  # months from launch to the full level
REL_SIGMA = (0.25, 1.0)  # bounds of sigma / P50
LEVEL_MONTHS = 12  # recent months that give an established series' level
OWN_MONTHS = 3  # a new product's own level: its last months sold


def _month_of(products: pd.DataFrame | None, column: str) -> pd.Series:
    """sku -> `column` (launch or phase-out month; NaT when not given)."""
    if products is None or column not in products:
        return pd.Series(dtype="datetime64[us]")
    return products.drop_duplicates(schema.SKU).set_index(schema.SKU)[column]


def new_columns(
    span: pd.DataFrame, wide: np.ndarray, products: pd.DataFrame | None, as_of: pd.Timestamp
) -> np.ndarray:
    """Mask of the series (columns of `wide`) that are recently launched products."""
    launch = _month_of(products, schema.LAUNCH_MONTH)
    out = np.zeros(len(span), dtype=bool)
    n_obs = (~np.isnan(wide)).sum(axis=0)
    for j, sku in enumerate(span[schema.SKU]):
        lm = launch.get(sku, pd.NaT)
        if pd.notna(lm) and int(months_between(lm, as_of)) < NEW_MONTHS:
            out[j] = n_obs[j] < NEW_MONTHS
    return out


def _ramp(k: np.ndarray) -> np.ndarray:
    return np.where(k < 0, 0.0, np.minimum(1.0, (k + 1) / RAMP_MONTHS))


def _levels(
    wide: np.ndarray, span: pd.DataFrame, fams: list[str], prof: dict, cal: np.ndarray
) -> pd.DataFrame:
    """region, family, level of each established series that sold in its last 12 months."""
    n = len(wide)
    lo = max(0, n - LEVEL_MONTHS)
    rows = []
    for j in range(wide.shape[1]):
        seg = wide[lo:, j]
        ok = ~np.isnan(seg)
        if not ok.any():
            continue
        s = prof.get(fams[j], np.ones(12))[cal[lo:]]
        rows.append((span[schema.REGION].iloc[j], fams[j], float(np.mean(seg[ok] / s[ok]))))
    return pd.DataFrame(rows, columns=[schema.REGION, schema.FAMILY, "level"])


def _reference(levels: pd.DataFrame, family: str, region: str) -> tuple[float, float]:
    """(level, coefficient of variation) of like-products: the family in the region,
    else every family in the region; (nan, nan) when there is none."""
    for sel in (
        (levels[schema.REGION] == region) & (levels[schema.FAMILY] == family),
        levels[schema.REGION] == region,
    ):
        lv = levels.loc[sel, "level"].to_numpy()
        if len(lv) and lv.mean() > 0:
            cv = lv.std(ddof=1) / lv.mean() if len(lv) > 1 else REL_SIGMA[1]
            return float(lv.mean()), float(cv)
    return float("nan"), float("nan")


def forecast_new(
    span: pd.DataFrame,
    wide: np.ndarray,
    new: np.ndarray,
    unsold: pd.DataFrame,
    profiles: dict[str, np.ndarray],
    origin: pd.Timestamp,
    as_of: pd.Timestamp,
    horizon: int,
    products: pd.DataFrame | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values: sku, region, month, p50, sigma, band_group; rows: sku, region, family,
    n_months) for the `new` columns of `wide` and the `unsold` products (sku, family)."""
    n_hist = len(wide)
    cal = (origin.month - 1 + np.arange(n_hist)) % 12
    fams = list(span[schema.FAMILY])
    levels = _levels(
        wide[:, ~new], span[~new], [f for f, m in zip(fams, new) if not m], profiles, cal
    )
    launch = _month_of(products, schema.LAUNCH_MONTH)
    phase_out = _month_of(products, schema.PHASE_OUT_MONTH)
    first_plan = next_month(as_of)
    todo = [
        (span[schema.SKU].iloc[j], span[schema.REGION].iloc[j], fams[j], wide[:, j])
        for j in np.flatnonzero(new)
    ]
    for sku, fam in zip(unsold[schema.SKU], unsold[schema.FAMILY]):
        regions = levels.loc[levels[schema.FAMILY] == fam, schema.REGION].unique()
        for r in regions if len(regions) else levels[schema.REGION].unique():
            todo.append((sku, r, fam, np.full(n_hist, np.nan)))
    plan = pd.date_range(first_plan, periods=horizon, freq="MS")
    plan_cal = (first_plan.month - 1 + np.arange(horizon)) % 12
    vals, rows = [], []
    for sku, region, fam, y in todo:
        prof = profiles.get(fam, np.ones(12))
        lm = launch.get(sku, pd.NaT)
        obs = np.flatnonzero(~np.isnan(y))
        if pd.isna(lm):
            lm = add_months(origin, int(obs[0])) if len(obs) else first_plan
        ref, rel = _reference(levels, fam, region)
        k = int(months_between(lm, first_plan)) + np.arange(horizon)
        base = np.nan_to_num(ref) * _ramp(k)  # the like-products' level, ramped up
        if len(obs):
            last = obs[-OWN_MONTHS:]
            own = float(np.mean(y[last] / prof[cal[last]]))
            w = 1.0 if np.isnan(ref) else min(1.0, len(obs) / NEW_MONTHS)
            base = w * own + (1 - w) * base
            rel = REL_SIGMA[1] if np.isnan(rel) else rel
        elif np.isnan(ref):
            continue  # nothing sells at all: no reference and no own history
        p50 = np.maximum(base, 0.0) * prof[plan_cal]
        po = phase_out.get(sku, pd.NaT)
        if pd.notna(po):
            p50 = np.where(plan > po, 0.0, p50)
        sigma = float(np.clip(rel, *REL_SIGMA)) * p50
        vals.append(
            pd.DataFrame(
                {
                    schema.SKU: sku,
                    schema.REGION: region,
                    schema.MONTH: plan,
                    schema.P50: p50,
                    "sigma": sigma,
                    schema.BAND_GROUP: f"{sku}|{region}",
                }
            )
        )
        rows.append((sku, region, fam, len(obs)))
    cols = [schema.SKU, schema.REGION, schema.MONTH, schema.P50, "sigma", schema.BAND_GROUP]
    values = pd.concat(vals, ignore_index=True) if vals else pd.DataFrame(columns=cols)
    return values, pd.DataFrame(
        rows, columns=[schema.SKU, schema.REGION, schema.FAMILY, "n_months"]
    )


def selection_rows(rows: pd.DataFrame, level: str) -> pd.DataFrame:
    """Selection rows of the new products at `level` (one per SKU at level "sku")."""
    out = rows.assign(method=METHOD, flag=FLAG)
    if level == "sku":
        out = out.groupby([schema.SKU, schema.FAMILY], as_index=False, sort=True).agg(
            n_months=("n_months", "max"), method=("method", "first"), flag=("flag", "first")
        )
    return out
