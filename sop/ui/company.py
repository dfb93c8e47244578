"""What the Data page says about a load that changes the active company.

Saved items (overrides, scenarios, plan settings, decisions) belong to the company of
the data they were made on (`sop.store.scope`): loading another company's data makes
that company active, and the active company's items stay with it, out of sight until
one of its versions is active again. `switch_text` says so, before the load (under the
uploader) and after it (in the upload's notes), with how many items stay behind.
Company names are code spans (`sop.data.csvtext.code`), safe in Markdown.
"""

from __future__ import annotations

from sop.data.csvtext import code
from sop.store import Store, scope

# (one, many) per `scope.ITEM_TABLES` table
WORDS = {
    "overrides": ("override", "overrides"),
    "scenarios": ("saved scenario", "saved scenarios"),
    "plan_settings": ("plan-settings save", "plan-settings saves"),
    "decision_log": ("decision-log entry", "decision-log entries"),
    "comments": ("comment", "comments"),
}


def items_text(counts: dict[str, int]) -> str:
    """'3 overrides, 1 saved scenario' ('' when there are none)."""
    return ", ".join(f"{n} {WORDS[t][n != 1]}" for t, n in counts.items() if n)


def switch_text(store: Store, active: str, new: str, loaded: bool = False) -> str | None:
    """The word on loading company `new` while `active` is active: which items stay with
    `active` and are not shown; `loaded`: said after the load. None for the same
    company."""
    if new == active:
        return None
    x, y = code(new), code(active)
    kept = items_text(scope.saved_items(store, active))
    back = items_text(scope.saved_items(store, new))
    head = (
        f"Company changed: the data loaded is company {x}, not {y}"
        if loaded
        else f"This is company {x}, not {y} (the active dataset's)"
    )
    if kept:
        stay = (
            f"the saved items of company {y} ({kept}) stay with {y} and are not shown while "
            f"{x} is active; make a version of {y} active again (Dataset versions) to see them."
        )
    else:
        stay = f"company {y} has no saved items, so nothing is hidden."
    own = f" The saved items of {x} ({back}) apply again." if back else ""
    return f"{head}: {stay}{own}"
