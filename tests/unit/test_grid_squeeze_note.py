"""The S&OP grid on the demo's severe squeeze (`supply_helpers.severe_squeeze`: demand
+40 %, the four assembly lines -45 %, no overtime, no subcontracting): the four lines sit
at 100 % of their hours, give or take the LP's rounding noise (1e-16), and the Total
grid must not let that noise pick its tightest line, nor its note run past what a
screen-share can read."""

from __future__ import annotations

import pytest
from supply_helpers import severe_squeeze

from sop.core import schema
from sop.finance import grid_text
from sop.finance.grid import TOTAL, sop_grids

# characters of the note under the Total grid (`limits_note`), baseline and squeeze;
# it was 359 and 560 when it named the tightest line of every month
NOTE_MAX = 250


@pytest.fixture(scope="module")
def grids():
    _, tables, _, base, ev = severe_squeeze()
    """{"base" | "squeeze": (its grids, its plan's resource use)}."""
    return {
        name: (sop_grids(e.plan, e.demand, tables), e.plan.resource_use)
        for name, e in (("base", base), ("squeeze", ev))
    }


def test_the_tightest_line_is_not_picked_by_rounding_noise(grids) -> None:
    by_family, ru = grids["squeeze"]
    g = by_family[TOTAL]
    use = ru[ru[schema.KIND] == schema.KIND_LINE].set_index([schema.MONTH, schema.RESOURCE])
    load = use["load_hours"] / use[schema.AVAILABLE_HOURS]
    for m, code in zip(g.plan, g.tightest):
        month = load.xs(m)
        hours = use[schema.AVAILABLE_HOURS].xs(m)
        assert month[code] == pytest.approx(month.max(), abs=1e-9), (m, code)
        tied = month[month > month.max() - 1e-9].index
        # of the lines full to within noise, the fewer hours, then the code
        best = min(tied, key=lambda c: (hours[c], c))
        assert code == best, (m, code, best)
        assert g.frame.loc["capacity", m] == pytest.approx(hours[best])
    # HC-ASM1 (244-267 h) is full all horizon, but never the line with the fewest hours;
    # the noise put it in the capacity row in 5 months
    assert "HC-ASM1" not in g.tightest


@pytest.mark.parametrize("name", ["base", "squeeze"])
def test_the_total_note_is_short_enough_to_read_out(grids, name) -> None:
    note = grid_text.limits_note(grids[name][0][TOTAL])
    assert "What limits this plan: " in note
    assert len(note) < NOTE_MAX, note
