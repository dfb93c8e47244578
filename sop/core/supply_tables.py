"""The supply side of the data model, every table optional (`sop.data.defaults` fills
the gaps): capacity per family in units, resources (lines, labour pools) with their
calendar in hours and workforce, the bill of resources, supply options and inventory
(`sop.core.tables` puts every table in load order)."""

from __future__ import annotations

from sop.core.schema import (
    AVAILABLE_HOURS,
    BILL_OF_RESOURCES,
    CAPACITY,
    COST_PER_UNIT,
    EFFICIENCY,
    END_MONTH,
    FAMILY,
    FAMILY_CAPACITY,
    FLOAT,
    HIRING_COST,
    HOLDING_COST_PCT,
    HOURS_PER_SHIFT,
    HOURS_PER_UNIT,
    HOURS_PER_WORKER,
    INVENTORY,
    KIND,
    KIND_LABOUR,
    KIND_LINE,
    LAYOFF_COST,
    MAX_HIRES_PER_MONTH,
    MAX_OVERTIME_HOURS,
    MAX_OVERTIME_PER_WORKER,
    MONTH,
    MONTHLY_CAP_UNITS,
    NAME,
    ON_HAND_UNITS,
    OPTION,
    OPTION_MATERIAL_CAP,
    OPTION_SUBCONTRACT,
    OPTION_TYPE,
    OVERTIME_COST_PER_HOUR,
    PLANT,
    PRODUCTS,
    REGULAR_COST_PER_HOUR,
    RESOURCE,
    RESOURCES,
    SAFETY_STOCK_MONTHS,
    SAFETY_STOCK_UNITS,
    SHIFTS,
    SKU,
    START_MONTH,
    STR,
    SUPPLY_OPTIONS,
    UNITS_PER_MONTH,
    WORKERS,
    WORKFORCE,
    WORKING_DAYS,
    Column,
    ForeignKey,
    Table,
    month_column,
)

SUPPLY_TABLES: tuple[Table, ...] = (
    Table(
        FAMILY_CAPACITY,
        "The simplest capacity: the most units a family can be made in a month. Each "
        "family named here becomes one resource counted in units (the plan never makes "
        "more of the family than this); no hours, shifts or bill of resources needed. "
        "It may stand beside `resources` and `capacity` in hours, or replace them.",
        (
            Column(FAMILY, STR, "-", "Product family (as in `products` or `sales.family`)."),
            Column(UNITS_PER_MONTH, FLOAT, "units/month", "Most units made a month.", min=0),
            month_column(
                MONTH,
                "Month the figure is for; empty: every month of the plan (a row with a "
                "month replaces it for that month).",
                required=False,
                nullable=True,
            ),
        ),
        key=(FAMILY, MONTH),
        required=False,
        foreign_keys=(ForeignKey(FAMILY, PRODUCTS, FAMILY),),
        rules=(
            "A family without an empty-month row has a row for each of the 12 months "
            "after the as-of month (an error otherwise) and for every month of the "
            "default 18-month plan horizon (a warning otherwise).",
        ),
    ),
    Table(
        RESOURCES,
        "Plants' production lines and labour pools that constrain supply. Optional: "
        "codes used in `capacity` are lines, codes used in `workforce` labour pools, "
        "with the defaults below.",
        (
            Column(RESOURCE, STR, "-", "Resource code (a line, work centre or labour pool)."),
            Column(
                PLANT,
                STR,
                "-",
                "Plant the resource belongs to; empty: `Main plant`.",
                required=False,
                nullable=True,
            ),
            Column(
                NAME, STR, "-", "Resource name; empty: the code.", required=False, nullable=True
            ),
            Column(
                KIND,
                STR,
                "-",
                "`line` (hours from the capacity calendar) or `labour` "
                "(hours from the workforce table); empty: `labour` when the code is in "
                "`workforce`, else `line`.",
                required=False,
                nullable=True,
                allowed=(KIND_LINE, KIND_LABOUR),
            ),
            Column(
                REGULAR_COST_PER_HOUR,
                FLOAT,
                "money/hour",
                "Cost of a regular hour; empty: 0 (no labour cost).",
                required=False,
                nullable=True,
                min=0,
            ),
            Column(
                OVERTIME_COST_PER_HOUR,
                FLOAT,
                "money/hour",
                "Cost of an overtime hour; empty: the regular cost.",
                required=False,
                nullable=True,
                min=0,
            ),
            Column(
                MAX_OVERTIME_HOURS,
                FLOAT,
                "hours/month",
                "Most overtime hours a month on a line (labour pools use "
                "`workforce.max_overtime_per_worker`); empty: 0 (no overtime).",
                required=False,
                nullable=True,
                min=0,
            ),
        ),
        key=(RESOURCE,),
        required=False,
        rules=("`overtime_cost_per_hour` is not below `regular_cost_per_hour` (warning).",),
    ),
    Table(
        CAPACITY,
        "Capacity calendar of each line: available regular hours by month.",
        (
            Column(RESOURCE, STR, "-", "Line (a resource of kind `line`)."),
            month_column(MONTH, "Calendar month."),
            Column(
                WORKING_DAYS,
                FLOAT,
                "days",
                "Working days in the month (empty when `available_hours` is given).",
                required=False,
                nullable=True,
                min=0,
                max=31,
            ),
            Column(
                SHIFTS,
                FLOAT,
                "shifts/day",
                "Shifts run per working day (empty when `available_hours` is given).",
                required=False,
                nullable=True,
                min=0,
                max=4,
            ),
            Column(
                HOURS_PER_SHIFT,
                FLOAT,
                "hours/shift",
                "Paid hours per shift (empty when `available_hours` is given).",
                required=False,
                nullable=True,
                min=0,
                max=24,
            ),
            Column(
                EFFICIENCY,
                FLOAT,
                "fraction",
                "Share of paid hours that produce (availability x performance; empty "
                "when `available_hours` is given).",
                required=False,
                nullable=True,
                min=0,
                max=1,
            ),
            Column(
                AVAILABLE_HOURS,
                FLOAT,
                "hours/month",
                "Available regular hours; empty: working_days x shifts x "
                "hours_per_shift x efficiency.",
                required=False,
                nullable=True,
                min=0,
            ),
        ),
        key=(RESOURCE, MONTH),
        required=False,
        foreign_keys=(ForeignKey(RESOURCE, RESOURCES, RESOURCE),),
        rules=(
            "Each row gives `available_hours`, or all of `working_days`, `shifts`, "
            "`hours_per_shift` and `efficiency` (an error otherwise).",
            "Every line has a row for each of the 12 months after the as-of month (an "
            "error otherwise) and for every month of the default 18-month plan horizon (a "
            "warning otherwise: the plan repeats the nearest month's hours).",
            "Hours need a `bill_of_resources` (an error otherwise).",
        ),
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
            Column(HIRING_COST, FLOAT, "money/person", "Cost to hire and train one worker.", min=0),
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
        "Hours each unit of a SKU (or a whole family) needs on each resource. Needed "
        "when capacity is given in hours (`capacity`, `workforce`).",
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
            Column(HOURS_PER_UNIT, FLOAT, "hours/unit", "Hours per unit produced.", positive=True),
        ),
        key=(SKU, FAMILY, RESOURCE),
        required=False,
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
            Column(
                MONTHLY_CAP_UNITS,
                FLOAT,
                "units/month",
                "Most units a month; empty = no limit (a subcontractor who takes any volume).",
                nullable=True,
                min=0,
            ),
            month_column(
                START_MONTH,
                "First month the option applies; empty for always.",
                required=False,
                nullable=True,
            ),
            month_column(
                END_MONTH,
                "Last month the option applies; empty for always.",
                required=False,
                nullable=True,
            ),
        ),
        key=(OPTION,),
        required=False,
        foreign_keys=(ForeignKey(FAMILY, PRODUCTS, FAMILY),),
        rules=(
            "A `subcontract` option has a `cost_per_unit`.",
            "A `material_cap` option has a `monthly_cap_units` (warning otherwise: it "
            "limits nothing).",
            "No `option` is named `(all suppliers)`: that is the supplier lever's name "
            "for every supplier cap at once.",
        ),
    ),
    Table(
        INVENTORY,
        "Stock on hand at the start of the horizon and the inventory policy, by SKU. "
        "Optional: a SKU without a row starts the plan with 0 on hand and no safety stock.",
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
                "Annual cost of holding a unit, as a share of its standard cost; empty: "
                "the median of the rates given, else 20.",
                required=False,
                nullable=True,
                min=0,
                max=100,
            ),
        ),
        key=(SKU,),
        required=False,
        foreign_keys=(ForeignKey(SKU, PRODUCTS, SKU),),
    ),
)
