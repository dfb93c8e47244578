"""People acting on a store in tests: an `Actor` with an e-mail address, a name and
the roles given (none: a viewer). `store.as_actor(person(...))` acts as them."""

from __future__ import annotations

from sop.core.access import Actor


def person(name: str, *roles: str) -> Actor:
    """`name` <name@example.com> (lower case, spaces as dots) holding `roles`."""
    email = name.strip().lower().replace(" ", ".") + "@example.com"
    return Actor(email=email, name=name, roles=frozenset(roles))
