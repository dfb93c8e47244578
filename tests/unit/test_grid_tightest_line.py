"""The S&OP grid does not hide a shut or full line: its capacity and utilisation rows show
the family's tightest line each month (not the sum of its lines, where an idle line's
hours hid a shut one), and the note under it names the shut or full line with its months
and never says another limit binds "instead" while a line limits the plan.

The case: family Fam on two lines, an assembly line L1 (100 h, 1 h a unit) shut in the
second month, and a paint line L2 (400 h, 0.5 h a unit) that stays open; a supplier's
cap of 60 units a month binds in the open months."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from supply_helpers import material_cap, one_product, sales_before, shut_in

from sop.core import fmt, schema
from sop.data import defaults
from sop.finance import grid_text
from sop.finance.grid import TOTAL, Grid, sop_grids
from sop.finance.grid_lines import TIE, LineLimit, tightest_lines
from sop.supply.plan import SupplyPolicy, solve_plan

DEMAND = [80.0, 80.0, 80.0]
MONTHS = list(pd.date_range("2027-01-01", periods=3, freq="MS"))


def _with_paint_line(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """`tables` (from `one_product`) with a second line of Fam: L2, 400 h, 0.5 h a unit."""
    res = tables[schema.RESOURCES]
    l2 = res.assign(**{schema.RESOURCE: "L2", schema.NAME: "Paint line"})
    bor = tables[schema.BILL_OF_RESOURCES]
    cap = tables[schema.CAPACITY]
    return {
        **tables,
        schema.RESOURCES: pd.concat([res, l2], ignore_index=True),
        schema.BILL_OF_RESOURCES: pd.concat(
            [bor, bor.assign(**{schema.RESOURCE: "L2", schema.HOURS_PER_UNIT: 0.5})],
            ignore_index=True,
        ),
        schema.CAPACITY: pd.concat(
            [cap, cap.assign(**{schema.RESOURCE: "L2", schema.AVAILABLE_HOURS: 400.0})],
            ignore_index=True,
        ),
    }


def _solve(supplier_cap: float | None = None):
    tables, demand = one_product(DEMAND)
    t = _with_paint_line(shut_in(tables, [100.0, 0.0, 100.0]))
    t[schema.SALES] = sales_before()
    if supplier_cap is not None:
        t[schema.SUPPLY_OPTIONS] = material_cap(supplier_cap)
    t = defaults.complete(t)
    plan = solve_plan(demand, t, SupplyPolicy())
    assert plan.ok, plan.explanation
    return t, demand, plan


@pytest.fixture(scope="module")
def shut():
    """L1 shut in Feb 2027, L2 open with room: nothing else limits the plan."""
    return _solve()


@pytest.fixture(scope="module")
def shut_and_capped():
    """As `shut`, with a supplier's 60 units a month binding in Jan and Mar 2027."""
    return _solve(60.0)


def test_the_capacity_rows_show_the_shut_line_not_the_sum_of_the_lines(shut) -> None:
    t, demand, plan = shut
    ru = plan.resource_use.set_index([schema.RESOURCE, schema.MONTH])
    assert ru.loc[("L1", MONTHS[1]), schema.AVAILABLE_HOURS] == 0.0
    assert ru.loc[("L2", MONTHS[1]), schema.AVAILABLE_HOURS] == 400.0
    for name in ("Fam", TOTAL):
        g = sop_grids(plan, demand, t)[name]
        f = g.frame
        # was 400 h (0 + L2's 400) and L2's load / 400 h: the paint line's figures
        assert f.loc["capacity", MONTHS[1]] == 0.0, name
        assert pd.isna(f.loc["utilisation", MONTHS[1]]), name
        assert g.tightest[1] == "L1", name
        shown = grid_text.display_frame(g, "EUR")
        feb = g.month_labels()[MONTHS[1]]
        assert shown.loc["capacity", feb] == "0", name
        assert shown.loc["utilisation", feb] == "–", name
        # open months: the line with the highest load / hours, its own hours and load
        for m, code in zip(g.plan, g.tightest):
            if m == MONTHS[1]:
                continue
            row = ru.loc[(code, m)]
            assert f.loc["capacity", m] == pytest.approx(row[schema.AVAILABLE_HOURS])
            assert f.loc["utilisation", m] == pytest.approx(
                row["load_hours"] / row[schema.AVAILABLE_HOURS]
            )
            other = ru.loc[("L2" if code == "L1" else "L1", m)]
            assert f.loc["utilisation", m] >= other["load_hours"] / other[schema.AVAILABLE_HOURS]


def test_the_note_names_the_shut_line_with_its_months(shut) -> None:
    t, demand, plan = shut
    g = sop_grids(plan, demand, t)["Fam"]
    assert [ln.label for ln in g.lines] == ["line L1"]
    assert g.lines[0].shut == (MONTHS[1],)
    note = grid_text.limits_note(g)
    assert "What limits this plan: line L1 shut Feb 2027" in note
    assert "instead" not in note
    assert "L2" not in note.split("What limits")[1]  # the open paint line limits nothing


def test_a_shut_line_is_named_before_a_supplier_cap_and_nothing_is_instead(
    shut_and_capped,
) -> None:
    t, demand, plan = shut_and_capped
    grids = sop_grids(plan, demand, t)
    g = grids["Fam"]
    assert g.limits == ("supplier cap CAP-MOTOR",)  # the other limit binding its shortfalls
    assert g.lines[0].label == "line L1" and g.lines[0].shut == (MONTHS[1],)
    note = grid_text.limits_note(g)
    # was: "... what limits this plan instead: supplier cap CAP-MOTOR."
    assert "instead" not in note
    assert note.endswith("What limits this plan: line L1 shut Feb 2027; supplier cap CAP-MOTOR.")
    assert grid_text.limits_note(grids[TOTAL]).endswith(
        "What limits this plan: line L1 shut Feb 2027; supplier cap CAP-MOTOR."
    )


class _Plan:
    """A plan of which only the resource use is read (`tightest_lines`)."""

    def __init__(self, ru: pd.DataFrame) -> None:
        self.resource_use = ru


def _use(codes: list[str], months: list, hours: list[float], load: list[float]) -> _Plan:
    return _Plan(
        pd.DataFrame(
            {
                schema.RESOURCE: codes,
                schema.KIND: "line",
                "per": "hour",
                schema.NAME: codes,
                schema.MONTH: months,
                schema.AVAILABLE_HOURS: hours,
                "load_hours": load,
            }
        )
    )


def test_two_full_lines_tie_whatever_the_rounding_noise() -> None:
    """Two lines at 100 % of their hours: A 200 h, B 100 h. The LP leaves them a hair
    over or under (load / hours - 1 = +2.2e-16 or -1.1e-16): the grid used to show
    whichever the noise put ahead, A one month and B the next; now it is a tie, to the
    fewer hours (B), every month."""
    up, down = np.inf, -np.inf
    a_over = [np.nextafter(200.0, up), np.nextafter(100.0, down)]  # A +, B -
    b_over = [np.nextafter(200.0, down), np.nextafter(100.0, up)]  # A -, B +
    plan = _use(
        ["A", "B"] * 2,
        [MONTHS[0]] * 2 + [MONTHS[1]] * 2,
        [200.0, 100.0] * 2,
        a_over + b_over,
    )
    ratio = plan.resource_use["load_hours"] / plan.resource_use[schema.AVAILABLE_HOURS] - 1
    assert ratio.iloc[0] > 0 > ratio.iloc[1] and ratio.iloc[2] < 0 < ratio.iloc[3]
    top = tightest_lines(plan, {"A", "B"})
    assert list(top[schema.RESOURCE]) == ["B", "B"]  # was A, then B
    # a real difference still counts: A 0.1 % over B beats B's fewer hours
    plan = _use(["A", "B"], [MONTHS[0]] * 2, [200.0, 100.0], [200.2, 100.0])
    assert tightest_lines(plan, {"A", "B"}).loc[MONTHS[0], schema.RESOURCE] == "A"
    # equal hours and load within `TIE`: the code decides
    plan = _use(["B", "A"], [MONTHS[0]] * 2, [100.0, 100.0], [100.0, 100.0 * (1 - TIE / 2)])
    assert tightest_lines(plan, {"A", "B"}).loc[MONTHS[0], schema.RESOURCE] == "A"


def test_tightest_lines_ranks_shut_first_then_load_over_hours() -> None:
    ru = pd.DataFrame(
        {
            schema.RESOURCE: ["A", "B", "C", "A", "B", "C"],
            schema.KIND: "line",
            "per": "hour",
            schema.NAME: ["A", "B", "C"] * 2,
            schema.MONTH: [MONTHS[0]] * 3 + [MONTHS[1]] * 3,
            schema.AVAILABLE_HOURS: [100.0, 0.0, 50.0, 100.0, 200.0, 50.0],
            "load_hours": [90.0, 0.0, 10.0, 50.0, 100.0, 40.0],
        }
    )

    class Plan:  # only the resource use is read
        resource_use = ru

    top = tightest_lines(Plan(), {"A", "B", "C"})
    assert top.loc[MONTHS[0], schema.RESOURCE] == "B"  # shut beats 90 %
    # 80 % beats 50 % (A) and 50 % with more hours (B)
    assert top.loc[MONTHS[1], schema.RESOURCE] == "C"
    assert tightest_lines(Plan(), {"A", "B"}).loc[MONTHS[1], schema.RESOURCE] == "A"  # tie: fewer h


def test_line_words_and_month_runs() -> None:
    assert fmt.month_runs([MONTHS[2], MONTHS[0], MONTHS[1]]) == "Jan 2027 to Mar 2027"
    assert fmt.month_runs([MONTHS[0], MONTHS[2]]) == "Jan 2027 and Mar 2027"
    both = LineLimit("line RS-ASM1", shut=(MONTHS[0], MONTHS[1]), full=(MONTHS[2],))
    assert grid_text.line_text(both) == "line RS-ASM1 shut Jan 2027 to Feb 2027, full Mar 2027"


def _grid(tightest: tuple[str, ...], lines: tuple[LineLimit, ...] = ()) -> Grid:
    plan = tuple(pd.date_range("2027-01-01", periods=len(tightest), freq="MS"))
    return Grid("Fam", pd.DataFrame(), (), plan, lines=lines, tightest=tightest)


def test_the_note_names_at_most_three_tightest_lines_and_counts_the_rest() -> None:
    g = _grid(("A", "A", "B", "B", "B", "C", "D", "A", "E", ""))
    text = grid_text.tightest_text(g)
    # the three shown most (A 3, B 3, then C: its first month is before D's and E's)
    assert text == (
        "A Jan 2027 to Feb 2027 and Aug 2027; B Mar 2027 to May 2027; C Jun 2027; "
        "2 more lines in the other months"
    )
    assert grid_text.limits_note(g) == f" Tightest line shown: {text}."
    assert grid_text.tightest_text(_grid(("A", "B", "A"))) == "A Jan 2027 and Mar 2027; B Feb 2027"


def test_the_note_leaves_the_tightest_line_to_the_limits_that_name_it() -> None:
    """The tightest line each month is said only when the list of what limits the plan
    does not already name every line shown; lines full in the same months are said once."""
    full = tuple(pd.date_range("2027-01-01", periods=3, freq="MS"))
    a = LineLimit("line A", full=full, resource="A")
    b = LineLimit("line B", full=full, resource="B")
    c = LineLimit("line C", full=full[1:], resource="C")
    note = grid_text.limits_note(_grid(("B", "C", "B"), (a, b, c)))
    assert note == (
        " What limits this plan: lines A and B full Jan 2027 to Mar 2027; "
        "line C full Feb 2027 to Mar 2027."
    )
    note = grid_text.limits_note(_grid(("B", "D", "B"), (a, c)))  # B is named nowhere
    assert note.startswith(" Tightest line shown: B Jan 2027 and Mar 2027; D Feb 2027. What")
    assert note.endswith(
        "What limits this plan: line A full Jan 2027 to Mar 2027; line C full Feb 2027 to Mar 2027."
    )
