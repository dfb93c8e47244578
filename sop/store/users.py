"""The people who may sign in, and their roles (`sop.core.access`).

One row per e-mail address: the name last seen, the roles, who gave them and when,
when the person last signed in. Roles belong to the store (the whole organisation),
not to one company. A person signing in for the first time is added as a viewer,
so an admin sees them on the Admin page and can give them a role. `bootstrap`
addresses (the `[sop] admins` list of `.streamlit/secrets.toml`) are admins on
their first sign-in, so a new installation has someone who can give roles. Every
change is checked (`access.USERS`) and logged in `user_changes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pandas as pd

from sop.core import access
from sop.core.access import Actor
from sop.store.connection import StoreError, register_ddl
from sop.store.core import Store

register_ddl(
    "users",
    "CREATE TABLE IF NOT EXISTS users (email VARCHAR PRIMARY KEY, name VARCHAR NOT NULL,"
    " roles VARCHAR NOT NULL, changed_by VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL,"
    " last_seen TIMESTAMP)",
    "CREATE SEQUENCE IF NOT EXISTS user_change_ids START 1",
    "CREATE TABLE IF NOT EXISTS user_changes (change_id BIGINT PRIMARY KEY,"
    " changed_at TIMESTAMP NOT NULL, changed_by VARCHAR NOT NULL, email VARCHAR NOT NULL,"
    " roles_before VARCHAR, roles_after VARCHAR)",
)

MAX_EMAIL = 320


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def checked_email(email: str) -> str:
    """`email` trimmed and lower-cased; StoreError unless it looks like an address."""
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > MAX_EMAIL or any(c.isspace() for c in email):
        raise StoreError(
            f"{email!r} is not an e-mail address: give the address the person signs in with."
        )
    return email


def _roles_text(roles: Iterable[str]) -> str:
    return ",".join(sorted(roles))


def _roles_of(text: str | None) -> frozenset[str]:
    return frozenset(r for r in (text or "").split(",") if r in access.ROLES)


def _change(con, store: Store, email: str, before: str | None, after: str | None) -> None:
    cid = con.execute("SELECT nextval('user_change_ids')").fetchone()[0]
    con.execute(
        "INSERT INTO user_changes VALUES (?, ?, ?, ?, ?, ?)",
        [cid, _now(), store.actor.signature, email, before, after],
    )


def signed_in(store: Store, email: str, name: str, bootstrap: Iterable[str] = ()) -> Actor:
    """The `Actor` for a person who has just signed in as `email`: their roles from the
    store; a first sign-in is recorded as a viewer (an admin when `email` is in
    `bootstrap`). Records the time seen and the name the identity provider gave."""
    email = checked_email(email)
    name = (name or "").strip()[:200] or email
    admins = {e.strip().lower() for e in bootstrap}
    with store.transaction() as con:
        row = con.execute("SELECT roles FROM users WHERE email = ?", [email]).fetchone()
        if row is None:
            roles = frozenset({access.ADMIN}) if email in admins else frozenset()
            con.execute(
                "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                [email, name, _roles_text(roles), "first sign-in", _now(), _now()],
            )
        else:
            roles = _roles_of(row[0])
            con.execute(
                "UPDATE users SET name = ?, last_seen = ? WHERE email = ?", [name, _now(), email]
            )
    return Actor(email=email, name=name, roles=roles)


def set_roles(store: Store, email: str, roles: Iterable[str], name: str = "") -> None:
    """Give `email` exactly `roles` (an empty set: viewer), adding the person when new.
    Refused unless the acting person may manage users, and when it would leave the
    store with no admin while people sign in."""
    access.require(store.actor, access.USERS)
    email = checked_email(email)
    try:
        wanted = access.checked_roles(roles)
    except ValueError as exc:
        raise StoreError(str(exc)) from exc
    with store.transaction() as con:
        row = con.execute("SELECT roles FROM users WHERE email = ?", [email]).fetchone()
        before = row[0] if row is not None else None
        if (
            access.ADMIN in _roles_of(before)
            and access.ADMIN not in wanted
            and not _other_admins(con, email)
        ):
            raise StoreError(
                f"{email} is the last admin: give another person the admin role first, "
                "or nobody could give roles any more."
            )
        if row is None:
            con.execute(
                "INSERT INTO users VALUES (?, ?, ?, ?, ?, NULL)",
                [
                    email,
                    (name or "").strip()[:200] or email,
                    _roles_text(wanted),
                    store.actor.signature,
                    _now(),
                ],
            )
        else:
            con.execute(
                "UPDATE users SET roles = ?, changed_by = ?, changed_at = ? WHERE email = ?",
                [_roles_text(wanted), store.actor.signature, _now(), email],
            )
        _change(con, store, email, before, _roles_text(wanted))


def remove(store: Store, email: str) -> bool:
    """Remove `email` (they sign in as a new viewer next time); False when unknown.
    Refused as `set_roles` is."""
    access.require(store.actor, access.USERS)
    email = checked_email(email)
    with store.transaction() as con:
        row = con.execute("SELECT roles FROM users WHERE email = ?", [email]).fetchone()
        if row is None:
            return False
        if access.ADMIN in _roles_of(row[0]) and not _other_admins(con, email):
            raise StoreError(
                f"{email} is the last admin: give another person the admin role first."
            )
        con.execute("DELETE FROM users WHERE email = ?", [email])
        _change(con, store, email, row[0], None)
    return True


def _other_admins(con, email: str) -> int:
    rows = con.execute("SELECT roles FROM users WHERE email <> ?", [email]).fetchall()
    return sum(access.ADMIN in _roles_of(r[0]) for r in rows)


def roles_of(store: Store, email: str) -> frozenset[str]:
    """The roles the store gives `email` (empty: viewer or unknown)."""
    with store.connect() as con:
        row = con.execute(
            "SELECT roles FROM users WHERE email = ?", [(email or "").strip().lower()]
        ).fetchone()
    return _roles_of(row[0] if row else None)


PEOPLE_SQL = (
    "SELECT email, name, roles, changed_by, changed_at, last_seen FROM users ORDER BY email"
)
CHANGES_SQL = (
    "SELECT changed_at, changed_by, email, roles_before, roles_after FROM user_changes "
    "ORDER BY change_id DESC"
)


def people(store: Store) -> pd.DataFrame:
    """Everyone known, by e-mail: email, name, roles (comma-separated), changed_by,
    changed_at, last_seen."""
    with store.connect() as con:
        return con.execute(PEOPLE_SQL).df()


def changes(store: Store) -> pd.DataFrame:
    """Every change of roles, newest first: changed_at, changed_by, email, roles_before,
    roles_after."""
    with store.connect() as con:
        return con.execute(CHANGES_SQL).df()


def people_and_changes(store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(`people`, `changes`) read through one connection, as the Admin page shows them
    on every run: opening the store file costs more than both queries."""
    with store.connect() as con:
        return con.execute(PEOPLE_SQL).df(), con.execute(CHANGES_SQL).df()
