"""The standard rate of each resource: what one of its hours costs in the standard cost
of a unit (`sop.supply.standard`).

- A line: its regular rate (lines are paid by the hour they run).
- A labour pool: the budget's absorption rate, the rate at which the budget's volume
  absorbs the pool's wages, as finance sets a standard labour rate:

      rate = max(regular rate, wages / standard hours), where
      wages = workers x hours per worker x regular rate x the months the budget covers
              (the months of the budget rows of the pool's families),
      standard hours = the sum over those rows of budget units x the family's hours
              per unit on the pool (its SKUs' bill of resources, weighted as
              `sop.supply.inputs.prepare` weights them: by their demand over the horizon).

  Never below the regular rate, and never above `MAX_ABSORPTION` times it: a budget that
  keeps a crew less than half busy is not a normal volume to spread its wages over (the
  rest is idle time, a variance), and a standard cost several times the wages paid per
  hour would overstate every unit in stock. A budget that needs more hours than the
  pool has is costed at the regular rate. The regular rate also where the standard cannot be set
  from a budget: no budget, a pool with no workforce row, a pool whose families (those
  of the plan routed on it) the budget does not all cover (its volume would be short),
  or whose budgeted families need no hours on it.

So the wages of the budget's volume are all in the standard cost of the units, and the
idle-time variance (hours paid at the regular rate - hours used x standard rate) is
what the plan's volume leaves unabsorbed against the budget's: it is favourable
(negative) in a month that uses more hours than the budget's average.

The rate is computed from the tables a plan is made on. A scenario's levers change
none of the workforce, budget or bill of resources; the labour cost lever scales the
regular rates, so it scales the standard rate like the wages (both sides of the
`max` by the same factor).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sop.core import schema

EPS = 1e-9
MAX_ABSORPTION = 2.0  # the standard rate absorbs wages at no less than 50 % utilisation


def absorption_rate(wages: np.ndarray, hours: np.ndarray, regular: np.ndarray) -> np.ndarray:
    """Per pool: wages / hours, between `regular` and `MAX_ABSORPTION` x `regular`;
    `regular` where hours is 0 or unknown. E.g. 2 workers x 100 h at 10/h (2,000) over a
    budget needing 160 h: 12.5/h; needing 250 h (more than the 200 h the pool has):
    10/h; needing 40 h (20 % busy): 20/h, not 50/h."""
    wages, hours = np.asarray(wages, dtype=float), np.asarray(hours, dtype=float)
    regular = np.asarray(regular, dtype=float)
    ok = np.isfinite(wages) & np.isfinite(hours) & (hours > EPS)
    ratio = np.divide(wages, hours, out=np.zeros_like(regular), where=ok)
    return np.where(ok, np.clip(ratio, regular, MAX_ABSORPTION * regular), regular)


def family_hours(families: np.ndarray, hours: sp.spmatrix, weight: np.ndarray) -> pd.DataFrame:
    """(F x m) hours per unit of each family on each resource: its items' hours per unit
    (`hours`, n x m) weighted by `weight` (n,: the items' demand over the horizon, as
    `prepare` weights SKUs)."""
    code, names = pd.factorize(pd.Series(families, dtype=object))
    F, n = len(names), len(code)
    agg = sp.csr_matrix((np.asarray(weight, dtype=float), (code, np.arange(n))), shape=(F, n))
    total = np.asarray(agg.sum(axis=1)).ravel()
    h = np.asarray((agg @ sp.csr_matrix(hours)).todense())
    return pd.DataFrame(h / np.where(total > EPS, total, 1.0)[:, None], index=names)


def _budget_hours(
    budget: pd.DataFrame, fam_hours: pd.DataFrame, pools: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(standard hours the budget's units need, months the budget covers) of each of the
    `pools` (positions of `fam_hours` columns); nan hours where the budget does not
    cover every family routed on the pool."""
    b = budget[budget[schema.FAMILY].isin(fam_hours.index)]
    units = b[schema.UNITS].to_numpy(dtype=float, na_value=0.0)
    h = fam_hours.to_numpy()[:, pools]  # (F, q)
    routed = h > EPS
    covered = fam_hours.index.isin(budget[schema.FAMILY].unique())
    row_h = fam_hours.reindex(b[schema.FAMILY]).to_numpy()[:, pools]  # (rows, q)
    need = units @ row_h
    months = np.array(
        [b.loc[row_h[:, j] > EPS, schema.MONTH].nunique() for j in range(len(pools))], dtype=float
    )
    whole = (routed & covered[:, None]).sum(axis=0) == routed.sum(axis=0)
    return np.where(whole, need, np.nan), months


def standard_rates(
    res: pd.DataFrame,
    labour: np.ndarray,
    workforce: pd.DataFrame,
    budget: pd.DataFrame | None,
    fam_hours: pd.DataFrame,
) -> np.ndarray:
    """(m,) standard rate per hour of each resource of `res` (module docstring).

    `labour`: positions of the labour pools in `res`, `workforce` their rows in that
    order (`sop.supply.limits.labour_pools`); `fam_hours`: `family_hours` (columns in
    `res` order) of the plan's families."""
    regular = res[schema.REGULAR_COST_PER_HOUR].to_numpy(dtype=float, na_value=0.0)
    rate = regular.copy()
    if budget is None or budget.empty or not len(labour):
        return rate
    hours, months = _budget_hours(budget, fam_hours, np.asarray(labour))
    workers = workforce[schema.WORKERS].to_numpy(dtype=float, na_value=np.nan)
    hpw = workforce[schema.HOURS_PER_WORKER].to_numpy(dtype=float, na_value=np.nan)
    wages = workers * hpw * regular[labour] * months
    rate[labour] = absorption_rate(wages, hours, regular[labour])
    return rate
