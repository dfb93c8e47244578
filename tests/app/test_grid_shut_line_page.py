"""The Executive page's S&OP grid, through AppTest, on a plan of record whose line is shut
for two months: the tightest-line row reads 0 h in those months (not another line's or
the sum's hours) and the note under the grid names the shut line with its months, never
saying another limit binds "instead"."""

from __future__ import annotations

import pandas as pd
from exec_helpers import load

from sop.core import fmt
from sop.executive import service as executive
from sop.finance import grid_text
from sop.finance.grid import ROWS
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

CYCLE = pd.Timestamp("2026-01-01")
CAPACITY_ROW = grid_text.row_label(*[(lab, u) for k, lab, u in ROWS if k == "capacity"][0], "EUR")


def test_the_executive_grid_shows_a_shut_line_and_names_it(store: Store, open_app) -> None:
    load(store)
    # Beta's only line L2 shut in Mar and Apr 2026; Alpha's L1 untouched
    shut = Levers(capacity_changes=(("L2", "2026-03", "2026-04", -100.0),))
    sid = saved_scenarios.save(store, "L2 shut", shut)
    executive.approve_saved(store, executive.context(store), sid, "the shutdown", CYCLE)
    at = open_app("pages/executive.py")
    at.selectbox(key="exe_grid_family").set_value("Beta").run()
    assert not at.exception, at.exception
    (grid,) = [d.value for d in at.dataframe if grid_text.ROW in d.value.columns]
    rows = grid.set_index(grid_text.ROW)
    assert CAPACITY_ROW == "Tightest line (regular hours) (h)"
    assert list(rows.loc[CAPACITY_ROW, ["Mar 2026", "Apr 2026"]]) == ["0", "0"]
    assert list(rows.loc["Utilisation (%)", ["Mar 2026", "Apr 2026"]]) == ["–", "–"]
    assert rows.loc[CAPACITY_ROW, "Feb 2026"] not in ("0", "–")  # open before the shutdown
    said = " ".join(c.value for c in at.caption)
    # the note goes through fmt.md (escaped Markdown) on screen
    assert fmt.md("What limits this plan: line L2 shut Mar 2026 to Apr 2026") in said
    assert "instead" not in said
