"""Pages through Streamlit's AppTest: every page renders, widgets found by key."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from tiny import full_calendar, tiny_tables

from sop.core import schema
from sop.data.validate import check_tables
from sop.store import Store

PAGES = [
    "pages/data.py",
    "pages/demand.py",
    "pages/supply.py",
    "pages/executive.py",
    "pages/finance.py",
    "pages/admin.py",
]


@pytest.fixture
def loaded(store: Store) -> Store:
    store.load(check_tables(tiny_tables()).tables, name="tiny")
    return store


def _frame_with(at: AppTest, column: str):
    """The first dataframe on screen that has `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(loaded: Store, page: str, open_app) -> None:
    open_app(page)  # it checks that nothing raised


def test_data_page_shows_the_dataset_and_counts(loaded: Store, open_app) -> None:
    at = open_app()
    assert not at.exception
    assert at.title[0].value == "Data gathering"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Dataset"] == "tiny"
    assert metrics["Actuals up to (as-of month)"] == "Dec 2025"
    assert metrics["Version"] == "v1"
    overview = at.table[0].value.set_index("Table")  # a table: its descriptions wrap
    tiny = tiny_tables()
    assert overview.at[schema.SALES, "Rows"] == f"{len(tiny[schema.SALES]):,}"
    assert overview.at[schema.PRODUCTS, "Rows"] == "3"
    assert overview.at[schema.SALES, "Months"] == "24"
    assert overview.at[schema.PROMOTIONS, "Rows"] == "0"
    assert overview.at[schema.SALES, "Required"] == "required"
    checks = _frame_with(at, "check")
    # tiny's calendar stops 12 months after the as-of month, short of an 18-month plan
    warned = checks.loc[checks["status"] != "✔ pass", "check"]
    assert set(warned) == {"Capacity covers the plan horizon"}
    assert set(checks.loc[checks["status"] != "✔ pass", "status"]) == {"⚠ warning"}


def test_data_page_with_empty_store_offers_upload(store: Store, open_app) -> None:
    at = open_app()
    assert not at.exception
    assert "No dataset is loaded yet" in at.info[0].value


def test_data_page_drills_into_a_warning(store: Store, open_app) -> None:
    tables = full_calendar(tiny_tables())
    sales = tables[schema.SALES]
    tables[schema.SALES] = sales[
        ~(
            (sales[schema.SKU] == "B1")
            & (sales[schema.REGION] == "South")
            & (
                sales[schema.MONTH]
                == sales[schema.MONTH].min() + __import__("pandas").DateOffset(months=5)
            )
        )
    ]
    store.load(check_tables(tables).tables, name="gappy")
    at = open_app()
    checks = _frame_with(at, "check")
    assert checks["status"].iloc[0] == "⚠ warning"  # a mark and a word, not colour alone
    assert checks["check"].iloc[0] == "History has no gaps"
    drill = at.selectbox(key="data_drill")
    assert "sales: History has no gaps" in drill.format_func(drill.value)
    assert any("B1/South" in w.value for w in at.warning)
    assert len(at.help) == 0  # no stray expression printed by Streamlit magic


def test_data_page_measure_toggle_switches_to_revenue(loaded: Store, open_app) -> None:
    at = open_app()
    at.segmented_control(key="data_measure").set_value(schema.REVENUE).run()
    assert not at.exception
    assert at.segmented_control(key="data_measure").value == schema.REVENUE


def test_restore_from_the_page(loaded: Store, open_app) -> None:
    loaded.load(check_tables(tiny_tables()).tables, name="second")
    at = open_app()
    assert {m.label: m.value for m in at.metric}["Dataset"] == "second"
    at.selectbox(key="data_restore").set_value(1).run()
    at.button(key="data_restore_go").click().run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Dataset"] == "tiny"
    assert loaded.active().version == 1


def _csv(df) -> bytes:
    out = df.copy()
    for c in out.columns:
        if hasattr(out[c], "dt"):
            out[c] = out[c].dt.strftime("%Y-%m")
    return out.to_csv(index=False).encode()


def test_upload_with_an_error_changes_nothing(loaded: Store, open_app) -> None:
    sales = tiny_tables()[schema.SALES]
    sales.loc[3, schema.UNITS] = -7
    at = open_app()
    at.file_uploader(key="data_upload_files").set_value(("sales.csv", _csv(sales), "text/csv"))
    at.run()
    at.button(key="data_upload_go").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "sales.csv, column `units`: 1 row is negative: row 4" in errors
    assert "Nothing was loaded" in errors
    assert loaded.active().version == 1 and len(loaded.datasets()) == 1


def test_good_upload_of_one_table_becomes_the_active_dataset(loaded: Store, open_app) -> None:
    sales = tiny_tables()[schema.SALES]
    sales[schema.UNITS] = sales[schema.UNITS] + 1
    at = open_app()
    at.file_uploader(key="data_upload_files").set_value(("sales.csv", _csv(sales), "text/csv"))
    at.run()
    at.text_input(key="data_upload_name").set_value("december refresh")
    at.button(key="data_upload_go").click().run()
    assert not at.exception
    assert "version 2" in at.success[0].value
    info = loaded.active()
    assert (info.version, info.name) == (2, "december refresh")
    stored = loaded.tables()
    assert stored[schema.SALES][schema.UNITS].sum() == sales[schema.UNITS].sum()
    assert len(stored[schema.PRODUCTS]) == 3
