"""Saved scenarios as `Levers`: the scenario store (`sop.store.scenarios`) keeps the
levers as JSON text; this module checks them, writes them and reads them back, and
words them for the pages that list them (`saved_view`, `saved_text`, `column_name`).

A scenario belongs to the company of the dataset version it was saved on; reads and
changes keep to one company (`company=None`: the active dataset's), so another
company's data never lists, compares or approves this company's scenarios."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sop.core import access
from sop.scenario.levers import Levers
from sop.scenario.wording import escape_md, moved_text
from sop.store import Store, StoreError
from sop.store import scenarios as scenario_store


def save(
    store: Store,
    name: str,
    levers: Levers,
    description: str = "",
    dataset_version: int | None = None,
) -> int:
    """Store a named scenario for the company of `dataset_version` (None: the active
    dataset's), by the acting person; returns its id. Raises AccessDenied without
    `access.SCENARIO`, StoreError for a blank name or levers out of range (nothing is
    stored then)."""
    access.require(store.actor, access.SCENARIO)
    scenario_store.checked_text(name, description)
    if problems := levers.problems():
        raise StoreError("The levers are out of range: " + "; ".join(problems))
    return scenario_store.save(store, name, levers.to_json(), description, dataset_version)


def archive(store: Store, scenario_id: int, company: str | None = None) -> None:
    """Hide a scenario from the working list (it stays stored, with the event)."""
    scenario_store.archive(store, scenario_id, company)


def unarchive(store: Store, scenario_id: int, company: str | None = None) -> None:
    """Bring an archived scenario back to the working list."""
    scenario_store.unarchive(store, scenario_id, company)


def list_scenarios(
    store: Store, include_archived: bool = False, company: str | None = None
) -> pd.DataFrame:
    """Saved scenarios of `company`, newest first: scenario_id, name, description,
    author, created_at, levers_json, dataset_version, archived."""
    return scenario_store.list_scenarios(store, include_archived, company)


def get(store: Store, scenario_id: int, company: str | None = None) -> tuple[str, Levers]:
    """(name, levers) of a saved scenario of `company`; StoreError for another's."""
    name, levers_json = scenario_store.get(store, scenario_id, company)
    return name, Levers.from_file_text(levers_json, ".json")


def history(store: Store, company: str | None = None) -> pd.DataFrame:
    """Every scenario event of `company`: event_id, scenario_id, event_at, author,
    action."""
    return scenario_store.history(store, company)


def saved_text(saved: pd.DataFrame, scenario_id: int) -> str:
    """Markdown: 'Saved as scenario #3: name. ...', naming other saved scenarios
    (archived too) with the same name: their numbers tell them apart."""
    names = saved.set_index("scenario_id")["name"]
    name = str(names.get(scenario_id, ""))
    twins = sorted(int(i) for i, n in names.items() if n == name and i != scenario_id)
    return (
        f"Saved as scenario #{scenario_id}: {escape_md(name)}. Compare, open or archive "
        "it on the Compare page."
        + (
            f" Scenario #{', #'.join(map(str, twins))} has the same name: the number "
            "tells them apart."
            if twins
            else ""
        )
    )


def column_name(scenario_id: int, name: str, width: int = 40) -> str:
    """A short, unique column heading for a saved scenario."""
    short = name if len(name) <= width else name[: width - 1] + "…"
    return f"#{scenario_id} {short}"


def read_levers(levers_json: str) -> Levers | None:
    """The levers of a saved scenario, or None when they no longer read."""
    try:
        return Levers.from_file_text(levers_json, ".json")
    except ValueError:
        return None


def saved_view(saved: pd.DataFrame, cap_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """`sop.store.scenarios.list_scenarios` for display: scenario_id, name,
    description, author, created_at, levers (what moved: a supplier cap as 'code ·
    name' with `cap_names`, `sop.supply.explain.cap_names`), dataset_version, archived.
    Names and descriptions are kept exactly as typed."""
    moved = [
        ("(cannot be read)" if (lev := read_levers(j)) is None else moved_text(lev, cap_names))
        for j in saved["levers_json"]
    ]
    out = saved.assign(levers=moved)
    return out[
        [
            "scenario_id",
            "name",
            "description",
            "author",
            "created_at",
            "levers",
            "dataset_version",
            "archived",
        ]
    ]
