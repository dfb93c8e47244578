"""Reading an AppTest page as drawn: its elements in order, its short-plan lines."""

from __future__ import annotations

from collections.abc import Iterator

from streamlit.testing.v1 import AppTest

# every page of the app, for tests that open each one
PAGES = [
    "pages/data.py",
    "pages/demand.py",
    "pages/supply.py",
    "pages/scenarios.py",
    "pages/compare.py",
    "pages/executive.py",
    "pages/decisions.py",
    "pages/handoff.py",
    "pages/finance.py",
    "pages/admin.py",
]

# the service row's tiles in order (`sop.finance.tiles.service_tiles`): Scenarios,
# Finance and Supply show them
SERVICE_TILES = (
    "Fill rate",
    "On-time fill rate",
    "Late (units)",
    "Late (unit-months)",
    "Late deliveries (value)",
    "Lost sales (units)",
    "Lost sales (value)",
)


def flat(node) -> Iterator:
    """The page's elements in the order drawn."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from flat(child)


def short_lines(at: AppTest) -> list[str]:
    """The amber 'This plan ...' lines a short plan shows."""
    return [w.value for w in at.warning if w.value.startswith("This plan ")]
