"""The Data page's Database tab through AppTest, on a real PostgreSQL server: the saved
queries are listed and the connection named without its password; a query that writes
is refused and not stored; "Refresh now" finds no change, then loads a changed table as a
new version and fits its forecast; a broken query is refused with the store unchanged."""

from __future__ import annotations

import pytest
import streamlit as st
from pg_server import COMPANY, PLANNER_PASSWORD, good_queries
from streamlit.testing.v1 import AppTest
from tiny import ROOT, snapshot

from sop.core import schema
from sop.store import forecasts as forecast_store
from sop.store import source_queries

APP = str(ROOT / "app.py")


@pytest.fixture
def app(loaded, source):  # the store (SOP_STORE) and the connection (SOP_SOURCE_DSN)
    def open_data() -> AppTest:
        st.cache_data.clear()
        at = AppTest.from_file(APP, default_timeout=180).run()
        assert not at.exception, at.exception
        return at

    return open_data


def _texts(elements) -> str:
    """The elements' text as shown (without the Markdown escapes)."""
    return " ".join(e.value for e in elements).replace("\\", "")


def _refresh(at: AppTest) -> AppTest:
    at.button(key="data_src_refresh").click().run()
    assert not at.exception, at.exception
    return at


def test_queries_listed_and_a_writing_query_refused(app, loaded) -> None:
    at = app()
    listed = next(d.value for d in at.dataframe if "query" in d.value.columns)
    assert set(listed["table"]) >= {schema.SALES, schema.BUDGET}
    assert "erp_monthly_sales" in listed.set_index("table").at[schema.SALES, "query"]
    shown = _texts(at.caption)
    assert "planner@127.0.0.1" in shown and PLANNER_PASSWORD not in shown
    at.selectbox(key="data_src_table").set_value(schema.BUDGET).run()
    at.text_area(key=f"data_src_query_{schema.BUDGET}").set_value("DELETE FROM src_budget")
    at.button(key="data_src_save").click().run()
    assert "may only read" in _texts(at.error)
    assert "DELETE" not in source_queries.queries(loaded, COMPANY)[schema.BUDGET]
    good = "SELECT * FROM src_budget WHERE units > 0"
    at.text_area(key=f"data_src_query_{schema.BUDGET}").set_value(good)
    at.button(key="data_src_save").click().run()
    assert not at.exception, at.exception
    assert source_queries.queries(loaded, COMPANY)[schema.BUDGET] == good
    assert "Saved the `budget` query" in _texts(at.success)


def test_refresh_now_no_change_then_a_new_version(app, loaded, erp) -> None:
    at = app()
    before = snapshot(loaded)
    _refresh(at)
    assert "No change since version 1" in _texts(at.info)
    assert snapshot(loaded) == before
    erp.execute("UPDATE erp_monthly_sales SET qty = qty + 5 WHERE region = 'North'")
    _refresh(at)
    assert "Loaded version 2 from the database" in _texts(at.success)
    assert "forecast is stored" in _texts(at.success)
    assert loaded.active().version == 2
    assert forecast_store.find_run(loaded, 2) is not None


def test_refresh_now_refused_changes_nothing(app, loaded) -> None:
    source_queries.save(loaded, COMPANY, schema.SALES, "SELECT * FROM erp_sales_2031")
    at = app()
    before = snapshot(loaded)
    _refresh(at)
    errors = _texts(at.error)
    assert "the store is unchanged" in errors and "erp_sales_2031" in errors
    assert snapshot(loaded) == before


@pytest.fixture
def first_app(store, source):  # an empty store (SOP_STORE) and the connection
    def open_data() -> AppTest:
        st.cache_data.clear()
        at = AppTest.from_file(APP, default_timeout=180).run()
        assert not at.exception, at.exception
        return at

    return open_data


def _keys(elements) -> set:
    return {e.key for e in elements}


def test_a_first_refresh_from_an_empty_store_for_a_typed_company(first_app, store) -> None:
    at = first_app()
    assert "No dataset is loaded yet" in at.info[0].value
    assert at.text_input(key="data_src_company").value == ""  # no company has queries yet
    assert "data_src_refresh" not in _keys(at.button)  # nothing to run for no company
    at.text_input(key="data_src_company").set_value("  Acme Ltd ").run()
    listed = next(d.value for d in at.dataframe if "query" in d.value.columns)
    assert set(listed["query"]) == {"(none: left out)"}
    assert at.button(key="data_src_refresh").disabled  # no query saved yet
    assert "Saved queries of `Acme Ltd`" in _texts(at.caption)
    at.selectbox(key="data_src_table").set_value(schema.SALES).run()
    sales_query = good_queries()[schema.SALES]
    at.text_area(key=f"data_src_query_{schema.SALES}").set_value(sales_query)
    at.button(key="data_src_save").click().run()
    assert not at.exception, at.exception
    assert source_queries.queries(store, "Acme Ltd") == {schema.SALES: sales_query}
    assert store.active() is None
    _refresh(at)
    info = store.active()
    assert info is not None and info.version == 1 and info.company == "Acme Ltd"
    assert set(store.tables(1)) >= {schema.SALES}
    assert forecast_store.find_run(store, 1) is not None
    said = _texts(at.success)  # on the page's first tab, not only in the Database tab
    assert "Loaded version 1 from the database" in said and "forecast is stored" in said
    assert [m.value for m in at.metric][2] == "v1"  # the page of a loaded dataset


def test_the_company_with_saved_queries_is_offered_and_loads_every_table(first_app, store) -> None:
    source_queries.set_all(store, COMPANY, good_queries())  # python -m sop source
    at = first_app()
    assert at.text_input(key="data_src_company").value == COMPANY
    listed = next(d.value for d in at.dataframe if "query" in d.value.columns)
    assert "erp_monthly_sales" in listed.set_index("table").at[schema.SALES, "query"]
    at.selectbox(key="data_src_table").set_value(schema.SALES).run()
    editor = f"data_src_query_{schema.SALES}"
    assert "erp_monthly_sales" in at.text_area(key=editor).value
    at.text_input(key="data_src_company").set_value("Other").run()  # its own (no) queries
    assert at.text_area(key=editor).value == ""
    assert at.button(key="data_src_refresh").disabled
    at.text_input(key="data_src_company").set_value(COMPANY).run()
    assert "erp_monthly_sales" in at.text_area(key=editor).value
    _refresh(at)
    info = store.active()
    assert info is not None and info.version == 1 and info.company == COMPANY
    assert set(store.tables(1)) == set(good_queries())


def test_a_refused_first_refresh_leaves_the_store_empty(first_app, store) -> None:
    source_queries.save(store, "Acme", schema.SALES, "SELECT * FROM erp_sales_2031")
    at = first_app()
    assert at.text_input(key="data_src_company").value == "Acme"
    _refresh(at)
    errors = _texts(at.error)
    assert "the store is unchanged" in errors and "erp_sales_2031" in errors
    assert store.active() is None and store.datasets().empty
    assert "No dataset is loaded yet" in at.info[0].value  # still the empty page
