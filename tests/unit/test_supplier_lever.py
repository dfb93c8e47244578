"""The supplier-capacity lever (`scn_supplier_changes`): a supplier's (material) cap
scaled over a month range. It reaches the plan (the demo's motor supplier at half from a
month makes Cooling late, and the shortfalls name the supplier), round-trips through
URLs, files and saved scenarios (old ones without it still load), is offered only where
the data has supplier caps, and is worded in the scenario summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from supply_helpers import with_consensus
from tiny import tiny_tables

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.data.demo import build_demo
from sop.data.validate import check_tables
from sop.demand.plan import loaded_consensus
from sop.goal.solve import MET, solve_goal
from sop.goal.spec import GoalSpec, LeverRange
from sop.scenario import lever_space, lever_widgets, shortfall, url, wording
from sop.scenario import saved as saved_scenarios
from sop.scenario.apply import apply_tables, supplier_caps
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import ALL_SUPPLIERS, PREFIX, Levers
from sop.store import Store
from sop.store import scenarios as scenario_store
from sop.supply.limits import INF, supply_options
from sop.supply.policy import SupplyPolicy
from sop.supply.targets import Target

HORIZON = 18
MOTOR = "CAP-CL-MOTOR"


@pytest.fixture(scope="module")
def demo():
    tables = with_consensus(check_tables(build_demo()).tables, HORIZON)
    months = plan_months(as_of_month(tables), HORIZON)
    demand = loaded_consensus(tables, months)
    policy = SupplyPolicy(horizon=HORIZON)
    base = prepare_demand(demand)
    return base, tables, policy, demand, [f"{m:%Y-%m}" for m in months]


def _cooling(ev) -> tuple[float, float]:
    """(on-time rate, fill rate) of the Cooling family: units of the month's own orders
    shipped in it, and units not lost, over demand units."""
    fp = ev.plan.family_plan
    fp = fp[fp[schema.FAMILY] == "Cooling"]
    demand = float(fp["demand"].sum())
    on_time = float(shortfall.late_by_month(ev.plan.family_plan, "Cooling")["on_time"].sum())
    return on_time / demand, 1 - float(fp["lost_sales"].sum()) / demand


# --- the plan ---------------------------------------------------------------------------
def test_half_the_motor_supplier_makes_cooling_late_and_the_shortfall_names_it(demo) -> None:
    base, tables, policy, _, months = demo
    before = evaluate(base, tables, Levers(), policy)
    cut = Levers(supplier_changes=((MOTOR, months[1], months[-1], -50.0),))
    after = evaluate(base, tables, cut, policy)
    assert before.ok and after.ok
    on_time0, fill0 = _cooling(before)
    on_time1, fill1 = _cooling(after)
    assert on_time0 == pytest.approx(1.0) and on_time1 < 0.97  # measured 1.0 -> 0.9445
    assert fill1 <= fill0 + 1e-9
    assert after.kpis["on_time_rate"] < before.kpis["on_time_rate"] - 0.01
    assert after.kpis["gross_margin"] < before.kpis["gross_margin"]
    sf = after.plan.shortfalls
    mine = sf[(sf[schema.FAMILY] == "Cooling") & (sf["binding"] == MOTOR)]
    # the baseline's peak touches the cap once (stock below safety stock); the cut: 16
    assert len(mine) > (before.plan.shortfalls["binding"] == MOTOR).sum() + 5
    assert "backlog" in set(mine["kind"])
    assert all(f"the supplier cap {MOTOR} is full" in w for w in mine["why"])
    assert any(MOTOR in line for line in shortfall.shortfall_lines(sf))
    # every supplier: the demo has one, so the same plan
    every = Levers(supplier_changes=((ALL_SUPPLIERS, months[1], months[-1], -50.0),))
    assert evaluate(base, tables, every, policy).kpis["on_time_rate"] == pytest.approx(
        after.kpis["on_time_rate"]
    )


def test_a_supplier_that_ships_nothing_loses_cooling_orders(demo) -> None:
    base, tables, policy, _, months = demo
    before = evaluate(base, tables, Levers(), policy)
    shut = Levers(supplier_changes=((MOTOR, "2027-03", months[-1], -100.0),))
    after = evaluate(base, tables, shut, policy)
    assert _cooling(after)[1] < _cooling(before)[1] - 0.1  # measured 1.0 -> 0.78
    assert after.kpis["fill_rate"] < before.kpis["fill_rate"]


def test_the_cap_changes_only_in_the_months_of_the_change(demo) -> None:
    _, tables, _, _, months = demo
    t = apply_tables(tables, Levers(supplier_changes=((MOTOR, "2027-03", "2027-05", -50.0),)))
    index = pd.DatetimeIndex(pd.to_datetime(months))
    fam = np.array(["Cooling"])
    opts0, caps0, _ = supply_options(tables, schema.OPTION_MATERIAL_CAP, index, fam, INF)
    opts1, caps1, _ = supply_options(t, schema.OPTION_MATERIAL_CAP, index, fam, INF)
    cap0 = caps0[opts0[schema.OPTION].tolist().index(MOTOR)]
    # the month's cap: the tightest row of the supplier (the others do not apply there)
    cap1 = caps1[(opts1[schema.OPTION] == MOTOR).to_numpy()].min(axis=0)
    hit = np.isin(months, ["2027-03", "2027-04", "2027-05"])
    assert np.allclose(cap1[hit], cap0[hit] / 2) and np.allclose(cap1[~hit], cap0[~hit])
    # the subcontract offers and the input tables are untouched
    sub = t[schema.SUPPLY_OPTIONS]
    assert (sub[schema.OPTION_TYPE] == schema.OPTION_SUBCONTRACT).sum() == 2
    assert len(tables[schema.SUPPLY_OPTIONS]) == 3


def test_split_caps_keep_their_own_months_blank_caps_and_multiply() -> None:
    m = pd.Timestamp
    so = pd.DataFrame(
        {
            schema.OPTION: ["CAP-A", "CAP-B", "SUB-A"],
            schema.OPTION_TYPE: [
                schema.OPTION_MATERIAL_CAP,
                schema.OPTION_MATERIAL_CAP,
                schema.OPTION_SUBCONTRACT,
            ],
            schema.FAMILY: ["A", "A", "A"],
            schema.COST_PER_UNIT: [np.nan, np.nan, 9.0],
            schema.MONTHLY_CAP_UNITS: [100.0, np.nan, 50.0],
            schema.START_MONTH: [m("2027-02-01"), pd.NaT, pd.NaT],
            schema.END_MONTH: [m("2027-06-01"), pd.NaT, pd.NaT],
        }
    )
    months = pd.date_range("2027-01-01", periods=8, freq="MS")
    fam = np.array(["A"])

    def caps(levers: Levers) -> dict[str, np.ndarray]:
        t = {schema.SUPPLY_OPTIONS: supplier_caps(so, levers)}
        o, c, _ = supply_options(t, schema.OPTION_MATERIAL_CAP, months, fam, INF)
        return {n: c[(o[schema.OPTION] == n).to_numpy()].min(axis=0) for n in ("CAP-A", "CAP-B")}

    # CAP-A applies Feb-Jun; -50 % Apr-Aug and, on top, -50 % Jun only
    got = caps(
        Levers(
            supplier_changes=(
                ("CAP-A", "2027-04", "2027-08", -50.0),
                ("CAP-A", "2027-06", "2027-06", -50.0),
            )
        )
    )
    assert got["CAP-A"].tolist() == [INF, 100, 100, 50, 50, 25, INF, INF]
    assert np.isinf(got["CAP-B"]).all()  # not named
    # every supplier: a blank cap (no limit) stays blank at -50 %, shuts at -100 %
    half = caps(Levers(supplier_changes=((ALL_SUPPLIERS, "2027-03", "2027-03", -50.0),)))
    assert np.isinf(half["CAP-B"]).all() and half["CAP-A"][2] == 50
    shut = caps(Levers(supplier_changes=((ALL_SUPPLIERS, "2027-03", "2027-03", -100.0),)))
    assert shut["CAP-B"].tolist() == [INF, INF, 0, INF, INF, INF, INF, INF]
    out = supplier_caps(
        so, Levers(supplier_changes=((ALL_SUPPLIERS, "2027-03", "2027-03", -100.0),))
    )
    assert out.loc[out[schema.OPTION] == "SUB-A", schema.MONTHLY_CAP_UNITS].tolist() == [50.0]
    assert (
        supplier_caps(so, Levers(supplier_changes=(("CAP-Z", "2027-03", "2027-03", -50.0),))) is so
    )


# --- text, files, links and saved scenarios --------------------------------------------
CUT = Levers(
    demand_pct=5.0,
    supplier_changes=(
        (MOTOR, "2027-03", "2027-12", -50.0),
        (ALL_SUPPLIERS, "2028-01", "2028-02", -10.0),
    ),
)


def test_round_trips_through_json_toml_and_the_url() -> None:
    assert Levers.from_file_text(CUT.to_json(), ".json") == CUT
    assert Levers.from_query({**CUT.to_query(), "theme": "dark"}) == CUT
    toml = (
        "[levers]\nscn_demand_pct = 5\nscn_supplier_changes = "
        '[["CAP-CL-MOTOR", "2027-03", "2027-12", -50], '
        '["(all suppliers)", "2028-01", "2028-02", -10]]\n'
    )
    assert Levers.from_file_text(toml, ".toml") == CUT
    query = CUT.to_query()[PREFIX + "supplier_changes"]
    assert query == "CAP-CL-MOTOR:2027-03:2027-12:-50,(all suppliers):2028-01:2028-02:-10"
    changed, stale = url.query_update({"scn_supplier_changes": "x", "theme": "dark"}, Levers())
    assert stale == ["scn_supplier_changes"] and changed == {}


def test_a_link_keeps_known_suppliers_and_leaves_out_others_with_why(demo) -> None:
    _, tables, _, demand, _ = demo
    known = lever_space.dataset_space(demand, tables)
    got, problems = url.levers_from_url(CUT.to_query(), known)
    assert got == CUT and problems == []
    odd = Levers(supplier_changes=(("CAP-XX", "2027-03", "2027-04", -50.0),)).to_query()
    got, problems = url.levers_from_url(odd, known)
    assert got == Levers()
    assert problems == [
        "scn_supplier_changes: there is no supplier cap 'CAP-XX' in this dataset (left out)"
    ]
    bad = {PREFIX + "supplier_changes": "CAP-CL-MOTOR:2027-03:-50"}
    got, problems = url.levers_from_url(bad, known)
    assert got == Levers() and "is not supplier:from:to:%" in problems[0]
    late = Levers(
        supplier_changes=((MOTOR, "2027-05", "2027-03", -50.0), (MOTOR, "2031-01", "2031-02", 10.0))
    )
    assert any("2027-03 is before 2027-05" in p for p in late.problems())
    assert any(
        "is outside the plan's months" in p for p in url.lever_warning(late, known).split("\n")
    )
    assert Levers(supplier_changes=((MOTOR, "2027-03", "2027-04", -300.0),)).clamped() == Levers(
        supplier_changes=((MOTOR, "2027-03", "2027-04", -100.0),)
    )


def test_saved_scenarios_keep_it_and_old_ones_still_load(store: Store) -> None:
    sid = saved_scenarios.save(store, "Motor supplier at half", CUT)
    assert saved_scenarios.get(store, sid) == ("Motor supplier at half", CUT)
    # saved before the lever existed: its JSON has no scn_supplier_changes
    old = (
        '{"scn_capacity_changes": [["RS-ASM1", "2027-06", "2027-07", 50.0]], "scn_demand_pct": 5.0}'
    )
    oid = scenario_store.save(store, "Old", old)
    name, levers = saved_scenarios.get(store, oid)
    assert name == "Old" and levers.supplier_changes == ()
    assert levers == Levers(
        demand_pct=5.0, capacity_changes=(("RS-ASM1", "2027-06", "2027-07", 50.0),)
    )


def test_the_summary_words_it() -> None:
    text = wording.moved_text(CUT)
    assert "supplier cap CAP-CL-MOTOR Mar 2027 to Dec 2027 -50 %" in text
    assert "every supplier cap Jan 2028 to Feb 2028 -10 %" in text
    assert "supplier_changes CAP-CL-MOTOR:2027-03:2027-12:-50" in CUT.describe()


# --- the widgets ------------------------------------------------------------------------
def _keys(space: lever_space.LeverSpace) -> set[str]:
    return {w.key for w in lever_widgets.lever_widgets(space)}


def test_only_a_dataset_with_supplier_caps_offers_the_lever(demo) -> None:
    _, tables, _, demand, months = demo
    known = lever_space.dataset_space(demand, tables)
    assert known.suppliers == (MOTOR,) and known.supplier_slots == 2
    pick = next(
        w for w in lever_widgets.lever_widgets(known) if w.key == "scn_supplier_changes__0_supplier"
    )
    assert pick.options == ("", ALL_SUPPLIERS, MOTOR) and pick.group == lever_widgets.CAPACITY
    # shown with its name as the Supply page's binding limits give it; the code is the value
    assert known.supplier_names == ((MOTOR, "Cooling material cap"),)
    assert [pick.shown(o) for o in pick.options] == [
        "(none)",
        ALL_SUPPLIERS,
        "CAP-CL-MOTOR · Cooling material cap",
    ]
    lev = Levers(supplier_changes=((MOTOR, "2027-03", months[-1], -50.0),))
    state = lever_widgets.widget_state(lev, known)
    assert state["scn_supplier_changes__0_pct"] == -50.0
    assert lever_widgets.levers_from_state(state, known) == lev
    assert (
        lever_widgets.levers_from_state(lever_widgets.widget_state(Levers(), known), known)
        == Levers()
    )
    # the tiny dataset has no supply options: no supplier widget
    t = tiny_tables()
    tiny = pd.DataFrame(
        {
            schema.MONTH: pd.to_datetime(["2026-01-01"]),
            schema.FAMILY: ["Alpha"],
            schema.REGION: ["North"],
        }
    )
    bare = lever_space.dataset_space(tiny, t)
    assert bare.suppliers == () and bare.supplier_slots == 0
    assert not any(k.startswith(PREFIX + "supplier_changes") for k in _keys(bare))
    # ... unless a link or saved scenario already changes one (so it can be undone)
    wide = lever_space.widen_space(bare, lev)
    assert wide.supplier_slots == 1 and MOTOR in wide.suppliers
    assert "scn_supplier_changes__0_supplier" in _keys(wide)


# --- the goal ---------------------------------------------------------------------------
def test_a_goal_started_from_a_supplier_cut_keeps_it(demo) -> None:
    base, tables, policy, _, months = demo
    start = Levers(supplier_changes=((MOTOR, months[1], months[-1], -50.0),))
    spec = GoalSpec(
        (Target("on_time_rate", ">=", 0.99),),
        (LeverRange("subcontract", 0, 300),),
        start,
    )
    got = solve_goal(base, tables, policy, spec)
    assert got.status == MET and got.levers.supplier_changes == start.supplier_changes
    assert got.evaluation.kpis["on_time_rate"] >= 0.99 - 1e-9
