"""Every page reads in full on a shared screen (issue 17): at 1280x720 and 1440x900 no
KPI value, tile label or change, table header or chart text is cut or overlapped.

A text is cut when its element is wider than its box (scrollWidth > clientWidth, which
is how CSS ellipsis cuts) or when it carries an ellipsis; a chart's legend or axis title
overlaps when its box meets a tick label's. What is on screen is checked, in every tab
of a page.

Grids (st.dataframe) draw on a canvas, so the DOM cannot say what they cut: the test
reads each grid's column widths from the grid component (glide-data-grid, through the
canvas's React props) and measures every header and cell text (as the grid shows it,
first 500 rows) with a canvas context in the grid's own font; a text wider than its
column, padding included, is cut. A grid may scroll sideways; cells of rows that wrap
(row_height over 4rem) are not measured."""

from __future__ import annotations

import pytest
from screens import PAGES, SIZES, TABS, open_page, settle

pytestmark = pytest.mark.browser

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


# grid headers and cells wider than their column (`extra`: px added to each text)
GRID_CUT = """(extra) => {
  const out = [];
  const ctx = document.createElement('canvas').getContext('2d');
  for (const box of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (!box.getClientRects().length || !box.offsetWidth) continue;
    const canvas = box.querySelector('canvas[data-testid="data-grid-canvas"]');
    if (!canvas) continue;
    const fiber = Object.keys(canvas).find(k => k.startsWith('__reactFiber'));
    let f = canvas[fiber], grid = null;
    for (let n = 0; f && n < 60 && !grid; n++, f = f.return) {
      const p = f.memoizedProps;
      if (p && Array.isArray(p.columns) && typeof p.getCellContent === 'function') grid = p;
    }
    if (!grid) { out.push('a grid whose columns cannot be read'); continue; }
    const css = getComputedStyle(box.querySelector('.stDataFrameGlideDataEditor'));
    const v = n => css.getPropertyValue(n).trim();
    const family = v('--gdg-font-family');
    const pad = 2 * parseFloat(v('--gdg-cell-horizontal-padding'));
    const need = (text, font) => { ctx.font = font + ' ' + family;
      return ctx.measureText(text).width + pad + extra; };
    const name = grid.columns.slice(0, 2).map(c => c.title).join(', ');
    grid.columns.forEach((col, c) => {
      if (need(col.title, v('--gdg-header-font-style')) > col.width + 1)
        out.push(`grid [${name}] header "${col.title}"`);
      for (let r = 0; r < Math.min(grid.rows, 500); r++) {
        const cell = grid.getCellContent([c, r]);
        if (cell.allowWrapping) continue;
        const text = cell.displayData ?? (cell.data && cell.data.displayDate) ?? cell.data;
        if (typeof text !== 'string' && typeof text !== 'number') continue;
        if (String(text) && need(String(text), v('--gdg-base-font-style')) > col.width + 1) {
          out.push(`grid [${name}] ${col.title}: "${String(text).slice(0, 40)}"`);
          break;
        }
      }
    });
  }
  return out;
}"""
# a tile value cut by its box, as Streamlit cuts it (the check must see it)
NARROW_TILE = """() => { const m = document.createElement('div');
  m.setAttribute('data-testid', 'stMetric');
  m.innerHTML = '<div data-testid="stMetricValue" style="width:40px;overflow:hidden;'
    + 'white-space:nowrap;text-overflow:ellipsis">\u20ac31.13M</div>';
  document.querySelector('[data-testid="stMainBlockContainer"]').prepend(m); }"""


def _issues(page) -> list[str]:
    """What is cut or overlapped on the page as shown, then in each of its tabs."""

    def shown() -> list[str]:
        return page.evaluate(CUT) + page.evaluate(OVERLAP) + page.evaluate(GRID_CUT, 0)

    found = shown()
    for i in range(page.locator(TABS).count()):
        tab = page.locator(TABS).nth(i)
        tab.click()
        settle(page)
        found += [f"[{tab.inner_text()}] {t}" for t in shown()]
    return sorted(set(found))


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_page_reads_in_full(plan_of_record, live_app, browser_page, width, height) -> None:
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    found = {}
    for path, heading in PAGES:
        open_page(page, live_app, path, heading)
        if issues := _issues(page):
            found[path] = issues
    assert found == {}
    # the checks see a figure cut by its tile, and grid texts wider than their columns
    page.evaluate(NARROW_TILE)
    assert page.evaluate(CUT) == ["\u20ac31.13M"]
    grids = page.locator('[data-testid="stDataFrame"]:visible').count()
    assert grids and len(page.evaluate(GRID_CUT, 1000)) >= grids
