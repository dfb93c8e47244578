"""Less stock from running out is no good news: a tile of a KPI better only at full
service (inventory value, turns) is coloured by its direction only when both plans
serve all their demand; otherwise its change is grey and the line under it says which
plan runs short. The severe squeeze of the demo data (demand +40 %, the four assembly
lines -45 %, no overtime, no subcontracting) against the baseline, on the Scenarios
and the Executive tiles."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from supply_helpers import severe_squeeze

from sop.executive import headline as exec_headline
from sop.executive import view as exec_view
from sop.finance import kpi_text, stock_rating, tiles
from sop.finance.catalogue import KPI_BY_KEY, KPIS
from sop.finance.kpis import kpi_table
from sop.scenario import compare, stars

HORIZON = 18
STOCK = {
    "ending_inventory_value": "Ending inventory (value)",
    "inventory_turns": "Inventory turns a year",
}
RULE = "only between plans that serve all their demand"


@pytest.fixture(scope="module")
def squeeze():
    _, _, _, base, ev = severe_squeeze(HORIZON)
    return base, ev


def _by_label(rows) -> dict[str, tiles.Tile]:
    return {t.label: t for row in rows for t in row}


def test_the_catalogue_marks_the_stock_kpis_and_only_them() -> None:
    assert {k.key for k in KPIS if k.served_only} == set(STOCK)


@pytest.mark.parametrize(
    ("key", "value", "reference", "colour"),
    [
        ("ending_inventory_value", 1.0e6, 1.5e6, "inverse"),  # lower stock: green
        ("ending_inventory_value", 1.6e6, 1.5e6, "inverse"),  # higher stock: red
        ("inventory_turns", 9.0, 6.0, "normal"),  # more turns: green
    ],
)
def test_plans_that_serve_all_demand_colour_stock_by_its_direction(
    key: str, value: float, reference: float, colour: str
) -> None:
    for fill in (None, (1.0, 1.0), (1.0, None)):  # both full, or not known: as before
        tile = tiles.kpi_tile(key, value, reference=reference, fill=fill)
        assert tile.delta_color == colour and tile.delta_arrow == "auto", fill
        assert tile.notes == () and RULE not in tile.help, fill


def test_a_short_plan_lower_stock_is_grey_and_says_why() -> None:
    tile = tiles.kpi_tile(
        "ending_inventory_value",
        1.0e6,
        reference=1.5e6,
        fill=(0.902, 1.0),
        name="the scenario",
        notes=("Budget line",),
    )
    assert tile.delta == "-€500k (-33.3 %)"  # the change is still shown
    assert tile.delta_color == "off" and tile.delta_arrow == "auto"  # but not rated
    assert tile.notes == (
        "Lower because the scenario leaves orders unserved (fill rate 90.2 %), not better",
        "Budget line",
    )
    assert RULE in tile.help and "Baseline: €1.50M." in tile.help
    turns = tiles.kpi_tile("inventory_turns", 9.0, reference=6.0, fill=(0.902, 1.0))
    assert turns.delta_color == "off"
    assert turns.notes[0].startswith("Higher because this plan leaves orders unserved")
    # a plan one unit short (>99.9 %) does not serve all demand either
    near = tiles.kpi_tile("ending_inventory_value", 1.0e6, reference=1.5e6, fill=(0.99999, 1))
    assert near.delta_color == "off" and "(fill rate >99.9 %)" in near.notes[0]


def test_the_reference_running_short_is_named() -> None:
    more = tiles.kpi_tile(
        "ending_inventory_value", 1.6e6, reference=1.5e6, against="previous plan", fill=(1, 0.95)
    )
    assert more.delta_color == "off"
    assert more.notes == (
        "Higher because the previous plan leaves orders unserved (fill rate 95.0 %), not worse",
    )
    both = tiles.kpi_tile("ending_inventory_value", 1.4e6, reference=1.5e6, fill=(0.9, 0.95))
    assert both.delta_color == "off"
    assert both.notes == (
        "Not rated better or worse: this plan leaves orders unserved (fill rate 90.0 %); "
        "the baseline leaves orders unserved (fill rate 95.0 %)",
    )
    empty = tiles.kpi_tile("ending_inventory_value", 1.6e6, reference=1.5e6, fill=(math.nan, 1))
    assert empty.notes == ("Not rated better or worse: this plan has no demand to serve",)
    # no change, nothing to rate: no line
    still = tiles.kpi_tile("ending_inventory_value", 1.5e6, reference=1.5e6, fill=(0.9, 1))
    assert still.delta == "no change" and still.notes == ()


def test_other_kpis_keep_their_colours_when_a_plan_runs_short() -> None:
    for key, value, reference in (
        ("revenue", 8e5, 9e5),
        ("lost_units", 800.0, 900.0),
        ("fill_rate", 0.8, 0.9),
    ):
        kpi = KPI_BY_KEY[key]
        tile = tiles.kpi_tile(key, value, reference=reference, fill=(0.8, 1.0))
        assert tile.delta_color == tiles.delta_color(kpi) != "off" and tile.notes == (), key


def test_the_served_test_is_the_one_compare_stars_by() -> None:
    fills = {"a": 1.0, "b": 0.99999, "c": math.nan, "d": 0.5, "e": 1 - 1e-12}
    assert stars.served_all(fills) == {k for k, v in fills.items() if stock_rating.serves_all(v)}
    assert stars.served_all(fills) == {"a", "e"}


def test_severe_squeeze_stock_tiles_are_grey_against_the_baseline(squeeze) -> None:
    base, ev = squeeze
    assert stock_rating.serves_all(base.kpis["fill_rate"]) and not stock_rating.serves_all(
        ev.kpis["fill_rate"]
    )
    assert ev.kpis["ending_inventory_value"] < base.kpis["ending_inventory_value"]
    assert ev.kpis["inventory_turns"] > base.kpis["inventory_turns"]
    table = kpi_table(ev.kpis, base.kpis, ev.budget).set_index("key")
    shown = _by_label(compare.scenario_tiles(table, ev.budget, "EUR"))
    fill = kpi_text.service_pct(ev.kpis["fill_rate"])
    on_time = kpi_text.service_pct(ev.kpis["on_time_rate"])
    below = {
        n: kpi_text.value_text(stock_rating.BELOW_SAFETY, e.kpis[stock_rating.BELOW_SAFETY])
        for n, e in (("scenario", ev), ("baseline", base))
    }
    for label in STOCK.values():
        tile = shown[label]
        assert tile.delta_color == "off" and tile.delta_arrow == "auto", label
        # the demo's baseline runs a little below safety stock; the squeeze runs further
        assert tile.notes[0] == (
            f"{'Higher' if 'turns' in label else 'Lower'} because the scenario leaves orders "
            f"unserved (fill rate {fill}), ships orders late (on-time fill rate {on_time}) "
            f"and runs further below safety stock ({below['scenario']}, against "
            f"{below['baseline']}), not better"
        ), label
        assert RULE in tile.help, label
    # the rest of the tiles are rated as before: revenue and lost sales moved, coloured
    assert shown["Revenue"].delta_color == "normal"
    assert shown["Lost sales (units)"].delta_color == "inverse"
    # the same plans with the scenario serving all demand: the stock is rated again
    full = table.copy()
    full.at["fill_rate", "scenario"] = full.at["on_time_rate", "scenario"] = 1.0
    full.loc["below_safety_stock", ["scenario", "baseline"]] = 0.0
    rated = _by_label(compare.scenario_tiles(full, ev.budget, "EUR"))
    assert rated[STOCK["ending_inventory_value"]].delta_color == "inverse"
    assert rated[STOCK["inventory_turns"]].delta_color == "normal"
    assert not any("unserved" in n for t in rated.values() for n in t.notes)


def _exec(current, previous, name: str) -> SimpleNamespace:
    """What `headline_tiles` reads of an `ExecView`."""
    return SimpleNamespace(
        previous=SimpleNamespace(kpis=dict(previous.kpis)),
        plan_name=name,
        currency="EUR",
        current=current,
        headline=exec_headline.headline(current.kpis, current.budget, dict(previous.kpis), "EUR"),
    )


def test_executive_stock_tile_is_grey_when_either_plan_runs_short(squeeze) -> None:
    base, ev = squeeze
    label = dict(exec_headline.HEADLINE)["ending_inventory_value"]
    fill = kpi_text.service_pct(ev.kpis["fill_rate"])
    # the demo's baseline runs a little below safety stock: here it holds it all
    base = SimpleNamespace(kpis={**base.kpis, stock_rating.BELOW_SAFETY: 0.0}, budget=base.budget)
    ev = SimpleNamespace(kpis={**ev.kpis, "on_time_rate": ev.kpis["fill_rate"]}, budget=ev.budget)
    # the squeeze on the table, the baseline the previous plan of record
    tile = {t.label: t for t in exec_view.headline_tiles(_exec(ev, base, "#1 Squeeze"), 18)}
    assert tile[label].delta_color == "off" and tile[label].delta_arrow == "auto"
    below = kpi_text.value_text(stock_rating.BELOW_SAFETY, ev.kpis[stock_rating.BELOW_SAFETY])
    assert tile[label].notes[0] == (
        f"Lower because this plan leaves orders unserved (fill rate {fill}) and runs below "
        f"safety stock ({below}), not better"
    )
    assert RULE in tile[label].help and "Over the plan's 18 months." in tile[label].help
    assert tile["Revenue"].delta_color == "normal"  # other tiles as before
    # the other way round: more stock than a previous plan that ran short
    back = {t.label: t for t in exec_view.headline_tiles(_exec(base, ev, "Baseline"), 18)}
    assert back[label].delta_color == "off"
    assert back[label].notes[0] == (
        f"Higher because the previous plan leaves orders unserved (fill rate {fill}) and runs "
        f"below safety stock ({below}), not worse"
    )
    # two plans that serve all demand: coloured by direction, as before
    same = {t.label: t for t in exec_view.headline_tiles(_exec(base, base, "Baseline"), 18)}
    assert same[label].delta == "no change" and same[label].delta_arrow == "off"
    assert not any("unserved" in n for n in same[label].notes)
    lean = SimpleNamespace(
        kpis={**base.kpis, "ending_inventory_value": 0.5 * base.kpis["ending_inventory_value"]},
        budget=base.budget,
    )
    rated = {t.label: t for t in exec_view.headline_tiles(_exec(lean, base, "Lean"), 18)}
    assert rated[label].delta_color == "inverse" and rated[label].delta_arrow == "auto"
    assert not any("unserved" in n for n in rated[label].notes)
