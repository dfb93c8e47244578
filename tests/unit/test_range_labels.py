"""A P10-P90 range says what it is wherever it is shown: the Finance and Executive
tiles' help, the Finance band chart's and the Executive revenue chart's subtitles and
the meeting pack say how it is made in the words of the Scenarios Risk tab's caption
(`risk_view.risk_note`), one sentence kept in `sop.finance.range_text`. And the
Executive "Inventory value (end)" against the baseline says when it is lower because
orders go unserved, as the Scenarios tile does. On the demo's severe squeeze (demand
+40 %, the four assembly lines -45 %, no overtime, no subcontracting)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from supply_helpers import severe_squeeze

from sop.executive import charts as exec_charts
from sop.executive import headline as exec_headline
from sop.executive import pack_sheets
from sop.executive import view as exec_view
from sop.finance import charts as finance_charts
from sop.finance import kpi_text, range_text, risk, tiles
from sop.finance import view as finance_view
from sop.scenario import risk_view
from sop.scenario.evaluate import evaluate
from sop.scenario.levers import Levers

HORIZON = 18
BASIS = range_text.RANGE_BASIS


@pytest.fixture(scope="module")
def squeeze():
    """The severe squeeze and the baseline on a demand with a P10-P90 band (x0.8 to
    x1.25: the loaded consensus of `severe_squeeze` has none, so its range is a point)."""
    demand, tables, policy, _, short = severe_squeeze(HORIZON)
    banded = dataclasses.replace(demand, p10=demand.units * 0.8, p90=demand.units * 1.25)
    base = evaluate(banded, tables, Levers(), policy)
    ev = evaluate(banded, tables, short.levers, policy)
    assert base.ok and ev.ok
    return tables, base, ev


def test_the_sentence_is_the_risk_tabs_caption_and_counts_the_draws() -> None:
    summary = pd.DataFrame({"metric": ["revenue"], "p10": [1.0], "p50": [2.0], "p90": [3.0]})
    assert risk_view.risk_note(summary) is BASIS  # one sentence, not a copy
    flat = summary.assign(p10=2.0, p90=2.0)
    assert risk_view.risk_note(flat) is range_text.RANGE_POINT
    assert f"drawn {risk.N_PATHS} times" in BASIS
    assert "plan's capacity" in BASIS
    # a chart's lines carry no Markdown and put the whole sentence back together
    lines = range_text.range_lines(width=110)
    assert len(lines) > 1 and all(len(x) <= 110 for x in lines) and " ".join(lines) == BASIS
    assert "`" not in " ".join(range_text.range_lines(flat=True))


def test_finance_tiles_say_how_the_range_is_made(squeeze) -> None:
    tables, _, ev = squeeze
    view = finance_view.build(ev, tables)
    shown = {t.label: t for t in tiles.finance_tiles(view.totals, "EUR")}
    for label in ("Revenue (plan horizon)", "Gross margin (plan horizon)"):
        assert shown[label].delta.startswith("P10-P90: €"), label
        assert shown[label].help.endswith(range_text.range_help()), label
        assert BASIS in shown[label].help and "8 in 10" in shown[label].help
    assert BASIS not in (shown["Gross margin % of revenue"].help or "")  # it has no range
    # the service row: fill and on-time carry a range, the others none
    service = {
        t.label: t for t in tiles.service_tiles(ev.kpis, "EUR", ranges=risk.p10_p90(ev.risk))
    }
    assert BASIS in service["Fill rate"].help and BASIS in service["On-time fill rate"].help
    assert BASIS not in service["Late (units)"].help
    # a range that is a point says why instead
    flat = {**view.totals, "revenue_p10": 5.0e6, "revenue_p90": 5.0e6}
    point = tiles.finance_tiles(flat, "EUR")[0]
    assert range_text.RANGE_POINT in point.help and BASIS not in point.help
    no_range = {k: v for k, v in view.totals.items() if not k.endswith(("_p10", "_p90"))}
    assert tiles.finance_tiles(no_range, "EUR")[0].delta == "no range"


def test_the_band_charts_subtitles_say_it(squeeze) -> None:
    tables, _, ev = squeeze
    view = finance_view.build(ev, tables)
    fig = finance_charts.band_chart(view.bands, view.actuals, "revenue", "EUR", {})
    sub = fig.layout.title.subtitle.text
    assert sub.startswith("Shaded: 8 in 10 demand outcomes land inside; dashed: budget<br>")
    assert sub.split("<br>", 1)[1].replace("<br>", " ") == BASIS
    assert fig.layout.margin.t >= 100 + 18 * sub.count("<br>")  # room for every line
    # a band that is a point everywhere shades nothing: the budget, then why
    flat_bands = view.bands.assign(revenue_p10=view.bands["revenue_p90"])
    lines = finance_charts.band_subtitle(flat_bands, "revenue")
    assert lines[0] == "Dashed: budget" and "Shaded" not in " ".join(lines)
    assert " ".join(lines[1:]) == range_text.RANGE_POINT.replace("`", "").replace("*", "")
    assert lines[1:] == range_text.range_lines(flat=True)
    # the Executive chart is half the page wide: one line, with the count and the re-plan
    band = exec_view.revenue_band(ev.plan, ev.risk.total)
    for size in (13, 18):
        fig = exec_charts.revenue_chart(band, "EUR", font_size=size)
        assert fig.layout.title.subtitle.text == range_text.RANGE_SHADED, size
        assert fig.layout.margin.t >= 40 + 2 * size, size  # room for the title and the line
    assert f"{risk.N_PATHS} demand outcomes" in range_text.RANGE_SHADED
    assert "re-planned through the plan's capacity" in range_text.RANGE_SHADED
    flat = band.assign(revenue_p10=band["revenue"], revenue_p90=band["revenue"])
    assert exec_charts.range_subtitle(flat) == [range_text.POINT_SHADED]
    assert exec_charts.range_subtitle(band.assign(revenue_p10=float("nan"))) == []


def _headline(ev, base) -> pd.DataFrame:
    return exec_headline.headline(
        ev.kpis, ev.budget, None, "EUR", base.kpis, risk.p10_p90(ev.risk)
    ).set_index("key")


def test_executive_help_and_pack_say_how_the_range_is_made(squeeze) -> None:
    _, base, ev = squeeze
    head = _headline(ev, base)
    for key in ("revenue", "gross_margin", "fill_rate", "on_time_rate"):
        assert head.at[key, "range_text"].startswith("P10-P90: "), key
        assert head.at[key, "help"].endswith(range_text.range_help()), key
    assert BASIS not in head.at["late_units", "help"]  # no range, no sentence
    # the pack: under the Summary's headline table and under the HTML cards
    sentence = pack_sheets.range_sentence(head.reset_index())
    assert sentence == range_text.range_help(plain=True) and BASIS in sentence
    no_range = head.reset_index().assign(range_text="")
    assert pack_sheets.range_sentence(no_range) == ""


def test_executive_inventory_against_the_baseline_says_it_is_lower_from_running_short(
    squeeze,
) -> None:
    _, base, ev = squeeze
    head = _headline(ev, base)
    fill = kpi_text.service_pct(ev.kpis["fill_rate"])
    on_time = kpi_text.service_pct(ev.kpis["on_time_rate"])
    below = {
        n: kpi_text.value_text("below_safety_stock", e.kpis["below_safety_stock"])
        for n, e in (("ev", ev), ("base", base))
    }
    d = ev.kpis["ending_inventory_value"] - base.kpis["ending_inventory_value"]
    assert d < 0  # the squeeze ends with less stock than the baseline
    text = head.at["ending_inventory_value", "vs_baseline_text"]
    # the demo's baseline runs a little below safety stock too; this plan runs further
    assert text == (
        f"{kpi_text.delta_text('ending_inventory_value', d, base.kpis['ending_inventory_value'])}"
        f" vs baseline; lower because this plan leaves orders unserved (fill "
        f"rate {fill}), ships orders late (on-time fill rate {on_time}) and runs further "
        f"below safety stock ({below['ev']}, against {below['base']}), not better"
    )
    assert text in head.at["ending_inventory_value", "help"]
    # other KPIs, and the baseline against itself, read as before
    assert "unserved" not in head.at["revenue", "vs_baseline_text"]
    own = _headline(base, base)
    assert own.at["ending_inventory_value", "vs_baseline_text"] == "no change vs baseline"


def test_a_flat_rate_where_demand_varies_does_not_ask_for_a_forecast() -> None:
    """Review: fill 100.0 % in every outcome read 'the demand plan has no P10-P90 band
    ... run python -m sop forecast' on a demo with a stored forecast."""
    ranges = {"revenue": (30.1e6, 33.4e6), "fill_rate": (1.0, 1.0)}
    text = range_text.ranged_help("fill_rate", ranges)
    assert range_text.RANGE_POINT not in text and range_text.RANGE_BASIS in text
    assert text.endswith(range_text.SAME_EVERYWHERE)
    # no band at all: the revenue range is a point too, and the help says why
    flat = {"revenue": (31e6, 31e6), "fill_rate": (1.0, 1.0)}
    assert range_text.RANGE_POINT in range_text.ranged_help("fill_rate", flat)
    assert range_text.ranged_help("late_units", ranges) is None
