"""Bridges and waterfalls start their value axis near the smallest total when the steps
are small against the totals, with the break marked (issue 17); at zero otherwise."""

from __future__ import annotations

import pandas as pd
import pytest

from sop.core import fmt, waterfall_axis
from sop.executive import charts as exec_charts
from sop.finance import margin_charts
from sop.scenario import charts as scenario_charts
from sop.supply import charts as supply_charts

SMALL_STEPS = pd.DataFrame(
    {
        "step": ["Budget margin", "Volume", "Mix", "Price", "Cost", "Projected margin"],
        "amount": [9.0e6, -400e3, 10e3, 250e3, -120e3, 8.74e6],
        "kind": ["total", "delta", "delta", "delta", "delta", "total"],
    }
)
MEASURE = ["absolute", "relative", "relative", "relative", "relative", "total"]


def _inside(rng: waterfall_axis.ValueRange, amounts, measures) -> bool:
    levels = waterfall_axis.levels(amounts, measures)
    return all(rng.lo <= v <= rng.hi for v in levels)


def test_small_steps_on_large_totals_start_the_axis_below_the_smallest_total() -> None:
    rng = waterfall_axis.value_range(SMALL_STEPS["amount"], MEASURE)
    assert rng.broken and 0 < rng.lo < 8.6e6  # the lowest level is EUR 8.6M
    assert rng.lo > 7e6  # near it, so the EUR 10k-400k steps are visible
    assert _inside(rng, SMALL_STEPS["amount"], MEASURE)
    assert rng.hi > 9.0e6  # room for the labels above the highest bar


@pytest.mark.parametrize(
    ("amounts", "why"),
    [
        ([100e3, -90e3, 5e3, 15e3], "a total near zero"),
        ([500e3, -900e3, 50e3, -350e3], "a negative level"),
        ([-200e3, -50e3, -250e3], "a loss"),
        ([9e6, -6e6, 3e6], "steps large against the totals"),
    ],
)
def test_the_axis_keeps_zero_when_a_total_is_small_or_negative(amounts, why) -> None:
    measures = ["absolute"] + ["relative"] * (len(amounts) - 2) + ["total"]
    rng = waterfall_axis.value_range(amounts, measures)
    assert not rng.broken, why
    assert rng.lo <= 0 <= rng.hi
    assert _inside(rng, amounts, measures)


def test_levels_follow_plotly_total_ignores_its_amount() -> None:
    assert waterfall_axis.levels(
        [100, -30, 0, 5, 0],
        ["relative"] * 2
        + ["total"] * 1
        + [
            "relative",
            "total",
        ],
    ) == [100, 70, 70, 75, 75]


def _break_note(fig) -> str:
    notes = [a.text for a in fig.layout.annotations if a.name == "axis break"]
    assert len(notes) == 1 and any(s.name == "axis break" for s in fig.layout.shapes)
    return notes[0]


def test_every_bridge_starts_near_its_smallest_total_with_the_break_marked() -> None:
    exec_bridge = SMALL_STEPS.assign(
        step=["Previous", "Demand", "Price", "Capacity", "Cost", "New"]
    )
    figs = {
        "finance": margin_charts.bridge_waterfall(SMALL_STEPS, "EUR"),
        "scenario": scenario_charts.bridge_chart(SMALL_STEPS, "EUR"),
        "executive": exec_charts.plan_bridge_chart(exec_bridge, "EUR"),
    }
    for name, fig in figs.items():
        lo, hi = fig.layout.yaxis.range
        assert 7e6 < lo < 8.6e6 and hi > 9.0e6, name
        assert _break_note(fig) == f"≈ axis starts at {fmt.money_tick(lo)}, not zero", name
        ticks = [v for v in fig.layout.yaxis.tickvals if lo <= v <= hi]
        labels = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext))
        assert len(ticks) >= 3 and all(labels[v].startswith("€") for v in ticks), name
        assert labels[ticks[0]] == fmt.money_tick(lo), name  # the note names the first tick


def test_a_bridge_from_zero_has_no_break_mark() -> None:
    steps = SMALL_STEPS.assign(amount=[900e3, -1.7e6, 0.3, -0.2, 50e3, -750e3])
    fig = margin_charts.bridge_waterfall(steps, "EUR")
    lo, hi = fig.layout.yaxis.range
    assert lo < -800e3 and hi > 900e3
    assert not fig.layout.annotations and not fig.layout.shapes


def test_supply_cost_waterfall_uses_the_same_rule() -> None:
    costs = pd.DataFrame(
        {
            "label": ["Revenue", "Material", "Inventory holding"],
            "kind": ["revenue", "cost", "cost"],
            "amount": [1_000_000.0, 400_000.0, 20_000.0],
        }
    )
    fig = supply_charts.cost_waterfall(costs, "EUR")
    lo, hi = fig.layout.yaxis.range
    assert lo == 0 and hi > 1_000_000  # costs are large against the margin: from zero
    assert not fig.layout.annotations
    assert list(fig.data[0].customdata) == ["€1,000,000", "-€400,000", "-€20,000", "€580,000"]
    small = costs.assign(amount=[1_000_000.0, 20_000.0, 5_000.0])
    fig = supply_charts.cost_waterfall(small, "EUR")
    lo, _ = fig.layout.yaxis.range
    assert 800_000 < lo < 975_000
    assert "axis starts at €" in _break_note(fig)
