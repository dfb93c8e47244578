"""KPI tiles: each figure as the text its tile shows, built one way for every page.

`kpi_tile` turns a KPI of the catalogue (`sop.finance.catalogue.KPIS`) into a `Tile`: the
label, the value with its unit, the signed change against a reference (the baseline,
the previous plan of record) coloured by the KPI's better direction, and a tooltip.
`sop.ui.widgets.tiles` draws a row of them. A stock KPI that is better only at full
service (`Kpi.served_only`: inventory value, turns) is coloured only when both plans
serve every order on time and neither runs further below safety stock than the other
(the stock-rating rule, `sop.finance.stock_rating`); otherwise its change is grey and
a line under the tile says which plan runs short, ships late or draws its safety stock:
less stock from running out is no good news. Values and changes are worded by
`sop.finance.kpi_text`.
`plan_tiles` and `finance_tiles` are the Supply and Finance pages' rows, `service_tiles`
the service row (fill rate, on time, late deliveries in units, unit-months and value,
lost sales in units and value) of both; the Scenarios
and Executive pages' rows are made from `kpi_tile` in `sop.scenario.compare` and
`sop.executive.view`.

Pure: numbers in, strings out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sop.core import fmt, schema
from sop.finance.catalogue import KPI_BY_KEY, Kpi
from sop.finance.kpi_text import delta_text, value_text
from sop.finance.range_text import is_point, outside_note, range_help, ranged_help
from sop.finance.stock_rating import Service, unserved_note

NO_PRICE_NOTE = "no price loaded"


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


def _joined(*texts: str | None) -> str | None:
    """The texts given, one after the other (None when there is none)."""
    return " ".join(t for t in texts if t) or None


def delta_color(kpi: Kpi) -> str:
    """st.metric delta_color: green when the change goes the better way."""
    return {"up": "normal", "down": "inverse"}.get(kpi.better, "off")


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
        note = NO_PRICE_NOTE if fmt.missing(value) and kpi.unit == "money" else note
        if help is None and kpi.help:  # the definition, and why it is not defined here
            why = (
                f" Not defined here: {kpi.undefined}."
                if fmt.missing(value) and kpi.undefined
                else ""
            )
            help = f"{kpi.help}{why}"
        return Tile(label, text, note, help=_joined(help, more_help), notes=notes)
    delta = delta_text(key, value - reference, reference if share else None, currency)
    both = not fmt.missing(value) and not fmt.missing(reference)
    moved = both and delta is not None
    short = (
        unserved_note(key, value - reference, fill, name, against)
        if moved and kpi.served_only and fill is not None
        else None
    )
    if help is None:
        why = f" Not defined here: {kpi.undefined}." if fmt.missing(value) and kpi.undefined else ""
        base = value_text(key, reference, currency)
        base += (
            f" (not defined: {kpi.undefined})" if fmt.missing(reference) and kpi.undefined else ""
        )
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
        f"{delta or 'no change'}{vs}"
        if both
        else (blank if fmt.missing(value) else f"{against} {blank}")
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
    key: str,
    ranges: Mapping[str, tuple[float, float]],
    currency: str = "EUR",
    value: float | None = None,
) -> str | None:
    """The line under a tile with the P10-P90 range of its KPI through the constrained
    plan (`ranges`: `sop.finance.risk.p10_p90`), worded as the Finance page's revenue
    range: "P10-P90: 33.0 % to 69.0 %" (a rate just short of 1 reads >99.9 %, as the
    tile does), "P10-P90: €1.20M to €1.50M"; None where there is no range. Where the
    tile's own figure `value` lies outside the range, the line says so and why
    (`range_text.outside_note`)."""
    if key not in ranges:
        return None
    lo, hi = ranges[key]
    shown = value_text(key, value, currency) if not fmt.missing(value) else ""
    return (
        f"P10-P90: {value_text(key, lo, currency)} to {value_text(key, hi, currency)}"
        f"{outside_note(shown, value, lo, hi, key)}"
    )


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
            notes=tuple(filter(None, (range_note(key, ranges or {}, currency, kpis.get(key)),))),
            say_against=True,
            more_help=ranged_help(key, ranges or {}, kpis.get(key)),
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
