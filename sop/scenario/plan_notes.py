"""The plan notes a scenario adds to its baseline's.

A lever can make the plan say something the baseline's does not: a holding-cost rate
at which some items keep no safety stock, a price cut that leaves it below their
holding cost. The Scenarios page shows those notes where the lever moved
(`added_notes`). Notes are matched by kind and the names they are about
(`sop.supply.notes.PlanNote`), never by text: the figures in a note's text move with
the levers ("up to 2.6 % of the price" against the baseline's 2.3 %) while it says
the same thing about the same items.
"""

from __future__ import annotations

from collections.abc import Iterable

from sop.supply.notes import PlanNote


def added_notes(scenario: Iterable[PlanNote], baseline: Iterable[PlanNote]) -> list[PlanNote]:
    """The notes of the scenario's plan that say something the baseline's do not, in the
    scenario's order: a kind the baseline has no note of, or a note naming a line, SKU,
    item or family that none of the baseline's notes of its kind names. A note about
    fewer of the same names (the scenario keeps safety stock for more items than the
    baseline) adds nothing; the same note twice is shown once."""
    named: dict[str, set[str]] = {}
    for n in baseline:
        named.setdefault(n.kind, set()).update(n.subject)
    out: list[PlanNote] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for n in scenario:
        key = (n.kind, n.subject)
        if key in seen:
            continue
        seen.add(key)
        if n.kind not in named or not set(n.subject) <= named[n.kind]:
            out.append(n)
    return out
