"""The data model's vocabulary, written once: the name of every column and table,
the allowed values, the value types (each with its DuckDB type) and the classes a
table is declared with (`Column`, `ForeignKey`, `Table`).

The tables are declared in `sop.core.demand_tables` and `sop.core.supply_tables`
and listed in load order in `sop.core.tables` (`TABLES`, `TABLE_ORDER`,
`schema_markdown`). Validation (`sop.data.validate`), the store (`sop.store`), the
demo generator and `docs/data-model.md` (`python -m sop schema-doc`) are all driven
from there. Column names are module constants so a typo is an error at once, not a
silent empty column.
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

UNITS_PER_MONTH = "units_per_month"

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
BAND_GROUP = "band_group"  # the series whose P10/P90 band a forecast row shares
# a stored forecast row: one SKU x region x month with its band
FORECAST_VALUE_COLUMNS = [SKU, REGION, MONTH, P10, P50, P90, BAND_GROUP]

# the consensus override log (sop.store.overrides): who changed the forecast, how
OVERRIDE_ID = "override_id"
CREATED_AT = "created_at"
AUTHOR = "author"
REASON = "reason"
LEVEL = "level"
VALUE = "value"
STATUS = "status"
STATUS_ACTIVE, STATUS_WITHDRAWN = "active", "withdrawn"
WITHDRAWN_AT, WITHDRAWN_BY, WITHDRAW_NOTE = "withdrawn_at", "withdrawn_by", "withdraw_note"
OVERRIDE_COLUMNS = [
    OVERRIDE_ID,
    CREATED_AT,
    AUTHOR,
    REASON,
    LEVEL,
    FAMILY,
    SKU,
    REGION,
    START_MONTH,
    END_MONTH,
    KIND,
    VALUE,
]
OVERRIDE_HISTORY_COLUMNS = OVERRIDE_COLUMNS + [STATUS, WITHDRAWN_AT, WITHDRAWN_BY, WITHDRAW_NOTE]

# --- allowed values ---------------------------------------------------------
KIND_LINE = "line"
KIND_LABOUR = "labour"
OPTION_SUBCONTRACT = "subcontract"
OPTION_MATERIAL_CAP = "material_cap"
# the supplier lever's name for every supplier cap at once (`Levers.supplier_changes`):
# no supply option may be called so (`sop.data.rules` refuses it)
ALL_SUPPLIERS = "(all suppliers)"

# --- table names ------------------------------------------------------------
COMPANY = "company"
PRODUCTS = "products"
SALES = "sales"
PROMOTIONS = "promotions"
RESOURCES = "resources"
CAPACITY = "capacity"
FAMILY_CAPACITY = "family_capacity"
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


def month_column(name: str, meaning: str, **kw) -> Column:
    """A column of calendar months (the first day of each month)."""
    return Column(name, DATE, "month", meaning, **kw)
