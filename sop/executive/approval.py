"""What a plan costs in service, said where it is approved: the Decisions page's tiles
of the plan picked, the one line on a plan that serves less than all its demand, and
the same line for each approval in the decision log, from the KPIs its snapshot
stored (`snapshots.PlanSnapshot.kpis`), so the log says what was approved.

Pure: KPIs (`sop.finance.kpis.plan_kpis`) in, tiles and strings out. A figure the
KPIs lack (a snapshot saved by an older version) reads as not known, never as 0.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

from sop.core import fmt
from sop.finance.tiles import Tile, kpi_tile, serves_all, service_pct

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
SHORT_UNITS = 0.5  # units lost below this read "0 units": nothing lost
SHORT_MONEY = 0.5  # late value below this reads as nothing late


def _num(kpis: Mapping[str, float], key: str) -> float:
    v = kpis.get(key)
    try:
        v = float(v)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def tiles(kpis: Mapping[str, float], currency: str, horizon: int | None = None) -> list[list[Tile]]:
    """The picked plan's headline in rows (`TILES`): money, service rates, what runs
    short; each by `kpi_tile`, so a fill or on-time rate a unit short reads >99.9 %,
    never 100.0 %, and money without a price reads 'no price loaded'."""
    over = f" Over the plan's {horizon} months." if horizon else ""
    rows = []
    for row in TILES:
        out = []
        for key, label in row:
            tile = kpi_tile(key, _num(kpis, key), currency, label=label, bare=key == "lost_units")
            out.append(dataclasses.replace(tile, help=f"{tile.help or ''}{over}".strip()))
        rows.append(out)
    return rows


def is_short(kpis: Mapping[str, float]) -> bool:
    """Whether the plan serves less than all its demand, or some of it late: its fill or
    on-time rate reads below 100.0 % (`serves_all`). No demand, or a snapshot without
    the rates: not known, so False."""
    fill, on_time = _num(kpis, "fill_rate"), _num(kpis, "on_time_rate")
    if math.isnan(fill) and math.isnan(on_time):
        return False
    return any(not math.isnan(r) and not serves_all(r) for r in (fill, on_time))


def shortfall_line(kpis: Mapping[str, float], currency: str) -> str | None:
    """One line on a plan that serves less than all its demand on time, else None:
    "This plan leaves 52,497 units (€3.86M) unserved and ships €6.96M late: fill
    90.2 %, on-time 77.3 %". A plan that loses nothing but ships late: "This plan
    serves all demand but ships €1.20M late: ..."; a figure not known (no price, an
    old snapshot) is left out rather than shown as 0. Plain text: escape it for
    Markdown (`fmt.md`)."""
    if not is_short(kpis):
        return None
    lost, lost_value = _num(kpis, "lost_units"), _num(kpis, "lost_value")
    late_value, late_um = _num(kpis, "late_value"), _num(kpis, "late_unit_months")
    parts = []
    if not math.isnan(lost) and lost >= SHORT_UNITS:
        money = "" if math.isnan(lost_value) else f" ({fmt.money(lost_value, currency)})"
        parts.append(f"leaves {fmt.units(lost)}{money} unserved")
    if not math.isnan(late_value) and late_value >= SHORT_MONEY:
        parts.append(f"ships {fmt.money(late_value, currency)} late")
    elif math.isnan(late_value) and not math.isnan(late_um) and late_um >= SHORT_UNITS:
        parts.append(f"ships {fmt.units(late_um, 'unit-months')} late")
    if not parts:
        what = "serves less than all demand on time"
    elif not parts[0].startswith("leaves") and not math.isnan(lost):
        what = f"serves all demand but {parts[0]}"
    else:
        what = " and ".join(parts)
    rates = ", ".join(
        f"{name} {service_pct(r)}"
        for name, r in (
            ("fill", _num(kpis, "fill_rate")),
            ("on-time", _num(kpis, "on_time_rate")),
        )
        if not math.isnan(r)
    )
    return f"This plan {what}: {rates}"


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
    fill, on_time = _num(kpis, "fill_rate"), _num(kpis, "on_time_rate")
    if math.isnan(fill) or math.isnan(on_time):
        return ""
    return f"serves all demand on time: fill {service_pct(fill)}, on-time {service_pct(on_time)}"


def not_planned(explanation: str | None) -> str:
    """Why the picked plan shows no figures: no plan can be made of it (`explanation`:
    the planner's reason, None without a demand plan). Plain text."""
    why = (explanation or "").strip().rstrip(".") or "there is no demand plan to plan it on"
    return f"This plan cannot be made on the active data: {why}."
