"""The Executive headline says what a short plan loses, not only how late it is."""

from __future__ import annotations

import pytest

from sop.executive import headline as exec_headline
from sop.finance.kpi_text import value_text

BASE = {"revenue": 1_000.0, "fill_rate": 1.0, "lost_units": 0.0, "lost_value": 0.0}
SHORT = {"revenue": 900.0, "fill_rate": 0.9, "lost_units": 10.0, "lost_value": 1_250_000.0}


def test_the_headline_shows_lost_sales_value_with_its_change_against_the_baseline() -> None:
    head = exec_headline.headline(SHORT, {}, None, "EUR", BASE).set_index("key")
    row = head.loc["lost_value"]
    assert row["label"] == "Lost sales (value)"
    assert row["text"] == value_text("lost_value", 1_250_000.0, "EUR") == "€1.25M"
    assert row["vs_baseline"] == pytest.approx(1_250_000.0)
    assert row["vs_baseline_text"] == "+€1.25M vs baseline"
    assert "never served" in row["help"]


def test_the_service_row_of_the_headline_is_full_and_ends_with_lost_sales() -> None:
    keys = [k for k, _ in exec_headline.HEADLINE]
    service = keys[exec_headline.HEADLINE_ROW :]
    assert service == ["fill_rate", "on_time_rate", "late_units", "late_value", "lost_value"]
    assert len(keys) % exec_headline.HEADLINE_ROW == 0  # two full rows of tiles
