"""`python -m sop users`: who may sign in to the app, and with which roles.

`list` the people, `set EMAIL --role R ...` give someone exactly these roles (no
`--role`: viewer), `remove EMAIL`, `log` the changes of roles. The command line acts
as the person at this machine (`Actor.local_user()`: $SOP_USER, else the login name),
who holds every role: whoever can run a shell here can open the store file anyway, so
the roles guard the app, not the file (docs/security.md).

Exit codes: 0 done, 1 nothing to do (an unknown person to remove), 2 bad input (an
e-mail address or a role that is not valid: the message lists the roles).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sop.core import access
from sop.store import Store, users

LOCAL_NOTE = (
    "The command line acts as the person at this machine ($SOP_USER, else your login "
    "name) with every role: anyone with a shell here can open the store file anyway, so "
    "roles guard the app, not the file. The roles: " + ", ".join(access.ROLES) + "."
)


def _role_name(text: str) -> str:
    """A role as typed ("Demand planner", "demand-planner") as its name in `access.ROLES`."""
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def _when(value: object) -> str:
    if value is None or pd.isna(value):
        return "never"
    return f"{pd.Timestamp(value):%Y-%m-%d %H:%M} UTC"


def _roles(text: object) -> str:
    return str(text or "").replace(",", ", ").replace("_", " ") or access.VIEWER


def list_people(args: argparse.Namespace) -> int:
    """0: the people, one a line (or a sentence when there is none)."""
    df = users.people(Store(args.store))
    if df.empty:
        print(
            "Nobody has signed in or been given a role yet. Give a person a role with "
            "`python -m sop users set EMAIL --role ROLE`."
        )
        return 0
    shown = pd.DataFrame(
        {
            "email": df["email"],
            "name": df["name"],
            "roles": df["roles"].map(_roles),
            "last seen": df["last_seen"].map(_when),
        }
    )
    print(shown.to_string(index=False))
    return 0


def set_roles(args: argparse.Namespace) -> int:
    """0 when the person has exactly the roles given; 2 for a bad e-mail or role."""
    wanted = [_role_name(r) for r in (args.role or [])]
    unknown = [r for r in wanted if r not in access.ROLES]
    if unknown:
        print(
            f"ERROR    unknown role {', '.join(unknown)}: give --role one of "
            f"{', '.join(access.ROLES)} (repeat --role for several).",
            file=sys.stderr,
        )
        return 2
    roles = {r for r in wanted if r != access.VIEWER}  # viewer: no role that changes things
    store = Store(args.store)
    users.set_roles(store, args.email, roles, name=args.name or "")
    email = users.checked_email(args.email)
    print(f"{email} now has the roles: {_roles(','.join(sorted(roles)))}.")
    return 0


def remove(args: argparse.Namespace) -> int:
    """0 when removed, 1 when the address was not known."""
    store = Store(args.store)
    email = users.checked_email(args.email)
    if not users.remove(store, email):
        print(
            f"{email} is not known; nothing was removed. `python -m sop users list` shows who is."
        )
        return 1
    print(f"Removed {email}; they sign in as a new viewer next time.")
    return 0


def log(args: argparse.Namespace) -> int:
    """0: every change of roles, newest first."""
    df = users.changes(Store(args.store))
    if df.empty:
        print("No role has been changed yet.")
        return 0
    shown = pd.DataFrame(
        {
            "when": df["changed_at"].map(_when),
            "by": df["changed_by"],
            "email": df["email"],
            "before": df["roles_before"].map(lambda r: "(new)" if pd.isna(r) else _roles(r)),
            "after": df["roles_after"].map(lambda r: "(removed)" if pd.isna(r) else _roles(r)),
        }
    )
    print(shown.to_string(index=False))
    return 0


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """`users list|set|remove|log`."""
    u = add_parser(
        "users",
        help="list the people who may sign in to the app, give them roles, remove them",
        epilog=LOCAL_NOTE,
    )
    sub = u.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    s = sub.add_parser("list", help="everyone known: e-mail, name, roles, last seen")
    s.set_defaults(func=list_people)
    s = sub.add_parser(
        "set",
        help="give a person exactly these roles (adding them when new)",
        description="Give EMAIL exactly the roles given (none: viewer). " + LOCAL_NOTE,
    )
    s.add_argument("email", metavar="EMAIL", help="the address the person signs in with")
    s.add_argument(
        "--role",
        action="append",
        metavar="ROLE",
        help=f"a role, repeat for several: {', '.join(access.ROLES)} (default: viewer)",
    )
    s.add_argument("--name", default=None, help="the name shown until they sign in")
    s.set_defaults(func=set_roles)
    s = sub.add_parser("remove", help="remove a person (a new viewer if they sign in again)")
    s.add_argument("email", metavar="EMAIL")
    s.set_defaults(func=remove)
    s = sub.add_parser("log", help="every change of roles, newest first")
    s.set_defaults(func=log)
    for p in sub.choices.values():  # `users list --store x.duckdb` as well as `users --store`
        p.add_argument("--store", type=Path, default=argparse.SUPPRESS, help="DuckDB store file")
