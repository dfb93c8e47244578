"""The Supply page when capacity is given in units a month only (`family_capacity`): no
resource counts hours, so overtime cannot occur and the page does not speak of it (no
"Overtime 0 h" tile, no overtime bar or overtime-cap line in the capacity chart). With
hours, both stay."""

from __future__ import annotations

import json

import pandas as pd
from demand_helpers import fake_values, store_fake_run
from minimal import minimal_files
from supply_helpers import with_consensus
from tiny import AS_OF, tiny_tables

from sop.data.validate import check_tables, validate_files
from sop.demand.engine import ForecastSettings
from sop.store import Store

PAGE = "pages/supply.py"
MONTHS = pd.date_range(AS_OF + pd.offsets.MonthBegin(1), periods=18, freq="MS")
OVERTIME_TRACES = {"Planned overtime", "Regular + overtime cap"}


def _traces(at) -> set[str]:
    """The legend names of the capacity chart (the first chart of the page)."""
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {t.get("name") for t in fig["data"]}


def test_units_only_capacity_shows_no_overtime(store: Store, open_app) -> None:
    report = validate_files(minimal_files())
    assert report.ok, [f.message for f in report.errors]
    version = store.load(report.tables, name="mine")
    store_fake_run(store, version, ForecastSettings(horizon=18), fake_values(months=MONTHS))
    at = open_app(PAGE)
    labels = [m.label for m in at.metric]
    assert "Overtime" not in labels
    assert {"Revenue (horizon)", "Subcontracted", "Fill rate"} <= set(labels), labels
    assert not any(m.value.endswith(" h") for m in at.metric)
    traces = _traces(at)
    assert not traces & OVERTIME_TRACES
    assert {"Planned", "Capacity", "Needed by demand (rough-cut)"} <= traces


def test_capacity_in_hours_keeps_the_overtime(store: Store, open_app) -> None:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    at = open_app(PAGE)
    assert {m.label: m.value for m in at.metric}["Overtime"].endswith(" h")
    assert _traces(at) >= OVERTIME_TRACES
    assert "Planned on regular time" in _traces(at)
