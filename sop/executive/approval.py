"""What a plan costs in service, said where it is approved: the Decisions page's tiles
of the plan picked, and for each approval in the decision log the line on what it
does not serve (`sop.finance.service_line`), from the KPIs its snapshot stored
(`snapshots.PlanSnapshot.kpis`), so the log says what was approved.

Pure: KPIs (`sop.finance.kpis.plan_kpis`) in, tiles and strings out. A figure the
KPIs lack (a snapshot saved by an older version) reads as not known, never as 0.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

from sop.finance.service_line import num, shortfall_line
from sop.finance.tiles import Tile, kpi_tile, service_pct

# the Executive page's labels (`sop.executive.headline.HEADLINE`, the service tiles)
TILES = (
    (("revenue", "Revenue"), ("gross_margin", "Gross margin")),
    (("fill_rate", "Fill rate"), ("on_time_rate", "On-time fill rate")),
    (
        ("lost_units", "Lost sales (units)"),
        ("lost_value", "Lost sales (value)"),
        ("late_value", "Late deliveries (value)"),
    ),
)


def tiles(kpis: Mapping[str, float], currency: str, horizon: int | None = None) -> list[list[Tile]]:
    """The picked plan's headline in rows (`TILES`): money, service rates, what runs
    short; each by `kpi_tile`, so a fill or on-time rate a unit short reads >99.9 %,
    never 100.0 %, and money without a price reads 'no price loaded'."""
    over = f" Over the plan's {horizon} months." if horizon else ""
    rows = []
    for row in TILES:
        out = []
        for key, label in row:
            tile = kpi_tile(key, num(kpis, key), currency, label=label, bare=key == "lost_units")
            out.append(dataclasses.replace(tile, help=f"{tile.help or ''}{over}".strip()))
        rows.append(out)
    return rows


def log_line(kpis: Mapping[str, float] | None, currency: str) -> str:
    """What the decision log says of an approval's service, from its snapshot's KPIs:
    the `shortfall_line` (without "This plan "), "serves all demand on time: fill
    100.0 %, on-time 100.0 %", or '' when the snapshot is missing or holds no service
    rates (an old one)."""
    if not kpis:
        return ""
    line = shortfall_line(kpis, currency)
    if line is not None:
        return line.removeprefix("This plan ")
    fill, on_time = num(kpis, "fill_rate"), num(kpis, "on_time_rate")
    if math.isnan(fill) or math.isnan(on_time):
        return ""
    return f"serves all demand on time: fill {service_pct(fill)}, on-time {service_pct(on_time)}"


def not_planned(explanation: str | None) -> str:
    """Why the picked plan shows no figures: no plan can be made of it (`explanation`:
    the planner's reason, None without a demand plan). Plain text."""
    why = (explanation or "").strip().rstrip(".") or "there is no demand plan to plan it on"
    return f"This plan cannot be made on the active data: {why}."
