"""One line on what a plan does not serve, for every place that must say a plan is
short in words: the Scenarios page above its tiles, the Decisions page before
*Approve* and in its log, the meeting pack's Summary.

"This plan leaves 52,497 units (€3.86M) unserved, and 29,175 units (€2.14M) ship after
the month ordered, 37,020 unit-months in all: fill 90.2 %, on-time 77.3 %". Lost units
and their value are `lost_units` / `lost_value`; the late units are `late_units` and
their value `late_value` (late units x price: the revenue that ships late, the
catalogue's "Late deliveries (value)"); the unit-months (`late_unit_months`) say how
long they wait, each unit counted once a month. The rates read as the tiles do
(`service_pct`: a unit short reads >99.9 %, never 100.0 %). A figure the KPIs lack (no
price loaded, a snapshot saved by an older version) is left out, never shown as 0; a
snapshot without `late_units` (older versions valued unit-months, not units) says its
late deliveries in unit-months only.

A plan that serves every order on time by drawing its safety stock is short of its
buffer, not of service: where the plan's risk run says service falls if demand runs
high, `buffer_line` says so, with the on-time and fill P10 ("This plan serves every
order on time, but runs 68,141 unit-months below safety stock: if demand runs high,
on-time P10 93.4 %, fill P10 98.6 %").

Pure: KPIs (`sop.finance.kpis.plan_kpis`) in, plain text out (escape it for Markdown).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sop.core import fmt
from sop.finance.kpi_text import service_pct
from sop.finance.stock_rating import serves_all

SHORT_UNITS = 0.5  # units lost or late below this read "0 units": nothing short


def num(kpis: Mapping[str, float], key: str) -> float:
    """KPI `key` as a float, NaN where it is missing or not a finite number."""
    v = kpis.get(key)
    try:
        v = float(v)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def is_short(kpis: Mapping[str, float]) -> bool:
    """Whether the plan serves less than all its demand, or some of it late: its fill or
    on-time rate reads below 100.0 % (`serves_all`). No demand, or KPIs without the
    rates: not known, so False."""
    fill, on_time = num(kpis, "fill_rate"), num(kpis, "on_time_rate")
    return any(not math.isnan(r) and not serves_all(r) for r in (fill, on_time))


def rates(kpis: Mapping[str, float]) -> str:
    """'fill 90.2 %, on-time 77.3 %' (a rate the KPIs lack is left out)."""
    pairs = (("fill", num(kpis, "fill_rate")), ("on-time", num(kpis, "on_time_rate")))
    return ", ".join(f"{name} {service_pct(r)}" for name, r in pairs if not math.isnan(r))


def late_text(kpis: Mapping[str, float], currency: str) -> str | None:
    """'29,175 units (€2.14M) ship after the month ordered, 37,020 unit-months in all'
    (the value left out without a price); None when nothing is late. KPIs without
    `late_units` (a snapshot of an older version, whose `late_value` priced unit-months):
    'late deliveries come to 37,020 unit-months'."""
    units, value = num(kpis, "late_units"), num(kpis, "late_value")
    um = num(kpis, "late_unit_months")
    if math.isnan(units):
        if math.isnan(um) or um < SHORT_UNITS:
            return None
        return f"late deliveries come to {fmt.units(um, 'unit-months')}"
    if units < SHORT_UNITS:
        return None
    money = "" if math.isnan(value) else f" ({fmt.money(value, currency)})"
    text = f"{fmt.units(units)}{money} ship after the month ordered"
    return text + ("" if math.isnan(um) else f", {fmt.units(um, 'unit-months')} in all")


def shortfall_line(kpis: Mapping[str, float], currency: str) -> str | None:
    """The line on a plan that serves less than all its demand on time, else None (see
    the module). A plan that loses nothing: "This plan serves all demand, but 7,200
    units (€720k) ship after the month ordered, 9,000 unit-months in all: ..."; without
    prices, the late units alone. Less than a unit lost and less than a unit late (an
    LP's remainder; the tiles read >99.9 %): None, as a line without a figure would say
    nothing."""
    if not is_short(kpis):
        return None
    lost, lost_value = num(kpis, "lost_units"), num(kpis, "lost_value")
    late_units, late_um = num(kpis, "late_units"), num(kpis, "late_unit_months")
    none_late = late_units < SHORT_UNITS or (math.isnan(late_units) and late_um < SHORT_UNITS)
    if lost < SHORT_UNITS and none_late:  # less than a unit: nothing to say
        return None
    late = late_text(kpis, currency)
    if not math.isnan(lost) and lost >= SHORT_UNITS:
        money = "" if math.isnan(lost_value) else f" ({fmt.money(lost_value, currency)})"
        what = f"leaves {fmt.units(lost)}{money} unserved" + (f", and {late}" if late else "")
    elif late and not math.isnan(lost):
        what = f"serves all demand, but {late}"
    elif late:
        what = f"serves less than all demand on time: {late}"
    else:
        what = "serves less than all demand on time"
    return f"This plan {what}: {rates(kpis)}"


def buffer_line(kpis: Mapping[str, float], ranges: Mapping[str, tuple[float, float]]) -> str | None:
    """The line on a plan that serves all demand on time but runs below safety stock
    (half a unit-month or more, the KPI `below_safety_stock`) while its risk run
    (`ranges`: `sop.finance.risk.p10_p90`) says service falls if demand runs high (the
    on-time or fill P10 reads below 100.0 %), else None. A short plan has
    `shortfall_line`; a plan whose P10s read 100.0 % holds enough whatever its stock."""
    below = num(kpis, "below_safety_stock")
    if is_short(kpis) or math.isnan(below) or below < SHORT_UNITS:
        return None
    lows = {
        name: ranges[key][0]
        for name, key in (("on-time", "on_time_rate"), ("fill", "fill_rate"))
        if key in ranges and math.isfinite(ranges[key][0])
    }
    if all(serves_all(p10) for p10 in lows.values()):
        return None
    return (
        "This plan serves every order on time, but runs "
        f"{fmt.units(below, 'unit-months')} below safety stock: if demand runs high, "
        + ", ".join(f"{name} P10 {service_pct(p10)}" for name, p10 in lows.items())
    )


def plan_line(
    kpis: Mapping[str, float], currency: str, ranges: Mapping[str, tuple[float, float]] | None
) -> str | None:
    """The one line a screen shows above a plan's figures: `shortfall_line` for a plan
    short or late, else `buffer_line` (on time only by drawing safety stock, with its
    risk run's P10s, `ranges`); None when neither has anything to say."""
    return shortfall_line(kpis, currency) or buffer_line(kpis, ranges or {})
