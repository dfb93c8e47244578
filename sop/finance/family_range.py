"""Revenue ranges by family over the horizon, and the families supply caps.

From the plan's risk run (`sop.finance.risk`: demand drawn 500 times, each draw
re-planned through the plan's capacity), per family: P10 / P50 / P90 of the horizon's
revenue (quantiles of each outcome's family total: they do not add up across families,
nor to the total's range), the value of the orders at P90 (units ordered at the plan's
prices, as if every order shipped) and the share of the order upside that ships:

    upside shipped = (revenue P90 - plan revenue) / (orders P90 - plan orders)

A family that ships less than `CAPPED_SHARE` of it is capped by supply: when demand runs
high, the plan's limits (hours, overtime, subcontracting, supplier caps) stop the extra
orders, so its revenue range stops short of its demand's. Pure pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.core.xlsx import Spec

CAPPED_SHARE = 0.9  # a family shipping less of its order upside at P90 is capped
CAPPED, OPEN, NO_RANGE = "Capped by supply", "Ships high demand", "No range"
RANGE_SPEC: Spec = [
    (schema.FAMILY, "Family", "text"),
    ("plan_orders", "Orders (plan, value)", "money"),
    ("plan_revenue", "Revenue (plan)", "money"),
    ("revenue_p10", "Revenue P10", "money"),
    ("revenue_p50", "Revenue P50", "money"),
    ("revenue_p90", "Revenue P90", "money"),
    ("orders_p90", "Orders at P90 (value)", "money"),
    ("upside_shipped", "Order upside shipped at P90", "pct"),
    ("supply", "Supply", "text"),
]


def family_ranges(family: pd.DataFrame | None) -> pd.DataFrame:
    """The `RANGE_SPEC` columns from a risk run's `family` frame (`sop.finance.risk.Risk`),
    families A-Z; empty without a run. upside_shipped is NaN where the orders have no
    upside (no P10-P90 band)."""
    cols = [c for c, _, _ in RANGE_SPEC]
    if family is None or family.empty:
        return pd.DataFrame(columns=cols)
    f = family.sort_values(schema.FAMILY, ignore_index=True)
    upside = f["orders_p90"] - f["plan_orders"]
    some = upside > 0.5  # half a unit of money: a point range has none
    shipped = (f["revenue_p90"] - f["plan_revenue"]) / upside.where(some)
    out = f.assign(
        upside_shipped=shipped.clip(lower=0.0, upper=1.0),
        supply=np.select([~some, shipped < CAPPED_SHARE], [NO_RANGE, CAPPED], OPEN),
    )
    return out[cols]


def capped_notes(ranges: pd.DataFrame, currency: str) -> list[str]:
    """One sentence per family capped by supply, the largest order upside left unshipped
    first: its orders and revenue at P90 against the plan's, and the share of the extra
    orders the plan's capacity ships. Family names as typed (escape them where shown)."""
    capped = ranges[ranges["supply"] == CAPPED]
    left = (capped["orders_p90"] - capped["plan_orders"]) - (
        capped["revenue_p90"] - capped["plan_revenue"]
    )
    return [
        f"{r.family}: at P90, orders are worth {fmt.money(r.orders_p90, currency)} "
        f"against the plan's {fmt.money(r.plan_orders, currency)}, and revenue "
        f"{fmt.money(r.revenue_p90, currency)} against "
        f"{fmt.money(r.plan_revenue, currency)}: the plan's capacity ships "
        f"{fmt.pct(r.upside_shipped, 0)} of the extra orders."
        for r in capped.loc[left.sort_values(ascending=False).index].itertuples(index=False)
    ]
