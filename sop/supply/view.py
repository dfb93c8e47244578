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


def _amount(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:,.0f}"


def bottleneck_text(bottlenecks: pd.DataFrame, currency: str) -> pd.DataFrame:
    """`sop.supply.explain.bottlenecks` as text: Month, Limit (resource · name), Shadow
    price (money per hour or unit), Used, Limit of it, Overtime (h, used of the cap),
    Lever."""
    b = bottlenecks
    return pd.DataFrame(
        {
            "Month": [fmt.month(m) for m in b["month"]],
            "Binding limit": [f"{r} · {n}" for r, n in zip(b["resource"], b["name"])],
            f"Shadow price ({currency})": [
                "no price loaded" if pd.isna(p) else f"{money(p, currency)}/{per}"
                for p, per in zip(b["shadow_price"], b["per"])
            ],
            "Used": [_amount(x) for x in b["used"]],
            "Limit": [_amount(x) for x in b["limit"]],
            "Overtime (h)": [
                "–" if pd.isna(o) else f"{o:,.0f} of {_amount(cap)}"
                for o, cap in zip(b["overtime_hours"], b["max_overtime_hours"])
            ],
            "Lever": b["lever"].fillna("").astype(str),
        }
    )
