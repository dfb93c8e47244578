"""What the Decisions page sets the picked plan against (`approval.reference`), without
the app: the latest earlier cycle's plan of record when this cycle has none (named
with its cycle and, when approved on other data, that data), a plan of record whose
snapshot is missing gives no changes, and the picked plan is the plan of record itself
only when scenario, data, plan settings, levers and months all match; otherwise the
caption says what differs."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd

from sop.core import schema
from sop.executive import approval
from sop.scenario.levers import Levers
from sop.supply.policy import SupplyPolicy

KPIS = {"revenue": 1_000_000.0, "gross_margin": 400_000.0, "fill_rate": 0.98}
POLICY = SupplyPolicy(horizon=12, overtime_allowed=False)
PUSH = Levers(demand_pct=10.0)
FIRST = pd.Timestamp("2026-11-01")


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


def _months(first: pd.Timestamp, n: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    return first, first + pd.DateOffset(months=n - 1)


def _snap(
    policy: SupplyPolicy = POLICY, levers: Levers = PUSH, first=FIRST, settings=None
) -> SimpleNamespace:
    """A snapshot as `make_snapshot` keeps it: KPIs, levers, settings and a family plan
    over `policy.horizon` months from `first`."""
    months = pd.date_range(first, periods=policy.horizon, freq="MS")
    return SimpleNamespace(
        kpis=KPIS,
        levers=levers.to_dict(),
        settings=policy.as_dict() if settings is None else settings,
        family_plan=pd.DataFrame({schema.MONTH: months, schema.FAMILY: "Cooling"}),
    )


def _picked(sid: int, version: int, policy=POLICY, levers=PUSH, first=FIRST) -> approval.Picked:
    return approval.Picked(sid, version, policy, levers, _months(first, policy.horizon))


def _rec(entry: pd.Series, snapshot) -> SimpleNamespace:
    return SimpleNamespace(approved=None, snapshot=None, previous_entry=entry, previous=snapshot)


def test_the_earlier_cycles_plan_of_record_named_with_its_cycle_and_data() -> None:
    rec = _rec(_entry(3, "Q1 [push]", 1), _snap())
    assert not approval.needs_baseline(rec, 5)
    ref = approval.reference(rec, _picked(5, 2, levers=Levers()), None)
    assert ref.kpis == KPIS and ref.against == approval.RECORD
    assert ref.caption == (
        r"Changes against the plan of record of the Oct 2026 cycle '\#3 Q1 \[push\]', "
        "approved 03 Oct 2026 on data v1 (now v2), as approved then."
    )
    # the same scenario on newer data is not the record itself: its changes show
    assert approval.reference(rec, _picked(3, 2), None).kpis == KPIS
    same = approval.reference(rec, _picked(3, 1), None)
    assert same.kpis is None and same.caption.startswith("This is the plan of record of the Oct")


def test_a_record_approved_with_other_settings_is_not_the_plan_itself() -> None:
    # approved over 12 months with overtime off; the page now plans 18 months with it on
    rec = _rec(_entry(3, "Q1 push", 2), _snap())
    now = SupplyPolicy(horizon=18, overtime_allowed=True)
    ref = approval.reference(rec, _picked(3, 2, policy=now), None)
    assert ref.kpis == KPIS  # the changes show
    assert ref.caption.startswith(
        r"Changes against the plan of record of the Oct 2026 cycle '\#3 Q1 push', approved "
        r"03 Oct 2026, with other plan settings \(horizon 12 months, now 18 months; overtime "
        r"off, now on\), as approved then. Its plan covers Nov 2026 to Oct 2027, this one "
        "Nov 2026 to Apr 2028: each figure is a total over its own plan's months"
    )
    tiles = approval.tiles({**KPIS, "revenue": 1_500_000.0}, "EUR", 18, ref)
    assert tiles[0][0].delta.startswith("+€500k")
    # more than three settings differ: three named, the rest counted
    many = now.replace(backlog_cost_pct=5.0, hiring_allowed=False, price_basis="list")
    caption = approval.reference(rec, _picked(3, 2, policy=many), None).caption
    assert (
        r"settings \(horizon 12 months, now 18 months; backlog cost 3 % of price per month "
        r"late, now 5 % of price per month late; overtime off, now on; and 2 more\)" in caption
    )
    # a risk threshold changes no tile: the same plan still
    thresholds = POLICY.replace(on_time_target_pct=80.0)
    assert approval.reference(rec, _picked(3, 2, policy=thresholds), None).kpis is None
    # a snapshot that kept no settings cannot be the plan itself
    old = approval.reference(_rec(_entry(3, "Q1 push", 2), _snap(settings={})), _picked(3, 2), None)
    assert old.kpis == KPIS and "under plan settings it did not keep" in old.caption


def test_a_saved_scenario_edited_since_its_approval_is_not_the_plan_itself() -> None:
    rec = _rec(_entry(3, "Q1 push", 2), _snap())
    ref = approval.reference(rec, _picked(3, 2, levers=Levers(demand_pct=12.0)), None)
    assert ref.kpis == KPIS
    # the Scenarios page's words, not the levers' field names
    assert (
        r"with other levers \(then\: demand, all families \+10 % — now\: demand, all "
        r"families \+12 %\), as approved then." in ref.caption
    )
    assert "demand\\_pct" not in ref.caption


def test_a_supplier_cap_in_the_levers_goes_by_code_and_name_escaped() -> None:
    squeeze = Levers(supplier_changes=(("CAP-1", "2027-01", "2027-03", -20.0),))
    rec = _rec(_entry(3, "Q1 push", 2), _snap(levers=squeeze))
    caps = {"CAP-1": "Cooling *motor* cap"}
    ref = approval.reference(rec, _picked(3, 2, levers=Levers()), None, caps)
    assert (
        r"with other levers \(then\: supplier cap CAP\-1 · Cooling \*motor\* cap Jan 2027 "
        r"to Mar 2027 \-20 % — now\: nothing \(baseline\)\)" in ref.caption
    )
    # without the names (or for a cap the data lacks) the code alone
    bare = approval.reference(rec, _picked(3, 2, levers=Levers()), None).caption
    assert r"then\: supplier cap CAP\-1 Jan 2027 to Mar 2027 \-20 %" in bare
    assert "supplier\\_changes" not in bare


def test_each_setting_value_carries_its_unit() -> None:
    change = approval.setting_change
    assert change("horizon", 12, 18) == "horizon 12 months, now 18 months"
    assert change("backlog_cost_pct", 3.0, 5.0) == (
        "backlog cost 3 % of price per month late, now 5 % of price per month late"
    )
    assert change("lost_sales_penalty_pct", 10.0, 12.5) == (
        "lost-sale goodwill 10 % of price, now 12.5 % of price"
    )
    assert change("overtime_allowed", False, True) == "overtime off, now on"
    # a choice by the Supply page's label, not its stored code
    assert change("ending_inventory", "none", "units") == (
        "minimum ending inventory none, now units per family"
    )
    assert change("level", "family", "sku") == "planning level family x plant, now SKU"


def test_ending_units_read_per_family_as_stored_in_a_snapshot() -> None:
    # a snapshot keeps the settings as JSON: the units per family come back as lists
    then = SupplyPolicy(ending_inventory="units", ending_units=(("Cooling", 500.0),))
    now = then.replace(ending_units=(("Cooling", 800.0), ("Heat*ing", 1200.0)))
    stored = json.loads(json.dumps(then.as_dict()))
    assert stored["ending_units"] == [["Cooling", 500.0]]
    assert approval.settings_changes(stored, now) == [
        "ending inventory Cooling 500 units, now Cooling 800 units and Heat*ing 1,200 units"
    ]
    rec = _rec(_entry(3, "Q1 push", 2), _snap(policy=then, settings=stored))
    caption = approval.reference(rec, _picked(3, 2, policy=now), None).caption
    assert (
        r"with other plan settings \(ending inventory Cooling 500 units, now Cooling 800 "
        r"units and Heat\*ing 1,200 units\)" in caption
    )
    assert "units per family" not in caption and "=" not in caption


def test_a_record_covering_other_months_says_so() -> None:
    # last cycle's record, same settings, its 12 months a month earlier than this plan's
    rec = _rec(_entry(3, "Q1 push", 2), _snap(first=FIRST - pd.DateOffset(months=1)))
    ref = approval.reference(rec, _picked(3, 2), None)
    assert ref.kpis == KPIS
    assert ref.caption == (
        r"Changes against the plan of record of the Oct 2026 cycle '\#3 Q1 push', approved "
        "03 Oct 2026, as approved then. Its plan covers Oct 2026 to Sep 2027, this one "
        "Nov 2026 to Oct 2027: each figure is a total over its own plan's months, so a change "
        "also holds the months that differ."
    )


def test_same_scenario_data_settings_levers_and_months_is_the_plan_itself() -> None:
    rec = SimpleNamespace(
        approved=_entry(3, "Q1 push", 2), snapshot=_snap(), previous_entry=None, previous=None
    )
    ref = approval.reference(rec, _picked(3, 2), None)
    assert ref.kpis is None and ref.against == approval.RECORD
    assert ref.caption == (
        r"This is the plan of record, '\#3 Q1 push', approved 03 Oct 2026: no changes shown."
    )
    tiles = [t for row in approval.tiles(KPIS, "EUR", 12, ref) for t in row]
    assert all(t.delta is None or t.delta == "no price loaded" for t in tiles)


def test_a_record_without_its_snapshot_gives_no_change() -> None:
    ref = approval.reference(_rec(_entry(0, "Baseline", 1), None), _picked(4, 1), None)
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


def test_one_month_is_singular() -> None:
    # a horizon cut to one month read "horizon 12 months, now 1 months"
    from sop.executive.approval import _value

    assert _value(1, "months") == "1 month"
    assert _value(1.0, "months of cover") == "1 month of cover"
    assert _value(18, "months") == "18 months"
