"""The data model, written once: tables, columns, types, units, keys and rules.

Validation (`sop.validate`), the store (`sop.store`), the demo generator and
`docs/data-model.md` (`python -m sop schema-doc`) are all driven from here.
Column names are module constants so a typo is an ImportError, not a silent
empty column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- column names -----------------------------------------------------------
SKU = "sku"
NAME = "name"
FAMILY = "family"
UOM = "uom"
LIST_PRICE = "list_price"
MATERIAL_COST = "material_cost"
LAUNCH_MONTH = "launch_month"
PHASE_OUT_MONTH = "phase_out_month"

MONTH = "month"
REGION = "region"
UNITS = "units"
REVENUE = "revenue"

PROMO_ID = "promo_id"
START_MONTH = "start_month"
END_MONTH = "end_month"
UPLIFT_PCT = "uplift_pct"
DISCOUNT_PCT = "discount_pct"
DESCRIPTION = "description"

RESOURCE = "resource"
PLANT = "plant"
KIND = "kind"
REGULAR_COST_PER_HOUR = "regular_cost_per_hour"
OVERTIME_COST_PER_HOUR = "overtime_cost_per_hour"
MAX_OVERTIME_HOURS = "max_overtime_hours"

WORKING_DAYS = "working_days"
SHIFTS = "shifts"
HOURS_PER_SHIFT = "hours_per_shift"
EFFICIENCY = "efficiency"
AVAILABLE_HOURS = "available_hours"

WORKERS = "workers"
HOURS_PER_WORKER = "hours_per_worker"
MAX_OVERTIME_PER_WORKER = "max_overtime_per_worker"
HIRING_COST = "hiring_cost"
LAYOFF_COST = "layoff_cost"
MAX_HIRES_PER_MONTH = "max_hires_per_month"

HOURS_PER_UNIT = "hours_per_unit"

OPTION = "option"
OPTION_TYPE = "option_type"
COST_PER_UNIT = "cost_per_unit"
MONTHLY_CAP_UNITS = "monthly_cap_units"

ON_HAND_UNITS = "on_hand_units"
SAFETY_STOCK_MONTHS = "safety_stock_months"
SAFETY_STOCK_UNITS = "safety_stock_units"
HOLDING_COST_PCT = "holding_cost_pct"

MARGIN = "margin"

COMPANY_NAME = "company_name"
CURRENCY = "currency"
AS_OF_MONTH = "as_of_month"

# derived frames (not loaded data): the demand plan and forecasts
P10 = "p10"
P50 = "p50"
P90 = "p90"
FORECAST_UNITS = "forecast_units"  # statistical P50 before overrides
SOURCE = "source"  # where a demand-plan row comes from

# --- allowed values ---------------------------------------------------------
KIND_LINE = "line"
KIND_LABOUR = "labour"
OPTION_SUBCONTRACT = "subcontract"
OPTION_MATERIAL_CAP = "material_cap"

# --- table names ------------------------------------------------------------
COMPANY = "company"
PRODUCTS = "products"
SALES = "sales"
PROMOTIONS = "promotions"
RESOURCES = "resources"
CAPACITY = "capacity"
WORKFORCE = "workforce"
BILL_OF_RESOURCES = "bill_of_resources"
SUPPLY_OPTIONS = "supply_options"
INVENTORY = "inventory"
BUDGET = "budget"
CONSENSUS = "consensus"

# dtype names used by the model; each maps to a DuckDB type in the store.
STR, INT, FLOAT, DATE, BOOL = "string", "integer", "number", "month", "boolean"
DUCKDB_TYPES = {STR: "VARCHAR", INT: "BIGINT", FLOAT: "DOUBLE", DATE: "DATE", BOOL: "BOOLEAN"}


@dataclass(frozen=True)
class Column:
    """One column: its type, unit and the rules a value must meet."""

    name: str
    dtype: str
    unit: str
    meaning: str
    required: bool = True  # the column must be present in the file
    nullable: bool = False  # empty cells allowed
    min: float | None = None  # inclusive lower bound
    max: float | None = None  # inclusive upper bound
    positive: bool = False  # strictly greater than zero (prices, costs per unit)
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForeignKey:
    """Values of `column` must appear in `ref_table.ref_column` (nulls are skipped)."""

    column: str
    ref_table: str
    ref_column: str


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)
    rules: tuple[str, ...] = ()  # rules beyond per-column ones, for the docs

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _month(name: str, meaning: str, **kw) -> Column:
    return Column(name, DATE, "month", meaning, **kw)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            COMPANY,
            "Who the dataset belongs to and the last month of actuals. One row.",
            (
                Column(COMPANY_NAME, STR, "-", "Company name shown in the app."),
                Column(CURRENCY, STR, "ISO 4217", "Currency of every money column, e.g. EUR."),
                _month(AS_OF_MONTH, "Last month of actual sales; the plan starts the month after."),
            ),
            key=(COMPANY_NAME,),
            required=False,
            rules=(
                "At most one row. When the table is absent the dataset's folder name, EUR "
                "and the last month in `sales` are used.",
            ),
        ),
        Table(
            PRODUCTS,
            "The product master: every SKU that is sold or planned.",
            (
                Column(SKU, STR, "-", "Stock-keeping unit code."),
                Column(NAME, STR, "-", "Product name."),
                Column(FAMILY, STR, "-", "Product family: the level S&OP plans at."),
                Column(
                    UOM, STR, "-", "Unit of measure of every quantity of this SKU, e.g. `each`."
                ),
                Column(
                    LIST_PRICE, FLOAT, "money/unit", "Current list price per unit.", positive=True
                ),
                Column(
                    MATERIAL_COST, FLOAT, "money/unit", "Standard material cost per unit.", min=0
                ),
                _month(
                    LAUNCH_MONTH,
                    "First month the SKU is sold; empty if long established.",
                    required=False,
                    nullable=True,
                ),
                _month(
                    PHASE_OUT_MONTH,
                    "Last month the SKU is sold; empty if not being phased out.",
                    required=False,
                    nullable=True,
                ),
            ),
            key=(SKU,),
            rules=(
                "`material_cost` is below `list_price` (warning otherwise: negative margin).",
                "`phase_out_month` is not before `launch_month`.",
            ),
        ),
        Table(
            SALES,
            "Actual monthly demand (orders) by SKU and region.",
            (
                _month(MONTH, "Calendar month (first day of the month)."),
                Column(SKU, STR, "-", "SKU sold."),
                Column(REGION, STR, "-", "Sales region."),
                Column(UNITS, FLOAT, "units", "Units demanded in the month.", min=0),
                Column(
                    REVENUE,
                    FLOAT,
                    "money",
                    "Net revenue of those units, where known.",
                    required=False,
                    nullable=True,
                    min=0,
                ),
            ),
            key=(MONTH, SKU, REGION),
            foreign_keys=(ForeignKey(SKU, PRODUCTS, SKU),),
            rules=(
                "Months are calendar months with no duplicates per SKU and region.",
                "A series (SKU x region) has a row for every month between its first and "
                "last month; a missing month is a gap (warning): it is read as missing, "
                "not as zero demand.",
            ),
        ),
        Table(
            PROMOTIONS,
            "Past and planned promotions and events, with the expected uplift.",
            (
                Column(PROMO_ID, STR, "-", "Promotion identifier."),
                Column(
                    SKU, STR, "-", "SKU promoted; empty when the whole family is.", nullable=True
                ),
                Column(
                    FAMILY, STR, "-", "Family promoted; empty when a single SKU is.", nullable=True
                ),
                Column(REGION, STR, "-", "Region; empty for all regions.", nullable=True),
                _month(START_MONTH, "First month of the promotion."),
                _month(END_MONTH, "Last month of the promotion (inclusive)."),
                Column(
                    UPLIFT_PCT, FLOAT, "%", "Expected demand uplift while it runs.", min=0, max=500
                ),
                Column(
                    DISCOUNT_PCT,
                    FLOAT,
                    "%",
                    "Price discount while it runs.",
                    required=False,
                    nullable=True,
                    min=0,
                    max=90,
                ),
                Column(
                    DESCRIPTION, STR, "-", "What the promotion is.", required=False, nullable=True
                ),
            ),
            key=(PROMO_ID,),
            required=False,
            foreign_keys=(ForeignKey(SKU, PRODUCTS, SKU), ForeignKey(FAMILY, PRODUCTS, FAMILY)),
            rules=(
                "Exactly one of `sku` and `family` is given.",
                "`end_month` is not before `start_month`.",
            ),
        ),
        Table(
            RESOURCES,
            "Plants' production lines and labour pools that constrain supply.",
            (
                Column(RESOURCE, STR, "-", "Resource code (a line, work centre or labour pool)."),
                Column(PLANT, STR, "-", "Plant the resource belongs to."),
                Column(NAME, STR, "-", "Resource name."),
                Column(
                    KIND,
                    STR,
                    "-",
                    "`line` (hours from the capacity calendar) or `labour` "
                    "(hours from the workforce table).",
                    allowed=(KIND_LINE, KIND_LABOUR),
                ),
                Column(
                    REGULAR_COST_PER_HOUR, FLOAT, "money/hour", "Cost of a regular hour.", min=0
                ),
                Column(
                    OVERTIME_COST_PER_HOUR, FLOAT, "money/hour", "Cost of an overtime hour.", min=0
                ),
                Column(
                    MAX_OVERTIME_HOURS,
                    FLOAT,
                    "hours/month",
                    "Most overtime hours a month on a line (labour pools use "
                    "`workforce.max_overtime_per_worker`).",
                    min=0,
                ),
            ),
            key=(RESOURCE,),
            rules=("`overtime_cost_per_hour` is not below `regular_cost_per_hour` (warning).",),
        ),
        Table(
            CAPACITY,
            "Capacity calendar of each line: available regular hours by month.",
            (
                Column(RESOURCE, STR, "-", "Line (a resource of kind `line`)."),
                _month(MONTH, "Calendar month."),
                Column(WORKING_DAYS, FLOAT, "days", "Working days in the month.", min=0, max=31),
                Column(SHIFTS, FLOAT, "shifts/day", "Shifts run per working day.", min=0, max=4),
                Column(
                    HOURS_PER_SHIFT, FLOAT, "hours/shift", "Paid hours per shift.", min=0, max=24
                ),
                Column(
                    EFFICIENCY,
                    FLOAT,
                    "fraction",
                    "Share of paid hours that produce (availability x performance).",
                    min=0,
                    max=1,
                ),
                Column(
                    AVAILABLE_HOURS,
                    FLOAT,
                    "hours/month",
                    "Available regular hours; when "
                    "empty, working_days x shifts x hours_per_shift x efficiency.",
                    required=False,
                    nullable=True,
                    min=0,
                ),
            ),
            key=(RESOURCE, MONTH),
            foreign_keys=(ForeignKey(RESOURCE, RESOURCES, RESOURCE),),
            rules=("Every line has a row for every month of the planning horizon.",),
        ),
        Table(
            WORKFORCE,
            "Labour pools where people, not machines, are the constraint.",
            (
                Column(RESOURCE, STR, "-", "Labour pool (a resource of kind `labour`)."),
                Column(WORKERS, FLOAT, "people", "Headcount at the start of the horizon.", min=0),
                Column(
                    HOURS_PER_WORKER,
                    FLOAT,
                    "hours/month",
                    "Productive regular hours per worker a month.",
                    positive=True,
                    max=744,
                ),
                Column(
                    MAX_OVERTIME_PER_WORKER,
                    FLOAT,
                    "hours/month",
                    "Most overtime hours per worker a month.",
                    min=0,
                    max=200,
                ),
                Column(
                    HIRING_COST, FLOAT, "money/person", "Cost to hire and train one worker.", min=0
                ),
                Column(LAYOFF_COST, FLOAT, "money/person", "Cost to let one worker go.", min=0),
                Column(
                    MAX_HIRES_PER_MONTH,
                    FLOAT,
                    "people/month",
                    "Hiring limit; empty for none.",
                    required=False,
                    nullable=True,
                    min=0,
                ),
            ),
            key=(RESOURCE,),
            required=False,
            foreign_keys=(ForeignKey(RESOURCE, RESOURCES, RESOURCE),),
        ),
        Table(
            BILL_OF_RESOURCES,
            "Hours each unit of a SKU (or a whole family) needs on each resource.",
            (
                Column(
                    SKU,
                    STR,
                    "-",
                    "SKU; empty when the row applies to a whole family (the "
                    "column may be left out when every row is for a family).",
                    required=False,
                    nullable=True,
                ),
                Column(
                    FAMILY,
                    STR,
                    "-",
                    "Family; empty when the row is for one SKU (the column "
                    "may be left out when every row is for a SKU).",
                    required=False,
                    nullable=True,
                ),
                Column(RESOURCE, STR, "-", "Resource used."),
                Column(
                    HOURS_PER_UNIT, FLOAT, "hours/unit", "Hours per unit produced.", positive=True
                ),
            ),
            key=(SKU, FAMILY, RESOURCE),
            foreign_keys=(
                ForeignKey(SKU, PRODUCTS, SKU),
                ForeignKey(FAMILY, PRODUCTS, FAMILY),
                ForeignKey(RESOURCE, RESOURCES, RESOURCE),
            ),
            rules=(
                "Exactly one of `sku` and `family` is given; a SKU row overrides its "
                "family's row for that resource.",
                "Every active SKU is routed to at least one resource (warning otherwise: "
                "it is planned as unconstrained).",
            ),
        ),
        Table(
            SUPPLY_OPTIONS,
            "Subcontracting offers and material/supplier caps.",
            (
                Column(OPTION, STR, "-", "Option identifier."),
                Column(
                    OPTION_TYPE,
                    STR,
                    "-",
                    "`subcontract` (buy finished units) or "
                    "`material_cap` (a supplier limits how many units can be made).",
                    allowed=(OPTION_SUBCONTRACT, OPTION_MATERIAL_CAP),
                ),
                Column(FAMILY, STR, "-", "Family the option covers."),
                Column(
                    COST_PER_UNIT,
                    FLOAT,
                    "money/unit",
                    "Price of a subcontracted unit (replaces material and labour); empty for caps.",
                    nullable=True,
                    positive=True,
                ),
                Column(MONTHLY_CAP_UNITS, FLOAT, "units/month", "Most units a month.", min=0),
                _month(
                    START_MONTH,
                    "First month the option applies; empty for always.",
                    required=False,
                    nullable=True,
                ),
                _month(
                    END_MONTH,
                    "Last month the option applies; empty for always.",
                    required=False,
                    nullable=True,
                ),
            ),
            key=(OPTION,),
            required=False,
            foreign_keys=(ForeignKey(FAMILY, PRODUCTS, FAMILY),),
            rules=("A `subcontract` option has a `cost_per_unit`.",),
        ),
        Table(
            INVENTORY,
            "Stock on hand at the start of the horizon and the inventory policy, by SKU.",
            (
                Column(SKU, STR, "-", "SKU."),
                Column(
                    ON_HAND_UNITS,
                    FLOAT,
                    "units",
                    "Units on hand at the end of the as-of month.",
                    min=0,
                ),
                Column(
                    SAFETY_STOCK_MONTHS,
                    FLOAT,
                    "months of cover",
                    "Safety stock as months of "
                    "forward demand (the column may be left out when safety stock is given in "
                    "units).",
                    required=False,
                    nullable=True,
                    min=0,
                    max=24,
                ),
                Column(
                    SAFETY_STOCK_UNITS,
                    FLOAT,
                    "units",
                    "Safety stock as a fixed quantity; used when months of cover is empty.",
                    required=False,
                    nullable=True,
                    min=0,
                ),
                Column(
                    HOLDING_COST_PCT,
                    FLOAT,
                    "% of unit cost per year",
                    "Annual cost of holding a unit, as a share of its standard cost.",
                    min=0,
                    max=100,
                ),
            ),
            key=(SKU,),
            foreign_keys=(ForeignKey(SKU, PRODUCTS, SKU),),
        ),
        Table(
            BUDGET,
            "The financial plan (annual operating plan) by family and month.",
            (
                Column(FAMILY, STR, "-", "Product family."),
                _month(MONTH, "Calendar month."),
                Column(UNITS, FLOAT, "units", "Budgeted units sold.", min=0),
                Column(REVENUE, FLOAT, "money", "Budgeted net revenue.", min=0),
                Column(MARGIN, FLOAT, "money", "Budgeted gross margin (revenue - cost of goods)."),
            ),
            key=(FAMILY, MONTH),
            foreign_keys=(ForeignKey(FAMILY, PRODUCTS, FAMILY),),
        ),
        Table(
            CONSENSUS,
            "Optional: a consensus demand plan made elsewhere; when present it is "
            "used instead of the statistical forecast.",
            (
                _month(MONTH, "Calendar month of the plan."),
                Column(SKU, STR, "-", "SKU."),
                Column(REGION, STR, "-", "Sales region."),
                Column(UNITS, FLOAT, "units", "Planned demand.", min=0),
            ),
            key=(MONTH, SKU, REGION),
            required=False,
            foreign_keys=(ForeignKey(SKU, PRODUCTS, SKU),),
        ),
    )
}

# Load order: referenced tables first.
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)


def schema_markdown() -> str:
    """The data model as Markdown, one section per table (docs/data-model.md body)."""
    out: list[str] = []
    for t in TABLES.values():
        need = "required" if t.required else "optional"
        out.append(
            f"## `{t.name}` ({need})\n\n{t.meaning}\n\nKey: {', '.join(f'`{k}`' for k in t.key)}\n"
        )
        out.append("| column | type | unit | meaning | rules |\n|---|---|---|---|---|")
        for c in t.columns:
            rules = []
            rules.append("must be present" if c.required else "optional column")
            rules.append("may be empty" if c.nullable else "never empty")
            if c.positive:
                rules.append("> 0")
            if c.min is not None:
                rules.append(f">= {c.min:g}")
            if c.max is not None:
                rules.append(f"<= {c.max:g}")
            if c.allowed:
                rules.append("one of " + ", ".join(f"`{a}`" for a in c.allowed))
            for fk in t.foreign_keys:
                if fk.column == c.name:
                    rules.append(f"in `{fk.ref_table}.{fk.ref_column}`")
            out.append(f"| `{c.name}` | {c.dtype} | {c.unit} | {c.meaning} | {'; '.join(rules)} |")
        if t.rules:
            out.append("\nTable rules:\n" + "\n".join(f"- {r}" for r in t.rules))
        out.append("")
    return "\n".join(out)
