"""Decisions: a scenario's on/off levers are not "other plan settings".

A planner review approved plan B (demand +30 %, overtime, subcontracting and hiring off
as levers) and, picking another plan, read "approved ... with other plan settings
(overtime off, now on; subcontracting off, now on; hiring off, now on)". Nobody had
changed the plan settings: a snapshot stores the settings with its levers applied, and
they were compared with the picked plan's, which has other levers."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from exec_helpers import load

from sop.core import schema
from sop.executive import approval
from sop.executive import service as executive
from sop.scenario import saved as saved_scenarios
from sop.scenario.apply import apply_policy
from sop.scenario.levers import Levers
from sop.store import Store
from sop.supply.policy import SupplyPolicy

SETTINGS = SupplyPolicy(horizon=12)
SQUEEZE = Levers(
    demand_pct=30.0, overtime_allowed=False, subcontract_allowed=False, hiring_allowed=False
)
FIRST = pd.Timestamp("2026-11-01")
MONTHS = (FIRST, FIRST + pd.DateOffset(months=11))


def _record(levers: Levers = SQUEEZE, settings: SupplyPolicy = SETTINGS) -> SimpleNamespace:
    """This cycle's plan of record, scenario #2 approved with `levers` under `settings`,
    its snapshot's settings as `make_snapshot` keeps them: the levers applied."""
    entry = pd.Series(
        {
            "entry_id": 1,
            "cycle": pd.Timestamp("2026-11-01"),
            "scenario_id": 2,
            "scenario_name": "Severe squeeze",
            "dataset_version": 1,
            "made_at": pd.Timestamp("2026-12-06 05:39"),
        }
    )
    snap = SimpleNamespace(
        kpis={"revenue": 1.0},
        levers=levers.to_dict(),
        settings=apply_policy(settings, levers).as_dict(),
        family_plan=pd.DataFrame({schema.MONTH: pd.date_range(FIRST, periods=12, freq="MS")}),
    )
    return SimpleNamespace(approved=entry, snapshot=snap, previous_entry=None, previous=None)


def _picked(sid: int, levers: Levers, settings: SupplyPolicy = SETTINGS) -> approval.Picked:
    return approval.Picked(sid, 1, apply_policy(settings, levers), levers, MONTHS)


def test_picking_another_plan_names_no_lever_as_a_plan_setting() -> None:
    ref = approval.reference(_record(), _picked(0, Levers()), None)
    assert ref.caption == (
        r"Changes against the plan of record '\#2 Severe squeeze', approved 06 Dec 2026, "
        "as approved then."
    )
    assert ref.kpis == {"revenue": 1.0}


def test_picking_the_record_itself_is_the_plan_itself() -> None:
    ref = approval.reference(_record(), _picked(2, SQUEEZE), None)
    assert ref.kpis is None and "other plan settings" not in ref.caption


def test_a_lever_switched_since_is_said_by_the_levers_alone() -> None:
    edited = Levers(demand_pct=30.0, subcontract_allowed=False, hiring_allowed=False)
    caption = approval.reference(_record(), _picked(2, edited), None).caption
    assert "other plan settings" not in caption
    assert "with other levers" in caption and "overtime off" in caption


def test_a_real_change_of_the_plan_settings_is_still_named() -> None:
    now = SETTINGS.replace(horizon=18, backlog_cost_pct=5.0)
    caption = approval.reference(_record(), _picked(0, Levers(), now), None).caption
    assert (
        r"with other plan settings \(horizon 12 months, now 18 months; backlog cost 3 % of "
        r"price per month late, now 5 % of price per month late\)" in caption
    )
    assert "overtime" not in caption
    # a setting the plan settings turned off (no lever) is a plan setting
    off = SETTINGS.replace(overtime_allowed=False)
    caption = approval.reference(_record(Levers(), off), _picked(0, Levers()), None).caption
    assert r"with other plan settings \(overtime off, now on\)" in caption


def test_lever_settings_are_what_the_levers_decide() -> None:
    assert approval.lever_settings(Levers()) == set()
    assert approval.lever_settings(SQUEEZE) == {
        "overtime_allowed",
        "subcontract_allowed",
        "hiring_allowed",
    }
    ending = Levers(ending_units=(("Cooling", 500.0),))
    assert approval.lever_settings(ending) == {"ending_inventory", "ending_units"}
    # unreadable levers may have decided any of them
    assert approval.lever_settings(None) == {
        "overtime_allowed",
        "subcontract_allowed",
        "hiring_allowed",
        "ending_inventory",
        "ending_units",
    }


def test_approving_a_scenario_with_overtime_off_then_picking_plans(store: Store) -> None:
    """End to end on the tiny data: approve a saved scenario whose lever turns overtime
    off, then pick it and the baseline as the Decisions page does."""
    load(store)
    ctx = executive.context(store)
    levers = Levers(demand_pct=10.0, overtime_allowed=False)
    sid = saved_scenarios.save(store, "No overtime", levers)
    executive.approve_saved(store, ctx, sid, "review", pd.Timestamp("2026-01-01"))
    view = executive.view(store, ctx)
    assert view.snapshot is not None and view.snapshot.settings["overtime_allowed"] is False
    for pick, lv in ((sid, levers), (0, Levers())):
        picked = approval.Picked.of(pick, ctx.version, ctx.evaluate(lv))
        ref = approval.reference(view, picked, None)
        assert "other plan settings" not in ref.caption, ref.caption
    itself = approval.Picked.of(sid, ctx.version, ctx.evaluate(levers))
    same = approval.reference(view, itself, None)
    assert same.kpis is None and same.caption.startswith("This is the plan of record")
