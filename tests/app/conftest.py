"""AppTest fixtures: one way to open the app, on the scratch store the test set up."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from tiny import ROOT

APP = str(ROOT / "app.py")
TIMEOUT = 120  # seconds one script run may take: a forecast or a plan on a slow machine


@pytest.fixture
def open_app() -> Callable[..., AppTest]:
    """`open_app(page=None, query=None, timeout=TIMEOUT)` runs app.py, puts `query` in the
    URL, switches to `page` when given, checks nothing raised and returns the AppTest.

    Each call empties the data cache: a test that opens the app a second time, after
    changing the store, must not see the figures cached by the first opening."""

    def open_page(
        page: str | None = None, query: dict | None = None, timeout: float = TIMEOUT
    ) -> AppTest:
        st.cache_data.clear()
        at = AppTest.from_file(APP, default_timeout=timeout).run()
        at.query_params.update(query or {})
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return open_page
