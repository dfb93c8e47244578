"""`sop.executive.records.record_note`: the Supply page's pointer to a plan of record
that is a saved scenario, with its figures as approved."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from sop.executive.records import record_note

CYCLE = pd.Timestamp("2026-01-01")
KPIS = {"on_time_rate": 0.88, "fill_rate": 0.98, "lost_units": 7716.0, "lost_value": 565e3}


def _rec(scenario_id=3, name="#3 Cap *4040*", kpis=KPIS, version=2):
    entry = pd.Series({"scenario_id": scenario_id, "dataset_version": version})
    snap = None if kpis is None else SimpleNamespace(kpis=kpis)
    return SimpleNamespace(approved=entry, plan_name=name, snapshot=snap, cycle=CYCLE)


def test_the_note_names_the_scenario_escaped_with_its_figures() -> None:
    note = record_note(_rec(), "EUR", 2)
    assert note.startswith(
        "The plan of record this cycle (Jan 2026) is the scenario '\\#3 Cap \\*4040\\*': "
        "on-time 88.0 %, 7,716 units lost (€565k), as approved."
    )
    assert "Executive page" in note and " v2" not in note


def test_other_data_missing_figures_and_the_baseline() -> None:
    assert "as approved on data v1 (this page plans v2)." in record_note(_rec(version=1), "EUR", 2)
    assert "'\\#3 Cap \\*4040\\*' (its figures were not kept)." in record_note(
        _rec(kpis=None), "EUR", 2
    )
    nothing_lost = record_note(_rec(kpis={"on_time_rate": 1.0, "lost_units": 0.0}), "EUR", 2)
    assert ": on-time 100.0 %, 0 units lost, as approved." in nothing_lost
    assert "(its figures were not kept), on data v1 (this page plans v2)." in record_note(
        _rec(kpis=None, version=1), "EUR", 2
    )
    assert record_note(_rec(scenario_id=0, name="Baseline"), "EUR", 2) is None
    assert record_note(SimpleNamespace(approved=None, plan_name="", snapshot=None), "EUR") is None
