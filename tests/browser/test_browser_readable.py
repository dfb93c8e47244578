"""Every page reads in full on a shared screen (issue 17): at 1280x720 and 1440x900 no
KPI value, tile label or change, table header or chart text is cut or overlapped.

A text is cut when its element is wider than its box (scrollWidth > clientWidth, which
is how CSS ellipsis cuts) or when it carries an ellipsis; a chart's legend or axis title
overlaps when its box meets a tick label's. Only what is on screen is checked (the
first tab of a page). Grids (st.dataframe) draw on a canvas and size their columns to
their headers, or scroll sideways; their cells are not measured here."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop.executive import decisions
from sop.executive import service as executive
from sop.store import Store
from sop.store import decisions as decision_log

pytestmark = pytest.mark.browser

PAGES = [
    ("data", "Data gathering"),
    ("demand", "Demand planning"),
    ("supply", "Supply planning"),
    ("scenarios", "Scenarios"),
    ("compare", "Compare scenarios"),
    ("executive", "Executive S&OP"),
    ("decisions", "Decisions"),
    ("handoff", "Hand-off to execution (S&OE)"),
    ("finance", "Finance"),
]
SIZES = [(1280, 720), (1440, 900)]

# what is cut: metric values, labels and deltas, HTML table cells and headers
CUT = """() => {
  const shown = e => e.getClientRects().length > 0 && e.clientWidth > 0;
  const cut = e => e.scrollWidth > e.clientWidth + 1;
  const out = [];
  const sel = '[data-testid="stMetricValue"], [data-testid="stMetricValue"] *,'
    + ' [data-testid="stMetricLabel"] .stMarkdownEllipsis,'
    + ' [data-testid="stMetricDelta"] .stMarkdownEllipsis,'
    + ' [data-testid="stMetricDelta"] div, [data-testid="stTable"] th,'
    + ' [data-testid="stTable"] td, .exe-risks td, .exe-risks th';
  for (const e of document.querySelectorAll(sel)) {
    if (!shown(e)) continue;
    const t = e.textContent.trim();
    if (cut(e) || (e.closest('[data-testid="stMetric"]') && t.includes('\u2026')))
      out.push(t.slice(0, 40));
  }
  return [...new Set(out)];
}"""

# chart text that overlaps: a legend or an axis title over a tick label
OVERLAP = """() => {
  const out = [];
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    if (plot.getClientRects().length === 0) continue;
    const ticks = [...plot.querySelectorAll(
      '.xaxislayer-above text, .yaxislayer-above text')]
      .filter(t => t.textContent.trim()).map(t => [t.textContent, t.getBoundingClientRect()]);
    const over = [...plot.querySelectorAll('.legend .bg, [class^="g-"][class$="title"] text')]
      .filter(e => e.getBoundingClientRect().width > 0);
    for (const o of over) {
      const r = o.getBoundingClientRect();
      const what = o.closest('.legend') ? 'legend' : o.textContent.slice(0, 30);
      for (const [text, box] of ticks)
        if (meet(r, box)) { out.push(what + ' over tick ' + text); break; }
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def plan_of_record(demo_forecast: Path) -> Path:
    """The demo with a plan of record this cycle (the baseline unless a test approved
    one), so that the Hand-off page draws its weeks and Executive its changes."""
    store = Store(demo_forecast)
    ctx = executive.context(store)
    cycle = decisions.default_cycle(ctx.as_of)
    if decisions.plan_of_record(decision_log.log(store), cycle) is None:
        executive.approve_saved(store, ctx, 0, "Browser Bot", "readable screens", cycle)
    return demo_forecast


def _settle(page) -> None:
    """Wait until the script has run and the charts are drawn."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=90_000,
    )
    page.wait_for_timeout(1500)


TABS = '[data-testid="stMainBlockContainer"] [role="tablist"] > [role="tab"]'
# a tile value cut by its box, as Streamlit cuts it (the check must see it)
NARROW_TILE = """() => { const m = document.createElement('div');
  m.setAttribute('data-testid', 'stMetric');
  m.innerHTML = '<div data-testid="stMetricValue" style="width:40px;overflow:hidden;'
    + 'white-space:nowrap;text-overflow:ellipsis">\u20ac31.13M</div>';
  document.querySelector('[data-testid="stMainBlockContainer"]').prepend(m); }"""


def _issues(page) -> list[str]:
    """What is cut or overlapped on the page as shown, then in each of its tabs."""
    found = page.evaluate(CUT) + page.evaluate(OVERLAP)
    for i in range(page.locator(TABS).count()):
        tab = page.locator(TABS).nth(i)
        tab.click()
        _settle(page)
        found += [f"[{tab.inner_text()}] {t}" for t in page.evaluate(CUT) + page.evaluate(OVERLAP)]
    return sorted(set(found))


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_page_reads_in_full(plan_of_record, live_app, browser_page, width, height) -> None:
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    found = {}
    for path, heading in PAGES:
        page.goto(f"{live_app}/{path}")
        page.get_by_role("heading", name=heading).first.wait_for(timeout=90_000)
        _settle(page)
        if issues := _issues(page):
            found[path] = issues
    assert found == {}
    # the check sees a figure cut by its tile
    page.evaluate(NARROW_TILE)
    assert page.evaluate(CUT) == ["\u20ac31.13M"]
