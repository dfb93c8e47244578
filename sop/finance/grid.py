"""The classic time-phased S&OP grid: per family (and the total), month by month.

    grid = sop_grid(plan, demand, tables, family=None)   # family None: the total
    grids = sop_grids(plan, demand, tables)              # {family: Grid, ..., TOTAL: Grid}

Inputs: `plan` a `sop.supply.plan.PlanResult` (its `family_plan` and `resource_use`);
`demand` the demand plan the plan was solved on, the consensus or a scenario's
(`sop.demand.plan.PLAN_COLUMNS`: month, sku, region, family, units = consensus or the
scenario's demand, forecast_units = statistical P50, source;
a loaded consensus has no statistical forecast: that row is blank); `tables` the
dataset (`sales` for actuals, `budget`, `products`, `resources`, `bill_of_resources`).

`Grid.frame`: one row per `ROWS` entry, index = the row key; columns `label`, `unit`
(units, money, days, hours, %), then one column per month (a `pd.Timestamp`, month
start, oldest first): the last `actual_months` months of actuals (`Grid.actual`), then
the plan's months (`Grid.plan`). Rows (key: meaning):
- last_year: sales a year before the column's month (units);
- forecast: statistical forecast (units); in actual months, the actual sales;
- consensus: the demand the plan was solved on (units): the consensus, or a scenario's
  demand after its levers, labelled `SCENARIO_DEMAND` when `sop_grids` is given the
  consensus to tell them apart; in actual months, the actual sales;
- budget_units, budget_revenue: the budget table (units, money; blank where none);
- supply: plan production + subcontracted (units; blank in actual months);
- shipments: plan units served (units); in actual months, the actual sales;
- revenue: plan revenue (money); in actual months, the actual sales revenue;
- inventory: plan stock, month end (units);
- days_of_supply: inventory / (plan demand of the month / 30.4 days) (days), labelled
  `DAYS_OF_SUPPLY` to tell it from the Scenarios KPI (over the horizon's average);
- capacity: available regular hours of the month's tightest line among the lines (kind
  line) the family's bill of resources loads (the total: among every line): the line
  with the highest load hours / available regular hours, a shut line (0 h) before any
  other; a tie (utilisations within 0.0001 percentage points) goes to the fewer hours,
  then the code (hours; `sop.finance.grid_lines.tightest_lines`). Not their sum: a sum hides a shut
  or full line behind an idle one. `Grid.tightest` names that line each month;
- utilisation: that line's load hours (of every family) / its available regular hours
  (blank when it is shut: no hours to divide by);
  `Grid.lines` names the family's lines that limit the plan, with the plan months each
  is shut (0 h) or full (binding: in the plan's bottleneck table; `grid_lines.line_limits`),
  and `Grid.limits` what binds the family's shortfalls when it is not a line (a
  supplier cap, a labour pool, a family capacity, a subcontract cap), each named as
  `sop.supply.limit_kinds` names them ("line RS-ASM1", "supplier cap CAP-CL-MOTOR");
- capacity_units (only when the plan has a family's capacity counted in units, from
  `family_capacity`: `per` = unit; `UNITS_CAPACITY`): the units a month the family may
  make (the total: every such family's) (units); the demo has none, so its grid keeps
  the rows of `ROWS`;
- gap_supply: supply - consensus (units; + builds stock, - draws on stock or falls short);
- gap_budget_units: shipments - budget units (units);
- gap_budget_revenue: revenue - budget revenue (money).
`Grid.gaps` names the gap rows (to colour; their sign carries the meaning too).
The total grid is the sum of the families' grids for units and money rows; its days
of supply are recomputed over every family, its capacity and utilisation are the
tightest of every line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.core.months import add_months
from sop.demand.plan import SOURCE_LOADED
from sop.finance.grid_lines import LineLimit, family_lines, in_units, line_limits, tightest_lines
from sop.supply.limit_kinds import CAPACITY, LABEL, LINE, plan_limits
from sop.supply.plan import PlanResult

# the days-of-supply row's label: it says its basis (`_frame`)
DAYS_OF_SUPPLY = "Month's days of supply"

TOTAL = "Total"
DAYS_PER_MONTH = 30.4  # as `sop.finance.kpis.DAYS_PER_MONTH`
# (key, label, unit); unit: units, money, days, hours, pct
ROWS: list[tuple[str, str, str]] = [
    ("last_year", "Last year's actuals", "units"),
    ("forecast", "Statistical forecast", "units"),
    ("consensus", "Consensus demand", "units"),
    ("budget_units", "Budget", "units"),
    ("budget_revenue", "Budget revenue", "money"),
    ("supply", "Supply plan (made + bought)", "units"),
    ("shipments", "Shipments", "units"),
    ("revenue", "Revenue", "money"),
    ("inventory", "Ending inventory", "units"),
    # over the month's own demand: the Scenarios "Days of supply" divides the ending
    # stock by the horizon's average daily demand instead (`sop.finance.kpis`)
    ("days_of_supply", DAYS_OF_SUPPLY, "days"),
    ("capacity", "Tightest line (regular hours)", "hours"),
    ("utilisation", "Utilisation", "pct"),
    ("gap_supply", "Gap: supply - demand", "units"),
    ("gap_budget_units", "Gap: plan - budget", "units"),
    ("gap_budget_revenue", "Gap: plan - budget revenue", "money"),
]
# the demand row's label when the plan's demand is not the consensus (levers moved it)
SCENARIO_DEMAND = "Demand (scenario)"
# a family's capacity in units a month (`family_capacity`): no hours, so a row of its own,
# after utilisation, in grids whose plan has such a line
UNITS_CAPACITY = ("capacity_units", "Family capacity", "units")
GAPS = ("gap_supply", "gap_budget_units", "gap_budget_revenue")
ADDITIVE = tuple(k for k, _, u in ROWS if u in ("units", "money"))


@dataclass(frozen=True)
class Grid:
    """One family's grid (or the total's): see the module docstring."""

    family: str
    frame: pd.DataFrame
    actual: tuple[pd.Timestamp, ...]
    plan: tuple[pd.Timestamp, ...]
    gaps: tuple[str, ...] = GAPS
    # what binds the family's shortfalls when it is not a line's hours (`binding_limits`)
    limits: tuple[str, ...] = ()
    # the family's lines that are shut or full in a plan month (`line_limits`)
    lines: tuple[LineLimit, ...] = ()
    # the code of the line the capacity and utilisation rows show, per plan month ('' none)
    tightest: tuple[str, ...] = ()

    @property
    def months(self) -> list[pd.Timestamp]:
        return [*self.actual, *self.plan]

    def month_labels(self) -> dict[pd.Timestamp, str]:
        """Column headers: "Oct 2026", actual months marked "Oct 2025 (actual)"."""
        return {m: fmt.month(m) + (" (actual)" if m in self.actual else "") for m in self.months}


def _sales(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Actual sales by (family, month): units, revenue (NaN where the table has none)."""
    sales = tables.get(schema.SALES)
    if sales is None or sales.empty:
        return pd.DataFrame(columns=["units", "revenue"], dtype=float)
    fam = tables[schema.PRODUCTS].set_index(schema.SKU)[schema.FAMILY]
    s = sales.assign(
        family=sales[schema.SKU].map(fam),
        revenue=sales.get(schema.REVENUE, np.nan),
    )
    g = s.groupby([schema.FAMILY, schema.MONTH])[[schema.UNITS, "revenue"]].sum(min_count=1)
    return g.rename(columns={schema.UNITS: "units"})


def _by(df: pd.DataFrame | None, column: str, name: str) -> pd.Series:
    """`column` of `df` summed by (family, month), named `name` (empty without `df`)."""
    if df is None or df.empty or column not in df:
        return pd.Series(dtype=float, name=name)
    return df.groupby([schema.FAMILY, schema.MONTH])[column].sum(min_count=1).rename(name)


def _with_family(demand: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """`demand` with its SKUs' family (from products) when it has none."""
    if schema.FAMILY in demand:
        return demand
    fam = tables[schema.PRODUCTS].set_index(schema.SKU)[schema.FAMILY]
    return demand.assign(**{schema.FAMILY: demand[schema.SKU].map(fam)})


def moved_families(
    demand: pd.DataFrame,
    consensus: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    months: list,
) -> set[str]:
    """The families whose `demand` differs from `consensus` (both demand plans, units)
    in one of `months` by more than half a unit: a scenario's levers moved it."""
    d = _by(_with_family(demand, tables), schema.UNITS, "demand")
    c = _by(_with_family(consensus, tables), schema.UNITS, "consensus")
    both = pd.concat([d, c], axis=1).fillna(0.0)
    both = both[both.index.get_level_values(schema.MONTH).isin(months)]
    moved = (both["demand"] - both["consensus"]).abs() > 0.5
    return set(both.index[moved].get_level_values(0))


def _measures(
    plan: PlanResult, demand: pd.DataFrame, tables: Mapping[str, pd.DataFrame], actual: list
) -> pd.DataFrame:
    """The additive rows (and plan_demand) by (family, month), NaN where not defined."""
    fp = plan.family_plan
    sales = _sales(tables)
    ly = sales.reset_index()
    ly[schema.MONTH] = ly[schema.MONTH] + pd.DateOffset(years=1)
    demand = _with_family(demand, tables)
    forecast = demand.get(schema.FORECAST_UNITS, pd.Series(np.nan, index=demand.index))
    loaded = demand.get(schema.SOURCE, pd.Series("", index=demand.index)) == SOURCE_LOADED
    stat = demand.assign(stat=forecast.astype(float).where(~loaded))
    budget = tables.get(schema.BUDGET)
    supply = fp.assign(supply=fp["production"] + fp["subcontracted"])
    parts = [
        _by(ly, "units", "last_year"),
        _by(stat, "stat", "forecast"),
        _by(demand, schema.UNITS, "consensus"),
        _by(budget, schema.UNITS, "budget_units"),
        _by(budget, schema.REVENUE, "budget_revenue"),
        _by(supply, "supply", "supply"),
        _by(fp, "shipped", "shipments"),
        _by(fp, "revenue", "revenue"),
        _by(fp, "inventory", "inventory"),
        _by(fp, "demand", "plan_demand"),
    ]
    m = pd.concat(parts, axis=1)
    m.index = m.index.set_names([schema.FAMILY, schema.MONTH])
    past = sales[sales.index.get_level_values(schema.MONTH).isin(actual)]
    m = m.reindex(m.index.union(past.index))
    hit = m.index.isin(past.index)
    for row, col in (("forecast", "units"), ("consensus", "units"), ("shipments", "units")):
        m.loc[hit, row] = past[col].reindex(m.index[hit]).to_numpy()
    m.loc[hit, "revenue"] = past["revenue"].reindex(m.index[hit]).to_numpy()
    return m


def rows_of(plan: PlanResult) -> list[tuple[str, str, str]]:
    """The grid's rows for `plan`: `ROWS`, with `UNITS_CAPACITY` after utilisation when
    the plan has a family's capacity in units."""
    if not in_units(plan.resource_use).any():
        return list(ROWS)
    at = [k for k, _, _ in ROWS].index("utilisation") + 1
    return [*ROWS[:at], UNITS_CAPACITY, *ROWS[at:]]


def _capacity(plan: PlanResult, lines: set[str], months: list) -> dict[str, pd.Series]:
    """Of `lines` by month: capacity (the tightest line's available regular hours, 0 when
    it is shut; `tightest_lines`), utilisation (its load hours / those hours, NaN when
    shut), tightest (its code) and capacity_units (the units a month of the family
    capacities among them); NaN where there are none. A capacity in units is no hours:
    it is kept out of the first three."""
    ru = plan.resource_use
    ru = ru[ru[schema.RESOURCE].isin(lines)]
    top = tightest_lines(plan, lines).reindex(months)
    hours = top[schema.AVAILABLE_HOURS].astype(float)
    units = in_units(ru)
    made = ru[units].groupby(schema.MONTH)[schema.AVAILABLE_HOURS].sum(min_count=1)
    return {
        "capacity": hours,
        "utilisation": top["load_hours"].astype(float) / hours.where(hours > 0),
        "tightest": top[schema.RESOURCE],
        UNITS_CAPACITY[0]: made.reindex(months),
    }


def binding_limits(plan: PlanResult) -> dict[str, tuple[str, ...]]:
    """Family -> the limits other than a line's hours that bind its shortfalls
    (`PlanResult.shortfalls`), most units short first, named as
    `sop.supply.limit_kinds.plan_limits` names them: "supplier cap CAP-CL-MOTOR",
    "labour pool RS-LAB", "family capacity (Kitchen)", "subcontract cap SUB-CL"."""
    sf = plan.shortfalls
    if sf.empty or "binding" not in sf:
        return {}
    lim = plan_limits(plan)
    # caps last, so a cap that shares its code with a resource is the one named
    lim = lim[lim["kind"] != LINE].sort_values(
        "constraint", key=lambda c: c != CAPACITY, kind="stable"
    )
    said = lim.drop_duplicates(schema.RESOURCE, keep="last").set_index(schema.RESOURCE)[LABEL]
    hit = sf.assign(**{LABEL: sf["binding"].map(said)}).dropna(subset=[LABEL])
    units = hit.groupby([schema.FAMILY, LABEL])["units"].sum().sort_values(ascending=False)
    out: dict[str, tuple[str, ...]] = {}
    for (fam, label), _ in units.items():
        out[fam] = (*out.get(fam, ()), label)
    return out


def _frame(
    m: pd.DataFrame,
    capacity: dict[str, pd.Series],
    months: list,
    rows_shown: list,
    scenario: bool = False,
) -> pd.DataFrame:
    """The grid frame (rows `rows_shown`) from one family's (or the total's) measures by
    month and its capacity rows (`_capacity`); `scenario`: its demand is a scenario's,
    not the consensus (the demand row reads `SCENARIO_DEMAND`)."""
    m = m.reindex(months)
    rows = {k: m[k] for k in ADDITIVE if k in m}
    daily = m["plan_demand"] / DAYS_PER_MONTH
    rows["days_of_supply"] = m["inventory"] / daily.where(daily > 1e-9)
    rows.update({k: v for k, v in capacity.items() if k != "tightest"})
    rows["gap_supply"] = m["supply"] - m["consensus"]
    rows["gap_budget_units"] = m["shipments"] - m["budget_units"]
    rows["gap_budget_revenue"] = m["revenue"] - m["budget_revenue"]
    body = pd.DataFrame({k: rows[k] for k, _, _ in rows_shown}).T.astype(float)
    body.columns = list(months)
    labels = [SCENARIO_DEMAND if scenario and k == "consensus" else lab for k, lab, _ in rows_shown]
    meta = pd.DataFrame(
        {"label": labels, "unit": [u for _, _, u in rows_shown]},
        index=[k for k, _, _ in rows_shown],
    )
    return pd.concat([meta, body], axis=1)


def sop_grids(
    plan: PlanResult,
    demand: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    actual_months: int = 3,
    consensus: pd.DataFrame | None = None,
) -> dict[str, Grid]:
    """The grid of every family of the plan, then `TOTAL` (see the module docstring).
    `consensus`: the consensus demand plan before any lever, when `demand` is a
    scenario's; a grid whose demand differs from it (`moved_families`) labels its demand
    row `SCENARIO_DEMAND`, not "Consensus demand"."""
    fp = plan.family_plan
    planned = sorted(pd.to_datetime(fp[schema.MONTH].unique()))
    actual = [add_months(planned[0], -k) for k in range(actual_months, 0, -1)]
    months = [*actual, *planned]
    m = _measures(plan, demand, tables, actual)
    m = m[m.index.get_level_values(schema.MONTH).isin(months)]
    shown = rows_of(plan)
    limits = binding_limits(plan)
    moved = set() if consensus is None else moved_families(demand, consensus, tables, planned)

    def grid(name: str, measures: pd.DataFrame, lines: set[str], scn: bool, said: tuple) -> Grid:
        cap = _capacity(plan, lines, months)
        frame = _frame(measures, cap, months, shown, scn)
        top = tuple("" if pd.isna(c) else str(c) for c in cap["tightest"].reindex(planned))
        hot = line_limits(plan, lines, planned)
        return Grid(
            name, frame, tuple(actual), tuple(planned), limits=said, lines=hot, tightest=top
        )

    out: dict[str, Grid] = {}
    for fam in sorted(fp[schema.FAMILY].unique()):
        one = m.xs(fam, level=schema.FAMILY) if fam in m.index.get_level_values(0) else m.iloc[:0]
        out[fam] = grid(fam, one, family_lines(tables, fam), fam in moved, limits.get(fam, ()))
    fams = m.index.get_level_values(schema.FAMILY).isin(list(out))
    total = m[fams].groupby(level=schema.MONTH).sum(min_count=1)
    every = tuple(dict.fromkeys(x for f in out for x in limits.get(f, ())))
    out[TOTAL] = grid(TOTAL, total, family_lines(tables, None), bool(moved & set(out)), every)
    return out


def sop_grid(
    plan: PlanResult,
    demand: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    family: str | None = None,
    actual_months: int = 3,
    consensus: pd.DataFrame | None = None,
) -> Grid:
    """The grid of `family` (None: the total); see the module docstring and `sop_grids`."""
    grids = sop_grids(plan, demand, tables, actual_months, consensus)
    key = TOTAL if family is None else family
    if key not in grids:
        raise KeyError(f"No family {family!r} in the plan; families: {', '.join(grids)}.")
    return grids[key]


def long_format(grids: Mapping[str, Grid]) -> pd.DataFrame:
    """Every grid as rows of (family, row, label, unit, month, actual, gap, value)."""
    parts = []
    for name, g in grids.items():
        f = g.frame.reset_index(names="row")
        df = f.melt(id_vars=["row", "label", "unit"], var_name=schema.MONTH, value_name="value")
        parts.append(
            df.assign(
                family=name,
                actual=df[schema.MONTH].isin(g.actual),
                gap=df["row"].isin(g.gaps),
            )
        )
    cols = ["family", "row", "label", "unit", schema.MONTH, "actual", "gap", "value"]
    return pd.concat(parts, ignore_index=True)[cols]
