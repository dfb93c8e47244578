"""The assumptions note (`sop.data.assumptions`) works out the product master once per
call and compares SKU lists as Python objects; it must say exactly what it said before:
the same sentences, numbers, codes and order.

The code as it was (the product master rebuilt by each topic, SKU lists compared by
`isin` against Python sets) is kept here as the reference, for the topics that changed;
the others are the module's own. It runs on the demo as loaded and on hostile copies:
no products table, SKUs sold or planned but not in products, products never sold,
empty families, prices and costs, SKUs without inventory rows or routing, family
capacity, missing resource columns, and codes with quotes, HTML and "="."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sop.core import fmt, schema
from sop.data import assumptions as A
from sop.data import defaults
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.store import Store

# --- the code as it was -----------------------------------------------------------


def ref_products(tables) -> list[str]:
    given = tables.get(schema.PRODUCTS)
    skus = defaults.demanded_skus(tables)
    named = defaults.sales_families(tables)
    if given is None:
        if not skus:
            return []
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
            f"and {fam}. Add products.csv (sku, name, family, list_price, material_cost) to "
            "name and group them."
        ]
    out = []
    known = set(given[schema.SKU].astype(str))
    missing = [s for s in skus if s not in known]
    if missing:
        out.append(
            f"{fmt.count(len(missing), 'SKU')} of sales {'is' if len(missing) == 1 else 'are'} not "
            f"in products ({A._few(missing)}): named by the code, in the family of the family "
            f"column of sales, else '{defaults.DEFAULT_FAMILY}'. Add them to products.csv."
        )
    no_family = given.loc[given[schema.FAMILY].isna(), schema.SKU]
    if len(no_family):
        out.append(
            f"{fmt.count(len(no_family), 'SKU')} {'has' if len(no_family) == 1 else 'have'} no "
            f"family in products ({A._few(no_family)}): the family column of sales is used, "
            f"else '{defaults.DEFAULT_FAMILY}'. Fill in family in products.csv."
        )
    return out


def ref_prices(tables) -> list[str]:
    given = tables.get(schema.PRODUCTS)
    full = defaults.products(tables)
    listed = (
        set(given.loc[given[schema.LIST_PRICE].notna(), schema.SKU].astype(str))
        if given is not None
        else set()
    )
    priced = full[schema.LIST_PRICE].notna()
    from_sales = full.loc[priced & ~full[schema.SKU].isin(listed), schema.SKU]
    unpriced = full.loc[~priced, schema.SKU]
    out = []
    if len(from_sales):
        out.append(
            f"{fmt.count(len(from_sales), 'SKU')} {'has' if len(from_sales) == 1 else 'have'} no "
            f"list price ({A._few(from_sales)}): the price is sales revenue / units of the "
            f"last {defaults.PRICE_MONTHS} months. Add list_price to products.csv to set it."
        )
    if len(unpriced):
        out.append(
            f"No price loaded for {fmt.count(len(unpriced), 'SKU')} ({A._few(unpriced)}): revenue, "
            "margin and the value of more capacity are not shown rather than guessed; the "
            "plan still serves their demand as far as capacity allows. Add list_price to "
            "products.csv, or revenue to sales.csv."
        )
    costed = (
        set(given.loc[given[schema.MATERIAL_COST].notna(), schema.SKU].astype(str))
        if given is not None
        else set()
    )
    no_cost = full.loc[~full[schema.SKU].isin(costed), schema.SKU]
    if len(no_cost):
        out.append(
            f"No material cost for {fmt.count(len(no_cost), 'SKU')} ({A._few(no_cost)}): their "
            "margin counts no material (0 a unit). Add material_cost to products.csv."
        )
    return out


def ref_unlimited(tables) -> pd.Series:
    p, b = defaults.products(tables), defaults.bill_of_resources(tables)
    routed = p[schema.SKU].isin(set(b[schema.SKU].dropna())) | p[schema.FAMILY].isin(
        set(b[schema.FAMILY].dropna())
    )
    return p.loc[~routed, schema.FAMILY].drop_duplicates()


def ref_capacity(tables) -> list[str]:
    get = tables.get
    fams = defaults.family_capacity_families(tables)
    hours = [n for n in (schema.CAPACITY, schema.WORKFORCE) if get(n) is not None]
    if not fams and not hours:
        return A._capacity(A._Loaded(tables))  # no SKU list read: unchanged
    out = []
    if fams:
        out.append(
            f"Capacity of {fmt.count(len(fams), 'family', 'families')} "
            f"({A._few(fams)}) is in units a month (family_capacity.csv): one line each, "
            "with no overtime and no labour cost."
        )
    if hours and get(schema.RESOURCES) is None:
        out.append(
            "No resources table: the codes of capacity.csv are lines and those of "
            f"workforce.csv labour pools, at '{defaults.DEFAULT_PLANT}', named by their code, "
            "with no labour cost and no overtime. Add resources.csv to set them."
        )
    elif (r := get(schema.RESOURCES)) is not None:
        out += A._resource_columns(r)
    if hours and get(schema.WORKFORCE) is None:
        out.append(
            "No workforce table: headcount does not limit the plan. Add workforce.csv "
            "(resource, workers, hours_per_worker, ...) for labour pools."
        )
    free = ref_unlimited(tables)
    if len(free):
        out.append(
            f"{fmt.count(len(free), 'family', 'families')} ({A._few(free)}) "
            f"{'has' if len(free) == 1 else 'have'} no capacity (no family_capacity row and "
            "no bill_of_resources routing): the plan makes them without limit."
        )
    return out


def ref_inventory(tables) -> list[str]:
    inv = tables.get(schema.INVENTORY)
    rate = f"{defaults.DEFAULT_HOLDING_PCT:g} %"
    if inv is None:
        return [
            "No inventory table: every SKU starts the plan with 0 on hand and no safety "
            f"stock, and holding stock costs {rate} a year of its standard cost. Add "
            "inventory.csv (sku, on_hand_units, safety_stock_months, holding_cost_pct)."
        ]
    out = []
    skus = defaults.products(tables)[schema.SKU]
    bare = skus[~skus.isin(set(inv[schema.SKU].astype(str)))]
    if len(bare):
        out.append(
            f"{fmt.count(len(bare), 'SKU')} {'has' if len(bare) == 1 else 'have'} no inventory row "
            f"({A._few(bare)}): 0 on hand and no safety stock. Add them to inventory.csv."
        )
    rates = inv[schema.HOLDING_COST_PCT].dropna()
    if len(rates) < len(inv) or len(bare):
        used = f"the median of the rates given ({rates.median():g} %)" if len(rates) else rate
        out.append(
            f"No holding_cost_pct for some SKUs: holding their stock costs {used} a year of "
            "its standard cost. Add holding_cost_pct to inventory.csv."
        )
    return out


def reference(tables) -> list[str]:
    if tables.get(schema.SALES) is None:
        return []
    d = A._Loaded(tables)
    return [
        *A._company(d),
        *ref_products(tables),
        *ref_prices(tables),
        *ref_capacity(tables),
        *ref_inventory(tables),
        *A._budget(d),
    ]


# --- inputs -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The demo as the app reads it back from the store (text as `str`)."""
    path = tmp_path_factory.mktemp("demo") / "s.duckdb"
    Store(path).load(check_tables(build_demo()).tables, name="demo")
    return Store(path).tables()


ODD = ['Say "hi"', "<b>bold</b>", "=SUM(A1)", "50% & more", "Ämter's"]


def hostile(demo: dict[str, pd.DataFrame], seed: int) -> dict[str, pd.DataFrame]:
    """A copy of the demo with products, inventory, routing and capacity cut about."""
    rng = np.random.default_rng(seed)
    t = {k: v.copy() for k, v in demo.items()}
    p = t[schema.PRODUCTS]
    keep = rng.random(len(p)) > 0.25  # SKUs sold but not in products
    p = p[keep].reset_index(drop=True)
    never = pd.DataFrame({schema.SKU: [f"NEW{i}" for i in range(3)] + ODD[:2]})
    p = pd.concat([p, never.astype("str")], ignore_index=True)  # products never sold
    for col in (schema.FAMILY, schema.LIST_PRICE, schema.MATERIAL_COST):
        p[col] = p[col].where(rng.random(len(p)) > 0.3)
    t[schema.PRODUCTS] = p
    s = t[schema.SALES]
    odd = s[s[schema.SKU] == s[schema.SKU].iloc[0]].copy()
    t[schema.SALES] = pd.concat(
        [s] + [odd.assign(**{schema.SKU: code}) for code in ODD], ignore_index=True
    )
    c = s[s[schema.MONTH] == s[schema.MONTH].max()][[schema.MONTH, schema.SKU, schema.REGION]]
    t[schema.CONSENSUS] = c.assign(
        **{schema.SKU: c[schema.SKU] + "-planned", schema.UNITS: 5.0}
    ).reset_index(drop=True)
    inv = t[schema.INVENTORY]
    inv = inv[rng.random(len(inv)) > 0.3]
    inv[schema.HOLDING_COST_PCT] = inv[schema.HOLDING_COST_PCT].where(rng.random(len(inv)) > 0.5)
    t[schema.INVENTORY] = inv
    b = t[schema.BILL_OF_RESOURCES]
    t[schema.BILL_OF_RESOURCES] = b[rng.random(len(b)) > 0.5]
    if seed % 2:
        fams = sorted(set(p[schema.FAMILY].dropna()))[:1] + ['Fam "x" <i>']
        t[schema.FAMILY_CAPACITY] = pd.DataFrame(
            {schema.FAMILY: fams, schema.UNITS_PER_MONTH: [100.0] * len(fams)}
        ).assign(**{schema.MONTH: pd.NaT})
    r = t[schema.RESOURCES]
    for col in (schema.PLANT, schema.REGULAR_COST_PER_HOUR, schema.OVERTIME_COST_PER_HOUR):
        r[col] = r[col].where(rng.random(len(r)) > 0.4)
    return t


def _without(t: dict[str, pd.DataFrame], *names: str) -> dict[str, pd.DataFrame]:
    return {k: v for k, v in t.items() if k not in names}


# --- tests --------------------------------------------------------------------------


def test_the_demo_says_what_it_said(demo) -> None:
    assert A.assumptions(demo) == reference(demo)
    bare = _without(demo, schema.PRODUCTS, schema.INVENTORY, schema.BUDGET, schema.COMPANY)
    said = A.assumptions(bare)
    assert said == reference(bare) and len(said) >= 5


@pytest.mark.parametrize("seed", range(6))
def test_hostile_copies_say_what_they_said(demo, seed: int) -> None:
    t = hostile(demo, seed)
    said = A.assumptions(t)
    assert said == reference(t)
    joined = " ".join(said)
    assert "not in products" in joined and "no inventory row" in joined
    assert "no list price" in joined or "No price loaded" in joined
    for cut in ([schema.PRODUCTS], [schema.INVENTORY], [schema.BILL_OF_RESOURCES]):
        assert A.assumptions(_without(t, *cut)) == reference(_without(t, *cut))


def test_topics_alone_say_their_part(demo) -> None:
    t = hostile(demo, 1)
    whole = A.assumptions(t)
    parts = [s for topic in A.TOPICS for s in A.assumptions(t, (topic,))]
    assert parts == whole


def test_the_product_master_is_worked_out_once_a_call(demo, monkeypatch) -> None:
    t = hostile(demo, 2)
    calls = {"demanded": 0, "products": 0}
    demanded, products = defaults.demanded_skus, defaults.products

    def count_demanded(tables):
        calls["demanded"] += 1
        return demanded(tables)

    def count_products(tables, given=None):
        calls["products"] += 1
        return products(tables, given)

    monkeypatch.setattr(defaults, "demanded_skus", count_demanded)
    monkeypatch.setattr(defaults, "products", count_products)
    A.assumptions(t)
    assert calls == {"demanded": 1, "products": 1}


def test_products_take_the_demanded_skus_given(demo) -> None:
    t = hostile(demo, 3)
    pd.testing.assert_frame_equal(
        defaults.products(t, defaults.demanded_skus(t)), defaults.products(t)
    )
