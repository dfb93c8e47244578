"""A dataset's missing tables and columns, filled with stated defaults.

Only `sales` is required. `complete(tables)` returns the tables every step reads with
the gaps filled the one way the app fills them:

- products: a SKU of `sales` (or `consensus`) that is not in `products` is named by
  its code, takes its family from `sales.family` (else `DEFAULT_FAMILY`) and its list
  price from sales revenue / units over the `PRICE_MONTHS` months up to the as-of
  month; an empty name, family, unit or price of a listed SKU is filled the same
  way; an empty material cost is 0. A SKU with no price anywhere keeps an empty
  `list_price`: its revenue and margin cannot be known and are never shown as 0.
- resources: a code used in `capacity` is a line, one used in `workforce` a labour
  pool; an empty plant is `DEFAULT_PLANT`, an empty cost per hour 0 (no labour cost),
  an empty overtime cost the regular cost, an empty overtime cap 0 (no overtime).
- family capacity: each family of `family_capacity` becomes one line counted in
  units (`family_resource`): its calendar holds the units a month (a row without a
  month fills every month of the longest plan) and the family's bill-of-resources
  row takes 1 "hour" per unit, so the plan makes at most that many units. It is
  not a plant: it shows the plant of the family's other lines and pools (none when
  they are in several plants, `DEFAULT_PLANT` when there are none).
- inventory: absent means an empty table (0 on hand, no safety stock; the supply
  plan's holding rate is the median of the rates given, else `DEFAULT_HOLDING_PCT`).
- sales: its `family` column moves to the product master (it is dropped from sales).
- budget, workforce, supply options, promotions and company stay absent.

The store keeps what was loaded; readers complete it (`sop.ui.readers.tables`, the
CLI, `sop.demand.consensus`, `sop.executive.service`). `assumptions(tables)`, in
`sop.data.assumptions`, says in words what was filled.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import add_months, as_of_month, plan_months
from sop.core.tables import TABLES

DEFAULT_FAMILY = "All products"
DEFAULT_PLANT = "Main plant"
DEFAULT_UOM = "each"
DEFAULT_HOLDING_PCT = 20.0  # % of standard cost a year, when no rate is given at all
PRICE_MONTHS = 12  # months of sales revenue a derived price is averaged over
FAMILY_CAPACITY_MONTHS = 60  # months a family figure without a month covers (max horizon)


def empty(table: str) -> pd.DataFrame:
    """A table of the data model with its columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=_dtype(table, c)) for c in TABLES[table].column_names})


def _dtype(table: str, column: str) -> str:
    kind = TABLES[table].column(column).dtype
    return {schema.FLOAT: "float64", schema.DATE: "datetime64[us]"}.get(kind, "object")


def _given(tables: Mapping[str, pd.DataFrame], table: str) -> pd.DataFrame:
    df = tables.get(table)
    if df is None:
        return empty(table)
    return df.assign(**{c: np.nan for c in TABLES[table].column_names if c not in df})


def family_resource(family: str) -> str:
    """The resource code of a family's capacity in units."""
    return f"{family} capacity"


def sales_families(tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """SKU -> family named in `sales.family` (the latest month's when it changes)."""
    s = tables.get(schema.SALES)
    if s is None or schema.FAMILY not in s:
        return pd.Series(dtype=object)
    named = s[s[schema.FAMILY].notna()].sort_values(schema.MONTH)
    return named.drop_duplicates(schema.SKU, keep="last").set_index(schema.SKU)[schema.FAMILY]


def sales_prices(tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """SKU -> net price (revenue / units) over the `PRICE_MONTHS` months up to the as-of
    month, for SKUs with revenue on positive units there."""
    s, as_of = tables.get(schema.SALES), as_of_month(tables)
    if s is None or as_of is None or schema.REVENUE not in s:
        return pd.Series(dtype=float)
    last = s[
        (s[schema.MONTH] > add_months(as_of, -PRICE_MONTHS))
        & (s[schema.MONTH] <= as_of)
        & s[schema.REVENUE].notna()
        & (s[schema.UNITS] > 0)
    ]
    g = last.groupby(schema.SKU)[[schema.REVENUE, schema.UNITS]].sum()
    price = g[schema.REVENUE] / g[schema.UNITS]
    return price[price > 0]


def demanded_skus(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """SKUs of `sales` and `consensus`, in order of first appearance."""
    skus = [
        df[schema.SKU].dropna().astype(str)
        for name in (schema.SALES, schema.CONSENSUS)
        if (df := tables.get(name)) is not None
    ]
    if not skus:
        return []
    return pd.unique(pd.concat(skus, ignore_index=True)).tolist()


def products(tables: Mapping[str, pd.DataFrame], demanded: list[str] | None = None) -> pd.DataFrame:
    """The product master with every default applied (see the module docstring).
    `demanded`: `demanded_skus(tables)` when the caller has it already (it reads every
    sales and consensus row)."""
    given = _given(tables, schema.PRODUCTS)
    known = set(given[schema.SKU].astype(str).tolist())  # tolist: 10x faster than iterating
    if demanded is None:
        demanded = demanded_skus(tables)
    new = [s for s in demanded if s not in known]
    p = given
    if new:
        extra = empty(schema.PRODUCTS).reindex(range(len(new)))
        extra[schema.SKU] = new
        p = pd.concat([given, extra], ignore_index=True) if len(given) else extra
    p = p.copy()
    sku = p[schema.SKU]
    fam, price = p[schema.FAMILY], p[schema.LIST_PRICE].astype(float)
    # the sales-derived defaults walk every sales row: only when some product lacks them
    if fam.isna().any():
        fam = fam.where(fam.notna(), sku.map(sales_families(tables)))
    p[schema.NAME] = p[schema.NAME].where(p[schema.NAME].notna(), sku)
    p[schema.FAMILY] = fam.where(fam.notna(), DEFAULT_FAMILY)
    p[schema.UOM] = p[schema.UOM].where(p[schema.UOM].notna(), DEFAULT_UOM)
    if price.isna().any():
        price = price.where(price.notna(), sku.map(sales_prices(tables)))
    p[schema.LIST_PRICE] = price
    p[schema.MATERIAL_COST] = p[schema.MATERIAL_COST].astype(float).fillna(0.0)
    return p


def resources(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Resources with every default applied, the family-capacity lines last."""
    r = _given(tables, schema.RESOURCES)
    cap, wf = tables.get(schema.CAPACITY), tables.get(schema.WORKFORCE)
    lines = list(dict.fromkeys(cap[schema.RESOURCE].dropna())) if cap is not None else []
    pools = list(dict.fromkeys(wf[schema.RESOURCE].dropna())) if wf is not None else []
    have = set(r[schema.RESOURCE])
    new = [c for c in dict.fromkeys(lines + pools) if c not in have]
    if new:
        extra = empty(schema.RESOURCES).reindex(range(len(new)))
        extra[schema.RESOURCE] = new
        r = pd.concat([r, extra], ignore_index=True) if len(r) else extra
    r = r.copy()
    code = r[schema.RESOURCE]
    pool = code.isin(set(pools)) & ~code.isin(set(lines))
    guess = pd.Series(np.where(pool, schema.KIND_LABOUR, schema.KIND_LINE), index=r.index)
    r[schema.KIND] = r[schema.KIND].where(r[schema.KIND].notna(), guess)
    r[schema.PLANT] = r[schema.PLANT].where(r[schema.PLANT].notna(), DEFAULT_PLANT)
    r[schema.NAME] = r[schema.NAME].where(r[schema.NAME].notna(), code)
    regular = r[schema.REGULAR_COST_PER_HOUR].astype(float).fillna(0.0)
    r[schema.REGULAR_COST_PER_HOUR] = regular
    r[schema.OVERTIME_COST_PER_HOUR] = (
        r[schema.OVERTIME_COST_PER_HOUR].astype(float).fillna(regular)
    )
    r[schema.MAX_OVERTIME_HOURS] = r[schema.MAX_OVERTIME_HOURS].astype(float).fillna(0.0)
    fams = family_capacity_families(tables)
    if fams:
        units_lines = empty(schema.RESOURCES).reindex(range(len(fams)))
        units_lines[schema.RESOURCE] = [family_resource(f) for f in fams]
        units_lines[schema.PLANT] = _family_plants(tables, r, fams)
        units_lines[schema.NAME] = fams
        units_lines[schema.KIND] = schema.KIND_LINE
        units_lines[[schema.REGULAR_COST_PER_HOUR, schema.OVERTIME_COST_PER_HOUR]] = 0.0
        units_lines[schema.MAX_OVERTIME_HOURS] = 0.0
        r = pd.concat([r, units_lines], ignore_index=True) if len(r) else units_lines
    return r.reset_index(drop=True)


def _family_plants(
    tables: Mapping[str, pd.DataFrame], res: pd.DataFrame, fams: list[str]
) -> list[object]:
    """The plant each family capacity of `fams` is shown at. A family capacity is not a
    plant: it takes the one plant of the other resources its family's SKUs route
    through (by family or SKU rows of `bill_of_resources`), so its SKUs keep that
    plant alone; none (NaN) when they span several plants; `DEFAULT_PLANT` when the
    family routes through nothing else (its SKUs' plant, as for any resource without
    one)."""
    bor = tables.get(schema.BILL_OF_RESOURCES)
    if bor is None or bor.empty:
        return [DEFAULT_PLANT] * len(fams)
    plant = dict(zip(res[schema.RESOURCE], res[schema.PLANT]))
    sku = bor[schema.SKU] if schema.SKU in bor else pd.Series(np.nan, index=bor.index)
    fam = bor[schema.FAMILY] if schema.FAMILY in bor else pd.Series(np.nan, index=bor.index)
    if sku.notna().any():
        sku_family = products(tables).set_index(schema.SKU)[schema.FAMILY]
        fam = fam.where(sku.isna(), sku.map(sku_family))
    plants = pd.DataFrame({schema.FAMILY: fam, schema.PLANT: bor[schema.RESOURCE].map(plant)})
    by_family = plants.dropna().groupby(schema.FAMILY)[schema.PLANT].unique()
    out: list[object] = []
    for f in fams:
        found = by_family.get(f, ())
        out.append(DEFAULT_PLANT if len(found) == 0 else found[0] if len(found) == 1 else np.nan)
    return out


def family_capacity_families(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The families of `family_capacity`, in order."""
    fc = tables.get(schema.FAMILY_CAPACITY)
    return [] if fc is None else list(dict.fromkeys(fc[schema.FAMILY].dropna().astype(str)))


def family_calendar(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """`family_capacity` as capacity-calendar rows of the family lines (available_hours =
    units a month): a row without a month for each of the `FAMILY_CAPACITY_MONTHS`
    months after the as-of month, a row with a month replacing it there."""
    fc, as_of = tables.get(schema.FAMILY_CAPACITY), as_of_month(tables)
    if fc is None or fc.empty:
        return empty(schema.CAPACITY)
    fc = fc[fc[schema.FAMILY].notna()]
    every = fc[fc[schema.MONTH].isna()]
    rows = []
    if len(every) and as_of is not None:
        months = pd.DataFrame({schema.MONTH: plan_months(as_of, FAMILY_CAPACITY_MONTHS)})
        rows.append(every.drop(columns=[schema.MONTH]).merge(months, how="cross"))
    rows.append(fc[fc[schema.MONTH].notna()])
    cal = pd.concat(rows, ignore_index=True).drop_duplicates(
        [schema.FAMILY, schema.MONTH], keep="last"
    )
    out = empty(schema.CAPACITY).reindex(range(len(cal)))
    out[schema.RESOURCE] = cal[schema.FAMILY].astype(str).map(family_resource).to_numpy()
    out[schema.MONTH] = cal[schema.MONTH].astype("datetime64[us]").to_numpy()
    out[schema.AVAILABLE_HOURS] = cal[schema.UNITS_PER_MONTH].astype(float).to_numpy()
    return out.sort_values([schema.RESOURCE, schema.MONTH], ignore_index=True)


def _stack(table: str, given: pd.DataFrame | None, more: pd.DataFrame) -> pd.DataFrame:
    if given is None or given.empty:
        return more.reset_index(drop=True) if len(more) else empty(table)
    return pd.concat([given, more], ignore_index=True) if len(more) else given


def bill_of_resources(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The bill of resources plus one row per family capacity: 1 unit per unit."""
    fams = family_capacity_families(tables)
    rows = empty(schema.BILL_OF_RESOURCES).reindex(range(len(fams)))
    rows[schema.FAMILY] = fams
    rows[schema.RESOURCE] = [family_resource(f) for f in fams]
    rows[schema.HOURS_PER_UNIT] = 1.0
    given = tables.get(schema.BILL_OF_RESOURCES)
    if given is not None:
        given = given.assign(
            **{c: np.nan for c in (schema.SKU, schema.FAMILY) if c not in given.columns}
        )
    return _stack(schema.BILL_OF_RESOURCES, given, rows)


def complete(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables every step reads, the gaps filled (see the module docstring). A full
    dataset comes back with the same rows and values (sales without its `family`
    column); the input is not changed."""
    out = dict(tables)
    out[schema.PRODUCTS] = products(tables)
    sales = tables.get(schema.SALES)
    if sales is not None and schema.FAMILY in sales:
        # the family is the product master's from here on: a second `family` column
        # would clash wherever sales are joined to products
        out[schema.SALES] = sales.drop(columns=[schema.FAMILY])
    out[schema.RESOURCES] = resources(tables)
    out[schema.CAPACITY] = _stack(
        schema.CAPACITY, tables.get(schema.CAPACITY), family_calendar(tables)
    )
    out[schema.BILL_OF_RESOURCES] = bill_of_resources(tables)
    if schema.INVENTORY not in out:
        out[schema.INVENTORY] = empty(schema.INVENTORY)
    return out
