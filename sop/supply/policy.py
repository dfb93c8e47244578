"""`SupplyPolicy`: the settings of a supply plan, as one frozen (hashable) dataclass.

Every field has a documented default (`help_text`), is set from the Supply page
and from `python -m sop plan --<field-name>`, and is a cache key, so a plan is
fully described by (data version, demand plan, policy). Scenario levers on the
data itself (capacity, prices, costs, demand) are applied to the tables and the
demand plan before planning; levers that are settings live here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sop.core.months import DEFAULT_HORIZON

LEVEL_FAMILY = "family"  # family x plant x month (the S&OP level)
LEVEL_SKU = "sku"  # SKU x month
LEVELS = (LEVEL_FAMILY, LEVEL_SKU)
END_NONE = "none"
END_SAFETY = "safety_stock"
END_OPENING = "opening"
END_UNITS = "units"
ENDINGS = (END_NONE, END_SAFETY, END_OPENING, END_UNITS)
PRICE_LIST = "list"
PRICE_NET = "net"
PRICES = (PRICE_LIST, PRICE_NET)
RECOGNISE_SHIP = "ship"
RECOGNISE_ORDER = "order"
RECOGNITIONS = (RECOGNISE_SHIP, RECOGNISE_ORDER)
UnitPairs = tuple[tuple[str, float], ...]  # (family, units), sorted by family
UNITS_FORMAT = "family=units pairs separated by commas (e.g. Cooling=500,Heating=200)"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _f(default: Any, label: str, help: str, choices: tuple[str, ...] = ()) -> Any:
    return field(default=default, metadata={"label": label, "help": help, "choices": choices})


@dataclass(frozen=True)
class SupplyPolicy:
    """How the supply plan is made. Percentages are of the unit's price."""

    horizon: int = _f(
        DEFAULT_HORIZON, "Horizon (months)", "Months planned, from the month after the as-of month."
    )
    level: str = _f(
        LEVEL_FAMILY,
        "Planning level",
        "Planning level: `family` (family x plant x month, then "
        "split to SKU and region in proportion to demand) or `sku`.",
        LEVELS,
    )
    backlog_allowed: bool = _f(
        True,
        "Backlog allowed",
        "Demand not met in its month may be met later (backlog); otherwise it is lost.",
    )
    backlog_cost_pct: float = _f(
        3.0,
        "Backlog cost (% of price per month late)",
        "Cost of a unit delivered late, per month late, % of its price.",
    )
    lost_sales_allowed: bool = _f(
        True,
        "Lost sales allowed",
        "Demand may go unmet. When off, every order must "
        "be served and settings that cannot do it are "
        "explained as infeasible.",
    )
    lost_sales_penalty_pct: float = _f(
        10.0,
        "Lost-sale goodwill (% of price)",
        "Goodwill cost of a lost unit, % of its price, on top of the margin lost with the sale.",
    )
    safety_stock_penalty_pct: float = _f(
        2.0,
        "Below safety stock (% of price per month)",
        "Cost of a unit below safety stock at a "
        "month end, % of its price (soft: a shortfall "
        "is reported, never infeasible). Keep it above the holding cost, so stock is "
        "kept, and below the backlog cost, so it is drawn before an order waits.",
    )
    ending_inventory: str = _f(
        END_NONE,
        "Minimum ending inventory",
        "Hard minimum stock at the end of the horizon: "
        "`none`, `safety_stock` (the last month's safety stock), "
        "`opening` (today's on hand) or `units` (the units per family of `ending_units`).",
        ENDINGS,
    )
    ending_units: UnitPairs = _f(
        (),
        "Ending inventory (units per family)",
        "With `ending_inventory = units`: the minimum stock per family at the end of the "
        "horizon, as `Cooling=500,Heating=200`; a family's units are split over its plants "
        "(or SKUs) in proportion to their demand over the horizon; families not named "
        "have no minimum.",
    )
    zero_ending_backlog: bool = _f(
        True, "No backlog left at the end", "No backlog may be left at the end of the horizon."
    )
    overtime_allowed: bool = _f(
        True, "Overtime allowed", "Lines and labour pools may work overtime up to their caps."
    )
    subcontract_allowed: bool = _f(
        True,
        "Subcontracting allowed",
        "Subcontract offers may be used up to their monthly caps "
        "(no cap where the data gives none).",
    )
    hiring_allowed: bool = _f(
        True, "Hiring allowed", "Labour pools may hire, up to max_hires_per_month."
    )
    layoffs_allowed: bool = _f(
        False,
        "Layoffs allowed",
        "Labour pools may lay off. Off by default: "
        "headcount cuts are a management decision, so the plan "
        "keeps today's workforce unless told otherwise.",
    )
    price_basis: str = _f(
        PRICE_NET,
        "Revenue at",
        "Revenue per unit: `list` price, or `net` "
        "realised price (revenue / units over the last 12 months of "
        "sales, list price where unknown).",
        PRICES,
    )
    # thresholds of the Executive risks (`sop.executive.risks`): they do not change the plan
    risk_revenue_gap_pct: float = _f(
        2.0,
        "Risk: revenue off budget by (%)",
        "A family whose revenue is off its budget by this share or more, over the months "
        "the budget covers, is a risk (or an opportunity) ranked by its margin gap.",
    )
    risk_margin_gap_pct: float = _f(
        2.0,
        "Risk: margin off budget by (%)",
        "A family whose gross margin is off its budget by this share or more, over the "
        "months the budget covers, is a risk (or an opportunity) ranked by its margin gap.",
    )
    on_time_target_pct: float = _f(
        95.0,
        "On-time target (%)",
        "On-time fill rate a family should reach (units delivered in the month ordered / "
        "units ordered); below it, the late units' margin is a risk.",
    )
    # finance only (`sop.supply.standard`): when revenue books; it does not change the plan
    revenue_recognition: str = _f(
        RECOGNISE_SHIP,
        "Revenue booked in",
        "When revenue and the standard cost of goods sold are booked: `ship` (the month the "
        "units ship; a late order books when it ships) or `order` (the month ordered, for "
        "companies that plan that way). Lost sales and backlog left at the end never book.",
        RECOGNITIONS,
    )

    def __post_init__(self) -> None:
        # saved settings come back from JSON as lists (or a {family: units} table):
        # keep the pairs a hashable, sorted tuple so equal settings are one cache key
        pairs = self.ending_units
        if isinstance(pairs, dict):
            pairs = tuple(pairs.items())
        if isinstance(pairs, (list, tuple)) and all(
            isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs
        ):
            pairs = tuple(sorted((str(k), float(v) if _is_number(v) else v) for k, v in pairs))
        object.__setattr__(self, "ending_units", pairs)

    def problems(self) -> list[str]:
        """What is wrong with these settings, worded for a planner (empty when fine)."""
        out = []
        if not 1 <= self.horizon <= 60:
            out.append(f"horizon must be 1 to 60 months, not {self.horizon}")
        for name in ("level", "ending_inventory", "price_basis", "revenue_recognition"):
            choices = field_help()[name][1]
            if getattr(self, name) not in choices:
                out.append(
                    f"{name} must be one of {', '.join(choices)}, not {getattr(self, name)!r}"
                )
        for name in ("backlog_cost_pct", "lost_sales_penalty_pct", "safety_stock_penalty_pct"):
            v = getattr(self, name)
            if not 0 <= v <= 1000:
                out.append(f"{name} must be between 0 and 1000 %, not {v}")
        for name in ("risk_revenue_gap_pct", "risk_margin_gap_pct", "on_time_target_pct"):
            v = getattr(self, name)
            if not 0 <= v <= 100:
                out.append(f"{name} must be between 0 and 100 %, not {v}")
        return out + self._ending_problems()

    def cautions(self) -> list[str]:
        """Valid settings that work against planning practice, worded for a planner
        (empty when none): the plan is made as set, and says so (`PlanResult.notes`,
        kind `penalty_caution`).

        Safety stock is there to be drawn when supply is short: an order should wait
        only when there is no stock left to ship it from (`sop.supply.priority`)."""
        ss, late = self.safety_stock_penalty_pct, self.backlog_cost_pct
        if not (self.backlog_allowed and ss > 0 and ss >= late):
            return []
        return [
            f"Running below safety stock costs {ss:g} % of the price a month in these "
            f"settings, as much as or more than an order a month late ({late:g} %): when "
            "supply is short the plan keeps units in safety stock and makes customers "
            "wait instead of shipping from stock. Set the safety-stock penalty below the "
            "backlog cost to serve orders first."
        ]

    def _ending_problems(self) -> list[str]:
        pairs = self.ending_units
        if not isinstance(pairs, tuple) or not all(isinstance(p, tuple) for p in pairs):
            return [f"ending_units must be {UNITS_FORMAT}, not {pairs!r}"]
        out = []
        if self.ending_inventory == END_UNITS and not pairs:
            out.append(
                "ending_inventory = units needs the units per family in ending_units "
                "(e.g. Cooling=500)"
            )
        names = [k for k, _ in pairs]
        out += [
            f"ending_units names {k!r} more than once"
            for k in sorted(set(names))
            if names.count(k) > 1
        ]
        for k, v in pairs:
            if not _is_number(v) or not 0 <= v < float("inf"):
                out.append(f"ending_units for {k!r} must be 0 or more units, not {v!r}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> SupplyPolicy:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SupplyPolicy:
        """Settings from `as_dict` output; names this version does not know are ignored
        (settings saved by a newer version still load) and missing ones default."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


# The finance settings (Finance page, role finance: `access.FINANCE_SETTINGS`): how revenue
# is valued and booked, and the thresholds of the Executive risks (off budget, on time).
# None of them changes the supply plan; every other field is a plan setting
# (Supply page, role supply planner: `access.PLAN_SETTINGS`).
FINANCE_FIELDS = (
    "price_basis",
    "revenue_recognition",
    "risk_revenue_gap_pct",
    "risk_margin_gap_pct",
    "on_time_target_pct",
)


def field_help() -> dict[str, tuple[str, tuple[str, ...], Any]]:
    """name -> (help, choices, default) of every policy field, for the CLI and docs."""
    return {
        f.name: (f.metadata["help"], f.metadata["choices"], f.default)
        for f in dataclasses.fields(SupplyPolicy)
    }


def field_labels() -> dict[str, str]:
    """name -> short screen label of every policy field (the Supply page)."""
    return {f.name: f.metadata["label"] for f in dataclasses.fields(SupplyPolicy)}


CHOICE_LABELS = {
    LEVEL_FAMILY: "Family x plant",
    LEVEL_SKU: "SKU",
    END_NONE: "None",
    END_SAFETY: "Safety stock",
    END_OPENING: "Today's on hand",
    END_UNITS: "Units per family",
    PRICE_LIST: "List price",
    PRICE_NET: "Net realised price",
    RECOGNISE_SHIP: "Month shipped",
    RECOGNISE_ORDER: "Month ordered",
}


def policy_markdown() -> str:
    """The policy fields as a Markdown table (docs/supply-planning.md)."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    for name, (text, _, default) in field_help().items():
        shown = units_text(default) or "none" if isinstance(default, tuple) else default
        rows.append(f"| `{name}` (`--{name.replace('_', '-')}`) | `{shown}` | {text} |")
    return "\n".join(rows)


def parse_units(text: str) -> UnitPairs:
    """(family, units) pairs from `Cooling=500,Heating=200` (or `Cooling:500`); '' = none.
    ValueError saying what is wrong and how to write it."""
    out: dict[str, float] = {}
    for part in (p.strip() for p in str(text).split(",")):
        if not part:
            continue
        name, sep, value = part.replace(":", "=").rpartition("=")
        name = name.strip()
        try:
            units = float(value)
        except ValueError:
            units = float("nan")
        if not sep or not name or not 0 <= units < float("inf"):
            raise ValueError(
                f"{part!r} is not family=units with units 0 or more; write {UNITS_FORMAT}"
            )
        if name in out:
            raise ValueError(f"{name!r} is given more than once; write {UNITS_FORMAT}")
        out[name] = units
    return tuple(sorted(out.items()))


def units_text(pairs: UnitPairs) -> str:
    """`Cooling=500,Heating=200`: the pairs as `parse_units` reads them."""
    return ",".join(f"{k}={v:.15g}" for k, v in pairs)
