"""The Admin page: the people who may sign in, their roles, and who changed them.

Everything here needs `access.USERS` (an admin): anyone else sees why not and whom
to ask. Roles belong to the store (`sop.store.users`), not to one company. Without
sign-in configured the one local user holds every role (so the table can be prepared
before sign-in is switched on): the page says the roles apply once it is.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sop.core import access
from sop.scenario.wording import escape_md
from sop.store import users
from sop.ui import actions, auth, permit, readers, widgets

FLASH = "_adm_flash"
ADD_CLEARED = {"adm_add_email": "", "adm_add_name": "", "adm_add_roles": []}
SECURITY_DOC = "docs/security.md"


def role_words(roles: str | frozenset[str] | list[str]) -> str:
    """The roles of a person in words ("viewer" when none)."""
    names = roles.split(",") if isinstance(roles, str) else list(roles)
    names = [r for r in names if r in access.ROLES]
    return ", ".join(sorted(r.replace("_", " ") for r in names)) or access.VIEWER


def role_label(role: str) -> str:
    """A role as the multiselects show it: its description."""
    return access.ROLES.get(role, role)


def people_view(people: pd.DataFrame) -> pd.DataFrame:
    """`users.people` as the page shows it: email, name, roles in words, last seen,
    last changed by and when."""
    return pd.DataFrame(
        {
            "email": people["email"],
            "name": people["name"],
            "roles": [role_words(r) for r in people["roles"]],
            "last seen (UTC)": people["last_seen"],
            "roles set by": people["changed_by"],
            "roles set at (UTC)": people["changed_at"],
        }
    )


def changes_view(changes: pd.DataFrame) -> pd.DataFrame:
    """`users.changes` with the roles in words (removed: the person was removed)."""
    return pd.DataFrame(
        {
            "changed at (UTC)": changes["changed_at"],
            "changed by": changes["changed_by"],
            "email": changes["email"],
            "roles before": [
                "(new)" if pd.isna(r) else role_words(r) for r in changes["roles_before"]
            ],
            "roles after": [
                "(removed)" if pd.isna(r) else role_words(r) for r in changes["roles_after"]
            ],
        }
    )


WHEN = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")


def _mode_note() -> None:
    actor = auth.current_actor()
    if actor.local:
        st.info(
            "Single-user mode: sign-in is not configured, so this app acts as "
            f"{escape_md(actor.signature)}, who holds every role. The roles below apply "
            f"once sign-in is configured (see `{SECURITY_DOC}`); you can prepare them now.",
            icon=":material/person:",
        )
    else:
        st.caption(
            f"Signed in as {escape_md(actor.signature)}. A role change applies at the "
            "person's next click; a person signing in for the first time arrives as a viewer."
        )


def _add_form() -> None:
    widgets.fresh(ADD_CLEARED)
    with st.form("adm_add_form", border=True):
        st.markdown("**Add a person** (or set the roles of one already listed)")
        c = st.columns([2, 2, 3])
        email = c[0].text_input("E-mail", key="adm_add_email", placeholder="name@company.com")
        name = c[1].text_input("Name (optional)", key="adm_add_name")
        roles = c[2].multiselect(
            "Roles (none: viewer)", list(access.ROLES), key="adm_add_roles", format_func=role_label
        )
        go = st.form_submit_button("Add person", icon=":material/person_add:", key="adm_add_go")
    if not go:
        return
    done = actions.set_roles(email, roles, name)
    if not done.ok:
        return st.error(escape_md(done.message))
    widgets.flash(
        FLASH,
        f"{escape_md(email.strip().lower())} is listed as {role_words(roles)}.",
        clear=ADD_CLEARED,
    )


def _roles_form(people: pd.DataFrame) -> None:
    st.markdown("**Change a person's roles**")
    c = st.columns([2, 3, 1], vertical_alignment="bottom")
    email = c[0].selectbox("Person", list(people["email"]), key="adm_person")
    current = people.set_index("email").at[email, "roles"]
    roles = c[1].multiselect(
        "Roles (none: viewer)",
        list(access.ROLES),
        default=[r for r in str(current or "").split(",") if r in access.ROLES],
        key=f"adm_roles_{email}",  # one box per person: it opens on their roles
        format_func=role_label,
    )
    if c[2].button("Save roles", key="adm_roles_save", type="primary"):
        done = actions.set_roles(email, roles)
        if not done.ok:
            return st.error(escape_md(done.message))
        widgets.flash(FLASH, f"{escape_md(email)} now has the roles: {role_words(roles)}.")
    c = st.columns([2, 3, 1], vertical_alignment="bottom")
    c[1].caption(
        "Removing a person drops their roles; they arrive as a viewer if they sign in again."
    )
    if c[2].button("Remove person", key="adm_remove", icon=":material/person_remove:"):
        done = actions.remove_person(email)
        if not done.ok:
            return st.error(escape_md(done.message))
        widgets.flash(FLASH, f"{escape_md(email)} is removed.")


def page() -> None:
    """The Admin page."""
    st.title("Admin")
    st.caption("Who may sign in, what each person may change, and who changed it.")
    widgets.show_flash(FLASH)
    _mode_note()
    if not permit.allowed(access.USERS):
        return
    people, log = users.people_and_changes(readers.store())
    st.subheader("People and roles")
    if people.empty:
        st.caption("Nobody is listed yet: add a person below, or let them sign in first.")
    else:
        st.dataframe(
            people_view(people),
            hide_index=True,
            key="adm_people",
            column_config={"last seen (UTC)": WHEN, "roles set at (UTC)": WHEN},
        )
    with st.expander("What each role may change", icon=":material/help:"):
        st.markdown("\n".join(f"- {escape_md(text)}" for text in access.ROLES.values()))
    _add_form()
    if not people.empty:
        _roles_form(people)
    st.subheader("Log of role changes")
    if log.empty:
        st.caption("No role has been changed yet.")
    else:
        st.dataframe(
            changes_view(log),
            hide_index=True,
            key="adm_log",
            column_config={"changed at (UTC)": WHEN},
        )
