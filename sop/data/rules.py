"""Rules across tables: references exist (against the tables as completed by
`sop.data.defaults`), date ranges run forwards, margins are positive, yearly
promotions continue, active SKUs have a capacity and an inventory row, the budget
covers the plan. The rules about the sales history are in `sop.data.sales_rules`,
those about resources, their hours and family capacity in `sop.data.resource_rules`."""

from __future__ import annotations

import pandas as pd

from sop.core import schema
from sop.core.months import as_of_month, next_month, plan_months
from sop.core.tables import TABLES
from sop.data import cells
from sop.data.defaults import DEFAULT_FAMILY, complete
from sop.data.nearcode import same_but_case
from sop.data.readers import ERROR, WARNING
from sop.data.report import MAX_EXAMPLES, ROW, SHOWN, Run
from sop.data.resource_rules import resource_rules
from sop.data.sales_rules import as_of_follows_sales, sales_rules, series_gaps

__all__ = ["active_skus", "cross_rules", "foreign_keys", "series_gaps"]

PROMO_LOOKAHEAD = 18  # months after the as-of month checked for recurring events


def _given_rows(full: pd.DataFrame) -> pd.DataFrame:
    """The rows of a completed table that came from its file (they carry a `row`)."""
    if ROW not in full:
        return full.iloc[0:0]
    given = full[full[ROW].notna()]
    return given.astype({ROW: "int64"})


def foreign_keys(
    tables: dict[str, pd.DataFrame],
    files: dict[str, str],
    run: Run,
    refs: dict[str, pd.DataFrame] | None = None,
) -> None:
    """Every code in a foreign-key column exists in the table it refers to, as completed
    by `sop.data.defaults` (`refs`): a family of `sales.family` is a family, a code of
    `capacity` a resource. A SKU of sales or consensus missing from a loaded product
    master is a warning (it is planned with derived name, family and price). A code that
    differs only in case or spaces from a known one is said to (`cl-101` for `CL-101`)."""
    refs = refs if refs is not None else tables
    for name, df in tables.items():
        t = TABLES[name]
        for fk in t.foreign_keys:
            derivable = fk.column == schema.SKU and name in (schema.SALES, schema.CONSENSUS)
            ref = tables.get(fk.ref_table) if derivable else refs.get(fk.ref_table)
            if ref is None:
                continue
            bad = df[fk.column].notna() & ~cells.isin(df[fk.column], ref[fk.ref_column])
            if not bad.any():
                run.ran("References exist", name)
                continue
            unknown = sorted(df.loc[bad, fk.column].astype(str).unique())
            known = ref[fk.ref_column].dropna().astype(str).unique()
            twin = {u: c for u in unknown[:50] if (c := same_but_case(u, known)) is not None}
            ref_file = files.get(fk.ref_table, fk.ref_table)
            if twin:
                _unknown_codes(
                    t,
                    df,
                    files[name],
                    run,
                    df[fk.column].isin(set(twin)) & bad,
                    fk,
                    derivable,
                    twin,
                    ref_file,
                )
            _unknown_codes(
                t,
                df,
                files[name],
                run,
                bad & ~df[fk.column].isin(set(twin)),
                fk,
                derivable,
                {u: None for u in unknown if u not in twin},
                ref_file,
            )


def _unknown_codes(
    t: schema.Table,
    df: pd.DataFrame,
    f: str,
    run: Run,
    bad: pd.Series,
    fk: schema.ForeignKey,
    derivable: bool,
    codes: dict[str, str | None],
    ref_file: str,
) -> None:
    """The rows of `df` whose `fk.column` names a code of `codes`, unknown to
    `fk.ref_table` ({code: the known code it differs from only in case or spaces})."""
    unknown = list(codes)
    many = len(unknown) > 1
    label = "resource" if fk.column == schema.RESOURCE else fk.column
    them = "them" if many else "it"
    shown = f"{', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}"
    twins = [c for c in codes.values() if c is not None]
    if twins:
        problem = (
            f"refer to {label}{'s' * many} {shown}, which differ{'s' * (not many)} only in "
            f"case or spaces from {', '.join(f'`{c}`' for c in twins[:5])} in {ref_file}"
        )
        action = f"Write {them} the same way"
    else:
        problem = f"refer to unknown {label}{'s' * many} {shown}"
        action = f"Add {them} to {fk.ref_table}, or correct the code"
    if derivable:
        action += (
            f"; until then {them} {'are' if many else 'is'} planned "
            + ("apart from the product of that code, " if twins else "")
            + "named by the code, in the family of `sales.family` (else "
            f"'{DEFAULT_FAMILY}'), priced from sales revenue."
        )
    else:
        action += "."
    run.rows(
        "References exist",
        t,
        df,
        f,
        bad,
        fk.column,
        problem,
        action,
        WARNING if derivable else ERROR,
    )


def _one_of_sku_family(t: schema.Table, df: pd.DataFrame, f: str, run: Run) -> None:
    both = df[schema.SKU].notna() == df[schema.FAMILY].notna()
    run.rows(
        "Rows name a SKU or a family",
        t,
        df,
        f,
        both,
        None,
        "name both a SKU and a family, or neither",
        "Fill exactly one of `sku` and `family` per row.",
    )


def _ordered(t: schema.Table, df: pd.DataFrame, f: str, run: Run, first: str, last: str) -> None:
    bad = df[first].notna() & df[last].notna() & (df[last] < df[first])
    run.rows(
        "Date ranges run forwards",
        t,
        df,
        f,
        bad,
        last,
        f"end before `{first}`",
        f"Make `{last}` the same as or later than `{first}`.",
    )


def active_skus(products: pd.DataFrame, from_month: pd.Timestamp) -> pd.Series:
    """SKUs still sold on or after `from_month`."""
    alive = products[schema.PHASE_OUT_MONTH].isna() | (
        products[schema.PHASE_OUT_MONTH] >= from_month
    )
    return products.loc[alive, schema.SKU]


def _product_rules(p: pd.DataFrame, f: str, run: Run) -> None:
    """Products: the lifecycle runs forwards, margins are positive."""
    T = TABLES
    _ordered(T[schema.PRODUCTS], p, f, run, schema.LAUNCH_MONTH, schema.PHASE_OUT_MONTH)
    run.rows(
        "Margins are positive",
        T[schema.PRODUCTS],
        p,
        f,
        p[schema.MATERIAL_COST] >= p[schema.LIST_PRICE],
        schema.MATERIAL_COST,
        "cost as much as or more than their list price",
        "Check price and cost: these SKUs lose money on every unit.",
        WARNING,
    )


def _promotion_rules(pr: pd.DataFrame, f: str, as_of: pd.Timestamp | None, run: Run) -> None:
    """Promotions: a SKU or a family, dates forwards, yearly events planned again."""
    T = TABLES
    _one_of_sku_family(T[schema.PROMOTIONS], pr, f, run)
    _ordered(T[schema.PROMOTIONS], pr, f, run, schema.START_MONTH, schema.END_MONTH)
    if as_of is not None:
        run.ran("Yearly promotions continue", schema.PROMOTIONS)
        gone = missing_recurring_promotions(pr, as_of)
        if len(gone):
            quoted = "; ".join(
                f"{g.key} ({g.region}) in {g.month:%b %Y}"
                + (f", like '{g.last}'" if g.last else "")
                for g in gone.head(SHOWN).itertuples()
            )
            more = f" and {len(gone) - SHOWN} more" if len(gone) > SHOWN else ""
            run.flag(
                "Yearly promotions continue",
                schema.PROMOTIONS,
                WARNING,
                f"{f}: {len(gone)} yearly promotion(s) ran in each "
                f"of the last two years but are not planned again: {quoted}{more}. "
                "The forecast expects no promotion uplift in those months; add them "
                "to promotions if they will run.",
                len(gone),
                f,
                schema.START_MONTH,
                gone.head(MAX_EXAMPLES),
            )


def _option_rules(so: pd.DataFrame, f: str, run: Run) -> None:
    """Supply options: no option is called as the supplier lever calls every cap, dates
    forwards, subcontracting has a price, a material cap a cap (a subcontract offer
    without a cap is unlimited)."""
    T = TABLES
    run.rows(
        "Option codes are not the lever's 'all suppliers'",
        T[schema.SUPPLY_OPTIONS],
        so,
        f,
        cells.to_text(so[schema.OPTION]).eq(schema.ALL_SUPPLIERS).fillna(False).astype(bool),
        schema.OPTION,
        f"are named '{schema.ALL_SUPPLIERS}', the name the supplier capacity lever gives "
        "every supplier cap at once, so a scenario changing this option would change "
        "every cap",
        "Rename the option (e.g. CAP-ALL) in the file.",
    )
    _ordered(T[schema.SUPPLY_OPTIONS], so, f, run, schema.START_MONTH, schema.END_MONTH)
    run.rows(
        "Subcontract options have a price",
        T[schema.SUPPLY_OPTIONS],
        so,
        f,
        (so[schema.OPTION_TYPE] == schema.OPTION_SUBCONTRACT) & so[schema.COST_PER_UNIT].isna(),
        schema.COST_PER_UNIT,
        "are subcontract options without a cost per unit",
        "Give the price of a subcontracted unit.",
    )
    run.rows(
        "Material caps have a cap",
        T[schema.SUPPLY_OPTIONS],
        so,
        f,
        (so[schema.OPTION_TYPE] == schema.OPTION_MATERIAL_CAP)
        & so[schema.MONTHLY_CAP_UNITS].isna(),
        schema.MONTHLY_CAP_UNITS,
        "are material caps without a monthly cap, so they limit nothing",
        "Give the supplier's most units a month, or remove the row.",
        WARNING,
    )


def _coverage_rules(
    full: dict[str, pd.DataFrame], p: pd.DataFrame, f: str, as_of: pd.Timestamp, run: Run
) -> None:
    """SKUs of the product master sold after the as-of month have a capacity (a routing
    or a family capacity) when any capacity is loaded, and an inventory row when the
    inventory is loaded. `p` holds the loaded rows of the completed products."""
    T = TABLES
    active = cells.isin(p[schema.SKU], active_skus(p, next_month(as_of)))  # by Arrow
    b = full[schema.BILL_OF_RESOURCES]
    if len(b):
        fams = set(b[schema.FAMILY].dropna())
        routed = p[schema.SKU].isin(set(b[schema.SKU].dropna())) | p[schema.FAMILY].isin(fams)
        run.rows(
            "Every SKU has a routing",
            T[schema.PRODUCTS],
            p,
            f,
            active & ~routed,
            schema.SKU,
            "have no routing in bill_of_resources and no family_capacity",
            "Add hours per unit for these SKUs (or their "
            "family), or their family's units a month; until then they are planned as "
            "if capacity were unlimited.",
            WARNING,
        )
    if (inv := full.get(schema.INVENTORY)) is not None and len(inv):
        run.rows(
            "Every SKU has an inventory row",
            T[schema.PRODUCTS],
            p,
            f,
            active & ~cells.isin(p[schema.SKU], inv[schema.SKU]),
            schema.SKU,
            "have no row in inventory",
            "They start the plan with 0 on hand and "
            "no safety stock; add rows to inventory if that is wrong.",
            WARNING,
        )


def _currency_rule(c: pd.DataFrame, f: str, run: Run) -> None:
    """The currency is a three-letter code: it is shown next to every amount, on every
    page and in every export (a name or a link there would be shown everywhere)."""
    cur = c[schema.CURRENCY]
    run.rows(
        "Currency is a code",
        TABLES[schema.COMPANY],
        c,
        f,
        cur.notna() & ~cur.astype("string").str.fullmatch(r"[A-Za-z]{3}").fillna(False),
        schema.CURRENCY,
        "are not a three-letter currency code",
        "Write the ISO 4217 code of the currency (EUR, USD, GBP, ...).",
    )


def _budget_rule(bud: pd.DataFrame, f: str, as_of: pd.Timestamp, run: Run) -> None:
    """The budget has months after the as-of month."""
    run.ran("Budget covers the plan", schema.BUDGET)
    if not (bud[schema.MONTH] > as_of).any():
        run.flag(
            "Budget covers the plan",
            schema.BUDGET,
            WARNING,
            f"{f}: no budget months after the as-of month "
            f"{as_of:%Y-%m}; plan-vs-budget comparisons will be empty. Add the "
            "budget of the coming months.",
            1,
            f,
            schema.MONTH,
        )


def cross_rules(
    tables: dict[str, pd.DataFrame],
    files: dict[str, str],
    run: Run,
    full: dict[str, pd.DataFrame] | None = None,
) -> None:
    """Every rule across tables, in the order the checks are listed; `full` is `tables`
    completed by `sop.data.defaults` (derived products, resources, family lines)."""
    get = tables.get
    full = full if full is not None else complete(tables)
    as_of = as_of_month(tables)
    if (p := get(schema.PRODUCTS)) is not None:
        _product_rules(p, files[schema.PRODUCTS], run)
    if (c := get(schema.COMPANY)) is not None:
        run.rows(
            "Company has one row",
            TABLES[schema.COMPANY],
            c,
            files[schema.COMPANY],
            pd.Series(len(c) > 1, index=c.index),
            schema.COMPANY_NAME,
            "name companies, but the company table has one row (the company planned)",
            "Keep the row of the company you plan; delete the others.",
        )
        _currency_rule(c, files[schema.COMPANY], run)
    if as_of is not None:
        as_of_follows_sales(tables, files, as_of, run)
    if (pr := get(schema.PROMOTIONS)) is not None:
        _promotion_rules(pr, files[schema.PROMOTIONS], as_of, run)
    if (b := get(schema.BILL_OF_RESOURCES)) is not None:
        _one_of_sku_family(
            TABLES[schema.BILL_OF_RESOURCES], b, files[schema.BILL_OF_RESOURCES], run
        )
    if (so := get(schema.SUPPLY_OPTIONS)) is not None:
        _option_rules(so, files[schema.SUPPLY_OPTIONS], run)
    resource_rules(tables, files, full, run)
    if as_of is None:
        return
    if (s := get(schema.SALES)) is not None:
        sales_rules(tables, files, s, as_of, run)
    if get(schema.PRODUCTS) is not None:
        _coverage_rules(
            full, _given_rows(full[schema.PRODUCTS]), files[schema.PRODUCTS], as_of, run
        )
    if (bud := get(schema.BUDGET)) is not None:
        _budget_rule(bud, files[schema.BUDGET], as_of, run)


def missing_recurring_promotions(
    promos: pd.DataFrame, as_of: pd.Timestamp, months_ahead: int = PROMO_LOOKAHEAD
) -> pd.DataFrame:
    """Yearly events that stop: a promotion of the same family/SKU and region ran in the
    same calendar month in each of the last two years up to `as_of`, but none is
    planned for that month within `months_ahead`. Columns: key, region, month (the
    future month without it), last (description of the latest one)."""
    p = promos.dropna(subset=[schema.START_MONTH, schema.END_MONTH])
    key = p[schema.SKU].fillna(p[schema.FAMILY]).astype(str)
    region = p[schema.REGION].fillna("all regions").astype(str)
    covered: dict[tuple[str, str], set[pd.Timestamp]] = {}
    last: dict[tuple[str, str, int], str] = {}
    for k, r, (_, row) in zip(key, region, p.iterrows()):
        months = pd.date_range(row[schema.START_MONTH], row[schema.END_MONTH], freq="MS")
        covered.setdefault((k, r), set()).update(months)
        for m in months:
            if m <= as_of:
                last[(k, r, m.month)] = str(row[schema.DESCRIPTION] or row[schema.PROMO_ID])
    ahead = plan_months(as_of, months_ahead)
    out = []
    for (k, r), have in covered.items():
        for m in ahead:
            past = [m - pd.DateOffset(years=y) for y in (1, 2, 3)]
            recent = [x for x in past if x <= as_of][:2]
            if len(recent) == 2 and all(x in have for x in recent) and m not in have:
                out.append((k, r, m, last.get((k, r, m.month), "")))
    return pd.DataFrame(out, columns=["key", schema.REGION, schema.MONTH, "last"])
