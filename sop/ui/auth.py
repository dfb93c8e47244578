"""Who is using this session: the signed-in person, or the one local user.

`current_actor()` is what `sop.ui.readers.store()` binds every write to. Until the
app's sign-in gate has put a signed-in person in the session (`ACTOR`), the session
acts as the person at this machine (`Actor.local_user()`, every role): the app
without sign-in configured, for one person on localhost.
"""

from __future__ import annotations

import streamlit as st

from sop.core.access import Actor

ACTOR = "_sop_actor"


def current_actor() -> Actor:
    """The person this session acts as."""
    actor = st.session_state.get(ACTOR)
    return actor if isinstance(actor, Actor) else Actor.local_user()
