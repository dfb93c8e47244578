"""What the page-by-page browser tests share: the app's pages with their headings, the
two meeting-screen sizes, and how to open a page and wait until it is drawn
(`tests/browser/test_browser_readable.py`, `tests/browser/test_browser_a11y.py`).

"Drawn" is read from the page, not waited out: `WATCH` (added to every browser context
by `tests/browser/conftest.py`, else installed by `settle`) notes when the page last
sent the server a message (a rerun request: a click, a choice, a page link) and when the
app's script runs start and end (`data-test-script-state` on Streamlit's `stApp`);
`settle` returns once the run that message asked for has ended and the page has been
quiet since: no skeleton, no stale element, every visible Plotly chart drawn."""

from __future__ import annotations

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
# the tabs of the main area (not the sidebar's)
TABS = '[data-testid="stMainBlockContainer"] [role="tablist"] > [role="tab"]'

# Run before the page's own scripts (an init script) or late (by `settle`): times, in
# performance.now() ms, of the last user input, the last message sent to the server
# (with whether a run was going on then), and the last start and end of a script run.
WATCH = """() => {
  if (window.__sop) return;
  const w = window.__sop = {input: -1e9, sent: -1e9, sentWhileRunning: false,
                            started: -1e9, ended: -1e9, quietSince: null};
  const state = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app ? app.getAttribute('data-test-script-state') : null;
  };
  const running = s => s === 'running' || s === 'rerunRequested' || s === 'stopRequested';
  w.state = state;
  w.running = running;
  for (const t of ['pointerdown', 'keydown', 'input', 'change'])
    window.addEventListener(t, () => { w.input = performance.now(); }, true);
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (...args) {
    w.sent = performance.now();
    w.sentWhileRunning = running(state());
    return send.apply(this, args);
  };
  let was = state();
  const seen = () => {
    const now = state();
    if (running(now) && !running(was)) w.started = performance.now();
    if (!running(now) && running(was)) w.ended = performance.now();
    was = now;
  };
  new MutationObserver(seen).observe(document, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-test-script-state']});
}"""

# true once the page is drawn and has stayed so for `quiet` ms
DRAWN = """([quiet, grace, lost]) => {
  const w = window.__sop, now = performance.now();
  const app = document.querySelector('[data-testid="stApp"]');
  const visible = e => e.getClientRects().length > 0;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter(visible);
  const drawn = charts.every(c => {
    const gd = c.querySelector('.js-plotly-plot');
    return gd && gd._fullLayout && gd.querySelector('.main-svg')
      && getComputedStyle(gd).visibility !== 'hidden';
  });
  // the run asked for by the last message sent has ended (a message that asks for no
  // run is taken as such after `lost` ms); an input sends its message within `grace` ms
  const answered = w.sentWhileRunning ? w.ended > w.sent
    : w.started > w.sent && w.ended > w.started;
  const ok = app !== null
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && (answered || now - w.sent > lost)
    && now - w.input > grace
    && !document.querySelector(
      '[data-testid="stSkeleton"], [data-stale="true"], [data-testid="stStatusWidget"]')
    && drawn;
  if (!ok) { w.quietSince = null; return false; }
  if (w.quietSince === null) w.quietSince = now;
  return now - w.quietSince >= quiet;
}"""
QUIET_MS = 250  # drawn for this long: no follow-up run (st.rerun) has started
GRACE_MS = 300  # an input's message is sent within this (a slider's debounce included)
LOST_MS = 5_000  # a message sent that no run answered (not a rerun request)


def settle(page) -> None:
    """Wait until the script run the last click or key asked for has ended and the page
    shows its charts, with nothing still loading (see the module's docstring)."""
    if not page.evaluate("() => window.__sop !== undefined"):
        page.evaluate(WATCH)  # a page of a context made without it: from now on
    page.wait_for_function(DRAWN, arg=[QUIET_MS, GRACE_MS, LOST_MS], polling=50, timeout=90_000)


def open_page(page, url: str, path: str, heading: str) -> None:
    """Go to the page at `url`/`path` and wait until its heading shows and it settles."""
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=90_000)
    settle(page)
