"""Stand-in demand and synthetic companies for supply tests and benchmarks.

- `naive_consensus(tables, horizon, growth)`: a `consensus` table (month, sku,
  region, units) = the same month last year x growth, for datasets that have no
  forecast yet (tests, the bench, a quick look at supply before forecasting).
- `synthetic_company(n_skus, n_regions, n_months, seed)`: supply tables and a
  demand plan of any size, deterministic for a seed (bench/bench_supply.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.core.tables import TABLES
from sop.demand.plan import PLAN_COLUMNS, SOURCE_LOADED


def naive_consensus(
    tables: dict[str, pd.DataFrame], horizon: int = 18, growth: float = 1.05
) -> pd.DataFrame:
    """Consensus table: each SKU x region's units in the same month a year earlier
    (two years for months beyond the first year) x growth per year.

    Columns: month, sku, region, units. Series with no such month get 0.
    """
    sales = tables[schema.SALES]
    as_of = as_of_month(tables)
    months = plan_months(as_of, horizon)
    series = sales[[schema.SKU, schema.REGION]].drop_duplicates()
    grid = series.merge(pd.DataFrame({schema.MONTH: months}), how="cross")
    one_back = grid[schema.MONTH] - pd.DateOffset(years=1)
    years = np.where(one_back <= as_of, 1, 2)  # back to a month with actuals
    src = grid.assign(
        _src=np.where(years == 1, one_back, grid[schema.MONTH] - pd.DateOffset(years=2))
    )
    hist = sales.rename(columns={schema.MONTH: "_src", schema.UNITS: "_u"})[
        [schema.SKU, schema.REGION, "_src", "_u"]
    ]
    out = src.merge(hist, on=[schema.SKU, schema.REGION, "_src"], how="left")
    out[schema.UNITS] = (out["_u"].fillna(0.0) * growth**years).round()
    return out[[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS]].sort_values(
        [schema.MONTH, schema.SKU, schema.REGION], ignore_index=True
    )


def _products(
    rng: np.random.Generator, n_skus: int, fam: np.ndarray
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """(family of each SKU, SKU codes, products table) with prices of 20-400."""
    n_families = len(fam)
    sku_fam = rng.integers(0, n_families, n_skus)
    skus = np.array([f"S{k:05d}" for k in range(n_skus)])
    price = np.round(rng.uniform(20, 400, n_skus), 2)
    products = pd.DataFrame(
        {
            schema.SKU: skus,
            schema.NAME: skus,
            schema.FAMILY: fam[sku_fam],
            schema.UOM: "each",
            schema.LIST_PRICE: price,
            schema.MATERIAL_COST: np.round(price * rng.uniform(0.35, 0.55, n_skus), 2),
            schema.LAUNCH_MONTH: pd.NaT,
            schema.PHASE_OUT_MONTH: pd.NaT,
        }
    )
    return sku_fam, skus, products


def _demand(
    rng: np.random.Generator,
    months: pd.DatetimeIndex,
    skus: np.ndarray,
    sku_fam: np.ndarray,
    fam: np.ndarray,
    n_regions: int,
) -> tuple[np.ndarray, pd.DataFrame]:
    """(units as a SKU x region x month array, the demand plan): a seasonal level per
    SKU and region with noise; P10/P90 at -20% / +25%."""
    n_skus, n_months, n_families = len(skus), len(months), len(fam)
    regions = np.array([f"R{k}" for k in range(n_regions)])
    base = rng.lognormal(3, 0.8, (n_skus, n_regions))
    season = 1 + 0.4 * np.sin(
        2
        * np.pi
        * (months.month.to_numpy() + rng.integers(0, 12, n_families)[sku_fam][:, None])
        / 12
    )
    units = np.round(
        base[:, :, None] * season[:, None, :] * rng.lognormal(0, 0.1, (n_skus, n_regions, n_months))
    )
    s, r, t = np.meshgrid(
        np.arange(n_skus), np.arange(n_regions), np.arange(n_months), indexing="ij"
    )
    demand = pd.DataFrame(
        {
            schema.MONTH: months[t.ravel()],
            schema.SKU: skus[s.ravel()],
            schema.REGION: regions[r.ravel()],
            schema.FAMILY: fam[sku_fam[s.ravel()]],
            schema.UNITS: units.ravel(),
        }
    )
    demand[schema.P10] = demand[schema.UNITS] * 0.8
    demand[schema.P90] = demand[schema.UNITS] * 1.25
    demand[schema.FORECAST_UNITS] = demand[schema.UNITS]
    demand[schema.SOURCE] = SOURCE_LOADED
    return units, demand[PLAN_COLUMNS]


def _resources(
    months: pd.DatetimeIndex,
    fam: np.ndarray,
    plants: np.ndarray,
    fam_plant: np.ndarray,
    fam_units: pd.Series,
) -> dict[str, pd.DataFrame]:
    """Resources, capacity, workforce and bill of resources: two lines and a labour
    pool per plant, sized to its families' average demand x 1.4."""
    n_months = len(months)
    res_rows, bor_rows, cap_rows, wf_rows = [], [], [], []
    for p in plants:
        fams = np.flatnonzero(fam_plant == p)
        peak = fam_units.reindex(fams).fillna(0).sum() / n_months * 1.4
        for line, hpu in (("ASM", 0.03), ("PCK", 0.02)):
            res_rows.append(
                (f"{p}-{line}", p, f"{p} {line}", schema.KIND_LINE, 40.0, 60.0, 0.15 * peak * hpu)
            )
            cap_rows += [(f"{p}-{line}", m, 21.0, 2.0, 8.0, 0.85, peak * hpu / 1.3) for m in months]
            bor_rows += [(None, fam[f], f"{p}-{line}", hpu) for f in fams]
        res_rows.append((f"{p}-LAB", p, f"{p} labour", schema.KIND_LABOUR, 30.0, 45.0, 0.0))
        wf_rows.append((f"{p}-LAB", round(peak * 0.2 / 140), 140.0, 20.0, 4000.0, 6000.0, 5.0))
        bor_rows += [(None, fam[f], f"{p}-LAB", 0.2) for f in fams]
    return {
        schema.RESOURCES: pd.DataFrame(res_rows, columns=TABLES[schema.RESOURCES].column_names),
        schema.CAPACITY: pd.DataFrame(cap_rows, columns=TABLES[schema.CAPACITY].column_names),
        schema.WORKFORCE: pd.DataFrame(wf_rows, columns=TABLES[schema.WORKFORCE].column_names),
        schema.BILL_OF_RESOURCES: pd.DataFrame(
            bor_rows, columns=TABLES[schema.BILL_OF_RESOURCES].column_names
        ),
    }


def synthetic_company(
    n_skus: int = 5000, n_regions: int = 8, n_months: int = 24, n_families: int = 25, seed: int = 1
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """(tables, demand plan) of a made-up company: families spread over plants with
    two lines and a labour pool each, seasonal demand, capacity near the peak."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2027-01-01", periods=n_months, freq="MS")
    fam = np.array([f"F{k:02d}" for k in range(n_families)])
    plants = np.array([f"P{k}" for k in range(max(1, n_families // 5))])
    fam_plant = plants[np.arange(n_families) % len(plants)]
    sku_fam, skus, products = _products(rng, n_skus, fam)
    units, demand = _demand(rng, months, skus, sku_fam, fam, n_regions)
    fam_units = pd.Series(units.sum(axis=1).sum(axis=1)).groupby(sku_fam).sum()
    tables = {
        schema.PRODUCTS: products,
        **_resources(months, fam, plants, fam_plant, fam_units),
        schema.SUPPLY_OPTIONS: pd.DataFrame(
            [
                (f"SUB-{f}", schema.OPTION_SUBCONTRACT, f, 1.0, 500.0, pd.NaT, pd.NaT)
                for f in fam[::3]
            ],
            columns=TABLES[schema.SUPPLY_OPTIONS].column_names,
        ).assign(**{schema.COST_PER_UNIT: 250.0}),
        schema.INVENTORY: pd.DataFrame(
            {
                schema.SKU: skus,
                schema.ON_HAND_UNITS: units[:, :, 0].sum(axis=1),
                schema.SAFETY_STOCK_MONTHS: 0.5,
                schema.SAFETY_STOCK_UNITS: np.nan,
                schema.HOLDING_COST_PCT: 22.0,
            }
        ),
    }
    return tables, demand


def _every_family_sold(sku_fam: np.ndarray, n_families: int) -> None:
    """Give each family without a SKU one, taken from a family that has several (in
    place; needs at least as many SKUs as families): lines, labour and subcontracting
    name every family, and the data model refuses a family that sells nothing."""
    counts = np.bincount(sku_fam, minlength=n_families)
    for f in np.flatnonzero(counts == 0):
        donor = int(np.flatnonzero(counts[sku_fam] > 1)[0])
        counts[sku_fam[donor]] -= 1
        sku_fam[donor], counts[f] = f, 1


def scale_dataset(
    n_skus: int = 20000,
    n_regions: int = 8,
    history: int = 24,
    horizon: int = 18,
    n_families: int = 25,
    seed: int = 1,
) -> dict[str, pd.DataFrame]:
    """Every table of a made-up company of `n_skus` SKUs sold in `n_regions` regions, as a
    user would load it (`python -m sop demo --skus N`, bench/bench_scale.py): `history`
    months of sales up to the as-of month, products, lines, labour, capacity over the
    next `horizon` months, inventory, subcontracting and a loaded `consensus` plan for
    those months (so the supply pages need no forecast run). Deterministic for a seed."""
    if n_skus < 1 or n_regions < 1 or history < 1 or horizon < 1:
        raise ValueError("skus, regions, history and horizon must each be 1 or more")
    rng = np.random.default_rng(seed)
    n_families = min(n_families, n_skus)
    months = pd.date_range("2025-01-01", periods=history + horizon, freq="MS")
    past, future = months[:history], months[history:]
    fam = np.array([f"F{k:02d}" for k in range(n_families)])
    plants = np.array([f"P{k}" for k in range(max(1, n_families // 5))])
    fam_plant = plants[np.arange(n_families) % len(plants)]
    sku_fam, skus, products = _products(rng, n_skus, fam)
    _every_family_sold(sku_fam, n_families)
    products[schema.FAMILY] = fam[sku_fam]
    units, demand = _demand(rng, months, skus, sku_fam, fam, n_regions)
    cut = demand[schema.MONTH] < future[0]
    sales = demand.loc[cut, [schema.MONTH, schema.SKU, schema.REGION, schema.UNITS]]
    price = products.set_index(schema.SKU)[schema.LIST_PRICE]
    sales = sales.assign(
        **{schema.REVENUE: np.round(sales[schema.UNITS] * sales[schema.SKU].map(price), 2)}
    ).reset_index(drop=True)
    plan = demand.loc[~cut, [schema.MONTH, schema.SKU, schema.REGION, schema.UNITS]]
    fam_units = pd.Series(units[:, :, history:].sum(axis=(1, 2))).groupby(sku_fam).sum()
    tables = {
        schema.COMPANY: pd.DataFrame(
            {
                schema.COMPANY_NAME: [f"Scale company ({n_skus:,} SKUs)"],
                schema.CURRENCY: ["EUR"],
                schema.AS_OF_MONTH: [past[-1]],
            }
        ),
        schema.PRODUCTS: products,
        schema.SALES: sales,
        **_resources(future, fam, plants, fam_plant, fam_units * len(future) / horizon),
        schema.SUPPLY_OPTIONS: pd.DataFrame(
            [
                (f"SUB-{f}", schema.OPTION_SUBCONTRACT, f, 250.0, 500.0, pd.NaT, pd.NaT)
                for f in fam[::3]
            ],
            columns=TABLES[schema.SUPPLY_OPTIONS].column_names,
        ),
        schema.INVENTORY: pd.DataFrame(
            {
                schema.SKU: skus,
                schema.ON_HAND_UNITS: units[:, :, history - 1].sum(axis=1),
                schema.SAFETY_STOCK_MONTHS: 0.5,
                schema.SAFETY_STOCK_UNITS: np.nan,
                schema.HOLDING_COST_PCT: 22.0,
            }
        ),
        schema.CONSENSUS: plan.reset_index(drop=True),
    }
    return {name: tables[name] for name in TABLES if name in tables}
