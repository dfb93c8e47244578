"""Approving a plan shows what it changes: on the Decisions page each tile of the picked
plan carries its change against the plan of record as approved then (its snapshot's
KPIs), or against the baseline plan when there is no plan of record; a KPI an old
snapshot lacks gives no change, never a 0; the plan of record itself (same scenario,
data, plan settings, levers and months) shows none, and a record approved under other
settings or over other months is not it: the caption says what differs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from exec_helpers import load
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from sop.core import fmt
from sop.executive import approval, decisions
from sop.executive import service as executive
from sop.finance.kpi_text import delta_text
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store
from sop.store import decisions as decision_log
from sop.supply import explain
from sop.supply import settings as plan_settings
from sop.supply.policy import SupplyPolicy

# Beta's line L2 cut by 55 % all year: the plan loses sales and ships late
CUT = Levers(capacity_changes=(("L2", "2026-01", "2026-12", -55.0),))
PUSH = Levers(demand_pct=10.0)
LABELS = {key: label for row in approval.TILES for key, label in row}


@pytest.fixture
def plans(store: Store) -> tuple[Store, int, int]:
    """The store with the tiny dataset and two saved scenarios: (store, push, cut)."""
    load(store)
    push = saved_scenarios.save(store, "Q1 *push*", PUSH)
    return store, push, saved_scenarios.save(store, "L2 cut", CUT)


def _tiles(at: AppTest) -> dict[str, object]:
    return {m.label: m for m in at.metric if m.label in LABELS.values()}


def _deltas(at: AppTest) -> dict[str, str]:
    return {label: m.delta for label, m in _tiles(at).items()}


def _expected(kpis: dict, ref: dict, keys=tuple(LABELS)) -> dict[str, str]:
    """Each tile's change: picked KPI - reference KPI, as `kpi_tile` words it."""
    return {LABELS[k]: delta_text(k, kpis[k] - ref[k], ref[k], "EUR") or "no change" for k in keys}


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _pick(at: AppTest, sid: int) -> AppTest:
    at.selectbox(key="dec_plan").set_value(sid).run()
    assert not at.exception, at.exception
    return at


def test_deltas_against_the_plan_of_record_as_approved(plans, open_app) -> None:
    store, push, cut = plans
    ctx = executive.context(store)
    entry = executive.approve_saved(store, ctx, push, "the push is on")
    record = json.loads(decision_log.snapshot_json(store, entry))["kpis"]
    made = decision_log.log(store)["made_at"].iloc[-1]
    k = ctx.evaluate(CUT).kpis
    assert k["lost_units"] > record["lost_units"] and k["revenue"] < record["revenue"]
    at = _pick(open_app("pages/decisions.py"), cut)
    # each tile: the picked plan's KPI minus the record's snapshot KPI
    assert _deltas(at) == _expected(k, record)
    lost = _tiles(at)["Lost sales (units)"]
    diff = k["lost_units"] - record["lost_units"]
    assert lost.delta.startswith(f"+{fmt.units(diff)}")
    assert lost.proto.color == MetricProto.MetricColor.RED  # more lost units: worse
    fill = _tiles(at)["Fill rate"].delta
    assert fill == f"-{abs(100 * (k['fill_rate'] - record['fill_rate'])):.1f} pp"
    name = fmt.md(f"#{push} Q1 *push*")
    when = pd.Timestamp(made).strftime("%d %b %Y")
    assert (
        f"Changes against the plan of record '{name}', approved {when}, as approved then."
        in _captions(at)
    )
    # the plan of record itself: said so, no changes
    _pick(at, push)
    assert set(_deltas(at).values()) == {""}
    assert any(c.startswith(f"This is the plan of record, '{name}'") for c in _captions(at))


def test_deltas_against_the_baseline_without_a_plan_of_record(plans, open_app) -> None:
    store, _, cut = plans
    ctx = executive.context(store)
    k, base = ctx.evaluate(CUT).kpis, ctx.evaluate(Levers()).kpis
    at = _pick(open_app("pages/decisions.py"), cut)
    deltas = _deltas(at)
    assert deltas == _expected(k, base)
    assert deltas["Revenue"].startswith("-") and deltas["Lost sales (units)"].startswith("+")
    assert "Changes against the baseline plan." in _captions(at)
    _pick(at, 0)  # the baseline against itself: nothing to show
    assert set(_deltas(at).values()) == {""}
    assert any(
        c.startswith("No plan of record yet, and this is the baseline") for c in _captions(at)
    )


def test_a_kpi_the_old_snapshot_lacks_gives_no_delta(plans, open_app) -> None:
    store, push, cut = plans
    ctx = executive.context(store)
    first = executive.approve_saved(store, ctx, push, "now")
    stored = json.loads(decision_log.snapshot_json(store, first))
    old = dict(stored, kpis={k: v for k, v in stored["kpis"].items() if k != "lost_value"})
    cycle = decisions.default_cycle(ctx.as_of)
    # the plan of record now: an approval saved before the lost value was measured
    decision_log.approve(
        store, cycle, 0, "Older", "{}", "an old approval", ctx.version, json.dumps(old)
    )
    at = _pick(open_app("pages/decisions.py"), cut)
    deltas, k = _deltas(at), ctx.evaluate(CUT).kpis
    assert deltas["Lost sales (value)"] == ""  # not known: no change, never a 0
    assert "holds no figure" in _tiles(at)["Lost sales (value)"].help
    kept = [key for key in LABELS if key != "lost_value"]
    assert {label: deltas[label] for label in map(LABELS.get, kept)} == _expected(
        k, old["kpis"], kept
    )
    assert deltas["Lost sales (units)"].startswith("+")


def test_a_record_approved_under_other_settings_is_not_the_plan_itself(plans, open_app) -> None:
    store, push, _ = plans
    ctx = executive.context(store)
    entry = executive.approve_saved(store, ctx, push, "approved over 18 months")
    record = json.loads(decision_log.snapshot_json(store, entry))
    # the settings change after the approval: 6 months, no overtime
    plan_settings.save_policy(store, SupplyPolicy(horizon=6, overtime_allowed=False))
    now = executive.context(store).evaluate(PUSH)
    at = _pick(open_app("pages/decisions.py"), push)
    caption = next(c for c in _captions(at) if "plan of record" in c and "cycle ·" not in c)
    assert not caption.startswith("This is the plan of record")
    assert (
        r"with other plan settings \(horizon 18 months, now 6 months; overtime on, now off\), "
        "as approved then." in caption
    )
    first = pd.Timestamp(now.plan.family_plan["month"].min())
    then = pd.to_datetime(pd.Series(record["family_plan"]["month"]))
    assert (
        f"Its plan covers {fmt.month(then.min())} to {fmt.month(then.max())}, this one "
        f"{fmt.month(first)} to {fmt.month(first + pd.DateOffset(months=5))}: each figure is a "
        "total over its own plan's months" in caption
    )
    assert _deltas(at) == _expected(now.kpis, record["kpis"])


def test_last_cycles_record_over_other_months_says_so(plans, open_app) -> None:
    store, push, _ = plans
    ctx = executive.context(store)
    last = decisions.default_cycle(ctx.as_of) - pd.DateOffset(months=1)
    first = executive.approve_saved(store, ctx, push, "last cycle", cycle=last)
    # last cycle's plan, same scenario, data and settings, a month earlier
    stored = json.loads(decision_log.snapshot_json(store, first))
    months = pd.to_datetime(pd.Series(stored["family_plan"]["month"])) - pd.DateOffset(months=1)
    stored["family_plan"]["month"] = list(months.dt.strftime("%Y-%m-%d"))
    decision_log.approve(
        store, last, push, "Q1 *push*", PUSH.to_json(), "earlier", ctx.version, json.dumps(stored)
    )
    at = _pick(open_app("pages/decisions.py"), push)
    caption = next(c for c in _captions(at) if "plan of record" in c and "cycle ·" not in c)
    assert caption.startswith(f"Changes against the plan of record of the {fmt.month(last)} cycle")
    shown = pd.Timestamp(ctx.evaluate(PUSH).plan.family_plan["month"].min())
    assert f"Its plan covers {fmt.month(months.min())} to " in caption
    assert f", this one {fmt.month(shown)} to " in caption
    assert _deltas(at) == _expected(ctx.evaluate(PUSH).kpis, stored["kpis"])


def test_the_levers_as_approved_read_in_planners_words(plans, open_app, monkeypatch) -> None:
    # the tiny data has no supplier caps: give it one, named, as the page reads the names
    monkeypatch.setattr(explain, "cap_names", lambda tables: {"CAP-X": "Cooling *motor* cap"})
    store, push, _ = plans
    ctx = executive.context(store)
    first = executive.approve_saved(store, ctx, push, "approved")
    stored = json.loads(decision_log.snapshot_json(store, first))
    # the saved scenario was edited since: approved with other levers
    then = Levers(demand_pct=5.0, supplier_changes=(("CAP-X", "2027-01", "2027-03", -20.0),))
    stored["levers"] = then.to_dict()
    decision_log.approve(
        store,
        decisions.default_cycle(ctx.as_of),
        push,
        "Q1 *push*",
        then.to_json(),
        "with the squeeze",
        ctx.version,
        json.dumps(stored),
    )
    at = _pick(open_app("pages/decisions.py"), push)
    caption = next(c for c in _captions(at) if "plan of record" in c and "cycle ·" not in c)
    assert (
        r"with other levers \(then\: demand, all families \+5 %; supplier cap CAP\-X · "
        r"Cooling \*motor\* cap Jan 2027 to Mar 2027 \-20 % — now\: demand, all families "
        r"\+10 %\), as approved then." in caption
    )
