"""The Scenarios page's lever months through AppTest: the month pickers show months as
the charts and tables write them ('Nov 2026') while the levers, the URL and the "Moved:"
line's source stay in 'YYYY-MM'."""

from __future__ import annotations

from demand_helpers import PLAN_MONTHS

from sop.scenario.levers import Levers
from sop.store import Store

PAGE = "pages/scenarios.py"
SLOT = "scn_capacity_changes__0_"
SHOWN = [f"{m:%b %Y}" for m in PLAN_MONTHS]  # 'Nov 2026'
STORED = [f"{m:%Y-%m}" for m in PLAN_MONTHS]  # '2026-11'


def _plain(markdown: str) -> str:
    return markdown.replace("\\", "")


def test_month_pickers_show_month_names_and_the_url_keeps_iso_months(
    forecast: Store, open_app
) -> None:
    at = open_app(PAGE)
    for key in (SLOT + "from", SLOT + "to", "scn_promo_start"):
        pick = at.selectbox(key=key)
        assert pick.options == SHOWN, key
        assert pick.value in STORED, key  # the stored value is still 'YYYY-MM'
    at.selectbox(key=SLOT + "resource").set_value("L1")
    at.selectbox(key=SLOT + "from").set_value(STORED[1])
    at.selectbox(key=SLOT + "to").set_value(STORED[2])
    at.slider(key=SLOT + "pct").set_value(-50.0).run()
    assert not at.exception
    assert at.query_params["scn_capacity_changes"] == f"L1:{STORED[1]}:{STORED[2]}:-50"
    assert Levers.from_query(dict(at.query_params)).capacity_changes == (
        ("L1", STORED[1], STORED[2], -50.0),
    )
    moved = next(_plain(c.value) for c in at.caption if c.value.startswith("**Moved:**"))
    assert f"capacity L1 {SHOWN[1]} to {SHOWN[2]} -50 %" in moved
    assert STORED[1] not in moved
    # a link in 'YYYY-MM' opens with the same months picked, shown by name
    again = open_app(PAGE, query=dict(at.query_params))
    assert again.selectbox(key=SLOT + "from").value == STORED[1]
    assert again.selectbox(key=SLOT + "from").format_func(STORED[1]) == SHOWN[1]
