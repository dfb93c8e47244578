"""KPI tiles: each figure as the text its tile shows, built one way for every page.

`kpi_tile` turns a KPI of the catalogue (`sop.finance.catalogue.KPIS`) into a `Tile`: the
label, the value with its unit, the signed change against a reference (the baseline,
the previous plan of record) coloured by the KPI's better direction, and a tooltip.
`sop.ui.widgets.tiles` draws a row of them. A stock KPI that is better only at full
service (`Kpi.served_only`: inventory value, turns) is coloured only when both plans
serve every order on time and neither runs further below safety stock than the other
(`stock_faults`); otherwise its change is grey and a line under the tile says which
plan runs short, ships late or draws its safety stock: less stock from running out is
no good news.
`plan_tiles` and `finance_tiles` are the Supply and Finance pages' rows, `service_tiles`
the service row (fill rate, on time, late deliveries in units, unit-months and value,
lost sales in units and value) of both; the Scenarios
and Executive pages' rows are made from `kpi_tile` in `sop.scenario.compare` and
`sop.executive.view`.

Pure: numbers in, strings out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sop.core import fmt, schema
from sop.finance.catalogue import KPI_BY_KEY, Kpi
from sop.finance.range_text import is_point, range_help, ranged_help

NO_PRICE_NOTE = "no price loaded"
# service rates where 100 % means nothing short: a shortfall never rounds up to it
SERVICE_RATES = ("fill_rate", "on_time_rate")
FULL = 1 - 1e-9  # below this share, some units are short (far above the LP's noise)
BELOW_SAFETY = "below_safety_stock"


@dataclass(frozen=True)
class Tile:
    """One KPI tile (the arguments of `st.metric`) and the lines under it."""

    label: str
    value: str
    delta: str | None = None  # the change, or a neutral fact (grey, no arrow)
    delta_color: str = "off"  # st.metric: "normal" (up is green), "inverse" or "off"
    delta_arrow: str = "off"  # "auto" or "off"
    help: str | None = None
    notes: tuple[str, ...] = ()  # lines under the tile
    warn: bool = False  # the notes are a warning, not a caption


def _bad(x: float | None) -> bool:
    return x is None or not math.isfinite(float(x))


def service_pct(x: float | None) -> str:
    """A service rate as a percentage that reads 100.0 % only when nothing is short:
    0.953 -> 95.3 %, 0.99996 -> >99.9 % (one decimal would round it up to 100.0 %,
    hiding units short), 1 -> 100.0 %."""
    text = fmt.pct(x)
    return ">99.9 %" if text == "100.0 %" and float(x) < FULL else text


def serves_all(fill: float | None) -> bool:
    """Whether a plan with this fill rate serves all its demand: the rate reads 100.0 %
    (`service_pct`: a plan a unit short reads >99.9 %); no demand (NaN): False."""
    return not _bad(fill) and service_pct(fill) == "100.0 %"


# a plan as the stock rule reads it: its KPIs (`sop.finance.kpis.plan_kpis`, a
# snapshot's) or its fill rate alone; None: not known
Service = float | Mapping[str, float] | None
NO_DEMAND_TO_SERVE = "has no demand to serve"


BELOW_TOLERANCE = 0.01  # runs "further" below safety stock: by more than 1 % (and a unit)


def _below(plan: Service) -> float:
    """A plan's unit-months below safety stock; NaN where not known."""
    v = plan.get(BELOW_SAFETY) if isinstance(plan, Mapping) else None
    return math.nan if _bad(v) else float(v)


def below_floor(plans: Iterable[Service]) -> float:
    """The fewest unit-months below safety stock among `plans` (those that know it):
    what a plan is held to (`stock_faults`); 0 when none knows it."""
    known = [b for b in map(_below, plans) if not math.isnan(b)]
    return min(known) if known else 0.0


def stock_faults(plan: Service, floor: float = 0.0) -> tuple[str, ...] | None:
    """Why a plan's stock is no achievement, as words after its name: "leaves orders
    unserved (fill rate 90.2 %)", "ships orders late (on-time fill rate 86.8 %)" (said
    only where the on-time rate reads below the fill rate: lost units are not late),
    "runs below safety stock (130,700 unit-months)" or, against plans that run below it
    too (`floor`: the fewest unit-months among the plans compared, `below_floor`),
    "runs further below safety stock (130,700 unit-months, against 931)" where it runs
    more than 1 % and a unit-month further; "has no demand to serve" (fill rate NaN).
    () when it serves every order on time (`serves_all`) and runs no further below
    safety stock than `floor`; None when `plan` is. A figure the KPIs lack is not
    judged."""
    if plan is None:
        return None
    kpis = plan if isinstance(plan, Mapping) else {"fill_rate": plan}
    fill, on_time = kpis.get("fill_rate"), kpis.get("on_time_rate")
    if fill is not None and _bad(fill):
        return (NO_DEMAND_TO_SERVE,)
    out = []
    if fill is not None and not serves_all(fill):
        out.append(f"leaves orders unserved (fill rate {service_pct(fill)})")
    if not _bad(on_time) and not serves_all(on_time) and service_pct(on_time) != service_pct(fill):
        out.append(f"ships orders late (on-time fill rate {service_pct(on_time)})")
    below = _below(kpis)
    if not math.isnan(below) and below > floor * (1 + BELOW_TOLERANCE) + 0.5:
        amount = value_text(BELOW_SAFETY, below)
        if floor >= 0.5:
            out.append(
                f"runs further below safety stock ({amount}, against "
                f"{value_text(BELOW_SAFETY, floor)})"
            )
        else:
            out.append(f"runs below safety stock ({amount})")
    return tuple(out)


def serves_on_time(kpis: Mapping[str, float], floor: float = 0.0) -> bool:
    """Whether a plan of these KPIs competes on stock (`Kpi.served_only`): its fill rate
    reads 100.0 % (`serves_all`; none known: False) and `stock_faults` finds nothing
    against `floor` (on time, no further below safety stock; a figure the KPIs lack is
    not judged)."""
    return serves_all(kpis.get("fill_rate")) and not stock_faults(kpis, floor)


def value_text(key: str, value: float | None, currency: str = "EUR", bare: bool = False) -> str:
    """A KPI value with its unit: €1.25M, 95.3 %, 12,345 units, 41 days (1 day), 5.2
    turns/yr, 29 limit-months (a fill or on-time rate just short of 1: >99.9 %,
    `service_pct`).
    `bare` leaves off the unit word of counts (units, people, turns) for tiles whose
    label names it."""
    if _bad(value):
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
    if _bad(delta):
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
    if not _bad(base) and abs(float(base)) > 1e-9 and unit in ("money", "units"):
        share = abs(d / float(base)) * 100
        # a change that is real but rounds to 0.0 % reads "<0.1 %", never "-0.0 %"
        text += f" ({sign}{share:.1f} %)" if share >= 0.05 else " (<0.1 %)"
    return text


def _joined(*texts: str | None) -> str | None:
    """The texts given, one after the other (None when there is none)."""
    return " ".join(t for t in texts if t) or None


def delta_color(kpi: Kpi) -> str:
    """st.metric delta_color: green when the change goes the better way."""
    return {"up": "normal", "down": "inverse"}.get(kpi.better, "off")


def _and(parts: tuple[str, ...]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def unserved_note(
    key: str,
    change: float,
    fill: tuple[Service, Service],
    name: str = "this plan",
    against: str = "baseline",
) -> str | None:
    """The line under the tile of a `served_only` KPI (stock) whose change between two
    plans is not rated because one of them runs short, ships late or runs below safety
    stock further than the other (`stock_faults` against `below_floor`); None when both
    serve every order on time and neither runs further below safety stock, or nothing
    is known of them (None). `fill`: `name`'s and the
    reference's KPIs (or fill rates alone, `Service`). "Lower because the scenario
    ships orders late (on-time fill rate 86.8 %) and runs below safety stock (130,700
    unit-months), not better"; "Higher because the previous plan leaves orders
    unserved (fill rate 95.0 %), not worse"; else "Not rated better or worse: ..."
    naming each plan at fault and why (or that it has no demand)."""
    plans = ((name, fill[0]), (f"the {against}", fill[1]))
    floor = below_floor(fill)
    short = [(who, why) for who, f in plans if (why := stock_faults(f, floor))]
    if not short:
        return None
    way = "Higher" if change > 0 else "Lower"
    good = (change > 0) == (KPI_BY_KEY[key].better == "up")
    (who, why), *more = short
    if not more and why != (NO_DEMAND_TO_SERVE,) and good == (who == name):
        # the change goes the way running short pushes stock: not to its credit
        verdict = "not better" if good else "not worse"
        return f"{way} because {who} {_and(why)}, {verdict}"
    return "Not rated better or worse: " + "; ".join(f"{w} {_and(y)}" for w, y in short)


def kpi_tile(
    key: str,
    value: float | None,
    currency: str = "EUR",
    *,
    reference: float | None = None,
    against: str = "baseline",
    label: str | None = None,
    share: bool = True,
    bare: bool = False,
    note: str | None = None,
    help: str | None = None,
    notes: tuple[str, ...] = (),
    fill: tuple[Service, Service] | None = None,
    name: str = "this plan",
    say_against: bool = False,
    more_help: str | None = None,
) -> Tile:
    """The tile of KPI `key` (label: the catalogue's unless given).

    With a `reference` (NaN when it is not defined there), the delta is the change
    against it ("no change", "not defined" or "<against> not defined" where there is
    none), green or red by the KPI's better direction, and the help, unless given, is
    the KPI's definition, why it is undefined, and the reference's value. `share` adds
    the change in % to money and unit changes (off for narrow tiles); `bare` leaves the
    unit word off counts whose label names it. Without a reference, `note` is shown
    grey in the delta's place and the help, unless given, is the KPI's definition (and
    why it is undefined).

    `fill`: the KPIs of this plan (`name`) and of the reference (or their fill rates
    alone; None where not known: `Service`). A KPI better only at full service
    (`Kpi.served_only`: stock) is coloured only when both serve every order on time and
    neither runs further below safety stock than the other (`stock_faults`); else its
    change is grey, the line under it says which plan runs short, ships late or runs
    further below safety stock (`unserved_note`) and the help says why.
    `say_against` names the reference in the delta ("-10.9 pp vs baseline", "no change
    vs baseline") where the page does not say it elsewhere. `more_help` ends the help
    (given or not): how the range under the tile is made (`range_help`)."""
    kpi = KPI_BY_KEY[key]
    label = label or kpi.label
    text = value_text(key, value, currency, bare)
    # money is undefined only where a price is missing: say so, never show 0
    blank = NO_PRICE_NOTE if kpi.unit == "money" else "not defined"
    if reference is None:
        note = NO_PRICE_NOTE if _bad(value) and kpi.unit == "money" else note
        if help is None and kpi.help:  # the definition, and why it is not defined here
            why = f" Not defined here: {kpi.undefined}." if _bad(value) and kpi.undefined else ""
            help = f"{kpi.help}{why}"
        return Tile(label, text, note, help=_joined(help, more_help), notes=notes)
    delta = delta_text(key, value - reference, reference if share else None, currency)
    both = not _bad(value) and not _bad(reference)
    moved = both and delta is not None
    short = (
        unserved_note(key, value - reference, fill, name, against)
        if moved and kpi.served_only and fill is not None
        else None
    )
    if help is None:
        why = f" Not defined here: {kpi.undefined}." if _bad(value) and kpi.undefined else ""
        base = value_text(key, reference, currency)
        base += f" (not defined: {kpi.undefined})" if _bad(reference) and kpi.undefined else ""
        help = f"{kpi.help}{why} {against.capitalize()}: {base}."
    if short:
        help += (
            f" {short}. {kpi.label} is rated better or worse only between plans that serve "
            "all their demand on time (fill and on-time fill rates 100.0 %) and run no "
            "further below safety stock than the other: a plan that runs out, ships late "
            "or draws its safety stock holds less stock, which is no achievement."
        )
        notes = (short, *notes)
    vs = f" vs {against}" if say_against else ""
    against = f"{against}:" if kpi.unit == "money" else against  # "baseline: no price loaded"
    shown = (
        f"{delta or 'no change'}{vs}" if both else (blank if _bad(value) else f"{against} {blank}")
    )
    return Tile(
        label,
        text,
        shown,
        delta_color(kpi) if moved and not short else "off",
        "auto" if moved else "off",
        _joined(help, more_help),
        notes,
    )


# The service row of every tile set (Supply, Scenarios, Finance): one definition each,
# `sop.supply.service`; counts are bare, so their labels name the unit.
SERVICE_TILES = (
    ("fill_rate", "Fill rate"),
    ("on_time_rate", "On-time fill rate"),
    ("late_units", "Late (units)"),
    ("late_unit_months", "Late (unit-months)"),
    ("late_value", "Late deliveries (value)"),
)

# lost sales, in units and in money (what Scenarios and Executive show)
LOST_TILES = (("lost_units", "Lost sales (units)"), ("lost_value", "Lost sales (value)"))


def range_note(
    key: str, ranges: Mapping[str, tuple[float, float]], currency: str = "EUR"
) -> str | None:
    """The line under a tile with the P10-P90 range of its KPI through the constrained
    plan (`ranges`: `sop.finance.risk.p10_p90`), worded as the Finance page's revenue
    range: "P10-P90: 33.0 % to 69.0 %" (a rate just short of 1 reads >99.9 %, as the
    tile does), "P10-P90: €1.20M to €1.50M"; None where there is no range."""
    if key not in ranges:
        return None
    lo, hi = ranges[key]
    return f"P10-P90: {value_text(key, lo, currency)} to {value_text(key, hi, currency)}"


def service_tiles(
    kpis: Mapping[str, float],
    currency: str,
    reference: Mapping[str, float] | None = None,
    against: str = "baseline",
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> list[Tile]:
    """The service row: fill rate, on-time fill rate, late units, late unit-months, late
    value, lost sales in units and their value, of `kpis`
    (`sop.finance.kpis.plan_kpis`), each with its change against `reference` (the
    baseline's KPIs) when given, the delta naming it ("+€1.2M vs baseline"); under the
    fill and on-time rates their P10-P90 range through the constrained plan when
    `ranges` has one (`range_note`; the help says how it is made, `ranged_help`)."""
    keys = (*SERVICE_TILES, *LOST_TILES)
    return [
        kpi_tile(
            key,
            kpis.get(key),
            currency,
            reference=None if reference is None else reference.get(key, math.nan),
            against=against,
            label=label,
            share=False,
            bare=True,
            notes=tuple(filter(None, (range_note(key, ranges or {}, currency),))),
            say_against=True,
            more_help=ranged_help(key, ranges or {}),
        )
        for key, label in keys
    ]


def plan_tiles(kpis: Mapping[str, float], currency: str, hours: bool = True) -> list[list[Tile]]:
    """The Supply page's rows over the horizon, of a plan's KPIs
    (`sop.finance.kpis.plan_kpis`): revenue, gross margin (and its share of revenue),
    overtime and subcontracting; then the service row (`service_tiles`).

    `hours` False: no resource counts hours (capacity only in units a month, e.g.
    `family_capacity`), so overtime cannot occur and its tile is left out rather than
    reading "0 h" of hours the plan does not have."""
    overtime = kpi_tile(
        "overtime_hours",
        kpis["overtime_hours"],
        currency,
        help="Overtime hours on lines and labour pools over the horizon.",
    )
    return [
        [
            kpi_tile("revenue", kpis["revenue"], currency, label="Revenue (horizon)"),
            kpi_tile(
                "gross_margin",
                kpis["gross_margin"],
                currency,
                note=f"{fmt.pct(kpis['gross_margin_pct'])} of revenue",
            ),
            *([overtime] if hours else []),
            kpi_tile("subcontract_units", kpis["subcontract_units"], currency),
        ],
        service_tiles(kpis, currency),
    ]


def _band(totals: Mapping[str, float], key: str, currency: str) -> tuple[str, str | None]:
    """The line under a Finance money tile (its P10-P90, or "no range") and the help
    sentence of the range (`range_help`; None without one)."""
    lo, hi = totals.get(f"{key}_p10"), totals.get(f"{key}_p90")
    if lo is None:
        return "no range", None
    text = f"P10-P90: {fmt.money(lo, currency)} to {fmt.money(hi, currency)}"
    return text, range_help(is_point(lo, hi))


def finance_tiles(totals: Mapping[str, float], currency: str) -> list[Tile]:
    """The Finance page's row from `sop.finance.view.FinanceView.totals`: revenue and
    gross margin with their P10-P90 range, the margin %, and revenue and margin against
    the budget over the months it covers; the help of a range says how it is made
    (`range_help`)."""
    (rev, rev_help), (mar, mar_help) = (_band(totals, k, currency) for k in ("revenue", "margin"))
    out = [
        kpi_tile(
            "revenue",
            totals["revenue"],
            currency,
            label="Revenue (plan horizon)",
            note=rev,
            more_help=rev_help,
        ),
        kpi_tile(
            "gross_margin",
            totals["margin"],
            currency,
            label="Gross margin (plan horizon)",
            note=mar,
            more_help=mar_help,
        ),
        kpi_tile(
            "gross_margin_pct",
            totals["margin_pct"],
            currency,
            label="Gross margin % of revenue",
            note=f"{fmt.units(totals['units'])} served",
        ),
    ]
    months = totals["budget_months"]
    for key, label in ((schema.REVENUE, "Revenue vs budget"), (schema.MARGIN, "Margin vs budget")):
        out.append(
            Tile(
                label,
                fmt.money_delta(totals[f"{key}_gap"], currency) if months else "no budget",
                f"of {fmt.money(totals[f'budget_{key}'], currency)}, {months:.0f} months",
                help="Projection minus budget over the months the budget covers.",
            )
        )
    return out
