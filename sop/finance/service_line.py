"""One line on what a plan does not serve, for every place that must say a plan is
short in words: the Scenarios page above its tiles, the Decisions page before
*Approve* and in its log, the meeting pack's Summary.

"This plan leaves 52,497 units (€3.86M) unserved, and late deliveries hold back
€6.96M of revenue: fill 90.2 %, on-time 77.3 %". Lost units and their value are
`lost_units` / `lost_value`; the revenue held back is `late_value` (late unit-months x
price, the catalogue's "Late deliveries (value)"); the rates read as the tiles do
(`service_pct`: a unit short reads >99.9 %, never 100.0 %). A figure the KPIs lack (no
price loaded, a snapshot saved by an older version) is left out, never shown as 0.

Pure: KPIs (`sop.finance.kpis.plan_kpis`) in, plain text out (escape it for Markdown).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sop.core import fmt
from sop.finance.tiles import serves_all, service_pct

SHORT_UNITS = 0.5  # units lost below this read "0 units": nothing lost
SHORT_MONEY = 0.5  # late value below this reads as nothing late


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


def shortfall_line(kpis: Mapping[str, float], currency: str) -> str | None:
    """The line on a plan that serves less than all its demand on time, else None (see
    the module). A plan that loses nothing: "This plan serves all demand, but late
    deliveries hold back €720k of revenue: ..."; without prices, the late deliveries in
    unit-months. Less than a unit lost and less than a unit-month late (an LP's
    remainder; the tiles read >99.9 %): None, as a line without a figure would say
    nothing."""
    if not is_short(kpis):
        return None
    lost, lost_value = num(kpis, "lost_units"), num(kpis, "lost_value")
    late_value, late_um = num(kpis, "late_value"), num(kpis, "late_unit_months")
    if lost < SHORT_UNITS and late_um < SHORT_UNITS:  # less than a unit: nothing to say
        return None
    late = None
    if not math.isnan(late_value) and late_value >= SHORT_MONEY:
        late = f"late deliveries hold back {fmt.money(late_value, currency)} of revenue"
    elif math.isnan(late_value) and not math.isnan(late_um) and late_um >= SHORT_UNITS:
        late = f"late deliveries come to {fmt.units(late_um, 'unit-months')}"
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
