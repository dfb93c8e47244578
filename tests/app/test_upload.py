"""The Data page's upload through AppTest: a file that is no table is refused and makes
no version; the notes of an upload survive a rerun; the mapping step maps `Date`,
`Item`, `qty`, loads, saves the mapping for the company and fits the forecast."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from tiny import tiny_tables

from sop.core import schema
from sop.data.validate import check_tables
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store, column_maps
from sop.store import decisions as decision_log
from sop.store import forecasts as forecast_store
from sop.store import scenarios as scenario_store
from sop.ui import actions, upload

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def loaded(store: Store) -> Store:
    store.load(check_tables(tiny_tables()).tables, name="tiny")
    return store


def _sales_csv(header: dict[str, str] | None = None, sep: str = ",", bump: float = 0) -> bytes:
    sales = tiny_tables()[schema.SALES]
    sales = sales.assign(
        **{
            schema.MONTH: sales[schema.MONTH].dt.strftime("%Y-%m"),
            schema.UNITS: sales[schema.UNITS] + bump,
        }
    )
    return sales.rename(columns=header or {}).to_csv(index=False, sep=sep).encode()


def _upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader(key="data_upload_files").set_value([(n, b, "text/csv") for n, b in files])
    at.run()
    at.button(key="data_upload_go").click().run()
    assert not at.exception, at.exception
    return at


def _texts(elements) -> str:
    return " ".join(e.value for e in elements)


@pytest.mark.parametrize(
    "name, data",
    [("photo.csv", PNG), ("notes.txt", b"just a note\nnothing tabular here\n")],
    ids=["image named csv", "text that is no table"],
)
def test_a_file_that_is_no_table_is_refused_and_makes_no_version(
    loaded: Store, open_app, name: str, data: bytes
) -> None:
    at = open_app()
    assert at.checkbox(key="data_upload_keep").value  # tables not uploaded would be kept
    at.text_input(key="data_upload_name").set_value("renamed")
    _upload(at, (name, data))
    errors = _texts(at.error)
    assert name in errors and "Nothing was loaded" in errors
    assert not at.success
    assert len(loaded.datasets()) == 1 and loaded.active().version == 1
    assert loaded.active().name == "tiny"  # the name changes only with a real load
    at.run()  # still said after a rerun
    assert "Nothing was loaded" in _texts(at.error)


def test_notes_of_an_upload_survive_a_rerun_and_the_forecast_is_stored(
    loaded: Store, open_app
) -> None:
    at = open_app()
    _upload(at, ("sales.csv", _sales_csv(sep=";", bump=1)))
    assert "version 2" in at.success[0].value
    assert forecast_store.find_run(loaded, 2) is not None  # fitted right after the load
    assert "semicolons" in _texts(at.warning)
    at.run()
    at.run()
    assert not at.success  # the flash is shown once
    assert "semicolons" in _texts(at.warning)  # the notes stay until the next upload
    assert "version 2" in _texts(at.markdown)


def test_the_mapping_step_maps_loads_remembers_and_forecasts(loaded: Store, open_app) -> None:
    header = {
        schema.MONTH: "Date",
        schema.SKU: "Item",
        schema.REGION: "Region",
        schema.UNITS: "qty",
    }
    data = _sales_csv(header, bump=2)
    at = open_app()
    _upload(at, ("sales.csv", data))
    assert "`Date` looks like it" in _texts(at.error)
    assert len(loaded.datasets()) == 1
    month = at.selectbox(key="data_map_col_sales__month")
    assert month.value == "Date"  # the suggestion is preselected
    assert at.selectbox(key="data_map_col_sales__sku").value == "Item"
    at.selectbox(key="data_map_col_sales__units").set_value("qty")
    at.button(key="data_map_go").click().run()
    assert not at.exception, at.exception
    assert "version 2" in at.success[0].value
    info = loaded.active()
    assert info.version == 2
    assert forecast_store.find_run(loaded, 2) is not None
    saved = column_maps.for_company(loaded, info.company)
    assert saved[schema.SALES] == {"Date": schema.MONTH, "Item": schema.SKU, "qty": schema.UNITS}
    notes = _texts(at.warning)
    assert "`Date` was read as `month`" in notes and "saved for" in notes

    # the company's next upload is read the same way, with a note saying so
    at = open_app()
    _upload(at, ("sales.csv", _sales_csv(header, bump=3)))
    assert "version 3" in at.success[0].value
    assert "the mapping saved for" in _texts(at.warning)


def test_a_file_named_otherwise_is_assigned_then_its_date_order_chosen(
    loaded: Store, open_app
) -> None:
    sales = tiny_tables()[schema.SALES]
    data = sales.assign(
        **{schema.MONTH: sales[schema.MONTH].dt.strftime("%d/%m/%Y")}  # 01/03/2024: either way
    ).to_csv(index=False)
    at = open_app()
    _upload(at, ("export 2025.csv", data.encode()))
    assert "look like the `sales` table" in _texts(at.error)
    assign = at.selectbox(key="data_assign_0")
    assert assign.value == schema.SALES  # the guess from its columns is preselected
    at.button(key="data_map_go").click().run()
    assert not at.exception, at.exception
    assert "could be day/month or month/day (e.g. 01/01/2024)" in _texts(at.error)
    assert len(loaded.datasets()) == 1
    at.radio(key="data_date_order").set_value(next(iter(upload.ORDERS)))
    at.button(key="data_map_go").click().run()
    assert not at.exception, at.exception
    assert "version 2" in at.success[0].value
    assert "read day first (dd/mm/yyyy): as chosen" in _texts(at.warning)
    assert forecast_store.find_run(loaded, 2) is not None


def test_one_workbook_loads_into_an_empty_store(store: Store, open_app) -> None:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for name, df in tiny_tables().items():
            df.to_excel(w, sheet_name=name.replace("_", " ").title(), index=False)
    at = open_app()
    assert not at.checkbox(key="data_upload_keep").value  # nothing to keep yet
    _upload(at, ("Tiny plan.xlsx", buf.getvalue()))
    assert "version 1" in at.success[0].value
    info = store.active()
    assert info.version == 1 and info.name == "upload"
    assert forecast_store.find_run(store, 1) is not None


def test_a_load_of_another_company_says_what_stays_behind(loaded: Store, open_app) -> None:
    for name in ("Push", "Hold"):
        saved_scenarios.save(loaded, name, Levers(demand_pct=10.0))
    decision_log.add_item(
        loaded, pd.Timestamp("2026-01-01"), "action", "Confirm it", "Cleo", "2026-01-15"
    )
    company = pd.DataFrame(
        {"company_name": ["Other *Co*"], "currency": ["EUR"], "as_of_month": ["2025-12"]}
    )
    files = [("sales.csv", _sales_csv(bump=1)), ("company.csv", company.to_csv(index=False))]
    at = open_app()
    at.file_uploader(key="data_upload_files").set_value(
        [(n, b if isinstance(b, bytes) else b.encode(), "text/csv") for n, b in files]
    )
    at.run()
    assert not at.exception, at.exception
    said = _texts(at.warning)
    assert (
        "This is company `Other *Co*`, not `tiny` (the active dataset's): the saved items of "
        "company `tiny` (2 saved scenarios, 1 decision-log entry) stay with `tiny` and are not "
        "shown while `Other *Co*` is active" in said
    )
    assert len(loaded.datasets()) == 1  # said before anything is loaded
    at.button(key="data_upload_go").click().run()
    assert not at.exception, at.exception
    assert loaded.active().company == "Other *Co*"
    at.run()  # the notes stay after the flash
    notes = _texts(at.warning)
    assert "Company changed: the data loaded is company `Other *Co*`, not `tiny`" in notes
    assert "(2 saved scenarios, 1 decision-log entry) stay with `tiny`" in notes
    assert "This is company" not in notes  # the uploader's files are the active company now
    assert scenario_store.list_scenarios(loaded, include_archived=True).empty  # Other Co's


def test_a_refresh_of_the_same_company_says_nothing_about_companies(
    loaded: Store, open_app
) -> None:
    saved_scenarios.save(loaded, "Push", Levers(demand_pct=10.0))
    at = open_app()
    at.file_uploader(key="data_upload_files").set_value(
        [("sales.csv", _sales_csv(bump=1), "text/csv")]
    )
    at.run()
    assert "company" not in _texts(at.warning).lower()
    at.button(key="data_upload_go").click().run()
    at.run()
    assert loaded.active().version == 2 and loaded.active().company == "tiny"
    assert "Company changed" not in _texts(at.warning)


def test_a_submitted_mapping_step_leaves_the_screen_while_it_loads(
    loaded: Store, open_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once "Apply and load" is pressed, the findings ("Nothing was loaded") and the form
    are gone for the rest of the run: they would contradict the load in progress, and a
    second click would stop it half-way. Here the load itself fails, so the run ends on
    the screen the planner sees during a load, with the store's refusal."""
    header = {schema.MONTH: "Date", schema.SKU: "Item", schema.UNITS: "qty"}
    at = open_app()
    _upload(at, ("sales.csv", _sales_csv(header, bump=2)))
    assert "Nothing was loaded: 3 error(s)" in _texts(at.error)
    monkeypatch.setattr(
        "sop.ui.actions.load", lambda *a, **k: actions.Outcome(False, "the store is busy")
    )
    at.button(key="data_map_go").click().run()
    assert not at.exception, at.exception
    assert _texts(at.error) == "the store is busy"
    assert not [b for b in at.button if b.key == "data_map_go"]
    assert len(loaded.datasets()) == 1


def test_a_second_click_on_the_same_files_loads_nothing_more(loaded: Store, open_app) -> None:
    at = open_app()
    _upload(at, ("sales.csv", _sales_csv(bump=1)))
    assert loaded.active().version == 2
    at.button(key="data_upload_go").click().run()  # the same files again
    assert not at.exception
    assert "already loaded as version 2" in _texts(at.info)
    assert len(loaded.datasets()) == 2 and loaded.active().version == 2


def test_a_load_whose_forecast_was_interrupted_is_fitted_on_the_next_run(
    loaded: Store, open_app
) -> None:
    """A click during the load stops the run after the load, before the forecast: the
    next run of the page fits it."""
    at = open_app()
    assert forecast_store.find_run(loaded, 1) is None
    at.session_state[upload.UNFITTED] = 1
    at.run()
    assert not at.exception
    assert forecast_store.find_run(loaded, 1) is not None
    assert "forecast of version 1 is stored" in _texts(at.success)
    at.run()  # once only
    assert not at.success
