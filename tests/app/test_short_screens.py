"""The screens of a short-supply meeting say so where they are read: the Scenarios page
says a short plan is short above its tiles (in the Decisions page's words), and the
decision log wraps an approval's service line instead of cutting it off."""

from __future__ import annotations

from exec_helpers import load
from page_helpers import flat, short_lines

from sop.core import fmt
from sop.executive import service as executive
from sop.finance import service_line
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store
from sop.ui import columns

# Beta's line L2 cut by 55 % all year: the plan loses sales and ships late
CUT = Levers(capacity_changes=(("L2", "2026-01", "2026-12", -55.0),))


def test_a_short_scenario_says_so_above_its_tiles(store: Store, open_app) -> None:
    load(store)
    k = executive.context(store).evaluate(CUT).kpis
    line = service_line.shortfall_line(k, "EUR")
    assert line is not None and k["lost_units"] > 0
    at = open_app("pages/scenarios.py", query=CUT.to_query())
    assert not at.exception, at.exception
    assert short_lines(at) == [fmt.md(line)]
    drawn = list(flat(at.main))
    first_tile = next(i for i, e in enumerate(drawn) if getattr(e, "type", "") == "metric")
    said = next(i for i, e in enumerate(drawn) if getattr(e, "value", None) == fmt.md(line))
    assert said < first_tile  # read before the figures, in the first screen
    # the baseline serves all demand on time here: nothing said
    assert (
        service_line.shortfall_line(executive.context(store).evaluate(Levers()).kpis, "EUR") is None
    )
    at = open_app("pages/scenarios.py")
    assert not at.exception and short_lines(at) == []


def test_the_decision_log_wraps_a_long_entry(store: Store, open_app) -> None:
    load(store)
    sid = saved_scenarios.save(store, "L2 cut", CUT)
    executive.approve_saved(store, executive.context(store), sid, "short, but the cut is real")
    at = open_app("pages/decisions.py")
    (log,) = [d for d in at.dataframe if "service" in d.value.columns]
    assert log.value.loc[0, "service"].startswith("leaves ")
    assert not log.proto.HasField("row_height")  # all of it fits: one line a row
    why = (
        "short, but the cut is real: L2 is down for retooling from January, and Beta's "
        "customers were told to expect late orders until it is back"
    )
    executive.approve_saved(store, executive.context(store), sid, why)
    at = open_app("pages/decisions.py")
    (log,) = [d for d in at.dataframe if "service" in d.value.columns]
    assert columns.text_px([why]) > columns.WIDEST_PX  # wider than the widest column
    assert log.proto.row_height == columns.WRAP_ROW_PX  # so the rows wrap, not cut it
