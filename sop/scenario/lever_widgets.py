"""The Scenarios page's lever widgets as data, and the two-way mapping between a
`Levers` value and the widgets' session state, over a `LeverSpace`
(`sop.scenario.lever_space`: what the levers can name).

Scalar levers have widget key `scn_<field>` (the URL parameter's name too).
Per-family and per-region levers get one widget each, keyed
`scn_<field>__<name>`; capacity changes get a few slots of four widgets keyed
`scn_capacity_changes__<slot>_<part>`, supplier changes (datasets with supplier caps)
likewise `scn_supplier_changes__<slot>_<part>`. In the URL they are the one encoded
parameter `Levers.to_query` writes. No Streamlit here: the page loops over
`lever_widgets` and reads the state back with `levers_from_state`.

A select widget's values are what the levers store (months 'YYYY-MM', cap codes); what
it shows for each is `Widget.shown` ('Nov 2026', 'CAP-CL-MOTOR · Cooling material cap').
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sop.core import fmt
from sop.scenario.lever_space import LeverSpace
from sop.scenario.levers import ALL_SUPPLIERS, PREFIX, Levers, lever_help
from sop.scenario.wording import escape_md
from sop.supply.explain import cap_label

DEMAND, PROMO, PRICE = "Demand", "Added promotion", "Price"
CAPACITY, COSTS = "Capacity and workforce", "Costs and stock"
GROUPS = (DEMAND, PROMO, PRICE, CAPACITY, COSTS)
CAP_PARTS = ("resource", "from", "to", "pct")
SUPPLIER_PARTS = ("supplier", "from", "to", "pct")
FIRST_KEY = PREFIX + "demand_pct"  # present in session state once the panel has run
NONE = "(none)"  # what a select shows for its empty choice
# the (name, from, to, %) levers drawn as slots: lever, widget parts, `LeverSpace` slots
_CHANGES = (
    ("capacity_changes", CAP_PARTS, "slots"),
    ("supplier_changes", SUPPLIER_PARTS, "supplier_slots"),
)


@dataclass(frozen=True)
class Widget:
    """One lever widget: kind is slider, number, toggle or select."""

    key: str
    kind: str
    label: str
    group: str
    help: str
    lo: float | int | None = None
    hi: float | int | None = None
    step: float | int | None = None
    options: tuple[str, ...] = ()
    format: str | None = None  # printf-style, for sliders and number inputs
    option_labels: tuple[str, ...] = ()  # what a select shows for each of `options`

    def shown(self, value: object) -> str:
        """What a select shows for `value` (plain text: select labels are not Markdown):
        its `option_labels` entry, else the value itself ('(none)' for '')."""
        labels = dict(zip(self.options, self.option_labels))
        return labels.get(value) or str(value or "") or NONE


def _select(
    key: str,
    label: str,
    group: str,
    help: str,
    options: tuple[str, ...],
    shown: Callable[[str], str] | None = None,
) -> Widget:
    """A select over `options`, each shown as `shown(option)` ('' as '(none)')."""
    labels = tuple((shown(o) if shown and o else o) or NONE for o in options)
    return Widget(key, "select", label, group, help, options=options, option_labels=labels)


def _month_select(key: str, label: str, group: str, help: str, space: LeverSpace) -> Widget:
    """A select over the plan's months, stored 'YYYY-MM', shown 'Nov 2026'."""
    return _select(key, label, group, help, space.months, fmt.month_text)


def _meta(name: str) -> dict[str, Any]:
    return lever_help()[name]


def _help(name: str) -> str:
    m = _meta(name)
    rng = "" if m["min"] is None else f" Range {m['min']:g} to {m['max']:g} ({m['unit']})."
    return f"{m['help']}{rng}"


def _ranged(
    kind: str, name: str, label: str, group: str, step: float, key: str, fmt: str
) -> Widget:
    """A slider or number input over lever `name`'s range (`lever_help`), keyed `key`
    (`scn_<name>` when empty)."""
    m = _meta(name)
    return Widget(
        key or PREFIX + name,
        kind,
        label,
        group,
        _help(name),
        float(m["min"]),
        float(m["max"]),
        float(step),
        format=fmt,
    )


def _slider(
    name: str, label: str, group: str, step: float, key: str = "", fmt: str = "%+.0f %%"
) -> Widget:
    return _ranged("slider", name, label, group, step, key, fmt)


def _pairs(name: str, names: tuple[str, ...], what: str, group: str) -> list[Widget]:
    return [
        _slider(name, f"{what}: {escape_md(n)} (%)", group, 1.0, f"{PREFIX}{name}__{n}")
        for n in names
    ]


def _number(name: str, label: str, step: float, group: str = CAPACITY, fmt: str = "%.1f") -> Widget:
    return _ranged("number", name, label, group, step, "", fmt)


def _demand_widgets(space: LeverSpace) -> list[Widget]:
    """Demand: all families, then one slider per family and per region."""
    w = [_slider("demand_pct", "Demand, all families (%)", DEMAND, 1.0)]
    w += _pairs("demand_family_pct", space.families, "Demand", DEMAND)
    w += _pairs("demand_region_pct", space.regions, "Demand", DEMAND)
    return w


def _promo_widgets(space: LeverSpace) -> list[Widget]:
    """An added promotion: family, start, length, uplift and cost per month."""
    p = PREFIX
    return [
        _select(
            p + "promo_family",
            "Promotion on family",
            PROMO,
            _help("promo_family"),
            ("", *space.families),
        ),
        _month_select(p + "promo_start", "Promotion starts", PROMO, _help("promo_start"), space),
        Widget(
            p + "promo_months",
            "slider",
            "Promotion length (months)",
            PROMO,
            _help("promo_months"),
            1,
            12,
            1,
            format="%d months",
        ),
        _slider("promo_uplift_pct", "Promotion uplift (%)", PROMO, 5.0, fmt="%.0f %%"),
        _number("promo_cost", "Promotion cost per month (0 = free)", 1000.0, PROMO, "%.0f"),
    ]


def _price_widgets(space: LeverSpace) -> list[Widget]:
    """Price: one slider per family, then the price elasticity of demand."""
    w = _pairs("price_family_pct", space.families, "Price", PRICE)
    w += [_slider("price_elasticity", "Price elasticity of demand", PRICE, 0.1, fmt="%.1f")]
    return w


def _span_selects(key: str, space: LeverSpace) -> list[Widget]:
    """A change's first and last month, keyed `<key>from` and `<key>to`."""
    return [
        _month_select(key + "from", "from", CAPACITY, "First month of the change.", space),
        _month_select(key + "to", "to", CAPACITY, "Last month of the change.", space),
    ]


def _capacity_change_widgets(space: LeverSpace) -> list[Widget]:
    """`space.slots` capacity changes of four widgets each: line, from, to, %."""
    w: list[Widget] = []
    for i in range(space.slots):
        k = f"{PREFIX}capacity_changes__{i}_"
        w += [
            _select(
                k + "resource",
                f"Capacity change {i + 1}: line",
                CAPACITY,
                _help("capacity_changes"),
                ("", *space.resources),
            ),
            *_span_selects(k, space),
            _slider("capacity_changes", "Capacity change (%)", CAPACITY, 5.0, k + "pct"),
        ]
    return [*w, _number("added_hour_cost", "Cost of each added line hour (0 = free)", 10.0)]


def _supplier_change_widgets(space: LeverSpace) -> list[Widget]:
    """`space.supplier_slots` supplier capacity changes of four widgets each: supplier
    cap (or all of them), from, to, % (none when the data has no supplier caps)."""
    w: list[Widget] = []
    names = dict(space.supplier_names)
    for i in range(space.supplier_slots):
        k = f"{PREFIX}supplier_changes__{i}_"
        w += [
            _select(
                k + "supplier",
                f"Supplier capacity {i + 1}: supplier",
                CAPACITY,
                _help("supplier_changes"),
                ("", ALL_SUPPLIERS, *space.suppliers),
                lambda c: cap_label(c, names),
            ),
            *_span_selects(k, space),
            _slider("supplier_changes", "Supplier capacity change (%)", CAPACITY, 5.0, k + "pct"),
        ]
    return w


def _flex_widgets(space: LeverSpace) -> list[Widget]:
    """Overtime, then subcontracting and hiring where the data gives them something to
    act on (a subcontract offer, a labour pool)."""
    p = PREFIX
    w = [
        Widget(
            p + "overtime_allowed",
            "toggle",
            "Overtime allowed",
            CAPACITY,
            _help("overtime_allowed"),
        ),
        _slider("overtime_cap_pct", "Overtime cap (% of today's)", CAPACITY, 5.0, fmt="%.0f %%"),
    ]
    if space.subcontract:
        w += [
            Widget(
                p + "subcontract_allowed",
                "toggle",
                "Subcontracting allowed",
                CAPACITY,
                _help("subcontract_allowed"),
            ),
            _slider(
                "subcontract_cap_pct",
                "Subcontract cap (% of today's)",
                CAPACITY,
                10.0,
                fmt="%.0f %%",
            ),
        ]
    if space.labour:
        w += [
            Widget(
                p + "hiring_allowed",
                "toggle",
                "Hiring allowed (off = freeze)",
                CAPACITY,
                _help("hiring_allowed"),
            ),
            _number(
                "hiring_limit", "Hiring limit (people/month, -1 = as in data)", 1.0, fmt="%.0f"
            ),
        ]
    return w


def _cost_widgets() -> list[Widget]:
    """Material and labour cost, holding cost and safety stock."""
    return [
        _slider("material_inflation_pct", "Material cost inflation (%)", COSTS, 1.0),
        _slider("labour_cost_pct", "Labour cost change (%)", COSTS, 1.0),
        _number("holding_cost_rate", "Holding cost (%/year, -1 = as in data)", 1.0, COSTS),
        _number(
            "safety_stock_months", "Safety stock (months of cover, -1 = as in data)", 0.5, COSTS
        ),
    ]


def _ending_widgets(space: LeverSpace) -> list[Widget]:
    """A minimum ending stock per family (units; 0 = as the plan settings say)."""
    w = _number("ending_units", "", 100.0, COSTS, "%.0f")
    label = "Ending stock: {} (units, 0 = plan settings)"
    return [
        dataclasses.replace(w, key=f"{w.key}__{n}", label=label.format(escape_md(n)))
        for n in space.families
    ]


def lever_widgets(space: LeverSpace) -> list[Widget]:
    """Every lever widget, in the order the page shows them (grouped by `GROUPS`)."""
    return [
        *_demand_widgets(space),
        *_promo_widgets(space),
        *_price_widgets(space),
        *_capacity_change_widgets(space),
        *_supplier_change_widgets(space),
        *_flex_widgets(space),
        *_cost_widgets(),
        *_ending_widgets(space),
    ]


def _clamp(w: Widget, v: float) -> float | int:
    v = min(max(v, w.lo), w.hi) if math.isfinite(v) else min(max(0, w.lo), w.hi)
    return int(v) if isinstance(w.step, int) else float(v)


def widget_state(levers: Levers, space: LeverSpace) -> dict[str, Any]:
    """Session-state values of every widget of `lever_widgets(space)` for `levers`;
    numbers outside a widget's range are clamped into it."""
    raw: dict[str, Any] = {PREFIX + k: getattr(levers, k) for k in lever_help()}
    for name in ("demand_family_pct", "demand_region_pct", "price_family_pct", "ending_units"):
        values = dict(getattr(levers, name))
        names = space.regions if name == "demand_region_pct" else space.families
        raw |= {f"{PREFIX}{name}__{n}": values.get(n, 0.0) for n in names}
    first, last = (space.months[0], space.months[-1]) if space.months else ("", "")
    raw[PREFIX + "promo_start"] = levers.promo_start or first
    for name, parts, slots in _CHANGES:
        changes = getattr(levers, name)
        for i in range(getattr(space, slots)):
            entry = changes[i] if i < len(changes) else ("", first, last, 0.0)
            raw |= dict(zip((f"{PREFIX}{name}__{i}_{x}" for x in parts), entry))
    out = {}
    for w in lever_widgets(space):
        v = raw[w.key]
        out[w.key] = _clamp(w, v) if w.kind in ("slider", "number") else v
    out[PREFIX + "targets"] = levers.targets  # no widget: kept in the state as they are
    return out


def _pairs_from(
    state: Mapping[str, Any], name: str, names: tuple[str, ...]
) -> tuple[tuple[str, float], ...]:
    vals = ((n, float(state.get(f"{PREFIX}{name}__{n}", 0.0) or 0.0)) for n in names)
    return tuple(sorted((n, v) for n, v in vals if v != 0))


def _changes_from(
    state: Mapping[str, Any], name: str, parts: tuple[str, ...], slots: int
) -> tuple[tuple[str, str, str, float], ...]:
    """The changes of `slots` slots of lever `name` (slots without a name or at 0 %
    left out)."""
    out = []
    for i in range(slots):
        what, a, b, pct = (state.get(f"{PREFIX}{name}__{i}_{x}") for x in parts)
        if what and pct:
            out.append((str(what), str(a), str(b), float(pct)))
    return tuple(out)


def levers_from_state(state: Mapping[str, Any], space: LeverSpace) -> Levers:
    """The `Levers` the widgets show (missing keys read as the baseline).

    Pairs at 0 % and capacity / supplier slots without a name or at 0 % are left out; the
    promotion's start, length, uplift and cost count only when a family is chosen."""
    base = Levers()

    def get(name: str) -> Any:
        return state.get(PREFIX + name, getattr(base, name))

    promo = str(get("promo_family") or "")
    return Levers(
        demand_pct=float(get("demand_pct")),
        demand_family_pct=_pairs_from(state, "demand_family_pct", space.families),
        demand_region_pct=_pairs_from(state, "demand_region_pct", space.regions),
        price_family_pct=_pairs_from(state, "price_family_pct", space.families),
        price_elasticity=float(get("price_elasticity")),
        promo_family=promo,
        promo_start=str(get("promo_start") or "") if promo else base.promo_start,
        promo_months=int(get("promo_months")) if promo else base.promo_months,
        promo_uplift_pct=float(get("promo_uplift_pct")) if promo else base.promo_uplift_pct,
        promo_cost=float(get("promo_cost")) if promo else base.promo_cost,
        capacity_changes=_changes_from(state, "capacity_changes", CAP_PARTS, space.slots),
        supplier_changes=_changes_from(
            state, "supplier_changes", SUPPLIER_PARTS, space.supplier_slots
        ),
        overtime_allowed=bool(get("overtime_allowed")),
        overtime_cap_pct=float(get("overtime_cap_pct")),
        subcontract_allowed=bool(get("subcontract_allowed")),
        subcontract_cap_pct=float(get("subcontract_cap_pct")),
        hiring_allowed=bool(get("hiring_allowed")),
        hiring_limit=float(get("hiring_limit")),
        material_inflation_pct=float(get("material_inflation_pct")),
        labour_cost_pct=float(get("labour_cost_pct")),
        holding_cost_rate=float(get("holding_cost_rate")),
        safety_stock_months=float(get("safety_stock_months")),
        ending_units=_pairs_from(state, "ending_units", space.families),
        added_hour_cost=float(get("added_hour_cost")),
        targets=tuple(get("targets") or ()),  # no widget: kept when the page keeps them
    )
