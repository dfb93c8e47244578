"""A plan a few units short never reads 100.0 % served: the service rates on the tiles,
the Executive headline and board, the Compare table and the Supply summary say so.

One decimal rounds 99.999 % up to 100.0 %; next to "Lost sales: 1" that reads as a
contradiction, and alone it hides the shortfall."""

from __future__ import annotations

import pytest
from supply_helpers import one_product

from sop.executive import headline as exec_headline
from sop.finance import kpi_text, tiles
from sop.finance.kpis import plan_kpis, summary
from sop.scenario import compare
from sop.supply.plan import SupplyPolicy, solve_plan


@pytest.fixture(scope="module")
def one_short() -> dict[str, float]:
    # 50,000 units a month of capacity against 50,000 then 50,001 ordered, no backlog:
    # one unit of 100,001 is lost (fill rate 99.999 %)
    tables, demand = one_product([50_000.0, 50_001.0], line_hours=50_000.0)
    plan = solve_plan(demand, tables, SupplyPolicy(backlog_allowed=False))
    k = plan_kpis(plan, tables["products"])
    assert k["lost_units"] == pytest.approx(1.0)
    assert 0.99999 < k["fill_rate"] < 1 and 0.99999 < k["on_time_rate"] < 1
    return k


def _by_label(row: list[tiles.Tile]) -> dict[str, str]:
    return {t.label: t.value for t in row}


def test_service_tiles_do_not_round_a_shortfall_up_to_full(one_short) -> None:
    shown = _by_label(tiles.service_tiles(one_short, "EUR"))
    assert shown["Fill rate"] == shown["On-time fill rate"] == ">99.9 %"
    assert shown["Lost sales (units)"] == "1"
    supply = _by_label([t for row in tiles.plan_tiles(one_short, "EUR") for t in row])
    assert supply["Fill rate"] == ">99.9 %"


def test_the_summary_headline_and_compare_table_say_the_same(one_short) -> None:
    assert ">99.9 % of demand delivered within the horizon, >99.9 % on time" in summary(one_short)
    head = exec_headline.headline(one_short, {}, None, "EUR").set_index("key")
    assert head.at["fill_rate", "text"] == ">99.9 %"
    full = {**one_short, "fill_rate": 1.0, "on_time_rate": 1.0, "lost_units": 0.0}
    table = compare.compare_table({"Full": full, "Short": one_short}, "EUR").set_index("KPI")
    row = table.loc["Fill rate (served / demanded)"]
    assert row["Full"] == "★ 100.0 %" and row["Short"] == ">99.9 %"  # no tie: one is short


def test_the_summary_leaves_service_to_the_short_line_when_asked(one_short) -> None:
    """The Supply page shows `service_line.shortfall_line` above its caption on a short
    plan: `service=False` keeps the caption from saying the same figures again."""
    full, brief = summary(one_short), summary(one_short, service=False)
    assert ">99.9 %" in full and "1 unit lost" in full
    assert ">99.9 %" not in brief and "lost" not in brief and "late" not in brief
    assert brief.startswith("Gross margin ") and "binding limit-month" in brief
    assert brief.endswith(".") and ";;" not in brief and "; ." not in brief


def test_a_plan_that_serves_everything_still_reads_100_percent() -> None:
    assert kpi_text.value_text("fill_rate", 1.0) == "100.0 %"
    assert kpi_text.value_text("on_time_rate", 0.953) == "95.3 %"
    assert kpi_text.value_text("avg_utilisation", 0.99996) == "100.0 %"  # not a service rate
    assert kpi_text.service_pct(float("nan")) == "–"


def test_risk_chart_hover_never_rounds_a_short_rate_up() -> None:
    """The Scenarios risk chart's hover says >99.9 % for a P10 just under 1, as the
    table beside it does; a rate that is exactly 1 still reads 100.0 %."""
    import pandas as pd

    from sop.core import schema
    from sop.scenario.charts import risk_ranges

    r = pd.DataFrame(
        {
            "metric": ["fill_rate"],
            schema.P10: [0.99996],
            schema.P50: [1.0],
            schema.P90: [1.0],
        }
    )
    fig = risk_ranges({"Plan": r}, "EUR")
    hovers = [t.hovertemplate for t in fig.data if t.hovertemplate]
    assert hovers and all("P10 >99.9 %" in h and "P90 100.0 %" in h for h in hovers)


def test_every_supply_tile_has_its_definition_in_the_help(one_short) -> None:
    """The Supply page's tiles have no reference to change against; each still carries
    the KPI's definition from the catalogue in its (?), as the Scenarios tiles do."""
    from sop.finance.catalogue import KPI_BY_KEY

    rows = tiles.plan_tiles(one_short, "EUR")
    helps = {t.label: t.help for row in rows for t in row}
    assert all(helps.values()), helps
    assert helps["Fill rate"] == KPI_BY_KEY["fill_rate"].help
