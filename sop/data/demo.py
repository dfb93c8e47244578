"""Deterministic demo data: Northwind Home Appliances, a seasonal appliance maker.

`build_demo(seed)` returns one DataFrame per table of `sop.core.tables.TABLES` (all
but `consensus`: the demo has no loaded consensus plan), columns in schema order;
`write_demo(out_dir, seed)` writes them as `<table>.parquet`, byte-identical for a
seed. The company's design (families, calendar, lines, routings) is in
`sop.data.demo_company`; the supply and finance tables are built in
`sop.data.demo_supply`, the products, promotions and sales here. The data is
designed to tell the story the app is built for:

- four families with different seasons and trends, four regions of different size;
- past promotions that lift the history; planned SKU promotions in the next 12 months
  and the yearly family events (Black Friday, ...) over the next 24;
- list prices up 6% on 2025-03; a launch with a short history (GD-411); a phase-out
  ahead (KT-316) and one in the past (HT-210, replaced by HT-211); intermittent
  spare-part / premium SKUs; one gap in the history (KT-302 / East, 2024-05..06);
- capacity that is enough on average but binds on RS-ASM1 (Cooling assembly) in
  June-July 2027, while every other resource stays below ~80%;
- a budget above the likely forecast for Kitchen and below it for Garden.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import add_months, months_between
from sop.core.tables import TABLES
from sop.data.demo_company import (
    AS_OF,
    COMPANY_NAME,
    CURRENCY,
    EVENTS_LATER,
    FAMILIES,
    FAMILY,
    GAP,
    HISTORY,
    INTERMITTENT,
    LAUNCH,
    PHASE_OUT,
    PRICE_RISE,
    PRICE_RISE_MONTH,
    PROMO_AHEAD,
    REGION_SEASON,
    REGIONS,
    SUCCESSOR,
    Family,
    table_frame,
)
from sop.data.demo_supply import (
    budget,
    family_costs,
    family_months,
    inventory,
    supply_options,
    supply_tables,
)


def _season(family: Family, region: str) -> np.ndarray:
    """Jan..Dec demand index of a family in a region, mean 1."""
    s = np.asarray(family.season) ** REGION_SEASON.get((region, family.name), 1.0)
    return s / s.mean()


def _products(rng: np.random.Generator) -> pd.DataFrame:
    """The catalogue with codes CL-101.., HT-201.., material cost 40-55% of price."""
    rows: list[dict] = []
    for i, fam in enumerate(FAMILIES):
        for j, (name, price) in enumerate(fam.products):
            sku = f"{fam.code}-{100 * (i + 1) + j + 1}"
            rows.append(
                {
                    schema.SKU: sku,
                    schema.NAME: name,
                    schema.FAMILY: fam.name,
                    schema.UOM: "each",
                    schema.LIST_PRICE: price,
                    schema.MATERIAL_COST: round(price * rng.uniform(0.40, 0.55), 2),
                    schema.LAUNCH_MONTH: LAUNCH.get(sku),
                    schema.PHASE_OUT_MONTH: PHASE_OUT.get(sku),
                }
            )
    return table_frame(schema.PRODUCTS, rows)


def _promotions(products: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Yearly family events (past and planned) plus random SKU promotions."""
    rows: list[dict] = []
    for fam in FAMILIES:
        month, uplift, discount, text = fam.event
        for m in HISTORY.append(PROMO_AHEAD):
            if m.month == month:
                rows.append(
                    {
                        schema.FAMILY: fam.name,
                        schema.START_MONTH: m,
                        schema.END_MONTH: m,
                        schema.UPLIFT_PCT: uplift + float(rng.integers(-5, 6)),
                        schema.DISCOUNT_PCT: discount,
                        schema.DESCRIPTION: f"{text} {m.year}",
                    }
                )
    # SKU promotions only on established SKUs: launches and phase-outs are not promoted.
    plain = products.loc[
        products[schema.LAUNCH_MONTH].isna()
        & products[schema.PHASE_OUT_MONTH].isna()
        & ~products[schema.SKU].isin(INTERMITTENT),
        schema.SKU,
    ].to_list()
    for months, n in ((HISTORY[2:-1], 10), (PROMO_AHEAD[1:-1], 3)):
        for _ in range(n):
            start = months[rng.integers(len(months))]
            region = rng.choice([None, *REGIONS])
            rows.append(
                {
                    schema.SKU: rng.choice(plain),
                    schema.REGION: region,
                    schema.START_MONTH: start,
                    schema.END_MONTH: add_months(start, int(rng.integers(2))),
                    schema.UPLIFT_PCT: float(rng.choice([40, 50, 60])),
                    schema.DISCOUNT_PCT: float(rng.choice([15, 20, 25])),
                    schema.DESCRIPTION: f"Retailer feature{f' ({region})' if region else ''}",
                }
            )
    for fam in FAMILIES:  # no random jitter: keeps the generator's stream as it was
        month, uplift, discount, text = fam.event
        rows += [
            {
                schema.FAMILY: fam.name,
                schema.START_MONTH: m,
                schema.END_MONTH: m,
                schema.UPLIFT_PCT: float(uplift),
                schema.DISCOUNT_PCT: discount,
                schema.DESCRIPTION: f"{text} {m.year}",
            }
            for m in EVENTS_LATER
            if m.month == month
        ]
    rows.sort(
        key=lambda r: (r[schema.START_MONTH], r.get(schema.FAMILY) or "", r.get(schema.SKU) or "")
    )
    for k, r in enumerate(rows, 1):
        r[schema.PROMO_ID] = f"PR-{k:03d}"
    return table_frame(schema.PROMOTIONS, rows)


def _promo_effect(
    products: pd.DataFrame, promos: pd.DataFrame, rng: np.random.Generator
) -> dict[tuple[str, str, pd.Timestamp], tuple[float, float]]:
    """(sku, region, month) -> (demand multiplier, discount) of past promotions.

    The realised uplift varies around the planned one, as it does in real life."""
    fam_skus = products.groupby(schema.FAMILY)[schema.SKU].agg(list)
    effect: dict[tuple[str, str, pd.Timestamp], tuple[float, float]] = {}
    for p in promos[promos[schema.START_MONTH] <= AS_OF].itertuples(index=False):
        lift = 1 + getattr(p, schema.UPLIFT_PCT) / 100 * rng.uniform(0.7, 1.2)
        disc = getattr(p, schema.DISCOUNT_PCT) / 100
        sku, fam, region = (
            getattr(p, schema.SKU),
            getattr(p, schema.FAMILY),
            getattr(p, schema.REGION),
        )
        skus = fam_skus[fam] if pd.notna(fam) else [sku]
        regions = [region] if pd.notna(region) else list(REGIONS)
        for m in pd.date_range(
            getattr(p, schema.START_MONTH), getattr(p, schema.END_MONTH), freq="MS"
        ):
            for s in skus:
                for r in regions:
                    old = effect.get((s, r, m), (1.0, 0.0))
                    effect[(s, r, m)] = (old[0] * lift, max(old[1], disc))
    return effect


def _lifecycle(
    months: pd.DatetimeIndex, launch: pd.Timestamp, phase_out: pd.Timestamp
) -> np.ndarray:
    """Demand multiplier: ramp-up over 5 months after launch, decline in the last year."""
    mult = np.ones(len(months))
    if pd.notna(launch):
        mult *= np.clip((months_between(launch, months) + 1) / 5, 0, 1)
    if pd.notna(phase_out):
        left = months_between(months, phase_out)  # months until the phase-out
        mult *= np.clip(1 - 0.65 * (12 - left) / 12, 0.35, 1)
    return mult


def _sales(products: pd.DataFrame, promos: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Monthly units and net revenue by SKU and region, 2022-11..2026-10."""
    effect = _promo_effect(products, promos, rng)
    # Family volume is split over SKUs, cheaper ones selling more; fixing the family total
    # keeps the designed capacity and budget properties whatever the seed.
    regular = products[~products[schema.SKU].isin(INTERMITTENT)]
    weight = regular[schema.LIST_PRICE] ** -0.6 * rng.lognormal(0, 0.35, len(regular))
    base = (
        weight
        / weight.groupby(regular[schema.FAMILY]).transform("sum")
        * regular[schema.FAMILY].map(lambda f: FAMILY[f].volume)
    )
    base = dict(zip(regular[schema.SKU], base))
    base |= {new: base[old] for new, old in SUCCESSOR.items()}
    t = months_between(AS_OF, HISTORY) / 12  # years from today
    price_factor = np.where(HISTORY < PRICE_RISE_MONTH, 1 / (1 + PRICE_RISE), 1.0)
    parts: list[pd.DataFrame] = []
    for p in products.itertuples(index=False):
        sku, fam = getattr(p, schema.SKU), FAMILY[getattr(p, schema.FAMILY)]
        launch, phase_out = getattr(p, schema.LAUNCH_MONTH), getattr(p, schema.PHASE_OUT_MONTH)
        keep = np.ones(len(HISTORY), bool)  # rows only while the SKU is on sale
        if pd.notna(launch):
            keep &= launch <= HISTORY
        if pd.notna(phase_out):
            keep &= phase_out >= HISTORY
        life = _lifecycle(HISTORY, launch, phase_out)
        for region, share in REGIONS.items():
            lift, disc = np.array([effect.get((sku, region, m), (1.0, 0.0)) for m in HISTORY]).T
            if sku in INTERMITTENT:  # an occasional small order, zero most months
                units = (rng.random(len(HISTORY)) < 0.08) * (1 + rng.poisson(2, len(HISTORY)))
            else:
                level = (
                    base[sku]
                    * share
                    * _season(fam, region)[HISTORY.month - 1]
                    * (1 + fam.growth) ** t
                    * life
                    * lift
                )
                units = np.round(level * rng.lognormal(0, 0.12, len(HISTORY)))
            revenue = (
                units
                * getattr(p, schema.LIST_PRICE)
                * price_factor
                * (1 - disc)
                * rng.uniform(0.92, 0.98, len(HISTORY))
            )
            mask = keep & ~(HISTORY.isin(GAP[2]) & ((sku, region) == GAP[:2]))
            parts.append(
                pd.DataFrame(
                    {
                        schema.MONTH: HISTORY[mask],
                        schema.SKU: sku,
                        schema.REGION: region,
                        schema.UNITS: units[mask].astype(float),
                        schema.REVENUE: np.round(revenue[mask], 2),
                    }
                )
            )
    sales = pd.concat(parts).sort_values(
        [schema.MONTH, schema.SKU, schema.REGION], ignore_index=True
    )
    return table_frame(schema.SALES, sales)


def build_demo(seed: int = 7) -> dict[str, pd.DataFrame]:
    """Every demo table (all of `TABLES` but consensus), keyed by table name.

    Pure and deterministic: the same seed gives equal frames."""
    rng = np.random.default_rng(seed)
    products = _products(rng)
    promos = _promotions(products, rng)
    sales = _sales(products, promos, rng)
    supply = supply_tables()
    fam_months = family_months(products, sales)
    costs = family_costs(products, sales)
    company = table_frame(
        schema.COMPANY,
        [{schema.COMPANY_NAME: COMPANY_NAME, schema.CURRENCY: CURRENCY, schema.AS_OF_MONTH: AS_OF}],
    )
    tables = {
        schema.COMPANY: company,
        schema.PRODUCTS: products,
        schema.SALES: sales,
        schema.PROMOTIONS: promos,
        **supply,
        schema.SUPPLY_OPTIONS: supply_options(fam_months, costs),
        schema.INVENTORY: inventory(products, sales, rng),
        schema.BUDGET: budget(fam_months, costs),
    }
    return {name: tables[name] for name in TABLES if name in tables}


def write_demo(out_dir: str | Path, seed: int = 7) -> dict[str, Path]:
    """Write every demo table to `<out_dir>/<table>.parquet`; returns the paths.

    No index and no timestamps in the file, so a seed always gives the same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, df in build_demo(seed).items():
        paths[name] = out / f"{name}.parquet"
        df.to_parquet(paths[name], engine="pyarrow", index=False, compression="zstd")
    return paths
