"""The plan settings of record as a `SupplyPolicy`: the store (`sop.store.settings`)
keeps them as JSON text; this module checks a policy, writes it and reads it back.
Without any saved row the documented defaults (`SupplyPolicy()`) apply. Settings
belong to a company (`company=None`: the active dataset's): another company's data
opens on the defaults, the next version of the same company on its settings."""

from __future__ import annotations

import json

import pandas as pd

from sop.store import Store, StoreError
from sop.store import settings as settings_store
from sop.supply.policy import SupplyPolicy


def save_policy(store: Store, policy: SupplyPolicy, author: str, company: str | None = None) -> int:
    """Make `policy` the plan settings of record of `company`; returns its id. Raises
    StoreError for a blank author or invalid settings (nothing is stored then)."""
    settings_store.checked_author(author)
    if problems := policy.problems():
        raise StoreError("These settings are not valid: " + "; ".join(problems) + ".")
    return settings_store.save_policy(
        store, json.dumps(policy.as_dict(), sort_keys=True), author, company
    )


def current_policy(store: Store, company: str | None = None) -> tuple[SupplyPolicy, str]:
    """(the plan settings of record of `company`, who saved them and when — '' for the
    defaults)."""
    policy_json, who = settings_store.current_policy(store, company)
    if policy_json is None:
        return SupplyPolicy(), who
    return SupplyPolicy.from_dict(json.loads(policy_json)), who


def history(store: Store, company: str | None = None) -> pd.DataFrame:
    """Every save of `company`, newest first: settings_id, saved_at, author,
    policy_json."""
    return settings_store.history(store, company)
