"""The plan against the budget, said where it is approved: the lines the Decisions page
shows under its tiles and below them. `budget_line`: under revenue and gross margin
(`BUDGETED`), the plan's figure over the budget's months against the budget, worded as
the Executive and Scenarios tiles word it (`sop.scenario.compare.budget_text`);
`budget_supply`: on a plan below budget, how much of the gap is supply
(`sop.finance.view.split_note`); `budget_scope`: the plan's families the budget leaves
out of those lines (`sop.finance.statement.budget_scope_note`).

Pure: a plan's budget KPIs (`statement.budget_kpis`) or its P&L and the budget table in,
plain text out (family names as typed: escape them where shown).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sop.core import schema
from sop.finance import statement
from sop.finance import view as finance_view
from sop.scenario.compare import budget_text
from sop.supply.policy import RECOGNISE_SHIP

# the tiles that carry the budget line under them (the Executive page's: money)
BUDGETED = ("revenue", "gross_margin")


def budget_line(key: str, budget: Mapping[str, float], currency: str) -> str | None:
    """The budget line under a `BUDGETED` tile, as the Executive and Scenarios tiles word
    it (`sop.scenario.compare.budget_text`): the tile is the plan's whole horizon, the
    line its figure over the budget's months, which it compares: "Budget €26.55M over
    its 14 months: this plan €27.75M there, +€1.20M (+4.5 %)". None for another tile
    and without a budget figure (no budget loaded, or none over the plan's months)."""
    return budget_text(key, budget, currency, "this plan") if key in BUDGETED else None


def budget_supply(
    pnl: pd.DataFrame,
    budget: pd.DataFrame | None,
    currency: str,
    recognition: str = RECOGNISE_SHIP,
) -> str | None:
    """On a plan below budget over the months the plan `pnl` (`statement.family_pnl`)
    and the `budget` table share, how much of the gap is supply, worded by the plan's
    `revenue_recognition` (`recognition`: booked when shipped, orders lost or shipped
    after the last of those months, named; when ordered, orders lost or still unshipped
    at the plan's end) (`sop.finance.view.split_note` of `budget_split`): None when
    supply takes less than `finance_view.SUPPLY_MATERIAL` of it, the plan is not below
    budget, or there is no budget. Family names as typed: escape them where shown."""
    if budget is None or budget.empty or pnl.empty:
        return None
    vs = statement.versus_budget(pnl, budget)
    split = finance_view.budget_split(vs)
    return finance_view.split_note(split, currency, recognition, finance_view.compared_end(vs))


def budget_scope(pnl: pd.DataFrame, budget: pd.DataFrame | None) -> str | None:
    """The families of the plan the budget leaves out of the budget lines
    (`statement.budget_scope_note`); None when it covers them all or there is none.
    Family names as typed: escape them where shown."""
    if pnl.empty:
        return None
    return statement.budget_scope_note(pnl[schema.FAMILY].unique(), budget)
