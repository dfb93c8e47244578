"""The S&OP grid reconciles to the plan, the consensus, the forecast, the budget and
the KPIs, to the unit and the cent; and `python -m sop grid` writes it."""

from __future__ import annotations

import pandas as pd
import pytest
from minimal import CAPACITY, minimal_files
from openpyxl import load_workbook
from supply_helpers import with_consensus
from tiny import tiny_tables, write_tables

from sop.__main__ import main
from sop.core import schema
from sop.data.defaults import complete
from sop.data.validate import validate_files
from sop.demand.plan import PLAN_COLUMNS
from sop.finance import grid_text
from sop.finance.grid import (
    GAPS,
    ROWS,
    TOTAL,
    UNITS_CAPACITY,
    long_format,
    rows_of,
    sop_grid,
    sop_grids,
)
from sop.finance.kpis import plan_kpis
from sop.supply.plan import solve_plan
from sop.supply.policy import SupplyPolicy
from sop.supply.synthetic import naive_consensus

FAMILIES = ("Alpha", "Beta")


def _demand(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A consensus 5 % above last year, over a statistical forecast 10 % below it."""
    cons = naive_consensus(tables, horizon=12, growth=1.05)
    fam = tables[schema.PRODUCTS].set_index(schema.SKU)[schema.FAMILY]
    return cons.assign(
        **{
            schema.FAMILY: cons[schema.SKU].map(fam),
            schema.P10: cons[schema.UNITS] * 0.8,
            schema.P90: cons[schema.UNITS] * 1.25,
            schema.FORECAST_UNITS: (cons[schema.UNITS] * 0.9).round(2),
            schema.SOURCE: "test",
        }
    )[PLAN_COLUMNS]


@pytest.fixture(scope="module")
def case():
    t = tiny_tables()
    d = _demand(t)
    plan = solve_plan(d, t, SupplyPolicy(horizon=12))
    return t, d, plan, sop_grids(plan, d, t)


def _fm(df: pd.DataFrame, column: str, family: str) -> pd.Series:
    return df[df[schema.FAMILY] == family].groupby(schema.MONTH)[column].sum()


def test_columns_are_three_actual_months_then_the_plan(case) -> None:
    _, _, plan, grids = case
    assert list(grids) == [*FAMILIES, TOTAL]
    g = grids["Alpha"]
    planned = sorted(plan.family_plan[schema.MONTH].unique())
    assert list(g.plan) == planned and len(g.plan) == 12
    assert list(g.actual) == list(pd.date_range("2025-10-01", periods=3, freq="MS"))
    assert list(g.frame.columns) == ["label", "unit", *g.actual, *g.plan]
    assert list(g.frame.index) == [k for k, _, _ in ROWS]
    assert set(g.gaps) == set(GAPS)
    assert g.month_labels()[g.actual[0]] == "Oct 2025 (actual)"


def test_family_rows_reconcile_to_their_sources(case) -> None:
    t, d, plan, grids = case
    fp = plan.family_plan
    sales = t[schema.SALES].assign(
        family=t[schema.SALES][schema.SKU].map(
            t[schema.PRODUCTS].set_index(schema.SKU)[schema.FAMILY]
        )
    )
    for fam in FAMILIES:
        g = grids[fam]
        f, months = g.frame, list(g.plan)
        row = lambda key, f=f, months=months: f.loc[key, months].astype(float).to_numpy()  # noqa: E731
        assert row("consensus") == pytest.approx(_fm(d, schema.UNITS, fam)[months].to_numpy())
        assert row("forecast") == pytest.approx(
            _fm(d, schema.FORECAST_UNITS, fam)[months].to_numpy()
        )
        bud = _fm(t[schema.BUDGET], schema.UNITS, fam)[months].to_numpy()
        assert row("budget_units") == pytest.approx(bud)
        assert row("budget_revenue") == pytest.approx(
            _fm(t[schema.BUDGET], schema.REVENUE, fam)[months].to_numpy()
        )
        made = _fm(fp, "production", fam) + _fm(fp, "subcontracted", fam)
        assert row("supply") == pytest.approx(made[months].to_numpy())
        assert row("inventory") == pytest.approx(_fm(fp, "inventory", fam)[months].to_numpy())
        assert row("shipments") == pytest.approx(_fm(fp, "shipped", fam)[months].to_numpy())
        assert row("gap_supply") == pytest.approx(row("supply") - row("consensus"))
        assert row("gap_budget_units") == pytest.approx(row("shipments") - bud)
        assert row("gap_budget_revenue") == pytest.approx(
            row("revenue") - row("budget_revenue"), abs=0.005
        )
        # actual months: the demand rows show the sales; last year: 12 months before
        actual = _fm(sales, schema.UNITS, fam)
        for m in g.actual:
            assert f.loc["consensus", m] == f.loc["forecast", m] == actual[m]
            assert pd.isna(f.loc["supply", m])
        for m in g.months:
            assert f.loc["last_year", m] == actual[m - pd.DateOffset(years=1)]


def test_total_is_the_sum_of_the_families(case) -> None:
    *_, grids = case
    months = grids[TOTAL].months
    for key, _, unit in ROWS:
        if unit not in ("units", "money"):
            continue
        fams = sum(grids[f].frame.loc[key, months].astype(float).fillna(0.0) for f in FAMILIES)
        total = grids[TOTAL].frame.loc[key, months].astype(float).fillna(0.0)
        assert total.to_numpy() == pytest.approx(fams.to_numpy(), abs=0.005), key


def test_horizon_totals_match_the_kpis(case) -> None:
    t, _, plan, grids = case
    k = plan_kpis(plan, t[schema.PRODUCTS])
    g = grids[TOTAL]
    f = g.frame[list(g.plan)].astype(float)
    assert round(f.loc["shipments"].sum()) == round(k["served_units"])
    assert f.loc["revenue"].sum() == pytest.approx(k["revenue"], abs=0.005)
    assert f.loc["inventory"].iloc[-1] == pytest.approx(k["ending_inventory_units"])
    assert f.loc["supply"].sum() == pytest.approx(k["production_units"] + k["subcontract_units"])
    demand_units = plan.family_plan["demand"].sum()
    assert demand_units == pytest.approx(k["demand_units"])
    # days of supply: month-end stock over the month's demand per day; the label says
    # so (the Scenarios KPI of the same name divides by the horizon's average)
    assert g.frame.at["days_of_supply", "label"] == "Month's days of supply"
    last = g.plan[-1]
    fp = plan.family_plan[plan.family_plan[schema.MONTH] == last]
    assert f.loc["days_of_supply", last] == pytest.approx(
        fp["inventory"].sum() / (fp["demand"].sum() / 30.4)
    )


def test_capacity_is_the_family_lines(case) -> None:
    _, _, plan, grids = case
    ru = plan.resource_use
    m = grids["Alpha"].plan[0]
    l1 = ru[(ru[schema.RESOURCE] == "L1") & (ru[schema.MONTH] == m)].iloc[0]
    f = grids["Alpha"].frame
    assert f.loc["capacity", m] == pytest.approx(l1[schema.AVAILABLE_HOURS])
    assert f.loc["utilisation", m] == pytest.approx(l1["load_hours"] / l1[schema.AVAILABLE_HOURS])
    assert grids["Alpha"].tightest[0] == "L1"
    # the total: the tightest of every line (highest load / hours), not their sum
    lines = ru[(ru[schema.KIND] == "line") & (ru[schema.MONTH] == m)]
    top = lines.loc[(lines["load_hours"] / lines[schema.AVAILABLE_HOURS]).idxmax()]
    total = grids[TOTAL]
    assert total.tightest[0] == top[schema.RESOURCE]
    assert total.frame.loc["capacity", m] == pytest.approx(top[schema.AVAILABLE_HOURS])
    assert total.frame.loc["utilisation", m] == pytest.approx(
        top["load_hours"] / top[schema.AVAILABLE_HOURS]
    )


def test_the_demo_kind_of_plan_has_no_units_capacity_row(case) -> None:
    _, _, plan, grids = case
    assert rows_of(plan) == ROWS
    assert all(UNITS_CAPACITY[0] not in g.frame.index for g in grids.values())


def _units_case(tables: dict[str, pd.DataFrame]):
    t = complete(tables)
    d = _demand(t)
    plan = solve_plan(d, t, SupplyPolicy(horizon=12))
    return plan, sop_grids(plan, d, t)


def test_a_minimal_dataset_shows_its_family_capacity_in_units() -> None:
    report = validate_files(minimal_files())
    assert report.ok, [f.message for f in report.errors]
    plan, grids = _units_case(report.tables)
    key = UNITS_CAPACITY[0]
    keys = [k for k, _, _ in ROWS]
    at = keys.index("utilisation") + 1
    assert [k for k, _, _ in rows_of(plan)] == [*keys[:at], key, *keys[at:]]
    for fam, units in CAPACITY.items():
        g = grids[fam]
        f, months = g.frame, list(g.plan)
        assert list(f.index) == [k for k, _, _ in rows_of(plan)]
        assert (f.loc[key, "label"], f.loc[key, "unit"]) == ("Family capacity", "units")
        assert f.loc[key, months].astype(float).tolist() == [units] * len(months)
        assert f.loc[key, list(g.actual)].isna().all()  # history: no plan capacity
        assert f.loc[["capacity", "utilisation"], months].isna().all().all()  # no hours
        assert (f.loc["supply", months].astype(float) <= units + 1e-6).all()
    total = grids[TOTAL].frame.loc[key, list(grids[TOTAL].plan)].astype(float)
    assert total.tolist() == [sum(CAPACITY.values())] * len(total)
    shown = grid_text.display_frame(grids["Alpha"], "EUR").set_index(grid_text.ROW)
    assert shown.loc["Family capacity (units)"].iloc[-1] == "400"
    long = long_format(grids)
    assert len(long) == 3 * len(rows_of(plan)) * 15


def test_units_and_hours_capacity_side_by_side(case) -> None:
    _, _, hours_plan, hours_grids = case
    t = tiny_tables()
    t[schema.FAMILY_CAPACITY] = pd.DataFrame(
        {schema.FAMILY: ["Alpha"], schema.MONTH: [pd.NaT], schema.UNITS_PER_MONTH: [900.0]}
    )
    plan, grids = _units_case(t)
    key = UNITS_CAPACITY[0]
    alpha, beta = grids["Alpha"], grids["Beta"]
    months = list(alpha.plan)
    assert alpha.frame.loc[key, months].astype(float).tolist() == [900.0] * len(months)
    assert beta.frame.loc[key, months].isna().all()  # Beta has no capacity in units
    assert grids[TOTAL].frame.loc[key, months].astype(float).tolist() == [900.0] * len(months)
    # the hours rows are the lines' hours, as without the units line
    for fam in ("Alpha", TOTAL):
        hours = hours_grids[fam].frame.loc["capacity", months].astype(float)
        assert grids[fam].frame.loc["capacity", months].astype(float).tolist() == pytest.approx(
            hours.tolist()
        )


def test_one_family_and_unknown_family(case) -> None:
    t, d, plan, grids = case
    assert sop_grid(plan, d, t, "Beta").frame.equals(grids["Beta"].frame)
    assert sop_grid(plan, d, t).family == TOTAL
    with pytest.raises(KeyError, match="Gamma"):
        sop_grid(plan, d, t, "Gamma")


def test_long_format_keeps_every_cell(case) -> None:
    *_, grids = case
    long = long_format(grids)
    assert len(long) == 3 * len(ROWS) * 15
    gap = long[(long["family"] == TOTAL) & (long["row"] == "gap_supply")]
    assert gap["gap"].all() and gap["actual"].sum() == 3


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_tables(with_consensus(tiny_tables()), tmp_path_factory.mktemp("grid_data"))


def test_cli_writes_a_sheet_per_family_and_the_total(folder, tmp_path, capsys) -> None:
    out = tmp_path / "grid.xlsx"
    assert main(["grid", "--data", str(folder), "--out", str(out)]) == 0
    assert "3 grid(s)" in capsys.readouterr().out
    wb = load_workbook(out)
    assert wb.sheetnames == ["Grid Alpha", "Grid Beta", "Grid Total"]
    ws = wb["Grid Total"]
    assert ws["A1"].value == "Row" and ws["C1"].value == "Oct 2025 (actual)"
    labels = [ws.cell(row=r, column=1).value for r in range(2, 2 + len(ROWS))]
    assert labels == [lab for _, lab, _ in ROWS]
    gap = labels.index("Gap: supply - demand") + 2
    assert ws.cell(row=gap, column=6).number_format.startswith("+#,##0")
    assert ws.cell(row=labels.index("Revenue") + 2, column=6).number_format.startswith('"€"')


def test_cli_csv_one_family_and_bad_input(folder, tmp_path, capsys) -> None:
    out = tmp_path / "grid.csv"
    assert main(["grid", "--data", str(folder), "--out", str(out), "--family", "Beta"]) == 0
    long = pd.read_csv(out)
    assert set(long["family"]) == {"Beta"} and len(long) == len(ROWS) * 15
    assert long["month"].iloc[0] == "2025-10"
    assert main(["grid", "--data", str(folder), "--out", str(out), "--family", "Gamma"]) == 2
    assert "no family 'Gamma'" in capsys.readouterr().err
    assert main(["grid", "--data", str(folder), "--out", str(tmp_path / "g.json")]) == 2
