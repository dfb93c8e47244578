"""What the Decisions page sets the picked plan against (`approval.reference`), without
the app: the latest earlier cycle's plan of record when this cycle has none (named
with its cycle and, when approved on other data, that data), and a plan of record
whose snapshot is missing gives no changes."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from sop.executive import approval

KPIS = {"revenue": 1_000_000.0, "gross_margin": 400_000.0, "fill_rate": 0.98}


def _entry(sid: int, name: str, version: int) -> pd.Series:
    return pd.Series(
        {
            "entry_id": 7,
            "cycle": pd.Timestamp("2026-10-01"),
            "scenario_id": sid,
            "scenario_name": name,
            "dataset_version": version,
            "made_at": pd.Timestamp("2026-10-03 14:05"),
        }
    )


def _rec(entry: pd.Series, snapshot) -> SimpleNamespace:
    return SimpleNamespace(approved=None, snapshot=None, previous_entry=entry, previous=snapshot)


def test_the_earlier_cycles_plan_of_record_named_with_its_cycle_and_data() -> None:
    rec = _rec(_entry(3, "Q1 [push]", 1), SimpleNamespace(kpis=KPIS))
    assert not approval.needs_baseline(rec, 5)
    ref = approval.reference(rec, 5, 2, None)
    assert ref.kpis == KPIS and ref.against == approval.RECORD
    assert ref.caption == (
        r"Changes against the plan of record of the Oct 2026 cycle '\#3 Q1 \[push\]', "
        "approved 03 Oct 2026 on data v1, as approved then."
    )
    # the same scenario on newer data is not the record itself: its changes show
    assert approval.reference(rec, 3, 2, None).kpis == KPIS
    same = approval.reference(rec, 3, 1, None)
    assert same.kpis is None and same.caption.startswith("This is the plan of record of the Oct")


def test_a_record_without_its_snapshot_gives_no_change() -> None:
    ref = approval.reference(_rec(_entry(0, "Baseline", 1), None), 4, 1, None)
    assert ref.kpis == {} and ref.caption.endswith("Its figures were not kept: no changes shown.")
    tiles = [
        t for row in approval.tiles({**KPIS, "on_time_rate": 0.9}, "EUR", 18, ref) for t in row
    ]
    assert all(t.delta is None or t.delta == "no price loaded" for t in tiles)
    assert all("holds no figure" in t.help for t in tiles)
    # with the figures kept: revenue down by 100,000 is a change, in money
    kept = approval.tiles(
        {**KPIS, "revenue": 900_000.0}, "EUR", 18, approval.Reference(KPIS, "plan of record", "")
    )
    assert kept[0][0].delta.startswith("-€") and kept[0][0].delta_color == "normal"
    assert kept[0][1].delta == "no change"  # the same margin
