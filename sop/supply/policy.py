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

LEVEL_FAMILY = "family"  # family x plant x month (the S&OP level)
LEVEL_SKU = "sku"  # SKU x month
LEVELS = (LEVEL_FAMILY, LEVEL_SKU)
END_NONE = "none"
END_SAFETY = "safety_stock"
END_OPENING = "opening"
ENDINGS = (END_NONE, END_SAFETY, END_OPENING)
PRICE_LIST = "list"
PRICE_NET = "net"
PRICES = (PRICE_LIST, PRICE_NET)


def _f(default: Any, label: str, help: str, choices: tuple[str, ...] = ()) -> Any:
    return field(default=default, metadata={"label": label, "help": help, "choices": choices})


@dataclass(frozen=True)
class SupplyPolicy:
    """How the supply plan is made. Percentages are of the unit's price."""

    horizon: int = _f(
        18, "Horizon (months)", "Months planned, from the month after the as-of month."
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
        10.0,
        "Below safety stock (% of price per month)",
        "Cost of a unit below safety stock at a "
        "month end, % of its price (soft: a shortfall "
        "is reported, never infeasible).",
    )
    ending_inventory: str = _f(
        END_NONE,
        "Minimum ending inventory",
        "Hard minimum stock at the end of the horizon: "
        "`none`, `safety_stock` (the last month's safety stock) or "
        "`opening` (today's on hand).",
        ENDINGS,
    )
    zero_ending_backlog: bool = _f(
        True, "No backlog left at the end", "No backlog may be left at the end of the horizon."
    )
    overtime_allowed: bool = _f(
        True, "Overtime allowed", "Lines and labour pools may work overtime up to their caps."
    )
    subcontract_allowed: bool = _f(
        True, "Subcontracting allowed", "Subcontract offers may be used up to their monthly caps."
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

    def problems(self) -> list[str]:
        """What is wrong with these settings, worded for a planner (empty when fine)."""
        out = []
        if not 1 <= self.horizon <= 60:
            out.append(f"horizon must be 1 to 60 months, not {self.horizon}")
        for name in ("level", "ending_inventory", "price_basis"):
            choices = field_help()[name][1]
            if getattr(self, name) not in choices:
                out.append(
                    f"{name} must be one of {', '.join(choices)}, not {getattr(self, name)!r}"
                )
        for name in ("backlog_cost_pct", "lost_sales_penalty_pct", "safety_stock_penalty_pct"):
            v = getattr(self, name)
            if not 0 <= v <= 1000:
                out.append(f"{name} must be between 0 and 1000 %, not {v}")
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
    PRICE_LIST: "List price",
    PRICE_NET: "Net realised price",
}


def policy_markdown() -> str:
    """The policy fields as a Markdown table (docs/supply-planning.md)."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    for name, (text, _, default) in field_help().items():
        rows.append(f"| `{name}` (`--{name.replace('_', '-')}`) | `{default}` | {text} |")
    return "\n".join(rows)
