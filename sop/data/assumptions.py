"""What a dataset leaves out and what the app assumes instead, in words.

`assumptions(tables, topics)` reads the tables as loaded (not completed) and returns
one plain-text sentence per default that `sop.data.defaults.complete` applies: what
is missing, what is assumed, and which file and column to add to change it. Each
sentence belongs to a topic, so a page shows the ones that matter there (Supply:
capacity and inventory; Finance: prices and budget); the Data page shows them all.
Sentences hold codes as the user typed them: escape them before Markdown.

The product master with its defaults reads every sales and consensus row (about 70 ms
at 20,000 SKUs), so one call works it out once (`_Loaded`) for every topic that needs
it, and SKU lists are compared as Python objects (`_among`), not through pandas' `isin`
on the Arrow-backed text dtype, which makes an Arrow scalar of every code looked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property

import pandas as pd

from sop.core import fmt, schema
from sop.core.months import as_of_month
from sop.data import defaults

COMPANY, PRODUCTS, PRICES = "company", "products", "prices"
CAPACITY, INVENTORY, BUDGET = "capacity", "inventory", "budget"
TOPICS = (COMPANY, PRODUCTS, PRICES, CAPACITY, INVENTORY, BUDGET)
SHOWN = 5  # codes quoted in a sentence


class _Loaded:
    """The loaded tables, and what several topics read from them, each worked out on first
    use and then kept for the rest of one `assumptions` call."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self.tables = tables

    @cached_property
    def demanded(self) -> list[str]:
        """`defaults.demanded_skus`: the SKUs of sales and consensus."""
        return defaults.demanded_skus(self.tables)

    @cached_property
    def products(self) -> pd.DataFrame:
        """`defaults.products`: the product master with every default applied."""
        return defaults.products(self.tables, self.demanded)


def _among(codes: pd.Series, known: pd.Series) -> pd.Series:
    """Which of `codes` are in `known` (as `codes.isin(set(known))`), hashed as Python
    objects: 2 ms for 20,000 SKUs where `isin` on the `str` dtype takes 70."""
    return codes.astype(object).isin(known.astype(object))


def _few(codes: Iterable[object]) -> str:
    """'A1, A2, B1' or 'A1, ... E5 and 12 more'."""
    codes = [str(c) for c in codes]
    more = f" and {len(codes) - SHOWN} more" if len(codes) > SHOWN else ""
    return ", ".join(codes[:SHOWN]) + more


def _company(d: _Loaded) -> list[str]:
    tables = d.tables
    if tables.get(schema.COMPANY) is not None:
        return []
    as_of = as_of_month(tables)
    last = f" ({as_of:%Y-%m})" if as_of is not None else ""
    return [
        "No company table: the company is named after the dataset, money is in EUR and "
        f"the actuals end at the last month of sales{last}. Add company.csv (company_name, "
        "currency, as_of_month) to change them."
    ]


def _products(d: _Loaded) -> list[str]:
    given = d.tables.get(schema.PRODUCTS)
    skus = d.demanded
    if given is None:
        if not skus:
            return []
        named = defaults.sales_families(d.tables)
        fam = (
            "takes its family from the family column of sales"
            if all(s in named.index for s in skus)
            else "takes its family from the family column of sales, else "
            f"'{defaults.DEFAULT_FAMILY}'"
            if len(named)
            else f"belongs to one family, '{defaults.DEFAULT_FAMILY}'"
        )
        return [
            f"No products table: each of the {fmt.count(len(skus), 'SKU')} is named by its code "
            f"and {fam}. Add products.csv (sku, name, family, list_price, material_cost) to name "
            "and group them."
        ]
    out = []
    known = set(given[schema.SKU].astype(str).tolist())
    missing = [s for s in skus if s not in known]
    if missing:
        out.append(
            f"{fmt.count(len(missing), 'SKU')} of sales {'is' if len(missing) == 1 else 'are'} not "
            f"in products ({_few(missing)}): named by the code, in the family of the family "
            f"column of sales, else '{defaults.DEFAULT_FAMILY}'. Add them to products.csv."
        )
    no_family = given.loc[given[schema.FAMILY].isna(), schema.SKU]
    if len(no_family):
        out.append(
            f"{fmt.count(len(no_family), 'SKU')} {'has' if len(no_family) == 1 else 'have'} no "
            f"family in products ({_few(no_family)}): the family column of sales is used, else "
            f"'{defaults.DEFAULT_FAMILY}'. Fill in family in products.csv."
        )
    return out


def _prices(d: _Loaded) -> list[str]:
    given, full = d.tables.get(schema.PRODUCTS), d.products
    none = pd.Series(dtype=object)
    listed = (
        given.loc[given[schema.LIST_PRICE].notna(), schema.SKU].astype(str)
        if given is not None
        else none
    )
    priced = full[schema.LIST_PRICE].notna()
    from_sales = full.loc[priced & ~_among(full[schema.SKU], listed), schema.SKU]
    unpriced = full.loc[~priced, schema.SKU]
    out = []
    if len(from_sales):
        out.append(
            f"{fmt.count(len(from_sales), 'SKU')} {'has' if len(from_sales) == 1 else 'have'} no "
            f"list price ({_few(from_sales)}): the price is sales revenue / units of the last "
            f"{defaults.PRICE_MONTHS} months. Add list_price to products.csv to set it."
        )
    if len(unpriced):
        out.append(
            f"No price loaded for {fmt.count(len(unpriced), 'SKU')} ({_few(unpriced)}): revenue, "
            "margin and the value of more capacity are not shown rather than guessed; the "
            "plan still serves their demand as far as capacity allows. Add list_price to "
            "products.csv, or revenue to sales.csv."
        )
    costed = (
        given.loc[given[schema.MATERIAL_COST].notna(), schema.SKU].astype(str)
        if given is not None
        else none
    )
    no_cost = full.loc[~_among(full[schema.SKU], costed), schema.SKU]
    if len(no_cost):
        out.append(
            f"No material cost for {fmt.count(len(no_cost), 'SKU')} ({_few(no_cost)}): their "
            "margin counts no material (0 a unit). Add material_cost to products.csv."
        )
    return out


def _unlimited(d: _Loaded) -> pd.Series:
    """Families with a SKU of no capacity at all: no family capacity and no routing."""
    p, b = d.products, defaults.bill_of_resources(d.tables)
    routed = _among(p[schema.SKU], b[schema.SKU].dropna()) | _among(
        p[schema.FAMILY], b[schema.FAMILY].dropna()
    )
    return p.loc[~routed, schema.FAMILY].drop_duplicates()


def _resource_columns(r: pd.DataFrame) -> list[str]:
    """The empty columns of a loaded resources table."""
    out = []
    for col, what in (
        (schema.PLANT, f"they are at '{defaults.DEFAULT_PLANT}'"),
        (schema.REGULAR_COST_PER_HOUR, "their hours cost nothing (no labour cost)"),
        (schema.MAX_OVERTIME_HOURS, "they work no overtime"),
    ):
        empty = r.loc[r[col].isna(), schema.RESOURCE]
        if len(empty):
            out.append(
                f"No {col} for {fmt.count(len(empty), 'resource')} ({_few(empty)}): {what}. Add "
                f"{col} to resources.csv."
            )
    dear = r[r[schema.OVERTIME_COST_PER_HOUR].isna() & (r[schema.MAX_OVERTIME_HOURS] > 0)]
    if len(dear):
        out.append(
            f"No overtime_cost_per_hour for {fmt.count(len(dear), 'resource')} with overtime "
            f"({_few(dear[schema.RESOURCE])}): an overtime hour costs a regular one. Add "
            "overtime_cost_per_hour to resources.csv."
        )
    return out


def _capacity(d: _Loaded) -> list[str]:
    get = d.tables.get
    fams = defaults.family_capacity_families(d.tables)
    hours = [n for n in (schema.CAPACITY, schema.WORKFORCE) if get(n) is not None]
    if not fams and not hours:
        return [
            "No capacity loaded: the supply plan makes whatever demand asks, without limit. "
            "Add family_capacity.csv (family, units_per_month) for the units a family can be "
            "made in a month, or capacity.csv (resource, month, available_hours) with "
            "bill_of_resources.csv for hours."
        ]
    out = []
    if fams:
        out.append(
            f"Capacity of {fmt.count(len(fams), 'family', 'families')} "
            f"({_few(fams)}) is in units a month (family_capacity.csv): one line each, "
            "with no overtime and no labour cost."
        )
    if hours and get(schema.RESOURCES) is None:
        out.append(
            "No resources table: the codes of capacity.csv are lines and those of "
            f"workforce.csv labour pools, at '{defaults.DEFAULT_PLANT}', named by their code, "
            "with no labour cost and no overtime. Add resources.csv to set them."
        )
    elif (r := get(schema.RESOURCES)) is not None:
        out += _resource_columns(r)
    if hours and get(schema.WORKFORCE) is None:
        out.append(
            "No workforce table: headcount does not limit the plan. Add workforce.csv "
            "(resource, workers, hours_per_worker, ...) for labour pools."
        )
    free = _unlimited(d)
    if len(free):
        out.append(
            f"{fmt.count(len(free), 'family', 'families')} ({_few(free)}) "
            f"{'has' if len(free) == 1 else 'have'} no capacity (no family_capacity row and "
            "no bill_of_resources routing): the plan makes them without limit."
        )
    return out


def _inventory(d: _Loaded) -> list[str]:
    inv = d.tables.get(schema.INVENTORY)
    rate = f"{defaults.DEFAULT_HOLDING_PCT:g} %"
    if inv is None:
        return [
            "No inventory table: every SKU starts the plan with 0 on hand and no safety "
            f"stock, and holding stock costs {rate} a year of its standard cost. Add "
            "inventory.csv (sku, on_hand_units, safety_stock_months, holding_cost_pct)."
        ]
    out = []
    skus = d.products[schema.SKU]
    bare = skus[~_among(skus, inv[schema.SKU].astype(str))]
    if len(bare):
        out.append(
            f"{fmt.count(len(bare), 'SKU')} {'has' if len(bare) == 1 else 'have'} no inventory row "
            f"({_few(bare)}): 0 on hand and no safety stock. Add them to inventory.csv."
        )
    rates = inv[schema.HOLDING_COST_PCT].dropna()
    if len(rates) < len(inv) or len(bare):
        used = f"the median of the rates given ({rates.median():g} %)" if len(rates) else rate
        out.append(
            f"No holding_cost_pct for some SKUs: holding their stock costs {used} a year of "
            "its standard cost. Add holding_cost_pct to inventory.csv."
        )
    return out


def _budget(d: _Loaded) -> list[str]:
    if d.tables.get(schema.BUDGET) is not None:
        return []
    return [
        "No budget table: Finance, Executive, the planning grid and the meeting pack show "
        "no budget comparison. Add budget.csv (family, month, units, revenue, margin) to "
        "compare the plan with it."
    ]


_BY_TOPIC = {
    COMPANY: _company,
    PRODUCTS: _products,
    PRICES: _prices,
    CAPACITY: _capacity,
    INVENTORY: _inventory,
    BUDGET: _budget,
}


def assumptions(
    tables: Mapping[str, pd.DataFrame], topics: Iterable[str] | None = None
) -> list[str]:
    """One sentence per default applied to the loaded `tables` (what is missing, what is
    assumed, which file and column change it), for `topics` (default: all, in `TOPICS`
    order); [] for a complete dataset."""
    wanted = TOPICS if topics is None else tuple(t for t in TOPICS if t in set(topics))
    if tables.get(schema.SALES) is None:
        return []
    loaded = _Loaded(tables)
    return [s for t in wanted for s in _BY_TOPIC[t](loaded)]
