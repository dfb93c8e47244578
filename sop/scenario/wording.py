"""Scenario levers in words people read: what moved, in planner's words
(`moved_text`), a lever's month as the charts and tables write it (`fmt.month_text`),
and text a person typed escaped so Markdown shows it as typed (`escape_md`).

Levers keep their months as 'YYYY-MM' (URLs, saved scenarios, TOML files and the CLI's
`Levers.describe` read and write them so); only the words here say 'Nov 2026'."""

from __future__ import annotations

from collections.abc import Mapping

from sop.core import fmt
from sop.core.fmt import md as escape_md  # the one Markdown escape (sop.core.fmt)
from sop.scenario.levers import ALL_SUPPLIERS, Levers, lever_help
from sop.supply.explain import cap_label
from sop.supply.limit_kinds import SUPPLIER_CAP

__all__ = ["escape_md", "moved_text", "supplier_text"]


LABELS = {
    "demand_pct": "demand, all families",
    "demand_family_pct": "demand",
    "demand_region_pct": "demand",
    "price_family_pct": "price",
    "price_elasticity": "price elasticity",
    "overtime_allowed": "overtime",
    "overtime_cap_pct": "overtime cap",
    "subcontract_allowed": "subcontracting",
    "subcontract_cap_pct": "subcontract cap",
    "hiring_allowed": "hiring",
    "hiring_limit": "hiring limit",
    "material_inflation_pct": "material cost",
    "labour_cost_pct": "labour cost",
    "holding_cost_rate": "holding cost",
    "safety_stock_months": "safety stock",
    "ending_units": "ending stock",
    "added_hour_cost": "cost per added hour",
    "promo_cost": "promotion cost",
}


def _span(first: str, last: str) -> str:
    return fmt.month_span(first, last)


def supplier_text(code: str, cap_names: Mapping[str, str] | None = None) -> str:
    """A supplier change's cap: 'every supplier cap', or 'supplier cap CAP-CL-MOTOR ·
    Cooling material cap' (`sop.supply.explain.cap_label`: code · name, as the lever's
    picker shows it; the code alone when its name is not known). Plain text."""
    if code == ALL_SUPPLIERS:
        return f"every {SUPPLIER_CAP}"
    return f"{SUPPLIER_CAP} {cap_label(code, cap_names)}"


def moved_text(levers: Levers, cap_names: Mapping[str, str] | None = None) -> str:
    """What moved, in planner's words: 'demand, all families +10 %; capacity RS-ASM1
    Jun 2027 to Jul 2027 +50 %; supplier cap CAP-CL-MOTOR · Cooling material cap Mar
    2027 to Dec 2027 -50 %; overtime off' ('nothing (baseline)' when nothing). Months
    read as on the charts. `cap_names`: supplier cap code -> its name
    (`sop.supply.explain.cap_names` of the dataset); without it (or for a cap the data
    lacks) a cap goes by its code alone."""
    names = cap_names or {}
    parts = []
    for name, v in levers.moved().items():
        unit = lever_help()[name]["unit"]
        if name == "promo_family":
            parts.append(
                f"promotion on {v} from {fmt.month_text(levers.promo_start) or '?'} for "
                f"{levers.promo_months} month(s) {levers.promo_uplift_pct:+g} %"
                + (f", costing {levers.promo_cost:,.0f} money/month" if levers.promo_cost else "")
            )
        elif name.startswith("promo_"):
            continue
        elif name == "targets":
            parts += [f"target: {t.describe()}" for t in v]
        elif name == "capacity_changes":
            parts += [f"capacity {r} {_span(a, b)} {p:+g} %" for r, a, b, p in v]
        elif name == "supplier_changes":
            parts += [f"{supplier_text(s, names)} {_span(a, b)} {p:+g} %" for s, a, b, p in v]
        elif isinstance(v, tuple) and unit != "%":  # units, not a change
            parts += [f"{LABELS[name]} {k} {x:,.0f} {unit}" for k, x in v]
        elif isinstance(v, tuple):
            parts += [f"{LABELS[name]} {k} {x:+g} %" for k, x in v]
        elif isinstance(v, bool):
            parts.append(f"{LABELS[name]} {'on' if v else 'off'}")
        elif unit == "%":
            parts.append(f"{LABELS[name]} {v:+g} %")
        else:  # a ratio (price elasticity) has no unit word to show
            parts.append(f"{LABELS[name]} {v:g}" + ("" if unit == "ratio" else f" {unit}"))
    return "; ".join(parts) or "nothing (baseline)"
