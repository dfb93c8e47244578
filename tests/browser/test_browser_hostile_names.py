"""A scenario name holding a web address reads as typed but is no link in Debian's
Chromium: Streamlit's Markdown turns a bare http:// (GitHub's autolink literals) into
a link after the escapes are read, which `sop.core.fmt.md` prevents. The plan of
record is approved under that name on a copy of the demo store (the shared store
keeps its own plan of record)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from screens import open_page

from sop.executive import decisions
from sop.executive import service as executive
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

pytestmark = pytest.mark.browser
NAME = '=HYPERLINK("http://x.example","Severe <b>squeeze</b>") see www.x.example or ann@x.example'
LINKS_TO_X = (
    "() => [...document.querySelectorAll('a[href]')]"
    ".filter(a => a.href.includes('x.example')).length"
)


@pytest.fixture(scope="module")
def hostile_store(demo_forecast: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "demo.duckdb"
    shutil.copyfile(demo_forecast, path)
    store = Store(path)
    sid = saved_scenarios.save(store, NAME, Levers(demand_pct=10.0), "a hostile name")
    ctx = executive.context(store)
    executive.approve_saved(store, ctx, sid, "hostile name", decisions.default_cycle(ctx.as_of))
    return path


def test_a_web_address_in_a_plan_name_is_no_link(hostile_store, app_server, browser_page) -> None:
    page = browser_page
    with app_server(hostile_store) as url:
        for path, heading in (("executive", "Executive S&OP"), ("handoff", "Hand-off")):
            open_page(page, url, path, heading)
            shown = page.inner_text("main").replace("\u2060", "")  # the joiners are unseen
            assert 'HYPERLINK("http://x.example","Severe <b>squeeze</b>")' in shown, path
            assert "www.x.example or ann@x.example" in shown, path
            assert page.evaluate(LINKS_TO_X) == 0, path
