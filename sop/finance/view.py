"""What the Finance page shows for one scenario, as pure functions over its plan.

`build(evaluation, tables)` bundles every frame the page and the exports use
(`FinanceView`); each frame comes from a small function here, in
`sop.finance_landing` (actuals, year-end landing) or `sop.finance_bridge`
(price-volume-mix against budget).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.core.months import as_of_month
from sop.core.xlsx import TOTAL
from sop.finance import budget_odds, family_range, pvm, statement, stock
from sop.finance import landing as year_end
from sop.finance.risk import p10_p90
from sop.supply.plan import PlanResult
from sop.supply.policy import RECOGNISE_ORDER, RECOGNISE_SHIP

QUANTILES = (schema.P10, schema.P50, schema.P90)
BAND_COLUMNS = [
    schema.MONTH,
    schema.FAMILY,
    schema.REVENUE,
    schema.MARGIN,
    *(f"revenue_{q}" for q in QUANTILES),
    *(f"margin_{q}" for q in QUANTILES),
    "budget_revenue",
    "budget_margin",
]
BY_MONTH_COLUMNS = [
    schema.MONTH,
    schema.REVENUE,
    "budget_revenue",
    "revenue_gap",
    "order_value",
    "demand_gap",
    "supply_gap",
    schema.MARGIN,
    "budget_margin",
    "margin_gap",
    "cum_revenue",
    "cum_budget_revenue",
    "cum_revenue_gap",
    "cum_margin",
    "cum_budget_margin",
    "cum_margin_gap",
]
INVENTORY_COLUMNS = stock.STOCK_COLUMNS
SPLIT_COLUMNS = [
    schema.FAMILY,
    "budget_revenue",
    "order_value",
    schema.REVENUE,
    "revenue_gap",
    "demand_gap",
    "supply_gap",
]
SPLIT = ("order_value", "demand_gap", "supply_gap")  # unknown (NaN) for a plan without them
SUPPLY_MATERIAL = 0.25  # supply's share of a revenue gap below budget worth a sentence
# what the gap's first part is called wherever it is shown (orders at plan prices -
# budget revenue: volume and price both; review: "demand" alone read as volume)
DEMAND_WORDS = "demand and price"


def monthly_bands(
    pnl: pd.DataFrame, risk_monthly: pd.DataFrame | None, budget: pd.DataFrame | None
) -> pd.DataFrame:
    """Projected revenue and margin by month and family with their P10/P50/P90.

    Columns `BAND_COLUMNS`. Revenue quantiles are the risk's; margin quantiles are
    the plan's margin + the risk's margin change (`sop.risk`). Without a risk run
    every quantile is the plan's figure. budget_revenue/budget_margin are NaN for
    months the budget does not cover.
    """
    out = pnl[[schema.MONTH, schema.FAMILY, schema.REVENUE, schema.MARGIN]].copy()
    if risk_monthly is not None and len(risk_monthly):
        r = out.merge(risk_monthly, on=[schema.MONTH, schema.FAMILY], how="left")
        for q in QUANTILES:
            out[f"revenue_{q}"] = r[f"revenue_{q}"].fillna(r[schema.REVENUE]).to_numpy()
            out[f"margin_{q}"] = (r[schema.MARGIN] + r[f"margin_delta_{q}"].fillna(0.0)).to_numpy()
    else:
        for q in QUANTILES:
            out[f"revenue_{q}"], out[f"margin_{q}"] = out[schema.REVENUE], out[schema.MARGIN]
    bud = (
        budget
        if budget is not None
        else pd.DataFrame(columns=[schema.FAMILY, schema.MONTH, schema.REVENUE, schema.MARGIN])
    )[[schema.FAMILY, schema.MONTH, schema.REVENUE, schema.MARGIN]]
    out = out.merge(
        bud.rename(columns={schema.REVENUE: "budget_revenue", schema.MARGIN: "budget_margin"}),
        on=[schema.MONTH, schema.FAMILY],
        how="left",
    )
    return out[BAND_COLUMNS].sort_values([schema.FAMILY, schema.MONTH], ignore_index=True)


def budget_by_month(vs_budget: pd.DataFrame) -> pd.DataFrame:
    """All families by month from `finance.versus_budget`, with running totals.

    Columns `BY_MONTH_COLUMNS`: month, revenue, budget_revenue, revenue_gap, the gap
    split (order_value, demand_gap, supply_gap: `statement.versus_budget`), margin,
    budget_margin, margin_gap (projection - budget), and revenue, margin, their budget
    and gaps cumulated from the first compared month (`cum_` prefix).
    """
    cols = [
        schema.REVENUE,
        "budget_revenue",
        "revenue_gap",
        schema.MARGIN,
        "budget_margin",
        "margin_gap",
    ]
    months = vs_budget.groupby(schema.MONTH)
    out = months[cols].sum().join(months[list(SPLIT)].sum(min_count=1))
    out = out.reset_index().sort_values(schema.MONTH)
    for c in (
        schema.REVENUE,
        "budget_revenue",
        "revenue_gap",
        schema.MARGIN,
        "budget_margin",
        "margin_gap",
    ):
        out[f"cum_{c}"] = out[c].cumsum()
    return out[BY_MONTH_COLUMNS].reset_index(drop=True)


def budget_split(vs_budget: pd.DataFrame) -> pd.DataFrame:
    """The revenue gap to budget by family over the months compared, split into demand
    and price (`DEMAND_WORDS`) and supply (`statement.versus_budget`), then a `TOTAL`
    row; [] without months.

    Columns `SPLIT_COLUMNS`: family, budget_revenue, order_value (units ordered x the
    plan's prices), revenue, revenue_gap = demand_gap (order_value - budget_revenue) +
    supply_gap (revenue - order_value: orders lost or booked outside these months;
    positive where backlog ordered before them ships in them).
    """
    if vs_budget.empty:
        return pd.DataFrame(columns=SPLIT_COLUMNS)
    cols = [c for c in SPLIT_COLUMNS[1:] if c not in SPLIT]
    fams = vs_budget.groupby(schema.FAMILY)
    out = fams[cols].sum().join(fams[list(SPLIT)].sum(min_count=1)).reset_index()
    total = {c: out[c].sum(min_count=1) if c in SPLIT else out[c].sum() for c in SPLIT_COLUMNS[1:]}
    out = pd.concat([out, pd.DataFrame([{schema.FAMILY: TOTAL, **total}])], ignore_index=True)
    return out[SPLIT_COLUMNS]


def compared_end(vs_budget: pd.DataFrame) -> pd.Timestamp | None:
    """The last month the plan is compared with the budget in (`statement.versus_budget`
    rows); None without one."""
    if vs_budget.empty:
        return None
    last = vs_budget[schema.MONTH].max()
    return None if pd.isna(last) else pd.Timestamp(last)


def supply_cause(recognition: str = RECOGNISE_SHIP, last: pd.Timestamp | None = None) -> str:
    """What the supply part of a gap below budget is, in words, by the plan setting
    `revenue_recognition` the books were made with: booked when shipped, orders lost or
    shipped after the months compared, the last of them named when known (`last`,
    `compared_end`: "orders lost or shipped after Dec 2027"; review: "these months"
    named none); booked when ordered, a late order books in its month all the same, so
    only orders lost or still owed at the plan's end (backlog never booked:
    `sop.supply.standard`)."""
    if recognition == RECOGNISE_ORDER:
        return "orders lost or still unshipped at the plan's end"
    after = "these months" if last is None or pd.isna(last) else fmt.month(last)
    return f"orders lost or shipped after {after}"


def split_caption(recognition: str = RECOGNISE_SHIP) -> str:
    """What the split table's demand-and-price and supply columns are, worded by the
    plan setting `revenue_recognition`: booked when shipped, supply is also positive
    where backlog ordered before the months compared ships in them; booked when ordered,
    a late order costs nothing there (`supply_cause`)."""
    text = (
        f"Gap to budget = revenue - budget revenue = *{DEMAND_WORDS}* (orders at plan "
        "prices - budget revenue: units ordered in these months x the plan's prices, so "
        "volume and price both count) + *supply* "
        f"(revenue - orders at plan prices). Supply is negative for {supply_cause(recognition)}"
    )
    if recognition == RECOGNISE_ORDER:
        return (
            text + " (revenue is booked in the month ordered, so a late order costs nothing here)."
        )
    return text + "; positive where the plan ships, in these months, backlog ordered before them."


def supply_material(gap: float, supply: float) -> bool:
    """Whether supply is a real part of a revenue gap to budget: the gap is below
    budget and supply (negative) takes at least `SUPPLY_MATERIAL` of it. False for an
    unknown (NaN) figure."""
    if not np.isfinite([gap, supply]).all() or gap >= 0 or supply >= 0:
        return False
    return -supply >= SUPPLY_MATERIAL * -gap


def split_clause(
    gap: float,
    demand: float,
    supply: float,
    currency: str,
    recognition: str = RECOGNISE_SHIP,
    last: pd.Timestamp | None = None,
) -> str | None:
    """The demand-and-price and supply parts of a revenue gap below budget, to follow a
    phrase that states the gap ("revenue below budget by €1.5M (24.4 %)"): ", €1.4M of
    it supply (orders lost or shipped after Dec 2027) and €83k demand and price
    (orders at plan prices below budget)", or, where those orders are above budget,
    " although orders at plan prices are €30k above it: supply takes €1.5M off (...)".
    None unless supply is material (`supply_material`) and the demand part known. The
    cause is worded by `recognition`, naming the last month compared `last`
    (`supply_cause`). Review: "€1.08M demand (orders below budget)" hid a Cooling price
    cut of -15 % (€172k without it)."""
    if not np.isfinite(demand) or not supply_material(gap, supply):
        return None
    cause = supply_cause(recognition, last)
    if demand > 0:
        return (
            f" although orders at plan prices are {fmt.money(demand, currency)} above it: "
            f"supply takes {fmt.money(-supply, currency)} off ({cause})"
        )
    text = f", {fmt.money(-supply, currency)} of it supply ({cause})"
    if demand <= -0.5:
        text += (
            f" and {fmt.money(-demand, currency)} {DEMAND_WORDS} (orders at plan prices "
            "below budget)"
        )
    return text


def split_note(
    split: pd.DataFrame,
    currency: str,
    recognition: str = RECOGNISE_SHIP,
    last: pd.Timestamp | None = None,
) -> str | None:
    """One sentence when the projection is below budget and supply takes at least
    `SUPPLY_MATERIAL` of the gap (`supply_material`); None otherwise. `split`:
    `budget_split`; `recognition`: the plan setting `revenue_recognition` of its books,
    which words what supply is (`supply_cause`), naming the last month compared `last`
    (`compared_end` of the frame `split` was made of). Family names as typed (escape
    them where shown)."""
    if split.empty:
        return None
    t = split.iloc[-1]  # the Total row comes last (a family may be named "Total")
    gap, demand, supply = float(t["revenue_gap"]), float(t["demand_gap"]), float(t["supply_gap"])
    if not np.isfinite(demand) or not supply_material(gap, supply):
        return None
    fams = split.iloc[:-1]
    where = ""
    if len(fams) > 1:
        top = fams.loc[fams["supply_gap"].idxmin()]
        where = (
            f" (all of it in {top[schema.FAMILY]})"
            if top["supply_gap"] <= 0.995 * supply
            else f" ({fmt.money(-top['supply_gap'], currency)} of it in {top[schema.FAMILY]})"
        )
    lost = supply_cause(recognition, last)
    if demand <= 0:
        return (
            f"Of the {fmt.money(-gap, currency)} below budget, "
            f"{fmt.money(-supply, currency)} is supply{where}: {lost}; "
            f"{fmt.money(-demand, currency)} is {DEMAND_WORDS} (orders at plan prices "
            "below budget)."
        )
    return (
        f"Revenue is {fmt.money(-gap, currency)} below budget although orders at plan "
        f"prices are {fmt.money(demand, currency)} above it: supply takes "
        f"{fmt.money(-supply, currency)} off{where}, {lost}."
    )


def inventory_by_month(plan: PlanResult, products: pd.DataFrame | None = None) -> pd.DataFrame:
    """Month-end inventory and its carrying cost by month and family, split against the
    safety-stock target (`sop.finance.stock.stock_by_month`).

    Columns `INVENTORY_COLUMNS`: inventory_units (month end), safety_stock_units,
    built_ahead_units (stock above the target), below_safety_stock_units,
    inventory_value (units x their standard cost, as the KPI `ending_inventory_value`
    and the P&L carry them), built_ahead_value, carrying_cost (the plan's holding cost
    that month) and built_ahead_holding (its part on the built-ahead units).
    """
    return stock.stock_by_month(plan)


@dataclass
class FinanceView:
    """Everything the Finance page and its exports show for one scenario.

    pnl: `finance.family_pnl`; bands: `monthly_bands`; vs_budget:
    `finance.versus_budget`; by_month: `budget_by_month`; split: the revenue gap to
    budget by family, demand and supply (`budget_split`); landing:
    `finance_landing.year_end_landing`; bridge: `finance_bridge.pvm_bridge`;
    inventory: `inventory_by_month`; actuals: `finance_landing.actuals_by_family`;
    reconciliation: `statement.reconciliation` (cash margin + stock change = P&L margin);
    convention: when revenue and costs book (`statement.convention`);
    ranges: revenue P10-P90 by family over the horizon (`family_range.family_ranges`,
    empty without a risk run); odds: the chance of meeting the budget per family and in
    total over `n_paths` demand outcomes (`budget_odds.budget_odds`, empty without a risk
    run or a month to compare);
    totals: revenue, margin, units, margin_pct over the horizon, revenue_p10/p90 and
    margin_p10/p90 (risk), budget_months, budget_revenue/margin,
    revenue/margin_over_budget_months, revenue_gap, margin_gap (projection - budget),
    demand_gap and supply_gap (the revenue gap split: `budget_split`; NaN when the plan
    has no order values);
    notes: what the reader must know (estimated actuals, budget coverage);
    recognition: the plan setting `revenue_recognition` the books were made with (it
    words what supply is: `split_note`);
    kpis: the plan's KPIs and kpi_ranges their P10-P90 (`sop.finance.risk.p10_p90`),
    for the exports' service shortfall line (`sop.finance.service_line.plan_line`).
    """

    pnl: pd.DataFrame
    bands: pd.DataFrame
    vs_budget: pd.DataFrame
    by_month: pd.DataFrame
    landing: pd.DataFrame
    bridge: pd.DataFrame
    inventory: pd.DataFrame
    actuals: pd.DataFrame
    reconciliation: pd.DataFrame
    convention: str
    as_of: pd.Timestamp | None
    ranges: pd.DataFrame = field(default_factory=lambda: family_range.family_ranges(None))
    totals: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    split: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SPLIT_COLUMNS))
    recognition: str = RECOGNISE_SHIP
    odds: pd.DataFrame = field(default_factory=budget_odds.empty)
    n_paths: int = 0
    kpis: dict[str, float] = field(default_factory=dict)
    kpi_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    def split_text(self, currency: str) -> str | None:
        """The Budget tab's sentence on the gap's supply part (`split_note`), naming the
        budget's last month compared."""
        return split_note(self.split, currency, self.recognition, compared_end(self.vs_budget))

    @property
    def span(self) -> str:
        """The plan's months, e.g. 'Nov 2026 to Apr 2028'."""
        if self.pnl.empty:
            return "no months"
        months = self.pnl[schema.MONTH]
        return f"{fmt.month(months.min())} to {fmt.month(months.max())}"


def _totals(
    pnl: pd.DataFrame, risk_summary: pd.DataFrame | None, by_month: pd.DataFrame
) -> dict[str, float]:
    out = {
        "revenue": float(pnl[schema.REVENUE].sum()),
        "margin": float(pnl[schema.MARGIN].sum()),
        "units": float(pnl[schema.UNITS].sum()),
    }
    out["margin_pct"] = out["margin"] / out["revenue"] if out["revenue"] else np.nan
    if risk_summary is not None and len(risk_summary):
        r = risk_summary.set_index("metric")
        for metric, key in (("revenue", "revenue"), ("gross_margin", "margin")):
            for q in (schema.P10, schema.P90):
                out[f"{key}_{q}"] = float(r.at[metric, q]) if metric in r.index else np.nan
    for c in (schema.REVENUE, schema.MARGIN):
        out[f"budget_{c}"] = float(by_month[f"budget_{c}"].sum())
        out[f"{c}_over_budget_months"] = float(by_month[c].sum())
        out[f"{c}_gap"] = out[f"{c}_over_budget_months"] - out[f"budget_{c}"]
    for c in ("demand_gap", "supply_gap"):  # unknown (NaN) for a plan without orders valued
        out[c] = float(by_month[c].sum(min_count=1))
    out["budget_months"] = float(len(by_month))
    return out


def build(evaluation, tables: dict[str, pd.DataFrame]) -> FinanceView:
    """The `FinanceView` of an optimal `sop.scenario.Evaluation` on a dataset's tables."""
    pnl = evaluation.pnl
    budget = tables.get(schema.BUDGET)
    budget = (
        budget
        if budget is not None
        else pd.DataFrame(
            columns=[schema.FAMILY, schema.MONTH, schema.UNITS, schema.REVENUE, schema.MARGIN]
        )
    )
    risk = evaluation.risk
    as_of = as_of_month(tables)
    costs = year_end.unit_costs(pnl, tables[schema.PRODUCTS])
    actuals = year_end.actuals_by_family(tables[schema.SALES], tables[schema.PRODUCTS], costs)
    vs = statement.versus_budget(pnl, budget)
    # the bridge, like every budget comparison, covers the families the budget has
    budgeted = pnl.merge(
        budget[[schema.MONTH, schema.FAMILY]].drop_duplicates(), on=[schema.MONTH, schema.FAMILY]
    )
    by_month = budget_by_month(vs)
    landing = (
        year_end.year_end_landing(actuals, pnl, budget, as_of)
        if as_of is not None
        else pd.DataFrame(columns=year_end.LANDING_COLUMNS)
    )
    notes = []
    if budget.empty:
        notes.append("The dataset has no budget: load a `budget` table to compare.")
    elif scope := statement.budget_scope_note(pnl[schema.FAMILY].unique(), budget):
        notes.append(scope)
    if unpriced := statement.unpriced_note(pnl, budget):
        notes.append(unpriced)
    estimated = int(actuals["estimated_rows"].sum())
    if estimated:
        notes.append(
            f"{estimated:,} sales rows have no revenue: they are valued at the "
            "SKU's realised price (else its list price)."
        )
    return FinanceView(
        pnl=pnl,
        bands=monthly_bands(pnl, risk.monthly if risk else None, budget),
        vs_budget=vs,
        by_month=by_month,
        landing=landing,
        bridge=pvm.pvm_bridge(budgeted, budget),
        inventory=inventory_by_month(evaluation.plan, tables[schema.PRODUCTS]),
        actuals=actuals,
        reconciliation=statement.reconciliation(evaluation.plan, pnl),
        convention=statement.convention(evaluation.plan.policy),
        as_of=as_of,
        ranges=family_range.family_ranges(risk.family if risk else None),
        totals=_totals(pnl, risk.summary if risk else None, by_month),
        notes=notes,
        split=budget_split(vs),
        recognition=evaluation.plan.policy.revenue_recognition,
        odds=budget_odds.budget_odds(risk, vs),
        n_paths=risk.n_paths if risk else 0,
        kpis=dict(evaluation.kpis),
        kpi_ranges=p10_p90(risk),
    )
