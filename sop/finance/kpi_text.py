"""A KPI's figure as text, the one wording of every page, table and export: the value
with its unit (`value_text`: €1.25M, 95.3 %, 12,345 units, 41 days), the signed change
with its unit and share (`delta_text`: +€1.2M (+3.6 %), -1.3 pp) and a service rate
that reads 100.0 % only when nothing is short (`service_pct`: >99.9 % a unit short).
Units come from the catalogue (`sop.finance.catalogue.KPI_BY_KEY`); `sop.finance.tiles`
builds its tiles from these, `sop.finance.stock_rating` its reasons.

Pure: numbers in, strings out.
"""

from __future__ import annotations

from sop.core import fmt
from sop.finance.catalogue import KPI_BY_KEY

# service rates where 100 % means nothing short: a shortfall never rounds up to it
SERVICE_RATES = ("fill_rate", "on_time_rate")
FULL = 1 - 1e-9  # below this share, some units are short (far above the LP's noise)


def service_pct(x: float | None) -> str:
    """A service rate as a percentage that reads 100.0 % only when nothing is short:
    0.953 -> 95.3 %, 0.99996 -> >99.9 % (one decimal would round it up to 100.0 %,
    hiding units short), 1 -> 100.0 %."""
    text = fmt.pct(x)
    return ">99.9 %" if text == "100.0 %" and float(x) < FULL else text


def value_text(key: str, value: float | None, currency: str = "EUR", bare: bool = False) -> str:
    """A KPI value with its unit: €1.25M, 95.3 %, 12,345 units, 41 days (1 day), 5.2
    turns/yr, 29 limit-months (a fill or on-time rate just short of 1: >99.9 %,
    `service_pct`).
    `bare` leaves off the unit word of counts (units, people, turns) for tiles whose
    label names it."""
    if fmt.missing(value):
        return "–"
    unit, v = KPI_BY_KEY[key].unit, float(value)
    if bare and unit in ("units", "people", "turns", "unit-months", "limit-months"):
        return (
            f"{v / 1e6:.2f}M" if abs(v) >= 1e6 else f"{v:,.1f}" if unit == "turns" else f"{v:,.0f}"
        )
    if unit == "money":
        return fmt.money(v, currency)
    if unit == "pct":
        return service_pct(v) if key in SERVICE_RATES else fmt.pct(v)
    if unit == "days":
        return fmt.count(v, "day", digits=0)
    if unit == "turns":
        return f"{v:,.1f} turns/yr"
    if unit == "limit-months":
        return fmt.count(v, "limit-month", digits=0)
    return fmt.units(
        v, {"hours": "h", "people": "people", "unit-months": "unit-months"}.get(unit, "units")
    )


def delta_text(
    key: str, delta: float | None, base: float | None = None, currency: str = "EUR"
) -> str | None:
    """A signed change with its unit (+€1.2M (+3.6 %), -1.3 pp, +120 units, -1 day,
    +20 limit-months); None when there is no change (or it cannot be computed)."""
    if fmt.missing(delta):
        return None
    unit, d = KPI_BY_KEY[key].unit, float(delta)
    # below half the last shown digit: "no change" rather than "+0.0 pp"
    small = {"money": 0.5, "pct": 5e-4, "days": 0.5, "turns": 0.005}.get(unit, 0.5)
    if abs(d) < small:
        return None
    sign = "+" if d > 0 else "-"
    if unit == "pct":
        return f"{sign}{abs(100 * d):.1f} pp"
    if unit == "days":
        text = sign + fmt.count(abs(d), "day", digits=0)
    elif unit == "turns":
        text = f"{sign}{abs(d):,.2f} turns/yr"
    elif unit == "money":
        text = f"{sign}{fmt.money(abs(d), currency)}"
    else:
        text = sign + value_text(key, abs(d), currency)
    if not fmt.missing(base) and abs(float(base)) > 1e-9 and unit in ("money", "units"):
        share = abs(d / float(base)) * 100
        # a change that is real but rounds to 0.0 % reads "<0.1 %", never "-0.0 %"
        text += f" ({sign}{share:.1f} %)" if share >= 0.05 else " (<0.1 %)"
    return text
