"""AppTest fixtures: one way to open the app, on the scratch store the test set up."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import streamlit as st
from demand_helpers import PLAN_MONTHS, SETTINGS, fake_values, loaded_store, store_fake_run
from streamlit.testing.v1 import AppTest
from tiny import ROOT

from sop.store import Store, users

APP = str(ROOT / "app.py")
TIMEOUT = 120  # seconds one script run may take: a forecast or a plan on a slow machine
# sign-in configured (`sop.ui.auth`): AppTest's `at.user` then plays the identity provider
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-enough-cookie-secret-for-the-tests",
    "client_id": "sop",
    "client_secret": "s3cret",
    "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration",
}


@pytest.fixture
def open_app() -> Callable[..., AppTest]:
    """`open_app(page=None, query=None, timeout=TIMEOUT)` runs app.py, puts `query` in the
    URL, switches to `page` when given, checks nothing raised and returns the AppTest.

    Each call empties the data and resource caches: a test that opens the app a second time, after
    changing the store, must not see the figures cached by the first opening."""

    def open_page(
        page: str | None = None, query: dict | None = None, timeout: float = TIMEOUT
    ) -> AppTest:
        st.cache_data.clear()
        st.cache_resource.clear()  # the shared tables and the evaluation cache
        at = AppTest.from_file(APP, default_timeout=timeout).run()
        at.query_params.update(query or {})
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return open_page


@pytest.fixture
def open_as() -> Callable[..., AppTest]:
    """`open_as(roles, page=None, email="pat@example.com", name="Pat Doe")`: the app with
    sign-in configured and `email` signed in, holding `roles` (given in the store first,
    as an admin would; no role: a viewer); switched to `page` when given. Checks nothing
    raised and returns the AppTest (its next runs stay signed in as that person)."""

    def open_page(
        roles, page: str | None = None, email: str = "pat@example.com", name: str = "Pat Doe"
    ) -> AppTest:
        users.set_roles(Store(), email, roles, name)  # the local user holds every role
        st.cache_data.clear()
        st.cache_resource.clear()  # the shared tables and the evaluation cache
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.secrets.update({"auth": AUTH})
        at.user = {"is_logged_in": True, "email": email, "name": name}
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return open_page


@pytest.fixture
def forecast(store: Store) -> Store:
    """The tiny dataset loaded, with a stored 18-month statistical run (fake values)."""
    loaded_store(store)
    store_fake_run(
        store,
        settings=dataclasses.replace(SETTINGS, horizon=18),
        values=fake_values(months=PLAN_MONTHS),
    )
    return store
