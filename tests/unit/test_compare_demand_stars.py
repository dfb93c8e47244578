"""No ★ on revenue or margin between plans with other demands, on Compare and the
Executive board.

A planner review compared the baseline with a squeeze of demand +30 % (fill 89.1 %,
€3.96M lost): Compare gave "★ €37.26M" revenue and "★ €12.30M" margin to the squeeze,
only because it is asked 30 % more; the note skipped units served for that reason but
not revenue or margin. The ratios (fill, on-time, margin %) compare plans like for like
and keep their stars.

On the tiny data: "cut" cuts Beta's line L2 by 55 % all year (the baseline's demand,
loses units); "surge" adds 40 % demand on top of the cut: it books more revenue than both while
it loses more.
"""

from __future__ import annotations

import pandas as pd
import pytest
from supply_helpers import tiny_with_consensus

from sop.executive import board as exec_board
from sop.finance.catalogue import KPI_BY_KEY
from sop.scenario import compare, stars
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy

CUT = (("L2", "2026-01", "2026-12", -55.0),)
LEVERS = {
    "Baseline": Levers(),
    "cut": Levers(capacity_changes=CUT),
    "surge": Levers(demand_pct=40.0, capacity_changes=CUT),
}
VOLUME_ROWS = ("Revenue", "Gross margin", "Units served")
RATIO_ROWS = ("Fill rate (served / demanded)", "On-time fill rate", "Gross margin %")


@pytest.fixture(scope="module")
def figures():
    tables, demand = tiny_with_consensus(12)
    base, policy = prepare_demand(demand), SupplyPolicy(horizon=12)
    evs = {n: evaluate(base, tables, lv, policy, with_risk=False) for n, lv in LEVERS.items()}
    assert all(e.ok for e in evs.values())
    k = {n: e.kpis for n, e in evs.items()}
    # the situation of the review: more demand books the most revenue while it loses most
    assert k["surge"]["revenue"] > k["Baseline"]["revenue"] > k["cut"]["revenue"]
    assert k["surge"]["lost_units"] > k["cut"]["lost_units"] > 0 == k["Baseline"]["lost_units"]
    return evs, k


def _starred(row: pd.Series) -> set[str]:
    return {n for n, v in row.items() if str(v).startswith(stars.BEST)}


def test_compare_stars_no_volume_row_across_different_demands(figures) -> None:
    _, k = figures
    table = compare.compare_table(k, "EUR").set_index("KPI")
    plans = list(k)
    for label in VOLUME_ROWS:
        assert _starred(table.loc[label, plans]) == set(), label
    # the ratios keep theirs: the baseline serves all, on time, at the best margin %
    assert "Baseline" in _starred(table.loc["Fill rate (served / demanded)", plans])
    assert "Baseline" in _starred(table.loc["On-time fill rate", plans])
    assert any(_starred(table.loc[label, plans]) for label in RATIO_ROWS)
    # the rates it names as like for like are rows of this table, in its order
    assert stars.star_note(k) == (
        "Revenue, gross margin and units served carry no ★, as the plans' demands differ: "
        "a plan asked for more earns more even when it serves less (the gross margin %, "
        "fill rate and on-time fill rate compare them like for like)."
    )
    assert all(label in table.index for label in RATIO_ROWS)


def test_compare_stars_volume_rows_between_plans_with_the_same_demand(figures) -> None:
    _, k = figures
    same = {n: k[n] for n in ("Baseline", "cut")}
    table = compare.compare_table(same, "EUR").set_index("KPI")
    for label in VOLUME_ROWS:
        assert _starred(table.loc[label, list(same)]) == {"Baseline"}, label
    assert stars.star_note(same) == ""


def test_the_board_follows_the_same_rule_and_says_why(figures) -> None:
    evs, k = figures
    board = exec_board.scenario_board(evs)
    assert list(board["demand_units"]) == [k[n]["demand_units"] for n in evs]
    text = exec_board.board_text(board, "EUR", "surge").set_index("Plan")
    for col in ("Revenue", "Gross margin", "Margin vs budget"):
        assert not text[col].str.startswith(stars.BEST).any(), col
    assert text.at["Baseline", "Fill rate"].startswith(stars.BEST)
    assert text.at["Baseline", "On-time fill rate"].startswith(stars.BEST)
    # the board has no gross margin % column: the note names only the rates it shows
    assert "Gross margin %" not in text.columns
    assert exec_board.board_note(board) == (
        "Revenue, gross margin and margin vs budget carry no ★, as the plans' demands "
        "differ: a plan asked for more earns more even when it serves less (the fill rate "
        "and on-time fill rate compare them like for like)."
    )
    alike = exec_board.scenario_board({n: evs[n] for n in ("Baseline", "cut")})
    assert exec_board.board_text(alike, "EUR").at[0, "Revenue"].startswith(stars.BEST)
    assert exec_board.board_note(alike) == ""


def test_demands_differ_reads_unknown_demand_with_care() -> None:
    assert stars.demands_differ({"a": {"demand_units": 10.0}, "b": {"demand_units": 12.0}})
    assert not stars.demands_differ({"a": {"demand_units": 10.0}, "b": {"demand_units": 10.2}})
    # one plan's demand unknown among known ones: not like for like
    assert stars.demands_differ({"a": {"demand_units": 10.0}, "b": {}})
    # no plan has a demand figure (hand-made figures): not known to differ
    assert not stars.demands_differ({"a": {"revenue": 1.0}, "b": {"revenue": 2.0}})
    assert not stars.demands_differ({"a": {"demand_units": 10.0}})
    revenue = KPI_BY_KEY["revenue"]
    assert stars.demand_driven(revenue) and stars.demand_driven(KPI_BY_KEY["served_units"])
    assert not stars.demand_driven(KPI_BY_KEY["gross_margin_pct"])
    differ = {"a": {"demand_units": 10.0}, "b": {"demand_units": 12.0}}
    assert stars.competitors(revenue, differ) == set()
    alike = {"a": {"demand_units": 10.0}, "b": {"demand_units": 10.0}}
    assert stars.competitors(revenue, alike) == {"a", "b"}  # every plan competes
    assert stars.competitors(KPI_BY_KEY["fill_rate"], differ) is None


def test_the_note_names_the_rows_a_table_has() -> None:
    differ = {"a": {"demand_units": 10.0}, "b": {"demand_units": 12.0}}
    assert stars.star_note(differ, ["Revenue"], ["Fill rate (served / demanded)"]) == (
        "Revenue carries no ★, as the plans' demands differ: a plan asked for more earns "
        "more even when it serves less (the fill rate compares them like for like)."
    )
    # a table with no rate to compare by names none
    assert stars.star_note(differ, ["Revenue", "Gross margin"], []) == (
        "Revenue and gross margin carry no ★, as the plans' demands differ: a plan asked "
        "for more earns more even when it serves less."
    )
    assert [k.key for k in compare.KPIS if stars.like_for_like(k)] == [
        "gross_margin_pct",
        "fill_rate",
        "on_time_rate",
    ]
