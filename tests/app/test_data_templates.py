"""The Data page offers the Excel template and the demo workbook, before any data is
loaded (the empty store) and on the Load data tab."""

from __future__ import annotations

from demand_helpers import loaded_store

from sop.store import Store
from sop.ui import templates

LABELS = ["Download the empty template (.xlsx)", "Download the demo data (.xlsx)"]


def _labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_the_template_buttons_are_on_the_data_page_with_and_without_data(
    store: Store, open_app
) -> None:
    at = open_app()
    assert _labels(at)[:2] == LABELS  # an empty store: the upload is all there is
    loaded_store(store)
    at = open_app()
    assert not at.exception, at.exception
    assert LABELS[0] in _labels(at) and LABELS[1] in _labels(at)
    assert any("Start from a template" in c.value for c in at.caption)
    # the bytes the buttons serve, made on the first press and then kept
    assert templates.empty_bytes()[:2] == b"PK" and templates.empty_bytes() is (
        templates.empty_bytes()
    )
