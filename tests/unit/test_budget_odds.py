"""The chance of meeting the budget (`sop.finance.budget_odds`): the share of the risk
run's demand outcomes, each re-planned through the plan's capacity, whose revenue (and
gross margin) over the budget's months is at or above the budget; and the meeting
pack's "Revenue ranges by family" part, with the same figures as the Finance page's."""

from __future__ import annotations

import html
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from demand_helpers import banded_budget_store
from supply_helpers import one_product

from sop.core import fmt, schema
from sop.core.xlsx import TOTAL
from sop.executive import headline, pack, pack_sheets
from sop.executive import service as executive
from sop.finance import budget_odds, family_range, risk, statement
from sop.finance import view as finance_view
from sop.store import Store
from sop.supply.plan import solve_plan_and_inputs
from sop.supply.policy import SupplyPolicy

P = 200  # paths: enough for the shares, quick on two shared cores


def _run(line_hours: float, sigma: float = 20.0):
    """(risk run, P&L) of product P1 (family Fam, 100 units a month at 100) for 4 months."""
    tables, demand = one_product([100.0] * 4, line_hours=line_hours)
    plan, inp = solve_plan_and_inputs(demand, tables, SupplyPolicy(horizon=4))
    s = pd.DataFrame({schema.FAMILY: "Fam", schema.MONTH: inp.months, "sigma": sigma})
    return risk.plan_risk(plan, inp, s, n_paths=P), statement.family_pnl(plan)


def _budget(pnl: pd.DataFrame, revenue: float, margin: float) -> pd.DataFrame:
    """A budget of `revenue` and `margin` a month for every month and family of `pnl`."""
    return pnl[[schema.FAMILY, schema.MONTH]].assign(
        **{schema.UNITS: 100.0, schema.REVENUE: revenue, schema.MARGIN: margin}
    )


def _odds(run, pnl, budget) -> pd.DataFrame:
    return budget_odds.budget_odds(run, statement.versus_budget(pnl, budget)).set_index(
        schema.FAMILY
    )


def test_a_budget_far_above_reach_has_no_chance_and_far_below_every_chance() -> None:
    run, pnl = _run(line_hours=200.0)
    assert run.path_revenue.shape == (P, 1, 4)
    far_above = _odds(run, pnl, _budget(pnl, 100_000.0, 100_000.0))
    assert far_above.index.tolist() == ["Fam", TOTAL]
    assert (far_above[["revenue_chance", "margin_chance"]] == 0.0).all().all()
    far_below = _odds(run, pnl, _budget(pnl, 100.0, 10.0))
    assert (far_below[["revenue_chance", "margin_chance"]] == 1.0).all().all()
    # somewhere between: the share moves with the budget, never up as it rises
    mid = [
        _odds(run, pnl, _budget(pnl, r, 0.0)).at[TOTAL, "revenue_chance"]
        for r in (9_000.0, 10_000.0, 11_000.0)
    ]
    assert 1.0 > mid[0] > mid[1] > mid[2] > 0.0


def test_a_plan_without_uncertainty_gives_no_chance_only_the_plan_itself() -> None:
    """Every path is the plan: its revenue and margin per family-month are the P&L's, and
    a share of 500 copies of one outcome would read as a certainty (review: "100 % of 500
    demand outcomes" beside a range table saying "No range"), so there is none."""
    run, pnl = _run(line_hours=200.0, sigma=0.0)
    rev, mar = pnl[schema.REVENUE].to_numpy(), pnl[schema.MARGIN].to_numpy()
    assert np.allclose(run.path_revenue, rev[None, None, :])
    assert np.allclose(run.path_margin_delta, 0.0)
    equal = pnl[[schema.FAMILY, schema.MONTH]].assign(
        **{schema.UNITS: 100.0, schema.REVENUE: rev, schema.MARGIN: mar}
    )
    odds = _odds(run, pnl, equal)
    assert odds.attrs[budget_odds.NO_BAND]
    assert odds[["revenue_chance", "margin_chance"]].isna().all().all()
    assert odds.at[TOTAL, "budget_revenue"] == pytest.approx(rev.sum())
    assert budget_odds.odds_lines(odds.reset_index(), P, "EUR") == [
        "No chance of meeting the budget to give: the demand plan has no P10-P90 band, so "
        f"all {P} demand outcomes are the plan itself."
    ]
    # with a band the same budget has a chance, and the line gives it
    banded, _ = _run(line_hours=200.0)
    odds = budget_odds.budget_odds(banded, statement.versus_budget(pnl, equal))
    assert not odds.attrs[budget_odds.NO_BAND] and 0.0 < odds["revenue_chance"].iloc[-1] < 1.0
    said = budget_odds.odds_lines(odds, P, "EUR")[0]
    assert said.startswith("Chance of meeting budget revenue (€40k over Jan 2027 to Apr 2027): ")


def _three_families(fams: list[str]) -> pd.DataFrame:
    """The chances of three hand-made families over 4 outcomes and 2 months, budget 10 a
    month each: the first never meets it, the second in 1 outcome of 4, the third always."""
    months = pd.date_range("2026-01-01", periods=2, freq="MS")
    rev = np.zeros((4, 3, 2))
    rev[3, 1, :] = 10.0  # "Total" meets its budget in 1 outcome of 4
    rev[:, 2, :] = 10.0  # Zeta in every one; Garden in none
    e = pd.DataFrame()
    run = risk.Risk(
        e,
        e,
        pd.DataFrame({schema.MONTH: months}),
        e,
        4,
        pd.DataFrame({schema.FAMILY: fams}),
        path_revenue=rev,
        path_margin_delta=np.zeros_like(rev),
    )
    pnl = pd.DataFrame(
        [(m, f) for f in fams for m in months], columns=[schema.MONTH, schema.FAMILY]
    ).assign(**{schema.UNITS: 1.0, schema.REVENUE: 5.0, schema.MARGIN: 1.0, "order_value": 5.0})
    bud = pd.DataFrame(
        [(f, m, 1.0, 10.0, 0.5) for f in fams for m in months],
        columns=[schema.FAMILY, schema.MONTH, schema.UNITS, schema.REVENUE, schema.MARGIN],
    )
    return budget_odds.budget_odds(run, statement.versus_budget(pnl, bud))


def test_a_family_named_total_keeps_its_row_and_the_total_comes_last() -> None:
    """Review: the total overwrote a family named "Total" (a dict key), dropped the last
    family and read 100 % where no outcome meets the budget."""
    odds = _three_families(["Garden", "Total", "Zeta"])
    assert odds[schema.FAMILY].tolist() == ["Garden", "Total", "Zeta", TOTAL]
    assert odds["budget_revenue"].tolist() == [20.0, 20.0, 20.0, 60.0]
    assert odds["revenue_chance"].tolist() == [0.0, 0.25, 1.0, 0.0]  # no outcome makes 60
    assert budget_odds.odds_lines(odds, 4, "EUR")[0] == (
        "Chance of meeting budget revenue (€60 over Jan 2026 to Feb 2026): 0 % of 4 demand "
        "outcomes re-planned through this plan's capacity (Garden 0 %, Total 25 %, Zeta "
        "100 %); P10-P90 there €20 to €34."
    )


def test_the_executive_help_escapes_typed_family_names() -> None:
    """Review: the revenue tile's help (Markdown) read "(**Cool**_x_ 30 %, Ga<b>rden ...)"
    live; Finance's own line escapes where it is drawn (`fmt.md` in the page)."""
    odds = _three_families(["**Cool**_x_", "Ga<b>rden", "[Zeta](http://evil.example)"])
    said = headline.chance_sentence("revenue", odds, 4, "EUR")
    assert f"({fmt.md('**Cool**_x_')} 0 %, {fmt.md('Ga<b>rden')} 25 %, " in said
    assert "**Cool**" not in said and "](http" not in said
    assert headline.chance_sentence("revenue", odds, 4, "EUR").startswith(
        "Chance of meeting budget revenue (€60 over Jan 2026 to Feb 2026): 0 % of 4 "
    )


def test_a_family_capped_by_supply_has_less_chance_than_with_spare_capacity() -> None:
    """A budget 5 % above the orders: high demand reaches it only where it can be made.
    The full line (100 units a month at most) never books more than 4 x 100 x 100."""
    capped, pnl_capped = _run(line_hours=100.0)
    spare, pnl_spare = _run(line_hours=200.0)
    assert family_range.family_ranges(capped.family).at[0, "supply"] == family_range.CAPPED
    assert family_range.family_ranges(spare.family).at[0, "supply"] == family_range.OPEN
    budget = _budget(pnl_spare, 10_500.0, 0.0)
    capped_chance = _odds(capped, pnl_capped, budget).at["Fam", "revenue_chance"]
    spare_chance = _odds(spare, pnl_spare, budget).at["Fam", "revenue_chance"]
    assert capped_chance == 0.0
    assert 0.1 < spare_chance < 0.9


def _made_up_risk(
    families: list[str], months, revenue: np.ndarray, delta: np.ndarray | None = None
) -> risk.Risk:
    """A risk run of the given per-path revenue (paths, families, months) and margin
    change (`delta`; 0 without)."""
    empty = pd.DataFrame()
    return risk.Risk(
        empty,
        empty,
        pd.DataFrame({schema.MONTH: months}),
        empty,
        revenue.shape[0],
        pd.DataFrame({schema.FAMILY: families}),
        path_revenue=revenue,
        path_margin_delta=np.zeros_like(revenue) if delta is None else delta,
    )


def test_totals_cover_what_versus_budget_covers_and_add_up_path_by_path() -> None:
    """A and D priced with a budget; B with a budget and no price; C priced, no budget; a
    budget month the plan does not reach. The total is A + D only, outcome by outcome:
    each meets its budget in half the outcomes, never in the same one, so together
    they always do."""
    months = pd.date_range("2026-01-01", periods=2, freq="MS")
    fams = ["A", "B", "C", "D"]
    revenue = np.zeros((2, 4, 2))
    revenue[:, 0, 0] = [10.0, 0.0]  # A: first month only
    revenue[:, 1, :] = np.nan  # B: no price
    revenue[:, 2, :] = 50.0
    revenue[:, 3, 1] = [0.0, 10.0]  # D: second month only
    pnl = pd.DataFrame(
        [(m, f) for f in fams for m in months], columns=[schema.MONTH, schema.FAMILY]
    ).assign(units=1.0, **{schema.REVENUE: 5.0, schema.MARGIN: 1.0, "order_value": 5.0})
    pnl.loc[pnl[schema.FAMILY] == "B", [schema.REVENUE, schema.MARGIN]] = np.nan
    budget = pd.DataFrame(
        [(f, m, 1.0, 2.5, 0.5) for f in ("A", "B", "D") for m in [*months, "2026-03-01"]],
        columns=[schema.FAMILY, schema.MONTH, schema.UNITS, schema.REVENUE, schema.MARGIN],
    ).astype({schema.MONTH: "datetime64[ns]"})
    vs = statement.versus_budget(pnl, budget)
    odds = budget_odds.budget_odds(_made_up_risk(fams, months, revenue), vs)
    assert odds[schema.FAMILY].tolist() == ["A", "D", TOTAL]  # no B (no price), no C
    total = odds.iloc[-1]
    assert total["budget_revenue"] == pytest.approx(vs["budget_revenue"].sum()) == 10.0
    assert total["revenue"] == pytest.approx(vs[schema.REVENUE].sum()) == 20.0
    assert odds["revenue_chance"].tolist() == [0.5, 0.5, 1.0]
    # margin: the plan's margin (1 a month) + the path's change (0) against 0.5 a month
    assert odds["margin_chance"].tolist() == [1.0, 1.0, 1.0]
    lines = budget_odds.odds_lines(odds, 2, "EUR")
    assert lines[0] == (
        "Chance of meeting budget revenue (€10 over Jan 2026 to Feb 2026): 100 % of 2 demand "
        "outcomes re-planned through this plan's capacity (A 50 %, D 50 %); P10-P90 there "
        "€10 to €10."
    )
    ranged = budget_odds.ranges_with_odds(
        pd.DataFrame({schema.FAMILY: ["A", "C"]}).reindex(
            columns=[c for c, _, _ in family_range.RANGE_SPEC]
        ),
        odds,
    )
    assert ranged["revenue_chance"].tolist()[0] == 0.5 and np.isnan(ranged["revenue_chance"][1])


def test_no_run_no_budget_no_chance() -> None:
    run, pnl = _run(line_hours=200.0)
    assert budget_odds.budget_odds(None, statement.versus_budget(pnl, _budget(pnl, 1, 1))).empty
    assert budget_odds.budget_odds(run, pd.DataFrame()).empty
    assert budget_odds.odds_lines(budget_odds.budget_odds(run, pd.DataFrame()), P, "EUR") == []
    no_paths = risk.Risk(
        *(getattr(run, f) for f in ("summary", "monthly", "total", "short")), P, run.family
    )
    assert budget_odds.budget_odds(no_paths, statement.versus_budget(pnl, _budget(pnl, 1, 1))).empty


@pytest.mark.parametrize(
    ("chance", "text"),
    [(0.0, "0 %"), (1 / 500, "<1 %"), (0.38, "38 %"), (499 / 500, ">99 %"), (1.0, "100 %")],
)
def test_a_chance_never_reads_as_a_certainty_it_is_not(chance: float, text: str) -> None:
    assert budget_odds.chance_text(chance) == text


def test_the_pack_has_the_revenue_ranges_with_the_finance_pages_chances(store: Store) -> None:
    """A stored forecast with a band (P10 0.8x, P90 1.3x P50), so the outcomes spread;
    Alpha's budget doubled: out of reach (0 %), Beta's halved: in reach (100 %)."""
    banded_budget_store(store)
    ctx = executive.context(store)
    view = executive.view(store, ctx)
    meta = pack.PackMeta("Tiny Co", "tiny", 1, view.cycle, ctx.as_of, "EUR", pack.now())
    # the Finance page's figures for the same plan
    fin = finance_view.build(view.current, ctx.tables)
    odds = budget_odds.budget_odds(view.current.risk, fin.vs_budget).set_index(schema.FAMILY)
    assert not odds.attrs[budget_odds.NO_BAND]
    assert odds.loc[["Alpha", "Beta"], "revenue_chance"].tolist() == [0.0, 1.0]
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand)))
    rows = list(wb[pack_sheets.RANGES].values)
    heads = {c: h for c, h, _ in budget_odds.RANGE_ODDS_SPEC}
    sheet = pd.DataFrame(rows[1:], columns=rows[0]).dropna(subset=[rows[0][1]])
    sheet = sheet.set_index("Family")
    assert sheet.index.tolist() == fin.ranges[schema.FAMILY].tolist()
    for family in ("Alpha", "Beta"):
        for col in budget_odds.MEASURES:
            assert sheet.at[family, heads[col]] == odds.at[family, col]
        got = sheet.at[family, f"{heads['revenue_p50']} (EUR)"]
        assert got == pytest.approx(fin.ranges.set_index(schema.FAMILY).at[family, "revenue_p50"])
    # beside each chance, the budget, the plan and the P10 / P50 / P90 over the budget's
    # months, as budget_odds figures them; the ranges' own columns say the plan horizon
    for c, h, kind in budget_odds.BUDGET_MONTHS_SPEC:
        head = f"{h} (EUR)" if kind == "money" else h
        for family in ("Alpha", "Beta"):
            want = odds.at[family, c]
            assert sheet.at[family, head] == (want if kind == "text" else pytest.approx(want))
    assert "Revenue P90 (plan horizon) (EUR)" in sheet.columns
    ws = wb[pack_sheets.RANGES]
    chance_col = rows[0].index(heads["revenue_chance"]) + 1
    assert ws.cell(row=2, column=chance_col).number_format == "0%"  # 66 %, as on screen
    # the lines under it: the total's sentences, then what the figures are, a cell each
    lines = budget_odds.odds_lines(odds.reset_index(), view.current.risk.n_paths, "EUR")
    assert len(lines) == 2 and "over Jan 2026 to " in lines[0] and "; P10-P90 there €" in lines[0]
    first = len(sheet) + 3  # header, families, a blank row
    notes = [ws.cell(row=r, column=1).value for r in range(first, ws.max_row + 1)]
    help_text = pack_sheets.ranges_help(view)
    assert notes[:2] == lines and " ".join(notes[2:]) == help_text
    assert len(notes) > 6 and max(len(n) for n in notes) < 400
    page = pack.html(view, ctx.tables, meta, ctx.demand)
    section = page[page.index(f"<h2>{pack_sheets.RANGES}") :]
    section = section[: section.index("<h2>", 4)]
    assert f"<p>{html.escape(lines[0])}</p>" in section
    assert "(Alpha 0 %, Beta 100 %)" in html.unescape(section)
    assert html.escape(heads["margin_chance"]) in section
    assert html.escape("Budget revenue (budget months)") in section
    assert html.escape("Revenue P10 / P50 / P90 (budget months)") in section
    alpha = " / ".join(
        fmt.money(odds.at["Alpha", f"revenue_bm_{q}"], "EUR") for q in ("p10", "p50", "p90")
    )
    assert html.escape(alpha) in section


def _budget_months_case() -> tuple[risk.Risk, pd.DataFrame, np.ndarray, np.ndarray]:
    """Two families planned over Nov 2026 - Feb 2027 (1M revenue, 0.3M margin a month
    each), budgeted over Nov 2026 - Jan 2027 only (the plan horizon is longer); 40
    paths of random revenue and margin change. (run, versus_budget, revenue, margin
    change)."""
    months = pd.date_range("2026-11-01", periods=4, freq="MS")
    fams = ["Cooling", "Kitchen"]
    rng = np.random.default_rng(7)
    revenue = rng.normal(1e6, 2e5, (40, 2, 4))
    delta = rng.normal(0.0, 5e4, (40, 2, 4))
    run = _made_up_risk(fams, months, revenue, delta)
    pnl = pd.DataFrame(
        [(m, f) for f in fams for m in months], columns=[schema.MONTH, schema.FAMILY]
    ).assign(units=1.0, **{schema.REVENUE: 1e6, schema.MARGIN: 3e5, "order_value": 1e6})
    budget = pd.DataFrame(
        [(f, m, 1.0, 9e5, 2.5e5) for f in fams for m in months[:3]],
        columns=[schema.FAMILY, schema.MONTH, schema.UNITS, schema.REVENUE, schema.MARGIN],
    )
    return run, statement.versus_budget(pnl, budget), revenue, delta


def test_the_ranges_beside_a_chance_are_over_the_budgets_months_not_the_horizon() -> None:
    """Review: the chance (over the budget's 14 months) sat beside P10/P50/P90 over the
    plan's 18 and no budget (Kitchen €7.70M-€9.04M around its €8.89M budget, 0 %).
    The quantiles beside it are numpy's of each path's sum over the budget's months."""
    run, vs, revenue, delta = _budget_months_case()
    odds = budget_odds.budget_odds(run, vs).set_index(schema.FAMILY)
    q = [0.1, 0.5, 0.9]
    for i, family in enumerate(["Cooling", "Kitchen"]):
        sums = revenue[:, i, :3].sum(1)
        got = odds.loc[family, ["revenue_bm_p10", "revenue_bm_p50", "revenue_bm_p90"]]
        assert got.tolist() == pytest.approx(np.quantile(sums, q).tolist())
        margin = (3e5 + delta[:, i, :3]).sum(1)
        got = odds.loc[family, ["margin_bm_p10", "margin_bm_p50", "margin_bm_p90"]]
        assert got.tolist() == pytest.approx(np.quantile(margin, q).tolist())
        assert odds.at[family, "budget_revenue"] == pytest.approx(2.7e6)
    total = odds.loc[TOTAL, ["revenue_bm_p10", "revenue_bm_p50", "revenue_bm_p90"]]
    assert total.tolist() == pytest.approx(np.quantile(revenue[:, :, :3].sum((1, 2)), q).tolist())
    # not the horizon's: the fourth month is out
    assert odds.at[TOTAL, "revenue_bm_p50"] < np.quantile(revenue.sum((1, 2)), 0.5) * 0.9
    assert odds["budget_months"].tolist() == ["Nov 2026 to Jan 2027"] * 3


def test_the_line_names_the_budget_its_months_and_the_range_there() -> None:
    run, vs, revenue, _ = _budget_months_case()
    odds = budget_odds.budget_odds(run, vs)
    total = odds.iloc[-1]
    lo, hi = (fmt.money(total[f"revenue_bm_{q}"], "EUR") for q in ("p10", "p90"))
    each = ", ".join(
        f"{f} {budget_odds.chance_text(c)}"
        for f, c in zip(odds["family"][:2], odds["revenue_chance"])
    )
    assert budget_odds.odds_lines(odds, 40, "EUR")[0] == (
        "Chance of meeting budget revenue (€5.40M over Nov 2026 to Jan 2027): "
        f"{budget_odds.chance_text(total['revenue_chance'])} of 40 demand outcomes re-planned "
        f"through this plan's capacity ({each}); P10-P90 there {lo} to {hi}."
    )
    assert lo.startswith("€5.") and hi.startswith("€6.")  # 6M a path on average, not 8M


def _one_family(plan: float, budget: float, sums: list[float], capped: bool) -> pd.DataFrame:
    """`budget_odds` of family Fam over 3 months: the plan's revenue `plan` and the
    budget `budget` in all, the paths' revenue `sums` in all (a third a month); the
    run's ranges say supply caps Fam's upside where `capped`."""
    months = pd.date_range("2026-11-01", periods=3, freq="MS")
    revenue = np.repeat(np.array(sums, float)[:, None, None] / 3, 3, axis=2)
    upside = 0.2 if capped else 1.0  # revenue P90 - P50 over orders P90 - P50
    family = pd.DataFrame(
        {
            schema.FAMILY: ["Fam"],
            "plan_orders": [plan],
            "plan_revenue": [plan],
            "revenue_p10": [plan - 1e5],
            "revenue_p50": [plan],
            "revenue_p90": [plan + upside * 1e5],
            "orders_p50": [plan],
            "orders_p90": [plan + 1e5],
        }
    )
    e = pd.DataFrame()
    run = risk.Risk(
        e,
        e,
        pd.DataFrame({schema.MONTH: months}),
        e,
        len(sums),
        family,
        path_revenue=revenue,
        path_margin_delta=np.zeros_like(revenue),
    )
    pnl = pd.DataFrame({schema.MONTH: months, schema.FAMILY: "Fam"}).assign(
        units=1.0, **{schema.REVENUE: plan / 3, schema.MARGIN: 1.0, "order_value": plan / 3}
    )
    bud = pd.DataFrame({schema.FAMILY: "Fam", schema.MONTH: months}).assign(
        **{schema.UNITS: 1.0, schema.REVENUE: budget / 3, schema.MARGIN: 0.0}
    )
    return budget_odds.budget_odds(run, statement.versus_budget(pnl, bud))


def test_a_plan_above_budget_met_in_under_half_the_outcomes_says_why() -> None:
    """Review (demo, demand +7 %, CAP-CL-MOTOR -50 %): plan €26.66M over a €26.55M
    budget, chance 45 %, unexplained. The median outcome is below the budget."""
    sums = [25.9e6, 26.0e6, 26.1e6, 26.2e6, 26.3e6, 26.4e6, 26.6e6, 26.7e6, 26.8e6, 26.9e6]
    odds = _one_family(26.66e6, 26.55e6, sums, capped=True)
    assert odds["revenue_chance"].iloc[-1] == 0.4
    assert odds["revenue_bm_p50"].iloc[-1] == pytest.approx(26.35e6)
    line = budget_odds.odds_lines(odds, 10, "EUR")[0]
    assert line.endswith(
        "; P10-P90 there €25.99M to €26.81M; the plan itself is above budget (€26.66M), but "
        "capacity caps high demand: half the outcomes land below €26.35M."
    )
    # no family capped: no word of capacity, the outcomes simply centre lower
    line = budget_odds.odds_lines(_one_family(26.66e6, 26.55e6, sums, False), 10, "EUR")[0]
    assert line.endswith(
        "the plan itself is above budget (€26.66M), but the outcomes centre lower: half "
        "the outcomes land below €26.35M."
    )
    # the reverse: a plan below budget met in most outcomes
    line = budget_odds.odds_lines(_one_family(26.0e6, 26.05e6, sums, False), 10, "EUR")[0]
    assert budget_odds.chance_text(0.8) in line
    assert line.endswith(
        "the plan itself is below budget (€26.00M), but the outcomes centre higher: half "
        "the outcomes land above €26.35M."
    )
    # plan and chance agree: nothing more
    for plan, budget in ((26.66e6, 25.0e6), (26.0e6, 27.0e6)):
        line = budget_odds.odds_lines(_one_family(plan, budget, sums, True), 10, "EUR")[0]
        assert "the plan itself" not in line
