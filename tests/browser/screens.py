"""What the page-by-page browser tests share: the app's pages with their headings, the
two meeting-screen sizes, and how to open a page and wait until it is drawn
(`tests/browser/test_browser_readable.py`, `tests/browser/test_browser_a11y.py`)."""

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


def settle(page) -> None:
    """Wait until the script has run and the charts are drawn."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=90_000,
    )
    page.wait_for_timeout(1500)


def open_page(page, url: str, path: str, heading: str) -> None:
    """Go to the page at `url`/`path` and wait until its heading shows and it settles."""
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=90_000)
    settle(page)
