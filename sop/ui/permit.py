"""Which write controls this session's person sees.

Every write in `sop` checks the role itself (`sop.core.access.require`), so hiding a
control is for the person, not for safety: someone without the role sees, in place
of the control, why they cannot use it and whom to ask (`allowed`), instead of a
button that would only be refused.
"""

from __future__ import annotations

import streamlit as st

from sop.core import access
from sop.scenario.wording import escape_md
from sop.ui import auth

LOCK = ":material/lock:"


def can(action: str) -> bool:
    """Whether this session's person may do `action` (nothing drawn)."""
    return auth.current_actor().can(action)


def refusal(action: str) -> str:
    """Why this session's person may not do `action`, escaped for Markdown (their name
    and e-mail come from the identity provider)."""
    return escape_md(access.refusal(auth.current_actor(), action))


def allowed(action: str, box=None) -> bool:
    """True when this session's person may do `action`: draw the control. Else the
    refusal note is shown (in `box`, a container or column, when given) and False:
    leave the control out."""
    if can(action):
        return True
    (box or st).info(refusal(action), icon=LOCK)
    return False
