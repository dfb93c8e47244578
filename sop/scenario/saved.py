"""Saved scenarios as `Levers`: the scenario store (`sop.store.scenarios`) keeps the
levers as JSON text; this module checks them, writes them and reads them back.

A scenario belongs to the company of the dataset version it was saved on; reads and
changes keep to one company (`company=None`: the active dataset's), so another
company's data never lists, compares or approves this company's scenarios."""

from __future__ import annotations

import pandas as pd

from sop.core import access
from sop.scenario.levers import Levers
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
