"""The plan settings of record as a `SupplyPolicy`: the store (`sop.store.settings`)
keeps them as JSON text; this module checks a policy, writes it and reads it back.
Without any saved row the documented defaults (`SupplyPolicy()`) apply. Settings
belong to a company (`company=None`: the active dataset's): another company's data
opens on the defaults, the next version of the same company on its settings.

Two roles share the one policy: the finance fields (`policy.FINANCE_FIELDS`: revenue
basis and booking, the Executive risk thresholds) need `access.FINANCE_SETTINGS`,
every other field `access.PLAN_SETTINGS`. A save is compared field by field with the
current settings and refused, naming the fields, when the person may not change one."""

from __future__ import annotations

import json

import pandas as pd

from sop.core import access
from sop.store import Store, StoreError
from sop.store import settings as settings_store
from sop.supply.policy import FINANCE_FIELDS, SupplyPolicy, field_labels


def changed_fields(before: SupplyPolicy, after: SupplyPolicy) -> list[str]:
    """The names of the fields whose value differs, in the policy's order."""
    old, new = before.as_dict(), after.as_dict()
    return [name for name in new if new[name] != old.get(name)]


def action_for(name: str) -> str:
    """The action changing policy field `name` needs: FINANCE_SETTINGS for the finance
    fields, PLAN_SETTINGS for the others."""
    return access.FINANCE_SETTINGS if name in FINANCE_FIELDS else access.PLAN_SETTINGS


def check_changes(actor: access.Actor, before: SupplyPolicy, after: SupplyPolicy) -> None:
    """AccessDenied, naming the fields, when `actor` may not change every field that
    differs between `before` and `after`."""
    labels = field_labels()
    for action in (access.PLAN_SETTINGS, access.FINANCE_SETTINGS):
        refused = [n for n in changed_fields(before, after) if action_for(n) == action]
        if refused and not actor.can(action):
            names = ", ".join(f"{labels[n]} ({n})" for n in refused)
            raise access.AccessDenied(
                f"Not saved: {names} changed. {access.refusal(actor, action)}"
            )


def save_policy(store: Store, policy: SupplyPolicy, company: str | None = None) -> int:
    """Make `policy` the plan settings of record of `company`, saved by the acting
    person; returns its id. Raises StoreError for invalid settings and AccessDenied when
    the person may not change a field that differs from the current settings (see the
    module docstring); nothing is stored then."""
    check_changes(store.actor, current_policy(store, company)[0], policy)
    if problems := policy.problems():
        raise StoreError("These settings are not valid: " + "; ".join(problems) + ".")
    return settings_store.save_policy(store, json.dumps(policy.as_dict(), sort_keys=True), company)


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
