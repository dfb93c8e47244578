"""The company, the product master and the demand side of the data model: sales,
promotions, the budget and a consensus plan made elsewhere (`sop.core.tables`
puts every table in load order)."""

from __future__ import annotations

from sop.core.schema import (
    AS_OF_MONTH,
    BUDGET,
    COMPANY,
    COMPANY_NAME,
    CONSENSUS,
    CURRENCY,
    DESCRIPTION,
    DISCOUNT_PCT,
    END_MONTH,
    FAMILY,
    FLOAT,
    LAUNCH_MONTH,
    LIST_PRICE,
    MARGIN,
    MATERIAL_COST,
    MONTH,
    NAME,
    PHASE_OUT_MONTH,
    PRODUCTS,
    PROMO_ID,
    PROMOTIONS,
    REGION,
    REVENUE,
    SALES,
    SKU,
    START_MONTH,
    STR,
    UNITS,
    UOM,
    UPLIFT_PCT,
    Column,
    ForeignKey,
    Table,
    month_column,
)

DEMAND_TABLES: tuple[Table, ...] = (
    Table(
        COMPANY,
        "Who the dataset belongs to and the last month of actuals. One row.",
        (
            Column(COMPANY_NAME, STR, "-", "Company name shown in the app."),
            Column(CURRENCY, STR, "ISO 4217", "Currency of every money column, e.g. EUR."),
            month_column(
                AS_OF_MONTH, "Last month of actual sales; the plan starts the month after."
            ),
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
        "The product master: every SKU that is sold or planned. Optional: a SKU that "
        "is not in it (or every SKU, when the table is absent) is named by its code, "
        "takes its family from `sales.family` (else the one family `All products`) and "
        "its price from `sales.revenue` / `sales.units` over the last 12 months.",
        (
            Column(SKU, STR, "-", "Stock-keeping unit code."),
            Column(
                NAME, STR, "-", "Product name; empty: the SKU code.", required=False, nullable=True
            ),
            Column(
                FAMILY,
                STR,
                "-",
                "Product family: the level S&OP plans at; empty: `sales.family`, else "
                "`All products`.",
                required=False,
                nullable=True,
            ),
            Column(
                UOM,
                STR,
                "-",
                "Unit of measure of every quantity of this SKU, e.g. `each`; empty: `each`.",
                required=False,
                nullable=True,
            ),
            Column(
                LIST_PRICE,
                FLOAT,
                "money/unit",
                "Current list price per unit; empty: sales revenue / units of the last 12 "
                "months, else no price (revenue and margin are not shown).",
                required=False,
                nullable=True,
                positive=True,
            ),
            Column(
                MATERIAL_COST,
                FLOAT,
                "money/unit",
                "Standard material cost per unit; empty: 0 (margins before material).",
                required=False,
                nullable=True,
                min=0,
            ),
            month_column(
                LAUNCH_MONTH,
                "First month the SKU is sold; empty if long established.",
                required=False,
                nullable=True,
            ),
            month_column(
                PHASE_OUT_MONTH,
                "Last month the SKU is sold; empty if not being phased out.",
                required=False,
                nullable=True,
            ),
        ),
        key=(SKU,),
        required=False,
        rules=(
            "`material_cost` is below `list_price` (warning otherwise: negative margin).",
            "`phase_out_month` is not before `launch_month`.",
        ),
    ),
    Table(
        SALES,
        "Actual monthly demand (orders) by SKU and region.",
        (
            month_column(MONTH, "Calendar month (first day of the month)."),
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
            Column(
                FAMILY,
                STR,
                "-",
                "Family of the SKU, for SKUs not in `products` (the column may be left "
                "out; a SKU has one family).",
                required=False,
                nullable=True,
            ),
        ),
        key=(MONTH, SKU, REGION),
        foreign_keys=(ForeignKey(SKU, PRODUCTS, SKU),),
        rules=(
            "The one table every dataset needs: sales alone is enough to forecast.",
            "Months are calendar months with no duplicates per SKU and region.",
            "A series (SKU x region) has a row for every month between its first and "
            "last month; a missing month is a gap (warning): it is read as missing, "
            "not as zero demand.",
            "A SKU not in `products` is a warning: it is planned with the derived "
            "name, family and price.",
            "`family` names one family per SKU (an error otherwise).",
        ),
    ),
    Table(
        PROMOTIONS,
        "Past and planned promotions and events, with the expected uplift.",
        (
            Column(PROMO_ID, STR, "-", "Promotion identifier."),
            Column(SKU, STR, "-", "SKU promoted; empty when the whole family is.", nullable=True),
            Column(FAMILY, STR, "-", "Family promoted; empty when a single SKU is.", nullable=True),
            Column(REGION, STR, "-", "Region; empty for all regions.", nullable=True),
            month_column(START_MONTH, "First month of the promotion."),
            month_column(END_MONTH, "Last month of the promotion (inclusive)."),
            Column(UPLIFT_PCT, FLOAT, "%", "Expected demand uplift while it runs.", min=0, max=500),
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
            Column(DESCRIPTION, STR, "-", "What the promotion is.", required=False, nullable=True),
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
        BUDGET,
        "The financial plan (annual operating plan) by family and month.",
        (
            Column(FAMILY, STR, "-", "Product family."),
            month_column(MONTH, "Calendar month."),
            Column(UNITS, FLOAT, "units", "Budgeted units sold.", min=0),
            Column(REVENUE, FLOAT, "money", "Budgeted net revenue.", min=0),
            Column(MARGIN, FLOAT, "money", "Budgeted gross margin (revenue - cost of goods)."),
        ),
        key=(FAMILY, MONTH),
        required=False,
        foreign_keys=(ForeignKey(FAMILY, PRODUCTS, FAMILY),),
        rules=(
            "Optional: without it Finance, Executive, the grid and the meeting pack "
            "show no budget comparison.",
        ),
    ),
    Table(
        CONSENSUS,
        "Optional: a consensus demand plan made elsewhere; when present it is "
        "used instead of the statistical forecast.",
        (
            month_column(MONTH, "Calendar month of the plan."),
            Column(SKU, STR, "-", "SKU."),
            Column(REGION, STR, "-", "Sales region."),
            Column(UNITS, FLOAT, "units", "Planned demand.", min=0),
        ),
        key=(MONTH, SKU, REGION),
        required=False,
        foreign_keys=(ForeignKey(SKU, PRODUCTS, SKU),),
    ),
)
