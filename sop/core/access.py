"""Who may change what: the roles, the actions they allow, and the person acting.

Every write in `sop.store` checks the acting person's roles against `ALLOWED`
(`require`), so a page that forgets to hide a button still cannot write; the
pages hide or disable what the role cannot do and say why (`refusal`).

A person is an `Actor`: the signed-in identity (OpenID Connect, `st.login`) with
the roles the store gives that e-mail address, or, when no sign-in is configured,
the one person at this machine (`Actor.local()`), who holds every role. Every
record carries `Actor.signature`, never a typed name.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field

# --- roles ------------------------------------------------------------------------------
VIEWER = "viewer"
DEMAND_PLANNER = "demand_planner"
SUPPLY_PLANNER = "supply_planner"
FINANCE = "finance"
SOP_OWNER = "sop_owner"
EXECUTIVE = "executive"
DATA_STEWARD = "data_steward"
ADMIN = "admin"

ROLES: dict[str, str] = {
    VIEWER: "Viewer: reads every page, changes nothing",
    DEMAND_PLANNER: "Demand planner: adds and withdraws demand overrides, runs the forecast",
    SUPPLY_PLANNER: "Supply planner: saves the plan settings (capacity, inventory, backlog)",
    FINANCE: "Finance: loads the budget, saves the finance settings (revenue basis, risk bands)",
    SOP_OWNER: "S&OP owner: saves and archives scenarios for the meeting, logs and closes actions",
    EXECUTIVE: "Executive: approves or revokes the plan of record",
    DATA_STEWARD: "Data steward: loads, refreshes and restores datasets, runs the forecast",
    ADMIN: "Admin: gives people their roles",
}

# --- actions ----------------------------------------------------------------------------
OVERRIDE = "override"
FORECAST = "forecast"
PLAN_SETTINGS = "plan_settings"
FINANCE_SETTINGS = "finance_settings"
BUDGET = "budget"
SCENARIO = "scenario"
ACTION_ITEM = "action_item"
APPROVE = "approve"
LOAD = "load"
COMMENT = "comment"
USERS = "users"

ACTIONS: dict[str, str] = {
    OVERRIDE: "add or withdraw a demand override",
    FORECAST: "run the forecast",
    PLAN_SETTINGS: "save the plan settings",
    FINANCE_SETTINGS: "save the finance settings",
    BUDGET: "load a new budget",
    SCENARIO: "save or archive a scenario",
    ACTION_ITEM: "log or close an open question or action",
    APPROVE: "approve or revoke the plan of record",
    LOAD: "load, refresh or restore a dataset",
    COMMENT: "comment",
    USERS: "give people their roles",
}

# role -> the actions it allows (a person may hold several roles)
ALLOWED: dict[str, frozenset[str]] = {
    VIEWER: frozenset(),
    DEMAND_PLANNER: frozenset({OVERRIDE, FORECAST, COMMENT}),
    SUPPLY_PLANNER: frozenset({PLAN_SETTINGS, COMMENT}),
    FINANCE: frozenset({FINANCE_SETTINGS, BUDGET, COMMENT}),
    SOP_OWNER: frozenset({SCENARIO, ACTION_ITEM, COMMENT}),
    EXECUTIVE: frozenset({APPROVE, COMMENT}),
    DATA_STEWARD: frozenset({LOAD, BUDGET, FORECAST, COMMENT}),
    ADMIN: frozenset({USERS, COMMENT}),
}


class AccessDenied(PermissionError):
    """The acting person's roles do not allow this write; the message says which role
    does and whom to ask. Nothing was written."""


def checked_roles(roles) -> frozenset[str]:
    """`roles` as a set of known role names; ValueError naming an unknown one."""
    out = frozenset(str(r).strip() for r in roles if str(r).strip())
    unknown = sorted(out - set(ROLES))
    if unknown:
        raise ValueError(f"unknown role {', '.join(unknown)}; the roles are: {', '.join(ROLES)}")
    return out


@dataclass(frozen=True)
class Actor:
    """A person acting: `email` (the identity, unique), `name` (shown), `roles`.
    `local`: the single user of an app without sign-in, or a command-line user (who
    can open the store file anyway): every role."""

    email: str
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    local: bool = False

    @classmethod
    def local_user(cls) -> Actor:
        """The person at this machine: `SOP_USER` or the login name, every role."""
        who = os.environ.get("SOP_USER", "").strip()
        if not who:
            try:
                who = getpass.getuser()
            except (KeyError, OSError):  # no passwd entry (some containers)
                who = "local user"
        return cls(email="", name=who, roles=frozenset(ROLES), local=True)

    @property
    def signature(self) -> str:
        """What a record says about who made it: "Name <email>", or "name (local)"."""
        if self.local or not self.email:
            return f"{self.name} (local)"
        if self.name and self.name != self.email:
            return f"{self.name} <{self.email}>"
        return self.email

    def can(self, action: str) -> bool:
        """Whether any of the roles allows `action`."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        return any(action in ALLOWED.get(r, frozenset()) for r in self.roles)

    def role_names(self) -> str:
        """The roles in words, for the sidebar ("viewer" when none)."""
        return ", ".join(r.replace("_", " ") for r in sorted(self.roles)) or VIEWER


def roles_allowing(action: str) -> list[str]:
    """The roles that allow `action`, in `ROLES` order."""
    return [r for r in ROLES if action in ALLOWED[r]]


def refusal(actor: Actor, action: str) -> str:
    """Why `actor` may not do `action`, and what to do: shown on the page in place of
    the control and raised by `require`."""
    roles = ", ".join(r.replace("_", " ") for r in roles_allowing(action))
    return (
        f"{actor.signature} ({actor.role_names()}) may not {ACTIONS[action]}: that needs "
        f"the role {roles}. Ask an admin to give you the role (Admin page)."
    )


def require(actor: Actor, action: str) -> None:
    """AccessDenied unless `actor` may do `action`."""
    if not actor.can(action):
        raise AccessDenied(refusal(actor, action))
