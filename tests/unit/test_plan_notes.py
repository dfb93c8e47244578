"""The notes a scenario's plan adds to its baseline's, matched by kind and names.

A note's text carries figures that move with the levers ("up to 2.5 % of the price"
against 2.3 % after a price rise) while it says the same thing about the same items:
comparing texts showed such a note as new on every price move. One product, on paper
(`supply_helpers.one_product`): unit cost 50 (material 40 + 1 h at 10), price 100,
safety stock 20 units, penalty 2 % of the price a month below it.
"""

from __future__ import annotations

import pytest
from supply_helpers import one_product

from sop.scenario.evaluate import Evaluation, evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.scenario.plan_notes import added_notes
from sop.supply import notes as plan_notes
from sop.supply.export import result_json, summary
from sop.supply.notes import PlanNote
from sop.supply.plan import SupplyPolicy

POLICY = SupplyPolicy(horizon=6)
ITEM = "Fam / Plant"  # the one item: family Fam made at plant Plant


@pytest.fixture(scope="module")
def data():
    tables, demand = one_product([10.0] * 6, line_hours=100.0, ss_units=20.0, holding_pct=12.0)
    return tables, prepare_demand(demand)


def _ev(data, policy: SupplyPolicy = POLICY, **levers) -> Evaluation:
    tables, base = data
    ev = evaluate(base, tables, Levers(**levers), policy, with_risk=False)
    assert ev.ok, ev.plan.explanation
    return ev


def _unkept(ev: Evaluation) -> list[PlanNote]:
    return [n for n in ev.plan.notes if n.kind == plan_notes.UNKEPT_SAFETY_STOCK]


def test_a_holding_cost_above_the_penalty_is_a_note_the_baseline_does_not_have(data) -> None:
    # 12 %/year of 50 = 0.5 a unit-month, below the penalty (2): the baseline keeps its
    # safety stock and says nothing; at 60 %/year (2.5) the scenario keeps none
    base, dear = _ev(data), _ev(data, holding_cost_rate=60.0)
    assert base.plan.notes == []
    (said,) = _unkept(dear)
    assert said.subject == (ITEM,) and "up to 2.5 % of the price" in said.text
    assert added_notes(dear.plan.notes, base.plan.notes) == [said]
    # the other way round the scenario says less than the baseline: nothing to show
    assert added_notes(base.plan.notes, dear.plan.notes) == []


def test_a_price_move_alone_adds_nothing_though_the_figures_in_the_text_move(data) -> None:
    # the same holding cost on both sides; a 10 % dearer price makes the holding cost
    # 2.5 / 110 = 2.3 % of the price, still above the 2 % penalty: the same items, the
    # same note, another figure in its text
    ref = _ev(data, holding_cost_rate=60.0)
    pricier = _ev(data, holding_cost_rate=60.0, price_family_pct=(("Fam", 10.0),))
    (before,), (after,) = _unkept(ref), _unkept(pricier)
    assert "up to 2.5 %" in before.text and "up to 2.3 %" in after.text
    assert before.text != after.text and before.subject == after.subject
    assert added_notes(pricier.plan.notes, ref.plan.notes) == []


def test_a_price_cut_that_drops_the_penalty_below_the_holding_cost_is_shown(data) -> None:
    # 40 %/year of 50 = 1.67 a unit-month: kept at a price of 100 (penalty 2), not at 80
    # (penalty 1.6): a price lever that changes what the plan does is a new note
    ref = _ev(data, holding_cost_rate=40.0)
    cheaper = _ev(data, holding_cost_rate=40.0, price_family_pct=(("Fam", -20.0),))
    assert _unkept(ref) == []
    assert [n.kind for n in added_notes(cheaper.plan.notes, ref.plan.notes)] == [
        plan_notes.UNKEPT_SAFETY_STOCK
    ]


def test_a_caution_of_the_settings_both_plans_share_is_not_repeated(data) -> None:
    # a penalty above the backlog cost is a setting, not a lever: the baseline says it
    policy = SupplyPolicy(horizon=6, safety_stock_penalty_pct=5.0)
    base, moved = _ev(data, policy), _ev(data, policy, demand_pct=20.0)
    kinds = [n.kind for n in moved.plan.notes]
    assert kinds == [n.kind for n in base.plan.notes] == [plan_notes.PENALTY_CAUTION]
    assert added_notes(moved.plan.notes, base.plan.notes) == []


def test_added_notes_match_kind_and_names_never_text() -> None:
    def n(kind: str, subject: tuple, text: str = "") -> PlanNote:
        return PlanNote(kind, subject, text or f"{kind} {subject}")

    sku, line = plan_notes.UNPRICED_SKU, plan_notes.ESTIMATED_LINE_HOURS
    base = [n(sku, ("A", "B")), n(line, ("L1",)), n(plan_notes.SHORT_DEMAND, ())]
    scenario = [
        n(sku, ("A",), "other words"),  # fewer of the same SKUs: nothing new
        n(line, ("L2",)),  # another line: new
        n(line, ("L2",)),  # twice: shown once
        n(plan_notes.SHORT_DEMAND, (), "other figures"),  # a kind the baseline has
        n(plan_notes.PENALTY_CAUTION, ()),  # a kind the baseline has not
        n(sku, ("B", "C")),  # names C, which the baseline's note does not
    ]
    assert added_notes(scenario, base) == [scenario[1], scenario[4], scenario[5]]
    assert added_notes([], base) == [] and added_notes(base, []) == base
    with pytest.raises(ValueError, match="unknown plan note kind"):
        PlanNote("typo", (), "text")
    assert PlanNote(sku, ["A", 7], "t").subject == ("A", "7")  # any names, kept as text


def test_the_cli_and_the_json_export_print_the_note_text(data) -> None:
    dear = _ev(data, holding_cost_rate=60.0)
    (said,) = _unkept(dear)
    assert result_json(dear.plan, {}, dear.kpis)["notes"] == [said.text]
    assert f"  note: {said.text}" in summary(dear.plan, "EUR", dear.kpis).splitlines()
