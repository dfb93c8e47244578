"""The decision log: approvals with their snapshot, reversals, questions and actions;
append-only, restart-safe, and two approvers at once both land."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from exec_helpers import load
from people import person

from sop.core import access
from sop.executive import decisions, snapshots
from sop.executive import service as executive
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store, StoreError
from sop.store import decisions as decision_log

CYCLE = pd.Timestamp("2026-01-01")


def as_(store: Store, name: str, *roles: str) -> Store:
    """`store` acting as `name` with `roles` (default: executive and S&OP owner)."""
    return store.as_actor(person(name, *(roles or (access.EXECUTIVE, access.SOP_OWNER))))


@pytest.fixture
def ctx(store: Store) -> executive.Context:
    load(store)
    return executive.context(store)


def _rows(store: Store) -> list[tuple]:
    with store.connect() as con:
        return con.execute("SELECT * FROM decision_log ORDER BY entry_id").fetchall()


def test_approval_stores_entry_and_snapshot_and_becomes_plan_of_record(store, ctx) -> None:
    sid = saved_scenarios.save(store, "Price up", Levers(price_family_pct=(("Beta", 5.0),)))
    ann = as_(store, "Ann Approver", access.EXECUTIVE)
    entry = executive.approve_saved(ann, ctx, sid, "best margin", CYCLE)
    log = decision_log.log(store)
    assert list(log["kind"]) == ["approve"]
    row = decisions.plan_of_record(log, CYCLE)
    assert int(row["entry_id"]) == entry and row["scenario_name"] == "Price up"
    assert row["author"] == "Ann Approver <ann.approver@example.com>"
    assert row["note"] == "best margin"
    snap = snapshots.PlanSnapshot.from_json(decision_log.snapshot_json(store, entry))
    ev = ctx.evaluate(Levers(price_family_pct=(("Beta", 5.0),)))
    assert snap.kpis["revenue"] == pytest.approx(ev.kpis["revenue"])
    assert snap.family_plan["revenue"].sum() == pytest.approx(ev.kpis["revenue"])
    assert snap.costs["amount"].sum() == pytest.approx(ev.plan.costs["amount"].sum())
    assert Levers.from_dict(snap.levers) == ev.levers
    assert (snap.cycle, snap.dataset_version, snap.scenario_id) == (CYCLE, 1, sid)
    assert snap.sku_plan["month"].nunique() == snapshots.SOE_MONTHS


def test_log_is_append_only_and_a_reversal_is_a_new_entry(store, ctx) -> None:
    first = executive.approve_saved(as_(store, "Ann"), ctx, 0, "baseline first", CYCLE)
    before = _rows(store)
    sid = saved_scenarios.save(store, "Demand +5", Levers(demand_pct=5.0))
    second = executive.approve_saved(as_(store, "Bob"), ctx, sid, "more demand", CYCLE)
    assert _rows(store)[: len(before)] == before
    assert int(decisions.plan_of_record(decision_log.log(store), CYCLE)["entry_id"]) == second
    carl = as_(store, "Carl", access.EXECUTIVE)
    decision_log.revoke(carl, second, "the demand call was wrong")
    rows = _rows(store)
    assert len(rows) == 3 and rows[:2] == _rows(store)[:2]
    status = decisions.approvals(decision_log.log(store)).set_index("entry_id")["status"]
    assert status[second] == decisions.STATUS_REVOKED and status[first] == decisions.STATUS_POR
    with pytest.raises(StoreError, match="already reversed"):
        decision_log.revoke(carl, second, "again")
    with pytest.raises(StoreError, match="not an approval"):
        decision_log.revoke(carl, rows[2][0], "a reversal of a reversal")
    with pytest.raises(access.AccessDenied, match="approve or revoke"):
        decision_log.revoke(as_(store, "Sam", access.SOP_OWNER), first, "not mine to revoke")
    assert len(_rows(store)) == 3
    with store.connect() as con:  # nothing in the module updates or deletes
        assert con.execute("SELECT count(*) FROM plan_snapshots").fetchone()[0] == 2


def test_the_log_survives_a_restart(store, ctx) -> None:
    entry = executive.approve_saved(store, ctx, 0, "keep", CYCLE)
    decision_log.add_item(store, CYCLE, "action", "Call the Beta key account", "Dora", "2026-01-20")
    again = Store(store.path)  # a new process would open the file like this
    log = decision_log.log(again)
    assert list(log["kind"]) == ["approve", "action"]
    assert (
        snapshots.PlanSnapshot.from_json(decision_log.snapshot_json(again, entry)).scenario_name
        == "Baseline"
    )


def test_two_approvers_at_once_both_land(store, ctx) -> None:
    sids = [saved_scenarios.save(store, f"Plan {i}", Levers(demand_pct=float(i))) for i in (1, 2)]
    results: dict[str, int] = {}
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def approve(who: str, sid: int) -> None:
        try:
            barrier.wait()
            results[who] = executive.approve_saved(
                as_(store, who), ctx, sid, f"{who} approves", CYCLE
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(w, s)) for w, s in zip(("Ann", "Bob"), sids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    log = decision_log.log(store)
    assert sorted(log["author"]) == ["Ann <ann@example.com>", "Bob <bob@example.com>"]
    assert len(set(results.values())) == 2
    por = decisions.plan_of_record(log, CYCLE)
    assert int(por["entry_id"]) == max(results.values())
    assert sorted(decisions.approvals(log)["status"]) == [
        decisions.STATUS_POR,
        decisions.STATUS_SUPERSEDED,
    ]
    for entry in results.values():
        assert decision_log.snapshot_json(store, entry) is not None


def test_bad_input_stores_nothing_and_text_is_kept_as_typed(store, ctx) -> None:
    with pytest.raises(access.AccessDenied, match="approve or revoke"):
        executive.approve_saved(as_(store, "Dee", access.DEMAND_PLANNER), ctx, 0, "note", CYCLE)
    with pytest.raises(StoreError, match="note"):
        executive.approve_saved(store, ctx, 0, "", CYCLE)
    with pytest.raises(StoreError, match="due date"):
        decision_log.add_item(store, CYCLE, "question", "Why?", "Ann", None)
    with pytest.raises(StoreError, match="owner"):
        decision_log.add_item(store, CYCLE, "action", "Do it", "", "2026-02-01")
    assert decision_log.log(store).empty
    nasty = "Robert'); DROP TABLE decision_log;-- ✓ «ok»"
    raiser = as_(store, nasty, access.SOP_OWNER)
    item = decision_log.add_item(raiser, CYCLE, "question", nasty, "Zoë", "2026-02-01")
    decision_log.close_item(store, item, "answered")
    with pytest.raises(StoreError, match="already closed"):
        decision_log.close_item(store, item, "twice")
    log = decision_log.log(store)
    assert log.loc[0, "note"] == nasty and log.loc[0, "author"] == raiser.actor.signature
    assert log.loc[1, "author"] == store.actor.signature  # the local user closed it
    items = decisions.items(log, pd.Timestamp("2026-03-01"))
    assert items.loc[0, "status"] == "closed" and items.loc[0, "closed_note"] == "answered"


def test_open_items_become_overdue(store, ctx) -> None:
    decision_log.add_item(store, CYCLE, "action", "Book overtime", "Eve", "2026-01-10")
    decision_log.add_item(store, CYCLE, "question", "Is Beta's price firm?", "Finn", "2026-02-10")
    items = decisions.items(decision_log.log(store), pd.Timestamp("2026-01-15"))
    assert list(items["status"]) == ["overdue", "open"]
    view = decisions.log_view(decision_log.log(store))
    assert view["entry"].str.contains("Action for Eve, due 10 Jan 2026").any()
