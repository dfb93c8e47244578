"""The Supply page's bottleneck table as text a meeting reads in full: one row per
binding limit, the lever sentence kept whole (an HTML table wraps it; a grid column
would cut it at 1280x720)."""

from __future__ import annotations

import pandas as pd

from sop.core import fmt
from sop.supply.explain import BOTTLENECK_COLUMNS, money

SHOWN = 15  # binding limits in the table; the rest in the grid under it
# the grid of them all: month first, then every bottleneck column but the constraint's
# internal name and the plant
GRID_COLUMNS = ("month",) + tuple(
    c for c in BOTTLENECK_COLUMNS if c not in ("constraint", "plant", "month")
)


def _amount(x: float, per: str | None = None) -> str:
    """A count with its unit ("2,720 h", "5,400 units"; bare without `per`), "–" if none."""
    if pd.isna(x):
        return "–"
    unit = {"hour": " h", "unit": " units"}.get(per or "", "")
    return f"{x:,.0f}{unit}"


def _overtime(hours: float, cap: float, per: str) -> str:
    """Overtime hours used of the cap; "–" where a limit has no overtime (a supplier's
    or subcontractor's cap, a family's units a month)."""
    if per == "unit" or pd.isna(hours):
        return "–"
    return f"{hours:,.0f} of {_amount(cap)}"


def bottleneck_text(bottlenecks: pd.DataFrame, currency: str) -> pd.DataFrame:
    """`sop.supply.explain.bottlenecks` as text: Month, Limit (resource · name), Shadow
    price (money per hour or unit), Used and Limit (in hours, or units for a cap in
    units), Overtime (h, used of the cap; "–" for a limit in units), Lever."""
    b = bottlenecks
    return pd.DataFrame(
        {
            "Month": [fmt.month(m) for m in b["month"]],
            "Binding limit": [f"{r} · {n}" for r, n in zip(b["resource"], b["name"])],
            f"Shadow price ({currency})": [
                "no price loaded" if pd.isna(p) else f"{money(p, currency)}/{per}"
                for p, per in zip(b["shadow_price"], b["per"])
            ],
            "Used": [_amount(x, per) for x, per in zip(b["used"], b["per"])],
            "Limit": [_amount(x, per) for x, per in zip(b["limit"], b["per"])],
            "Overtime (h)": [
                _overtime(o, cap, per)
                for o, cap, per in zip(b["overtime_hours"], b["max_overtime_hours"], b["per"])
            ],
            "Lever": b["lever"].fillna("").astype(str),
        }
    )
