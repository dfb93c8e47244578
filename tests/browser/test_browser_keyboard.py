"""Every control is reachable by keyboard (issue 17), in Debian's Chromium.

From the top of the page the test presses Tab until the focus has gone round the
whole page, as a keyboard user would: a closed expander met on the way is opened with
Enter, and the page's tabs are walked with the arrow keys (one tab per round, as the
ARIA tab pattern has it: only the selected tab is in the Tab order). After each round
every visible, enabled control in the main area and the sidebar (button, input,
select, textarea, link, slider, tab) must have had the focus. A control that is
deliberately out of the Tab order (tabindex -1) counts as reached when its widget was
(a select box's "Open" arrow, a number input's +/- buttons: the keyboard uses the
arrow keys in the box), and a tab or radio button when its group was.

Then the what-if by keyboard only: Tab to the demand slider on Scenarios, press the
right arrow three times, and the Revenue tile changes."""

from __future__ import annotations

import pytest
from screens import TABS, open_page, settle
from test_browser_scenarios import TILE_VALUE

pytestmark = pytest.mark.browser
BOUND = 1500  # Tab presses per page, all rounds together

# the focused element: marked as reached, with what the walk needs to know about it
FOCUS = """(tabs) => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  window.kbCount = window.kbCount || 0;
  if (!e.dataset.kbId) e.dataset.kbId = String(++window.kbCount);
  e.dataset.kb = '1';
  return {id: e.dataset.kbId, tag: e.tagName, tab: e.matches(tabs),
          selected: e.getAttribute('aria-selected') === 'true',
          closed: e.tagName === 'SUMMARY' && !e.parentElement.open,
          name: (e.getAttribute('aria-label') || e.innerText || '').trim().slice(0, 40)};
}"""

# the selected tab, focused again (after a rerun dropped the focus), as FOCUS reports it
REFOCUS = (
    """(tabs) => { const t = [...document.querySelectorAll(tabs)]
  .find(e => e.getAttribute('aria-selected') === 'true');
  if (t) t.focus(); return ("""
    + FOCUS
    + """)(tabs); }"""
)

# visible, enabled controls in the main area and the sidebar that were never focused
UNREACHED = """() => {
  const sel = 'button, input, select, textarea, a[href], [role="slider"], [role="tab"]';
  const shown = e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0
      && e.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})
      && !e.closest('[aria-hidden="true"], [inert]');
  };
  const enabled = e => !e.disabled && e.getAttribute('aria-disabled') !== 'true';
  const group = e => e.closest('[role="tablist"], [role="radiogroup"]')
    || (e.getAttribute('tabindex') === '-1' && e.closest('.stElementContainer'));
  const name = e => (e.getAttribute('aria-label') || e.innerText || e.value || '')
    .trim().slice(0, 40);
  const out = [];
  for (const root of document.querySelectorAll(
      '[data-testid="stSidebar"], [data-testid="stMain"]'))
    for (const e of root.querySelectorAll(sel)) {
      if (!shown(e) || !enabled(e)) continue;
      const g = group(e);
      if (!e.dataset.kb && !(g && g.querySelector('[data-kb]')))
        out.push(e.tagName.toLowerCase() + '[' + (e.getAttribute('role') || e.type || '')
          + '] "' + name(e) + '"');
    }
  return out;
}"""


def walk(page) -> dict[str, list[str]]:
    """Tab round the page once per tab of the page (one round if it has none); the
    controls never focused in each round, by the tab shown."""
    rounds = max(1, page.locator(TABS).count())
    missed: dict[str, list[str]] = {}
    first, done, switched, shown = None, 0, False, "(page)"
    for _ in range(BOUND):
        page.keyboard.press("Tab")
        here = page.evaluate(FOCUS, TABS)
        if here is None:
            continue
        if first is None:
            first = here["id"]
        elif here["id"] == first:  # back at the top: one round done
            missed[shown] = page.evaluate(UNREACHED)
            done, switched = done + 1, False
            if done == rounds:
                return missed
        if here["closed"]:
            page.keyboard.press("Enter")
            page.wait_for_timeout(300)
        if here["tab"] and not switched:
            shown, switched = here["name"], True
            if done:  # the next tab, by arrow key; it is shown and keeps the focus
                page.keyboard.press("ArrowRight")
                settle(page)
                now = page.evaluate(FOCUS, TABS)
                for _ in range(50):  # the tab's panel may still be drawing: wait for the focus
                    if now and now["tab"]:
                        break
                    page.wait_for_timeout(100)
                    now = page.evaluate(FOCUS, TABS)
                if not (now and now["tab"]):
                    # a page whose tabs rerun the script (Scenarios) may redraw the tab
                    # list and drop the focus on the panel: the arrow key still chose the
                    # next tab; the walk goes on from that tab, as a user's next Tab would
                    now = page.evaluate(REFOCUS, TABS)
                assert now and now["tab"] and now["selected"] and now["name"] != here["name"], now
                shown = now["name"]
    raise AssertionError(f"the focus did not go round the page {rounds} times in {BOUND} Tabs")


@pytest.mark.parametrize(
    "path, heading", [("scenarios", "Scenarios"), ("demand", "Demand planning")]
)
def test_every_control_is_reached_by_tab(
    plan_of_record, live_app, browser_page, path, heading
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, live_app, path, heading)
    missed = walk(page)
    assert len(missed) == max(1, page.locator(TABS).count())  # every tab was shown
    assert {tab: left for tab, left in missed.items() if left} == {}
    # the check sees a control out of the Tab order
    page.evaluate(
        """() => { const b = document.createElement('button'); b.textContent = 'unreachable';
        b.tabIndex = -1; document.querySelector('[data-testid="stMain"]').prepend(b); }"""
    )
    assert page.evaluate(UNREACHED) == ['button[submit] "unreachable"']


SLIDER = "Demand, all families (%)"


def test_a_slider_moves_with_the_arrow_keys_and_the_tile_follows(
    plan_of_record, live_app, browser_page
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, live_app, "scenarios", "Scenarios")
    page.wait_for_function(f"() => ({TILE_VALUE})('Revenue') !== null", timeout=60_000)
    before = page.evaluate(TILE_VALUE, "Revenue")
    assert before[1].strip() == "no change"
    for _ in range(BOUND):
        page.keyboard.press("Tab")
        here = page.evaluate(FOCUS, TABS)
        if here and here["name"] == SLIDER:
            break
        if here and here["closed"]:
            page.keyboard.press("Enter")
    else:
        raise AssertionError(f"Tab never reached the slider {SLIDER!r}")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({TILE_VALUE})('Revenue')[1].includes('+3.0 %')", timeout=30_000)
    after = page.evaluate(TILE_VALUE, "Revenue")
    assert after[0] != before[0] and after[1].startswith("+€")
    assert page.get_by_role("slider", name=SLIDER).input_value() == "3"
