"""Routing: app.py marks the session, and every page checks it first."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

ROUTED = "_sop_routed"


def mark_routed() -> None:
    """app.py calls this: the session has been through the router."""
    st.session_state[ROUTED] = True


def home_page(target: st.Page, title: str) -> st.Page:
    """The app's root (`/`): a hidden default page that sends the visitor on to
    `target`. Streamlit serves its default page at `/` only, so a visible default
    page would answer "Page not found" at its own address (say /data)."""

    def home() -> None:
        st.switch_page(target)

    return st.Page(home, title=title, url_path="home", default=True, visibility="hidden")


def through_router() -> None:
    """Call first in every page. On a fresh server Streamlit runs a page opened by
    its URL (say /supply) without app.py, in its legacy `pages/` mode: no theme
    settings, no sidebar. Leave that mode and rerun, so app.py's st.navigation
    routes to the same page. (A session app.py has already routed is left alone:
    AppTest re-enters that legacy mode on every run.)"""
    if PagesManager.uses_pages_directory and not st.session_state.get(ROUTED):
        PagesManager.uses_pages_directory = False
        st.rerun()
