"""Review: a plan of record approved before late deliveries were valued per unit kept
no `late_units`, and its `late_value` priced late unit-months. Set against today's late
value (late units x price), the same plan read "-€10k (-33.3 %) vs previous plan",
coloured good, and its missing late units "no change vs previous plan". Read back, such
a snapshot holds neither figure: the Executive headline, its tiles and the Decisions
tiles show no change for them and say the plan of record holds no figure.

Also: the Decisions tiles carry the late units next to the late value, and the
Executive binding tile's value is bare ("3", the unit in its label: "3 limit-months"
was cut by a tile five a row).
"""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pandas as pd
import pytest
from supply_helpers import one_product

from sop.core import fmt, schema
from sop.executive import approval
from sop.executive import headline as exec_headline
from sop.executive import view as exec_view
from sop.executive.snapshots import PNL_COLUMNS, PlanSnapshot, make_snapshot
from sop.finance.kpis import binding_names, plan_kpis
from sop.scenario.levers import Levers
from sop.supply.plan import solve_plan
from sop.supply.policy import SupplyPolicy

LATE = ("late_units", "late_value")


@pytest.fixture(scope="module")
def plan():
    # 300 ordered in month 1 on a line of 100 a month: 200 units late, 300 unit-months;
    # at the price of 100: 20,000 late today, 30,000 as an older version valued it
    tables, demand = one_product([300, 0, 0, 0], line_hours=100.0)
    p = solve_plan(demand, tables, SupplyPolicy(horizon=4))
    assert p.ok
    return p, plan_kpis(p, tables[schema.PRODUCTS])


def _snapshot(p, kpis) -> PlanSnapshot:
    evaluation = SimpleNamespace(
        plan=p, levers=Levers(), kpis=kpis, budget={}, pnl=pd.DataFrame(columns=PNL_COLUMNS)
    )
    return make_snapshot(evaluation, pd.Timestamp("2026-10-01"), 0, "Baseline", 1, None, "EUR")


def _old_text(p, kpis) -> str:
    """The snapshot as an older version stored it: no late units, late unit-months x price."""
    d = json.loads(_snapshot(p, kpis).to_json())
    d["kpis"].pop("late_units")
    d["kpis"]["late_value"] = kpis["late_unit_months"] * 100.0
    return json.dumps(d)


def test_an_old_snapshot_reads_without_its_late_value(plan) -> None:
    p, k = plan
    assert (k["late_units"], k["late_unit_months"], k["late_value"]) == (200, 300, 20_000)
    old = PlanSnapshot.from_json(_old_text(p, k))
    assert "late_units" not in old.kpis and "late_value" not in old.kpis
    assert old.kpis["late_unit_months"] == 300 and old.kpis["revenue"] == k["revenue"]
    # a snapshot of this version keeps its late value, as stored
    new = PlanSnapshot.from_json(_snapshot(p, k).to_json())
    assert new.kpis["late_value"] == 20_000 and new.kpis["late_units"] == 200


def test_the_executive_shows_no_change_the_old_snapshot_cannot_say(plan) -> None:
    p, k = plan
    old = PlanSnapshot.from_json(_old_text(p, k))
    head = exec_headline.headline(k, {}, old.kpis, "EUR").set_index("key")
    for key in LATE:
        assert math.isnan(head.at[key, "vs_previous"])
        assert head.at[key, "vs_previous_text"] == exec_headline.NO_PREVIOUS_FIGURE
        assert exec_headline.NO_PREVIOUS_FIGURE in head.at[key, "help"]
    # the figures it kept still compare: the same plan, no change
    assert head.at["revenue", "vs_previous_text"] == "no change vs previous plan"
    # the raw KPIs of an old snapshot read the same (the reader's rule, not the caller's)
    stored = json.loads(_old_text(p, k))["kpis"]
    raw = exec_headline.headline(k, {}, stored, "EUR").set_index("key")
    assert raw.at["late_value", "vs_previous_text"] == exec_headline.NO_PREVIOUS_FIGURE
    view = SimpleNamespace(
        previous=old,
        current=SimpleNamespace(kpis=k),
        plan_name="#1 Push",
        currency="EUR",
        headline=head.reset_index(),
    )
    tiles = {t.label: t for t in exec_view.headline_tiles(view, 4)}
    for label in ("Late (units)", "Late deliveries (value)"):
        assert tiles[label].delta is None and tiles[label].delta_arrow == "off", tiles[label]
        assert "holds no figure" in tiles[label].help
    assert tiles["Revenue"].delta == "no change"
    # a previous plan without a price is 'not defined', never 'no change'
    unpriced = exec_headline.headline(k, {}, {**old.kpis, "revenue": math.nan}, "EUR")
    assert unpriced.set_index("key").at["revenue", "vs_previous_text"] == (
        "previous plan not defined"
    )


def test_the_decisions_tiles_show_no_change_the_old_snapshot_cannot_say(plan) -> None:
    p, k = plan
    old = PlanSnapshot.from_json(_old_text(p, k))
    for kpis in (old.kpis, json.loads(_old_text(p, k))["kpis"]):
        ref = approval.Reference(kpis, approval.RECORD, "")
        tiles = {t.label: t for row in approval.tiles(k, "EUR", 4, ref) for t in row}
        for label in ("Late (units)", "Late deliveries (value)"):
            assert tiles[label].delta is None and tiles[label].delta_color == "off"
            assert "holds no figure" in tiles[label].help
        assert tiles["Revenue"].delta == "no change"


def test_the_decisions_tiles_carry_the_late_units(plan) -> None:
    p, k = plan
    last = approval.tiles(k, "EUR", 4)[-1]
    labels = [t.label for t in last]
    assert labels.index("Late (units)") + 1 == labels.index("Late deliveries (value)")
    late = last[labels.index("Late (units)")]
    assert late.value == "200"  # the label names the unit
    # against a plan of record with fewer late units: more late is worse (red)
    ref = approval.Reference({**k, "late_units": 150.0}, approval.RECORD, "")
    late = approval.tiles(k, "EUR", 4, ref)[-1][labels.index("Late (units)")]
    assert late.delta.startswith("+50 units") and late.delta_color == "inverse"


def test_the_binding_tile_value_is_bare_with_the_unit_in_its_label(plan) -> None:
    p, k = plan
    names = binding_names(p)
    n = int(k["binding_resource_months"])
    assert n >= 1 and names
    base = {**k, "binding_resource_months": 1.0}
    head = exec_headline.headline(k, {}, None, "EUR", base, None, names)
    row = head.set_index("key").loc["binding_resource_months"]
    assert row["label"] == "Binding (limit-months)" and row["text"] == str(n)
    view = SimpleNamespace(
        previous=None,
        current=SimpleNamespace(kpis=k),
        plan_name="#1 Push",
        currency="EUR",
        headline=head,
    )
    tile = {t.label: t for t in exec_view.headline_tiles(view, 4)}["Binding (limit-months)"]
    assert tile.value == str(n)
    # the names under it; the change against the baseline keeps its unit
    assert tile.notes[0] == fmt.md(names)
    assert f"+{n - 1} limit-month" in " ".join(tile.notes)
