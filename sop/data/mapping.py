"""Headers a planner's files really have, mapped to the data model's columns.

`header_key` is how a header is compared (case, spaces, hyphens and a unit in
brackets do not matter: `Units Sold (pcs)` is `units_sold`). `suggest` proposes, per
table, a header of the file for each missing column: a synonym (`Date` for `month`,
`qty` for `units`) or a near spelling (difflib). A suggestion is never applied on its
own: the planner confirms it (the Data page's mapping step, `--map sales.Date=month`),
and a confirmed mapping may be saved for the company (`sop.store.column_maps`).
`guess_table` names the table a file's headers look like, for a file whose name is
no table.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from sop.core import schema
from sop.core.tables import TABLES

ColumnMaps = dict[str, dict[str, str]]  # table -> {header as in the file: model column}

# other names planners' systems give a column (compared as `header_key`s)
SYNONYMS: dict[str, tuple[str, ...]] = {
    schema.MONTH: (
        "date",
        "period",
        "month_start",
        "months",
        "yearmonth",
        "year_month",
        "posting_period",
        "calendar_month",
        "month_year",
        "periode",
        "datum",
        "monat",
        "mois",
        "mes",
        "fecha",
        "order_month",
        "sales_month",
        "first_of_month",
        "month_date",
    ),
    schema.SKU: (
        "item",
        "item_code",
        "item_no",
        "item_number",
        "item_id",
        "product",
        "product_code",
        "product_id",
        "product_no",
        "product_number",
        "article",
        "article_no",
        "article_number",
        "material",
        "material_number",
        "material_no",
        "part",
        "part_no",
        "part_number",
        "sku_code",
        "sku_id",
        "artikel",
        "produit",
        "ean",
    ),
    schema.REGION: (
        "customer_region",
        "market",
        "country",
        "area",
        "territory",
        "sales_region",
        "zone",
        "sales_area",
        "geography",
        "geo",
        "land",
        "pays",
        "location_region",
    ),
    schema.UNITS: (
        "qty",
        "quantity",
        "volume",
        "units_sold",
        "sales_units",
        "demand",
        "qty_sold",
        "quantity_sold",
        "sold_units",
        "sales_qty",
        "sales_quantity",
        "order_qty",
        "ordered_units",
        "pieces",
        "pcs",
        "menge",
        "quantite",
        "cantidad",
    ),
    schema.REVENUE: (
        "sales_value",
        "amount",
        "net_sales",
        "sales_amount",
        "value",
        "turnover",
        "net_revenue",
        "sales_revenue",
        "revenue_net",
        "umsatz",
        "net_amount",
    ),
    schema.FAMILY: (
        "product_family",
        "category",
        "product_group",
        "product_category",
        "family_name",
        "group",
        "product_line",
        "brand_family",
    ),
    schema.NAME: ("product_name", "item_name", "title", "article_name", "resource_name"),
    schema.LIST_PRICE: ("price", "unit_price", "selling_price", "sales_price", "net_price"),
    schema.MATERIAL_COST: ("cost", "unit_cost", "standard_cost", "cogs", "std_cost"),
    schema.UOM: ("unit", "unit_of_measure", "base_unit", "measure"),
    schema.RESOURCE: (
        "line",
        "work_center",
        "workcenter",
        "work_centre",
        "machine",
        "resource_code",
        "resource_id",
    ),
    schema.PLANT: ("site", "factory", "facility", "location", "werk"),
    schema.WORKING_DAYS: ("days", "work_days", "workdays"),
    schema.SHIFTS: ("shifts_per_day", "shift_count"),
    schema.HOURS_PER_SHIFT: ("shift_hours", "shift_length"),
    schema.AVAILABLE_HOURS: ("hours", "capacity_hours", "available", "hours_available"),
    schema.EFFICIENCY: ("oee", "utilisation", "utilization"),
    schema.ON_HAND_UNITS: (
        "on_hand",
        "stock",
        "inventory",
        "qty_on_hand",
        "onhand",
        "stock_units",
        "closing_stock",
    ),
    schema.SAFETY_STOCK_UNITS: ("safety_stock", "ss_units"),
    schema.PROMO_ID: ("promotion", "promotion_id", "promo", "event", "event_id"),
    schema.START_MONTH: ("start", "from", "start_date", "begin"),
    schema.END_MONTH: ("end", "to", "end_date", "until"),
    schema.UPLIFT_PCT: ("uplift", "lift", "uplift_percent"),
    schema.DISCOUNT_PCT: ("discount", "discount_percent"),
    schema.COMPANY_NAME: ("company", "company_name", "organisation", "organization"),
    schema.CURRENCY: ("ccy", "curr", "currency_code"),
    schema.AS_OF_MONTH: ("as_of", "actuals_to", "last_actual_month"),
    schema.MARGIN: ("gross_margin", "gm", "margin_value"),
    schema.WORKERS: ("headcount", "fte", "people"),
    schema.HOURS_PER_UNIT: ("hours_unit", "run_hours", "standard_hours", "time_per_unit"),
}
DIFF_CUTOFF = 0.6  # difflib ratio for "is it misspelled as": untis ~ units


@dataclass(frozen=True)
class ReadOptions:
    """What the planner decided about an upload: `maps`, headers mapped to columns now
    ({table: {header: column}}); `saved`, the mappings saved for company `saved_for`
    (applied where the file has the header and lacks the column); `dayfirst`, the order
    of a/b/yyyy dates (None: read it from the values); `assign`, the table of a file or
    sheet whose name is no table ({label: table}, '' to leave it out)."""

    maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    saved: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    saved_for: str = ""
    dayfirst: bool | None = None
    assign: Mapping[str, str] = field(default_factory=dict)


def header_key(header: object) -> str:
    """A header as compared with the model's names: lower case, a unit in brackets
    dropped, spaces, hyphens, dots and slashes as underscores."""
    text = str(header).replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\(\[].*?[\)\]]", "", text)
    return re.sub(r"[\s\-./]+", "_", text.strip()).strip("_")


def table_key(name: str) -> str | None:
    """The table a file stem or sheet name names (`Bill of resources` ->
    `bill_of_resources`), or None."""
    key = header_key(name)
    return key if key in TABLES else None


def suggest(
    table: str, headers: Iterable[object], columns: Iterable[str] | None = None
) -> dict[str, str]:
    """{model column: header of the file} for the `columns` of `table` that the headers
    lack (default: every missing one); synonyms first, then near spellings. Each header
    is proposed once. A model column of the table is never proposed for another."""
    t = TABLES[table]
    headers = [str(h) for h in headers]
    keys = {h: header_key(h) for h in headers}
    present = set(keys.values())
    wanted = [c for c in (columns or t.column_names) if c not in present]
    free = [h for h in headers if keys[h] not in t.column_names]
    out: dict[str, str] = {}
    for col in wanted:
        hits = [h for h in free if keys[h] in SYNONYMS.get(col, ()) and h not in out.values()]
        if hits:
            out[col] = hits[0]
    for col in wanted:
        if col in out:
            continue
        left = {keys[h]: h for h in free if h not in out.values()}
        near = difflib.get_close_matches(col, list(left), n=1, cutoff=DIFF_CUTOFF)
        if near:
            out[col] = left[near[0]]
    return out


def is_synonym(column: str, header: str) -> bool:
    return header_key(header) in SYNONYMS.get(column, ())


def guess_table(headers: Iterable[object]) -> str | None:
    """The table whose required columns the headers match best (by name or synonym),
    when they match at least half of them; None otherwise."""
    keys = {header_key(h) for h in headers}
    best, score = None, (0.5, 1)
    for name, t in TABLES.items():  # in load order: sales before consensus on a tie
        need = [c.name for c in t.columns if c.required] or t.column_names
        hit = sum(c in keys or bool(keys & set(SYNONYMS.get(c, ()))) for c in need)
        if (hit / len(need), hit) >= score and (best is None or (hit / len(need), hit) > score):
            best, score = name, (hit / len(need), hit)
    return best


def map_option(table: str, header: str, column: str) -> str:
    """The command-line option that maps `header` to `column` (quoted for a shell)."""
    return f"--map {shlex.quote(f'{table}.{header}={column}')}"


def parse_maps(specs: Iterable[str]) -> ColumnMaps:
    """`--map TABLE.HEADER=COLUMN` options as {table: {header: column}}; ValueError with
    what is wrong (an unknown table or column gets a "did you mean")."""
    out: ColumnMaps = {}
    for spec in specs:
        left, eq, column = spec.rpartition("=")
        table, dot, header = left.partition(".")
        if not eq or not dot or not header.strip() or not column.strip():
            raise ValueError(
                f"--map {spec!r}: write TABLE.HEADER=COLUMN, e.g. --map sales.Date=month"
            )
        name = table_key(table)
        if name is None:
            raise ValueError(
                f"--map {spec!r}: `{table}` is not a table of the data model."
                f"{_did_you_mean(header_key(table), list(TABLES))}"
            )
        col = header_key(column)
        if col not in TABLES[name].column_names:
            raise ValueError(
                f"--map {spec!r}: the `{name}` table has no column `{column}`."
                f"{_did_you_mean(col, TABLES[name].column_names)} Its columns: "
                f"{', '.join(TABLES[name].column_names)}."
            )
        out.setdefault(name, {})[header.strip()] = col
    return out


def _did_you_mean(name: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" Did you mean `{near[0]}`?" if near else ""


def merged(*maps: Mapping[str, Mapping[str, str]]) -> ColumnMaps:
    """The maps laid over each other, later ones winning per table and header."""
    out: ColumnMaps = {}
    for m in maps:
        for table, pairs in m.items():
            out.setdefault(table, {}).update(pairs)
    return out


def company_of(
    company_frame: pd.DataFrame | None,
    base: Mapping[str, pd.DataFrame] | None,
    name: str,
    kept_company: str | None = None,
) -> str:
    """The company a dataset will be loaded as (as `sop.store.Store.load` names it):
    the uploaded company table's name, else the kept dataset's company table's, else
    `kept_company` (the company of the version the other tables are kept from, which
    may have no company table), else the dataset name."""
    for frame in (company_frame, (base or {}).get(schema.COMPANY)):
        if frame is None or frame.empty:
            continue
        cols = {header_key(c): c for c in frame.columns}
        if schema.COMPANY_NAME in cols:
            values = frame[cols[schema.COMPANY_NAME]].dropna().astype(str).str.strip()
            values = values[values != ""]
            if len(values):
                return str(values.iloc[0])
    return kept_company or name


@dataclass(frozen=True)
class Need:
    """A table whose file lacks required columns, for the mapping step: the file's
    headers that are no column of the table (`free`), the `missing` columns and the
    header suggested for each (`hints`)."""

    table: str
    file: str
    free: tuple[str, ...]
    missing: tuple[str, ...]
    hints: Mapping[str, str]


def need(table: str, file: str, headers: Iterable[object], *maps: Mapping[str, str]) -> Need | None:
    """What the mapping step must ask about a table read from `file` with `headers`,
    once `maps` (header -> column, later ones winning) apply; None when nothing is
    missing."""
    t = TABLES[table]
    originals = [str(h).strip() for h in headers]
    keys = [header_key(h) for h in originals]
    for m in maps:
        for header, column in m.items():
            key = header_key(header)
            if key in keys and column not in keys:
                keys[keys.index(key)] = column
    missing = tuple(c.name for c in t.columns if c.required and c.name not in keys)
    if not missing:
        return None
    free = tuple(h for h, k in zip(originals, keys) if k not in t.column_names)
    return Need(table, file, free, missing, suggest(table, free, missing))
