"""Revenue ranges by family over the horizon, and the families supply caps.

From the plan's risk run (`sop.finance.risk`: demand drawn 500 times, each draw
re-planned through the plan's capacity), per family: P10 / P50 / P90 of the horizon's
revenue (quantiles of each outcome's family total: they do not add up across families,
nor to the total's range), the value of the orders at P90 (units ordered at the plan's
prices, as if every order shipped) and the share of the order upside that ships, from
the middle outcome to the high one (both quantiles of the same re-planned outcomes):

    upside shipped = (revenue P90 - revenue P50) / (orders P90 - orders P50)

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
NO_PRICE = "No price loaded"
RANGE_SPEC: Spec = [
    (schema.FAMILY, "Family", "text"),
    ("plan_orders", "Orders (plan, value)", "money"),
    ("plan_revenue", "Revenue (plan)", "money"),
    ("revenue_p10", "Revenue P10", "money"),
    ("revenue_p50", "Revenue P50", "money"),
    ("revenue_p90", "Revenue P90", "money"),
    ("orders_p50", "Orders at P50 (value)", "money"),
    ("orders_p90", "Orders at P90 (value)", "money"),
    ("upside_shipped", "Order upside shipped at P90", "pct"),
    ("supply", "Supply", "text"),
]
# what the table is, under it on the Finance page and in the meeting pack
RANGES_HELP = (
    "P10-P50-P90 of each family's revenue over the horizon, from the same demand "
    "outcomes as the revenue band; they do not add up across families. Orders at P90: "
    "the orders' value at the plan's prices if every one shipped. Order upside shipped: "
    "revenue P90 less revenue P50, over orders P90 less orders P50; under "
    f"{fmt.pct(CAPPED_SHARE, 0)}, the plan's capacity caps the family's upside."
)


def family_ranges(family: pd.DataFrame | None) -> pd.DataFrame:
    """The `RANGE_SPEC` columns from a risk run's `family` frame (`sop.finance.risk.Risk`),
    families A-Z; empty without a run. upside_shipped is NaN where the orders have no
    upside (no P10-P90 band)."""
    cols = [c for c, _, _ in RANGE_SPEC]
    if family is None or family.empty:
        return pd.DataFrame(columns=cols)
    f = family.sort_values(schema.FAMILY, ignore_index=True)
    upside = f["orders_p90"] - f["orders_p50"]
    some = upside > 0.5  # half a unit of money: a point range has none
    shipped = (f["revenue_p90"] - f["revenue_p50"]) / upside.where(some)
    priced = f[["orders_p90", "revenue_p90"]].notna().all(axis=1)
    out = f.assign(
        upside_shipped=shipped.clip(lower=0.0, upper=1.0).where(priced),
        supply=np.select(
            [~priced, ~some, shipped < CAPPED_SHARE], [NO_PRICE, NO_RANGE, CAPPED], OPEN
        ),
    )
    return out[cols]


def capped_notes(ranges: pd.DataFrame, currency: str) -> list[str]:
    """One sentence per family capped by supply, the largest order upside left unshipped
    first: its orders and revenue at P90, each with its rise on the middle outcome
    (P50), and the share of the extra orders the plan's capacity ships. Family names as
    typed (escape them where shown)."""
    capped = ranges[ranges["supply"] == CAPPED]
    more_orders = capped["orders_p90"] - capped["orders_p50"]
    more_revenue = capped["revenue_p90"] - capped["revenue_p50"]
    order = (more_orders - more_revenue).sort_values(ascending=False).index
    return [
        f"{r.family}: at P90, orders are worth {fmt.money(r.orders_p90, currency)}, "
        f"{fmt.money(r.orders_p90 - r.orders_p50, currency)} more than in the middle "
        f"outcome (P50), but revenue {fmt.money(r.revenue_p90, currency)}, only "
        f"{fmt.money(r.revenue_p90 - r.revenue_p50, currency)} more: the plan's "
        f"capacity ships {fmt.pct(r.upside_shipped, 0)} of the extra orders."
        for r in capped.loc[order].itertuples(index=False)
    ]
