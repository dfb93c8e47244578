"""The notes of a supply plan: what the planner must know about how it was made.

A note (`PlanNote`) has a kind, the names it is about (lines, SKUs, items, families)
and its text. The text carries figures that move with the inputs ("up to 2.6 % of the
price"), so two plans are compared by kind and names, never by text: that is how the
Scenarios page tells the notes a scenario adds to its baseline's
(`sop.scenario.plan_notes`). Everything that says how a plan was made appends one to
the plan's notes (`sop.supply.plan.PlanResult.notes`); the Supply page, the CLI and the
JSON export show the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# what was left out of the demand plan or read in its place (`sop.supply.rows`)
SHORT_DEMAND = "short_demand"  # the demand plan ends before the horizon
UNKNOWN_SKU = "unknown_sku"  # SKUs of the demand plan not in products: left out
UNKNOWN_ENDING_FAMILY = "unknown_ending_family"  # ending units for a family not planned
UNROUTED_SKU = "unrouted_sku"  # SKUs with no routing: no capacity limit
# the limits (`sop.supply.limits`) and values (`sop.supply.sku_values`) read in their place
ESTIMATED_LINE_HOURS = "estimated_line_hours"  # a line's calendar lacks plan months
NO_WORKFORCE = "no_workforce"  # labour pools with no workforce row: no hours
UNPRICED_SKU = "unpriced_sku"  # SKUs with no price: revenue and margin unknown
# settings that work against planning practice (`sop.supply.policy`, `sop.supply.priority`)
PENALTY_CAUTION = "penalty_caution"  # safety-stock penalty at or above the backlog cost
UNKEPT_SAFETY_STOCK = "unkept_safety_stock"  # holding costs more than the penalty

KINDS = (
    SHORT_DEMAND,
    UNKNOWN_SKU,
    UNKNOWN_ENDING_FAMILY,
    UNROUTED_SKU,
    ESTIMATED_LINE_HOURS,
    NO_WORKFORCE,
    UNPRICED_SKU,
    PENALTY_CAUTION,
    UNKEPT_SAFETY_STOCK,
)


@dataclass(frozen=True)
class PlanNote:
    """One note on a plan. kind: one of `KINDS`; subject: the names it is about, in the
    order the text names them (all of them, where the text shows the first few); empty
    for a note on the plan as a whole (its settings, its months); any iterable of names
    is kept as a tuple of text. text: the sentence shown, plain text (names as typed:
    escape it where Markdown renders it)."""

    kind: str
    subject: tuple[str, ...]
    text: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown plan note kind {self.kind!r}")
        object.__setattr__(self, "subject", tuple(str(s) for s in self.subject))


def texts(notes: Iterable[PlanNote]) -> list[str]:
    """The text of each note, in order: what the CLI and the JSON export print."""
    return [n.text for n in notes]
